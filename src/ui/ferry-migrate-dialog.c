/* ferry-migrate-dialog.c: "OK to migrate without shared storage?"
 *
 * Storage motion copies whole disks while the VM keeps running; it is slow
 * and uses the target's storage, so the engine stops and asks.  The dialog
 * says in sentences what will happen (from ferry_plan_describe()) and keeps
 * the choices the engine made (the SR per disk, the network per VIF, the
 * migration network) one click away under "Advanced", preselected with the
 * plan's defaults.  Only what the user changes is sent back as overrides.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-migrate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-migrate-dialog.h"
#include "ferry-ui-util.h"

typedef struct
{
  char        *ref;         /* vdi_ref or vif_ref */
  AdwComboRow *row;
} Choice;

struct _FerryMigrateDialog
{
  AdwMessageDialog parent_instance;

  FerryJob        *job;
  FerryPlan       *plan;
  FerryHost       *target;

  GListModel      *srs;          /* SRs the target host can use */
  GListModel      *networks;     /* networks of the target pool */
  GListModel      *transfer;     /* networks the target host has a PIF on */

  AdwComboRow     *all_disks_row;
  GtkSwitch       *per_disk_switch;
  gboolean         initially_per_disk;
  GtkWidget       *per_disk_group;
  GArray          *disk_choices; /* Choice */
  GArray          *vif_choices;  /* Choice */
  AdwComboRow     *transfer_row;
};

