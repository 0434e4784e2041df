/* xapi-cache.c: a live copy of a pool's objects, kept current by event.from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-cache.h"

#include <string.h>

#include "xapi-error.h"
#include "xapi-private.h"
#include "xapi-util.h"

/* event.from waits this long for something to happen before it returns an
 * empty batch; the connection adds its own timeout as a margin. */
#define POLL_TIMEOUT 60.0
/* With token "" every object comes back at once; the value only matters to
 * a server with nothing in the subscribed classes. */
#define LOAD_TIMEOUT 1.0
/* In an event.from reply, the members of the snapshots: root › result ›
 * events › event › snapshot (see xapi_json_decode_filtered()). */
#define EVENT_RECORD_DEPTH 5
/* 50 ms: a migration task's progress, which XAPI may update ten times a
 * second, then reaches the job at once instead of waiting for the next
 * slot (measured by bench/run-steady-state: 98 ms late at 100 ms). */
#define FLUSH_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)
#define BACKOFF_MAX 30
/* No reply, however quick, makes the cache call event.from more than once
 * every 200 ms: at most 5 calls a second to a pool, whatever the server
 * does.  A change after a quiet spell still comes at once (the poll waiting
 * on the server returns with it); only the changes that follow within
 * 200 ms wait for the next call and come together.  A migration task's
 * progress, which XAPI updates up to ten times a second, thus reaches the
 * job at most about 200 ms late, with one call for every other step instead
 * of one for each (bench/run-migrate, bench/run-steady-state). */
#define MIN_CALL_INTERVAL_US (200 * G_TIME_SPAN_MILLISECOND)
/* A reply with no events that comes back sooner than this did not wait for
 * anything: XAPI holds a quiet event.from until its timeout.  Such replies
 * ("idle") are answered after a pause that starts at the minimum interval
 * and doubles up to IDLE_DELAY_MAX_MS; after STALL_AFTER of them in a row
 * the stream counts as stalled.  A poll that stays open this long shows
 * that the server waits again. */
#define IDLE_REPLY_US (2 * G_USEC_PER_SEC)
#define IDLE_DELAY_MIN_MS ((guint) (MIN_CALL_INTERVAL_US / G_TIME_SPAN_MILLISECOND))
#define IDLE_DELAY_MAX_MS 5000
#define STALL_AFTER 3
/* Freeing old tables on the main context: slices of this much work, with
 * pauses in between so that the main thread also sleeps (a thread that
 * never sleeps loses its turn to others on a busy machine). */
#define FREE_SLICE_US (4 * G_TIME_SPAN_MILLISECOND)
#define FREE_PAUSE_MS 10

/* ---- XapiChange --------------------------------------------------------- */

static XapiChange *
xapi_change_new (XapiClass       klass,
                 const char     *ref,
                 XapiChangeKind  kind,
                 gpointer        record)
{
  XapiChange *change = g_new0 (XapiChange, 1);

  change->klass = klass;
  change->ref = g_strdup (ref);
  change->kind = kind;
  change->record = record != NULL ? xapi_record_ref (record) : NULL;

  return change;
}

XapiChange *
xapi_change_copy (const XapiChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);

  return xapi_change_new (change->klass, change->ref, change->kind, change->record);
}

void
xapi_change_free (XapiChange *change)
{
  if (change == NULL)
    return;

  g_free (change->ref);
  g_clear_pointer (&change->record, xapi_record_unref);
  g_free (change);
}

G_DEFINE_BOXED_TYPE (XapiChange, xapi_change, xapi_change_copy, xapi_change_free)

GType
xapi_cache_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { XAPI_CACHE_STATE_IDLE, "XAPI_CACHE_STATE_IDLE", "idle" },
        { XAPI_CACHE_STATE_LOADING, "XAPI_CACHE_STATE_LOADING", "loading" },
        { XAPI_CACHE_STATE_READY, "XAPI_CACHE_STATE_READY", "ready" },
        { XAPI_CACHE_STATE_RECONNECTING, "XAPI_CACHE_STATE_RECONNECTING", "reconnecting" },
        { XAPI_CACHE_STATE_FAILED, "XAPI_CACHE_STATE_FAILED", "failed" },
        { 0, NULL, NULL },
      };
      GType id = g_enum_register_static (g_intern_static_string ("XapiCacheState"), values);

      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

/* ---- The tables ---------------------------------------------------------- */

/* Everything a full load produces.  Built in a worker thread from objects
 * nobody else has seen yet, then handed to the main context whole. */
typedef struct
{
  /* Per followed class (NULL for the others): ref -> XapiRecord*, keyed
   * by the record's own (interned) ref, and uuid -> XapiRecord*, keyed by
   * its uuid: neither holds a string of its own. */
  GHashTable *tables[XAPI_N_CLASSES];
  GHashTable *uuids[XAPI_N_CLASSES];
  char       *pool_ref;
  char       *pool_uuid;
  char       *token;
} CacheData;

