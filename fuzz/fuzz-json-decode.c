/* fuzz-json-decode.c: xapi_json_decode() against json-glib's own parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every XAPI reply goes through xapi_json_decode(), a hand-written decoder,
 * so it must survive any bytes a server or a network can send.  Beyond not
 * crashing, it must agree with json-glib's JsonParser, the reference the
 * rest of the code was written against: whatever the decoder accepts,
 * JsonParser must accept too and build an equal tree.  Where json-glib 1.6
 * is wrong or merely different (integers beyond 64 bits, \u0000 and lone
 * surrogates; see README.md), the input json-glib gets is first rewritten
 * into the equivalent text json-glib reads as intended, by
 * canonical_for_json_glib().  Also checked: the depth limit is exact, what
 * json-glib's generator writes from the tree decodes to the same tree,
 * valid UTF-8 is never refused as invalid UTF-8, and the record field
 * filter of xapi_json_decode_filtered() removes exactly the members it
 * should and accepts exactly what the plain decoder accepts (bar invalid
 * UTF-8 in what it drops), and xapi_json_decode_consuming() builds the
 * same as the filtered decoder.  The repairing decoder (for replies as
 * received) accepts whatever the strict one accepts, and builds the same
 * tree when nothing needs repair; whatever it builds holds only valid
 * UTF-8 and strings within their limits (small ones here, derived from the
 * input, so that short inputs are cut too); its reasons name a byte offset.
 * With typed events (XapiJsonDecodeOptions.events) it accepts the same,
 * leaves the same tree and makes the records xapi_record_new_from_json()
 * makes of that decoder's events.
 */

#include <json-glib/json-glib.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "fuzz-common.h"
#include "fuzz-json-tree.h"
#include "xapi-json.h"
#include "xapi-json-private.h"
#include "xapi-record.h"
#include "xapi-util.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

/* Container nesting of the text @data (valid JSON): 0 for a scalar, 1 for
 * "[]".  Not of the tree: with a duplicated member name the tree keeps only
 * the last value, but the decoder went through the deeper one too. */
static guint
text_depth (const char *data,
            size_t      size)
{
  gboolean in_string = FALSE;
  guint    depth = 0, deepest = 0;

  for (size_t i = 0; i < size; i++)
    {
      if (in_string)
        {
          if (data[i] == '\\')
            i++;
          else if (data[i] == '"')
            in_string = FALSE;
        }
      else if (data[i] == '"')
        in_string = TRUE;
      else if (data[i] == '[' || data[i] == '{')
        {
          depth++;
          deepest = MAX (deepest, depth);
        }
      else if (data[i] == ']' || data[i] == '}')
        depth--;
    }
  return deepest;
}

/* json-glib 1.6's generator writes some values as text that is not JSON:
 * non-finite doubles (from literals too large for a double, e.g. 1e999) as
 * "inf"; doubles whose shortest form has an exponent but no '.' with a
 * ".0" glued after the exponent ("1e+100.0", "1e-14.0"); and U+001F in a
 * string or member name as the raw control character (it escapes the
 * others below 0x20, but not that one).  The round trip cannot hold for
 * them. */
static gboolean
json_glib_writes_invalid_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    return TRUE;
  g_ascii_dtostr (buf, sizeof buf, value);
  return strpbrk (buf, "eE") != NULL && strchr (buf, '.') == NULL;
}

static gboolean
json_glib_writes_invalid_string (const char *text)
{
  return strchr (text, 0x1F) != NULL;
}

static gboolean
has_unwritable (JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (has_unwritable (json_array_get_element (array, i)))
          return TRUE;
      return FALSE;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char    *name;
      JsonNode      *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        if (json_glib_writes_invalid_string (name) || has_unwritable (member))
          return TRUE;
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_glib_writes_invalid_double (json_node_get_double (node));
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_glib_writes_invalid_string (json_node_get_string (node));
  return FALSE;
}

static guint
hex4 (const char *p)
{
  guint v = 0;

  for (int i = 0; i < 4; i++)
    v = (v << 4) | (guint) g_ascii_xdigit_value (p[i]);
  return v;
}

static gboolean
is_surrogate (guint u)
{
  return u >= 0xD800 && u <= 0xDFFF;
}

