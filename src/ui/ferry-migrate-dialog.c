/* ferry-migrate-dialog.c: "OK to migrate without shared storage?"
 *
 * Storage motion copies whole disks while the VM keeps running; it is slow
 * and uses the target's storage, so the engine stops and asks, once per
 * drop however many VMs it holds.  Everything the dialog says comes from
 * the jobs' plans (FerryPlan): a short sentence, then a list of each disk
 * and where it goes, each interface and its network, the network the data
 * travels on and how much there is.  The choices the engine made sit one
 * click away under "Advanced"; changing one re-plans the jobs (the pool
 * checks the new plan, asynchronously) and the list is drawn again from
 * the new plans, so what the dialog says is what OK sends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-migrate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-migrate-dialog.h"
#include "ferry-ui-util.h"

/* Wide enough for an SR name and its free space in a drop-down's list
 * and for the list's sentences on one or two lines. */
#define CONTENT_WIDTH 520
/* The list and the Advanced section scroll beyond this height, so that
 * the dialog and its buttons stay on a 768-pixel screen. */
#define CONTENT_MAX_HEIGHT 540

typedef struct
{
  char        *ref;         /* vdi_ref or vif_ref */
  AdwComboRow *row;
} Choice;

typedef struct
{
  FerryJob            *job;
  FerryMigrateOptions *base;   /* the job's options before the dialog */
  GError              *error;  /* the new choices cannot be planned */
} Item;

struct _FerryMigrateDialog
{
  AdwMessageDialog parent_instance;

  GPtrArray       *items;        /* Item */
  FerryHost       *target;
  gboolean         cross_pool;

  GListModel      *srs;          /* SRs the target host can use */
  GListModel      *networks;     /* networks of the target pool */
  GListModel      *transfer;     /* networks the target host has a PIF on */

  GtkWidget       *status_label;
  GtkWidget       *scrolled;
  GtkWidget       *plan_box;     /* drawn again from every new plan */

  AdwComboRow     *all_disks_row;
  GtkSwitch       *per_disk_switch;
  gboolean         initially_per_disk;
  GtkWidget       *per_disk_group;
  GtkWidget       *storage_group;
  GtkWidget       *networks_group;
  GArray          *disk_choices; /* Choice */
  GArray          *vif_choices;  /* Choice */
  AdwComboRow     *all_vifs_row;
  AdwComboRow     *transfer_row;
  GtkSwitch       *compress_switch;
  GtkSwitch       *copy_switch;
  GtkSwitch       *force_switch;
  GtkWidget       *force_row;

  FerryMigrateOptions *remembered; /* the pool pair's choices from last time */

  GCancellable    *cancellable;
  guint            generation;
  guint            pending;
  guint            render_id;
};

