/* ferry-job-verify.c: what the VM's records say about a migration
 *
 * A job's outcome comes from the VM, not from the task: whether the VM's
 * record shows it where it was sent (ferry_job_vm_has_moved()) or back
 * where it was (ferry_job_vm_is_where_it_was()); while neither holds, the
 * job awaits the VM for a while (ferry_job_await_vm()), then says the
 * outcome is unknown.
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
#include "ferry-plan.h"
#include "ferry-pool-private.h"
#include "ferry-sr.h"
#include "ferry-util-private.h"
#include "ferry-vm.h"

/* The task said it was over but the VM has not shown it yet: how long to
 * wait for the VM's record before saying the outcome is unknown. */
#define VERIFY_SECONDS 60

/* ---- where the VM is ------------------------------------------------------------ */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The SRs of the disks of @vm_record (looked up in @pool's cache), sorted:
 * CD drives and empty drives do not count, as in the plan. */
static GPtrArray *
disk_srs (FerryPool    *pool,
          const XapiVm *vm_record)
{
  XapiStrv   vbd_refs = vm_record != NULL ? vm_record->VBDs : NULL;
  GPtrArray *srs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; vbd_refs != NULL && vbd_refs[i] != NULL; i++)
    {
      const XapiVbd *vbd = ferry_pool_lookup (pool, XAPI_CLASS_VBD, vbd_refs[i]);
      const XapiVdi *vdi;

      if (vbd == NULL || vbd->type != XAPI_VBD_TYPE_DISK || vbd->empty)
        continue;
      vdi = vbd->VDI != NULL ? ferry_pool_lookup (pool, XAPI_CLASS_VDI, vbd->VDI) : NULL;
      /* A disk we cannot see: an SR no one asked for, so nothing matches. */
      g_ptr_array_add (srs, g_strdup (vdi != NULL && vdi->SR != NULL ? vdi->SR : "?"));
    }
  g_ptr_array_sort (srs, compare_strings);

  return srs;
}

/* A task's result is XML-RPC: "<value>OpaqueRef:…</value>". */
char *
ferry_job_parse_result_ref (const char *result)
{
  const char *start = result != NULL ? strstr (result, "OpaqueRef:") : NULL;
  const char *end = start != NULL ? strchr (start, '<') : NULL;

  if (start == NULL)
    return NULL;
  return end != NULL ? g_strndup (start, end - start) : g_strdup (start);
}

static gboolean
vm_is_running (const XapiVm *vm_record)
{
  return vm_record != NULL && vm_record->power_state == XAPI_VM_POWER_STATE_RUNNING;
}

/* The VM's record where it is going: the same uuid in the target pool
 * across pools, the same ref inside one. */
const XapiVm *
ferry_job_arrival_record (FerryJob *self)
{
  XapiCache  *cache;
  const char *ref;

  if (self->target_pool == NULL || self->target_pool == self->source_pool)
    return self->vm_ref != NULL ? ferry_pool_lookup (self->source_pool, XAPI_CLASS_VM, self->vm_ref) : NULL;

  /* A copy gets a uuid of its own: only the task's result names it. */
  if (ferry_migrate_options_get_copy (self->options))
    return self->result_ref != NULL ? ferry_pool_lookup (self->target_pool, XAPI_CLASS_VM, self->result_ref)
                                    : NULL;

  cache = ferry_pool_get_cache (self->target_pool);
  ref = cache != NULL && self->vm_uuid != NULL ? xapi_cache_find_by_uuid (cache, XAPI_CLASS_VM, self->vm_uuid)
                                               : NULL;
  return ref != NULL ? ferry_pool_lookup (self->target_pool, XAPI_CLASS_VM, ref) : NULL;
}

/* Whether @record (in @pool) shows the VM where the plan sent it: a running
 * VM resident on the target host, every disk on the SR the plan mapped it
 * to. */
