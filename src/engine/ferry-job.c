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
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ferry-engine-private.h"

/* TOO_MANY_STORAGE_MIGRATES: try again after this long (or sooner, when
 * another migration from the same host ends). */
#define RETRY_MIN_SECONDS 5
#define RETRY_MAX_SECONDS 10
/* Rate samples closer than this are merged. */
#define RATE_SAMPLE_US (500 * G_TIME_SPAN_MILLISECOND)
/* The task said it was over but the VM has not shown it yet: how long to
 * wait for the VM's record before saying the outcome is unknown. */
#define VERIFY_SECONDS 60
/* Nothing heard from the event stream about the task or the VM for this
 * long while running: ask the pool directly, once per POLL_MS. */
#define QUIET_US (5 * G_USEC_PER_SEC)
#define POLL_MS 1000
/* The answer of host.migrate_receive from the pre-check (a session of the
 * target pool, see usable_dest()) is sent with the migration
 * if it is at most this old. */
#define DEST_FRESH_US (120 * G_USEC_PER_SEC)

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
  guint                generation;
  gulong               changed_id;
  gulong               reset_id;
  gboolean             owns_task;
  gboolean             cancel_requested;
  gboolean             sending;        /* an Async call is out: its task ref will come */
  gboolean             waiting;        /* in the queue for a storage slot */
  gboolean             in_slot;        /* counted against the per-host limit */
  gboolean             paused;         /* held in the queue by the user */
  gint64               not_before;
  guint                retry_id;
  GError              *lost_error;     /* the migration request's answer was lost */
  guint                lost_tries;
  guint                lost_check_id;

  char                *source_host_ref; /* where the VM was when the job began */
  GPtrArray           *source_srs;     /* the SRs of its disks then, sorted */
  gulong               target_changed_id;
  gulong               target_reset_id;
  gulong               source_state_id;
  gulong               target_state_id;
  char                *verify_reason;  /* set while the VM is awaited */
  char                *result_ref;     /* the VM ref in the task's result (a copy's) */
  gchar              **failure_info;   /* a task failure the VM does not confirm yet */
  gboolean             task_gone;      /* the task record vanished */
  gboolean             asking_vanished;
  guint                verify_id;
  gint64               last_heard;
  guint                poll_id;
  gboolean             poll_busy;

  gint64               sample_time;
  double               sample_bytes;

  /* Copy mode and the question (see the end of this file). */
  char                *copy_uuid;      /* the halted copy, once seen in the target pool */
  char                *precheck_code;  /* a refusal the user may overrule (force) */
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

G_DEFINE_FINAL_TYPE (FerryJob, ferry_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_STATE,
  PROP_KIND,
  PROP_VM_NAME,
  PROP_VM_UUID,
  PROP_SOURCE_NAME,
  PROP_TARGET_NAME,
  PROP_PROGRESS,
  PROP_BYTES_TOTAL,
  PROP_RATE,
  PROP_ETA,
  PROP_ERROR,
  PROP_ERROR_CODE,
  PROP_ERROR_DETAILS,
  PROP_TASK_REF,
  PROP_CAN_CANCEL,
  PROP_PLAN,
  PROP_ADOPTED,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void follow_task           (FerryJob   *self);
static void apply_task_record     (FerryJob       *self,
                                   const XapiTask *record);
static void send_plain            (FerryJob   *self);
static void storage_precheck      (FerryJob   *self);
static void finish                (FerryJob   *self,
                                   FerryJobState state);
static void check_lost_send       (FerryJob   *self);
static const XapiVm *arrival_record (FerryJob *self);
static void enqueue_storage       (FerryJob   *self);
static void receive_and_send      (FerryJob   *self);
static void task_failed           (FerryJob           *self,
                                   const char * const *error_info);

/* ---- property helpers ------------------------------------------------------ */

static void
notify (FerryJob *self,
        guint     prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_string_prop (FerryJob    *self,
                 char       **field,
                 const char  *value,
                 guint        prop)
{
  if (ferry_set_string (field, value))
    notify (self, prop);
}

static void
set_can_cancel (FerryJob *self,
                gboolean  can_cancel)
{
  if (self->can_cancel == can_cancel)
    return;

  self->can_cancel = can_cancel;
  notify (self, PROP_CAN_CANCEL);
}

static void
set_state (FerryJob      *self,
           FerryJobState  state)
{
  if (self->state == state)
    return;

  self->state = state;

  switch (state)
    {
    case FERRY_JOB_STATE_QUEUED:
    case FERRY_JOB_STATE_CHECKING:
    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
      set_can_cancel (self, TRUE);
      break;
    case FERRY_JOB_STATE_SUCCEEDED:
    case FERRY_JOB_STATE_FAILED:
    case FERRY_JOB_STATE_CANCELLED:
    case FERRY_JOB_STATE_CANCELLING:
    case FERRY_JOB_STATE_UNKNOWN:
      set_can_cancel (self, FALSE);
      break;
    case FERRY_JOB_STATE_RUNNING:
    default:
      /* follows the task's allowed_operations */
      break;
    }

  notify (self, PROP_STATE);
}

static void
set_kind (FerryJob           *self,
          FerryMigrationKind  kind)
{
  if (self->kind == kind)
    return;

  self->kind = kind;
  notify (self, PROP_KIND);
}

static void
set_bytes_total (FerryJob *self,
                 guint64   bytes)
{
  if (self->bytes_total == bytes)
    return;

  self->bytes_total = bytes;
  notify (self, PROP_BYTES_TOTAL);
}

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
static void
keep_dest (FerryJob   *self,
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

  if (self->dest == NULL || connection == NULL || !xapi_connection_is_logged_in (connection)
      || g_strcmp0 (xapi_connection_get_session_ref (connection), self->dest_session) != 0
      || g_strcmp0 (migration_network_ref (self->plan), self->dest_network) != 0
      || g_strcmp0 (xapi_record_get_string (self->dest, "host"), ferry_host_get_ref (self->target)) != 0
      || g_get_monotonic_time () - self->dest_time > DEST_FRESH_US)
    return NULL;
  return self->dest;
}

static void
set_plan (FerryJob  *self,
          FerryPlan *plan)
{
  if (!g_set_object (&self->plan, plan))
    return;

  set_kind (self, ferry_plan_get_kind (plan));
  set_bytes_total (self, ferry_plan_get_bytes_to_copy (plan));
  notify (self, PROP_PLAN);
}

static void
reset_measurements (FerryJob *self)
{
  self->sample_time = 0;
  self->sample_bytes = 0;
  if (self->progress != 0)
    {
      self->progress = 0;
      notify (self, PROP_PROGRESS);
    }
  if (self->rate != 0)
    {
      self->rate = 0;
      notify (self, PROP_RATE);
    }
  if (self->eta >= 0)
    {
      self->eta = -1;
      notify (self, PROP_ETA);
    }
}

/* Rate and ETA are measured from the task's progress times the bytes to
 * copy; a moving average smooths XAPI's uneven progress steps. */
static void
set_progress (FerryJob *self,
              double    progress)
{
  gint64 now = g_get_monotonic_time ();
  double bytes;

  progress = CLAMP (progress, 0.0, 1.0);
  if (progress == self->progress)
    return;

  bytes = progress * (double) self->bytes_total;
  if (self->sample_time == 0 || progress < self->progress)
    {
      self->sample_time = now;
      self->sample_bytes = bytes;
    }
  else if (now - self->sample_time >= RATE_SAMPLE_US)
    {
      double seconds = (double) (now - self->sample_time) / G_USEC_PER_SEC;
      double instant = (bytes - self->sample_bytes) / seconds;
      double rate = self->rate > 0 ? 0.6 * self->rate + 0.4 * instant : instant;
      double eta = rate > 0 ? ((double) self->bytes_total - bytes) / rate : -1;

      self->sample_time = now;
      self->sample_bytes = bytes;
      if (rate != self->rate)
        {
          self->rate = rate;
          notify (self, PROP_RATE);
        }
      if (eta != self->eta)
        {
          self->eta = eta;
          notify (self, PROP_ETA);
        }
    }

  self->progress = progress;
  notify (self, PROP_PROGRESS);
}

static gpointer
get_owner (FerryJob *self)
{
  /* The manager owns the jobs model; when it is gone, nobody queues. */
  GObject *owner = g_weak_ref_get (&self->owner);

  if (owner != NULL)
    g_object_unref (owner);
  return owner;
}

static void
leave_queue (FerryJob *self)
{
  gpointer owner = get_owner (self);
  gboolean was = self->waiting || self->in_slot;

  self->waiting = FALSE;
  self->in_slot = FALSE;
  g_clear_handle_id (&self->retry_id, g_source_remove);

  if (was && owner != NULL && self->hooks->release != NULL)
    self->hooks->release (owner, self);
}

/* ---- XAPI calls ----------------------------------------------------------- */

typedef void (*CallDone) (FerryJob     *self,
                          JsonNode     *result,
                          const GError *error);

typedef struct
{
  FerryJob  *job;
  JsonArray *params;
  guint      generation;
  CallDone   done;
  GError    *error;
} Call;

static void
call_free (Call *call)
{
  g_object_unref (call->job);
  g_clear_pointer (&call->params, json_array_unref);
  g_clear_error (&call->error);
  g_free (call);
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);

  /* A job that moved on (cancelled, finished, restarted) ignores late
   * answers. */
  if (call->generation == call->job->generation)
    call->done (call->job, node, error);

  g_clear_pointer (&node, json_node_unref);
  call_free (call);
}

static gboolean
on_call_failed_idle (gpointer user_data)
{
  Call *call = user_data;

  if (call->generation == call->job->generation)
    call->done (call->job, NULL, call->error);
  call_free (call);

  return G_SOURCE_REMOVE;
}

/* Takes @params.  @cancellable: only for calls that change nothing on
 * the pool; a migration request is never abandoned half-way, its task ref
 * must come back. */
static void
job_call (FerryJob     *self,
          FerryPool    *pool,
          const char   *method,
          JsonArray    *params,
          GCancellable *cancellable,
          CallDone      done)
{
  Call *call = g_new0 (Call, 1);
  XapiConnection *connection = pool != NULL ? ferry_pool_get_connection (pool) : NULL;

  call->job = g_object_ref (self);
  call->params = params;
  call->generation = self->generation;
  call->done = done;

  if (connection == NULL || !xapi_connection_is_logged_in (connection))
    {
      call->error = g_error_new (FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED,
                                 _("The pool “%s” is not connected."),
                                 pool != NULL ? ferry_pool_get_name (pool) : "?");
      g_idle_add (on_call_failed_idle, call);
      return;
    }

  xapi_connection_call_async (connection, method, params, cancellable, on_call_done, call);
}

typedef struct
{
  JsonArray *params;
  char      *method;
} FireAndForget;

static void
on_fire_and_forget (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  FireAndForget *data = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);

  if (error != NULL)
    g_debug ("%s failed: %s", data->method, error->message);

  g_clear_pointer (&node, json_node_unref);
  json_array_unref (data->params);
  g_free (data->method);
  g_free (data);
}

