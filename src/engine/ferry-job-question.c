/* ferry-job-question.c: the question before storage motion, and its answer
 *
 * A storage migration waits in AWAITING_CONFIRMATION with the pool's
 * opinion of its plan (a refusal the user may overrule with "force");
 * a change under Advanced re-plans and asks the pool again
 * (ferry_job_replan_async()); the answer confirms or declines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xapi-connection.h"
#include "xapi-error.h"

#include "ferry-errors-private.h"
#include "ferry-host.h"
#include "ferry-job-private.h"
#include "ferry-job.h"
#include "ferry-plan-private.h"
#include "ferry-plan.h"
#include "ferry-pool-private.h"
#include "ferry-util-private.h"

void
ferry_job_confirm (FerryJob            *self,
                   FerryMigrateOptions *changed)
{
  g_return_if_fail (FERRY_IS_JOB (self));

  if (self->state != FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    return;

  if (changed == NULL && self->precheck_code != NULL)
    {
      /* The pool already said no, and nothing that could change that was
       * chosen: sending would only fail the same way. */
      g_autoptr(GError) error = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_PRECHECK,
                                                     self->precheck_error);
      g_autofree char *code = g_strdup (self->precheck_code);

      ferry_job_fail_with (self, code, error);
      return;
    }

  if (changed != NULL)
    {
      g_clear_pointer (&self->options, ferry_migrate_options_free);
      self->options = ferry_migrate_options_copy (changed);
      if (!ferry_job_replan (self))
        return;
    }

  ferry_job_send_planned (self, TRUE);
}

void
ferry_job_decline (FerryJob *self)
{
  g_return_if_fail (FERRY_IS_JOB (self));

  if (self->state != FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    return;

  ferry_job_end (self, FERRY_JOB_STATE_CANCELLED);
}

/* ---- the question ---------------------------------------------------------------- */

/* The pool's refusal of the plan in force, or none (@error NULL or a
 * cancellation): what the question shows. */
static void
set_precheck_refusal (FerryJob     *self,
                      const GError *error)
{
  g_autofree char *message = NULL;

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&self->precheck_code, g_free);
      g_clear_pointer (&self->precheck_error, g_free);
      return;
    }

  message = ferry_error_to_message (error);
  ferry_set_string (&self->precheck_code, xapi_error_get_code (error));
  ferry_set_string (&self->precheck_error, message);
}

/* A CPU the target host does not offer is something the user may
 * overrule ("force"); the question is asked with the refusal in it. */
gboolean
ferry_job_precheck_refusal_to_ask (FerryJob     *self,
                                   const GError *error)
{
  if (g_strcmp0 (xapi_error_get_code (error), "VM_INCOMPATIBLE_WITH_THIS_HOST") != 0 ||
      ferry_migrate_options_get_force (self->options))
    return FALSE;

  set_precheck_refusal (self, error);
  return TRUE;
}

const char *
ferry_job_get_precheck_code (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->precheck_code;
}

const char *
ferry_job_get_precheck_error (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->precheck_error;
}

typedef struct
{
  FerryPlan    *plan;
  JsonArray    *params; /* of the call in flight: kept until it completes */
  /* Cancelled by the caller's cancellable or by the job's, which ends with
   * the job: a job cancelled meanwhile asks the pools nothing more. */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong        caller_id;
  GCancellable *job_cancellable;
  gulong        job_id;
} Replan;

static void
replan_free (gpointer data)
{
  Replan *replan = data;

  if (replan->caller_id != 0)
    g_cancellable_disconnect (replan->caller_cancellable, replan->caller_id);
  if (replan->job_id != 0)
    g_cancellable_disconnect (replan->job_cancellable, replan->job_id);
  g_clear_object (&replan->caller_cancellable);
  g_clear_object (&replan->job_cancellable);
  g_clear_object (&replan->cancellable);
  g_clear_object (&replan->plan);
  g_clear_pointer (&replan->params, json_array_unref);
  g_free (replan);
}

