/* ferryctl-main.c: ferryctl, the command-line front end of Ferry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "ferry-cli.h"

typedef int (*CommandFunc) (FerryCli *cli, int argc, char **argv);

typedef struct
{
  const char *name;
  CommandFunc func;
  const char *synopsis;
  const char *description;
} Command;

static const Command commands[] = {
  { "server", ferry_cli_cmd_server,
    N_("server add URL --user USER"), N_("Check a server’s login and certificate, then save it") },
  { NULL, NULL,
    N_("server list"), N_("Show the saved servers") },
  { NULL, NULL,
    N_("server remove URL"), N_("Forget a saved server and its password") },
  { "list", ferry_cli_cmd_list,
    N_("list [--json]"), N_("Show pools, hosts, VMs, storage and networks") },
  { "migrate", ferry_cli_cmd_migrate,
    N_("migrate VM HOST"), N_("Move a VM to another host, in its pool or another one") },
  { "vm.migrate_pool", ferry_cli_cmd_migrate_pool,
    N_("vm.migrate_pool id=VM target_host_id=HOST"), N_("The same in xo-cli form (no confirmation asked)") },
  { "evacuate", ferry_cli_cmd_evacuate,
    N_("evacuate HOST [--to HOST] [--disable]"), N_("Move every running VM of a host to other hosts of its pool") },
  { "host-enable", ferry_cli_cmd_host_enable,
    N_("host-enable HOST"), N_("Enable a host again after an evacuation with --disable") },
  { "tasks", ferry_cli_cmd_tasks,
    N_("tasks [--json]"), N_("Show running and waiting migrations") },
  { "cancel", ferry_cli_cmd_cancel,
    N_("cancel TASK"), N_("Cancel a running migration") },
  { "help", NULL,
    N_("help [COMMAND]"), N_("Show help, for one command too") },
};

static void
print_usage (FILE *out)
{
  g_autoptr(FerryCliTable) table = ferry_cli_table_new (2);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    ferry_cli_table_add_row (table, _(commands[i].synopsis), _(commands[i].description));

  g_string_append_printf (text, "%s\n  ferryctl %s\n\n%s\n\n%s\n",
                          _("Usage:"), _("COMMAND [OPTION…]"),
                          _("Moves running Xen VMs (XenServer, XCP-ng) between hosts and pools, "
                            "with or without shared storage."),
                          _("Commands:"));
  ferry_cli_table_render (table, 2, text);
  g_string_append_printf (text, "\n%s\n  %-14s %s\n  %-14s %s\n\n",
                          _("Options:"),
                          "-h, --help", _("Show this help"),
                          "--version", _("Show the version"));
  g_string_append_printf (text, "%s\n",
                          _("Every command that talks to pools uses the saved servers, or only the one given "
                            "with --server URL --user USER --password-stdin (nothing is saved then).\n"
                            "Run “ferryctl COMMAND --help” for the options of a command.\n\n"
                            "Exit status: 0 success, 1 failure, 2 usage error, 3 migration not confirmed."));
  fputs (text->str, out);
}

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (commands[i].name != NULL && commands[i].func != NULL && g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(FerryCli) cli = NULL;
  const Command *command;
  const char    *name;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("ferryctl");

  if (argc < 2)
    {
      print_usage (stderr);
      return FERRY_CLI_EXIT_USAGE;
    }

  name = argv[1];

  if (g_str_equal (name, "--version") || g_str_equal (name, "-V"))
    {
      g_print ("ferryctl %s\n", PACKAGE_VERSION);
      return FERRY_CLI_EXIT_OK;
    }

  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      if (g_str_equal (name, "help") && argc > 2)
        {
          /* "ferryctl help migrate" is "ferryctl migrate --help". */
          g_autofree char **help_argv = g_new0 (char *, argc + 1);
          int               help_argc = 0;

          command = find_command (argv[2]);
          if (command == NULL)
            {
              g_printerr (_("ferryctl: unknown command “%s”.\n"), argv[2]);
              g_printerr (_("Try “ferryctl --help”.\n"));
              return FERRY_CLI_EXIT_USAGE;
            }
          for (int i = 2; i < argc; i++)
            help_argv[help_argc++] = argv[i];
          help_argv[help_argc++] = (char *) "--help";

          cli = ferry_cli_new ();
          return command->func (cli, help_argc, help_argv);
        }

      print_usage (stdout);
      return FERRY_CLI_EXIT_OK;
    }

  command = find_command (name);
  if (command == NULL)
    {
      if (name[0] == '-')
        g_printerr (_("ferryctl: options go after the command: “ferryctl COMMAND %s”.\n"), name);
      else
        g_printerr (_("ferryctl: unknown command “%s”.\n"), name);
      g_printerr (_("Try “ferryctl --help”.\n"));
      return FERRY_CLI_EXIT_USAGE;
    }

  cli = ferry_cli_new ();
  return command->func (cli, argc - 1, argv + 1);
}
