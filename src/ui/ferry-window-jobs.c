/* ferry-window-jobs.c: the jobs the window started
 *
 * A drop (or "Migrate to…") becomes jobs that the window follows: storage
 * motion asks "OK to migrate without shared storage?", once for all the
 * VMs of a drop that need it (the others go at once), one question at a
 * time; failures become toasts.  Storage and networks chosen under
 * Advanced for a move across pools are remembered for the pair of pools
 * once the move succeeded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-migrate-dialog.h"
#include "ferry-window-private.h"

static void show_next_confirmation (FerryWindow *self);
static void remember_choices (FerryWindow *self,
                              FerryJob    *job);

/*
 * Following jobs
 */

static void
handle_job_state (FerryWindow *self,
                  FerryJob    *job)
{
  FerryJobState    state = ferry_job_get_state (job);
  gboolean         own = g_hash_table_contains (self->own_jobs, job);
  gpointer         handled = g_hash_table_lookup (self->handled_states, job);
  g_autofree char *ended = NULL;

  /* States are stored +1 so that "never handled" (NULL) differs from QUEUED. */
  if (GPOINTER_TO_UINT (handled) == (guint) state + 1)
    return;
  /* The table keeps the reference it had; it drops the one given. */
  g_hash_table_insert (self->handled_states, g_object_ref (job), GUINT_TO_POINTER ((guint) state + 1));

  switch (state)
    {
    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
      /* A job of a drop is asked about with the others of the drop, once
       * all of them know whether they need asking (see check_batch()). */
      if (own && !g_hash_table_contains (self->batches, job))
        {
          GPtrArray *one = g_ptr_array_new_with_free_func (g_object_unref);

          g_ptr_array_add (one, g_object_ref (job));
          g_queue_push_tail (&self->confirm_queue, one);
          show_next_confirmation (self);
        }
      break;

    case FERRY_JOB_STATE_FAILED:
      /* A toast has room for one line; the jobs panel shows the whole
       * sentence and its fix, one click (or Details) away. */
      if (own)
        ended = g_strdup_printf (_("Could not migrate %s to %s"),
                                 ferry_job_get_vm_name (job), ferry_job_get_target_name (job));
      g_hash_table_remove (self->own_jobs, job);
      g_hash_table_remove (self->kept_choices, job);
      break;

    case FERRY_JOB_STATE_UNKNOWN:
      if (own)
        ended = g_strdup_printf (_("Cannot tell whether %s moved to %s"),
                                 ferry_job_get_vm_name (job), ferry_job_get_target_name (job));
      break;

    case FERRY_JOB_STATE_SUCCEEDED:
      remember_choices (self, job);
      g_hash_table_remove (self->own_jobs, job);
      g_hash_table_remove (self->kept_choices, job);
      break;

    case FERRY_JOB_STATE_CANCELLED:
      g_hash_table_remove (self->own_jobs, job);
      g_hash_table_remove (self->kept_choices, job);
      break;

    case FERRY_JOB_STATE_QUEUED:
    case FERRY_JOB_STATE_CHECKING:
    case FERRY_JOB_STATE_RUNNING:
    case FERRY_JOB_STATE_CANCELLING:
    default:
      break;
    }

  if (ended != NULL)
    ferry_window_show_toast_full (self, ended, 10, _("_Details"), "win.show-migrations");
}

/* One question per drop: once no job of the drop is still being checked,
 * those that need an "OK" are asked about together; those that do not
 * (shared storage) have already started, as for a single VM. */
static void
check_batch (FerryWindow *self,
             FerryJob    *job)
{
  GPtrArray *batch = g_hash_table_lookup (self->batches, job);
  g_autoptr(GPtrArray) waiting = NULL;

  if (batch == NULL)
    return;

  for (guint i = 0; i < batch->len; i++)
    if (ferry_job_get_state (g_ptr_array_index (batch, i)) == FERRY_JOB_STATE_CHECKING)
      return;

  waiting = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_ref (batch);
  for (guint i = 0; i < batch->len; i++)
    {
      FerryJob *member = g_ptr_array_index (batch, i);

      if (ferry_job_get_state (member) == FERRY_JOB_STATE_AWAITING_CONFIRMATION &&
          g_hash_table_contains (self->own_jobs, member))
        g_ptr_array_add (waiting, g_object_ref (member));
      /* Asked once: a job that needs asking later (a plain migration
       * turned into storage motion) gets a question of its own. */
      g_hash_table_remove (self->batches, member);
    }
  g_ptr_array_unref (batch);

  if (waiting->len > 0)
    {
      g_queue_push_tail (&self->confirm_queue, g_steal_pointer (&waiting));
      show_next_confirmation (self);
    }
}