/* For calls whose answer changes nothing for the job (task.destroy,
 * task.add_to_other_config, task.cancel). */
static void
fire_and_forget (FerryPool  *pool,
                 const char *method,
                 JsonArray  *params)
{
  XapiConnection *connection = pool != NULL ? ferry_pool_get_connection (pool) : NULL;
  FireAndForget *data;

  if (connection == NULL)
    {
      json_array_unref (params);
      return;
    }

  data = g_new0 (FireAndForget, 1);
  data->params = params;
  data->method = g_strdup (method);
  xapi_connection_call_async (connection, method, params, NULL, on_fire_and_forget, data);
}

/* ---- ending ------------------------------------------------------------------- */

static void
stop_following (FerryJob *self)
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

static void
finish (FerryJob      *self,
        FerryJobState  state)
{
  gpointer owner;

  if (ferry_job_is_finished (self))
    return;

  g_object_ref (self);

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  stop_following (self);
  leave_queue (self);

  if (state == FERRY_JOB_STATE_SUCCEEDED)
    set_progress (self, 1.0);
  /* The copy's own record may show its arrival before VM.get_uuid answers:
   * its uuid is in that record too. */
  if (state == FERRY_JOB_STATE_SUCCEEDED && self->copy_uuid == NULL
      && ferry_migrate_options_get_copy (self->options))
    {
      const XapiVm *copy = arrival_record (self);

      if (copy != NULL && self->target_pool != self->source_pool)
        ferry_set_string (&self->copy_uuid, xapi_str (copy->record.uuid));
    }
  if (state != FERRY_JOB_STATE_FAILED)
    {
      /* What an UNKNOWN state said no longer holds. */
      set_string_prop (self, &self->error, NULL, PROP_ERROR);
      set_string_prop (self, &self->error_code, NULL, PROP_ERROR_CODE);
    }
  if (self->eta >= 0)
    {
      self->eta = state == FERRY_JOB_STATE_SUCCEEDED ? 0 : -1;
      notify (self, PROP_ETA);
    }

  /* XAPI keeps finished tasks until someone destroys them; ours are ours
   * to clean up, other clients' are theirs. */
  if (self->task_ref != NULL && self->owns_task)
    fire_and_forget (self->source_pool, "task.destroy", xapi_params_new (self->task_ref, NULL));

  owner = get_owner (self);
  if (owner != NULL && self->hooks->rate != NULL && state == FERRY_JOB_STATE_SUCCEEDED && self->rate > 0)
    self->hooks->rate (owner, self, self->rate);

  if (self->vm != NULL && ferry_vm_get_job (self->vm) == self)
    ferry_vm_set_job (self->vm, NULL);

  set_state (self, state);

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

static void
fail_with (FerryJob     *self,
           const char   *code,
           const GError *error)
{
  FerryErrorContext context = error_context (self);
  g_autofree char *details = NULL;
  g_autofree char *message = ferry_error_to_named_message (error, &context, &details);

  set_string_prop (self, &self->error, message, PROP_ERROR);
  set_string_prop (self, &self->error_code, code, PROP_ERROR_CODE);
  set_string_prop (self, &self->error_details, details != NULL ? details : code, PROP_ERROR_DETAILS);

  finish (self, FERRY_JOB_STATE_FAILED);
}

static void
fail_with_error (FerryJob     *self,
                 const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish (self, FERRY_JOB_STATE_CANCELLED);
      return;
    }

  fail_with (self, xapi_error_get_code (error), error);
}

