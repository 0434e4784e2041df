/* ferry-migrate-dialog-summary.c: the list of what will happen
 *
 * Drawn again from the jobs' plans after every re-plan: each VM's disks
 * and where they go, its interfaces and their networks, then the network
 * the data travels on and how much there is.  Each line says why, or that
 * it follows the choice of last time between the same two pools.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-migrate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-migrate-dialog-private.h"
#include "ferry-ui-util.h"

/*
 * The list: what will happen, from the plans
 */

/* "as last time" where the plan follows a choice remembered for this pair
 * of pools (ferry_migrate_dialog_set_remembered()), else the plan's own
 * reason.  @chosen: what the plan's options say for all disks (or
 * interfaces, or the transfer); @remembered: what was remembered; @used:
 * what the plan does. */
static const char *
reason_or_last_time (FerryMigrateDialog *self,
                     gpointer            chosen,
                     gpointer            remembered,
                     gpointer            used,
                     const char         *why)
{
  if (remembered != NULL && chosen == remembered && used == remembered)
    /* Translators: why a disk, interface or transfer goes where it goes, "On DMZ (as last time)" */
    return _("as last time");
  return why != NULL ? why : "";
}

GtkWidget *
ferry_migrate_dialog_vm_group (FerryMigrateDialog *self,
                               FerryPlan          *plan)
{
  FerryMigrateOptions *options = ferry_plan_get_options (plan);
  FerrySr             *last_sr = self->remembered != NULL ? ferry_migrate_options_get_sr (self->remembered) : NULL;
  FerryNetwork        *last_network = self->remembered != NULL ? ferry_migrate_options_get_network (self->remembered) : NULL;
  GtkWidget           *group = adw_preferences_group_new ();
  GPtrArray           *disks = ferry_plan_get_disks (plan);
  GPtrArray           *vifs = ferry_plan_get_vifs (plan);

  if (!single (self))
    {
      FerryHost       *source = ferry_vm_get_resident_on (ferry_plan_get_vm (plan));
      g_autofree char *from = NULL;

      /* A copy says so; for a move, where from is the news (the body says
       * where to). */
      if (ferry_migrate_options_get_copy (ferry_plan_get_options (plan)))
        from = ferry_plan_summarize (plan);
      else if (source != NULL)
        /* Translators: under a VM's name in the list of what will happen */
        from = g_strdup_printf (_("From %s"), ferry_host_get_name (source));
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), ferry_vm_get_name (ferry_plan_get_vm (plan)));
      if (from != NULL)
        adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), from);
    }

  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk   *disk = g_ptr_array_index (disks, i);
      g_autofree char *size = ferry_format_size (disk->virtual_size);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      const char      *sr = disk->to != NULL ? ferry_sr_get_name (disk->to) : "?";

      /* Translators: a disk in the list of what will happen, "Disk “db-01 data”, 64 GiB" */
      title = g_strdup_printf (_("Disk “%s”, %s"), disk->name ? disk->name : disk->vdi_ref, size);
      if (disk->moves)
        /* Translators: where a disk goes, and why there, "Copied to Local storage lyon-3 (pool default SR)" */
        subtitle = g_strdup_printf (_("Copied to %s (%s)"), sr,
                                    reason_or_last_time (self, ferry_migrate_options_get_sr (options), last_sr,
                                                         disk->to, disk->why));
      else
        subtitle = g_strdup_printf (_("Stays on %s"), sr);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), ferry_info_row_new (title, subtitle));
    }

  /* A suspended VM's memory image travels too, where XAPI puts it. */
  if (ferry_plan_get_suspend_sr (plan) != NULL)
    {
      g_autofree char *size = ferry_format_size (ferry_vm_get_memory (ferry_plan_get_vm (plan)));
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;

      /* Translators: a suspended VM's saved memory in the list of what will happen, "Memory image, up to 4 GiB" */
      title = g_strdup_printf (_("Memory image, up to %s"), size);
      if (ferry_plan_get_suspend_moves (plan))
        subtitle = g_strdup_printf (_("Copied to %s (%s)"), ferry_sr_get_name (ferry_plan_get_suspend_sr (plan)),
                                    ferry_plan_get_suspend_sr_why (plan));
      else
        subtitle = g_strdup_printf (_("Stays on %s"), ferry_sr_get_name (ferry_plan_get_suspend_sr (plan)));
      if (!ferry_sr_is_attached_to (ferry_plan_get_suspend_sr (plan), ferry_plan_get_target (plan)))
        {
          g_autofree char *where = g_steal_pointer (&subtitle);

          /* Translators: where the memory image goes, then a warning, "Stays on Local storage paris-1; paris-2 does not see this SR, so the VM may not resume there" */
          subtitle = g_strdup_printf (_("%s; %s does not see this SR, so the VM may not resume there"), where,
                                      ferry_host_get_name (ferry_plan_get_target (plan)));
        }
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), ferry_info_row_new (title, subtitle));
    }

  for (guint i = 0; i < vifs->len; i++)
    {
      FerryPlanVif    *vif = g_ptr_array_index (vifs, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      FerryNetwork    *network = vif->to != NULL ? vif->to : vif->from;
      const char      *name = network != NULL ? ferry_network_get_name (network) : "?";

      /* Translators: a network interface of the VM, "Interface 0" */
      title = g_strdup_printf (_("Interface %s"), vif->device ? vif->device : "?");
      if (ferry_plan_get_cross_pool (plan))
        /* Translators: the network an interface will be on, and why, "On DMZ (network with the same name)" */
        subtitle = g_strdup_printf (_("On %s (%s)"), name,
                                    reason_or_last_time (self, ferry_migrate_options_get_network (options),
                                                         last_network, vif->to, vif->why));
      else
        subtitle = g_strdup_printf (_("Stays on %s"), name);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), ferry_info_row_new (title, subtitle));
    }

  return group;
}

