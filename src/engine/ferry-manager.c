/* ferry-manager.c: the facade the window and ferryctl use
 *
 * The manager owns the pools (one per URL), the jobs (every migration of
 * this run, plus those found running when a pool connects) and the queue of
 * storage migrations: at most N per source host run at once, the others
 * wait in order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ferry-engine-private.h"

#define DEFAULT_PER_HOST 3
/* XAPI runs at most this many storage migrations per sending host. */
#define MAX_POOL_CONCURRENCY 3

struct _FerryManager
{
  GObject           parent_instance;

  FerryServerStore *store;
  GListStore       *pools;
  GListStore       *jobs;
  guint             per_host;
  GHashTable       *rates;       /* "source url|target url" -> double* bytes/s */
  guint             kick_id;
  guint             wake_id;     /* the next back-off to end */
  /* canonical URL -> GPtrArray of addresses its login may be redirected
   * to over plain HTTP, as the user agreed for this run */
  GHashTable       *trusted_redirects;
  guint             unclaimed_id;  /* the next look at tasks no VM names yet */

  /* Steering the queue (see the end of this file). */
  GHashTable       *concurrency;     /* pool uuid -> GUINT_TO_POINTER, when nothing is saved */
  guint             concurrency_all; /* for every pool in this run, or 0 */
  GPtrArray        *batches;         /* FerryBatch */
  GHashTable       *choices;         /* pool pair key -> GVariant a{ss}, when nothing is saved */
};

enum {
  SIGNAL_BATCH_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FerryManager, ferry_manager, G_TYPE_OBJECT)

static void kick_queue_soon (FerryManager *self);
static guint pool_limit (FerryManager *self,
                         FerryPool    *pool);
static void pool_concurrency_changed_cb (FerryManager *self,
                                         const char   *key,
                                         GSettings    *settings);

/* ---- the queue -------------------------------------------------------------- */

static void
hook_enqueue (gpointer  owner,
              FerryJob *job)
{
  kick_queue_soon (FERRY_MANAGER (owner));
}

static void
hook_release (gpointer  owner,
              FerryJob *job)
{
  kick_queue_soon (FERRY_MANAGER (owner));
}

static char *
rate_key (FerryPool *source,
          FerryPool *target)
{
  return g_strdup_printf ("%s|%s", source != NULL ? ferry_pool_get_url (source) : "",
                          target != NULL ? ferry_pool_get_url (target) : "");
}

static void
hook_rate (gpointer  owner,
           FerryJob *job,
           double    bytes_per_second)
{
  FerryManager *self = FERRY_MANAGER (owner);
  FerryHost *target = ferry_job_get_target (job);
  double *value = g_new (double, 1);

  *value = bytes_per_second;
  g_hash_table_insert (self->rates,
                       rate_key (ferry_job_get_source_pool (job),
                                 target != NULL ? ferry_host_get_pool (target) : NULL),
                       value);
}

static const FerryJobHooks job_hooks = {
  hook_enqueue,
  hook_release,
  hook_rate,
};

static guint
count_in_slot (FerryManager *self,
               const char   *key)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  guint count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (ferry_job_is_in_slot (job) && g_strcmp0 (ferry_job_get_source_key (job), key) == 0)
        count++;
    }

  return count;
}

static gboolean
on_wake (gpointer user_data)
{
  FerryManager *self = user_data;

  self->wake_id = 0;
  kick_queue_soon (self);

  return G_SOURCE_REMOVE;
}

static void
kick_queue (FerryManager *self)
{
  g_autoptr(GHashTable) blocked = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  gint64 now = g_get_monotonic_time ();
  gint64 next_wake = G_MAXINT64;

  /* In order: a job waiting for its host keeps the later ones of the same
   * host waiting too. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);
      const char *key = ferry_job_get_source_key (job);
      FerryPool *pool = ferry_job_get_source_pool (job);

      /* A paused job keeps its place without holding up the others. */
      if (!ferry_job_is_waiting (job) || ferry_job_get_paused (job) || g_hash_table_contains (blocked, key))
        continue;

      if (ferry_job_get_not_before (job) > now)
        next_wake = MIN (next_wake, ferry_job_get_not_before (job));

      if (pool == NULL || ferry_pool_get_state (pool) != FERRY_POOL_STATE_READY
          || count_in_slot (self, key) >= pool_limit (self, pool)
          || ferry_job_get_not_before (job) > now)
        {
          g_hash_table_add (blocked, (gpointer) key);
          continue;
        }

      ferry_job_start_storage (job);
    }

  /* Back-offs end by themselves, whatever else happens meanwhile. */
  g_clear_handle_id (&self->wake_id, g_source_remove);
  if (next_wake != G_MAXINT64)
    self->wake_id = g_timeout_add ((guint) ((next_wake - now) / 1000) + 10, on_wake, self);
}

static gboolean
on_kick_idle (gpointer user_data)
{
  FerryManager *self = user_data;

  self->kick_id = 0;
  kick_queue (self);

  return G_SOURCE_REMOVE;
}

static void
kick_queue_soon (FerryManager *self)
{
  if (self->kick_id == 0)
    self->kick_id = g_idle_add (on_kick_idle, self);
}

/* ---- adoption of running migrations --------------------------------------- */

/* How long a migration task may wait for the VM that names it in its
 * current_operations before it is adopted without one.  XAPI creates the
 * task first and marks the VM a moment later; both usually come in one
 * event batch.  It also leaves time for the answer to one of our own Async
 * calls, so that our task is not taken for someone else's. */
#define UNCLAIMED_GRACE_US (700 * G_TIME_SPAN_MILLISECOND)
#define UNCLAIMED_CHECK_MS 200

/* What the manager knows of a pool's migration tasks between two full
 * loads, kept on the pool so that it goes with it. */
typedef struct
{
  GHashTable *claims;     /* task ref -> VM ref, from the VMs' current_operations */
  GHashTable *unclaimed;  /* task ref -> gint64* first seen: no VM names it yet */
  GHashTable *handled;    /* task refs that have had a job in this load */
} PoolTasks;

static void
pool_tasks_free (gpointer data)
{
  PoolTasks *pt = data;

  g_hash_table_unref (pt->claims);
  g_hash_table_unref (pt->unclaimed);
  g_hash_table_unref (pt->handled);
  g_free (pt);
}

static PoolTasks *
pool_tasks (FerryPool *pool)
{
  static GQuark quark;
  PoolTasks *pt;

  if (quark == 0)
    quark = g_quark_from_static_string ("ferry-manager-pool-tasks");

  pt = g_object_get_qdata (G_OBJECT (pool), quark);
  if (pt == NULL)
    {
      pt = g_new0 (PoolTasks, 1);
      pt->claims = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      pt->unclaimed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      pt->handled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_qdata_full (G_OBJECT (pool), quark, pt, pool_tasks_free);
    }

  return pt;
}

