/* ferry-cli-tasks.c: ferryctl tasks and ferryctl cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ferry-cli.h"

/* How long "cancel" waits for the pool to wind the task down. */
#define CANCEL_WAIT_SECONDS 120
/* After connecting, let the engine look at the pools' tasks (adoption of
 * migrations started elsewhere happens as the caches settle). */
#define SETTLE_MSEC 300

static gboolean
on_settled (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

static void
settle (void)
{
  gboolean done = FALSE;

  g_timeout_add (SETTLE_MSEC, on_settled, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
job_is_active (FerryJob *job)
{
  return !ferry_job_is_finished (job);
}

/* Adopted jobs may lack a name or a host we can see. */
static const char *
or_unknown (const char *text)
{
  return text != NULL ? text : "?";
}

static const char *
kind_id (FerryMigrationKind kind)
{
  return kind == FERRY_MIGRATION_STORAGE ? "storage" : "plain";
}

int
ferry_cli_cmd_tasks (FerryCli *self,
                     int       argc,
                     char    **argv)
{
  gboolean           json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object: {\"tasks\":[{\"task\",\"vm\",\"vm_uuid\",\"from\",\"to\",\"state\",\"progress\",…}]}"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *jobs;
  int         status;

  context = ferry_cli_option_context_new ("tasks", NULL,
                                          _("Shows the migrations running or waiting on every connected pool, "
                                            "including those started by other clients: task reference, VM, "
                                            "source and target host, state and progress."));
  if (!ferry_cli_parse_command (self, context, entries, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("tasks", argc, 1, _("tasks takes no arguments."), NULL, &status))
    return status;

  if (!ferry_cli_connect (self, NULL, &error))
    return ferry_cli_report_error (error, "tasks");
  settle ();

  jobs = ferry_manager_get_jobs (self->manager);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (jobs, i);

      if (job_is_active (job))
        g_ptr_array_add (active, g_steal_pointer (&job));
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ferry_cli_json_list_new ("tasks");

      for (guint i = 0; i < active->len; i++)
        {
          FerryJob *job = g_ptr_array_index (active, i);

          json_builder_begin_object (builder);
          ferry_cli_json_add_string (builder, "task", ferry_job_get_task_ref (job));
          ferry_cli_json_add_string (builder, "id", ferry_job_get_id (job));
          ferry_cli_json_add_string (builder, "vm", ferry_job_get_vm_name (job));
          ferry_cli_json_add_string (builder, "vm_uuid", ferry_job_get_vm_uuid (job));
          ferry_cli_json_add_string (builder, "from", ferry_job_get_source_name (job));
          ferry_cli_json_add_string (builder, "to", ferry_job_get_target_name (job));
          ferry_cli_json_add_string (builder, "kind", kind_id (ferry_job_get_kind (job)));
          ferry_cli_json_add_string (builder, "state", ferry_cli_job_state_id (ferry_job_get_state (job)));
          ferry_cli_json_add_double (builder, "progress", ferry_job_get_progress (job));
          ferry_cli_json_add_boolean (builder, "can_cancel", ferry_job_get_can_cancel (job));
          ferry_cli_json_add_boolean (builder, "adopted", ferry_job_get_adopted (job));
          json_builder_end_object (builder);
        }
      ferry_cli_json_list_print (builder);
      return FERRY_CLI_EXIT_OK;
    }

  if (active->len == 0)
    {
      g_printerr (_("No migrations are running or waiting.\n"));
      return FERRY_CLI_EXIT_OK;
    }

  {
    g_autoptr(FerryCliTable) table = ferry_cli_table_new (5);
    g_autoptr(GString) out = g_string_new (NULL);

    ferry_cli_table_add_row (table, _("TASK"), _("VM"), _("ROUTE"), _("STATE"), _("PROGRESS"));
    for (guint i = 0; i < active->len; i++)
      {
        FerryJob        *job = g_ptr_array_index (active, i);
        /* The window's and the notifications' words: "from lyon-1 to lyon-2". */
        g_autofree char *route = ferry_job_dup_route (job);
        g_autofree char *progress = g_strdup_printf ("%u %%", (guint) floor (ferry_job_get_progress (job) * 100));
        const char      *task = ferry_job_get_task_ref (job);

        ferry_cli_table_add_row (table,
                                 task != NULL ? task : "-",
                                 or_unknown (ferry_job_get_vm_name (job)),
                                 route,
                                 ferry_job_state_to_string (ferry_job_get_state (job)),
                                 progress);
      }
    ferry_cli_table_render (table, 0, out);
    g_print ("%s", out->str);
  }

  return FERRY_CLI_EXIT_OK;
}

typedef struct
{
  gboolean saw_cancelling;
  gboolean done;
} CancelWait;

static void
on_cancel_state (FerryJob   *job,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  CancelWait   *wait = user_data;
  FerryJobState state = ferry_job_get_state (job);

  if (state == FERRY_JOB_STATE_CANCELLING)
    wait->saw_cancelling = TRUE;

  /* Back to RUNNING after CANCELLING: the pool said no. */
  if (ferry_job_is_finished (job) || (wait->saw_cancelling && state == FERRY_JOB_STATE_RUNNING))
    {
      wait->done = TRUE;
      g_main_context_wakeup (NULL);
    }
}

static gboolean
on_cancel_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

int
ferry_cli_cmd_cancel (FerryCli *self,
                      int       argc,
                      char    **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryJob) job = NULL;
  FerryJob  *found;
  CancelWait wait = { FALSE, FALSE };
  gboolean   timed_out = FALSE;
  guint      timeout_id;
  int        status;

  context = ferry_cli_option_context_new ("cancel", _("TASK"),
                                          _("Cancels a running migration, given its task reference or uuid (see "
                                            "“ferryctl tasks”). The pool allows it until the last phase of the "
                                            "migration; after that the migration can only finish.\n\n"
                                            "Exit status: 0 cancelled, 1 the pool cannot cancel it now (the reason is "
                                            "printed), 2 no such task."));
  if (!ferry_cli_parse_command (self, context, NULL, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("cancel", argc, 2, _("Which task? Give its reference or uuid (see “ferryctl tasks”)."),
                                  _("cancel takes one task."), &status))
    return status;

  if (!ferry_cli_connect (self, NULL, &error))
    return ferry_cli_report_error (error, "cancel");
  settle ();

  found = ferry_manager_find_job (self->manager, argv[1]);
  if (found == NULL || ferry_job_is_finished (found))
    return ferry_cli_usage_error ("cancel", _("No running migration has the task “%s” (see “ferryctl tasks”)."),
                                  argv[1]);
  job = g_object_ref (found);

  if (!ferry_job_get_can_cancel (job))
    {
      g_printerr (_("ferryctl: the pool cannot cancel the migration of %s now: it is in its final phase, "
                    "and can only finish.\n"),
                  or_unknown (ferry_job_get_vm_name (job)));
      return FERRY_CLI_EXIT_FAILURE;
    }

  if (self->stop_signal != 0)
    {
      g_printerr (_("ferryctl: stopped; nothing was sent.\n"));
      return ferry_cli_stop_status (self->stop_signal);
    }

  g_signal_connect (job, "notify::state", G_CALLBACK (on_cancel_state), &wait);
  timeout_id = g_timeout_add_seconds (CANCEL_WAIT_SECONDS, on_cancel_timeout, &timed_out);
  ferry_job_cancel (job);
  on_cancel_state (job, NULL, &wait);
  while (!wait.done && !timed_out && self->stop_signal == 0)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  g_signal_handlers_disconnect_by_data (job, &wait);

  if (!wait.done && self->stop_signal != 0)
    {
      /* TRANSLATORS: %s are the VM and the task reference */
      g_printerr (_("ferryctl: stopped; the pool was asked to cancel the migration of %s (task %s); "
                    "“ferryctl tasks” shows how it ends.\n"),
                  or_unknown (ferry_job_get_vm_name (job)), or_unknown (ferry_job_get_task_ref (job)));
      return ferry_cli_stop_status (self->stop_signal);
    }

  switch ((int) ferry_job_get_state (job))
    {
    case FERRY_JOB_STATE_CANCELLED:
      g_print (_("Cancelled the migration of %s.\n"), or_unknown (ferry_job_get_vm_name (job)));
      return FERRY_CLI_EXIT_OK;

    case FERRY_JOB_STATE_SUCCEEDED:
      g_printerr (_("ferryctl: the migration of %s finished before it could be cancelled.\n"),
                  or_unknown (ferry_job_get_vm_name (job)));
      return FERRY_CLI_EXIT_FAILURE;

    case FERRY_JOB_STATE_FAILED:
      if (g_strcmp0 (ferry_job_get_error_code (job), "TASK_CANCELLED") == 0)
        {
          g_print (_("Cancelled the migration of %s.\n"), or_unknown (ferry_job_get_vm_name (job)));
          return FERRY_CLI_EXIT_OK;
        }
      g_printerr (_("ferryctl: the migration of %s ended with an error before it was cancelled: %s\n"),
                  or_unknown (ferry_job_get_vm_name (job)), or_unknown (ferry_job_get_error (job)));
      return FERRY_CLI_EXIT_FAILURE;

    default:
      if (timed_out)
        g_printerr (_("ferryctl: the pool has not cancelled the migration of %s after %u seconds.\n"),
                    or_unknown (ferry_job_get_vm_name (job)), CANCEL_WAIT_SECONDS);
      else
        g_printerr (_("ferryctl: the pool refused to cancel the migration of %s: %s\n"),
                    or_unknown (ferry_job_get_vm_name (job)),
                    ferry_job_get_error (job) != NULL ? ferry_job_get_error (job)
                                                      : _("it is in its final phase, and can only finish."));
      return FERRY_CLI_EXIT_FAILURE;
    }
}
