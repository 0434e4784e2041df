/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-db.c: the object database of one simulated pool
 *
 * Every object keeps the generation of its creation and of its last change.
 * Objects sit in one list ordered by last change, so event.from only walks
 * the objects that changed after the caller's token, and repeated changes of
 * one object collapse into one event by construction.  Deleted objects leave
 * a tombstone so that "del" events can be reported.
 *
 * Records are serialised by hand and the text is cached per object: a
 * 10,000-VM get_all_records is then mostly a concatenation of cached strings.
 */

#include "fsim-db.h"

#include <string.h>

typedef struct
{
  guint   cls;
  char   *ref;
  guint64 created_gen;
  guint64 deleted_gen;
} FsimTombstone;

struct _FsimDb
{
  GHashTable       *by_ref;     /* ref -> FsimObject (owned) */
  GHashTable      **by_class;   /* per class: ref -> FsimObject */
  GHashTable      **by_uuid;    /* per class: uuid -> FsimObject */
  GQueue            changes;    /* FsimObject links, oldest change first */
  GQueue            tombstones; /* FsimTombstone, oldest first */
  guint64           generation;
  FsimDbChangedFunc changed;
  gpointer          changed_data;
  GSource          *changed_idle;
};

/* ---- class tables (process-wide, built once) ---- */

typedef struct
{
  GHashTable  *classes;    /* name -> index+1 */
  GHashTable  *classes_ci; /* lower name -> index+1 */
  char       **lower_names;
  GHashTable **fields;     /* per class: field -> index+1 */
  GHashTable **messages;   /* per class: message -> FsimMessageDef */
  JsonNode  ***defaults;   /* per class, per field */
  int         *uuid_field; /* per class */
} ClassTables;

static ClassTables *
tables (void)
{
  static ClassTables *t;

  if (g_once_init_enter (&t))
    {
      ClassTables *nt = g_new0 (ClassTables, 1);

      nt->classes = g_hash_table_new (g_str_hash, g_str_equal);
      nt->classes_ci = g_hash_table_new (g_str_hash, g_str_equal);
      nt->lower_names = g_new0 (char *, fsim_n_classes + 1);
      nt->fields = g_new0 (GHashTable *, fsim_n_classes);
      nt->messages = g_new0 (GHashTable *, fsim_n_classes);
      nt->defaults = g_new0 (JsonNode **, fsim_n_classes);
      nt->uuid_field = g_new0 (int, fsim_n_classes);
      for (guint c = 0; c < fsim_n_classes; c++)
        {
          const FsimClassDef *def = &fsim_classes[c];

          nt->lower_names[c] = g_ascii_strdown (def->name, -1);
          g_hash_table_insert (nt->classes, (gpointer) def->name, GUINT_TO_POINTER (c + 1));
          g_hash_table_insert (nt->classes_ci, nt->lower_names[c], GUINT_TO_POINTER (c + 1));
          nt->fields[c] = g_hash_table_new (g_str_hash, g_str_equal);
          nt->defaults[c] = g_new0 (JsonNode *, def->n_fields);
          nt->uuid_field[c] = -1;
          for (guint f = 0; f < def->n_fields; f++)
            {
              g_hash_table_insert (nt->fields[c], (gpointer) def->fields[f].name,
                                   GUINT_TO_POINTER (f + 1));
              nt->defaults[c][f] = json_from_string (def->fields[f].default_json, NULL);
              json_node_seal (nt->defaults[c][f]);
              if (strcmp (def->fields[f].name, "uuid") == 0)
                nt->uuid_field[c] = f;
            }
          nt->messages[c] = g_hash_table_new (g_str_hash, g_str_equal);
          for (guint m = 0; m < def->n_messages; m++)
            g_hash_table_insert (nt->messages[c], (gpointer) def->messages[m].name,
                                 (gpointer) &def->messages[m]);
        }
      g_once_init_leave (&t, nt);
    }
  return t;
}

int
fsim_class_lookup (const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (tables ()->classes, name)) - 1;
}

int
fsim_class_lookup_ci (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return GPOINTER_TO_INT (g_hash_table_lookup (tables ()->classes_ci, lower)) - 1;
}

const char *
fsim_class_name (guint cls)
{
  return fsim_classes[cls].name;
}

const char *
fsim_class_lower_name (guint cls)
{
  return tables ()->lower_names[cls];
}

int
fsim_field_lookup (guint cls, const char *field)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (tables ()->fields[cls], field)) - 1;
}

