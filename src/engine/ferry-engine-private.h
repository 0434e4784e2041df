/* ferry-engine-private.h: what the engine's objects tell each other
 *
 * Each part of the engine declares what it tells the others in a private
 * header of its own (ferry-pool-private.h, ferry-vm-private.h, …); this one
 * lists them all, for the tests.  The engine's own files include only the
 * headers they use.
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

#include "ferry-util-private.h"
#include "ferry-errors-private.h"
#include "ferry-server-private.h"
#include "ferry-pool-private.h"
#include "ferry-host-private.h"
#include "ferry-vm-private.h"
#include "ferry-sr-private.h"
#include "ferry-network-private.h"

G_BEGIN_DECLS

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
/* XAPI arguments (new references). */
JsonObject   *ferry_plan_build_vdi_map      (FerryPlan           *self);
JsonObject   *ferry_plan_build_vif_map      (FerryPlan           *self);
JsonObject   *ferry_plan_build_options      (FerryPlan           *self);
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
