/* ferry-inventory-menu.c: the context menus of the inventory's rows
 *
 * A VM's menu offers "Migrate to…" and, as quick targets, the hosts that
 * can take every VM it acts on; a pool's, to disconnect or forget it; a
 * host's, to evacuate it.  The items name the window's actions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-inventory"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-inventory-menu.h"

GMenuModel *
ferry_inventory_menu_new_for_vms (FerryManager *manager,
                                  GPtrArray    *vms)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) main_section = g_menu_new ();
  g_autoptr(GMenu) hosts_section = g_menu_new ();
  GListModel *pools = ferry_manager_get_pools (manager);
  FerryPool  *own_pool = ferry_vm_get_pool (g_ptr_array_index (vms, 0));
  guint       n_pools = g_list_model_get_n_items (pools);

  g_menu_append (main_section, _("_Migrate to…"), "win.migrate");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (main_section));

  /* Quick targets: the hosts that can take every selected VM, those of the
   * VM's own pool first.  The host picker explains the others. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint p = 0; p < n_pools; p++)
      {
        g_autoptr(FerryPool) pool = g_list_model_get_item (pools, p);
        GListModel *hosts;
        guint       n_hosts;

        if ((pass == 0) != (pool == own_pool))
          continue;

        hosts = ferry_pool_get_hosts (pool);
        n_hosts = g_list_model_get_n_items (hosts);
        for (guint h = 0; h < n_hosts; h++)
          {
            g_autoptr(FerryHost) host = g_list_model_get_item (hosts, h);
            g_autoptr(GMenuItem) menu_item = NULL;
            g_autofree char *label = NULL;
            gboolean         ok = TRUE;

            for (guint i = 0; i < vms->len && ok; i++)
              ok = ferry_manager_check_target (manager, g_ptr_array_index (vms, i), host, NULL);
            if (!ok)
              continue;

            if (pool == own_pool)
              /* Translators: a context menu item */
              label = g_strdup_printf (_("Move to %s"), ferry_host_get_name (host));
            else
              /* Translators: a context menu item, "Move to paris-1 (pool Paris)" */
              label = g_strdup_printf (_("Move to %s (pool %s)"), ferry_host_get_name (host),
                                       ferry_pool_get_name (pool));
            /* Menu labels take mnemonics; host names may contain "_". */
            {
              g_autoptr(GString) escaped = g_string_new (label);

              g_string_replace (escaped, "_", "__", 0);
              menu_item = g_menu_item_new (escaped->str, NULL);
            }
            g_menu_item_set_action_and_target_value (menu_item, "win.migrate-to",
                                                     g_variant_new_string (ferry_host_get_uuid (host)));
            g_menu_append_item (hosts_section, menu_item);
          }
      }

  if (g_menu_model_get_n_items (G_MENU_MODEL (hosts_section)) > 0)
    g_menu_append_section (menu, NULL, G_MENU_MODEL (hosts_section));

  return G_MENU_MODEL (g_steal_pointer (&menu));
}

GMenuModel *
ferry_inventory_menu_new_for_pool (FerryManager *manager,
                                   FerryPool    *pool)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) disconnect = g_menu_item_new (_("_Disconnect"), NULL);
  FerryServerStore *store = ferry_manager_get_store (manager);
  GVariant         *url = g_variant_new_string (ferry_pool_get_url (pool));

  g_variant_ref_sink (url);
  g_menu_item_set_action_and_target_value (disconnect, "win.disconnect-pool", url);
  g_menu_append_item (menu, disconnect);
  if (store != NULL && ferry_server_store_lookup (store, ferry_pool_get_url (pool)) != NULL)
    {
      g_autoptr(GMenuItem) forget = g_menu_item_new (_("_Forget Pool"), NULL);

      g_menu_item_set_action_and_target_value (forget, "win.forget-pool", url);
      g_menu_append_item (menu, forget);
    }
  g_variant_unref (url);

  return G_MENU_MODEL (g_steal_pointer (&menu));
}

GMenuModel *
ferry_inventory_menu_new_for_host (FerryHost *host)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) evacuate = NULL;
  GListModel *vms = ferry_host_get_vms (host);
  guint       n_vms = g_list_model_get_n_items (vms);
  gboolean    running = FALSE;

  /* Only running guests keep a host busy; an empty menu is not shown. */
  for (guint i = 0; i < n_vms && !running; i++)
    {
      g_autoptr(FerryVm) vm = g_list_model_get_item (vms, i);

      running = g_strcmp0 (ferry_vm_get_power_state (vm), "Running") == 0;
    }
  if (!running)
    return NULL;

  evacuate = g_menu_item_new (_("_Evacuate…"), NULL);
  g_menu_item_set_action_and_target_value (evacuate, "win.evacuate-host",
                                           g_variant_new_string (ferry_host_get_uuid (host)));
  g_menu_append_item (menu, evacuate);

  return G_MENU_MODEL (g_steal_pointer (&menu));
}