static CacheData *
cache_data_new (guint32 followed)
{
  CacheData *data = g_new0 (CacheData, 1);

  for (int i = 0; i < XAPI_N_CLASSES; i++)
    if (followed & (1u << i))
      {
        data->tables[i] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, xapi_record_unref);
        data->uuids[i] = g_hash_table_new (g_str_hash, g_str_equal);
      }

  return data;
}

static void
cache_data_free (CacheData *data)
{
  if (data == NULL)
    return;

  /* The uuid indexes first: their keys belong to the records. */
  for (int i = 0; i < XAPI_N_CLASSES; i++)
    {
      g_clear_pointer (&data->uuids[i], g_hash_table_unref);
      g_clear_pointer (&data->tables[i], g_hash_table_unref);
    }
  g_free (data->pool_ref);
  g_free (data->pool_uuid);
  g_free (data->token);
  g_free (data);
}

static gpointer
free_thread (gpointer data)
{
  cache_data_free (data);
  return NULL;
}

static gpointer
free_node_thread (gpointer data)
{
  json_node_unref (data);
  return NULL;
}

/* For data that no other thread has seen (an obsolete load): freeing tens of
 * thousands of records is not a job for the main context. */
static void
cache_data_free_in_thread (CacheData *data)
{
  if (data != NULL)
    xapi_run_in_background (free_thread, data);
}

/* Stores @record (of @klass) under @ref, or removes @ref if @record is
 * NULL, keeping the uuid index in step. */
static void
tables_set (CacheData  *data,
            XapiClass   klass,
            const char *ref,
            XapiRecord *record)
{
  GHashTable *table = data->tables[klass];
  GHashTable *index = data->uuids[klass];
  XapiRecord *old;

  if (table == NULL)
    return;

  old = g_hash_table_lookup (table, ref);
  if (old != NULL && old->uuid != NULL && g_hash_table_lookup (index, old->uuid) == old)
    g_hash_table_remove (index, old->uuid);

  if (record == NULL)
    {
      g_hash_table_remove (table, ref);
      return;
    }

  /* Replace, not insert: the key is the new record's own ref. */
  g_hash_table_replace (table, record->ref, xapi_record_ref (record));
  if (record->uuid != NULL && *record->uuid != '\0')
    g_hash_table_replace (index, record->uuid, record);
}

/* One event of an event.from batch, checked: never trust the shape. */
typedef struct
{
  XapiClass   klass;
  const char *ref;
  gboolean    del;
  XapiRecord *record;  /* (owned) the snapshot, typed; NULL for a del */
} Event;

static void
event_clear (Event *event)
{
  g_clear_pointer (&event->record, xapi_record_unref);
}

/* Reads an event of a followed class (in @followed); FALSE for the
 * others and for what is not an event. */
