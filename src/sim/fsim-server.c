/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-server.c: simulated XAPI pools on a SoupServer
 *
 * One SoupServer listens on 127.0.P.H for every host H of every pool P; the
 * local address a request arrived on tells which host it is talking to, so a
 * supporter can answer HOST_IS_SLAVE exactly like a real pool member.
 *
 * Everything runs on one main context.  event.from calls that have nothing to
 * report pause their message and wait for the pool's database to change, so
 * they never hold up other requests.
 */

#include "fsim-private.h"
#include "fsim-scenario.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#define MAX_BODY (300 * 1024)
#define MAX_RECORDED_CALLS 20000
#define MAX_PROGRESS_MARKS 8192

G_DEFINE_QUARK (fsim-error-quark, fsim_error)

typedef enum
{
  FAULT_DROP,
  FAULT_DELAY,
  FAULT_MALFORMED,
} FaultKind;

typedef struct
{
  FaultKind kind;
  char     *method; /* NULL: any */
  int       count;
  double    seconds;
  char     *malformed;
  double    megabytes; /* malformed "huge" */
} Fault;

typedef struct
{
  FsimCall   *call;
  FsimPool   *pool;
  guint64     since;
  gboolean   *classes;
  GHashTable *refs;
  GSource    *timeout;
  char       *session;
} Waiter;

typedef struct
{
  FsimPool *pool;
  guint     host; /* index in pool->hosts */
} Address;

struct _FsimServer
{
  GObject          parent_instance;

  GPtrArray       *pools;
  GHashTable      *addresses; /* "127.0.P.H" -> Address */
  SoupServer      *soup;
  guint            port;
  gboolean         https;
  gboolean         control_enabled;
  gboolean         quiet;
  double           bandwidth;
  GTlsCertificate *certificate;
  guint64          requests;
  FsimMigrations  *migrations;
  GList           *pending;   /* FsimCall being delayed or dropped */
  GSource         *warm;      /* serialises records ahead of the first get_all_records */
  GPtrArray       *warm_refs; /* per pool: GPtrArray of refs still to serialise */
  guint            warm_pool;
  GArray          *progress_marks; /* ProgressMark: when each task progress changed */
  GHashTable      *raw_values;     /* marker -> GBytes: control "bad_record" */
  guint            raw_serial;
};

/* A task's progress changing, with the time it changed: benchmarks measure
 * how long clients take to see it (control command "progress_log"). */
typedef struct
{
  FsimPool *pool;
  char     *task;
  double    progress;
  gint64    time; /* g_get_monotonic_time () */
} ProgressMark;

enum
{
  PROP_0,
  PROP_BANDWIDTH,
  PROP_HTTPS,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FsimServer, fsim_server, G_TYPE_OBJECT)

static void waiter_free (Waiter *w);
static void wake_waiters (FsimDb *db, gpointer user_data);

/* ---- errors and results ---- */

void
fsim_call_error (FsimCall *call, const char *code, ...)
{
  va_list     ap;
  const char *p;

  g_clear_pointer (&call->error, g_ptr_array_unref);
  call->error = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (call->error, g_strdup (code));
  va_start (ap, code);
  while ((p = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (call->error, g_strdup (p));
  va_end (ap);
}

void
fsim_call_error_strv (FsimCall *call, const char * const *error)
{
  g_clear_pointer (&call->error, g_ptr_array_unref);
  call->error = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; error[i] != NULL; i++)
    g_ptr_array_add (call->error, g_strdup (error[i]));
}

static GString *
reset_result (FsimCall *call)
{
  if (call->result == NULL)
    call->result = g_string_new (NULL);
  g_string_truncate (call->result, 0);
  return call->result;
}

void
fsim_call_result_void (FsimCall *call)
{
  g_string_append (reset_result (call), "\"\"");
}

void
fsim_call_result_string (FsimCall *call, const char *value)
{
  fsim_json_write_string (reset_result (call), value);
}

/* Takes ownership of @node. */
void
fsim_call_result_node (FsimCall *call, JsonNode *node)
{
  fsim_json_write (reset_result (call), node);
  json_node_unref (node);
}

guint
fsim_call_n_params (FsimCall *call)
{
  return call->params != NULL ? json_array_get_length (call->params) : 0;
}

const char *
fsim_call_param_string (FsimCall *call, guint i)
{
  JsonNode *node;

  if (i >= fsim_call_n_params (call))
    return NULL;
  node = json_array_get_element (call->params, i);
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
fsim_call_param_map (FsimCall *call, guint i)
{
  JsonNode *node;

  if (i >= fsim_call_n_params (call))
    return NULL;
  node = json_array_get_element (call->params, i);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The object @cls named by parameter @i, or NULL with HANDLE_INVALID set. */
FsimObject *
fsim_call_param_ref (FsimCall *call, guint i, const char *cls)
{
  const char *ref = fsim_call_param_string (call, i);
  FsimObject *obj = ref != NULL ? fsim_ref_valid (call->pool->db, cls, ref) : NULL;

  if (obj == NULL)
    fsim_call_error (call, "HANDLE_INVALID", cls, ref != NULL ? ref : "", NULL);
  return obj;
}

/* ---- XML-RPC rendering of task results (xapi.md §1.8) ---- */

static void
xml_escape_append (GString *out, const char *s)
{
  g_autofree char *escaped = g_markup_escape_text (s, -1);

  g_string_append (out, escaped);
}

static void
xmlrpc_append (GString *out, JsonNode *node)
{
  g_string_append (out, "<value>");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    ;
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char    *name;
      JsonNode      *member;

      g_string_append (out, "<struct>");
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          g_string_append (out, "<member><name>");
          xml_escape_append (out, name);
          g_string_append (out, "</name>");
          xmlrpc_append (out, member);
          g_string_append (out, "</member>");
        }
      g_string_append (out, "</struct>");
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);

      g_string_append (out, "<array><data>");
      for (guint i = 0; i < json_array_get_length (a); i++)
        xmlrpc_append (out, json_array_get_element (a, i));
      g_string_append (out, "</data></array>");
    }
  else
    {
      GType t = json_node_get_value_type (node);

      if (t == G_TYPE_STRING)
        xml_escape_append (out, json_node_get_string (node));
      else if (t == G_TYPE_BOOLEAN)
        g_string_append_printf (out, "<boolean>%d</boolean>", json_node_get_boolean (node) ? 1 : 0);
      else if (t == G_TYPE_INT64)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append_printf (out, "<double>%s</double>",
                                  g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
        }
    }
  g_string_append (out, "</value>");
}

char *
fsim_xmlrpc_value (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  xmlrpc_append (out, node);
  return g_string_free (out, FALSE);
}

/* ---- tasks ---- */

FsimObject *
fsim_task_new (FsimPool *pool, FsimObject *host, const char *name_label)
{
  FsimObject      *task = fsim_db_create (pool->db, "task", NULL);
  g_autofree char *now = fsim_datetime_now ();

  fsim_obj_set_string (task, "name_label", name_label);
  fsim_obj_set_string (task, "name_description", "");
  fsim_obj_set_string (task, "created", now);
  fsim_obj_set_string (task, "finished", "19700101T00:00:00Z");
  fsim_obj_set_string (task, "status", "pending");
  fsim_obj_set_string (task, "resident_on", host != NULL ? host->ref : "OpaqueRef:NULL");
  fsim_obj_set_double (task, "progress", 0.0);
  fsim_obj_set_string (task, "type", "<none/>");
  fsim_obj_set_string (task, "result", "");
  fsim_obj_map_put (task, "other_config", "http:user_agent", "ferry-sim");
  return task;
}

void
fsim_task_set_progress (FsimPool *pool, FsimObject *task, double progress)
{
  /* real XAPI reports progress in steps; two decimals is plenty */
  progress = ((gint64) (progress * 100.0 + 0.5)) / 100.0;
  if (fsim_obj_get_double (task, "progress") != progress)
    {
      FsimServer  *server = pool->server;
      ProgressMark mark = { pool, g_strdup (task->ref), progress, g_get_monotonic_time () };

      /* bounded: drop the older half when full */
      if (server->progress_marks->len >= MAX_PROGRESS_MARKS)
        g_array_remove_range (server->progress_marks, 0, MAX_PROGRESS_MARKS / 2);
      g_array_append_val (server->progress_marks, mark);
      fsim_obj_set_double (task, "progress", progress);
    }
}

static void
task_finish (FsimObject *task, const char *status)
{
  g_autofree char *now = fsim_datetime_now ();

  fsim_obj_set_string (task, "status", status);
  fsim_obj_set_double (task, "progress", 1.0);
  fsim_obj_set_string (task, "finished", now);
  fsim_obj_set (task, "allowed_operations", fsim_node_take_array (json_array_new ()));
}

void
fsim_task_succeed (FsimPool *pool, FsimObject *task, JsonNode *result)
{
  g_autofree char *xml = fsim_xmlrpc_value (result);

  fsim_obj_set_string (task, "result", xml);
  task_finish (task, "success");
}

void
fsim_task_fail (FsimPool *pool, FsimObject *task, const char * const *error)
{
  JsonArray *info = json_array_new ();

  for (guint i = 0; error[i] != NULL; i++)
    json_array_add_string_element (info, error[i]);
  fsim_obj_set (task, "error_info", fsim_node_take_array (info));
  fsim_obj_set_string (task, "backtrace", "()");
  task_finish (task, "failure");
}

void
fsim_task_cancelled (FsimPool *pool, FsimObject *task)
{
  JsonArray *info = json_array_new ();

  json_array_add_string_element (info, "TASK_CANCELLED");
  json_array_add_string_element (info, task->ref);
  fsim_obj_set (task, "error_info", fsim_node_take_array (info));
  task_finish (task, "cancelled");
}

/* ---- helpers ---- */

FsimPool *
fsim_server_pool_of_host (FsimServer *self, const char *host_ref, FsimObject **host)
{
  for (guint i = 0; i < self->pools->len; i++)
    {
      FsimPool   *pool = self->pools->pdata[i];
      FsimObject *h = fsim_ref_valid (pool->db, "host", host_ref);

      if (h != NULL)
        {
          if (host != NULL)
            *host = h;
          return pool;
        }
    }
  return NULL;
}

GPtrArray *
fsim_server_get_pools (FsimServer *self)
{
  return self->pools;
}

FsimMigrations *
fsim_server_get_migrations (FsimServer *self)
{
  return self->migrations;
}

char *
fsim_server_host_base_url (FsimServer *self, FsimObject *host)
{
  return g_strdup_printf ("%s://%s:%u", self->https ? "https" : "http",
                          fsim_obj_get_string (host, "address"), self->port);
}

static FsimPool *
find_pool (FsimServer *self, const char *name)
{
  for (guint i = 0; name != NULL && i < self->pools->len; i++)
    {
      FsimPool *pool = self->pools->pdata[i];

      if (g_strcmp0 (pool->name, name) == 0 || g_strcmp0 (pool->pool->ref, name) == 0 ||
          g_strcmp0 (fsim_obj_uuid (pool->pool), name) == 0)
        return pool;
    }
  return NULL;
}

static FsimObject *
session_of (FsimPool *pool, const char *ref)
{
  return ref != NULL ? fsim_ref_valid (pool->db, "session", ref) : NULL;
}

static gboolean
is_master (FsimPool *pool, FsimObject *host)
{
  return g_strcmp0 (fsim_obj_get_string (pool->pool, "master"), host->ref) == 0;
}

/* Where HOST_IS_SLAVE sends a client that called @host, or NULL if @host is
 * the master and answers itself.  A redirected host (control "redirect")
 * behaves as a member of another pool, so that clients can be tested on a
 * redirect that lands on the wrong pool. */
static const char *
redirect_address (FsimPool *pool, FsimObject *host)
{
  FsimPool   *other = pool->redirects != NULL ? g_hash_table_lookup (pool->redirects, host->ref) : NULL;
  const char *address = pool->redirect_addresses != NULL
                        ? g_hash_table_lookup (pool->redirect_addresses, host->ref)
                        : NULL;

  if (address != NULL)
    return address;
  if (other != NULL)
    return fsim_pool_master_address (other);
  return is_master (pool, host) ? NULL : fsim_pool_master_address (pool);
}

