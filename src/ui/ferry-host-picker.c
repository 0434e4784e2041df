/* ferry-host-picker.c: "Migrate to…": choose a host with the keyboard
 *
 * The keyboard twin of a drop: every host of every pool, the VM's own pool
 * first, each saying whether it can take the VMs and, if not, why (the same
 * cached answer a drag shows).  Hosts that cannot take them stay focusable so
 * that a screen reader reads the reason, but activating them does nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-host-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-host-picker.h"
#include "ferry-ui-util.h"

struct _FerryHostPicker
{
  AdwWindow     parent_instance;

  FerryManager *manager;
  GPtrArray    *vms;
  GtkWidget    *page;
};

enum
{
  SIGNAL_HOST_CHOSEN,
  N_SIGNALS
};

static guint  signals[N_SIGNALS];
static GQuark host_quark;

G_DEFINE_FINAL_TYPE (FerryHostPicker, ferry_host_picker, ADW_TYPE_WINDOW)

static void
row_activated_cb (FerryHostPicker *self,
                  AdwActionRow    *row)
{
  FerryHost *host = g_object_get_qdata (G_OBJECT (row), host_quark);

  if (host == NULL)
    return;

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_HOST_CHOSEN], 0, host);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

static GtkWidget *
build_host_row (FerryHostPicker *self,
                FerryHost       *host)
{
  GtkWidget       *row = ferry_info_row_new (ferry_host_get_name (host), NULL);
  g_autofree char *free_mem = ferry_format_size (ferry_host_get_memory_free (host));
  g_autofree char *reason = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *a11y = NULL;
  gboolean         ok = TRUE;

  for (guint i = 0; i < self->vms->len && ok; i++)
    {
      FerryVm         *vm = g_ptr_array_index (self->vms, i);
      g_autofree char *why = NULL;

      if (!ferry_manager_check_target (self->manager, vm, host, &why))
        {
          ok = FALSE;
          if (self->vms->len > 1)
            reason = g_strdup_printf ("%s: %s", ferry_vm_get_name (vm), why ? why : _("cannot move here"));
          else
            reason = g_strdup (why ? why : _("Cannot move here"));
        }
    }

  if (ok)
    {
      /* Translators: host memory in the host picker */
      subtitle = g_strdup_printf (_("%s free"), free_mem);
      /* Translators: accessible name, "Host lyon-2, 12 GiB free" */
      a11y = g_strdup_printf (_("Host %s, %s free"), ferry_host_get_name (host), free_mem);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_qdata_full (G_OBJECT (row), host_quark, g_object_ref (host), g_object_unref);
      g_signal_connect_object (row, "activated", G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
    }
  else
    {
      subtitle = g_strdup (reason);
      /* Translators: accessible name, "Host lyon-1, cannot take it: Already on this host" */
      a11y = g_strdup_printf (_("Host %s, cannot take it: %s"), ferry_host_get_name (host), reason);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_widget_add_css_class (row, "dim-label");
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "network-server-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  return row;
}

static void
populate (FerryHostPicker *self)
{
  GListModel *pools = ferry_manager_get_pools (self->manager);
  FerryPool  *own_pool = ferry_vm_get_pool (g_ptr_array_index (self->vms, 0));
  guint       n_pools = g_list_model_get_n_items (pools);

  for (guint pass = 0; pass < 2; pass++)
    for (guint p = 0; p < n_pools; p++)
      {
        g_autoptr(FerryPool) pool = g_list_model_get_item (pools, p);
        GListModel      *hosts = ferry_pool_get_hosts (pool);
        guint            n_hosts = g_list_model_get_n_items (hosts);
        GtkWidget       *group;
        g_autofree char *title = NULL;

        if ((pass == 0) != (pool == own_pool) || n_hosts == 0)
          continue;

        group = adw_preferences_group_new ();
        /* Translators: a group of hosts in the host picker */
        title = g_strdup_printf (_("Pool %s"), ferry_pool_get_name (pool));
        adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
        if (pool != own_pool)
          adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                                 _("Another pool: the disks are copied too"));
        for (guint h = 0; h < n_hosts; h++)
          {
            g_autoptr(FerryHost) host = g_list_model_get_item (hosts, h);

            adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), build_host_row (self, host));
          }
        adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (group));
      }
}

static void
ferry_host_picker_dispose (GObject *object)
{
  FerryHostPicker *self = FERRY_HOST_PICKER (object);

  g_clear_object (&self->manager);
  g_clear_pointer (&self->vms, g_ptr_array_unref);

  G_OBJECT_CLASS (ferry_host_picker_parent_class)->dispose (object);
}

static void
ferry_host_picker_class_init (FerryHostPickerClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_host_picker_dispose;

  host_quark = g_quark_from_static_string ("ferry-host-picker-host");
  signals[SIGNAL_HOST_CHOSEN] =
    g_signal_new ("host-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, FERRY_TYPE_HOST);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ferry_host_picker_init (FerryHostPicker *self)
{
}

GtkWidget *
ferry_host_picker_new (GtkWindow    *parent,
                       FerryManager *manager,
                       GPtrArray    *vms)
{
  FerryHostPicker *self;
  GtkWidget       *box;
  GtkWidget       *header;
  GtkWidget       *cancel;
  g_autofree char *title = NULL;

  g_return_val_if_fail (FERRY_IS_MANAGER (manager), NULL);
  g_return_val_if_fail (vms != NULL && vms->len > 0, NULL);

  if (vms->len == 1)
    /* Translators: title of the host picker, "Migrate web-01" */
    title = g_strdup_printf (_("Migrate %s"), ferry_vm_get_name (g_ptr_array_index (vms, 0)));
  else
    title = g_strdup_printf (ngettext ("Migrate %u VM", "Migrate %u VMs", vms->len), vms->len);

  self = g_object_new (FERRY_TYPE_HOST_PICKER,
                       "transient-for", parent,
                       "modal", TRUE,
                       "title", title,
                       "default-width", 440,
                       "default-height", 520,
                       NULL);
  self->manager = g_object_ref (manager);
  self->vms = g_ptr_array_ref (vms);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (title, _("Choose a host")));
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  gtk_box_append (GTK_BOX (box), header);

  self->page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (self->page, TRUE);
  gtk_box_append (GTK_BOX (box), self->page);
  adw_window_set_content (ADW_WINDOW (self), box);

  populate (self);
  return GTK_WIDGET (self);
}

GPtrArray *
ferry_host_picker_get_vms (FerryHostPicker *self)
{
  g_return_val_if_fail (FERRY_IS_HOST_PICKER (self), NULL);

  return self->vms;
}
