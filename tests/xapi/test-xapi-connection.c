/* test-xapi-connection.c: XapiConnection against ferry-sim over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "sim-fixture.h"
#include "xapi-connection.h"
#include "xapi-error.h"
#include "xapi-json.h"
#include "xapi-util.h"

#define WRONG_PASSWORD "s3cret-Pa55-never-logged"

static SimFixture *sim;
static GString    *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  gsize i;

  for (i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0)
      {
        if (fields[i].length < 0)
          g_string_append (captured_log, fields[i].value);
        else
          g_string_append_len (captured_log, fields[i].value, fields[i].length);
        g_string_append_c (captured_log, '\n');
      }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static XapiConnection *
login_or_die (const char *url)
{
  g_autoptr(GError) error = NULL;
  XapiConnection *connection = xapi_connection_new (url);

  g_assert_true (test_login (connection, "root", "ferry", &error));
  g_assert_no_error (error);

  return connection;
}

static JsonArray *
calls_of (const char *pool,
          const char *method,
          gboolean    clear)
{
  g_autofree char *args = g_strdup_printf ("{\"pool\": \"%s\", \"method\": \"%s\", \"clear\": %s}",
                                           pool, method, clear ? "true" : "false");
  g_autoptr(JsonNode) reply = sim_fixture_control (sim, "calls", args);
  JsonObject *object = json_node_get_object (reply);

  return json_array_ref (json_object_get_array_member (object, "calls"));
}

static void
test_login_ok (void)
{
  const char *url = sim_fixture_pool_url (sim, "Lyon");
  g_autoptr(XapiConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) pools = NULL;
  g_autoptr(JsonNode) hosts = NULL;
  g_autoptr(JsonArray) logins = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  JsonArray *params;

  json_array_unref (calls_of ("Lyon", "session.login_with_password", TRUE));
  connection = login_or_die (url);
  g_assert_true (xapi_connection_is_logged_in (connection));
  g_assert_true (g_str_has_prefix (xapi_connection_get_session_ref (connection), "OpaqueRef:"));
  g_assert_cmpstr (xapi_connection_get_url (connection), ==, url);
  g_assert_cmpstr (xapi_connection_get_initial_url (connection), ==, url);
  g_assert_null (xapi_connection_get_redirected_from (connection));
  g_assert_cmpstr (xapi_connection_get_username (connection), ==, "root");

  /* What went over the wire: [user, password, "1.1", originator]. */
  logins = calls_of ("Lyon", "session.login_with_password", FALSE);
  g_assert_cmpuint (json_array_get_length (logins), ==, 1);
  params = json_object_get_array_member (json_array_get_object_element (logins, 0), "params");
  g_assert_cmpuint (json_array_get_length (params), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (params, 0), ==, "root");
  g_assert_cmpstr (json_array_get_string_element (params, 2), ==, "1.1");
  g_assert_cmpstr (json_array_get_string_element (params, 3), ==, "ferry");

  pools = test_call (connection, "pool.get_all_records", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (pools));
  g_assert_cmpuint (json_object_get_size (json_node_get_object (pools)), ==, 1);

  hosts = test_call (connection, "host.get_all_records", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (json_node_get_object (hosts)), ==, 3);

  xapi_connection_logout_async (connection, NULL, test_store_result, &result);
  test_wait_result (&result, 60);
  g_assert_true (xapi_connection_logout_finish (connection, result, &error));
  g_assert_no_error (error);
  g_assert_false (xapi_connection_is_logged_in (connection));

  /* Logged out and no credentials: no silent re-login. */
  g_clear_pointer (&pools, json_node_unref);
  pools = test_call (connection, "pool.get_all_records", NULL, &error);
  g_assert_null (pools);
  g_assert_true (xapi_error_has_code (error, "SESSION_INVALID"));
}

static void
test_wrong_password (void)
{
  g_autoptr(XapiConnection) connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_false (test_login (connection, "root", WRONG_PASSWORD, &error));
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_FAILURE);
  g_assert_cmpstr (xapi_error_get_code (error), ==, "SESSION_AUTHENTICATION_FAILED");
  g_assert_true (g_str_has_prefix (error->message, "SESSION_AUTHENTICATION_FAILED"));
  g_assert_null (strstr (error->message, WRONG_PASSWORD));
  g_assert_false (xapi_connection_is_logged_in (connection));
  g_clear_error (&error);

  /* Calls fail the same way: the re-login with the wrong password fails. */
  node = test_call (connection, "pool.get_all", NULL, &error);
  g_assert_null (node);
  g_assert_true (xapi_error_has_code (error, "SESSION_AUTHENTICATION_FAILED"));
}