/* ---- generic messages (every class of the data model) ---- */

static void
write_record_map (GString *out, FsimDb *db, guint cls)
{
  g_autoptr(GPtrArray) list = fsim_db_list (db, cls);

  g_string_append_c (out, '{');
  for (guint i = 0; i < list->len; i++)
    {
      FsimObject *obj = list->pdata[i];

      if (i > 0)
        g_string_append_c (out, ',');
      fsim_json_write_string (out, obj->ref);
      g_string_append_c (out, ':');
      fsim_obj_write_record (obj, out);
    }
  g_string_append_c (out, '}');
}

static gboolean
handle_generic (FsimCall *call, guint cls)
{
  const char *msg = call->message;
  FsimDb     *db = call->pool->db;
  const char *cls_name = fsim_class_name (cls);
  GString    *out;
  FsimObject *obj;
  int         f;

  if (strcmp (msg, "get_all_records") == 0)
    {
      write_record_map (reset_result (call), db, cls);
      return TRUE;
    }
  if (strcmp (msg, "get_all") == 0)
    {
      g_autoptr(GPtrArray) list = fsim_db_list (db, cls);

      out = reset_result (call);
      g_string_append_c (out, '[');
      for (guint i = 0; i < list->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          fsim_json_write_string (out, ((FsimObject *) list->pdata[i])->ref);
        }
      g_string_append_c (out, ']');
      return TRUE;
    }
  if (strcmp (msg, "get_by_uuid") == 0)
    {
      const char *uuid = fsim_call_param_string (call, 0);

      obj = uuid != NULL ? fsim_db_lookup_uuid (db, cls, uuid) : NULL;
      if (obj == NULL)
        fsim_call_error (call, "UUID_INVALID", cls_name, uuid != NULL ? uuid : "", NULL);
      else
        fsim_call_result_string (call, obj->ref);
      return TRUE;
    }
  if (strcmp (msg, "get_by_name_label") == 0)
    {
      const char *label = fsim_call_param_string (call, 0);
      g_autoptr(GPtrArray) list = fsim_db_list (db, cls);
      gboolean first = TRUE;

      out = reset_result (call);
      g_string_append_c (out, '[');
      for (guint i = 0; i < list->len; i++)
        {
          obj = list->pdata[i];
          if (g_strcmp0 (fsim_obj_get_string (obj, "name_label"), label) != 0)
            continue;
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          fsim_json_write_string (out, obj->ref);
        }
      g_string_append_c (out, ']');
      return TRUE;
    }

  /* everything below acts on one object given as the first parameter */
  if (!g_str_has_prefix (msg, "get_") && !g_str_has_prefix (msg, "set_") &&
      !g_str_has_prefix (msg, "add_") && !g_str_has_prefix (msg, "remove_"))
    return FALSE;
  obj = fsim_call_param_ref (call, 0, cls_name);
  if (obj == NULL)
    return TRUE;
  if (strcmp (msg, "get_record") == 0)
    {
      fsim_obj_write_record (obj, reset_result (call));
      return TRUE;
    }
  if (g_str_has_prefix (msg, "get_") && (f = fsim_field_lookup (cls, msg + 4)) >= 0)
    {
      fsim_json_write (reset_result (call), fsim_obj_get (obj, msg + 4));
      return TRUE;
    }
  if (g_str_has_prefix (msg, "set_") && (f = fsim_field_lookup (cls, msg + 4)) >= 0)
    {
      JsonNode *value = json_array_get_element (call->params, 1);
      JsonNode *current = fsim_obj_get (obj, msg + 4);

      if (json_node_get_node_type (value) != json_node_get_node_type (current) ||
          (JSON_NODE_HOLDS_VALUE (value) && JSON_NODE_HOLDS_VALUE (current) &&
           json_node_get_value_type (value) != json_node_get_value_type (current) &&
           !(json_node_get_value_type (current) == G_TYPE_DOUBLE &&
             json_node_get_value_type (value) == G_TYPE_INT64)))
        {
          fsim_call_error (call, "FIELD_TYPE_ERROR", msg + 4, NULL);
          return TRUE;
        }
      fsim_obj_set (obj, msg + 4, fsim_json_deep_copy (value));
      fsim_call_result_void (call);
      return TRUE;
    }
  if (g_str_has_prefix (msg, "add_to_") && fsim_field_lookup (cls, msg + 7) >= 0)
    {
      const char *key = fsim_call_param_string (call, 1);
      const char *value = fsim_call_param_string (call, 2);

      if (key == NULL || value == NULL)
        fsim_call_error (call, "FIELD_TYPE_ERROR", msg + 7, NULL);
      else if (fsim_obj_get_map_value (obj, msg + 7, key) != NULL)
        fsim_call_error (call, "MAP_DUPLICATE_KEY", cls_name, msg + 7, obj->ref, key, NULL);
      else
        {
          fsim_obj_map_put (obj, msg + 7, key, value);
          fsim_call_result_void (call);
        }
      return TRUE;
    }
  if (g_str_has_prefix (msg, "remove_from_") && fsim_field_lookup (cls, msg + 12) >= 0)
    {
      const char *key = fsim_call_param_string (call, 1);

      if (key == NULL)
        fsim_call_error (call, "FIELD_TYPE_ERROR", msg + 12, NULL);
      else
        {
          fsim_obj_map_remove (obj, msg + 12, key);
          fsim_call_result_void (call);
        }
      return TRUE;
    }
  if (g_str_has_prefix (msg, "add_") && fsim_field_lookup (cls, msg + 4) >= 0)
    {
      const char *value = fsim_call_param_string (call, 1);

      if (value == NULL)
        fsim_call_error (call, "FIELD_TYPE_ERROR", msg + 4, NULL);
      else
        {
          fsim_obj_set_add (obj, msg + 4, value);
          fsim_call_result_void (call);
        }
      return TRUE;
    }
  if (g_str_has_prefix (msg, "remove_") && fsim_field_lookup (cls, msg + 7) >= 0)
    {
      const char *value = fsim_call_param_string (call, 1);

      if (value == NULL)
        fsim_call_error (call, "FIELD_TYPE_ERROR", msg + 7, NULL);
      else
        {
          fsim_obj_set_remove (obj, msg + 7, value);
          fsim_call_result_void (call);
        }
      return TRUE;
    }
  return FALSE;
}

/* ---- sessions ---- */

static void
handle_login (FsimCall *call)
{
  const char      *user = fsim_call_param_string (call, 0);
  const char      *pwd = fsim_call_param_string (call, 1);
  const char      *originator = fsim_call_param_string (call, 3);
  FsimPool        *pool = call->pool;
  FsimObject      *session;
  g_autofree char *now = NULL;

  if (redirect_address (pool, call->host) != NULL)
    {
      fsim_call_error (call, "HOST_IS_SLAVE", redirect_address (pool, call->host), NULL);
      return;
    }
  if (user == NULL || pwd == NULL || strcmp (user, pool->username) != 0 || strcmp (pwd, pool->password) != 0)
    {
      fsim_call_error (call, "SESSION_AUTHENTICATION_FAILED", user != NULL ? user : "",
                       "Authentication failure", NULL);
      return;
    }
  now = fsim_datetime_now ();
  session = fsim_db_create (pool->db, "session", NULL);
  fsim_obj_set_string (session, "this_host", call->host->ref);
  fsim_obj_set_string (session, "last_active", now);
  fsim_obj_set_string (session, "validation_time", now);
  fsim_obj_set_bool (session, "is_local_superuser", TRUE);
  fsim_obj_set_string (session, "auth_user_name", user);
  fsim_obj_set_string (session, "originator", originator != NULL ? originator : "");
  fsim_call_result_string (call, session->ref);
}

static void
fail_waiters_of_session (FsimPool *pool, const char *session_ref)
{
  GList *l = pool->waiters;

  while (l != NULL)
    {
      Waiter *w = l->data;
      GList  *next = l->next;

      if (session_ref == NULL || g_strcmp0 (w->session, session_ref) == 0)
        {
          pool->waiters = g_list_delete_link (pool->waiters, l);
          fsim_call_error (w->call, "SESSION_INVALID", w->session, NULL);
          fsim_call_finish (w->call);
          w->call = NULL;
          waiter_free (w);
        }
      l = next;
    }
}

static void
handle_logout (FsimCall *call)
{
  FsimObject      *session = session_of (call->pool, call->session);
  g_autofree char *ref = g_strdup (call->session);

  if (session != NULL)
    fsim_db_destroy_object (call->pool->db, session);
  fail_waiters_of_session (call->pool, ref);
  fsim_call_result_void (call);
}

/* ---- events ---- */

/* @given: the token to answer with (a stuck stream), or NULL for the
 * current generation */