static gboolean
read_event (JsonNode *node,
            guint32   followed,
            Event    *event)
{
  JsonObject *object;
  JsonNode *snapshot;
  const char *operation;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);

  event->klass = xapi_class_from_name (xapi_record_get_string (object, "class"));
  event->ref = xapi_record_get_string (object, "ref");
  operation = xapi_record_get_string (object, "operation");
  if (event->klass == XAPI_CLASS_NONE || (followed & (1u << event->klass)) == 0 ||
      *event->ref == '\0' || *operation == '\0')
    return FALSE;

  event->del = strcmp (operation, "del") == 0;
  snapshot = json_object_get_member (object, "snapshot");
  if (!event->del)
    {
      /* An add or mod without a snapshot tells us nothing we could
       * store.  The JSON of the snapshot goes with the event. */
      event->record = xapi_record_new_from_json (event->klass, event->ref, snapshot);
      if (event->record == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Checks the shape of an event batch: {"events": [...], "token": "..."}. */
static gboolean
read_batch (JsonNode    *node,
            JsonArray  **events,
            const char **token)
{
  JsonObject *object;
  JsonNode *events_node;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);

  events_node = json_object_get_member (object, "events");
  if (events_node == NULL || !JSON_NODE_HOLDS_ARRAY (events_node))
    return FALSE;

  *token = xapi_record_get_string (object, "token");
  if (**token == '\0')
    return FALSE;

  *events = json_node_get_array (events_node);
  return TRUE;
}

/* A first load's events go into the tables one by one while the reply is
 * still being decoded (in the decoding thread, into tables nobody else
 * sees yet), decoded straight into their typed records: no JSON is built
 * for them, and the tables are ready when the decoding is. */
typedef struct
{
  CacheData      *data;
  guint32         followed;
  XapiJsonEvents  events;   /* to load_take_event(), with this */
} Loading;

static void
loading_free (Loading *loading)
{
  if (loading == NULL)
    return;
  g_clear_pointer (&loading->data, cache_data_free);
  g_free (loading);
}

static void
load_take_event (int         klass,
                 const char *ref,
                 gpointer    record,
                 gpointer    user_data)
{
  Loading *loading = user_data;

  tables_set (loading->data, (XapiClass) klass, ref, record);
  g_clear_pointer (&record, xapi_record_unref);
}

typedef struct
{
  JsonNode   *batch;
  guint32     followed;
  CacheData  *data;     /* what load_take_event() built already, or NULL */
} BuildJob;

static void
build_job_free (BuildJob *job)
{
  /* Only reached with a batch left if the job never ran. */
  g_clear_pointer (&job->batch, json_node_unref);
  g_clear_pointer (&job->data, cache_data_free);
  g_free (job);
}

static void
build_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BuildJob *job = task_data;
  g_autoptr(JsonNode) batch = g_steal_pointer (&job->batch);
  CacheData *data;
  JsonArray *events = NULL;
  const char *token = NULL;
  GHashTable *pools;
  guint i, n;

  if (!read_batch (batch, &events, &token))
    {
      g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                               "The host answered event.from with something other than "
                               "an event batch.");
      return;
    }

  /* A big reply's events have gone to load_take_event() already (the
   * array is empty then); a small one's are all here. */
  data = job->data != NULL ? g_steal_pointer (&job->data) : cache_data_new (job->followed);
  data->token = g_strdup (token);

  n = json_array_get_length (events);
  for (i = 0; i < n; i++)
    {
      Event event = { 0 };

      if (read_event (json_array_get_element (events, i), job->followed, &event))
        tables_set (data, event.klass, event.ref, event.record);
      event_clear (&event);
    }

  pools = data->tables[XAPI_CLASS_POOL];
  if (pools != NULL && g_hash_table_size (pools) > 0)
    {
      GHashTableIter iter;
      gpointer ref, record;

      g_hash_table_iter_init (&iter, pools);
      if (g_hash_table_iter_next (&iter, &ref, &record))
        {
          data->pool_ref = g_strdup (ref);
          data->pool_uuid = g_strdup (xapi_str (XAPI_RECORD (record)->uuid));
        }
    }

  /* The events go in a thread of their own, not on the main context and
   * not before the tables are handed over (freeing them takes a tenth of
   * the load time). */
  xapi_run_in_background (free_node_thread, g_steal_pointer (&batch));

  g_task_return_pointer (task, data, (GDestroyNotify) cache_data_free);
}

/* ---- The cache object ---------------------------------------------------- */

typedef struct
{
  XapiClass   klass;
  char       *ref;
  XapiRecord *record;   /* NULL: deleted */
} Pending;

static void
pending_free (Pending *pending)
{
  g_free (pending->ref);
  g_clear_pointer (&pending->record, xapi_record_unref);
  g_free (pending);
}

struct _XapiCache
{
  GObject         parent_instance;

  XapiConnection *connection;
  char          **classes;        /* as sent in event.from */
  guint32         followed;       /* bit (1 << XapiClass) of each */
  GHashTable     *keep;           /* every field name of the followed classes'
                                   * records: the rest is stepped over */
  GMainContext   *context;

  XapiCacheState  state;
  GError         *error;

  CacheData      *data;
  char           *first_pool_uuid;
  gboolean        loaded;

  GCancellable   *cancellable;
  guint           generation;
  GSource        *retry_source;
  guint           backoff;
  guint           lost_streak;    /* EVENTS_LOST / bad token since the last good poll */

  gint64          last_call;      /* when the last event.from went out */
  GSource        *pace_source;    /* the next event.from, held back */
  guint           idle_streak;    /* idle replies in a row */
  gboolean        stalled;
  GSource        *waiting_source; /* fires when a poll has stayed open IDLE_REPLY_US */
  guint           bad_answers;    /* in a row, since the last load */

  GPtrArray      *pending;        /* Pending*, in arrival order */
  GHashTable     *pending_index;  /* "class\nref" -> Pending* */
  GSource        *flush_source;
  gint64          last_flush;

  GQueue          graveyard;      /* GHashTable* being freed slice by slice */
  GSource        *graveyard_source;
};

