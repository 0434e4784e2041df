/* ferry-cli-server.c: ferryctl server add | list | remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-cli.h"

/* The keyring may ask the user to unlock it; leave time for that, but do
 * not wait forever on a daemon that never answers. */
#define KEYRING_TIMEOUT_SECONDS 120

static int
server_add (FerryCli *self,
            int       argc,
            char    **argv)
{
  const GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &self->user,
      N_("User name to log in with (required)"), N_("USER") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &self->password_stdin,
      N_("Read the password from the first line of standard input instead of asking"), NULL },
    { "trust-certificate", 0, 0, G_OPTION_ARG_NONE, &self->trust_certificate,
      N_("Accept and pin the server’s certificate (check its fingerprint first)"), NULL },
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &self->fingerprint,
      N_("Accept only a certificate with this SHA-256 fingerprint, and pin it"), N_("FP") },
    { "follow-master", 0, 0, G_OPTION_ARG_NONE, &self->follow_master,
      N_("Over plain HTTP, send the login on to the master a supporter names even if that address is not known to be in the pool"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &self->timeout,
      N_("Give up connecting after this many seconds (default 30)"), N_("SECONDS") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) pool = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pinned = NULL;
  g_auto(FerryCliPassword) password = NULL;
  FerryServerStore *store;
  FerryServer      *existing;
  FerryServer      *saved;
  const char       *fingerprint;
  int               status;

  context = ferry_cli_option_context_new ("server add", _("URL"),
                                          _("Logs in once to check the address, the user and the password, then saves "
                                            "the server and its pinned certificate in the settings and the password in "
                                            "the keyring. The password is asked on the terminal, or read from standard "
                                            "input with --password-stdin; never give it on the command line.\n\n"
                                            "An unknown certificate is refused and its SHA-256 fingerprint shown: "
                                            "compare it with the host’s, then run again with --trust-certificate."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!ferry_cli_parse_options (context, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("server add", argc, 2,
                                  _("Which server? Give its URL, e.g. https://pool-master.example.com."),
                                  _("server add takes one URL."), &status))
    return status;

  if (self->user == NULL)
    return ferry_cli_usage_error ("server add", _("server add needs --user USER."));
  if (self->timeout <= 0)
    return ferry_cli_usage_error ("server add", _("--timeout needs a number of seconds greater than 0."));

  url = ferry_server_canonical_url (argv[1]);
  if (url == NULL)
    return ferry_cli_usage_error ("server add", _("“%s” is not a server address (expected a host name or an https:// URL)."),
                                  argv[1]);

  store = ferry_cli_get_store (self, &error);
  if (store == NULL)
    return ferry_cli_report_error (error, "server add");

  /* A certificate pinned earlier stays the reference: adding the server again
   * must not quietly accept a different one. */
  existing = ferry_server_store_lookup (store, url);
  if (existing != NULL && ferry_server_get_fingerprint (existing) != NULL)
    {
      if (self->fingerprint != NULL &&
          g_ascii_strcasecmp (self->fingerprint, ferry_server_get_fingerprint (existing)) != 0)
        return ferry_cli_usage_error ("server add",
                                      _("%s is saved with another certificate fingerprint (%s). "
                                        "Remove it first with “ferryctl server remove %s”."),
                                      url, ferry_server_get_fingerprint (existing), url);
      pinned = g_strdup (ferry_server_get_fingerprint (existing));
    }
  else
    pinned = g_strdup (self->fingerprint);

  password = ferry_cli_read_password (self, url, self->user, &error);
  if (password == NULL)
    return ferry_cli_report_error (error, "server add");

  self->manager = ferry_manager_new (store);
  pool = ferry_cli_connect_one (self, url, self->user, password, pinned, TRUE, &error);
  if (pool == NULL)
    return ferry_cli_report_error (error, "server add");

  /* With remember=TRUE the engine has saved the server, its fingerprint and
   * the password (in the keyring) before completing; flush the settings
   * before this short-lived process ends. */
  saved = ferry_server_store_lookup (store, url);
  if (saved == NULL)
    {
      g_printerr (_("ferryctl: logged in to %s, but it could not be saved.\n"), url);
      return FERRY_CLI_EXIT_FAILURE;
    }
  fingerprint = ferry_server_get_fingerprint (saved);
  g_settings_sync ();

  /* TRANSLATORS: %s are the pool name, its URL and the user name */
  g_print (_("Saved pool %s (%s) for user %s.\n"), ferry_pool_get_name (pool), url, self->user);
  if (fingerprint != NULL)
    g_print (_("Pinned certificate, SHA-256 fingerprint %s.\n"), fingerprint);

  return FERRY_CLI_EXIT_OK;
}

static int
server_list (FerryCli *self,
             int       argc,
             char    **argv)
{
  gboolean           json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object: {\"servers\":[{\"url\",\"username\",\"fingerprint\",\"label\"}]}"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  FerryServerStore *store;
  GListModel       *servers;
  guint             n_servers;
  int               status;

  context = ferry_cli_option_context_new ("server list", NULL,
                                          _("Shows the saved servers: URL, user, pool name and pinned certificate."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!ferry_cli_parse_options (context, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("server list", argc, 1, _("server list takes no arguments."), NULL, &status))
    return status;

  store = ferry_cli_get_store (self, &error);
  if (store == NULL)
    return ferry_cli_report_error (error, "server list");

  servers = G_LIST_MODEL (store);
  n_servers = g_list_model_get_n_items (servers);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ferry_cli_json_list_new ("servers");

      for (guint i = 0; i < n_servers; i++)
        {
          g_autoptr(FerryServer) server = g_list_model_get_item (servers, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "url");
          json_builder_add_string_value (builder, ferry_server_get_url (server));
          json_builder_set_member_name (builder, "username");
          json_builder_add_string_value (builder, ferry_server_get_username (server));
          ferry_cli_json_add_string (builder, "fingerprint", ferry_server_get_fingerprint (server));
          ferry_cli_json_add_string (builder, "label", ferry_server_get_label (server));
          json_builder_end_object (builder);
        }
      ferry_cli_json_list_print (builder);
      return FERRY_CLI_EXIT_OK;
    }

  if (n_servers == 0)
    {
      g_printerr (_("No servers are saved. Add one with “ferryctl server add URL --user USER”.\n"));
      return FERRY_CLI_EXIT_OK;
    }

  {
    g_autoptr(FerryCliTable) table = ferry_cli_table_new (4);
    g_autoptr(GString) out = g_string_new (NULL);

    ferry_cli_table_add_row (table, _("URL"), _("USER"), _("POOL"), _("CERTIFICATE (SHA-256)"));
    for (guint i = 0; i < n_servers; i++)
      {
        g_autoptr(FerryServer) server = g_list_model_get_item (servers, i);
        const char *fingerprint = ferry_server_get_fingerprint (server);
        const char *label = ferry_server_get_label (server);

        ferry_cli_table_add_row (table,
                                 ferry_server_get_url (server),
                                 ferry_server_get_username (server),
                                 label != NULL ? label : "-",
                                 fingerprint != NULL ? fingerprint
                                 : g_str_has_prefix (ferry_server_get_url (server), "http:")
                                   ? _("none (plain HTTP)")
                                   : _("trusted by the system"));
      }
    ferry_cli_table_render (table, 0, out);
    g_print ("%s", out->str);
  }

  return FERRY_CLI_EXIT_OK;
}

static int
server_remove (FerryCli *self,
               int       argc,
               char    **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char  *url = NULL;
  g_autofree char  *username = NULL;
  FerryServerStore *store;
  FerryServer      *server;
  int               status;

  context = ferry_cli_option_context_new ("server remove", _("URL"),
                                          _("Forgets a saved server and removes its password from the keyring."));
  if (!ferry_cli_parse_options (context, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("server remove", argc, 2, _("Which server? Give its URL (see “ferryctl server list”)."),
                                  _("server remove takes one URL."), &status))
    return status;

  url = ferry_server_canonical_url (argv[1]);
  store = ferry_cli_get_store (self, &error);
  if (store == NULL)
    return ferry_cli_report_error (error, "server remove");

  server = url != NULL ? ferry_server_store_lookup (store, url) : NULL;
  if (server == NULL)
    return ferry_cli_usage_error ("server remove", _("No server “%s” is saved (see “ferryctl server list”)."), argv[1]);

  username = g_strdup (ferry_server_get_username (server));

  /* The password goes first, and this process waits for it: the store would
   * clear it too, but in the background, and a second clear racing with
   * that one trips libsecret. */
  cancellable = g_cancellable_new ();
  ferry_server_store_clear_password_async (store, url, username, cancellable, ferry_cli_async_ready, &result);
  ferry_cli_wait_result (self, &result, cancellable, KEYRING_TIMEOUT_SECONDS);
  if (!ferry_server_store_clear_password_finish (store, result, &error))
    {
      g_autofree char *message = ferry_error_to_message (error);

      g_printerr (_("ferryctl: the password of %s could not be removed from the keyring, so the server "
                    "stays saved: %s\n"),
                  url, message);
      return FERRY_CLI_EXIT_FAILURE;
    }

  ferry_server_store_remove (store, url);
  g_settings_sync ();

  g_print (_("Removed %s and its saved password.\n"), url);
  return FERRY_CLI_EXIT_OK;
}

int
ferry_cli_cmd_server (FerryCli *self,
                      int       argc,
                      char    **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;

  if (sub == NULL || g_str_equal (sub, "--help") || g_str_equal (sub, "-h") || g_str_equal (sub, "help"))
    {
      FILE *out = sub != NULL ? stdout : stderr;

      fprintf (out, "%s\n", _("Usage:\n"
                              "  ferryctl server add URL --user USER [--password-stdin] [--trust-certificate]\n"
                              "  ferryctl server list [--json]\n"
                              "  ferryctl server remove URL\n"
                              "\n"
                              "Saved servers are what “ferryctl list”, “migrate”, “tasks” and “cancel” connect to,\n"
                              "and what the Ferry window shows. Passwords are kept in the keyring."));
      return sub != NULL ? FERRY_CLI_EXIT_OK : FERRY_CLI_EXIT_USAGE;
    }

  if (g_str_equal (sub, "add"))
    return server_add (self, argc - 1, argv + 1);
  if (g_str_equal (sub, "list"))
    return server_list (self, argc - 1, argv + 1);
  if (g_str_equal (sub, "remove") || g_str_equal (sub, "rm"))
    return server_remove (self, argc - 1, argv + 1);

  return ferry_cli_usage_error ("server", _("Unknown command “server %s” (expected add, list or remove)."), sub);
}