const FsimMessageDef *
fsim_message_lookup (guint cls, const char *message)
{
  return g_hash_table_lookup (tables ()->messages[cls], message);
}

JsonNode *
fsim_field_default (guint cls, guint field)
{
  return tables ()->defaults[cls][field];
}

/* ---- helpers ---- */

GSource *
fsim_source_new (guint ms, GSourceFunc func, gpointer data)
{
  GSource *source = ms == 0 ? g_idle_source_new () : g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

void
fsim_source_clear (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

char *
fsim_new_ref (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strconcat ("OpaqueRef:", uuid, NULL);
}

char *
fsim_datetime_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y%m%dT%H:%M:%SZ");
}

/* ---- database ---- */

static void
object_free (gpointer data)
{
  FsimObject *obj = data;

  for (guint f = 0; f < fsim_classes[obj->cls].n_fields; f++)
    if (obj->values[f] != NULL)
      json_node_unref (obj->values[f]);
  g_free (obj->values);
  g_free (obj->cached);
  g_free (obj->ref);
  g_free (obj);
}

static void
tombstone_free (gpointer data)
{
  FsimTombstone *t = data;

  g_free (t->ref);
  g_free (t);
}

FsimDb *
fsim_db_new (FsimDbChangedFunc changed, gpointer user_data)
{
  FsimDb *db = g_new0 (FsimDb, 1);

  tables ();
  db->by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, object_free);
  db->by_class = g_new0 (GHashTable *, fsim_n_classes);
  db->by_uuid = g_new0 (GHashTable *, fsim_n_classes);
  for (guint c = 0; c < fsim_n_classes; c++)
    {
      db->by_class[c] = g_hash_table_new (g_str_hash, g_str_equal);
      db->by_uuid[c] = g_hash_table_new (g_str_hash, g_str_equal);
    }
  g_queue_init (&db->changes);
  g_queue_init (&db->tombstones);
  db->changed = changed;
  db->changed_data = user_data;
  return db;
}

void
fsim_db_free (FsimDb *db)
{
  if (db == NULL)
    return;
  fsim_source_clear (&db->changed_idle);
  for (guint c = 0; c < fsim_n_classes; c++)
    {
      g_hash_table_unref (db->by_class[c]);
      g_hash_table_unref (db->by_uuid[c]);
    }
  g_free (db->by_class);
  g_free (db->by_uuid);
  g_hash_table_unref (db->by_ref);
  g_queue_clear_full (&db->tombstones, tombstone_free);
  g_free (db);
}

guint64
fsim_db_get_generation (FsimDb *db)
{
  return db->generation;
}

static gboolean
changed_idle_cb (gpointer data)
{
  FsimDb *db = data;

  g_clear_pointer (&db->changed_idle, g_source_unref);
  if (db->changed != NULL)
    db->changed (db, db->changed_data);
  return G_SOURCE_REMOVE;
}

static void
schedule_changed (FsimDb *db)
{
  if (db->changed_idle == NULL && db->changed != NULL)
    db->changed_idle = fsim_source_new (0, changed_idle_cb, db);
}

FsimObject *
fsim_db_lookup (FsimDb *db, const char *ref)
{
  if (ref == NULL)
    return NULL;
  return g_hash_table_lookup (db->by_ref, ref);
}

FsimObject *
fsim_db_lookup_class (FsimDb *db, guint cls, const char *ref)
{
  if (ref == NULL)
    return NULL;
  return g_hash_table_lookup (db->by_class[cls], ref);
}

FsimObject *
fsim_ref_valid (FsimDb *db, const char *cls_name, const char *ref)
{
  int cls = fsim_class_lookup (cls_name);

  g_return_val_if_fail (cls >= 0, NULL);
  return fsim_db_lookup_class (db, cls, ref);
}

FsimObject *
fsim_db_lookup_uuid (FsimDb *db, guint cls, const char *uuid)
{
  return g_hash_table_lookup (db->by_uuid[cls], uuid);
}

GHashTable *
fsim_db_get_table (FsimDb *db, guint cls)
{
  return db->by_class[cls];
}

guint
fsim_db_count (FsimDb *db, guint cls)
{
  return g_hash_table_size (db->by_class[cls]);
}

static int
compare_created (gconstpointer a, gconstpointer b)
{
  const FsimObject *oa = *(FsimObject * const *) a;
  const FsimObject *ob = *(FsimObject * const *) b;

  return oa->created_gen < ob->created_gen ? -1 : oa->created_gen > ob->created_gen;
}