G_DEFINE_FINAL_TYPE (XapiCache, xapi_cache, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_STATE,
  PROP_ERROR,
  PROP_STALLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_READY,
  SIGNAL_CHANGED,
  SIGNAL_RESET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void cache_load (XapiCache *self);
static void cache_poll (XapiCache *self,
                        guint      delay_ms);

/* Async operations hold a weak reference and the generation they belong to:
 * after xapi_cache_stop() or the last unref their results are dropped. */
typedef struct
{
  GWeakRef   self;
  guint      generation;
  Loading   *loading;   /* a first load's tables while its reply is decoded */
} CacheOp;

static gpointer
loading_free_thread (gpointer data)
{
  loading_free (data);
  return NULL;
}

static void
loading_free_in_thread (Loading *loading)
{
  if (loading != NULL)
    xapi_run_in_background (loading_free_thread, loading);
}

static CacheOp *
cache_op_new (XapiCache *self)
{
  CacheOp *op = g_new0 (CacheOp, 1);

  g_weak_ref_init (&op->self, self);
  op->generation = self->generation;

  return op;
}

/* Frees @op; returns the cache (a new reference) if it is still interested. */
static XapiCache *
cache_op_finish (CacheOp *op)
{
  XapiCache *self = g_weak_ref_get (&op->self);

  if (self != NULL && self->generation != op->generation)
    g_clear_object (&self);

  g_weak_ref_clear (&op->self);
  loading_free_in_thread (op->loading);
  g_free (op);

  return self;
}

static void
set_state (XapiCache      *self,
           XapiCacheState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (XapiCache    *self,
           const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
set_stalled (XapiCache *self,
             gboolean   stalled)
{
  if (self->stalled == stalled)
    return;

  self->stalled = stalled;
  g_debug ("xapi-cache: the event stream of %s %s", xapi_connection_get_url (self->connection),
           stalled ? "does not advance" : "advances again");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALLED]);
}

/* ---- Freeing old tables in slices ---------------------------------------- */

static gboolean
on_graveyard (gpointer user_data)
{
  XapiCache *self = user_data;
  gint64 deadline = g_get_monotonic_time () + FREE_SLICE_US;

  while (!g_queue_is_empty (&self->graveyard))
    {
      GHashTable *table = g_queue_peek_head (&self->graveyard);
      GHashTableIter iter;

      /* One record can be large (a network lists every VIF on it): look
       * at the clock after each. */
      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, NULL, NULL))
        {
          g_hash_table_iter_remove (&iter);
          if (g_get_monotonic_time () > deadline)
            return G_SOURCE_CONTINUE;
        }

      g_hash_table_unref (g_queue_pop_head (&self->graveyard));
    }

  g_clear_pointer (&self->graveyard_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
bury_data (XapiCache *self,
           CacheData *data)
{
  if (data == NULL)
    return;

  /* The uuid indexes own nothing: they go at once, before the records
   * their keys belong to. */
  for (int i = 0; i < XAPI_N_CLASSES; i++)
    {
      g_clear_pointer (&data->uuids[i], g_hash_table_unref);
      if (data->tables[i] != NULL)
        g_queue_push_tail (&self->graveyard, g_steal_pointer (&data->tables[i]));
    }
  cache_data_free (data);

  if (self->graveyard_source == NULL && !g_queue_is_empty (&self->graveyard))
    {
      self->graveyard_source = g_timeout_source_new (FREE_PAUSE_MS);
      g_source_set_priority (self->graveyard_source, G_PRIORITY_LOW);
      g_source_set_callback (self->graveyard_source, on_graveyard, self, NULL);
      g_source_attach (self->graveyard_source, self->context);
    }
}

/* ---- Pending changes and "changed" --------------------------------------- */

static void
discard_pending (XapiCache *self)
{
  g_hash_table_remove_all (self->pending_index);
  g_ptr_array_set_size (self->pending, 0);
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
}

static gboolean
on_flush (gpointer user_data)
{
  XapiCache *self = user_data;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  guint i;

  g_clear_pointer (&self->flush_source, g_source_unref);
  self->last_flush = g_get_monotonic_time ();

  pending = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  g_hash_table_remove_all (self->pending_index);

  if (self->data == NULL)
    return G_SOURCE_REMOVE;

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) xapi_change_free);
  for (i = 0; i < pending->len; i++)
    {
      Pending *p = g_ptr_array_index (pending, i);
      GHashTable *table = self->data->tables[p->klass];
      gboolean existed;

      if (table == NULL)
        continue;
      existed = g_hash_table_contains (table, p->ref);

      if (p->record == NULL && !existed)
        continue;

      tables_set (self->data, p->klass, p->ref, p->record);

      if (p->klass == XAPI_CLASS_POOL)
        {
          if (p->record != NULL)
            {
              g_free (self->data->pool_ref);
              self->data->pool_ref = g_strdup (p->ref);
            }
          else if (g_strcmp0 (self->data->pool_ref, p->ref) == 0)
            g_clear_pointer (&self->data->pool_ref, g_free);
        }

      g_ptr_array_add (changes,
                       xapi_change_new (p->klass, p->ref,
                                        p->record == NULL ? XAPI_CHANGE_DEL :
                                        existed ? XAPI_CHANGE_MOD : XAPI_CHANGE_ADD,
                                        p->record));
    }

  if (changes->len > 0)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0, changes);

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (XapiCache *self)
{
  gint64 now, delay;

  if (self->flush_source != NULL || self->pending->len == 0)
    return;

  /* Under a stream of events, batch them: at most one "changed" per
   * FLUSH_INTERVAL; a lone event goes out at once. */
  now = g_get_monotonic_time ();
  delay = self->last_flush + FLUSH_INTERVAL_US - now;
  if (delay < 0)
    delay = 0;

  self->flush_source = g_timeout_source_new ((guint) (delay / 1000));
  g_source_set_callback (self->flush_source, on_flush, self, NULL);
  g_source_attach (self->flush_source, self->context);
}

