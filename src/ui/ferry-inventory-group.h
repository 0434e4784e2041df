/* ferry-inventory-group.h: a heading node of the inventory tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_INVENTORY_GROUP (ferry_inventory_group_get_type ())

G_DECLARE_FINAL_TYPE (FerryInventoryGroup, ferry_inventory_group, FERRY, INVENTORY_GROUP, GObject)

/* The VMs of @pool that run nowhere (halted or suspended), as they are
 * shown: @vms is already filtered and sorted.
 *
 * Properties:
 *   "pool"  FerryPool, read-only
 *   "vms"   GListModel of FerryVm, read-only
 *   "n-vms" guint, read-only, notified when the count changes
 * (transfer full) */
FerryInventoryGroup *ferry_inventory_group_new (FerryPool  *pool,
                                                GListModel *vms);
/* (transfer none) weak: NULL once the pool is gone. */
FerryPool           *ferry_inventory_group_get_pool (FerryInventoryGroup *self);
/* (transfer none) */
GListModel          *ferry_inventory_group_get_vms (FerryInventoryGroup *self);
guint                ferry_inventory_group_get_n_vms (FerryInventoryGroup *self);

G_END_DECLS