static gboolean
is_migration_op (const char *op)
{
  return g_strcmp0 (op, "migrate_send") == 0 || g_strcmp0 (op, "pool_migrate") == 0;
}

/* The task of a migration call, asynchronous or not: XAPI runs every call
 * in a task named after the wire name of the call. */
static gboolean
is_migration_task_label (const char *label)
{
  if (label == NULL)
    return FALSE;
  if (g_str_has_prefix (label, "Async."))
    label += strlen ("Async.");
  return g_str_equal (label, "VM.migrate_send") || g_str_equal (label, "VM.pool_migrate");
}

static gboolean
task_is_running (const XapiTask *task)
{
  return task->status == XAPI_TASK_STATUS_PENDING || task->status == XAPI_TASK_STATUS_CANCELLING;
}

static FerryJob *
find_job_by_task (FerryManager *self,
                  FerryPool    *pool,
                  const char   *task_ref)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      FerryJob *job = ferry_store_peek (G_LIST_MODEL (self->jobs), i);

      if (ferry_job_get_source_pool (job) == pool
          && g_strcmp0 (ferry_job_get_task_ref (job), task_ref) == 0)
        return job;  /* (transfer none) */
    }

  return NULL;
}

/* A job of ours whose migration request is out (it is RUNNING from the
 * moment it sends) but whose task ref has not come back yet, or whose
 * answer was lost: its task must not be taken for someone else's.  A job
 * still queued or waiting for an "OK" has sent nothing. */
static gboolean
job_awaits_task (FerryJob *job)
{
  FerryJobState state = ferry_job_get_state (job);

  return (state == FERRY_JOB_STATE_RUNNING || state == FERRY_JOB_STATE_CANCELLING)
         && ferry_job_get_task_ref (job) == NULL;
}

static gboolean
vm_has_pending_job (FerryManager *self,
                    FerryPool    *pool,
                    const char   *vm_ref)
{
  FerryVm *vm = ferry_pool_get_vm_by_ref (pool, vm_ref);
  FerryJob *job = vm != NULL ? ferry_vm_get_job (vm) : NULL;

  return job != NULL && job_awaits_task (job);
}

/* The task of a request of ours whose answer was lost and that was sent
 * again: it reaches the pool late (a held connection) and is ours, not
 * another client's, though no answer ever named it. */
static gboolean
is_stray_request (FerryManager *self,
                  FerryPool    *pool,
                  const char     *vm_ref,
                  const XapiTask *task)
{
  const char *label = xapi_str (task->record.name_label);
  gboolean storage = g_str_has_suffix (label, "migrate_send");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (ferry_job_get_source_pool (job) == pool && ferry_job_may_have_stray_request (job)
          && g_strcmp0 (ferry_job_get_vm_ref (job), vm_ref) == 0
          && storage == (ferry_job_get_kind (job) == FERRY_MIGRATION_STORAGE))
        return TRUE;
    }

  return FALSE;
}

/* Any job of ours on @pool still waiting for the task ref of its request. */
static gboolean
pool_has_pending_send (FerryManager *self,
                       FerryPool    *pool)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (ferry_job_get_source_pool (job) == pool && job_awaits_task (job))
        return TRUE;
    }

  return FALSE;
}

/* A move across pools started elsewhere ends with the VM (same uuid) in
 * the destination pool: if that pool is connected, the VM's host there is
 * the target. */
static void
resolve_target (FerryManager *self,
                FerryJob     *job)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  FerryPool *source = ferry_job_get_source_pool (job);
  const XapiVm *record;

  if (!ferry_job_needs_target (job) || source == NULL)
    return;

  /* Inside the pool: the host XAPI reserved memory on (when the VM's
   * record said so only after the task came), or the VM's new host. */
  record = ferry_job_get_vm_ref (job) != NULL ? ferry_pool_lookup (source, XAPI_CLASS_VM, ferry_job_get_vm_ref (job)) : NULL;
  if (record != NULL)
    {
      const char *resident = record->resident_on;
      const char *scheduled = record->scheduled_to_be_resident_on;
      FerryHost *host = NULL;

      if (scheduled != NULL && g_strcmp0 (scheduled, resident) != 0)
        host = ferry_pool_get_host_by_ref (source, scheduled);
      if (host == NULL)
        {
          host = ferry_pool_get_host_by_ref (source, resident);
          if (host != NULL && g_strcmp0 (ferry_host_get_name (host), ferry_job_get_source_name (job)) == 0)
            host = NULL;
        }
      if (host != NULL)
        {
          ferry_job_resolve_target (job, host);
          return;
        }
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryPool) pool = g_list_model_get_item (G_LIST_MODEL (self->pools), i);
      XapiCache *cache = ferry_pool_get_cache (pool);
      const char *ref;
      const XapiVm *vm;
      FerryHost *host;

      if (pool == ferry_job_get_source_pool (job) || cache == NULL)
        continue;

      ref = xapi_cache_find_by_uuid (cache, XAPI_CLASS_VM, ferry_job_get_vm_uuid (job));
      if (ref == NULL)
        continue;
      vm = ferry_pool_lookup (pool, XAPI_CLASS_VM, ref);
      host = ferry_pool_get_host_by_ref (pool, vm != NULL ? vm->resident_on : NULL);
      if (host != NULL)
        {
          ferry_job_resolve_target (job, host);
          return;
        }
    }
}

static void
resolve_targets (FerryManager *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      resolve_target (self, job);
    }
}

static void
adopt_one (FerryManager *self,
           FerryPool    *pool,
           const char   *task_ref,
           const char   *vm_ref)
{
  g_autoptr(FerryJob) job = NULL;

  g_debug ("Adopting migration task %s on %s", task_ref, ferry_pool_get_name (pool));
  g_hash_table_add (pool_tasks (pool)->handled, g_strdup (task_ref));
  job = ferry_job_new_adopted (&job_hooks, self, pool, task_ref, vm_ref);
  resolve_target (self, job);
  if (!ferry_job_is_finished (job) || ferry_job_get_task_ref (job) != NULL)
    g_list_store_append (self->jobs, job);
}

/* Looks at one task seen in an event: adopts it if it is a running
 * migration nobody here follows.  @force: adopt it even if no VM names it
 * (after the grace period). */
