/* sim-fixture.c: runs ferry-sim for the XAPI library tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "sim-fixture.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

struct _SimFixture
{
  GSubprocess      *process;
  GDataInputStream *output;
  GCancellable     *cancellable;
  GHashTable       *pools; /* name -> URL */
  char             *first_url;
  SoupSession      *session;
  gboolean          ready;
  gboolean          eof;
};

/* ---- Waiting ------------------------------------------------------------ */

static gboolean
on_wakeup (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
test_wait_for (gboolean *done,
               guint     timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  guint  wakeup = g_timeout_add (50, on_wakeup, NULL);

  while (!*done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wakeup);
  return *done;
}

void
test_store_result (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

GAsyncResult *
test_wait_result (GAsyncResult **result_slot,
                  guint          timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  guint  wakeup = g_timeout_add (50, on_wakeup, NULL);

  while (*result_slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wakeup);
  if (*result_slot == NULL)
    g_error ("No result within %u s", timeout_s);

  return *result_slot;
}

static gboolean
on_spin_done (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

void
test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_spin_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
test_login (XapiConnection *connection,
            const char     *username,
            const char     *password,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  xapi_connection_login_async (connection, username, password, NULL, test_store_result, &result);
  test_wait_result (&result, 120);

  return xapi_connection_login_finish (connection, result, error);
}

JsonNode *
test_call (XapiConnection *connection,
           const char     *method,
           JsonArray      *params,
           GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  xapi_connection_call_async (connection, method, params, NULL, test_store_result, &result);
  test_wait_result (&result, 180);

  return xapi_connection_call_finish (connection, result, error);
}

/* ---- The simulator --------------------------------------------------------- */

static void read_next_line (SimFixture *sim);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SimFixture *sim = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize            len;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                    &len, &error);
  if (line == NULL)
    {
      /* EOF, or cancelled by sim_fixture_stop() (then @sim is gone). */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        sim->eof = TRUE;
      return;
    }

  if (!sim->ready)
    {
      g_auto(GStrv) words = g_strsplit (g_strstrip (line), " ", 3);

      if (g_strv_length (words) == 3 && strcmp (words[0], "pool") == 0)
        {
          g_hash_table_replace (sim->pools, g_strdup (words[1]), g_strdup (words[2]));
          if (sim->first_url == NULL)
            sim->first_url = g_strdup (words[2]);
        }
      else if (strcmp (line, "ready") == 0)
        sim->ready = TRUE;
    }

  read_next_line (sim);
}

static void
read_next_line (SimFixture *sim)
{
  g_data_input_stream_read_line_async (sim->output, G_PRIORITY_DEFAULT, sim->cancellable,
                                       on_line, sim);
}

static void
child_setup (gpointer user_data)
{
  /* If the test dies (an assertion, a sanitizer abort), the simulator
   * goes with it instead of holding the test's output open. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
accept_any (SoupMessage         *msg,
            GTlsCertificate     *certificate,
            GTlsCertificateFlags errors,
            gpointer             user_data)
{
  /* Only for the simulator's own control endpoint. */
  return TRUE;
}

SimFixture *
sim_fixture_start (const char * const *extra_args,
                   guint               timeout_s)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *exe = g_getenv ("FERRY_SIM");
  SimFixture *sim;
  gint64      deadline;
  guint       i, wakeup;

  /* Everything here is on loopback.  libproxy (GIO's default proxy
   * resolver) throws C++ exceptions internally, which AddressSanitizer
   * builds of a C program cannot intercept. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", FALSE);

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("FERRY_SIM does not point to the ferry-sim executable (%s)", exe ? exe : "unset");

  g_ptr_array_add (argv, (char *) exe);
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  g_ptr_array_add (argv, (char *) "--enable-control");
  for (i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  sim = g_new0 (SimFixture, 1);
  sim->pools = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sim->cancellable = g_cancellable_new ();
  {
    g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
    sim->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                 &error);
    g_assert_no_error (error);
  }

  sim->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim->process));
  read_next_line (sim);

  deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  wakeup = g_timeout_add (50, on_wakeup, NULL);
  while (!sim->ready && !sim->eof && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wakeup);

  if (!sim->ready)
    g_error ("ferry-sim did not become ready within %u s%s", timeout_s,
             sim->eof ? " (it exited)" : "");
  if (sim->first_url == NULL)
    g_error ("ferry-sim printed no pool");

  sim->session = soup_session_new_with_options ("timeout", 60, NULL);

  return sim;
}

void
sim_fixture_stop (SimFixture *sim)
{
  if (sim == NULL)
    return;

  g_cancellable_cancel (sim->cancellable);
  g_subprocess_force_exit (sim->process);
  g_subprocess_wait (sim->process, NULL, NULL);
  /* Let the cancelled read complete before its user data goes. */
  test_spin (10);

  g_clear_object (&sim->session);
  g_clear_object (&sim->output);
  g_clear_object (&sim->process);
  g_clear_object (&sim->cancellable);
  g_hash_table_unref (sim->pools);
  g_free (sim->first_url);
  g_free (sim);
}

