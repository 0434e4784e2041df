/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sim.c: ferry-sim answers like XAPI, over real HTTP(S) on loopback
 *
 * Each test starts its own simulator (the library) in a thread with its own
 * main context, and talks to it with a synchronous SoupSession from the test
 * thread, so every request really crosses a socket.  The control endpoint is
 * used over HTTP too.
 */

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sim/fsim-server.h"

#define WAIT_SECONDS 30

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  FsimServer   *sim;
  char         *scenario;
  gboolean      https;
  GMutex        lock;
  GCond         cond;
  gboolean      started;
  GError       *error;
  char         *lyon;        /* master URL of the first pool */
  char         *paris;       /* of the second pool, if any */
  char         *fingerprint; /* expected certificate (NULL: accept any) */
  char         *seen;        /* the last one presented */
  SoupSession  *session;
} Fixture;

typedef struct
{
  const char *scenario;
  gboolean    https;
} Params;

static const Params demo = { "demo", FALSE };
static const Params large = { "large:1:8:500", FALSE };

/* ---- fixture ---- */

/* Loopback needs no proxy, and the system resolver (libproxy) is not
 * sanitizer-friendly. */
static SoupSession *
new_session (void)
{
  return soup_session_new_with_options ("timeout", WAIT_SECONDS, "proxy-resolver", NULL, NULL);
}

static gpointer
server_thread (gpointer data)
{
  Fixture    *f = data;
  FsimServer *sim;
  GError     *error = NULL;

  g_main_context_push_thread_default (f->context);
  sim = fsim_server_new (f->scenario, &error);
  if (sim != NULL)
    {
      fsim_server_set_control_enabled (sim, TRUE);
      fsim_server_set_https (sim, f->https);
      if (!fsim_server_start (sim, 0, &error))
        g_clear_object (&sim);
    }
  g_mutex_lock (&f->lock);
  f->sim = sim;
  f->error = error;
  if (sim != NULL)
    {
      f->lyon = fsim_server_get_pool_url (sim, 0);
      if (fsim_server_get_n_pools (sim) > 1)
        f->paris = fsim_server_get_pool_url (sim, 1);
      f->fingerprint = fsim_server_get_certificate_fingerprint (sim);
    }
  f->started = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->lock);
  if (sim != NULL)
    {
      g_main_loop_run (f->loop);
      fsim_server_stop (sim);
      g_object_unref (sim);
    }
  /* let libsoup finish closing connections */
  while (g_main_context_iteration (f->context, FALSE))
    ;
  g_main_context_pop_thread_default (f->context);
  return NULL;
}

static gboolean
accept_cb (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  Fixture *f = data;
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize  len = sizeof digest;
  g_autoptr(GString) text = g_string_new (NULL);

  g_object_get (cert, "certificate", &der, NULL);
  g_checksum_update (sum, der->data, der->len);
  g_checksum_get_digest (sum, digest, &len);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (text, "%s%02X", i > 0 ? ":" : "", digest[i]);
  g_free (f->seen);
  f->seen = g_strdup (text->str);
  return f->fingerprint == NULL || g_strcmp0 (text->str, f->fingerprint) == 0;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  const Params *p = data;

  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->scenario = g_strdup (p->scenario);
  f->https = p->https;
  f->context = g_main_context_new ();
  f->loop = g_main_loop_new (f->context, FALSE);
  f->thread = g_thread_new ("sim", server_thread, f);
  g_mutex_lock (&f->lock);
  while (!f->started)
    g_cond_wait (&f->cond, &f->lock);
  g_mutex_unlock (&f->lock);
  g_assert_no_error (f->error);
  g_assert_nonnull (f->sim);
  f->session = new_session ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->session);
  g_main_loop_quit (f->loop);
  g_thread_join (f->thread);
  g_main_loop_unref (f->loop);
  g_main_context_unref (f->context);
  g_clear_error (&f->error);
  g_free (f->scenario);
  g_free (f->lyon);
  g_free (f->paris);
  g_free (f->fingerprint);
  g_free (f->seen);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

/* ---- HTTP helpers ---- */

typedef struct
{
  guint     status;
  char     *content_type;
  char     *body;
  JsonNode *json;
} Reply;

static void
reply_free (Reply *r)
{
  g_free (r->content_type);
  g_free (r->body);
  g_clear_pointer (&r->json, json_node_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *post_full (Fixture *f, SoupSession *session, const char *url, const char *path, const char *body,
                         const char *header, const char *value, char **response_header);

static Reply *
post (Fixture *f, SoupSession *session, const char *url, const char *path, const char *body)
{
  return post_full (f, session, url, path, body, NULL, NULL, NULL);
}

static Reply *
post_full (Fixture *f, SoupSession *session, const char *url, const char *path, const char *body,
           const char *header, const char *value, char **response_header)
{
  g_autofree char *uri = g_strconcat (url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  Reply      *r = g_new0 (Reply, 1);
  const char *ct;

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  if (header != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), header, value);
  if (f->https)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_cb), f);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  if (answer == NULL)
    {
      r->status = 0;
      r->body = g_strdup (error->message);
      return r;
    }
  r->status = soup_message_get_status (msg);
  if (response_header != NULL)
    *response_header = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                               "x-xenapi-response-host-certificate-thumbprint"));
  ct = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Type");
  r->content_type = g_strdup (ct);
  r->body = g_bytes_get_size (answer) > 0 ? g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer))
                                          : g_strdup ("");
  r->json = r->body[0] != '\0' ? json_from_string (r->body, NULL) : NULL;
  return r;
}

static Reply *
rpc_full (Fixture *f, const char *url, gboolean v2, const char *method, const char *params)
{
  g_autofree char *body = g_strdup_printf ("{%s\"method\":\"%s\",\"params\":%s,\"id\":\"req-7\"}",
                                           v2 ? "\"jsonrpc\":\"2.0\"," : "", method, params);

  return post (f, f->session, url, "/jsonrpc", body);
}

/* Checks the envelope of a v2 reply and returns the result (or NULL for an error). */
static JsonNode *
result_of (Reply *r)
{
  JsonObject *o;

  if (r->status != 200)
    g_test_message ("HTTP %u: %s", r->status, r->body);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (r->content_type, ==, "application/json");
  g_assert_nonnull (r->json);
  o = json_node_get_object (r->json);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "req-7");
  if (json_object_has_member (o, "error"))
    return NULL;
  return json_object_get_member (o, "result");
}

/* The XAPI error of a v2 reply as "CODE param param". */
static char *
error_of (Reply *r)
{
  JsonObject *o, *e;
  JsonArray  *data;
  GString    *s;

  g_assert_cmpuint (r->status, ==, 200);
  o = json_node_get_object (r->json);
  g_assert_true (json_object_has_member (o, "error"));
  g_assert_false (json_object_has_member (o, "result"));
  e = json_object_get_object_member (o, "error");
  g_assert_cmpint (json_object_get_int_member (e, "code"), ==, 1);
  s = g_string_new (json_object_get_string_member (e, "message"));
  data = json_object_get_array_member (e, "data");
  for (guint i = 0; i < json_array_get_length (data); i++)
    g_string_append_printf (s, " %s", json_array_get_string_element (data, i));
  return g_string_free (s, FALSE);
}

static JsonNode *
call_ok (Fixture *f, const char *url, const char *method, const char *params)
{
  g_autoptr(Reply) r = rpc_full (f, url, TRUE, method, params);
  JsonNode *result = result_of (r);

  if (result == NULL)
    g_error ("%s failed: %s", method, r->body);
  return json_node_copy (result);
}

static char *
call_error (Fixture *f, const char *url, const char *method, const char *params)
{
  g_autoptr(Reply) r = rpc_full (f, url, TRUE, method, params);

  return error_of (r);
}

static char *
call_string (Fixture *f, const char *url, const char *method, const char *params)
{
  g_autoptr(JsonNode) n = call_ok (f, url, method, params);

  return g_strdup (json_node_get_string (n));
}

static char *
login (Fixture *f, const char *url)
{
  return call_string (f, url, "session.login_with_password", "[\"root\",\"ferry\",\"1.1\",\"test-sim\"]");
}

static JsonObject *
control (Fixture *f, const char *url, const char *body)
{
  g_autoptr(Reply) r = post (f, f->session, url, "/sim/control", body);

  if (r->status != 200)
    g_test_message ("control %s: HTTP %u %s", body, r->status, r->body);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (r->content_type, ==, "application/json");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (r->json), "ok"));
  return json_object_ref (json_node_get_object (r->json));
}

/* The ref of the object of @cls called @name. */
static char *
ref_of (Fixture *f, const char *url, const char *session, const char *cls, const char *name)
{
  g_autofree char *method = g_strdup_printf ("%s.get_all_records", cls);
  g_autofree char *params = g_strdup_printf ("[\"%s\"]", session);
  g_autoptr(JsonNode) all = call_ok (f, url, method, params);
  JsonObjectIter iter;
  const char    *ref;
  JsonNode      *rec;

  json_object_iter_init (&iter, json_node_get_object (all));
  while (json_object_iter_next (&iter, &ref, &rec))
    {
      JsonObject *o = json_node_get_object (rec);

      if (g_strcmp0 (json_object_get_string_member (o, "name_label"), name) == 0 &&
          (!json_object_has_member (o, "is_a_snapshot") || !json_object_get_boolean_member (o, "is_a_snapshot")))
        return g_strdup (ref);
    }
  g_error ("no %s called %s", cls, name);
  return NULL;
}

static JsonObject *
record (Fixture *f, const char *url, const char *session, const char *cls, const char *ref)
{
  g_autofree char *method = g_strdup_printf ("%s.get_record", cls);
  g_autofree char *params = g_strdup_printf ("[\"%s\",\"%s\"]", session, ref);
  g_autoptr(JsonNode) n = call_ok (f, url, method, params);

  return json_object_ref (json_node_get_object (n));
}

/* Waits for an Async task to leave "pending"; returns its record. */
static JsonObject *
wait_task (Fixture *f, const char *url, const char *session, const char *task)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      JsonObject *rec = record (f, url, session, "task", task);

      if (g_strcmp0 (json_object_get_string_member (rec, "status"), "pending") != 0 &&
          g_strcmp0 (json_object_get_string_member (rec, "status"), "cancelling") != 0)
        return rec;
      json_object_unref (rec);
      g_usleep (50 * 1000);
    }
  g_error ("task %s still pending after %d s", task, WAIT_SECONDS);
  return NULL;
}

/* vdi_map JSON sending every disk of @vm to @sr. */
static char *
vdi_map_to (Fixture *f, const char *url, const char *session, const char *vm, const char *sr)
{
  g_autoptr(JsonObject) rec = record (f, url, session, "VM", vm);
  JsonArray *vbds = json_object_get_array_member (rec, "VBDs");
  GString   *map = g_string_new ("{");
  gboolean   first = TRUE;

  for (guint i = 0; i < json_array_get_length (vbds); i++)
    {
      g_autoptr(JsonObject) vbd = record (f, url, session, "VBD", json_array_get_string_element (vbds, i));

      if (g_strcmp0 (json_object_get_string_member (vbd, "type"), "Disk") != 0)
        continue;
      g_string_append_printf (map, "%s\"%s\":\"%s\"", first ? "" : ",",
                              json_object_get_string_member (vbd, "VDI"), sr);
      first = FALSE;
    }
  g_string_append_c (map, '}');
  return g_string_free (map, FALSE);
}