static void
consider_task (FerryManager *self,
               FerryPool    *pool,
               const char   *task_ref,
               gboolean      force)
{
  PoolTasks *pt = pool_tasks (pool);
  const XapiTask *task = ferry_pool_lookup (pool, XAPI_CLASS_TASK, task_ref);
  const char *vm_ref = g_hash_table_lookup (pt->claims, task_ref);

  if (task == NULL || !task_is_running (task)
      || (vm_ref == NULL && !is_migration_task_label (xapi_str (task->record.name_label))))
    {
      g_hash_table_remove (pt->unclaimed, task_ref);
      return;
    }

  /* Ours, or adopted already; or once followed by a job that has let go
   * of it (a finished job whose task lingers). */
  if (g_hash_table_contains (pt->handled, task_ref) || find_job_by_task (self, pool, task_ref) != NULL)
    {
      g_hash_table_add (pt->handled, g_strdup (task_ref));
      g_hash_table_remove (pt->unclaimed, task_ref);
      return;
    }

  if (vm_ref != NULL)
    {
      /* Maybe the task of our own request: its ref will come with the
       * answer, and a later change of the task brings it back here. */
      if (vm_has_pending_job (self, pool, vm_ref))
        return;
      if (is_stray_request (self, pool, vm_ref, task))
        {
          g_debug ("Task %s is a late copy of a request of ours", task_ref);
          g_hash_table_add (pt->handled, g_strdup (task_ref));
          g_hash_table_remove (pt->unclaimed, task_ref);
          return;
        }
    }
  else if (!force || pool_has_pending_send (self, pool))
    {
      if (!g_hash_table_contains (pt->unclaimed, task_ref))
        {
          gint64 *since = g_new (gint64, 1);

          *since = g_get_monotonic_time ();
          g_hash_table_insert (pt->unclaimed, g_strdup (task_ref), since);
        }
      return;
    }

  g_hash_table_remove (pt->unclaimed, task_ref);
  adopt_one (self, pool, task_ref, vm_ref);
}

/* A full load: every VM's current_operations and every running task. */
static void
adopt_tasks (FerryManager *self,
             FerryPool    *pool)
{
  XapiCache *cache = ferry_pool_get_cache (pool);
  GHashTable *tasks = cache != NULL ? xapi_cache_get_table (cache, XAPI_CLASS_TASK) : NULL;
  GHashTable *vms = cache != NULL ? xapi_cache_get_table (cache, XAPI_CLASS_VM) : NULL;
  PoolTasks *pt = pool_tasks (pool);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_remove_all (pt->claims);
  g_hash_table_remove_all (pt->unclaimed);
  g_hash_table_remove_all (pt->handled);

  if (tasks == NULL)
    return;

  if (vms != NULL)
    {
      g_hash_table_iter_init (&iter, vms);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const XapiVm *vm = value;

          /* Most VMs do nothing (no map at all). */
          for (guint j = 0; vm->current_operations != NULL && vm->current_operations[j] != NULL; j += 2)
            if (is_migration_op (vm->current_operations[j + 1]))
              g_hash_table_replace (pt->claims, g_strdup (vm->current_operations[j]), g_strdup (key));
        }
    }

  g_hash_table_iter_init (&iter, tasks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (task_is_running (value)
        && (is_migration_task_label (xapi_str (XAPI_RECORD (value)->name_label))
            || g_hash_table_contains (pt->claims, key)))
      g_ptr_array_add (found, g_strdup (key));

  /* After a load there is nothing to wait for: a task no VM names is
   * adopted at once, as it is. */
  for (guint i = 0; i < found->len; i++)
    consider_task (self, pool, g_ptr_array_index (found, i), TRUE);

  resolve_targets (self);
}

static gboolean
on_unclaimed_check (gpointer user_data)
{
  FerryManager *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  gboolean more = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryPool) pool = g_list_model_get_item (G_LIST_MODEL (self->pools), i);
      PoolTasks *pt = pool_tasks (pool);
      g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, pt->unclaimed);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (now - *(gint64 *) value >= UNCLAIMED_GRACE_US)
          g_ptr_array_add (due, g_strdup (key));

      for (guint j = 0; j < due->len; j++)
        consider_task (self, pool, g_ptr_array_index (due, j), TRUE);

      more |= g_hash_table_size (pt->unclaimed) > 0;
    }

  if (more)
    return G_SOURCE_CONTINUE;
  self->unclaimed_id = 0;
  return G_SOURCE_REMOVE;
}

/* Drops the claims @vm_ref no longer makes. */
static void
forget_claims_of (PoolTasks   *pt,
                  const char  *vm_ref,
                  GHashTable  *ops)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, pt->claims);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (value, vm_ref) && (ops == NULL || !g_hash_table_contains (ops, key)))
      g_hash_table_iter_remove (&iter);
}

static void
add_candidate (GHashTable *seen,
               GPtrArray  *candidates,
               const char *task_ref)
{
  char *copy;

  if (g_hash_table_contains (seen, task_ref))
    return;
  copy = g_strdup (task_ref);
  g_ptr_array_add (candidates, copy);
  g_hash_table_add (seen, copy);
}

/* An event batch: only the tasks and VMs in it are looked at, so that a
 * pool of thousands of VMs costs nothing more per event than a small one. */
static void
on_pool_changed (FerryPool    *pool,
                 GPtrArray    *changes,
                 FerryManager *self)
{
  PoolTasks *pt;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  gboolean vms_placed = FALSE;

  if (ferry_pool_get_state (pool) != FERRY_POOL_STATE_READY)
    return;

  pt = pool_tasks (pool);
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  candidates = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < changes->len; i++)
    {
      XapiChange *change = g_ptr_array_index (changes, i);
      gboolean del = change->kind == XAPI_CHANGE_DEL || change->record == NULL;

      if (change->klass == XAPI_CLASS_VM)
        {
          const XapiVm *vm = change->record;
          g_autoptr(GHashTable) ops = NULL;
          GHashTableIter iter;
          gpointer task_ref, op;

          if (del)
            {
              forget_claims_of (pt, change->ref, NULL);
              continue;
            }
          vms_placed |= change->kind == XAPI_CHANGE_ADD || vm->resident_on != NULL;
          ops = xapi_map_to_hash_table (vm->current_operations);
          forget_claims_of (pt, change->ref, ops);
          g_hash_table_iter_init (&iter, ops);
          while (g_hash_table_iter_next (&iter, &task_ref, &op))
            if (is_migration_op (op))
              {
                g_hash_table_replace (pt->claims, g_strdup (task_ref), g_strdup (change->ref));
                add_candidate (seen, candidates, task_ref);
              }
        }
      else if (change->klass == XAPI_CLASS_TASK)
        {
          if (del)
            {
              g_hash_table_remove (pt->claims, change->ref);
              g_hash_table_remove (pt->unclaimed, change->ref);
              g_hash_table_remove (pt->handled, change->ref);
            }
          else if (task_is_running (change->record))
            add_candidate (seen, candidates, change->ref);
        }
    }

  for (guint i = 0; i < candidates->len; i++)
    consider_task (self, pool, g_ptr_array_index (candidates, i), FALSE);

  if (g_hash_table_size (pt->unclaimed) > 0 && self->unclaimed_id == 0)
    self->unclaimed_id = g_timeout_add (UNCLAIMED_CHECK_MS, on_unclaimed_check, self);

  /* A VM that arrived here may be the end of a move across pools that
   * another pool's adopted job could not name the target of. */
  if (vms_placed)
    resolve_targets (self);
}