static void
write_events (FsimCall *call, GArray *events, FsimDb *db, const char *given)
{
  GString *out = reset_result (call);
  char     token[64];

  g_string_append (out, "{\"events\":[");
  for (guint i = 0; i < events->len; i++)
    {
      FsimEvent *ev = &g_array_index (events, FsimEvent, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_printf (out, "{\"id\":\"%" G_GUINT64_FORMAT "\",\"timestamp\":\"0.0\",\"class\":", ev->gen);
      fsim_json_write_string (out, ev->cls_name);
      g_string_append_printf (out, ",\"operation\":\"%s\",\"ref\":", ev->operation);
      fsim_json_write_string (out, ev->ref);
      if (ev->obj != NULL)
        {
          g_string_append (out, ",\"snapshot\":");
          fsim_obj_write_record (ev->obj, out);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],\"valid_ref_counts\":{");
  for (guint c = 0; c < fsim_n_classes; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      fsim_json_write_string (out, fsim_class_lower_name (c));
      g_string_append_printf (out, ":%u", fsim_db_count (db, c));
    }
  g_snprintf (token, sizeof token, "%020" G_GUINT64_FORMAT ",%020d", fsim_db_get_generation (db), 0);
  g_string_append (out, "},\"token\":");
  fsim_json_write_string (out, given != NULL ? given : token);
  g_string_append_c (out, '}');
}

static void
waiter_free (Waiter *w)
{
  fsim_source_clear (&w->timeout);
  g_free (w->classes);
  g_clear_pointer (&w->refs, g_hash_table_unref);
  g_free (w->session);
  g_free (w);
}

/* Answers a waiting event.from if it can; TRUE when it did. */
static gboolean
waiter_try (Waiter *w, gboolean timed_out)
{
  FsimPool *pool = w->pool;
  g_autoptr(GArray) events = NULL;

  if (session_of (pool, w->session) == NULL)
    {
      fsim_call_error (w->call, "SESSION_INVALID", w->session, NULL);
      return TRUE;
    }
  if (redirect_address (pool, w->call->host) != NULL)
    {
      fsim_call_error (w->call, "HOST_IS_SLAVE", redirect_address (pool, w->call->host), NULL);
      return TRUE;
    }
  events = fsim_db_collect_events (pool->db, w->since, w->classes, w->refs);
  if (events->len == 0 && !timed_out)
    return FALSE;
  write_events (w->call, events, pool->db, NULL);
  return TRUE;
}

static gboolean
waiter_timeout_cb (gpointer data)
{
  Waiter   *w = data;
  FsimPool *pool = w->pool;

  g_clear_pointer (&w->timeout, g_source_unref);
  pool->waiters = g_list_remove (pool->waiters, w);
  waiter_try (w, TRUE);
  fsim_call_finish (w->call);
  w->call = NULL;
  waiter_free (w);
  return G_SOURCE_REMOVE;
}

static void
wake_waiters (FsimDb *db, gpointer user_data)
{
  FsimPool *pool = user_data;
  GList    *l = pool->waiters;

  while (l != NULL)
    {
      Waiter *w = l->data;
      GList  *next = l->next;

      if (waiter_try (w, FALSE))
        {
          pool->waiters = g_list_delete_link (pool->waiters, l);
          fsim_call_finish (w->call);
          w->call = NULL;
          waiter_free (w);
        }
      l = next;
    }
}

static gboolean
parse_token (const char *token, guint64 *gen)
{
  const char      *comma;
  g_autofree char *first = NULL;
  guint64          second;

  if (token[0] == '\0')
    {
      *gen = 0;
      return TRUE;
    }
  comma = strchr (token, ',');
  if (comma == NULL)
    return FALSE;
  first = g_strndup (token, comma - token);
  return g_ascii_string_to_unsigned (first, 10, 0, G_MAXINT64, gen, NULL) &&
         g_ascii_string_to_unsigned (comma + 1, 10, 0, G_MAXINT64, &second, NULL);
}

static gboolean
parse_timeout (JsonNode *node, double *timeout)
{
  GType t = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (t == G_TYPE_DOUBLE || t == G_TYPE_INT64)
    *timeout = json_node_get_double (node);
  else if (t == G_TYPE_STRING)
    {
      char *end;

      *timeout = g_ascii_strtod (json_node_get_string (node), &end);
      if (*end != '\0')
        return FALSE;
    }
  else
    return FALSE;
  return TRUE;
}

static void
call_finished_cb (SoupServerMessage *msg, gpointer data);

/* Whether this event.from is one the control command "stuck_events" makes
 * answer at once with nothing, as some servers do whose event stream does
 * not advance. */
static gboolean
stuck_take (FsimPool *pool)
{
  if (pool->stuck_until != 0)
    {
      if (g_get_monotonic_time () < pool->stuck_until)
        return TRUE;
      pool->stuck_until = 0;
    }
  if (pool->stuck_calls != 0)
    {
      if (pool->stuck_calls > 0)
        pool->stuck_calls--;
      return TRUE;
    }
  return FALSE;
}

static void
handle_event_from (FsimCall *call)
{
  FsimPool   *pool = call->pool;
  JsonNode   *classes_node = json_array_get_element (call->params, 0);
  const char *token = fsim_call_param_string (call, 1);
  Waiter     *w;
  JsonArray  *classes;
  double      timeout;

  if (!JSON_NODE_HOLDS_ARRAY (classes_node))
    {
      fsim_call_error (call, "FIELD_TYPE_ERROR", "classes", NULL);
      return;
    }
  if (token == NULL)
    {
      fsim_call_error (call, "FIELD_TYPE_ERROR", "token", NULL);
      return;
    }
  if (!parse_timeout (json_array_get_element (call->params, 2), &timeout))
    {
      fsim_call_error (call, "FIELD_TYPE_ERROR", "timeout", NULL);
      return;
    }
  w = g_new0 (Waiter, 1);
  w->pool = pool;
  w->classes = g_new0 (gboolean, fsim_n_classes);
  w->session = g_strdup (call->session);
  classes = json_node_get_array (classes_node);
  for (guint i = 0; i < json_array_get_length (classes); i++)
    {
      JsonNode   *n = json_array_get_element (classes, i);
      const char *sub = json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
      g_auto(GStrv) parts = NULL;
      int cls;

      if (sub == NULL)
        {
          fsim_call_error (call, "EVENT_SUBSCRIPTION_PARSE_FAILURE", "", NULL);
          waiter_free (w);
          return;
        }
      if (strcmp (sub, "*") == 0)
        {
          for (guint c = 0; c < fsim_n_classes; c++)
            w->classes[c] = TRUE;
          continue;
        }
      parts = g_strsplit (sub, "/", -1);
      if (g_strv_length (parts) == 1 && parts[0][0] != '\0')
        {
          /* XAPI lower-cases the name and never checks it: an unknown
           * class simply matches nothing */
          if ((cls = fsim_class_lookup_ci (parts[0])) >= 0)
            w->classes[cls] = TRUE;
        }
      else if (g_strv_length (parts) == 2 && parts[0][0] != '\0' && parts[1][0] != '\0')
        {
          if (w->refs == NULL)
            w->refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_add (w->refs, g_strdup (parts[1]));
        }
      else
        {
          fsim_call_error (call, "EVENT_SUBSCRIPTION_PARSE_FAILURE", sub, NULL);
          waiter_free (w);
          return;
        }
    }
  if (!parse_token (token, &w->since))
    {
      fsim_call_error (call, "EVENT_FROM_TOKEN_PARSE_FAILURE", token, NULL);
      waiter_free (w);
      return;
    }
  if (pool->events_lost)
    {
      pool->events_lost = FALSE;
      fsim_call_error (call, "EVENTS_LOST", NULL);
      waiter_free (w);
      return;
    }
  /* A first load (token "") is answered as usual: only the stream after
   * it is stuck. */
  if (token[0] != '\0' && stuck_take (pool))
    {
      g_autoptr(GArray) none = g_array_new (FALSE, TRUE, sizeof (FsimEvent));

      write_events (call, none, pool->db, token);
      waiter_free (w);
      return;
    }
  w->call = call;
  if (waiter_try (w, timeout <= 0))
    {
      w->call = NULL;
      waiter_free (w);
      return;
    }
  /* nothing yet: park the request without blocking the loop */
  call->deferred = TRUE;
  pool->waiters = g_list_append (pool->waiters, w);
  w->timeout = fsim_source_new ((guint) MAX (1.0, MIN (timeout * 1000.0, 24.0 * 3600 * 1000)), waiter_timeout_cb, w);
}

static void
handle_event_inject (FsimCall *call)
{
  const char *cls_name = fsim_call_param_string (call, 0);
  const char *ref = fsim_call_param_string (call, 1);
  int         cls = cls_name != NULL ? fsim_class_lookup_ci (cls_name) : -1;
  FsimObject *obj = cls >= 0 && ref != NULL ? fsim_db_lookup_class (call->pool->db, cls, ref) : NULL;
  char        token[64];

  if (obj == NULL)
    {
      fsim_call_error (call, "HANDLE_INVALID", cls_name != NULL ? cls_name : "", ref != NULL ? ref : "", NULL);
      return;
    }
  /* As XAPI does, the token is the generation just before the change the
   * touch makes: event.from with it returns that "mod" at once, whatever
   * else changes meanwhile.  (The generation after it would make the
   * caller wait for the next change of anything.) */
  fsim_obj_touch (obj);
  g_snprintf (token, sizeof token, "%020" G_GUINT64_FORMAT ",%020d", obj->modified_gen - 1, 0);
  fsim_call_result_string (call, token);
}

/* ---- tasks ---- */

static void
handle_task_cancel (FsimCall *call)
{
  FsimObject *task = fsim_call_param_ref (call, 0, "task");

  if (task == NULL)
    return;
  if (g_strcmp0 (fsim_obj_get_string (task, "status"), "pending") != 0 ||
      !fsim_obj_set_contains (task, "allowed_operations", "cancel"))
    {
      fsim_call_error (call, "OPERATION_NOT_ALLOWED", "The task cannot be cancelled in its current state", NULL);
      return;
    }
  fsim_migrate_cancel_task (call->server, call->pool, task);
  fsim_call_result_void (call);
}

static void
handle_task_destroy (FsimCall *call)
{
  FsimObject *task = fsim_call_param_ref (call, 0, "task");

  if (task == NULL)
    return;
  if (g_strcmp0 (fsim_obj_get_string (task, "status"), "pending") == 0)
    {
      /* XAPI only marks a pending task; it goes once it completes */
      fsim_obj_map_put (task, "current_operations", call->session != NULL ? call->session : "", "destroy");
      fsim_call_result_void (call);
      return;
    }
  fsim_db_destroy_object (call->pool->db, task);
  fsim_call_result_void (call);
}

/* host.disable / host.enable: what makes HOST_DISABLED reachable */
static void
set_host_enabled (FsimCall *call, gboolean enabled)
{
  FsimObject *host = fsim_call_param_ref (call, 0, "host");

  if (host == NULL)
    return;
  if (fsim_obj_get_bool (host, "enabled") != enabled)
    fsim_obj_set_bool (host, "enabled", enabled);
  fsim_call_result_void (call);
}

static void
handle_host_disable (FsimCall *call)
{
  set_host_enabled (call, FALSE);
}

static void
handle_host_enable (FsimCall *call)
{
  set_host_enabled (call, TRUE);
}

/* ---- method table ---- */

typedef void (*Handler) (FsimCall *call);

typedef struct
{
  const char *name;
  Handler     handler;
  int         min_params; /* -1: the data model's count */
  int         max_params;
  gboolean    async_ok;
} Method;

static void         handle_list_methods (FsimCall *call);

static const Method methods[] = {
  /* messages with defaulted trailing parameters take fewer, and ignore
   * surplus ones (xapi.md §1.6) */
  { "session.login_with_password", handle_login, 2, G_MAXINT, FALSE },
  { "session.logout", handle_logout, -1, -1, FALSE },
  { "system.listMethods", handle_list_methods, 0, G_MAXINT, FALSE },
  { "event.from", handle_event_from, -1, -1, FALSE },
  { "event.inject", handle_event_inject, -1, -1, FALSE },
  { "task.cancel", handle_task_cancel, -1, -1, FALSE },
  { "task.destroy", handle_task_destroy, -1, -1, FALSE },
  { "VM.pool_migrate", fsim_migrate_pool_migrate, -1, -1, TRUE },
  { "VM.assert_can_migrate", fsim_migrate_assert_can_migrate, 6, G_MAXINT, TRUE },
  { "VM.migrate_send", fsim_migrate_migrate_send, 6, G_MAXINT, TRUE },
  { "VM.assert_can_boot_here", fsim_migrate_assert_can_boot_here, -1, -1, TRUE },
  { "host.migrate_receive", fsim_migrate_receive, -1, -1, TRUE },
  { "host.disable", handle_host_disable, -1, -1, TRUE },
  { "host.enable", handle_host_enable, -1, -1, TRUE },
};

static const Method *
find_method (const char *cls, const char *message)
{
  g_autofree char *name = g_strconcat (cls, ".", message, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (strcmp (methods[i].name, name) == 0)
      return &methods[i];
  return NULL;
}

static gboolean
is_generic_message (guint cls, const char *message)
{
  if (strcmp (message, "get_all") == 0 || strcmp (message, "get_all_records") == 0 ||
      strcmp (message, "get_record") == 0 || strcmp (message, "get_by_uuid") == 0 ||
      strcmp (message, "get_by_name_label") == 0)
    return TRUE;
  if (g_str_has_prefix (message, "get_") || g_str_has_prefix (message, "set_"))
    return fsim_field_lookup (cls, message + 4) >= 0;
  if (g_str_has_prefix (message, "add_to_"))
    return fsim_field_lookup (cls, message + 7) >= 0;
  if (g_str_has_prefix (message, "remove_from_"))
    return fsim_field_lookup (cls, message + 12) >= 0;
  if (g_str_has_prefix (message, "add_"))
    return fsim_field_lookup (cls, message + 4) >= 0;
  if (g_str_has_prefix (message, "remove_"))
    return fsim_field_lookup (cls, message + 7) >= 0;
  return FALSE;
}

static void
handle_list_methods (FsimCall *call)
{
  JsonArray *list = json_array_new ();

  for (guint c = 0; c < fsim_n_classes; c++)
    {
      const FsimClassDef *def = &fsim_classes[c];

      for (guint m = 0; m < def->n_messages; m++)
        if (find_method (def->name, def->messages[m].name) != NULL ||
            is_generic_message (c, def->messages[m].name))
          {
            g_autofree char *name = g_strconcat (def->name, ".", def->messages[m].name, NULL);

            json_array_add_string_element (list, name);
          }
    }
  json_array_add_string_element (list, "event.from");
  json_array_add_string_element (list, "event.inject");
  json_array_add_string_element (list, "system.listMethods");
  fsim_call_result_node (call, fsim_node_take_array (list));
}

/* "event" is not a database table, so it is not in the generated tables */
static const FsimMessageDef event_messages[] = {
  { "from", 3, TRUE },
  { "inject", 2, TRUE },
};

static const FsimMessageDef *
event_message (const char *message)
{
  for (guint i = 0; i < G_N_ELEMENTS (event_messages); i++)
    if (strcmp (event_messages[i].name, message) == 0)
      return &event_messages[i];
  return NULL;
}

/* Splits "VM.get_all", "VM_get_all" or "Async.VM.migrate_send". */
static gboolean
split_method (FsimCall *call)
{
  const char *name = call->method;
  const char *dot;

  if (g_str_has_prefix (name, "Async."))
    {
      call->async = TRUE;
      name += 6;
    }
  dot = strchr (name, '.');
  if (dot != NULL)
    {
      call->cls = g_strndup (name, dot - name);
      call->message = g_strdup (dot + 1);
      return TRUE;
    }
  if (call->async)
    return FALSE;
  /* the Class_message alias: class names contain '_' too, so try every split */
  for (const char *u = strchr (name, '_'); u != NULL; u = strchr (u + 1, '_'))
    {
      g_autofree char *cls = g_strndup (name, u - name);
      int              c = fsim_class_lookup (cls);

      if ((c >= 0 && fsim_message_lookup (c, u + 1) != NULL) ||
          (strcmp (cls, "event") == 0 && event_message (u + 1) != NULL))
        {
          call->cls = g_steal_pointer (&cls);
          call->message = g_strdup (u + 1);
          return TRUE;
        }
    }
  return FALSE;
}

static void
record_call (FsimCall *call, gboolean takes_session)
{
  JsonObject *rec = json_object_new ();
  JsonArray  *params = json_array_new ();
  JsonArray  *all = JSON_NODE_HOLDS_ARRAY (call->params_node) ? json_node_get_array (call->params_node) : NULL;
  gboolean    login = g_strcmp0 (call->method, "session.login_with_password") == 0;

  for (guint i = 0; all != NULL && i < json_array_get_length (all); i++)
    {
      if (i == 0 && takes_session)
        json_array_add_string_element (params, "SESSION");
      else if (i == 1 && login)
        json_array_add_string_element (params, "***");
      else
        json_array_add_element (params, fsim_json_deep_copy (json_array_get_element (all, i)));
    }
  json_object_set_string_member (rec, "method", call->method);
  json_object_set_array_member (rec, "params", params);
  if (call->pool->calls->len >= MAX_RECORDED_CALLS)
    g_ptr_array_remove_index (call->pool->calls, 0);
  g_ptr_array_add (call->pool->calls, fsim_node_take_object (rec));
}

static void
dispatch (FsimCall *call)
{
  const Method         *method = NULL;
  const FsimMessageDef *def = NULL;
  JsonArray            *all = json_node_get_array (call->params_node);
  guint                 n_all = json_array_get_length (all);
  gboolean              takes_session;
  int                   cls = -1;
  int                   min, max;
  guint                 received;

  if (strcmp (call->method, "system.listMethods") == 0)
    {
      record_call (call, FALSE);
      handle_list_methods (call);
      return;
    }
  if (split_method (call))
    {
      cls = fsim_class_lookup (call->cls);
      if (cls >= 0)
        def = fsim_message_lookup (cls, call->message);
      else if (strcmp (call->cls, "event") == 0)
        def = event_message (call->message);
      method = find_method (call->cls, call->message);
    }
  if (def == NULL || (method == NULL && (cls < 0 || !is_generic_message (cls, call->message))) ||
      (call->async && (method == NULL || !method->async_ok)))
    {
      record_call (call, n_all > 0);
      fsim_call_error (call, "MESSAGE_METHOD_UNKNOWN", call->method, NULL);
      return;
    }
  takes_session = def->takes_session;
  record_call (call, takes_session);
  min = method != NULL && method->min_params >= 0 ? method->min_params : (int) def->n_params;
  max = method != NULL && method->min_params >= 0 ? method->max_params : (int) def->n_params;
  received = takes_session ? (n_all > 0 ? n_all - 1 : 0) : n_all;
  if ((int) received < min || (int) received > max || (takes_session && n_all == 0))
    {
      g_autofree char *expected = g_strdup_printf ("%d", min);
      g_autofree char *got = g_strdup_printf ("%u", received);

      fsim_call_error (call, "MESSAGE_PARAMETER_COUNT_MISMATCH", call->method, expected, got, NULL);
      return;
    }
  call->params = json_array_new ();
  for (guint i = takes_session ? 1 : 0; i < n_all; i++)
    json_array_add_element (call->params, json_node_ref (json_array_get_element (all, i)));
  if (takes_session)
    {
      JsonNode *s = json_array_get_element (all, 0);

      call->session = json_node_get_value_type (s) == G_TYPE_STRING ? json_node_get_string (s) : "";
      if (redirect_address (call->pool, call->host) != NULL)
        {
          fsim_call_error (call, "HOST_IS_SLAVE", redirect_address (call->pool, call->host), NULL);
          return;
        }
      if (session_of (call->pool, call->session) == NULL)
        {
          fsim_call_error (call, "SESSION_INVALID", call->session, NULL);
          return;
        }
    }
  if (call->async)
    {
      g_autofree char *label = g_strconcat ("Async.", call->cls, ".", call->message, NULL);
      FsimObject      *task = fsim_task_new (call->pool, call->host, label);
      g_autofree char *task_ref = g_strdup (task->ref);

      call->task = task;
      method->handler (call);
      if (!call->task_running)
        {
          if (call->error != NULL)
            {
              g_ptr_array_add (call->error, NULL);
              fsim_task_fail (call->pool, task, (const char * const *) call->error->pdata);
            }
          else
            {
              g_autoptr(JsonNode) result = call->result != NULL ? json_from_string (call->result->str, NULL) : NULL;

              fsim_task_succeed (call->pool, task, result);
            }
        }
      g_clear_pointer (&call->error, g_ptr_array_unref);
      fsim_call_result_string (call, task_ref);
      return;
    }
  if (method != NULL)
    method->handler (call);
  else if (!handle_generic (call, cls))
    fsim_call_error (call, "MESSAGE_METHOD_UNKNOWN", call->method, NULL);
}

/* ---- HTTP ---- */

static const char html500[] =
  "<html><body><h1>HTTP 500 internal server error</h1>An unexpected error occurred; "
  "please wait a while and try again. If the problem persists, please contact your "
  "support representative.</body></html>";

static void
reply_html_500 (SoupServerMessage *msg, const char *detail)
{
  g_autofree char *body = g_strdup_printf ("<html><body><h1>HTTP 500 internal server error</h1>%s</body></html>",
                                           detail);

  soup_server_message_set_status (msg, 500, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_COPY, body, strlen (body));
}

void
fsim_call_free (FsimCall *call)
{
  fsim_source_clear (&call->timer);
  if (call->msg != NULL && call->finished_id != 0)
    g_signal_handler_disconnect (call->msg, call->finished_id);
  g_clear_object (&call->msg);
  g_free (call->method);
  g_free (call->cls);
  g_free (call->message);
  g_clear_pointer (&call->id, json_node_unref);
  g_clear_pointer (&call->params_node, json_node_unref);
  g_clear_pointer (&call->params, json_array_unref);
  if (call->result != NULL)
    g_string_free (call->result, TRUE);
  g_clear_pointer (&call->error, g_ptr_array_unref);
  g_free (call);
}

static Fault *
take_fault (FsimPool *pool, FaultKind kind, const char *method)
{
  for (GList *l = pool->faults; l != NULL; l = l->next)
    {
      Fault *f = l->data;

      if (f->kind != kind || (f->method != NULL && g_strcmp0 (f->method, method) != 0))
        continue;
      if (--f->count <= 0)
        pool->faults = g_list_delete_link (pool->faults, l);
      return f;
    }
  return NULL;
}

static void
fault_free (gpointer data)
{
  Fault *f = data;

  g_free (f->method);
  g_free (f->malformed);
  g_free (f);
}

/* take_fault() unlinks a fault when its count is spent; free it after use */
static void
fault_free_if_spent (Fault *f)
{
  if (f != NULL && f->count <= 0)
    fault_free (f);
}

static void
shutdown_connection (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
}

static void
truncated_wrote_cb (SoupServerMessage *msg, gpointer data)
{
  shutdown_connection (msg);
}

/* Values set with control "bad_record" are bytes no JSON writer would
 * produce (invalid UTF-8, 100 MB names): the database holds a marker
 * string, replaced here, in the reply as sent, by the bytes themselves. */
static void
substitute_raw_values (FsimServer *server,
                       GString    *out)
{
  GHashTableIter iter;
  gpointer       key, value;

  if (server == NULL || server->raw_values == NULL || g_hash_table_size (server->raw_values) == 0)
    return;
  g_hash_table_iter_init (&iter, server->raw_values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *quoted = g_strdup_printf ("\"%s\"", (const char *) key);
      const char      *found;
      gsize            raw_len;
      const char      *raw = g_bytes_get_data (value, &raw_len);

      while ((found = strstr (out->str, quoted)) != NULL)
        {
          gssize at = found - out->str;

          /* the quotes too: a value may be of another JSON type */
          g_string_erase (out, at, (gssize) strlen (quoted));
          g_string_insert_len (out, at, raw, (gssize) raw_len);
        }
    }
}

static GString *
build_reply (FsimCall *call)
{
  GString *out = g_string_sized_new (call->result != NULL ? call->result->len + 64 : 128);

  g_string_append_c (out, '{');
  if (call->v2)
    g_string_append (out, "\"jsonrpc\":\"2.0\",");
  if (call->error != NULL)
    {
      if (call->v2)
        {
          g_string_append (out, "\"error\":{\"code\":1,\"message\":");
          fsim_json_write_string (out, call->error->pdata[0]);
          g_string_append (out, ",\"data\":[");
          for (guint i = 1; i < call->error->len; i++)
            {
              if (i > 1)
                g_string_append_c (out, ',');
              fsim_json_write_string (out, call->error->pdata[i]);
            }
          g_string_append (out, "]}");
        }
      else
        {
          g_string_append (out, "\"result\":null,\"error\":[");
          for (guint i = 0; i < call->error->len; i++)
            {
              if (i > 0)
                g_string_append_c (out, ',');
              fsim_json_write_string (out, call->error->pdata[i]);
            }
          g_string_append (out, "]");
        }
    }
  else
    {
      g_string_append (out, "\"result\":");
      if (call->result != NULL)
        g_string_append_len (out, call->result->str, call->result->len);
      else
        g_string_append (out, "\"\"");
      if (!call->v2)
        g_string_append (out, ",\"error\":null");
    }
  g_string_append (out, ",\"id\":");
  fsim_json_write (out, call->id);
  g_string_append_c (out, '}');
  substitute_raw_values (call->server, out);
  return out;
}

static void
damage_result (FsimCall *call, const char *kind)
{
  if (call->error != NULL)
    g_clear_pointer (&call->error, g_ptr_array_unref);
  if (strcmp (kind, "wrong_types") == 0)
    {
      char     first = call->result != NULL && call->result->len > 0 ? call->result->str[0] : '"';
      GString *out = reset_result (call);

      if (first == '{')
        g_string_append (out, "[\"wrong\",\"types\"]");
      else if (first == '[')
        g_string_append (out, "{\"wrong\":\"types\"}");
      else if (first == '"')
        g_string_append (out, "42");
      else
        g_string_append (out, "\"wrong\"");
    }
  else if (strcmp (kind, "nan") == 0)
    g_string_append (reset_result (call), "NaN");
  else if (strcmp (kind, "deep_nesting") == 0)
    {
      GString    *out = reset_result (call);
      const gsize depth = 100000;

      g_string_set_size (out, 2 * depth);
      memset (out->str, '[', depth);
      memset (out->str + depth, ']', depth);
    }
  else if (strcmp (kind, "huge_string") == 0)
    {
      GString    *out = reset_result (call);
      const gsize n = 50 * 1024 * 1024;

      g_string_set_size (out, n + 2);
      memset (out->str, 'A', n + 2);
      out->str[0] = '"';
      out->str[n + 1] = '"';
    }
}

/* A client about to be redirected may ask for the master's certificate
 * fingerprint (xapi.md §2), to pin it before it reconnects.  Every host of
 * the simulator serves the same certificate. */
static void
add_thumbprint_header (FsimCall *call)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (call->msg);
  const char         *want = soup_message_headers_get_one (req, "x-xenapi-request-host-certificate-thumbprint");
  GTlsCertificate    *cert = call->server->certificate;
  g_autofree char    *value = NULL;

  if (want == NULL || cert == NULL || call->error == NULL ||
      strcmp (call->error->pdata[0], "HOST_IS_SLAVE") != 0)
    return;
  /* An address outside the simulator: its certificate is not ours to
   * announce. */
  if (call->pool != NULL && call->host != NULL && call->pool->redirect_addresses != NULL &&
      g_hash_table_contains (call->pool->redirect_addresses, call->host->ref))
    return;
  if (g_ascii_strcasecmp (want, "sha-256:master") == 0)
    value = fsim_server_get_certificate_fingerprint (call->server);
  else if (g_ascii_strcasecmp (want, "sha-1:master") == 0)
    {
      g_autoptr(GByteArray) der = NULL;
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
      guint8   digest[20];
      gsize    len = sizeof digest;
      GString *out = g_string_new (NULL);

      g_object_get (cert, "certificate", &der, NULL);
      g_checksum_update (sum, der->data, der->len);
      g_checksum_get_digest (sum, digest, &len);
      for (gsize i = 0; i < len; i++)
        g_string_append_printf (out, "%s%02X", i > 0 ? ":" : "", digest[i]);
      value = g_string_free (out, FALSE);
    }
  if (value != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (call->msg),
                                  "x-xenapi-response-host-certificate-thumbprint", value);
}

/* ---- Replies written by hand on the connection ------------------------- */

/* Some faults are not HTTP that libsoup would write: a Content-Length that
 * lies, a body of a gigabyte, a chunked body that never ends.  For those
 * the connection is taken from libsoup and written to directly, a static
 * megabyte at a time, so that the simulator itself stays small. */

#define RAW_CHUNK ((gsize) 1024 * 1024)

typedef struct
{
  GIOStream     *stream;
  GOutputStream *out;
  GString       *pending;  /* what is written before the filler, then after */
  gsize          filler;   /* bytes of filler still to write; G_MAXSIZE: endless */
  gint64         deadline; /* endless: stop then */
  gboolean       chunked;
  char          *tail; /* after the filler */
} RawWriter;

static char raw_filler[RAW_CHUNK];

static void raw_writer_next (RawWriter *w);

static void
raw_writer_free (RawWriter *w)
{
  g_io_stream_close (w->stream, NULL, NULL);
  g_object_unref (w->stream);
  if (w->pending != NULL)
    g_string_free (w->pending, TRUE);
  g_free (w->tail);
  g_free (w);
}

static void
raw_written (GObject *source, GAsyncResult *result, gpointer data)
{
  RawWriter *w = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      /* the client went away, as a client refusing the reply does */
      raw_writer_free (w);
      return;
    }
  raw_writer_next (w);
}