G_DEFINE_FINAL_TYPE (FerryMigrateDialog, ferry_migrate_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void options_changed (FerryMigrateDialog *self);
static void schedule_render (FerryMigrateDialog *self);
static void mark_remembered (FerryMigrateDialog *self);

static void
choice_clear (gpointer data)
{
  Choice *choice = data;

  g_clear_pointer (&choice->ref, g_free);
}

static void
item_free (gpointer data)
{
  Item *item = data;

  g_clear_object (&item->job);
  g_clear_pointer (&item->base, ferry_migrate_options_free);
  g_clear_error (&item->error);
  g_free (item);
}

static Item *
item_at (FerryMigrateDialog *self,
         guint               i)
{
  return g_ptr_array_index (self->items, i);
}

static gboolean
item_waiting (Item *item)
{
  return ferry_job_get_state (item->job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION;
}

static gboolean
single (FerryMigrateDialog *self)
{
  return self->items->len == 1;
}

static FerryPlan *
first_plan (FerryMigrateDialog *self)
{
  return ferry_job_get_plan (item_at (self, 0)->job);
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

/*
 * Choices: only what the user touched becomes an override
 */

static GQuark touched_quark;

static void
mark_touched (GtkWidget          *widget,
              FerryMigrateDialog *self)
{
  g_object_set_qdata (G_OBJECT (widget), touched_quark, GINT_TO_POINTER (1));
  options_changed (self);
}

static void
combo_changed_cb (AdwComboRow        *row,
                  GParamSpec         *pspec,
                  FerryMigrateDialog *self)
{
  mark_touched (GTK_WIDGET (row), self);
  mark_remembered (self);
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
  return widget != NULL && g_object_get_qdata (G_OBJECT (widget), touched_quark) != NULL;
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

/* The selected value is the row's subtitle, which wraps, rather than a
 * suffix label, which would cut long SR and network names short. */
static AdwComboRow *
new_combo (GListModel *model,
           GCallback   label_func,
           const char *title)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
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
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
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
 * The list: what will happen, from the plans
 */

static GtkWidget *
info_row (const char *title,
          const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

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

static GtkWidget *
vm_group (FerryMigrateDialog *self,
          FerryPlan          *plan)
{
  FerryMigrateOptions *options = ferry_plan_get_options (plan);
  FerrySr *last_sr = self->remembered != NULL ? ferry_migrate_options_get_sr (self->remembered) : NULL;
  FerryNetwork *last_network = self->remembered != NULL ? ferry_migrate_options_get_network (self->remembered) : NULL;
  GtkWidget *group = adw_preferences_group_new ();
  GPtrArray *disks = ferry_plan_get_disks (plan);
  GPtrArray *vifs = ferry_plan_get_vifs (plan);

  if (!single (self))
    {
      FerryHost *source = ferry_vm_get_resident_on (ferry_plan_get_vm (plan));
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
      FerryPlanDisk *disk = g_ptr_array_index (disks, i);
      g_autofree char *size = ferry_format_memory (disk->virtual_size);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      const char *sr = disk->to != NULL ? ferry_sr_get_name (disk->to) : "?";

      /* Translators: a disk in the list of what will happen, "Disk “db-01 data”, 64 GiB" */
      title = g_strdup_printf (_("Disk “%s”, %s"), disk->name ? disk->name : disk->vdi_ref, size);
      if (disk->moves)
        /* Translators: where a disk goes, and why there, "Copied to Local storage lyon-3 (pool default SR)" */
        subtitle = g_strdup_printf (_("Copied to %s (%s)"), sr,
                                    reason_or_last_time (self, ferry_migrate_options_get_sr (options), last_sr,
                                                         disk->to, disk->why));
      else
        subtitle = g_strdup_printf (_("Stays on %s"), sr);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), info_row (title, subtitle));
    }

  /* A suspended VM's memory image travels too, where XAPI puts it. */
  if (ferry_plan_get_suspend_sr (plan) != NULL)
    {
      g_autofree char *size = ferry_format_memory (ferry_vm_get_memory (ferry_plan_get_vm (plan)));
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
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), info_row (title, subtitle));
    }

  for (guint i = 0; i < vifs->len; i++)
    {
      FerryPlanVif *vif = g_ptr_array_index (vifs, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      FerryNetwork *network = vif->to != NULL ? vif->to : vif->from;
      const char *name = network != NULL ? ferry_network_get_name (network) : "?";

      /* Translators: a network interface of the VM, "Interface 0" */
      title = g_strdup_printf (_("Interface %s"), vif->device ? vif->device : "?");
      if (ferry_plan_get_cross_pool (plan))
        /* Translators: the network an interface will be on, and why, "On DMZ (network with the same name)" */
        subtitle = g_strdup_printf (_("On %s (%s)"), name,
                                    reason_or_last_time (self, ferry_migrate_options_get_network (options),
                                                         last_network, vif->to, vif->why));
      else
        subtitle = g_strdup_printf (_("Stays on %s"), name);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), info_row (title, subtitle));
    }

  return group;
}

static GtkWidget *
transfer_group (FerryMigrateDialog *self)
{
  GtkWidget *group = adw_preferences_group_new ();
  FerryPlan *plan = NULL;
  guint64 bytes = 0;
  double seconds = 0;
  g_autofree char *total = NULL;
  g_autofree char *amount = NULL;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = item_at (self, i);
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
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), info_row (_("Transfer network"), subtitle));
    }

  total = ferry_format_memory (bytes);
  if (seconds >= 0)
    {
      g_autofree char *duration = ferry_plan_format_duration (seconds);

      /* Translators: "84 GiB, about 12 minutes" */
      amount = g_strdup_printf (_("%s, %s"), total, duration);
    }
  else
    amount = g_strdup (total);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), info_row (_("To transfer"), amount));

  return group;
}

static const char *
item_problem (Item *item)
{
  if (item->error != NULL)
    return item->error->message;
  return ferry_job_get_precheck_error (item->job);
}

