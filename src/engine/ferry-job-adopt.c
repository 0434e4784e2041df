/* ferry-job-adopt.c: migrations Ferry did not start in this run
 *
 * A migration task found on the pool (ours from an earlier run, or another
 * client's) becomes a job that follows it; its route is read from the
 * records, and a target it cannot see yet is named later by the manager.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "xapi-cache.h"
#include "xapi-record.h"

#include "ferry-host.h"
#include "ferry-job-private.h"
#include "ferry-job.h"
#include "ferry-pool-private.h"
#include "ferry-util-private.h"
#include "ferry-vm-private.h"

/* A migration task found running on the pool: ours from an earlier run
 * ("ferry:job" in its other_config) or another client's. */
FerryJob *
ferry_job_new_adopted (const FerryJobHooks *hooks,
                       gpointer             owner,
                       FerryPool           *pool,
                       const char          *task_ref,
                       const char          *known_vm_ref)
{
  FerryJob        *self = g_object_new (FERRY_TYPE_JOB, NULL);
  const XapiTask  *task = ferry_pool_lookup (pool, XAPI_CLASS_TASK, task_ref);
  GHashTable      *vms = ferry_pool_get_cache (pool) != NULL
                         ? xapi_cache_get_table (ferry_pool_get_cache (pool), XAPI_CLASS_VM)
                         : NULL;
  XapiMap          other_config = task != NULL ? task->other_config : NULL;
  const char      *mark = xapi_map_lookup (other_config, MARK_KEY);
  const char      *noted_target = mark != NULL ? strchr (mark, ' ') : NULL;
  g_autofree char *earlier_id = noted_target != NULL ? g_strndup (mark, (gsize) (noted_target - mark))
                                                     : g_strdup (mark);
  const char      *label = task != NULL ? xapi_str (task->record.name_label) : "";
  const XapiVm    *vm_record = NULL;
  const char      *vm_ref = NULL;
  const char      *host_ref;
  const char      *scheduled;
  GHashTableIter   iter;
  gpointer         key, value;

  self->hooks = hooks;
  g_weak_ref_set (&self->owner, owner);
  self->adopted = TRUE;
  self->source_pool = g_object_ref (pool);
  self->task_ref = g_strdup (task_ref);
  self->owns_task = earlier_id != NULL;
  if (earlier_id != NULL)
    ferry_set_string (&self->id, earlier_id);
  self->kind = g_str_has_suffix (label, "migrate_send") ? FERRY_MIGRATION_STORAGE : FERRY_MIGRATION_PLAIN;
  self->state = FERRY_JOB_STATE_RUNNING;
  self->can_cancel = FALSE;

  /* The VM is the one whose current_operations holds this task: the
   * caller may know it already, which spares a walk over every VM. */
  if (known_vm_ref != NULL)
    {
      vm_record = ferry_pool_lookup (pool, XAPI_CLASS_VM, known_vm_ref);
      if (vm_record != NULL)
        vm_ref = known_vm_ref;
    }
  if (vm_ref == NULL && vms != NULL)
    {
      g_hash_table_iter_init (&iter, vms);
      while (vm_ref == NULL && g_hash_table_iter_next (&iter, &key, &value))
        if (xapi_map_lookup (((const XapiVm *) value)->current_operations, task_ref) != NULL)
          {
            vm_ref = key;
            vm_record = value;
          }
    }

  if (vm_ref != NULL)
    {
      FerryVm   *vm = ferry_pool_get_vm_by_ref (pool, vm_ref);
      FerryHost *source;

      self->vm_ref = g_strdup (vm_ref);
      self->vm = vm != NULL ? g_object_ref (vm) : NULL;
      self->vm_name = g_strdup (xapi_str (vm_record->record.name_label));
      self->vm_uuid = g_strdup (xapi_str (vm_record->record.uuid));

      host_ref = vm_record->resident_on;
      source = ferry_pool_get_host_by_ref (pool, host_ref);
      self->source_name = g_strdup (source != NULL ? ferry_host_get_name (source) : NULL);
      self->source_key = ferry_job_make_source_key (pool, host_ref);

      /* Inside a pool XAPI reserves the memory on the target host and
       * says which one; across pools the target is not in the records. */
      scheduled = vm_record->scheduled_to_be_resident_on;
      if (scheduled != NULL && g_strcmp0 (scheduled, host_ref) != 0)
        {
          FerryHost *target = ferry_pool_get_host_by_ref (pool, scheduled);

          if (target != NULL)
            {
              self->target = g_object_ref (target);
              self->target_pool = g_object_ref (pool);
              self->target_name = g_strdup (ferry_host_get_name (target));
            }
        }
      if (vm != NULL)
        {
          GPtrArray *disks = ferry_vm_get_disks (vm);

          /* Which disks move is not in the records: assume all of them. */
          self->bytes_total = ferry_vm_get_memory (vm);
          for (guint i = 0; self->kind == FERRY_MIGRATION_STORAGE && i < disks->len; i++)
            {
              FerryDisk *disk = g_ptr_array_index (disks, i);

              self->bytes_total += disk->physical_utilisation > 0 ? disk->physical_utilisation
                                                                  : disk->virtual_size;
            }
        }
    }
  else
    {
      self->source_key = ferry_job_make_source_key (pool, NULL);
    }

  if (self->vm_name == NULL)
    self->vm_name = g_strdup (_("Unknown VM"));
  /* Across pools, a Ferry that started the move noted the target's name on
   * the task (ferry_job_mark_task()).  Otherwise the target is not in this pool's
   * records; the manager may find it later (ferry_job_resolve_target()).
   * No guess meanwhile. */
  if (self->target_name == NULL)
    {
      /* (Earlier builds noted it under a key of its own.) */
      const char *noted = noted_target != NULL ? noted_target + 1
                                               : xapi_map_lookup (other_config, "ferry:target");

      if (noted != NULL && noted[0] != '\0')
        self->target_name = g_strdup (noted);
      else
        self->target_name = g_strdup (_("a host Ferry cannot see"));
    }

  if (self->vm != NULL && ferry_vm_get_job (self->vm) == NULL)
    ferry_vm_set_job (self->vm, self);

  ferry_job_remember_where_it_was (self);
  ferry_job_follow_task (self);

  return self;
}

/* The target of an adopted migration, found later by the manager: in the
 * VM's record once it names the host (inside a pool), or in the
 * destination pool (across pools: the VM with the same uuid). */
void
ferry_job_resolve_target (FerryJob  *self,
                          FerryHost *target)
{
  FerryPool *target_pool;

  g_return_if_fail (FERRY_IS_JOB (self));
  g_return_if_fail (FERRY_IS_HOST (target));

  if (!self->adopted || self->target != NULL)
    return;

  target_pool = ferry_host_get_pool (target);
  self->target = g_object_ref (target);
  g_set_object (&self->target_pool, target_pool);
  ferry_job_set_string_prop (self, &self->target_name, ferry_host_get_name (target), FERRY_JOB_PROP_TARGET_NAME);
}

gboolean
ferry_job_needs_target (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);
  return self->adopted && self->target == NULL && self->vm_uuid != NULL;
}