static char *
dest_of (Fixture *f, const char *url, const char *session, const char *host, const char *network)
{
  g_autofree char *params = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", session, host, network);
  g_autoptr(JsonNode) dest = call_ok (f, url, "host.migrate_receive", params);

  return json_to_string (dest, FALSE);
}

#define MGMT "Pool-wide network associated with eth0"

/* ---- tests ---- */

static void
test_login (Fixture *f, gconstpointer data)
{
  g_autoptr(Reply) ok = rpc_full (f, f->lyon, TRUE, "session.login_with_password", "[\"root\",\"ferry\"]");
  g_autoptr(Reply) bad = rpc_full (f, f->lyon, TRUE, "session.login_with_password", "[\"root\",\"nope\"]");
  g_autoptr(Reply) bad1 = rpc_full (f, f->lyon, FALSE, "session.login_with_password", "[\"root\",\"nope\"]");
  g_autofree char *err = NULL;
  JsonNode        *result = result_of (ok);
  JsonObject      *o;
  JsonArray       *e;

  g_assert_true (g_str_has_prefix (json_node_get_string (result), "OpaqueRef:"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (ok->json), "jsonrpc"), ==, "2.0");
  err = error_of (bad);
  g_assert_cmpstr (err, ==, "SESSION_AUTHENTICATION_FAILED root Authentication failure");
  /* v1: error array, result null, no "jsonrpc" */
  g_assert_cmpuint (bad1->status, ==, 200);
  g_assert_cmpstr (bad1->content_type, ==, "application/json");
  o = json_node_get_object (bad1->json);
  g_assert_false (json_object_has_member (o, "jsonrpc"));
  g_assert_true (json_node_is_null (json_object_get_member (o, "result")));
  e = json_object_get_array_member (o, "error");
  g_assert_cmpstr (json_array_get_string_element (e, 0), ==, "SESSION_AUTHENTICATION_FAILED");
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "req-7");
  /* v1 success: error null */
  {
    g_autoptr(Reply) ok1 = rpc_full (f, f->lyon, FALSE, "session.login_with_password",
                                     "[\"root\",\"ferry\",\"1.1\",\"x\"]");

    o = json_node_get_object (ok1->json);
    g_assert_true (json_node_is_null (json_object_get_member (o, "error")));
    g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "result"), "OpaqueRef:"));
  }
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *p1 = g_strdup_printf ("[\"%s\"]", s);
  g_autofree char *p2 = g_strdup_printf ("[\"%s\",\"OpaqueRef:nope\"]", s);
  g_autofree char *e = NULL;

  e = call_error (f, f->lyon, "VM.frobnicate", p1);
  g_assert_cmpstr (e, ==, "MESSAGE_METHOD_UNKNOWN VM.frobnicate");
  g_free (e);
  e = call_error (f, f->lyon, "VM.get_record", p1);
  g_assert_cmpstr (e, ==, "MESSAGE_PARAMETER_COUNT_MISMATCH VM.get_record 1 0");
  g_free (e);
  e = call_error (f, f->lyon, "VM.get_record", p2);
  g_assert_cmpstr (e, ==, "HANDLE_INVALID VM OpaqueRef:nope");
  g_free (e);
  e = call_error (f, f->lyon, "VM.get_all", "[\"OpaqueRef:nope\"]");
  g_assert_cmpstr (e, ==, "SESSION_INVALID OpaqueRef:nope");
  g_free (e);
  e = call_error (f, f->lyon, "Async.VM.get_record", p2);
  g_assert_cmpstr (e, ==, "MESSAGE_METHOD_UNKNOWN Async.VM.get_record");
  g_free (e);
  {
    g_autofree char *pm = g_strdup_printf ("[\"%s\",\"OpaqueRef:vm\",{},true,{}]", s);

    e = call_error (f, f->lyon, "VM.assert_can_migrate", pm);
    g_assert_cmpstr (e, ==, "MESSAGE_PARAMETER_COUNT_MISMATCH VM.assert_can_migrate 6 4");
    g_free (e);
  }
  /* defaulted trailing parameters may be left out; surplus ones are ignored */
  {
    g_autofree char *extra = call_string (f, f->lyon, "session.login_with_password",
                                          "[\"root\",\"ferry\",\"1.1\",\"o\",\"extra\"]");

    g_assert_true (g_str_has_prefix (extra, "OpaqueRef:"));
  }
  e = call_error (f, f->lyon, "session.login_with_password", "[\"root\"]");
  g_assert_cmpstr (e, ==, "MESSAGE_PARAMETER_COUNT_MISMATCH session.login_with_password 2 1");
  g_free (e);
  /* the Class_message alias */
  {
    g_autoptr(JsonNode) all = call_ok (f, f->lyon, "VM_get_all", p1);
    g_autoptr(JsonNode) metrics = call_ok (f, f->lyon, "VM_metrics_get_all", p1);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (all)), ==, 17);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (metrics)), >, 0);
  }
  /* v1 error shape for a dispatch error */
  {
    g_autoptr(Reply) r = rpc_full (f, f->lyon, FALSE, "VM.get_record", p2);
    JsonArray *a = json_object_get_array_member (json_node_get_object (r->json), "error");

    g_assert_cmpuint (json_array_get_length (a), ==, 3);
    g_assert_cmpstr (json_array_get_string_element (a, 0), ==, "HANDLE_INVALID");
  }
  /* after logout the session is gone */
  {
    g_autoptr(JsonNode) v = call_ok (f, f->lyon, "session.logout", p1);

    g_assert_cmpstr (json_node_get_string (v), ==, "");
    e = call_error (f, f->lyon, "VM.get_all", p1);
    g_assert_true (g_str_has_prefix (e, "SESSION_INVALID OpaqueRef:"));
  }
}

static void
test_http_500 (Fixture *f, gconstpointer data)
{
  const char *bodies[] = {
    "not json at all",
    "[1,2,3]",
    "{\"jsonrpc\":\"2.0\",\"params\":[],\"id\":1}",
    "{\"jsonrpc\":\"1.0\",\"method\":\"VM.get_all\",\"params\":[],\"id\":1}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"VM.get_all\",\"params\":[],\"id\":null}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"VM.get_all\",\"params\":[]}",
    "{\"method\":\"VM.get_all\",\"id\":1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(Reply) r = post (f, f->session, f->lyon, "/jsonrpc", bodies[i]);

      g_assert_cmpuint (r->status, ==, 500);
      g_assert_cmpstr (r->content_type, ==, "text/html");
    }
  /* v2 without params is fine (treated as []); integer ids are echoed */
  {
    g_autoptr(Reply) r = post (f, f->session, f->lyon, "/jsonrpc",
                               "{\"jsonrpc\":\"2.0\",\"method\":\"VM.get_all\",\"id\":42}");
    JsonObject *o = json_node_get_object (r->json);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (o, "id"), ==, 42);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "error"), "message"), ==,
                     "MESSAGE_PARAMETER_COUNT_MISMATCH");
  }
  {
    g_autoptr(Reply) r = post (f, f->session, f->lyon, "/elsewhere", "{}");

    g_assert_cmpuint (r->status, ==, 404);
  }
}

static void
test_host_is_slave (Fixture *f, gconstpointer data)
{
  g_autofree char *supporter = fsim_server_get_host_url (f->sim, 0, 1);
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *p = g_strdup_printf ("[\"%s\"]", s);
  g_autofree char *e = call_error (f, supporter, "session.login_with_password", "[\"root\",\"ferry\"]");
  g_autofree char *e2 = call_error (f, supporter, "VM.get_all", p);

  g_assert_cmpstr (e, ==, "HOST_IS_SLAVE 127.0.1.1");
  g_assert_cmpstr (e2, ==, "HOST_IS_SLAVE 127.0.1.1");
  g_assert_true (g_str_has_suffix (supporter, g_strrstr (f->lyon, ":")));
}

static void
test_records (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *p = g_strdup_printf ("[\"%s\"]", s);
  g_autoptr(JsonNode) vms = call_ok (f, f->lyon, "VM.get_all_records", p);
  g_autofree char *web = ref_of (f, f->lyon, s, "VM", "web-01");
  g_autoptr(JsonObject) rec = record (f, f->lyon, s, "VM", web);
  JsonObjectIter iter;
  const char    *ref;
  JsonNode      *node;
  guint          plain = 0, templates = 0, dom0 = 0, snapshots = 0, halted = 0;

  json_object_iter_init (&iter, json_node_get_object (vms));
  while (json_object_iter_next (&iter, &ref, &node))
    {
      JsonObject *o = json_node_get_object (node);

      /* the full data model, not just what Ferry reads */
      g_assert_cmpuint (json_object_get_size (o), >=, 80);
      g_assert_true (json_object_has_member (o, "HVM_shadow_multiplier"));
      if (json_object_get_boolean_member (o, "is_a_template"))
        templates++;
      else if (json_object_get_boolean_member (o, "is_control_domain"))
        dom0++;
      else if (json_object_get_boolean_member (o, "is_a_snapshot"))
        snapshots++;
      else
        {
          plain++;
          if (g_strcmp0 (json_object_get_string_member (o, "power_state"), "Halted") == 0)
            {
              halted++;
              g_assert_cmpstr (json_object_get_string_member (o, "resident_on"), ==, "OpaqueRef:NULL");
            }
        }
    }
  g_assert_cmpuint (plain, ==, 9);
  g_assert_cmpuint (templates, ==, 4);
  g_assert_cmpuint (dom0, ==, 3);
  g_assert_cmpuint (snapshots, ==, 1);
  g_assert_cmpuint (halted, ==, 1);

  /* value types on the wire */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (rec, "memory_static_max")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (rec, "HVM_shadow_multiplier")), ==, G_TYPE_DOUBLE);
  g_assert_cmpstr (json_object_get_string_member (rec, "snapshot_time"), ==, "19700101T00:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (rec, "suspend_VDI"), ==, "OpaqueRef:NULL");

  /* getters, get_by_uuid, get_by_name_label, setters */
  {
    g_autofree char *pu = g_strdup_printf ("[\"%s\",\"%s\"]", s, json_object_get_string_member (rec, "uuid"));
    g_autofree char *pr = g_strdup_printf ("[\"%s\",\"%s\"]", s, web);
    g_autofree char *pn = g_strdup_printf ("[\"%s\",\"%s\",\"web-01 (renamed)\"]", s, web);
    g_autofree char *pa = g_strdup_printf ("[\"%s\",\"%s\",\"owner\",\"ops\"]", s, web);
    g_autofree char *prm = g_strdup_printf ("[\"%s\",\"%s\",\"owner\"]", s, web);
    g_autofree char *byuuid = call_string (f, f->lyon, "VM.get_by_uuid", pu);
    g_autofree char *label = call_string (f, f->lyon, "VM.get_name_label", pr);
    g_autoptr(JsonNode) vcpus = call_ok (f, f->lyon, "VM.get_VCPUs_max", pr);
    g_autoptr(JsonNode) oc = NULL;
    g_autoptr(JsonNode) v1 = NULL;
    g_autoptr(JsonNode) v2 = NULL;
    g_autoptr(JsonNode) v3 = NULL;
    g_autofree char *dup = NULL;

    g_assert_cmpstr (byuuid, ==, web);
    g_assert_cmpstr (label, ==, "web-01");
    g_assert_cmpint (json_node_get_int (vcpus), ==, 2);
    v1 = call_ok (f, f->lyon, "VM.set_name_label", pn);
    v2 = call_ok (f, f->lyon, "VM.add_to_other_config", pa);
    dup = call_error (f, f->lyon, "VM.add_to_other_config", pa);
    g_assert_true (g_str_has_prefix (dup, "MAP_DUPLICATE_KEY"));
    oc = call_ok (f, f->lyon, "VM.get_other_config", pr);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (oc), "owner"), ==, "ops");
    v3 = call_ok (f, f->lyon, "VM.remove_from_other_config", prm);
    json_node_unref (oc);
    oc = call_ok (f, f->lyon, "VM.get_other_config", pr);
    g_assert_false (json_object_has_member (json_node_get_object (oc), "owner"));
  }
  {
    g_autofree char *pn = g_strdup_printf ("[\"%s\",\"web-01 (renamed)\"]", s);
    g_autoptr(JsonNode) found = call_ok (f, f->lyon, "VM.get_by_name_label", pn);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (json_node_get_array (found), 0), ==, web);
  }
  /* every host's free memory accounts for its resident VMs */
  {
    g_autoptr(JsonNode) hosts = call_ok (f, f->lyon, "host.get_all_records", p);

    json_object_iter_init (&iter, json_node_get_object (hosts));
    while (json_object_iter_next (&iter, &ref, &node))
      {
        JsonObject *h = json_node_get_object (node);
        g_autoptr(JsonObject) m = record (f, f->lyon, s, "host_metrics", json_object_get_string_member (h, "metrics"));

        g_assert_true (json_object_get_boolean_member (h, "enabled"));
        g_assert_true (json_object_get_boolean_member (m, "live"));
        g_assert_cmpint (json_object_get_int_member (m, "memory_free"), <, json_object_get_int_member (m, "memory_total"));
        g_assert_cmpint (json_object_get_int_member (m, "memory_free"), >, 0);
      }
  }
}