static void
on_pool_reset (FerryPool    *pool,
               FerryManager *self)
{
  adopt_tasks (self, pool);
  kick_queue_soon (self);
}

static void
on_pool_state (FerryPool    *pool,
               GParamSpec   *pspec,
               FerryManager *self)
{
  if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY)
    kick_queue_soon (self);
}

static void
remember_label (FerryManager *self,
                FerryPool    *pool)
{
  FerryServer *server;

  if (self->store == NULL)
    return;

  server = ferry_server_store_lookup (self->store, ferry_pool_get_url (pool));
  if (server != NULL && g_strcmp0 (ferry_server_get_label (server), ferry_pool_get_name (pool)) != 0
      && ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY)
    ferry_server_store_set_label (self->store, ferry_pool_get_url (pool), ferry_pool_get_name (pool));
}

static void
on_pool_name (FerryPool    *pool,
              GParamSpec   *pspec,
              FerryManager *self)
{
  remember_label (self, pool);
}

static void
watch_pool (FerryManager *self,
            FerryPool    *pool)
{
  g_signal_connect_object (pool, "objects-reset", G_CALLBACK (on_pool_reset), self, 0);
  g_signal_connect_object (pool, "objects-changed", G_CALLBACK (on_pool_changed), self, 0);
  g_signal_connect_object (pool, "notify::state", G_CALLBACK (on_pool_state), self, 0);
  g_signal_connect_object (pool, "notify::name", G_CALLBACK (on_pool_name), self, 0);
}

static void
add_pool (FerryManager *self,
          FerryPool    *pool)
{
  guint position;

  if (g_list_store_find (self->pools, pool, &position))
    return;

  watch_pool (self, pool);
  g_list_store_append (self->pools, pool);

  /* A pool that is READY already missed its first "objects-reset". */
  if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY)
    {
      adopt_tasks (self, pool);
      remember_label (self, pool);
    }
}

/* The reverse of add_pool(), for a pool that never got in: no job can
 * involve it. */
static void
unlist_pool (FerryManager *self,
             FerryPool    *pool)
{
  guint position;

  g_signal_handlers_disconnect_by_data (pool, self);
  if (g_list_store_find (self->pools, pool, &position))
    g_list_store_remove (self->pools, position);
}

static FerryPool *
find_pool_by_url (FerryManager *self,
                  const char   *canonical)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));

  for (guint i = 0; i < n; i++)
    {
      FerryPool *pool = ferry_store_peek (G_LIST_MODEL (self->pools), i);

      if (g_strcmp0 (ferry_pool_get_url (pool), canonical) == 0)
        return pool;  /* (transfer none) */
    }

  return NULL;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
ferry_manager_dispose (GObject *object)
{
  FerryManager *self = FERRY_MANAGER (object);
  guint n;

  g_clear_handle_id (&self->kick_id, g_source_remove);
  g_clear_handle_id (&self->wake_id, g_source_remove);
  g_clear_handle_id (&self->unclaimed_id, g_source_remove);

  if (self->pools != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(FerryPool) pool = g_list_model_get_item (G_LIST_MODEL (self->pools), i);

          g_signal_handlers_disconnect_by_data (pool, self);
        }
    }

  if (self->jobs != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

          ferry_job_detach (job);
        }
    }

  if (self->batches != NULL)
    for (guint i = 0; i < self->batches->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->batches, i), self);
  g_clear_pointer (&self->batches, g_ptr_array_unref);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (ferry_server_store_get_settings (self->store), self);

  g_clear_object (&self->pools);
  g_clear_object (&self->jobs);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ferry_manager_parent_class)->dispose (object);
}

static void
ferry_manager_finalize (GObject *object)
{
  FerryManager *self = FERRY_MANAGER (object);

  g_clear_pointer (&self->rates, g_hash_table_unref);
  g_clear_pointer (&self->trusted_redirects, g_hash_table_unref);
  g_clear_pointer (&self->concurrency, g_hash_table_unref);
  g_clear_pointer (&self->choices, g_hash_table_unref);

  G_OBJECT_CLASS (ferry_manager_parent_class)->finalize (object);
}

static void
ferry_manager_class_init (FerryManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_manager_dispose;
  object_class->finalize = ferry_manager_finalize;

  /* A batch (ferry_manager_add_batch()) has ended: every job in it ended
   * or its outcome is unknown. */
  signals[SIGNAL_BATCH_ENDED] = g_signal_new ("batch-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 1, FERRY_TYPE_BATCH);
}

static void
ferry_manager_init (FerryManager *self)
{
  self->pools = g_list_store_new (FERRY_TYPE_POOL);
  self->jobs = g_list_store_new (FERRY_TYPE_JOB);
  self->per_host = DEFAULT_PER_HOST;
  self->rates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->trusted_redirects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   (GDestroyNotify) g_ptr_array_unref);
  self->concurrency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->batches = g_ptr_array_new_with_free_func (g_object_unref);
  self->choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
}

FerryManager *
ferry_manager_new (FerryServerStore *store)
{
  FerryManager *self = g_object_new (FERRY_TYPE_MANAGER, NULL);

  if (store != NULL)
    {
      GSettings *settings = ferry_server_store_get_settings (store);
      g_autoptr(GSettingsSchema) schema = NULL;

      self->store = g_object_ref (store);
      g_object_get (settings, "settings-schema", &schema, NULL);
      if (schema != NULL && g_settings_schema_has_key (schema, "storage-migrations-per-host"))
        self->per_host = MAX (1, g_settings_get_uint (settings, "storage-migrations-per-host"));
      /* A pool's value changed in Preferences (or another Ferry): the
       * queue follows at once. */
      if (schema != NULL && g_settings_schema_has_key (schema, "pool-concurrency"))
        g_signal_connect_object (settings, "changed::pool-concurrency", G_CALLBACK (pool_concurrency_changed_cb),
                                 self, G_CONNECT_SWAPPED);
    }

  return self;
}

FerryServerStore *
ferry_manager_get_store (FerryManager *self)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return self->store;
}

GListModel *
ferry_manager_get_pools (FerryManager *self)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return G_LIST_MODEL (self->pools);
}

GListModel *
ferry_manager_get_jobs (FerryManager *self)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

/* ---- connecting ---------------------------------------------------------------- */

static void
apply_trusted_redirects (FerryManager *self,
                         FerryPool    *pool)
{
  GPtrArray *addresses = g_hash_table_lookup (self->trusted_redirects, ferry_pool_get_url (pool));

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    ferry_pool_trust_redirect (pool, g_ptr_array_index (addresses, i));
}