/* Copies the string starting at the opening quote @p to @out, rewriting
 * the escapes json-glib reads differently into what xapi_json_decode()
 * documents: a \u0000 and a surrogate that is not part of a pair become
 * U+FFFD (json-glib 1.6 cuts the string at \u0000, refuses a lone low
 * surrogate as an "unterminated string constant", and turns a lone high
 * one into invalid UTF-8 or "malformed surrogate pair").  A high surrogate
 * followed by a \u escape that is not a low surrogate consumes it: that
 * escape also becomes U+FFFD if it is a surrogate or U+0000, and stays as it
 * is otherwise.  Returns the position after the closing quote.  @p is valid
 * JSON (the decoder accepted it), so every escape is complete. */
static const char *
canonical_string (const char *p,
                  const char *end,
                  GString    *out)
{
  g_string_append_c (out, *p++);
  while (*p != '"')
    {
      guint u;

      if (*p != '\\')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      if (p[1] != 'u')
        {
          g_string_append_len (out, p, 2);
          p += 2;
          continue;
        }

      u = hex4 (p + 2);
      if (u >= 0xD800 && u <= 0xDBFF && end - (p + 6) >= 6 && p[6] == '\\' && p[7] == 'u')
        {
          guint low = hex4 (p + 8);

          if (low >= 0xDC00 && low <= 0xDFFF)
            g_string_append_len (out, p, 12);
          else if (is_surrogate (low) || low == 0)
            g_string_append (out, "\\ufffd\\ufffd");
          else
            {
              g_string_append (out, "\\ufffd");
              g_string_append_len (out, p + 6, 6);
            }
          p += 12;
          continue;
        }
      if (is_surrogate (u) || u == 0)
        g_string_append (out, "\\ufffd");
      else
        g_string_append_len (out, p, 6);
      p += 6;
    }
  g_string_append_c (out, *p++);
  return p;
}

/* The text json-glib must read into the same tree as xapi_json_decode()
 * read @data into: strings as in canonical_string(), and integer literals
 * beyond 64 bits marked as doubles with ".0" (xapi_json_decode() keeps
 * them as doubles; json-glib 1.6 silently wraps them around, so that
 * 12345678901234567890 becomes -6101065172474983726). */
static GString *
canonical_for_json_glib (const char *data,
                         size_t      size)
{
  const char *p = data;
  const char *end = data + size;
  GString    *out = g_string_sized_new (size + 16);

  while (p < end)
    {
      if (*p == '"')
        p = canonical_string (p, end, out);
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          const char *q = p;
          gboolean    integer = TRUE;

          while (q < end && strchr ("+-0123456789.eE", *q) != NULL)
            {
              if (*q == '.' || *q == 'e' || *q == 'E')
                integer = FALSE;
              q++;
            }
          g_string_append_len (out, p, q - p);
          if (integer)
            {
              g_autofree char *literal = g_strndup (p, q - p);

              errno = 0;
              (void) g_ascii_strtoll (literal, NULL, 10);
              if (errno == ERANGE)
                g_string_append (out, ".0");
            }
          p = q;
        }
      else
        g_string_append_c (out, *p++);
    }

  return out;
}

static void
check_against_json_glib (const char *data,
                         size_t      size,
                         JsonNode   *ours)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = canonical_for_json_glib (data, size);
  g_autoptr(GError) error = NULL;
  JsonNode *theirs;

  if (!json_parser_load_from_data (parser, text->str, (gssize) text->len, &error))
    {
      fprintf (stderr, "xapi_json_decode accepted what json-glib refuses: %s\n", error->message);
      abort ();
    }
  theirs = json_parser_get_root (parser);
  FUZZ_CHECK (theirs != NULL);
  FUZZ_CHECK (json_node_equal (ours, theirs));
}

static void
check_round_trip (JsonNode *ours)
{
  g_autofree char *text = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(JsonNode) again = NULL;

  if (has_unwritable (ours))
    return;

  text = json_to_string (ours, FALSE);
  again = xapi_json_decode (text, strlen (text), XAPI_MAX_JSON_DEPTH, &reason);
  if (again == NULL)
    {
      fprintf (stderr, "xapi_json_decode refuses json-glib's output (%s): %s\n", reason, text);
      abort ();
    }
  FUZZ_CHECK (json_node_equal (ours, again));
}

/* Member names of the whole tree, to pick the kept ones from. */
static void
collect_names (JsonNode   *node,
               GHashTable *names)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_names (json_array_get_element (array, i), names);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char    *name;
      JsonNode      *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        {
          g_hash_table_add (names, g_strdup (name));
          collect_names (member, names);
        }
    }
}

