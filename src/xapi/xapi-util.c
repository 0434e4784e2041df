/* xapi-util.c: small helpers for building XAPI parameters and reading replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-util.h"
#include "xapi-util-private.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* ---- Parameters -------------------------------------------------------- */

JsonArray *
xapi_params_new (const char *first_string,
                 ...)
{
  JsonArray  *params = json_array_new ();
  const char *s;
  va_list     ap;

  va_start (ap, first_string);
  for (s = first_string; s != NULL; s = va_arg (ap, const char *))
    json_array_add_string_element (params, s);
  va_end (ap);

  return params;
}

JsonArray *
xapi_params_add_string (JsonArray  *params,
                        const char *value)
{
  g_return_val_if_fail (params != NULL, NULL);

  json_array_add_string_element (params, value != NULL ? value : "");
  return params;
}

JsonArray *
xapi_params_add_bool (JsonArray *params,
                      gboolean   value)
{
  g_return_val_if_fail (params != NULL, NULL);

  json_array_add_boolean_element (params, !!value);
  return params;
}

JsonArray *
xapi_params_add_double (JsonArray *params,
                        double     value)
{
  g_return_val_if_fail (params != NULL, NULL);

  json_array_add_double_element (params, value);
  return params;
}

JsonArray *
xapi_params_add_strv (JsonArray          *params,
                      const char * const *values)
{
  JsonArray *set;
  guint      i;

  g_return_val_if_fail (params != NULL, NULL);

  set = json_array_new ();
  for (i = 0; values != NULL && values[i] != NULL; i++)
    json_array_add_string_element (set, values[i]);
  json_array_add_array_element (params, set);

  return params;
}

JsonArray *
xapi_params_add_object (JsonArray  *params,
                        JsonObject *object)
{
  g_return_val_if_fail (params != NULL, NULL);

  json_array_add_object_element (params, object != NULL ? object : json_object_new ());
  return params;
}

/* ---- Reading replies --------------------------------------------------- */

const char *
xapi_record_get_string (JsonObject *record,
                        const char *field)
{
  JsonNode   *node = record != NULL && field != NULL ? json_object_get_member (record, field) : NULL;
  const char *s = xapi_node_is_string (node) ? json_node_get_string (node) : NULL;

  return s != NULL ? s : "";
}

/* Numbers written as strings (the XML-RPC habit, and a tolerant reading of
 * odd servers): the whole string must be a number. */
gboolean
xapi_parse_number_string (const char *s,
                          double     *out_double,
                          gint64     *out_int,
                          gboolean   *is_int)
{
  char  *end = NULL;
  gint64 i;
  double d;

  if (s == NULL)
    return FALSE;
  while (g_ascii_isspace (*s))
    s++;
  if (*s == '\0')
    return FALSE;

  errno = 0;
  i = g_ascii_strtoll (s, &end, 10);
  if (errno == 0 && end != s && *end == '\0')
    {
      *out_int = i;
      *out_double = (double) i;
      *is_int = TRUE;
      return TRUE;
    }

  errno = 0;
  d = g_ascii_strtod (s, &end);
  if (end != s && *end == '\0' && isfinite (d))
    {
      *out_double = d;
      *is_int = FALSE;
      return TRUE;
    }

  return FALSE;
}

/* Converts a double to gint64 without undefined behaviour on huge values. */
gint64
xapi_clamp_to_int64 (double d)
{
  if (!isfinite (d))
    return 0;
  if (d >= 9.2233720368547748e18)
    return G_MAXINT64;
  if (d <= -9.2233720368547748e18)
    return G_MININT64;
  return (gint64) d;
}

gboolean
xapi_node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_TYPE (node) == JSON_NODE_VALUE &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

/* ---- Values ------------------------------------------------------------ */

gboolean
xapi_is_null_ref (const char *ref)
{
  return ref == NULL || *ref == '\0' || strcmp (ref, XAPI_NULL_REF) == 0;
}