G_DEFINE_FINAL_TYPE (FerryMigrateDialog, ferry_migrate_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
choice_clear (gpointer data)
{
  Choice *choice = data;

  g_clear_pointer (&choice->ref, g_free);
}

static guint
find_position (GListModel *model,
               gpointer    item)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n && item != NULL; i++)
    {
      g_autoptr(GObject) candidate = g_list_model_get_item (model, i);

      if (candidate == item)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static GQuark touched_quark;

static void
row_touched_cb (AdwComboRow *row,
                GParamSpec  *pspec,
                gpointer     user_data)
{
  g_object_set_qdata (G_OBJECT (row), touched_quark, GINT_TO_POINTER (1));
}

static void
select_item (AdwComboRow *row,
             GListModel  *model,
             gpointer     item)
{
  guint position = find_position (model, item);

  if (position != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (row, position);
  /* Only a choice the user made counts as an override: a row whose plan
   * value is not in the list still shows its first item. */
  g_signal_connect (row, "notify::selected", G_CALLBACK (row_touched_cb), NULL);
}

static gboolean
row_touched (AdwComboRow *row)
{
  return g_object_get_qdata (G_OBJECT (row), touched_quark) != NULL;
}

static gpointer
selected_item (AdwComboRow *row)
{
  return adw_combo_row_get_selected_item (row);
}

/*
 * Labels for the drop-downs
 */

static char *
sr_label (FerrySr  *sr,
          gpointer  user_data)
{
  g_autofree char *free_space = NULL;

  if (sr == NULL)
    return g_strdup ("");
  free_space = ferry_format_memory (ferry_sr_get_free (sr));
  /* Translators: an SR in a drop-down, "Local storage lyon-2 (120 GiB free)" */
  return g_strdup_printf (_("%s (%s free)"), ferry_sr_get_name (sr), free_space);
}

static char *
network_label (FerryNetwork *network,
               gpointer      user_data)
{
  if (network == NULL)
    return g_strdup ("");
  return g_strdup (ferry_network_get_name (network));
}

static gboolean
sr_usable_func (gpointer item,
                gpointer user_data)
{
  FerrySr *sr = item;

  return ferry_sr_is_attached_to (sr, user_data)
         && g_strcmp0 (ferry_sr_get_content_type (sr), "iso") != 0;
}

static gboolean
network_on_host_func (gpointer item,
                      gpointer user_data)
{
  return ferry_network_has_pif_on (item, user_data);
}

static AdwComboRow *
new_combo (GListModel *model,
           GType       type,
           GCallback   label_func,
           const char *title,
           const char *subtitle)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  GtkExpression *expression;

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL, label_func, NULL, NULL);
  adw_combo_row_set_expression (row, expression);
  gtk_expression_unref (expression);
  adw_combo_row_set_model (row, model);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

/*
 * Building the Advanced section
 */

static void
per_disk_toggled_cb (FerryMigrateDialog *self,
                     GParamSpec         *pspec,
                     GtkSwitch          *sw)
{
  gboolean per_disk = gtk_switch_get_active (sw);

  gtk_widget_set_visible (self->per_disk_group, per_disk);
  gtk_widget_set_sensitive (GTK_WIDGET (self->all_disks_row), !per_disk);
}

static GtkWidget *
build_advanced (FerryMigrateDialog *self)
{
  GPtrArray *disks = ferry_plan_get_disks (self->plan);
  GPtrArray *vifs = ferry_plan_get_vifs (self->plan);
  GtkWidget *expander;
  GtkWidget *box;
  GtkWidget *group;
  GtkWidget *row;
  FerrySr *common = NULL;
  gboolean all_same = TRUE;

  expander = gtk_expander_new_with_mnemonic (_("_Advanced"));
  /* AdwMessageDialog stays 372 px wide unless its extra child needs more;
   * the drop-downs below need room for SR names and free space. */
  gtk_widget_set_size_request (expander, 480, -1);
  /* GTK 4.8 gives expanders no accessible name of their own. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (expander),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Advanced"), -1);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_expander_set_child (GTK_EXPANDER (expander), box);

  /* Storage: one SR for every disk, or one per disk. */
  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk *disk = g_ptr_array_index (disks, i);

      if (i == 0)
        common = disk->to;
      else if (disk->to != common)
        all_same = FALSE;
    }

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Storage"));
  self->all_disks_row = new_combo (self->srs, FERRY_TYPE_SR, G_CALLBACK (sr_label),
                                   _("Destination for all disks"), NULL);
  select_item (self->all_disks_row, self->srs, common);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->all_disks_row));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Choose for each disk"));
  self->per_disk_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->per_disk_switch), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->per_disk_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Choose for each disk"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->per_disk_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->per_disk_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  gtk_box_append (GTK_BOX (box), group);

  self->per_disk_group = adw_preferences_group_new ();
  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk *disk = g_ptr_array_index (disks, i);
      g_autofree char *size = ferry_format_memory (disk->virtual_size);
      g_autofree char *subtitle = NULL;
      Choice choice = { 0 };

      /* Translators: a disk in the Advanced section, "20 GiB, now on Local storage lyon-1" */
      subtitle = g_strdup_printf (_("%s, now on %s"), size,
                                  disk->from ? ferry_sr_get_name (disk->from) : _("unknown storage"));
      choice.ref = g_strdup (disk->vdi_ref);
      choice.row = new_combo (self->srs, FERRY_TYPE_SR, G_CALLBACK (sr_label),
                              disk->name ? disk->name : disk->vdi_ref, subtitle);
      select_item (choice.row, self->srs, disk->to);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->per_disk_group), GTK_WIDGET (choice.row));
      g_array_append_val (self->disk_choices, choice);
    }
  gtk_box_append (GTK_BOX (box), self->per_disk_group);
  g_signal_connect_object (self->per_disk_switch, "notify::active", G_CALLBACK (per_disk_toggled_cb),
                           self, G_CONNECT_SWAPPED);
  self->initially_per_disk = !all_same;
  gtk_switch_set_active (self->per_disk_switch, !all_same);
  per_disk_toggled_cb (self, NULL, self->per_disk_switch);

  /* Networks: one per VIF, then the network the copy travels on. */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Networks"));
  for (guint i = 0; i < vifs->len; i++)
    {
      FerryPlanVif *vif = g_ptr_array_index (vifs, i);
      g_autofree char *title = NULL;
      Choice choice = { 0 };

      /* Translators: "Network of interface 0" */
      title = g_strdup_printf (_("Network of interface %s"), vif->device ? vif->device : "?");
      choice.ref = g_strdup (vif->vif_ref);
      choice.row = new_combo (self->networks, FERRY_TYPE_NETWORK, G_CALLBACK (network_label), title, vif->mac);
      select_item (choice.row, self->networks, vif->to ? vif->to : vif->from);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (choice.row));
      g_array_append_val (self->vif_choices, choice);
    }

  self->transfer_row = new_combo (self->transfer, FERRY_TYPE_NETWORK, G_CALLBACK (network_label),
                                  _("Migration network"),
                                  ferry_plan_get_migration_network_why (self->plan));
  select_item (self->transfer_row, self->transfer, ferry_plan_get_migration_network (self->plan));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->transfer_row));
  gtk_box_append (GTK_BOX (box), group);

  return expander;
}

