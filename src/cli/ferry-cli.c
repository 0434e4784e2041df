/* ferry-cli.c: what every ferryctl command shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "ferry-cli-private.h"

#define DEFAULT_TIMEOUT_SECONDS 30

G_DEFINE_QUARK (ferry-cli-error-quark, ferry_cli_error)

FerryCli *
ferry_cli_new (void)
{
  FerryCli *self = g_new0 (FerryCli, 1);

  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  return self;
}

void
ferry_cli_free (FerryCli *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (self->stop_watch); i++)
    g_clear_handle_id (&self->stop_watch[i], g_source_remove);

  g_clear_pointer (&self->pools, g_ptr_array_unref);
  g_clear_object (&self->manager);
  if (self->store != NULL)
    {
      /* GSettings backends write lazily; a short-lived process must flush
       * before it goes, or "server add" would save nothing. */
      g_settings_sync ();
      g_clear_object (&self->store);
    }
  g_free (self->server);
  g_free (self->user);
  g_free (self->fingerprint);
  g_free (self);
}

void
ferry_cli_add_connection_options (FerryCli       *self,
                                  GOptionContext *context)
{
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &self->server,
      N_("Use this server only, without saving anything (one-off form)"), N_("URL") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &self->user,
      N_("User name for --server"), N_("USER") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &self->password_stdin,
      N_("Read the password from the first line of standard input"), NULL },
    { "trust-certificate", 0, 0, G_OPTION_ARG_NONE, &self->trust_certificate,
      N_("Accept and pin the server’s certificate if it is not known yet"), NULL },
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &self->fingerprint,
      N_("Accept only a certificate with this SHA-256 fingerprint"), N_("FP") },
    { "follow-master", 0, 0, G_OPTION_ARG_NONE, &self->follow_master,
      N_("Over plain HTTP, send the login on to the master a supporter names even if that address is not known to be in the pool"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &self->timeout,
      N_("Give up connecting after this many seconds (default 30)"), N_("SECONDS") },
    { NULL }
  };

  /* In the main group, so that "--help" shows them: every command that
   * talks to pools takes them. */
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

GOptionContext *
ferry_cli_option_context_new (const char *command,
                              const char *parameters,
                              const char *summary)
{
  g_autofree char *prgname = g_strdup_printf ("ferryctl %s", command);
  GOptionContext  *context;

  /* GOption prints the program name in its usage line; naming the
   * subcommand there makes "ferryctl migrate --help" read right. */
  g_set_prgname (prgname);
  context = g_option_context_new (parameters);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  return context;
}

gboolean
ferry_cli_parse_options (GOptionContext *context,
                         int            *argc,
                         char         ***argv,
                         int            *exit_status)
{
  g_autoptr(GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("ferryctl: %s\n", error->message);
      g_printerr (_("Try “%s --help”.\n"), g_get_prgname ());
      *exit_status = FERRY_CLI_EXIT_USAGE;
      return FALSE;
    }

  return TRUE;
}

gboolean
ferry_cli_parse_command (FerryCli           *self,
                         GOptionContext     *context,
                         const GOptionEntry *entries,
                         int                *argc,
                         char             ***argv,
                         int                *exit_status)
{
  /* The command's own options first: --help lists them in this order. */
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  ferry_cli_add_connection_options (self, context);
  return ferry_cli_parse_options (context, argc, argv, exit_status);
}

int
ferry_cli_report_error (const GError *error,
                        const char   *command)
{
  int status = FERRY_CLI_EXIT_FAILURE;

  g_printerr ("ferryctl: %s\n", error->message);

  if (error->domain == FERRY_CLI_ERROR)
    status = error->code;

  if (status == FERRY_CLI_EXIT_USAGE && command != NULL)
    g_printerr (_("Try “ferryctl %s --help”.\n"), command);

  return status;
}

int
ferry_cli_usage_error (const char *command,
                       const char *format,
                       ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  error = g_error_new_literal (FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE, message);
  return ferry_cli_report_error (error, command);
}

gboolean
ferry_cli_check_arguments (const char *command,
                           int         argc,
                           int         n_args,
                           const char *too_few,
                           const char *too_many,
                           int        *exit_status)
{
  if (argc == n_args)
    return TRUE;

  *exit_status = ferry_cli_usage_error (command, "%s", argc < n_args || too_many == NULL ? too_few : too_many);
  return FALSE;
}

/* (transfer full) Ferry's settings schema, or NULL when it is not installed
 * (g_settings_new() would abort). */
static GSettingsSchema *
lookup_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

  return source != NULL ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
}

FerryServerStore *
ferry_cli_get_store (FerryCli *self,
                     GError  **error)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (self->store != NULL)
    return self->store;

  /* Without the schema, say what is wrong. */
  schema = lookup_schema ();
  if (schema == NULL)
    {
      g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_FAILED,
                   _("The settings schema %s is not installed, so saved servers cannot be read. "
                     "Install Ferry, or use --server URL --user USER --password-stdin."),
                   APP_ID);
      return NULL;
    }

  settings = g_settings_new_full (schema, NULL, NULL);
  self->store = ferry_server_store_new (settings);
  return self->store;
}

/* SIGTERM and SIGHUP */

