/* ferry-migrate-dialog-advanced.c: the Advanced section of the migration question
 *
 * The choices the engine made (the SR of each disk, the network of each
 * interface, the migration network, compression, copy, force) sit here one
 * click away.  Only what the user touched becomes an override, and a
 * change re-plans the jobs (ferry-migrate-dialog.c).  Across pools, what
 * was chosen is what the window remembers for the next move between the
 * same two pools, and the rows that show a choice of last time say so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-migrate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-migrate-dialog-private.h"
#include "ferry-ui-util.h"

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

/*
 * Choices: only what the user touched becomes an override
 */

/* The rows and switches the user changed (qdata on our own widgets). */
static GQuark
touched_quark (void)
{
  return g_quark_from_static_string ("ferry-migrate-dialog-touched");
}

static void
mark_touched (GtkWidget          *widget,
              FerryMigrateDialog *self)
{
  g_object_set_qdata (G_OBJECT (widget), touched_quark (), GINT_TO_POINTER (1));
  ferry_migrate_dialog_options_changed (self);
}

static void
combo_changed_cb (AdwComboRow        *row,
                  GParamSpec         *pspec,
                  FerryMigrateDialog *self)
{
  mark_touched (GTK_WIDGET (row), self);
  ferry_migrate_dialog_mark_remembered (self);
}

static void
switch_changed_cb (GtkSwitch          *sw,
                   GParamSpec         *pspec,
                   FerryMigrateDialog *self)
{
  mark_touched (GTK_WIDGET (sw), self);
}

static gboolean
touched (gpointer widget)
{
  return widget != NULL && g_object_get_qdata (G_OBJECT (widget), touched_quark ()) != NULL;
}

static void
select_item (FerryMigrateDialog *self,
             AdwComboRow        *row,
             GListModel         *model,
             gpointer            item)
{
  guint position = find_position (model, item);

  if (position != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (row, position);
  /* Connected after the preselection: a row whose plan value is not in
   * the list still shows its first item, and that is no choice. */
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (combo_changed_cb), self, 0);
}

/*
 * Labels for the drop-downs
 */

static char *
sr_label (FerrySr *sr,
          gpointer user_data)
{
  g_autofree char *free_space = NULL;

  if (sr == NULL)
    return g_strdup ("");
  free_space = ferry_format_size (ferry_sr_get_free (sr));
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

/* The selected value is the row's subtitle, which wraps, rather than a
 * suffix label, which would cut long SR and network names short. */
static AdwComboRow *
new_combo (GListModel *model,
           GCallback   label_func,
           const char *title)
{
  AdwComboRow   *row = ADW_COMBO_ROW (adw_combo_row_new ());
  GtkExpression *expression;

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL, label_func, NULL, NULL);
  adw_combo_row_set_expression (row, expression);
  gtk_expression_unref (expression);
  adw_combo_row_set_model (row, model);
  adw_combo_row_set_use_subtitle (row, TRUE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
  return row;
}

static GtkSwitch *
add_switch_row (FerryMigrateDialog *self,
                GtkWidget          *group,
                const char         *title,
                const char         *subtitle,
                gboolean            active,
                GtkWidget         **row_out)
{
  GtkWidget *row = ferry_info_row_new (title, subtitle);
  GtkWidget *sw = gtk_switch_new ();

  gtk_switch_set_active (GTK_SWITCH (sw), active);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  g_signal_connect_object (sw, "notify::active", G_CALLBACK (switch_changed_cb), self, 0);
  if (row_out != NULL)
    *row_out = row;
  return GTK_SWITCH (sw);
}

/*
 * The Advanced section
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

/* The SR every disk of every plan goes to, or NULL if they differ. */
static FerrySr *
common_sr (FerryMigrateDialog *self)
{
  FerrySr *common = NULL;

  for (guint i = 0; i < self->items->len; i++)
    {
      GPtrArray *disks = ferry_plan_get_disks (ferry_job_get_plan (item_at (self, i)->job));

      for (guint j = 0; j < disks->len; j++)
        {
          FerryPlanDisk *disk = g_ptr_array_index (disks, j);

          if (common == NULL)
            common = disk->to;
          else if (disk->to != common)
            return NULL;
        }
    }
  return common;
}

static void
build_storage (FerryMigrateDialog *self,
               GtkWidget          *box)
{
  GtkWidget *group;
  FerrySr   *common = common_sr (self);

  group = adw_preferences_group_new ();
  self->storage_group = group;
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Storage"));
  self->all_disks_row = new_combo (self->srs, G_CALLBACK (sr_label), _("Destination for all disks"));
  select_item (self, self->all_disks_row, self->srs, common);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->all_disks_row));
  gtk_box_append (GTK_BOX (box), group);
  self->initially_per_disk = common == NULL;

  if (!single (self))
    return;

  {
    GPtrArray *disks = ferry_plan_get_disks (first_plan (self));

    self->per_disk_switch = add_switch_row (self, group, _("Choose for each disk"), NULL, common == NULL, NULL);
    self->per_disk_group = adw_preferences_group_new ();
    for (guint i = 0; i < disks->len; i++)
      {
        FerryPlanDisk *disk = g_ptr_array_index (disks, i);
        Choice         choice = { 0 };

        choice.ref = g_strdup (disk->vdi_ref);
        choice.row = new_combo (self->srs, G_CALLBACK (sr_label), disk->name ? disk->name : disk->vdi_ref);
        select_item (self, choice.row, self->srs, disk->to);
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->per_disk_group), GTK_WIDGET (choice.row));
        g_array_append_val (self->disk_choices, choice);
      }
    gtk_box_append (GTK_BOX (box), self->per_disk_group);
    g_signal_connect_object (self->per_disk_switch, "notify::active", G_CALLBACK (per_disk_toggled_cb),
                             self, G_CONNECT_SWAPPED);
    per_disk_toggled_cb (self, NULL, self->per_disk_switch);
  }
}

