/* ferry-job-private.h: what the parts of FerryJob share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FerryJob is one object in several files, one job each:
 *
 *   ferry-job.c           the GObject: its one state (FerryJobState), its
 *                         properties, how it ends, the public getters,
 *                         cancelling
 *   ferry-job-queue.c     its phase in the queue (FerryJobPhase, below):
 *                         the moves allowed, leaving the queue, pausing
 *   ferry-job-start.c     the calls that start a migration (plain, new home
 *                         host, storage motion), a request whose answer was
 *                         lost, the back-off of a full host
 *   ferry-job-question.c  the question before storage motion: re-planning,
 *                         the pool's refusal the user may overrule, the answer
 *   ferry-job-follow.c    following the task through the event cache, and
 *                         polling it when the stream goes quiet
 *   ferry-job-verify.c    what the VM's records say: arrived, back where it
 *                         was, or not known yet
 *   ferry-job-adopt.c     migrations found on a pool, started elsewhere
 *   ferry-job-call.c      a job's XAPI calls, dropped once the job moved on
 *   ferry-job-rate.c      progress, rate and time left
 *
 * Not installed, not for the window or ferryctl.  The rest of the engine
 * uses only the first part (FerryJobHooks, ferry_job_new(), …); the
 * structure and the rest are for the job's own files.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "xapi-connection.h"
#include "xapi-record.h"

#include "ferry-engine-types.h"

G_BEGIN_DECLS

/* ---- for the rest of the engine ------------------------------------------------ */

typedef struct _FerryJobHooks FerryJobHooks;

/* The manager's side of a job: the queue of storage migrations. */
struct _FerryJobHooks
{
  /* The job wants to start a storage migration; the manager calls
   * ferry_job_start_storage() when a slot is free. */
  void (*enqueue) (gpointer owner, FerryJob *job);
  /* The job left the queue or its slot (finished, cancelled, back-off). */
  void (*release) (gpointer owner, FerryJob *job);
  /* The last measured rate between two pools, for estimates. */
  void (*rate) (gpointer owner, FerryJob *job, double bytes_per_second);
};

/* (transfer full) */
FerryJob   *ferry_job_new (const FerryJobHooks       *hooks,
                           gpointer                   owner,
                           FerryVm                   *vm,
                           FerryHost                 *target,
                           const FerryMigrateOptions *options,
                           double                     rate_hint);
/* (transfer full) */
FerryJob   *ferry_job_new_adopted (const FerryJobHooks *hooks,
                                   gpointer             owner,
                                   FerryPool           *pool,
                                   const char          *task_ref,
                                   const char          *vm_ref);
/* TRUE for a job of ours that sent its request again because the answer to
 * an earlier one was lost: that one may still reach the pool, late. */
gboolean    ferry_job_may_have_stray_request (FerryJob *self);
/* (transfer none) */
const char *ferry_job_get_vm_ref (FerryJob *self);
/* TRUE for an adopted job whose target host is not known yet (a move
 * across pools started elsewhere, or one whose VM did not say yet). */
gboolean    ferry_job_needs_target (FerryJob *self);
/* Names the target of such a job, found in the pools' records. */
void        ferry_job_resolve_target (FerryJob  *self,
                                      FerryHost *target);
void        ferry_job_start (FerryJob *self);
void        ferry_job_start_storage (FerryJob *self);
/* (transfer none) */
FerryPool  *ferry_job_get_source_pool (FerryJob *self);
/* (transfer none) The key of the source host for the per-host limit. */
const char *ferry_job_get_source_key (FerryJob *self);
/* TRUE while the job waits for a slot (QUEUED, wanting storage motion). */
gboolean    ferry_job_is_waiting (FerryJob *self);
/* TRUE while the job holds one of its host's storage-migration slots. */
gboolean    ferry_job_is_in_slot (FerryJob *self);
/* Monotonic time before which the job should not be started again (a
 * TOO_MANY_STORAGE_MIGRATES back-off), or 0. */
gint64      ferry_job_get_not_before (FerryJob *self);
/* The manager goes away: unhook the job from pools and VMs. */
void        ferry_job_detach (FerryJob *self);
/* The pool went away for good (disconnected by the user). */
void        ferry_job_abandon (FerryJob   *self,
                               const char *sentence);
