/* ferry-evacuation.c: where every running VM of a host can go, and moving them there
 *
 * The plan is made from the pool's records only, with the same checks and
 * the same planner as a single migration (ferry-precheck.c, ferry-plan.c),
 * so that each job, when it runs, makes the very plan that was shown.  What
 * a single check cannot see is the sum: two VMs that each fit on a host may
 * not fit together, so memory and SR space already promised to the VMs
 * placed before are counted here.  Large VMs are placed first, since they
 * have the fewest choices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xapi-cache.h"
#include "xapi-connection.h"
#include "xapi-record.h"

#include "ferry-errors.h"
#include "ferry-evacuation.h"
#include "ferry-format.h"
#include "ferry-host.h"
#include "ferry-job-private.h"
#include "ferry-job.h"
#include "ferry-manager.h"
#include "ferry-network.h"
#include "ferry-plan-private.h"
#include "ferry-plan.h"
#include "ferry-pool-private.h"
#include "ferry-precheck-private.h"
#include "ferry-sr.h"
#include "ferry-util-private.h"
#include "ferry-vm-private.h"

/* Xen Orchestra keeps a pool's chosen migration network (a network uuid)
 * in the pool's other_config; Ferry honours it as XO does. */
#define MIGRATION_NETWORK_KEY "xo:migrationNetwork"

struct _FerryEvacuation
{
  GObject       parent_instance;

  FerryManager *manager;
  FerryHost    *host;
  GPtrArray    *destinations; /* FerryHost, or NULL: the whole pool */
  gboolean      disable_host;
  FerryNetwork *migration_network;

  GPtrArray    *items; /* FerryEvacuationItem */
  gboolean      planned;

  GTask        *run_task;
  gulong        cancel_id;
};

G_DEFINE_FINAL_TYPE (FerryEvacuation, ferry_evacuation, G_TYPE_OBJECT)

static void
item_free (FerryEvacuationItem *item)
{
  if (item->job != NULL)
    {
      g_signal_handlers_disconnect_matched (item->job, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, item);
      g_object_set_data (G_OBJECT (item->job), "ferry-evacuation", NULL);
    }
  g_clear_object (&item->vm);
  g_clear_object (&item->target);
  g_clear_object (&item->plan);
  g_clear_object (&item->job);
  g_free (item->reason);
  g_free (item);
}

static void
ferry_evacuation_dispose (GObject *object)
{
  FerryEvacuation *self = FERRY_EVACUATION (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->destinations, g_ptr_array_unref);
  g_clear_object (&self->migration_network);
  g_clear_object (&self->host);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (ferry_evacuation_parent_class)->dispose (object);
}

static void
ferry_evacuation_class_init (FerryEvacuationClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ferry_evacuation_dispose;
}

static void
ferry_evacuation_init (FerryEvacuation *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
}

FerryEvacuation *
ferry_evacuation_new (FerryManager *manager,
                      FerryHost    *host)
{
  FerryEvacuation *self;

  g_return_val_if_fail (FERRY_IS_MANAGER (manager), NULL);
  g_return_val_if_fail (FERRY_IS_HOST (host), NULL);

  self = g_object_new (FERRY_TYPE_EVACUATION, NULL);
  self->manager = g_object_ref (manager);
  self->host = g_object_ref (host);

  return self;
}

FerryHost *
ferry_evacuation_get_host (FerryEvacuation *self)
{
  g_return_val_if_fail (FERRY_IS_EVACUATION (self), NULL);
  return self->host;
}

void
ferry_evacuation_set_destinations (FerryEvacuation *self,
                                   GPtrArray       *hosts)
{
  g_return_if_fail (FERRY_IS_EVACUATION (self));

  g_clear_pointer (&self->destinations, g_ptr_array_unref);
  if (hosts != NULL)
    {
      self->destinations = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < hosts->len; i++)
        g_ptr_array_add (self->destinations, g_object_ref (g_ptr_array_index (hosts, i)));
    }
}

void
ferry_evacuation_set_disable_host (FerryEvacuation *self,
                                   gboolean         disable)
{
  g_return_if_fail (FERRY_IS_EVACUATION (self));
  self->disable_host = disable;
}

GPtrArray *
ferry_evacuation_get_items (FerryEvacuation *self)
{
  g_return_val_if_fail (FERRY_IS_EVACUATION (self), NULL);
  return self->items;
}

