/* ferry-cli-evacuate.c: ferryctl evacuate and ferryctl host-enable
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

typedef struct
{
  FerryCli         *cli;
  FerryEvacuation  *evacuation;
  gboolean          json;
  gboolean          disable;

  /* The question on the terminal. */
  FerryCliQuestion *question;
  gboolean          answered;
  gboolean          confirmed;

  GCancellable     *cancellable;
  GAsyncResult     *result;
  guint             n_interrupts;
  gboolean          stop_waiting;
} Evacuate;

static char *
shown (const char *name)
{
  return ferry_cli_display_text (name != NULL ? name : "?", FERRY_CLI_MAX_FIELD_WIDTH);
}

static const char *
kind_id (FerryEvacuationItem *item)
{
  if (item->plan == NULL)
    return NULL;
  return ferry_plan_get_kind (item->plan) == FERRY_MIGRATION_STORAGE ? "storage" : "plain";
}

/* ---- the plan, as text ---------------------------------------------------- */

static void
print_disks (FerryPlan *plan)
{
  GPtrArray *disks = ferry_plan_get_disks (plan);

  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk   *disk = g_ptr_array_index (disks, i);
      g_autofree char *name = shown (disk->name);
      g_autofree char *from = shown (disk->from != NULL ? ferry_sr_get_name (disk->from) : NULL);
      g_autofree char *to = shown (disk->to != NULL ? ferry_sr_get_name (disk->to) : NULL);
      g_autofree char *size = ferry_format_size (disk->virtual_size);

      if (disk->moves)
        /* TRANSLATORS: a disk, its size, the SR it leaves and the SR it goes to */
        g_print (_("      disk “%s” (%s): %s → %s\n"), name, size, from, to);
      else
        /* TRANSLATORS: a disk, its size and the SR it stays on */
        g_print (_("      disk “%s” (%s) stays on %s\n"), name, size, from);
    }
}

static void
print_plan (Evacuate *e)
{
  FerryHost       *host = ferry_evacuation_get_host (e->evacuation);
  GPtrArray       *items = ferry_evacuation_get_items (e->evacuation);
  g_autofree char *host_name = shown (ferry_host_get_name (host));
  g_autofree char *pool_name = shown (ferry_pool_get_name (ferry_host_get_pool (host)));
  guint            movable = ferry_evacuation_count_movable (e->evacuation);
  guint            storage = ferry_evacuation_count_storage (e->evacuation);
  guint            blocked = items->len - movable;
  g_autofree char *bytes = ferry_format_size (ferry_evacuation_get_bytes_to_copy (e->evacuation));
  FerryNetwork    *network = ferry_evacuation_get_migration_network (e->evacuation);

  /* TRANSLATORS: a host, its pool and how many running VMs it holds */
  g_print (g_dngettext (GETTEXT_PACKAGE, "Evacuating %s (pool %s): %u running VM.\n",
                        "Evacuating %s (pool %s): %u running VMs.\n", items->len),
           host_name, pool_name, items->len);

  for (guint i = 0; i < items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (items, i);
      g_autofree char     *vm = shown (ferry_vm_get_name (item->vm));

      if (item->plan == NULL)
        continue;
      {
        g_autofree char *to = shown (ferry_host_get_name (item->target));
        g_autofree char *size = ferry_format_size (ferry_plan_get_bytes_to_copy (item->plan));

        if (ferry_plan_get_kind (item->plan) == FERRY_MIGRATION_PLAIN)
          /* TRANSLATORS: a VM, its target host and how much memory travels */
          g_print (_("  %s → %s: plain migration, only its memory moves (%s)\n"), vm, to, size);
        else
          {
            /* TRANSLATORS: a VM, its target host and how much is copied */
            g_print (_("  %s → %s: with storage, its disks are copied (%s in all)\n"), vm, to, size);
            print_disks (item->plan);
          }
      }
    }

  if (blocked > 0)
    {
      g_print (_("Cannot move:\n"));
      for (guint i = 0; i < items->len; i++)
        {
          FerryEvacuationItem *item = g_ptr_array_index (items, i);
          g_autofree char     *vm = shown (ferry_vm_get_name (item->vm));
          /* Wider than a field: the reasons for every host stay whole. */
          g_autofree char     *reason = ferry_cli_display_text (item->reason, 1024);

          if (item->plan == NULL)
            g_print ("  %s: %s\n", vm, reason);
        }
    }

  /* TRANSLATORS: totals: VMs to move, of which plain, of which with storage, and the bytes copied */
  g_print (g_dngettext (GETTEXT_PACKAGE, "Total: %u VM to move (%u plain, %u with storage), %s to copy",
                        "Total: %u VMs to move (%u plain, %u with storage), %s to copy", movable),
           movable, movable - storage, storage, bytes);
  if (blocked > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "; %u VM cannot move.\n", "; %u VMs cannot move.\n", blocked), blocked);
  else
    g_print (".\n");

  if (network != NULL)
    {
      g_autofree char *net = shown (ferry_network_get_name (network));

      g_print (_("Migration network: %s (the pool’s migration network).\n"), net);
    }
  else
    g_print (_("Migration network: the management network of each target host.\n"));

  if (e->disable)
    {
      if (ferry_host_get_enabled (host))
        g_print (_("%s will be disabled first (host.disable), so that no VM starts on it meanwhile.\n"), host_name);
      else
        g_print (_("%s is already disabled.\n"), host_name);
    }
}

