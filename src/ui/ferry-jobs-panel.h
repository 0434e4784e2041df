/* ferry-jobs-panel.h: every migration, newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_JOBS_PANEL (ferry_jobs_panel_get_type ())

G_DECLARE_FINAL_TYPE (FerryJobsPanel, ferry_jobs_panel, FERRY, JOBS_PANEL, GtkWidget)

/* (transfer floating) */
GtkWidget *ferry_jobs_panel_new (void);
/* @jobs: a GListModel of FerryJob, newest last (ferry_manager_get_jobs()). */
void       ferry_jobs_panel_set_model (FerryJobsPanel *self,
                                       GListModel     *jobs);
/* For removing queued jobs, and the summary of each drop or evacuation
 * once it has ended ("batch-ended"). */
void       ferry_jobs_panel_set_manager (FerryJobsPanel *self,
                                         FerryManager   *manager);
/* Moves the keyboard focus to the newest job (the top row). */
void       ferry_jobs_panel_focus (FerryJobsPanel *self);

G_END_DECLS