guint
ferry_evacuation_count_movable (FerryEvacuation *self)
{
  guint n = 0;

  for (guint i = 0; i < self->items->len; i++)
    n += ((FerryEvacuationItem *) g_ptr_array_index (self->items, i))->plan != NULL;
  return n;
}

guint
ferry_evacuation_count_storage (FerryEvacuation *self)
{
  guint n = 0;

  for (guint i = 0; i < self->items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (self->items, i);

      n += item->plan != NULL && ferry_plan_get_kind (item->plan) == FERRY_MIGRATION_STORAGE;
    }
  return n;
}

guint64
ferry_evacuation_get_bytes_to_copy (FerryEvacuation *self)
{
  guint64 total = 0;

  for (guint i = 0; i < self->items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (self->items, i);

      if (item->plan != NULL)
        total += ferry_plan_get_bytes_to_copy (item->plan);
    }
  return total;
}

FerryNetwork *
ferry_evacuation_get_migration_network (FerryEvacuation *self)
{
  g_return_val_if_fail (FERRY_IS_EVACUATION (self), NULL);
  return self->migration_network;
}

/* ---- planning ------------------------------------------------------------ */

static FerryNetwork *
pool_migration_network (FerryPool *pool)
{
  XapiCache      *cache = ferry_pool_get_cache (pool);
  const char     *pool_ref = cache != NULL ? xapi_cache_get_pool_ref (cache) : NULL;
  const XapiPool *record = pool_ref != NULL ? ferry_pool_lookup (pool, XAPI_CLASS_POOL, pool_ref) : NULL;
  const char     *value = record != NULL ? xapi_map_lookup (record->other_config, MIGRATION_NETWORK_KEY) : NULL;

  if (value == NULL)
    return NULL;

  return ferry_pool_find_network (pool, value);
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const FerryEvacuationItem *x = *(FerryEvacuationItem * const *) a;
  const FerryEvacuationItem *y = *(FerryEvacuationItem * const *) b;
  guint64                    mx = ferry_vm_get_memory_needed (x->vm);
  guint64                    my = ferry_vm_get_memory_needed (y->vm);

  if (mx != my)
    return mx > my ? -1 : 1;
  return ferry_compare_names (ferry_vm_get_name (x->vm), ferry_vm_get_name (y->vm));
}

static guint64
lookup_bytes (GHashTable *table,
              gpointer    key)
{
  guint64 *value = g_hash_table_lookup (table, key);

  return value != NULL ? *value : 0;
}

static void
add_bytes (GHashTable *table,
           gpointer    key,
           guint64     bytes)
{
  guint64 *value = g_hash_table_lookup (table, key);

  if (value == NULL)
    {
      value = g_new0 (guint64, 1);
      g_hash_table_insert (table, key, value);
    }
  *value += bytes;
}

/* What is left of @host's memory once the VMs placed there are counted;
 * G_MAXUINT64 when its metrics are not known (XAPI checks anyway). */
static guint64
memory_left (FerryHost  *host,
             GHashTable *placed_memory)
{
  guint64 free_memory = ferry_host_get_memory_free (host);
  guint64 placed = lookup_bytes (placed_memory, host);

  if (ferry_host_get_memory_total (host) == 0)
    return G_MAXUINT64;
  return free_memory > placed ? free_memory - placed : 0;
}

/* Adds to @space, by destination SR, what the disks @plan copies take
 * there: the full virtual size, as on thick SRs (LVM) a copy takes that. */
static void
add_copied_space (FerryPlan  *plan,
                  GHashTable *space)
{
  GPtrArray *disks = ferry_plan_get_disks (plan);

  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk *disk = g_ptr_array_index (disks, i);

      if (disk->moves && disk->to != NULL)
        add_bytes (space, disk->to, disk->virtual_size);
    }
}

/* The disks a plan copies must fit, with those of the VMs placed before,
 * on their destination SRs.  NULL, or why not (translated). */