static guint
count_events (JsonObject *batch, const char *cls, const char *op)
{
  JsonArray *events = json_object_get_array_member (batch, "events");
  guint      n = 0;

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *e = json_array_get_object_element (events, i);

      if ((cls == NULL || g_strcmp0 (json_object_get_string_member (e, "class"), cls) == 0) &&
          (op == NULL || g_strcmp0 (json_object_get_string_member (e, "operation"), op) == 0))
        n++;
    }
  return n;
}

static JsonObject *
event_from (Fixture *f, const char *url, const char *session, const char *classes, const char *token, double timeout)
{
  g_autofree char *p = g_strdup_printf ("[\"%s\",%s,\"%s\",%.1f]", session, classes, token, timeout);
  g_autoptr(JsonNode) n = call_ok (f, url, "event.from", p);

  return json_object_ref (json_node_get_object (n));
}

static void
test_event_from (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *web = ref_of (f, f->lyon, s, "VM", "web-02");
  g_autoptr(JsonObject) all = event_from (f, f->lyon, s, "[\"*\"]", "", 30.0);
  g_autoptr(JsonObject) vm_only = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autoptr(JsonObject) empty = NULL;
  g_autoptr(GRegex) token_re = g_regex_new ("^[0-9]{20},[0-9]{20}$", 0, 0, NULL);
  JsonObject      *counts = json_object_get_object_member (all, "valid_ref_counts");
  JsonArray       *events = json_object_get_array_member (all, "events");
  JsonObject      *first = json_array_get_object_element (events, 0);
  const char      *token = json_object_get_string_member (all, "token");
  g_autofree char *t2 = NULL;
  gint64           start;

  g_assert_true (g_regex_match (token_re, token, 0, NULL));
  g_assert_cmpuint (count_events (all, NULL, "add"), ==, json_array_get_length (events));
  g_assert_cmpuint (count_events (all, "vm", NULL), ==, 17);
  g_assert_cmpint (json_object_get_int_member (counts, "vm"), ==, 17);
  g_assert_true (json_object_has_member (counts, "task"));
  g_assert_true (json_object_has_member (counts, "bond"));
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (first, "id")), ==, G_TYPE_STRING);
  g_assert_true (json_object_has_member (first, "snapshot"));
  g_assert_cmpstr (json_object_get_string_member (first, "timestamp"), ==, "0.0");

  vm_only = event_from (f, f->lyon, s, "[\"VM\"]", "", 1.0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (vm_only, "events")), ==, 17);

  /* two changes of one object collapse into one mod */
  {
    g_autofree char       *p1 = g_strdup_printf ("[\"%s\",\"%s\",\"one\"]", s, web);
    g_autofree char       *p2 = g_strdup_printf ("[\"%s\",\"%s\",\"two\"]", s, web);
    g_autoptr(JsonNode) a G_GNUC_UNUSED = call_ok (f, f->lyon, "VM.set_name_label", p1);
    g_autoptr(JsonNode) b G_GNUC_UNUSED = call_ok (f, f->lyon, "VM.set_name_label", p2);
    JsonObject            *e;

    batch = event_from (f, f->lyon, s, "[\"vm\"]", token, 5.0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (batch, "events")), ==, 1);
    e = json_array_get_object_element (json_object_get_array_member (batch, "events"), 0);
    g_assert_cmpstr (json_object_get_string_member (e, "operation"), ==, "mod");
    g_assert_cmpstr (json_object_get_string_member (e, "ref"), ==, web);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (e, "snapshot"), "name_label"), ==, "two");
  }
  t2 = g_strdup (json_object_get_string_member (batch, "token"));

  /* add and del (a session logs in and out); del has no snapshot */
  {
    g_autofree char *other = login (f, f->lyon);
    g_autofree char *po = g_strdup_printf ("[\"%s\"]", other);
    g_autoptr(JsonObject) added = event_from (f, f->lyon, s, "[\"session\"]", t2, 5.0);
    g_autoptr(JsonNode) v = NULL;
    g_autoptr(JsonObject) deleted = NULL;
    JsonObject *e;

    g_assert_cmpuint (count_events (added, "session", "add"), ==, 1);
    v = call_ok (f, f->lyon, "session.logout", po);
    deleted = event_from (f, f->lyon, s, "[\"session\"]", json_object_get_string_member (added, "token"), 5.0);
    g_assert_cmpuint (count_events (deleted, "session", "del"), ==, 1);
    e = json_array_get_object_element (json_object_get_array_member (deleted, "events"), 0);
    g_assert_false (json_object_has_member (e, "snapshot"));
    /* created and destroyed after t2: not reported at all */
    json_object_unref (deleted);
    deleted = event_from (f, f->lyon, s, "[\"session\"]", t2, 0.1);
    g_assert_cmpuint (count_events (deleted, "session", NULL), ==, 0);
  }

  /* a quiet subscription times out with no events and a new token */
  start = g_get_monotonic_time ();
  empty = event_from (f, f->lyon, s, "[\"pbd\"]", t2, 0.5);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (empty, "events")), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * 1000);
  g_assert_true (g_regex_match (token_re, json_object_get_string_member (empty, "token"), 0, NULL));

  /* class/ref subscriptions */
  {
    g_autofree char *cls_ref = g_strdup_printf ("[\"vm/%s\"]", web);
    g_autoptr(JsonObject) one = event_from (f, f->lyon, s, cls_ref, "", 1.0);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (one, "events")), ==, 1);
  }

  /* parse failures */
  {
    g_autofree char *p = g_strdup_printf ("[\"%s\",[\"vm\"],\"garbage\",1.0]", s);
    g_autofree char *p2 = g_strdup_printf ("[\"%s\",[\"a/b/c\"],\"\",1.0]", s);
    g_autofree char *e = call_error (f, f->lyon, "event.from", p);
    g_autofree char *e2 = call_error (f, f->lyon, "event.from", p2);

    g_assert_cmpstr (e, ==, "EVENT_FROM_TOKEN_PARSE_FAILURE garbage");
    g_assert_cmpstr (e2, ==, "EVENT_SUBSCRIPTION_PARSE_FAILURE a/b/c");
  }

  /* event.inject returns a token and makes a mod event */
  {
    g_autofree char *pools = g_strdup_printf ("[\"%s\"]", s);
    g_autoptr(JsonNode) pool_list = call_ok (f, f->lyon, "pool.get_all", pools);
    g_autofree char *pi = g_strdup_printf ("[\"%s\",\"pool\",\"%s\"]", s,
                                           json_array_get_string_element (json_node_get_array (pool_list), 0));
    g_autofree char *tok = call_string (f, f->lyon, "event.inject", pi);
    g_autofree char *bad = g_strdup_printf ("[\"%s\",\"pool\",\"OpaqueRef:nope\"]", s);
    g_autofree char *e = call_error (f, f->lyon, "event.inject", bad);
    g_autoptr(JsonObject) mods = event_from (f, f->lyon, s, "[\"pool\"]", t2, 1.0);

    g_assert_true (g_regex_match (token_re, tok, 0, NULL));
    g_assert_cmpstr (e, ==, "HANDLE_INVALID pool OpaqueRef:nope");
    g_assert_cmpuint (count_events (mods, "pool", "mod"), ==, 1);
  }
}

/* event.inject's token is the generation just before the change it makes:
 * event.from with it returns that mod at once, every time, whatever else the
 * pool does.  (A token taken after the change made the call wait for the
 * next change of anything, and a client's check failed two runs in three.) */
static void
test_event_inject_token (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *pools = g_strdup_printf ("[\"%s\"]", s);
  g_autoptr(JsonNode) pool_list = call_ok (f, f->lyon, "pool.get_all", pools);
  const char      *pool = json_array_get_string_element (json_node_get_array (pool_list), 0);
  g_autofree char *pi = g_strdup_printf ("[\"%s\",\"pool\",\"%s\"]", s, pool);

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *tok = call_string (f, f->lyon, "event.inject", pi);
      g_autoptr(JsonObject) batch = NULL;
      JsonObject *e;

      /* with nothing to report the call would wait 10 s and come back
       * empty */
      batch = event_from (f, f->lyon, s, "[\"pool\"]", tok, 10.0);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (batch, "events")), ==, 1);
      e = json_array_get_object_element (json_object_get_array_member (batch, "events"), 0);
      g_assert_cmpstr (json_object_get_string_member (e, "operation"), ==, "mod");
      g_assert_cmpstr (json_object_get_string_member (e, "ref"), ==, pool);
      g_assert_cmpstr (json_object_get_string_member (batch, "token"), >, tok);
    }
}

static guint
n_events (JsonObject *batch)
{
  return json_array_get_length (json_object_get_array_member (batch, "events"));
}

/* "stuck_events": event.from answers at once, empty, with the token it was
 * given; a first load is answered as usual. */