void
ferry_manager_trust_redirect (FerryManager *self,
                              const char   *url,
                              const char   *address)
{
  g_autofree char *canonical = NULL;
  GPtrArray *addresses;
  FerryPool *pool;

  g_return_if_fail (FERRY_IS_MANAGER (self));
  g_return_if_fail (address != NULL);

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    return;

  addresses = g_hash_table_lookup (self->trusted_redirects, canonical);
  if (addresses == NULL)
    {
      addresses = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->trusted_redirects, g_strdup (canonical), addresses);
    }
  g_ptr_array_add (addresses, g_strdup (address));

  pool = find_pool_by_url (self, canonical);
  if (pool != NULL)
    ferry_pool_trust_redirect (pool, address);
}

typedef struct
{
  FerryPool *pool;
  char      *password;
  char      *username;
  gboolean   remember;
  gboolean   listed;      /* already in the pools model */
  gboolean   added;       /* listed by this attempt: unlisted if it fails */
  gulong     cancel_id;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->pool);
  if (data->password != NULL)
    {
      explicit_bzero (data->password, strlen (data->password));
      g_free (data->password);
    }
  g_free (data->username);
  g_free (data);
}

static void
on_password_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ferry_server_store_store_password_finish (FERRY_SERVER_STORE (source), result, &error))
    {
      g_prefix_error (&error, "%s", _("Connected, but the password could not be saved in the keyring: "));
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_object_ref (data->pool), g_object_unref);
}

static void
on_pool_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerryManager *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (data->cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), data->cancel_id);
      data->cancel_id = 0;
    }

  if (!ferry_pool_connect_finish (data->pool, result, &error))
    {
      /* Out of the list first, so that no view watches its lists empty. */
      if (data->added)
        unlist_pool (self, data->pool);
      if (!data->listed)
        ferry_pool_disconnect (data->pool);
      g_task_return_error (task, error);
      return;
    }

  add_pool (self, data->pool);

  if (data->remember && self->store != NULL)
    {
      /* Only now: a server is saved once it has let us in. */
      ferry_server_store_save (self->store, ferry_pool_get_url (data->pool), data->username,
                               ferry_pool_get_fingerprint (data->pool), ferry_pool_get_name (data->pool));
      ferry_server_store_store_password_async (self->store, ferry_pool_get_url (data->pool),
                                               data->username, data->password, NULL,
                                               on_password_saved, g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task, g_object_ref (data->pool), g_object_unref);
}

static gboolean
disconnect_idle (gpointer user_data)
{
  ferry_pool_disconnect (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_connect_cancelled (GCancellable *cancellable,
                      FerryPool    *pool)
{
  /* Runs inside g_cancellable_cancel(); the pool then completes the
   * connect task with G_IO_ERROR_CANCELLED. */
  g_idle_add_full (G_PRIORITY_DEFAULT, disconnect_idle, g_object_ref (pool), g_object_unref);
}

void
ferry_manager_connect_async (FerryManager        *self,
                             const char          *url,
                             const char          *username,
                             const char          *password,
                             const char          *fingerprint,
                             gboolean             remember,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *canonical = NULL;
  ConnectData *data;
  FerryPool *existing;

  g_return_if_fail (FERRY_IS_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_manager_connect_async);

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    {
      g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_INVALID,
                               _("“%s” is not a server address."), url != NULL ? url : "");
      return;
    }
  if (username == NULL || *username == '\0' || password == NULL)
    {
      g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_INVALID,
                               "%s", _("A user name and a password are needed."));
      return;
    }

  existing = find_pool_by_url (self, canonical);
  if (existing != NULL)
    {
      if (ferry_pool_get_state (existing) == FERRY_POOL_STATE_READY)
        {
          g_task_return_pointer (task, g_object_ref (existing), g_object_unref);
          return;
        }

    }

  data = g_new0 (ConnectData, 1);
  if (existing != NULL && g_strcmp0 (ferry_pool_get_username (existing), username) == 0)
    {
      /* A listed pool that is failing or retrying: try again with what the
       * user gave now; it stays listed whatever happens. */
      data->pool = g_object_ref (existing);
      data->listed = TRUE;
    }
  else
    {
      if (existing != NULL)
        ferry_manager_disconnect (self, existing);
      data->pool = ferry_pool_new (canonical, username);
    }
  apply_trusted_redirects (self, data->pool);

  /* Listed from the start, as a saved pool is: the views follow its load
   * a slice at a time, rather than taking in a whole pool at once when it
   * is ready (10,000 VMs froze the window for 200 ms).  A pool that does
   * not get in leaves the list again. */
  if (!data->listed)
    {
      ferry_pool_set_connecting (data->pool);
      add_pool (self, data->pool);
      data->added = TRUE;
    }
  data->password = g_strdup (password);
  data->username = g_strdup (username);
  data->remember = remember;
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  /* A new pool is dropped when the caller gives up; a listed one stays. */
  if (cancellable != NULL && !data->listed)
    data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_connect_cancelled),
                                             data->pool, NULL);

  ferry_pool_connect_async (data->pool, password, fingerprint, FALSE, NULL,
                            on_pool_connected, g_steal_pointer (&task));
}

FerryPool *
ferry_manager_connect_finish (FerryManager  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  FerryPool *pool;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  pool = g_task_propagate_pointer (G_TASK (result), error);
  ferry_error_translate (error);
  return pool;  /* (transfer full) */
}

typedef struct
{
  guint pending;
  guint ready;
  guint failed;
} SavedData;

static void
saved_one_done (GTask *task)
{
  SavedData *data = g_task_get_task_data (task);

  if (--data->pending > 0)
    {
      g_object_unref (task);
      return;
    }

  g_task_return_int (task, data->ready);
  g_object_unref (task);
}

static void
on_saved_pool_connected (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  SavedData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (ferry_pool_connect_finish (FERRY_POOL (source), result, &error))
    data->ready++;
  else
    data->failed++;

  saved_one_done (task);
}

typedef struct
{
  GTask     *task;
  FerryPool *pool;
  char      *fingerprint;
} SavedLookup;

static void
on_saved_password (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SavedLookup *lookup = user_data;
  SavedData *data = g_task_get_task_data (lookup->task);
  g_autoptr(GError) error = NULL;
  char *password;

  password = ferry_server_store_lookup_password_finish (FERRY_SERVER_STORE (source), result, &error);
  if (password == NULL)
    {
      g_autoptr(GError) missing = NULL;

      if (error != NULL)
        missing = g_error_new (FERRY_ERROR, FERRY_ERROR_FAILED,
                               _("The password could not be read from the keyring: %s"), error->message);
      else
        missing = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_FAILED,
                                       _("No password is saved for this server. Connect to it again to save one."));
      /* Not retried: without a password there is nothing to try. */
      ferry_pool_set_failed (lookup->pool, missing);
      data->failed++;
      saved_one_done (lookup->task);
    }
  else
    {
      ferry_pool_connect_async (lookup->pool, password, lookup->fingerprint, TRUE, NULL,
                                on_saved_pool_connected, lookup->task);
      explicit_bzero (password, strlen (password));
      g_free (password);
    }

  g_object_unref (lookup->pool);
  g_free (lookup->fingerprint);
  g_free (lookup);
}