/* ---- following the task ------------------------------------------------------ */

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
  XapiStrv vbd_refs = vm_record != NULL ? vm_record->VBDs : NULL;
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
static char *
parse_result_ref (const char *result)
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
static const XapiVm *
arrival_record (FerryJob *self)
{
  XapiCache *cache;
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
static gboolean
record_shows_arrival (FerryJob     *self,
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

  if (vm_is_running (record)
      && g_strcmp0 (record->resident_on, ferry_host_get_ref (self->target)) != 0)
    return FALSE;

  /* Adopted jobs have no plan: which disks were to move is not known. */
  if (self->plan == NULL)
    return TRUE;

  srs = disk_srs (pool, record);
  disks = ferry_plan_get_disks (self->plan);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk *pd = g_ptr_array_index (disks, i);
      guint index;

      if (pd->to == NULL)
        continue;
      if (!g_ptr_array_find_with_equal_func (srs, ferry_sr_get_ref (pd->to), g_str_equal, &index))
        return FALSE;
      /* Each disk of the plan claims one disk of the VM. */
      g_ptr_array_remove_index (srs, index);
    }

  return TRUE;
}

static gboolean
vm_has_moved (FerryJob *self)
{
  const XapiVm *record;

  if (self->target == NULL)
    {
      /* An adopted migration to a place we cannot see (another pool): the
       * VM has moved when it has left, without "copy" nothing stays. */
      if (self->vm_ref == NULL || self->source_pool == NULL
          || ferry_pool_get_state (self->source_pool) != FERRY_POOL_STATE_READY)
        return FALSE;
      record = ferry_pool_lookup (self->source_pool, XAPI_CLASS_VM, self->vm_ref);
      return record == NULL
             || (self->source_host_ref != NULL && vm_is_running (record)
                 && g_strcmp0 (record->resident_on, self->source_host_ref) != 0);
    }

  if (self->target_pool == NULL)
    return FALSE;

  return record_shows_arrival (self,
                               self->target_pool != self->source_pool ? self->target_pool : self->source_pool,
                               arrival_record (self));
}

/* Whether the VM is known to be where it was: resident on the same host,
 * its disks on the same SRs, and (across pools) not at the target. */
static gboolean
vm_is_where_it_was (FerryJob *self)
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
  if (self->target_pool != NULL && self->target_pool != self->source_pool
      && !ferry_migrate_options_get_copy (self->options) && arrival_record (self) != NULL)
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

static void
remember_where_it_was (FerryJob *self)
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
static void
go_unknown (FerryJob   *self,
            const char *reason)
{
  g_debug ("Job %s: outcome unknown: %s", self->id, reason);

  g_clear_handle_id (&self->verify_id, g_source_remove);
  set_string_prop (self, &self->error, reason, PROP_ERROR);
  set_string_prop (self, &self->error_code, NULL, PROP_ERROR_CODE);
  set_state (self, FERRY_JOB_STATE_UNKNOWN);
}

/* What the VM shows now may settle the outcome. */
static void
recheck (FerryJob *self)
{
  if (ferry_job_is_finished (self))
    return;

  if (vm_has_moved (self))
    {
      finish (self, FERRY_JOB_STATE_SUCCEEDED);
      return;
    }

  if (self->failure_info != NULL && vm_is_where_it_was (self))
    {
      g_auto(GStrv) info = g_steal_pointer (&self->failure_info);

      g_clear_handle_id (&self->verify_id, g_source_remove);
      g_clear_pointer (&self->verify_reason, g_free);
      task_failed (self, (const char * const *) info);
    }
}

static gboolean
on_verify_timeout (gpointer user_data)
{
  FerryJob *self = user_data;
  g_autofree char *reason = NULL;

  self->verify_id = 0;

  /* Still under way, by the VM's own account: that is no reason to give
   * up, only to wait longer. */
  if (self->failure_info == NULL && vm_shows_task (self)
      && ferry_pool_get_state (self->source_pool) == FERRY_POOL_STATE_READY)
    {
      self->verify_id = g_timeout_add_seconds (VERIFY_SECONDS, on_verify_timeout, self);
      return G_SOURCE_REMOVE;
    }

  reason = g_strdup (self->verify_reason);
  go_unknown (self, reason != NULL ? reason : _("The VM has not shown where it is."));

  return G_SOURCE_REMOVE;
}

/* The task's word and the VM's record disagree (so far): watch the VM for
 * a while, then say what is known. */
static void
await_vm (FerryJob   *self,
          const char *reason)
{
  ferry_set_string (&self->verify_reason, reason);
  set_can_cancel (self, FALSE);

  if (self->state == FERRY_JOB_STATE_UNKNOWN)
    {
      /* Out of reach still: nothing new is known. */
      if (ferry_pool_get_state (self->source_pool) != FERRY_POOL_STATE_READY)
        return;
      /* In contact again: look for a while before saying it again. */
      set_string_prop (self, &self->error, NULL, PROP_ERROR);
      set_state (self, FERRY_JOB_STATE_RUNNING);
    }
  else if (self->state != FERRY_JOB_STATE_CANCELLING)
    set_state (self, FERRY_JOB_STATE_RUNNING);

  if (self->verify_id == 0)
    self->verify_id = g_timeout_add_seconds (VERIFY_SECONDS, on_verify_timeout, self);
}

static const char *
target_label (FerryJob *self)
{
  return self->target_name != NULL ? self->target_name : _("its destination");
}

static char *
vanished_reason (FerryJob *self)
{
  return g_strdup_printf (_("The pool lost the migration’s task, and %s has not shown up on %s."),
                          self->vm_name, target_label (self));
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

  if (vm_has_moved (self))
    {
      finish (self, FERRY_JOB_STATE_SUCCEEDED);
      return;
    }

  reason = vanished_reason (self);
  await_vm (self, reason);
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
  job_call (self, self->source_pool, "task.get_record", xapi_params_new (self->task_ref, NULL),
            self->cancellable, on_vanished_answer);
}

static void
send_task_cancel (FerryJob *self)
{
  self->cancel_requested = FALSE;
  set_state (self, FERRY_JOB_STATE_CANCELLING);
  fire_and_forget (self->source_pool, "task.cancel", xapi_params_new (self->task_ref, NULL));
}

static gboolean
on_retry_timeout (gpointer user_data)
{
  FerryJob *self = user_data;
  gpointer owner = get_owner (self);

  self->retry_id = 0;
  /* Nudge the queue: the back-off is over. */
  if (owner != NULL && self->waiting && self->hooks->enqueue != NULL)
    self->hooks->enqueue (owner, self);

  return G_SOURCE_REMOVE;
}

/* TOO_MANY_STORAGE_MIGRATES: the sending host is full.  Not a failure: wait
 * in the queue and try again a little later. */
static void
back_to_queue (FerryJob *self)
{
  gpointer owner = get_owner (self);
  guint delay = (guint) g_random_int_range (RETRY_MIN_SECONDS, RETRY_MAX_SECONDS + 1);

  g_debug ("Job %s: the host is busy, retrying in %u s", self->id, delay);

  self->generation++;
  stop_following (self);
  if (self->task_ref != NULL)
    {
      if (self->owns_task)
        fire_and_forget (self->source_pool, "task.destroy", xapi_params_new (self->task_ref, NULL));
      g_clear_pointer (&self->task_ref, g_free);
      notify (self, PROP_TASK_REF);
    }
  reset_measurements (self);

  leave_queue (self);
  self->not_before = g_get_monotonic_time () + (gint64) delay * G_USEC_PER_SEC;
  self->waiting = TRUE;
  set_state (self, FERRY_JOB_STATE_QUEUED);

  self->retry_id = g_timeout_add (delay * 1000, on_retry_timeout, self);
  if (owner != NULL && self->hooks->enqueue != NULL)
    self->hooks->enqueue (owner, self);
}

static void convert_to_storage (FerryJob *self, const char *sr_ref);
static void check_copy_made    (FerryJob *self, const XapiTask *task);
static gboolean precheck_refusal_to_ask (FerryJob *self, const GError *error);

