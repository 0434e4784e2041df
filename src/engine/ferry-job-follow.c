/* ferry-job-follow.c: following a migration's task
 *
 * The task's records come through the pool's event cache ("objects-changed",
 * "objects-reset"); when the stream goes quiet the task (or the VM) is
 * asked for directly, at most once a second.  A task that ends hands the
 * verdict to the VM's records (ferry-job-verify.c); with "copy", to the
 * new VM the task names.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "xapi-error.h"
#include "xapi-record.h"
#include "xapi-util.h"

#include "ferry-errors.h"
#include "ferry-job-private.h"
#include "ferry-job.h"
#include "ferry-plan.h"
#include "ferry-pool-private.h"
#include "ferry-util-private.h"

/* Nothing heard from the event stream about the task or the VM for this
 * long while running: ask the pool directly, once per POLL_MS. */
#define QUIET_US (5 * G_USEC_PER_SEC)
#define POLL_MS 1000

static void apply_task_record (FerryJob       *self,
                               const XapiTask *record);

const char *
ferry_job_target_label (FerryJob *self)
{
  return self->target_name != NULL ? self->target_name : _("its destination");
}

static char *
vanished_reason (FerryJob *self)
{
  return g_strdup_printf (_("The pool lost the migration’s task, and %s has not shown up on %s."),
                          self->vm_name, ferry_job_target_label (self));
}

static void
on_vanished_answer (FerryJob     *self,
                    JsonNode     *result,
                    const GError *error)
{
  g_autofree char *reason = NULL;

  self->asking_vanished = FALSE;

  /* Only the event was lost, not the task. */
  if (error == NULL && result != NULL && JSON_NODE_HOLDS_OBJECT (result))
    {
      g_autoptr(XapiTask) record = xapi_record_new_from_json (XAPI_CLASS_TASK, self->task_ref, result);

      self->task_gone = FALSE;
      apply_task_record (self, record);
      return;
    }

  g_debug ("Job %s: task %s is gone (%s)", self->id, self->task_ref,
           error != NULL ? error->message : "no record");
  self->task_gone = TRUE;

  if (ferry_job_succeed_if_moved (self))
    return;

  reason = vanished_reason (self);
  ferry_job_await_vm (self, reason);
}

/* The task's record is gone (a "del" event, or missing after a reload):
 * whether it is really gone is asked of the pool, and what happened is
 * told by where the VM is. */
static void
task_vanished (FerryJob *self)
{
  if (self->asking_vanished || self->task_ref == NULL)
    return;

  self->asking_vanished = TRUE;
  ferry_job_call (self, self->source_pool, "task.get_record", xapi_params_new (self->task_ref, NULL),
                  self->cancellable, on_vanished_answer);
}

void
ferry_job_send_task_cancel (FerryJob *self)
{
  self->cancel_requested = FALSE;
  ferry_job_set_state (self, FERRY_JOB_STATE_CANCELLING);
  ferry_job_fire_and_forget (self->source_pool, "task.cancel", xapi_params_new (self->task_ref, NULL));
}

void
ferry_job_drop_task (FerryJob *self)
{
  if (self->task_ref == NULL)
    return;

  if (self->owns_task)
    ferry_job_fire_and_forget (self->source_pool, "task.destroy", xapi_params_new (self->task_ref, NULL));
  g_clear_pointer (&self->task_ref, g_free);
  ferry_job_notify (self, FERRY_JOB_PROP_TASK_REF);
}

void
ferry_job_drop_attempt (FerryJob *self)
{
  self->generation++;
  ferry_job_stop_following (self);
  ferry_job_drop_task (self);
  ferry_job_reset_measurements (self);
}

