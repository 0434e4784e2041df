/* ferry-job-row.c: one migration in the jobs panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-jobs"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-job-row.h"
#include "ferry-ui-util.h"

struct _FerryJobRow
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkLabel     *title;
  GtkLabel     *route;
  GtkLabel     *state;
  GtkWidget    *cancel_button;
  GtkWidget    *pause_button;
  GtkWidget    *remove_button;
  GtkWidget    *progress;
  GtkLabel     *details;
  GtkLabel     *error;
  GtkWidget    *error_expander;
  GtkLabel     *error_details;

  FerryJob     *job;
  GSignalGroup *job_signals;
};

G_DEFINE_FINAL_TYPE (FerryJobRow, ferry_job_row, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

static char *
format_details (FerryJob *job)
{
  FerryJobState state = ferry_job_get_state (job);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint64 total = ferry_job_get_bytes_total (job);

  if (state == FERRY_JOB_STATE_RUNNING || state == FERRY_JOB_STATE_CANCELLING)
    g_ptr_array_add (parts, ferry_format_job_progress (job));
  else if (state == FERRY_JOB_STATE_SUCCEEDED && total > 0)
    {
      g_autofree char *size = ferry_format_size (total);

      /* Translators: after a migration, "12 GiB copied" */
      g_ptr_array_add (parts, g_strdup_printf (_("%s copied"), size));
    }

  if (ferry_job_get_kind (job) == FERRY_MIGRATION_STORAGE && ferry_job_state_is_active (state))
    g_ptr_array_add (parts, g_strdup (_("with storage")));
  if (ferry_job_get_kind (job) == FERRY_MIGRATION_HOME_HOST)
    /* Translators: a halted or suspended VM was given another host to start on */
    g_ptr_array_add (parts, g_strdup (_("new home host")));
  if (ferry_job_get_adopted (job))
    g_ptr_array_add (parts, g_strdup (_("started elsewhere")));

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Only a job that waits in the queue for a storage slot (nothing sent
 * yet) can be held there or taken out of it. */
