/* ferry-cli-connect.c: connecting the pools a command works on, the one
 * --server given or every saved server, with the certificate and redirect
 * options and the sentences for what went wrong
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "ferry-cli-private.h"

/* Connecting */

static char *
describe_connect_error (const GError *error,
                        const char   *url,
                        gboolean      saved)
{
  if (g_error_matches (error, FERRY_ERROR, FERRY_ERROR_CERTIFICATE_UNKNOWN))
    return g_strdup_printf (_("The certificate of %s is not trusted yet.\n"
                              "  SHA-256 fingerprint: %s\n"
                              "Compare this fingerprint with the one the host shows "
                              "(on the host: openssl x509 -noout -fingerprint -sha256 -in /etc/xensource/xapi-ssl.pem), "
                              "then run the command again with --trust-certificate."),
                            url, ferry_error_get_fingerprint (error));

  if (g_error_matches (error, FERRY_ERROR, FERRY_ERROR_CERTIFICATE_CHANGED))
    {
      const char *now = ferry_error_get_fingerprint (error);

      return g_strdup_printf (_("DANGER: the certificate of %s has CHANGED since it was trusted.\n"
                                "  SHA-256 fingerprint now: %s\n"
                                "Someone may be intercepting the connection; nothing was sent. "
                                "If the host’s certificate was replaced on purpose, check the new fingerprint, then %s."),
                              url, now != NULL ? now : _("(unknown)"),
                              saved ? _("remove the server with “ferryctl server remove URL” and add it again")
                                    : _("pass the new one with --fingerprint"));
    }

  if (g_error_matches (error, FERRY_ERROR, FERRY_ERROR_REDIRECT_REFUSED))
    {
      g_autofree char *sentence = ferry_error_to_sentence (error, NULL);

      /* TRANSLATORS: %s are the URL, a sentence saying why, and an address */
      return g_strdup_printf (_("Could not connect to %s: %s\n"
                                "If %s is a host of this pool, run the command again with --follow-master."),
                              url, sentence, ferry_error_get_address (error));
    }

  {
    g_autofree char *message = ferry_error_to_message (error);

    /* TRANSLATORS: %s are the URL and a sentence saying why */
    return g_strdup_printf (_("Could not connect to %s: %s"), url, message);
  }
}

static void
say_following (const char *address)
{
  g_printerr (_("Following the supporter to the master at %s, as --follow-master asks.\n"), address);
}

/* With --follow-master, when a login to @url was sent to a master not known
 * to be in the pool: says so and lets the next login go there, clearing
 * *@error.  Returns whether to log in again. */
static gboolean
follow_master (FerryCli   *self,
               const char *url,
               GError    **error)
{
  if (!self->follow_master || !g_error_matches (*error, FERRY_ERROR, FERRY_ERROR_REDIRECT_REFUSED))
    return FALSE;

  say_following (ferry_error_get_address (*error));
  ferry_manager_trust_redirect (self->manager, url, ferry_error_get_address (*error));
  g_clear_error (error);
  return TRUE;
}

FerryPool *
ferry_cli_connect_one (FerryCli   *self,
                       const char *url,
                       const char *user,
                       const char *password,
                       const char *pinned,
                       gboolean    remember,
                       GError    **error)
{
  g_autofree char *fingerprint = g_strdup (pinned);
  g_autoptr(GError) local_error = NULL;
  gboolean   timed_out = FALSE;
  gboolean   followed = FALSE;
  FerryPool *pool;

  g_return_val_if_fail (self->manager != NULL, NULL);

  for (;;)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GAsyncResult) result = NULL;

      ferry_manager_connect_async (self->manager, url, user, password, fingerprint, remember,
                                   cancellable, ferry_cli_async_ready, &result);
      timed_out = !ferry_cli_wait_result (self, &result, cancellable, MAX (self->timeout, 1));
      pool = ferry_manager_connect_finish (self->manager, result, &local_error);
      if (pool != NULL || timed_out)
        break;

      if (!followed && fingerprint == NULL && self->trust_certificate &&
          g_error_matches (local_error, FERRY_ERROR, FERRY_ERROR_CERTIFICATE_UNKNOWN))
        {
          /* Trust on first use, as asked: pin exactly the certificate we saw. */
          fingerprint = g_strdup (ferry_error_get_fingerprint (local_error));
          g_printerr (_("Trusting the certificate of %s (SHA-256 fingerprint %s).\n"), url, fingerprint);
          g_clear_error (&local_error);
          continue;
        }

      /* As asked: this once, let the login go where the supporter says. */
      if (followed || !follow_master (self, url, &local_error))
        break;
      followed = TRUE;
    }

  if (pool != NULL)
    return pool;

  if (timed_out)
    g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_FAILED,
                 _("Could not connect to %s: no answer within %d seconds."),
                 url, MAX (self->timeout, 1));
  else
    {
      g_autofree char *message = describe_connect_error (local_error, url, remember);

      g_set_error_literal (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_FAILED, message);
    }

  return NULL;
}

