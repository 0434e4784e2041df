/* xapi-json-scan.c: the tokens of the JSON decoder: strings (checked or
 * repaired), numbers, words, and values stepped over
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-json-private.h"

#include <errno.h>
#include <string.h>

gboolean
xapi_json_fail (XapiJsonDecoder *d,
                const char      *what)
{
  /* The offset lets whoever looks at the reply find the fault in it. */
  if (d->reason == NULL)
    d->reason = g_strdup_printf ("%s (at byte %" G_GSIZE_FORMAT ")", what,
                                 (gsize) (MIN (d->p, d->end) - d->start));
  return FALSE;
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
read_hex4 (XapiJsonDecoder *d,
           gunichar        *out)
{
  gunichar v = 0;

  if (d->end - d->p < 4)
    return xapi_json_fail (d, "a \\u escape is cut short");
  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (d->p[i]);

      if (h < 0)
        return xapi_json_fail (d, "a \\u escape is not hexadecimal");
      v = (v << 4) | (gunichar) h;
    }
  d->p += 4;
  *out = v;
  return TRUE;
}

/* Reads a string whose opening quote has been consumed.  On success the
 * decoded text is returned; it points either into the input (no escapes,
 * *len_out bytes, not NUL-terminated) or into d->buf. */
static const char *read_string_strict (XapiJsonDecoder *d, gsize *len_out, gsize limit);

/* Cuts the string just read (@s, *@len bytes) at @limit bytes, on a
 * character boundary, and replaces what is not valid UTF-8 with U+FFFD;
 * the result is in d->buf when it differs from the input. */
static const char *
repair_string (XapiJsonDecoder *d,
               const char      *s,
               gsize           *len)
{
  gboolean cut = FALSE;
  gsize    n = *len;

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

const char *
xapi_json_read_string (XapiJsonDecoder *d,
                       gsize           *len_out,
                       gsize            limit)
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
read_string_strict (XapiJsonDecoder *d,
                    gsize           *len_out,
                    gsize            limit)
{
  const char *start = d->p;
  const char *q = start;
  guchar      high = 0;

  /* Fast path: no escapes. */
  while (q < d->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20)
    high |= (guchar) *q++;
  if (q >= d->end)
    {
      xapi_json_fail (d, "a string is not terminated");
      return NULL;
    }
  if (*q == '"')
    {
      /* Plain ASCII (almost every string XAPI sends) is valid UTF-8. */
      if (!d->repair && (high & 0x80) != 0 && !g_utf8_validate_len (start, (gsize) (q - start), NULL))
        {
          xapi_json_fail (d, "a string is not valid UTF-8");
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
              xapi_json_fail (d, "a string is not valid UTF-8");
              return NULL;
            }
          *len_out = d->buf->len;
          return d->buf->str;
        }
      if ((guchar) c < 0x20)
        {
          xapi_json_fail (d, "a string holds a control character");
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
          xapi_json_fail (d, "a string holds an unknown escape");
          return NULL;
        }
    }

  xapi_json_fail (d, "a string is not terminated");
  return NULL;
}

/* Steps over the digits at *@q, of which there must be one at least. */
static gboolean
skip_digits (XapiJsonDecoder *d,
             const char     **q)
{
  if (*q >= d->end || !g_ascii_isdigit (**q))
    return xapi_json_fail (d, "a number is malformed");
  while (*q < d->end && g_ascii_isdigit (**q))
    (*q)++;
  return TRUE;
}

/* Checks the number at d->p against JSON's grammar; returns where it ends
 * (NULL on error) and whether it is an integer. */
static const char *
scan_number (XapiJsonDecoder *d,
             gboolean        *is_int_out)
{
  const char *q = d->p;
  gboolean    is_int = TRUE;

  if (q < d->end && *q == '-')
    q++;
  /* A leading 0 is the whole integer part. */
  if (q < d->end && *q == '0')
    q++;
  else if (!skip_digits (d, &q))
    return NULL;
  if (q < d->end && *q == '.')
    {
      is_int = FALSE;
      q++;
      if (!skip_digits (d, &q))
        return NULL;
    }
  if (q < d->end && (*q == 'e' || *q == 'E'))
    {
      is_int = FALSE;
      q++;
      if (q < d->end && (*q == '+' || *q == '-'))
        q++;
      if (!skip_digits (d, &q))
        return NULL;
    }

  *is_int_out = is_int;
  return q;
}

/* Reads the number at d->p: an integer if it is one that fits in 64 bits,
 * else a double. */