static void
raw_writer_next (RawWriter *w)
{
  if (w->pending != NULL)
    {
      g_autoptr(GString) text = g_steal_pointer (&w->pending);
      GBytes *bytes;

      if (w->chunked && text->len > 0)
        {
          g_autofree char *size = g_strdup_printf ("%" G_GSIZE_MODIFIER "x\r\n", text->len);

          g_string_prepend (text, size);
          g_string_append (text, "\r\n");
        }
      bytes = g_string_free_to_bytes (g_steal_pointer (&text));
      g_object_set_data_full (G_OBJECT (w->stream), "fsim-raw-pending", bytes,
                              (GDestroyNotify) g_bytes_unref);
      g_output_stream_write_all_async (w->out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                       G_PRIORITY_DEFAULT, NULL, raw_written, w);
      return;
    }
  if (w->filler > 0 && (w->filler != G_MAXSIZE || g_get_monotonic_time () < w->deadline))
    {
      gsize n = MIN (w->filler, RAW_CHUNK);

      if (w->filler != G_MAXSIZE)
        w->filler -= n;
      if (w->chunked)
        {
          /* one chunk of RAW_CHUNK: size line, data, CRLF */
          w->pending = g_string_new (NULL);
          g_string_append_len (w->pending, raw_filler, (gssize) n);
          raw_writer_next (w);
          return;
        }
      g_output_stream_write_all_async (w->out, raw_filler, n, G_PRIORITY_DEFAULT, NULL, raw_written, w);
      return;
    }
  if (w->tail != NULL)
    {
      w->pending = g_string_new (w->tail);
      g_clear_pointer (&w->tail, g_free);
      raw_writer_next (w);
      return;
    }
  if (w->chunked && w->filler == 0)
    {
      /* the last chunk: only for a body that ends */
      w->chunked = FALSE;
      w->pending = g_string_new ("0\r\n\r\n");
      raw_writer_next (w);
      return;
    }
  raw_writer_free (w);
}