static void
queue_event (XapiCache *self,
             Event     *event)
{
  g_autofree char *key = NULL;
  Pending *pending;

  key = g_strdup_printf ("%d\n%s", (int) event->klass, event->ref);
  pending = g_hash_table_lookup (self->pending_index, key);
  if (pending != NULL)
    {
      g_clear_pointer (&pending->record, xapi_record_unref);
      pending->record = g_steal_pointer (&event->record);
      return;
    }

  pending = g_new0 (Pending, 1);
  pending->klass = event->klass;
  pending->ref = g_strdup (event->ref);
  pending->record = g_steal_pointer (&event->record);
  g_ptr_array_add (self->pending, pending);
  g_hash_table_replace (self->pending_index, g_steal_pointer (&key), pending);
}

/* ---- Errors, backoff ------------------------------------------------------ */

static gboolean
on_retry (gpointer user_data)
{
  XapiCache *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  cache_load (self);

  return G_SOURCE_REMOVE;
}

static gboolean
error_is_fatal (const GError *error)
{
  return xapi_error_has_code (error, "SESSION_AUTHENTICATION_FAILED") ||
         g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_UNKNOWN) ||
         g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_CHANGED) ||
         g_error_matches (error, XAPI_ERROR, XAPI_ERROR_WRONG_POOL) ||
         g_error_matches (error, XAPI_ERROR, XAPI_ERROR_REDIRECT_REFUSED);
}

static void
handle_error (XapiCache    *self,
              const GError *error,
              gboolean      while_polling)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Once, a reload at once; the same again before a poll went well is a
   * server in trouble, answered with the backoff below (a server that
   * answers every event.from so would otherwise be reloaded in a loop). */
  if (while_polling &&
      (xapi_error_has_code (error, "EVENTS_LOST") ||
       xapi_error_has_code (error, "EVENT_FROM_TOKEN_PARSE_FAILURE")) &&
      self->lost_streak++ == 0)
    {
      g_debug ("xapi-cache: reloading everything after: %s", error->message);
      set_state (self, XAPI_CACHE_STATE_LOADING);
      cache_load (self);
      return;
    }

  set_error (self, error);

  /* A host that answers with garbage is asked once more (a proxy may have
   * hiccuped), not again and again as if it had been silent: the second
   * time, its answer is the outcome, named for what it is. */
  if (xapi_error_is_bad_answer (error))
    self->bad_answers++;
  if (error_is_fatal (error) || self->bad_answers > 1)
    {
      set_state (self, XAPI_CACHE_STATE_FAILED);
      return;
    }

  self->backoff = self->backoff == 0 ? 1 : MIN (self->backoff * 2, BACKOFF_MAX);
  g_debug ("xapi-cache: retrying in %u s after: %s", self->backoff, error->message);

  set_state (self, XAPI_CACHE_STATE_RECONNECTING);
  if (self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
    }
  self->retry_source = g_timeout_source_new_seconds (self->backoff);
  g_source_set_callback (self->retry_source, on_retry, self, NULL);
  g_source_attach (self->retry_source, self->context);
}

/* ---- Load and poll -------------------------------------------------------- */