static void
replan_checked (GTask        *task,
                const GError *error)
{
  FerryJob *self = g_task_get_source_object (task);
  Replan   *replan = g_task_get_task_data (task);
  g_autoptr(GError) cancelled = NULL;

  /* A job that ended meanwhile has no plan to check any more. */
  if (g_cancellable_set_error_if_cancelled (replan->cancellable, &cancelled))
    error = cancelled;

  /* Only the answer for the plan in force counts. */
  if (self->plan == replan->plan && self->state == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    set_precheck_refusal (self, error);

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_replan_asserted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);

  /* Only whether it refused counts. */
  g_clear_pointer (&node, json_node_unref);
  replan_checked (user_data, error);
}

static void
on_replan_received (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask    *task = user_data;
  FerryJob *self = g_task_get_source_object (task);
  Replan   *replan = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);
  XapiConnection *connection = NULL;
  JsonObject     *dest = ferry_plan_wire_dest (node);
  JsonArray      *params;

  /* Answered in the turn the job was cancelled: nothing more is asked. */
  if (error == NULL)
    g_cancellable_set_error_if_cancelled (replan->cancellable, &error);
  if (error == NULL && dest == NULL)
    error = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED, _("The target pool did not accept the migration."));
  if (error == NULL)
    connection = ferry_job_pool_connection (self->source_pool, &error);
  if (error != NULL)
    {
      replan_checked (task, error);
      return;
    }

  ferry_job_keep_dest (self, dest, replan->plan);

  /* The arguments of the plan this check is for. */
  params = ferry_plan_wire_migrate_send (replan->plan, self->vm_ref, dest);
  g_clear_pointer (&replan->params, json_array_unref);
  replan->params = params;
  xapi_connection_call_async (connection, "VM.assert_can_migrate", params, replan->cancellable,
                              on_replan_asserted, task);
}

/* The cancellable may fire in any thread: cancelling another one is safe
 * from there. */
static void
on_replan_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

void
ferry_job_replan_async (FerryJob            *self,
                        FerryMigrateOptions *options,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask  *task;
  Replan *replan;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  XapiConnection  *connection;
  JsonArray       *params;

  g_return_if_fail (FERRY_IS_JOB (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_job_replan_async);

  if (self->state != FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    {
      g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_INVALID,
                               _("The migration of “%s” is no longer waiting for an answer."), self->vm_name);
      g_object_unref (task);
      return;
    }

  replan = g_new0 (Replan, 1);
  g_task_set_task_data (task, replan, replan_free);
  replan->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      replan->caller_cancellable = g_object_ref (cancellable);
      replan->caller_id = g_cancellable_connect (cancellable, G_CALLBACK (on_replan_cancelled),
                                                 g_object_ref (replan->cancellable), g_object_unref);
    }
  replan->job_cancellable = g_object_ref (self->cancellable);
  replan->job_id = g_cancellable_connect (self->cancellable, G_CALLBACK (on_replan_cancelled),
                                          g_object_ref (replan->cancellable), g_object_unref);
  replan->plan = ferry_plan_build (self->vm, self->target, options, self->unreachable_srs,
                                   self->force_storage, self->rate_hint, &error);
  if (replan->plan == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  /* The new plan is in force at once (the question shows it and OK sends
   * it); the pool's opinion of it follows. */
  reason = g_strdup (self->plan != NULL ? ferry_plan_get_reason (self->plan) : NULL);
  if (reason != NULL)
    ferry_plan_set_reason (replan->plan, reason);
  g_clear_pointer (&self->options, ferry_migrate_options_free);
  self->options = ferry_migrate_options_copy (options);
  ferry_job_set_plan (self, replan->plan);

  if (ferry_plan_get_kind (replan->plan) == FERRY_MIGRATION_PLAIN)
    {
      set_precheck_refusal (self, NULL);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  connection = ferry_job_pool_connection (self->target_pool, &error);
  if (connection == NULL)
    {
      replan_checked (task, error);
      return;
    }

  params = ferry_plan_wire_migrate_receive (self->plan, ferry_host_get_ref (self->target));
  replan->params = params;
  xapi_connection_call_async (connection, "host.migrate_receive", params, replan->cancellable, on_replan_received,
                              task);
}

gboolean
ferry_job_replan_finish (FerryJob     *self,
                         GAsyncResult *result,
                         GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ok = g_task_propagate_boolean (G_TASK (result), error);
  ferry_error_translate (error);
  return ok;
}