/*
 * Responses
 */

FerryMigrateOptions *
ferry_migrate_dialog_get_changed_options (FerryMigrateDialog *self)
{
  g_autoptr(FerryMigrateOptions) options = NULL;
  GPtrArray *disks;
  GPtrArray *vifs;
  gboolean changed = FALSE;

  g_return_val_if_fail (FERRY_IS_MIGRATE_DIALOG (self), NULL);

  disks = ferry_plan_get_disks (self->plan);
  vifs = ferry_plan_get_vifs (self->plan);

  /* Start from the overrides the plan was built from, so a re-plan keeps them. */
  options = ferry_migrate_options_copy (ferry_plan_get_options (self->plan));

  /* Compare items, not positions: the SR list is live and may reorder. */
  if (self->per_disk_switch != NULL && gtk_switch_get_active (self->per_disk_switch))
    {
      for (guint i = 0; i < self->disk_choices->len && i < disks->len; i++)
        {
          Choice *choice = &g_array_index (self->disk_choices, Choice, i);
          FerryPlanDisk *disk = g_ptr_array_index (disks, i);
          FerrySr *sr = selected_item (choice->row);

          if (sr != NULL && row_touched (choice->row) && sr != disk->to)
            {
              ferry_migrate_options_set_disk_sr (options, choice->ref, sr);
              changed = TRUE;
            }
        }
    }
  else if (self->all_disks_row != NULL)
    {
      FerrySr *sr = selected_item (self->all_disks_row);
      gboolean differs = FALSE;

      for (guint i = 0; i < disks->len && !differs; i++)
        differs = ((FerryPlanDisk *) g_ptr_array_index (disks, i))->to != sr;
      if (sr != NULL && differs && (row_touched (self->all_disks_row) || self->initially_per_disk))
        {
          ferry_migrate_options_set_sr (options, sr);
          changed = TRUE;
        }
    }

  for (guint i = 0; self->vif_choices != NULL && i < self->vif_choices->len && i < vifs->len; i++)
    {
      Choice *choice = &g_array_index (self->vif_choices, Choice, i);
      FerryPlanVif *vif = g_ptr_array_index (vifs, i);
      FerryNetwork *network = selected_item (choice->row);

      if (network != NULL && row_touched (choice->row) && network != (vif->to ? vif->to : vif->from))
        {
          ferry_migrate_options_set_vif_network (options, choice->ref, network);
          changed = TRUE;
        }
    }

  if (self->transfer_row != NULL)
    {
      FerryNetwork *network = selected_item (self->transfer_row);

      if (network != NULL && row_touched (self->transfer_row)
          && network != ferry_plan_get_migration_network (self->plan))
        {
          ferry_migrate_options_set_migration_network (options, network);
          changed = TRUE;
        }
    }

  return changed ? g_steal_pointer (&options) : NULL;
}