static void
on_built (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(XapiCache) self = cache_op_finish (user_data);
  g_autoptr(GError) error = NULL;
  CacheData *data;
  gboolean was_loaded;

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL)
    {
      cache_data_free_in_thread (data);
      return;
    }

  if (data == NULL)
    {
      handle_error (self, error, FALSE);
      return;
    }

  /* The same URL must keep leading to the same pool. */
  if (self->first_pool_uuid != NULL && data->pool_uuid != NULL &&
      strcmp (self->first_pool_uuid, data->pool_uuid) != 0)
    {
      g_autoptr(GError) wrong = g_error_new (XAPI_ERROR, XAPI_ERROR_WRONG_POOL,
                                             "%s now belongs to another pool.",
                                             xapi_connection_get_url (self->connection));

      cache_data_free_in_thread (data);
      handle_error (self, wrong, FALSE);
      return;
    }
  if (self->first_pool_uuid == NULL && data->pool_uuid != NULL && *data->pool_uuid != '\0')
    self->first_pool_uuid = g_strdup (data->pool_uuid);

  discard_pending (self);
  bury_data (self, g_steal_pointer (&self->data));
  self->data = data;

  was_loaded = self->loaded;
  self->loaded = TRUE;
  self->backoff = 0;
  self->bad_answers = 0;
  self->last_flush = g_get_monotonic_time ();
  set_error (self, NULL);
  set_state (self, XAPI_CACHE_STATE_READY);

  g_object_ref (self);
  if (was_loaded)
    g_signal_emit (self, signals[SIGNAL_RESET], 0);
  /* A handler may have stopped us. */
  if (self->state == XAPI_CACHE_STATE_READY)
    g_signal_emit (self, signals[SIGNAL_READY], 0);
  if (self->state == XAPI_CACHE_STATE_READY)
    cache_poll (self, 0);
  g_object_unref (self);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CacheOp *op = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *batch;
  XapiCache *self;
  GTask *task;
  BuildJob *job;

  batch = xapi_connection_call_long_finish (XAPI_CONNECTION (source), result, &error);
  self = g_weak_ref_get (&op->self);
  if (self == NULL || self->generation != op->generation)
    {
      g_clear_object (&self);
      g_weak_ref_clear (&op->self);
      loading_free_in_thread (op->loading);
      g_free (op);
      /* Possibly a huge reply, seen by nobody: free it off the main context. */
      if (batch != NULL)
        xapi_run_in_background (free_node_thread, batch);
      return;
    }

  if (batch == NULL)
    {
      cache_op_finish (op);
      handle_error (self, error, FALSE);
      g_object_unref (self);
      return;
    }

  /* Building tens of thousands of records into hash tables is too slow for
   * the main context too: the worker does it and hands over the result. */
  job = g_new0 (BuildJob, 1);
  job->batch = batch;
  job->followed = self->followed;
  if (op->loading != NULL)
    job->data = g_steal_pointer (&op->loading->data);
  g_clear_pointer (&op->loading, loading_free);
  task = g_task_new (NULL, NULL, on_built, op);
  g_task_set_source_tag (task, on_loaded);
  g_task_set_task_data (task, job, (GDestroyNotify) build_job_free);
  xapi_task_run_in_background (task, build_thread);
  g_object_unref (task);
  g_object_unref (self);
}

static JsonArray *
event_from_params (XapiCache  *self,
                   const char *token,
                   double      timeout)
{
  JsonArray *params = json_array_new ();

  xapi_params_add_strv (params, (const char * const *) self->classes);
  xapi_params_add_string (params, token);
  xapi_params_add_double (params, timeout);

  return params;
}

static void
call_load (XapiCache *self)
{
  g_autoptr(JsonArray) params = event_from_params (self, "", LOAD_TIMEOUT);
  CacheOp *op = cache_op_new (self);

  self->last_call = g_get_monotonic_time ();

  op->loading = g_new0 (Loading, 1);
  op->loading->data = cache_data_new (self->followed);
  op->loading->followed = self->followed;
  op->loading->events.followed = self->followed;
  op->loading->events.func = load_take_event;
  op->loading->events.data = op->loading;
  xapi_connection_call_filtered_async (self->connection, "event.from", params, LOAD_TIMEOUT,
                                       EVENT_RECORD_DEPTH, self->keep, &op->loading->events,
                                       self->cancellable, on_loaded, op);
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(XapiCache) self = cache_op_finish (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) batch = NULL;
  JsonArray *events = NULL;
  const char *token = NULL;
  guint i, n;

  guint generation;
  gboolean idle;
  guint delay_ms = 0;

  batch = xapi_connection_call_long_finish (XAPI_CONNECTION (source), result, &error);
  if (self == NULL)
    return;

  idle = g_get_monotonic_time () - self->last_call < IDLE_REPLY_US;
  clear_source (&self->waiting_source);

  if (batch == NULL)
    {
      handle_error (self, error, TRUE);
      return;
    }

  if (!read_batch (batch, &events, &token))
    {
      g_autoptr(GError) malformed =
        g_error_new (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                     "The host answered event.from with something other than an event batch.");

      handle_error (self, malformed, TRUE);
      return;
    }

  self->lost_streak = 0;
  n = json_array_get_length (events);
  for (i = 0; i < n; i++)
    {
      Event event = { 0 };

      if (read_event (json_array_get_element (events, i), self->followed, &event))
        queue_event (self, &event);
      event_clear (&event);
    }

  g_free (self->data->token);
  self->data->token = g_strdup (token);
  schedule_flush (self);

  /* A stream that does not advance (nothing, at once, often the very token
   * we sent) must not become a loop of calls as fast as the server
   * answers: the pause grows while it lasts. */
  generation = self->generation;
  if (n == 0 && idle)
    {
      self->idle_streak++;
      delay_ms = IDLE_DELAY_MIN_MS << MIN (self->idle_streak - 1, 10);
      delay_ms = MIN (delay_ms, IDLE_DELAY_MAX_MS);
      if (self->idle_streak >= STALL_AFTER)
        set_stalled (self, TRUE);
    }
  else
    {
      self->idle_streak = 0;
      set_stalled (self, FALSE);
    }

  /* A "notify::stalled" handler may have stopped us. */
  if (self->generation == generation && self->state == XAPI_CACHE_STATE_READY)
    cache_poll (self, delay_ms);
}

