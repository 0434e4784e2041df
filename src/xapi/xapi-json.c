/* xapi-json.c: a fast, strict JSON decoder for XAPI replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-json-private.h"

#include <stdlib.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <sys/mman.h>
#include <unistd.h>
#endif

/* Decoding a consumable input gives its pages back every this many bytes. */
#define RELEASE_STEP ((gsize) 4 * 1024 * 1024)

/* One open container on the explicit stack. */
typedef struct
{
  JsonNode *node;  /* the object or array node */
  gssize    key;   /* pending member name (objects only): its offset in
                    * XapiJsonDecoder.keys, or -1 */
  gsize     count; /* members or elements read, kept or not */
} Frame;

/* Whether the member name (@len bytes, not NUL-terminated) is in @keep. */
static gboolean
name_is_kept (GHashTable *keep,
              const char *name,
              gsize       len)
{
  char             small[64];
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
attach (XapiJsonDecoder *d,
        GArray          *stack,
        GString         *keys,
        JsonNode        *value,
        JsonNode       **root)
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
release_consumed (XapiJsonDecoder *d)
{
#if defined(G_OS_UNIX) && defined(MADV_DONTNEED)
  static gsize page = 0;
  char        *upto;

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
limit_for_value (XapiJsonDecoder *d,
                 Frame           *top,
                 GString         *keys)
{
  const char *name;

  if (top == NULL || !JSON_NODE_HOLDS_OBJECT (top->node) || top->key < 0)
    return d->string_limit;
  name = keys->str + top->key;
  if (strcmp (name, "name_label") == 0 || strcmp (name, "name_description") == 0)
    return d->name_limit;
  return d->string_limit;
}

/* Decodes @data as @how says (the strict entry points leave the limits
 * and events unset), repairing strings with @repair (see
 * xapi_json_decode_repairing()). */
static JsonNode *
decode (const char                  *data,
        gsize                        len,
        const XapiJsonDecodeOptions *how,
        gboolean                     repair,
        XapiJsonRepairs             *repairs,
        char                       **reason)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  g_autoptr(GString) buf = g_string_new (NULL);
  g_autoptr(GString) skip = g_string_new (NULL);
  g_autoptr(GString) keys = g_string_sized_new (256);
  guint           max_depth = how->max_depth;
  guint           record_depth = how->record_depth;
  GHashTable     *keep = how->keep;
  XapiJsonDecoder d = {
    .p = data,
    .end = data + len,
    .buf = buf,
    .skip = skip,
    .keys = keys,
    .writable = how->consume,
    .element_depth = record_depth >= 2 ? record_depth - 2 : 0,
    .element_func = how->element_func,
    .element_data = how->element_data,
    .events = how->events,
    .max_depth = max_depth,
    .start = data,
    .repair = repair,
    .repair_limit = G_MAXSIZE,
    .name_limit = how->name_limit,
    .string_limit = how->string_limit,
  };
  JsonNode *root = NULL;

  g_array_set_clear_func (stack, clear_frame);
#if defined(G_OS_UNIX) && defined(MADV_DONTNEED)
  if (how->consume && len >= 2 * RELEASE_STEP)
    {
      gsize page = (gsize) sysconf (_SC_PAGESIZE);

      /* From the first page boundary after the start. */
      d.released = (char *) (((guintptr) data + page) & ~(guintptr) (page - 1));
    }
#endif

  for (;;)
    {
      JsonNode *value = NULL;
      Frame    *top = stack->len > 0 ? &g_array_index (stack, Frame, stack->len - 1) : NULL;

      xapi_json_skip_ws (&d);
      if (d.p >= d.end)
        {
          xapi_json_fail (&d, "the reply ends in the middle of a value");
          break;
        }

      /* Inside an object and no member name pending: read one. */
      if (top != NULL && JSON_NODE_HOLDS_OBJECT (top->node) && top->key < 0)
        {
          const char *name;
          gsize       name_len;

          if (*d.p == '}' && top->count == 0)
            goto close_container;
          if (*d.p != '"')
            {
              xapi_json_fail (&d, "an object member has no quoted name");
              break;
            }
          d.p++;
          if ((name = xapi_json_read_string (&d, &name_len, d.string_limit)) == NULL)
            break;
          xapi_json_skip_ws (&d);
          if (d.p >= d.end || *d.p != ':')
            {
              xapi_json_fail (&d, "an object member has no ':'");
              break;
            }
          d.p++;
          xapi_json_skip_ws (&d);
          if (d.p >= d.end)
            {
              xapi_json_fail (&d, "the reply ends in the middle of a value");
              break;
            }
          if (keep != NULL && stack->len == record_depth &&
              !name_is_kept (keep, name, name_len))
            {
              /* A field nobody reads: step over its value. */
              if (!xapi_json_skip_value (&d, max_depth - stack->len))
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
          if (!xapi_json_read_event_typed (&d, stack->len + 1))
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
                xapi_json_fail (&d, "the reply is nested too deeply");
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
            gsize       slen;

            d.p++;
            if ((s = xapi_json_read_string (&d, &slen, limit_for_value (&d, top, keys))) == NULL)
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
        case 'f':
        case 'n':
          {
            XapiJsonWord word;

            if (!xapi_json_read_word (&d, &word))
              goto out;
            value = word == XAPI_JSON_NULL
                    ? json_node_init_null (json_node_alloc ())
                    : json_node_init_boolean (json_node_alloc (), word == XAPI_JSON_TRUE);
          }
          break;
        default:
          if (*d.p == '-' || g_ascii_isdigit (*d.p))
            {
              if ((value = xapi_json_read_number (&d)) == NULL)
                goto out;
            }
          else
            {
              xapi_json_fail (&d, "an unexpected character appears where a value should be");
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
          char   close;

          if (stack->len == 0)
            {
              xapi_json_skip_ws (&d);
              if (d.p != d.end)
                {
                  xapi_json_fail (&d, "there is text after the reply");
                  goto out;
                }
              if (repairs != NULL)
                *repairs = d.repairs;
              return root;
            }

          xapi_json_skip_ws (&d);
          if (d.p >= d.end)
            {
              xapi_json_fail (&d, "the reply ends in the middle of a value");
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
              xapi_json_fail (&d, "a ',' or a closing bracket is missing");
              goto out;
            }

        close_container:
          d.p++;
          {
            Frame    *last = &g_array_index (stack, Frame, stack->len - 1);
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
xapi_json_decode (const char *data,
                  gsize       len,
                  guint       max_depth,
                  char      **reason)
{
  return decode (data, len, &(XapiJsonDecodeOptions) { .max_depth = max_depth }, FALSE, NULL, reason);
}

JsonNode *
xapi_json_decode_filtered (const char *data,
                           gsize       len,
                           guint       max_depth,
                           guint       record_depth,
                           GHashTable *keep,
                           char      **reason)
{
  XapiJsonDecodeOptions how = { .max_depth = max_depth, .record_depth = record_depth, .keep = keep };

  return decode (data, len, &how, FALSE, NULL, reason);
}

JsonNode *
xapi_json_decode_consuming (char               *data,
                            gsize               len,
                            guint               max_depth,
                            guint               record_depth,
                            GHashTable         *keep,
                            XapiJsonElementFunc element_func,
                            gpointer            element_data,
                            char              **reason)
{
  XapiJsonDecodeOptions how = { .max_depth = max_depth,
                                .record_depth = record_depth,
                                .keep = keep,
                                .consume = TRUE,
                                .element_func = element_func,
                                .element_data = element_data };

  return decode (data, len, &how, FALSE, NULL, reason);
}

JsonNode *
xapi_json_decode_repairing (char                        *data,
                            gsize                        len,
                            const XapiJsonDecodeOptions *how,
                            XapiJsonRepairs             *repairs,
                            char                       **reason)
{
  XapiJsonDecodeOptions options = *how;

  g_return_val_if_fail (how->name_limit > 0 && how->string_limit > 0, NULL);
  g_return_val_if_fail (how->events == NULL || (how->events->func != NULL && how->element_func == NULL), NULL);

  /* Elements are given away only from a reply nobody reads afterwards. */
  if (!options.consume)
    options.element_func = NULL;
  if (repairs != NULL)
    *repairs = (XapiJsonRepairs) { 0, 0 };
  return decode (data, len, &options, TRUE, repairs, reason);
}

/* ---- JSON parsing (private, see xapi-json-private.h) -------------------- */

gboolean
xapi_json_depth_ok (const char *data,
                    gsize       len,
                    guint       max_depth)
{
  gboolean in_string = FALSE;
  guint    depth = 0;
  gsize    i;

  for (i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            return FALSE;
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }

  return TRUE;
}

JsonNode *
xapi_json_parse_reply (const char           *data,
                       gsize                 len,
                       guint                 record_depth,
                       GHashTable           *keep,
                       gboolean              consume,
                       const XapiJsonEvents *events,
                       char                **reason)
{
  g_autofree char *decode_reason = NULL;
  XapiJsonRepairs  repairs = { 0, 0 };
  JsonNode        *root;

  if (data == NULL || len == 0)
    {
      *reason = g_strdup ("the reply is empty");
      return NULL;
    }

  /* xapi_json_decode() keeps its own depth limit and never recurses.  One
   * record with a broken name must not cost the whole reply: such strings
   * are repaired, and said so. */
  root = xapi_json_decode_repairing ((char *) data, len,
                                     &(XapiJsonDecodeOptions) { .consume = consume,
                                                                .max_depth = XAPI_MAX_JSON_DEPTH,
                                                                .record_depth = record_depth,
                                                                .keep = keep,
                                                                .events = events,
                                                                .name_limit = XAPI_JSON_MAX_NAME,
                                                                .string_limit = XAPI_JSON_MAX_STRING },
                                     &repairs, &decode_reason);
  if (repairs.invalid_utf8 > 0)
    g_message ("Strings of a reply that were not valid UTF-8: %u; their invalid bytes were "
               "replaced with U+FFFD.",
               repairs.invalid_utf8);
  if (repairs.cut > 0)
    g_message ("Strings of a reply that were longer than the limit: %u; they were cut.",
               repairs.cut);
  if (root == NULL)
    {
      *reason = g_strdup_printf ("it is not valid JSON: %s", decode_reason);
      return NULL;
    }

  return root;
}

JsonNode *
xapi_json_parse (const char *data,
                 gsize       len,
                 char      **reason)
{
  return xapi_json_parse_reply (data, len, 0, NULL, FALSE, NULL, reason);
}

char *
xapi_json_node_to_param (JsonNode *node)
{
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return json_to_string (node, FALSE);

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (type == G_TYPE_DOUBLE)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
    }
  if (type == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");

  return g_strdup ("");
}