static void
test_control_stuck_events (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *web = ref_of (f, f->lyon, s, "VM", "web-02");
  g_autofree char *rename = g_strdup_printf ("[\"%s\",\"%s\",\"renamed\"]", s, web);
  g_autoptr(JsonObject) all = NULL;
  g_autofree char *token = NULL;

  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"stuck_events\",\"pool\":\"Lyon\",\"count\":3}");
  }
  all = event_from (f, f->lyon, s, "[\"vm\"]", "", 1.0);
  g_assert_cmpuint (n_events (all), ==, 17);
  token = g_strdup (json_object_get_string_member (all, "token"));
  {
    g_autoptr(JsonNode) v G_GNUC_UNUSED = call_ok (f, f->lyon, "VM.set_name_label", rename);
  }
  /* three calls stuck although there is a change to report; each would
   * otherwise have returned it */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) b = event_from (f, f->lyon, s, "[\"vm\"]", token, WAIT_SECONDS);

      g_assert_cmpuint (n_events (b), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (b, "token"), ==, token);
    }
  {
    g_autoptr(JsonObject) b = event_from (f, f->lyon, s, "[\"vm\"]", token, WAIT_SECONDS);

    g_assert_cmpuint (count_events (b, "vm", "mod"), ==, 1);
  }

  /* without count or seconds: until switched off */
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"stuck_events\",\"pool\":\"Lyon\"}");
  }
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonObject) b = event_from (f, f->lyon, s, "[\"vm\"]", token, WAIT_SECONDS);

      g_assert_cmpuint (n_events (b), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (b, "token"), ==, token);
    }
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"stuck_events\",\"pool\":\"Lyon\",\"off\":true}");
    g_autoptr(JsonObject) b = event_from (f, f->lyon, s, "[\"vm\"]", token, WAIT_SECONDS);

    g_assert_cmpuint (count_events (b, "vm", "mod"), ==, 1);
  }

  /* for a while: stuck, then as usual once the time is over */
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"stuck_events\",\"pool\":\"Lyon\",\"seconds\":0.5}");
    g_autoptr(JsonObject) b = event_from (f, f->lyon, s, "[\"vm\"]", token, WAIT_SECONDS);
    gint64   end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
    gboolean flowing = FALSE;

    g_assert_cmpuint (n_events (b), ==, 0);
    while (!flowing && g_get_monotonic_time () < end)
      {
        g_autoptr(JsonObject) again = event_from (f, f->lyon, s, "[\"vm\"]", token, WAIT_SECONDS);

        flowing = count_events (again, "vm", "mod") == 1;
        if (!flowing)
          g_usleep (50 * 1000);
      }
    g_assert_true (flowing);
  }

  {
    g_autoptr(Reply) r = post (f, f->session, f->lyon, "/sim/control",
                               "{\"command\":\"stuck_events\",\"pool\":\"Lyon\",\"count\":-1}");

    g_assert_cmpuint (r->status, ==, 400);
  }
}

typedef struct
{
  Fixture    *f;
  char       *session;
  char       *token;
  JsonObject *batch;
  gint64      returned;
} Blocked;

static gpointer
blocked_thread (gpointer data)
{
  Blocked *b = data;
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *body = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"method\":\"event.from\",\"params\":"
                                           "[\"%s\",[\"vm\"],\"%s\",20.0],\"id\":\"req-7\"}",
                                           b->session, b->token);
  g_autoptr(Reply) r = post (b->f, session, b->f->lyon, "/jsonrpc", body);

  b->batch = json_object_ref (json_node_get_object (result_of (r)));
  b->returned = g_get_monotonic_time ();
  return NULL;
}

typedef struct
{
  Fixture *f;
  char    *body;
  Reply   *reply;
} Pending;

static gpointer
pending_thread (gpointer data)
{
  Pending *p = data;
  g_autoptr(SoupSession) session = new_session ();

  p->reply = post (p->f, session, p->f->lyon, "/jsonrpc", p->body);
  return NULL;
}

/* Prepares an event.from that will have nothing to report. */
static void
prepare_waiting_event_from (Fixture *f, const char *session, Pending *p)
{
  g_autoptr(JsonObject) all = event_from (f, f->lyon, session, "[\"pbd\"]", "", 1.0);

  p->f = f;
  p->body = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"method\":\"event.from\",\"params\":"
                             "[\"%s\",[\"pbd\"],\"%s\",20.0],\"id\":\"req-7\"}",
                             session, json_object_get_string_member (all, "token"));
}

static void
test_event_blocking (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autoptr(JsonObject) all = event_from (f, f->lyon, s, "[\"vm\"]", "", 1.0);
  g_autofree char *web = ref_of (f, f->lyon, s, "VM", "mail");
  Blocked          b = { f, s, g_strdup (json_object_get_string_member (all, "token")), NULL, 0 };
  GThread         *thread = g_thread_new ("blocked", blocked_thread, &b);
  g_autofree char *p = g_strdup_printf ("[\"%s\"]", s);
  g_autofree char *pn = g_strdup_printf ("[\"%s\",\"%s\",\"mail-renamed\"]", s, web);
  gint64           start, changed;

  g_usleep (300 * 1000);
  /* other calls are served while event.from waits */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonNode) n = NULL;

      start = g_get_monotonic_time ();
      n = call_ok (f, f->lyon, "host.get_all", p);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
    }
  g_assert_null (b.batch);
  {
    g_autoptr(JsonNode) v G_GNUC_UNUSED = call_ok (f, f->lyon, "VM.set_name_label", pn);
  }
  changed = g_get_monotonic_time ();
  g_thread_join (thread);
  g_assert_nonnull (b.batch);
  g_assert_cmpint (b.returned - changed, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_events (b.batch, "vm", "mod"), ==, 1);
  json_object_unref (b.batch);
  g_free (b.token);
}

static void
set_bandwidth (Fixture *f, double mbps)
{
  g_autofree char         *cmd = g_strdup_printf ("{\"command\":\"set_bandwidth\",\"mbps\":%.1f}", mbps);
  g_autoptr(JsonObject) r G_GNUC_UNUSED = control (f, f->lyon, cmd);
}

static void
test_pool_migrate (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *web = ref_of (f, f->lyon, s, "VM", "web-01");
  g_autofree char *db = ref_of (f, f->lyon, s, "VM", "db-01");
  g_autofree char *backup = ref_of (f, f->lyon, s, "VM", "backup");
  g_autofree char *l2 = ref_of (f, f->lyon, s, "host", "lyon-2");
  g_autofree char *local1 = ref_of (f, f->lyon, s, "SR", "Local storage lyon-1");
  g_autofree char *p = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{\"live\":\"true\"}]", s, web, l2);
  g_autofree char *pdb = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", s, db, l2);
  g_autofree char *pb = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", s, backup, l2);
  g_autofree char *e = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonNode) v = NULL;
  g_autoptr(JsonObject) rec = NULL;

  set_bandwidth (f, 100000);
  v = call_ok (f, f->lyon, "VM.pool_migrate", p);
  g_assert_cmpstr (json_node_get_string (v), ==, "");
  rec = record (f, f->lyon, s, "VM", web);
  g_assert_cmpstr (json_object_get_string_member (rec, "resident_on"), ==, l2);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (rec, "current_operations")), ==, 0);

  e = call_error (f, f->lyon, "VM.pool_migrate", pdb);
  expected = g_strdup_printf ("VM_REQUIRES_SR %s %s", db, local1);
  g_assert_cmpstr (e, ==, expected);
  g_free (e);
  e = call_error (f, f->lyon, "VM.pool_migrate", pb);
  g_assert_true (g_str_has_prefix (e, "VM_BAD_POWER_STATE"));
  g_assert_true (g_str_has_suffix (e, " running halted"));

  /* a disabled host takes no VM */
  {
    g_autofree char        *l3 = ref_of (f, f->lyon, s, "host", "lyon-3");
    g_autofree char        *ph = g_strdup_printf ("[\"%s\",\"%s\"]", s, l3);
    g_autofree char        *pm = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", s, web, l3);
    g_autoptr(JsonNode) d  G_GNUC_UNUSED = call_ok (f, f->lyon, "host.disable", ph);
    g_autofree char        *disabled = call_error (f, f->lyon, "VM.pool_migrate", pm);
    g_autofree char        *want = g_strdup_printf ("HOST_DISABLED %s", l3);
    g_autoptr(JsonNode) en G_GNUC_UNUSED = call_ok (f, f->lyon, "host.enable", ph);

    g_assert_cmpstr (disabled, ==, want);
  }

  /* Async: the error lands in the task */
  {
    g_autofree char *task = call_string (f, f->lyon, "Async.VM.pool_migrate", pdb);
    g_autoptr(JsonObject) t = wait_task (f, f->lyon, s, task);
    JsonArray *info = json_object_get_array_member (t, "error_info");

    g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "failure");
    g_assert_cmpstr (json_array_get_string_element (info, 0), ==, "VM_REQUIRES_SR");
    g_assert_cmpstr (json_object_get_string_member (t, "name_label"), ==, "Async.VM.pool_migrate");
    g_assert_cmpfloat (json_object_get_double_member (t, "progress"), ==, 1.0);
  }
}

static void
test_migrate_send_intra (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *db = ref_of (f, f->lyon, s, "VM", "db-01");
  g_autofree char *l2 = ref_of (f, f->lyon, s, "host", "lyon-2");
  g_autofree char *mgmt = ref_of (f, f->lyon, s, "network", MGMT);
  g_autofree char *dmz = ref_of (f, f->lyon, s, "network", "DMZ");
  g_autofree char *local2 = ref_of (f, f->lyon, s, "SR", "Local storage lyon-2");
  g_autofree char *dest = dest_of (f, f->lyon, s, l2, mgmt);
  g_autofree char *vdi_map = vdi_map_to (f, f->lyon, s, db, local2);
  g_autofree char *e = NULL;
  g_autofree char *task = NULL;
  g_autofree char *expected_result = NULL;
  g_autoptr(JsonObject) t = NULL;
  g_autoptr(JsonObject) rec = NULL;
  g_autoptr(JsonNode) dest_node = json_from_string (dest, NULL);
  JsonObject *d = json_node_get_object (dest_node);

  /* the dest map has exactly the five keys */
  g_assert_cmpuint (json_object_get_size (d), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (d, "host"), ==, l2);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (d, "SM"), "http://127.0.1.2/services/SM?session_id=OpaqueRef:"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (d, "xenops"), "http://127.0.1.2/services/xenops"));
  g_assert_cmpstr (json_object_get_string_member (d, "master"), ==, "http://127.0.1.1");
  g_assert_true (json_object_has_member (d, "session_id"));
  {
    g_autofree char *p = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", s, l2, dmz);

    e = call_error (f, f->lyon, "host.migrate_receive", p);
    g_assert_true (g_str_has_prefix (e, "PIF_HAS_NO_NETWORK_CONFIGURATION OpaqueRef:"));
    g_clear_pointer (&e, g_free);
  }
  {
    g_autofree char *p = g_strdup_printf ("[\"%s\",\"%s\",%s,true,{},{},{}]", s, db, dest);

    e = call_error (f, f->lyon, "VM.assert_can_migrate", p);
    g_assert_true (g_str_has_prefix (e, "VDI_NOT_IN_MAP OpaqueRef:"));
    g_clear_pointer (&e, g_free);
  }
  {
    g_autofree char *p = g_strdup_printf ("[\"%s\",\"%s\",%s,true,%s,{\"OpaqueRef:x\":\"OpaqueRef:y\"},{}]",
                                          s, db, dest, vdi_map);

    e = call_error (f, f->lyon, "VM.assert_can_migrate", p);
    g_assert_true (g_str_has_prefix (e, "OPERATION_NOT_ALLOWED VIF mapping is not allowed"));
    g_clear_pointer (&e, g_free);
  }
  {
    g_autofree char *p = g_strdup_printf ("[\"%s\",\"%s\",%s,true,%s,{},{\"copy\":\"true\"}]", s, db, dest, vdi_map);

    e = call_error (f, f->lyon, "VM.assert_can_migrate", p);
    g_assert_true (g_str_has_prefix (e, "OPERATION_NOT_ALLOWED Copy mode is disallowed"));
    g_clear_pointer (&e, g_free);
  }
  {
    g_autofree char        *p = g_strdup_printf ("[\"%s\",\"%s\",%s,true,%s,{},{}]", s, db, dest, vdi_map);
    g_autoptr(JsonNode) ok G_GNUC_UNUSED = call_ok (f, f->lyon, "VM.assert_can_migrate", p);
    g_autoptr(JsonObject) during = NULL;

    set_bandwidth (f, 20000);
    task = call_string (f, f->lyon, "Async.VM.migrate_send", p);
    during = record (f, f->lyon, s, "VM", db);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (during, "current_operations"), task),
                     ==, "migrate_send");
  }
  t = wait_task (f, f->lyon, s, task);
  g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "success");
  expected_result = g_strdup_printf ("<value>%s</value>", db);
  g_assert_cmpstr (json_object_get_string_member (t, "result"), ==, expected_result);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (t, "finished"), "Z"));
  g_assert_cmpuint (strlen (json_object_get_string_member (t, "created")), ==, strlen ("20240101T12:00:00Z"));
  rec = record (f, f->lyon, s, "VM", db);
  g_assert_cmpstr (json_object_get_string_member (rec, "resident_on"), ==, l2);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (rec, "current_operations")), ==, 0);
  /* the disks now live on lyon-2's local SR */
  {
    g_autofree char *map = vdi_map_to (f, f->lyon, s, db, "X");
    g_autoptr(JsonNode) m = json_from_string (map, NULL);
    JsonObjectIter iter;
    const char    *vdi;
    JsonNode      *unused;

    json_object_iter_init (&iter, json_node_get_object (m));
    while (json_object_iter_next (&iter, &vdi, &unused))
      {
        g_autoptr(JsonObject) v = record (f, f->lyon, s, "VDI", vdi);

        g_assert_cmpstr (json_object_get_string_member (v, "SR"), ==, local2);
      }
  }
}