static void
append_unescaped (GString    *out,
                  const char *text,
                  gsize       len)
{
  static const struct
  {
    const char *entity;
    char        c;
  } entities[] = {
    { "&amp;", '&' },
    { "&lt;", '<' },
    { "&gt;", '>' },
    { "&quot;", '"' },
    { "&apos;", '\'' },
  };
  const char *end = text + len;
  const char *p = text;

  while (p < end)
    {
      gboolean done = FALSE;
      guint    i;

      if (*p != '&')
        {
          g_string_append_c (out, *p++);
          continue;
        }

      for (i = 0; i < G_N_ELEMENTS (entities); i++)
        {
          gsize elen = strlen (entities[i].entity);

          if ((gsize) (end - p) >= elen && strncmp (p, entities[i].entity, elen) == 0)
            {
              g_string_append_c (out, entities[i].c);
              p += elen;
              done = TRUE;
              break;
            }
        }

      if (!done && end - p > 3 && p[1] == '#')
        {
          const char *semi = memchr (p, ';', end - p);

          if (semi != NULL && semi - p <= 12)
            {
              g_autofree char *num = g_strndup (p + 2, semi - p - 2);
              char            *num_end = NULL;
              guint64          cp;

              if (num[0] == 'x' || num[0] == 'X')
                cp = g_ascii_strtoull (num + 1, &num_end, 16);
              else
                cp = g_ascii_strtoull (num, &num_end, 10);

              if (num_end != NULL && *num_end == '\0' && num_end != num &&
                  cp > 0 && cp <= 0x10FFFF && g_unichar_validate ((gunichar) cp))
                {
                  g_string_append_unichar (out, (gunichar) cp);
                  p = semi + 1;
                  done = TRUE;
                }
            }
        }

      if (!done)
        g_string_append_c (out, *p++);
    }
}

/* Strips "<tag>" ... "</tag>" around [*start, *end) if present. */
static gboolean
strip_tag (const char **start,
           const char **end,
           const char  *tag)
{
  g_autofree char *open = g_strdup_printf ("<%s>", tag);
  g_autofree char *close = g_strdup_printf ("</%s>", tag);
  gsize            olen = strlen (open), clen = strlen (close);

  if ((gsize) (*end - *start) < olen + clen)
    return FALSE;
  if (strncmp (*start, open, olen) != 0 || strncmp (*end - clen, close, clen) != 0)
    return FALSE;

  *start += olen;
  *end -= clen;
  return TRUE;
}

char *
xapi_parse_task_result (const char *xml_value)
{
  const char *start, *end;
  GString    *out;

  if (xml_value == NULL)
    return g_strdup ("");

  start = xml_value;
  end = xml_value + strlen (xml_value);
  while (start < end && g_ascii_isspace (*start))
    start++;
  while (end > start && g_ascii_isspace (end[-1]))
    end--;

  if (start == end)
    return g_strdup ("");
  if (end - start == 8 && strncmp (start, "<value/>", 8) == 0)
    return g_strdup ("");
  if (!strip_tag (&start, &end, "value"))
    return g_strdup (xml_value);

  /* A typed string inside the value; other types (struct, array) are
   * returned as their raw XML. */
  if (end - start == 9 && strncmp (start, "<string/>", 9) == 0)
    return g_strdup ("");
  strip_tag (&start, &end, "string");

  out = g_string_sized_new (end - start);
  append_unescaped (out, start, end - start);

  return g_string_free (out, FALSE);
}

/* ---- Certificate fingerprints -------------------------------------------- */

static char *
format_fingerprint (const guint8 *digest,
                    gsize         len)
{
  GString *out = g_string_sized_new (len * 3);
  gsize    i;

  for (i = 0; i < len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", digest[i]);

  return g_string_free (out, FALSE);
}

char *
xapi_certificate_get_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize  digest_len = sizeof digest;

  if (certificate == NULL)
    return NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &digest_len);

  return format_fingerprint (digest, digest_len);
}

