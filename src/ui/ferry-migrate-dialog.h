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
 * does that itself.  It closes by itself if the job leaves the state. */
GtkWidget           *ferry_migrate_dialog_new                 (GtkWindow          *parent,
                                                               FerryJob           *job);
/* One question for several jobs (one drop): "ok" confirms them all,
 * "cancel" declines them all.  @jobs: FerryJob, AWAITING_CONFIRMATION. */
GtkWidget           *ferry_migrate_dialog_new_for_jobs        (GtkWindow          *parent,
                                                               GPtrArray          *jobs);
/* (transfer none) the first job. */
FerryJob            *ferry_migrate_dialog_get_job             (FerryMigrateDialog *self);
/* (transfer container) FerryJob, every job the dialog asks about. */
GPtrArray           *ferry_migrate_dialog_get_jobs            (FerryMigrateDialog *self);
/* (transfer full) the overrides chosen under Advanced, for the first job;
 * NULL if none. */
FerryMigrateOptions *ferry_migrate_dialog_get_changed_options (FerryMigrateDialog *self);
/* TRUE while the pool checks the plan made from a changed choice. */
gboolean             ferry_migrate_dialog_get_checking        (FerryMigrateDialog *self);

G_END_DECLS
