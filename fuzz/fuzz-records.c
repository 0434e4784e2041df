/* fuzz-records.c: typed records decoded from any reply, and the value helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine reads every XAPI object as a typed record (xapi-record.h),
 * decoded by the field table of its class, leniently: a member of the wrong
 * type reads as the field's default, never as a crash.  The input is
 * decoded as a reply would be (xapi_json_parse()); then every object
 * anywhere in the tree is decoded as a record of every class, and each
 * field must hold what the rules of xapi_record_new_from_json(), written
 * out again below, make of the same member, so that strings, numbers, sets
 * and maps all meet every field type.  Every string value also goes
 * through xapi_parse_task_result() and the fingerprint helpers, and so does
 * the raw input.  Event batches ({"events": [...], "token": ...}) are the
 * commonest seeds, so the records are shaped like what event.from delivers.
 */

#include <json-glib/json-glib.h>
#include <string.h>

#include "fuzz-common.h"
#include "xapi-json-private.h"
#include "xapi-record.h"
#include "xapi-util.h"
#include "xapi-util-private.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

static void
exercise_string (const char *text)
{
  g_autofree char *value = xapi_parse_task_result (text);
  g_autofree char *fingerprint = xapi_fingerprint_normalize (text);

  /* What comes out of task.result ends up in labels and in later calls:
   * valid UTF-8 in, valid UTF-8 out. */
  FUZZ_CHECK (value != NULL);
  if (g_utf8_validate (text, -1, NULL))
    FUZZ_CHECK (g_utf8_validate (value, -1, NULL));

  (void) xapi_is_null_ref (text);

  if (fingerprint != NULL)
    {
      g_autofree char *again = xapi_fingerprint_normalize (fingerprint);

      FUZZ_CHECK (again != NULL && strcmp (again, fingerprint) == 0);
      FUZZ_CHECK (xapi_fingerprint_equal (text, fingerprint));
    }
}

/* What a field is to hold of a member, by the rules of
 * xapi_record_new_from_json(): */

static GType
value_type (JsonNode *member)
{
  return member != NULL && JSON_NODE_HOLDS_VALUE (member) ? json_node_get_value_type (member) : G_TYPE_INVALID;
}

/* a boolean: true, or "true" in any case; */
static gboolean
expect_bool (JsonNode *member)
{
  GType type = value_type (member);

  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean (member);
  return type == G_TYPE_STRING && g_ascii_strcasecmp (json_node_get_string (member), "true") == 0;
}

/* a number: a JSON number, or a string that is all a number; an integer
 * field takes a fractional number's integer part, saturated; */
static void
expect_number (JsonNode *member,
               gint64   *i,
               double   *d)
{
  GType    type = value_type (member);
  gboolean is_int = FALSE;

  *i = 0;
  *d = 0.0;
  if (type == G_TYPE_INT64)
    {
      *i = json_node_get_int (member);
      *d = (double) *i;
    }
  else if (type == G_TYPE_DOUBLE)
    {
      *d = json_node_get_double (member);
      *i = xapi_clamp_to_int64 (*d);
    }
  else if (type == G_TYPE_STRING && xapi_parse_number_string (json_node_get_string (member), d, i, &is_int))
    {
      if (!is_int)
        *i = xapi_clamp_to_int64 (*d);
    }
}

/* a set: the strings of an array, in order; */
static GPtrArray *
expect_set (JsonNode *member)
{
  GPtrArray *set = g_ptr_array_new ();
  JsonArray *array = member != NULL && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;

  for (guint k = 0; array != NULL && k < json_array_get_length (array); k++)
    if (value_type (json_array_get_element (array, k)) == G_TYPE_STRING)
      g_ptr_array_add (set, (gpointer) json_array_get_string_element (array, k));
  return set;
}

/* a map: the members of an object whose values are strings. */
static GHashTable *
expect_map (JsonNode *member)
{
  GHashTable    *map = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObjectIter iter;
  const char    *key;
  JsonNode      *value;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return map;
  json_object_iter_init (&iter, json_node_get_object (member));
  while (json_object_iter_next (&iter, &key, &value))
    if (value_type (value) == G_TYPE_STRING)
      g_hash_table_replace (map, (gpointer) key, (gpointer) json_node_get_string (value));
  return map;
}

#define SLOT(record, field, type) ((type *) (gpointer) ((char *) (record) + (field)->offset))

/* The typed record of @klass made of @node holds, for every field of its
 * table, what the rules above make of the same member. */
