/* ferry-migrate-dialog.h: "OK to migrate without shared storage?"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_MIGRATE_DIALOG (ferry_migrate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FerryMigrateDialog, ferry_migrate_dialog, FERRY, MIGRATE_DIALOG, AdwMessageDialog)

/* @job must be AWAITING_CONFIRMATION.  Responses: "ok" confirms the job
 * (with what was changed under Advanced), "cancel" declines it; the dialog
 * does that itself.  It closes by itself if the job leaves the state.
 * (transfer none): GTK keeps the window until it is destroyed. */
GtkWidget           *ferry_migrate_dialog_new (GtkWindow *parent,
                                               FerryJob  *job);
/* One question for several jobs (one drop): "ok" confirms them all,
 * "cancel" declines them all.  @jobs: FerryJob, AWAITING_CONFIRMATION.
 * (transfer none), as ferry_migrate_dialog_new(). */
GtkWidget           *ferry_migrate_dialog_new_for_jobs (GtkWindow *parent,
                                                        GPtrArray *jobs);
/* (transfer none) the first job. */
FerryJob            *ferry_migrate_dialog_get_job (FerryMigrateDialog *self);
/* (transfer container) FerryJob, every job the dialog asks about. */
GPtrArray           *ferry_migrate_dialog_get_jobs (FerryMigrateDialog *self);
/* (transfer full) the overrides chosen under Advanced, for the first job;
 * NULL if none. */
FerryMigrateOptions *ferry_migrate_dialog_get_changed_options (FerryMigrateDialog *self);
/* TRUE while the pool checks the plan made from a changed choice. */
gboolean             ferry_migrate_dialog_get_checking (FerryMigrateDialog *self);

/* Across pools, what to remember for the next migration between the same
 * two pools: the SR, network and migration network chosen under Advanced
 * (one for every disk, one for every interface), only those the user
 * chose; NULL if none.  (transfer full) */
FerryMigrateOptions *ferry_migrate_dialog_dup_pool_choices (FerryMigrateDialog *self);
/* The choices remembered from last time (ferry_manager_recall_choices()):
 * the rows of Advanced that show them say "As last time". */
void                 ferry_migrate_dialog_set_remembered (FerryMigrateDialog        *self,
                                                          const FerryMigrateOptions *remembered);

G_END_DECLS
