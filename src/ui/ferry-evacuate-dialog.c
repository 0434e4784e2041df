/* ferry-evacuate-dialog.c: "Move the 3 running VMs off lyon-1?"
 *
 * Shows a planned FerryEvacuation and asks once.  Everything it says comes
 * from the evacuation's items: each VM and the host it goes to, plainly or
 * with its disks (each disk's SR and the SR it goes to), the totals, and
 * each VM that cannot move with the reason the planner gave.  The dialog
 * runs nothing: the window does, once "evacuate" is the response, so the
 * dialog can close while the jobs carry on in the Migrations panel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-evacuate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-evacuate-dialog.h"
#include "ferry-ui-util.h"

/* The width of the list (set in the template) and the height beyond which
 * it scrolls, so that the buttons stay on a 768-pixel screen. */
#define CONTENT_WIDTH 460
#define CONTENT_MAX_HEIGHT 460

struct _FerryEvacuateDialog
{
  AdwMessageDialog     parent_instance;

  FerryEvacuation     *evacuation;

  GtkScrolledWindow   *scrolled;
  AdwPreferencesGroup *moves_group;
  AdwPreferencesGroup *blocked_group;
  AdwActionRow        *disable_row;
  GtkSwitch           *disable_switch;
};

G_DEFINE_FINAL_TYPE (FerryEvacuateDialog, ferry_evacuate_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* "→ lyon-2, memory only (4 GiB)", then one line per disk when they move. */
static char *
move_subtitle (FerryEvacuationItem *item)
{
  GString         *text = g_string_new (NULL);
  g_autofree char *size = ferry_format_size (ferry_plan_get_bytes_to_copy (item->plan));
  GPtrArray       *disks;

  if (ferry_plan_get_kind (item->plan) == FERRY_MIGRATION_PLAIN)
    {
      /* Translators: a VM's target host and how much memory travels */
      g_string_append_printf (text, _("→ %s, memory only (%s)"),
                              ferry_host_get_name (item->target), size);
      return g_string_free (text, FALSE);
    }

  /* Translators: a VM's target host and how much is copied in all */
  g_string_append_printf (text, _("→ %s, with storage (%s copied)"),
                          ferry_host_get_name (item->target), size);
  disks = ferry_plan_get_disks (item->plan);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk   *disk = g_ptr_array_index (disks, i);
      g_autofree char *disk_size = ferry_format_size (disk->virtual_size);
      const char      *from = disk->from != NULL ? ferry_sr_get_name (disk->from) : "?";
      const char      *to = disk->to != NULL ? ferry_sr_get_name (disk->to) : "?";

      g_string_append_c (text, '\n');
      if (disk->moves)
        /* Translators: a disk, its size, the SR it leaves and the SR it goes to */
        g_string_append_printf (text, _("%s (%s): %s → %s"), disk->name, disk_size, from, to);
      else
        /* Translators: a disk, its size and the SR it stays on */
        g_string_append_printf (text, _("%s (%s) stays on %s"), disk->name, disk_size, from);
    }
  return g_string_free (text, FALSE);
}

/* AdwMessageDialog measures its extra child at its natural width, where the
 * long subtitles fit on fewer lines than at the width the list gets: ask
 * for the height of the list at that width, up to the limit. */
static void
fit_content (FerryEvacuateDialog *self)
{
  GtkWidget *child = gtk_scrolled_window_get_child (self->scrolled);
  int        natural = 0;

  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, CONTENT_WIDTH, NULL, &natural, NULL, NULL);
  gtk_scrolled_window_set_min_content_height (self->scrolled, MIN (natural, CONTENT_MAX_HEIGHT));
}

