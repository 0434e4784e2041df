/* ferry-evacuate-dialog.h: "Move the 3 running VMs off lyon-1?"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_EVACUATE_DIALOG (ferry_evacuate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FerryEvacuateDialog, ferry_evacuate_dialog, FERRY, EVACUATE_DIALOG, AdwMessageDialog)

/* @evacuation must be planned.  Responses: "evacuate" or "cancel"; the
 * dialog only shows the plan and asks, the caller runs it.
 * (transfer none): GTK keeps the window until it is destroyed. */
GtkWidget       *ferry_evacuate_dialog_new (GtkWindow       *parent,
                                            FerryEvacuation *evacuation);
/* (transfer none) */
FerryEvacuation *ferry_evacuate_dialog_get_evacuation (FerryEvacuateDialog *self);
/* Whether the user asked to disable the host before the first move. */
gboolean         ferry_evacuate_dialog_get_disable_host (FerryEvacuateDialog *self);

G_END_DECLS