/* The decoder for replies as read from the network writes into its input
 * (it ends strings in place and may give pages back): it must build what
 * the filtered decoder builds from the same bytes, and refuse what it
 * refuses.  NULL when it refuses. */
static JsonNode *
decode_consuming (const char *text,
                  size_t      size,
                  guint       record_depth,
                  GHashTable *keep)
{
  /* Exactly @size bytes, as a reply read from the network: no NUL after. */
  g_autofree char *copy = g_malloc (MAX (size, 1));

  memcpy (copy, text, size);
  return xapi_json_decode_consuming (copy, size, XAPI_MAX_JSON_DEPTH, record_depth, keep,
                                     NULL, NULL, NULL);
}

/* The record field filter: for what xapi_json_decode() accepts, the
 * filtered decode equals the full tree with the unkept members removed.
 * The depth and the kept names (about half of those in the input, chosen
 * by hash) are derived from the input, so that the fuzzer steers them. */
static void
check_filtered (const char *text,
                size_t      size,
                JsonNode   *ours,
                guint       depth)
{
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) expected = deep_copy (ours);
  g_autoptr(JsonNode) filtered = NULL;
  g_autofree char *reason = NULL;
  guint            record_depth = 1 + (guint) (size + (guchar) text[0]) % MAX (depth, 1);
  GHashTableIter   iter;
  gpointer         name;

  collect_names (ours, names);
  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if ((g_str_hash (name) ^ (guint) size) & 1)
      g_hash_table_add (keep, name);

  remove_unkept (expected, 1, record_depth, keep);
  filtered = xapi_json_decode_filtered (text, size, XAPI_MAX_JSON_DEPTH, record_depth, keep, &reason);
  if (filtered == NULL)
    {
      fprintf (stderr, "xapi_json_decode_filtered refuses what xapi_json_decode accepts (%s)\n", reason);
      abort ();
    }
  FUZZ_CHECK (json_node_equal (filtered, expected));

  {
    g_autoptr(JsonNode) consumed = decode_consuming (text, size, record_depth, keep);

    FUZZ_CHECK (consumed != NULL && json_node_equal (consumed, filtered));
  }

  /* Without a filter it is the plain decoder. */
  {
    g_autoptr(JsonNode) unfiltered = xapi_json_decode_filtered (text, size, XAPI_MAX_JSON_DEPTH,
                                                                record_depth, NULL, NULL);

    FUZZ_CHECK (unfiltered != NULL && json_node_equal (unfiltered, ours));
  }
}

/* The other way round: the filtered decoder skips the UTF-8 check of
 * dropped strings, and nothing else, so it may only accept more than the
 * plain one when the input is not valid UTF-8. */
static void
check_filtered_refusal (const char *text,
                        size_t      size)
{
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
  guint record_depth = 1 + (guint) size % 6;
  g_autoptr(JsonNode) filtered = NULL;

  g_hash_table_add (keep, (gpointer) "uuid");
  filtered = xapi_json_decode_filtered (text, size, XAPI_MAX_JSON_DEPTH, record_depth, keep, NULL);
  if (filtered != NULL)
    FUZZ_CHECK (!g_utf8_validate_len (text, size, NULL));
  {
    g_autoptr(JsonNode) consumed = decode_consuming (text, size, record_depth, keep);

    FUZZ_CHECK ((consumed == NULL) == (filtered == NULL));
    if (consumed != NULL)
      FUZZ_CHECK (json_node_equal (consumed, filtered));
  }
}

/* Every string and member name is valid UTF-8 and within @limit bytes
 * plus the ellipsis. */
static void
check_strings_bounded (JsonNode *node,
                       gsize     limit)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        check_strings_bounded (json_array_get_element (array, i), limit);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char    *name;
      JsonNode      *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        {
          FUZZ_CHECK (g_utf8_validate (name, -1, NULL));
          FUZZ_CHECK (strlen (name) <= limit + strlen ("…"));
          check_strings_bounded (member, limit);
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      FUZZ_CHECK (g_utf8_validate (text, -1, NULL));
      FUZZ_CHECK (strlen (text) <= limit + strlen ("…"));
    }
}

/* ---- typed events ---------------------------------------------------------- */

typedef struct
{
  int         klass;
  char       *ref;
  XapiRecord *record;
} SeenEvent;

static void
seen_event_free (SeenEvent *seen)
{
  g_free (seen->ref);
  g_clear_pointer (&seen->record, xapi_record_unref);
  g_free (seen);
}