gboolean
ferry_job_record_shows_arrival (FerryJob     *self,
                                FerryPool    *pool,
                                const XapiVm *record)
{
  g_autoptr(GPtrArray) srs = NULL;
  GPtrArray *disks;

  if (record == NULL || self->target == NULL)
    return FALSE;

  /* A new home host: the VM's own record names it (FerryVm follows the
   * same cache, and is updated before "objects-changed"). */
  if (self->plan != NULL && ferry_plan_get_kind (self->plan) == FERRY_MIGRATION_HOME_HOST)
    return self->vm != NULL && ferry_vm_get_affinity (self->vm) == self->target;

  if (vm_is_running (record) &&
      g_strcmp0 (record->resident_on, ferry_host_get_ref (self->target)) != 0)
    return FALSE;

  /* Adopted jobs have no plan: which disks were to move is not known. */
  if (self->plan == NULL)
    return TRUE;

  srs = disk_srs (pool, record);
  disks = ferry_plan_get_disks (self->plan);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk *pd = g_ptr_array_index (disks, i);
      guint          index;

      if (pd->to == NULL)
        continue;
      if (!g_ptr_array_find_with_equal_func (srs, ferry_sr_get_ref (pd->to), g_str_equal, &index))
        return FALSE;
      /* Each disk of the plan claims one disk of the VM. */
      g_ptr_array_remove_index (srs, index);
    }

  return TRUE;
}

gboolean
ferry_job_vm_has_moved (FerryJob *self)
{
  const XapiVm *record;

  if (self->target == NULL)
    {
      /* An adopted migration to a place we cannot see (another pool): the
       * VM has moved when it has left, without "copy" nothing stays. */
      if (self->vm_ref == NULL || self->source_pool == NULL ||
          ferry_pool_get_state (self->source_pool) != FERRY_POOL_STATE_READY)
        return FALSE;
      record = ferry_pool_lookup (self->source_pool, XAPI_CLASS_VM, self->vm_ref);
      return record == NULL ||
             (self->source_host_ref != NULL && vm_is_running (record) &&
              g_strcmp0 (record->resident_on, self->source_host_ref) != 0);
    }

  if (self->target_pool == NULL)
    return FALSE;

  return ferry_job_record_shows_arrival (self,
                                         self->target_pool != self->source_pool ? self->target_pool : self->source_pool,
                                         ferry_job_arrival_record (self));
}

/* Whether the VM is known to be where it was: resident on the same host,
 * its disks on the same SRs, and (across pools) not at the target. */
gboolean
ferry_job_vm_is_where_it_was (FerryJob *self)
{
  const XapiVm *record;
  g_autoptr(GPtrArray) srs = NULL;

  /* Nothing to compare with (an adopted task whose VM we never saw): the
   * task's word is all there is. */
  if (self->vm_ref == NULL)
    return TRUE;
  if (ferry_pool_get_state (self->source_pool) != FERRY_POOL_STATE_READY)
    return FALSE;

  record = ferry_pool_lookup (self->source_pool, XAPI_CLASS_VM, self->vm_ref);
  if (record == NULL)
    return FALSE;
  if (g_strcmp0 (record->resident_on, self->source_host_ref) != 0)
    return FALSE;
  if (self->target_pool != NULL && self->target_pool != self->source_pool &&
      !ferry_migrate_options_get_copy (self->options) && ferry_job_arrival_record (self) != NULL)
    return FALSE;
  if (self->source_srs == NULL)
    return TRUE;

  srs = disk_srs (self->source_pool, record);
  if (srs->len != self->source_srs->len)
    return FALSE;
  for (guint i = 0; i < srs->len; i++)
    if (g_strcmp0 (g_ptr_array_index (srs, i), g_ptr_array_index (self->source_srs, i)) != 0)
      return FALSE;

  return TRUE;
}

/* Whether the VM still says the migration is going on. */
static gboolean
vm_shows_task (FerryJob *self)
{
  const XapiVm *record;

  if (self->vm_ref == NULL || self->task_ref == NULL)
    return FALSE;
  record = ferry_pool_lookup (self->source_pool, XAPI_CLASS_VM, self->vm_ref);
  return record != NULL && xapi_map_lookup (record->current_operations, self->task_ref) != NULL;
}