/* Whether the pool refused the migration for the session in the target
 * pool's answer: XAPI's SESSION_INVALID names the session it refuses. */
static gboolean
dest_refused (FerryJob     *self,
              const GError *error)
{
  const char *session = self->dest != NULL ? xapi_record_get_string (self->dest, "session_id") : NULL;

  if (!self->dest_used || self->adopted)
    return FALSE;
  return xapi_error_has_code (error, "SESSION_INVALID") && session != NULL && session[0] != '\0'
         && g_strcmp0 (xapi_error_get_param (error, 0), session) == 0;
}

/* The kept answer of the target pool is no longer good (see
 * usable_dest()): ask for a new one and send again, once. */
static void
resend_with_new_dest (FerryJob *self)
{
  g_debug ("Job %s: the target pool no longer takes its earlier answer, asking again", self->id);

  forget_dest (self);
  self->dest_used = FALSE;
  set_can_cancel (self, FALSE);
  self->sending = TRUE;
  receive_and_send (self);
}

static void
task_failed (FerryJob           *self,
             const char * const *error_info)
{
  const char *code = error_info != NULL && error_info[0] != NULL ? error_info[0] : "INTERNAL_ERROR";
  g_autoptr(GError) error = xapi_error_new_failure (code, error_info != NULL && error_info[0] != NULL
                                                          ? error_info + 1 : NULL);

  if (g_str_equal (code, "TOO_MANY_STORAGE_MIGRATES") && self->kind == FERRY_MIGRATION_STORAGE && !self->adopted)
    {
      back_to_queue (self);
      return;
    }

  if (g_str_equal (code, "VM_REQUIRES_SR") && self->kind == FERRY_MIGRATION_PLAIN && !self->adopted)
    {
      /* The target cannot see some storage after all: the task is over,
       * clean it up and make a storage plan that needs an "OK". */
      if (self->owns_task && self->task_ref != NULL)
        fire_and_forget (self->source_pool, "task.destroy", xapi_params_new (self->task_ref, NULL));
      g_clear_pointer (&self->task_ref, g_free);
      notify (self, PROP_TASK_REF);
      convert_to_storage (self, error_info[1] != NULL ? error_info[2] : NULL);
      return;
    }

  if (g_str_equal (code, "TASK_CANCELLED"))
    {
      finish (self, FERRY_JOB_STATE_CANCELLED);
      return;
    }

  /* An Async call runs its checks in the task: the refusal of a stale
   * answer of the target pool comes as a failed task, the VM still where
   * it was (the caller made sure). */
  if (self->kind == FERRY_MIGRATION_STORAGE && dest_refused (self, error))
    {
      self->generation++;
      stop_following (self);
      if (self->owns_task && self->task_ref != NULL)
        fire_and_forget (self->source_pool, "task.destroy", xapi_params_new (self->task_ref, NULL));
      g_clear_pointer (&self->task_ref, g_free);
      notify (self, PROP_TASK_REF);
      reset_measurements (self);
      resend_with_new_dest (self);
      return;
    }

  fail_with (self, code, error);
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
      self->result_ref = parse_result_ref (xapi_str (record->result));

      /* A copy is judged by the new VM the task names, asked of the
       * destination pool; the original stays where it is. */
      if (ferry_migrate_options_get_copy (self->options) && !self->adopted
          && self->result_ref != NULL && !xapi_is_null_ref (self->result_ref))
        {
          check_copy_made (self, record);
          return;
        }

      /* The task's word is not enough: its "result" may be anything, and
       * the VM may still be on its way. */
      if (vm_has_moved (self))
        {
          finish (self, FERRY_JOB_STATE_SUCCEEDED);
          return;
        }
      g_debug ("Job %s: the task says success, the VM is not there yet", self->id);
      reason = g_strdup_printf (_("The pool reported the migration as finished, but %s has not shown up on %s."),
                                self->vm_name, target_label (self));
      await_vm (self, reason);
      return;
    }
  if (status == XAPI_TASK_STATUS_CANCELLED)
    {
      finish (self, FERRY_JOB_STATE_CANCELLED);
      return;
    }
  if (status == XAPI_TASK_STATUS_FAILURE)
    {
      g_auto(GStrv) error_info = xapi_strv_dup (record->error_info);
      g_autofree char *reason = NULL;
      g_autofree char *message = NULL;

      if (vm_is_where_it_was (self))
        {
          task_failed (self, (const char * const *) error_info);
          return;
        }
      if (vm_has_moved (self))
        {
          finish (self, FERRY_JOB_STATE_SUCCEEDED);
          return;
        }
      /* A failure, but the VM is not (yet) seen back where it was. */
      g_clear_pointer (&self->failure_info, g_strfreev);
      self->failure_info = g_steal_pointer (&error_info);
      message = ferry_error_code_to_message (self->failure_info != NULL && self->failure_info[0] != NULL
                                             ? self->failure_info[0] : "INTERNAL_ERROR",
                                             self->failure_info != NULL && self->failure_info[0] != NULL
                                             ? (const char * const *) self->failure_info + 1 : NULL);
      reason = g_strdup_printf (_("The pool reported that the migration failed (%s), but %s is not seen back where it was."),
                                message, self->vm_name);
      await_vm (self, reason);
      return;
    }

  /* Still going: whatever was awaited or feared before is moot. */
  g_clear_handle_id (&self->verify_id, g_source_remove);
  g_clear_pointer (&self->verify_reason, g_free);
  g_clear_pointer (&self->failure_info, g_strfreev);
  if (self->state == FERRY_JOB_STATE_UNKNOWN)
    set_string_prop (self, &self->error, NULL, PROP_ERROR);

  /* pending or cancelling */
  set_progress (self, record->progress);

  if (status == XAPI_TASK_STATUS_CANCELLING)
    {
      set_state (self, FERRY_JOB_STATE_CANCELLING);
      return;
    }

  if (self->state != FERRY_JOB_STATE_CANCELLING)
    {
      gboolean allowed = (record->allowed_operations & XAPI_TASK_OP_CANCEL) != 0;

      set_state (self, FERRY_JOB_STATE_RUNNING);
      set_can_cancel (self, allowed);
      if (allowed && self->cancel_requested)
        send_task_cancel (self);
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
  for (guint i = 0; i < changes->len && self->task_ref != NULL && self->changed_id != 0
       && !ferry_job_is_finished (self); i++)
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
  if (!ferry_job_is_finished (self) && self->changed_id != 0
      && (vm_changed || self->verify_reason != NULL || self->state == FERRY_JOB_STATE_UNKNOWN))
    recheck (self);
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
  recheck (self);
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
        check_lost_send (self);
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
      recheck (self);
      if (!ferry_job_is_finished (self) && self->state == FERRY_JOB_STATE_UNKNOWN)
        {
          g_autofree char *reason = vanished_reason (self);

          await_vm (self, reason);
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
  gsize len;

  if (ferry_pool_get_state (pool) != FERRY_POOL_STATE_FAILED || ferry_job_is_finished (self)
      || self->state == FERRY_JOB_STATE_UNKNOWN)
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
  go_unknown (self, reason);
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
      recheck (self);
      return;
    }
  /* Inside a pool the VM's own record, asked for directly, may show the
   * arrival before the stream does (the disks are still looked up in the
   * cache). */
  if (record_shows_arrival (self, self->source_pool, record))
    finish (self, FERRY_JOB_STATE_SUCCEEDED);
}

/* The event stream said nothing about the task or the VM for a while:
 * ask the pool directly, one call at a time, once a second at most, until
 * the stream speaks again. */
