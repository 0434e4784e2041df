/* xapi-json-events.c: the events of an event.from reply, decoded straight
 * into typed records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-json-private.h"

#include <string.h>

#include "xapi-record-private.h"

/* ---- Typed events ------------------------------------------------------------
 *
 * The events of an event.from reply go straight into typed records
 * (xapi-record.h): each snapshot's members that its class's table names are
 * read into the struct, the others stepped over, and no JSON tree is built
 * for any of it.  What is accepted and what each field ends up holding is
 * what xapi_record_new_from_json() makes of the tree the generic decoder
 * would build (fuzz-records and fuzz-json-decode compare the two). */

static gboolean
fail_end (XapiJsonDecoder *d)
{
  return xapi_json_fail (d, "the reply ends in the middle of a value");
}

/* At a member name inside an object: reads it and its ':'.  The name is
 * valid until the next string is read. */
static const char *
read_member_name (XapiJsonDecoder *d,
                  gsize           *len)
{
  const char *name;

  xapi_json_skip_ws (d);
  if (d->p >= d->end || *d->p != '"')
    {
      xapi_json_fail (d, "an object member has no quoted name");
      return NULL;
    }
  d->p++;
  if ((name = xapi_json_read_string (d, len, d->string_limit)) == NULL)
    return NULL;
  xapi_json_skip_ws (d);
  if (d->p >= d->end || *d->p != ':')
    {
      xapi_json_fail (d, "an object member has no ':'");
      return NULL;
    }
  d->p++;
  xapi_json_skip_ws (d);
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
next_in_container (XapiJsonDecoder *d,
                   char             close,
                   gboolean        *more)
{
  xapi_json_skip_ws (d);
  if (d->p >= d->end)
    return fail_end (d);
  if (*d->p == ',')
    {
      d->p++;
      *more = TRUE;
      return TRUE;
    }
  if (*d->p != close)
    return xapi_json_fail (d, "a ',' or a closing bracket is missing");
  d->p++;
  *more = FALSE;
  return TRUE;
}

/* At '[' or '{' of a container that will be at depth @level: steps in; *empty
 * is TRUE (and the container consumed whole) if it has nothing inside. */
static gboolean
open_container (XapiJsonDecoder *d,
                guint            level,
                gboolean        *empty)
{
  char close = *d->p == '{' ? '}' : ']';

  if (level > d->max_depth)
    return xapi_json_fail (d, "the reply is nested too deeply");
  d->p++;
  xapi_json_skip_ws (d);
  if (d->p >= d->end)
    return fail_end (d);
  *empty = *d->p == close;
  if (*empty)
    d->p++;
  return TRUE;
}

static gsize
limit_for_name (XapiJsonDecoder *d,
                const char      *name,
                gsize            len)
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
read_set (XapiJsonDecoder *d,
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
      xapi_json_skip_ws (d);
      if (d->p >= d->end)
        return fail_end (d);
      if (*d->p == '"')
        {
          const char *s;
          gsize       len;

          d->p++;
          if ((s = xapi_json_read_string (d, &len, d->string_limit)) == NULL)
            return FALSE;
          g_ptr_array_add (strings, enums ? (gpointer) g_strndup (s, len) : xapi_record_intern (s, len));
        }
      /* Other elements do not count (as in xapi_record_new_from_json()). */
      else if (!xapi_json_skip_value (d, d->max_depth - level))
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
read_map (XapiJsonDecoder *d,
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
      gsize       len;

      if ((name = read_member_name (d, &len)) == NULL)
        return FALSE;
      g_ptr_array_add (entries, xapi_record_intern (name, len));
      if (*d->p == '"')
        {
          const char *s;
          gsize       slen;

          d->p++;
          if ((s = xapi_json_read_string (d, &slen, limit_for_name (d, name, len))) == NULL)
            return FALSE;
          g_ptr_array_add (entries, xapi_record_intern (s, slen));
        }
      else
        {
          /* Not a string: the key has no value here (and hides an earlier
           * one). */
          if (!xapi_json_skip_value (d, d->max_depth - level))
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
read_field (XapiJsonDecoder *d,
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
        gsize       len;

        d->p++;
        if ((s = xapi_json_read_string (d, &len, limit)) == NULL)
          return FALSE;
        xapi_record_set_string (record, field, s, len);
      }
      return TRUE;
    case 't':
    case 'f':
    case 'n':
      {
        XapiJsonWord word;

        if (!xapi_json_read_word (d, &word))
          return FALSE;
        if (word == XAPI_JSON_NULL)
          xapi_record_set_null (record, field);
        else
          xapi_record_set_bool (record, field, word == XAPI_JSON_TRUE);
      }
      return TRUE;
    case '[':
      if (xapi_field_is_set (field))
        return read_set (d, record, field, level + 1);
      xapi_record_set_null (record, field);
      return xapi_json_skip_value (d, d->max_depth - level);
    case '{':
      if (field->type == XAPI_FIELD_MAP)
        return read_map (d, record, field, level + 1);
      xapi_record_set_null (record, field);
      return xapi_json_skip_value (d, d->max_depth - level);
    default:
      {
        gboolean is_int = FALSE;
        gint64   i = 0;
        double   v = 0;

        if (*d->p != '-' && !g_ascii_isdigit (*d->p))
          return xapi_json_fail (d, "an unexpected character appears where a value should be");
        if (!xapi_json_parse_number (d, &is_int, &i, &v))
          return FALSE;
        xapi_record_set_number (record, field, is_int, i, v);
      }
      return TRUE;
    }
}

/* At '{' of a snapshot of @klass, the object at depth @level. */
static XapiRecord *
read_record (XapiJsonDecoder *d,
             XapiClass        klass,
             guint            level)
{
  g_autoptr(XapiRecord) record = NULL;
  gboolean empty, more = TRUE;

  if (!open_container (d, level, &empty))
    return NULL;
  record = xapi_record_alloc (klass, NULL);
  while (!empty && more)
    {
      const XapiField *field;
      const char      *name;
      gsize            len;

      if ((name = read_member_name (d, &len)) == NULL)
        return NULL;
      field = xapi_class_find_field (klass, name, len);
      if (field == NULL)
        {
          /* A field nobody reads: step over its value. */
          if (!xapi_json_skip_value (d, d->max_depth - level))
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
  OPERATION_NONE, /* missing, empty or not a string */
  OPERATION_DEL,
  OPERATION_OTHER,
} Operation;

/* One element of the events array, which is at depth @level - 1: an event
 * of a followed class goes to d->events as a typed record; anything else
 * is checked and left (as the cache's reading of a tree leaves it). */
gboolean
xapi_json_read_event_typed (XapiJsonDecoder *d,
                            guint            level)
{
  g_autoptr(XapiRecord) record = NULL;
  g_autoptr(InternedRef) ref = NULL; /* the record keeps it */
  XapiClass   klass = XAPI_CLASS_NONE;
  XapiClass   decoded_as = XAPI_CLASS_NONE;
  Operation   operation = OPERATION_NONE;
  const char *snapshot = NULL; /* where the last "snapshot" value starts */
  gboolean    empty, more = TRUE;

  if (*d->p != '{')
    return xapi_json_skip_value (d, d->max_depth - (level - 1));
  if (!open_container (d, level, &empty))
    return FALSE;

  while (!empty && more)
    {
      const char *name;
      gsize       len;

      if ((name = read_member_name (d, &len)) == NULL)
        return FALSE;
      if (len == 5 && memcmp (name, "class", 5) == 0)
        {
          klass = XAPI_CLASS_NONE;
          if (*d->p == '"')
            {
              char        copy[32];
              const char *s;

              d->p++;
              if ((s = xapi_json_read_string (d, &len, d->string_limit)) == NULL)
                return FALSE;
              /* No class name is that long. */
              if (len < sizeof copy && memchr (s, '\0', len) == NULL)
                {
                  memcpy (copy, s, len);
                  copy[len] = '\0';
                  klass = xapi_class_from_name (copy);
                }
            }
          else if (!xapi_json_skip_value (d, d->max_depth - level))
            return FALSE;
        }
      else if (len == 3 && memcmp (name, "ref", 3) == 0)
        {
          g_clear_pointer (&ref, g_ref_string_release);
          if (*d->p == '"')
            {
              const char *s;

              d->p++;
              if ((s = xapi_json_read_string (d, &len, d->string_limit)) == NULL)
                return FALSE;
              ref = xapi_record_intern (s, len);
            }
          else if (!xapi_json_skip_value (d, d->max_depth - level))
            return FALSE;
        }
      else if (len == 9 && memcmp (name, "operation", 9) == 0)
        {
          operation = OPERATION_NONE;
          if (*d->p == '"')
            {
              const char *s;

              d->p++;
              if ((s = xapi_json_read_string (d, &len, d->string_limit)) == NULL)
                return FALSE;
              operation = len == 0                              ? OPERATION_NONE
                        : len == 3 && memcmp (s, "del", 3) == 0 ? OPERATION_DEL
                                                                : OPERATION_OTHER;
            }
          else if (!xapi_json_skip_value (d, d->max_depth - level))
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
          else if (!xapi_json_skip_value (d, d->max_depth - level))
            return FALSE;
        }
      else if (!xapi_json_skip_value (d, d->max_depth - level))
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
          const char     *resume = d->p;
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
