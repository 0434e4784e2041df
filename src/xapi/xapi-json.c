/* xapi-json.c: a fast, strict JSON decoder for XAPI replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-json.h"
#include "xapi-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <sys/mman.h>
#include <unistd.h>
#endif

/* Decoding a consumable input gives its pages back every this many bytes. */
#define RELEASE_STEP ((gsize) 4 * 1024 * 1024)

typedef struct
{
  const char *p;
  const char *end;
  GString    *buf;      /* scratch for strings with escapes */
  char       *reason;
  GString    *skip;     /* open brackets of the value being skipped */
  GString    *keys;     /* pending member names of the open objects, each
                         * NUL-terminated, innermost last: json-glib copies
                         * names itself, so they need no allocation of
                         * their own */
  char       *released; /* consumable input: its pages before this one are
                         * given back already; NULL: not given back */
  gboolean    writable; /* consumable input: what has been read may be
                         * overwritten */
  guint       element_depth;          /* arrays whose elements go to: */
  XapiJsonElementFunc element_func;   /* (or NULL) */
  gpointer    element_data;
  const XapiJsonEvents *events;       /* or, as typed events, to this */
  guint       max_depth;
  const char *start;    /* of the input, for the offset in d->reason */
  gboolean    repair;   /* see xapi_json_decode_repairing() */
  gsize       repair_limit;  /* of the string being read */
  gboolean    ascii;         /* the string just read is plain ASCII */
  gsize       name_limit;    /* XAPI_JSON_MAX_NAME, smaller when fuzzing */
  gsize       string_limit;  /* XAPI_JSON_MAX_STRING, likewise */
  XapiJsonRepairs repairs;
} Decoder;

/* One open container on the explicit stack. */
typedef struct
{
  JsonNode *node;       /* the object or array node */
  gssize    key;        /* pending member name (objects only): its offset in
                         * Decoder.keys, or -1 */
  gsize     count;      /* members or elements read, kept or not */
} Frame;

static gboolean
fail (Decoder    *d,
      const char *what)
{
  /* The offset lets whoever looks at the reply find the fault in it. */
  if (d->reason == NULL)
    d->reason = g_strdup_printf ("%s (at byte %" G_GSIZE_FORMAT ")", what,
                                 (gsize) (MIN (d->p, d->end) - d->start));
  return FALSE;
}

static inline void
skip_ws (Decoder *d)
{
  while (d->p < d->end && (*d->p == ' ' || *d->p == '\n' || *d->p == '\r' || *d->p == '\t'))
    d->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Decoder  *d,
           gunichar *out)
{
  gunichar v = 0;

  if (d->end - d->p < 4)
    return fail (d, "a \\u escape is cut short");
  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (d->p[i]);

      if (h < 0)
        return fail (d, "a \\u escape is not hexadecimal");
      v = (v << 4) | (gunichar) h;
    }
  d->p += 4;
  *out = v;
  return TRUE;
}

/* Reads a string whose opening quote has been consumed.  On success the
 * decoded text is returned; it points either into the input (no escapes,
 * *len_out bytes, not NUL-terminated) or into d->buf. */
static const char *read_string_strict (Decoder *d, gsize *len_out, gsize limit);

/* Cuts the string just read (@s, *@len bytes) at @limit bytes, on a
 * character boundary, and replaces what is not valid UTF-8 with U+FFFD;
 * the result is in d->buf when it differs from the input. */