/* The objects of a class in creation order, so listings are stable. */
GPtrArray *
fsim_db_list (FsimDb *db, guint cls)
{
  GPtrArray     *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer       value;

  g_hash_table_iter_init (&iter, db->by_class[cls]);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_created);
  return list;
}

static void
bump (FsimObject *obj)
{
  FsimDb *db = obj->db;

  db->generation++;
  obj->modified_gen = db->generation;
  g_clear_pointer (&obj->cached, g_free);
  g_queue_unlink (&db->changes, &obj->link);
  g_queue_push_tail_link (&db->changes, &obj->link);
  schedule_changed (db);
}

FsimObject *
fsim_db_create (FsimDb *db, const char *cls_name, const char *uuid)
{
  int              cls = fsim_class_lookup (cls_name);
  FsimObject      *obj;
  g_autofree char *new_uuid = NULL;

  g_return_val_if_fail (cls >= 0, NULL);
  obj = g_new0 (FsimObject, 1);
  obj->db = db;
  obj->cls = cls;
  obj->ref = fsim_new_ref ();
  obj->values = g_new0 (JsonNode *, fsim_classes[cls].n_fields);
  obj->link.data = obj;
  db->generation++;
  obj->created_gen = obj->modified_gen = db->generation;
  g_queue_push_tail_link (&db->changes, &obj->link);
  g_hash_table_insert (db->by_ref, obj->ref, obj);
  g_hash_table_insert (db->by_class[cls], obj->ref, obj);
  if (tables ()->uuid_field[cls] >= 0)
    {
      if (uuid == NULL)
        uuid = new_uuid = g_uuid_string_random ();
      fsim_obj_set_string (obj, "uuid", uuid);
    }
  schedule_changed (db);
  return obj;
}

void
fsim_db_destroy_object (FsimDb *db, FsimObject *obj)
{
  FsimTombstone *t = g_new0 (FsimTombstone, 1);
  const char    *uuid = fsim_obj_uuid (obj);

  db->generation++;
  t->cls = obj->cls;
  t->ref = g_strdup (obj->ref);
  t->created_gen = obj->created_gen;
  t->deleted_gen = db->generation;
  g_queue_push_tail (&db->tombstones, t);
  if (uuid != NULL && g_hash_table_lookup (db->by_uuid[obj->cls], uuid) == obj)
    g_hash_table_remove (db->by_uuid[obj->cls], uuid);
  g_queue_unlink (&db->changes, &obj->link);
  g_hash_table_remove (db->by_class[obj->cls], obj->ref);
  g_hash_table_remove (db->by_ref, obj->ref);
  schedule_changed (db);
}

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const FsimEvent *ea = a;
  const FsimEvent *eb = b;

  return ea->gen < eb->gen ? -1 : ea->gen > eb->gen;
}

/* Events after generation @since for the classes flagged in @classes (or the
 * objects in @refs), oldest first.  The strings point into the database and
 * stay valid until the next change. */
GArray *
fsim_db_collect_events (FsimDb *db, guint64 since, const gboolean *classes, GHashTable *refs)
{
  GArray *events = g_array_new (FALSE, TRUE, sizeof (FsimEvent));

  for (GList *l = db->changes.tail; l != NULL; l = l->prev)
    {
      FsimObject *obj = l->data;
      FsimEvent   ev = { 0 };

      if (obj->modified_gen <= since)
        break;
      if (!classes[obj->cls] && (refs == NULL || !g_hash_table_contains (refs, obj->ref)))
        continue;
      ev.cls_name = fsim_class_lower_name (obj->cls);
      ev.ref = obj->ref;
      ev.operation = obj->created_gen > since ? "add" : "mod";
      ev.gen = obj->modified_gen;
      ev.obj = obj;
      g_array_append_val (events, ev);
    }
  for (GList *l = db->tombstones.tail; l != NULL; l = l->prev)
    {
      FsimTombstone *t = l->data;
      FsimEvent      ev = { 0 };

      if (t->deleted_gen <= since)
        break;
      if (t->created_gen > since)
        continue;
      if (!classes[t->cls] && (refs == NULL || !g_hash_table_contains (refs, t->ref)))
        continue;
      ev.cls_name = fsim_class_lower_name (t->cls);
      ev.ref = t->ref;
      ev.operation = "del";
      ev.gen = t->deleted_gen;
      g_array_append_val (events, ev);
    }
  g_array_sort (events, compare_events);
  return events;
}

/* ---- objects ---- */