/* ---- the plan and its outcome, as JSON ------------------------------------ */

static const char *
item_state (FerryEvacuationItem *item,
            gboolean             ran)
{
  if (item->job != NULL)
    return ferry_cli_job_state_id (ferry_job_get_state (item->job));
  if (item->plan == NULL)
    return "cannot-move";
  return ran ? "not-started" : "planned";
}

static void
print_json (Evacuate *e,
            gboolean  ran,
            gboolean  disabled,
            int       status)
{
  FerryHost    *host = ferry_evacuation_get_host (e->evacuation);
  GPtrArray    *items = ferry_evacuation_get_items (e->evacuation);
  FerryNetwork *network = ferry_evacuation_get_migration_network (e->evacuation);
  guint         movable = ferry_evacuation_count_movable (e->evacuation);
  guint         storage = ferry_evacuation_count_storage (e->evacuation);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  ferry_cli_json_add_string (builder, "host", ferry_host_get_name (host));
  ferry_cli_json_add_string (builder, "host_uuid", ferry_host_get_uuid (host));
  ferry_cli_json_add_string (builder, "pool", ferry_pool_get_name (ferry_host_get_pool (host)));
  ferry_cli_json_add_boolean (builder, "disabled", disabled);
  ferry_cli_json_add_string (builder, "migration_network", network != NULL ? ferry_network_get_name (network) : NULL);

  ferry_cli_json_begin_array (builder, "vms");
  for (guint i = 0; i < items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (items, i);

      json_builder_begin_object (builder);
      ferry_cli_json_add_string (builder, "vm", ferry_vm_get_name (item->vm));
      ferry_cli_json_add_string (builder, "vm_uuid", ferry_vm_get_uuid (item->vm));
      ferry_cli_json_add_string (builder, "to", item->target != NULL ? ferry_host_get_name (item->target) : NULL);
      ferry_cli_json_add_string (builder, "to_uuid", item->target != NULL ? ferry_host_get_uuid (item->target) : NULL);
      ferry_cli_json_add_string (builder, "kind", kind_id (item));
      ferry_cli_json_add_int (builder, "bytes_to_copy", item->plan != NULL ? (gint64) ferry_plan_get_bytes_to_copy (item->plan) : 0);
      ferry_cli_json_begin_array (builder, "disks");
      if (item->plan != NULL)
        {
          GPtrArray *disks = ferry_plan_get_disks (item->plan);

          for (guint j = 0; j < disks->len; j++)
            {
              FerryPlanDisk *disk = g_ptr_array_index (disks, j);

              json_builder_begin_object (builder);
              ferry_cli_json_add_string (builder, "name", disk->name);
              ferry_cli_json_add_string (builder, "from_sr", disk->from != NULL ? ferry_sr_get_name (disk->from) : NULL);
              ferry_cli_json_add_string (builder, "to_sr", disk->to != NULL ? ferry_sr_get_name (disk->to) : NULL);
              ferry_cli_json_add_boolean (builder, "moves", disk->moves);
              ferry_cli_json_add_int (builder, "virtual_size", (gint64) disk->virtual_size);
              json_builder_end_object (builder);
            }
        }
      json_builder_end_array (builder);
      ferry_cli_json_add_string (builder, "reason", item->reason);
      ferry_cli_json_add_string (builder, "state", item_state (item, ran));
      ferry_cli_json_add_string (builder, "error", item->job != NULL ? ferry_job_get_error (item->job) : NULL);
      ferry_cli_json_add_string (builder, "error_details", item->job != NULL ? ferry_job_get_error_details (item->job) : NULL);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "totals");
  json_builder_begin_object (builder);
  ferry_cli_json_add_int (builder, "vms", items->len);
  ferry_cli_json_add_int (builder, "plain", movable - storage);
  ferry_cli_json_add_int (builder, "storage", storage);
  ferry_cli_json_add_int (builder, "cannot_move", items->len - movable);
  ferry_cli_json_add_int (builder, "bytes_to_copy", (gint64) ferry_evacuation_get_bytes_to_copy (e->evacuation));
  json_builder_end_object (builder);

  ferry_cli_json_add_int (builder, "exit_status", status);
  json_builder_end_object (builder);

  ferry_cli_print_json (builder);
}

