/* ferry-engine-private.h: what the engine's objects tell each other
 *
 * Not installed, not for the window or ferryctl.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "xapi-cache.h"
#include "xapi-connection.h"
#include "xapi-error.h"
#include "xapi-util.h"

#include "ferry-engine.h"

G_BEGIN_DECLS

/* Replaces a string and says whether it changed. */
gboolean    ferry_set_string           (char       **field,
                                        const char  *value);
/* A natural-order comparison of names ("lyon-2" before "lyon-10"). */
int         ferry_compare_names        (const char  *a,
                                        const char  *b);
/* "4 GiB" */
char       *ferry_format_size          (guint64      bytes);
/* (transfer none) The item at @position of a GListStore, which holds a
 * reference to every item it lists: for loops that look and do not keep.
 * Borrowing is explicit so that no g_autoptr drops a reference that a
 * caller then goes on using. */
gpointer    ferry_store_peek           (GListModel  *store,
                                        guint        position);
/* (transfer none) The object behind a weak reference, or NULL once it is
 * gone.  The engine lives on one thread, so nothing can drop the last
 * strong reference between the look and the return. */
gpointer    ferry_weak_ref_peek        (GWeakRef    *ref);

/* ---- errors ------------------------------------------------------------- */

/* (transfer full) @error as it leaves the engine: a XAPI_ERROR becomes the
 * FERRY_ERROR with its sentence, suggested fix, details, fingerprint or
 * address (and the pool's code, so that ferry_error_explain() can still
 * name its objects); any other error is copied as it is. */
GError       *ferry_error_from_xapi         (const GError *error);
/* The same in place, for the _finish() functions the front ends call. */
void          ferry_error_translate         (GError      **error);

/* ---- model objects ---------------------------------------------------- */

FerryHost    *ferry_host_new                (FerryPool    *pool,
                                             const char   *ref);
/* Each update reads the record, notifies the properties that changed, and
 * returns TRUE if the name changed (the lists re-sort then). */
gboolean      ferry_host_update             (FerryHost    *self,
                                             const XapiHost *record,
                                             const XapiHostMetrics *metrics,
                                             gboolean      is_master);
const char   *ferry_host_get_metrics_ref    (FerryHost    *self);
GListStore   *ferry_host_get_vm_store       (FerryHost    *self);
void          ferry_host_detach             (FerryHost    *self);

FerryVm      *ferry_vm_new                  (FerryPool    *pool,
                                             const char   *ref);
gboolean      ferry_vm_update               (FerryVm      *self,
                                             const XapiVm *record,
                                             FerryHost    *resident_on);
void          ferry_vm_set_disk_size        (FerryVm      *self,
                                             guint64       size);
void          ferry_vm_set_job              (FerryVm      *self,
                                             FerryJob     *job);
void          ferry_vm_invalidate_devices   (FerryVm      *self);
guint64       ferry_vm_get_memory_needed    (FerryVm      *self);
void          ferry_vm_detach               (FerryVm      *self);

FerrySr      *ferry_sr_new                  (FerryPool    *pool,
                                             const char   *ref);
gboolean      ferry_sr_update               (FerrySr      *self,
                                             const XapiSr *record);

FerryNetwork *ferry_network_new             (FerryPool    *pool,
                                             const char   *ref);
gboolean      ferry_network_update          (FerryNetwork *self,
                                             const XapiNetwork *record);

/* ---- pool ------------------------------------------------------------- */

FerryPool    *ferry_pool_new                (const char          *url,
                                             const char          *username);
/* (transfer none) The pool's connection and cache, NULL while it has none:
 * for the engine (and its tests), never for the front ends. */
XapiConnection *ferry_pool_get_connection   (FerryPool           *self);
XapiCache    *ferry_pool_get_cache          (FerryPool           *self);
/* Logs in and loads; completes when READY (or on the first error).  Once it
 * has been READY the pool reconnects by itself (RECONNECTING). */