static int
field_index (FsimObject *obj, const char *field)
{
  int f = fsim_field_lookup (obj->cls, field);

  if (f < 0)
    g_critical ("class %s has no field %s", fsim_class_name (obj->cls), field);
  return f;
}

JsonNode *
fsim_obj_get (FsimObject *obj, const char *field)
{
  int f = field_index (obj, field);

  if (f < 0)
    return NULL;
  return obj->values[f] != NULL ? obj->values[f] : fsim_field_default (obj->cls, f);
}

const char *
fsim_obj_get_string (FsimObject *obj, const char *field)
{
  JsonNode *node = fsim_obj_get (obj, field);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

gint64
fsim_obj_get_int (FsimObject *obj, const char *field)
{
  JsonNode *node = fsim_obj_get (obj, field);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

double
fsim_obj_get_double (FsimObject *obj, const char *field)
{
  JsonNode *node = fsim_obj_get (obj, field);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : 0.0;
}

gboolean
fsim_obj_get_bool (FsimObject *obj, const char *field)
{
  JsonNode *node = fsim_obj_get (obj, field);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_boolean (node) : FALSE;
}

JsonArray *
fsim_obj_get_array (FsimObject *obj, const char *field)
{
  JsonNode *node = fsim_obj_get (obj, field);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
fsim_obj_get_map (FsimObject *obj, const char *field)
{
  JsonNode *node = fsim_obj_get (obj, field);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
fsim_obj_get_map_value (FsimObject *obj, const char *field, const char *key)
{
  JsonObject *map = fsim_obj_get_map (obj, field);
  JsonNode   *node;

  if (map == NULL || (node = json_object_get_member (map, key)) == NULL ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

const char *
fsim_obj_uuid (FsimObject *obj)
{
  int f = tables ()->uuid_field[obj->cls];

  if (f < 0 || obj->values[f] == NULL)
    return NULL;
  return json_node_get_string (obj->values[f]);
}

void
fsim_obj_touch (FsimObject *obj)
{
  bump (obj);
}

/* Takes ownership of @value, which must not share containers with anything
 * else (use fsim_json_deep_copy()). */
void
fsim_obj_set (FsimObject *obj, const char *field, JsonNode *value)
{
  int f = field_index (obj, field);

  if (f < 0)
    {
      json_node_unref (value);
      return;
    }
  if (f == tables ()->uuid_field[obj->cls])
    {
      const char *old = fsim_obj_uuid (obj);

      if (old != NULL && g_hash_table_lookup (obj->db->by_uuid[obj->cls], old) == obj)
        g_hash_table_remove (obj->db->by_uuid[obj->cls], old);
    }
  if (obj->values[f] != NULL)
    json_node_unref (obj->values[f]);
  obj->values[f] = value;
  if (f == tables ()->uuid_field[obj->cls])
    g_hash_table_insert (obj->db->by_uuid[obj->cls], (gpointer) json_node_get_string (value), obj);
  bump (obj);
}

void
fsim_obj_set_string (FsimObject *obj, const char *field, const char *value)
{
  fsim_obj_set (obj, field, json_node_init_string (json_node_alloc (), value != NULL ? value : ""));
}

void
fsim_obj_set_int (FsimObject *obj, const char *field, gint64 value)
{
  fsim_obj_set (obj, field, json_node_init_int (json_node_alloc (), value));
}

void
fsim_obj_set_double (FsimObject *obj, const char *field, double value)
{
  fsim_obj_set (obj, field, json_node_init_double (json_node_alloc (), value));
}

void
fsim_obj_set_bool (FsimObject *obj, const char *field, gboolean value)
{
  fsim_obj_set (obj, field, json_node_init_boolean (json_node_alloc (), value));
}

/* json_node_copy() shares arrays and objects; containers changed in place
 * need a copy of their own. */
JsonNode *
fsim_json_deep_copy (JsonNode *node)
{
  JsonNode *copy;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node);
      JsonArray *dst = json_array_sized_new (json_array_get_length (src));

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, fsim_json_deep_copy (json_array_get_element (src, i)));
      /* json_node_take_array(): the node owns the only reference. */
      copy = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (copy, dst);
      return copy;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject    *dst = json_object_new ();
      JsonObjectIter iter;
      const char    *name;
      JsonNode      *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (dst, name, fsim_json_deep_copy (member));
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, dst);
      return copy;
    }
  return json_node_copy (node);
}

/* Returns the node of @field, made private to @obj so it can be changed in
 * place.  Stored containers are never shared, see fsim_obj_set(). */
static JsonNode *
writable (FsimObject *obj, const char *field)
{
  int f = field_index (obj, field);

  if (f < 0)
    return NULL;
  if (obj->values[f] == NULL)
    obj->values[f] = fsim_json_deep_copy (fsim_field_default (obj->cls, f));
  return obj->values[f];
}

gboolean
fsim_obj_set_contains (FsimObject *obj, const char *field, const char *value)
{
  JsonArray *array = fsim_obj_get_array (obj, field);

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

void
fsim_obj_set_add (FsimObject *obj, const char *field, const char *value)
{
  JsonNode *node;

  if (fsim_obj_set_contains (obj, field, value))
    return;
  node = writable (obj, field);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  json_array_add_string_element (json_node_get_array (node), value);
  bump (obj);
}

/* Appends without looking for duplicates: for new references, which cannot
 * be in the set yet (keeps building big pools linear). */
void
fsim_obj_set_append (FsimObject *obj, const char *field, const char *value)
{
  JsonNode *node = writable (obj, field);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  json_array_add_string_element (json_node_get_array (node), value);
  bump (obj);
}

gboolean
fsim_obj_set_remove (FsimObject *obj, const char *field, const char *value)
{
  JsonNode  *node;
  JsonArray *array;

  if (!fsim_obj_set_contains (obj, field, value))
    return FALSE;
  node = writable (obj, field);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      {
        json_array_remove_element (array, i);
        break;
      }
  bump (obj);
  return TRUE;
}

void
fsim_obj_map_put (FsimObject *obj, const char *field, const char *key, const char *value)
{
  JsonNode *node = writable (obj, field);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  json_object_set_string_member (json_node_get_object (node), key, value);
  bump (obj);
}

gboolean
fsim_obj_map_remove (FsimObject *obj, const char *field, const char *key)
{
  JsonObject *map = fsim_obj_get_map (obj, field);

  if (map == NULL || !json_object_has_member (map, key))
    return FALSE;
  json_object_remove_member (json_node_get_object (writable (obj, field)), key);
  bump (obj);
  return TRUE;
}

/* ---- JSON writing ---- */

void
fsim_json_write_string (GString *out, const char *s)
{
  const char *start = s;

  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      guchar c = *s;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, start, s - start);
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default: g_string_append_printf (out, "\\u%04x", c); break;
        }
      start = s + 1;
    }
  g_string_append_len (out, start, s - start);
  g_string_append_c (out, '"');
}