static const char *
repair_string (Decoder    *d,
               const char *s,
               gsize      *len)
{
  gboolean cut = FALSE;
  gsize n = *len;

  if (n > d->repair_limit)
    {
      n = d->repair_limit;
      /* Back to the start of a character (at most three continuation
       * bytes in valid UTF-8; in invalid UTF-8 the repair below copes). */
      for (int i = 0; i < 3 && n > 0 && ((guchar) s[n] & 0xC0) == 0x80; i++)
        n--;
      cut = TRUE;
      d->repairs.cut++;
    }
  /* Plain ASCII, almost every string XAPI sends, needs no check. */
  if (!d->ascii && !g_utf8_validate_len (s, n, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (s, (gssize) n);

      d->repairs.invalid_utf8++;
      g_string_assign (d->buf, valid);
    }
  else if (cut && s != d->buf->str)
    {
      g_string_truncate (d->buf, 0);
      g_string_append_len (d->buf, s, (gssize) n);
    }
  else if (cut)
    g_string_truncate (d->buf, n);
  else
    return s;

  if (cut)
    g_string_append (d->buf, "…");
  *len = d->buf->len;
  return d->buf->str;
}

static const char *
read_string (Decoder *d,
             gsize   *len_out,
             gsize    limit)
{
  const char *s;

  if (!d->repair)
    return read_string_strict (d, len_out, G_MAXSIZE);
  d->repair_limit = limit;
  s = read_string_strict (d, len_out, limit);
  if (s == NULL)
    return NULL;
  return repair_string (d, s, len_out);
}

/* In repair mode (@limit below G_MAXSIZE) neither the UTF-8 check nor the
 * length is enforced here, and an escaped string keeps no more than a
 * little over @limit bytes. */
static const char *
read_string_strict (Decoder *d,
                    gsize   *len_out,
                    gsize    limit)
{
  const char *start = d->p;
  const char *q = start;
  guchar high = 0;

  /* Fast path: no escapes. */
  while (q < d->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20)
    high |= (guchar) *q++;
  if (q >= d->end)
    {
      fail (d, "a string is not terminated");
      return NULL;
    }
  if (*q == '"')
    {
      /* Plain ASCII (almost every string XAPI sends) is valid UTF-8. */
      if (!d->repair && (high & 0x80) != 0 && !g_utf8_validate_len (start, (gsize) (q - start), NULL))
        {
          fail (d, "a string is not valid UTF-8");
          return NULL;
        }
      d->p = q + 1;
      d->ascii = (high & 0x80) == 0;
      *len_out = (gsize) (q - start);
      return start;
    }

  g_string_truncate (d->buf, 0);
  g_string_append_len (d->buf, start, q - start);
  d->p = q;
  d->ascii = FALSE;
  while (d->p < d->end)
    {
      char c = *d->p;

      if (c == '"')
        {
          d->p++;
          if (!d->repair && !g_utf8_validate_len (d->buf->str, d->buf->len, NULL))
            {
              fail (d, "a string is not valid UTF-8");
              return NULL;
            }
          *len_out = d->buf->len;
          return d->buf->str;
        }
      if ((guchar) c < 0x20)
        {
          fail (d, "a string holds a control character");
          return NULL;
        }
      /* Past the limit, the rest is only checked, not kept: a string
       * that goes on for a gigabyte costs a few bytes over the limit. */
      if (d->buf->len > limit)
        g_string_truncate (d->buf, limit + 1);
      if (c != '\\')
        {
          g_string_append_c (d->buf, c);
          d->p++;
          continue;
        }

      d->p++;
      if (d->p >= d->end)
        break;
      c = *d->p++;
      switch (c)
        {
        case '"': g_string_append_c (d->buf, '"'); break;
        case '\\': g_string_append_c (d->buf, '\\'); break;
        case '/': g_string_append_c (d->buf, '/'); break;
        case 'b': g_string_append_c (d->buf, '\b'); break;
        case 'f': g_string_append_c (d->buf, '\f'); break;
        case 'n': g_string_append_c (d->buf, '\n'); break;
        case 'r': g_string_append_c (d->buf, '\r'); break;
        case 't': g_string_append_c (d->buf, '\t'); break;
        case 'u':
          {
            gunichar u;

            if (!read_hex4 (d, &u))
              return NULL;
            if (u >= 0xD800 && u <= 0xDBFF)
              {
                gunichar low;

                /* A high surrogate must be followed by an escaped low one;
                 * anything else is replaced rather than refused, as most
                 * decoders do. */
                if (d->end - d->p >= 6 && d->p[0] == '\\' && d->p[1] == 'u')
                  {
                    d->p += 2;
                    if (!read_hex4 (d, &low))
                      return NULL;
                    if (low >= 0xDC00 && low <= 0xDFFF)
                      u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
                    else
                      {
                        g_string_append_unichar (d->buf, 0xFFFD);
                        u = (low >= 0xD800 && low <= 0xDFFF) ? 0xFFFD : low;
                      }
                  }
                else
                  u = 0xFFFD;
              }
            else if (u >= 0xDC00 && u <= 0xDFFF)
              u = 0xFFFD;
            /* json-glib strings are NUL-terminated; this also covers a
             * \u0000 that follows a lone high surrogate. */
            if (u == 0)
              u = 0xFFFD;
            g_string_append_unichar (d->buf, u);
          }
          break;
        default:
          fail (d, "a string holds an unknown escape");
          return NULL;
        }
    }

  fail (d, "a string is not terminated");
  return NULL;
}

/* Checks the number at d->p against JSON's grammar; returns where it ends
 * (NULL on error) and whether it is an integer. */
static const char *
scan_number (Decoder  *d,
             gboolean *is_int_out)
{
  const char *q = d->p;
  gboolean is_int = TRUE;

  if (q < d->end && *q == '-')
    q++;
  if (q >= d->end || !g_ascii_isdigit (*q))
    {
      fail (d, "a number is malformed");
      return NULL;
    }
  if (*q == '0')
    q++;
  else
    while (q < d->end && g_ascii_isdigit (*q))
      q++;
  if (q < d->end && *q == '.')
    {
      is_int = FALSE;
      q++;
      if (q >= d->end || !g_ascii_isdigit (*q))
        {
          fail (d, "a number is malformed");
          return NULL;
        }
      while (q < d->end && g_ascii_isdigit (*q))
        q++;
    }
  if (q < d->end && (*q == 'e' || *q == 'E'))
    {
      is_int = FALSE;
      q++;
      if (q < d->end && (*q == '+' || *q == '-'))
        q++;
      if (q >= d->end || !g_ascii_isdigit (*q))
        {
          fail (d, "a number is malformed");
          return NULL;
        }
      while (q < d->end && g_ascii_isdigit (*q))
        q++;
    }

  *is_int_out = is_int;
  return q;
}

/* Reads the number at d->p: an integer if it is one that fits in 64 bits,
 * else a double. */
static gboolean
parse_number (Decoder  *d,
              gboolean *is_int_out,
              gint64   *i_out,
              double   *d_out)
{
  const char *start = d->p;
  const char *q;
  gboolean is_int = TRUE;
  char tmp[64];
  gsize n;

  if ((q = scan_number (d, &is_int)) == NULL)
    return FALSE;
  n = (gsize) (q - start);
  d->p = q;
  *is_int_out = FALSE;
  if (n >= sizeof tmp)
    {
      /* Absurdly long numbers: keep them as doubles. */
      g_autofree char *copy = g_strndup (start, n);

      *d_out = g_ascii_strtod (copy, NULL);
      return TRUE;
    }
  memcpy (tmp, start, n);
  tmp[n] = '\0';

  if (is_int)
    {
      gint64 v;

      errno = 0;
      v = g_ascii_strtoll (tmp, NULL, 10);
      if (errno == 0)
        {
          *is_int_out = TRUE;
          *i_out = v;
          return TRUE;
        }
    }
  *d_out = g_ascii_strtod (tmp, NULL);
  return TRUE;
}

static JsonNode *
read_number (Decoder *d)
{
  gboolean is_int = FALSE;
  gint64 i = 0;
  double v = 0;

  if (!parse_number (d, &is_int, &i, &v))
    return NULL;
  return is_int ? json_node_init_int (json_node_alloc (), i)
                : json_node_init_double (json_node_alloc (), v);
}

static gboolean
match_word (Decoder    *d,
            const char *word,
            gsize       len)
{
  if ((gsize) (d->end - d->p) < len || memcmp (d->p, word, len) != 0)
    return fail (d, "an unknown word appears where a value should be");
  d->p += len;
  return TRUE;
}

/* Steps over a string whose opening quote has been consumed, checking only
 * what a skipped value needs: the end, the escapes, no control characters
 * (not UTF-8: the text is thrown away). */
static gboolean
skip_string (Decoder *d)
{
  const char *q = d->p;

  for (;;)
    {
      while (q < d->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20)
        q++;
      if (q >= d->end)
        return fail (d, "a string is not terminated");
      if (*q == '"')
        {
          d->p = q + 1;
          return TRUE;
        }
      if (*q != '\\')
        return fail (d, "a string holds a control character");
      q++;
      if (q >= d->end)
        return fail (d, "a string is not terminated");
      switch (*q)
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          q++;
          break;
        case 'u':
          q++;
          if (d->end - q < 4)
            return fail (d, "a \\u escape is cut short");
          for (int i = 0; i < 4; i++)
            if (hex_value (q[i]) < 0)
              return fail (d, "a \\u escape is not hexadecimal");
          q += 4;
          break;
        default:
          return fail (d, "a string holds an unknown escape");
        }
    }
}

