/* ferry-errors.h: XAPI codes and transport errors as plain sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ferry-engine-types.h"

G_BEGIN_DECLS

/* Errors the engine raises itself (planning, pre-checks from the cache).
 * XAPI's own failures keep the XAPI_ERROR domain. */
#define FERRY_ENGINE_ERROR (ferry_engine_error_quark ())

typedef enum
{
  FERRY_ENGINE_ERROR_FAILED,          /* anything else */
  FERRY_ENGINE_ERROR_NOT_FOUND,       /* a VM, host, SR or network is gone */
  FERRY_ENGINE_ERROR_PRECHECK,        /* a check from the cache refused the move */
  FERRY_ENGINE_ERROR_NO_SR,           /* no usable destination SR */
  FERRY_ENGINE_ERROR_NO_NETWORK,      /* no usable destination network */
  FERRY_ENGINE_ERROR_NOT_CONNECTED,   /* the pool is not connected */
  FERRY_ENGINE_ERROR_INVALID,         /* bad arguments (e.g. copy intra-pool) */
  FERRY_ENGINE_ERROR_UNKNOWN_OUTCOME, /* whether the VM moved cannot be told */
} FerryEngineError;

GQuark ferry_engine_error_quark     (void);

/* One translated sentence for @error (g_free); *@suggested_fix (may be NULL)
 * gets a translated suggestion, or NULL when there is none. */
char *ferry_error_to_sentence       (const GError       *error,
                                     char              **suggested_fix);
/* The same for a XAPI failure given as code and parameters (as in a task's
 * error_info). */
char *ferry_error_code_to_sentence  (const char         *code,
                                     const char * const *params,
                                     char              **suggested_fix);
/* "Sentence. Suggested fix." as one string (g_free): the form jobs and
 * pools show in their "error" property. */
char *ferry_error_to_message        (const GError       *error);
char *ferry_error_code_to_message   (const char         *code,
                                     const char * const *params);

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

/* As ferry_error_to_sentence(), naming the objects of @context (may be
 * NULL).  *@details (may be NULL) gets the raw code and its parameters in a
 * readable form, references replaced by names where they are known:
 * "VM_REQUIRES_SR (vm: db-01, sr: Lyon NFS)"; NULL for errors that are not
 * from XAPI. */
char *ferry_error_explain           (const GError             *error,
                                     const FerryErrorContext  *context,
                                     char                    **suggested_fix,
                                     char                    **details);
char *ferry_error_code_explain      (const char               *code,
                                     const char * const       *params,
                                     const FerryErrorContext  *context,
                                     char                    **suggested_fix,
                                     char                    **details);
/* "Sentence. Suggested fix." with the names of @context. */
char *ferry_error_to_named_message  (const GError             *error,
                                     const FerryErrorContext  *context,
                                     char                    **details);

G_END_DECLS