/* The saved servers: the engine connects them all at once; each failure
 * keeps its own sentence (a changed certificate must be reported as such,
 * loudly), in the order of the saved servers. */

static void
on_following (const char *url,
              const char *address,
              gpointer    user_data)
{
  say_following (address);
}

static void
report_saved_failure (FerryCli                *self,
                      const FerrySavedOutcome *outcome)
{
  g_autofree char *message = NULL;

  if (outcome->timed_out)
    {
      g_printerr (_("ferryctl: could not connect to %s: no answer within %d seconds.\n"), outcome->url,
                  self->timeout);
      return;
    }

  if (g_error_matches (outcome->error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND))
    message = g_strdup_printf (_("No password is saved for %s in the keyring; add the server again with "
                                 "“ferryctl server add %s --user %s”."),
                               outcome->url, outcome->url, outcome->username);
  else
    message = describe_connect_error (outcome->error, outcome->url, TRUE);
  g_printerr ("ferryctl: %s\n", message);
}

static gboolean
connect_saved (FerryCli *self,
               guint    *n_failed,
               GError  **error)
{
  FerryConnectSavedOptions options = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) outcomes = NULL;
  gint64 deadline;
  guint  failed = 0;

  self->manager = ferry_manager_new (self->store);
  self->pools = g_ptr_array_new_with_free_func (g_object_unref);

  options.timeout_seconds = self->timeout;
  options.once = TRUE;
  options.follow_master = self->follow_master;
  options.following = on_following;
  ferry_manager_connect_saved_full_async (self->manager, &options, NULL, ferry_cli_async_ready, &result);

  deadline = g_get_monotonic_time () + (gint64) (self->timeout + FERRY_CLI_CANCEL_GRACE_SECONDS) * G_USEC_PER_SEC;
  while (result == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      ferry_cli_exit_if_stopped_connecting (self);
      if (g_get_monotonic_time () > deadline)
        {
          g_printerr (_("ferryctl: the servers did not answer within %d seconds.\n"), self->timeout);
          exit (FERRY_CLI_EXIT_FAILURE);
        }
    }
  /* No cancellable: it cannot fail. */
  outcomes = ferry_manager_connect_saved_full_finish (self->manager, result, NULL);

  for (guint i = 0; i < outcomes->len; i++)
    {
      const FerrySavedOutcome *outcome = g_ptr_array_index (outcomes, i);

      if (outcome->pool != NULL)
        g_ptr_array_add (self->pools, g_object_ref (outcome->pool));
      else
        {
          failed++;
          report_saved_failure (self, outcome);
        }
    }

  if (n_failed != NULL)
    *n_failed = failed;

  if (self->pools->len == 0)
    {
      g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_FAILED,
                   ngettext ("The saved server could not be connected.",
                             "None of the saved servers could be connected.",
                             outcomes->len));
      return FALSE;
    }

  return TRUE;
}

gboolean
ferry_cli_connect (FerryCli *self,
                   guint    *n_failed,
                   GError  **error)
{
  FerryServerStore *store;

  if (n_failed != NULL)
    *n_failed = 0;

  if (self->timeout <= 0)
    {
      g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                   _("--timeout needs a number of seconds greater than 0."));
      return FALSE;
    }

  if (self->server != NULL)
    {
      g_autofree char *url = ferry_server_canonical_url (self->server);
      g_auto(FerryCliPassword) password = NULL;
      FerryPool *pool;

      if (url == NULL)
        {
          g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                       _("“%s” is not a server address (expected a host name or an https:// URL)."),
                       self->server);
          return FALSE;
        }
      if (self->user == NULL)
        {
          g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                       _("--server needs --user USER."));
          return FALSE;
        }

      password = ferry_cli_read_password (self, url, self->user, error);
      if (password == NULL)
        return FALSE;

      ferry_cli_watch_stop_signals (self);
      /* The one-off form saves nothing: no store behind this manager. */
      self->manager = ferry_manager_new (NULL);
      self->pools = g_ptr_array_new_with_free_func (g_object_unref);
      pool = ferry_cli_connect_one (self, url, self->user, password, self->fingerprint, FALSE, error);
      if (pool == NULL)
        return FALSE;
      g_ptr_array_add (self->pools, pool);
      return TRUE;
    }

  if (self->user != NULL || self->password_stdin || self->fingerprint != NULL)
    {
      g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                   _("--user, --password-stdin and --fingerprint go with --server URL."));
      return FALSE;
    }

  store = ferry_cli_get_store (self, error);
  if (store == NULL)
    return FALSE;

  if (g_list_model_get_n_items (G_LIST_MODEL (store)) == 0)
    {
      g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_FAILED,
                   _("No servers are saved. Add one with “ferryctl server add URL --user USER”, "
                     "or name one with --server URL --user USER --password-stdin."));
      return FALSE;
    }

  ferry_cli_watch_stop_signals (self);
  return connect_saved (self, n_failed, error);
}