/* After '{' or ',' in a skipped object: a member name and its ':'. */
static gboolean
skip_member_name (Decoder *d)
{
  skip_ws (d);
  if (d->p >= d->end || *d->p != '"')
    return fail (d, "an object member has no quoted name");
  d->p++;
  if (!skip_string (d))
    return FALSE;
  skip_ws (d);
  if (d->p >= d->end || *d->p != ':')
    return fail (d, "an object member has no ':'");
  d->p++;
  return TRUE;
}

/* Steps over one whole value without building anything: the record field
 * filter drops most of a big reply this way.  No recursion (an explicit
 * stack of open brackets, at most @max_depth deep); the structure is
 * checked as strictly as the decoder checks it, so a skipped member cannot
 * hide a broken reply. */
static gboolean
skip_value (Decoder *d,
            guint    max_depth)
{
  GString *open = d->skip;

  g_string_truncate (open, 0);
  for (;;)
    {
      skip_ws (d);
      if (d->p >= d->end)
        return fail (d, "the reply ends in the middle of a value");

      switch (*d->p)
        {
        case '{':
        case '[':
          if (open->len >= max_depth)
            return fail (d, "the reply is nested too deeply");
          g_string_append_c (open, *d->p == '{' ? '}' : ']');
          d->p++;
          skip_ws (d);
          if (d->p < d->end && *d->p == open->str[open->len - 1])
            {
              d->p++;
              g_string_truncate (open, open->len - 1);
              break;
            }
          if (open->str[open->len - 1] == '}' && !skip_member_name (d))
            return FALSE;
          continue;
        case '"':
          d->p++;
          if (!skip_string (d))
            return FALSE;
          break;
        case 't':
          if (!match_word (d, "true", 4))
            return FALSE;
          break;
        case 'f':
          if (!match_word (d, "false", 5))
            return FALSE;
          break;
        case 'n':
          if (!match_word (d, "null", 4))
            return FALSE;
          break;
        default:
          {
            gboolean is_int;
            const char *q;

            if (*d->p != '-' && !g_ascii_isdigit (*d->p))
              return fail (d, "an unexpected character appears where a value should be");
            if ((q = scan_number (d, &is_int)) == NULL)
              return FALSE;
            d->p = q;
          }
          break;
        }

      /* After a value: close brackets until a ',' continues a container. */
      for (;;)
        {
          char close;

          if (open->len == 0)
            return TRUE;
          skip_ws (d);
          if (d->p >= d->end)
            return fail (d, "the reply ends in the middle of a value");
          close = open->str[open->len - 1];
          if (*d->p == ',')
            {
              d->p++;
              if (close == '}' && !skip_member_name (d))
                return FALSE;
              break;
            }
          if (*d->p != close)
            return fail (d, "a ',' or a closing bracket is missing");
          d->p++;
          g_string_truncate (open, open->len - 1);
        }
    }
}

