/* ferry-cli-migrate.c: ferryctl migrate and ferryctl vm.migrate_pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "ferry-cli.h"

/* Redraw the progress bar at most this often (µs); XAPI tasks report
 * progress in small steps and a terminal need not see each one. */
#define REDRAW_INTERVAL_USEC (G_USEC_PER_SEC / 10)

typedef struct
{
  FerryCli         *cli;
  FerryJob         *job;
  gboolean          yes;
  gboolean          detach;

  gboolean          tty_progress;
  gboolean          line_open; /* a bar or status line is drawn, without newline */
  gint64            last_draw;
  guint             last_decile;
  int               shown_state;

  gboolean          asked;
  gboolean          declined;
  FerryCliQuestion *question;

  guint             sigint_id;
  guint             n_interrupts;
  gboolean          cancel_pending; /* asked while the pool did not allow it yet */

  gboolean          finished;
  int               status;
} Migration;

/* A name from the server, fit for one line of a terminal. */
static char *
shown (const char *name)
{
  return ferry_cli_display_text (name, FERRY_CLI_MAX_FIELD_WIDTH);
}

/* The power state of the VM the job moved, as planned. */
static const char *
moved_state (FerryJob *job)
{
  FerryPlan *plan = ferry_job_get_plan (job);

  return plan != NULL ? ferry_vm_get_power_state (ferry_plan_get_vm (plan)) : NULL;
}

static void
close_line (Migration *m)
{
  if (m->line_open)
    {
      fputc ('\n', stderr);
      fflush (stderr);
      m->line_open = FALSE;
    }
}

/* A one-line status on a terminal is redrawn in place; elsewhere it is
 * printed once, as a line of its own. */
static void
show_status (Migration  *m,
             const char *text)
{
  if (m->tty_progress)
    {
      fprintf (stderr, "\r%s\033[K", text);
      fflush (stderr);
      m->line_open = TRUE;
    }
  else
    g_printerr ("%s\n", text);
}

static void
finish (Migration *m,
        int        status)
{
  if (m->finished)
    return;

  close_line (m);
  m->finished = TRUE;
  m->status = status;
  ferry_cli_question_stop (m->question);
  g_main_context_wakeup (NULL);
}

static void
draw_progress (Migration *m,
               gboolean   force)
{
  double progress = ferry_job_get_progress (m->job);
  double rate = ferry_job_get_rate (m->job);
  double eta = ferry_job_get_eta (m->job);

  if (m->tty_progress)
    {
      gint64           now = g_get_monotonic_time ();
      g_autofree char *line = NULL;
      guint            columns;

      if (!force && m->line_open && now - m->last_draw < REDRAW_INTERVAL_USEC && progress < 1)
        return;

      columns = ferry_cli_terminal_columns ();
      /* One column short of the edge, so the cursor never wraps. */
      line = ferry_cli_format_progress (progress, rate, eta, columns > 1 ? columns - 1 : columns);
      fprintf (stderr, "\r%s\033[K", line);
      fflush (stderr);
      m->line_open = TRUE;
      m->last_draw = now;
    }
  else
    {
      guint decile = ferry_cli_progress_decile (progress);

      if (decile > m->last_decile)
        {
          g_autofree char *rate_text = ferry_format_rate (rate);
          g_autofree char *left_text = ferry_format_time_left (eta);

          m->last_decile = decile;
          /* What is not known yet is left out, as in the window. */
          if (*rate_text != '\0' && *left_text != '\0')
            /* TRANSLATORS: one line per 10 % when stderr is not a terminal, e.g.
             * "Progress: 40 % (112.4 MB/s, 2 min left)" */
            g_printerr (_("Progress: %u %% (%s, %s)\n"), decile * 10, rate_text, left_text);
          else if (*rate_text != '\0' || *left_text != '\0')
            /* TRANSLATORS: "Progress: 40 % (112.4 MB/s)" or "Progress: 40 % (2 min left)" */
            g_printerr (_("Progress: %u %% (%s)\n"), decile * 10, *rate_text != '\0' ? rate_text : left_text);
          else
            /* TRANSLATORS: "Progress: 40 %", while the rate is not known yet */
            g_printerr (_("Progress: %u %%\n"), decile * 10);
        }
    }
}