/* Whether @vm has a migration that has not ended: what the pre-checks are
 * told (ferry_precheck_with_options()). */
gboolean    ferry_job_vm_is_busy (FerryVm *vm);

/* ---- between the job's own files -------------------------------------------------- */

/* Where a job stands between the user's "go" and its request reaching the
 * pool: a finer grain of FerryJobState (QUEUED and RUNNING) that the job
 * keeps for itself, changed only by ferry_job_set_phase().
 *
 *   IDLE     none of the below: planning, checking, asking, following the
 *            task, awaiting the VM, ended
 *   WAITING  in the manager's queue for a storage-migration slot
 *   PAUSED   in the queue, held there by the user
 *   SENDING  a migration request (or VM.set_affinity) is out: its answer,
 *            the task ref, will come
 *
 *   IDLE    -> WAITING  storage motion confirmed, or sent back to the queue
 *                       (TOO_MANY_STORAGE_MIGRATES, a lost request)
 *   IDLE    -> SENDING  a plain migration, a new home host, a request sent
 *                       again with a new answer of the target pool
 *   WAITING -> PAUSED   held by the user
 *   PAUSED  -> WAITING  resumed
 *   WAITING -> SENDING  the manager gave it a slot
 *   SENDING -> IDLE     the answer came (a task to follow, or an error)
 *   any     -> IDLE     the job ended or left the queue, or its manager went
 *
 * A held job is never started: PAUSED -> SENDING is refused.
 *
 * The other booleans of the job are not phases of this life cycle:
 * in_slot is a resource held from SENDING through following and verifying
 * until the job ends or goes back to the queue (the per-host count);
 * cancel_requested is the user's wish, made while SENDING and acted upon
 * once the task may be cancelled, possibly later; can_cancel follows the
 * task's allowed_operations; adopted, owns_task and force_storage hold for
 * the job's life once set; dest_used says what the request out carries and
 * is read when its task fails; task_gone is what the pool said of the
 * task's record while it is followed; asking_vanished and poll_busy
 * each keep one call of theirs in flight at a time while the task is
 * followed: guards against a second call, not steps of the job. */
typedef enum
{
  FERRY_JOB_PHASE_IDLE,
  FERRY_JOB_PHASE_WAITING,
  FERRY_JOB_PHASE_PAUSED,
  FERRY_JOB_PHASE_SENDING,
} FerryJobPhase;

struct _FerryJob
{
  GObject              parent_instance;

  const FerryJobHooks *hooks;
  GWeakRef             owner;

  char                *id;
  FerryJobState        state;
  FerryMigrationKind   kind;
  char                *vm_name;
  char                *vm_uuid;
  char                *source_name;
  char                *target_name;
  double               progress;
  guint64              bytes_total;
  double               rate;
  double               eta;
  char                *error;
  char                *error_code;
  char                *error_details;
  char                *task_ref;
  gboolean             can_cancel;
  FerryPlan           *plan;
  gboolean             adopted;

  FerryVm             *vm;
  FerryHost           *target;
  FerryPool           *source_pool;
  FerryPool           *target_pool;
  char                *vm_ref;
  char                *source_key;
  FerryMigrateOptions *options;
  GHashTable          *unreachable_srs;
  gboolean             force_storage;
  double               rate_hint;

  GCancellable        *cancellable;
  /* Withdraws the request in SENDING while it is not out (waiting for a
   * re-login): see ferry_job_send_request(). */
  GCancellable        *withdraw;
  guint                generation;
  gulong               changed_id;
  gulong               reset_id;
  gboolean             owns_task;
  gboolean             cancel_requested;
  FerryJobPhase        phase;
  gboolean             in_slot; /* counted against the per-host limit */
  gint64               not_before;
  guint                retry_id;
  GError              *lost_error; /* the migration request's answer was lost */
  guint                lost_tries;
  guint                lost_check_id;

  char                *source_host_ref; /* where the VM was when the job began */
  GPtrArray           *source_srs;      /* the SRs of its disks then, sorted */
  gulong               target_changed_id;
  gulong               target_reset_id;
  gulong               source_state_id;
  gulong               target_state_id;
  char                *verify_reason; /* set while the VM is awaited */
  char                *result_ref;    /* the VM ref in the task's result (a copy's) */
  gchar              **failure_info;  /* a task failure the VM does not confirm yet */
  gboolean             task_gone;     /* the task record vanished */
  gboolean             asking_vanished;
  guint                verify_id;
  gint64               last_heard;
  guint                poll_id;
  gboolean             poll_busy;