static gboolean
on_poll_tick (gpointer user_data)
{
  FerryJob *self = user_data;

  if (self->poll_busy || self->task_ref == NULL || self->asking_vanished
      || ferry_pool_get_state (self->source_pool) != FERRY_POOL_STATE_READY
      || (self->state != FERRY_JOB_STATE_RUNNING && self->state != FERRY_JOB_STATE_CANCELLING
          && self->state != FERRY_JOB_STATE_UNKNOWN)
      || g_get_monotonic_time () - self->last_heard < QUIET_US)
    return G_SOURCE_CONTINUE;

  self->poll_busy = TRUE;
  if (!self->task_gone && self->verify_reason == NULL)
    job_call (self, self->source_pool, "task.get_record", xapi_params_new (self->task_ref, NULL),
              self->cancellable, on_task_polled);
  else if (self->vm_ref != NULL)
    job_call (self, self->source_pool, "VM.get_record", xapi_params_new (self->vm_ref, NULL),
              self->cancellable, on_vm_polled);
  else
    self->poll_busy = FALSE;

  return G_SOURCE_CONTINUE;
}

static void
watch_pools (FerryJob *self)
{
  if (self->changed_id == 0)
    self->changed_id = g_signal_connect (self->source_pool, "objects-changed",
                                         G_CALLBACK (on_objects_changed), self);
  if (self->reset_id == 0)
    self->reset_id = g_signal_connect (self->source_pool, "objects-reset",
                                       G_CALLBACK (on_objects_reset), self);
  if (self->source_state_id == 0)
    self->source_state_id = g_signal_connect (self->source_pool, "notify::state",
                                              G_CALLBACK (on_pool_state), self);
  if (self->target_pool != NULL && self->target_pool != self->source_pool)
    {
      if (self->target_changed_id == 0)
        self->target_changed_id = g_signal_connect (self->target_pool, "objects-changed",
                                                    G_CALLBACK (on_target_changed), self);
      if (self->target_reset_id == 0)
        self->target_reset_id = g_signal_connect (self->target_pool, "objects-reset",
                                                  G_CALLBACK (on_target_reset), self);
      if (self->target_state_id == 0)
        self->target_state_id = g_signal_connect (self->target_pool, "notify::state",
                                                  G_CALLBACK (on_pool_state), self);
    }
}

static void
follow_task (FerryJob *self)
{
  const XapiTask *record;

  watch_pools (self);
  self->task_gone = FALSE;
  self->last_heard = g_get_monotonic_time ();
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add (POLL_MS, on_poll_tick, self);

  /* The task may already be in the cache, even finished. */
  record = ferry_pool_lookup (self->source_pool, XAPI_CLASS_TASK, self->task_ref);
  if (record != NULL)
    apply_task_record (self, record);
}

/* "ferry:job" in a task's other_config: the job's id, then, across pools,
 * a space and the target host's name (job ids have no spaces).  One key,
 * so one call: XAPI adds one key per call. */
#define MARK_KEY "ferry:job"

static void
mark_task (FerryJob *self)
{
  g_autofree char *value = NULL;

  /* So that a later run (or another Ferry) knows whose task this is.
   * Across pools the target is nowhere else in the source pool's records;
   * inside a pool, the VM's scheduled_to_be_resident_on names it. */
  if (self->target_name != NULL && self->target_pool != self->source_pool)
    value = g_strdup_printf ("%s %s", self->id, self->target_name);
  else
    value = g_strdup (self->id);
  fire_and_forget (self->source_pool, "task.add_to_other_config",
                   xapi_params_new (self->task_ref, MARK_KEY, value, NULL));
}

#define LOST_CHECK_MS 3000
#define LOST_MAX_TRIES 2

static gboolean
on_lost_check (gpointer user_data)
{
  FerryJob *self = user_data;

  self->lost_check_id = 0;
  if (self->source_pool != NULL && ferry_pool_get_state (self->source_pool) == FERRY_POOL_STATE_READY)
    check_lost_send (self);
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
  set_state (self, FERRY_JOB_STATE_RUNNING);

  watch_pools (self);

  g_clear_handle_id (&self->lost_check_id, g_source_remove);
  self->lost_check_id = g_timeout_add (LOST_CHECK_MS, on_lost_check, self);
}

static void
check_lost_send (FerryJob *self)
{
  g_autoptr(GHashTable) ops = NULL;
  const XapiVm *vm;
  g_autoptr(GError) error = g_steal_pointer (&self->lost_error);
  GHashTableIter iter;
  gpointer key, value;

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
      notify (self, PROP_TASK_REF);
      mark_task (self);
      follow_task (self);
      return;
    }

  if (vm_has_moved (self))
    {
      finish (self, FERRY_JOB_STATE_SUCCEEDED);
      return;
    }

  /* It never arrived: send it again, a bounded number of times. */
  if (self->lost_tries >= LOST_MAX_TRIES)
    {
      fail_with_error (self, error);
      return;
    }
  self->lost_tries++;
  g_debug ("Job %s: the request was lost, sending it again", self->id);

  if (self->kind == FERRY_MIGRATION_PLAIN)
    send_plain (self);
  else
    {
      self->generation++;
      leave_queue (self);
      enqueue_storage (self);
    }
}

/* An Async call answered: the task ref, or an error. */
static void
on_migration_sent (FerryJob     *self,
                   JsonNode     *result,
                   const GError *error)
{
  if (error != NULL && dest_refused (self, error))
    {
      resend_with_new_dest (self);
      return;
    }
  self->sending = FALSE;

  if (error != NULL)
    {
      if (g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CONNECTION)
          || g_error_matches (error, XAPI_ERROR, XAPI_ERROR_TIMEOUT))
        await_lost_send (self, error);
      else if (xapi_error_has_code (error, "TOO_MANY_STORAGE_MIGRATES") && self->kind == FERRY_MIGRATION_STORAGE)
        back_to_queue (self);
      else if (xapi_error_has_code (error, "VM_REQUIRES_SR") && self->kind == FERRY_MIGRATION_PLAIN)
        convert_to_storage (self, xapi_error_get_param (error, 1));
      else
        fail_with_error (self, error);
      return;
    }

  if (result == NULL || !JSON_NODE_HOLDS_VALUE (result) || json_node_get_value_type (result) != G_TYPE_STRING)
    {
      g_autoptr(GError) bad = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                                                   _("The pool did not return a task for the migration."));
      fail_with (self, NULL, bad);
      return;
    }

  self->task_ref = g_strdup (json_node_get_string (result));
  self->owns_task = TRUE;
  notify (self, PROP_TASK_REF);
  g_debug ("Job %s: task %s", self->id, self->task_ref);

  mark_task (self);
  follow_task (self);

  if (self->cancel_requested && !ferry_job_is_finished (self) && self->can_cancel)
    send_task_cancel (self);
}

/* ---- plain migration ------------------------------------------------------------ */

static void
send_plain (FerryJob *self)
{
  JsonArray *params;

  set_kind (self, FERRY_MIGRATION_PLAIN);
  set_state (self, FERRY_JOB_STATE_RUNNING);
  set_can_cancel (self, FALSE);
  self->sending = TRUE;

  remember_where_it_was (self);
  params = xapi_params_new (self->vm_ref, ferry_host_get_ref (self->target), NULL);
  xapi_params_add_object (params, ferry_plan_build_options (self->plan));
  job_call (self, self->source_pool, "Async.VM.pool_migrate", params, NULL, on_migration_sent);
}

/* ---- a new home host ------------------------------------------------------------ */