/* ---- asking once ---------------------------------------------------------- */

static void
on_answer (gboolean yes,
           gpointer user_data)
{
  Evacuate *e = user_data;

  e->confirmed = yes;
  e->answered = TRUE;
  g_main_context_wakeup (NULL);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Evacuate *e = user_data;

  e->n_interrupts++;
  if (!e->answered && e->question != NULL)
    {
      /* Still asking: Ctrl+C is a no. */
      g_printerr ("\n");
      e->answered = TRUE;
    }
  else if (e->n_interrupts == 1)
    {
      g_printerr (_("Cancelling the migrations that have not ended (press Ctrl+C again to stop waiting)…\n"));
      g_cancellable_cancel (e->cancellable);
    }
  else
    {
      g_printerr (_("Interrupted; the migrations still running carry on without ferryctl (see “ferryctl tasks”).\n"));
      e->stop_waiting = TRUE;
    }
  g_main_context_wakeup (NULL);
  return G_SOURCE_CONTINUE;
}

/* FERRY_CLI_EXIT_OK when confirmed, else the status to exit with. */
static int
ask (Evacuate *e,
     gboolean  yes)
{
  g_autofree char *host = shown (ferry_host_get_name (ferry_evacuation_get_host (e->evacuation)));
  g_autofree char *prompt = NULL;

  if (yes)
    {
      g_printerr (_("Confirmed with --yes.\n"));
      return FERRY_CLI_EXIT_OK;
    }
  if (!ferry_cli_stdin_is_tty ())
    {
      g_printerr (_("ferryctl: evacuating a host needs a confirmation, and standard input is not a terminal "
                    "to ask on. Nothing was sent. Run the command again with --yes to confirm.\n"));
      return FERRY_CLI_EXIT_NOT_CONFIRMED;
    }

  /* TRANSLATORS: %s is the host */
  prompt = g_strdup_printf (_("OK to evacuate %s as shown? [y/N] "), host);
  e->question = ferry_cli_question_new (prompt, on_answer, e);
  while (!e->answered && e->cli->stop_signal == 0)
    g_main_context_iteration (NULL, TRUE);
  /* Still watched when Ctrl+C or a signal ended the question. */
  ferry_cli_question_stop (e->question);
  if (!e->answered)
    {
      g_printerr ("\n");
      g_printerr (_("ferryctl: stopped; nothing was sent.\n"));
      return ferry_cli_stop_status (e->cli->stop_signal);
    }
  if (!e->confirmed)
    {
      g_printerr (_("Not confirmed. Nothing was sent.\n"));
      return FERRY_CLI_EXIT_NOT_CONFIRMED;
    }
  return FERRY_CLI_EXIT_OK;
}

/* ---- running -------------------------------------------------------------- */

static void
on_job_state (FerryJob   *job,
              GParamSpec *pspec,
              gpointer    user_data)
{
  Evacuate        *e = user_data;
  g_autofree char *vm = shown (ferry_job_get_vm_name (job));
  g_autofree char *to = shown (ferry_job_get_target_name (job));

  if (e->json)
    return;

  switch (ferry_job_get_state (job))
    {
    case FERRY_JOB_STATE_QUEUED:
      /* TRANSLATORS: a VM waits for one of its host's storage-migration slots */
      g_printerr (_("%s: queued, waiting for a free migration slot…\n"), vm);
      break;
    case FERRY_JOB_STATE_RUNNING:
      /* TRANSLATORS: a VM and its target host */
      g_printerr (_("%s: migrating to %s…\n"), vm, to);
      break;
    case FERRY_JOB_STATE_SUCCEEDED:
      g_printerr (_("%s is now on %s.\n"), vm, to);
      break;
    case FERRY_JOB_STATE_FAILED:
      g_printerr (_("%s: the migration failed.\n"), vm);
      break;
    case FERRY_JOB_STATE_UNKNOWN:
      g_printerr (_("%s: the outcome is unknown.\n"), vm);
      break;
    default:
      break;
    }
}