/* Whether the member name (@len bytes, not NUL-terminated) is in @keep. */
static gboolean
name_is_kept (GHashTable *keep,
              const char *name,
              gsize       len)
{
  char small[64];
  g_autofree char *large = NULL;

  if (len < sizeof small)
    {
      memcpy (small, name, len);
      small[len] = '\0';
      return g_hash_table_contains (keep, small);
    }
  large = g_strndup (name, len);
  return g_hash_table_contains (keep, large);
}

/* Attaches a finished value to the innermost container, or makes it the
 * root when there is none. */
static void
attach (Decoder   *d,
        GArray    *stack,
        GString   *keys,
        JsonNode  *value,
        JsonNode **root)
{
  Frame *top;

  if (stack->len == 0)
    {
      *root = value;
      return;
    }
  top = &g_array_index (stack, Frame, stack->len - 1);
  top->count++;
  if (d->element_func != NULL && stack->len == d->element_depth &&
      JSON_NODE_HOLDS_ARRAY (top->node))
    d->element_func (value, d->element_data);
  else if (JSON_NODE_HOLDS_OBJECT (top->node))
    {
      json_object_set_member (json_node_get_object (top->node), keys->str + top->key, value);
      g_string_truncate (keys, (gsize) top->key);
      top->key = -1;
    }
  else
    json_array_add_element (json_node_get_array (top->node), value);
}

static void
clear_frame (gpointer data)
{
  Frame *frame = data;

  g_clear_pointer (&frame->node, json_node_unref);
}

/* Gives the pages of the input that the decoder has moved past back to the
 * system: they read as zeros afterwards, and the decoder never looks back.
 * Whole pages strictly inside the input only, so whatever the allocator
 * keeps around a block is never touched. */
static void
release_consumed (Decoder *d)
{
#if defined(G_OS_UNIX) && defined(MADV_DONTNEED)
  static gsize page = 0;
  char *upto;

  if (page == 0)
    page = (gsize) sysconf (_SC_PAGESIZE);
  upto = (char *) ((guintptr) d->p & ~(guintptr) (page - 1));
  if (upto > d->released)
    {
      madvise (d->released, (gsize) (upto - d->released), MADV_DONTNEED);
      d->released = upto;
    }
#endif
}

/* Names and descriptions are shown to people, who read the first few
 * words; no other string has a reason to be longer than the longest XAPI
 * sends (certificates, a VM's last_booted_record) by orders of magnitude. */
static gsize
limit_for_value (Decoder *d,
                 Frame   *top,
                 GString *keys)
{
  const char *name;

  if (top == NULL || !JSON_NODE_HOLDS_OBJECT (top->node) || top->key < 0)
    return d->string_limit;
  name = keys->str + top->key;
  if (strcmp (name, "name_label") == 0 || strcmp (name, "name_description") == 0)
    return d->name_limit;
  return d->string_limit;
}

/* ---- Typed events ------------------------------------------------------------
 *
 * The events of an event.from reply go straight into typed records
 * (xapi-record.h): each snapshot's members that its class's table names are
 * read into the struct, the others stepped over, and no JSON tree is built
 * for any of it.  What is accepted and what each field ends up holding is
 * what xapi_record_new_from_json() makes of the tree the generic decoder
 * would build (fuzz-records and fuzz-json-decode compare the two). */

static gboolean
fail_end (Decoder *d)
{
  return fail (d, "the reply ends in the middle of a value");
}

/* At a member name inside an object: reads it and its ':'.  The name is
 * valid until the next string is read. */
static const char *
read_member_name (Decoder *d,
                  gsize   *len)
{
  const char *name;

  skip_ws (d);
  if (d->p >= d->end || *d->p != '"')
    {
      fail (d, "an object member has no quoted name");
      return NULL;
    }
  d->p++;
  if ((name = read_string (d, len, d->string_limit)) == NULL)
    return NULL;
  skip_ws (d);
  if (d->p >= d->end || *d->p != ':')
    {
      fail (d, "an object member has no ':'");
      return NULL;
    }
  d->p++;
  skip_ws (d);
  if (d->p >= d->end)
    {
      fail_end (d);
      return NULL;
    }
  return name;
}

/* After a value inside a container closed by @close: *more is TRUE after a
 * ',' (consumed), FALSE after the closing bracket (consumed). */
static gboolean
next_in_container (Decoder  *d,
                   char      close,
                   gboolean *more)
{
  skip_ws (d);
  if (d->p >= d->end)
    return fail_end (d);
  if (*d->p == ',')
    {
      d->p++;
      *more = TRUE;
      return TRUE;
    }
  if (*d->p != close)
    return fail (d, "a ',' or a closing bracket is missing");
  d->p++;
  *more = FALSE;
  return TRUE;
}

/* At '[' or '{' of a container that will be at depth @level: steps in; *empty
 * is TRUE (and the container consumed whole) if it has nothing inside. */
static gboolean
open_container (Decoder  *d,
                guint     level,
                gboolean *empty)
{
  char close = *d->p == '{' ? '}' : ']';

  if (level > d->max_depth)
    return fail (d, "the reply is nested too deeply");
  d->p++;
  skip_ws (d);
  if (d->p >= d->end)
    return fail_end (d);
  *empty = *d->p == close;
  if (*empty)
    d->p++;
  return TRUE;
}

static gsize
limit_for_name (Decoder    *d,
                const char *name,
                gsize       len)
{
  if ((len == 10 && memcmp (name, "name_label", 10) == 0) ||
      (len == 16 && memcmp (name, "name_description", 16) == 0))
    return d->name_limit;
  return d->string_limit;
}

