/* xapi-record.c: compact typed records of the classes Ferry follows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-record.h"
#include "xapi-record-private.h"
#include "xapi-util-private.h"
#include "xapi-util.h"

#include <stddef.h>
#include <string.h>

/* ---- The field tables ------------------------------------------------------ */

static const char * const power_states[] = { "Halted", "Paused", "Running", "Suspended", NULL };
static const char * const vbd_types[] = { "CD", "Disk", "Floppy", NULL };
static const char * const task_statuses[] = { "pending", "success", "failure", "cancelling",
                                              "cancelled", NULL };
static const char * const task_operations[] = { "cancel", "destroy", NULL };

#define COMMON(type) \
  { "uuid", XAPI_FIELD_STRING, offsetof (type, record.uuid), NULL }
#define NAMED(type)                                                           \
  COMMON (type),                                                              \
  {                                                                           \
    "name_label", XAPI_FIELD_STRING, offsetof (type, record.name_label), NULL \
  }
#define F(type, field, kind) \
  { #field, kind, offsetof (type, field), NULL }
#define E(type, field, kind, values) \
  { #field, kind, offsetof (type, field), values }

static const XapiField pool_fields[] = {
  NAMED (XapiPool),
  F (XapiPool, master, XAPI_FIELD_REF),
  F (XapiPool, default_SR, XAPI_FIELD_REF),
  F (XapiPool, suspend_image_SR, XAPI_FIELD_REF),
  F (XapiPool, other_config, XAPI_FIELD_MAP),
};

static const XapiField host_fields[] = {
  NAMED (XapiHost),
  F (XapiHost, address, XAPI_FIELD_STRING),
  F (XapiHost, hostname, XAPI_FIELD_STRING),
  F (XapiHost, enabled, XAPI_FIELD_BOOL),
  F (XapiHost, metrics, XAPI_FIELD_REF),
  F (XapiHost, suspend_image_sr, XAPI_FIELD_REF),
  F (XapiHost, PIFs, XAPI_FIELD_REF_SET),
};

static const XapiField host_metrics_fields[] = {
  COMMON (XapiHostMetrics),
  F (XapiHostMetrics, live, XAPI_FIELD_BOOL),
  F (XapiHostMetrics, memory_total, XAPI_FIELD_INT),
  F (XapiHostMetrics, memory_free, XAPI_FIELD_INT),
};

static const XapiField vm_fields[] = {
  NAMED (XapiVm),
  E (XapiVm, power_state, XAPI_FIELD_ENUM, power_states),
  F (XapiVm, is_a_template, XAPI_FIELD_BOOL),
  F (XapiVm, is_a_snapshot, XAPI_FIELD_BOOL),
  F (XapiVm, is_control_domain, XAPI_FIELD_BOOL),
  F (XapiVm, resident_on, XAPI_FIELD_REF),
  F (XapiVm, scheduled_to_be_resident_on, XAPI_FIELD_REF),
  F (XapiVm, affinity, XAPI_FIELD_REF),
  F (XapiVm, suspend_VDI, XAPI_FIELD_REF),
  F (XapiVm, memory_static_max, XAPI_FIELD_INT),
  F (XapiVm, memory_dynamic_max, XAPI_FIELD_INT),
  F (XapiVm, VCPUs_max, XAPI_FIELD_INT),
  F (XapiVm, VCPUs_at_startup, XAPI_FIELD_INT),
  F (XapiVm, VBDs, XAPI_FIELD_REF_SET),
  F (XapiVm, VIFs, XAPI_FIELD_REF_SET),
  F (XapiVm, snapshots, XAPI_FIELD_REF_SET),
  F (XapiVm, current_operations, XAPI_FIELD_MAP),
};

static const XapiField vbd_fields[] = {
  COMMON (XapiVbd),
  F (XapiVbd, VM, XAPI_FIELD_REF),
  F (XapiVbd, VDI, XAPI_FIELD_REF),
  E (XapiVbd, type, XAPI_FIELD_ENUM, vbd_types),
  F (XapiVbd, empty, XAPI_FIELD_BOOL),
  F (XapiVbd, userdevice, XAPI_FIELD_ISTRING),
};

static const XapiField vdi_fields[] = {
  NAMED (XapiVdi),
  F (XapiVdi, SR, XAPI_FIELD_REF),
  F (XapiVdi, virtual_size, XAPI_FIELD_INT),
  F (XapiVdi, physical_utilisation, XAPI_FIELD_INT),
  F (XapiVdi, VBDs, XAPI_FIELD_REF_SET),
};

static const XapiField sr_fields[] = {
  NAMED (XapiSr),
  F (XapiSr, type, XAPI_FIELD_ISTRING),
  F (XapiSr, content_type, XAPI_FIELD_ISTRING),
  F (XapiSr, shared, XAPI_FIELD_BOOL),
  F (XapiSr, physical_size, XAPI_FIELD_INT),
  F (XapiSr, physical_utilisation, XAPI_FIELD_INT),
  F (XapiSr, PBDs, XAPI_FIELD_REF_SET),
};

static const XapiField pbd_fields[] = {
  COMMON (XapiPbd),
  F (XapiPbd, host, XAPI_FIELD_REF),
  F (XapiPbd, SR, XAPI_FIELD_REF),
  F (XapiPbd, currently_attached, XAPI_FIELD_BOOL),
};

static const XapiField network_fields[] = {
  NAMED (XapiNetwork),
  F (XapiNetwork, bridge, XAPI_FIELD_ISTRING),
};

static const XapiField pif_fields[] = {
  COMMON (XapiPif),
  F (XapiPif, network, XAPI_FIELD_REF),
  F (XapiPif, host, XAPI_FIELD_REF),
  F (XapiPif, management, XAPI_FIELD_BOOL),
};

static const XapiField vif_fields[] = {
  COMMON (XapiVif),
  F (XapiVif, VM, XAPI_FIELD_REF),
  F (XapiVif, network, XAPI_FIELD_REF),
  F (XapiVif, device, XAPI_FIELD_ISTRING),
  F (XapiVif, MAC, XAPI_FIELD_STRING),
};

static const XapiField task_fields[] = {
  NAMED (XapiTask),
  E (XapiTask, status, XAPI_FIELD_ENUM, task_statuses),
  F (XapiTask, progress, XAPI_FIELD_FLOAT),
  F (XapiTask, result, XAPI_FIELD_STRING),
  F (XapiTask, error_info, XAPI_FIELD_STRING_SET),
  F (XapiTask, other_config, XAPI_FIELD_MAP),
  E (XapiTask, allowed_operations, XAPI_FIELD_ENUM_SET, task_operations),
};

typedef struct
{
  const char      *name;
  const char      *wire;
  gsize            size;
  const XapiField *fields;
  guint            n_fields;
} ClassInfo;

#define CLASS(name, wire, type, fields) \
  { name, wire, sizeof (type), fields, G_N_ELEMENTS (fields) }

static const ClassInfo class_infos[XAPI_N_CLASSES] = {
  [XAPI_CLASS_POOL] = CLASS ("pool", "pool", XapiPool, pool_fields),
  [XAPI_CLASS_HOST] = CLASS ("host", "host", XapiHost, host_fields),
  [XAPI_CLASS_HOST_METRICS] = CLASS ("host_metrics", "host_metrics", XapiHostMetrics,
                                     host_metrics_fields),
  [XAPI_CLASS_VM] = CLASS ("vm", "VM", XapiVm, vm_fields),
  [XAPI_CLASS_VBD] = CLASS ("vbd", "VBD", XapiVbd, vbd_fields),
  [XAPI_CLASS_VDI] = CLASS ("vdi", "VDI", XapiVdi, vdi_fields),
  [XAPI_CLASS_SR] = CLASS ("sr", "SR", XapiSr, sr_fields),
  [XAPI_CLASS_PBD] = CLASS ("pbd", "PBD", XapiPbd, pbd_fields),
  [XAPI_CLASS_NETWORK] = CLASS ("network", "network", XapiNetwork, network_fields),
  [XAPI_CLASS_PIF] = CLASS ("pif", "PIF", XapiPif, pif_fields),
  [XAPI_CLASS_VIF] = CLASS ("vif", "VIF", XapiVif, vif_fields),
  [XAPI_CLASS_TASK] = CLASS ("task", "task", XapiTask, task_fields),
};

static gboolean
class_is_valid (XapiClass klass)
{
  return (int) klass >= 0 && klass < XAPI_N_CLASSES;
}

XapiClass
xapi_class_from_name (const char *name)
{
  if (name == NULL)
    return XAPI_CLASS_NONE;
  for (int i = 0; i < XAPI_N_CLASSES; i++)
    if (g_ascii_strcasecmp (name, class_infos[i].name) == 0)
      return (XapiClass) i;
  return XAPI_CLASS_NONE;
}

const char *
xapi_class_get_name (XapiClass klass)
{
  g_return_val_if_fail (class_is_valid (klass), NULL);

  return class_infos[klass].name;
}

const char *
xapi_class_get_wire_name (XapiClass klass)
{
  g_return_val_if_fail (class_is_valid (klass), NULL);

  return class_infos[klass].wire;
}

const XapiField *
xapi_class_get_fields (XapiClass klass,
                       guint    *n_fields)
{
  g_return_val_if_fail (class_is_valid (klass), NULL);

  if (n_fields != NULL)
    *n_fields = class_infos[klass].n_fields;
  return class_infos[klass].fields;
}

const XapiField *
xapi_class_find_field (XapiClass   klass,
                       const char *name,
                       gsize       len)
{
  const ClassInfo *info;

  if (!class_is_valid (klass))
    return NULL;
  /* A dozen fields a class: comparing lengths first is quicker than
   * hashing every member name of a record. */
  info = &class_infos[klass];
  for (guint i = 0; i < info->n_fields; i++)
    {
      const char *field = info->fields[i].name;

      if (field[0] == name[0] && strncmp (field, name, len) == 0 && field[len] == '\0')
        return &info->fields[i];
    }
  return NULL;
}

/* ---- Records ------------------------------------------------------------------ */

#define SLOT(record, field, type) ((type *) (gpointer) ((char *) (record) + (field)->offset))

gpointer
xapi_record_alloc (XapiClass   klass,
                   const char *ref)
{
  XapiRecord *record;

  g_return_val_if_fail (class_is_valid (klass), NULL);

  record = g_malloc0 (class_infos[klass].size);
  g_atomic_ref_count_init (&record->ref_count);
  record->klass = klass;
  record->ref = ref != NULL ? g_ref_string_new_intern (ref) : NULL;
  return record;
}

static void
strv_free (GRefString **strv)
{
  if (strv == NULL)
    return;
  for (guint i = 0; strv[i] != NULL; i++)
    g_ref_string_release (strv[i]);
  g_free (strv);
}

static void
field_clear (gpointer         record,
             const XapiField *field)
{
  switch (field->type)
    {
    case XAPI_FIELD_STRING:
    case XAPI_FIELD_ISTRING:
    case XAPI_FIELD_REF:
      g_clear_pointer (SLOT (record, field, GRefString *), g_ref_string_release);
      break;
    case XAPI_FIELD_REF_SET:
    case XAPI_FIELD_STRING_SET:
    case XAPI_FIELD_MAP:
      g_clear_pointer (SLOT (record, field, GRefString **), strv_free);
      break;
    case XAPI_FIELD_BOOL:
      *SLOT (record, field, gboolean) = FALSE;
      break;
    case XAPI_FIELD_INT:
      *SLOT (record, field, gint64) = 0;
      break;
    case XAPI_FIELD_FLOAT:
      *SLOT (record, field, double) = 0.0;
      break;
    case XAPI_FIELD_ENUM:
      *SLOT (record, field, int) = 0;
      break;
    case XAPI_FIELD_ENUM_SET:
      *SLOT (record, field, guint32) = 0;
      break;
    default:
      g_assert_not_reached ();
    }
}

gpointer
xapi_record_ref (gpointer record)
{
  g_return_val_if_fail (record != NULL, NULL);

  g_atomic_ref_count_inc (&XAPI_RECORD (record)->ref_count);
  return record;
}

void
xapi_record_unref (gpointer record)
{
  XapiRecord      *self = record;
  const ClassInfo *info;

  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  info = &class_infos[self->klass];
  for (guint i = 0; i < info->n_fields; i++)
    field_clear (self, &info->fields[i]);
  g_clear_pointer (&self->ref, g_ref_string_release);
  g_free (self);
}

/* ---- Setting fields (shared by both decoders) -------------------------------- */

static GRefString *
new_string (const char *s,
            gsize       len,
            gboolean    intern)
{
  g_autofree char *copy = NULL;
  char             small[128];

  if (intern)
    {
      /* g_ref_string_new_intern() wants a NUL-terminated string; @s is
       * not always one (a string in a reply being decoded). */
      if (len < sizeof small)
        {
          memcpy (small, s, len);
          small[len] = '\0';
          s = small;
        }
      else
        s = copy = g_strndup (s, len);
      return g_ref_string_new_intern (s);
    }
  return g_ref_string_new_len (s, (gssize) len);
}

static int
enum_index (const char * const *values,
            const char         *s,
            gsize               len)
{
  for (int i = 0; values[i] != NULL; i++)
    if (strlen (values[i]) == len && memcmp (values[i], s, len) == 0)
      return i;
  return -1;
}

GRefString *
xapi_record_intern (const char *s,
                    gsize       len)
{
  return new_string (s, len, TRUE);
}

void
xapi_record_set_string (gpointer         record,
                        const XapiField *field,
                        const char      *s,
                        gsize            len)
{
  field_clear (record, field);
  switch (field->type)
    {
    case XAPI_FIELD_STRING:
    case XAPI_FIELD_ISTRING:
      *SLOT (record, field, GRefString *) = new_string (s, len, field->type == XAPI_FIELD_ISTRING);
      break;
    case XAPI_FIELD_REF:
      if (len > 0 && !(len == strlen (XAPI_NULL_REF) && memcmp (s, XAPI_NULL_REF, len) == 0))
        *SLOT (record, field, GRefString *) = new_string (s, len, TRUE);
      break;
    case XAPI_FIELD_BOOL:
      *SLOT (record, field, gboolean) = len == 4 && g_ascii_strncasecmp (s, "true", 4) == 0;
      break;
    case XAPI_FIELD_INT:
    case XAPI_FIELD_FLOAT:
      {
        g_autofree char *copy = g_strndup (s, len);
        double           d = 0;
        gint64           i = 0;
        gboolean         is_int = FALSE;

        /* A string with a NUL inside is no number. */
        if (strlen (copy) == len && xapi_parse_number_string (copy, &d, &i, &is_int))
          xapi_record_set_number (record, field, is_int, i, d);
      }
      break;
    case XAPI_FIELD_ENUM:
      *SLOT (record, field, int) = enum_index (field->values, s, len) + 1;
      break;
    default:
      /* Sets and maps hold no strings of their own. */
      break;
    }
}

void
xapi_record_set_number (gpointer         record,
                        const XapiField *field,
                        gboolean         is_int,
                        gint64           i,
                        double           d)
{
  field_clear (record, field);
  if (field->type == XAPI_FIELD_INT)
    *SLOT (record, field, gint64) = is_int ? i : xapi_clamp_to_int64 (d);
  else if (field->type == XAPI_FIELD_FLOAT)
    *SLOT (record, field, double) = is_int ? (double) i : d;
}

void
xapi_record_set_bool (gpointer         record,
                      const XapiField *field,
                      gboolean         value)
{
  field_clear (record, field);
  if (field->type == XAPI_FIELD_BOOL)
    *SLOT (record, field, gboolean) = value;
}

void
xapi_record_set_null (gpointer         record,
                      const XapiField *field)
{
  field_clear (record, field);
}

gboolean
xapi_field_is_set (const XapiField *field)
{
  return field->type == XAPI_FIELD_REF_SET || field->type == XAPI_FIELD_STRING_SET ||
         field->type == XAPI_FIELD_ENUM_SET;
}

void
xapi_record_take_strv (gpointer         record,
                       const XapiField *field,
                       GPtrArray       *strings)
{
  field_clear (record, field);
  if (field->type == XAPI_FIELD_ENUM_SET)
    {
      guint32 bits = 0;

      for (guint i = 0; i < strings->len; i++)
        {
          const char *s = g_ptr_array_index (strings, i);
          int         index = enum_index (field->values, s, strlen (s));

          if (index >= 0)
            bits |= 1u << index;
        }
      *SLOT (record, field, guint32) = bits;
      g_ptr_array_unref (strings);
      return;
    }
  if (field->type != XAPI_FIELD_REF_SET && field->type != XAPI_FIELD_STRING_SET &&
      field->type != XAPI_FIELD_MAP)
    {
      g_ptr_array_unref (strings);
      return;
    }
  if (strings->len == 0)
    {
      g_ptr_array_unref (strings);
      return;
    }
  g_ptr_array_add (strings, NULL);
  *SLOT (record, field, GRefString **) = (GRefString **) g_ptr_array_free (strings, FALSE);
}

/* ---- From a JSON tree ------------------------------------------------------------ */

static void
set_from_node (gpointer         record,
               const XapiField *field,
               JsonNode        *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          {
            const char *s = json_node_get_string (node);

            xapi_record_set_string (record, field, s, strlen (s));
          }
        else if (type == G_TYPE_BOOLEAN)
          xapi_record_set_bool (record, field, json_node_get_boolean (node));
        else if (type == G_TYPE_INT64)
          xapi_record_set_number (record, field, TRUE, json_node_get_int (node), 0);
        else if (type == G_TYPE_DOUBLE)
          xapi_record_set_number (record, field, FALSE, 0, json_node_get_double (node));
        else
          xapi_record_set_null (record, field);
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        GPtrArray *strings = g_ptr_array_new ();
        guint      n = json_array_get_length (array);

        if (!xapi_field_is_set (field))
          {
            g_ptr_array_unref (strings);
            xapi_record_set_null (record, field);
            break;
          }
        for (guint i = 0; i < n; i++)
          {
            JsonNode *element = json_array_get_element (array, i);

            if (xapi_node_is_string (element))
              {
                const char *s = json_node_get_string (element);

                g_ptr_array_add (strings, field->type == XAPI_FIELD_ENUM_SET
                                            ? (gpointer) s
                                            : new_string (s, strlen (s), TRUE));
              }
          }
        xapi_record_take_strv (record, field, strings);
      }
      break;
    case JSON_NODE_OBJECT:
      {
        JsonObject    *object = json_node_get_object (node);
        GPtrArray     *pairs = g_ptr_array_new ();
        JsonObjectIter iter;
        const char    *key;
        JsonNode      *value;

        if (field->type != XAPI_FIELD_MAP)
          {
            g_ptr_array_unref (pairs);
            xapi_record_set_null (record, field);
            break;
          }
        json_object_iter_init (&iter, object);
        while (json_object_iter_next (&iter, &key, &value))
          if (xapi_node_is_string (value))
            {
              const char *s = json_node_get_string (value);

              g_ptr_array_add (pairs, new_string (key, strlen (key), TRUE));
              g_ptr_array_add (pairs, new_string (s, strlen (s), TRUE));
            }
        xapi_record_take_strv (record, field, pairs);
      }
      break;
    case JSON_NODE_NULL:
    default:
      xapi_record_set_null (record, field);
      break;
    }
}