static gboolean
needs_force (FerryMigrateDialog *self)
{
  for (guint i = 0; i < self->items->len; i++)
    if (g_strcmp0 (ferry_job_get_precheck_code (item_at (self, i)->job), "VM_INCOMPATIBLE_WITH_THIS_HOST") == 0)
      return TRUE;
  return FALSE;
}

/* The scrolled area asks for the height of what it holds, up to the
 * limit: AdwMessageDialog sizes itself by what its parts need at least,
 * and a shown window grows only for that (opening Advanced, a longer
 * list after a re-plan). */
static void
fit_content (FerryMigrateDialog *self)
{
  GtkWidget *child;
  int natural = 0;

  if (self->scrolled == NULL)
    return;
  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (self->scrolled));
  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, CONTENT_WIDTH, NULL, &natural, NULL, NULL);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (self->scrolled),
                                              MIN (natural, CONTENT_MAX_HEIGHT));
}

static void
render (FerryMigrateDialog *self)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  GtkWidget *child;
  guint n_waiting = 0;
  guint n_running = 0;
  gboolean ok;

  while ((child = gtk_widget_get_first_child (self->plan_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->plan_box), child);

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = item_at (self, i);
      FerryPlan *plan = ferry_job_get_plan (item->job);
      const char *problem = item_problem (item);

      if (!item_waiting (item) || plan == NULL)
        continue;
      n_waiting++;
      n_running += g_strcmp0 (ferry_vm_get_power_state (ferry_plan_get_vm (plan)), "Running") == 0;
      gtk_box_append (GTK_BOX (self->plan_box), vm_group (self, plan));
      if (problem != NULL)
        {
          if (problems->len > 0)
            g_string_append_c (problems, '\n');
          if (single (self))
            g_string_append (problems, problem);
          else
            /* Translators: a VM and why it cannot go as chosen */
            g_string_append_printf (problems, _("%s: %s"), ferry_job_get_vm_name (item->job), problem);
        }
    }
  gtk_box_append (GTK_BOX (self->plan_box), transfer_group (self));

  if (single (self) && first_plan (self) != NULL)
    {
      g_autofree char *summary = ferry_plan_summarize (first_plan (self));

      adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), summary);
    }
  else
    {
      g_autofree char *body = NULL;

      if (n_running == 0)
        /* halted or suspended VMs only: nothing keeps running */
        body = g_strdup_printf (ngettext ("%u VM will move to %s; its disks are copied, and it stays halted or suspended.",
                                          "%u VMs will move to %s; their disks are copied, and they stay halted or suspended.",
                                          n_waiting),
                                n_waiting, ferry_host_get_name (self->target));
      else
        body = g_strdup_printf (ngettext ("%u VM will move to %s; its disks are copied while it keeps running.",
                                          "%u VMs will move to %s; their disks are copied while they keep running.",
                                          n_waiting),
                                n_waiting, ferry_host_get_name (self->target));
      adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
    }

  if (self->pending > 0)
    gtk_label_set_text (GTK_LABEL (self->status_label), _("The pool is checking the new choices…"));
  else
    gtk_label_set_text (GTK_LABEL (self->status_label), problems->str);
  gtk_widget_set_visible (self->status_label, self->pending > 0 || problems->len > 0);
  if (self->pending > 0)
    gtk_widget_remove_css_class (self->status_label, "error");
  else
    gtk_widget_add_css_class (self->status_label, "error");

  if (self->force_row != NULL)
    gtk_widget_set_visible (self->force_row, needs_force (self) || gtk_switch_get_active (self->force_switch));

  fit_content (self);

  ok = self->pending == 0 && problems->len == 0 && n_waiting > 0;
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "ok", ok);
}

