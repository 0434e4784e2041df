/* xapi-json-private.h: what the parts of the JSON decoder share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The decoder is in three files: xapi-json.c (the tree it builds and the
 * entry points), xapi-json-scan.c (strings, numbers, words, values stepped
 * over) and xapi-json-events.c (event.from's events as typed records).
 */

#pragma once

#include "xapi-json.h"

G_BEGIN_DECLS

/* json-glib's parser recurses once per nesting level and has no limit of
 * its own, so a reply of a few hundred kilobytes of "[" would overflow the
 * stack.  Real XAPI replies nest fewer than ten levels. */
#define XAPI_MAX_JSON_DEPTH 512

gboolean  xapi_json_depth_ok (const char *data,
                              gsize       len,
                              guint       max_depth);

/* Parses a JSON text into a node; NULL with a short reason on error.
 * Safe on any input (checks the depth first).  Thread-safe. (transfer full) */
JsonNode *xapi_json_parse (const char *data,
                           gsize       len,
                           char      **reason);

/* The same on a reply: with a record field filter (see
 * xapi_json_decode_filtered()); with @consume, on a reply nobody needs
 * afterwards (see xapi_json_decode_consuming()), whose events go to
 * @events, if not NULL, as typed records (see xapi_json_decode_repairing()).
 * (transfer full) */
JsonNode *xapi_json_parse_reply (const char           *data,
                                 gsize                 len,
                                 guint                 record_depth,
                                 GHashTable           *keep,
                                 gboolean              consume,
                                 const XapiJsonEvents *events,
                                 char                **reason);

/* How xapi_json_decode_repairing() reads its input. */
typedef struct
{
  gboolean              consume; /* see xapi_json_decode_consuming(); @data is only
                                  * written to with it */
  guint                 max_depth;
  guint                 record_depth; /* and keep: see xapi_json_decode_filtered() */
  GHashTable           *keep;
  XapiJsonElementFunc   element_func; /* with consume only: as xapi_json_decode_consuming()'s */
  gpointer              element_data;
  const XapiJsonEvents *events;       /* or NULL: the events as typed records, see below */
  gsize                 name_limit;   /* XAPI_JSON_MAX_NAME, or smaller (see below) */
  gsize                 string_limit; /* XAPI_JSON_MAX_STRING, likewise */
} XapiJsonDecodeOptions;

/* The decoder for replies as received (xapi_json_decode_filtered(), or
 * with @how->consume xapi_json_decode_consuming()), forgiving of what one
 * broken record may hold so that it does not sink a whole inventory:
 * invalid UTF-8 in a string is replaced with U+FFFD, and a string longer
 * than its limit (see XAPI_JSON_MAX_NAME) is cut on a character boundary
 * and ends with "…"; how many were is counted in @repairs (may be NULL).
 * The limits are @how->name_limit and @how->string_limit: those of
 * xapi-json.h, or small ones that let the fuzzers reach the cutting of
 * strings with small inputs.  A string being cut costs no more memory than
 * its limit, however long it goes on.  Everything else is as strict as
 * xapi_json_decode(); for input it accepts whose strings are all within
 * the limits, the result is the same.
 *
 * With @how->events, the events (the elements of the arrays at depth
 * @how->record_depth - 2) of the classes in @how->events->followed are
 * decoded straight into typed records (xapi-record.h) and go to
 * @how->events->func as they are read; the others are checked and
 * dropped.  The arrays stay empty, the rest of the reply is decoded (and
 * filtered by @how->keep) as without.  What each record holds is what
 * xapi_record_new_from_json() makes of the snapshot the decoder would give
 * without @how->events.  Events are only handed over while the decoding
 * goes well; on failure those given so far were valid, the reply is not.
 * (transfer full) */
JsonNode *xapi_json_decode_repairing (char                        *data,
                                      gsize                        len,
                                      const XapiJsonDecodeOptions *how,
                                      XapiJsonRepairs             *repairs,
                                      char                       **reason);

/* Any JSON value as a short string (for error parameters). (transfer full) */
char     *xapi_json_node_to_param (JsonNode *node);

typedef struct
{
  const char           *p;
  const char           *end;
  GString              *buf; /* scratch for strings with escapes */
  char                 *reason;
  GString              *skip;          /* open brackets of the value being skipped */
  GString              *keys;          /* pending member names of the open objects, each
                                        * NUL-terminated, innermost last: json-glib copies
                                        * names itself, so they need no allocation of
                                        * their own */
  char                 *released;      /* consumable input: its pages before this one are
                                        * given back already; NULL: not given back */
  gboolean              writable;      /* consumable input: what has been read may be
                                        * overwritten */
  guint                 element_depth; /* arrays whose elements go to: */
  XapiJsonElementFunc   element_func;  /* (or NULL) */
  gpointer              element_data;
  const XapiJsonEvents *events; /* or, as typed events, to this */
  guint                 max_depth;
  const char           *start;        /* of the input, for the offset in d->reason */
  gboolean              repair;       /* see xapi_json_decode_repairing() */
  gsize                 repair_limit; /* of the string being read */
  gboolean              ascii;        /* the string just read is plain ASCII */
  gsize                 name_limit;   /* XAPI_JSON_MAX_NAME, smaller when fuzzing */
  gsize                 string_limit; /* XAPI_JSON_MAX_STRING, likewise */
  XapiJsonRepairs       repairs;
} XapiJsonDecoder;

static inline void
xapi_json_skip_ws (XapiJsonDecoder *d)
{
  while (d->p < d->end && (*d->p == ' ' || *d->p == '\n' || *d->p == '\r' || *d->p == '\t'))
    d->p++;
}

/* ---- Tokens (xapi-json-scan.c) ---- */

/* Records why decoding failed (the first reason only) and returns FALSE. */
gboolean    xapi_json_fail (XapiJsonDecoder *d,
                            const char      *what);
/* Reads a string whose opening quote has been consumed; in repair mode cut
 * at @limit bytes and made valid UTF-8.  The text points into the input
 * (no escapes, *len_out bytes, not NUL-terminated) or into d->buf. (transfer none) */
const char *xapi_json_read_string (XapiJsonDecoder *d,
                                   gsize           *len_out,
                                   gsize            limit);
/* Reads the number at d->p: an integer if it is one that fits in 64 bits,
 * else a double. */
gboolean    xapi_json_parse_number (XapiJsonDecoder *d,
                                    gboolean        *is_int_out,
                                    gint64          *i_out,
                                    double          *d_out);
/* (transfer full): the number at d->p as a node. */
JsonNode   *xapi_json_read_number (XapiJsonDecoder *d);
typedef enum
{
  XAPI_JSON_FALSE,
  XAPI_JSON_TRUE,
  XAPI_JSON_NULL,
} XapiJsonWord;

/* Reads the word at d->p, one of true, false and null (told apart by
 * its first letter, which the caller has seen to be 't', 'f' or 'n');
 * @word may be NULL. */
gboolean xapi_json_read_word (XapiJsonDecoder *d,
                              XapiJsonWord    *word);
/* Steps over the value at d->p, checking it, at most @max_depth deep. */
gboolean xapi_json_skip_value (XapiJsonDecoder *d,
                               guint            max_depth);

/* ---- Typed events (xapi-json-events.c) ---- */

/* Reads the event at d->p into a typed record and hands it to d->events
 * (an event of a class not followed is checked and dropped). */
gboolean xapi_json_read_event_typed (XapiJsonDecoder *d,
                                     guint            level);

G_END_DECLS
