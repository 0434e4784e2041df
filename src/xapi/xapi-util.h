/* xapi-util.h: small helpers for building XAPI parameters and reading records
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
JsonArray  *xapi_params_add_int (JsonArray *params,
                                 gint64     value);
JsonArray  *xapi_params_add_double (JsonArray *params,
                                    double     value);
/* A string set; @values is NULL-terminated and may be NULL (empty set). (transfer none) */
JsonArray  *xapi_params_add_strv (JsonArray          *params,
                                  const char  *const *values);
/* A (string -> string) map from a GHashTable of strings (NULL: empty map). (transfer none) */
JsonArray  *xapi_params_add_string_map (JsonArray  *params,
                                        GHashTable *map);
/* Takes ownership of @object (a map or record built by the caller). (transfer none) */
JsonArray  *xapi_params_add_object (JsonArray  *params,
                                    JsonObject *object);

/* A (string -> string) map from key/value pairs ending with NULL:
 * xapi_map_new ("force", "true", "live", "true", NULL). (transfer full) */
JsonObject *xapi_map_new (const char *first_key,
                          ...) G_GNUC_NULL_TERMINATED;

/* ---- Reading records ----------------------------------------------------
 * None of these crash on a NULL record, a missing field or a field of the
 * wrong type: they return the documented default instead. */

/* The string, or "" (never NULL). (transfer none) */
const char *xapi_record_get_string (JsonObject *record,
                                    const char *field);
/* JSON true/false, also "true"/"false" strings; FALSE otherwise. */
gboolean    xapi_record_get_bool (JsonObject *record,
                                  const char *field);
/* Integers, whole doubles and numeric strings; 0 otherwise. */
gint64      xapi_record_get_int64 (JsonObject *record,
                                   const char *field);
/* Numbers and numeric strings; 0.0 otherwise. */
double      xapi_record_get_double (JsonObject *record,
                                    const char *field);
/* The string members of a set (e.g. "VBDs", "allowed_operations"), as a new
 * NULL-terminated array (never NULL; free with g_strfreev()). (transfer full) */
char      **xapi_record_get_strv (JsonObject *record,
                                  const char *field);
/* Same as a GPtrArray of char* (owns its strings; never NULL). (transfer full) */
GPtrArray  *xapi_record_get_ref_set (JsonObject *record,
                                     const char *field);
/* TRUE if the set @field contains the string @value. */
gboolean    xapi_record_set_contains (JsonObject *record,
                                      const char *field,
                                      const char *value);
/* The string members of a map (e.g. "other_config") as a new GHashTable of
 * char* -> char* (never NULL; non-string values are skipped). (transfer full) */
GHashTable *xapi_record_get_map_string (JsonObject *record,
                                        const char *field);
/* One string value of a map, or NULL if absent or not a string. (transfer none) */
const char *xapi_record_get_map_value (JsonObject *record,
                                       const char *field,
                                       const char *key);
/* A datetime field ("20240101T12:00:00Z", RFC 3339, or Unix seconds), in UTC;
 * NULL if absent, unparsable, or the epoch (XAPI's "unset"). (transfer full) */
GDateTime  *xapi_record_get_datetime (JsonObject *record,
                                      const char *field);

/* ---- Values ------------------------------------------------------------ */

/* TRUE for NULL, "" and "OpaqueRef:NULL". */
gboolean    xapi_is_null_ref (const char *ref);

/* task.result holds an XML-RPC value: "<value>OpaqueRef:…</value>",
 * "<value><string>…</string></value>", "<value></value>" or "".  Returns the
 * text inside, with XML entities decoded (never NULL; g_free()).  Anything
 * else is returned unchanged. (transfer full) */
char       *xapi_parse_task_result (const char *xml_value);

/* Parses XAPI datetimes ("YYYYMMDDTHH:MM:SSZ", RFC 3339 / ISO 8601 forms, or
 * a number of seconds since the epoch).  NULL if it cannot. (transfer full) */
GDateTime  *xapi_parse_datetime (const char *text);

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