static char *
check_space (FerryPlan  *plan,
             GHashTable *placed_space)
{
  g_autoptr(GHashTable) needed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  GHashTableIter iter;
  gpointer       key, value;

  add_copied_space (plan, needed);
  g_hash_table_iter_init (&iter, needed);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      FerrySr *sr = key;
      guint64  want = *(guint64 *) value + lookup_bytes (placed_space, sr);
      guint64  free_space = ferry_sr_get_free (sr);

      if (ferry_sr_get_size (sr) > 0 && want > free_space)
        {
          g_autofree char *want_text = ferry_format_size (want);
          g_autofree char *free_text = ferry_format_size (free_space);

          /* TRANSLATORS: an SR, then sizes, e.g. "not enough space on Local storage lyon-2 (needs 80 GiB, 40 GiB free)" */
          return g_strdup_printf (_("not enough space on %s (needs %s, %s free)"), ferry_sr_get_name (sr),
                                  want_text, free_text);
        }
    }

  return NULL;
}

static GPtrArray *
candidate_hosts (FerryEvacuation *self,
                 FerryPool       *pool)
{
  GPtrArray *hosts = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->destinations != NULL)
    {
      for (guint i = 0; i < self->destinations->len; i++)
        {
          FerryHost *host = g_ptr_array_index (self->destinations, i);

          /* An evacuation stays in its pool: across pools a VM changes
           * its networks and identity, which is no longer maintenance. */
          if (host != self->host && ferry_host_get_pool (host) == pool)
            g_ptr_array_add (hosts, g_object_ref (host));
        }
    }
  else
    {
      GListModel *all = ferry_pool_get_hosts (pool);

      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        {
          g_autoptr(FerryHost) host = g_list_model_get_item (all, i);

          if (host != self->host)
            g_ptr_array_add (hosts, g_steal_pointer (&host));
        }
    }

  return hosts;
}

static void
place (FerryEvacuation     *self,
       FerryEvacuationItem *item,
       GPtrArray           *hosts,
       GHashTable          *placed_memory,
       GHashTable          *placed_space,
       FerryMigrateOptions *options)
{
  g_autoptr(GString) why_not = g_string_new (NULL);
  g_autoptr(FerryPlan) best = NULL;
  guint64 best_left = 0;
  guint64 needed = ferry_vm_get_memory_needed (item->vm);

  for (guint i = 0; i < hosts->len; i++)
    {
      FerryHost       *host = g_ptr_array_index (hosts, i);
      g_autofree char *reason = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(FerryPlan) plan = NULL;
      guint64 left;

      if (!ferry_precheck_with_options (item->vm, host, options, ferry_job_vm_is_busy (item->vm),
                                        &reason, NULL, NULL))
        goto refused;

      left = memory_left (host, placed_memory);
      if (needed > left)
        {
          g_autofree char *need_text = ferry_format_size (needed);
          g_autofree char *left_text = ferry_format_size (left);

          /* TRANSLATORS: sizes, e.g. "not enough free memory once the other VMs are placed (needs 8 GiB, 2 GiB left)" */
          reason = g_strdup_printf (_("not enough free memory once the other VMs are placed (needs %s, %s left)"),
                                    need_text, left_text);
          goto refused;
        }

      plan = ferry_plan_build (item->vm, host, options, NULL, FALSE, 0, &error);
      if (plan == NULL)
        {
          reason = g_strdup (error->message);
          goto refused;
        }

      reason = check_space (plan, placed_space);
      if (reason != NULL)
        goto refused;

      /* Shared storage first: a move where only memory travels beats any
       * storage migration; then the host with the most memory left. */
      if (best == NULL ||
          (ferry_plan_get_kind (plan) == FERRY_MIGRATION_PLAIN && ferry_plan_get_kind (best) != FERRY_MIGRATION_PLAIN) ||
          (ferry_plan_get_kind (plan) == ferry_plan_get_kind (best) && left - needed > best_left))
        {
          g_set_object (&best, plan);
          best_left = left - needed;
        }
      continue;

    refused:
      if (why_not->len > 0)
        g_string_append (why_not, "; ");
      /* TRANSLATORS: a host and why a VM cannot go there, e.g. "lyon-2: Host is disabled" */
      g_string_append_printf (why_not, _("%s: %s"), ferry_host_get_name (host), reason);
    }

  if (best != NULL)
    {
      FerryHost *target = ferry_plan_get_target (best);

      item->target = g_object_ref (target);
      item->plan = g_steal_pointer (&best);
      add_bytes (placed_memory, target, needed);
      add_copied_space (item->plan, placed_space);
    }
  else if (hosts->len == 0)
    item->reason = g_strdup (self->destinations != NULL
                               ? _("none of the hosts given is another host of its pool")
                               : _("its pool has no other host"));
  else
    item->reason = g_string_free (g_steal_pointer (&why_not), FALSE);
}