gboolean
xapi_json_parse_number (XapiJsonDecoder *d,
                        gboolean        *is_int_out,
                        gint64          *i_out,
                        double          *d_out)
{
  const char *start = d->p;
  const char *q;
  gboolean    is_int = TRUE;
  char        tmp[64];
  gsize       n;

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

JsonNode *
xapi_json_read_number (XapiJsonDecoder *d)
{
  gboolean is_int = FALSE;
  gint64   i = 0;
  double   v = 0;

  if (!xapi_json_parse_number (d, &is_int, &i, &v))
    return NULL;
  return is_int ? json_node_init_int (json_node_alloc (), i)
                : json_node_init_double (json_node_alloc (), v);
}

gboolean
xapi_json_read_word (XapiJsonDecoder *d,
                     XapiJsonWord    *word)
{
  static const struct
  {
    const char  *text;
    gsize        len;
    XapiJsonWord word;
  } words[] = {
    { "true", 4, XAPI_JSON_TRUE },
    { "false", 5, XAPI_JSON_FALSE },
    { "null", 4, XAPI_JSON_NULL },
  };
  guint i = *d->p == 't' ? 0 : *d->p == 'f' ? 1
                                            : 2;

  if ((gsize) (d->end - d->p) < words[i].len || memcmp (d->p, words[i].text, words[i].len) != 0)
    return xapi_json_fail (d, "an unknown word appears where a value should be");
  d->p += words[i].len;
  if (word != NULL)
    *word = words[i].word;
  return TRUE;
}

/* Steps over a string whose opening quote has been consumed, checking only
 * what a skipped value needs: the end, the escapes, no control characters
 * (not UTF-8: the text is thrown away). */
static gboolean
skip_string (XapiJsonDecoder *d)
{
  const char *q = d->p;

  for (;;)
    {
      while (q < d->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20)
        q++;
      if (q >= d->end)
        return xapi_json_fail (d, "a string is not terminated");
      if (*q == '"')
        {
          d->p = q + 1;
          return TRUE;
        }
      if (*q != '\\')
        return xapi_json_fail (d, "a string holds a control character");
      q++;
      if (q >= d->end)
        return xapi_json_fail (d, "a string is not terminated");
      switch (*q)
        {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          q++;
          break;
        case 'u':
          q++;
          if (d->end - q < 4)
            return xapi_json_fail (d, "a \\u escape is cut short");
          for (int i = 0; i < 4; i++)
            if (hex_value (q[i]) < 0)
              return xapi_json_fail (d, "a \\u escape is not hexadecimal");
          q += 4;
          break;
        default:
          return xapi_json_fail (d, "a string holds an unknown escape");
        }
    }
}

/* After '{' or ',' in a skipped object: a member name and its ':'. */
static gboolean
skip_member_name (XapiJsonDecoder *d)
{
  xapi_json_skip_ws (d);
  if (d->p >= d->end || *d->p != '"')
    return xapi_json_fail (d, "an object member has no quoted name");
  d->p++;
  if (!skip_string (d))
    return FALSE;
  xapi_json_skip_ws (d);
  if (d->p >= d->end || *d->p != ':')
    return xapi_json_fail (d, "an object member has no ':'");
  d->p++;
  return TRUE;
}

/* Steps over one whole value without building anything: the record field
 * filter drops most of a big reply this way.  No recursion (an explicit
 * stack of open brackets, at most @max_depth deep); the structure is
 * checked as strictly as the decoder checks it, so a skipped member cannot
 * hide a broken reply. */
gboolean
xapi_json_skip_value (XapiJsonDecoder *d,
                      guint            max_depth)
{
  GString *open = d->skip;

  g_string_truncate (open, 0);
  for (;;)
    {
      xapi_json_skip_ws (d);
      if (d->p >= d->end)
        return xapi_json_fail (d, "the reply ends in the middle of a value");

      switch (*d->p)
        {
        case '{':
        case '[':
          if (open->len >= max_depth)
            return xapi_json_fail (d, "the reply is nested too deeply");
          g_string_append_c (open, *d->p == '{' ? '}' : ']');
          d->p++;
          xapi_json_skip_ws (d);
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
        case 'f':
        case 'n':
          if (!xapi_json_read_word (d, NULL))
            return FALSE;
          break;
        default:
          {
            gboolean    is_int;
            const char *q;

            if (*d->p != '-' && !g_ascii_isdigit (*d->p))
              return xapi_json_fail (d, "an unexpected character appears where a value should be");
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
          xapi_json_skip_ws (d);
          if (d->p >= d->end)
            return xapi_json_fail (d, "the reply ends in the middle of a value");
          close = open->str[open->len - 1];
          if (*d->p == ',')
            {
              d->p++;
              if (close == '}' && !skip_member_name (d))
                return FALSE;
              break;
            }
          if (*d->p != close)
            return xapi_json_fail (d, "a ',' or a closing bracket is missing");
          d->p++;
          g_string_truncate (open, open->len - 1);
        }
    }
}
