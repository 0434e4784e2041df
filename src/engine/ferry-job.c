/* ferry-job.c: one migration, from planning to its end
 *
 * A job plans, checks, asks (storage motion), waits for a slot in the
 * queue (storage motion), sends the migration and then follows the XAPI
 * task through the pool's event cache: progress and whether it may be
 * cancelled come from task records.  Its outcome comes from the VM: a task
 * may say "success" before the VM has arrived, or vanish while the VM is
 * still on its way, so success is only reported once the VM's record shows
 * it where it was sent, and failure once it shows it back where it was.
 * When that cannot be told (the pool is out of reach, the VM is neither
 * here nor there) the job says so (UNKNOWN) and keeps watching.
 * If the connection drops, the task ref is kept and looked up again once
 * the cache has reloaded; if the event stream goes quiet, the task (or the
 * VM) is asked for directly, at most once a second.
 *
 * This file holds the object, its one state and how it ends; the other
 * parts of the job are in files of their own (see ferry-job-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xapi-error.h"
#include "xapi-record.h"
#include "xapi-util.h"

#include "ferry-errors.h"
#include "ferry-host.h"
#include "ferry-job-private.h"
#include "ferry-job.h"
#include "ferry-plan.h"
#include "ferry-pool.h"
#include "ferry-util-private.h"
#include "ferry-vm-private.h"

G_DEFINE_FINAL_TYPE (FerryJob, ferry_job, G_TYPE_OBJECT)

static GParamSpec *properties[FERRY_JOB_N_PROPS];

/* ---- property helpers ------------------------------------------------------ */