void
ferry_job_task_failed (FerryJob           *self,
                       const char * const *error_info)
{
  const char *code = error_info != NULL && error_info[0] != NULL ? error_info[0] : "INTERNAL_ERROR";
  g_autoptr(GError) error = xapi_error_new_failure (code, error_info != NULL && error_info[0] != NULL
                                                            ? error_info + 1
                                                            : NULL);

  if (g_str_equal (code, "TOO_MANY_STORAGE_MIGRATES") && self->kind == FERRY_MIGRATION_STORAGE && !self->adopted)
    {
      ferry_job_back_to_queue (self);
      return;
    }

  if (g_str_equal (code, "VM_REQUIRES_SR") && self->kind == FERRY_MIGRATION_PLAIN && !self->adopted)
    {
      /* The target cannot see some storage after all: the task is over,
       * clean it up and make a storage plan that needs an "OK"
       * (ferry_job_convert_to_storage() drops it). */
      ferry_job_convert_to_storage (self, error_info[1] != NULL ? error_info[2] : NULL);
      return;
    }

  if (g_str_equal (code, "TASK_CANCELLED"))
    {
      ferry_job_end (self, FERRY_JOB_STATE_CANCELLED);
      return;
    }

  /* An Async call runs its checks in the task: the refusal of a stale
   * answer of the target pool comes as a failed task, the VM still where
   * it was (the caller made sure). */
  if (self->kind == FERRY_MIGRATION_STORAGE && ferry_job_dest_refused (self, error))
    {
      ferry_job_drop_attempt (self);
      ferry_job_resend_with_new_dest (self);
      return;
    }

  ferry_job_fail_with (self, code, error);
}

static void
apply_task_record (FerryJob       *self,
                   const XapiTask *record)
{
  XapiTaskStatus status = record->status;

  if (status == XAPI_TASK_STATUS_SUCCESS)
    {
      g_autofree char *reason = NULL;

      g_free (self->result_ref);
      self->result_ref = ferry_job_parse_result_ref (xapi_str (record->result));

      /* A copy is judged by the new VM the task names, asked of the
       * destination pool; the original stays where it is. */
      if (ferry_migrate_options_get_copy (self->options) && !self->adopted &&
          self->result_ref != NULL && !xapi_is_null_ref (self->result_ref))
        {
          ferry_job_check_copy_made (self, record);
          return;
        }

      /* The task's word is not enough: its "result" may be anything, and
       * the VM may still be on its way. */
      if (ferry_job_succeed_if_moved (self))
        return;
      g_debug ("Job %s: the task says success, the VM is not there yet", self->id);
      reason = g_strdup_printf (_("The pool reported the migration as finished, but %s has not shown up on %s."),
                                self->vm_name, ferry_job_target_label (self));
      ferry_job_await_vm (self, reason);
      return;
    }
  if (status == XAPI_TASK_STATUS_CANCELLED)
    {
      ferry_job_end (self, FERRY_JOB_STATE_CANCELLED);
      return;
    }
  if (status == XAPI_TASK_STATUS_FAILURE)
    {
      g_auto(GStrv) error_info = xapi_strv_dup (record->error_info);
      g_autofree char *reason = NULL;
      g_autofree char *message = NULL;

      if (ferry_job_vm_is_where_it_was (self))
        {
          ferry_job_task_failed (self, (const char * const *) error_info);
          return;
        }
      if (ferry_job_succeed_if_moved (self))
        return;
      /* A failure, but the VM is not (yet) seen back where it was. */
      g_clear_pointer (&self->failure_info, g_strfreev);
      self->failure_info = g_steal_pointer (&error_info);
      message = ferry_error_code_to_message (self->failure_info != NULL && self->failure_info[0] != NULL
                                               ? self->failure_info[0]
                                               : "INTERNAL_ERROR",
                                             self->failure_info != NULL && self->failure_info[0] != NULL
                                               ? (const char * const *) self->failure_info + 1
                                               : NULL);
      reason = g_strdup_printf (_("The pool reported that the migration failed (%s), but %s is not seen back where it was."),
                                message, self->vm_name);
      ferry_job_await_vm (self, reason);
      return;
    }

  /* Still going: whatever was awaited or feared before is moot. */
  g_clear_handle_id (&self->verify_id, g_source_remove);
  g_clear_pointer (&self->verify_reason, g_free);
  g_clear_pointer (&self->failure_info, g_strfreev);
  if (self->state == FERRY_JOB_STATE_UNKNOWN)
    ferry_job_set_string_prop (self, &self->error, NULL, FERRY_JOB_PROP_ERROR);

  /* pending or cancelling */
  ferry_job_set_progress (self, record->progress);

  if (status == XAPI_TASK_STATUS_CANCELLING)
    {
      ferry_job_set_state (self, FERRY_JOB_STATE_CANCELLING);
      return;
    }

  if (self->state != FERRY_JOB_STATE_CANCELLING)
    {
      gboolean allowed = (record->allowed_operations & XAPI_TASK_OP_CANCEL) != 0;

      ferry_job_set_state (self, FERRY_JOB_STATE_RUNNING);
      ferry_job_set_can_cancel (self, allowed);
      if (allowed && self->cancel_requested)
        ferry_job_send_task_cancel (self);
    }
}