/* Writes the reply of the faults that libsoup would not write; FALSE for
 * the others. */
static gboolean
raw_fault_write (FsimCall *call, Fault *fault)
{
  const char *kind = fault->malformed;
  RawWriter  *w;
  GString    *head;
  GIOStream  *stream;

  if (strcmp (kind, "empty") != 0 && strcmp (kind, "wrong_content_length") != 0 &&
      strcmp (kind, "huge") != 0 && strcmp (kind, "endless") != 0)
    return FALSE;
  memset (raw_filler, 'A', sizeof raw_filler);

  if (call->paused)
    soup_server_message_unpause (call->msg);
  stream = soup_server_message_steal_connection (call->msg);
  if (stream == NULL)
    return TRUE;
  w = g_new0 (RawWriter, 1);
  w->stream = stream;
  w->out = g_io_stream_get_output_stream (stream);
  head = g_string_new ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n");
  if (strcmp (kind, "empty") == 0)
    g_string_append (head, "Content-Length: 0\r\n\r\n");
  else if (strcmp (kind, "wrong_content_length") == 0)
    {
      g_autoptr(GString) reply = build_reply (call);

      /* Announces a third of what follows: the client reads a cut reply,
       * whole as far as HTTP can tell. */
      g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", reply->len / 3);
      g_string_append_len (head, reply->str, (gssize) reply->len);
    }
  else
    {
      g_autoptr(GString) id = g_string_new (NULL);
      g_autofree char *start = NULL;

      fsim_json_write (id, call->id);
      start = g_strdup_printf ("{%s\"id\":%s,\"result\":\"", call->v2 ? "\"jsonrpc\":\"2.0\"," : "", id->str);
      w->tail = g_strdup ("\"}");
      if (strcmp (kind, "huge") == 0)
        {
          w->filler = (gsize) (fault->megabytes * 1024 * 1024);
          g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                                  strlen (start) + w->filler + strlen (w->tail));
          g_string_append (head, start);
        }
      else
        {
          /* endless, but not forever: the simulator stops after "seconds" */
          w->filler = G_MAXSIZE;
          w->deadline = g_get_monotonic_time () + (gint64) (fault->seconds * G_USEC_PER_SEC);
          g_string_append (head, "Transfer-Encoding: chunked\r\n\r\n");
          w->pending = g_string_new (start);
          w->chunked = TRUE;
          g_clear_pointer (&w->tail, g_free);
        }
    }
  if (w->pending == NULL)
    w->pending = head;
  else
    {
      /* the head goes out unframed, then the first chunk */
      GString *first = w->pending;

      w->pending = NULL;
      g_output_stream_write_all (w->out, head->str, head->len, NULL, NULL, NULL);
      g_string_free (head, TRUE);
      w->pending = first;
    }
  raw_writer_next (w);
  return TRUE;
}

void
fsim_call_finish (FsimCall *call)
{
  SoupServerMessage *msg = call->msg;
  Fault             *fault;
  GString           *reply;
  gsize              len;

  if (msg == NULL)
    {
      fsim_call_free (call);
      return;
    }
  add_thumbprint_header (call);
  fault = take_fault (call->pool, FAULT_MALFORMED, call->method);
  if (fault != NULL && raw_fault_write (call, fault))
    {
      fault_free_if_spent (fault);
      fsim_call_free (call);
      return;
    }
  if (fault != NULL && strcmp (fault->malformed, "html500") == 0)
    {
      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, html500, strlen (html500));
    }
  else
    {
      if (fault != NULL)
        damage_result (call, fault->malformed);
      reply = build_reply (call);
      len = reply->len;
      soup_server_message_set_status (msg, 200, NULL);
      if (fault != NULL && strcmp (fault->malformed, "not_json") == 0)
        {
          g_string_assign (reply, "<?xml version=\"1.0\"?><methodResponse><fault>not json</fault>");
          len = reply->len;
        }
      if (fault != NULL && strcmp (fault->malformed, "truncated") == 0)
        {
          SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
          SoupMessageBody    *body = soup_server_message_get_response_body (msg);

          soup_message_headers_set_content_type (headers, "application/json", NULL);
          soup_message_headers_set_encoding (headers, SOUP_ENCODING_CONTENT_LENGTH);
          soup_message_headers_set_content_length (headers, len);
          soup_message_body_append (body, SOUP_MEMORY_COPY, reply->str, len / 2);
          g_string_free (reply, TRUE);
          /* the body never completes: close once the half is out */
          g_signal_connect (msg, "wrote-chunk", G_CALLBACK (truncated_wrote_cb), NULL);
        }
      else
        {
          GBytes *bytes = g_string_free_to_bytes (reply);

          soup_server_message_set_response (msg,
                                            fault != NULL && strcmp (fault->malformed, "no_content_type") == 0
                                              ? NULL
                                              : "application/json",
                                            SOUP_MEMORY_COPY, NULL, 0);
          soup_message_body_truncate (soup_server_message_get_response_body (msg));
          soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
          soup_message_body_complete (soup_server_message_get_response_body (msg));
          soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg),
                                                   g_bytes_get_size (bytes));
          g_bytes_unref (bytes);
        }
    }
  fault_free_if_spent (fault);
  if (call->paused)
    soup_server_message_unpause (msg);
  fsim_call_free (call);
}

static void
call_finished_cb (SoupServerMessage *msg, gpointer data)
{
  FsimCall *call = data;

  /* the client went away while the call was parked: forget the message */
  call->finished_id = 0;
  g_signal_handlers_disconnect_by_data (msg, call);
  g_clear_object (&call->msg);
}

void
fsim_call_park (FsimCall *call)
{
  if (!call->paused)
    {
      soup_server_message_pause (call->msg);
      call->paused = TRUE;
      call->finished_id = g_signal_connect (call->msg, "finished", G_CALLBACK (call_finished_cb), call);
    }
}

static void
run_call (FsimCall *call)
{
  dispatch (call);
  if (call->deferred)
    {
      if (call->msg != NULL)
        fsim_call_park (call);
      return;
    }
  fsim_call_finish (call);
}

static gboolean
delayed_cb (gpointer data)
{
  FsimCall *call = data;

  call->server->pending = g_list_remove (call->server->pending, call);
  g_clear_pointer (&call->timer, g_source_unref);
  if (call->msg == NULL)
    {
      fsim_call_free (call);
      return G_SOURCE_REMOVE;
    }
  run_call (call);
  return G_SOURCE_REMOVE;
}

static gboolean
drop_cb (gpointer data)
{
  FsimCall *call = data;

  call->server->pending = g_list_remove (call->server->pending, call);
  g_clear_pointer (&call->timer, g_source_unref);
  if (call->msg != NULL)
    {
      shutdown_connection (call->msg);
      soup_server_message_set_status (call->msg, 500, NULL);
      soup_server_message_unpause (call->msg);
    }
  fsim_call_free (call);
  return G_SOURCE_REMOVE;
}

