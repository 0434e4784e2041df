/* ferry-errors-private.h: what the parts of the error domain share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   ferry-errors.c        the FERRY_ERROR domain and what travels with it,
 *                         errors as sentences, errors leaving the engine
 *   ferry-errors-table.c  the sentence of each of the pool's error codes
 *   ferry-errors-named.c  sentences that name the VM, hosts, SRs, networks
 *                         and disks of an error, and its "Details"
 *
 * Not installed, not for the window or ferryctl.  The rest of the engine
 * uses only the first part; the table and the rest are for the error
 * domain's own files.
 */

#pragma once

#include "xapi-error.h"

#include "ferry-errors.h"

G_BEGIN_DECLS

/* ---- for the rest of the engine ------------------------------------------------ */

/* (transfer full) @error as it leaves the engine: a XAPI_ERROR becomes the
 * FERRY_ERROR with its sentence, suggested fix, details, fingerprint or
 * address (and the pool's code, so that ferry_error_explain() can still
 * name its objects); any other error is copied as it is. */
GError *ferry_error_from_xapi (const GError *error);
/* The same in place, for the _finish() functions the front ends call. */
void    ferry_error_translate (GError **error);

/* ---- the error domain's own files ------------------------------------------------ */

/* Sentences may refer to the error's parameters as {0}, {1}, ...; "{1:size}"
 * formats a decimal byte count ("4 GiB", ferry_format_size()).  An entry whose sentence needs a
 * parameter the error does not carry falls back to @plain.  Parameters that
 * are object references are never shown: they mean nothing to a person. */
typedef struct
{
  const char *code;
  gboolean    prefix; /* matches every code starting with @code */
  const char *sentence;
  const char *plain; /* without parameters; NULL = @sentence has none */
  const char *fix;
} ErrorEntry;

/* ---- ferry-errors-table.c ------------------------------------------------------- */

/* (transfer none) The entry of @code in the table, or NULL. */
const ErrorEntry *ferry_error_find_entry (const char *code);
guint             ferry_error_n_params (const char             *const *params);
/* (transfer full) @template with its placeholders replaced; NULL if a
 * placeholder refers to a missing or empty parameter. */
char             *ferry_error_expand (const char *template,
                                      const char             *const *params);
/* (transfer full) @text without its final full stop. */
char             *ferry_error_without_final_period (const char *text);

/* ---- ferry-errors-named.c ------------------------------------------------------- */

/* (transfer full) A sentence naming the objects of @code's parameters, or
 * NULL when the code has no such sentence; *fix (transfer full) its fix. */
char             *ferry_error_named_sentence (const char              *code,
                                              const char             *const      *params,
                                              const FerryErrorContext *ctx,
                                              char                   **fix);
/* (transfer full) "CODE (name: value, …)" for "Details". */
char             *ferry_error_details_of (const char              *code,
                                          const char             *const      *params,
                                          const FerryErrorContext *ctx);

G_END_DECLS
