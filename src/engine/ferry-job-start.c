/* ferry-job-start.c: the calls that start a migration
 *
 * A plain migration (VM.pool_migrate), a new home host (VM.set_affinity) or
 * storage motion (host.migrate_receive on the target pool, then
 * VM.assert_can_migrate before the question and VM.migrate_send once the
 * queue lets it go); a request whose answer was lost, sent again only when
 * the pool's records show it never started; a host that is full
 * (TOO_MANY_STORAGE_MIGRATES) sends the job back to the queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xapi-connection.h"
#include "xapi-error.h"
#include "xapi-record.h"
#include "xapi-util.h"

#include "ferry-host.h"
#include "ferry-job-private.h"
#include "ferry-job.h"
#include "ferry-network.h"
#include "ferry-plan-private.h"
#include "ferry-plan.h"
#include "ferry-pool-private.h"
#include "ferry-precheck-private.h"
#include "ferry-vm-private.h"

/* TOO_MANY_STORAGE_MIGRATES: try again after this long (or sooner, when
 * another migration from the same host ends). */
#define RETRY_MIN_SECONDS 5
#define RETRY_MAX_SECONDS 10
/* The answer of host.migrate_receive from the pre-check (a session of the
 * target pool, see usable_dest()) is sent with the migration
 * if it is at most this old. */
#define DEST_FRESH_US (120 * G_USEC_PER_SEC)

static void receive_and_send (FerryJob *self);
static void send_plain (FerryJob *self);
static void send_home_host (FerryJob *self);
static void enqueue_storage (FerryJob *self);

static void
forget_dest (FerryJob *self)
{
  g_clear_pointer (&self->dest, json_object_unref);
  g_clear_pointer (&self->dest_network, g_free);
  g_clear_pointer (&self->dest_session, g_free);
  self->dest_time = 0;
}

static const char *
migration_network_ref (FerryPlan *plan)
{
  FerryNetwork *network = plan != NULL ? ferry_plan_get_migration_network (plan) : NULL;

  return network != NULL ? ferry_network_get_ref (network) : NULL;
}

/* host.migrate_receive answered @dest for the migration network of @plan. */
void
ferry_job_keep_dest (FerryJob   *self,
                     JsonObject *dest,
                     FerryPlan  *plan)
{
  XapiConnection *connection = ferry_pool_get_connection (self->target_pool);

  forget_dest (self);
  if (connection == NULL)
    return;
  self->dest = json_object_ref (dest);
  self->dest_time = g_get_monotonic_time ();
  self->dest_network = g_strdup (migration_network_ref (plan));
  self->dest_session = g_strdup (xapi_connection_get_session_ref (connection));
}

/* The kept answer, if it may still be sent with the plan in force: it
 * names the target host and the address on the migration network, so a
 * plan that changed only disks or VIFs keeps it.  XAPI made a new session
 * of the target pool for it, which lives until it is idle for a day, but
 * is of no use once the session it was cloned from is gone (the target
 * pool logged us in again).  Older than DEST_FRESH_US, a new one is asked
 * for, as the user may have taken long to answer or the queue long to let
 * it go. */
static JsonObject *
usable_dest (FerryJob *self)
{
  XapiConnection *connection = ferry_pool_get_connection (self->target_pool);

  if (self->dest == NULL || connection == NULL || !xapi_connection_is_logged_in (connection) ||
      g_strcmp0 (xapi_connection_get_session_ref (connection), self->dest_session) != 0 ||
      g_strcmp0 (migration_network_ref (self->plan), self->dest_network) != 0 ||
      g_strcmp0 (xapi_record_get_string (self->dest, "host"), ferry_host_get_ref (self->target)) != 0 ||
      g_get_monotonic_time () - self->dest_time > DEST_FRESH_US)
    return NULL;
  return self->dest;
}

static gboolean
on_retry_timeout (gpointer user_data)
{
  FerryJob *self = user_data;
  gpointer  owner = ferry_job_get_owner (self);

  self->retry_id = 0;
  /* Nudge the queue: the back-off is over. */
  if (owner != NULL && ferry_job_is_waiting (self) && self->hooks->enqueue != NULL)
    self->hooks->enqueue (owner, self);

  return G_SOURCE_REMOVE;
}

/* TOO_MANY_STORAGE_MIGRATES: the sending host is full.  Not a failure: wait
 * in the queue and try again a little later. */