static void
handle_jsonrpc (FsimServer *self, SoupServerMessage *msg, FsimPool *pool, FsimObject *host)
{
  SoupMessageBody    *body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) bytes = NULL;
  JsonObject *req;
  JsonNode   *root, *jsonrpc, *method, *id, *params;
  FsimCall   *call;
  Fault      *fault;

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      reply_html_500 (msg, "We require a content-length: HTTP header");
      return;
    }
  bytes = soup_message_body_flatten (body);
  if (g_bytes_get_size (bytes) > MAX_BODY)
    {
      reply_html_500 (msg, "Request body too large");
      return;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      reply_html_500 (msg, "Jsonrpc.Malformed_method_request(\"invalid JSON\")");
      return;
    }
  req = json_node_get_object (root);
  jsonrpc = json_object_get_member (req, "jsonrpc");
  method = json_object_get_member (req, "method");
  id = json_object_get_member (req, "id");
  params = json_object_get_member (req, "params");
  if (jsonrpc != NULL && (json_node_get_value_type (jsonrpc) != G_TYPE_STRING ||
                          strcmp (json_node_get_string (jsonrpc), "2.0") != 0))
    {
      reply_html_500 (msg, "Jsonrpc.Malformed_method_request(\"jsonrpc must be 2.0\")");
      return;
    }
  if (method == NULL || json_node_get_value_type (method) != G_TYPE_STRING)
    {
      reply_html_500 (msg, "Jsonrpc.Malformed_method_request(\"Invalid field 'method' in request body\")");
      return;
    }
  if (id == NULL || (json_node_get_value_type (id) != G_TYPE_STRING &&
                     json_node_get_value_type (id) != G_TYPE_INT64))
    {
      reply_html_500 (msg, "Jsonrpc.Malformed_method_request(\"Invalid field 'id' in request body\")");
      return;
    }
  if (jsonrpc == NULL && (params == NULL || !JSON_NODE_HOLDS_ARRAY (params)))
    {
      reply_html_500 (msg, "Jsonrpc.Malformed_method_request(\"Invalid field 'params' in request body\")");
      return;
    }

  call = g_new0 (FsimCall, 1);
  call->server = self;
  call->pool = pool;
  call->host = host;
  call->msg = g_object_ref (msg);
  call->method = g_strdup (json_node_get_string (method));
  call->v2 = jsonrpc != NULL;
  call->id = json_node_copy (id);
  if (params == NULL || JSON_NODE_HOLDS_NULL (params))
    call->params_node = fsim_node_take_array (json_array_new ());
  else if (JSON_NODE_HOLDS_ARRAY (params))
    call->params_node = json_node_ref (params);
  else
    {
      JsonArray *one = json_array_new ();

      json_array_add_element (one, json_node_copy (params));
      call->params_node = fsim_node_take_array (one);
    }
  pool->requests++;
  self->requests++;

  if ((fault = take_fault (pool, FAULT_DROP, call->method)) != NULL)
    {
      gboolean is_event = strcmp (call->method, "event.from") == 0;

      fault_free_if_spent (fault);
      fsim_call_park (call);
      self->pending = g_list_prepend (self->pending, call);
      /* an event.from is dropped mid-wait, as when a link dies */
      call->timer = fsim_source_new (is_event ? 500 : 1, drop_cb, call);
      return;
    }
  if ((fault = take_fault (pool, FAULT_DELAY, call->method)) != NULL)
    {
      guint ms = (guint) (fault->seconds * 1000.0);

      fault_free_if_spent (fault);
      fsim_call_park (call);
      self->pending = g_list_prepend (self->pending, call);
      call->timer = fsim_source_new (MAX (ms, 1), delayed_cb, call);
      return;
    }
  run_call (call);
}

static void
handle_control_http (FsimServer *self, SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *text = NULL;
  JsonNode        *root;

  if (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    reply = fsim_server_control (self, json_node_get_object (root), &error);
  else if (error == NULL)
    g_set_error (&error, FSIM_ERROR, FSIM_ERROR_CONTROL, "the body must be a JSON object");
  if (reply == NULL)
    {
      JsonObject *o = json_object_new ();

      json_object_set_boolean_member (o, "ok", FALSE);
      json_object_set_string_member (o, "error", error->message);
      reply = fsim_node_take_object (o);
      soup_server_message_set_status (msg, 400, NULL);
    }
  else
    soup_server_message_set_status (msg, 200, NULL);
  text = json_to_string (reply, FALSE);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
server_callback (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer user_data)
{
  FsimServer      *self = user_data;
  GSocketAddress  *local = soup_server_message_get_local_address (msg);
  g_autofree char *ip = NULL;
  Address         *address = NULL;

  if (G_IS_INET_SOCKET_ADDRESS (local))
    {
      ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
      address = g_hash_table_lookup (self->addresses, ip);
    }
  if (address == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  if (strcmp (path, "/sim/control") == 0 && self->control_enabled)
    {
      if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
        {
          soup_server_message_set_status (msg, 405, NULL);
          return;
        }
      handle_control_http (self, msg);
      return;
    }
  if (strcmp (path, "/jsonrpc") != 0)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  if (soup_server_message_get_method (msg) == SOUP_METHOD_OPTIONS)
    {
      SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

      soup_message_headers_append (h, "Access-Control-Allow-Origin", "*");
      soup_message_headers_append (h, "Access-Control-Allow-Headers", "X-Requested-With");
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_server_message_set_status (msg, 405, NULL);
      return;
    }
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Access-Control-Allow-Origin", "*");
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Access-Control-Allow-Headers",
                               "X-Requested-With");
  handle_jsonrpc (self, msg, address->pool, address->pool->hosts->pdata[address->host]);
}

/* ---- cache warm-up ---- */

/* Big pools: clients ask for every record right after login, so serialise
 * the records in the background, a few milliseconds at a time, at low
 * priority so requests always come first. */
static gboolean
warm_cb (gpointer data)
{
  FsimServer *self = data;
  gint64      deadline = g_get_monotonic_time () + 5000;
  g_autoptr(GString) scratch = g_string_sized_new (8192);

  while (self->warm_pool < self->warm_refs->len)
    {
      GPtrArray *refs = self->warm_refs->pdata[self->warm_pool];
      FsimPool  *pool = self->pools->pdata[self->warm_pool];

      while (refs->len > 0)
        {
          FsimObject *obj = fsim_db_lookup (pool->db, refs->pdata[refs->len - 1]);

          g_ptr_array_remove_index_fast (refs, refs->len - 1);
          if (obj != NULL && obj->cached == NULL)
            {
              g_string_truncate (scratch, 0);
              fsim_obj_write_record (obj, scratch);
            }
          if ((refs->len & 63) == 0 && g_get_monotonic_time () > deadline)
            return G_SOURCE_CONTINUE;
        }
      self->warm_pool++;
    }
  g_clear_pointer (&self->warm, g_source_unref);
  g_clear_pointer (&self->warm_refs, g_ptr_array_unref);
  return G_SOURCE_REMOVE;
}

static void
warm_start (FsimServer *self)
{
  static const char * const classes[] = { "VIF", "VBD", "VDI", "VM_metrics", "VM", NULL };

  self->warm_refs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint p = 0; p < self->pools->len; p++)
    {
      FsimPool  *pool = self->pools->pdata[p];
      GPtrArray *refs = g_ptr_array_new_with_free_func (g_free);

      for (guint c = 0; classes[c] != NULL; c++)
        {
          GHashTableIter iter;
          gpointer       key;

          g_hash_table_iter_init (&iter, fsim_db_get_table (pool->db, fsim_class_lookup (classes[c])));
          while (g_hash_table_iter_next (&iter, &key, NULL))
            g_ptr_array_add (refs, g_strdup (key));
        }
      g_ptr_array_add (self->warm_refs, refs);
    }
  self->warm_pool = 0;
  self->warm = g_idle_source_new ();
  g_source_set_priority (self->warm, G_PRIORITY_LOW);
  g_source_set_callback (self->warm, warm_cb, self, NULL);
  g_source_attach (self->warm, g_main_context_get_thread_default ());
}

/* ---- TLS ---- */

static GTlsCertificate *
generate_certificate (GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("ferry-sim-XXXXXX", error);
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *err_out = NULL;
  GTlsCertificate *result = NULL;
  int              status = 0;

  if (dir == NULL)
    return NULL;
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  {
    const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
                           "-subj", "/CN=ferry-sim", "-keyout", key, "-out", cert, NULL };

    if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err_out, &status, error) &&
        g_spawn_check_wait_status (status, error))
      result = g_tls_certificate_new_from_files (cert, key, error);
  }
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
  if (result == NULL && error != NULL && *error != NULL)
    g_prefix_error (error, "cannot generate a certificate with openssl: ");
  return result;
}

GTlsCertificate *
fsim_server_get_tls_certificate (FsimServer *self)
{
  g_return_val_if_fail (FSIM_IS_SERVER (self), NULL);
  return self->certificate;
}

char *
fsim_server_get_certificate_fingerprint (FsimServer *self)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) sum = NULL;
  guint8   digest[32];
  gsize    len = sizeof digest;
  GString *out;

  g_return_val_if_fail (FSIM_IS_SERVER (self), NULL);
  if (self->certificate == NULL)
    return NULL;
  g_object_get (self->certificate, "certificate", &der, NULL);
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, der->data, der->len);
  g_checksum_get_digest (sum, digest, &len);
  out = g_string_new (NULL);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%s%02X", i > 0 ? ":" : "", digest[i]);
  return g_string_free (out, FALSE);
}

/* ---- control ---- */

static JsonNode *
ok_reply (JsonObject *extra)
{
  JsonObject *o = extra != NULL ? extra : json_object_new ();

  json_object_set_boolean_member (o, "ok", TRUE);
  return fsim_node_take_object (o);
}

static FsimPool *
control_pool (FsimServer *self, JsonObject *cmd, GError **error)
{
  const char *name = json_object_has_member (cmd, "pool") ? json_object_get_string_member (cmd, "pool") : NULL;
  FsimPool   *pool;

  if (name == NULL && self->pools->len == 1)
    return self->pools->pdata[0];
  pool = find_pool (self, name);
  if (pool == NULL)
    g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "unknown pool %s", name != NULL ? name : "(none)");
  return pool;
}

static int
member_int (JsonObject *cmd, const char *key, int fallback)
{
  JsonNode *n = json_object_get_member (cmd, key);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? (int) json_node_get_int (n) : fallback;
}

static double
member_double (JsonObject *cmd, const char *key, double fallback)
{
  JsonNode *n = json_object_get_member (cmd, key);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : fallback;
}

static const char *
member_str (JsonObject *cmd, const char *key)
{
  JsonNode *n = json_object_get_member (cmd, key);

  return n != NULL && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
}

static JsonNode *
control_fault (FsimServer *self, JsonObject *cmd, FaultKind kind, GError **error)
{
  FsimPool                 *pool = control_pool (self, cmd, error);
  Fault                    *f;
  static const char * const kinds[] = { "html500", "truncated", "not_json", "wrong_types", "huge_string",
                                        "no_content_type", "nan", "empty", "deep_nesting",
                                        "wrong_content_length", "huge", "endless", NULL };

  if (pool == NULL)
    return NULL;
  f = g_new0 (Fault, 1);
  f->kind = kind;
  f->method = g_strdup (member_str (cmd, "method"));
  f->count = member_int (cmd, "count", 1);
  f->seconds = member_double (cmd, "seconds", 1.0);
  f->megabytes = member_double (cmd, "megabytes", 1024.0);
  if (kind == FAULT_MALFORMED && member_str (cmd, "kind") != NULL &&
      strcmp (member_str (cmd, "kind"), "endless") == 0 && !json_object_has_member (cmd, "seconds"))
    f->seconds = 60.0;
  if (kind == FAULT_MALFORMED)
    {
      const char *k = member_str (cmd, "kind");

      if (k == NULL || !g_strv_contains (kinds, k))
        {
          g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "malformed: unknown kind %s", k != NULL ? k : "(none)");
          fault_free (f);
          return NULL;
        }
      f->malformed = g_strdup (k);
    }
  if (f->count <= 0)
    {
      fault_free (f);
      return ok_reply (NULL);
    }
  pool->faults = g_list_append (pool->faults, f);
  return ok_reply (NULL);
}