static gboolean
is_own_vm_change (FerryJob   *self,
                  XapiChange *change)
{
  return self->vm_ref != NULL && change->klass == XAPI_CLASS_VM && g_str_equal (change->ref, self->vm_ref);
}

static void
on_objects_changed (FerryPool *pool,
                    GPtrArray *changes,
                    FerryJob  *self)
{
  gboolean vm_changed = FALSE;

  /* Without a task only an awaited VM.set_affinity listens. */
  if (self->task_ref == NULL && self->verify_reason == NULL)
    return;

  /* A task record may end the following (the copy's uuid is asked for,
   * the job goes back to the queue): the rest of the batch, and what the
   * VM shows in it, is then no longer for this job to judge. */
  g_object_ref (self);
  for (guint i = 0; i < changes->len && self->task_ref != NULL && self->changed_id != 0 &&
                    !ferry_job_is_finished (self);
       i++)
    {
      XapiChange *change = g_ptr_array_index (changes, i);

      if (is_own_vm_change (self, change))
        {
          self->last_heard = g_get_monotonic_time ();
          vm_changed = TRUE;
          continue;
        }
      if (change->klass != XAPI_CLASS_TASK || !g_str_equal (change->ref, self->task_ref))
        continue;

      self->last_heard = g_get_monotonic_time ();
      if (change->kind == XAPI_CHANGE_DEL || change->record == NULL)
        task_vanished (self);
      else
        apply_task_record (self, change->record);
    }

  /* VBDs and VDIs change too when disks move: any batch may settle it
   * while the VM is awaited. */
  if (!ferry_job_is_finished (self) && self->changed_id != 0 &&
      (vm_changed || self->verify_reason != NULL || self->state == FERRY_JOB_STATE_UNKNOWN))
    ferry_job_recheck (self);
  g_object_unref (self);
}

static void
on_target_changed (FerryPool *pool,
                   GPtrArray *changes,
                   FerryJob  *self)
{
  if (self->verify_reason == NULL && self->state != FERRY_JOB_STATE_UNKNOWN)
    return;

  g_object_ref (self);
  ferry_job_recheck (self);
  g_object_unref (self);
}

/* The cache was reloaded (a reconnection): find the task again. */
static void
on_objects_reset (FerryPool *pool,
                  FerryJob  *self)
{
  const XapiTask *record;

  self->last_heard = g_get_monotonic_time ();

  if (self->task_ref == NULL)
    {
      if (self->lost_error != NULL)
        ferry_job_check_lost_send (self);
      return;
    }

  g_object_ref (self);
  record = self->task_gone ? NULL : ferry_pool_lookup (pool, XAPI_CLASS_TASK, self->task_ref);
  if (record != NULL)
    apply_task_record (self, record);
  else if (!self->task_gone)
    task_vanished (self);
  else
    {
      ferry_job_recheck (self);
      if (!ferry_job_is_finished (self) && self->state == FERRY_JOB_STATE_UNKNOWN)
        {
          g_autofree char *reason = vanished_reason (self);

          ferry_job_await_vm (self, reason);
        }
    }
  g_object_unref (self);
}

static void
on_target_reset (FerryPool *pool,
                 FerryJob  *self)
{
  on_target_changed (pool, NULL, self);
}