void
ferry_job_back_to_queue (FerryJob *self)
{
  gpointer owner = ferry_job_get_owner (self);
  guint    delay = (guint) g_random_int_range (RETRY_MIN_SECONDS, RETRY_MAX_SECONDS + 1);

  g_debug ("Job %s: the host is busy, retrying in %u s", self->id, delay);

  ferry_job_drop_attempt (self);
  ferry_job_leave_queue (self);
  self->not_before = g_get_monotonic_time () + (gint64) delay * G_USEC_PER_SEC;
  ferry_job_set_phase (self, FERRY_JOB_PHASE_WAITING);
  ferry_job_set_state (self, FERRY_JOB_STATE_QUEUED);

  self->retry_id = g_timeout_add (delay * 1000, on_retry_timeout, self);
  if (owner != NULL && self->hooks->enqueue != NULL)
    self->hooks->enqueue (owner, self);
}

/* Whether the pool refused the migration for the session in the target
 * pool's answer: XAPI's SESSION_INVALID names the session it refuses. */
gboolean
ferry_job_dest_refused (FerryJob     *self,
                        const GError *error)
{
  const char *session = self->dest != NULL ? xapi_record_get_string (self->dest, "session_id") : NULL;

  if (!self->dest_used || self->adopted)
    return FALSE;
  return xapi_error_has_code (error, "SESSION_INVALID") && session != NULL && session[0] != '\0' &&
         g_strcmp0 (xapi_error_get_param (error, 0), session) == 0;
}

/* The kept answer of the target pool is no longer good (see
 * usable_dest()): ask for a new one and send again, once. */
void
ferry_job_resend_with_new_dest (FerryJob *self)
{
  g_debug ("Job %s: the target pool no longer takes its earlier answer, asking again", self->id);

  forget_dest (self);
  self->dest_used = FALSE;
  ferry_job_set_can_cancel (self, FALSE);
  ferry_job_set_phase (self, FERRY_JOB_PHASE_SENDING);
  receive_and_send (self);
}

#define LOST_CHECK_MS 3000
#define LOST_MAX_TRIES 2

static gboolean
on_lost_check (gpointer user_data)
{
  FerryJob *self = user_data;

  self->lost_check_id = 0;
  if (self->source_pool != NULL && ferry_pool_get_state (self->source_pool) == FERRY_POOL_STATE_READY)
    ferry_job_check_lost_send (self);
  /* else: "objects-reset" calls it once the pool is back */

  return G_SOURCE_REMOVE;
}

/* The migration request went out but its answer did not come back: the
 * pool may or may not have started it.  Look again once the pool's records
 * are current, rather than guess. */
static void
await_lost_send (FerryJob     *self,
                 const GError *error)
{
  g_debug ("Job %s: no answer to the migration request (%s)", self->id, error->message);

  g_clear_error (&self->lost_error);
  self->lost_error = g_error_copy (error);
  ferry_job_set_state (self, FERRY_JOB_STATE_RUNNING);

  ferry_job_watch_pools (self);

  g_clear_handle_id (&self->lost_check_id, g_source_remove);
  self->lost_check_id = g_timeout_add (LOST_CHECK_MS, on_lost_check, self);
}

void
ferry_job_check_lost_send (FerryJob *self)
{
  g_autoptr(GHashTable) ops = NULL;
  const XapiVm *vm;
  g_autoptr(GError) error = g_steal_pointer (&self->lost_error);
  GHashTableIter iter;
  gpointer       key, value;

  if (error == NULL || ferry_job_is_finished (self))
    return;
  g_clear_handle_id (&self->lost_check_id, g_source_remove);

  /* Started after all: the VM shows the migration among its operations. */
  vm = ferry_pool_lookup (self->source_pool, XAPI_CLASS_VM, self->vm_ref);
  ops = xapi_map_to_hash_table (vm != NULL ? vm->current_operations : NULL);
  g_hash_table_iter_init (&iter, ops);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_strcmp0 (value, "pool_migrate") != 0 && g_strcmp0 (value, "migrate_send") != 0)
        continue;

      g_debug ("Job %s: found its task %s after all", self->id, (const char *) key);
      self->task_ref = g_strdup (key);
      self->owns_task = TRUE;
      ferry_job_notify (self, FERRY_JOB_PROP_TASK_REF);
      ferry_job_mark_task (self);
      ferry_job_follow_task (self);
      return;
    }

  if (ferry_job_succeed_if_moved (self))
    return;

  /* It never arrived: send it again, a bounded number of times. */
  if (self->lost_tries >= LOST_MAX_TRIES)
    {
      ferry_job_fail_with_error (self, error);
      return;
    }
  self->lost_tries++;
  g_debug ("Job %s: the request was lost, sending it again", self->id);

  if (self->kind == FERRY_MIGRATION_PLAIN)
    send_plain (self);
  else
    {
      self->generation++;
      ferry_job_leave_queue (self);
      enqueue_storage (self);
    }
}