static void
release_strings (gpointer data)
{
  if (data != NULL)
    g_ref_string_release (data);
}

/* At '[' of a set field's value, the array at depth @level. */
static gboolean
read_set (Decoder         *d,
          gpointer         record,
          const XapiField *field,
          guint            level)
{
  gboolean enums = field->type == XAPI_FIELD_ENUM_SET;
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (enums ? g_free : release_strings);
  gboolean empty, more = TRUE;

  if (!open_container (d, level, &empty))
    return FALSE;
  while (!empty && more)
    {
      skip_ws (d);
      if (d->p >= d->end)
        return fail_end (d);
      if (*d->p == '"')
        {
          const char *s;
          gsize len;

          d->p++;
          if ((s = read_string (d, &len, d->string_limit)) == NULL)
            return FALSE;
          g_ptr_array_add (strings, enums ? (gpointer) g_strndup (s, len) : xapi_record_intern (s, len));
        }
      /* Other elements do not count (as in xapi_record_get_ref_set()). */
      else if (!skip_value (d, d->max_depth - level))
        return FALSE;
      if (!next_in_container (d, ']', &more))
        return FALSE;
    }

  if (!enums)
    g_ptr_array_set_free_func (strings, NULL);
  xapi_record_take_strv (record, field, g_steal_pointer (&strings));
  return TRUE;
}

/* At '{' of a map field's value, the object at depth @level: its string
 * members; of equal keys, the last one counts, as in a JSON object. */
static gboolean
read_map (Decoder         *d,
          gpointer         record,
          const XapiField *field,
          guint            level)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (release_strings);
  g_autoptr(GPtrArray) pairs = NULL;
  g_autoptr(GHashTable) last = NULL;
  gboolean empty, more = TRUE;

  if (!open_container (d, level, &empty))
    return FALSE;
  while (!empty && more)
    {
      const char *name;
      gsize len;

      if ((name = read_member_name (d, &len)) == NULL)
        return FALSE;
      g_ptr_array_add (entries, xapi_record_intern (name, len));
      if (*d->p == '"')
        {
          const char *s;
          gsize slen;

          d->p++;
          if ((s = read_string (d, &slen, limit_for_name (d, name, len))) == NULL)
            return FALSE;
          g_ptr_array_add (entries, xapi_record_intern (s, slen));
        }
      else
        {
          /* Not a string: the key has no value here (and hides an earlier
           * one). */
          if (!skip_value (d, d->max_depth - level))
            return FALSE;
          g_ptr_array_add (entries, NULL);
        }
      if (!next_in_container (d, '}', &more))
        return FALSE;
    }

  if (entries->len > 2)
    {
      last = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < entries->len; i += 2)
        g_hash_table_replace (last, entries->pdata[i], GUINT_TO_POINTER (i + 1));
    }
  pairs = g_ptr_array_new_with_free_func (release_strings);
  for (guint i = 0; i < entries->len; i += 2)
    if (entries->pdata[i + 1] != NULL &&
        (last == NULL || GPOINTER_TO_UINT (g_hash_table_lookup (last, entries->pdata[i])) == i + 1))
      {
        g_ptr_array_add (pairs, g_ref_string_acquire (entries->pdata[i]));
        g_ptr_array_add (pairs, g_ref_string_acquire (entries->pdata[i + 1]));
      }
  g_ptr_array_set_free_func (pairs, NULL);
  xapi_record_take_strv (record, field, g_steal_pointer (&pairs));
  return TRUE;
}

/* The value of @field, inside an object at depth @level. */
static gboolean
read_field (Decoder         *d,
            gpointer         record,
            const XapiField *field,
            guint            level,
            gsize            limit)
{
  switch (*d->p)
    {
    case '"':
      {
        const char *s;
        gsize len;

        d->p++;
        if ((s = read_string (d, &len, limit)) == NULL)
          return FALSE;
        xapi_record_set_string (record, field, s, len);
      }
      return TRUE;
    case 't':
      if (!match_word (d, "true", 4))
        return FALSE;
      xapi_record_set_bool (record, field, TRUE);
      return TRUE;
    case 'f':
      if (!match_word (d, "false", 5))
        return FALSE;
      xapi_record_set_bool (record, field, FALSE);
      return TRUE;
    case 'n':
      if (!match_word (d, "null", 4))
        return FALSE;
      xapi_record_set_null (record, field);
      return TRUE;
    case '[':
      if (xapi_field_is_set (field))
        return read_set (d, record, field, level + 1);
      xapi_record_set_null (record, field);
      return skip_value (d, d->max_depth - level);
    case '{':
      if (field->type == XAPI_FIELD_MAP)
        return read_map (d, record, field, level + 1);
      xapi_record_set_null (record, field);
      return skip_value (d, d->max_depth - level);
    default:
      {
        gboolean is_int = FALSE;
        gint64 i = 0;
        double v = 0;

        if (*d->p != '-' && !g_ascii_isdigit (*d->p))
          return fail (d, "an unexpected character appears where a value should be");
        if (!parse_number (d, &is_int, &i, &v))
          return FALSE;
        xapi_record_set_number (record, field, is_int, i, v);
      }
      return TRUE;
    }
}