/* The running guests the host still holds, by name (empty when none). */
static GPtrArray *
remaining_guests (FerryHost *host)
{
  GListModel *vms = ferry_host_get_vms (host);
  GPtrArray  *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(FerryVm) vm = g_list_model_get_item (vms, i);

      if (g_strcmp0 (ferry_vm_get_power_state (vm), "Running") == 0)
        g_ptr_array_add (names, shown (ferry_vm_get_name (vm)));
    }

  return names;
}

static void
print_report (Evacuate *e)
{
  GPtrArray *items = ferry_evacuation_get_items (e->evacuation);

  g_print (_("Result:\n"));
  for (guint i = 0; i < items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (items, i);
      g_autofree char     *vm = shown (ferry_vm_get_name (item->vm));
      const char          *error = item->job != NULL ? ferry_job_get_error (item->job) : NULL;
      g_autofree char     *reason = ferry_cli_display_text (item->reason != NULL ? item->reason
                                                            : error != NULL      ? error
                                                                                 : _("no reason given."),
                                                        1024);

      if (item->job == NULL)
        /* TRANSLATORS: a VM that was not moved, and why */
        g_print (_("  %s: not moved: %s\n"), vm, reason);
      else
        {
          g_autofree char *to = shown (ferry_host_get_name (item->target));

          switch (ferry_job_get_state (item->job))
            {
            case FERRY_JOB_STATE_SUCCEEDED:
              g_print (_("  %s: now on %s\n"), vm, to);
              break;
            case FERRY_JOB_STATE_FAILED:
              g_print (_("  %s: failed: %s\n"), vm, reason);
              if (ferry_job_get_error_details (item->job) != NULL)
                {
                  g_autofree char *details = ferry_cli_display_text (ferry_job_get_error_details (item->job), 1024);

                  g_print (_("    Details: %s\n"), details);
                }
              break;
            case FERRY_JOB_STATE_UNKNOWN:
              g_print (_("  %s: the outcome is unknown: %s\n"), vm, reason);
              break;
            case FERRY_JOB_STATE_CANCELLED:
              if (item->reason != NULL)
                g_print (_("  %s: not moved: %s\n"), vm, reason);
              else
                g_print (_("  %s: cancelled\n"), vm);
              break;
            default:
              /* TRANSLATORS: a VM and the state of its migration when ferryctl stopped waiting */
              g_print (_("  %s: still %s\n"), vm, ferry_job_state_to_string (ferry_job_get_state (item->job)));
              break;
            }
        }
    }
}