static void
update_queue_buttons (FerryJobRow  *self,
                      FerryJobState state)
{
  FerryJob        *job = self->job;
  const char      *vm_name = ferry_job_get_vm_name (job);
  gboolean         paused = ferry_job_get_paused (job);
  gboolean         waiting = state == FERRY_JOB_STATE_QUEUED && ferry_job_get_in_queue (job);
  g_autofree char *pause_label = NULL;
  g_autofree char *remove_label = NULL;

  gtk_widget_set_visible (self->pause_button, waiting);
  gtk_widget_set_visible (self->remove_button, waiting);
  if (!waiting)
    return;

  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (self->pause_button, paused ? _("Resume") : _("Pause"));
  pause_label = g_strdup_printf (paused ? _("Resume migration of %s") : _("Pause migration of %s"),
                                 vm_name ? vm_name : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, pause_label, -1);
  remove_label = g_strdup_printf (_("Remove migration of %s from the queue"), vm_name ? vm_name : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
}

static void
update (FerryJobRow *self)
{
  FerryJob        *job = self->job;
  FerryJobState    state;
  const char      *vm_name;
  const char      *source;
  const char      *target;
  g_autofree char *route = NULL;
  g_autofree char *details = NULL;
  g_autofree char *a11y = NULL;
  g_autofree char *cancel_label = NULL;
  const char      *error;
  const char      *state_text;

  if (job == NULL)
    return;

  state = ferry_job_get_state (job);
  vm_name = ferry_job_get_vm_name (job);
  source = ferry_job_get_source_name (job);
  target = ferry_job_get_target_name (job);
  error = ferry_job_get_error (job);

  set_label (self->title, vm_name);
  /* The same words as ferryctl and the notifications: "from lyon-1 to paris-2". */
  route = ferry_job_dup_route (job);
  set_label (self->route, route);
  /* Translators: the state of a queued migration held back by the user */
  state_text = ferry_job_get_paused (job) ? C_("migration state", "Paused") : ferry_job_state_to_string (state);
  set_label (self->state, state_text);

  gtk_widget_remove_css_class (GTK_WIDGET (self->state), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state), "accent");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state), "warning");
  if (state == FERRY_JOB_STATE_SUCCEEDED)
    gtk_widget_add_css_class (GTK_WIDGET (self->state), "success");
  else if (state == FERRY_JOB_STATE_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->state), "error");
  else if (state == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    gtk_widget_add_css_class (GTK_WIDGET (self->state), "accent");
  else if (state == FERRY_JOB_STATE_UNKNOWN)
    gtk_widget_add_css_class (GTK_WIDGET (self->state), "warning");

  gtk_widget_set_visible (self->progress,
                          state == FERRY_JOB_STATE_RUNNING || state == FERRY_JOB_STATE_CANCELLING);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), ferry_job_get_progress (job));

  details = format_details (job);
  set_label (self->details, details);
  set_label (self->error, state == FERRY_JOB_STATE_FAILED || state == FERRY_JOB_STATE_UNKNOWN ? error : NULL);
  /* The pool's code and parameters, for whoever reads the hosts' logs. */
  set_label (self->error_details, state == FERRY_JOB_STATE_FAILED ? ferry_job_get_error_details (job) : NULL);
  gtk_widget_set_visible (self->error_expander, gtk_widget_get_visible (GTK_WIDGET (self->error_details)));

  update_queue_buttons (self, state);
  /* An unknown outcome cannot be cancelled: Ferry does not know it runs.
   * A job waiting in the queue is removed from it instead. */
  gtk_widget_set_visible (self->cancel_button,
                          !ferry_job_is_finished (job) && state != FERRY_JOB_STATE_UNKNOWN &&
                            !gtk_widget_get_visible (self->remove_button));
  gtk_widget_set_sensitive (self->cancel_button, ferry_job_get_can_cancel (job));
  cancel_label = g_strdup_printf (_("Cancel migration of %s"), vm_name ? vm_name : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, cancel_label, -1);

  /* Translators: accessible name of a job, "Migration of web-01 from lyon-1 to lyon-2: Migrating, 45% …" */
  if (source == NULL && ferry_job_get_target (job) != NULL)
    /* Translators: accessible name of the move of a halted or suspended VM (on no host), "Migration of backup to lyon-2: Done" */
    a11y = g_strdup_printf (_("Migration of %s to %s: %s"), vm_name ? vm_name : "",
                            target ? target : "?", state_text);
  else
    a11y = g_strdup_printf (_("Migration of %s from %s to %s: %s"), vm_name ? vm_name : "",
                            source ? source : "?", target ? target : "?", state_text);
  if (details != NULL && details[0] != '\0')
    {
      g_autofree char *tmp = g_steal_pointer (&a11y);
      a11y = g_strdup_printf ("%s, %s", tmp, details);
    }
  if ((state == FERRY_JOB_STATE_FAILED || state == FERRY_JOB_STATE_UNKNOWN) && error != NULL)
    {
      g_autofree char *tmp = g_steal_pointer (&a11y);
      a11y = g_strdup_printf ("%s. %s", tmp, error);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

static void
job_notify_cb (FerryJobRow *self,
               GParamSpec  *pspec,
               FerryJob    *job)
{
  update (self);
}

static void
cancel_clicked_cb (FerryJobRow *self,
                   GtkButton   *button)
{
  if (self->job != NULL)
    ferry_job_cancel (self->job);
}

static void
pause_clicked_cb (FerryJobRow *self,
                  GtkButton   *button)
{
  if (self->job != NULL)
    ferry_job_set_paused (self->job, !ferry_job_get_paused (self->job));
}

static void
remove_clicked_cb (FerryJobRow *self,
                   GtkButton   *button)
{
  if (self->job != NULL)
    g_signal_emit (self, signals[SIGNAL_REMOVE], 0, self->job);
}

void
ferry_job_row_set_job (FerryJobRow *self,
                       FerryJob    *job)
{
  g_return_if_fail (FERRY_IS_JOB_ROW (self));

  if (!g_set_object (&self->job, job))
    return;
  g_signal_group_set_target (self->job_signals, job);
  update (self);
}

FerryJob *
ferry_job_row_get_job (FerryJobRow *self)
{
  g_return_val_if_fail (FERRY_IS_JOB_ROW (self), NULL);

  return self->job;
}

static void
ferry_job_row_dispose (GObject *object)
{
  FerryJobRow *self = FERRY_JOB_ROW (object);

  if (self->job_signals != NULL)
    g_signal_group_set_target (self->job_signals, NULL);
  g_clear_object (&self->job_signals);
  g_clear_object (&self->job);
  ferry_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_JOB_ROW);

  G_OBJECT_CLASS (ferry_job_row_parent_class)->dispose (object);
}

static void
ferry_job_row_class_init (FerryJobRowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_job_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "jobrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/xenferry/Ferry/ferry-job-row.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, box);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, title);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, route);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, state);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, progress);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, details);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, error);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, error_expander);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, error_details);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, FerryJobRow, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, pause_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);

  /* "Remove from Queue" was pressed: the panel asks the manager, which
   * owns the list. */
  signals[SIGNAL_REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, FERRY_TYPE_JOB);
}

static void
ferry_job_row_init (FerryJobRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->job_signals = g_signal_group_new (FERRY_TYPE_JOB);
  g_signal_group_connect_swapped (self->job_signals, "notify", G_CALLBACK (job_notify_cb), self);
}

GtkWidget *
ferry_job_row_new (void)
{
  return g_object_new (FERRY_TYPE_JOB_ROW, NULL);
}