static void
on_typed_event (int         klass,
                const char *ref,
                gpointer    record,
                gpointer    user_data)
{
  SeenEvent *seen = g_new0 (SeenEvent, 1);

  FUZZ_CHECK (klass >= 0 && klass < XAPI_N_CLASSES);
  FUZZ_CHECK (ref != NULL && ref[0] != '\0');
  seen->klass = klass;
  seen->ref = g_strdup (ref);
  seen->record = record;
  g_ptr_array_add (user_data, seen);
}

static void
on_element (JsonNode *element,
            gpointer  user_data)
{
  g_ptr_array_add (user_data, element);
}

/* What the cache makes of one event given as JSON (xapi-cache-loop.c,
 * read_event()), or NULL. */
static SeenEvent *
expected_event (JsonNode *node,
                guint32   followed)
{
  JsonObject *object;
  JsonNode   *snapshot;
  const char *ref, *operation;
  XapiClass   klass;
  SeenEvent  *seen;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  klass = xapi_class_from_name (xapi_record_get_string (object, "class"));
  ref = xapi_record_get_string (object, "ref");
  operation = xapi_record_get_string (object, "operation");
  if (klass == XAPI_CLASS_NONE || (followed & (1u << klass)) == 0 || *ref == '\0' || *operation == '\0')
    return NULL;
  seen = g_new0 (SeenEvent, 1);
  seen->klass = klass;
  seen->ref = g_strdup (ref);
  if (strcmp (operation, "del") != 0)
    {
      snapshot = json_object_get_member (object, "snapshot");
      seen->record = xapi_record_new_from_json (klass, ref, snapshot);
      if (seen->record == NULL)
        {
          seen_event_free (seen);
          return NULL;
        }
    }
  return seen;
}

/* The typed event decoder (event.from replies as the cache reads them)
 * accepts what the repairing decoder accepts, leaves the same tree, and
 * hands over the records that decoder's elements give through
 * xapi_record_new_from_json(), in the same order, whatever the order of
 * an event's members. */
static void
check_typed_events (const char *text,
                    size_t      size,
                    gsize       name_limit,
                    gsize       string_limit)
{
  g_autofree char *copy = g_malloc (MAX (size, 1));
  g_autoptr(GPtrArray) elements = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) typed = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_event_free);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_event_free);
  g_autoptr(JsonNode) generic = NULL;
  g_autoptr(JsonNode) events_root = NULL;
  /* Now and then a class is not followed. */
  guint32               followed = (size % 5 == 0) ? ((guint32) size * 2654435761u) & ((1u << XAPI_N_CLASSES) - 1)
                                                   : (1u << XAPI_N_CLASSES) - 1;
  XapiJsonEvents        events = { followed, on_typed_event, typed };
  XapiJsonDecodeOptions how = { .consume = TRUE,
                                .max_depth = XAPI_MAX_JSON_DEPTH,
                                .record_depth = 5,
                                .element_func = on_element,
                                .element_data = elements,
                                .name_limit = name_limit,
                                .string_limit = string_limit };

  memcpy (copy, text, size);
  generic = xapi_json_decode_repairing (copy, size, &how, NULL, NULL);
  memcpy (copy, text, size);
  how.element_func = NULL;
  how.element_data = NULL;
  how.events = &events;
  events_root = xapi_json_decode_repairing (copy, size, &how, NULL, NULL);
  FUZZ_CHECK ((generic == NULL) == (events_root == NULL));
  if (generic == NULL)
    return;
  FUZZ_CHECK (json_node_equal (generic, events_root));

  for (guint i = 0; i < elements->len; i++)
    {
      SeenEvent *seen = expected_event (g_ptr_array_index (elements, i), followed);

      if (seen != NULL)
        g_ptr_array_add (expected, seen);
    }
  FUZZ_CHECK (typed->len == expected->len);
  for (guint i = 0; i < typed->len; i++)
    {
      SeenEvent *a = g_ptr_array_index (typed, i);
      SeenEvent *b = g_ptr_array_index (expected, i);

      FUZZ_CHECK (a->klass == b->klass);
      FUZZ_CHECK (strcmp (a->ref, b->ref) == 0);
      FUZZ_CHECK (xapi_record_equal (a->record, b->record));
    }
}

