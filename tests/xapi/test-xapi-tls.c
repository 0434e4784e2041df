/* test-xapi-tls.c: certificate trust (TOFU pinning) against ferry-sim --https
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "sim-fixture.h"
#include "xapi-connection.h"
#include "xapi-error.h"
#include "xapi-util.h"

static SimFixture *sim;
/* What the first connection saw; pinned by the following tests. */
static char       *first_fingerprint;

static void
test_unknown (void)
{
  const char *url = sim_fixture_pool_url (sim, "Lyon");
  g_autoptr(XapiConnection) connection = xapi_connection_new (url);
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  g_assert_true (g_str_has_prefix (url, "https://"));
  g_assert_false (test_login (connection, "root", "ferry", &error));
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "127.0.1.1"));
  g_test_message ("%s", error->message);

  /* "AB:CD:…", 32 bytes, upper case: exactly what we hand out. */
  normalized = xapi_fingerprint_normalize (xapi_error_get_fingerprint (error));
  g_assert_cmpstr (normalized, ==, xapi_error_get_fingerprint (error));
  g_assert_cmpuint (strlen (normalized), ==, 32 * 3 - 1);
  g_assert_cmpstr (xapi_connection_get_peer_fingerprint (connection), ==, normalized);
  g_assert_false (xapi_connection_is_logged_in (connection));

  first_fingerprint = g_strdup (normalized);
}

static void
check_pinned_login (const char *pin)
{
  g_autoptr(XapiConnection) connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  xapi_connection_set_pinned_fingerprint (connection, pin);
  g_assert_true (test_login (connection, "root", "ferry", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xapi_connection_get_peer_fingerprint (connection), ==, first_fingerprint);

  node = test_call (connection, "host.get_all", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 3);
}

static void
test_pinned (void)
{
  g_autofree char *lower = NULL;
  g_autoptr(GString) bare = g_string_new ("sha-256:");
  g_autofree char *list = NULL;
  const char      *p;

  g_assert_nonnull (first_fingerprint);
  check_pinned_login (first_fingerprint);

  /* The same fingerprint in other spellings. */
  lower = g_ascii_strdown (first_fingerprint, -1);
  check_pinned_login (lower);
  for (p = first_fingerprint; *p != '\0'; p++)
    if (*p != ':')
      g_string_append_c (bare, *p);
  check_pinned_login (bare->str);

  /* One of several pinned fingerprints. */
  list = g_strconcat ("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF, ",
                      first_fingerprint, NULL);
  check_pinned_login (list);
}

static void
test_pinned_other (void)
{
  g_autoptr(XapiConnection) connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;

  xapi_connection_set_pinned_fingerprint (connection,
                                          "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                          "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  g_assert_false (test_login (connection, "root", "ferry", &error));
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_CHANGED);
  g_assert_cmpstr (xapi_error_get_fingerprint (error), ==, first_fingerprint);
  g_assert_false (xapi_connection_is_logged_in (connection));
}

static void
test_redirect (void)
{
  g_autofree char *supporter = sim_fixture_host_url (sim, "Lyon", 2);
  g_autoptr(XapiConnection) connection = xapi_connection_new (supporter);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* The supporter's certificate is pinned; the master's is accepted
   * because it is the same (or announced by the supporter). */
  xapi_connection_set_pinned_fingerprint (connection, first_fingerprint);
  g_assert_true (test_login (connection, "root", "ferry", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xapi_connection_get_url (connection), ==, sim_fixture_pool_url (sim, "Lyon"));
  g_assert_cmpstr (xapi_connection_get_redirected_from (connection), ==, supporter);

  node = test_call (connection, "pool.get_all", NULL, &error);
  g_assert_no_error (error);
}

/* A master reached through its supporter, whose certificate is replaced
 * while the connection lives: the next TLS connection to it is refused as a
 * changed certificate, not as an unknown one (it was accepted before). */
static void
test_redirect_changed (void)
{
  g_autofree char *supporter = sim_fixture_host_url (sim, "Lyon", 2);
  g_autoptr(XapiConnection) connection = xapi_connection_new (supporter);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) reply = NULL;
  const char *new_fingerprint;

  xapi_connection_set_pinned_fingerprint (connection, first_fingerprint);
  g_assert_true (test_login (connection, "root", "ferry", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xapi_connection_get_url (connection), ==, sim_fixture_pool_url (sim, "Lyon"));

  reply = sim_fixture_control (sim, "change_certificate", NULL);
  new_fingerprint = json_object_get_string_member (json_node_get_object (reply), "fingerprint");

  /* Close the kept-alive connection (libsoup may retry a read once). */
  sim_fixture_command (sim, "drop_connections",
                       "{\"pool\": \"Lyon\", \"count\": 2, \"method\": \"host.get_all\"}");
  node = test_call (connection, "host.get_all", NULL, &error);
  g_assert_null (node);
  g_clear_error (&error);

  node = test_call (connection, "pool.get_all", NULL, &error);
  g_assert_null (node);
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_CHANGED);
  g_assert_true (xapi_fingerprint_equal (xapi_error_get_fingerprint (error), new_fingerprint));
  g_test_message ("%s", error->message);
}

static void
test_changed (void)
{
  g_autoptr(XapiConnection) connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(XapiConnection) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  const char *new_fingerprint;

  reply = sim_fixture_control (sim, "change_certificate", NULL);
  new_fingerprint = json_object_get_string_member (json_node_get_object (reply), "fingerprint");
  g_assert_false (xapi_fingerprint_equal (new_fingerprint, first_fingerprint));

  xapi_connection_set_pinned_fingerprint (connection, first_fingerprint);
  g_assert_false (test_login (connection, "root", "ferry", &error));
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_CHANGED);
  g_assert_nonnull (strstr (error->message, "127.0.1.1"));
  g_assert_nonnull (strstr (error->message, "changed"));
  g_assert_true (xapi_fingerprint_equal (xapi_error_get_fingerprint (error), new_fingerprint));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* The user accepts the new certificate: pinning it works. */
  again = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  xapi_connection_set_pinned_fingerprint (again, xapi_connection_get_peer_fingerprint (connection));
  g_assert_true (test_login (again, "root", "ferry", &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  const char *args[] = { "--quiet", "--https", NULL };
  int         ret;

  g_test_init (&argc, &argv, NULL);

  sim = sim_fixture_start (args, 60);

  g_test_add_func ("/xapi/tls/unknown", test_unknown);
  g_test_add_func ("/xapi/tls/pinned", test_pinned);
  g_test_add_func ("/xapi/tls/pinned-other", test_pinned_other);
  g_test_add_func ("/xapi/tls/redirect", test_redirect);
  g_test_add_func ("/xapi/tls/redirect-changed", test_redirect_changed);
  g_test_add_func ("/xapi/tls/changed", test_changed);

  ret = g_test_run ();

  sim_fixture_stop (sim);
  g_free (first_fingerprint);

  return ret;
}