static void
on_answer (gboolean yes,
           gpointer user_data)
{
  Migration *m = user_data;

  if (ferry_job_get_state (m->job) != FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    return;

  if (yes)
    ferry_job_confirm (m->job, NULL);
  else
    {
      m->declined = TRUE;
      ferry_job_decline (m->job);
      g_printerr (_("Not confirmed. Nothing was sent.\n"));
      finish (m, FERRY_CLI_EXIT_NOT_CONFIRMED);
    }
}

static void
ask_confirmation (Migration *m)
{
  FerryPlan *plan = ferry_job_get_plan (m->job);

  m->asked = TRUE;
  close_line (m);

  if (plan != NULL)
    {
      g_autofree char *description = ferry_plan_describe (plan);

      g_printerr ("%s\n", description);
    }

  /* The pool already refused this plan, for a reason only --force
   * overrules: asking would only lead to the same refusal. */
  if (ferry_job_get_precheck_error (m->job) != NULL)
    {
      g_autofree char *error = g_strdup (ferry_job_get_precheck_error (m->job));

      m->declined = TRUE;
      ferry_job_decline (m->job);
      g_printerr (_("ferryctl: %s Nothing was sent; with --force the pool skips this check.\n"), error);
      finish (m, FERRY_CLI_EXIT_FAILURE);
      return;
    }

  if (m->yes)
    {
      g_printerr (_("Confirmed with --yes.\n"));
      ferry_job_confirm (m->job, NULL);
      return;
    }

  if (!ferry_cli_stdin_is_tty ())
    {
      m->declined = TRUE;
      ferry_job_decline (m->job);
      g_printerr (_("ferryctl: this migration copies the VM’s disks to other storage (there is no shared "
                    "storage it can use), which needs a confirmation, and standard input is not a terminal "
                    "to ask on. Nothing was sent. Run the command again with --yes to confirm.\n"));
      finish (m, FERRY_CLI_EXIT_NOT_CONFIRMED);
      return;
    }

  m->question = ferry_cli_question_new (_("OK to migrate without shared storage? [y/N] "), on_answer, m);
}

static void
handle_state (Migration *m)
{
  FerryJobState state = ferry_job_get_state (m->job);
  int           previous = m->shown_state;
  gboolean      changed = (int) state != previous;

  if (m->finished)
    return;
  m->shown_state = state;

  switch (state)
    {
    case FERRY_JOB_STATE_QUEUED:
      if (changed)
        show_status (m, _("Queued: waiting for a free migration slot…"));
      break;

    case FERRY_JOB_STATE_CHECKING:
      if (changed)
        show_status (m, _("Checking…"));
      break;

    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
      if (!m->asked)
        ask_confirmation (m);
      break;

    case FERRY_JOB_STATE_RUNNING:
      if (m->detach && ferry_job_get_task_ref (m->job) != NULL)
        {
          close_line (m);
          g_printerr (_("The migration is running; follow it with “ferryctl tasks”.\n"));
          g_print ("%s\n", ferry_job_get_task_ref (m->job));
          finish (m, FERRY_CLI_EXIT_OK);
          break;
        }
      if (changed && !m->tty_progress)
        {
          g_autofree char *vm = shown (ferry_job_get_vm_name (m->job));
          g_autofree char *from = shown (ferry_job_get_source_name (m->job));
          g_autofree char *to = shown (ferry_job_get_target_name (m->job));

          if (ferry_job_get_source_name (m->job) == NULL)
            /* TRANSLATORS: a halted or suspended VM (on no host), and where it goes */
            g_printerr (_("Moving %s to %s…\n"), vm, to);
          else
            g_printerr (_("Migrating %s from %s to %s…\n"), vm, from, to);
        }
      draw_progress (m, changed);
      break;

    case FERRY_JOB_STATE_CANCELLING:
      if (changed)
        {
          close_line (m);
          show_status (m, _("Cancelling…"));
        }
      break;

    case FERRY_JOB_STATE_SUCCEEDED:
      if (m->line_open && m->tty_progress && previous == FERRY_JOB_STATE_RUNNING)
        draw_progress (m, TRUE);
      close_line (m);
      if (m->cancel_pending)
        g_printerr (_("The pool never allowed cancelling this migration, and it has finished.\n"));
      {
        g_autofree char *vm = shown (ferry_job_get_vm_name (m->job));
        g_autofree char *to = shown (ferry_job_get_target_name (m->job));

        if (ferry_job_get_copy_uuid (m->job) != NULL && ferry_job_get_source_name (m->job) == NULL)
          {
            FerryVm         *source_vm = ferry_job_get_vm (m->job);
            FerryPool       *pool = source_vm != NULL ? ferry_vm_get_pool (source_vm) : NULL;
            g_autofree char *pool_name = shown (pool != NULL ? ferry_pool_get_name (pool) : "?");

            /* TRANSLATORS: the VM, the copy's uuid, the target host, the VM again and its pool */
            g_print (_("A halted copy of %s (uuid %s) was made on %s; %s stays in the pool %s.\n"),
                     vm, ferry_job_get_copy_uuid (m->job), to, vm, pool_name);
          }
        else if (ferry_job_get_copy_uuid (m->job) != NULL)
          {
            g_autofree char *from = shown (ferry_job_get_source_name (m->job));

            /* TRANSLATORS: the VM, the copy's uuid, the target host, the VM again and the host it stays on */
            g_print (_("A halted copy of %s (uuid %s) was made on %s; %s stays on %s.\n"),
                     vm, ferry_job_get_copy_uuid (m->job), to, vm, from);
          }
        else if (ferry_job_get_kind (m->job) == FERRY_MIGRATION_HOME_HOST)
          /* TRANSLATORS: %s are a halted or suspended VM and the host where it starts next */
          g_print (_("%s now has %s as its home host.\n"), vm, to);
        else if (g_strcmp0 (moved_state (m->job), "Halted") == 0)
          /* TRANSLATORS: %s are a halted VM and the host it moved to */
          g_print (_("%s has moved to %s; it is still halted.\n"), vm, to);
        else if (g_strcmp0 (moved_state (m->job), "Suspended") == 0)
          /* TRANSLATORS: %s are a suspended VM and the host it moved to */
          g_print (_("%s has moved to %s; it is still suspended.\n"), vm, to);
        else
          /* TRANSLATORS: %s are the VM and the host it is on now */
          g_print (_("%s is now on %s.\n"), vm, to);
      }
      finish (m, FERRY_CLI_EXIT_OK);
      break;

    case FERRY_JOB_STATE_FAILED:
      close_line (m);
      {
        g_autofree char *vm = shown (ferry_job_get_vm_name (m->job));

        g_printerr (_("ferryctl: the migration of %s failed: %s\n"), vm,
                    ferry_job_get_error (m->job) != NULL ? ferry_job_get_error (m->job) : _("no reason given."));
        if (ferry_job_get_error_details (m->job) != NULL)
          {
            /* Wider than a table cell: the code and its parameters stay whole. */
            g_autofree char *details = ferry_cli_display_text (ferry_job_get_error_details (m->job), 1024);

            /* TRANSLATORS: the pool's error code and its parameters, as in "VM_REQUIRES_SR (vm: db-01, sr: Lyon NFS)" */
            g_printerr (_("Details: %s\n"), details);
          }
      }
      finish (m, FERRY_CLI_EXIT_FAILURE);
      break;

    case FERRY_JOB_STATE_UNKNOWN:
      close_line (m);
      /* TRANSLATORS: %s are the VM, then what is known (a sentence) */
      g_printerr (_("ferryctl: the migration of %s: the outcome is unknown: %s\n"), ferry_job_get_vm_name (m->job),
                  ferry_job_get_error (m->job) != NULL ? ferry_job_get_error (m->job) : _("no reason given."));
      finish (m, FERRY_CLI_EXIT_FAILURE);
      break;

    case FERRY_JOB_STATE_CANCELLED:
      close_line (m);
      if (m->declined)
        finish (m, FERRY_CLI_EXIT_NOT_CONFIRMED);
      else
        {
          g_autofree char *vm = shown (ferry_job_get_vm_name (m->job));

          g_printerr (_("ferryctl: the migration of %s was cancelled.\n"), vm);
          finish (m, m->n_interrupts > 0 ? ferry_cli_stop_status (SIGINT) : FERRY_CLI_EXIT_FAILURE);
        }
      break;

    default:
      break;
    }
}

static void
on_state_changed (FerryJob   *job,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  handle_state (user_data);
}

static void
on_progress_changed (FerryJob   *job,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  Migration *m = user_data;

  if (!m->finished && ferry_job_get_state (job) == FERRY_JOB_STATE_RUNNING)
    draw_progress (m, FALSE);
}

static void
on_task_ref_changed (FerryJob   *job,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  Migration *m = user_data;

  if (m->detach)
    handle_state (m);
}

static void
on_can_cancel_changed (FerryJob   *job,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  Migration *m = user_data;

  /* A Ctrl+C that came while the pool did not allow cancelling (its task
   * not known yet, or not reported cancellable yet) is carried out now. */
  if (m->cancel_pending && ferry_job_get_can_cancel (job) &&
      ferry_job_get_state (job) == FERRY_JOB_STATE_RUNNING)
    {
      m->cancel_pending = FALSE;
      ferry_job_cancel (job);
    }
}

static gboolean
on_interrupt (gpointer user_data)
{
  Migration    *m = user_data;
  FerryJobState state = ferry_job_get_state (m->job);

  m->n_interrupts++;
  close_line (m);

  if (m->n_interrupts > 1 || ferry_job_is_finished (m->job))
    {
      g_printerr (_("Interrupted; the migration carries on without ferryctl (see “ferryctl tasks”).\n"));
      finish (m, ferry_cli_stop_status (SIGINT));
      return G_SOURCE_CONTINUE;
    }

  if (state == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    {
      m->declined = TRUE;
      ferry_job_decline (m->job);
      g_printerr (_("Not confirmed. Nothing was sent.\n"));
      finish (m, FERRY_CLI_EXIT_NOT_CONFIRMED);
    }
  else if (ferry_job_get_can_cancel (m->job))
    {
      g_printerr (_("Cancelling the migration (press Ctrl+C again to stop waiting)…\n"));
      ferry_job_cancel (m->job);
    }
  else if (ferry_job_get_task_ref (m->job) == NULL)
    {
      /* No task known yet: the request is out, or waits for a new login
       * (it is then withdrawn).  Whether the pool has started anything is
       * not known, so neither is said. */
      m->cancel_pending = TRUE;
      ferry_job_cancel (m->job);
      g_printerr (_("Cancelling the migration; if the pool has already started it, it will be cancelled as "
                    "soon as the pool allows. Press Ctrl+C again to stop waiting.\n"));
    }
  else
    {
      /* Running, but the pool does not allow cancel right now: either its
       * task has only just started, or it is in its final phase. */
      m->cancel_pending = TRUE;
      ferry_job_cancel (m->job);
      g_printerr (_("The pool does not allow cancelling this migration right now; it will be cancelled "
                    "as soon as it does. Press Ctrl+C again to stop waiting; the migration then carries "
                    "on.\n"));
    }

  return G_SOURCE_CONTINUE;
}

/* SIGTERM or SIGHUP: ferryctl goes at once, and a migration that the pool
 * runs goes on there; say where to find it. */
static void
stop_by_signal (Migration *m)
{
  const char *vm = ferry_job_get_vm_name (m->job);
  const char *task = ferry_job_get_task_ref (m->job);

  close_line (m);
  if (ferry_job_get_state (m->job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    {
      /* The question is still open on its line. */
      if (m->asked)
        g_printerr ("\n");
      g_printerr (_("ferryctl: stopped; the migration of %s was not confirmed, and nothing was sent.\n"), vm);
      /* The exit status says "stopped", not "not confirmed". */
      finish (m, ferry_cli_stop_status (m->cli->stop_signal));
      m->declined = TRUE;
      ferry_job_decline (m->job);
      return;
    }
  else if (task != NULL && *task != '\0')
    /* TRANSLATORS: %s are the VM and the task reference */
    g_printerr (_("ferryctl: stopped; the migration of %s goes on in the pool (task %s); "
                  "“ferryctl tasks” shows it.\n"),
                vm, task);
  else
    g_printerr (_("ferryctl: stopped before the pool gave the migration of %s a task; "
                  "if it started, “ferryctl tasks” shows it.\n"),
                vm);

  finish (m, ferry_cli_stop_status (m->cli->stop_signal));
}

static int
run_migration (FerryCli            *cli,
               FerryVm             *vm,
               FerryHost           *target,
               FerryMigrateOptions *options,
               gboolean             yes,
               gboolean             detach)
{
  Migration m = { 0 };
  FerryJob *job;

  m.cli = cli;
  m.yes = yes;
  m.detach = detach;
  m.shown_state = -1;
  m.tty_progress = ferry_cli_stderr_is_tty ();

  job = ferry_manager_migrate (cli->manager, vm, target, options);
  if (job == NULL)
    {
      g_printerr (_("ferryctl: the migration could not be started.\n"));
      return FERRY_CLI_EXIT_FAILURE;
    }
  m.job = g_object_ref (job);

  g_signal_connect (job, "notify::state", G_CALLBACK (on_state_changed), &m);
  g_signal_connect (job, "notify::progress", G_CALLBACK (on_progress_changed), &m);
  g_signal_connect (job, "notify::rate", G_CALLBACK (on_progress_changed), &m);
  g_signal_connect (job, "notify::task-ref", G_CALLBACK (on_task_ref_changed), &m);
  g_signal_connect (job, "notify::can-cancel", G_CALLBACK (on_can_cancel_changed), &m);
  /* SIGTERM and SIGHUP are watched since connecting (ferry-cli.c). */
  m.sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &m);

  handle_state (&m);
  while (!m.finished)
    {
      if (cli->stop_signal != 0)
        {
          stop_by_signal (&m);
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }

  g_signal_handlers_disconnect_by_data (job, &m);
  g_clear_handle_id (&m.sigint_id, g_source_remove);
  g_clear_pointer (&m.question, ferry_cli_question_free);
  g_clear_object (&m.job);

  return m.status;
}

typedef struct
{
  const char *vm;
  const char *host;
  const char *sr;
  const char *network;
  const char *migration_network;
  gboolean    copy;
  gboolean    compress;
  gboolean    force;
  gboolean    yes;
  gboolean    detach;
  int         concurrency; /* --concurrency, -1 when not given */
} MigrateRequest;

static int
resolve_and_run (FerryCli             *self,
                 const char           *command,
                 const MigrateRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_options_new ();
  g_autoptr(FerryVm) vm = NULL;
  g_autoptr(FerryHost) host = NULL;
  FerryPool *target_pool;

  if (!ferry_cli_connect (self, NULL, &error))
    return ferry_cli_report_error (error, command);
  ferry_cli_apply_concurrency (self, request->concurrency);

  vm = ferry_cli_resolve (self, FERRY_CLI_OBJECT_VM, request->vm, NULL, &error);
  if (vm == NULL)
    return ferry_cli_report_error (error, command);
  host = ferry_cli_resolve (self, FERRY_CLI_OBJECT_HOST, request->host, NULL, &error);
  if (host == NULL)
    return ferry_cli_report_error (error, command);

  /* Storage and networks are the target pool's: look only there, so that
   * "Local storage" means the target's even when every pool has one. */
  target_pool = ferry_host_get_pool (host);

  if (request->sr != NULL)
    {
      g_autoptr(FerrySr) sr = ferry_cli_resolve (self, FERRY_CLI_OBJECT_SR, request->sr, target_pool, &error);

      if (sr == NULL)
        return ferry_cli_report_error (error, command);
      ferry_migrate_options_set_sr (options, sr);
    }
  if (request->network != NULL)
    {
      g_autoptr(FerryNetwork) network = ferry_cli_resolve (self, FERRY_CLI_OBJECT_NETWORK, request->network, target_pool, &error);

      if (network == NULL)
        return ferry_cli_report_error (error, command);
      ferry_migrate_options_set_network (options, network);
    }
  if (request->migration_network != NULL)
    {
      g_autoptr(FerryNetwork) network = ferry_cli_resolve (self, FERRY_CLI_OBJECT_NETWORK, request->migration_network,
                                                           target_pool, &error);

      if (network == NULL)
        return ferry_cli_report_error (error, command);
      ferry_migrate_options_set_migration_network (options, network);
    }
  if (request->copy)
    ferry_migrate_options_set_copy (options, TRUE);
  if (request->compress)
    ferry_migrate_options_set_compress (options, TRUE);
  if (request->force)
    ferry_migrate_options_set_force (options, TRUE);

  return run_migration (self, vm, host, options, request->yes, request->detach);
}

int
ferry_cli_cmd_migrate (FerryCli *self,
                       int       argc,
                       char    **argv)
{
  MigrateRequest     request = { 0 };
  g_autofree char   *sr = NULL;
  g_autofree char   *network = NULL;
  g_autofree char   *migration_network = NULL;
  const GOptionEntry entries[] = {
    { "sr", 0, 0, G_OPTION_ARG_STRING, &sr,
      N_("Move every disk to this storage repository of the target pool"), N_("SR") },
    { "network", 0, 0, G_OPTION_ARG_STRING, &network,
      N_("Connect every network interface to this network of the target pool"), N_("NET") },
    { "migration-network", 0, 0, G_OPTION_ARG_STRING, &migration_network,
      N_("Send the migration traffic over this network of the target pool"), N_("NET") },
    { "copy", 0, 0, G_OPTION_ARG_NONE, &request.copy,
      N_("Make a halted copy (with a new uuid) in the other pool and leave the original in place; "
         "a running VM also needs --force"),
      NULL },
    { "compress", 0, 0, G_OPTION_ARG_NONE, &request.compress,
      N_("Ask the pool to compress the migration stream"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &request.force,
      N_("Ask the pool to skip its CPU compatibility checks"), NULL },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &request.yes,
      N_("Confirm a migration without shared storage without asking"), NULL },
    { "detach", 0, 0, G_OPTION_ARG_NONE, &request.detach,
      N_("Return once the migration runs, printing its task reference"), NULL },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &request.concurrency,
      N_("At most N storage migrations (1 to 3) leave one host at a time, for this run; by default the "
         "pool’s value from Preferences, else 3"),
      N_("N") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  int status;

  request.concurrency = -1;
  context = ferry_cli_option_context_new ("migrate", _("VM HOST"),
                                          _("Moves a VM to another host, in the same pool or in another connected "
                                            "pool. VM and HOST (and SR, NET) are uuids or unique names.\n\n"
                                            "When the VM’s disks can stay where they are, only its memory moves. "
                                            "Otherwise the disks are copied to the target’s storage while the VM "
                                            "keeps running; this is explained and must be confirmed, on the terminal "
                                            "(“OK to migrate without shared storage? [y/N]”) or with --yes. Nothing "
                                            "is sent before that. Ctrl+C cancels a running migration.\n\n"
                                            "The storage, networks and migration network chosen last time for the "
                                            "same two pools in the window are not used: ferryctl takes only what "
                                            "--sr, --network and --migration-network say.\n\n"
                                            "A halted or suspended VM moves too and stays halted or suspended: when "
                                            "the target host sees all its disks, the target only becomes its home "
                                            "host (where it starts or resumes next); otherwise its disks (and the "
                                            "memory image of a suspended VM) are copied, with the same question. A "
                                            "paused VM cannot move.\n\n"
                                            "Exit status: 0 done, 1 failed, 2 usage error (e.g. unknown or ambiguous "
                                            "name), 3 not confirmed (nothing was sent)."));
  if (!ferry_cli_parse_command (self, context, entries, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("migrate", argc, 3, _("migrate needs a VM and a target host."),
                                  _("migrate takes one VM and one host."), &status) ||
      !ferry_cli_check_concurrency ("migrate", request.concurrency, &status))
    return status;

  request.vm = argv[1];
  request.host = argv[2];
  request.sr = sr;
  request.network = network;
  request.migration_network = migration_network;

  return resolve_and_run (self, "migrate", &request);
}

int
ferry_cli_cmd_migrate_pool (FerryCli *self,
                            int       argc,
                            char    **argv)
{
  static const char * const keys[] = {
    "id", "target_host_id", "target_sr_id", "target_network_id", "migration_network_id", NULL
  };
  MigrateRequest     request = { 0 };
  const GOptionEntry entries[] = {
    { "detach", 0, 0, G_OPTION_ARG_NONE, &request.detach,
      N_("Return once the migration runs, printing its task reference"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status;

  context = ferry_cli_option_context_new ("vm.migrate_pool",
                                          "id=VM_UUID target_host_id=HOST_UUID [target_sr_id=SR_UUID] "
                                          "[target_network_id=NET_UUID] [migration_network_id=NET_UUID]",
                                          _("The migrate command in the form xo-cli uses. Like xo-cli, it does not "
                                            "ask for confirmation: a migration without shared storage goes ahead."));
  if (!ferry_cli_parse_command (self, context, entries, &argc, &argv, &status))
    return status;

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (!ferry_cli_parse_key_value (argv[i], &key, &value))
        return ferry_cli_usage_error ("vm.migrate_pool", _("“%s” is not of the form key=value."), argv[i]);
      if (!g_strv_contains (keys, key))
        return ferry_cli_usage_error ("vm.migrate_pool",
                                      _("Unknown parameter “%s” (expected id, target_host_id, target_sr_id, "
                                        "target_network_id or migration_network_id)."),
                                      key);
      if (*value == '\0')
        return ferry_cli_usage_error ("vm.migrate_pool", _("%s= needs a value."), key);
      if (g_hash_table_contains (values, key))
        return ferry_cli_usage_error ("vm.migrate_pool", _("%s is given twice."), key);
      g_hash_table_insert (values, g_steal_pointer (&key), g_steal_pointer (&value));
    }

  request.vm = g_hash_table_lookup (values, "id");
  request.host = g_hash_table_lookup (values, "target_host_id");
  request.sr = g_hash_table_lookup (values, "target_sr_id");
  request.network = g_hash_table_lookup (values, "target_network_id");
  request.migration_network = g_hash_table_lookup (values, "migration_network_id");
  request.yes = TRUE;

  if (request.vm == NULL || request.host == NULL)
    return ferry_cli_usage_error ("vm.migrate_pool", _("vm.migrate_pool needs id=VM_UUID and target_host_id=HOST_UUID."));

  return resolve_and_run (self, "vm.migrate_pool", &request);
}