void
ferry_job_notify (FerryJob *self,
                  guint     prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
ferry_job_set_string_prop (FerryJob   *self,
                           char      **field,
                           const char *value,
                           guint       prop)
{
  if (ferry_set_string (field, value))
    ferry_job_notify (self, prop);
}

void
ferry_job_set_double_prop (FerryJob *self,
                           double   *field,
                           double    value,
                           guint     prop)
{
  if (*field == value)
    return;

  *field = value;
  ferry_job_notify (self, prop);
}

void
ferry_job_set_can_cancel (FerryJob *self,
                          gboolean  can_cancel)
{
  if (self->can_cancel == can_cancel)
    return;

  self->can_cancel = can_cancel;
  ferry_job_notify (self, FERRY_JOB_PROP_CAN_CANCEL);
}

void
ferry_job_set_state (FerryJob     *self,
                     FerryJobState state)
{
  if (self->state == state)
    return;

  self->state = state;

  switch (state)
    {
    case FERRY_JOB_STATE_QUEUED:
    case FERRY_JOB_STATE_CHECKING:
    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
      ferry_job_set_can_cancel (self, TRUE);
      break;
    case FERRY_JOB_STATE_SUCCEEDED:
    case FERRY_JOB_STATE_FAILED:
    case FERRY_JOB_STATE_CANCELLED:
    case FERRY_JOB_STATE_CANCELLING:
    case FERRY_JOB_STATE_UNKNOWN:
      ferry_job_set_can_cancel (self, FALSE);
      break;
    case FERRY_JOB_STATE_RUNNING:
    default:
      /* follows the task's allowed_operations */
      break;
    }

  ferry_job_notify (self, FERRY_JOB_PROP_STATE);
}

void
ferry_job_set_kind (FerryJob          *self,
                    FerryMigrationKind kind)
{
  if (self->kind == kind)
    return;

  self->kind = kind;
  ferry_job_notify (self, FERRY_JOB_PROP_KIND);
}

static void
set_bytes_total (FerryJob *self,
                 guint64   bytes)
{
  if (self->bytes_total == bytes)
    return;

  self->bytes_total = bytes;
  ferry_job_notify (self, FERRY_JOB_PROP_BYTES_TOTAL);
}

void
ferry_job_set_plan (FerryJob  *self,
                    FerryPlan *plan)
{
  if (!g_set_object (&self->plan, plan))
    return;

  ferry_job_set_kind (self, ferry_plan_get_kind (plan));
  set_bytes_total (self, ferry_plan_get_bytes_to_copy (plan));
  ferry_job_notify (self, FERRY_JOB_PROP_PLAN);
}

gpointer
ferry_job_get_owner (FerryJob *self)
{
  /* The manager owns the jobs model; when it is gone, nobody queues. */
  GObject *owner = g_weak_ref_get (&self->owner);

  if (owner != NULL)
    g_object_unref (owner);
  return owner;
}

/* ---- ending ------------------------------------------------------------------- */

void
ferry_job_stop_following (FerryJob *self)
{
  g_clear_handle_id (&self->lost_check_id, g_source_remove);
  g_clear_handle_id (&self->verify_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  self->poll_busy = FALSE;
  self->asking_vanished = FALSE;
  g_clear_pointer (&self->verify_reason, g_free);
  g_clear_pointer (&self->failure_info, g_strfreev);
  if (self->source_pool != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->source_pool);
      g_clear_signal_handler (&self->reset_id, self->source_pool);
      g_clear_signal_handler (&self->source_state_id, self->source_pool);
    }
  if (self->target_pool != NULL)
    {
      g_clear_signal_handler (&self->target_changed_id, self->target_pool);
      g_clear_signal_handler (&self->target_reset_id, self->target_pool);
      g_clear_signal_handler (&self->target_state_id, self->target_pool);
    }
}

void
ferry_job_end (FerryJob     *self,
               FerryJobState state)
{
  gpointer owner;

  if (ferry_job_is_finished (self))
    return;

  g_object_ref (self);

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  /* A request that waits for a re-login does not go out for a job that
   * is over. */
  ferry_job_withdraw_request (self);
  ferry_job_stop_following (self);
  ferry_job_leave_queue (self);
  /* A request still out is no longer awaited (its answer is dropped). */
  ferry_job_set_phase (self, FERRY_JOB_PHASE_IDLE);

  if (state == FERRY_JOB_STATE_SUCCEEDED)
    ferry_job_set_progress (self, 1.0);
  /* The copy's own record may show its arrival before VM.get_uuid answers:
   * its uuid is in that record too. */
  if (state == FERRY_JOB_STATE_SUCCEEDED && self->copy_uuid == NULL &&
      ferry_migrate_options_get_copy (self->options))
    {
      const XapiVm *copy = ferry_job_arrival_record (self);

      if (copy != NULL && self->target_pool != self->source_pool)
        ferry_set_string (&self->copy_uuid, xapi_str (copy->record.uuid));
    }
  if (state != FERRY_JOB_STATE_FAILED)
    {
      /* What an UNKNOWN state said no longer holds. */
      ferry_job_set_string_prop (self, &self->error, NULL, FERRY_JOB_PROP_ERROR);
      ferry_job_set_string_prop (self, &self->error_code, NULL, FERRY_JOB_PROP_ERROR_CODE);
    }
  if (self->eta >= 0)
    {
      self->eta = state == FERRY_JOB_STATE_SUCCEEDED ? 0 : -1;
      ferry_job_notify (self, FERRY_JOB_PROP_ETA);
    }

  /* XAPI keeps finished tasks until someone destroys them; ours are ours
   * to clean up, other clients' are theirs. */
  if (self->task_ref != NULL && self->owns_task)
    ferry_job_fire_and_forget (self->source_pool, "task.destroy", xapi_params_new (self->task_ref, NULL));

  owner = ferry_job_get_owner (self);
  if (owner != NULL && self->hooks->rate != NULL && state == FERRY_JOB_STATE_SUCCEEDED && self->rate > 0)
    self->hooks->rate (owner, self, self->rate);

  if (self->vm != NULL && ferry_vm_get_job (self->vm) == self)
    ferry_vm_set_job (self->vm, NULL);

  ferry_job_set_state (self, state);

  g_object_unref (self);
}

/* What the error sentences may name: this job's VM, hosts and pools. */
static FerryErrorContext
error_context (FerryJob *self)
{
  FerryErrorContext context = {
    .vm_name = self->vm_name,
    .source_host_name = self->source_name,
    .target_host_name = self->target_name,
    .source_pool_name = self->source_pool != NULL ? ferry_pool_get_name (self->source_pool) : NULL,
    .target_pool_name = self->target_pool != NULL ? ferry_pool_get_name (self->target_pool) : NULL,
    .source_pool = self->source_pool,
    .target_pool = self->target_pool,
  };

  return context;
}

void
ferry_job_fail_with (FerryJob     *self,
                     const char   *code,
                     const GError *error)
{
  FerryErrorContext context = error_context (self);
  g_autofree char  *details = NULL;
  g_autofree char  *message = ferry_error_to_named_message (error, &context, &details);

  ferry_job_set_string_prop (self, &self->error, message, FERRY_JOB_PROP_ERROR);
  ferry_job_set_string_prop (self, &self->error_code, code, FERRY_JOB_PROP_ERROR_CODE);
  ferry_job_set_string_prop (self, &self->error_details, details != NULL ? details : code, FERRY_JOB_PROP_ERROR_DETAILS);

  ferry_job_end (self, FERRY_JOB_STATE_FAILED);
}

void
ferry_job_fail_with_error (FerryJob     *self,
                           const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ferry_job_end (self, FERRY_JOB_STATE_CANCELLED);
      return;
    }

  ferry_job_fail_with (self, xapi_error_get_code (error), error);
}