static void
test_migrate_send_cross (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *sp = login (f, f->paris);
  g_autofree char *web = ref_of (f, f->lyon, s, "VM", "web-02");
  g_autofree char *p1 = ref_of (f, f->paris, sp, "host", "paris-1");
  g_autofree char *pmgmt = ref_of (f, f->paris, sp, "network", MGMT);
  g_autofree char *pdmz = ref_of (f, f->paris, sp, "network", "DMZ");
  g_autofree char *psr = ref_of (f, f->paris, sp, "SR", "Local storage paris-1");
  g_autofree char *dest = dest_of (f, f->paris, sp, p1, pmgmt);
  g_autofree char *vdi_map = vdi_map_to (f, f->lyon, s, web, psr);
  g_autoptr(JsonObject) rec = record (f, f->lyon, s, "VM", web);
  JsonArray       *vifs = json_object_get_array_member (rec, "VIFs");
  g_autofree char *uuid = g_strdup (json_object_get_string_member (rec, "uuid"));
  g_autofree char *vif_map = g_strdup_printf ("{\"%s\":\"%s\",\"%s\":\"%s\"}",
                                              json_array_get_string_element (vifs, 0), pmgmt,
                                              json_array_get_string_element (vifs, 1), pdmz);
  g_autofree char *half_map = g_strdup_printf ("{\"%s\":\"%s\"}", json_array_get_string_element (vifs, 0), pmgmt);
  g_autofree char *e = NULL;
  g_autofree char *task = NULL;
  g_autofree char *new_ref = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonObject) t = NULL;
  g_autoptr(JsonObject) moved = NULL;

  {
    g_autofree char *p = g_strdup_printf ("[\"%s\",\"%s\",%s,true,%s,%s,{}]", s, web, dest, vdi_map, half_map);

    e = call_error (f, f->lyon, "VM.assert_can_migrate", p);
    expected = g_strdup_printf ("VIF_NOT_IN_MAP %s", json_array_get_string_element (vifs, 1));
    g_assert_cmpstr (e, ==, expected);
  }
  set_bandwidth (f, 20000);
  {
    g_autofree char        *p = g_strdup_printf ("[\"%s\",\"%s\",%s,true,%s,%s,{\"force\":\"false\"}]", s, web, dest,
                                                 vdi_map, vif_map);
    g_autoptr(JsonNode) ok G_GNUC_UNUSED = call_ok (f, f->lyon, "VM.assert_can_migrate", p);

    task = call_string (f, f->lyon, "Async.VM.migrate_send", p);
  }
  t = wait_task (f, f->lyon, s, task);
  g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "success");
  /* the same uuid now lives in Paris, on paris-1 */
  {
    g_autofree char *pu = g_strdup_printf ("[\"%s\",\"%s\"]", s, uuid);
    g_autofree char *ppu = g_strdup_printf ("[\"%s\",\"%s\"]", sp, uuid);

    g_free (e);
    e = call_error (f, f->lyon, "VM.get_by_uuid", pu);
    g_assert_true (g_str_has_prefix (e, "UUID_INVALID VM"));
    new_ref = call_string (f, f->paris, "VM.get_by_uuid", ppu);
  }
  g_free (expected);
  expected = g_strdup_printf ("<value>%s</value>", new_ref);
  g_assert_cmpstr (json_object_get_string_member (t, "result"), ==, expected);
  moved = record (f, f->paris, sp, "VM", new_ref);
  g_assert_cmpstr (json_object_get_string_member (moved, "resident_on"), ==, p1);
  g_assert_cmpstr (json_object_get_string_member (moved, "power_state"), ==, "Running");
  g_assert_cmpstr (json_object_get_string_member (moved, "name_label"), ==, "web-02");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (moved, "VIFs")), ==, 2);
  {
    g_autofree char *map = vdi_map_to (f, f->paris, sp, new_ref, "X");
    g_autoptr(JsonNode) m = json_from_string (map, NULL);
    JsonObjectIter iter;
    const char    *vdi;
    JsonNode      *unused;
    guint          n = 0;

    json_object_iter_init (&iter, json_node_get_object (m));
    while (json_object_iter_next (&iter, &vdi, &unused))
      {
        g_autoptr(JsonObject) v = record (f, f->paris, sp, "VDI", vdi);

        g_assert_cmpstr (json_object_get_string_member (v, "SR"), ==, psr);
        n++;
      }
    g_assert_cmpuint (n, ==, 1);
  }
}

/* Halted and suspended VMs: VM.set_affinity, migrate_send with live =
 * false inside a pool (the VM stays on no host) and across pools (a
 * suspended VM's memory image goes to the other pool's suspend SR, or
 * VDI_NOT_IN_MAP when it has none), set_power_state, a paused VM refused. */
static void
test_halted_and_suspended (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *sp = login (f, f->paris);
  g_autofree char *backup = ref_of (f, f->lyon, s, "VM", "backup");
  g_autofree char *proxy = ref_of (f, f->lyon, s, "VM", "proxy");
  g_autofree char *mail = ref_of (f, f->lyon, s, "VM", "mail");
  g_autofree char *erp = ref_of (f, f->paris, sp, "VM", "legacy-erp");
  g_autofree char *l2 = ref_of (f, f->lyon, s, "host", "lyon-2");
  g_autofree char *l3 = ref_of (f, f->lyon, s, "host", "lyon-3");
  g_autofree char *nfs = ref_of (f, f->lyon, s, "SR", "Lyon NFS");
  g_autofree char *lmgmt = ref_of (f, f->lyon, s, "network", MGMT);
  g_autofree char *p1 = ref_of (f, f->paris, sp, "host", "paris-1");
  g_autofree char *pmgmt = ref_of (f, f->paris, sp, "network", MGMT);
  g_autofree char *pdmz = ref_of (f, f->paris, sp, "network", "DMZ");
  g_autofree char *psr1 = ref_of (f, f->paris, sp, "SR", "Local storage paris-1");
  g_autofree char *ppool = NULL;
  g_autofree char *image = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *moved_ref = NULL;

  set_bandwidth (f, 20000);

  /* VM.set_affinity: the field setter, in any power state */
  {
    g_autofree char        *p = g_strdup_printf ("[\"%s\",\"%s\",\"%s\"]", s, backup, l2);
    g_autofree char        *get = g_strdup_printf ("[\"%s\",\"%s\"]", s, backup);
    g_autoptr(JsonNode) ok G_GNUC_UNUSED = call_ok (f, f->lyon, "VM.set_affinity", p);
    g_autofree char        *affinity = call_string (f, f->lyon, "VM.get_affinity", get);

    g_assert_cmpstr (affinity, ==, l2);
  }

  /* a halted VM inside its pool, its disk to another host's local SR */
  {
    g_autofree char        *dest = dest_of (f, f->paris, sp, p1, pmgmt);
    g_autofree char        *vdi_map = vdi_map_to (f, f->paris, sp, erp, psr1);
    g_autofree char        *p = g_strdup_printf ("[\"%s\",\"%s\",%s,false,%s,{},{\"force\":\"false\"}]", sp, erp, dest,
                                                 vdi_map);
    g_autoptr(JsonNode) ok G_GNUC_UNUSED = call_ok (f, f->paris, "VM.assert_can_migrate", p);
    g_autofree char        *task = call_string (f, f->paris, "Async.VM.migrate_send", p);
    g_autoptr(JsonObject) t = wait_task (f, f->paris, sp, task);
    g_autoptr(JsonObject) rec = record (f, f->paris, sp, "VM", erp);
    g_autofree char *map = vdi_map_to (f, f->paris, sp, erp, "X");
    g_autoptr(JsonNode) m = json_from_string (map, NULL);
    JsonObjectIter iter;
    const char    *vdi;
    JsonNode      *unused;

    g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "success");
    g_assert_cmpstr (json_object_get_string_member (rec, "power_state"), ==, "Halted");
    g_assert_cmpstr (json_object_get_string_member (rec, "resident_on"), ==, "OpaqueRef:NULL");
    json_object_iter_init (&iter, json_node_get_object (m));
    while (json_object_iter_next (&iter, &vdi, &unused))
      {
        g_autoptr(JsonObject) v = record (f, f->paris, sp, "VDI", vdi);

        g_assert_cmpstr (json_object_get_string_member (v, "SR"), ==, psr1);
      }
  }

  /* a paused VM does not move */
  {
    g_autoptr(JsonObject) r G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"set_power_state\",\"vm\":\"mail\",\"state\":\"Paused\"}");
    g_autofree char         *dest = dest_of (f, f->lyon, s, l3, lmgmt);
    g_autofree char         *vdi_map = vdi_map_to (f, f->lyon, s, mail, nfs);
    g_autofree char         *p = g_strdup_printf ("[\"%s\",\"%s\",%s,false,%s,{},{}]", s, mail, dest, vdi_map);
    g_autofree char         *e = call_error (f, f->lyon, "VM.assert_can_migrate", p);
    g_autofree char         *expected = g_strdup_printf ("VM_BAD_POWER_STATE %s halted,suspended,running paused", mail);

    g_assert_cmpstr (e, ==, expected);
  }

  /* suspended where it ran: no host, its home host kept, its memory image
   * a "suspend" VDI on the pool's suspend SR */
  {
    g_autoptr(JsonObject) r G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"set_power_state\",\"vm\":\"proxy\",\"state\":\"Suspended\"}");
    g_autoptr(JsonObject) rec = record (f, f->lyon, s, "VM", proxy);
    g_autoptr(JsonObject) vdi = NULL;

    uuid = g_strdup (json_object_get_string_member (rec, "uuid"));
    g_assert_cmpstr (json_object_get_string_member (rec, "power_state"), ==, "Suspended");
    g_assert_cmpstr (json_object_get_string_member (rec, "resident_on"), ==, "OpaqueRef:NULL");
    g_assert_cmpstr (json_object_get_string_member (rec, "affinity"), ==, l2);
    image = g_strdup (json_object_get_string_member (rec, "suspend_VDI"));
    vdi = record (f, f->lyon, s, "VDI", image);
    g_assert_cmpstr (json_object_get_string_member (vdi, "type"), ==, "suspend");
    g_assert_cmpstr (json_object_get_string_member (vdi, "SR"), ==, nfs);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (vdi, "VBDs")), ==, 0);
  }

  /* across pools, to a pool with no suspend SR, no default SR and a host
   * without one: assert_can_migrate does not look at the image,
   * migrate_send does */
  {
    g_autofree char *pools = g_strdup_printf ("[\"%s\"]", sp);
    g_autoptr(JsonNode) all = call_ok (f, f->paris, "pool.get_all", pools);
    g_autofree char *dest = dest_of (f, f->paris, sp, p1, pmgmt);
    g_autofree char *vdi_map = vdi_map_to (f, f->lyon, s, proxy, psr1);
    g_autoptr(JsonObject) rec = record (f, f->lyon, s, "VM", proxy);
    g_autofree char        *vif_map = g_strdup_printf ("{\"%s\":\"%s\"}",
                                                       json_array_get_string_element (json_object_get_array_member (rec, "VIFs"), 0),
                                                       pdmz);
    g_autofree char        *p = g_strdup_printf ("[\"%s\",\"%s\",%s,false,%s,%s,{}]", s, proxy, dest, vdi_map, vif_map);
    g_autoptr(JsonNode) ok G_GNUC_UNUSED = NULL;
    g_autofree char        *task = NULL;
    g_autoptr(JsonObject) t = NULL;
    JsonArray *info;

    ppool = g_strdup (json_array_get_string_element (json_node_get_array (all), 0));
    for (guint i = 0; i < 3; i++)
      {
        static const char * const setters[] = { "pool.set_default_SR", "pool.set_suspend_image_SR",
                                                "host.set_suspend_image_sr" };
        g_autofree char          *args = g_strdup_printf ("[\"%s\",\"%s\",\"OpaqueRef:NULL\"]", sp, i < 2 ? ppool : p1);
        g_autoptr(JsonNode) done G_GNUC_UNUSED = call_ok (f, f->paris, setters[i], args);
      }
    ok = call_ok (f, f->lyon, "VM.assert_can_migrate", p);
    task = call_string (f, f->lyon, "Async.VM.migrate_send", p);
    t = wait_task (f, f->lyon, s, task);
    g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "failure");
    info = json_object_get_array_member (t, "error_info");
    g_assert_cmpstr (json_array_get_string_element (info, 0), ==, "VDI_NOT_IN_MAP");
    g_assert_cmpstr (json_array_get_string_element (info, 1), ==, image);
  }

  /* with Paris's suspend SR back: the same uuid in Paris, suspended, on no
   * host, its image there and gone from Lyon */
  {
    g_autofree char          *set = g_strdup_printf ("[\"%s\",\"%s\",\"%s\"]", sp, ppool, psr1);
    g_autoptr(JsonNode) done G_GNUC_UNUSED = call_ok (f, f->paris, "pool.set_suspend_image_SR", set);
    g_autofree char          *dest = dest_of (f, f->paris, sp, p1, pmgmt);
    g_autofree char          *vdi_map = vdi_map_to (f, f->lyon, s, proxy, psr1);
    g_autoptr(JsonObject) rec = record (f, f->lyon, s, "VM", proxy);
    g_autofree char *vif_map = g_strdup_printf ("{\"%s\":\"%s\"}",
                                                json_array_get_string_element (json_object_get_array_member (rec, "VIFs"), 0),
                                                pdmz);
    g_autofree char *p = g_strdup_printf ("[\"%s\",\"%s\",%s,false,%s,%s,{}]", s, proxy, dest, vdi_map, vif_map);
    g_autofree char *task = call_string (f, f->lyon, "Async.VM.migrate_send", p);
    g_autoptr(JsonObject) t = wait_task (f, f->lyon, s, task);
    g_autofree char *by_uuid = g_strdup_printf ("[\"%s\",\"%s\"]", sp, uuid);
    g_autofree char *gone = g_strdup_printf ("[\"%s\",\"%s\"]", s, image);
    g_autofree char *e = NULL;
    g_autoptr(JsonObject) moved = NULL;
    g_autoptr(JsonObject) vdi = NULL;

    g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "success");
    moved_ref = call_string (f, f->paris, "VM.get_by_uuid", by_uuid);
    moved = record (f, f->paris, sp, "VM", moved_ref);
    g_assert_cmpstr (json_object_get_string_member (moved, "power_state"), ==, "Suspended");
    g_assert_cmpstr (json_object_get_string_member (moved, "resident_on"), ==, "OpaqueRef:NULL");
    vdi = record (f, f->paris, sp, "VDI", json_object_get_string_member (moved, "suspend_VDI"));
    g_assert_cmpstr (json_object_get_string_member (vdi, "type"), ==, "suspend");
    g_assert_cmpstr (json_object_get_string_member (vdi, "SR"), ==, psr1);
    e = call_error (f, f->lyon, "VDI.get_record", gone);
    g_assert_true (g_str_has_prefix (e, "HANDLE_INVALID"));
  }
}

