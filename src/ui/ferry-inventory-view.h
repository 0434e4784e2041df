/* ferry-inventory-view.h: the tree of pools ▸ hosts ▸ VMs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ferry-engine.h"
#include "ferry-inventory-row.h"
#include "ferry-vm-drag.h"

G_BEGIN_DECLS

#define FERRY_TYPE_INVENTORY_VIEW (ferry_inventory_view_get_type ())

G_DECLARE_FINAL_TYPE (FerryInventoryView, ferry_inventory_view, FERRY, INVENTORY_VIEW, GtkWidget)

/* Signals:
 *  "migrate" (GPtrArray *vms, FerryHost *target): VMs were dropped on a host
 *     (or on a pool, meaning its master).
 *  "message" (const char *text): something to tell the user (plain text).
 *  "selection-changed": the selected VMs changed. */

GtkWidget    *ferry_inventory_view_new              (void);
void          ferry_inventory_view_set_manager      (FerryInventoryView *self,
                                                     FerryManager       *manager);
FerryManager *ferry_inventory_view_get_manager      (FerryInventoryView *self);
void          ferry_inventory_view_set_search       (FerryInventoryView *self,
                                                     const char         *text);
/* (transfer full) a new array of the selected FerryVm (references). */
GPtrArray    *ferry_inventory_view_get_selected_vms (FerryInventoryView *self);

/* For FerryInventoryRow. */
GPtrArray    *_ferry_inventory_view_get_drag_vms    (FerryInventoryView *self);
GPtrArray    *_ferry_inventory_view_vms_for_row     (FerryInventoryView *self,
                                                     FerryInventoryRow  *row);
void          _ferry_inventory_view_drag_begin      (FerryInventoryView *self,
                                                     GPtrArray          *vms);
void          _ferry_inventory_view_drag_end        (FerryInventoryView *self);
gboolean      _ferry_inventory_view_drop            (FerryInventoryView *self,
                                                     GObject            *target_item,
                                                     FerryVmDrag        *payload);
void          _ferry_inventory_view_popup_menu      (FerryInventoryView *self,
                                                     FerryInventoryRow  *row,
                                                     double              x,
                                                     double              y);
void          _ferry_inventory_view_forget_row      (FerryInventoryView *self,
                                                     FerryInventoryRow  *row);
/* (transfer none) the host a drop on @item means: the host itself, or a
 * pool's master; NULL for anything else. */
FerryHost    *_ferry_inventory_target_host          (GObject            *item);

G_END_DECLS