GtkWidget *
ferry_migrate_dialog_transfer_group (FerryMigrateDialog *self)
{
  GtkWidget       *group = adw_preferences_group_new ();
  FerryPlan       *plan = NULL;
  guint64          bytes = 0;
  double           seconds = 0;
  g_autofree char *total = NULL;
  g_autofree char *amount = NULL;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item      *item = item_at (self, i);
      FerryPlan *p = ferry_job_get_plan (item->job);

      if (!item_waiting (item) || p == NULL)
        continue;
      if (plan == NULL)
        plan = p;
      bytes += ferry_plan_get_bytes_to_copy (p);
      if (seconds >= 0 && ferry_plan_get_estimated_seconds (p) >= 0)
        seconds += ferry_plan_get_estimated_seconds (p);
      else
        seconds = -1;
    }
  if (plan == NULL)
    return group;

  if (ferry_plan_get_migration_network (plan) != NULL)
    {
      g_autofree char *subtitle = NULL;

      /* Translators: the transfer network and why, "Pool-wide network associated with eth0 (management network of lyon-3)" */
      subtitle = g_strdup_printf (_("%s (%s)"), ferry_network_get_name (ferry_plan_get_migration_network (plan)),
                                  reason_or_last_time (self,
                                                       ferry_migrate_options_get_migration_network (ferry_plan_get_options (plan)),
                                                       self->remembered != NULL
                                                         ? ferry_migrate_options_get_migration_network (self->remembered)
                                                         : NULL,
                                                       ferry_plan_get_migration_network (plan),
                                                       ferry_plan_get_migration_network_why (plan)));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), ferry_info_row_new (_("Transfer network"), subtitle));
    }

  total = ferry_format_size (bytes);
  if (seconds >= 0)
    {
      g_autofree char *duration = ferry_format_duration (seconds);

      /* Translators: "84 GiB, 12 min" */
      amount = g_strdup_printf (_("%s, %s"), total, duration);
    }
  else
    amount = g_strdup (total);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), ferry_info_row_new (_("To transfer"), amount));

  return group;
}