static void
test_too_many_and_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *l1 = ref_of (f, f->lyon, s, "host", "lyon-1");
  g_autofree char *mgmt = ref_of (f, f->lyon, s, "network", MGMT);
  g_autofree char *local1 = ref_of (f, f->lyon, s, "SR", "Local storage lyon-1");
  g_autofree char *dest = dest_of (f, f->lyon, s, l1, mgmt);
  const char      *names[] = { "web-02", "mail", "proxy", "dns-01" };
  char            *tasks[4];
  g_autoptr(JsonObject) fourth = NULL;
  g_autoptr(JsonObject) cancelled = NULL;
  g_autofree char *pc = NULL;
  g_autoptr(JsonNode) v = NULL;

  /* web-02, mail and proxy run on lyon-2; dns-01 (shared disk) gets there by
   * pool_migrate; the fourth storage migration from lyon-2 is refused */
  {
    g_autofree char *dns = ref_of (f, f->lyon, s, "VM", "dns-01");
    g_autofree char *l2 = ref_of (f, f->lyon, s, "host", "lyon-2");
    g_autofree char *pp = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", s, dns, l2);

    set_bandwidth (f, 100000);
    v = call_ok (f, f->lyon, "VM.pool_migrate", pp);
  }
  set_bandwidth (f, 10);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *vm = ref_of (f, f->lyon, s, "VM", names[i]);
      g_autofree char *vdi_map = vdi_map_to (f, f->lyon, s, vm, local1);
      g_autofree char *p = g_strdup_printf ("[\"%s\",\"%s\",%s,true,%s,{},{}]", s, vm, dest, vdi_map);

      tasks[i] = call_string (f, f->lyon, "Async.VM.migrate_send", p);
    }
  fourth = wait_task (f, f->lyon, s, tasks[3]);
  g_assert_cmpstr (json_object_get_string_member (fourth, "status"), ==, "failure");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (fourth, "error_info"), 0), ==,
                   "TOO_MANY_STORAGE_MIGRATES");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (fourth, "error_info"), 1), ==, "3");

  /* the first is still copying disks: it can be cancelled */
  {
    g_autoptr(JsonObject) t0 = record (f, f->lyon, s, "task", tasks[0]);
    JsonArray *ops = json_object_get_array_member (t0, "allowed_operations");

    g_assert_cmpstr (json_object_get_string_member (t0, "status"), ==, "pending");
    g_assert_cmpuint (json_array_get_length (ops), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (ops, 0), ==, "cancel");
  }
  pc = g_strdup_printf ("[\"%s\",\"%s\"]", s, tasks[0]);
  json_node_unref (v);
  v = call_ok (f, f->lyon, "task.cancel", pc);
  cancelled = wait_task (f, f->lyon, s, tasks[0]);
  g_assert_cmpstr (json_object_get_string_member (cancelled, "status"), ==, "cancelled");
  {
    g_autofree char *vm = ref_of (f, f->lyon, s, "VM", names[0]);
    g_autoptr(JsonObject) rec = record (f, f->lyon, s, "VM", vm);

    g_assert_cmpuint (json_object_get_size (json_object_get_object_member (rec, "current_operations")), ==, 0);
  }
  /* a finished task cannot be cancelled; destroy removes it */
  {
    g_autofree char       *e = call_error (f, f->lyon, "task.cancel", pc);
    g_autoptr(JsonNode) d G_GNUC_UNUSED = call_ok (f, f->lyon, "task.destroy", pc);
    g_autofree char       *e2 = call_error (f, f->lyon, "task.get_record", pc);

    g_assert_true (g_str_has_prefix (e, "OPERATION_NOT_ALLOWED"));
    g_assert_true (g_str_has_prefix (e2, "HANDLE_INVALID task"));
  }
  for (guint i = 0; i < 4; i++)
    g_free (tasks[i]);
}

static void
test_control_faults (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *p = g_strdup_printf ("[\"%s\"]", s);
  const char      *kinds[] = { "html500", "truncated", "not_json", "wrong_types", "huge_string", "no_content_type" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char          *cmd = g_strdup_printf ("{\"command\":\"malformed\",\"pool\":\"Lyon\",\"kind\":\"%s\","
                                                                "\"count\":1,\"method\":\"pool.get_all\"}",
                                                       kinds[i]);
      g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, cmd);
      g_autoptr(Reply) r = rpc_full (f, f->lyon, TRUE, "pool.get_all", p);

      switch (i)
        {
        case 0:
          g_assert_cmpuint (r->status, ==, 500);
          g_assert_cmpstr (r->content_type, ==, "text/html");
          break;
        case 1:
          g_assert_true (r->status == 0 || r->json == NULL);
          break;
        case 2:
          g_assert_cmpuint (r->status, ==, 200);
          g_assert_null (r->json);
          break;
        case 3:
          g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (r->json), "result")));
          break;
        case 4:
          g_assert_cmpuint (strlen (r->body), >, 50 * 1000 * 1000);
          break;
        default:
          g_assert_cmpuint (r->status, ==, 200);
          g_assert_null (r->content_type);
          break;
        }
    }
  /* only that method, only that many */
  {
    g_autoptr(Reply) r = rpc_full (f, f->lyon, TRUE, "pool.get_all", p);

    g_assert_nonnull (result_of (r));
  }
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"drop_connections\",\"pool\":\"Lyon\",\"count\":1}");
    g_autoptr(Reply) r = rpc_full (f, f->lyon, TRUE, "host.get_all", p);
    g_autoptr(Reply) r2 = rpc_full (f, f->lyon, TRUE, "host.get_all", p);

    g_assert_cmpuint (r->status, ==, 0);
    g_assert_nonnull (result_of (r2));
  }
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"delay\",\"pool\":\"Lyon\",\"seconds\":0.5,\"count\":1}");
    gint64                    start = g_get_monotonic_time ();
    g_autoptr(Reply) r = rpc_full (f, f->lyon, TRUE, "host.get_all", p);

    g_assert_nonnull (result_of (r));
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 450 * 1000);
  }
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"events_lost\",\"pool\":\"Lyon\"}");
    g_autofree char          *pe = g_strdup_printf ("[\"%s\",[\"vm\"],\"\",1.0]", s);
    g_autofree char          *e = call_error (f, f->lyon, "event.from", pe);

    g_assert_cmpstr (e, ==, "EVENTS_LOST");
  }
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"expire_sessions\",\"pool\":\"Lyon\"}");
    g_autofree char          *e = call_error (f, f->lyon, "host.get_all", p);
    g_autofree char          *expected = g_strdup_printf ("SESSION_INVALID %s", s);

    g_assert_cmpstr (e, ==, expected);
  }
  /* an event.from dropped mid-wait: the connection closes with no reply */
  {
    g_autofree char *s2 = login (f, f->lyon);
    g_autoptr(JsonObject) ok = NULL;
    Pending  w = { 0 };
    GThread *t;
    gint64   start = g_get_monotonic_time ();

    prepare_waiting_event_from (f, s2, &w);
    ok = control (f, f->lyon, "{\"command\":\"drop_connections\",\"pool\":\"Lyon\",\"count\":1,\"method\":\"event.from\"}");
    t = g_thread_new ("waiting", pending_thread, &w);
    g_thread_join (t);
    g_assert_cmpuint (w.reply->status, ==, 0);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
    reply_free (w.reply);
    g_free (w.body);
  }
  /* expire_sessions also ends a waiting event.from */
  {
    g_autofree char *s2 = login (f, f->lyon);
    g_autofree char *expected = g_strdup_printf ("SESSION_INVALID %s", s2);
    g_autofree char *e = NULL;
    g_autoptr(JsonObject) ok = NULL;
    Pending  w = { 0 };
    GThread *t;

    prepare_waiting_event_from (f, s2, &w);
    t = g_thread_new ("waiting", pending_thread, &w);
    g_usleep (300 * 1000);
    ok = control (f, f->lyon, "{\"command\":\"expire_sessions\",\"pool\":\"Lyon\"}");
    g_thread_join (t);
    e = error_of (w.reply);
    g_assert_cmpstr (e, ==, expected);
    reply_free (w.reply);
    g_free (w.body);
  }
  /* unknown commands and pools are 400 */
  {
    g_autoptr(Reply) r = post (f, f->session, f->lyon, "/sim/control", "{\"command\":\"nope\"}");
    g_autoptr(Reply) r2 = post (f, f->session, f->lyon, "/sim/control", "{\"command\":\"events_lost\",\"pool\":\"Oslo\"}");

    g_assert_cmpuint (r->status, ==, 400);
    g_assert_false (json_object_get_boolean_member (json_node_get_object (r->json), "ok"));
    g_assert_cmpuint (r2->status, ==, 400);
  }
}