  gint64               sample_time;
  double               sample_bytes;

  /* Copy mode (ferry-job-follow.c) and the question (ferry-job-question.c). */
  char                *copy_uuid;     /* the halted copy, once seen in the target pool */
  char                *precheck_code; /* a refusal the user may overrule (force) */
  char                *precheck_error;

  /* host.migrate_receive's last answer, when, for which migration
   * network, and the target pool's session then; dest_used: the migration
   * request out now carries it. */
  JsonObject          *dest;
  gint64               dest_time;
  char                *dest_network;
  char                *dest_session;
  gboolean             dest_used;
};

enum
{
  FERRY_JOB_PROP_0,
  FERRY_JOB_PROP_ID,
  FERRY_JOB_PROP_STATE,
  FERRY_JOB_PROP_KIND,
  FERRY_JOB_PROP_VM_NAME,
  FERRY_JOB_PROP_VM_UUID,
  FERRY_JOB_PROP_SOURCE_NAME,
  FERRY_JOB_PROP_TARGET_NAME,
  FERRY_JOB_PROP_PROGRESS,
  FERRY_JOB_PROP_BYTES_TOTAL,
  FERRY_JOB_PROP_RATE,
  FERRY_JOB_PROP_ETA,
  FERRY_JOB_PROP_ERROR,
  FERRY_JOB_PROP_ERROR_CODE,
  FERRY_JOB_PROP_ERROR_DETAILS,
  FERRY_JOB_PROP_TASK_REF,
  FERRY_JOB_PROP_CAN_CANCEL,
  FERRY_JOB_PROP_PLAN,
  FERRY_JOB_PROP_ADOPTED,
  FERRY_JOB_PROP_PAUSED,
  FERRY_JOB_N_PROPS
};

/* "ferry:job" in a task's other_config: the job's id, then, across pools,
 * a space and the target host's name (job ids have no spaces).  One key,
 * so one call: XAPI adds one key per call. */
#define MARK_KEY "ferry:job"

/* ---- ferry-job.c: state, properties, ending ---------------------------------- */

void     ferry_job_notify (FerryJob *self,
                           guint     prop);
void     ferry_job_set_string_prop (FerryJob   *self,
                                    char      **field,
                                    const char *value,
                                    guint       prop);
void     ferry_job_set_double_prop (FerryJob *self,
                                    double   *field,
                                    double    value,
                                    guint     prop);
void     ferry_job_set_can_cancel (FerryJob *self,
                                   gboolean  can_cancel);
void     ferry_job_set_state (FerryJob     *self,
                              FerryJobState state);
/* Moves to @phase; a move the life cycle does not allow is refused. */
void     ferry_job_set_phase (FerryJob     *self,
                              FerryJobPhase phase);
void     ferry_job_set_kind (FerryJob          *self,
                             FerryMigrationKind kind);
void     ferry_job_set_plan (FerryJob  *self,
                             FerryPlan *plan);
/* (transfer none) The manager, or NULL once it is gone. */
gpointer ferry_job_get_owner (FerryJob *self);
void     ferry_job_leave_queue (FerryJob *self);
void     ferry_job_stop_following (FerryJob *self);
/* Ends the job in @state (SUCCEEDED, FAILED or CANCELLED). */
void     ferry_job_end (FerryJob     *self,
                        FerryJobState state);
void     ferry_job_fail_with (FerryJob     *self,
                              const char   *code,
                              const GError *error);
void     ferry_job_fail_with_error (FerryJob     *self,
                                    const GError *error);
/* (transfer full) The key of a source host for the per-host limit. */
char    *ferry_job_make_source_key (FerryPool  *pool,
                                    const char *host_ref);

/* ---- ferry-job-rate.c ---------------------------------------------------------- */

void     ferry_job_reset_measurements (FerryJob *self);
void     ferry_job_set_progress (FerryJob *self,
                                 double    progress);

/* ---- ferry-job-call.c ------------------------------------------------------------ */

typedef void (*FerryJobCallDone) (FerryJob     *self,
                                  JsonNode     *result,
                                  const GError *error);

