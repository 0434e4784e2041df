/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-db.h: the object database of one simulated pool, with event generations */

#pragma once

#include <json-glib/json-glib.h>

#include "fsim-fields.h"

G_BEGIN_DECLS

typedef struct _FsimDb     FsimDb;
typedef struct _FsimObject FsimObject;

/* Called (once per main-loop iteration at most) after the database changed. */
typedef void (*FsimDbChangedFunc) (FsimDb *db, gpointer user_data);

struct _FsimObject
{
  FsimDb    *db;
  guint      cls; /* index into fsim_classes */
  char      *ref;
  JsonNode **values; /* one per field; NULL means the class default */
  guint64    created_gen;
  guint64    modified_gen;
  GList      link;   /* in the database's change list, oldest first */
  char      *cached; /* serialised record, NULL when stale */
  gsize      cached_len;
};

typedef struct
{
  const char *cls_name; /* lower-case class name */
  const char *ref;
  const char *operation; /* "add", "mod" or "del" */
  guint64     gen;
  FsimObject *obj; /* NULL for "del" */
} FsimEvent;

/* Class and field tables */
int                   fsim_class_lookup (const char *name);
int                   fsim_class_lookup_ci (const char *name);
const char           *fsim_class_name (guint cls);
const char           *fsim_class_lower_name (guint cls);
int                   fsim_field_lookup (guint cls, const char *field);
const FsimMessageDef *fsim_message_lookup (guint cls, const char *message);
JsonNode             *fsim_field_default (guint cls, guint field);

/* Database */
FsimDb               *fsim_db_new (FsimDbChangedFunc changed, gpointer user_data);
void                  fsim_db_free (FsimDb *db);
guint64               fsim_db_get_generation (FsimDb *db);
FsimObject           *fsim_db_lookup (FsimDb *db, const char *ref);
FsimObject           *fsim_db_lookup_class (FsimDb *db, guint cls, const char *ref);
FsimObject           *fsim_db_lookup_uuid (FsimDb *db, guint cls, const char *uuid);
GHashTable           *fsim_db_get_table (FsimDb *db, guint cls);
guint                 fsim_db_count (FsimDb *db, guint cls);
GPtrArray            *fsim_db_list (FsimDb *db, guint cls);
FsimObject           *fsim_db_create (FsimDb *db, const char *cls_name, const char *uuid);
void                  fsim_db_destroy_object (FsimDb *db, FsimObject *obj);
GArray               *fsim_db_collect_events (FsimDb *db, guint64 since, const gboolean *classes,
                                              GHashTable *refs);

/* Objects */
FsimObject           *fsim_ref_valid (FsimDb *db, const char *cls_name, const char *ref);
JsonNode             *fsim_obj_get (FsimObject *obj, const char *field);
const char           *fsim_obj_get_string (FsimObject *obj, const char *field);
gint64                fsim_obj_get_int (FsimObject *obj, const char *field);
double                fsim_obj_get_double (FsimObject *obj, const char *field);
gboolean              fsim_obj_get_bool (FsimObject *obj, const char *field);
JsonArray            *fsim_obj_get_array (FsimObject *obj, const char *field);
JsonObject           *fsim_obj_get_map (FsimObject *obj, const char *field);
const char           *fsim_obj_get_map_value (FsimObject *obj, const char *field, const char *key);
const char           *fsim_obj_uuid (FsimObject *obj);

void                  fsim_obj_set (FsimObject *obj, const char *field, JsonNode *value);
void                  fsim_obj_set_string (FsimObject *obj, const char *field, const char *value);
void                  fsim_obj_set_int (FsimObject *obj, const char *field, gint64 value);
void                  fsim_obj_set_double (FsimObject *obj, const char *field, double value);
void                  fsim_obj_set_bool (FsimObject *obj, const char *field, gboolean value);
void                  fsim_obj_set_add (FsimObject *obj, const char *field, const char *value);
void                  fsim_obj_set_append (FsimObject *obj, const char *field, const char *value);
gboolean              fsim_obj_set_remove (FsimObject *obj, const char *field, const char *value);
gboolean              fsim_obj_set_contains (FsimObject *obj, const char *field, const char *value);
void                  fsim_obj_map_put (FsimObject *obj, const char *field, const char *key,
                                        const char *value);
gboolean              fsim_obj_map_remove (FsimObject *obj, const char *field, const char *key);
void                  fsim_obj_touch (FsimObject *obj);

/* Serialisation (the cached record is kept until the object changes) */
void                  fsim_obj_write_record (FsimObject *obj, GString *out);
void                  fsim_json_write (GString *out, JsonNode *node);
void                  fsim_json_write_string (GString *out, const char *s);
JsonNode             *fsim_json_deep_copy (JsonNode *node);

/* A node that takes over the caller's reference to @array / @object
 * (json_node_init_array() would add one of its own and leak ours). */
static inline JsonNode *
fsim_node_take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

static inline JsonNode *
fsim_node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

/* Timers and idles on the thread-default main context (the simulator may run
 * in a thread of its own); fsim_source_clear() destroys and forgets one. */
GSource *fsim_source_new (guint ms, GSourceFunc func, gpointer data);
void     fsim_source_clear (GSource **source);

char    *fsim_new_ref (void);
char    *fsim_datetime_now (void);

G_END_DECLS