static gboolean
render_idle (gpointer user_data)
{
  FerryMigrateDialog *self = user_data;

  self->render_id = 0;
  render (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_render (FerryMigrateDialog *self)
{
  if (self->render_id == 0)
    self->render_id = g_idle_add_full (G_PRIORITY_DEFAULT, render_idle, g_object_ref (self), g_object_unref);
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
  FerrySr *common = common_sr (self);

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
        Choice choice = { 0 };

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
          FerryPlanVif *vif = g_ptr_array_index (vifs, i);
          g_autofree char *title = NULL;
          Choice choice = { 0 };

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
  GtkWidget *group = adw_preferences_group_new ();
  FerryPool *target_pool = ferry_host_get_pool (self->target);
  gboolean compress = FALSE;

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
  gtk_widget_set_visible (self->force_row, needs_force (self) || ferry_migrate_options_get_force (base));

  gtk_box_append (GTK_BOX (box), group);
}

/* Opened, the section scrolls into sight (once laid out). */
static gboolean
show_advanced_idle (gpointer user_data)
{
  FerryMigrateDialog *self = user_data;
  GtkWidget *child;
  GtkWidget *expander;
  GtkAdjustment *adjustment;
  double x = 0, y = 0;

  if (self->scrolled == NULL)
    return G_SOURCE_REMOVE;
  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (self->scrolled));
  expander = gtk_widget_get_last_child (gtk_viewport_get_child (GTK_VIEWPORT (child)));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scrolled));
  if (GTK_IS_EXPANDER (expander) && gtk_expander_get_expanded (GTK_EXPANDER (expander))
      && gtk_widget_translate_coordinates (expander, child, 0, 0, &x, &y))
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y);
  return G_SOURCE_REMOVE;
}

static void
expanded_cb (FerryMigrateDialog *self,
             GParamSpec         *pspec,
             GtkExpander        *expander)
{
  fit_content (self);
  if (gtk_expander_get_expanded (expander))
    g_timeout_add_full (G_PRIORITY_DEFAULT, 100, show_advanced_idle, g_object_ref (self), g_object_unref);
}

static GtkWidget *
build_advanced (FerryMigrateDialog *self)
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
 * Re-planning
 */

static FerryMigrateOptions *
options_for (FerryMigrateDialog *self,
             Item               *item,
             gboolean           *changed)
{
  FerryMigrateOptions *options = ferry_migrate_options_copy (item->base);
  gboolean any = FALSE;

  if (self->per_disk_switch != NULL && gtk_switch_get_active (self->per_disk_switch))
    {
      for (guint i = 0; i < self->disk_choices->len; i++)
        {
          Choice *choice = &g_array_index (self->disk_choices, Choice, i);
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
      Choice *choice = &g_array_index (self->vif_choices, Choice, i);
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

typedef struct
{
  FerryMigrateDialog *self;
  Item               *item;
  guint               generation;
} ReplanCall;

static void
replan_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ReplanCall *call = user_data;
  FerryMigrateDialog *self = call->self;
  g_autoptr(GError) error = NULL;

  ferry_job_replan_finish (FERRY_JOB (source), result, &error);

  /* Answers for choices since replaced are of no interest. */
  if (call->generation == self->generation && self->items != NULL)
    {
      g_clear_error (&call->item->error);
      /* The pool's refusal is the job's to keep (it is shown from there);
       * a plan that could not be made at all is ours. */
      if (error != NULL && ferry_job_get_precheck_error (call->item->job) == NULL
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        call->item->error = g_steal_pointer (&error);
      if (self->pending > 0)
        self->pending--;
      render (self);
    }

  g_object_unref (call->self);
  g_free (call);
}

static void
options_changed (FerryMigrateDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->pending = 0;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = item_at (self, i);
      g_autoptr(FerryMigrateOptions) options = NULL;
      ReplanCall *call;

      if (!item_waiting (item))
        continue;

      options = options_for (self, item, NULL);
      call = g_new0 (ReplanCall, 1);
      call->self = g_object_ref (self);
      call->item = item;
      call->generation = self->generation;
      self->pending++;
      ferry_job_replan_async (item->job, options, self->cancellable, replan_done_cb, call);
    }

  render (self);
}

/*
 * Responses
 */

FerryMigrateOptions *
ferry_migrate_dialog_get_changed_options (FerryMigrateDialog *self)
{
  g_autoptr(FerryMigrateOptions) options = NULL;
  gboolean changed = FALSE;

  g_return_val_if_fail (FERRY_IS_MIGRATE_DIALOG (self), NULL);

  options = options_for (self, item_at (self, 0), &changed);
  return changed ? g_steal_pointer (&options) : NULL;
}

static void
response_cb (FerryMigrateDialog *self,
             const char         *response)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean ok = g_strcmp0 (response, "ok") == 0;

  g_cancellable_cancel (self->cancellable);

  /* Confirming one job changes its state, which may close the dialog:
   * take what is needed first. */
  for (guint i = 0; i < self->items->len; i++)
    if (item_waiting (item_at (self, i)))
      g_ptr_array_add (jobs, g_object_ref (item_at (self, i)->job));

  for (guint i = 0; i < jobs->len; i++)
    {
      FerryJob *job = g_ptr_array_index (jobs, i);

      if (ok)
        {
          Item *item = NULL;
          g_autoptr(FerryMigrateOptions) options = NULL;
          gboolean changed = FALSE;

          for (guint j = 0; j < self->items->len && item == NULL; j++)
            if (item_at (self, j)->job == job)
              item = item_at (self, j);
          options = options_for (self, item, &changed);
          /* The plan in force already follows the choices (re-planned as
           * they changed); giving them again makes sure of it even if OK
           * came before the re-plan. */
          ferry_job_confirm (job, changed ? options : NULL);
        }
      else
        ferry_job_decline (job);
    }
}

static void
job_state_cb (FerryMigrateDialog *self,
              GParamSpec         *pspec,
              FerryJob           *job)
{
  /* Cancelled from the jobs panel (or by the engine): nothing left to ask
   * about it; the others stay in the question. */
  for (guint i = 0; i < self->items->len; i++)
    if (item_waiting (item_at (self, i)))
      {
        schedule_render (self);
        return;
      }
  gtk_window_close (GTK_WINDOW (self));
}

static void
job_plan_cb (FerryMigrateDialog *self,
             GParamSpec         *pspec,
             FerryJob           *job)
{
  schedule_render (self);
}

/*
 * GObject
 */

static void
ferry_migrate_dialog_dispose (GObject *object)
{
  FerryMigrateDialog *self = FERRY_MIGRATE_DIALOG (object);

  /* Re-plans still out find nothing to update. */
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->render_id, g_source_remove);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_object (&self->target);
  g_clear_object (&self->srs);
  g_clear_object (&self->networks);
  g_clear_object (&self->transfer);
  g_clear_pointer (&self->remembered, ferry_migrate_options_free);
  g_clear_pointer (&self->disk_choices, g_array_unref);
  g_clear_pointer (&self->vif_choices, g_array_unref);

  G_OBJECT_CLASS (ferry_migrate_dialog_parent_class)->dispose (object);
}