/* A pool that failed for good (refused password, changed certificate,
 * another pool at that address) will not tell how the migration ends. */
static void
on_pool_state (FerryPool  *pool,
               GParamSpec *pspec,
               FerryJob   *self)
{
  g_autofree char *reason = NULL;
  g_autofree char *cause = NULL;
  gsize            len;

  if (ferry_pool_get_state (pool) != FERRY_POOL_STATE_FAILED || ferry_job_is_finished (self) ||
      self->state == FERRY_JOB_STATE_UNKNOWN)
    return;
  if (self->state != FERRY_JOB_STATE_RUNNING && self->state != FERRY_JOB_STATE_CANCELLING)
    return;
  /* Across pools the target only matters at the end. */
  if (pool != self->source_pool && self->verify_reason == NULL)
    return;

  cause = g_strdup (ferry_pool_get_error (pool) != NULL ? ferry_pool_get_error (pool) : _("the connection failed"));
  len = strlen (cause);
  if (len > 0 && cause[len - 1] == '.')
    cause[len - 1] = '\0';
  /* TRANSLATORS: the pool's name, then why the connection failed */
  reason = g_strdup_printf (_("Lost contact with %s: %s; the migration may still be running there."),
                            ferry_pool_get_name (pool), cause);
  ferry_job_go_unknown (self, reason);
}

static void
on_task_polled (FerryJob     *self,
                JsonNode     *result,
                const GError *error)
{
  self->poll_busy = FALSE;

  if (error != NULL)
    {
      if (xapi_error_has_code (error, "HANDLE_INVALID"))
        on_vanished_answer (self, NULL, error);
      return;
    }
  if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
    {
      g_autoptr(XapiTask) record = xapi_record_new_from_json (XAPI_CLASS_TASK, self->task_ref, result);

      apply_task_record (self, record);
    }
}

static void
on_vm_polled (FerryJob     *self,
              JsonNode     *result,
              const GError *error)
{
  g_autoptr(XapiVm) record = result != NULL ? xapi_record_new_from_json (XAPI_CLASS_VM, self->vm_ref, result)
                                            : NULL;

  self->poll_busy = FALSE;

  if (record == NULL || self->target_pool != self->source_pool)
    {
      ferry_job_recheck (self);
      return;
    }
  /* Inside a pool the VM's own record, asked for directly, may show the
   * arrival before the stream does (the disks are still looked up in the
   * cache). */
  if (ferry_job_record_shows_arrival (self, self->source_pool, record))
    ferry_job_end (self, FERRY_JOB_STATE_SUCCEEDED);
}

/* The event stream said nothing about the task or the VM for a while:
 * ask the pool directly, one call at a time, once a second at most, until
 * the stream speaks again. */
static gboolean
on_poll_tick (gpointer user_data)
{
  FerryJob *self = user_data;

  if (self->poll_busy || self->task_ref == NULL || self->asking_vanished ||
      ferry_pool_get_state (self->source_pool) != FERRY_POOL_STATE_READY ||
      (self->state != FERRY_JOB_STATE_RUNNING && self->state != FERRY_JOB_STATE_CANCELLING &&
       self->state != FERRY_JOB_STATE_UNKNOWN) ||
      g_get_monotonic_time () - self->last_heard < QUIET_US)
    return G_SOURCE_CONTINUE;

  self->poll_busy = TRUE;
  if (!self->task_gone && self->verify_reason == NULL)
    ferry_job_call (self, self->source_pool, "task.get_record", xapi_params_new (self->task_ref, NULL),
                    self->cancellable, on_task_polled);
  else if (self->vm_ref != NULL)
    ferry_job_call (self, self->source_pool, "VM.get_record", xapi_params_new (self->vm_ref, NULL),
                    self->cancellable, on_vm_polled);
  else
    self->poll_busy = FALSE;

  return G_SOURCE_CONTINUE;
}

/* Connects @handler to @signal of @pool unless *@id already holds it. */
static void
connect_once (gulong     *id,
              FerryPool  *pool,
              const char *signal,
              GCallback   handler,
              FerryJob   *self)
{
  if (*id == 0)
    *id = g_signal_connect (pool, signal, handler, self);
}

