/* ferry-inventory-menu.h: the context menus of the inventory's rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

/* (transfer full) the menu for @vms (FerryVm, at least one): "Migrate
 * to…" and the hosts that can take them all, those of their own pool
 * first. */
GMenuModel *ferry_inventory_menu_new_for_vms (FerryManager *manager,
                                              GPtrArray    *vms);
/* (transfer full) Disconnect, and Forget Pool for a saved one. */
GMenuModel *ferry_inventory_menu_new_for_pool (FerryManager *manager,
                                               FerryPool    *pool);
/* (transfer full) Evacuate…; NULL while no VM runs on @host. */
GMenuModel *ferry_inventory_menu_new_for_host (FerryHost *host);

G_END_DECLS