gpointer
xapi_record_new_from_json (XapiClass   klass,
                           const char *ref,
                           JsonNode   *node)
{
  JsonObjectIter iter;
  const char    *name;
  JsonNode      *value;
  gpointer       record;

  if (!class_is_valid (klass) || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  record = xapi_record_alloc (klass, ref);
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value))
    {
      const XapiField *field = xapi_class_find_field (klass, name, strlen (name));

      if (field != NULL)
        set_from_node (record, field, value);
    }
  return record;
}

/* ---- Comparing ---------------------------------------------------------------- */

static gboolean
strv_equal (GRefString **a,
            GRefString **b)
{
  guint i;

  if (a == NULL || b == NULL)
    return a == b;
  for (i = 0; a[i] != NULL && b[i] != NULL; i++)
    if (strcmp (a[i], b[i]) != 0)
      return FALSE;
  return a[i] == NULL && b[i] == NULL;
}

gboolean
xapi_record_equal (gconstpointer a,
                   gconstpointer b)
{
  const XapiRecord *ra = a, *rb = b;
  const ClassInfo  *info;

  if (ra == NULL || rb == NULL)
    return ra == rb;
  if (ra->klass != rb->klass || g_strcmp0 (ra->ref, rb->ref) != 0)
    return FALSE;

  info = &class_infos[ra->klass];
  for (guint i = 0; i < info->n_fields; i++)
    {
      const XapiField *field = &info->fields[i];
      gboolean         same;

      switch (field->type)
        {
        case XAPI_FIELD_STRING:
        case XAPI_FIELD_ISTRING:
        case XAPI_FIELD_REF:
          same = g_strcmp0 (*SLOT (a, field, GRefString *), *SLOT (b, field, GRefString *)) == 0;
          break;
        case XAPI_FIELD_REF_SET:
        case XAPI_FIELD_STRING_SET:
          same = strv_equal (*SLOT (a, field, GRefString **), *SLOT (b, field, GRefString **));
          break;
        case XAPI_FIELD_MAP:
          {
            GRefString **ma = *SLOT (a, field, GRefString **);
            GRefString **mb = *SLOT (b, field, GRefString **);

            /* The same pairs, in any order. */
            same = xapi_map_size (ma) == xapi_map_size (mb);
            for (guint k = 0; same && ma != NULL && ma[k] != NULL; k += 2)
              same = g_strcmp0 (xapi_map_lookup (mb, ma[k]), ma[k + 1]) == 0;
          }
          break;
        case XAPI_FIELD_BOOL:
          same = !*SLOT (a, field, gboolean) == !*SLOT (b, field, gboolean);
          break;
        case XAPI_FIELD_INT:
          same = *SLOT (a, field, gint64) == *SLOT (b, field, gint64);
          break;
        case XAPI_FIELD_FLOAT:
          same = *SLOT (a, field, double) == *SLOT (b, field, double);
          break;
        case XAPI_FIELD_ENUM:
          same = *SLOT (a, field, int) == *SLOT (b, field, int);
          break;
        case XAPI_FIELD_ENUM_SET:
          same = *SLOT (a, field, guint32) == *SLOT (b, field, guint32);
          break;
        default:
          g_assert_not_reached ();
        }
      if (!same)
        return FALSE;
    }
  return TRUE;
}