static void
check_repairing (const char *text,
                 size_t      size,
                 JsonNode   *strict)
{
  gsize            name_limit = 1 + size % 7;
  gsize            string_limit = 1 + (size / 7) % 13;
  g_autofree char *copy = g_malloc (MAX (size, 1));
  g_autofree char *reason = NULL;
  g_autoptr(JsonNode) repaired = NULL;
  g_autoptr(JsonNode) consumed = NULL;
  g_autoptr(JsonNode) unlimited = NULL;
  XapiJsonRepairs       repairs;
  XapiJsonDecodeOptions how = { .max_depth = XAPI_MAX_JSON_DEPTH,
                                .name_limit = name_limit,
                                .string_limit = string_limit };

  memcpy (copy, text, size);
  repaired = xapi_json_decode_repairing (copy, size, &how, &repairs, &reason);
  if (strict != NULL)
    FUZZ_CHECK (repaired != NULL);
  if (repaired == NULL)
    {
      FUZZ_CHECK (reason != NULL && strstr (reason, "(at byte ") != NULL);
      FUZZ_CHECK (g_utf8_validate (reason, -1, NULL));
      return;
    }
  FUZZ_CHECK (reason == NULL);
  check_strings_bounded (repaired, MAX (name_limit, string_limit));
  if (g_utf8_validate_len (text, size, NULL))
    FUZZ_CHECK (repairs.invalid_utf8 == 0);

  /* What the reply decoder builds from a reply as read is the same. */
  how.consume = TRUE;
  consumed = xapi_json_decode_repairing (copy, size, &how, NULL, NULL);
  FUZZ_CHECK (consumed != NULL && json_node_equal (consumed, repaired));

  /* The same with the events decoded typed, as the cache reads replies. */
  check_typed_events (text, size, name_limit, string_limit);

  /* Within the real limits and with nothing to repair: the strict tree. */
  memcpy (copy, text, size);
  how.consume = FALSE;
  how.name_limit = XAPI_JSON_MAX_NAME;
  how.string_limit = XAPI_JSON_MAX_STRING;
  unlimited = xapi_json_decode_repairing (copy, size, &how, &repairs, NULL);
  FUZZ_CHECK (unlimited != NULL);
  if (strict != NULL)
    {
      FUZZ_CHECK (repairs.invalid_utf8 == 0 && repairs.cut == 0);
      FUZZ_CHECK (json_node_equal (unlimited, strict));
    }
  else
    FUZZ_CHECK (repairs.invalid_utf8 > 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char      *text = (const char *) data;
  g_autofree char *reason = NULL;
  g_autoptr(JsonNode) ours = NULL;
  guint depth;

  ours = xapi_json_decode (text, size, XAPI_MAX_JSON_DEPTH, &reason);
  check_repairing (text, size, ours);
  if (ours == NULL)
    {
      /* The reason ends up in an error message shown to the user. */
      FUZZ_CHECK (reason != NULL);
      FUZZ_CHECK (g_utf8_validate (reason, -1, NULL));
      /* Control characters (NUL included) are refused with their own
       * reason, so this one must mean what it says. */
      if (g_utf8_validate_len (text, size, NULL))
        FUZZ_CHECK (strcmp (reason, "a string is not valid UTF-8") != 0);
      if (size > 0)
        check_filtered_refusal (text, size);
      return 0;
    }
  FUZZ_CHECK (reason == NULL);
  FUZZ_CHECK (json_node_get_parent (ours) == NULL);

  /* The depth limit is exact: a text nested D deep needs max_depth >= D.
   * xapi_json_depth_ok(), the quick pre-check, agrees. */
  depth = text_depth (text, size);
  FUZZ_CHECK (depth <= XAPI_MAX_JSON_DEPTH);
  FUZZ_CHECK (xapi_json_depth_ok (text, size, depth));
  if (depth > 0)
    FUZZ_CHECK (!xapi_json_depth_ok (text, size, depth - 1));
  {
    g_autoptr(JsonNode) at_limit = xapi_json_decode (text, size, depth, NULL);

    FUZZ_CHECK (at_limit != NULL);
    FUZZ_CHECK (json_node_equal (ours, at_limit));
  }
  if (depth > 0)
    {
      g_autofree char *too_deep = NULL;
      g_autoptr(JsonNode) below = xapi_json_decode (text, size, depth - 1, &too_deep);

      FUZZ_CHECK (below == NULL);
      FUZZ_CHECK (too_deep != NULL);
    }

  check_against_json_glib (text, size, ours);
  check_round_trip (ours);
  check_filtered (text, size, ours, depth);

  return 0;
}
