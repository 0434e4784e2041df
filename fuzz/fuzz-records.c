/* fuzz-records.c: the record helpers on records decoded from any reply
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine reads every XAPI object as a typed record (xapi-record.h),
 * decoded by the field table of its class; the lenient xapi_record_get_*()
 * helpers read what is not a record (answers such as host.migrate_receive's)
 * and promise never to crash on a missing field or one of the wrong type,
 * and to return documented defaults.  Every object of the input is decoded
 * as a record of every class, and each field must hold what the helpers
 * make of the same member.  The input is decoded as a
 * reply would be (xapi_json_parse()); then every object anywhere in the tree
 * is treated as a record and every one of its fields is read with every
 * helper, so that strings, numbers, sets and maps all meet every getter.
 * Every string value also goes through xapi_parse_task_result(),
 * xapi_parse_datetime() and the fingerprint helpers, and so does the raw
 * input.  Event batches ({"events": [...], "token": ...}) are the commonest
 * seeds, so the records are shaped like what event.from delivers.
 */

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "fuzz-common.h"
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

static void
check_datetime (GDateTime *dt)
{
  if (dt == NULL)
    return;
  FUZZ_CHECK (g_date_time_get_utc_offset (dt) == 0);
}

static void
exercise_string (const char *text)
{
  g_autofree char *value = xapi_parse_task_result (text);
  g_autofree char *fingerprint = xapi_fingerprint_normalize (text);
  g_autoptr(GDateTime) dt = xapi_parse_datetime (text);

  /* What comes out of task.result ends up in labels and in later calls:
   * valid UTF-8 in, valid UTF-8 out. */
  FUZZ_CHECK (value != NULL);
  if (g_utf8_validate (text, -1, NULL))
    FUZZ_CHECK (g_utf8_validate (value, -1, NULL));

  check_datetime (dt);
  (void) xapi_is_null_ref (text);

  if (fingerprint != NULL)
    {
      g_autofree char *again = xapi_fingerprint_normalize (fingerprint);

      FUZZ_CHECK (again != NULL && strcmp (again, fingerprint) == 0);
      FUZZ_CHECK (xapi_fingerprint_equal (text, fingerprint));
    }
}

/* Reads @field of @record with every helper and checks that they agree. */
static void
exercise_field (JsonObject *record,
                const char *field)
{
  const char *string = xapi_record_get_string (record, field);
  g_auto(GStrv) strv = xapi_record_get_strv (record, field);
  g_autoptr(GPtrArray) set = xapi_record_get_ref_set (record, field);
  g_autoptr(GHashTable) map = xapi_record_get_map_string (record, field);
  g_autoptr(GDateTime) dt = xapi_record_get_datetime (record, field);
  JsonNode      *member = record != NULL && field != NULL ? json_object_get_member (record, field) : NULL;
  GHashTableIter iter;
  gpointer       key, value;
  gint64         i;
  double         d;

  FUZZ_CHECK (string != NULL);
  FUZZ_CHECK (g_utf8_validate (string, -1, NULL));
  (void) xapi_record_get_bool (record, field);

  i = xapi_record_get_int64 (record, field);
  d = xapi_record_get_double (record, field);
  if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
      json_node_get_value_type (member) == G_TYPE_INT64)
    {
      FUZZ_CHECK (i == json_node_get_int (member));
      FUZZ_CHECK (d == (double) i);
    }
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member))
    FUZZ_CHECK (i == 0 && d == 0.0 && *string == '\0');

  FUZZ_CHECK (strv != NULL && set != NULL);
  FUZZ_CHECK (g_strv_length (strv) == set->len);
  for (guint k = 0; k < set->len; k++)
    {
      FUZZ_CHECK (strcmp (strv[k], set->pdata[k]) == 0);
      FUZZ_CHECK (xapi_record_set_contains (record, field, strv[k]));
    }

  FUZZ_CHECK (map != NULL);
  g_hash_table_iter_init (&iter, map);
  while (g_hash_table_iter_next (&iter, &key, &value))
    FUZZ_CHECK (g_strcmp0 (xapi_record_get_map_value (record, field, key), value) == 0);

  /* XAPI's "unset" datetime is the epoch, which the helper turns into NULL. */
  check_datetime (dt);
  if (dt != NULL)
    FUZZ_CHECK (g_date_time_to_unix (dt) != 0);
}

#define SLOT(record, field, type) ((type *) (gpointer) ((char *) (record) + (field)->offset))

/* The typed record of @klass made of @node holds, for every field of its
 * table, what the lenient readers make of the same member. */
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
      g_autoptr(GPtrArray) set = xapi_record_get_ref_set (object, field->name);
      g_autoptr(GHashTable) map = xapi_record_get_map_string (object, field->name);

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
          FUZZ_CHECK (!*SLOT (typed, field, gboolean) == !xapi_record_get_bool (object, field->name));
          break;
        case XAPI_FIELD_INT:
          FUZZ_CHECK (*SLOT (typed, field, gint64) == xapi_record_get_int64 (object, field->name));
          break;
        case XAPI_FIELD_FLOAT:
          FUZZ_CHECK (*SLOT (typed, field, double) == xapi_record_get_double (object, field->name));
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
        exercise_field (record, l->data);
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

  /* Absent fields and absent records give the documented defaults. */
  exercise_field (NULL, "uuid");
  exercise_field (NULL, NULL);

  root = xapi_json_parse ((const char *) data, size, &reason);
  if (root == NULL)
    return 0;

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      exercise_field (json_node_get_object (root), "no such field");
      exercise_field (json_node_get_object (root), NULL);
    }
  exercise_node (root);

  return 0;
}