void
ferry_manager_connect_saved_async (FerryManager        *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SavedData *data;
  guint n;

  g_return_if_fail (FERRY_IS_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_manager_connect_saved_async);
  data = g_new0 (SavedData, 1);
  data->pending = 1;   /* released at the end of this function */
  g_task_set_task_data (task, data, g_free);

  n = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryServer) server = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      g_autoptr(FerryPool) pool = NULL;
      SavedLookup *lookup;

      if (find_pool_by_url (self, ferry_server_get_url (server)) != NULL)
        continue;

      pool = ferry_pool_new (ferry_server_get_url (server), ferry_server_get_username (server));
      ferry_pool_set_connecting (pool);
      apply_trusted_redirects (self, pool);
      add_pool (self, pool);

      lookup = g_new0 (SavedLookup, 1);
      lookup->task = g_object_ref (task);
      lookup->pool = g_object_ref (pool);
      lookup->fingerprint = g_strdup (ferry_server_get_fingerprint (server));
      data->pending++;

      ferry_server_store_lookup_password_async (self->store, ferry_server_get_url (server),
                                                ferry_server_get_username (server), NULL,
                                                on_saved_password, lookup);
    }

  saved_one_done (g_steal_pointer (&task));
}

gboolean
ferry_manager_connect_saved_finish (FerryManager  *self,
                                    GAsyncResult  *result,
                                    guint         *n_connected,
                                    GError       **error)
{
  gssize ready;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ready = g_task_propagate_int (G_TASK (result), error);
  ferry_error_translate (error);
  if (ready < 0)
    return FALSE;
  if (n_connected != NULL)
    *n_connected = (guint) ready;

  return TRUE;
}

void
ferry_manager_disconnect (FerryManager *self,
                          FerryPool    *pool)
{
  guint position;
  guint n;

  g_return_if_fail (FERRY_IS_MANAGER (self));
  g_return_if_fail (FERRY_IS_POOL (pool));

  g_object_ref (pool);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);
      FerryHost *target = ferry_job_get_target (job);

      if (ferry_job_get_source_pool (job) == pool || (target != NULL && ferry_host_get_pool (target) == pool))
        ferry_job_abandon (job, _("Ferry stopped following this migration: its pool was disconnected."));
    }

  g_signal_handlers_disconnect_by_data (pool, self);
  ferry_pool_disconnect (pool);
  if (g_list_store_find (self->pools, pool, &position))
    g_list_store_remove (self->pools, position);

  g_object_unref (pool);
}

/* ---- finding things --------------------------------------------------------- */

FerryPool *
ferry_manager_find_pool (FerryManager *self,
                         const char   *name_or_uuid_or_url)
{
  g_autofree char *canonical = NULL;
  FerryPool *found = NULL;
  guint matches = 0;
  guint n;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);

  if (name_or_uuid_or_url == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  for (guint i = 0; i < n; i++)
    {
      FerryPool *pool = ferry_store_peek (G_LIST_MODEL (self->pools), i);

      if (g_strcmp0 (ferry_pool_get_uuid (pool), name_or_uuid_or_url) == 0)
        return pool;  /* (transfer none) */
    }

  if (strchr (name_or_uuid_or_url, '.') != NULL || strchr (name_or_uuid_or_url, ':') != NULL)
    {
      canonical = ferry_server_canonical_url (name_or_uuid_or_url);
      if (canonical != NULL && (found = find_pool_by_url (self, canonical)) != NULL)
        return found;  /* (transfer none) */
    }

  for (guint i = 0; i < n; i++)
    {
      FerryPool *pool = ferry_store_peek (G_LIST_MODEL (self->pools), i);

      if (g_strcmp0 (ferry_pool_get_name (pool), name_or_uuid_or_url) == 0)
        {
          found = pool;
          matches++;
        }
    }

  if (matches == 1)
    return found;  /* (transfer none) */

  canonical = canonical != NULL ? canonical : ferry_server_canonical_url (name_or_uuid_or_url);
  return canonical != NULL ? find_pool_by_url (self, canonical) : NULL;
}

/* A uuid anywhere; else a name that only one object carries in all pools. */
static gpointer
find_anywhere (FerryManager *self,
               const char   *key,
               GListModel *(*get_model) (FerryPool *),
               const char *(*get_name) (gpointer))
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  gpointer found = NULL;
  guint matches = 0;

  if (key == NULL || *key == '\0')
    return NULL;

  for (guint i = 0; i < n; i++)
    {
      FerryPool *pool = ferry_store_peek (G_LIST_MODEL (self->pools), i);
      GListModel *model = get_model (pool);
      guint m = g_list_model_get_n_items (model);

      for (guint j = 0; j < m; j++)
        {
          GObject *item = ferry_store_peek (model, j);
          g_autofree char *uuid = NULL;

          g_object_get (item, "uuid", &uuid, NULL);
          if (g_strcmp0 (uuid, key) == 0)
            return item;  /* (transfer none) */
          if (g_strcmp0 (get_name (item), key) == 0)
            {
              found = item;
              matches++;
            }
        }
    }

  return matches == 1 ? found : NULL;  /* (transfer none) */
}

FerryVm *
ferry_manager_find_vm (FerryManager *self,
                       const char   *uuid_or_name)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return find_anywhere (self, uuid_or_name, ferry_pool_get_vms,
                        (const char *(*) (gpointer)) ferry_vm_get_name);
}

FerryHost *
ferry_manager_find_host (FerryManager *self,
                         const char   *uuid_or_name)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return find_anywhere (self, uuid_or_name, ferry_pool_get_hosts,
                        (const char *(*) (gpointer)) ferry_host_get_name);
}

FerryJob *
ferry_manager_find_job (FerryManager *self,
                        const char   *id_or_task)
{
  guint n;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);

  if (id_or_task == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n; i++)
    {
      FerryJob *job = ferry_store_peek (G_LIST_MODEL (self->jobs), i);

      if (g_strcmp0 (ferry_job_get_id (job), id_or_task) == 0
          || g_strcmp0 (ferry_job_get_task_ref (job), id_or_task) == 0)
        return job;  /* (transfer none) */
    }

  /* A task uuid (as xe and XO show them): the task's reference in the pool
   * that knows it. */
  if (g_str_has_prefix (id_or_task, "OpaqueRef:"))
    return NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  for (guint i = 0; i < n; i++)
    {
      XapiCache *cache = ferry_pool_get_cache (ferry_store_peek (G_LIST_MODEL (self->pools), i));
      const char *ref = cache != NULL ? xapi_cache_find_by_uuid (cache, XAPI_CLASS_TASK, id_or_task) : NULL;

      if (ref != NULL)
        return ferry_manager_find_job (self, ref);
    }

  return NULL;
}