/* An Async call answered: the task ref, or an error. */
static void
on_migration_sent (FerryJob     *self,
                   JsonNode     *result,
                   const GError *error)
{
  if (error != NULL && ferry_job_dest_refused (self, error))
    {
      ferry_job_resend_with_new_dest (self);
      return;
    }
  ferry_job_set_phase (self, FERRY_JOB_PHASE_IDLE);

  if (error != NULL)
    {
      if (g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CONNECTION) ||
          g_error_matches (error, XAPI_ERROR, XAPI_ERROR_TIMEOUT))
        await_lost_send (self, error);
      else if (xapi_error_has_code (error, "TOO_MANY_STORAGE_MIGRATES") && self->kind == FERRY_MIGRATION_STORAGE)
        ferry_job_back_to_queue (self);
      else if (xapi_error_has_code (error, "VM_REQUIRES_SR") && self->kind == FERRY_MIGRATION_PLAIN)
        ferry_job_convert_to_storage (self, xapi_error_get_param (error, 1));
      else
        ferry_job_fail_with_error (self, error);
      return;
    }

  if (result == NULL || !JSON_NODE_HOLDS_VALUE (result) || json_node_get_value_type (result) != G_TYPE_STRING)
    {
      g_autoptr(GError) bad = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                                                   _("The pool did not return a task for the migration."));
      ferry_job_fail_with (self, NULL, bad);
      return;
    }

  self->task_ref = g_strdup (json_node_get_string (result));
  self->owns_task = TRUE;
  ferry_job_notify (self, FERRY_JOB_PROP_TASK_REF);
  g_debug ("Job %s: task %s", self->id, self->task_ref);

  ferry_job_mark_task (self);
  ferry_job_follow_task (self);

  if (self->cancel_requested && !ferry_job_is_finished (self) && self->can_cancel)
    ferry_job_send_task_cancel (self);
}

/* ---- plain migration ------------------------------------------------------------ */

static void
send_plain (FerryJob *self)
{
  JsonArray *params;

  ferry_job_set_kind (self, FERRY_MIGRATION_PLAIN);
  ferry_job_set_state (self, FERRY_JOB_STATE_RUNNING);
  ferry_job_set_can_cancel (self, FALSE);
  ferry_job_set_phase (self, FERRY_JOB_PHASE_SENDING);

  ferry_job_remember_where_it_was (self);
  params = ferry_plan_wire_pool_migrate (self->plan, self->vm_ref, ferry_host_get_ref (self->target));
  ferry_job_send_request (self, self->source_pool, "Async.VM.pool_migrate", params, on_migration_sent);
}

/* ---- a new home host ------------------------------------------------------------ */

static void
on_affinity_set (FerryJob     *self,
                 JsonNode     *result,
                 const GError *error)
{
  g_autofree char *reason = NULL;

  ferry_job_set_phase (self, FERRY_JOB_PHASE_IDLE);
  if (error != NULL &&
      (g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CONNECTION) ||
       g_error_matches (error, XAPI_ERROR, XAPI_ERROR_TIMEOUT)))
    {
      /* The answer was lost, not necessarily the change: the record may
       * show it, and setting it again does no harm. */
      if (ferry_job_succeed_if_moved (self))
        return;
      if (self->lost_tries++ < LOST_MAX_TRIES)
        {
          g_debug ("Job %s: the answer to VM.set_affinity was lost, asking again", self->id);
          send_home_host (self);
        }
      else
        ferry_job_fail_with_error (self, error);
      return;
    }
  if (error != NULL)
    {
      /* VM.set_affinity changes nothing when it fails. */
      ferry_job_fail_with_error (self, error);
      return;
    }

  if (ferry_job_succeed_if_moved (self))
    return;

  /* The call answered before its event reached the cache: the VM's
   * record settles it (on_objects_changed() rechecks while awaited). */
  reason = g_strdup_printf (_("The pool accepted %s as the home host of %s, but the VM’s record does not show it."),
                            ferry_job_target_label (self), self->vm_name);
  ferry_job_watch_pools (self);
  ferry_job_await_vm (self, reason);
}

