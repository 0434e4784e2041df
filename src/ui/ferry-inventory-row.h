/* ferry-inventory-row.h: one recycled row of the inventory (a pool, host, VM or group)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ferry-engine.h"
#include "ferry-inventory-drag.h"

G_BEGIN_DECLS

#define FERRY_TYPE_INVENTORY_ROW (ferry_inventory_row_get_type ())

G_DECLARE_FINAL_TYPE (FerryInventoryRow, ferry_inventory_row, FERRY, INVENTORY_ROW, GtkWidget)

/* Signals:
 *  "context-menu" (double x, double y): the row's menu is asked for at
 *     (@x, @y), in the row's coordinates.
 *  "vms-dropped" (FerryVmDrag *payload) → gboolean: VMs were dropped on
 *     the (host or pool) row; TRUE if they were taken. */

/* @drag: the drag state the row follows and feeds.  (transfer floating) */
GtkWidget *ferry_inventory_row_new (FerryInventoryDrag *drag);
void       ferry_inventory_row_bind (FerryInventoryRow *self,
                                     GtkListItem       *list_item);
void       ferry_inventory_row_unbind (FerryInventoryRow *self);
/* (transfer none) the FerryPool, FerryHost, FerryVm or FerryInventoryGroup
 * shown, or NULL. */
GObject   *ferry_inventory_row_get_item (FerryInventoryRow *self);
/* The row's position in the view's model (GTK_INVALID_LIST_POSITION unbound). */
guint      ferry_inventory_row_get_position (FerryInventoryRow *self);

G_END_DECLS
