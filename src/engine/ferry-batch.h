/* ferry-batch.h: the jobs of one drop or one evacuation, and how they ended
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ferry-engine-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_BATCH (ferry_batch_get_type ())

G_DECLARE_FINAL_TYPE (FerryBatch, ferry_batch, FERRY, BATCH, GObject)

/* Properties (notify on the main context): "ended".  Made by
 * ferry_manager_add_batch(). */

/* (transfer none) The translated name of what was asked: "Evacuation of lyon-1",
 * "Migration of 4 VMs to lyon-3". */
const char *ferry_batch_get_title (FerryBatch *self);
/* (transfer none) FerryJob, in the order they were made. */
GPtrArray  *ferry_batch_get_jobs (FerryBatch *self);
/* TRUE once every job has ended (SUCCEEDED, FAILED, CANCELLED) or its
 * outcome is unknown; it stays TRUE even if an unknown one ends later. */
gboolean    ferry_batch_get_ended (FerryBatch *self);
/* How the jobs stand now.  An UNKNOWN job counts as unknown: neither done
 * nor failed.  Any argument may be NULL. */
void        ferry_batch_count (FerryBatch *self,
                               guint      *succeeded,
                               guint      *failed,
                               guint      *cancelled,
                               guint      *unknown);
/* One translated line: "3 done, 1 failed, 1 cancelled, 1 outcome unknown".
 * (transfer full) */
char       *ferry_batch_dup_summary (FerryBatch *self);
/* One translated line per job that failed or whose outcome is unknown,
 * "db-01: The host lyon-2 does not have enough memory…"; empty if none.
 * (transfer full) a NULL-terminated array */
char      **ferry_batch_dup_problems (FerryBatch *self);
/* (transfer none) the batch @job belongs to, or NULL. */
FerryBatch *ferry_batch_get_for_job (FerryJob *job);

G_END_DECLS
