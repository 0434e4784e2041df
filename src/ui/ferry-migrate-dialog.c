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

#include "ferry-migrate-dialog-private.h"
#include "ferry-ui-util.h"

G_DEFINE_FINAL_TYPE (FerryMigrateDialog, ferry_migrate_dialog, ADW_TYPE_MESSAGE_DIALOG)

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

static const char *
item_problem (Item *item)
{
  if (item->error != NULL)
    return item->error->message;
  return ferry_job_get_precheck_error (item->job);
}

gboolean
ferry_migrate_dialog_needs_force (FerryMigrateDialog *self)
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
void
ferry_migrate_dialog_fit_content (FerryMigrateDialog *self)
{
  GtkWidget *child;
  int        natural = 0;

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
  guint      n_waiting = 0;
  guint      n_running = 0;
  gboolean   ok;

  while ((child = gtk_widget_get_first_child (self->plan_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->plan_box), child);

  for (guint i = 0; i < self->items->len; i++)
    {
      Item       *item = item_at (self, i);
      FerryPlan  *plan = ferry_job_get_plan (item->job);
      const char *problem = item_problem (item);

      if (!item_waiting (item) || plan == NULL)
        continue;
      n_waiting++;
      n_running += g_strcmp0 (ferry_vm_get_power_state (ferry_plan_get_vm (plan)), "Running") == 0;
      gtk_box_append (GTK_BOX (self->plan_box), ferry_migrate_dialog_vm_group (self, plan));
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
  gtk_box_append (GTK_BOX (self->plan_box), ferry_migrate_dialog_transfer_group (self));

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
    gtk_widget_set_visible (self->force_row, ferry_migrate_dialog_needs_force (self) || gtk_switch_get_active (self->force_switch));

  ferry_migrate_dialog_fit_content (self);

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

void
ferry_migrate_dialog_schedule_render (FerryMigrateDialog *self)
{
  if (self->render_id == 0)
    self->render_id = g_idle_add_full (G_PRIORITY_DEFAULT, render_idle, g_object_ref (self), g_object_unref);
}

/*
 * Re-planning
 */

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
  ReplanCall         *call = user_data;
  FerryMigrateDialog *self = call->self;
  g_autoptr(GError) error = NULL;

  ferry_job_replan_finish (FERRY_JOB (source), result, &error);

  /* Answers for choices since replaced are of no interest. */
  if (call->generation == self->generation && self->items != NULL)
    {
      g_clear_error (&call->item->error);
      /* The pool's refusal is the job's to keep (it is shown from there);
       * a plan that could not be made at all is ours. */
      if (error != NULL && ferry_job_get_precheck_error (call->item->job) == NULL &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        call->item->error = g_steal_pointer (&error);
      if (self->pending > 0)
        self->pending--;
      render (self);
    }

  g_object_unref (call->self);
  g_free (call);
}

void
ferry_migrate_dialog_options_changed (FerryMigrateDialog *self)
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

      options = ferry_migrate_dialog_options_for (self, item, NULL);
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

  options = ferry_migrate_dialog_options_for (self, item_at (self, 0), &changed);
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
          options = ferry_migrate_dialog_options_for (self, item, &changed);
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
        ferry_migrate_dialog_schedule_render (self);
        return;
      }
  gtk_window_close (GTK_WINDOW (self));
}

static void
job_plan_cb (FerryMigrateDialog *self,
             GParamSpec         *pspec,
             FerryJob           *job)
{
  ferry_migrate_dialog_schedule_render (self);
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
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_migrate_dialog_dispose;
  widget_class->map = ferry_migrate_dialog_map;
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

/* The SRs and networks Advanced offers: those the target host can use. */

static gboolean
sr_usable_func (gpointer item,
                gpointer user_data)
{
  FerrySr *sr = item;

  return ferry_sr_is_attached_to (sr, user_data) &&
         g_strcmp0 (ferry_sr_get_content_type (sr), "iso") != 0;
}

static gboolean
network_on_host_func (gpointer item,
                      gpointer user_data)
{
  return ferry_network_has_pif_on (item, user_data);
}

GtkWidget *
ferry_migrate_dialog_new_for_jobs (GtkWindow *parent,
                                   GPtrArray *jobs)
{
  FerryMigrateDialog *self;
  g_autofree char    *heading = NULL;
  FerryPool          *target_pool;
  FerryPlan          *plan;
  GtkWidget          *content;
  GtkWidget          *scrolled_box;

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
      Item     *item = g_new0 (Item, 1);

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
      gtk_box_append (GTK_BOX (scrolled_box), ferry_migrate_dialog_build_advanced (self));
    }
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), content);

  ferry_message_dialog_add_answers (ADW_MESSAGE_DIALOG (self), "ok", _("_OK"), ADW_RESPONSE_SUGGESTED, "ok");

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