static void
ferry_migrate_dialog_map (GtkWidget *widget)
{
  GtkWidget *default_widget;

  GTK_WIDGET_CLASS (ferry_migrate_dialog_parent_class)->map (widget);

  /* AdwMessageDialog focuses the first focusable child, which would be a
   * row of the list; Enter should mean OK, as the button shows. */
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
  self->items = g_ptr_array_new_with_free_func (item_free);
  self->disk_choices = g_array_new (FALSE, TRUE, sizeof (Choice));
  g_array_set_clear_func (self->disk_choices, choice_clear);
  self->vif_choices = g_array_new (FALSE, TRUE, sizeof (Choice));
  g_array_set_clear_func (self->vif_choices, choice_clear);
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
ferry_migrate_dialog_new_for_jobs (GtkWindow *parent,
                                   GPtrArray *jobs)
{
  FerryMigrateDialog *self;
  g_autofree char *heading = NULL;
  FerryPool *target_pool;
  FerryPlan *plan;
  GtkWidget *content;
  GtkWidget *scrolled_box;

  g_return_val_if_fail (jobs != NULL && jobs->len > 0, NULL);
  for (guint i = 0; i < jobs->len; i++)
    g_return_val_if_fail (FERRY_IS_PLAN (ferry_job_get_plan (g_ptr_array_index (jobs, i))), NULL);

  if (jobs->len == 1)
    heading = g_strdup (_("OK to migrate without shared storage?"));
  else
    heading = g_strdup_printf (ngettext ("OK to migrate %u VM without shared storage?",
                                         "OK to migrate %u VMs without shared storage?", jobs->len),
                               jobs->len);

  self = g_object_new (FERRY_TYPE_MIGRATE_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "heading", heading,
                       NULL);

  for (guint i = 0; i < jobs->len; i++)
    {
      FerryJob *job = g_ptr_array_index (jobs, i);
      Item *item = g_new0 (Item, 1);

      item->job = g_object_ref (job);
      item->base = ferry_migrate_options_copy (ferry_plan_get_options (ferry_job_get_plan (job)));
      g_ptr_array_add (self->items, item);
      g_signal_connect_object (job, "notify::state", G_CALLBACK (job_state_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (job, "notify::plan", G_CALLBACK (job_plan_cb), self, G_CONNECT_SWAPPED);
    }

  plan = first_plan (self);
  self->target = g_object_ref (ferry_plan_get_target (plan));
  self->cross_pool = ferry_plan_get_cross_pool (plan);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->status_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->status_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->status_label), 0);
  gtk_widget_set_visible (self->status_label, FALSE);
  gtk_box_append (GTK_BOX (content), self->status_label);

  /* The problems stay in sight; the list and Advanced scroll if need be. */
  scrolled_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  /* AdwMessageDialog stays narrow unless its extra child needs more. */
  gtk_widget_set_size_request (scrolled_box, CONTENT_WIDTH, -1);
  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->scrolled), CONTENT_MAX_HEIGHT);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), scrolled_box);
  gtk_box_append (GTK_BOX (content), self->scrolled);

  self->plan_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_box_append (GTK_BOX (scrolled_box), self->plan_box);

  target_pool = ferry_host_get_pool (self->target);
  if (target_pool != NULL)
    {
      GtkFilter *filter;

      filter = GTK_FILTER (gtk_custom_filter_new (sr_usable_func, g_object_ref (self->target), g_object_unref));
      self->srs = G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (ferry_pool_get_srs (target_pool)), filter));
      self->networks = g_object_ref (ferry_pool_get_networks (target_pool));
      filter = GTK_FILTER (gtk_custom_filter_new (network_on_host_func, g_object_ref (self->target), g_object_unref));
      self->transfer = G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (self->networks), filter));
      gtk_box_append (GTK_BOX (scrolled_box), build_advanced (self));
    }
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), content);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    "ok", _("_OK"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "ok");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);

  render (self);

  return GTK_WIDGET (self);
}