static void send_home_host (FerryJob *self);

static void
on_affinity_set (FerryJob     *self,
                 JsonNode     *result,
                 const GError *error)
{
  g_autofree char *reason = NULL;

  self->sending = FALSE;
  if (error != NULL
      && (g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CONNECTION)
          || g_error_matches (error, XAPI_ERROR, XAPI_ERROR_TIMEOUT)))
    {
      /* The answer was lost, not necessarily the change: the record may
       * show it, and setting it again does no harm. */
      if (vm_has_moved (self))
        finish (self, FERRY_JOB_STATE_SUCCEEDED);
      else if (self->lost_tries++ < LOST_MAX_TRIES)
        {
          g_debug ("Job %s: the answer to VM.set_affinity was lost, asking again", self->id);
          send_home_host (self);
        }
      else
        fail_with_error (self, error);
      return;
    }
  if (error != NULL)
    {
      /* VM.set_affinity changes nothing when it fails. */
      fail_with_error (self, error);
      return;
    }

  if (vm_has_moved (self))
    {
      finish (self, FERRY_JOB_STATE_SUCCEEDED);
      return;
    }

  /* The call answered before its event reached the cache: the VM's
   * record settles it (on_objects_changed() rechecks while awaited). */
  reason = g_strdup_printf (_("The pool accepted %s as the home host of %s, but the VM’s record does not show it."),
                            target_label (self), self->vm_name);
  watch_pools (self);
  await_vm (self, reason);
}

/* A halted or suspended VM whose disks the target sees: VM.set_affinity,
 * a synchronous call without a task. */
static void
send_home_host (FerryJob *self)
{
  set_kind (self, FERRY_MIGRATION_HOME_HOST);
  set_state (self, FERRY_JOB_STATE_RUNNING);
  set_can_cancel (self, FALSE);
  self->sending = TRUE;

  remember_where_it_was (self);
  job_call (self, self->source_pool, "VM.set_affinity",
            xapi_params_new (self->vm_ref, ferry_host_get_ref (self->target), NULL), NULL, on_affinity_set);
}

/* ---- storage motion ------------------------------------------------------------- */

static JsonArray *
migrate_params (FerryJob   *self,
                JsonObject *dest)
{
  /* vm, dest, live, vdi_map, vif_map, options: six arguments after the
   * session, as XenCenter and Xen Orchestra send them (vgpu_map and
   * vdi_format_map keep their defaults). */
  JsonArray *params = xapi_params_new (self->vm_ref, NULL);

  xapi_params_add_object (params, json_object_ref (dest));
  /* XAPI ignores it, but says what is meant: a halted or suspended VM
   * moves with live = false. */
  xapi_params_add_bool (params, ferry_plan_get_live (self->plan));
  xapi_params_add_object (params, ferry_plan_build_vdi_map (self->plan));
  xapi_params_add_object (params, ferry_plan_build_vif_map (self->plan));
  xapi_params_add_object (params, ferry_plan_build_options (self->plan));

  return params;
}

static JsonArray *
receive_params (FerryJob *self)
{
  FerryNetwork *network = ferry_plan_get_migration_network (self->plan);
  JsonArray *params = xapi_params_new (ferry_host_get_ref (self->target),
                                       ferry_network_get_ref (network), NULL);

  xapi_params_add_object (params, json_object_new ());
  return params;
}

static JsonObject *
result_object (JsonNode *result)
{
  return result != NULL && JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
}

static void
on_asserted (FerryJob     *self,
             JsonNode     *result,
             const GError *error)
{
  if (error != NULL && !precheck_refusal_to_ask (self, error))
    {
      fail_with_error (self, error);
      return;
    }

  set_state (self, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
}

static void
on_precheck_received (FerryJob     *self,
                      JsonNode     *result,
                      const GError *error)
{
  JsonObject *dest = result_object (result);

  if (error != NULL)
    {
      fail_with_error (self, error);
      return;
    }
  if (dest == NULL)
    {
      g_autoptr(GError) bad = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                                                   _("The target pool did not accept the migration."));
      fail_with (self, NULL, bad);
      return;
    }

  keep_dest (self, dest, self->plan);
  job_call (self, self->source_pool, "VM.assert_can_migrate", migrate_params (self, dest),
            self->cancellable, on_asserted);
}

/* Before the question: host.migrate_receive on the target pool, then
 * VM.assert_can_migrate on the source pool, so that refusals come first. */
static void
storage_precheck (FerryJob *self)
{
  set_kind (self, FERRY_MIGRATION_STORAGE);
  set_state (self, FERRY_JOB_STATE_CHECKING);

  job_call (self, self->target_pool, "host.migrate_receive", receive_params (self),
            self->cancellable, on_precheck_received);
}

static void
send_storage (FerryJob   *self,
              JsonObject *dest,
              gboolean    kept)
{
  self->dest_used = kept;
  remember_where_it_was (self);
  job_call (self, self->source_pool, "Async.VM.migrate_send", migrate_params (self, dest),
            NULL, on_migration_sent);
}

static void
on_send_received (FerryJob     *self,
                  JsonNode     *result,
                  const GError *error)
{
  JsonObject *dest = result_object (result);

  if (error != NULL)
    {
      self->sending = FALSE;
      fail_with_error (self, error);
      return;
    }
  if (self->cancel_requested)
    {
      self->sending = FALSE;
      finish (self, FERRY_JOB_STATE_CANCELLED);
      return;
    }
  if (dest == NULL)
    {
      g_autoptr(GError) bad = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                                                   _("The target pool did not accept the migration."));
      self->sending = FALSE;
      fail_with (self, NULL, bad);
      return;
    }

  keep_dest (self, dest, self->plan);
  send_storage (self, dest, FALSE);
}

static void
receive_and_send (FerryJob *self)
{
  job_call (self, self->target_pool, "host.migrate_receive", receive_params (self),
            NULL, on_send_received);
}

void
ferry_job_start_storage (FerryJob *self)
{
  JsonObject *dest;

  g_return_if_fail (FERRY_IS_JOB (self));
  g_return_if_fail (self->waiting);

  self->waiting = FALSE;
  self->in_slot = TRUE;
  self->not_before = 0;
  self->cancel_requested = FALSE;
  g_clear_handle_id (&self->retry_id, g_source_remove);

  reset_measurements (self);
  set_state (self, FERRY_JOB_STATE_RUNNING);
  set_can_cancel (self, FALSE);
  self->sending = TRUE;

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
  gpointer owner = get_owner (self);

  self->waiting = TRUE;
  self->not_before = 0;
  set_state (self, FERRY_JOB_STATE_QUEUED);

  if (owner != NULL && self->hooks->enqueue != NULL)
    self->hooks->enqueue (owner, self);
}

/* ---- planning ----------------------------------------------------------------- */

static gboolean
replan (FerryJob *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPlan) plan = NULL;
  const char *reason = self->plan != NULL ? ferry_plan_get_reason (self->plan) : NULL;
  g_autofree char *kept_reason = g_strdup (reason);

  plan = ferry_plan_build (self->vm, self->target, self->options, self->unreachable_srs,
                           self->force_storage, self->rate_hint, &error);
  if (plan == NULL)
    {
      fail_with (self, NULL, error);
      return FALSE;
    }

  if (kept_reason != NULL)
    ferry_plan_set_reason (plan, kept_reason);
  set_plan (self, plan);

  return TRUE;
}