static gboolean
on_waiting (gpointer user_data)
{
  XapiCache *self = user_data;

  /* The poll is still open: the server waits for events, as it should. */
  g_clear_pointer (&self->waiting_source, g_source_unref);
  self->idle_streak = 0;
  set_stalled (self, FALSE);

  return G_SOURCE_REMOVE;
}

static void
call_poll (XapiCache *self)
{
  g_autoptr(JsonArray) params = event_from_params (self, self->data->token, POLL_TIMEOUT);

  self->last_call = g_get_monotonic_time ();
  if (self->idle_streak > 0)
    {
      clear_source (&self->waiting_source);
      self->waiting_source = g_timeout_source_new (IDLE_REPLY_US / 1000);
      g_source_set_callback (self->waiting_source, on_waiting, self, NULL);
      g_source_attach (self->waiting_source, self->context);
    }
  xapi_connection_call_filtered_async (self->connection, "event.from", params, POLL_TIMEOUT,
                                       EVENT_RECORD_DEPTH, self->keep, NULL,
                                       self->cancellable, on_polled, cache_op_new (self));
}

/* ---- Pacing ---------------------------------------------------------------- */

static gboolean
on_paced_load (gpointer user_data)
{
  XapiCache *self = user_data;

  g_clear_pointer (&self->pace_source, g_source_unref);
  call_load (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_paced_poll (gpointer user_data)
{
  XapiCache *self = user_data;

  g_clear_pointer (&self->pace_source, g_source_unref);
  call_poll (self);

  return G_SOURCE_REMOVE;
}

/* Runs @func now, or holds it back until @delay_ms have passed and the
 * last event.from went out at least MIN_CALL_INTERVAL_US ago. */
static void
pace (XapiCache   *self,
      guint        delay_ms,
      GSourceFunc  func)
{
  gint64 wait_us = self->last_call + MIN_CALL_INTERVAL_US - g_get_monotonic_time ();

  wait_us = MAX (wait_us, (gint64) delay_ms * 1000);
  clear_source (&self->pace_source);
  if (wait_us <= 0)
    {
      func (self);
      return;
    }

  self->pace_source = g_timeout_source_new ((guint) ((wait_us + 999) / 1000));
  g_source_set_callback (self->pace_source, func, self, NULL);
  g_source_attach (self->pace_source, self->context);
}

static void
cache_load (XapiCache *self)
{
  pace (self, 0, on_paced_load);
}

static void
cache_poll (XapiCache *self,
            guint      delay_ms)
{
  pace (self, delay_ms, on_paced_poll);
}

/* ---- Public API ------------------------------------------------------------ */

XapiCache *
xapi_cache_new (XapiConnection     *connection,
                const char * const *classes)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  XapiCache *self;
  guint i;

  g_return_val_if_fail (XAPI_IS_CONNECTION (connection), NULL);

  self = g_object_new (XAPI_TYPE_CACHE, "connection", connection, NULL);

  self->followed = 1u << XAPI_CLASS_POOL;
  g_ptr_array_add (list, g_strdup ("pool"));
  for (i = 0; classes != NULL && classes[i] != NULL; i++)
    {
      XapiClass klass = xapi_class_from_name (classes[i]);

      if (klass == XAPI_CLASS_NONE)
        {
          g_warning ("xapi-cache: no record type for class \"%s\"; not followed", classes[i]);
          continue;
        }
      if ((self->followed & (1u << klass)) != 0)
        continue;
      self->followed |= 1u << klass;
      g_ptr_array_add (list, g_strdup (xapi_class_get_name (klass)));
    }
  g_ptr_array_add (list, NULL);
  self->classes = (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);

  /* What the records of the followed classes keep is all that is decoded
   * of their snapshots. */
  self->keep = g_hash_table_new (g_str_hash, g_str_equal);
  for (int k = 0; k < XAPI_N_CLASSES; k++)
    if ((self->followed & (1u << k)) != 0)
      {
        guint n;
        const XapiField *fields = xapi_class_get_fields ((XapiClass) k, &n);

        for (i = 0; i < n; i++)
          g_hash_table_add (self->keep, (gpointer) fields[i].name);
      }

  return self;
}

XapiConnection *
xapi_cache_get_connection (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  return self->connection;
}

const char * const *
xapi_cache_get_classes (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  return (const char * const *) self->classes;
}

void
xapi_cache_start (XapiCache *self)
{
  g_return_if_fail (XAPI_IS_CACHE (self));

  if (self->state != XAPI_CACHE_STATE_IDLE && self->state != XAPI_CACHE_STATE_FAILED)
    return;

  self->generation++;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->backoff = 0;
  self->lost_streak = 0;
  self->idle_streak = 0;
  self->bad_answers = 0;

  set_error (self, NULL);
  set_state (self, XAPI_CACHE_STATE_LOADING);
  cache_load (self);
}

void
xapi_cache_stop (XapiCache *self)
{
  g_return_if_fail (XAPI_IS_CACHE (self));

  self->generation++;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
    }
  clear_source (&self->pace_source);
  clear_source (&self->waiting_source);
  discard_pending (self);

  set_stalled (self, FALSE);
  set_state (self, XAPI_CACHE_STATE_IDLE);
}