/* At '{' of a snapshot of @klass, the object at depth @level. */
static XapiRecord *
read_record (Decoder   *d,
             XapiClass  klass,
             guint      level)
{
  g_autoptr(XapiRecord) record = NULL;
  gboolean empty, more = TRUE;

  if (!open_container (d, level, &empty))
    return NULL;
  record = xapi_record_alloc (klass, NULL);
  while (!empty && more)
    {
      const XapiField *field;
      const char *name;
      gsize len;

      if ((name = read_member_name (d, &len)) == NULL)
        return NULL;
      field = xapi_class_find_field (klass, name, len);
      if (field == NULL)
        {
          /* A field nobody reads: step over its value. */
          if (!skip_value (d, d->max_depth - level))
            return NULL;
        }
      else if (!read_field (d, record, field, level, limit_for_name (d, name, len)))
        return NULL;
      if (!next_in_container (d, '}', &more))
        return NULL;
    }
  return g_steal_pointer (&record);
}

/* GLib 2.74 has no cleanup function for GRefString. */
typedef GRefString InternedRef;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternedRef, g_ref_string_release)

typedef enum
{
  OPERATION_NONE,   /* missing, empty or not a string */
  OPERATION_DEL,
  OPERATION_OTHER,
} Operation;

/* One element of the events array, which is at depth @level - 1: an event
 * of a followed class goes to d->events as a typed record; anything else
 * is checked and left (as the cache's reading of a tree leaves it). */
static gboolean
read_event_typed (Decoder *d,
                  guint    level)
{
  g_autoptr(XapiRecord) record = NULL;
  g_autoptr(InternedRef) ref = NULL;  /* the record keeps it */
  XapiClass klass = XAPI_CLASS_NONE;
  XapiClass decoded_as = XAPI_CLASS_NONE;
  Operation operation = OPERATION_NONE;
  const char *snapshot = NULL;   /* where the last "snapshot" value starts */
  gboolean empty, more = TRUE;

  if (*d->p != '{')
    return skip_value (d, d->max_depth - (level - 1));
  if (!open_container (d, level, &empty))
    return FALSE;

  while (!empty && more)
    {
      const char *name;
      gsize len;

      if ((name = read_member_name (d, &len)) == NULL)
        return FALSE;
      if (len == 5 && memcmp (name, "class", 5) == 0)
        {
          klass = XAPI_CLASS_NONE;
          if (*d->p == '"')
            {
              char copy[32];
              const char *s;

              d->p++;
              if ((s = read_string (d, &len, d->string_limit)) == NULL)
                return FALSE;
              /* No class name is that long. */
              if (len < sizeof copy && memchr (s, '\0', len) == NULL)
                {
                  memcpy (copy, s, len);
                  copy[len] = '\0';
                  klass = xapi_class_from_name (copy);
                }
            }
          else if (!skip_value (d, d->max_depth - level))
            return FALSE;
        }
      else if (len == 3 && memcmp (name, "ref", 3) == 0)
        {
          g_clear_pointer (&ref, g_ref_string_release);
          if (*d->p == '"')
            {
              const char *s;

              d->p++;
              if ((s = read_string (d, &len, d->string_limit)) == NULL)
                return FALSE;
              ref = xapi_record_intern (s, len);
            }
          else if (!skip_value (d, d->max_depth - level))
            return FALSE;
        }
      else if (len == 9 && memcmp (name, "operation", 9) == 0)
        {
          operation = OPERATION_NONE;
          if (*d->p == '"')
            {
              const char *s;

              d->p++;
              if ((s = read_string (d, &len, d->string_limit)) == NULL)
                return FALSE;
              operation = len == 0 ? OPERATION_NONE
                          : len == 3 && memcmp (s, "del", 3) == 0 ? OPERATION_DEL : OPERATION_OTHER;
            }
          else if (!skip_value (d, d->max_depth - level))
            return FALSE;
        }
      else if (len == 8 && memcmp (name, "snapshot", 8) == 0)
        {
          g_clear_pointer (&record, xapi_record_unref);
          decoded_as = XAPI_CLASS_NONE;
          snapshot = *d->p == '{' ? d->p : NULL;
          /* The class usually comes first: then the snapshot is read
           * once, into its record. */
          if (snapshot != NULL && klass != XAPI_CLASS_NONE && (d->events->followed & (1u << klass)))
            {
              if ((record = read_record (d, klass, level + 1)) == NULL)
                return FALSE;
              decoded_as = klass;
            }
          else if (!skip_value (d, d->max_depth - level))
            return FALSE;
        }
      else if (!skip_value (d, d->max_depth - level))
        return FALSE;

      if (!next_in_container (d, '}', &more))
        return FALSE;
    }

  if (klass == XAPI_CLASS_NONE || (d->events->followed & (1u << klass)) == 0 ||
      ref == NULL || ref[0] == '\0' || operation == OPERATION_NONE)
    return TRUE;
  if (operation == OPERATION_DEL)
    g_clear_pointer (&record, xapi_record_unref);
  else
    {
      /* An add or mod without a snapshot tells nothing to store. */
      if (snapshot == NULL)
        return TRUE;
      if (decoded_as != klass)
        {
          /* The snapshot came before the class (or the class changed):
           * read it again, now that its class is known.  It was checked
           * already, and its repairs counted. */
          const char *resume = d->p;
          XapiJsonRepairs repairs = d->repairs;

          g_clear_pointer (&record, xapi_record_unref);
          d->p = snapshot;
          record = read_record (d, klass, level + 1);
          d->p = resume;
          d->repairs = repairs;
          if (record == NULL)
            return FALSE;
        }
      record->ref = g_ref_string_acquire (ref);
    }

  d->events->func (klass, ref, g_steal_pointer (&record), d->events->data);
  return TRUE;
}