static void
build_networks (FerryMigrateDialog *self,
                GtkWidget          *box)
{
  FerryPlan *plan = first_plan (self);
  GtkWidget *group = adw_preferences_group_new ();

  self->networks_group = group;
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Networks"));

  /* Inside a pool the interfaces stay on their networks (XAPI takes no
   * VIF map there), so there is nothing to choose for them. */
  if (self->cross_pool && single (self))
    {
      GPtrArray *vifs = ferry_plan_get_vifs (plan);

      for (guint i = 0; i < vifs->len; i++)
        {
          FerryPlanVif    *vif = g_ptr_array_index (vifs, i);
          g_autofree char *title = NULL;
          Choice           choice = { 0 };

          /* Translators: "Network of interface 0" */
          title = g_strdup_printf (_("Network of interface %s"), vif->device ? vif->device : "?");
          choice.ref = g_strdup (vif->vif_ref);
          choice.row = new_combo (self->networks, G_CALLBACK (network_label), title);
          select_item (self, choice.row, self->networks, vif->to ? vif->to : vif->from);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (choice.row));
          g_array_append_val (self->vif_choices, choice);
        }
    }
  else if (self->cross_pool)
    {
      self->all_vifs_row = new_combo (self->networks, G_CALLBACK (network_label), _("Network for all interfaces"));
      select_item (self, self->all_vifs_row, self->networks, NULL);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->all_vifs_row));
    }

  self->transfer_row = new_combo (self->transfer, G_CALLBACK (network_label), _("Migration network"));
  select_item (self, self->transfer_row, self->transfer, ferry_plan_get_migration_network (plan));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->transfer_row));
  gtk_box_append (GTK_BOX (box), group);
}

static void
build_options (FerryMigrateDialog *self,
               GtkWidget          *box)
{
  FerryMigrateOptions *base = item_at (self, 0)->base;
  GtkWidget           *group = adw_preferences_group_new ();
  FerryPool           *target_pool = ferry_host_get_pool (self->target);
  gboolean             compress = FALSE;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Options"));
  ferry_migrate_options_get_compress (base, &compress);
  self->compress_switch = add_switch_row (self, group, _("Compress"),
                                          _("The pool compresses what it sends: less traffic, more processor time."),
                                          compress, NULL);

  /* XAPI copies only to another pool. */
  if (self->cross_pool)
    {
      g_autofree char *subtitle = NULL;

      subtitle = g_strdup_printf (_("A halted copy with a new uuid is made in “%s”; the original stays where it is. "
                                    "A running VM can only be copied with Force."),
                                  target_pool != NULL ? ferry_pool_get_name (target_pool) : "?");
      self->copy_switch = add_switch_row (self, group, _("Copy"), subtitle,
                                          ferry_migrate_options_get_copy (base), NULL);
    }

  self->force_switch = add_switch_row (self, group, _("Force"),
                                       _("The pool skips its CPU compatibility check; the VM may fail on the new host."),
                                       ferry_migrate_options_get_force (base), &self->force_row);
  gtk_widget_set_visible (self->force_row, ferry_migrate_dialog_needs_force (self) || ferry_migrate_options_get_force (base));

  gtk_box_append (GTK_BOX (box), group);
}