void
ferry_job_remember_where_it_was (FerryJob *self)
{
  const XapiVm *record;

  if (self->vm_ref == NULL || self->source_pool == NULL)
    return;
  record = ferry_pool_lookup (self->source_pool, XAPI_CLASS_VM, self->vm_ref);
  if (record == NULL)
    return;

  ferry_set_string (&self->source_host_ref, record->resident_on);
  g_clear_pointer (&self->source_srs, g_ptr_array_unref);
  self->source_srs = disk_srs (self->source_pool, record);
}

/* The outcome is not known.  @reason says what is: one sentence. */
void
ferry_job_go_unknown (FerryJob   *self,
                      const char *reason)
{
  g_debug ("Job %s: outcome unknown: %s", self->id, reason);

  g_clear_handle_id (&self->verify_id, g_source_remove);
  ferry_job_set_string_prop (self, &self->error, reason, FERRY_JOB_PROP_ERROR);
  ferry_job_set_string_prop (self, &self->error_code, NULL, FERRY_JOB_PROP_ERROR_CODE);
  ferry_job_set_state (self, FERRY_JOB_STATE_UNKNOWN);
}

gboolean
ferry_job_succeed_if_moved (FerryJob *self)
{
  if (!ferry_job_vm_has_moved (self))
    return FALSE;

  ferry_job_end (self, FERRY_JOB_STATE_SUCCEEDED);
  return TRUE;
}

/* What the VM shows now may settle the outcome. */
void
ferry_job_recheck (FerryJob *self)
{
  if (ferry_job_is_finished (self))
    return;

  if (ferry_job_succeed_if_moved (self))
    return;

  if (self->failure_info != NULL && ferry_job_vm_is_where_it_was (self))
    {
      g_auto(GStrv) info = g_steal_pointer (&self->failure_info);

      g_clear_handle_id (&self->verify_id, g_source_remove);
      g_clear_pointer (&self->verify_reason, g_free);
      ferry_job_task_failed (self, (const char * const *) info);
    }
}

static gboolean
on_verify_timeout (gpointer user_data)
{
  FerryJob        *self = user_data;
  g_autofree char *reason = NULL;

  self->verify_id = 0;

  /* Still under way, by the VM's own account: that is no reason to give
   * up, only to wait longer. */
  if (self->failure_info == NULL && vm_shows_task (self) &&
      ferry_pool_get_state (self->source_pool) == FERRY_POOL_STATE_READY)
    {
      self->verify_id = g_timeout_add_seconds (VERIFY_SECONDS, on_verify_timeout, self);
      return G_SOURCE_REMOVE;
    }

  reason = g_strdup (self->verify_reason);
  ferry_job_go_unknown (self, reason != NULL ? reason : _("The VM has not shown where it is."));

  return G_SOURCE_REMOVE;
}

/* The task's word and the VM's record disagree (so far): watch the VM for
 * a while, then say what is known. */
void
ferry_job_await_vm (FerryJob   *self,
                    const char *reason)
{
  ferry_set_string (&self->verify_reason, reason);
  ferry_job_set_can_cancel (self, FALSE);

  if (self->state == FERRY_JOB_STATE_UNKNOWN)
    {
      /* Out of reach still: nothing new is known. */
      if (ferry_pool_get_state (self->source_pool) != FERRY_POOL_STATE_READY)
        return;
      /* In contact again: look for a while before saying it again. */
      ferry_job_set_string_prop (self, &self->error, NULL, FERRY_JOB_PROP_ERROR);
      ferry_job_set_state (self, FERRY_JOB_STATE_RUNNING);
    }
  else if (self->state != FERRY_JOB_STATE_CANCELLING)
    ferry_job_set_state (self, FERRY_JOB_STATE_RUNNING);

  if (self->verify_id == 0)
    self->verify_id = g_timeout_add_seconds (VERIFY_SECONDS, on_verify_timeout, self);
}
