/* ferry-inventory-row.h: one recycled row of the inventory (a pool, host, VM or group)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

typedef struct _FerryInventoryView FerryInventoryView;

#define FERRY_TYPE_INVENTORY_ROW (ferry_inventory_row_get_type ())

G_DECLARE_FINAL_TYPE (FerryInventoryRow, ferry_inventory_row, FERRY, INVENTORY_ROW, GtkWidget)

GtkWidget *ferry_inventory_row_new          (FerryInventoryView *view);
void       ferry_inventory_row_bind         (FerryInventoryRow  *self,
                                             GtkListItem        *list_item);
void       ferry_inventory_row_unbind       (FerryInventoryRow  *self);
/* (transfer none) the FerryPool, FerryHost, FerryVm or FerryInventoryGroup
 * shown, or NULL. */
GObject   *ferry_inventory_row_get_item     (FerryInventoryRow  *self);
/* The row's position in the view's model (GTK_INVALID_LIST_POSITION unbound). */
guint      ferry_inventory_row_get_position (FerryInventoryRow  *self);
/* Re-reads the view's drag state: highlights a host that can take the
 * dragged VMs, or shows why it cannot. */
void       ferry_inventory_row_update_drag  (FerryInventoryRow  *self);
/* Forgets the view (called when the view goes away first). */
void       ferry_inventory_row_detach       (FerryInventoryRow  *self);

G_END_DECLS