static JsonNode *
decode (const char  *data,
        gsize        len,
        guint        max_depth,
        guint        record_depth,
        GHashTable  *keep,
        gboolean     consume,
        XapiJsonElementFunc element_func,
        gpointer     element_data,
        const XapiJsonEvents *events,
        gboolean     repair,
        gsize        name_limit,
        gsize        string_limit,
        XapiJsonRepairs *repairs,
        char       **reason)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  g_autoptr(GString) buf = g_string_new (NULL);
  g_autoptr(GString) skip = g_string_new (NULL);
  g_autoptr(GString) keys = g_string_sized_new (256);
  Decoder d = { data, data + len, buf, NULL, skip, keys, NULL, consume,
                record_depth >= 2 ? record_depth - 2 : 0, element_func, element_data,
                events, max_depth, data, repair, G_MAXSIZE, FALSE, name_limit, string_limit, { 0, 0 } };
  JsonNode *root = NULL;

  g_array_set_clear_func (stack, clear_frame);
#if defined(G_OS_UNIX) && defined(MADV_DONTNEED)
  if (consume && len >= 2 * RELEASE_STEP)
    {
      gsize page = (gsize) sysconf (_SC_PAGESIZE);

      /* From the first page boundary after the start. */
      d.released = (char *) (((guintptr) data + page) & ~(guintptr) (page - 1));
    }
#endif

  for (;;)
    {
      JsonNode *value = NULL;
      Frame *top = stack->len > 0 ? &g_array_index (stack, Frame, stack->len - 1) : NULL;

      skip_ws (&d);
      if (d.p >= d.end)
        {
          fail (&d, "the reply ends in the middle of a value");
          break;
        }

      /* Inside an object and no member name pending: read one. */
      if (top != NULL && JSON_NODE_HOLDS_OBJECT (top->node) && top->key < 0)
        {
          const char *name;
          gsize name_len;

          if (*d.p == '}' && top->count == 0)
            goto close_container;
          if (*d.p != '"')
            {
              fail (&d, "an object member has no quoted name");
              break;
            }
          d.p++;
          if ((name = read_string (&d, &name_len, d.string_limit)) == NULL)
            break;
          skip_ws (&d);
          if (d.p >= d.end || *d.p != ':')
            {
              fail (&d, "an object member has no ':'");
              break;
            }
          d.p++;
          skip_ws (&d);
          if (d.p >= d.end)
            {
              fail (&d, "the reply ends in the middle of a value");
              break;
            }
          if (keep != NULL && stack->len == record_depth &&
              !name_is_kept (keep, name, name_len))
            {
              /* A field nobody reads: step over its value. */
              if (!skip_value (&d, max_depth - stack->len))
                goto out;
              top->count++;
              goto after_value;
            }
          top->key = (gssize) keys->len;
          g_string_append_len (keys, name, (gssize) name_len);
          g_string_append_c (keys, '\0');
        }
      else if (top != NULL && JSON_NODE_HOLDS_ARRAY (top->node) && *d.p == ']' &&
               top->count == 0)
        goto close_container;

      /* An event, as a typed record. */
      if (d.events != NULL && stack->len == d.element_depth && top != NULL &&
          JSON_NODE_HOLDS_ARRAY (top->node))
        {
          if (!read_event_typed (&d, stack->len + 1))
            goto out;
          top->count++;
          goto after_value;
        }

      switch (*d.p)
        {
        case '{':
        case '[':
          {
            Frame frame = { NULL, -1, 0 };

            if (stack->len >= max_depth)
              {
                fail (&d, "the reply is nested too deeply");
                goto out;
              }
            if (*d.p == '{')
              {
                frame.node = json_node_new (JSON_NODE_OBJECT);
                json_node_take_object (frame.node, json_object_new ());
              }
            else
              {
                frame.node = json_node_new (JSON_NODE_ARRAY);
                json_node_take_array (frame.node, json_array_new ());
              }
            d.p++;
            g_array_append_val (stack, frame);
            continue;
          }
        case '"':
          {
            const char *s;
            gsize slen;

            d.p++;
            if ((s = read_string (&d, &slen, limit_for_value (&d, top, keys))) == NULL)
              goto out;
            /* json-glib wants a NUL-terminated string: escaped strings
             * already are (in d.buf); plain ones end where their closing
             * quote was, in an input that may be overwritten, or are
             * copied to a scratch buffer that is reused, so only
             * json-glib's own copy allocates. */
            if (s != d.buf->str && d.writable)
              ((char *) s)[slen] = '\0';
            else if (s != d.buf->str)
              {
                g_string_truncate (d.buf, 0);
                g_string_append_len (d.buf, s, (gssize) slen);
                s = d.buf->str;
              }
            value = json_node_init_string (json_node_alloc (), s);
          }
          break;
        case 't':
          if (!match_word (&d, "true", 4))
            goto out;
          value = json_node_init_boolean (json_node_alloc (), TRUE);
          break;
        case 'f':
          if (!match_word (&d, "false", 5))
            goto out;
          value = json_node_init_boolean (json_node_alloc (), FALSE);
          break;
        case 'n':
          if (!match_word (&d, "null", 4))
            goto out;
          value = json_node_init_null (json_node_alloc ());
          break;
        default:
          if (*d.p == '-' || g_ascii_isdigit (*d.p))
            {
              if ((value = read_number (&d)) == NULL)
                goto out;
            }
          else
            {
              fail (&d, "an unexpected character appears where a value should be");
              goto out;
            }
          break;
        }

      attach (&d, stack, keys, value, &root);

    after_value:
      if (d.released != NULL && (gsize) (d.p - d.released) >= RELEASE_STEP)
        release_consumed (&d);

      /* After a value: a separator, a closing bracket, or the end. */
      for (;;)
        {
          Frame *cur;
          char close;

          if (stack->len == 0)
            {
              skip_ws (&d);
              if (d.p != d.end)
                {
                  fail (&d, "there is text after the reply");
                  goto out;
                }
              if (repairs != NULL)
                *repairs = d.repairs;
              return root;
            }

          skip_ws (&d);
          if (d.p >= d.end)
            {
              fail (&d, "the reply ends in the middle of a value");
              goto out;
            }
          cur = &g_array_index (stack, Frame, stack->len - 1);
          close = JSON_NODE_HOLDS_OBJECT (cur->node) ? '}' : ']';
          if (*d.p == ',')
            {
              d.p++;
              break;
            }
          if (*d.p != close)
            {
              fail (&d, "a ',' or a closing bracket is missing");
              goto out;
            }

        close_container:
          d.p++;
          {
            Frame *last = &g_array_index (stack, Frame, stack->len - 1);
            JsonNode *done = g_steal_pointer (&last->node);

            g_array_set_size (stack, stack->len - 1);
            attach (&d, stack, keys, done, &root);
          }
        }
    }

