/* ferry-add-pool-dialog.h: connect to a new pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_ADD_POOL_DIALOG (ferry_add_pool_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FerryAddPoolDialog, ferry_add_pool_dialog, FERRY, ADD_POOL_DIALOG, AdwWindow)

/* Signals: "connected" (FerryPool *pool), emitted before the dialog closes.
 * @can_remember: FALSE when nothing can be saved (the demo).
 * (transfer none): GTK keeps the window until it is destroyed. */
GtkWidget *ferry_add_pool_dialog_new (GtkWindow    *parent,
                                      FerryManager *manager,
                                      gboolean      can_remember);

G_END_DECLS