void          ferry_pool_connect_async      (FerryPool           *self,
                                             const char          *password,
                                             const char          *fingerprint,
                                             gboolean             retry_forever,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      ferry_pool_connect_finish     (FerryPool           *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void          ferry_pool_disconnect         (FerryPool           *self);
/* Shows CONNECTING before the connection starts (while the keyring is read). */
void          ferry_pool_set_connecting     (FerryPool           *self);
const char   *ferry_pool_get_fingerprint    (FerryPool           *self);
/* Lets a login that HOST_IS_SLAVE sends to @address over plain HTTP go
 * there, although @address is not a known host of the pool (the user
 * agreed; see ferry_manager_trust_redirect()). */
void          ferry_pool_trust_redirect     (FerryPool           *self,
                                             const char          *address);
/* Sets "state" FAILED/RECONNECTING and "error" from @error. */
void          ferry_pool_set_failed         (FerryPool           *self,
                                             const GError        *error);
/* The network of @host's management PIF, or NULL. */
FerryNetwork *ferry_pool_get_management_network (FerryPool       *self,
                                                 FerryHost       *host);
/* A typed record from the current cache (XapiVm*, … as @klass says), or
 * NULL (borrowed). */
gpointer      ferry_pool_lookup             (FerryPool           *self,
                                             XapiClass            klass,
                                             const char          *ref);
/* Signals (internal):
 *   "objects-changed" (GPtrArray *changes): a cache batch, after the models
 *                                           were updated
 *   "objects-reset"   ():                   the cache was (re)loaded; look
 *                                           everything up again */

/* ---- checks from the cache ---------------------------------------------- */

/* The checks that need nothing but the cache (power state, target host
 * enabled and live, free memory, already there).  On FALSE: *short_reason
 * (drag highlighting), @error (FERRY_ERROR_PRECHECK, the plain
 * sentence with its fix) and *code (the XAPI code it stands for, static)
 * are set; each out argument may be NULL. */
gboolean      ferry_precheck                (FerryVm             *vm,
                                             FerryHost           *target,
                                             char               **short_reason,
                                             const char         **code,
                                             GError             **error);
/* The same, knowing the user's options: a copy to another pool is allowed
 * for a halted VM (and for any VM with force), as XAPI allows it. */
gboolean      ferry_precheck_with_options   (FerryVm                   *vm,
                                             FerryHost                 *target,
                                             const FerryMigrateOptions *options,
                                             char                     **short_reason,
                                             const char               **code,
                                             GError                   **error);

/* ---- plan ------------------------------------------------------------- */

/* Builds a plan.  @unreachable_srs: SR refs XAPI said the target cannot see
 * (VM_REQUIRES_SR), may be NULL.  @force_storage: storage motion even when
 * every disk could stay. */
FerryPlan    *ferry_plan_build              (FerryVm                   *vm,
                                             FerryHost                 *target,
                                             const FerryMigrateOptions *options,
                                             GHashTable                *unreachable_srs,
                                             gboolean                   force_storage,
                                             double                     rate_hint,
                                             GError                   **error);
/* Why storage motion was chosen (translated), or NULL for plain. */
const char   *ferry_plan_get_reason         (FerryPlan           *self);
void          ferry_plan_set_reason         (FerryPlan           *self,
                                             const char          *reason);
gboolean      ferry_plan_get_force          (FerryPlan           *self);
/* Whether the VM was running when planned: migrate_send's "live". */
gboolean      ferry_plan_get_live           (FerryPlan           *self);

/* ---- job -------------------------------------------------------------- */

typedef struct _FerryJobHooks FerryJobHooks;

/* The manager's side of a job: the queue of storage migrations. */
struct _FerryJobHooks
{
  /* The job wants to start a storage migration; the manager calls
   * ferry_job_start_storage() when a slot is free. */
  void (*enqueue)  (gpointer owner, FerryJob *job);
  /* The job left the queue or its slot (finished, cancelled, back-off). */
  void (*release)  (gpointer owner, FerryJob *job);
  /* The last measured rate between two pools, for estimates. */
  void (*rate)     (gpointer owner, FerryJob *job, double bytes_per_second);
};

FerryJob     *ferry_job_new                 (const FerryJobHooks *hooks,
                                             gpointer             owner,
                                             FerryVm             *vm,
                                             FerryHost           *target,
                                             const FerryMigrateOptions *options,
                                             double               rate_hint);
FerryJob     *ferry_job_new_adopted         (const FerryJobHooks *hooks,
                                             gpointer             owner,
                                             FerryPool           *pool,
                                             const char          *task_ref,
                                             const char          *vm_ref);
/* TRUE for a job of ours that sent its request again because the answer to
 * an earlier one was lost: that one may still reach the pool, late. */
gboolean      ferry_job_may_have_stray_request (FerryJob         *self);
const char   *ferry_job_get_vm_ref          (FerryJob            *self);
/* TRUE for an adopted job whose target host is not known yet (a move
 * across pools started elsewhere, or one whose VM did not say yet). */
gboolean      ferry_job_needs_target        (FerryJob            *self);
/* Names the target of such a job, found in the pools' records. */
void          ferry_job_resolve_target      (FerryJob            *self,
                                             FerryHost           *target);
void          ferry_job_start               (FerryJob            *self);
void          ferry_job_start_storage       (FerryJob            *self);
FerryPool    *ferry_job_get_source_pool     (FerryJob            *self);
/* The key of the source host for the per-host limit. */
const char   *ferry_job_get_source_key      (FerryJob            *self);
/* TRUE while the job waits for a slot (QUEUED, wanting storage motion). */
gboolean      ferry_job_is_waiting          (FerryJob            *self);
/* TRUE while the job holds one of its host's storage-migration slots. */
gboolean      ferry_job_is_in_slot          (FerryJob            *self);
/* Monotonic time before which the job should not be started again (a
 * TOO_MANY_STORAGE_MIGRATES back-off), or 0. */
gint64        ferry_job_get_not_before      (FerryJob            *self);
/* The manager goes away: unhook the job from pools and VMs. */
void          ferry_job_detach              (FerryJob            *self);
/* The pool went away for good (disconnected by the user). */
void          ferry_job_abandon             (FerryJob            *self,
                                             const char          *sentence);

/* ---- batch ------------------------------------------------------------ */

/* (transfer full) a batch of @jobs (FerryJob); jobs already in a batch
 * are left out. */
FerryBatch   *ferry_batch_new               (const char          *title,
                                             GPtrArray           *jobs);
/* Ends the batch now if all its jobs have ended already. */
void          ferry_batch_check             (FerryBatch          *self);

G_END_DECLS