void
ferry_job_watch_pools (FerryJob *self)
{
  connect_once (&self->changed_id, self->source_pool, "objects-changed", G_CALLBACK (on_objects_changed), self);
  connect_once (&self->reset_id, self->source_pool, "objects-reset", G_CALLBACK (on_objects_reset), self);
  connect_once (&self->source_state_id, self->source_pool, "notify::state", G_CALLBACK (on_pool_state), self);
  if (self->target_pool != NULL && self->target_pool != self->source_pool)
    {
      connect_once (&self->target_changed_id, self->target_pool, "objects-changed",
                    G_CALLBACK (on_target_changed), self);
      connect_once (&self->target_reset_id, self->target_pool, "objects-reset", G_CALLBACK (on_target_reset), self);
      connect_once (&self->target_state_id, self->target_pool, "notify::state", G_CALLBACK (on_pool_state), self);
    }
}

void
ferry_job_follow_task (FerryJob *self)
{
  const XapiTask *record;

  ferry_job_watch_pools (self);
  self->task_gone = FALSE;
  self->last_heard = g_get_monotonic_time ();
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add (POLL_MS, on_poll_tick, self);

  /* The task may already be in the cache, even finished. */
  record = ferry_pool_lookup (self->source_pool, XAPI_CLASS_TASK, self->task_ref);
  if (record != NULL)
    apply_task_record (self, record);
}

void
ferry_job_mark_task (FerryJob *self)
{
  g_autofree char *value = NULL;

  /* So that a later run (or another Ferry) knows whose task this is.
   * Across pools the target is nowhere else in the source pool's records;
   * inside a pool, the VM's scheduled_to_be_resident_on names it. */
  if (self->target_name != NULL && self->target_pool != self->source_pool)
    value = g_strdup_printf ("%s %s", self->id, self->target_name);
  else
    value = g_strdup (self->id);
  ferry_job_fire_and_forget (self->source_pool, "task.add_to_other_config",
                             xapi_params_new (self->task_ref, MARK_KEY, value, NULL));
}

/* ---- copy mode ------------------------------------------------------------------ */

/* With "copy" the original stays where it was, so where the VM is tells
 * nothing: the migration worked if the pool's answer, the new VM, exists
 * in the target pool.  Its uuid is what the user needs to find it. */
static void
on_copy_uuid (FerryJob     *self,
              JsonNode     *result,
              const GError *error)
{
  g_autoptr(GError) missing = NULL;

  if (error == NULL && result != NULL && JSON_NODE_HOLDS_VALUE (result) &&
      json_node_get_value_type (result) == G_TYPE_STRING)
    {
      ferry_set_string (&self->copy_uuid, json_node_get_string (result));
      ferry_job_end (self, FERRY_JOB_STATE_SUCCEEDED);
      return;
    }

  missing = g_error_new (FERRY_ERROR, FERRY_ERROR_FAILED,
                         _("The pool reported the copy of “%s” as made, but %s has no such VM."),
                         self->vm_name, self->target_name);
  ferry_job_fail_with (self, NULL, missing);
}

void
ferry_job_check_copy_made (FerryJob       *self,
                           const XapiTask *task)
{
  g_autofree char *copy_ref = xapi_parse_task_result (xapi_str (task->result));

  /* The task is over; only the answer about the copy is awaited now. */
  ferry_job_stop_following (self);

  if (copy_ref == NULL || xapi_is_null_ref (copy_ref))
    {
      g_autoptr(GError) error = g_error_new (FERRY_ERROR, FERRY_ERROR_FAILED,
                                             _("The pool did not say which VM is the copy of “%s”."),
                                             self->vm_name);
      ferry_job_fail_with (self, NULL, error);
      return;
    }

  ferry_job_call (self, self->target_pool, "VM.get_uuid", xapi_params_new (copy_ref, NULL), NULL, on_copy_uuid);
}

const char *
ferry_job_get_copy_uuid (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->copy_uuid;
}