static void
expire_sessions (FsimPool *pool)
{
  g_autoptr(GPtrArray) sessions = fsim_db_list (pool->db, fsim_class_lookup ("session"));

  for (guint i = 0; i < sessions->len; i++)
    fsim_db_destroy_object (pool->db, sessions->pdata[i]);
  fail_waiters_of_session (pool, NULL);
}

/* {"pool", "vm", "field", "kind", "megabytes"}: gives one VM a string
 * field (default "name_label") no well-behaved server sends: "invalid_utf8"
 * (its current value followed by the bytes FF FE, then " end"), "huge"
 * ("megabytes" MB of 'N', default 100), "wrong_type" (the number 42) or
 * "dangling_ref" (a reference to no object).  Every reply that carries the
 * field carries those bytes. */
static JsonNode *
control_bad_record (FsimServer *self, JsonObject *cmd, GError **error)
{
  FsimPool   *pool = control_pool (self, cmd, error);
  const char *name = member_str (cmd, "vm");
  const char *field = member_str (cmd, "field");
  const char *kind = member_str (cmd, "kind");
  FsimObject *vm;
  GString    *raw;
  char       *marker;

  if (pool == NULL)
    return NULL;
  if (field == NULL)
    field = "name_label";
  vm = fsim_model_find_by_name (pool, "VM", name);
  if (vm == NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "unknown VM %s in pool %s",
                   name != NULL ? name : "(none)", pool->name);
      return NULL;
    }
  if (g_strcmp0 (kind, "invalid_utf8") == 0)
    {
      raw = g_string_new (NULL);
      fsim_json_write_string (raw, fsim_obj_get_string (vm, field));
      g_string_truncate (raw, raw->len - 1);
      g_string_append (raw, "\xff\xfe end\"");
    }
  else if (g_strcmp0 (kind, "wrong_type") == 0)
    raw = g_string_new ("42");
  else if (g_strcmp0 (kind, "dangling_ref") == 0)
    raw = g_string_new ("\"OpaqueRef:00000000-dead-0000-0000-000000000000\"");
  else if (g_strcmp0 (kind, "huge") == 0)
    {
      gsize n = (gsize) (member_double (cmd, "megabytes", 100.0) * 1024 * 1024);

      raw = g_string_sized_new (n + 2);
      g_string_set_size (raw, n + 2);
      memset (raw->str, 'N', n + 2);
      raw->str[0] = '"';
      raw->str[n + 1] = '"';
    }
  else
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "bad_record: unknown kind %s",
                   kind != NULL ? kind : "(none)");
      return NULL;
    }
  marker = g_strdup_printf ("fsim-raw-%u", ++self->raw_serial);
  fsim_obj_set_string (vm, field, marker);
  g_hash_table_replace (self->raw_values, marker, g_string_free_to_bytes (raw));
  wake_waiters (pool->db, pool);
  return ok_reply (NULL);
}

/* The host named by the command's "host" member. */
static FsimObject *
control_host (FsimPool *pool, JsonObject *cmd, GError **error)
{
  const char *name = member_str (cmd, "host");
  FsimObject *host = fsim_model_find_by_name (pool, "host", name);

  if (host == NULL)
    g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "unknown host %s in pool %s",
                 name != NULL ? name : "(none)", pool->name);
  return host;
}

static JsonNode *
control_set_master (FsimServer *self, JsonObject *cmd, GError **error)
{
  FsimPool   *pool = control_pool (self, cmd, error);
  FsimObject *host = pool != NULL ? control_host (pool, cmd, error) : NULL;

  if (host == NULL)
    return NULL;
  fsim_obj_set_string (pool->pool, "master", host->ref);
  /* parked event.from calls on the old master learn it at once */
  wake_waiters (pool->db, pool);
  return ok_reply (NULL);
}

/* {"pool", "host", "to_pool"}: @host now answers every call with
 * HOST_IS_SLAVE and the address of @to_pool's master, as a host that left
 * its pool and joined another would; without "to_pool" it answers for its
 * own pool again.  With "to_address" instead, the answer names that address
 * as it is (any string: a loopback address where nothing of the simulator
 * listens, a name), as a compromised host or a forged answer would, and
 * carries no certificate thumbprint. */
static JsonNode *
control_redirect (FsimServer *self, JsonObject *cmd, GError **error)
{
  FsimPool   *pool = control_pool (self, cmd, error);
  const char *to = member_str (cmd, "to_pool");
  const char *to_address = member_str (cmd, "to_address");
  FsimPool   *other = NULL;
  FsimObject *host = pool != NULL ? control_host (pool, cmd, error) : NULL;

  if (host == NULL)
    return NULL;
  if (to != NULL && to_address != NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "redirect: to_pool or to_address, not both");
      return NULL;
    }
  if (pool->redirect_addresses == NULL)
    pool->redirect_addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (to_address != NULL && *to_address != '\0')
    g_hash_table_replace (pool->redirect_addresses, g_strdup (host->ref), g_strdup (to_address));
  else
    g_hash_table_remove (pool->redirect_addresses, host->ref);
  if (to != NULL && ((other = find_pool (self, to)) == NULL || other == pool))
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "redirect: %s is not another pool", to);
      return NULL;
    }
  if (pool->redirects == NULL)
    pool->redirects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (other != NULL)
    g_hash_table_replace (pool->redirects, g_strdup (host->ref), other);
  else
    g_hash_table_remove (pool->redirects, host->ref);
  wake_waiters (pool->db, pool);
  return ok_reply (NULL);
}

/* {"pool", "count"?, "seconds"?, "off"?}: event.from calls (other than a
 * first load with token "") answer at once with no events and the token they
 * were given: the next "count" of them, or all of them for "seconds", or,
 * with neither, all of them until {"off": true}. */
static JsonNode *
control_stuck_events (FsimServer *self, JsonObject *cmd, GError **error)
{
  FsimPool *pool = control_pool (self, cmd, error);
  JsonNode *off = json_object_get_member (cmd, "off");
  int       count = member_int (cmd, "count", 0);
  double    seconds = member_double (cmd, "seconds", 0);

  if (pool == NULL)
    return NULL;
  pool->stuck_calls = 0;
  pool->stuck_until = 0;
  if (off != NULL && JSON_NODE_HOLDS_VALUE (off) && json_node_get_boolean (off))
    return ok_reply (NULL);
  if (count < 0 || seconds < 0)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "stuck_events: count and seconds cannot be negative");
      return NULL;
    }
  if (count > 0)
    pool->stuck_calls = count;
  if (seconds > 0)
    pool->stuck_until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  if (count == 0 && seconds == 0)
    pool->stuck_calls = -1;
  return ok_reply (NULL);
}

static JsonNode *
control_calls (FsimServer *self, JsonObject *cmd, GError **error)
{
  FsimPool   *pool = control_pool (self, cmd, error);
  const char *prefix = member_str (cmd, "method");
  JsonArray  *list;
  JsonObject *o;

  if (pool == NULL)
    return NULL;
  list = json_array_new ();
  for (guint i = 0; i < pool->calls->len; i++)
    {
      JsonNode   *rec = pool->calls->pdata[i];
      const char *m = json_object_get_string_member (json_node_get_object (rec), "method");

      if (prefix == NULL || g_str_has_prefix (m, prefix))
        json_array_add_element (list, fsim_json_deep_copy (rec));
    }
  if (json_object_has_member (cmd, "clear") && json_object_get_boolean_member (cmd, "clear"))
    g_ptr_array_set_size (pool->calls, 0);
  o = json_object_new ();
  json_object_set_array_member (o, "calls", list);
  return ok_reply (o);
}

static void
progress_mark_clear (gpointer data)
{
  ProgressMark *mark = data;

  g_free (mark->task);
}

static JsonNode *
control_progress_log (FsimServer *self, JsonObject *cmd)
{
  JsonArray  *list = json_array_new ();
  JsonObject *o = json_object_new ();

  for (guint i = 0; i < self->progress_marks->len; i++)
    {
      ProgressMark *mark = &g_array_index (self->progress_marks, ProgressMark, i);
      JsonObject   *m = json_object_new ();

      json_object_set_string_member (m, "pool", mark->pool->name);
      json_object_set_string_member (m, "task", mark->task);
      json_object_set_double_member (m, "progress", mark->progress);
      json_object_set_int_member (m, "time_us", mark->time);
      json_array_add_object_element (list, m);
    }
  if (json_object_has_member (cmd, "clear") && json_object_get_boolean_member (cmd, "clear"))
    g_array_set_size (self->progress_marks, 0);
  json_object_set_array_member (o, "log", list);
  return ok_reply (o);
}

static JsonNode *
control_stats (FsimServer *self)
{
  JsonObject *o = json_object_new ();
  JsonArray  *pools = json_array_new ();

  json_object_set_int_member (o, "requests", self->requests);
  /* calls held back by "delay" (or "drop_connections") right now */
  json_object_set_int_member (o, "held", g_list_length (self->pending));
  json_object_set_double_member (o, "bandwidth", self->bandwidth);
  if (self->certificate != NULL)
    {
      g_autofree char *fingerprint = fsim_server_get_certificate_fingerprint (self);

      json_object_set_string_member (o, "certificate", fingerprint);
    }
  for (guint i = 0; i < self->pools->len; i++)
    {
      FsimPool   *pool = self->pools->pdata[i];
      JsonObject *p = json_object_new ();
      JsonObject *objects = json_object_new ();

      json_object_set_string_member (p, "name", pool->name);
      json_object_set_int_member (p, "requests", pool->requests);
      json_object_set_int_member (p, "waiting", g_list_length (pool->waiters));
      json_object_set_int_member (p, "generation", fsim_db_get_generation (pool->db));
      for (guint c = 0; c < fsim_n_classes; c++)
        if (fsim_db_count (pool->db, c) > 0)
          json_object_set_int_member (objects, fsim_class_name (c), fsim_db_count (pool->db, c));
      json_object_set_object_member (p, "objects", objects);
      json_array_add_object_element (pools, p);
    }
  json_object_set_array_member (o, "pools", pools);
  return ok_reply (o);
}

JsonNode *
fsim_server_control (FsimServer *self, JsonObject *command, GError **error)
{
  const char *name;
  FsimPool   *pool;

  g_return_val_if_fail (FSIM_IS_SERVER (self), NULL);
  g_return_val_if_fail (command != NULL, NULL);
  name = member_str (command, "command");
  if (name == NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "missing \"command\"");
      return NULL;
    }
  if (strcmp (name, "fail_migration") == 0)
    return fsim_migrate_control_fail (self, command, error);
  if (strcmp (name, "add_task") == 0)
    return fsim_migrate_control_add_task (self, command, error);
  if (strcmp (name, "incompatible_cpu") == 0)
    return fsim_migrate_control_incompatible_cpu (self, command, error);
  if (strcmp (name, "set_power_state") == 0)
    return fsim_migrate_control_power_state (self, command, error);
  if (strcmp (name, "task_lie") == 0 || strcmp (name, "task_vanish") == 0)
    return fsim_migrate_control_task_rule (self, command, strcmp (name, "task_vanish") == 0, error);
  if (strcmp (name, "set_password") == 0)
    {
      const char *password = member_str (command, "password");

      pool = control_pool (self, command, error);
      if (pool == NULL)
        return NULL;
      if (password == NULL)
        {
          g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "set_password needs a \"password\"");
          return NULL;
        }
      /* New logins only: sessions already open stay valid, as in XAPI. */
      g_free (pool->password);
      pool->password = g_strdup (password);
      return ok_reply (NULL);
    }
  if (strcmp (name, "drop_connections") == 0)
    return control_fault (self, command, FAULT_DROP, error);
  if (strcmp (name, "delay") == 0)
    return control_fault (self, command, FAULT_DELAY, error);
  if (strcmp (name, "malformed") == 0)
    return control_fault (self, command, FAULT_MALFORMED, error);
  if (strcmp (name, "set_master") == 0)
    return control_set_master (self, command, error);
  if (strcmp (name, "redirect") == 0)
    return control_redirect (self, command, error);
  if (strcmp (name, "calls") == 0)
    return control_calls (self, command, error);
  if (strcmp (name, "bad_record") == 0)
    return control_bad_record (self, command, error);
  if (strcmp (name, "stats") == 0)
    return control_stats (self);
  if (strcmp (name, "progress_log") == 0)
    return control_progress_log (self, command);
  if (strcmp (name, "set_bandwidth") == 0)
    {
      double mbps = member_double (command, "mbps", -1);

      if (mbps <= 0)
        {
          g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "set_bandwidth needs a positive \"mbps\"");
          return NULL;
        }
      fsim_server_set_bandwidth (self, mbps);
      return ok_reply (NULL);
    }
  if (strcmp (name, "change_certificate") == 0)
    {
      GTlsCertificate *cert;
      g_autofree char *fingerprint = NULL;
      JsonObject      *o;

      if (!self->https)
        {
          g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "the simulator does not serve HTTPS");
          return NULL;
        }
      if ((cert = generate_certificate (error)) == NULL)
        return NULL;
      g_set_object (&self->certificate, cert);
      g_object_unref (cert);
      if (self->soup != NULL)
        soup_server_set_tls_certificate (self->soup, self->certificate);
      o = json_object_new ();
      json_object_set_string_member (o, "fingerprint", fingerprint = fsim_server_get_certificate_fingerprint (self));
      return ok_reply (o);
    }
  if (strcmp (name, "stuck_events") == 0)
    return control_stuck_events (self, command, error);
  if (strcmp (name, "expire_sessions") != 0 && strcmp (name, "events_lost") != 0 && strcmp (name, "mutate") != 0)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "unknown command %s", name);
      return NULL;
    }
  pool = control_pool (self, command, error);
  if (pool == NULL)
    return NULL;
  if (strcmp (name, "expire_sessions") == 0)
    {
      expire_sessions (pool);
      return ok_reply (NULL);
    }
  if (strcmp (name, "events_lost") == 0)
    {
      pool->events_lost = TRUE;
      return ok_reply (NULL);
    }
  if (strcmp (name, "mutate") == 0)
    return fsim_mutate (pool, member_int (command, "count", 1), member_int (command, "seed", 0));
  g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "unknown command %s", name);
  return NULL;
}