/* Takes @params; @done is not called if the job moved on meanwhile. */
void            ferry_job_call (FerryJob        *self,
                                FerryPool       *pool,
                                const char      *method,
                                JsonArray       *params,
                                GCancellable    *cancellable,
                                FerryJobCallDone done);
/* Takes @params.  The request that starts the migration (or asks the
 * target pool for it): never abandoned once the pool has it, but withdrawn
 * by ferry_job_withdraw_request() while it is not out. */
void            ferry_job_send_request (FerryJob        *self,
                                        FerryPool       *pool,
                                        const char      *method,
                                        JsonArray       *params,
                                        FerryJobCallDone done);
/* The request of ferry_job_send_request(), if it waits for a re-login, ends
 * with G_IO_ERROR_CANCELLED: the pool refused it, so it changed nothing. */
void            ferry_job_withdraw_request (FerryJob *self);
/* (transfer none) The pool's connection if it is logged in; otherwise
 * NULL and @error says so. */
XapiConnection *ferry_job_pool_connection (FerryPool *pool,
                                           GError   **error);
/* Takes @params. */
void            ferry_job_fire_and_forget (FerryPool  *pool,
                                           const char *method,
                                           JsonArray  *params);

/* ---- ferry-job-start.c ----------------------------------------------------------- */

void            ferry_job_keep_dest (FerryJob   *self,
                                     JsonObject *dest,
                                     FerryPlan  *plan);
void            ferry_job_back_to_queue (FerryJob *self);
gboolean        ferry_job_dest_refused (FerryJob     *self,
                                        const GError *error);
void            ferry_job_resend_with_new_dest (FerryJob *self);
void            ferry_job_check_lost_send (FerryJob *self);
/* Sends the plan in force the way its kind wants: plain and a new home host
 * at once; storage motion to the pre-check and the question, or once
 * @confirmed, to the queue. */
void            ferry_job_send_planned (FerryJob *self,
                                        gboolean  confirmed);
/* Plans again with the job's options; fails the job and returns FALSE if
 * no plan can be made. */
gboolean        ferry_job_replan (FerryJob *self);
void            ferry_job_convert_to_storage (FerryJob   *self,
                                              const char *sr_ref);

/* ---- ferry-job-question.c ------------------------------------------------------- */

gboolean        ferry_job_precheck_refusal_to_ask (FerryJob     *self,
                                                   const GError *error);

/* ---- ferry-job-follow.c --------------------------------------------------------- */

/* (transfer none) The target's name, or "its destination". */
const char     *ferry_job_target_label (FerryJob *self);
void            ferry_job_send_task_cancel (FerryJob *self);
/* The task is over for this job: destroyed if it is ours, and forgotten. */
void            ferry_job_drop_task (FerryJob *self);
/* The attempt under way is over (to be sent again, or planned anew): its
 * late answers are dropped, its task let go, its measurements reset. */
void            ferry_job_drop_attempt (FerryJob *self);
void            ferry_job_task_failed (FerryJob           *self,
                                       const char            *const *error_info);
void            ferry_job_watch_pools (FerryJob *self);
void            ferry_job_follow_task (FerryJob *self);
void            ferry_job_mark_task (FerryJob *self);
void            ferry_job_check_copy_made (FerryJob       *self,
                                           const XapiTask *task);

/* ---- ferry-job-verify.c --------------------------------------------------------- */

/* (transfer full) The ref in a task's result, or NULL. */
char           *ferry_job_parse_result_ref (const char *result);
/* (transfer none) The VM's record where it is going, or NULL. */
const XapiVm   *ferry_job_arrival_record (FerryJob *self);
gboolean        ferry_job_record_shows_arrival (FerryJob     *self,
                                                FerryPool    *pool,
                                                const XapiVm *record);
gboolean        ferry_job_vm_has_moved (FerryJob *self);
/* Ends the job in success if the VM's records show it arrived. */
gboolean        ferry_job_succeed_if_moved (FerryJob *self);
gboolean        ferry_job_vm_is_where_it_was (FerryJob *self);
void            ferry_job_remember_where_it_was (FerryJob *self);
void            ferry_job_go_unknown (FerryJob   *self,
                                      const char *reason);
void            ferry_job_recheck (FerryJob *self);
void            ferry_job_await_vm (FerryJob   *self,
                                    const char *reason);

G_END_DECLS