static gboolean
plan_now (FerryEvacuation *self,
          GError         **error)
{
  FerryPool  *pool = ferry_host_get_pool (self->host);
  GListModel *vms;
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GHashTable) placed_memory = NULL;
  g_autoptr(GHashTable) placed_space = NULL;
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_options_new ();

  if (pool == NULL || ferry_pool_get_state (pool) != FERRY_POOL_STATE_READY)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED,
                   _("The pool of %s is not connected."), ferry_host_get_name (self->host));
      return FALSE;
    }

  g_ptr_array_set_size (self->items, 0);
  g_set_object (&self->migration_network, pool_migration_network (pool));
  if (self->migration_network != NULL)
    ferry_migrate_options_set_migration_network (options, self->migration_network);

  vms = ferry_host_get_vms (self->host);
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(FerryVm) vm = g_list_model_get_item (vms, i);
      FerryEvacuationItem *item;

      /* Only running guests keep a host busy; halted ones are not on it. */
      if (g_strcmp0 (ferry_vm_get_power_state (vm), "Running") != 0)
        continue;
      item = g_new0 (FerryEvacuationItem, 1);
      item->vm = g_steal_pointer (&vm);
      g_ptr_array_add (self->items, item);
    }
  g_ptr_array_sort (self->items, compare_items);

  hosts = candidate_hosts (self, pool);
  placed_memory = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  placed_space = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (guint i = 0; i < self->items->len; i++)
    place (self, g_ptr_array_index (self->items, i), hosts, placed_memory, placed_space, options);

  self->planned = TRUE;
  return TRUE;
}

void
ferry_evacuation_plan_async (FerryEvacuation    *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (FERRY_IS_EVACUATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_evacuation_plan_async);

  if (self->run_task != NULL)
    g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_INVALID,
                             _("This evacuation is already running."));
  else if (!plan_now (self, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

gboolean
ferry_evacuation_plan_finish (FerryEvacuation *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- running ------------------------------------------------------------- */

static gboolean
job_has_ended (FerryJob *job)
{
  return ferry_job_is_finished (job) || ferry_job_get_state (job) == FERRY_JOB_STATE_UNKNOWN;
}

static void
check_all_ended (FerryEvacuation *self)
{
  gboolean all_moved = TRUE;
  GTask   *task = self->run_task;

  if (task == NULL)
    return;

  for (guint i = 0; i < self->items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (self->items, i);

      if (item->plan == NULL)
        continue;
      if (item->job == NULL)
        {
          all_moved = FALSE;
          continue;
        }
      if (!job_has_ended (item->job))
        return;
      if (ferry_job_get_state (item->job) != FERRY_JOB_STATE_SUCCEEDED)
        all_moved = FALSE;
    }

  self->run_task = NULL;
  if (self->cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->cancel_id);
      self->cancel_id = 0;
    }
  g_task_return_boolean (task, all_moved);
  g_object_unref (task);
}

static void
on_job_state (FerryJob   *job,
              GParamSpec *pspec,
              gpointer    user_data)
{
  FerryEvacuationItem *item = user_data;
  FerryEvacuation     *self = g_object_get_data (G_OBJECT (job), "ferry-evacuation");

  if (ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    {
      /* The pool refused the plan for a reason only --force overrules:
       * the user agreed to the plan, not to that. */
      if (ferry_job_get_precheck_error (job) != NULL)
        {
          ferry_set_string (&item->reason, ferry_job_get_precheck_error (job));
          ferry_job_decline (job);
        }
      else
        ferry_job_confirm (job, NULL);
      return;
    }

  if (self != NULL && job_has_ended (job))
    check_all_ended (self);
}

static void
on_run_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  FerryEvacuation *self = user_data;

  for (guint i = 0; i < self->items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (self->items, i);

      if (item->job != NULL && !job_has_ended (item->job))
        ferry_job_cancel (item->job);
    }
}

/* The evacuation's jobs are told about together once they have ended. */
static void
add_batch (FerryEvacuation *self)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new ();
  g_autofree char *title = NULL;

  for (guint i = 0; i < self->items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (self->items, i);

      if (item->job != NULL)
        g_ptr_array_add (jobs, item->job);
    }
  /* Translators: the title of an evacuation's summary, "Evacuation of lyon-1" */
  title = g_strdup_printf (_("Evacuation of %s"), ferry_host_get_name (self->host));
  ferry_manager_add_batch (self->manager, title, jobs);
}

static void
start_jobs (FerryEvacuation *self)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (self->items, i);
      FerryJob            *job;

      if (item->plan == NULL)
        continue;

      job = ferry_manager_migrate (self->manager, item->vm, item->target, ferry_plan_get_options (item->plan));
      if (job == NULL)
        {
          ferry_set_string (&item->reason, _("the migration could not be started"));
          continue;
        }
      item->job = g_object_ref (job);
      /* The item only lives as long as the evacuation; the job may outlive
       * both in the manager's list. */
      g_object_set_data (G_OBJECT (job), "ferry-evacuation", self);
      g_signal_connect (job, "notify::state", G_CALLBACK (on_job_state), item);
    }

  add_batch (self);

  /* A job may already wait for its confirmation. */
  for (guint i = 0; i < self->items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (self->items, i);

      if (item->job != NULL && ferry_job_get_state (item->job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
        on_job_state (item->job, NULL, item);
    }

  if (self->run_task != NULL && g_task_get_cancellable (self->run_task) != NULL)
    self->cancel_id = g_cancellable_connect (g_task_get_cancellable (self->run_task),
                                             G_CALLBACK (on_run_cancelled), self, NULL);
  check_all_ended (self);
}

static void
on_host_disabled (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(FerryEvacuation) self = user_data;
  g_autoptr(GError) error = NULL;
  GTask *task = self->run_task;

  if (!ferry_evacuation_set_host_enabled_finish (FERRY_HOST (source), result, &error))
    {
      self->run_task = NULL;
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      self->run_task = NULL;
      g_object_unref (task);
      return;
    }

  start_jobs (self);
}

void
ferry_evacuation_run_async (FerryEvacuation    *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (FERRY_IS_EVACUATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_evacuation_run_async);

  if (!self->planned || self->run_task != NULL)
    {
      g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_INVALID,
                               self->planned ? _("This evacuation is already running.")
                                             : _("This evacuation has no plan yet."));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < self->items->len; i++)
    if (((FerryEvacuationItem *) g_ptr_array_index (self->items, i))->job != NULL)
      {
        g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_INVALID,
                                 _("This evacuation has already run; plan it again."));
        g_object_unref (task);
        return;
      }

  self->run_task = task;
  if (self->disable_host && ferry_host_get_enabled (self->host))
    ferry_evacuation_set_host_enabled_async (self->host, FALSE, cancellable, on_host_disabled, g_object_ref (self));
  else
    start_jobs (self);
}