/* ---- life cycle ---- */

static void
fsim_server_finalize (GObject *object)
{
  FsimServer *self = FSIM_SERVER (object);

  fsim_server_stop (self);
  fsim_migrate_shutdown (self);
  g_clear_pointer (&self->raw_values, g_hash_table_unref);
  for (guint i = 0; i < self->pools->len; i++)
    {
      FsimPool *pool = self->pools->pdata[i];

      g_list_free_full (pool->faults, fault_free);
      pool->faults = NULL;
    }
  g_clear_pointer (&self->migrations, fsim_migrations_free);
  g_array_unref (self->progress_marks);
  g_ptr_array_unref (self->pools);
  g_hash_table_unref (self->addresses);
  g_clear_object (&self->certificate);
  G_OBJECT_CLASS (fsim_server_parent_class)->finalize (object);
}

static void
fsim_server_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FsimServer *self = FSIM_SERVER (object);

  switch (prop_id)
    {
    case PROP_BANDWIDTH:
      g_value_set_double (value, self->bandwidth);
      break;
    case PROP_HTTPS:
      g_value_set_boolean (value, self->https);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fsim_server_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FsimServer *self = FSIM_SERVER (object);

  switch (prop_id)
    {
    case PROP_BANDWIDTH:
      fsim_server_set_bandwidth (self, g_value_get_double (value));
      break;
    case PROP_HTTPS:
      fsim_server_set_https (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fsim_server_class_init (FsimServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fsim_server_finalize;
  object_class->get_property = fsim_server_get_property;
  object_class->set_property = fsim_server_set_property;

  properties[PROP_BANDWIDTH] =
    g_param_spec_double ("bandwidth", NULL, NULL, 0.001, G_MAXDOUBLE, 1000.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HTTPS] =
    g_param_spec_boolean ("https", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fsim_server_init (FsimServer *self)
{
  self->bandwidth = 1000.0;
  self->pools = g_ptr_array_new_with_free_func ((GDestroyNotify) fsim_pool_free);
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  self->migrations = fsim_migrations_new ();
  self->progress_marks = g_array_new (FALSE, FALSE, sizeof (ProgressMark));
  self->raw_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_bytes_unref);
  g_array_set_clear_func (self->progress_marks, progress_mark_clear);
}

FsimServer *
fsim_server_new (const char *scenario, GError **error)
{
  g_autoptr(FsimServer) self = g_object_new (FSIM_TYPE_SERVER, NULL);
  g_autoptr(GError) local_error = NULL;
  GPtrArray *pools;

  pools = fsim_scenario_load (self, scenario, wake_waiters, &local_error);
  if (pools == NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_SCENARIO, "scenario %s: %s",
                   scenario != NULL ? scenario : "demo", local_error->message);
      return NULL;
    }
  g_ptr_array_unref (self->pools);
  self->pools = pools;
  for (guint p = 0; p < pools->len; p++)
    {
      FsimPool *pool = pools->pdata[p];

      for (guint h = 0; h < pool->addresses->len; h++)
        {
          Address *a = g_new0 (Address, 1);

          a->pool = pool;
          a->host = h;
          g_hash_table_insert (self->addresses, pool->addresses->pdata[h], a);
        }
    }
  return g_steal_pointer (&self);
}

void
fsim_server_set_https (FsimServer *self, gboolean https)
{
  g_return_if_fail (FSIM_IS_SERVER (self));
  g_return_if_fail (self->soup == NULL);
  if (self->https == !!https)
    return;
  self->https = !!https;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HTTPS]);
}

gboolean
fsim_server_set_tls_files (FsimServer *self, const char *cert_file, const char *key_file, GError **error)
{
  GTlsCertificate *cert;

  g_return_val_if_fail (FSIM_IS_SERVER (self), FALSE);
  cert = g_tls_certificate_new_from_files (cert_file, key_file, error);
  if (cert == NULL)
    return FALSE;
  g_set_object (&self->certificate, cert);
  g_object_unref (cert);
  fsim_server_set_https (self, TRUE);
  return TRUE;
}

void
fsim_server_set_control_enabled (FsimServer *self, gboolean enabled)
{
  g_return_if_fail (FSIM_IS_SERVER (self));
  self->control_enabled = enabled;
}

void
fsim_server_set_quiet (FsimServer *self, gboolean quiet)
{
  g_return_if_fail (FSIM_IS_SERVER (self));
  self->quiet = quiet;
}

void
fsim_server_set_bandwidth (FsimServer *self, double mbps)
{
  g_return_if_fail (FSIM_IS_SERVER (self));
  g_return_if_fail (mbps > 0);
  if (self->bandwidth == mbps)
    return;
  self->bandwidth = mbps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BANDWIDTH]);
}

double
fsim_server_get_bandwidth (FsimServer *self)
{
  g_return_val_if_fail (FSIM_IS_SERVER (self), 0);
  return self->bandwidth;
}

static gboolean
listen_all (FsimServer *self, guint port, guint *bound_port, GError **error)
{
  g_autoptr(SoupServer) soup = NULL;
  SoupServerListenOptions options = self->https ? SOUP_SERVER_LISTEN_HTTPS : 0;

  soup = soup_server_new ("server-header", "ferry-sim ", NULL);
  if (self->https)
    soup_server_set_tls_certificate (soup, self->certificate);
  soup_server_add_handler (soup, NULL, server_callback, self, NULL);
  for (guint p = 0; p < self->pools->len; p++)
    {
      FsimPool *pool = self->pools->pdata[p];

      for (guint h = 0; h < pool->addresses->len; h++)
        {
          g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string (pool->addresses->pdata[h], port);

          if (!soup_server_listen (soup, addr, options, error))
            {
              soup_server_disconnect (soup);
              return FALSE;
            }
          if (port == 0)
            {
              GSList *listeners = soup_server_get_listeners (soup);
              g_autoptr(GSocketAddress) local = g_socket_get_local_address (listeners->data, error);

              g_slist_free (listeners);
              if (local == NULL)
                {
                  soup_server_disconnect (soup);
                  return FALSE;
                }
              port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
            }
        }
    }
  *bound_port = port;
  self->soup = g_steal_pointer (&soup);
  return TRUE;
}

gboolean
fsim_server_start (FsimServer *self, guint port, GError **error)
{
  g_return_val_if_fail (FSIM_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  if (self->https && self->certificate == NULL)
    {
      self->certificate = generate_certificate (error);
      if (self->certificate == NULL)
        return FALSE;
    }
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      guint bound = 0;

      if (listen_all (self, port, &bound, &local_error))
        {
          warm_start (self);
          self->port = bound;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
          return TRUE;
        }
      /* a port free on 127.0.1.1 may be taken on another address: retry */
      if (port != 0 || attempt >= 50 || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_set_error (error, FSIM_ERROR, FSIM_ERROR_BIND, "cannot listen: %s", local_error->message);
          return FALSE;
        }
    }
}

void
fsim_server_stop (FsimServer *self)
{
  g_return_if_fail (FSIM_IS_SERVER (self));

  fsim_source_clear (&self->warm);
  g_clear_pointer (&self->warm_refs, g_ptr_array_unref);
  for (guint i = 0; i < self->pools->len; i++)
    {
      FsimPool *pool = self->pools->pdata[i];

      while (pool->waiters != NULL)
        {
          Waiter *w = pool->waiters->data;

          pool->waiters = g_list_delete_link (pool->waiters, pool->waiters);
          fsim_call_free (w->call);
          w->call = NULL;
          waiter_free (w);
        }
    }
  while (self->pending != NULL)
    {
      FsimCall *call = self->pending->data;

      self->pending = g_list_delete_link (self->pending, self->pending);
      fsim_call_free (call);
    }
  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
}

guint
fsim_server_get_port (FsimServer *self)
{
  g_return_val_if_fail (FSIM_IS_SERVER (self), 0);
  return self->port;
}

gboolean
fsim_server_get_https (FsimServer *self)
{
  g_return_val_if_fail (FSIM_IS_SERVER (self), FALSE);
  return self->https;
}

guint
fsim_server_get_n_pools (FsimServer *self)
{
  g_return_val_if_fail (FSIM_IS_SERVER (self), 0);
  return self->pools->len;
}

static FsimPool *
pool_at (FsimServer *self, guint pool)
{
  g_return_val_if_fail (FSIM_IS_SERVER (self), NULL);
  g_return_val_if_fail (pool < self->pools->len, NULL);
  return self->pools->pdata[pool];
}

const char *
fsim_server_get_pool_name (FsimServer *self, guint pool)
{
  FsimPool *p = pool_at (self, pool);

  return p != NULL ? p->name : NULL;
}

char *
fsim_server_get_pool_url (FsimServer *self, guint pool)
{
  FsimPool *p = pool_at (self, pool);

  return p != NULL ? fsim_server_host_base_url (self, fsim_pool_master (p)) : NULL;
}

char *
fsim_server_get_host_url (FsimServer *self, guint pool, guint host)
{
  FsimPool *p = pool_at (self, pool);

  g_return_val_if_fail (p != NULL && host < p->hosts->len, NULL);
  return fsim_server_host_base_url (self, p->hosts->pdata[host]);
}

guint
fsim_server_get_n_hosts (FsimServer *self, guint pool)
{
  FsimPool *p = pool_at (self, pool);

  return p != NULL ? p->hosts->len : 0;
}

const char *
fsim_server_get_username (FsimServer *self, guint pool)
{
  FsimPool *p = pool_at (self, pool);

  return p != NULL ? p->username : NULL;
}

const char *
fsim_server_get_password (FsimServer *self, guint pool)
{
  FsimPool *p = pool_at (self, pool);

  return p != NULL ? p->password : NULL;
}

int
fsim_server_find_pool (FsimServer *self, const char *name)
{
  g_return_val_if_fail (FSIM_IS_SERVER (self), -1);
  for (guint i = 0; i < self->pools->len; i++)
    if (g_strcmp0 (((FsimPool *) self->pools->pdata[i])->name, name) == 0)
      return i;
  return -1;
}