/* ---- migrating -------------------------------------------------------------------- */

static gboolean
settings_flag (GSettings  *settings,
               const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key) && g_settings_get_boolean (settings, key);
}

FerryJob *
ferry_manager_migrate (FerryManager        *self,
                       FerryVm             *vm,
                       FerryHost           *target,
                       FerryMigrateOptions *options)
{
  FerryJob *job;
  g_autoptr(FerryMigrateOptions) with_compress = NULL;
  g_autofree char *key = NULL;
  FerryPool *target_pool;
  double *rate;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  g_return_val_if_fail (FERRY_IS_VM (vm), NULL);
  g_return_val_if_fail (FERRY_IS_HOST (target), NULL);

  target_pool = ferry_host_get_pool (target);
  key = rate_key (ferry_vm_get_pool (vm), target_pool);
  rate = g_hash_table_lookup (self->rates, key);

  /* The "compress" preference is the default when the caller says nothing. */
  if (self->store != NULL && !ferry_migrate_options_get_compress (options, NULL)
      && settings_flag (ferry_server_store_get_settings (self->store), "compress"))
    {
      with_compress = ferry_migrate_options_copy (options);
      ferry_migrate_options_set_compress (with_compress, TRUE);
      options = with_compress;
    }

  job = ferry_job_new (&job_hooks, self, vm, target, options, rate != NULL ? *rate : -1);
  g_list_store_append (self->jobs, job);
  ferry_job_start (job);
  /* The jobs model holds the job from here on; the caller borrows it. */
  g_object_unref (job);

  return job;  /* (transfer none) */
}

gboolean
ferry_manager_check_target (FerryManager  *self,
                            FerryVm       *vm,
                            FerryHost     *target,
                            char         **reason)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), FALSE);
  g_return_val_if_fail (FERRY_IS_VM (vm), FALSE);
  g_return_val_if_fail (FERRY_IS_HOST (target), FALSE);

  return ferry_precheck (vm, target, ferry_job_vm_is_busy (vm), reason, NULL, NULL);
}

void
ferry_manager_set_storage_migrations_per_host (FerryManager *self,
                                               guint         n)
{
  g_return_if_fail (FERRY_IS_MANAGER (self));

  self->per_host = MAX (n, 1);
  kick_queue_soon (self);
}

guint
ferry_manager_get_storage_migrations_per_host (FerryManager *self)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), DEFAULT_PER_HOST);
  return self->per_host;
}

/* ---- steering the queue ------------------------------------------------------- */

/* The store's settings if their schema has @key (tests may run with a
 * store whose settings lack it), else NULL.  (transfer none) */
static GSettings *
settings_with_key (FerryManager *self,
                   const char   *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettings *settings;

  if (self->store == NULL)
    return NULL;
  settings = ferry_server_store_get_settings (self->store);
  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key) ? settings : NULL;
}

/* @dict (a{s*}) with @key set to @value (or removed if NULL): a new
 * floating dictionary of the same type.  GVariantDict would make an a{sv}. */
static GVariant *
dict_with (GVariant   *dict,
           const char *key,
           GVariant   *value)
{
  GVariantBuilder builder;
  GVariantIter iter;
  const char *k;
  GVariant *v;

  g_variant_builder_init (&builder, g_variant_get_type (dict));
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s@*}", &k, &v))
    {
      if (!g_str_equal (k, key))
        g_variant_builder_add (&builder, "{s@*}", k, v);
      g_variant_unref (v);
    }
  if (value != NULL)
    g_variant_builder_add (&builder, "{s@*}", key, value);

  return g_variant_builder_end (&builder);
}

static void
pool_concurrency_changed_cb (FerryManager *self,
                             const char   *key,
                             GSettings    *settings)
{
  kick_queue_soon (self);
}

/* The pool's own value, 0 if it has none. */
static guint
pool_own_limit (FerryManager *self,
                FerryPool    *pool)
{
  const char *uuid = pool != NULL ? ferry_pool_get_uuid (pool) : NULL;
  GSettings *settings = settings_with_key (self, "pool-concurrency");
  guint n = 0;

  if (uuid == NULL)
    return 0;
  if (settings != NULL)
    {
      g_autoptr(GVariant) values = g_settings_get_value (settings, "pool-concurrency");

      if (!g_variant_lookup (values, uuid, "u", &n))
        n = 0;
    }
  else
    n = GPOINTER_TO_UINT (g_hash_table_lookup (self->concurrency, uuid));

  return n > 0 ? CLAMP (n, 1, MAX_POOL_CONCURRENCY) : 0;
}

static guint
pool_limit (FerryManager *self,
            FerryPool    *pool)
{
  guint own;

  if (self->concurrency_all > 0)
    return self->concurrency_all;
  own = pool_own_limit (self, pool);
  return own > 0 ? own : self->per_host;
}

void
ferry_manager_set_pool_concurrency (FerryManager *self,
                                    FerryPool    *pool,
                                    guint         n)
{
  GSettings *settings;
  const char *uuid;

  g_return_if_fail (FERRY_IS_MANAGER (self));
  g_return_if_fail (FERRY_IS_POOL (pool));

  uuid = ferry_pool_get_uuid (pool);
  g_return_if_fail (uuid != NULL);
  if (n > 0)
    n = CLAMP (n, 1, MAX_POOL_CONCURRENCY);

  settings = settings_with_key (self, "pool-concurrency");
  if (settings != NULL)
    {
      g_autoptr(GVariant) old = g_settings_get_value (settings, "pool-concurrency");

      g_settings_set_value (settings, "pool-concurrency",
                            dict_with (old, uuid, n > 0 ? g_variant_new_uint32 (n) : NULL));
    }
  else if (n > 0)
    g_hash_table_insert (self->concurrency, g_strdup (uuid), GUINT_TO_POINTER (n));
  else
    g_hash_table_remove (self->concurrency, uuid);

  kick_queue_soon (self);
}

guint
ferry_manager_get_pool_concurrency (FerryManager *self,
                                    FerryPool    *pool)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), DEFAULT_PER_HOST);
  g_return_val_if_fail (FERRY_IS_POOL (pool), DEFAULT_PER_HOST);

  return pool_limit (self, pool);
}

void
ferry_manager_set_concurrency_override (FerryManager *self,
                                        guint         n)
{
  g_return_if_fail (FERRY_IS_MANAGER (self));

  self->concurrency_all = n > 0 ? CLAMP (n, 1, MAX_POOL_CONCURRENCY) : 0;
  kick_queue_soon (self);
}