/* A halted or suspended VM whose disks the target sees: VM.set_affinity,
 * a synchronous call without a task. */
static void
send_home_host (FerryJob *self)
{
  ferry_job_set_kind (self, FERRY_MIGRATION_HOME_HOST);
  ferry_job_set_state (self, FERRY_JOB_STATE_RUNNING);
  ferry_job_set_can_cancel (self, FALSE);
  ferry_job_set_phase (self, FERRY_JOB_PHASE_SENDING);

  ferry_job_remember_where_it_was (self);
  ferry_job_send_request (self, self->source_pool, "VM.set_affinity",
                          xapi_params_new (self->vm_ref, ferry_host_get_ref (self->target), NULL), on_affinity_set);
}

/* ---- storage motion ------------------------------------------------------------- */

static void
on_asserted (FerryJob     *self,
             JsonNode     *result,
             const GError *error)
{
  if (error != NULL && !ferry_job_precheck_refusal_to_ask (self, error))
    {
      ferry_job_fail_with_error (self, error);
      return;
    }

  ferry_job_set_state (self, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
}

/* host.migrate_receive on the target pool: its answer (the dest) goes
 * with the migration, and says whether the target pool takes it. */
static void
call_migrate_receive (FerryJob        *self,
                      GCancellable    *cancellable,
                      FerryJobCallDone done)
{
  ferry_job_call (self, self->target_pool, "host.migrate_receive",
                  ferry_plan_wire_migrate_receive (self->plan, ferry_host_get_ref (self->target)), cancellable, done);
}

/* The answer of host.migrate_receive: the dest, kept for the migration,
 * or NULL once the job has failed (an error, or no dest).  A job that
 * ends leaves SENDING with it (ferry_job_end()). */
static JsonObject *
take_dest (FerryJob     *self,
           JsonNode     *result,
           const GError *error)
{
  JsonObject *dest = ferry_plan_wire_dest (result);

  if (error != NULL)
    {
      ferry_job_fail_with_error (self, error);
      return NULL;
    }
  if (dest == NULL)
    {
      g_autoptr(GError) bad = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                                                   _("The target pool did not accept the migration."));

      ferry_job_fail_with (self, NULL, bad);
      return NULL;
    }

  ferry_job_keep_dest (self, dest, self->plan);
  return dest;
}

static void
on_precheck_received (FerryJob     *self,
                      JsonNode     *result,
                      const GError *error)
{
  JsonObject *dest = take_dest (self, result, error);

  if (dest != NULL)
    ferry_job_call (self, self->source_pool, "VM.assert_can_migrate", ferry_plan_wire_migrate_send (self->plan, self->vm_ref, dest),
                    self->cancellable, on_asserted);
}

/* Before the question: host.migrate_receive on the target pool, then
 * VM.assert_can_migrate on the source pool, so that refusals come first. */
static void
storage_precheck (FerryJob *self)
{
  ferry_job_set_kind (self, FERRY_MIGRATION_STORAGE);
  ferry_job_set_state (self, FERRY_JOB_STATE_CHECKING);

  call_migrate_receive (self, self->cancellable, on_precheck_received);
}

static void
send_storage (FerryJob   *self,
              JsonObject *dest,
              gboolean    kept)
{
  self->dest_used = kept;
  ferry_job_remember_where_it_was (self);
  ferry_job_send_request (self, self->source_pool, "Async.VM.migrate_send",
                          ferry_plan_wire_migrate_send (self->plan, self->vm_ref, dest), on_migration_sent);
}

static void
on_send_received (FerryJob     *self,
                  JsonNode     *result,
                  const GError *error)
{
  JsonObject *dest;

  if (error == NULL && self->cancel_requested)
    {
      ferry_job_end (self, FERRY_JOB_STATE_CANCELLED);
      return;
    }

  dest = take_dest (self, result, error);
  if (dest != NULL)
    send_storage (self, dest, FALSE);
}