const char *
sim_fixture_pool_url (SimFixture *sim,
                      const char *name)
{
  const char *url = g_hash_table_lookup (sim->pools, name);

  if (url == NULL)
    g_error ("ferry-sim has no pool %s", name);

  return url;
}

char *
sim_fixture_url_for_address (SimFixture *sim,
                             const char *pool,
                             const char *address)
{
  g_autoptr(GUri) uri = g_uri_parse (sim_fixture_pool_url (sim, pool), G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, address,
                     g_uri_get_port (uri), "", NULL, NULL);
}

char *
sim_fixture_host_url (SimFixture *sim,
                      const char *pool,
                      guint       host)
{
  g_autoptr(GUri) uri = g_uri_parse (sim_fixture_pool_url (sim, pool), G_URI_FLAGS_NONE, NULL);
  g_auto(GStrv) octets = NULL;
  g_autofree char *address = NULL;

  g_assert_nonnull (uri);
  octets = g_strsplit (g_uri_get_host (uri), ".", 4);
  g_assert_cmpuint (g_strv_length (octets), ==, 4);
  address = g_strdup_printf ("%s.%s.%s.%u", octets[0], octets[1], octets[2], host);

  return sim_fixture_url_for_address (sim, pool, address);
}

JsonNode *
sim_fixture_control (SimFixture *sim,
                     const char *command,
                     const char *args_json)
{
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *text = NULL;
  JsonNode        *result;

  if (args_json != NULL)
    {
      JsonNode *args = json_from_string (args_json, &error);

      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (args));
      request = json_node_dup_object (args);
      json_node_unref (args);
    }
  else
    request = json_object_new ();
  json_object_set_string_member (request, "command", command);

  root = json_node_init_object (json_node_alloc (), request);
  text = json_to_string (root, FALSE);
  body = g_bytes_new (text, strlen (text));

  endpoint = g_strconcat (sim->first_url, "/sim/control", NULL);
  msg = soup_message_new (SOUP_METHOD_POST, endpoint);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);

  /* Synchronous: the simulator is another process, nothing here needs the
   * main loop meanwhile. */
  reply = soup_session_send_and_read (sim->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_error ("control %s %s: HTTP %u: %.*s", command, args_json ? args_json : "",
             soup_message_get_status (msg), (int) g_bytes_get_size (reply),
             (const char *) g_bytes_get_data (reply, NULL));

  {
    g_autofree char *reply_text = g_strndup (g_bytes_get_data (reply, NULL),
                                             g_bytes_get_size (reply));

    result = json_from_string (reply_text, &error);
    g_assert_no_error (error);
  }

  return result;
}

void
sim_fixture_command (SimFixture *sim,
                     const char *command,
                     const char *args_json)
{
  json_node_unref (sim_fixture_control (sim, command, args_json));
}