/* ---- GObject ------------------------------------------------------------------- */

static void
ferry_job_dispose (GObject *object)
{
  FerryJob *self = FERRY_JOB (object);

  ferry_job_stop_following (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  ferry_job_withdraw_request (self);

  G_OBJECT_CLASS (ferry_job_parent_class)->dispose (object);
}

static void
ferry_job_finalize (GObject *object)
{
  FerryJob *self = FERRY_JOB (object);

  g_weak_ref_clear (&self->owner);
  g_free (self->id);
  g_free (self->vm_name);
  g_free (self->vm_uuid);
  g_free (self->source_name);
  g_free (self->target_name);
  g_free (self->error);
  g_free (self->error_code);
  g_free (self->error_details);
  g_clear_error (&self->lost_error);
  g_free (self->task_ref);
  g_clear_object (&self->plan);
  g_clear_object (&self->vm);
  g_clear_object (&self->target);
  g_clear_object (&self->source_pool);
  g_clear_object (&self->target_pool);
  g_free (self->vm_ref);
  g_free (self->source_key);
  g_free (self->source_host_ref);
  g_clear_pointer (&self->source_srs, g_ptr_array_unref);
  g_free (self->verify_reason);
  g_free (self->result_ref);
  g_strfreev (self->failure_info);
  g_clear_pointer (&self->options, ferry_migrate_options_free);
  g_clear_pointer (&self->unreachable_srs, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->withdraw);
  g_free (self->copy_uuid);
  g_free (self->precheck_code);
  g_free (self->precheck_error);
  g_clear_pointer (&self->dest, json_object_unref);
  g_free (self->dest_network);
  g_free (self->dest_session);

  G_OBJECT_CLASS (ferry_job_parent_class)->finalize (object);
}

static void
ferry_job_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FerryJob *self = FERRY_JOB (object);

  switch (prop_id)
    {
    case FERRY_JOB_PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case FERRY_JOB_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case FERRY_JOB_PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case FERRY_JOB_PROP_VM_NAME:
      g_value_set_string (value, self->vm_name);
      break;
    case FERRY_JOB_PROP_VM_UUID:
      g_value_set_string (value, self->vm_uuid);
      break;
    case FERRY_JOB_PROP_SOURCE_NAME:
      g_value_set_string (value, self->source_name);
      break;
    case FERRY_JOB_PROP_TARGET_NAME:
      g_value_set_string (value, self->target_name);
      break;
    case FERRY_JOB_PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case FERRY_JOB_PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;
    case FERRY_JOB_PROP_RATE:
      g_value_set_double (value, self->rate);
      break;
    case FERRY_JOB_PROP_ETA:
      g_value_set_double (value, self->eta);
      break;
    case FERRY_JOB_PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case FERRY_JOB_PROP_ERROR_CODE:
      g_value_set_string (value, self->error_code);
      break;
    case FERRY_JOB_PROP_ERROR_DETAILS:
      g_value_set_string (value, self->error_details);
      break;
    case FERRY_JOB_PROP_TASK_REF:
      g_value_set_string (value, self->task_ref);
      break;
    case FERRY_JOB_PROP_CAN_CANCEL:
      g_value_set_boolean (value, self->can_cancel);
      break;
    case FERRY_JOB_PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case FERRY_JOB_PROP_PAUSED:
      g_value_set_boolean (value, ferry_job_get_paused (self));
      break;
    case FERRY_JOB_PROP_ADOPTED:
      g_value_set_boolean (value, self->adopted);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_job_class_init (FerryJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ferry_job_dispose;
  object_class->finalize = ferry_job_finalize;
  object_class->get_property = ferry_job_get_property;

  properties[FERRY_JOB_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FERRY_TYPE_JOB_STATE,
                                                        FERRY_JOB_STATE_QUEUED, flags);
  properties[FERRY_JOB_PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, FERRY_TYPE_MIGRATION_KIND,
                                                       FERRY_MIGRATION_PLAIN, flags);
  properties[FERRY_JOB_PROP_VM_NAME] = g_param_spec_string ("vm-name", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_VM_UUID] = g_param_spec_string ("vm-uuid", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_SOURCE_NAME] = g_param_spec_string ("source-name", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_TARGET_NAME] = g_param_spec_string ("target-name", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, flags);
  properties[FERRY_JOB_PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL,
                                                                0, G_MAXUINT64, 0, flags);
  properties[FERRY_JOB_PROP_RATE] = g_param_spec_double ("rate", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[FERRY_JOB_PROP_ETA] = g_param_spec_double ("eta", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, -1.0, flags);
  properties[FERRY_JOB_PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_ERROR_CODE] = g_param_spec_string ("error-code", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_ERROR_DETAILS] = g_param_spec_string ("error-details", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_TASK_REF] = g_param_spec_string ("task-ref", NULL, NULL, NULL, flags);
  properties[FERRY_JOB_PROP_CAN_CANCEL] = g_param_spec_boolean ("can-cancel", NULL, NULL, FALSE, flags);
  properties[FERRY_JOB_PROP_PLAN] = g_param_spec_object ("plan", NULL, NULL, FERRY_TYPE_PLAN, flags);
  properties[FERRY_JOB_PROP_ADOPTED] = g_param_spec_boolean ("adopted", NULL, NULL, FALSE, flags);
  properties[FERRY_JOB_PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, FERRY_JOB_N_PROPS, properties);
}

static void
ferry_job_init (FerryJob *self)
{
  g_autofree char *uuid = g_uuid_string_random ();

  g_weak_ref_init (&self->owner, NULL);
  self->id = g_strconcat ("ferry-", uuid, NULL);
  self->state = FERRY_JOB_STATE_QUEUED;
  self->can_cancel = TRUE;
  self->eta = -1;
  self->cancellable = g_cancellable_new ();
  self->unreachable_srs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

char *
ferry_job_make_source_key (FerryPool  *pool,
                           const char *host_ref)
{
  return g_strdup_printf ("%s|%s", ferry_pool_get_url (pool), host_ref != NULL ? host_ref : "-");
}

FerryJob *
ferry_job_new (const FerryJobHooks       *hooks,
               gpointer                   owner,
               FerryVm                   *vm,
               FerryHost                 *target,
               const FerryMigrateOptions *options,
               double                     rate_hint)
{
  FerryJob  *self = g_object_new (FERRY_TYPE_JOB, NULL);
  FerryHost *source = ferry_vm_get_resident_on (vm);
  FerryPool *source_pool = ferry_vm_get_pool (vm);
  FerryPool *target_pool = ferry_host_get_pool (target);

  self->hooks = hooks;
  g_weak_ref_set (&self->owner, owner);
  self->vm = g_object_ref (vm);
  self->target = g_object_ref (target);
  self->source_pool = source_pool != NULL ? g_object_ref (source_pool) : NULL;
  self->target_pool = target_pool != NULL ? g_object_ref (target_pool) : NULL;
  self->vm_ref = g_strdup (ferry_vm_get_ref (vm));
  self->vm_name = g_strdup (ferry_vm_get_name (vm));
  self->vm_uuid = g_strdup (ferry_vm_get_uuid (vm));
  self->source_name = g_strdup (source != NULL ? ferry_host_get_name (source) : NULL);
  self->target_name = g_strdup (ferry_host_get_name (target));
  self->options = ferry_migrate_options_copy (options);
  self->rate_hint = rate_hint;
  self->source_key = source_pool != NULL
                     ? ferry_job_make_source_key (source_pool, source != NULL ? ferry_host_get_ref (source) : NULL)
                     : g_strdup ("-");

  return self;
}

gboolean
ferry_job_may_have_stray_request (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);
  return !self->adopted && self->lost_tries > 0;
}

const char *
ferry_job_get_vm_ref (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->vm_ref;
}

/* ---- public API ----------------------------------------------------------------- */

const char *
ferry_job_get_id (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->id;
}

FerryJobState
ferry_job_get_state (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FERRY_JOB_STATE_FAILED);
  return self->state;
}

FerryMigrationKind
ferry_job_get_kind (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FERRY_MIGRATION_PLAIN);
  return self->kind;
}

const char *
ferry_job_get_vm_name (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->vm_name;
}

const char *
ferry_job_get_vm_uuid (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->vm_uuid;
}

const char *
ferry_job_get_source_name (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->source_name;
}

const char *
ferry_job_get_target_name (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->target_name;
}

char *
ferry_job_dup_route (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);

  if (self->source_name == NULL)
    /* Translators: where a migration goes, "to lyon-2" */
    return g_strdup_printf (_("to %s"), self->target_name != NULL ? self->target_name : "");
  /* Translators: the route of a migration, "from lyon-1 to lyon-2" */
  return g_strdup_printf (_("from %s to %s"), self->source_name,
                          self->target_name != NULL ? self->target_name : "");
}