char *
xapi_fingerprint_normalize (const char *text)
{
  guint8      digest[32];
  gsize       n = 0;
  const char *p;

  if (text == NULL)
    return NULL;

  while (g_ascii_isspace (*text))
    text++;
  if (g_ascii_strncasecmp (text, "sha-256:", 8) == 0)
    text += 8;
  else if (g_ascii_strncasecmp (text, "sha256:", 7) == 0)
    text += 7;

  for (p = text; *p != '\0';)
    {
      int hi, lo;

      if (*p == ':' || *p == ' ' || *p == '-' || g_ascii_isspace (*p))
        {
          p++;
          continue;
        }
      hi = g_ascii_xdigit_value (p[0]);
      lo = p[1] != '\0' ? g_ascii_xdigit_value (p[1]) : -1;
      if (hi < 0 || lo < 0 || n >= sizeof digest)
        return NULL;
      digest[n++] = (guint8) (hi * 16 + lo);
      p += 2;
    }

  if (n != sizeof digest)
    return NULL;

  return format_fingerprint (digest, n);
}

gboolean
xapi_fingerprint_equal (const char *a,
                        const char *b)
{
  g_autofree char *na = xapi_fingerprint_normalize (a);
  g_autofree char *nb = xapi_fingerprint_normalize (b);

  return na != NULL && nb != NULL && strcmp (na, nb) == 0;
}

/* ---- Sources (private, see xapi-util-private.h) -------------------------- */

void
xapi_clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

GSource *
xapi_source_attach (GSource      *source,
                    GSourceFunc   func,
                    gpointer      data,
                    GMainContext *context)
{
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}

/* ---- Background threads (private, see xapi-util-private.h) -------------- *
 *
 * Plain threads at normal priority.  A lower priority was tried and made
 * things worse: a preempted low-priority worker holding a lock the main
 * thread needs (malloc arenas, GLib's slice allocator) stalls the main loop
 * for as long as the scheduler keeps it off the CPU. */

typedef struct
{
  GThreadFunc     func;
  gpointer        data;
  GTask          *task;
  GTaskThreadFunc task_func;
} Background;

static gpointer
background_thread (gpointer user_data)
{
  Background *job = user_data;

  if (job->task != NULL)
    {
      job->task_func (job->task, g_task_get_source_object (job->task),
                      g_task_get_task_data (job->task), g_task_get_cancellable (job->task));
      g_object_unref (job->task);
    }
  else
    job->func (job->data);

  g_free (job);

  return NULL;
}

void
xapi_task_run_in_background (GTask          *task,
                             GTaskThreadFunc func)
{
  Background *job = g_new0 (Background, 1);

  job->task = g_object_ref (task);
  job->task_func = func;
  g_thread_unref (g_thread_new ("xapi-worker", background_thread, job));
}

void
xapi_run_in_background (GThreadFunc func,
                        gpointer    data)
{
  Background *job = g_new0 (Background, 1);

  job->func = func;
  job->data = data;
  g_thread_unref (g_thread_new ("xapi-worker", background_thread, job));
}

void
xapi_tune_allocator (void)
{
#ifdef __GLIBC__
  static gsize done = 0;

  /* A 10 000-VM pool is a million small heap blocks.  glibc keeps freed
   * small blocks in "fast bins" and merges them only when a large block is
   * freed next to them, all at once: replacing the tables on the main
   * thread then hit single free() calls of 120-160 ms (measured).  Without
   * fast bins every free() does its own small share of that work.  Parsing
   * speed is unchanged (measured on a 100 MB reply).
   *
   * And one heap for all threads: a thread of its own gets a heap that
   * glibc grows a page or so at a time with mprotect(), which for the
   * 600 MB a big first load allocates in its worker thread is some 140,000
   * calls, each one holding the process's memory map against the page
   * faults of the main thread (measured: a tenth of the load time, and
   * main-loop stalls of 30-50 ms).  The main heap grows with brk() in
   * 128 KiB steps instead.  The threads that allocate much (decoding,
   * building the tables) do so while the main thread mostly waits. */
  if (g_once_init_enter (&done))
    {
      mallopt (M_MXFAST, 0);
      mallopt (M_ARENA_MAX, 1);
      g_once_init_leave (&done, 1);
    }
#endif
}