static void
receive_and_send (FerryJob *self)
{
  ferry_job_send_request (self, self->target_pool, "host.migrate_receive",
                          ferry_plan_wire_migrate_receive (self->plan, ferry_host_get_ref (self->target)),
                          on_send_received);
}

void
ferry_job_start_storage (FerryJob *self)
{
  JsonObject *dest;

  g_return_if_fail (FERRY_IS_JOB (self));
  g_return_if_fail (self->phase == FERRY_JOB_PHASE_WAITING);

  ferry_job_set_phase (self, FERRY_JOB_PHASE_SENDING);
  self->in_slot = TRUE;
  self->not_before = 0;
  self->cancel_requested = FALSE;
  g_clear_handle_id (&self->retry_id, g_source_remove);

  ferry_job_reset_measurements (self);
  ferry_job_set_state (self, FERRY_JOB_STATE_RUNNING);
  ferry_job_set_can_cancel (self, FALSE);

  /* The pre-check's answer from the target pool, if it is still good:
   * one call fewer per migration. */
  dest = usable_dest (self);
  if (dest != NULL)
    send_storage (self, dest, TRUE);
  else
    receive_and_send (self);
}

static void
enqueue_storage (FerryJob *self)
{
  gpointer owner = ferry_job_get_owner (self);

  ferry_job_set_phase (self, FERRY_JOB_PHASE_WAITING);
  self->not_before = 0;
  ferry_job_set_state (self, FERRY_JOB_STATE_QUEUED);

  if (owner != NULL && self->hooks->enqueue != NULL)
    self->hooks->enqueue (owner, self);
}

/* ---- planning ----------------------------------------------------------------- */

gboolean
ferry_job_replan (FerryJob *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPlan) plan = NULL;
  const char      *reason = self->plan != NULL ? ferry_plan_get_reason (self->plan) : NULL;
  g_autofree char *kept_reason = g_strdup (reason);

  plan = ferry_plan_build (self->vm, self->target, self->options, self->unreachable_srs,
                           self->force_storage, self->rate_hint, &error);
  if (plan == NULL)
    {
      ferry_job_fail_with (self, NULL, error);
      return FALSE;
    }

  if (kept_reason != NULL)
    ferry_plan_set_reason (plan, kept_reason);
  ferry_job_set_plan (self, plan);

  return TRUE;
}

void
ferry_job_convert_to_storage (FerryJob   *self,
                              const char *sr_ref)
{
  g_debug ("Job %s: VM_REQUIRES_SR (%s), planning storage motion", self->id, sr_ref);

  ferry_job_drop_attempt (self);

  if (sr_ref != NULL && !xapi_is_null_ref (sr_ref))
    g_hash_table_add (self->unreachable_srs, g_strdup (sr_ref));
  self->force_storage = TRUE;

  ferry_job_set_state (self, FERRY_JOB_STATE_CHECKING);
  if (!ferry_job_replan (self))
    return;
  ferry_plan_set_reason (self->plan, _("The target host cannot see the storage of this VM’s disks, so they must be copied."));
  storage_precheck (self);
}

void
ferry_job_start (FerryJob *self)
{
  g_autoptr(GError) error = NULL;
  const char *code = NULL;

  g_return_if_fail (FERRY_IS_JOB (self));
  g_return_if_fail (!self->adopted);

  ferry_job_set_state (self, FERRY_JOB_STATE_CHECKING);

  if (!ferry_precheck_with_options (self->vm, self->target, self->options,
                                    ferry_job_vm_is_busy (self->vm), NULL, &code, &error))
    {
      ferry_job_fail_with (self, code, error);
      return;
    }

  ferry_vm_set_job (self->vm, self);

  if (!ferry_job_replan (self))
    return;

  ferry_job_send_planned (self, FALSE);
}

void
ferry_job_send_planned (FerryJob *self,
                        gboolean  confirmed)
{
  if (ferry_plan_get_kind (self->plan) == FERRY_MIGRATION_PLAIN)
    send_plain (self);
  else if (ferry_plan_get_kind (self->plan) == FERRY_MIGRATION_HOME_HOST)
    send_home_host (self);
  else if (confirmed)
    enqueue_storage (self);
  else
    storage_precheck (self);
}
