/* xapi-json.h: a fast, strict JSON decoder for XAPI replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Decodes @len bytes of JSON (RFC 8259) into a json-glib tree.
 *
 * json-glib's own parser goes through GScanner and emits a signal for every
 * object and array; on a 100 MB event.from reply of a 10,000-VM pool that is
 * ten seconds of work.  This decoder builds the same tree directly.  It is
 * strict: invalid UTF-8, control characters in strings, trailing garbage,
 * nesting deeper than @max_depth and numbers JSON does not allow are all
 * errors, reported as a short English phrase in @reason.  It never reads
 * past @len and never recurses (an explicit stack), so hostile input cannot
 * crash it.  Safe to call from any thread. (transfer full) */
JsonNode *xapi_json_decode (const char *data,
                            gsize       len,
                            guint       max_depth,
                            char      **reason);

/* The same, dropping the members of objects at depth @record_depth (the
 * root value is at depth 1, its members' values at depth 2, …) whose names
 * are not in @keep (a set of strings, as from g_hash_table_add()).  Dropped
 * values are stepped over without building anything, which is most of the
 * work saved; their structure is still checked (brackets, strings, escapes,
 * numbers, words), but their strings are not checked for valid UTF-8.  For
 * every input xapi_json_decode() accepts, the result equals its result with
 * those members removed.  With @keep NULL it is xapi_json_decode().
 *
 * In an event.from reply ({"result": {"events": [{"snapshot": {…}}]}}) the
 * snapshots' fields are at record depth 5. (transfer full) */
JsonNode *xapi_json_decode_filtered (const char *data,
                                     gsize       len,
                                     guint       max_depth,
                                     guint       record_depth,
                                     GHashTable *keep,
                                     char      **reason);

/* Takes one element of an array (see xapi_json_decode_consuming()). */
typedef void (*XapiJsonElementFunc) (JsonNode *element,
                                     gpointer  user_data);

/* The same, on an input that nobody needs afterwards (a reply as read
 * from the network): while decoding, the memory of the part already
 * decoded may be given back to the system, so that a 100 MB reply and the
 * tree decoded from it do not both take room at their fullest.  @data's
 * content is undefined afterwards (it must still be freed as usual).
 *
 * With @element_func, every element of the arrays at depth
 * @record_depth - 2 (the events of an event.from reply) goes to it, its
 * to keep, as soon as it is decoded, and those arrays stay empty: whoever
 * reads the events can take them apart while the rest is decoded, so that
 * they never all exist at once.  If decoding fails later, the elements
 * given away so far were all valid JSON, but the reply as a whole is not. (transfer full) */
JsonNode *xapi_json_decode_consuming (char               *data,
                                      gsize               len,
                                      guint               max_depth,
                                      guint               record_depth,
                                      GHashTable         *keep,
                                      XapiJsonElementFunc element_func,
                                      gpointer            element_data,
                                      char              **reason);

/* One event of an event.from reply decoded into a typed record (see
 * xapi_json_decode_repairing() in xapi-json-private.h): its class, ref, and its
 * record (transfer full, an XapiRecord of xapi-record.h) or NULL for a
 * "del". */
typedef void (*XapiJsonEventFunc) (int         klass,
                                   const char *ref,
                                   gpointer    record,
                                   gpointer    user_data);

typedef struct
{
  guint32           followed; /* bit (1 << XapiClass) of each class to decode */
  XapiJsonEventFunc func;
  gpointer          data;
} XapiJsonEvents;

/* Strings longer than these (in bytes) are cut by
 * xapi_json_decode_repairing() (xapi-json-private.h): 64 KiB for names and descriptions (the
 * members "name_label" and "name_description"), which people read and
 * which XAPI itself keeps short; 1 MiB for every other string and member
 * name, far beyond the longest that XAPI sends (PEM certificates and a
 * VM's last_booted_record, a few KiB each), so that what is kept of a
 * reply is bounded by the number of its strings, not by their length. */
#define XAPI_JSON_MAX_NAME ((gsize) 64 * 1024)
#define XAPI_JSON_MAX_STRING ((gsize) 1024 * 1024)

typedef struct
{
  guint invalid_utf8; /* strings that held invalid UTF-8 */
  guint cut;          /* strings cut at their limit */
} XapiJsonRepairs;

G_END_DECLS
