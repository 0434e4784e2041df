/* xapi-private.h: helpers shared inside the XAPI library (not installed API)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "xapi-json.h"
#include "xapi-record.h"

G_BEGIN_DECLS

/* json-glib's parser recurses once per nesting level and has no limit of
 * its own, so a reply of a few hundred kilobytes of "[" would overflow the
 * stack.  Real XAPI replies nest fewer than ten levels. */
#define XAPI_MAX_JSON_DEPTH 512

gboolean    xapi_json_depth_ok          (const char   *data,
                                         gsize         len,
                                         guint         max_depth);

/* Parses a JSON text into a node; NULL with a short reason on error.
 * Safe on any input (checks the depth first).  Thread-safe. */
JsonNode   *xapi_json_parse             (const char   *data,
                                         gsize         len,
                                         char        **reason);

/* The same with a record field filter (see xapi_json_decode_filtered()). */
JsonNode   *xapi_json_parse_filtered    (const char   *data,
                                         gsize         len,
                                         guint         record_depth,
                                         GHashTable   *keep,
                                         char        **reason);

/* The same on a reply nobody needs afterwards: see
 * xapi_json_decode_consuming(); with @events, its events go there as typed
 * records (see xapi_json_decode_events()). */
JsonNode   *xapi_json_parse_consuming   (char         *data,
                                         gsize         len,
                                         guint         record_depth,
                                         GHashTable   *keep,
                                         const XapiJsonEvents *events,
                                         char        **reason);

/* xapi_json_decode_repairing() with @consume, whose events (the elements
 * of the arrays at depth @record_depth - 2) of the classes in
 * @events->followed are decoded straight into typed records (xapi-record.h)
 * and go to @events->func as they are read; the others are checked and
 * dropped.  The arrays stay empty, the rest of the reply is decoded (and
 * filtered by @keep) as by xapi_json_decode_repairing().  What each record
 * holds is what xapi_record_new_from_json() makes of the snapshot that
 * decoder would give.  Events are only handed over while the decoding goes
 * well; on failure those given so far were valid, the reply is not. */
JsonNode   *xapi_json_decode_events     (char                *data,
                                         gsize                len,
                                         gboolean             consume,
                                         guint                max_depth,
                                         guint                record_depth,
                                         GHashTable          *keep,
                                         const XapiJsonEvents *events,
                                         gsize                name_limit,
                                         gsize                string_limit,
                                         XapiJsonRepairs     *repairs,
                                         char               **reason);

/* xapi_json_decode_repairing() with other limits than XAPI_JSON_MAX_NAME
 * and XAPI_JSON_MAX_STRING: small ones let the fuzzers reach the cutting
 * of strings with small inputs. */
JsonNode   *xapi_json_decode_repairing_with_limits (char                *data,
                                                    gsize                len,
                                                    gboolean             consume,
                                                    guint                max_depth,
                                                    guint                record_depth,
                                                    GHashTable          *keep,
                                                    XapiJsonElementFunc  element_func,
                                                    gpointer             element_data,
                                                    gsize                name_limit,
                                                    gsize                string_limit,
                                                    XapiJsonRepairs     *repairs,
                                                    char               **reason);

/* The lenient readings of one value that xapi_record_get_bool(),
 * xapi_record_get_int64() and xapi_record_get_double() give (NULL and
 * containers read as FALSE / 0). */
gboolean    xapi_node_get_bool          (JsonNode     *node);
gint64      xapi_node_get_int64         (JsonNode     *node);
double      xapi_node_get_double        (JsonNode     *node);

/* A number written as a string (all of it): TRUE and its value. */
gboolean    xapi_parse_number_string    (const char   *s,
                                         double       *out_double,
                                         gint64       *out_int,
                                         gboolean     *is_int);
/* @d as a gint64, saturated; 0 for NaN and infinities. */
gint64      xapi_clamp_to_int64         (double        d);

/* Building a record field by field (xapi-record.c), for the decoders: a
 * new record of @klass with every field at its default; then each value
 * read for a field, which replaces what the field held.  Strings are
 * @len bytes, not NUL-terminated; a string, number or boolean read for a
 * field of another type is converted as the lenient readers of xapi-util.h
 * do.  xapi_record_take_strv() takes @strings (GRefString*, interned, or
 * plain char* that it does not own for XAPI_FIELD_ENUM_SET; a map's are
 * key, value, …). */
gpointer    xapi_record_alloc           (XapiClass        klass,
                                         const char      *ref);
void        xapi_record_set_string      (gpointer         record,
                                         const XapiField *field,
                                         const char      *s,
                                         gsize            len);
void        xapi_record_set_number      (gpointer         record,
                                         const XapiField *field,
                                         gboolean         is_int,
                                         gint64           i,
                                         double           d);
void        xapi_record_set_bool        (gpointer         record,
                                         const XapiField *field,
                                         gboolean         value);
void        xapi_record_set_null        (gpointer         record,
                                         const XapiField *field);
void        xapi_record_take_strv       (gpointer         record,
                                         const XapiField *field,
                                         GPtrArray       *strings);
/* TRUE for the fields that a JSON array fills. */
gboolean    xapi_field_is_set           (const XapiField *field);

/* A string of @len bytes (not NUL-terminated), interned. */
GRefString *xapi_record_intern          (const char      *s,
                                         gsize            len);

/* Any JSON value as a short string (for error parameters). */
char       *xapi_json_node_to_param     (JsonNode     *node);

/* Runs @func (@task, …) in a new thread of its own (not GTask's shared
 * pool: a 10-second decode must not hold up other GTask users). */
void        xapi_task_run_in_background (GTask        *task,
                                         GTaskThreadFunc func);
/* Same for a plain function (freeing data nobody else has seen). */
void        xapi_run_in_background      (GThreadFunc   func,
                                         gpointer      data);

/* Once per process: makes glibc free small blocks at once instead of in
 * deferred batches (see the comment in xapi-util.c). */

/* Decodes a JSON-RPC 1.0 or 2.0 reply to request @id: the "result" member,
 * or a GError (XAPI_ERROR_FAILURE with code and params, or
 * XAPI_ERROR_MALFORMED).  @host is for messages.  Thread-safe. */
JsonNode   *xapi_decode_reply           (const char   *data,
                                         gsize         len,
                                         gint64        id,
                                         const char   *host,
                                         GError      **error);
/* The same with a record field filter (see xapi_json_decode_filtered()). */
JsonNode   *xapi_decode_reply_filtered  (const char   *data,
                                         gsize         len,
                                         gint64        id,
                                         const char   *host,
                                         guint         record_depth,
                                         GHashTable   *keep,
                                         GError      **error);

/* The same on a reply nobody needs afterwards (its memory is given back
 * while decoding; see xapi_json_decode_consuming()). */
JsonNode   *xapi_decode_reply_consuming (char         *data,
                                         gsize         len,
                                         gint64        id,
                                         const char   *host,
                                         guint         record_depth,
                                         GHashTable   *keep,
                                         const XapiJsonEvents *events,
                                         GError      **error);

G_END_DECLS