static void
response_cb (FerryMigrateDialog *self,
             const char         *response)
{
  if (self->job == NULL || ferry_job_get_state (self->job) != FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    return;

  if (g_strcmp0 (response, "ok") == 0)
    {
      g_autoptr(FerryMigrateOptions) changed = ferry_migrate_dialog_get_changed_options (self);

      ferry_job_confirm (self->job, changed);
    }
  else
    ferry_job_decline (self->job);
}

static void
job_state_cb (FerryMigrateDialog *self,
              GParamSpec         *pspec,
              FerryJob           *job)
{
  /* Cancelled from the jobs panel (or by the engine): nothing left to ask. */
  if (ferry_job_get_state (job) != FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    gtk_window_close (GTK_WINDOW (self));
}

/*
 * GObject
 */

static void
ferry_migrate_dialog_dispose (GObject *object)
{
  FerryMigrateDialog *self = FERRY_MIGRATE_DIALOG (object);

  g_clear_object (&self->job);
  g_clear_object (&self->plan);
  g_clear_object (&self->target);
  g_clear_object (&self->srs);
  g_clear_object (&self->networks);
  g_clear_object (&self->transfer);
  g_clear_pointer (&self->disk_choices, g_array_unref);
  g_clear_pointer (&self->vif_choices, g_array_unref);

  G_OBJECT_CLASS (ferry_migrate_dialog_parent_class)->dispose (object);
}

static void
ferry_migrate_dialog_map (GtkWidget *widget)
{
  GtkWidget *default_widget;

  GTK_WIDGET_CLASS (ferry_migrate_dialog_parent_class)->map (widget);

  /* AdwMessageDialog focuses the first focusable child, which would be the
   * "Advanced" expander; Enter should mean OK, as the button shows. */
  default_widget = gtk_window_get_default_widget (GTK_WINDOW (widget));
  if (default_widget != NULL)
    gtk_widget_grab_focus (default_widget);
}

static void
ferry_migrate_dialog_class_init (FerryMigrateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_migrate_dialog_dispose;
  widget_class->map = ferry_migrate_dialog_map;

  touched_quark = g_quark_from_static_string ("ferry-migrate-dialog-touched");
}

static void
ferry_migrate_dialog_init (FerryMigrateDialog *self)
{
  self->disk_choices = g_array_new (FALSE, TRUE, sizeof (Choice));
  g_array_set_clear_func (self->disk_choices, choice_clear);
  self->vif_choices = g_array_new (FALSE, TRUE, sizeof (Choice));
  g_array_set_clear_func (self->vif_choices, choice_clear);
}

GtkWidget *
ferry_migrate_dialog_new (GtkWindow *parent,
                          FerryJob  *job)
{
  FerryMigrateDialog *self;
  g_autofree char *body = NULL;
  FerryPool *target_pool;

  g_return_val_if_fail (FERRY_IS_JOB (job), NULL);
  g_return_val_if_fail (FERRY_IS_PLAN (ferry_job_get_plan (job)), NULL);

  self = g_object_new (FERRY_TYPE_MIGRATE_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "heading", _("OK to migrate without shared storage?"),
                       NULL);
  self->job = g_object_ref (job);
  self->plan = g_object_ref (ferry_job_get_plan (job));
  self->target = g_object_ref (ferry_plan_get_target (self->plan));

  body = ferry_plan_describe (self->plan);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  target_pool = ferry_host_get_pool (self->target);
  if (target_pool != NULL)
    {
      GtkFilter *filter;

      filter = GTK_FILTER (gtk_custom_filter_new (sr_usable_func, g_object_ref (self->target), g_object_unref));
      self->srs = G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (ferry_pool_get_srs (target_pool)), filter));
      self->networks = g_object_ref (ferry_pool_get_networks (target_pool));
      filter = GTK_FILTER (gtk_custom_filter_new (network_on_host_func, g_object_ref (self->target), g_object_unref));
      self->transfer = G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (self->networks), filter));
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), build_advanced (self));
    }

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    "ok", _("_OK"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "ok");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
  g_signal_connect_object (job, "notify::state", G_CALLBACK (job_state_cb), self, G_CONNECT_SWAPPED);

  return GTK_WIDGET (self);
}

FerryJob *
ferry_migrate_dialog_get_job (FerryMigrateDialog *self)
{
  g_return_val_if_fail (FERRY_IS_MIGRATE_DIALOG (self), NULL);

  return self->job;
}