static void
convert_to_storage (FerryJob   *self,
                    const char *sr_ref)
{
  g_debug ("Job %s: VM_REQUIRES_SR (%s), planning storage motion", self->id, sr_ref);

  self->generation++;
  stop_following (self);
  reset_measurements (self);

  if (sr_ref != NULL && !xapi_is_null_ref (sr_ref))
    g_hash_table_add (self->unreachable_srs, g_strdup (sr_ref));
  self->force_storage = TRUE;

  set_state (self, FERRY_JOB_STATE_CHECKING);
  if (!replan (self))
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

  set_state (self, FERRY_JOB_STATE_CHECKING);

  if (!ferry_precheck_with_options (self->vm, self->target, self->options, NULL, &code, &error))
    {
      fail_with (self, code, error);
      return;
    }

  ferry_vm_set_job (self->vm, self);

  if (!replan (self))
    return;

  if (ferry_plan_get_kind (self->plan) == FERRY_MIGRATION_PLAIN)
    send_plain (self);
  else if (ferry_plan_get_kind (self->plan) == FERRY_MIGRATION_HOME_HOST)
    send_home_host (self);
  else
    storage_precheck (self);
}

/* ---- GObject ------------------------------------------------------------------- */

static void
ferry_job_dispose (GObject *object)
{
  FerryJob *self = FERRY_JOB (object);

  stop_following (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

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
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_VM_NAME:
      g_value_set_string (value, self->vm_name);
      break;
    case PROP_VM_UUID:
      g_value_set_string (value, self->vm_uuid);
      break;
    case PROP_SOURCE_NAME:
      g_value_set_string (value, self->source_name);
      break;
    case PROP_TARGET_NAME:
      g_value_set_string (value, self->target_name);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;
    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;
    case PROP_ETA:
      g_value_set_double (value, self->eta);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_ERROR_CODE:
      g_value_set_string (value, self->error_code);
      break;
    case PROP_ERROR_DETAILS:
      g_value_set_string (value, self->error_details);
      break;
    case PROP_TASK_REF:
      g_value_set_string (value, self->task_ref);
      break;
    case PROP_CAN_CANCEL:
      g_value_set_boolean (value, self->can_cancel);
      break;
    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, ferry_job_get_paused (self));
      break;
    case PROP_ADOPTED:
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
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ferry_job_dispose;
  object_class->finalize = ferry_job_finalize;
  object_class->get_property = ferry_job_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FERRY_TYPE_JOB_STATE,
                                              FERRY_JOB_STATE_QUEUED, flags);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, FERRY_TYPE_MIGRATION_KIND,
                                             FERRY_MIGRATION_PLAIN, flags);
  properties[PROP_VM_NAME] = g_param_spec_string ("vm-name", NULL, NULL, NULL, flags);
  properties[PROP_VM_UUID] = g_param_spec_string ("vm-uuid", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE_NAME] = g_param_spec_string ("source-name", NULL, NULL, NULL, flags);
  properties[PROP_TARGET_NAME] = g_param_spec_string ("target-name", NULL, NULL, NULL, flags);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, flags);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL,
                                                      0, G_MAXUINT64, 0, flags);
  properties[PROP_RATE] = g_param_spec_double ("rate", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_ETA] = g_param_spec_double ("eta", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, -1.0, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_ERROR_CODE] = g_param_spec_string ("error-code", NULL, NULL, NULL, flags);
  properties[PROP_ERROR_DETAILS] = g_param_spec_string ("error-details", NULL, NULL, NULL, flags);
  properties[PROP_TASK_REF] = g_param_spec_string ("task-ref", NULL, NULL, NULL, flags);
  properties[PROP_CAN_CANCEL] = g_param_spec_boolean ("can-cancel", NULL, NULL, FALSE, flags);
  properties[PROP_PLAN] = g_param_spec_object ("plan", NULL, NULL, FERRY_TYPE_PLAN, flags);
  properties[PROP_ADOPTED] = g_param_spec_boolean ("adopted", NULL, NULL, FALSE, flags);
  properties[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
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

static char *
make_source_key (FerryPool  *pool,
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
  FerryJob *self = g_object_new (FERRY_TYPE_JOB, NULL);
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
                     ? make_source_key (source_pool, source != NULL ? ferry_host_get_ref (source) : NULL)
                     : g_strdup ("-");

  return self;
}

/* A migration task found running on the pool: ours from an earlier run
 * ("ferry:job" in its other_config) or another client's. */
FerryJob *
ferry_job_new_adopted (const FerryJobHooks *hooks,
                       gpointer             owner,
                       FerryPool           *pool,
                       const char          *task_ref,
                       const char          *known_vm_ref)
{
  FerryJob *self = g_object_new (FERRY_TYPE_JOB, NULL);
  const XapiTask *task = ferry_pool_lookup (pool, XAPI_CLASS_TASK, task_ref);
  GHashTable *vms = ferry_pool_get_cache (pool) != NULL
                    ? xapi_cache_get_table (ferry_pool_get_cache (pool), XAPI_CLASS_VM) : NULL;
  XapiMap other_config = task != NULL ? task->other_config : NULL;
  const char *mark = xapi_map_lookup (other_config, MARK_KEY);
  const char *noted_target = mark != NULL ? strchr (mark, ' ') : NULL;
  g_autofree char *earlier_id = noted_target != NULL ? g_strndup (mark, (gsize) (noted_target - mark))
                                                     : g_strdup (mark);
  const char *label = task != NULL ? xapi_str (task->record.name_label) : "";
  const XapiVm *vm_record = NULL;
  const char *vm_ref = NULL;
  const char *host_ref;
  const char *scheduled;
  GHashTableIter iter;
  gpointer key, value;

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
      FerryVm *vm = ferry_pool_get_vm_by_ref (pool, vm_ref);
      FerryHost *source;

      self->vm_ref = g_strdup (vm_ref);
      self->vm = vm != NULL ? g_object_ref (vm) : NULL;
      self->vm_name = g_strdup (xapi_str (vm_record->record.name_label));
      self->vm_uuid = g_strdup (xapi_str (vm_record->record.uuid));

      host_ref = vm_record->resident_on;
      source = ferry_pool_get_host_by_ref (pool, host_ref);
      self->source_name = g_strdup (source != NULL ? ferry_host_get_name (source) : NULL);
      self->source_key = make_source_key (pool, host_ref);

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
      self->source_key = make_source_key (pool, NULL);
    }

  if (self->vm_name == NULL)
    self->vm_name = g_strdup (_("Unknown VM"));
  /* Across pools, a Ferry that started the move noted the target's name on
   * the task (mark_task()).  Otherwise the target is not in this pool's
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

  remember_where_it_was (self);
  follow_task (self);

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
  set_string_prop (self, &self->target_name, ferry_host_get_name (target), PROP_TARGET_NAME);
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

gboolean
ferry_job_needs_target (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);
  return self->adopted && self->target == NULL && self->vm_uuid != NULL;
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
  return self->state == FERRY_JOB_STATE_SUCCEEDED
         || self->state == FERRY_JOB_STATE_FAILED
         || self->state == FERRY_JOB_STATE_CANCELLED;
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

gboolean
ferry_job_is_waiting (FerryJob *self)
{
  return self->waiting;
}

gboolean
ferry_job_is_in_slot (FerryJob *self)
{
  return self->in_slot;
}

gint64
ferry_job_get_not_before (FerryJob *self)
{
  return self->not_before;
}

void
ferry_job_detach (FerryJob *self)
{
  g_return_if_fail (FERRY_IS_JOB (self));

  /* Its owner is going away: stop everything that keeps the job (and
   * through it, the pools) alive, without touching the pool. */
  self->generation++;
  stop_following (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  self->waiting = FALSE;
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
  fail_with (self, NULL, error);
}

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

      fail_with (self, code, error);
      return;
    }

  if (changed != NULL)
    {
      g_clear_pointer (&self->options, ferry_migrate_options_free);
      self->options = ferry_migrate_options_copy (changed);
      if (!replan (self))
        return;
    }

  if (ferry_plan_get_kind (self->plan) == FERRY_MIGRATION_PLAIN)
    send_plain (self);
  else if (ferry_plan_get_kind (self->plan) == FERRY_MIGRATION_HOME_HOST)
    send_home_host (self);
  else
    enqueue_storage (self);
}

