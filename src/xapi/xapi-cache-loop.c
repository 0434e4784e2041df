/* xapi-cache-loop.c: a cache's event.from loop: the first load, the polls,
 * their pace, errors and backoff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-cache-private.h"

#include <string.h>

#include "xapi-error.h"
#include "xapi-util-private.h"
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

static gpointer
free_node_thread (gpointer data)
{
  json_node_unref (data);
  return NULL;
}

static void
event_clear (XapiCacheEvent *event)
{
  g_clear_pointer (&event->record, xapi_record_unref);
}

/* Reads an event of a followed class (in @followed); FALSE for the
 * others and for what is not an event. */
static gboolean
read_event (JsonNode       *node,
            guint32         followed,
            XapiCacheEvent *event)
{
  JsonObject *object;
  JsonNode   *snapshot;
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
  JsonNode   *events_node;

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
  XapiCacheData *data;
  guint32        followed;
  XapiJsonEvents events; /* to load_take_event(), with this */
} Loading;

static void
loading_free (Loading *loading)
{
  if (loading == NULL)
    return;
  g_clear_pointer (&loading->data, xapi_cache_data_free);
  g_free (loading);
}

static void
load_take_event (int         klass,
                 const char *ref,
                 gpointer    record,
                 gpointer    user_data)
{
  Loading *loading = user_data;

  xapi_cache_tables_set (loading->data, (XapiClass) klass, ref, record);
  g_clear_pointer (&record, xapi_record_unref);
}

typedef struct
{
  JsonNode      *batch;
  guint32        followed;
  XapiCacheData *data; /* what load_take_event() built already, or NULL */
} BuildJob;

static void
build_job_free (BuildJob *job)
{
  /* Only reached with a batch left if the job never ran. */
  g_clear_pointer (&job->batch, json_node_unref);
  g_clear_pointer (&job->data, xapi_cache_data_free);
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
  XapiCacheData *data;
  JsonArray     *events = NULL;
  const char    *token = NULL;
  GHashTable    *pools;
  guint          i, n;

  if (!read_batch (batch, &events, &token))
    {
      g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                               "The host answered event.from with something other than "
                               "an event batch.");
      return;
    }

  /* A big reply's events have gone to load_take_event() already (the
   * array is empty then); a small one's are all here. */
  data = job->data != NULL ? g_steal_pointer (&job->data) : xapi_cache_data_new (job->followed);
  data->token = g_strdup (token);

  n = json_array_get_length (events);
  for (i = 0; i < n; i++)
    {
      XapiCacheEvent event = { 0 };

      if (read_event (json_array_get_element (events, i), job->followed, &event))
        xapi_cache_tables_set (data, event.klass, event.ref, event.record);
      event_clear (&event);
    }

  pools = data->tables[XAPI_CLASS_POOL];
  if (pools != NULL && g_hash_table_size (pools) > 0)
    {
      GHashTableIter iter;
      gpointer       ref, record;

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

  g_task_return_pointer (task, data, (GDestroyNotify) xapi_cache_data_free);
}

/* Async operations hold a weak reference and the generation they belong to:
 * after xapi_cache_stop() or the last unref their results are dropped. */
typedef struct
{
  GWeakRef self;
  guint    generation;
  Loading *loading; /* a first load's tables while its reply is decoded */
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

/* ---- Errors, backoff ------------------------------------------------------ */

static gboolean
on_retry (gpointer user_data)
{
  XapiCache *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  xapi_cache_load (self);

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
      xapi_cache_set_state (self, XAPI_CACHE_STATE_LOADING);
      xapi_cache_load (self);
      return;
    }

  xapi_cache_set_error (self, error);

  /* A host that answers with garbage is asked once more (a proxy may have
   * hiccuped), not again and again as if it had been silent: the second
   * time, its answer is the outcome, named for what it is. */
  if (xapi_error_is_bad_answer (error))
    self->bad_answers++;
  if (error_is_fatal (error) || self->bad_answers > 1)
    {
      xapi_cache_set_state (self, XAPI_CACHE_STATE_FAILED);
      return;
    }

  self->backoff = self->backoff == 0 ? 1 : MIN (self->backoff * 2, BACKOFF_MAX);
  g_debug ("xapi-cache: retrying in %u s after: %s", self->backoff, error->message);

  xapi_cache_set_state (self, XAPI_CACHE_STATE_RECONNECTING);
  xapi_clear_source (&self->retry_source);
  self->retry_source = xapi_source_attach (g_timeout_source_new_seconds (self->backoff), on_retry,
                                           self, self->context);
}

/* ---- Load and poll -------------------------------------------------------- */