double
ferry_job_get_progress (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), 0);
  return self->progress;
}

guint64
ferry_job_get_bytes_total (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), 0);
  return self->bytes_total;
}

double
ferry_job_get_rate (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), 0);
  return self->rate;
}

double
ferry_job_get_eta (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), -1);
  return self->eta;
}

const char *
ferry_job_get_error (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->error;
}

const char *
ferry_job_get_error_code (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->error_code;
}

const char *
ferry_job_get_error_details (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);

  return self->error_details;
}

const char *
ferry_job_get_task_ref (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->task_ref;
}

gboolean
ferry_job_get_can_cancel (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);
  return self->can_cancel;
}

FerryPlan *
ferry_job_get_plan (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->plan;
}

gboolean
ferry_job_get_adopted (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);
  return self->adopted;
}

FerryVm *
ferry_job_get_vm (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->vm;
}

FerryHost *
ferry_job_get_target (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->target;
}

gboolean
ferry_job_is_finished (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), TRUE);
  return self->state == FERRY_JOB_STATE_SUCCEEDED ||
         self->state == FERRY_JOB_STATE_FAILED ||
         self->state == FERRY_JOB_STATE_CANCELLED;
}

gboolean
ferry_job_vm_is_busy (FerryVm *vm)
{
  FerryJob *job = ferry_vm_get_job (vm);

  return job != NULL && !ferry_job_is_finished (job);
}