void
ferry_job_decline (FerryJob *self)
{
  g_return_if_fail (FERRY_IS_JOB (self));

  if (self->state != FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    return;

  finish (self, FERRY_JOB_STATE_CANCELLED);
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
      finish (self, FERRY_JOB_STATE_CANCELLED);
      break;

    case FERRY_JOB_STATE_RUNNING:
      if (self->task_ref != NULL && self->can_cancel)
        send_task_cancel (self);
      else if (self->task_ref == NULL && self->sending)
        /* The request is out; its task is cancelled as soon as it is known
         * and may be cancelled. */
        self->cancel_requested = TRUE;
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

  if (error == NULL && result != NULL && JSON_NODE_HOLDS_VALUE (result)
      && json_node_get_value_type (result) == G_TYPE_STRING)
    {
      ferry_set_string (&self->copy_uuid, json_node_get_string (result));
      finish (self, FERRY_JOB_STATE_SUCCEEDED);
      return;
    }

  missing = g_error_new (FERRY_ERROR, FERRY_ERROR_FAILED,
                         _("The pool reported the copy of “%s” as made, but %s has no such VM."),
                         self->vm_name, self->target_name);
  fail_with (self, NULL, missing);
}

static void
check_copy_made (FerryJob       *self,
                 const XapiTask *task)
{
  g_autofree char *copy_ref = xapi_parse_task_result (xapi_str (task->result));

  /* The task is over; only the answer about the copy is awaited now. */
  stop_following (self);

  if (copy_ref == NULL || xapi_is_null_ref (copy_ref))
    {
      g_autoptr(GError) error = g_error_new (FERRY_ERROR, FERRY_ERROR_FAILED,
                                             _("The pool did not say which VM is the copy of “%s”."),
                                             self->vm_name);
      fail_with (self, NULL, error);
      return;
    }

  job_call (self, self->target_pool, "VM.get_uuid", xapi_params_new (copy_ref, NULL), NULL, on_copy_uuid);
}

const char *
ferry_job_get_copy_uuid (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), NULL);
  return self->copy_uuid;
}

/* ---- the question ---------------------------------------------------------------- */

/* A CPU the target host does not offer is something the user may
 * overrule ("force"); the question is asked with the refusal in it. */
static gboolean
precheck_refusal_to_ask (FerryJob     *self,
                         const GError *error)
{
  g_autofree char *message = NULL;

  if (g_strcmp0 (xapi_error_get_code (error), "VM_INCOMPATIBLE_WITH_THIS_HOST") != 0
      || ferry_migrate_options_get_force (self->options))
    return FALSE;

  message = ferry_error_to_message (error);
  ferry_set_string (&self->precheck_code, xapi_error_get_code (error));
  ferry_set_string (&self->precheck_error, message);
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
  FerryPlan *plan;
  JsonArray *params;   /* of the call in flight: kept until it completes */
} Replan;

static void
replan_free (gpointer data)
{
  Replan *replan = data;

  g_clear_object (&replan->plan);
  g_clear_pointer (&replan->params, json_array_unref);
  g_free (replan);
}

static void
replan_checked (GTask        *task,
                const GError *error)
{
  FerryJob *self = g_task_get_source_object (task);
  Replan *replan = g_task_get_task_data (task);

  /* Only the answer for the plan in force counts. */
  if (self->plan == replan->plan && self->state == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    {
      g_clear_pointer (&self->precheck_code, g_free);
      g_clear_pointer (&self->precheck_error, g_free);
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = ferry_error_to_message (error);

          ferry_set_string (&self->precheck_code, xapi_error_get_code (error));
          ferry_set_string (&self->precheck_error, message);
        }
    }

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
  GTask *task = user_data;
  FerryJob *self = g_task_get_source_object (task);
  Replan *replan = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);
  XapiConnection *connection = ferry_pool_get_connection (self->source_pool);
  JsonObject *dest = result_object (node);
  FerryPlan *current = self->plan;
  JsonArray *params;

  if (error == NULL && dest == NULL)
    error = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED, _("The target pool did not accept the migration."));
  if (error == NULL && (connection == NULL || !xapi_connection_is_logged_in (connection)))
    error = g_error_new (FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED, _("The pool “%s” is not connected."),
                         ferry_pool_get_name (self->source_pool));
  if (error != NULL)
    {
      replan_checked (task, error);
      return;
    }

  keep_dest (self, dest, replan->plan);

  /* migrate_params() reads the job's plan: the one this check is for. */
  self->plan = replan->plan;
  params = migrate_params (self, dest);
  self->plan = current;
  g_clear_pointer (&replan->params, json_array_unref);
  replan->params = params;
  xapi_connection_call_async (connection, "VM.assert_can_migrate", params, g_task_get_cancellable (task),
                              on_replan_asserted, task);
}

void
ferry_job_replan_async (FerryJob            *self,
                        FerryMigrateOptions *options,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  Replan *replan;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  XapiConnection *connection;
  JsonArray *params;

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
  set_plan (self, replan->plan);

  if (ferry_plan_get_kind (replan->plan) == FERRY_MIGRATION_PLAIN)
    {
      g_clear_pointer (&self->precheck_code, g_free);
      g_clear_pointer (&self->precheck_error, g_free);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  connection = ferry_pool_get_connection (self->target_pool);
  if (connection == NULL || !xapi_connection_is_logged_in (connection))
    {
      error = g_error_new (FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED, _("The pool “%s” is not connected."),
                           ferry_pool_get_name (self->target_pool));
      replan_checked (task, error);
      return;
    }

  params = receive_params (self);
  replan->params = params;
  xapi_connection_call_async (connection, "host.migrate_receive", params, cancellable, on_replan_received, task);
}

gboolean
ferry_job_replan_finish (FerryJob      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ok = g_task_propagate_boolean (G_TASK (result), error);
  ferry_error_translate (error);
  return ok;
}

/* ---- pausing in the queue ---------------------------------------------------- */

gboolean
ferry_job_get_paused (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);

  /* Only a job that still waits for its slot is held; the flag means
   * nothing once the job runs or has ended. */
  return self->paused && self->waiting && self->state == FERRY_JOB_STATE_QUEUED;
}

gboolean
ferry_job_get_in_queue (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);

  return self->waiting && self->state == FERRY_JOB_STATE_QUEUED;
}

gboolean
ferry_job_set_paused (FerryJob *self,
                      gboolean  paused)
{
  gpointer owner;

  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);

  /* Nothing that was sent to the pool can be held back. */
  if (!self->waiting || self->state != FERRY_JOB_STATE_QUEUED)
    return FALSE;
  if (self->paused == !!paused)
    return TRUE;

  self->paused = !!paused;
  notify (self, PROP_PAUSED);

  /* Resumed, it takes its place in the queue again: a slot may be free. */
  owner = get_owner (self);
  if (!paused && owner != NULL && self->hooks->enqueue != NULL)
    self->hooks->enqueue (owner, self);

  return TRUE;
}