static void
job_state_changed_cb (FerryWindow *self,
                      GParamSpec  *pspec,
                      FerryJob    *job)
{
  handle_job_state (self, job);
  check_batch (self, job);
}

/* What the window knows of a job goes with the job from the list. */
static void
forget_gone_jobs (FerryWindow *self,
                  GListModel  *model)
{
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  guint          n = g_list_model_get_n_items (model);
  GHashTableIter iter;
  gpointer       job;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) item = g_list_model_get_item (model, i);

      g_hash_table_add (present, item);
    }
  g_hash_table_iter_init (&iter, self->handled_states);
  while (g_hash_table_iter_next (&iter, &job, NULL))
    if (!g_hash_table_contains (present, job))
      g_hash_table_iter_remove (&iter);
}

void
ferry_window_jobs_changed_cb (FerryWindow *self,
                              guint        position,
                              guint        removed,
                              guint        added,
                              GListModel  *model)
{
  if (removed > 0)
    forget_gone_jobs (self, model);
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (model, i);

      g_signal_connect_object (job, "notify::state", G_CALLBACK (job_state_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
}

static gboolean
show_next_confirmation_idle (gpointer user_data)
{
  show_next_confirmation (FERRY_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

/* OK to a move across pools with storage or networks chosen under
 * Advanced: once one of its migrations has succeeded, the next move
 * between the same two pools starts from those choices. */
typedef struct
{
  FerryPool           *source;
  FerryPool           *target;
  FerryMigrateOptions *choices;
} KeptChoices;

void
ferry_window_kept_choices_free (gpointer data)
{
  KeptChoices *kept = data;

  g_clear_object (&kept->source);
  g_clear_object (&kept->target);
  g_clear_pointer (&kept->choices, ferry_migrate_options_free);
  g_free (kept);
}

static void
keep_choices (FerryWindow        *self,
              FerryMigrateDialog *dialog)
{
  g_autoptr(FerryMigrateOptions) choices = ferry_migrate_dialog_dup_pool_choices (dialog);
  g_autoptr(GPtrArray) jobs = NULL;

  if (choices == NULL)
    return;
  jobs = ferry_migrate_dialog_get_jobs (dialog);
  for (guint i = 0; i < jobs->len; i++)
    {
      FerryJob    *job = g_ptr_array_index (jobs, i);
      FerryVm     *vm = ferry_job_get_vm (job);
      FerryHost   *target = ferry_job_get_target (job);
      KeptChoices *kept;

      if (vm == NULL || ferry_vm_get_pool (vm) == NULL || target == NULL || ferry_host_get_pool (target) == NULL)
        continue;
      kept = g_new0 (KeptChoices, 1);
      kept->source = g_object_ref (ferry_vm_get_pool (vm));
      kept->target = g_object_ref (ferry_host_get_pool (target));
      kept->choices = ferry_migrate_options_copy (choices);
      g_hash_table_replace (self->kept_choices, g_object_ref (job), kept);
    }
}

static void
remember_choices (FerryWindow *self,
                  FerryJob    *job)
{
  KeptChoices *kept = g_hash_table_lookup (self->kept_choices, job);

  if (kept != NULL)
    ferry_manager_remember_choices (self->manager, kept->source, kept->target, kept->choices);
}

static void
confirm_dialog_response_cb (FerryWindow *self,
                            const char  *response,
                            GtkWindow   *dialog)
{
  if (g_strcmp0 (response, "ok") == 0)
    keep_choices (self, FERRY_MIGRATE_DIALOG (dialog));
  if (self->confirm_dialog == dialog)
    self->confirm_dialog = NULL;
  /* Present the next one once this one is gone, not on top of it (at the
   * default priority: an idle one waits for as long as the window has
   * frames to paint). */
  g_idle_add_full (G_PRIORITY_DEFAULT, show_next_confirmation_idle,
                   g_object_ref (self), g_object_unref);
}

/* Across pools, the question says which choices are the ones of last time
 * between the same two pools. */
static void
show_remembered (FerryWindow        *self,
                 FerryMigrateDialog *dialog,
                 FerryJob           *job)
{
  g_autoptr(FerryMigrateOptions) remembered = NULL;
  FerryVm *vm = ferry_job_get_vm (job);

  if (vm != NULL && ferry_vm_get_pool (vm) != NULL && ferry_job_get_target (job) != NULL)
    remembered = ferry_manager_recall_choices (self->manager, ferry_vm_get_pool (vm), ferry_job_get_target (job));
  ferry_migrate_dialog_set_remembered (dialog, remembered);
}

static void
show_next_confirmation (FerryWindow *self)
{
  while (self->confirm_dialog == NULL && !g_queue_is_empty (&self->confirm_queue))
    {
      g_autoptr(GPtrArray) jobs = g_queue_pop_head (&self->confirm_queue);
      g_autoptr(GPtrArray) waiting = g_ptr_array_new ();
      GtkWidget *dialog;

      /* Some may have been cancelled from the jobs panel meanwhile. */
      for (guint i = 0; i < jobs->len; i++)
        if (ferry_job_get_state (g_ptr_array_index (jobs, i)) == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
          g_ptr_array_add (waiting, g_ptr_array_index (jobs, i));
      if (waiting->len == 0)
        continue;

      dialog = ferry_migrate_dialog_new_for_jobs (GTK_WINDOW (self), waiting);
      self->confirm_dialog = GTK_WINDOW (dialog);
      show_remembered (self, FERRY_MIGRATE_DIALOG (dialog), g_ptr_array_index (waiting, 0));
      g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_dialog_response_cb),
                               self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

void
ferry_window_migrate (FerryWindow *self,
                      GPtrArray   *vms,
                      FerryHost   *target)
{
  g_autofree char *first_reason = NULL;
  g_autoptr(FerryMigrateOptions) options = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  FerryVm *first_refused = NULL;
  guint    n_refused = 0;

  g_return_if_fail (FERRY_IS_WINDOW (self));
  g_return_if_fail (vms != NULL);
  g_return_if_fail (FERRY_IS_HOST (target));

  /* Across pools, the storage and networks chosen last time between the
   * same two pools come first (the question says "As last time"). */
  if (vms->len > 0)
    options = ferry_manager_recall_choices (self->manager, ferry_vm_get_pool (g_ptr_array_index (vms, 0)), target);

  /* Compression is a per-migration XAPI option; the preference only says
   * to ask for it.  Unset, the pool's own default applies. */
  if (self->settings != NULL && g_settings_get_boolean (self->settings, "compress"))
    {
      if (options == NULL)
        options = ferry_migrate_options_new ();
      ferry_migrate_options_set_compress (options, TRUE);
    }

  for (guint i = 0; i < vms->len; i++)
    {
      FerryVm         *vm = g_ptr_array_index (vms, i);
      g_autofree char *reason = NULL;
      FerryJob        *job;

      if (!ferry_manager_check_target (self->manager, vm, target, &reason))
        {
          if (n_refused++ == 0)
            {
              first_refused = vm;
              first_reason = g_steal_pointer (&reason);
            }
          continue;
        }

      job = ferry_manager_migrate (self->manager, vm, target, options);
      if (job == NULL)
        continue;
      g_hash_table_add (self->own_jobs, g_object_ref (job));
      g_ptr_array_add (batch, g_object_ref (job));
    }

  /* Each job holds a reference to the batch until its question is asked. */
  for (guint i = 0; i < batch->len; i++)
    g_hash_table_insert (self->batches, g_ptr_array_index (batch, i), g_ptr_array_ref (batch));
  for (guint i = 0; i < batch->len; i++)
    handle_job_state (self, g_ptr_array_index (batch, i));
  if (batch->len > 0)
    check_batch (self, g_ptr_array_index (batch, 0));
  if (batch->len > 1)
    {
      /* Translators: the title of the summary of a drop of several VMs, "Migration of 3 VMs to lyon-3" */
      g_autofree char *title = g_strdup_printf (ngettext ("Migration of %u VM to %s", "Migration of %u VMs to %s",
                                                          batch->len),
                                                batch->len, ferry_host_get_name (target));

      ferry_manager_add_batch (self->manager, title, batch);
    }

  if (n_refused == 1)
    {
      g_autofree char *text = g_strdup_printf (_("%s cannot move to %s: %s"),
                                               ferry_vm_get_name (first_refused),
                                               ferry_host_get_name (target),
                                               first_reason ? first_reason : _("not possible"));

      ferry_window_show_toast (self, text);
    }
  else if (n_refused > 1)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u VM cannot move to %s: %s",
                                                         "%u VMs cannot move to %s; for %s: %s",
                                                         n_refused),
                                               n_refused, ferry_host_get_name (target),
                                               ferry_vm_get_name (first_refused),
                                               first_reason ? first_reason : _("not possible"));

      ferry_window_show_toast (self, text);
    }
}