static int
run (Evacuate *e)
{
  FerryHost       *host = ferry_evacuation_get_host (e->evacuation);
  g_autofree char *host_name = shown (ferry_host_get_name (host));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) remaining = NULL;
  GPtrArray *items = ferry_evacuation_get_items (e->evacuation);
  gboolean   was_enabled = ferry_host_get_enabled (host);
  gboolean   disabled = FALSE;
  gboolean   stopped = FALSE;
  int        status;

  e->cancellable = g_cancellable_new ();
  if (e->disable && was_enabled)
    g_printerr (_("Disabling %s (host.disable)…\n"), host_name);
  ferry_evacuation_run_async (e->evacuation, e->cancellable, ferry_cli_async_ready, &e->result);

  /* The jobs exist once the host is disabled; watch them as they appear. */
  while (e->result == NULL && !e->stop_waiting)
    {
      if (e->cli->stop_signal != 0)
        {
          stopped = TRUE;
          break;
        }
      for (guint i = 0; i < items->len; i++)
        {
          FerryEvacuationItem *item = g_ptr_array_index (items, i);

          if (item->job != NULL && g_object_get_data (G_OBJECT (item->job), "ferryctl-watched") == NULL)
            {
              g_object_set_data (G_OBJECT (item->job), "ferryctl-watched", GINT_TO_POINTER (1));
              g_signal_connect (item->job, "notify::state", G_CALLBACK (on_job_state), e);
              on_job_state (item->job, NULL, e);
            }
        }
      g_main_context_iteration (NULL, TRUE);
    }

  for (guint i = 0; i < items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (items, i);

      if (item->job != NULL)
        g_signal_handlers_disconnect_by_data (item->job, e);
    }

  if (e->result != NULL && !ferry_evacuation_run_finish (e->evacuation, e->result, &error) && error != NULL)
    {
      /* Only host.disable fails the whole run: nothing was moved. */
      g_autofree char *message = ferry_cli_display_text (error->message, 1024);

      g_printerr (_("ferryctl: %s could not be disabled: %s Nothing was moved.\n"), host_name, message);
      if (e->json)
        print_json (e, FALSE, FALSE, FERRY_CLI_EXIT_FAILURE);
      return FERRY_CLI_EXIT_FAILURE;
    }

  /* The run only goes on once host.disable succeeded. */
  disabled = e->disable;
  if (e->disable && was_enabled)
    g_printerr (_("%s is disabled: no VM starts on it until “ferryctl host-enable %s”.\n"), host_name, host_name);

  remaining = remaining_guests (host);
  if (stopped)
    {
      g_printerr (_("ferryctl: stopped; the migrations still running carry on in the pool (“ferryctl tasks” "
                    "shows them).\n"));
      status = ferry_cli_stop_status (e->cli->stop_signal);
    }
  else if (e->stop_waiting || e->n_interrupts > 0)
    status = ferry_cli_stop_status (SIGINT);
  else
    status = remaining->len == 0 ? FERRY_CLI_EXIT_OK : FERRY_CLI_EXIT_FAILURE;

  if (e->json)
    print_json (e, TRUE, disabled, status);
  else
    {
      print_report (e);
      if (remaining->len == 0)
        g_print (_("%s holds no running VM now.\n"), host_name);
      else
        {
          g_ptr_array_add (remaining, NULL);
          {
            g_autofree char *list = g_strjoinv (", ", (char **) remaining->pdata);

            g_print (g_dngettext (GETTEXT_PACKAGE, "%s still holds %u running VM: %s.\n",
                                  "%s still holds %u running VMs: %s.\n", remaining->len - 1),
                     host_name, remaining->len - 1, list);
          }
        }
    }

  return status;
}

static void
evacuate_clear (Evacuate *e)
{
  g_clear_object (&e->evacuation);
  g_clear_object (&e->cancellable);
  g_clear_object (&e->result);
  g_clear_pointer (&e->question, ferry_cli_question_free);
}