static void
exercise_typed (XapiClass klass,
                JsonNode *node)
{
  g_autoptr(XapiRecord) typed = xapi_record_new_from_json (klass, "OpaqueRef:fuzz", node);
  JsonObject      *object = json_node_get_object (node);
  const XapiField *fields;
  guint            n;

  FUZZ_CHECK (typed != NULL && typed->klass == klass);
  FUZZ_CHECK (g_strcmp0 (typed->ref, "OpaqueRef:fuzz") == 0);
  FUZZ_CHECK (xapi_record_equal (typed, typed));

  fields = xapi_class_get_fields (klass, &n);
  for (guint i = 0; i < n; i++)
    {
      const XapiField *field = &fields[i];
      JsonNode        *member = json_object_get_member (object, field->name);
      gboolean         is_string = member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
                           json_node_get_value_type (member) == G_TYPE_STRING;
      g_autoptr(GPtrArray) set = expect_set (member);
      g_autoptr(GHashTable) map = expect_map (member);
      gint64 i_expected;
      double d_expected;

      expect_number (member, &i_expected, &d_expected);
      switch (field->type)
        {
        case XAPI_FIELD_STRING:
        case XAPI_FIELD_ISTRING:
          {
            const char *got = *SLOT (typed, field, GRefString *);

            FUZZ_CHECK (is_string ? g_strcmp0 (got, json_node_get_string (member)) == 0 : got == NULL);
            FUZZ_CHECK (got == NULL || g_utf8_validate (got, -1, NULL));
          }
          break;
        case XAPI_FIELD_REF:
          {
            const char *got = *SLOT (typed, field, GRefString *);

            if (is_string && !xapi_is_null_ref (json_node_get_string (member)))
              FUZZ_CHECK (g_strcmp0 (got, json_node_get_string (member)) == 0);
            else
              FUZZ_CHECK (got == NULL);
          }
          break;
        case XAPI_FIELD_BOOL:
          FUZZ_CHECK (!*SLOT (typed, field, gboolean) == !expect_bool (member));
          break;
        case XAPI_FIELD_INT:
          FUZZ_CHECK (*SLOT (typed, field, gint64) == i_expected);
          break;
        case XAPI_FIELD_FLOAT:
          FUZZ_CHECK (*SLOT (typed, field, double) == d_expected);
          break;
        case XAPI_FIELD_ENUM:
          {
            int got = *SLOT (typed, field, int);

            FUZZ_CHECK (got >= 0 && got <= (int) g_strv_length ((char **) field->values));
            if (got > 0)
              FUZZ_CHECK (is_string && strcmp (field->values[got - 1], json_node_get_string (member)) == 0);
            else
              FUZZ_CHECK (!is_string || !g_strv_contains (field->values, json_node_get_string (member)));
          }
          break;
        case XAPI_FIELD_ENUM_SET:
          {
            guint32 bits = 0;

            for (guint k = 0; k < set->len; k++)
              for (guint v = 0; field->values[v] != NULL; v++)
                if (strcmp (field->values[v], set->pdata[k]) == 0)
                  bits |= 1u << v;
            FUZZ_CHECK (*SLOT (typed, field, guint32) == bits);
          }
          break;
        case XAPI_FIELD_REF_SET:
        case XAPI_FIELD_STRING_SET:
          {
            GRefString **got = *SLOT (typed, field, GRefString **);

            FUZZ_CHECK (xapi_strv_length (got) == set->len);
            for (guint k = 0; k < set->len; k++)
              FUZZ_CHECK (strcmp (got[k], set->pdata[k]) == 0);
          }
          break;
        case XAPI_FIELD_MAP:
          {
            GRefString   **got = *SLOT (typed, field, GRefString **);
            GHashTableIter iter;
            gpointer       key, value;

            FUZZ_CHECK (xapi_map_size (got) == g_hash_table_size (map));
            g_hash_table_iter_init (&iter, map);
            while (g_hash_table_iter_next (&iter, &key, &value))
              FUZZ_CHECK (g_strcmp0 (xapi_map_lookup (got, key), value) == 0);
          }
          break;
        default:
          FUZZ_CHECK (FALSE);
        }
    }
}

static void
exercise_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *record = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (record);

      /* Every object, as a record of every class. */
      for (int k = 0; k < XAPI_N_CLASSES; k++)
        exercise_typed ((XapiClass) k, node);
      FUZZ_CHECK (xapi_record_new_from_json (XAPI_CLASS_NONE, NULL, node) == NULL);
      for (GList *l = names; l != NULL; l = l->next)
        exercise_node (json_object_get_member (record, l->data));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        exercise_node (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    exercise_string (json_node_get_string (node));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *reason = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* The raw bytes (up to a NUL) as one string value. */
  exercise_string (text);

  /* No object, no record. */
  FUZZ_CHECK (xapi_record_new_from_json (XAPI_CLASS_VM, "OpaqueRef:fuzz", NULL) == NULL);

  root = xapi_json_parse ((const char *) data, size, &reason);
  if (root == NULL)
    return 0;

  exercise_node (root);

  return 0;
}
