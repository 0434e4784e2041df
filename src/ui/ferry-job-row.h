/* ferry-job-row.h: one migration in the jobs panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_JOB_ROW (ferry_job_row_get_type ())

G_DECLARE_FINAL_TYPE (FerryJobRow, ferry_job_row, FERRY, JOB_ROW, GtkWidget)

/* (transfer floating) */
GtkWidget *ferry_job_row_new (void);
/* Shows @job (NULL: nothing) and follows its changes. */
void       ferry_job_row_set_job (FerryJobRow *self,
                                  FerryJob    *job);
/* (transfer none) the job shown, or NULL. */
FerryJob  *ferry_job_row_get_job (FerryJobRow *self);

G_END_DECLS
