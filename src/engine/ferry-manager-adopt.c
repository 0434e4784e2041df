/* ferry-manager-adopt.c: adopting the migrations found running on a pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ferry-manager-private.h"

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
  GHashTable *claims;    /* task ref -> VM ref, from the VMs' current_operations */
  GHashTable *unclaimed; /* task ref -> gint64* first seen: no VM names it yet */
  GHashTable *handled;   /* task refs that have had a job in this load */
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
  PoolTasks    *pt;

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

      if (ferry_job_get_source_pool (job) == pool &&
          g_strcmp0 (ferry_job_get_task_ref (job), task_ref) == 0)
        return job; /* (transfer none) */
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

  return (state == FERRY_JOB_STATE_RUNNING || state == FERRY_JOB_STATE_CANCELLING) &&
         ferry_job_get_task_ref (job) == NULL;
}

static gboolean
vm_has_pending_job (FerryManager *self,
                    FerryPool    *pool,
                    const char   *vm_ref)
{
  FerryVm  *vm = ferry_pool_get_vm_by_ref (pool, vm_ref);
  FerryJob *job = vm != NULL ? ferry_vm_get_job (vm) : NULL;

  return job != NULL && job_awaits_task (job);
}

/* The task of a request of ours whose answer was lost and that was sent
 * again: it reaches the pool late (a held connection) and is ours, not
 * another client's, though no answer ever named it. */
static gboolean
is_stray_request (FerryManager   *self,
                  FerryPool      *pool,
                  const char     *vm_ref,
                  const XapiTask *task)
{
  const char *label = xapi_str (task->record.name_label);
  gboolean    storage = g_str_has_suffix (label, "migrate_send");
  guint       n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (ferry_job_get_source_pool (job) == pool && ferry_job_may_have_stray_request (job) &&
          g_strcmp0 (ferry_job_get_vm_ref (job), vm_ref) == 0 &&
          storage == (ferry_job_get_kind (job) == FERRY_MIGRATION_STORAGE))
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
  guint         n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  FerryPool    *source = ferry_job_get_source_pool (job);
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
      FerryHost  *host = NULL;

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
      XapiCache    *cache = ferry_pool_get_cache (pool);
      const char   *ref;
      const XapiVm *vm;
      FerryHost    *host;

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
  job = ferry_job_new_adopted (&ferry_manager_job_hooks, self, pool, task_ref, vm_ref);
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
  PoolTasks      *pt = pool_tasks (pool);
  const XapiTask *task = ferry_pool_lookup (pool, XAPI_CLASS_TASK, task_ref);
  const char     *vm_ref = g_hash_table_lookup (pt->claims, task_ref);

  if (task == NULL || !task_is_running (task) ||
      (vm_ref == NULL && !is_migration_task_label (xapi_str (task->record.name_label))))
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
void
ferry_manager_adopt_tasks (FerryManager *self,
                           FerryPool    *pool)
{
  XapiCache  *cache = ferry_pool_get_cache (pool);
  GHashTable *tasks = cache != NULL ? xapi_cache_get_table (cache, XAPI_CLASS_TASK) : NULL;
  GHashTable *vms = cache != NULL ? xapi_cache_get_table (cache, XAPI_CLASS_VM) : NULL;
  PoolTasks  *pt = pool_tasks (pool);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer       key, value;

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
    if (task_is_running (value) &&
        (is_migration_task_label (xapi_str (XAPI_RECORD (value)->name_label)) ||
         g_hash_table_contains (pt->claims, key)))
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
  gint64        now = g_get_monotonic_time ();
  guint         n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  gboolean      more = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryPool) pool = g_list_model_get_item (G_LIST_MODEL (self->pools), i);
      PoolTasks *pt = pool_tasks (pool);
      g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
      GHashTableIter iter;
      gpointer       key, value;

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
forget_claims_of (PoolTasks  *pt,
                  const char *vm_ref,
                  GHashTable *ops)
{
  GHashTableIter iter;
  gpointer       key, value;

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
void
ferry_manager_on_pool_changed (FerryPool    *pool,
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
      gboolean    del = change->kind == XAPI_CHANGE_DEL || change->record == NULL;

      if (change->klass == XAPI_CLASS_VM)
        {
          const XapiVm *vm = change->record;
          g_autoptr(GHashTable) ops = NULL;
          GHashTableIter iter;
          gpointer       task_ref, op;

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

void
ferry_manager_on_pool_reset (FerryPool    *pool,
                             FerryManager *self)
{
  ferry_manager_adopt_tasks (self, pool);
  ferry_manager_kick_queue_soon (self);
}
