/* xapi-util.h: small helpers for building XAPI parameters and reading replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The null reference, as XAPI writes it. */
#define XAPI_NULL_REF "OpaqueRef:NULL"

/* ---- Parameters -------------------------------------------------------- */

/* A new array of string parameters; the list ends with NULL.
 * xapi_params_new (NULL) is an empty array.  Free with json_array_unref(). (transfer full) */
JsonArray  *xapi_params_new (const char *first_string,
                             ...) G_GNUC_NULL_TERMINATED;

/* Append helpers; each returns @params so that calls can be chained. (transfer none) */
JsonArray  *xapi_params_add_string (JsonArray  *params,
                                    const char *value);
JsonArray  *xapi_params_add_bool (JsonArray *params,
                                  gboolean   value);
JsonArray  *xapi_params_add_double (JsonArray *params,
                                    double     value);
/* A string set; @values is NULL-terminated and may be NULL (empty set). (transfer none) */
JsonArray  *xapi_params_add_strv (JsonArray          *params,
                                  const char  *const *values);
/* Takes ownership of @object (a map or record built by the caller). (transfer none) */
JsonArray  *xapi_params_add_object (JsonArray  *params,
                                    JsonObject *object);

/* ---- Reading replies ----------------------------------------------------
 * Records of the classes Ferry follows are read through their typed structs
 * (xapi-record.h).  This reads a member of what is no such record: an
 * event's envelope ("class", "ref", "operation"), an event batch's "token",
 * host.migrate_receive's answer, the uuids checked when logging in.  It does not crash on a NULL object, a
 * missing member or one of another type. */

/* The string, or "" (never NULL). (transfer none) */
const char *xapi_record_get_string (JsonObject *record,
                                    const char *field);

/* ---- Values ------------------------------------------------------------ */

/* TRUE for NULL, "" and "OpaqueRef:NULL". */
gboolean    xapi_is_null_ref (const char *ref);

/* task.result holds an XML-RPC value: "<value>OpaqueRef:…</value>",
 * "<value><string>…</string></value>", "<value></value>" or "".  Returns the
 * text inside, with XML entities decoded (never NULL; g_free()).  Anything
 * else is returned unchanged. (transfer full) */
char       *xapi_parse_task_result (const char *xml_value);

/* ---- Certificate fingerprints -------------------------------------------- */

/* The SHA-256 of the certificate's DER encoding, "AB:CD:..." (upper case). (transfer full) */
char       *xapi_certificate_get_fingerprint (GTlsCertificate *certificate);
/* Brings "ab:cd…", "ABCD…", "sha-256:AB:CD…" to "AB:CD:…"; NULL if @text is
 * not a SHA-256 fingerprint. (transfer full) */
char       *xapi_fingerprint_normalize (const char *text);
/* TRUE if both are the same SHA-256 fingerprint, in any of those formats. */
gboolean    xapi_fingerprint_equal (const char *a,
                                    const char *b);

/* Sets up the C library's allocator for large pools (see xapi-util.c).
 * Connections and caches call it; a program calls it first thing in main()
 * so that it also covers threads that toolkits start early. */
void        xapi_tune_allocator (void);

G_END_DECLS