static void
fill (FerryEvacuateDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);
  FerryHost        *host = ferry_evacuation_get_host (self->evacuation);
  const char       *host_name = ferry_host_get_name (host);
  GPtrArray        *items = ferry_evacuation_get_items (self->evacuation);
  guint             movable = ferry_evacuation_count_movable (self->evacuation);
  guint             storage = ferry_evacuation_count_storage (self->evacuation);
  guint             blocked = items->len - movable;
  FerryNetwork     *network = ferry_evacuation_get_migration_network (self->evacuation);
  g_autofree char  *heading = NULL;
  g_autofree char  *bytes = ferry_format_size (ferry_evacuation_get_bytes_to_copy (self->evacuation));
  g_autofree char  *counts = NULL;
  g_autofree char  *body = NULL;

  if (items->len == 1)
    /* Translators: the question, "Move the running VM off lyon-1?" */
    heading = g_strdup_printf (_("Move the running VM off %s?"), host_name);
  else
    /* Translators: the question, "Move the 3 running VMs off lyon-1?" */
    heading = g_strdup_printf (ngettext ("Move the %u running VM off %s?",
                                         "Move the %u running VMs off %s?", items->len),
                               items->len, host_name);
  adw_message_dialog_set_heading (dialog, heading);

  if (movable == 0)
    body = g_strdup (_("None of them can move to another host of the pool."));
  else
    {
      /* Translators: "2 plain, 1 with storage" */
      counts = g_strdup_printf (_("%u plain, %u with storage"), movable - storage, storage);
      if (network != NULL)
        /* Translators: VMs that move, their kinds, the bytes copied, the network */
        body = g_strdup_printf (ngettext ("%u VM moves (%s), %s copied over %s.",
                                          "%u VMs move (%s), %s copied over %s.", movable),
                                movable, counts, bytes, ferry_network_get_name (network));
      else
        /* Translators: VMs that move, their kinds and the bytes copied */
        body = g_strdup_printf (ngettext ("%u VM moves (%s), %s copied over each target’s management network.",
                                          "%u VMs move (%s), %s copied over each target’s management network.",
                                          movable),
                                movable, counts, bytes);
    }
  adw_message_dialog_set_body (dialog, body);

  for (guint i = 0; i < items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (items, i);

      if (item->plan != NULL)
        {
          g_autofree char *subtitle = move_subtitle (item);

          adw_preferences_group_add (self->moves_group,
                                     ferry_info_row_new (ferry_vm_get_name (item->vm), subtitle));
        }
      else
        adw_preferences_group_add (self->blocked_group,
                                   ferry_info_row_new (ferry_vm_get_name (item->vm), item->reason));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->moves_group), movable > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->blocked_group), blocked > 0);

  /* Nothing to do when nothing can move; an already disabled host needs
   * no disabling. */
  adw_message_dialog_set_response_enabled (dialog, "evacuate", movable > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->disable_row), movable > 0 && ferry_host_get_enabled (host));
  fit_content (self);
}

static void
ferry_evacuate_dialog_dispose (GObject *object)
{
  FerryEvacuateDialog *self = FERRY_EVACUATE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_EVACUATE_DIALOG);
  g_clear_object (&self->evacuation);

  G_OBJECT_CLASS (ferry_evacuate_dialog_parent_class)->dispose (object);
}

static void
ferry_evacuate_dialog_class_init (FerryEvacuateDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_evacuate_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/xenferry/Ferry/ferry-evacuate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryEvacuateDialog, scrolled);
  gtk_widget_class_bind_template_child (widget_class, FerryEvacuateDialog, moves_group);
  gtk_widget_class_bind_template_child (widget_class, FerryEvacuateDialog, blocked_group);
  gtk_widget_class_bind_template_child (widget_class, FerryEvacuateDialog, disable_row);
  gtk_widget_class_bind_template_child (widget_class, FerryEvacuateDialog, disable_switch);
}

static void
ferry_evacuate_dialog_init (FerryEvacuateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ferry_evacuate_dialog_new (GtkWindow       *parent,
                           FerryEvacuation *evacuation)
{
  FerryEvacuateDialog *self;

  g_return_val_if_fail (FERRY_IS_EVACUATION (evacuation), NULL);

  self = g_object_new (FERRY_TYPE_EVACUATE_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->evacuation = g_object_ref (evacuation);
  fill (self);
  return GTK_WIDGET (self);
}

FerryEvacuation *
ferry_evacuate_dialog_get_evacuation (FerryEvacuateDialog *self)
{
  g_return_val_if_fail (FERRY_IS_EVACUATE_DIALOG (self), NULL);

  return self->evacuation;
}

gboolean
ferry_evacuate_dialog_get_disable_host (FerryEvacuateDialog *self)
{
  g_return_val_if_fail (FERRY_IS_EVACUATE_DIALOG (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->disable_row)) &&
         gtk_switch_get_active (self->disable_switch);
}