gboolean
ferry_evacuation_run_finish (FerryEvacuation *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- host.enable / host.disable ------------------------------------------ */

static void
on_enabled_call_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);

  g_clear_pointer (&node, json_node_unref);
  if (error != NULL)
    {
      FerryHost        *host = g_task_get_source_object (task);
      FerryErrorContext context = { .target_host_name = ferry_host_get_name (host),
                                    .source_host_name = ferry_host_get_name (host),
                                    .source_pool = ferry_host_get_pool (host),
                                    .target_pool = ferry_host_get_pool (host) };
      g_autofree char  *message = ferry_error_to_named_message (error, &context, NULL);

      g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_FAILED, "%s", message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
ferry_evacuation_set_host_enabled_async (FerryHost          *host,
                                         gboolean            enabled,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  GTask          *task;
  FerryPool      *pool;
  XapiConnection *connection;
  JsonArray      *params;

  g_return_if_fail (FERRY_IS_HOST (host));

  task = g_task_new (host, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_evacuation_set_host_enabled_async);

  pool = ferry_host_get_pool (host);
  connection = pool != NULL ? ferry_pool_get_connection (pool) : NULL;
  if (connection == NULL || !xapi_connection_is_logged_in (connection))
    {
      g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED,
                               _("The pool of %s is not connected."), ferry_host_get_name (host));
      g_object_unref (task);
      return;
    }

  params = json_array_new ();
  json_array_add_string_element (params, ferry_host_get_ref (host));
  g_task_set_task_data (task, params, (GDestroyNotify) json_array_unref);
  xapi_connection_call_async (connection, enabled ? "host.enable" : "host.disable", params, cancellable,
                              on_enabled_call_done, task);
}

gboolean
ferry_evacuation_set_host_enabled_finish (FerryHost    *host,
                                          GAsyncResult *result,
                                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, host), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