/* Opened, the section scrolls into sight (once laid out). */
static gboolean
show_advanced_idle (gpointer user_data)
{
  FerryMigrateDialog *self = user_data;
  GtkWidget          *child;
  GtkWidget          *expander;
  GtkAdjustment      *adjustment;
  double              x = 0, y = 0;

  if (self->scrolled == NULL)
    return G_SOURCE_REMOVE;
  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (self->scrolled));
  expander = gtk_widget_get_last_child (gtk_viewport_get_child (GTK_VIEWPORT (child)));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scrolled));
  if (GTK_IS_EXPANDER (expander) && gtk_expander_get_expanded (GTK_EXPANDER (expander)) &&
      gtk_widget_translate_coordinates (expander, child, 0, 0, &x, &y))
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y);
  return G_SOURCE_REMOVE;
}

static void
expanded_cb (FerryMigrateDialog *self,
             GParamSpec         *pspec,
             GtkExpander        *expander)
{
  ferry_migrate_dialog_fit_content (self);
  if (gtk_expander_get_expanded (expander))
    g_timeout_add_full (G_PRIORITY_DEFAULT, 100, show_advanced_idle, g_object_ref (self), g_object_unref);
}

GtkWidget *
ferry_migrate_dialog_build_advanced (FerryMigrateDialog *self)
{
  GtkWidget *expander;
  GtkWidget *box;

  expander = gtk_expander_new_with_mnemonic (_("_Advanced"));
  /* GTK 4.8 gives expanders no accessible name of their own. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (expander),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Advanced"), -1);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (box, 12);
  gtk_expander_set_child (GTK_EXPANDER (expander), box);
  g_signal_connect_object (expander, "notify::expanded", G_CALLBACK (expanded_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  build_storage (self, box);
  build_networks (self, box);
  build_options (self, box);

  return expander;
}

/*
 * Overrides
 */

FerryMigrateOptions *
ferry_migrate_dialog_options_for (FerryMigrateDialog *self,
                                  Item               *item,
                                  gboolean           *changed)
{
  FerryMigrateOptions *options = ferry_migrate_options_copy (item->base);
  gboolean             any = FALSE;

  if (self->per_disk_switch != NULL && gtk_switch_get_active (self->per_disk_switch))
    {
      for (guint i = 0; i < self->disk_choices->len; i++)
        {
          Choice  *choice = &g_array_index (self->disk_choices, Choice, i);
          FerrySr *sr = adw_combo_row_get_selected_item (choice->row);

          if (sr != NULL && touched (choice->row))
            {
              ferry_migrate_options_set_disk_sr (options, choice->ref, sr);
              any = TRUE;
            }
        }
    }
  else if (self->all_disks_row != NULL)
    {
      FerrySr *sr = adw_combo_row_get_selected_item (self->all_disks_row);

      if (sr != NULL && (touched (self->all_disks_row) || (self->initially_per_disk && touched (self->per_disk_switch))))
        {
          ferry_migrate_options_set_sr (options, sr);
          any = TRUE;
        }
    }

  for (guint i = 0; i < self->vif_choices->len; i++)
    {
      Choice       *choice = &g_array_index (self->vif_choices, Choice, i);
      FerryNetwork *network = adw_combo_row_get_selected_item (choice->row);

      if (network != NULL && touched (choice->row))
        {
          ferry_migrate_options_set_vif_network (options, choice->ref, network);
          any = TRUE;
        }
    }

  if (touched (self->all_vifs_row) && adw_combo_row_get_selected_item (self->all_vifs_row) != NULL)
    {
      ferry_migrate_options_set_network (options, adw_combo_row_get_selected_item (self->all_vifs_row));
      any = TRUE;
    }

  if (touched (self->transfer_row) && adw_combo_row_get_selected_item (self->transfer_row) != NULL)
    {
      ferry_migrate_options_set_migration_network (options, adw_combo_row_get_selected_item (self->transfer_row));
      any = TRUE;
    }

  if (touched (self->compress_switch))
    {
      ferry_migrate_options_set_compress (options, gtk_switch_get_active (self->compress_switch));
      any = TRUE;
    }
  if (touched (self->copy_switch))
    {
      ferry_migrate_options_set_copy (options, gtk_switch_get_active (self->copy_switch));
      any = TRUE;
    }
  if (touched (self->force_switch))
    {
      ferry_migrate_options_set_force (options, gtk_switch_get_active (self->force_switch));
      any = TRUE;
    }

  if (changed != NULL)
    *changed = any;
  return options;
}

/*
 * Choices remembered for a pair of pools
 */

/* The same object in every row that shows it, or NULL if they differ or
 * none was touched. */
static gpointer
common_choice (GArray *choices)
{
  gpointer common = NULL;
  gboolean any_touched = FALSE;

  for (guint i = 0; i < choices->len; i++)
    {
      Choice  *choice = &g_array_index (choices, Choice, i);
      gpointer selected = adw_combo_row_get_selected_item (choice->row);

      if (selected == NULL || (common != NULL && selected != common))
        return NULL;
      common = selected;
      any_touched |= touched (choice->row);
    }
  return any_touched ? common : NULL;
}

FerryMigrateOptions *
ferry_migrate_dialog_dup_pool_choices (FerryMigrateDialog *self)
{
  g_autoptr(FerryMigrateOptions) options = NULL;
  FerrySr      *sr = NULL;
  FerryNetwork *network = NULL;
  FerryNetwork *transfer = NULL;

  g_return_val_if_fail (FERRY_IS_MIGRATE_DIALOG (self), NULL);

  /* Inside a pool nothing is carried over: each host has its own storage. */
  if (!self->cross_pool)
    return NULL;

  if (self->per_disk_switch != NULL && gtk_switch_get_active (self->per_disk_switch))
    sr = common_choice (self->disk_choices);
  else if (self->all_disks_row != NULL &&
           (touched (self->all_disks_row) || (self->initially_per_disk && touched (self->per_disk_switch))))
    sr = adw_combo_row_get_selected_item (self->all_disks_row);

  if (self->vif_choices->len > 0)
    network = common_choice (self->vif_choices);
  else if (touched (self->all_vifs_row))
    network = adw_combo_row_get_selected_item (self->all_vifs_row);

  if (touched (self->transfer_row))
    transfer = adw_combo_row_get_selected_item (self->transfer_row);

  if (sr == NULL && network == NULL && transfer == NULL)
    return NULL;

  options = ferry_migrate_options_new ();
  if (sr != NULL)
    ferry_migrate_options_set_sr (options, sr);
  if (network != NULL)
    ferry_migrate_options_set_network (options, network);
  if (transfer != NULL)
    ferry_migrate_options_set_migration_network (options, transfer);
  return g_steal_pointer (&options);
}

/* Whether the row shows what was remembered. */
static gboolean
shows (AdwComboRow *row,
       gpointer     remembered)
{
  return row != NULL && remembered != NULL && adw_combo_row_get_selected_item (row) == remembered;
}

/* The groups of Advanced whose rows show a choice of last time say so
 * (the list above says it for each disk and interface). */
void
ferry_migrate_dialog_mark_remembered (FerryMigrateDialog *self)
{
  FerrySr         *sr = self->remembered != NULL ? ferry_migrate_options_get_sr (self->remembered) : NULL;
  FerryNetwork    *network = self->remembered != NULL ? ferry_migrate_options_get_network (self->remembered) : NULL;
  FerryNetwork    *transfer = self->remembered != NULL
                              ? ferry_migrate_options_get_migration_network (self->remembered)
                              : NULL;
  gboolean         storage = shows (self->all_disks_row, sr);
  gboolean         networks = shows (self->all_vifs_row, network) || shows (self->transfer_row, transfer);
  FerryPool       *target_pool = self->target != NULL ? ferry_host_get_pool (self->target) : NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->vif_choices->len; i++)
    networks |= shows (g_array_index (self->vif_choices, Choice, i).row, network);

  if (self->storage_group == NULL || self->networks_group == NULL)
    return;
  /* Translators: under Storage or Networks in the migration dialog, "As last time to Paris" */
  text = g_strdup_printf (_("As last time to “%s”"), target_pool != NULL ? ferry_pool_get_name (target_pool) : "?");
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->storage_group), storage ? text : NULL);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->networks_group), networks ? text : NULL);
}

void
ferry_migrate_dialog_set_remembered (FerryMigrateDialog        *self,
                                     const FerryMigrateOptions *remembered)
{
  g_return_if_fail (FERRY_IS_MIGRATE_DIALOG (self));

  g_clear_pointer (&self->remembered, ferry_migrate_options_free);
  if (remembered != NULL && self->cross_pool)
    self->remembered = ferry_migrate_options_copy (remembered);
  ferry_migrate_dialog_mark_remembered (self);
  /* The list says "as last time" too. */
  ferry_migrate_dialog_schedule_render (self);
}
