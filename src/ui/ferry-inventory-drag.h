/* ferry-inventory-drag.h: what the inventory's rows and its view share about a drag
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ferry-engine.h"
#include "ferry-vm-drag.h"

G_BEGIN_DECLS

#define FERRY_TYPE_INVENTORY_DRAG (ferry_inventory_drag_get_type ())

G_DECLARE_FINAL_TYPE (FerryInventoryDrag, ferry_inventory_drag, FERRY, INVENTORY_DRAG, GObject)

/* Signals:
 *  "changed": a drag from the inventory began or ended; each row reads
 *     ferry_inventory_drag_get_vms() again. */

/* (transfer full) @selection: the view's, over the rows of its tree
 * (GtkTreeListRow). */
FerryInventoryDrag *ferry_inventory_drag_new (FerryManager      *manager,
                                              GtkSelectionModel *selection);
/* (transfer none) */
FerryManager       *ferry_inventory_drag_get_manager (FerryInventoryDrag *self);
/* (transfer full) a new array of the selected FerryVm (references). */
GPtrArray          *ferry_inventory_drag_get_selected_vms (FerryInventoryDrag *self);
/* (transfer full) the VMs a drag from (or a menu on) the row at @position
 * showing @item acts on: the selection if the row is selected, else the
 * row's VM alone. */
GPtrArray          *ferry_inventory_drag_vms_for_row (FerryInventoryDrag *self,
                                                      guint               position,
                                                      GObject            *item);
/* (transfer none) FerryVm, while a drag from the inventory runs; else NULL. */
GPtrArray          *ferry_inventory_drag_get_vms (FerryInventoryDrag *self);
void                ferry_inventory_drag_begin (FerryInventoryDrag *self,
                                                GPtrArray          *vms);
void                ferry_inventory_drag_end (FerryInventoryDrag *self);
/* (transfer none) the host a drop on @item means: the host itself, or a
 * pool's master; NULL for anything else. */
FerryHost          *ferry_inventory_drag_target_host (GObject *item);

G_END_DECLS