/* Waits until the VM is resident on @host; returns its record then. */
static JsonObject *
wait_resident (Fixture *f, const char *session, const char *vm, const char *host)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      JsonObject *rec = record (f, f->lyon, session, "VM", vm);

      if (g_strcmp0 (json_object_get_string_member (rec, "resident_on"), host) == 0)
        return rec;
      json_object_unref (rec);
      g_usleep (50 * 1000);
    }
  g_error ("VM %s not on %s after %d s", vm, host, WAIT_SECONDS);
  return NULL;
}

/* task_lie, task_vanish: the task says something else than the VM, and the
 * migration goes on regardless; set_password: new logins only. */
static void
test_control_task_truth (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *l3 = ref_of (f, f->lyon, s, "host", "lyon-3");

  set_bandwidth (f, 500);
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"task_lie\",\"vm\":\"web-01\",\"at\":0.1}");
    g_autofree char          *vm = ref_of (f, f->lyon, s, "VM", "web-01");
    g_autofree char          *pm = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", s, vm, l3);
    g_autofree char          *task = call_string (f, f->lyon, "Async.VM.pool_migrate", pm);
    g_autoptr(JsonObject) t = wait_task (f, f->lyon, s, task);
    g_autoptr(JsonObject) rec = record (f, f->lyon, s, "VM", vm);
    g_autoptr(JsonObject) arrived = NULL;

    g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "success");
    g_assert_cmpfloat (json_object_get_double_member (t, "progress"), ==, 1.0);
    /* ... while the VM is still where it was, migrating. */
    g_assert_cmpstr (json_object_get_string_member (rec, "resident_on"), !=, l3);
    g_assert_true (json_object_has_member (json_object_get_object_member (rec, "current_operations"), task));
    arrived = wait_resident (f, s, vm, l3);
    g_assert_false (json_object_has_member (json_object_get_object_member (arrived, "current_operations"), task));
  }
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"task_vanish\",\"vm\":\"web-02\",\"at\":0.1}");
    g_autofree char          *vm = ref_of (f, f->lyon, s, "VM", "web-02");
    g_autofree char          *pm = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", s, vm, l3);
    g_autofree char          *task = call_string (f, f->lyon, "Async.VM.pool_migrate", pm);
    g_autofree char          *tp = g_strdup_printf ("[\"%s\",\"%s\"]", s, task);
    gint64                    deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
    g_autofree char          *gone = NULL;
    g_autoptr(JsonObject) rec = NULL;
    g_autoptr(JsonObject) arrived = NULL;

    while (gone == NULL && g_get_monotonic_time () < deadline)
      {
        g_autoptr(Reply) r = rpc_full (f, f->lyon, TRUE, "task.get_record", tp);

        if (json_object_has_member (json_node_get_object (r->json), "error"))
          gone = error_of (r);
        else
          g_usleep (50 * 1000);
      }
    g_assert_nonnull (gone);
    g_assert_true (g_str_has_prefix (gone, "HANDLE_INVALID"));
    rec = record (f, f->lyon, s, "VM", vm);
    g_assert_cmpstr (json_object_get_string_member (rec, "resident_on"), !=, l3);
    g_assert_true (json_object_has_member (json_object_get_object_member (rec, "current_operations"), task));
    arrived = wait_resident (f, s, vm, l3);
  }
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"set_password\",\"pool\":\"Lyon\","
                                                                  "\"password\":\"other\"}");
    g_autofree char          *e = call_error (f, f->lyon, "session.login_with_password", "[\"root\",\"ferry\"]");
    g_autofree char          *again = NULL;
    g_autofree char          *l1 = ref_of (f, f->lyon, s, "host", "lyon-1");

    g_assert_true (g_str_has_prefix (e, "SESSION_AUTHENTICATION_FAILED"));
    again = call_string (f, f->lyon, "session.login_with_password", "[\"root\",\"other\"]");
    g_assert_true (g_str_has_prefix (again, "OpaqueRef:"));
    /* The session opened before is still good. */
    g_assert_nonnull (l1);
  }
}

static void
test_control_pool (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *p = g_strdup_printf ("[\"%s\"]", s);
  g_autoptr(JsonObject) all = event_from (f, f->lyon, s, "[\"*\"]", "", 1.0);
  const char *token = json_object_get_string_member (all, "token");

  /* mutate makes events (in Paris, to keep Lyon's names for below) */
  {
    g_autofree char *sp = login (f, f->paris);
    g_autoptr(JsonObject) before = event_from (f, f->paris, sp, "[\"*\"]", "", 1.0);
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"mutate\",\"pool\":\"Paris\",\"count\":40,\"seed\":7}");
    g_autoptr(JsonObject) batch = event_from (f, f->paris, sp, "[\"*\"]",
                                              json_object_get_string_member (before, "token"), 1.0);
    g_autoptr(JsonObject) quiet = event_from (f, f->lyon, s, "[\"vm\"]", token, 0.2);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (batch, "events")), >, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (quiet, "events")), ==, 0);
  }
  /* calls: recorded with the session and passwords hidden */
  {
    g_autoptr(JsonObject) r = control (f, f->lyon, "{\"command\":\"calls\",\"pool\":\"Lyon\",\"method\":\"session.\"}");
    JsonArray  *calls = json_object_get_array_member (r, "calls");
    JsonObject *first = json_array_get_object_element (calls, 0);
    JsonArray  *params = json_object_get_array_member (first, "params");
    g_autoptr(JsonObject) r2 = control (f, f->lyon, "{\"command\":\"calls\",\"pool\":\"Lyon\",\"method\":\"event.from\",\"clear\":true}");
    JsonObject *ev = json_array_get_object_element (json_object_get_array_member (r2, "calls"), 0);
    g_autoptr(JsonObject) r3 = control (f, f->lyon, "{\"command\":\"calls\",\"pool\":\"Lyon\"}");

    g_assert_cmpstr (json_object_get_string_member (first, "method"), ==, "session.login_with_password");
    g_assert_cmpstr (json_array_get_string_element (params, 0), ==, "root");
    g_assert_cmpstr (json_array_get_string_element (params, 1), ==, "***");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (ev, "params"), 0), ==, "SESSION");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (r3, "calls")), ==, 0);
  }
  /* stats */
  {
    g_autoptr(JsonObject) r = control (f, f->lyon, "{\"command\":\"stats\"}");

    g_assert_cmpint (json_object_get_int_member (r, "requests"), >=, 3);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (r, "pools")), ==, 2);
  }
  /* fail_migration */
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"fail_migration\",\"vm\":\"monitoring\",\"at\":0.3,"
                                                                  "\"error\":[\"VM_MIGRATE_FAILED\",\"a\",\"b\",\"c\",\"boom\"]}");
    g_autofree char          *vm = ref_of (f, f->lyon, s, "VM", "monitoring");
    g_autofree char          *l1 = ref_of (f, f->lyon, s, "host", "lyon-1");
    g_autofree char          *pm = g_strdup_printf ("[\"%s\",\"%s\",\"%s\",{}]", s, vm, l1);
    g_autofree char          *task = NULL;
    g_autoptr(JsonObject) t = NULL;
    g_autoptr(JsonObject) rec = NULL;

    set_bandwidth (f, 5000);
    task = call_string (f, f->lyon, "Async.VM.pool_migrate", pm);
    t = wait_task (f, f->lyon, s, task);
    g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "failure");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (t, "error_info"), 4), ==, "boom");
    rec = record (f, f->lyon, s, "VM", vm);
    g_assert_cmpstr (json_object_get_string_member (rec, "resident_on"), !=, l1);
  }
  /* add_task: a migration started elsewhere */
  {
    g_autoptr(JsonObject) ok = NULL;
    g_autoptr(JsonObject) t = NULL;
    g_autofree char *vm = ref_of (f, f->lyon, s, "VM", "web-01");
    g_autoptr(JsonObject) rec = NULL;
    const char *task;

    set_bandwidth (f, 10);
    ok = control (f, f->lyon, "{\"command\":\"add_task\",\"pool\":\"Lyon\",\"vm\":\"web-01\",\"kind\":\"migrate_send\","
                              "\"target_host\":\"paris-2\",\"progress\":0.3}");
    task = json_object_get_string_member (ok, "task");
    t = record (f, f->lyon, s, "task", task);
    rec = record (f, f->lyon, s, "VM", vm);
    g_assert_cmpstr (json_object_get_string_member (t, "name_label"), ==, "Async.VM.migrate_send");
    g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "pending");
    g_assert_cmpfloat (json_object_get_double_member (t, "progress"), >=, 0.29);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (rec, "current_operations"), task),
                     ==, "migrate_send");
  }
  /* set_master: the pool's master moves; the old one redirects */
  {
    g_autoptr(JsonObject) ok G_GNUC_UNUSED = control (f, f->lyon, "{\"command\":\"set_master\",\"pool\":\"Lyon\",\"host\":\"lyon-3\"}");
    g_autofree char          *e = call_error (f, f->lyon, "session.login_with_password", "[\"root\",\"ferry\"]");
    g_autofree char          *e2 = call_error (f, f->lyon, "host.get_all", p);
    g_autofree char          *new_master = fsim_server_get_host_url (f->sim, 0, 2);
    g_autofree char          *s2 = login (f, new_master);
    g_autoptr(JsonNode) pools = call_ok (f, new_master, "pool.get_all_records", p);
    g_autofree char *l3 = ref_of (f, new_master, s, "host", "lyon-3");
    JsonObjectIter   iter;
    const char      *ref;
    JsonNode        *rec;

    g_assert_cmpstr (e, ==, "HOST_IS_SLAVE 127.0.1.3");
    g_assert_cmpstr (e2, ==, "HOST_IS_SLAVE 127.0.1.3");
    json_object_iter_init (&iter, json_node_get_object (pools));
    g_assert_true (json_object_iter_next (&iter, &ref, &rec));
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (rec), "master"), ==, l3);
    g_assert_nonnull (s2);
  }
}