static void
on_built (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(XapiCache) self = cache_op_finish (user_data);
  g_autoptr(GError) error = NULL;
  XapiCacheData *data;
  gboolean       was_loaded;

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL)
    {
      xapi_cache_data_free_in_thread (data);
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

      xapi_cache_data_free_in_thread (data);
      handle_error (self, wrong, FALSE);
      return;
    }
  if (self->first_pool_uuid == NULL && data->pool_uuid != NULL && *data->pool_uuid != '\0')
    self->first_pool_uuid = g_strdup (data->pool_uuid);

  xapi_cache_discard_pending (self);
  xapi_cache_bury_data (self, g_steal_pointer (&self->data));
  self->data = data;

  was_loaded = self->loaded;
  self->loaded = TRUE;
  self->backoff = 0;
  self->bad_answers = 0;
  self->last_flush = g_get_monotonic_time ();
  xapi_cache_set_error (self, NULL);
  xapi_cache_set_state (self, XAPI_CACHE_STATE_READY);

  g_object_ref (self);
  if (was_loaded)
    g_signal_emit (self, xapi_cache_signals[SIGNAL_RESET], 0);
  /* A handler may have stopped us. */
  if (self->state == XAPI_CACHE_STATE_READY)
    g_signal_emit (self, xapi_cache_signals[SIGNAL_READY], 0);
  if (self->state == XAPI_CACHE_STATE_READY)
    xapi_cache_poll (self, 0);
  g_object_unref (self);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CacheOp *op = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode  *batch;
  XapiCache *self;
  GTask     *task;
  BuildJob  *job;

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

/* Sends event.from from @token, waiting up to @timeout; with @events, the
 * events of a big reply go there while it is decoded. */
static void
call_event_from (XapiCache            *self,
                 const char           *token,
                 double                timeout,
                 const XapiJsonEvents *events,
                 GAsyncReadyCallback   callback,
                 CacheOp              *op)
{
  g_autoptr(JsonArray) params = json_array_new ();
  XapiReplyFilter filter = { EVENT_RECORD_DEPTH, self->keep, events };

  xapi_params_add_strv (params, (const char * const *) self->classes);
  xapi_params_add_string (params, token);
  xapi_params_add_double (params, timeout);

  self->last_call = g_get_monotonic_time ();
  xapi_connection_call_filtered_async (self->connection, "event.from", params, timeout, &filter,
                                       self->cancellable, callback, op);
}

static void
call_load (XapiCache *self)
{
  CacheOp *op = cache_op_new (self);

  op->loading = g_new0 (Loading, 1);
  op->loading->data = xapi_cache_data_new (self->followed);
  op->loading->followed = self->followed;
  op->loading->events.followed = self->followed;
  op->loading->events.func = load_take_event;
  op->loading->events.data = op->loading;
  call_event_from (self, "", LOAD_TIMEOUT, &op->loading->events, on_loaded, op);
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(XapiCache) self = cache_op_finish (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) batch = NULL;
  JsonArray  *events = NULL;
  const char *token = NULL;
  guint       i, n;

  guint       generation;
  gboolean    idle;
  guint       delay_ms = 0;

  batch = xapi_connection_call_long_finish (XAPI_CONNECTION (source), result, &error);
  if (self == NULL)
    return;

  idle = g_get_monotonic_time () - self->last_call < IDLE_REPLY_US;
  xapi_clear_source (&self->waiting_source);

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
      XapiCacheEvent event = { 0 };

      if (read_event (json_array_get_element (events, i), self->followed, &event))
        xapi_cache_queue_event (self, &event);
      event_clear (&event);
    }

  g_free (self->data->token);
  self->data->token = g_strdup (token);
  xapi_cache_schedule_flush (self);

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
        xapi_cache_set_stalled (self, TRUE);
    }
  else
    {
      self->idle_streak = 0;
      xapi_cache_set_stalled (self, FALSE);
    }

  /* A "notify::stalled" handler may have stopped us. */
  if (self->generation == generation && self->state == XAPI_CACHE_STATE_READY)
    xapi_cache_poll (self, delay_ms);
}

static gboolean
on_waiting (gpointer user_data)
{
  XapiCache *self = user_data;

  /* The poll is still open: the server waits for events, as it should. */
  g_clear_pointer (&self->waiting_source, g_source_unref);
  self->idle_streak = 0;
  xapi_cache_set_stalled (self, FALSE);

  return G_SOURCE_REMOVE;
}

static void
call_poll (XapiCache *self)
{
  if (self->idle_streak > 0)
    {
      xapi_clear_source (&self->waiting_source);
      self->waiting_source = xapi_source_attach (g_timeout_source_new (IDLE_REPLY_US / 1000),
                                                 on_waiting, self, self->context);
    }
  call_event_from (self, self->data->token, POLL_TIMEOUT, NULL, on_polled, cache_op_new (self));
}

/* ---- Pacing ---------------------------------------------------------------- */

static gboolean
on_paced (gpointer user_data)
{
  XapiCache *self = user_data;

  g_clear_pointer (&self->pace_source, g_source_unref);
  self->paced_call (self);

  return G_SOURCE_REMOVE;
}

/* Calls @call now, or holds it back until @delay_ms have passed and the
 * last event.from went out at least MIN_CALL_INTERVAL_US ago. */
static void
pace (XapiCache    *self,
      guint         delay_ms,
      XapiCacheCall call)
{
  gint64 wait_us = self->last_call + MIN_CALL_INTERVAL_US - g_get_monotonic_time ();

  wait_us = MAX (wait_us, (gint64) delay_ms * 1000);
  xapi_clear_source (&self->pace_source);
  if (wait_us <= 0)
    {
      call (self);
      return;
    }

  self->paced_call = call;
  self->pace_source = xapi_source_attach (g_timeout_source_new ((guint) ((wait_us + 999) / 1000)),
                                          on_paced, self, self->context);
}

void
xapi_cache_load (XapiCache *self)
{
  pace (self, 0, call_load);
}

void
xapi_cache_poll (XapiCache *self,
                 guint      delay_ms)
{
  pace (self, delay_ms, call_poll);
}