/* printf is the slowest part of writing big records */
static void
append_int (GString *out, gint64 v)
{
  char    buf[24];
  int     i = sizeof buf;
  guint64 u = v < 0 ? -(guint64) v : (guint64) v;

  do
    {
      buf[--i] = '0' + u % 10;
      u /= 10;
    }
  while (u != 0);
  if (v < 0)
    buf[--i] = '-';
  g_string_append_len (out, buf + i, sizeof buf - i);
}

void
fsim_json_write (GString *out, JsonNode *node)
{
  if (node == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char    *name;
        JsonNode      *member;
        gboolean       first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            fsim_json_write_string (out, name);
            g_string_append_c (out, ':');
            fsim_json_write (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint      n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            fsim_json_write (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
    default:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          fsim_json_write_string (out, json_node_get_string (node));
        else if (type == G_TYPE_INT64)
          append_int (out, json_node_get_int (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else
          {
            char   buf[G_ASCII_DTOSTR_BUF_SIZE];
            double d = json_node_get_double (node);

            g_ascii_dtostr (buf, sizeof buf, d);
            g_string_append (out, buf);
            /* keep floats recognisable as floats, like XAPI's "1.0" */
            if (strpbrk (buf, ".eEn") == NULL)
              g_string_append (out, ".0");
          }
      }
      break;
    }
}

void
fsim_obj_write_record (FsimObject *obj, GString *out)
{
  if (obj->cached == NULL)
    {
      const FsimClassDef *def = &fsim_classes[obj->cls];
      GString            *s = g_string_sized_new (256);

      g_string_append_c (s, '{');
      for (guint f = 0; f < def->n_fields; f++)
        {
          if (f > 0)
            g_string_append_c (s, ',');
          fsim_json_write_string (s, def->fields[f].name);
          g_string_append_c (s, ':');
          fsim_json_write (s, obj->values[f] != NULL ? obj->values[f] : fsim_field_default (obj->cls, f));
        }
      g_string_append_c (s, '}');
      obj->cached_len = s->len;
      obj->cached = g_string_free (s, FALSE);
    }
  g_string_append_len (out, obj->cached, obj->cached_len);
}
