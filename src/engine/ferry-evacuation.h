/* ferry-evacuation.h: where every running VM of a host can go, and moving them there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ferry-engine-types.h"

G_BEGIN_DECLS

/* One running VM of the host: where it goes, or why it cannot go anywhere. */
typedef struct
{
  FerryVm   *vm;     /* owned reference */
  FerryHost *target; /* owned reference; NULL when it cannot move */
  FerryPlan *plan;   /* owned reference; NULL when it cannot move */
  char      *reason; /* why it cannot move (translated), else NULL */
  FerryJob  *job;    /* owned reference once running, else NULL */
} FerryEvacuationItem;

#define FERRY_TYPE_EVACUATION (ferry_evacuation_get_type ())

G_DECLARE_FINAL_TYPE (FerryEvacuation, ferry_evacuation, FERRY, EVACUATION, GObject)

/* (transfer full) */
FerryEvacuation *ferry_evacuation_new (FerryManager *manager,
                                       FerryHost    *host);
/* (transfer none) */
FerryHost       *ferry_evacuation_get_host (FerryEvacuation *self);
/* Only these hosts may receive VMs (FerryHost, NULL: every other host of
 * the pool).  Before planning. */
void             ferry_evacuation_set_destinations (FerryEvacuation *self,
                                                    GPtrArray       *hosts);
/* Disable the host (host.disable) before the first migration, so that
 * nothing starts on it meanwhile.  Before running. */
void             ferry_evacuation_set_disable_host (FerryEvacuation *self,
                                                    gboolean         disable);

/* Plans from the pool's records: each running VM goes to the host of the
 * same pool with the most free memory left once the VMs placed before it
 * are counted, a host where its disks can stay winning over one where they
 * must be copied.  Fails only when nothing can be planned at all (pool not
 * connected); VMs that fit nowhere are items with a reason. */
void             ferry_evacuation_plan_async (FerryEvacuation    *self,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean         ferry_evacuation_plan_finish (FerryEvacuation *self,
                                               GAsyncResult    *result,
                                               GError         **error);

/* (transfer none) FerryEvacuationItem, largest VM first; empty before planning. */
GPtrArray       *ferry_evacuation_get_items (FerryEvacuation *self);
guint            ferry_evacuation_count_movable (FerryEvacuation *self);
guint            ferry_evacuation_count_storage (FerryEvacuation *self);
/* Bytes copied in all (memory, and disks where they move). */
guint64          ferry_evacuation_get_bytes_to_copy (FerryEvacuation *self);
/* (transfer none) the migration network the moves use, or NULL (each
 * target's management network). */
FerryNetwork    *ferry_evacuation_get_migration_network (FerryEvacuation *self);

/* Runs the plan, once the user agreed to all of it: disables the host if
 * asked, then one job per movable VM through the manager's queue (which
 * limits storage migrations per source host); storage migrations are
 * confirmed by this call.  Completes when every job has ended or its
 * outcome is unknown: TRUE when every VM that could move moved.  Cancelling
 * cancels the jobs that can still be cancelled. */
void             ferry_evacuation_run_async (FerryEvacuation    *self,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean         ferry_evacuation_run_finish (FerryEvacuation *self,
                                              GAsyncResult    *result,
                                              GError         **error);

/* host.enable or host.disable. */
void             ferry_evacuation_set_host_enabled_async (FerryHost          *host,
                                                          gboolean            enabled,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean         ferry_evacuation_set_host_enabled_finish (FerryHost    *host,
                                                           GAsyncResult *result,
                                                           GError      **error);

G_END_DECLS