XapiCacheState
xapi_cache_get_state (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), XAPI_CACHE_STATE_IDLE);

  return self->state;
}

const GError *
xapi_cache_get_error (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  return self->error;
}

gboolean
xapi_cache_is_stalled (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), FALSE);

  return self->stalled;
}

gboolean
xapi_cache_is_loaded (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), FALSE);

  return self->loaded;
}

GHashTable *
xapi_cache_get_table (XapiCache *self,
                      XapiClass  klass)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  if (self->data == NULL || (int) klass < 0 || klass >= XAPI_N_CLASSES)
    return NULL;

  return self->data->tables[klass];
}

gpointer
xapi_cache_lookup (XapiCache  *self,
                   XapiClass   klass,
                   const char *ref)
{
  GHashTable *table = xapi_cache_get_table (self, klass);

  if (table == NULL || ref == NULL)
    return NULL;

  return g_hash_table_lookup (table, ref);
}

const char *
xapi_cache_find_by_uuid (XapiCache  *self,
                         XapiClass   klass,
                         const char *uuid)
{
  XapiRecord *record;

  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  if (self->data == NULL || (int) klass < 0 || klass >= XAPI_N_CLASSES || uuid == NULL ||
      self->data->uuids[klass] == NULL)
    return NULL;

  record = g_hash_table_lookup (self->data->uuids[klass], uuid);
  return record != NULL ? record->ref : NULL;
}

const char *
xapi_cache_get_pool_ref (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  return self->data != NULL ? self->data->pool_ref : NULL;
}

/* ---- GObject --------------------------------------------------------------- */

static void
xapi_cache_dispose (GObject *object)
{
  XapiCache *self = XAPI_CACHE (object);

  self->generation++;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
    }
  clear_source (&self->pace_source);
  clear_source (&self->waiting_source);
  if (self->pending != NULL)
    discard_pending (self);
  if (self->graveyard_source != NULL)
    {
      g_source_destroy (self->graveyard_source);
      g_clear_pointer (&self->graveyard_source, g_source_unref);
    }
  g_queue_clear_full (&self->graveyard, (GDestroyNotify) g_hash_table_unref);
  g_clear_pointer (&self->data, cache_data_free);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (xapi_cache_parent_class)->dispose (object);
}

static void
xapi_cache_finalize (GObject *object)
{
  XapiCache *self = XAPI_CACHE (object);

  g_strfreev (self->classes);
  g_clear_pointer (&self->keep, g_hash_table_unref);
  g_clear_error (&self->error);
  g_free (self->first_pool_uuid);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->pending_index, g_hash_table_unref);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (xapi_cache_parent_class)->finalize (object);
}

static void
xapi_cache_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  XapiCache *self = XAPI_CACHE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_STALLED:
      g_value_set_boolean (value, self->stalled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xapi_cache_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  XapiCache *self = XAPI_CACHE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xapi_cache_class_init (XapiCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xapi_cache_dispose;
  object_class->finalize = xapi_cache_finalize;
  object_class->get_property = xapi_cache_get_property;
  object_class->set_property = xapi_cache_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, XAPI_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, XAPI_TYPE_CACHE_STATE, XAPI_CACHE_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STALLED] =
    g_param_spec_boolean ("stalled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  signals[SIGNAL_RESET] =
    g_signal_new ("reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  xapi_tune_allocator ();
}

static void
xapi_cache_init (XapiCache *self)
{
  self->state = XAPI_CACHE_STATE_IDLE;
  self->context = g_main_context_ref_thread_default ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  self->pending_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->graveyard);
}