out:
  /* Open containers are freed with the stack. */
  g_clear_pointer (&root, json_node_unref);
  if (reason != NULL)
    *reason = g_steal_pointer (&d.reason);
  g_free (d.reason);
  return NULL;
}

JsonNode *
xapi_json_decode (const char  *data,
                  gsize        len,
                  guint        max_depth,
                  char       **reason)
{
  return decode (data, len, max_depth, 0, NULL, FALSE, NULL, NULL, NULL, FALSE, 0, 0, NULL, reason);
}

JsonNode *
xapi_json_decode_filtered (const char  *data,
                           gsize        len,
                           guint        max_depth,
                           guint        record_depth,
                           GHashTable  *keep,
                           char       **reason)
{
  return decode (data, len, max_depth, record_depth, keep, FALSE, NULL, NULL, NULL, FALSE, 0, 0, NULL,
                 reason);
}

JsonNode *
xapi_json_decode_consuming (char                 *data,
                            gsize                 len,
                            guint                 max_depth,
                            guint                 record_depth,
                            GHashTable           *keep,
                            XapiJsonElementFunc   element_func,
                            gpointer              element_data,
                            char                **reason)
{
  return decode (data, len, max_depth, record_depth, keep, TRUE, element_func, element_data, NULL,
                 FALSE, 0, 0, NULL, reason);
}

JsonNode *
xapi_json_decode_repairing (char                 *data,
                            gsize                 len,
                            gboolean              consume,
                            guint                 max_depth,
                            guint                 record_depth,
                            GHashTable           *keep,
                            XapiJsonElementFunc   element_func,
                            gpointer              element_data,
                            XapiJsonRepairs      *repairs,
                            char                **reason)
{
  return xapi_json_decode_repairing_with_limits (data, len, consume, max_depth, record_depth, keep,
                                                 element_func, element_data, XAPI_JSON_MAX_NAME,
                                                 XAPI_JSON_MAX_STRING, repairs, reason);
}

JsonNode *
xapi_json_decode_repairing_with_limits (char                 *data,
                                        gsize                 len,
                                        gboolean              consume,
                                        guint                 max_depth,
                                        guint                 record_depth,
                                        GHashTable           *keep,
                                        XapiJsonElementFunc   element_func,
                                        gpointer              element_data,
                                        gsize                 name_limit,
                                        gsize                 string_limit,
                                        XapiJsonRepairs      *repairs,
                                        char                **reason)
{
  g_return_val_if_fail (name_limit > 0 && string_limit > 0, NULL);

  if (repairs != NULL)
    *repairs = (XapiJsonRepairs) { 0, 0 };
  return decode (data, len, max_depth, record_depth, keep, consume,
                 consume ? element_func : NULL, element_data, NULL, TRUE, name_limit, string_limit,
                 repairs, reason);
}

JsonNode *
xapi_json_decode_events (char                 *data,
                         gsize                 len,
                         gboolean              consume,
                         guint                 max_depth,
                         guint                 record_depth,
                         GHashTable           *keep,
                         const XapiJsonEvents *events,
                         gsize                 name_limit,
                         gsize                 string_limit,
                         XapiJsonRepairs      *repairs,
                         char                **reason)
{
  g_return_val_if_fail (events != NULL && events->func != NULL, NULL);
  g_return_val_if_fail (name_limit > 0 && string_limit > 0, NULL);

  if (repairs != NULL)
    *repairs = (XapiJsonRepairs) { 0, 0 };
  return decode (data, len, max_depth, record_depth, keep, consume, NULL, NULL, events, TRUE,
                 name_limit, string_limit, repairs, reason);
}