/* The C entry point of the control commands, on a simulator that is not even listening. */
static void
test_control_api (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsimServer) sim = fsim_server_new ("demo", &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (fsim_server_get_n_pools (sim), ==, 2);
  g_assert_cmpstr (fsim_server_get_pool_name (sim, 1), ==, "Paris");
  g_assert_cmpint (fsim_server_find_pool (sim, "Paris"), ==, 1);
  g_assert_cmpstr (fsim_server_get_username (sim, 0), ==, "root");
  g_assert_cmpstr (fsim_server_get_password (sim, 0), ==, "ferry");
  g_assert_cmpuint (fsim_server_get_n_hosts (sim, 0), ==, 3);
  g_assert_true (json_parser_load_from_data (parser, "{\"command\":\"stats\"}", -1, NULL));
  reply = fsim_server_control (sim, json_node_get_object (json_parser_get_root (parser)), &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (reply), "ok"));
  g_assert_true (json_parser_load_from_data (parser, "{\"command\":\"set_master\",\"pool\":\"Lyon\",\"host\":\"x\"}", -1, NULL));
  bad = fsim_server_control (sim, json_node_get_object (json_parser_get_root (parser)), &error);
  g_assert_null (bad);
  g_assert_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL);
}

/* Starts $FERRY_SIM with @args; returns the first pool's URL (NULL: skip). */
static GSubprocess *
spawn_sim (const char * const *args, char **lyon)
{
  const char *exe = g_getenv ("FERRY_SIM");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;
  char        *line;

  *lyon = NULL;
  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  g_ptr_array_add (argv, (gpointer) exe);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, &error)) != NULL)
    {
      gboolean ready = strcmp (line, "ready") == 0;

      if (g_str_has_prefix (line, "pool ") && *lyon == NULL)
        *lyon = g_strdup (strrchr (line, ' ') + 1);
      g_free (line);
      if (ready)
        break;
    }
  g_assert_nonnull (*lyon);
  return proc;
}

static void
stop_sim (GSubprocess *proc)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* HTTPS with a generated certificate.  The server is the executable: TLS
 * handshakes then happen outside this process's thread pool. */
static void
test_https (void)
{
  const char *args[] = { "--https", "--enable-control", "--quiet", NULL };
  Fixture     fx = { 0 };
  Fixture    *f = &fx;
  g_autoptr(GSubprocess) proc = spawn_sim (args, &f->lyon);
  g_autofree char *s = NULL;
  g_autofree char *old = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(JsonObject) changed = NULL;

  if (proc == NULL)
    {
      g_test_skip ("FERRY_SIM is not set");
      return;
    }
  f->https = TRUE;
  f->session = new_session ();
  g_assert_true (g_str_has_prefix (f->lyon, "https://127.0.1.1:"));
  /* trust on first use: note what the server shows, then it must match */
  f->fingerprint = NULL;
  stats = control (f, f->lyon, "{\"command\":\"stats\"}");
  g_assert_nonnull (f->seen);
  g_assert_cmpstr (json_object_get_string_member (stats, "certificate"), ==, f->seen);
  g_assert_cmpuint (strlen (f->seen), ==, 32 * 3 - 1);
  f->fingerprint = g_strdup (f->seen);
  s = login (f, f->lyon);
  /* a supporter redirects, and tells the master's fingerprint when asked */
  {
    g_autofree char *supporter = NULL;
    g_autofree char *thumbprint = NULL;
    g_autoptr(Reply) r = NULL;
    g_autofree char *e = NULL;
    const char      *port = strrchr (f->lyon, ':');

    supporter = g_strdup_printf ("https://127.0.1.2%s", port);
    r = post_full (f, f->session, supporter, "/jsonrpc",
                   "{\"jsonrpc\":\"2.0\",\"method\":\"session.login_with_password\","
                   "\"params\":[\"root\",\"ferry\"],\"id\":\"req-7\"}",
                   "x-xenapi-request-host-certificate-thumbprint", "sha-256:master", &thumbprint);
    e = error_of (r);
    g_assert_cmpstr (e, ==, "HOST_IS_SLAVE 127.0.1.1");
    g_assert_cmpstr (thumbprint, ==, f->fingerprint);
  }
  g_assert_true (g_str_has_prefix (s, "OpaqueRef:"));
  old = g_strdup (f->fingerprint);
  changed = control (f, f->lyon, "{\"command\":\"change_certificate\"}");
  g_assert_cmpstr (json_object_get_string_member (changed, "fingerprint"), !=, old);
  /* a new connection sees the new certificate: the old pin refuses it */
  {
    g_autoptr(SoupSession) fresh = new_session ();
    g_autoptr(Reply) refused = post (f, fresh, f->lyon, "/jsonrpc",
                                     "{\"jsonrpc\":\"2.0\",\"method\":\"VM.get_all\",\"params\":[\"x\"],\"id\":1}");
    g_autoptr(SoupSession) fresh2 = new_session ();
    g_autoptr(Reply) accepted = NULL;

    g_assert_cmpuint (refused->status, ==, 0);
    g_free (f->fingerprint);
    f->fingerprint = g_strdup (json_object_get_string_member (changed, "fingerprint"));
    accepted = post (f, fresh2, f->lyon, "/jsonrpc",
                     "{\"jsonrpc\":\"2.0\",\"method\":\"VM.get_all\",\"params\":[\"x\"],\"id\":1}");
    g_assert_cmpuint (accepted->status, ==, 200);
  }
  g_clear_object (&f->session);
  stop_sim (proc);
  g_free (f->lyon);
  g_free (f->fingerprint);
  g_free (f->seen);
}

static void
test_large (Fixture *f, gconstpointer data)
{
  g_autofree char *s = login (f, f->lyon);
  g_autofree char *p = g_strdup_printf ("[\"%s\"]", s);
  gint64           start = g_get_monotonic_time ();
  g_autoptr(JsonNode) vms = call_ok (f, f->lyon, "VM.get_all_records", p);
  g_autoptr(JsonNode) vbds = call_ok (f, f->lyon, "VBD.get_all_records", p);
  g_autoptr(JsonNode) vifs = call_ok (f, f->lyon, "VIF.get_all_records", p);

  /* 500 VMs + 2 templates + 8 control domains; 2-3 disks and 2 VIFs each */
  g_assert_cmpuint (json_object_get_size (json_node_get_object (vms)), ==, 510);
  g_assert_cmpuint (json_object_get_size (json_node_get_object (vbds)), ==, 1250);
  g_assert_cmpuint (json_object_get_size (json_node_get_object (vifs)), ==, 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
}

static void
test_scenario_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "sim", "scenario-example.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsimServer) sim = fsim_server_new (path, &error);
  g_autoptr(FsimServer) broken = fsim_server_new ("/nonexistent/scenario.json", NULL);
  g_autoptr(FsimServer) bad_large = fsim_server_new ("large:1:0:3", NULL);

  g_assert_no_error (error);
  g_assert_cmpuint (fsim_server_get_n_pools (sim), ==, 1);
  g_assert_cmpstr (fsim_server_get_pool_name (sim, 0), ==, "Berlin");
  g_assert_cmpstr (fsim_server_get_username (sim, 0), ==, "admin");
  g_assert_cmpstr (fsim_server_get_password (sim, 0), ==, "s3cret");
  g_assert_cmpuint (fsim_server_get_n_hosts (sim, 0), ==, 2);
  g_assert_null (broken);
  g_assert_null (bad_large);
}

/* The executable: start-up lines, a login, and a clean exit on SIGTERM. */
static void
test_executable (void)
{
  const char *exe = g_getenv ("FERRY_SIM");
  const char *argv[] = { exe, "--scenario", "demo", "--quiet", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *lyon = NULL;
  char            *line;
  guint            pools = 0;
  gboolean         ready = FALSE;

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("FERRY_SIM is not set");
      return;
    }
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  while (!ready && (line = g_data_input_stream_read_line (in, NULL, NULL, &error)) != NULL)
    {
      if (g_str_has_prefix (line, "pool "))
        {
          g_auto(GStrv) parts = g_strsplit (line, " ", 3);

          g_assert_cmpuint (g_strv_length (parts), ==, 3);
          if (pools++ == 0)
            {
              g_assert_cmpstr (parts[1], ==, "Lyon");
              lyon = g_strdup (parts[2]);
            }
        }
      else
        {
          g_assert_cmpstr (line, ==, "ready");
          ready = TRUE;
        }
      g_free (line);
    }
  g_assert_true (ready);
  g_assert_cmpuint (pools, ==, 2);
  {
    Fixture f = { 0 };
    g_autoptr(Reply) r = NULL;

    f.session = session;
    r = post (&f, session, lyon, "/jsonrpc",
              "{\"jsonrpc\":\"2.0\",\"method\":\"session.login_with_password\",\"params\":[\"root\",\"ferry\"],\"id\":\"req-7\"}");
    g_assert_true (g_str_has_prefix (json_node_get_string (result_of (r)), "OpaqueRef:"));
    /* no control endpoint without --enable-control */
    {
      g_autoptr(Reply) c = post (&f, session, lyon, "/sim/control", "{\"command\":\"stats\"}");

      g_assert_cmpuint (c->status, ==, 404);
    }
  }
  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, params, fn) \
  g_test_add (path, Fixture, params, fixture_setup, fn, fixture_teardown)

  ADD ("/sim/login", &demo, test_login);
  ADD ("/sim/errors", &demo, test_errors);
  ADD ("/sim/http-500", &demo, test_http_500);
  ADD ("/sim/host-is-slave", &demo, test_host_is_slave);
  ADD ("/sim/records", &demo, test_records);
  ADD ("/sim/event-from", &demo, test_event_from);
  ADD ("/sim/event-from-blocking", &demo, test_event_blocking);
  ADD ("/sim/event-inject-token", &demo, test_event_inject_token);
  ADD ("/sim/pool-migrate", &demo, test_pool_migrate);
  ADD ("/sim/migrate-send/intra-pool", &demo, test_migrate_send_intra);
  ADD ("/sim/migrate-send/cross-pool", &demo, test_migrate_send_cross);
  ADD ("/sim/migrate-send/limit-and-cancel", &demo, test_too_many_and_cancel);
  ADD ("/sim/migrate-send/halted-and-suspended", &demo, test_halted_and_suspended);
  ADD ("/sim/control/faults", &demo, test_control_faults);
  ADD ("/sim/control/pool", &demo, test_control_pool);
  ADD ("/sim/control/stuck-events", &demo, test_control_stuck_events);
  ADD ("/sim/control/task-truth", &demo, test_control_task_truth);
  ADD ("/sim/large", &large, test_large);
  g_test_add_func ("/sim/control/c-api", test_control_api);
  g_test_add_func ("/sim/scenario-file", test_scenario_file);
  g_test_add_func ("/sim/executable", test_executable);
  g_test_add_func ("/sim/https", test_https);
  ret = g_test_run ();
  /* TLS client work left GnuTLS thread-local state in idle worker threads;
   * end them before exit (LeakSanitizer trips over it otherwise) */
  g_usleep (1200 * 1000);
  g_thread_pool_set_max_unused_threads (0);
  g_thread_pool_stop_unused_threads ();
  g_usleep (100 * 1000);
  return ret;
}