int
ferry_cli_cmd_evacuate (FerryCli *self,
                        int       argc,
                        char    **argv)
{
  gboolean yes = FALSE;
  gboolean json = FALSE;
  gboolean disable = FALSE;
  int      concurrency = -1; /* not given */
  g_auto(GStrv) to = NULL;
  const GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to,
      N_("Move the VMs only to this host of the same pool (repeat for several hosts)"), N_("HOST") },
    { "disable", 0, 0, G_OPTION_ARG_NONE, &disable,
      N_("Disable the host (host.disable) before the first migration; “ferryctl host-enable HOST” enables it again"),
      NULL },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Run the plan without asking"), NULL },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency,
      N_("At most N storage migrations (1 to 3) leave one host at a time, for this run; by default the "
         "pool’s value from Preferences, else 3"),
      N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object: {\"host\",\"disabled\",\"vms\":[{\"vm\",\"to\",\"kind\",\"disks\",\"reason\",\"state\",…}],\"totals\",…}"),
      NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) planned = NULL;
  g_autoptr(GPtrArray) destinations = NULL;
  Evacuate e = { 0 };
  g_autoptr(FerryHost) host = NULL;
  guint sigint_id;
  int   status;

  context = ferry_cli_option_context_new ("evacuate", _("HOST"),
                                          _("Moves every running VM of HOST to other hosts of its pool: each goes "
                                            "to the host with the most free memory left once the VMs placed before "
                                            "it are counted, a host where its disks can stay (only its memory "
                                            "moves) before one where its disks must be copied. Storage migrations "
                                            "wait in the queue, at most 3 per host at a time (see --concurrency).\n\n"
                                            "The plan (each VM, where it goes and what moves; what cannot move and "
                                            "why) is shown first, then confirmed once, on the terminal or with "
                                            "--yes. Nothing is sent before that. Ctrl+C cancels the migrations "
                                            "that have not ended.\n\n"
                                            "Exit status: 0 when the host holds no running VM at the end, 1 when a "
                                            "VM could not be moved or its migration failed or has an unknown "
                                            "outcome (each VM is reported), 2 usage error, 3 not confirmed "
                                            "(nothing was sent)."));
  if (!ferry_cli_parse_command (self, context, entries, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("evacuate", argc, 2, _("evacuate needs a host."), _("evacuate takes one host."),
                                  &status) ||
      !ferry_cli_check_concurrency ("evacuate", concurrency, &status))
    return status;

  if (!ferry_cli_connect (self, NULL, &error))
    return ferry_cli_report_error (error, "evacuate");
  ferry_cli_apply_concurrency (self, concurrency);
  host = ferry_cli_resolve (self, FERRY_CLI_OBJECT_HOST, argv[1], NULL, &error);
  if (host == NULL)
    return ferry_cli_report_error (error, "evacuate");

  e.cli = self;
  e.json = json;
  e.disable = disable;
  e.evacuation = ferry_evacuation_new (self->manager, host);
  ferry_evacuation_set_disable_host (e.evacuation, disable);

  if (to != NULL)
    {
      destinations = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; to[i] != NULL; i++)
        {
          /* Only hosts of the same pool: an evacuation stays in its pool. */
          g_autoptr(FerryHost) target = ferry_cli_resolve (self, FERRY_CLI_OBJECT_HOST, to[i], ferry_host_get_pool (host),
                                                           &error);

          if (target == NULL)
            {
              evacuate_clear (&e);
              return ferry_cli_report_error (error, "evacuate");
            }
          if (target == host)
            {
              evacuate_clear (&e);
              return ferry_cli_usage_error ("evacuate", _("--to %s is the host being evacuated."), to[i]);
            }
          g_ptr_array_add (destinations, g_steal_pointer (&target));
        }
      ferry_evacuation_set_destinations (e.evacuation, destinations);
    }

  ferry_evacuation_plan_async (e.evacuation, NULL, ferry_cli_async_ready, &planned);
  ferry_cli_wait_result (self, &planned, NULL, 0);
  if (!ferry_evacuation_plan_finish (e.evacuation, planned, &error))
    {
      evacuate_clear (&e);
      return ferry_cli_report_error (error, "evacuate");
    }

  if (!json)
    print_plan (&e);

  /* Nothing to move and nothing to disable: there is nothing to confirm. */
  if (ferry_evacuation_count_movable (e.evacuation) == 0 && !(disable && ferry_host_get_enabled (host)))
    {
      GPtrArray *items = ferry_evacuation_get_items (e.evacuation);

      status = items->len == 0 ? FERRY_CLI_EXIT_OK : FERRY_CLI_EXIT_FAILURE;
      if (json)
        print_json (&e, FALSE, disable, status);
      else if (items->len == 0)
        {
          g_autofree char *name = shown (ferry_host_get_name (host));

          g_print (_("%s holds no running VM.\n"), name);
        }
      evacuate_clear (&e);
      return status;
    }

  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &e);
  status = ask (&e, yes);
  if (status == FERRY_CLI_EXIT_OK)
    status = run (&e);
  else if (json)
    print_json (&e, FALSE, FALSE, status);
  g_source_remove (sigint_id);

  evacuate_clear (&e);
  return status;
}

int
ferry_cli_cmd_host_enable (FerryCli *self,
                           int       argc,
                           char    **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *name = NULL;
  g_autoptr(FerryHost) host = NULL;
  int status;

  context = ferry_cli_option_context_new ("host-enable", _("HOST"),
                                          _("Enables a host again (host.enable), for instance after “ferryctl "
                                            "evacuate --disable”: VMs may start on it and migrate to it."));
  if (!ferry_cli_parse_command (self, context, NULL, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("host-enable", argc, 2, _("host-enable needs one host."), NULL, &status))
    return status;

  if (!ferry_cli_connect (self, NULL, &error))
    return ferry_cli_report_error (error, "host-enable");
  host = ferry_cli_resolve (self, FERRY_CLI_OBJECT_HOST, argv[1], NULL, &error);
  if (host == NULL)
    return ferry_cli_report_error (error, "host-enable");

  name = shown (ferry_host_get_name (host));
  ferry_evacuation_set_host_enabled_async (host, TRUE, NULL, ferry_cli_async_ready, &result);
  ferry_cli_wait_result (self, &result, NULL, 0);
  if (!ferry_evacuation_set_host_enabled_finish (host, result, &error))
    {
      g_autofree char *message = ferry_cli_display_text (error->message, 1024);

      g_printerr (_("ferryctl: %s could not be enabled: %s\n"), name, message);
      return FERRY_CLI_EXIT_FAILURE;
    }

  g_print (_("%s is enabled.\n"), name);
  return FERRY_CLI_EXIT_OK;
}