/* ---- Values ---------------------------------------------------------------------- */

guint
xapi_strv_length (const XapiStrv set)
{
  guint n = 0;

  while (set != NULL && set[n] != NULL)
    n++;
  return n;
}

char **
xapi_strv_dup (const XapiStrv set)
{
  guint  n = xapi_strv_length (set);
  char **copy = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    copy[i] = g_strdup (set[i]);
  return copy;
}

const char *
xapi_map_lookup (const XapiMap map,
                 const char   *key)
{
  const char *found = NULL;

  if (key == NULL)
    return NULL;
  /* The last of equal keys wins, as in a JSON object. */
  for (guint i = 0; map != NULL && map[i] != NULL; i += 2)
    if (strcmp (map[i], key) == 0)
      found = map[i + 1];
  return found;
}

guint
xapi_map_size (const XapiMap map)
{
  g_autoptr(GHashTable) keys = NULL;
  guint n = xapi_strv_length (map) / 2;

  /* Equal keys count once (rare: only a hand-written reply has them). */
  if (n < 2)
    return n;
  keys = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; map[i] != NULL; i += 2)
    g_hash_table_add (keys, map[i]);
  return g_hash_table_size (keys);
}

GHashTable *
xapi_map_to_hash_table (const XapiMap map)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; map != NULL && map[i] != NULL; i += 2)
    g_hash_table_replace (table, g_strdup (map[i]), g_strdup (map[i + 1]));
  return table;
}

const char *
xapi_vm_power_state_to_string (XapiVmPowerState state)
{
  if (state <= XAPI_VM_POWER_STATE_UNKNOWN || state > XAPI_VM_POWER_STATE_SUSPENDED)
    return "";
  return power_states[state - 1];
}