static void
stop_by (FerryCli *self,
         int       signum)
{
  /* The first one counts; the waits see it as soon as they wake. */
  if (self->stop_signal == 0)
    self->stop_signal = signum;
  g_main_context_wakeup (NULL);
}

static gboolean
on_sigterm (gpointer user_data)
{
  stop_by (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sighup (gpointer user_data)
{
  stop_by (user_data, SIGHUP);
  return G_SOURCE_CONTINUE;
}

void
ferry_cli_watch_stop_signals (FerryCli *self)
{
  if (self->stop_watch[0] != 0)
    return;

  self->stop_watch[0] = g_unix_signal_add (SIGTERM, on_sigterm, self);
  self->stop_watch[1] = g_unix_signal_add (SIGHUP, on_sighup, self);
}

int
ferry_cli_stop_status (int signum)
{
  return 128 + signum;
}

/* Stopped while connecting: nothing was sent yet, and the callbacks of the
 * connections still point at the caller's stack, so out is the way. */
void
ferry_cli_exit_if_stopped_connecting (FerryCli *self)
{
  if (self->stop_signal == 0)
    return;

  g_printerr (_("ferryctl: stopped while connecting; nothing was sent.\n"));
  exit (ferry_cli_stop_status (self->stop_signal));
}

/* Waiting on the main context */

void
ferry_cli_async_ready (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

typedef struct
{
  GCancellable *cancellable;
  gboolean      fired;
  gboolean      grace_over;
} WaitTimeout;

static gboolean
on_wait_timeout (gpointer user_data)
{
  WaitTimeout *timeout = user_data;

  timeout->fired = TRUE;
  if (timeout->cancellable != NULL)
    g_cancellable_cancel (timeout->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
on_grace_over (gpointer user_data)
{
  WaitTimeout *timeout = user_data;

  timeout->grace_over = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ferry_cli_wait_result (FerryCli      *self,
                       GAsyncResult **result,
                       GCancellable  *cancellable,
                       guint          timeout_seconds)
{
  WaitTimeout timeout = { cancellable, FALSE, FALSE };
  guint       timeout_id = 0;
  guint       grace_id = 0;

  if (timeout_seconds > 0)
    timeout_id = g_timeout_add_seconds (timeout_seconds, on_wait_timeout, &timeout);

  while (*result == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      ferry_cli_exit_if_stopped_connecting (self);

      if (timeout.fired && grace_id == 0)
        {
          timeout_id = 0;
          grace_id = g_timeout_add_seconds (FERRY_CLI_CANCEL_GRACE_SECONDS, on_grace_over, &timeout);
        }

      if (timeout.grace_over)
        {
          /* The operation ignored its cancellable.  The callback still
           * points at the caller's stack, so the only safe way out is out. */
          g_printerr (_("ferryctl: the server did not answer within %u seconds.\n"),
                      timeout_seconds);
          exit (FERRY_CLI_EXIT_FAILURE);
        }
    }

  if (timeout_id != 0)
    g_source_remove (timeout_id);
  if (grace_id != 0 && !timeout.grace_over)
    g_source_remove (grace_id);

  return !timeout.fired;
}

GPtrArray *
ferry_cli_get_ready_pools (FerryCli *self)
{
  GPtrArray *ready = g_ptr_array_new_with_free_func (g_object_unref);

  /* In the order of the saved servers, so that output is stable. */
  for (guint i = 0; self->pools != NULL && i < self->pools->len; i++)
    {
      FerryPool *pool = g_ptr_array_index (self->pools, i);

      if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY)
        g_ptr_array_add (ready, g_object_ref (pool));
    }

  return ready;
}

void
ferry_cli_apply_concurrency (FerryCli *self,
                             int       concurrency)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GVariant) values = NULL;

  g_return_if_fail (self->manager != NULL);

  if (concurrency > 0)
    {
      ferry_manager_set_concurrency_override (self->manager, (guint) concurrency);
      return;
    }

  /* Saved servers: the manager reads Preferences itself, through the store. */
  if (self->store != NULL)
    return;

  schema = lookup_schema ();
  if (schema == NULL || !g_settings_schema_has_key (schema, "pool-concurrency"))
    return;
  settings = g_settings_new_full (schema, NULL, NULL);
  values = g_settings_get_value (settings, "pool-concurrency");
  for (guint i = 0; self->pools != NULL && i < self->pools->len; i++)
    {
      FerryPool *pool = g_ptr_array_index (self->pools, i);
      guint      n;

      /* A manager without a store keeps this for the run only. */
      if (ferry_pool_get_uuid (pool) != NULL && g_variant_lookup (values, ferry_pool_get_uuid (pool), "u", &n))
        ferry_manager_set_pool_concurrency (self->manager, pool, n);
    }
}

gboolean
ferry_cli_check_concurrency (const char *command,
                             int         concurrency,
                             int        *exit_status)
{
  if (concurrency == -1 || (concurrency >= 1 && concurrency <= 3))
    return TRUE;

  *exit_status = ferry_cli_usage_error (command, _("--concurrency takes 1, 2 or 3 (XAPI runs at most 3 storage "
                                                   "migrations per host)."));
  return FALSE;
}