static void
check_error_shapes (guint version)
{
  g_autoptr(XapiConnection) connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) bad_ref = xapi_params_new ("OpaqueRef:no-such-vm", NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) vms = NULL;

  xapi_connection_set_jsonrpc_version (connection, version);
  g_assert_true (test_login (connection, "root", "ferry", &error));
  g_assert_no_error (error);

  node = test_call (connection, "VM.no_such_message", NULL, &error);
  g_assert_null (node);
  g_assert_cmpstr (xapi_error_get_code (error), ==, "MESSAGE_METHOD_UNKNOWN");
  g_assert_cmpstr (xapi_error_get_param (error, 0), ==, "VM.no_such_message");
  g_assert_cmpstr (error->message, ==, "MESSAGE_METHOD_UNKNOWN: VM.no_such_message");
  g_clear_error (&error);

  node = test_call (connection, "VM.get_record", NULL, &error);
  g_assert_null (node);
  g_assert_cmpstr (xapi_error_get_code (error), ==, "MESSAGE_PARAMETER_COUNT_MISMATCH");
  g_assert_cmpstr (xapi_error_get_param (error, 0), ==, "VM.get_record");
  g_assert_cmpstr (xapi_error_get_param (error, 1), ==, "1");
  g_assert_cmpstr (xapi_error_get_param (error, 2), ==, "0");
  g_clear_error (&error);

  node = test_call (connection, "VM.get_record", bad_ref, &error);
  g_assert_null (node);
  g_assert_cmpstr (xapi_error_get_code (error), ==, "HANDLE_INVALID");
  g_assert_cmpstr (xapi_error_get_param (error, 0), ==, "VM");
  g_assert_cmpstr (xapi_error_get_param (error, 1), ==, "OpaqueRef:no-such-vm");
  g_clear_error (&error);

  /* The caller's params are left alone (the session is not added to them). */
  g_assert_cmpuint (json_array_get_length (bad_ref), ==, 1);

  vms = test_call (connection, "VM.get_all", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (vms));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (vms)), >, 0);
}

static void
test_error_shapes_v1 (void)
{
  check_error_shapes (1);
}

static void
test_error_shapes_v2 (void)
{
  check_error_shapes (2);
}

