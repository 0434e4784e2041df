/* ferry-errors.h: XAPI codes and transport errors as plain sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

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

G_END_DECLS
