/* ferry-inventory-view.h: the tree of pools ▸ hosts ▸ VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_INVENTORY_VIEW (ferry_inventory_view_get_type ())

G_DECLARE_FINAL_TYPE (FerryInventoryView, ferry_inventory_view, FERRY, INVENTORY_VIEW, GtkWidget)

/* Signals:
 *  "migrate" (GPtrArray *vms, FerryHost *target): VMs were dropped on a host
 *     (or on a pool, meaning its master).
 *  "message" (const char *text): something to tell the user (plain text).
 *  "selection-changed": the selected VMs changed. */

/* (transfer floating) */
GtkWidget *ferry_inventory_view_new (void);
void       ferry_inventory_view_set_manager (FerryInventoryView *self,
                                             FerryManager       *manager);
void       ferry_inventory_view_set_search (FerryInventoryView *self,
                                            const char         *text);
/* (transfer full) a new array of the selected FerryVm (references). */
GPtrArray *ferry_inventory_view_get_selected_vms (FerryInventoryView *self);

G_END_DECLS
