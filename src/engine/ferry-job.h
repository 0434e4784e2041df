/* ferry-job.h: one migration, from planning to its end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ferry-engine-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_JOB (ferry_job_get_type ())

G_DECLARE_FINAL_TYPE (FerryJob, ferry_job, FERRY, JOB, GObject)

/* Properties (notify on the main context): "state", "kind", "vm-name",
 * "vm-uuid", "source-name", "target-name", "progress", "bytes-total", "rate",
 * "eta", "error", "error-code", "error-details", "task-ref", "can-cancel", "plan", "adopted",
 * "id", "paused". */
/* (transfer none) */
const char        *ferry_job_get_id (FerryJob *self);
FerryJobState      ferry_job_get_state (FerryJob *self);
FerryMigrationKind ferry_job_get_kind (FerryJob *self);
/* (transfer none) */
const char        *ferry_job_get_vm_name (FerryJob *self);
/* (transfer none) */
const char        *ferry_job_get_vm_uuid (FerryJob *self);
/* (transfer none) */
const char        *ferry_job_get_source_name (FerryJob *self);
/* (transfer none) */
const char        *ferry_job_get_target_name (FerryJob *self);
/* (transfer full) The translated route: "from lyon-1 to lyon-2" (the same words in the
 * window, ferryctl and notifications). */
char              *ferry_job_dup_route (FerryJob *self);
double             ferry_job_get_progress (FerryJob *self);
guint64            ferry_job_get_bytes_total (FerryJob *self);
/* bytes/s, measured; 0 until known. */
double             ferry_job_get_rate (FerryJob *self);
/* seconds; < 0 when unknown. */
double             ferry_job_get_eta (FerryJob *self);
/* (transfer none) The plain sentence with its suggested fix, or NULL. */
const char        *ferry_job_get_error (FerryJob *self);
/* (transfer none) The XAPI code, or NULL. */
const char        *ferry_job_get_error_code (FerryJob *self);
/* (transfer none) The code with its parameters, references by name where known:
 * "VM_REQUIRES_SR (vm: db-01, sr: Lyon NFS)"; or NULL. */
const char        *ferry_job_get_error_details (FerryJob *self);
/* (transfer none) */
const char        *ferry_job_get_task_ref (FerryJob *self);
gboolean           ferry_job_get_can_cancel (FerryJob *self);
/* (transfer none) NULL until planned. */
FerryPlan         *ferry_job_get_plan (FerryJob *self);
gboolean           ferry_job_get_adopted (FerryJob *self);
/* (transfer none) may be NULL (adopted jobs of VMs we cannot see). */
FerryVm           *ferry_job_get_vm (FerryJob *self);
/* (transfer none) */
FerryHost         *ferry_job_get_target (FerryJob *self);
/* TRUE once SUCCEEDED, FAILED or CANCELLED.  UNKNOWN is not finished: the
 * job keeps watching and may still end either way. */
gboolean           ferry_job_is_finished (FerryJob *self);

/* From AWAITING_CONFIRMATION: re-plans with @changed if given, then queues
 * or starts the storage migration. */
void               ferry_job_confirm (FerryJob            *self,
                                      FerryMigrateOptions *changed);
/* From AWAITING_CONFIRMATION: CANCELLED, nothing sent. */
void               ferry_job_decline (FerryJob *self);
/* Queued or awaiting: CANCELLED at once; running: task.cancel when allowed. */
void               ferry_job_cancel (FerryJob *self);

/* (transfer none) Copy mode: the uuid of the halted copy in the target pool, once the
 * job SUCCEEDED (it succeeds only if the copy is there). */
const char        *ferry_job_get_copy_uuid (FerryJob *self);
/* (transfer none) AWAITING_CONFIRMATION although the pool refused the plan, for a reason
 * the user may overrule (VM_INCOMPATIBLE_WITH_THIS_HOST: force): the code
 * and its plain sentence; NULL otherwise.  OK without a new plan fails. */
const char        *ferry_job_get_precheck_code (FerryJob *self);
/* (transfer none) */
const char        *ferry_job_get_precheck_error (FerryJob *self);
/* From AWAITING_CONFIRMATION: @options replace the job's; the new plan is
 * in force at once ("plan" notifies), then the pool checks it
 * (host.migrate_receive, VM.assert_can_migrate).  Fails with the reason
 * the plan cannot be made or the pool's refusal; the job keeps waiting for
 * an answer either way. */
void               ferry_job_replan_async (FerryJob            *self,
                                           FerryMigrateOptions *options,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean           ferry_job_replan_finish (FerryJob     *self,
                                            GAsyncResult *result,
                                            GError      **error);

/* TRUE while the job waits in the queue for a storage slot (QUEUED,
 * nothing sent yet): it may be paused or removed then. */
gboolean           ferry_job_get_in_queue (FerryJob *self);
/* TRUE while the job is QUEUED for a storage slot and held there by
 * ferry_job_set_paused(): the queue starts the jobs after it but not it. */
gboolean           ferry_job_get_paused (FerryJob *self);
/* Holds a job that waits in the queue (QUEUED, nothing sent yet) or lets
 * it take its turn again.  FALSE when the job is not waiting in the queue
 * (running, ended, or still being checked): nothing changes then. */
gboolean           ferry_job_set_paused (FerryJob *self,
                                         gboolean  paused);

/* (transfer none) A short translated label: "Queued", "Checking", ... */
const char        *ferry_job_state_to_string (FerryJobState state);

G_END_DECLS