static void
check_redirect (guint version)
{
  g_autofree char *supporter = sim_fixture_host_url (sim, "Lyon", 2);
  const char      *master = sim_fixture_pool_url (sim, "Lyon");
  g_autoptr(XapiConnection) connection = xapi_connection_new (supporter);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_autoptr(JsonArray) logins = NULL;
  static const char * const members[] = { "127.0.1.1", "127.0.1.2", "127.0.1.3", NULL };

  xapi_connection_set_jsonrpc_version (connection, version);
  g_assert_nonnull (strstr (master, "127.0.1.1"));

  /* Over plain HTTP, not to an address the connection does not know to be
   * in the pool: the password stays here. */
  json_array_unref (calls_of ("Lyon", "session.login_with_password", TRUE));
  g_assert_false (test_login (connection, "root", "ferry", &error));
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_REDIRECT_REFUSED);
  g_assert_cmpstr (xapi_error_get_address (error), ==, "127.0.1.1");
  g_assert_nonnull (strstr (error->message, "127.0.1.1"));
  g_assert_false (xapi_connection_is_logged_in (connection));
  g_clear_error (&error);
  logins = calls_of ("Lyon", "session.login_with_password", TRUE);
  /* The one to the supporter; none reached the master. */
  g_assert_cmpuint (json_array_get_length (logins), ==, 1);

  xapi_connection_set_known_hosts (connection, members);
  g_assert_true (xapi_connection_is_known_host (connection, "[127.0.1.2]"));
  g_assert_true (test_login (connection, "root", "ferry", &error));
  g_assert_no_error (error);

  g_assert_cmpstr (xapi_connection_get_url (connection), ==, master);
  g_assert_cmpstr (xapi_connection_get_initial_url (connection), ==, supporter);
  g_assert_cmpstr (xapi_connection_get_redirected_from (connection), ==, supporter);

  node = test_call (connection, "pool.get_all", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

static void
test_host_is_slave (void)
{
  check_redirect (2);
  check_redirect (1);
}

static void
test_relogin (void)
{
  g_autoptr(XapiConnection) connection = login_or_die (sim_fixture_pool_url (sim, "Lyon"));
  g_autofree char *first_session = g_strdup (xapi_connection_get_session_ref (connection));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonArray) logins = NULL;
  GAsyncResult *results[6] = { NULL };
  guint         i;

  sim_fixture_command (sim, "expire_sessions", "{\"pool\": \"Lyon\"}");
  node = test_call (connection, "pool.get_all", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpstr (xapi_connection_get_session_ref (connection), !=, first_session);

  /* Several calls meeting SESSION_INVALID together share one re-login. */
  json_array_unref (calls_of ("Lyon", "session.login_with_password", TRUE));
  sim_fixture_command (sim, "expire_sessions", "{\"pool\": \"Lyon\"}");
  for (i = 0; i < G_N_ELEMENTS (results); i++)
    xapi_connection_call_async (connection, "host.get_all", NULL, NULL, test_store_result,
                                &results[i]);
  for (i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(JsonNode) hosts = NULL;

      test_wait_result (&results[i], 60);
      hosts = xapi_connection_call_finish (connection, results[i], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (json_array_get_length (json_node_get_array (hosts)), ==, 3);
      g_clear_object (&results[i]);
    }
  logins = calls_of ("Lyon", "session.login_with_password", FALSE);
  g_assert_cmpuint (json_array_get_length (logins), ==, 1);
}

static void
test_set_master (void)
{
  g_autoptr(XapiConnection) connection = login_or_die (sim_fixture_pool_url (sim, "Paris"));
  g_autofree char *new_master = sim_fixture_host_url (sim, "Paris", 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  static const char * const members[] = { "127.0.2.1", "127.0.2.2", NULL };

  /* What the engine knows from the pool's host records. */
  xapi_connection_set_known_hosts (connection, members);
  sim_fixture_command (sim, "set_master", "{\"pool\": \"Paris\", \"host\": \"paris-2\"}");

  /* HOST_IS_SLAVE on an ordinary call: log in again, follow, retry. */
  node = test_call (connection, "pool.get_all", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpstr (xapi_connection_get_url (connection), ==, new_master);

  sim_fixture_command (sim, "set_master", "{\"pool\": \"Paris\", \"host\": \"paris-1\"}");
}

static void
malformed (const char *kind,
           const char *method)
{
  g_autofree char *args = g_strdup_printf ("{\"pool\": \"Lyon\", \"kind\": \"%s\", \"count\": 1, "
                                           "\"method\": \"%s\"}",
                                           kind, method);

  sim_fixture_command (sim, "malformed", args);
}

static void
check_still_works (XapiConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = test_call (connection, "host.get_all", NULL, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
}

static void
test_malformed (void)
{
  g_autoptr(XapiConnection) connection = login_or_die (sim_fixture_pool_url (sim, "Lyon"));
  struct
  {
    const char *kind;
    GQuark      domain;
    int         code;
  } failing[] = {
    { "html500", XAPI_ERROR, XAPI_ERROR_HTTP },
    { "truncated", XAPI_ERROR, XAPI_ERROR_MALFORMED },
    { "not_json", XAPI_ERROR, XAPI_ERROR_MALFORMED },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      g_test_message ("kind %s", failing[i].kind);
      malformed (failing[i].kind, "pool.get_all_records");
      node = test_call (connection, "pool.get_all_records", NULL, &error);
      g_assert_null (node);
      g_assert_error (error, failing[i].domain, failing[i].code);
      g_assert_nonnull (strstr (error->message, "127.0.1.1"));
      if (failing[i].code == XAPI_ERROR_HTTP)
        g_assert_cmpuint (xapi_error_get_http_status (error), ==, 500);
      check_still_works (connection);
    }

  /* Wrong types inside a well-formed reply: the call succeeds, and the
   * record helpers read the wrong shape safely. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = NULL;

    malformed ("wrong_types", "pool.get_all_records");
    node = test_call (connection, "pool.get_all_records", NULL, &error);
    g_assert_no_error (error);
    g_assert_false (JSON_NODE_HOLDS_OBJECT (node));
    g_assert_cmpstr (xapi_record_get_string (NULL, "name_label"), ==, "");
    check_still_works (connection);
  }

  /* A 50 MB string: decoded off the main loop, kept up to the limit. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = NULL;

    malformed ("huge_string", "pool.get_all_records");
    node = test_call (connection, "pool.get_all_records", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (strlen (json_node_get_string (node)), ==, XAPI_JSON_MAX_STRING + strlen ("…"));
    check_still_works (connection);
  }

  /* No Content-Type, valid JSON-RPC: accepted. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = NULL;

    malformed ("no_content_type", "pool.get_all_records");
    node = test_call (connection, "pool.get_all_records", NULL, &error);
    g_assert_no_error (error);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  }
}

static void
test_malformed_login (void)
{
  const char *kinds[] = { "wrong_types", "huge_string", "not_json", "truncated", "html500" };
  guint       i;

  for (i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(XapiConnection) connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
      g_autoptr(GError) error = NULL;

      g_test_message ("kind %s", kinds[i]);
      malformed (kinds[i], "session.login_with_password");
      g_assert_false (test_login (connection, "root", "ferry", &error));
      if (strcmp (kinds[i], "html500") == 0)
        g_assert_error (error, XAPI_ERROR, XAPI_ERROR_HTTP);
      else
        g_assert_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED);
      g_assert_false (xapi_connection_is_logged_in (connection));
    }
}

/* Every kind of garbage is named for what it is, with the host, and the
 * call is made once: the connection does not retry an answer. */
static void
test_malformed_named (void)
{
  g_autoptr(XapiConnection) connection = login_or_die (sim_fixture_pool_url (sim, "Lyon"));
  struct
  {
    const char *kind;
    int         code;
    const char *says;
  } kinds[] = {
    { "nan", XAPI_ERROR_MALFORMED, "an unexpected character appears where a value should be (at byte " },
    { "empty", XAPI_ERROR_MALFORMED, "the reply is empty" },
    { "deep_nesting", XAPI_ERROR_MALFORMED, "nested too deeply (at byte " },
    { "wrong_content_length", XAPI_ERROR_MALFORMED, "(at byte " },
    { "truncated", XAPI_ERROR_MALFORMED, "cut short" },
    { "html500", XAPI_ERROR_HTTP, "HTTP status 500" },
    { "huge", XAPI_ERROR_TOO_LARGE, "larger than 192 MiB" },
    { "endless", XAPI_ERROR_TOO_LARGE, "larger than 192 MiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonArray) calls = NULL;

      g_test_message ("kind %s", kinds[i].kind);
      g_clear_pointer (&calls, json_array_unref);
      calls = calls_of ("Lyon", "pool.get_all_records", TRUE);
      malformed (kinds[i].kind, "pool.get_all_records");
      node = test_call (connection, "pool.get_all_records", NULL, &error);
      g_assert_null (node);
      g_test_message ("%s", error->message);
      g_assert_error (error, XAPI_ERROR, kinds[i].code);
      g_assert_nonnull (strstr (error->message, "127.0.1.1"));
      g_assert_nonnull (strstr (error->message, kinds[i].says));
      g_clear_pointer (&calls, json_array_unref);
      calls = calls_of ("Lyon", "pool.get_all_records", FALSE);
      g_assert_cmpuint (json_array_get_length (calls), ==, 1);
      check_still_works (connection);
    }
}

/* A listener on loopback that answers a TLS client hello with plain text,
 * as a port that is not a XAPI host's would. */
static gboolean
on_incoming_not_tls (GSocketService    *service,
                     GSocketConnection *connection,
                     GObject           *source,
                     gpointer           user_data)
{
  static const char text[] = "SSH-2.0-NotTls\r\nThis is not TLS at all, just plain text.\r\n";
  GOutputStream    *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (out, text, sizeof text - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* TLS to something that does not speak it: its own code, not "certificate
 * unknown" and not a lost connection. */
static void
test_tls_error (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(XapiConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &bound, &error));
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming_not_tls), NULL);
  g_socket_service_start (service);

  url = g_strdup_printf ("https://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  connection = xapi_connection_new (url);
  g_assert_false (test_login (connection, "root", "ferry", &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_socket_service_stop (service);
}

static void
test_drop (void)
{
  g_autoptr(XapiConnection) connection = login_or_die (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* A reused keep-alive connection may be retried once by libsoup for a
   * read: drop two. */
  sim_fixture_command (sim, "drop_connections",
                       "{\"pool\": \"Lyon\", \"count\": 2, \"method\": \"VM.get_all\"}");
  node = test_call (connection, "VM.get_all", NULL, &error);
  g_assert_null (node);
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "127.0.1.1"));
  g_test_message ("%s", error->message);

  /* Drain what is left of the fault, then all is well. */
  g_clear_error (&error);
  g_clear_pointer (&node, json_node_unref);
  node = test_call (connection, "VM.get_all", NULL, &error);
  g_clear_error (&error);
  check_still_works (connection);
}

static void
test_refused (void)
{
  g_autofree char *nowhere = sim_fixture_url_for_address (sim, "Lyon", "127.0.3.1");
  g_autoptr(XapiConnection) connection = xapi_connection_new (nowhere);
  g_autoptr(GError) error = NULL;

  g_assert_false (test_login (connection, "root", "ferry", &error));
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "127.0.3.1"));
}

static void
test_timeout (void)
{
  g_autoptr(XapiConnection) connection = login_or_die (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 start, elapsed;

  xapi_connection_set_timeout (connection, 2);
  sim_fixture_command (sim, "delay",
                       "{\"pool\": \"Lyon\", \"seconds\": 8, \"count\": 1, "
                       "\"method\": \"pool.get_all\"}");
  start = g_get_monotonic_time ();
  node = test_call (connection, "pool.get_all", NULL, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_null (node);
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "127.0.1.1"));
  g_assert_cmpint (elapsed, >=, 1500 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (elapsed, <, 7 * G_TIME_SPAN_SECOND);

  check_still_works (connection);
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(XapiConnection) connection = login_or_die (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 start;

  sim_fixture_command (sim, "delay",
                       "{\"pool\": \"Lyon\", \"seconds\": 6, \"count\": 1, "
                       "\"method\": \"host.get_all_records\"}");
  start = g_get_monotonic_time ();
  xapi_connection_call_async (connection, "host.get_all_records", NULL, cancellable,
                              test_store_result, &result);
  g_timeout_add (200, cancel_later, cancellable);
  test_wait_result (&result, 30);
  node = xapi_connection_call_finish (connection, result, &error);
  g_assert_null (node);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_TIME_SPAN_SECOND);

  check_still_works (connection);
}

static void
test_password_never_logged (void)
{
  g_autoptr(XapiConnection) connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;

  g_assert_false (test_login (connection, "root", WRONG_PASSWORD, &error));
  /* Debug logging was on (XAPI_DEBUG=1): the call shows, the password not. */
  g_assert_nonnull (strstr (captured_log->str, "session.login_with_password"));
  g_assert_null (strstr (captured_log->str, WRONG_PASSWORD));
}

int
main (int   argc,
      char *argv[])
{
  const char *args[] = { "--quiet", NULL };
  int         ret;

  g_setenv ("XAPI_DEBUG", "1", TRUE);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_init (&argc, &argv, NULL);

  sim = sim_fixture_start (args, 60);

  g_test_add_func ("/xapi/connection/login", test_login_ok);
  g_test_add_func ("/xapi/connection/wrong-password", test_wrong_password);
  g_test_add_func ("/xapi/connection/error-shapes-v1", test_error_shapes_v1);
  g_test_add_func ("/xapi/connection/error-shapes-v2", test_error_shapes_v2);
  g_test_add_func ("/xapi/connection/host-is-slave", test_host_is_slave);
  g_test_add_func ("/xapi/connection/relogin", test_relogin);
  g_test_add_func ("/xapi/connection/set-master", test_set_master);
  g_test_add_func ("/xapi/connection/malformed", test_malformed);
  g_test_add_func ("/xapi/connection/malformed-login", test_malformed_login);
  g_test_add_func ("/xapi/connection/malformed-named", test_malformed_named);
  g_test_add_func ("/xapi/connection/tls-error", test_tls_error);
  g_test_add_func ("/xapi/connection/drop", test_drop);
  g_test_add_func ("/xapi/connection/refused", test_refused);
  g_test_add_func ("/xapi/connection/timeout", test_timeout);
  g_test_add_func ("/xapi/connection/cancel", test_cancel);
  g_test_add_func ("/xapi/connection/password-never-logged", test_password_never_logged);

  ret = g_test_run ();

  sim_fixture_stop (sim);
  g_string_free (captured_log, TRUE);

  return ret;
}