GtkWidget *
ferry_migrate_dialog_new (GtkWindow *parent,
                          FerryJob  *job)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new ();

  g_return_val_if_fail (FERRY_IS_JOB (job), NULL);

  g_ptr_array_add (jobs, job);
  return ferry_migrate_dialog_new_for_jobs (parent, jobs);
}

FerryJob *
ferry_migrate_dialog_get_job (FerryMigrateDialog *self)
{
  g_return_val_if_fail (FERRY_IS_MIGRATE_DIALOG (self), NULL);

  return item_at (self, 0)->job;
}

GPtrArray *
ferry_migrate_dialog_get_jobs (FerryMigrateDialog *self)
{
  GPtrArray *jobs;

  g_return_val_if_fail (FERRY_IS_MIGRATE_DIALOG (self), NULL);

  jobs = g_ptr_array_new ();
  for (guint i = 0; i < self->items->len; i++)
    g_ptr_array_add (jobs, item_at (self, i)->job);
  return jobs;
}

gboolean
ferry_migrate_dialog_get_checking (FerryMigrateDialog *self)
{
  g_return_val_if_fail (FERRY_IS_MIGRATE_DIALOG (self), FALSE);

  return self->pending > 0;
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
      Choice *choice = &g_array_index (choices, Choice, i);
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
  FerrySr *sr = NULL;
  FerryNetwork *network = NULL;
  FerryNetwork *transfer = NULL;

  g_return_val_if_fail (FERRY_IS_MIGRATE_DIALOG (self), NULL);

  /* Inside a pool nothing is carried over: each host has its own storage. */
  if (!self->cross_pool)
    return NULL;

  if (self->per_disk_switch != NULL && gtk_switch_get_active (self->per_disk_switch))
    sr = common_choice (self->disk_choices);
  else if (self->all_disks_row != NULL
           && (touched (self->all_disks_row) || (self->initially_per_disk && touched (self->per_disk_switch))))
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
static void
mark_remembered (FerryMigrateDialog *self)
{
  FerrySr *sr = self->remembered != NULL ? ferry_migrate_options_get_sr (self->remembered) : NULL;
  FerryNetwork *network = self->remembered != NULL ? ferry_migrate_options_get_network (self->remembered) : NULL;
  FerryNetwork *transfer = self->remembered != NULL
                           ? ferry_migrate_options_get_migration_network (self->remembered) : NULL;
  gboolean storage = shows (self->all_disks_row, sr);
  gboolean networks = shows (self->all_vifs_row, network) || shows (self->transfer_row, transfer);
  FerryPool *target_pool = self->target != NULL ? ferry_host_get_pool (self->target) : NULL;
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
  mark_remembered (self);
  /* The list says "as last time" too. */
  schedule_render (self);
}