gboolean
ferry_manager_remove_job (FerryManager *self,
                          FerryJob     *job)
{
  g_autoptr(FerryJob) keep = NULL;
  guint position;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), FALSE);
  g_return_val_if_fail (FERRY_IS_JOB (job), FALSE);

  /* Only what has sent nothing to a pool: a running migration goes on in
   * the pool whatever the list says. */
  if (ferry_job_get_state (job) != FERRY_JOB_STATE_QUEUED || !ferry_job_is_waiting (job))
    return FALSE;
  if (!g_list_store_find (self->jobs, job, &position))
    return FALSE;

  keep = g_object_ref (job);
  ferry_job_cancel (job);
  g_list_store_remove (self->jobs, position);
  kick_queue_soon (self);

  return TRUE;
}

static void
batch_ended_cb (FerryManager *self,
                GParamSpec   *pspec,
                FerryBatch   *batch)
{
  if (ferry_batch_get_ended (batch))
    g_signal_emit (self, signals[SIGNAL_BATCH_ENDED], 0, batch);
}

FerryBatch *
ferry_manager_add_batch (FerryManager *self,
                         const char   *title,
                         GPtrArray    *jobs)
{
  g_autoptr(FerryBatch) batch = NULL;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (jobs != NULL, NULL);

  batch = ferry_batch_new (title, jobs);
  /* One job is told about as itself, not as a batch of one. */
  if (ferry_batch_get_jobs (batch)->len < 2)
    return NULL;

  g_ptr_array_add (self->batches, g_object_ref (batch));
  g_signal_connect_object (batch, "notify::ended", G_CALLBACK (batch_ended_cb), self, G_CONNECT_SWAPPED);
  ferry_batch_check (batch);

  return batch;  /* (transfer none) the manager keeps it */
}

/* ---- choices remembered for a pair of pools ------------------------------------ */

static char *
pair_key (FerryPool *source,
          FerryPool *target)
{
  const char *from = ferry_pool_get_uuid (source);
  const char *to = ferry_pool_get_uuid (target);

  return from != NULL && to != NULL ? g_strdup_printf ("%s>%s", from, to) : NULL;
}

void
ferry_manager_remember_choices (FerryManager              *self,
                                FerryPool                 *source,
                                FerryPool                 *target,
                                const FerryMigrateOptions *options)
{
  g_autofree char *key = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  FerrySr *sr;
  FerryNetwork *network;
  FerryNetwork *transfer;
  GVariant *value;
  GSettings *settings;

  g_return_if_fail (FERRY_IS_MANAGER (self));
  g_return_if_fail (FERRY_IS_POOL (source));
  g_return_if_fail (FERRY_IS_POOL (target));
  g_return_if_fail (options != NULL);

  key = pair_key (source, target);
  if (key == NULL || source == target)
    return;

  /* Uuids only: what a later run can find again in the same pools. */
  sr = ferry_migrate_options_get_sr (options);
  network = ferry_migrate_options_get_network (options);
  transfer = ferry_migrate_options_get_migration_network (options);
  if (sr != NULL && ferry_sr_get_uuid (sr) != NULL)
    g_variant_builder_add (&builder, "{ss}", "sr", ferry_sr_get_uuid (sr));
  if (network != NULL && ferry_network_get_uuid (network) != NULL)
    g_variant_builder_add (&builder, "{ss}", "network", ferry_network_get_uuid (network));
  if (transfer != NULL && ferry_network_get_uuid (transfer) != NULL)
    g_variant_builder_add (&builder, "{ss}", "migration-network", ferry_network_get_uuid (transfer));
  value = g_variant_ref_sink (g_variant_builder_end (&builder));

  /* No explicit choice this time: what was remembered stays. */
  if (g_variant_n_children (value) == 0)
    {
      g_variant_unref (value);
      return;
    }

  settings = settings_with_key (self, "pool-pair-choices");
  if (settings != NULL)
    {
      g_autoptr(GVariant) old = g_settings_get_value (settings, "pool-pair-choices");

      g_settings_set_value (settings, "pool-pair-choices", dict_with (old, key, value));
      g_variant_unref (value);
    }
  else
    g_hash_table_insert (self->choices, g_steal_pointer (&key), value);
}

FerryMigrateOptions *
ferry_manager_recall_choices (FerryManager *self,
                              FerryPool    *source,
                              FerryHost    *target)
{
  g_autoptr(FerryMigrateOptions) options = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autofree char *key = NULL;
  FerryPool *target_pool;
  GSettings *settings;
  const char *uuid;
  gboolean any = FALSE;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  g_return_val_if_fail (FERRY_IS_POOL (source), NULL);
  g_return_val_if_fail (FERRY_IS_HOST (target), NULL);

  target_pool = ferry_host_get_pool (target);
  if (target_pool == NULL || target_pool == source || (key = pair_key (source, target_pool)) == NULL)
    return NULL;

  settings = settings_with_key (self, "pool-pair-choices");
  if (settings != NULL)
    {
      g_autoptr(GVariant) all = g_settings_get_value (settings, "pool-pair-choices");

      value = g_variant_lookup_value (all, key, G_VARIANT_TYPE ("a{ss}"));
    }
  else if (g_hash_table_lookup (self->choices, key) != NULL)
    value = g_variant_ref (g_hash_table_lookup (self->choices, key));
  if (value == NULL)
    return NULL;

  /* Only what is still there and what this host can use. */
  options = ferry_migrate_options_new ();
  if (g_variant_lookup (value, "sr", "&s", &uuid))
    {
      FerrySr *sr = ferry_pool_find_sr (target_pool, uuid);

      if (sr != NULL && g_strcmp0 (ferry_sr_get_uuid (sr), uuid) == 0 && ferry_sr_is_attached_to (sr, target))
        {
          ferry_migrate_options_set_sr (options, sr);
          any = TRUE;
        }
    }
  if (g_variant_lookup (value, "network", "&s", &uuid))
    {
      FerryNetwork *network = ferry_pool_find_network (target_pool, uuid);

      if (network != NULL && g_strcmp0 (ferry_network_get_uuid (network), uuid) == 0)
        {
          ferry_migrate_options_set_network (options, network);
          any = TRUE;
        }
    }
  if (g_variant_lookup (value, "migration-network", "&s", &uuid))
    {
      FerryNetwork *network = ferry_pool_find_network (target_pool, uuid);

      if (network != NULL && g_strcmp0 (ferry_network_get_uuid (network), uuid) == 0
          && ferry_network_has_pif_on (network, target))
        {
          ferry_migrate_options_set_migration_network (options, network);
          any = TRUE;
        }
    }

  return any ? g_steal_pointer (&options) : NULL;  /* (transfer full) */
}