FerryPool *
ferry_job_get_source_pool (FerryJob *self)
{
  return self->source_pool;
}

const char *
ferry_job_get_source_key (FerryJob *self)
{
  return self->source_key;
}

void
ferry_job_detach (FerryJob *self)
{
  g_return_if_fail (FERRY_IS_JOB (self));

  /* Its owner is going away: stop everything that keeps the job (and
   * through it, the pools) alive, without touching the pool. */
  self->generation++;
  ferry_job_stop_following (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  ferry_job_withdraw_request (self);
  ferry_job_set_phase (self, FERRY_JOB_PHASE_IDLE);
  self->in_slot = FALSE;
  if (self->vm != NULL && ferry_vm_get_job (self->vm) == self)
    ferry_vm_set_job (self->vm, NULL);
}

void
ferry_job_abandon (FerryJob   *self,
                   const char *sentence)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (FERRY_IS_JOB (self));

  if (ferry_job_is_finished (self))
    return;

  /* The task lives on in the pool; we only stop watching it. */
  self->owns_task = FALSE;
  error = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED, sentence);
  ferry_job_fail_with (self, NULL, error);
}

void
ferry_job_cancel (FerryJob *self)
{
  g_return_if_fail (FERRY_IS_JOB (self));

  switch (self->state)
    {
    case FERRY_JOB_STATE_QUEUED:
    case FERRY_JOB_STATE_CHECKING:
    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
      /* Nothing that changes the pool is out yet. */
      ferry_job_end (self, FERRY_JOB_STATE_CANCELLED);
      break;

    case FERRY_JOB_STATE_RUNNING:
      if (self->task_ref != NULL && self->can_cancel)
        ferry_job_send_task_cancel (self);
      else if (self->task_ref == NULL && self->phase == FERRY_JOB_PHASE_SENDING)
        {
          /* The request is out; its task is cancelled as soon as it is
           * known and may be cancelled.  One that the pool refused with
           * SESSION_INVALID and that waits for a new login is withdrawn:
           * the job ends cancelled at once, and nothing goes out. */
          self->cancel_requested = TRUE;
          ferry_job_withdraw_request (self);
        }
      break;

    case FERRY_JOB_STATE_CANCELLING:
    case FERRY_JOB_STATE_SUCCEEDED:
    case FERRY_JOB_STATE_FAILED:
    case FERRY_JOB_STATE_CANCELLED:
    default:
      break;
    }
}

const char *
ferry_job_state_to_string (FerryJobState state)
{
  switch (state)
    {
    case FERRY_JOB_STATE_QUEUED:
      return _("Queued");
    case FERRY_JOB_STATE_CHECKING:
      return _("Checking");
    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
      return _("Waiting for confirmation");
    case FERRY_JOB_STATE_RUNNING:
      return _("Migrating");
    case FERRY_JOB_STATE_CANCELLING:
      return _("Cancelling");
    case FERRY_JOB_STATE_SUCCEEDED:
      return _("Done");
    case FERRY_JOB_STATE_FAILED:
      return _("Failed");
    case FERRY_JOB_STATE_CANCELLED:
      return _("Cancelled");
    case FERRY_JOB_STATE_UNKNOWN:
      return _("Outcome unknown");
    default:
      return "";
    }
}
