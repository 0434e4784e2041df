/* ferry-errors.h: the engine's error domain, and errors as plain sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ferry-engine-types.h"

G_BEGIN_DECLS

/* The engine's one error domain: every error the window and ferryctl get
 * from the engine is a FERRY_ERROR (or G_IO_ERROR_CANCELLED), whatever layer
 * it came from; the pool's protocol errors are translated where they leave
 * the engine.  Its message is the plain translated sentence the front ends
 * show (ferry_error_to_sentence() adds the suggested fix); what a front end
 * needs to act on travels with it (ferry_error_get_fingerprint(),
 * ferry_error_get_address()). */
#define FERRY_ERROR (ferry_error_quark ())

typedef enum
{
  FERRY_ERROR_FAILED,                /* anything else */
  FERRY_ERROR_NOT_FOUND,             /* a VM, host, SR or network is gone */
  FERRY_ERROR_PRECHECK,              /* a check from the cache refused the move */
  FERRY_ERROR_NO_SR,                 /* no usable destination SR */
  FERRY_ERROR_NO_NETWORK,            /* no usable destination network */
  FERRY_ERROR_NOT_CONNECTED,         /* the pool is not connected */
  FERRY_ERROR_INVALID,               /* bad arguments (e.g. copy intra-pool) */
  FERRY_ERROR_REFUSED,               /* the pool refused the call (an error code of its own) */
  FERRY_ERROR_AUTHENTICATION_FAILED, /* the user name or password was refused */
  FERRY_ERROR_CONNECTION,            /* the host could not be reached, or the connection was lost */
  FERRY_ERROR_TIMEOUT,               /* the host did not answer in time */
  FERRY_ERROR_HTTP,                  /* the host answered with an HTTP error */
  FERRY_ERROR_MALFORMED,             /* the host's answer could not be understood */
  FERRY_ERROR_TOO_LARGE,             /* the host's answer was too large to be a pool's */
  FERRY_ERROR_TLS,                   /* no secure connection could be set up */
  FERRY_ERROR_CERTIFICATE_UNKNOWN,   /* a certificate not trusted yet: ferry_error_get_fingerprint() */
  FERRY_ERROR_CERTIFICATE_CHANGED,   /* not the certificate trusted before: ferry_error_get_fingerprint() */
  FERRY_ERROR_WRONG_POOL,            /* the address now leads to another pool */
  FERRY_ERROR_REDIRECT_REFUSED,      /* HOST_IS_SLAVE to an unknown host over HTTP: ferry_error_get_address() */
} FerryError;

GQuark      ferry_error_quark (void);

/* (transfer none) For FERRY_ERROR_CERTIFICATE_UNKNOWN and _CHANGED: the SHA-256 fingerprint
 * of the certificate the host presented ("AB:CD:…"), what the certificate
 * dialog shows and what to pin once the user trusts it; NULL otherwise. */
const char *ferry_error_get_fingerprint (const GError *error);
/* (transfer none) For FERRY_ERROR_REDIRECT_REFUSED: the address HOST_IS_SLAVE named, what
 * to pass to ferry_manager_trust_redirect() once the user agreed; NULL
 * otherwise. */
const char *ferry_error_get_address (const GError *error);

/* (transfer full) One translated sentence for @error; *@suggested_fix (may be
 * NULL) gets a translated suggestion (transfer full), or NULL when there is
 * none. */
char       *ferry_error_to_sentence (const GError *error,
                                     char        **suggested_fix);
/* (transfer full) The same for a XAPI failure given as code and parameters
 * (as in a task's error_info). */
char       *ferry_error_code_to_sentence (const char         *code,
                                          const char       *const *params,
                                          char              **suggested_fix);
/* (transfer full) "Sentence. Suggested fix." as one string: the form jobs
 * and pools show in their "error" property. */
char       *ferry_error_to_message (const GError *error);
char       *ferry_error_code_to_message (const char         *code,
                                         const char       *const *params);

/* What a sentence may name.  A migration's errors carry object references
 * (the VM, the hosts, an SR, a disk, a network interface) that mean nothing
 * to a person; the pools' records turn them into names.  The references of
 * a cross-pool migration may belong to either pool, so both are searched.
 * Every member may be NULL; the names stand in for references that are
 * missing or unknown to both pools.  A sentence that cannot name everything
 * it needs falls back to the plain one ("the target host"). */
typedef struct
{
  const char *vm_name;
  const char *source_host_name;
  const char *target_host_name;
  const char *source_pool_name;
  const char *target_pool_name;
  FerryPool  *source_pool;
  FerryPool  *target_pool;
} FerryErrorContext;

/* (transfer full) As ferry_error_to_sentence(), naming the objects of
 * @context (may be NULL).  *@details (may be NULL) gets the raw code and its parameters in a
 * readable form, references replaced by names where they are known:
 * "VM_REQUIRES_SR (vm: db-01, sr: Lyon NFS)" (transfer full); NULL for
 * errors that are not from XAPI. */
char *ferry_error_explain (const GError            *error,
                           const FerryErrorContext *context,
                           char                   **suggested_fix,
                           char                   **details);
char *ferry_error_code_explain (const char              *code,
                                const char * const      *params,
                                const FerryErrorContext *context,
                                char                   **suggested_fix,
                                char                   **details);
/* (transfer full) "Sentence. Suggested fix." with the names of @context. */
char *ferry_error_to_named_message (const GError            *error,
                                    const FerryErrorContext *context,
                                    char                   **details);

G_END_DECLS
