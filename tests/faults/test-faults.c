/* test-faults.c: end-to-end fault scenarios against ferry-sim's fault injection
 *
 * Each scenario injects a fault while a migration runs and checks two
 * things: what the user would see (the pool's or the job's "error"
 * sentence, which must read as a sentence, not as a reference or JSON), and
 * that no migration is lost or duplicated (one job per migration in the
 * manager's jobs model, ending in the right state, and one migration call
 * in the simulator's call log).  Single faults of one layer are tested in
 * tests/xapi and tests/engine; these are the whole stack at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "engine-fixture.h"
#include "ferry-engine-private.h"

typedef struct
{
  EngineSim    *sim;
  FerryManager *manager;
  FerryPool    *lyon;
  GArray       *states; /* FerryPoolState, each change of Lyon's state */
  GPtrArray    *errors; /* Lyon's "error" sentence at each change */
  gulong        state_id;
} Fixture;

static void
on_pool_state (FerryPool  *pool,
               GParamSpec *pspec,
               Fixture    *f)
{
  FerryPoolState state = ferry_pool_get_state (pool);

  g_array_append_val (f->states, state);
  if (ferry_pool_get_error (pool) != NULL)
    g_ptr_array_add (f->errors, g_strdup (ferry_pool_get_error (pool)));
  g_test_message ("pool state %d%s%s", state,
                  ferry_pool_get_error (pool) != NULL ? ": " : "",
                  ferry_pool_get_error (pool) != NULL ? ferry_pool_get_error (pool) : "");
}

static void
setup (Fixture      *f,
       gconstpointer data)
{
  f->sim = engine_sim_start (data);
  f->manager = ferry_manager_new (NULL);
  f->states = g_array_new (FALSE, FALSE, sizeof (FerryPoolState));
  f->errors = g_ptr_array_new_with_free_func (g_free);
  f->lyon = engine_connect (f->manager, f->sim, "Lyon");
  f->state_id = g_signal_connect (f->lyon, "notify::state", G_CALLBACK (on_pool_state), f);
}

static void
teardown (Fixture      *f,
          gconstpointer data)
{
  if (f->lyon != NULL)
    g_clear_signal_handler (&f->state_id, f->lyon);
  g_clear_object (&f->manager);
  engine_spin (100);
  engine_sim_stop (f->sim);
  g_array_unref (f->states);
  g_ptr_array_unref (f->errors);
}

/* ---- helpers ---------------------------------------------------------------- */

static guint
count_calls (EngineSim  *sim,
             const char *pool,
             const char *method)
{
  g_autoptr(JsonArray) calls = engine_sim_calls (sim, pool, method, FALSE);
  guint n = 0;

  /* The prefix "VM.pool_migrate" must not count "VM.pool_migrate_x"; exact
   * names only. */
  for (guint i = 0; i < json_array_get_length (calls); i++)
    if (g_str_equal (engine_json_string (json_array_get_object_element (calls, i), "method"), method))
      n++;
  return n;
}

/* Exactly one migration was sent, of the kind the job planned. */
static void
assert_one_migration_call (Fixture *f)
{
  guint pool_migrate = count_calls (f->sim, "Lyon", "Async.VM.pool_migrate") +
                       count_calls (f->sim, "Lyon", "VM.pool_migrate");
  guint migrate_send = count_calls (f->sim, "Lyon", "Async.VM.migrate_send") +
                       count_calls (f->sim, "Lyon", "VM.migrate_send");

  g_test_message ("pool_migrate %u, migrate_send %u", pool_migrate, migrate_send);
  if (pool_migrate + migrate_send != 1)
    {
      g_autoptr(JsonArray) calls = engine_sim_calls (f->sim, "Lyon", NULL, FALSE);

      for (guint i = 0; i < json_array_get_length (calls); i++)
        {
          JsonObject *call = json_array_get_object_element (calls, i);
          g_autoptr(JsonNode) params = json_node_ref (json_object_get_member (call, "params"));
          g_autofree char *text = json_to_string (params, FALSE);

          g_test_message ("call %s %s", engine_json_string (call, "method"), text);
        }
    }
  g_assert_cmpuint (pool_migrate + migrate_send, ==, 1);
}

/* The jobs model holds @job and nothing else. */
static void
assert_one_job (Fixture  *f,
                FerryJob *job)
{
  GListModel *jobs = ferry_manager_get_jobs (f->manager);
  g_autoptr(FerryJob) first = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
  first = g_list_model_get_item (jobs, 0);
  g_assert_true (first == job);
}

/* What a user reads must be a sentence: no XAPI references, no JSON, no
 * bare error code. */
static void
assert_plain_sentence (const char *text)
{
  g_assert_nonnull (text);
  g_test_message ("user sees: %s", text);
  g_assert_cmpuint (strlen (text), >, 10);
  g_assert_null (strstr (text, "OpaqueRef"));
  g_assert_null (strchr (text, '{'));
  g_assert_null (strstr (text, "[\""));
  g_assert_null (strstr (text, "\"code\""));
  g_assert_true (g_unichar_isupper (g_utf8_get_char (text)));
}

static gboolean
saw_state (Fixture       *f,
           FerryPoolState state)
{
  for (guint i = 0; i < f->states->len; i++)
    if (g_array_index (f->states, FerryPoolState, i) == state)
      return TRUE;
  return FALSE;
}

static gboolean
pool_ready (gpointer data)
{
  return ferry_pool_get_state (data) == FERRY_POOL_STATE_READY;
}

static gboolean
pool_failed (gpointer data)
{
  return ferry_pool_get_state (data) == FERRY_POOL_STATE_FAILED;
}

/* Any host of the pool other than the VM's. */
static FerryHost *
other_host (FerryPool *pool,
            FerryVm   *vm)
{
  FerryHost  *here = ferry_vm_get_resident_on (vm);
  GListModel *hosts = ferry_pool_get_hosts (pool);

  for (guint i = 0; i < g_list_model_get_n_items (hosts); i++)
    {
      g_autoptr(FerryHost) host = g_list_model_get_item (hosts, i);

      if (host != here)
        return host; /* the pool keeps it */
    }
  g_assert_not_reached ();
  return NULL;
}

/* The job is RUNNING and its task exists on the server: the migration
 * runs (RUNNING alone may be set before the call has been answered). */
static gboolean
has_task (gpointer data)
{
  return ferry_job_get_state (data) == FERRY_JOB_STATE_RUNNING && ferry_job_get_task_ref (data) != NULL;
}

/* A plain migration of web-01 (shared storage), started and RUNNING. */
static FerryJob *
start_plain (Fixture *f)
{
  FerryVm  *vm = engine_vm (f->lyon, "web-01");
  FerryJob *job;

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, other_host (f->lyon, vm), NULL);
  g_assert_true (engine_wait_until (has_task, job, 60));
  return job;
}

/* A storage migration of db-01 (local disks) to lyon-2, confirmed and
 * RUNNING. */
static FerryJob *
start_storage (Fixture *f)
{
  FerryVm  *vm = engine_vm (f->lyon, "db-01");
  FerryJob *job;

  job = ferry_manager_migrate (f->manager, vm, engine_host (f->lyon, "lyon-2"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  ferry_job_confirm (job, NULL);
  g_assert_true (engine_wait_until (has_task, job, 60));
  return job;
}

static void
control (Fixture    *f,
         const char *json)
{
  json_object_unref (engine_sim_control (f->sim, json));
}

static void
assert_succeeded_once (Fixture  *f,
                       FerryJob *job)
{
  g_assert_cmpint (engine_wait_job (job, 180), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_null (ferry_job_get_error (job));
  assert_one_job (f, job);
  assert_one_migration_call (f);
  g_assert_true (engine_wait_until (pool_ready, f->lyon, 60));
  g_assert_null (ferry_pool_get_error (f->lyon));
  /* What the pool said while it recovered was readable too. */
  for (guint i = 0; i < f->errors->len; i++)
    assert_plain_sentence (g_ptr_array_index (f->errors, i));
}

/* ---- 1. connection dropped mid-event.from, storage migration -------------- */

static void
test_drop_event_from (Fixture      *f,
                      gconstpointer data)
{
  FerryJob *job = start_storage (f);

  control (f, "{\"command\": \"drop_connections\", \"pool\": \"Lyon\", \"count\": 1,"
              " \"method\": \"event.from\"}");
  assert_succeeded_once (f, job);
  g_assert_cmpint (ferry_job_get_kind (job), ==, FERRY_MIGRATION_STORAGE);
  /* The drop was real: the event stream was asked again. */
  g_assert_cmpuint (count_calls (f->sim, "Lyon", "event.from"), >=, 2);
}

/* ---- 2. several consecutive requests dropped mid-migration -------------- */

static void
test_drop_many (Fixture      *f,
                gconstpointer data)
{
  FerryJob *job = start_plain (f);

  control (f, "{\"command\": \"drop_connections\", \"pool\": \"Lyon\", \"count\": 5}");
  assert_succeeded_once (f, job);
  g_assert_true (saw_state (f, FERRY_POOL_STATE_RECONNECTING));
  g_assert_cmpint (g_array_index (f->states, FerryPoolState, f->states->len - 1), ==,
                   FERRY_POOL_STATE_READY);
  g_assert_false (saw_state (f, FERRY_POOL_STATE_FAILED));
}

/* ---- 3. session expired mid-migration ------------------------------------ */

static void
test_session_expired (Fixture      *f,
                      gconstpointer data)
{
  FerryJob *job = start_storage (f);

  control (f, "{\"command\": \"expire_sessions\", \"pool\": \"Lyon\"}");
  assert_succeeded_once (f, job);
  /* It logged in again. */
  g_assert_cmpuint (count_calls (f->sim, "Lyon", "session.login_with_password"), >=, 1);
}

/* ---- 4. master changed while a migration runs ---------------------------- */

static void
test_master_changed (Fixture      *f,
                     gconstpointer data)
{
  FerryJob *job = start_plain (f);

  g_assert_nonnull (strstr (ferry_pool_get_master_url (f->lyon), "127.0.1.1"));
  control (f, "{\"command\": \"set_master\", \"pool\": \"Lyon\", \"host\": \"lyon-2\"}");
  assert_succeeded_once (f, job);
  g_test_message ("master now %s", ferry_pool_get_master_url (f->lyon));
  g_assert_nonnull (strstr (ferry_pool_get_master_url (f->lyon), "127.0.1.2"));
  /* The user's URL stays what they typed. */
  g_assert_nonnull (strstr (ferry_pool_get_url (f->lyon), "127.0.1.1"));
}

/* ---- 4b. a redirect that lands on another pool ------------------------------ */

/* Lyon's master starts sending clients to Paris's master, as a host that
 * left its pool and joined another would (or as anyone who forges its plain
 * HTTP answers could).  Paris's master is no host of Lyon: over plain HTTP
 * Ferry does not send the password there.  Lyon fails with a sentence that
 * names the address, keeps its own objects (nothing of Paris mixes in), Paris
 * never sees a login, and the running migration is neither lost, nor sent
 * twice, nor reported as finished: its outcome is unknown. */
static void
test_redirect_wrong_pool (Fixture      *f,
                          gconstpointer data)
{
  FerryJob        *job = start_plain (f);
  const char      *uuid = ferry_pool_get_uuid (f->lyon);
  g_autofree char *lyon_uuid = g_strdup (uuid);

  control (f, "{\"command\": \"redirect\", \"pool\": \"Lyon\", \"host\": \"lyon-1\","
              " \"to_pool\": \"Paris\"}");
  g_assert_true (engine_wait_until (pool_failed, f->lyon, 120));
  assert_plain_sentence (ferry_pool_get_error (f->lyon));
  g_assert_nonnull (strstr (ferry_pool_get_error (f->lyon), "127.0.2.1"));
  g_assert_nonnull (strstr (ferry_pool_get_error (f->lyon), "not a known host of this pool"));
  g_assert_cmpuint (count_calls (f->sim, "Paris", "session.login_with_password"), ==, 0);

  g_assert_cmpstr (ferry_pool_get_name (f->lyon), ==, "Lyon");
  g_assert_cmpstr (ferry_pool_get_uuid (f->lyon), ==, lyon_uuid);
  g_assert_nonnull (ferry_pool_find_vm (f->lyon, "web-01"));
  g_assert_null (ferry_pool_find_vm (f->lyon, "app-paris-01"));
  g_assert_null (ferry_pool_find_host (f->lyon, "paris-1"));

  /* Not finished either way: the outcome is unknown, and said to be. */
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_UNKNOWN);
  g_assert_false (ferry_job_is_finished (job));
  g_assert_nonnull (strstr (ferry_job_get_error (job), "Lost contact with Lyon"));
  assert_one_job (f, job);
  assert_one_migration_call (f);
  g_assert_cmpuint (count_calls (f->sim, "Paris", "Async.VM.pool_migrate") +
                      count_calls (f->sim, "Paris", "VM.pool_migrate"),
                    ==, 0);
}

/* ---- 5. the server hangs ------------------------------------------------- */

typedef struct
{
  gint64 last;
  gint64 max_gap;
} Ticker;

/* A main loop that waited on the held call would stand still for at least
 * the connection's timeout (3 s) or the hold (20-25 s).  What stays below
 * this bound is the machine's own scheduling (a busy machine, a sanitizer
 * build), which is not what these tests are about: they must not fail
 * because the machine is slow. */
#define MAX_GAP_US (1500 * 1000)

static gboolean
on_ticker (gpointer data)
{
  Ticker *t = data;
  gint64  now = g_get_monotonic_time ();

  if (t->last != 0)
    t->max_gap = MAX (t->max_gap, now - t->last);
  t->last = now;
  return G_SOURCE_CONTINUE;
}

/* event.from answers 25 s late while a migration runs: the main loop keeps
 * running, the job stays RUNNING (it is, on the server) and then ends once,
 * SUCCEEDED. */
static void
test_event_from_hangs (Fixture      *f,
                       gconstpointer data)
{
  Ticker    t = { 0 };
  FerryJob *job = start_plain (f);
  guint     id;
  gint64    start;

  control (f, "{\"command\": \"delay\", \"pool\": \"Lyon\", \"seconds\": 25, \"count\": 1,"
              " \"method\": \"event.from\"}");
  id = g_timeout_add (10, on_ticker, &t);
  start = g_get_monotonic_time ();
  while (g_get_monotonic_time () - start < 8 * G_USEC_PER_SEC)
    {
      engine_spin (500);
      g_assert_true (ferry_job_get_state (job) == FERRY_JOB_STATE_RUNNING ||
                     ferry_job_get_state (job) == FERRY_JOB_STATE_SUCCEEDED);
    }
  g_source_remove (id);
  g_test_message ("longest main-loop gap while event.from hung: %" G_GINT64_FORMAT " ms",
                  t.max_gap / 1000);
  g_assert_cmpint (t.max_gap, <, MAX_GAP_US);

  assert_succeeded_once (f, job);
}

static gboolean
late_call_arrived (gpointer data)
{
  Fixture *f = data;

  return count_calls (f->sim, "Lyon", "Async.VM.pool_migrate") >= 2;
}

/* Async.VM.pool_migrate is held 20 s by the server while the connection's
 * timeout is 3 s.  What happens: the request times out, the engine finds no
 * task for it on the server, decides it was lost and sends it once more;
 * that one runs and the job SUCCEEDS with no error.  The held request
 * reaches the server later, when the VM is already on the target, and moves
 * nothing: the VM stays where the one job put it.  The main loop never
 * stalls meanwhile. */
static void
test_migrate_call_hangs (Fixture      *f,
                         gconstpointer data)
{
  Ticker     t = { 0 };
  FerryVm   *vm = engine_vm (f->lyon, "web-01");
  FerryHost *target = other_host (f->lyon, vm);
  FerryJob  *job;
  guint      id;

  xapi_connection_set_timeout (ferry_pool_get_connection (f->lyon), 3);
  control (f, "{\"command\": \"delay\", \"pool\": \"Lyon\", \"seconds\": 20, \"count\": 1,"
              " \"method\": \"Async.VM.pool_migrate\"}");
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  id = g_timeout_add (10, on_ticker, &t);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_null (ferry_job_get_error (job));
  g_assert_true (ferry_vm_get_resident_on (vm) == target);

  /* The held request arrives (about 20 s after the first send) ... */
  g_assert_true (engine_wait_until (late_call_arrived, f, 90));
  engine_spin (5000);
  g_source_remove (id);
  g_test_message ("longest main-loop gap: %" G_GINT64_FORMAT " ms", t.max_gap / 1000);
  g_assert_cmpint (t.max_gap, <, MAX_GAP_US);

  /* ... and changes nothing: one job, still SUCCEEDED, the VM on target. */
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (ferry_vm_get_resident_on (vm) == target);
  assert_one_job (f, job);
  g_assert_cmpuint (count_calls (f->sim, "Lyon", "Async.VM.pool_migrate"), ==, 2);
  g_assert_true (engine_wait_until (pool_ready, f->lyon, 60));
}

/* ---- 6. HTTP 500, malformed JSON, truncated bodies on event.from -------- */

static void
test_malformed_event_from (Fixture      *f,
                           gconstpointer data)
{
  const char *kinds[] = { "html500", "not_json", "truncated" };
  FerryJob   *job = start_storage (f);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *command = g_strdup_printf ("{\"command\": \"malformed\", \"pool\": \"Lyon\","
                                                  " \"kind\": \"%s\", \"count\": 1,"
                                                  " \"method\": \"event.from\"}",
                                                  kinds[i]);
      control (f, command);
      engine_spin (1500);
      g_assert_false (ferry_job_is_finished (job) && ferry_job_get_state (job) != FERRY_JOB_STATE_SUCCEEDED);
    }
  assert_succeeded_once (f, job);
  g_assert_false (saw_state (f, FERRY_POOL_STATE_FAILED));
}

/* ---- 7. a certificate that changes --------------------------------------- */

/* The test's own control channel to an HTTPS simulator.  The fixture's
 * session trusts nothing but the system's authorities; this one is only for
 * /sim/control and accepts the simulator's (changing) self-signed
 * certificate, which the engine under test must NOT do. */
static gboolean
on_accept_certificate (SoupMessage         *msg,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       gpointer             user_data)
{
  return TRUE;
}

static JsonObject *
https_control (SoupSession *session,
               const char  *url,
               const char  *json)
{
  g_autofree char *control_url = g_strconcat (url, "/sim/control", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", control_url);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), (gssize) g_bytes_get_size (reply), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static guint
https_count_calls (SoupSession *session,
                   const char  *url)
{
  g_autoptr(JsonObject) reply = https_control (session, url, "{\"command\": \"calls\", \"pool\": \"Lyon\"}");

  return json_array_get_length (json_object_get_array_member (reply, "calls"));
}

static void
test_certificate_changed (gconstpointer data)
{
  static const char * const https[] = { "--https", NULL };
  EngineSim                *sim = engine_sim_start (https);
  FerryManager             *manager = ferry_manager_new (NULL);
  const char               *url = engine_sim_url (sim, "Lyon");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) changed = NULL;
  g_autoptr(JsonObject) dropped = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *lower = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  FerryPool *pool;
  guint      n_calls;

  g_assert_true (g_str_has_prefix (url, "https://"));
  pool = engine_try_connect (manager, url, NULL, &error);
  g_assert_null (pool);
  fingerprint = g_strdup (ferry_error_get_fingerprint (error));
  g_assert_nonnull (fingerprint);
  g_clear_error (&error);

  pool = engine_try_connect (manager, url, fingerprint, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ferry_pool_get_state (pool), ==, FERRY_POOL_STATE_READY);

  changed = https_control (session, url, "{\"command\": \"change_certificate\"}");
  g_assert_cmpstr (engine_json_string (changed, "fingerprint"), !=, fingerprint);
  dropped = https_control (session, url, "{\"command\": \"drop_connections\", \"pool\": \"Lyon\", \"count\": 1}");

  g_assert_true (engine_wait_until (pool_failed, pool, 120));
  assert_plain_sentence (ferry_pool_get_error (pool));
  lower = g_utf8_strdown (ferry_pool_get_error (pool), -1);
  g_assert_nonnull (strstr (lower, "certificate"));
  g_assert_nonnull (strstr (lower, "changed"));

  /* Nothing more is sent to a server that no longer proves who it is: not
   * even a login (the sim counts only requests it could read, i.e. that
   * passed the TLS handshake the engine refuses; so the count must not
   * move). */
  n_calls = https_count_calls (session, url);
  engine_spin (10000);
  g_assert_cmpuint (https_count_calls (session, url), ==, n_calls);
  g_assert_cmpint (ferry_pool_get_state (pool), ==, FERRY_POOL_STATE_FAILED);

  g_object_unref (pool);
  g_object_unref (manager);
  engine_spin (100);
  engine_sim_stop (sim);
}

/* A supporter's address now belongs to another pool.  Adding it over plain
 * HTTP, Ferry knows no host of the pool yet: it does not send the password
 * to the master the supporter names, but says where that is.  Once the user
 * agrees, it follows HOST_IS_SLAVE to that pool's master, whose pool does not
 * list the address the user gave, so Ferry refuses to connect instead of
 * showing the wrong pool. */
static void
test_redirect_supporter (gconstpointer data)
{
  static const char * const args[] = { NULL };
  EngineSim                *sim = engine_sim_start (args);
  g_autoptr(FerryManager) manager = ferry_manager_new (NULL);
  g_autoptr(GString) url = g_string_new (engine_sim_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  FerryPool       *pool;

  json_object_unref (engine_sim_control (sim, "{\"command\": \"redirect\", \"pool\": \"Lyon\","
                                              " \"host\": \"lyon-2\", \"to_pool\": \"Paris\"}"));
  g_assert_cmpuint (g_string_replace (url, "127.0.1.1", "127.0.1.2", 1), ==, 1);

  pool = engine_try_connect (manager, url->str, NULL, &error);
  g_assert_null (pool);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_REDIRECT_REFUSED);
  g_assert_cmpstr (ferry_error_get_address (error), ==, "127.0.2.1");
  message = ferry_error_to_message (error);
  assert_plain_sentence (message);
  g_assert_nonnull (strstr (message, "127.0.2.1"));
  g_assert_cmpuint (count_calls (sim, "Paris", "session.login_with_password"), ==, 0);
  g_clear_pointer (&message, g_free);
  g_clear_error (&error);

  ferry_manager_trust_redirect (manager, url->str, "127.0.2.1");
  pool = engine_try_connect (manager, url->str, NULL, &error);
  g_assert_null (pool);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_WRONG_POOL);
  message = ferry_error_to_message (error);
  assert_plain_sentence (message);
  g_assert_nonnull (strstr (message, "another pool"));
  g_assert_cmpuint (count_calls (sim, "Paris", "session.login_with_password"), >=, 1);

  g_clear_object (&manager);
  engine_spin (100);
  engine_sim_stop (sim);
}

/* ---- 7b. a redirect to an address outside the pool ---------------------- */

/* What listens at an address outside the simulator: it counts the HTTP
 * requests it gets and the logins among them, and answers 503. */
typedef struct
{
  SoupServer *server;
  guint       requests;
  guint       logins;
  char       *dir;
} Listener;

static void
on_listener_request (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           data)
{
  Listener        *l = data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  l->requests++;
  if (body->data != NULL && g_strstr_len (body->data, body->length, "session.login_with_password") != NULL)
    l->logins++;
  soup_server_message_set_status (msg, 503, NULL);
}

static guint
url_port (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return (guint) g_uri_get_port (uri);
}

/* Listens on @address at the simulator's port (HOST_IS_SLAVE keeps the
 * port); with @https, with a self-signed certificate of its own, which
 * nobody trusts or pinned. */
static Listener *
listener_start (const char *address,
                guint       port,
                gboolean    https)
{
  Listener *l = g_new0 (Listener, 1);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) where = g_inet_socket_address_new (inet, (guint16) port);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  if (https)
    {
      g_autofree char *cert = NULL;
      g_autofree char *key = NULL;
      const char      *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                  "-subj", "/CN=outsider", "-keyout", NULL, "-out", NULL, NULL };
      int              status = 0;

      l->dir = g_dir_make_tmp ("ferry-outsider-XXXXXX", &error);
      g_assert_no_error (error);
      key = g_build_filename (l->dir, "key.pem", NULL);
      cert = g_build_filename (l->dir, "cert.pem", NULL);
      argv[11] = key;
      argv[13] = cert;
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      certificate = g_tls_certificate_new_from_files (cert, key, &error);
      g_assert_no_error (error);
    }

  l->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (l->server, NULL, on_listener_request, l, NULL);
  soup_server_listen (l->server, where, https ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
  g_assert_no_error (error);
  return l;
}

static void
listener_free (Listener *l)
{
  soup_server_disconnect (l->server);
  g_object_unref (l->server);
  if (l->dir != NULL)
    {
      g_autofree char *key = g_build_filename (l->dir, "key.pem", NULL);
      g_autofree char *cert = g_build_filename (l->dir, "cert.pem", NULL);

      g_unlink (key);
      g_unlink (cert);
      g_rmdir (l->dir);
      g_free (l->dir);
    }
  g_free (l);
}

/* Lyon's master, over plain HTTP, starts naming an address where nothing of
 * the pool lives.  Ferry sends nothing there (no request at all reaches the
 * listener), and Lyon fails with a sentence naming the address.  If the
 * user then agrees to that address, the login does go there: the listener
 * can see one, so its silence before means something. */
static void
test_redirect_outside_http (Fixture      *f,
                            gconstpointer data)
{
  Listener *outsider = listener_start ("127.0.9.1", url_port (engine_sim_url (f->sim, "Lyon")), FALSE);
  g_autoptr(FerryPool) again = NULL;
  g_autoptr(GError) error = NULL;

  control (f, "{\"command\": \"redirect\", \"pool\": \"Lyon\", \"host\": \"lyon-1\","
              " \"to_address\": \"127.0.9.1\"}");
  control (f, "{\"command\": \"expire_sessions\", \"pool\": \"Lyon\"}");
  g_assert_true (engine_wait_until (pool_failed, f->lyon, 120));
  assert_plain_sentence (ferry_pool_get_error (f->lyon));
  g_assert_nonnull (strstr (ferry_pool_get_error (f->lyon), "127.0.9.1"));
  g_assert_cmpuint (outsider->requests, ==, 0);
  g_assert_nonnull (ferry_pool_find_vm (f->lyon, "web-01"));

  ferry_manager_trust_redirect (f->manager, engine_sim_url (f->sim, "Lyon"), "127.0.9.1");
  again = engine_try_connect (f->manager, engine_sim_url (f->sim, "Lyon"), NULL, &error);
  g_assert_null (again);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_HTTP);
  g_assert_cmpuint (outsider->logins, >=, 1);

  listener_free (outsider);
}

static gboolean
pool_not_ready (gpointer data)
{
  return ferry_pool_get_state (data) != FERRY_POOL_STATE_READY;
}

/* Over HTTPS the certificate decides: Lyon's master (whose certificate the
 * user pinned) names an address whose certificate nobody trusted and
 * nobody announced.  The TLS handshake is refused, so not one request, let
 * alone the password, reaches it. */
static void
test_redirect_outside_https (gconstpointer data)
{
  static const char * const https[] = { "--https", NULL };
  EngineSim                *sim = engine_sim_start (https);
  FerryManager             *manager = ferry_manager_new (NULL);
  const char               *url = engine_sim_url (sim, "Lyon");
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *lower = NULL;
  Listener        *outsider;
  FerryPool       *pool;

  pool = engine_try_connect (manager, url, NULL, &error);
  g_assert_null (pool);
  fingerprint = g_strdup (ferry_error_get_fingerprint (error));
  g_assert_nonnull (fingerprint);
  g_clear_error (&error);
  pool = engine_try_connect (manager, url, fingerprint, &error);
  g_assert_no_error (error);

  outsider = listener_start ("127.0.9.1", url_port (url), TRUE);
  reply = https_control (session, url, "{\"command\": \"redirect\", \"pool\": \"Lyon\", \"host\": \"lyon-1\","
                                       " \"to_address\": \"127.0.9.1\"}");
  g_clear_pointer (&reply, json_object_unref);
  reply = https_control (session, url, "{\"command\": \"expire_sessions\", \"pool\": \"Lyon\"}");

  g_assert_true (engine_wait_until (pool_not_ready, pool, 60));
  g_assert_true (engine_wait_until (pool_failed, pool, 120));
  assert_plain_sentence (ferry_pool_get_error (pool));
  lower = g_utf8_strdown (ferry_pool_get_error (pool), -1);
  g_assert_nonnull (strstr (lower, "certificate"));
  g_assert_cmpuint (outsider->requests, ==, 0);

  g_object_unref (pool);
  g_object_unref (manager);
  engine_spin (100);
  listener_free (outsider);
  engine_sim_stop (sim);
}

/* ---- 8. TOO_MANY_STORAGE_MIGRATES storm ---------------------------------- */

#define STORM 8

static char *
storm_scenario (void)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_append (json, "{\"pools\": [{\"name\": \"Storm\","
                         " \"hosts\": [{\"name\": \"s-1\", \"memory_gib\": 256}, {\"name\": \"s-2\", \"memory_gib\": 256}],"
                         " \"srs\": [{\"name\": \"Local s-1\", \"type\": \"lvm\", \"host\": \"s-1\", \"size_gib\": 900},"
                         "           {\"name\": \"Local s-2\", \"type\": \"lvm\", \"host\": \"s-2\", \"size_gib\": 900}],"
                         " \"vms\": [");
  for (guint i = 1; i <= STORM; i++)
    g_string_append_printf (json, "%s{\"name\": \"vm-%02u\", \"host\": \"s-1\", \"memory_mib\": 256, \"vcpus\": 1,"
                                  " \"disks\": [{\"sr\": \"Local s-1\", \"size_gib\": 4, \"used_mib\": 2048}]}",
                            i > 1 ? ", " : "", i);
  g_string_append (json, "]}]}");
  return g_string_free (g_steal_pointer (&json), FALSE);
}

/* Migration tasks the pool reports as pending, from the pool's own task
 * records (what runs on the server, not what the engine believes). */
static guint
pending_on_server (FerryPool *pool)
{
  GHashTable    *tasks = xapi_cache_get_table (ferry_pool_get_cache (pool), XAPI_CLASS_TASK);
  GHashTableIter iter;
  gpointer       value;
  guint          n = 0;

  if (tasks == NULL)
    return 0;
  g_hash_table_iter_init (&iter, tasks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const XapiTask *record = value;

      if (record->status == XAPI_TASK_STATUS_PENDING)
        n++;
    }
  return n;
}

typedef struct
{
  GPtrArray *jobs;
  FerryPool *pool;
  guint      max_pending;
  gboolean   saw_tasks;
} Storm;

static gboolean
storm_done (gpointer data)
{
  Storm *s = data;
  guint  pending = pending_on_server (s->pool);

  s->saw_tasks |= pending > 0;
  s->max_pending = MAX (s->max_pending, pending);
  for (guint i = 0; i < s->jobs->len; i++)
    if (!ferry_job_is_finished (g_ptr_array_index (s->jobs, i)))
      return FALSE;
  return TRUE;
}

static void
test_storm (gconstpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("ferry-faults-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "storm.json", NULL);
  g_autofree char *scenario = storm_scenario ();
  g_autofree char *arg = g_strconcat ("--scenario=", path, NULL);
  const char      *args[] = { arg, "--bandwidth=1000", NULL };
  g_autoptr(GPtrArray) jobs = g_ptr_array_new ();
  g_autoptr(JsonArray) sends = NULL;
  g_autoptr(JsonArray) cleared = NULL;
  g_autoptr(GHashTable) per_vm = g_hash_table_new (g_str_hash, g_str_equal);
  EngineSim    *sim;
  FerryManager *manager;
  FerryPool    *pool;
  FerryHost    *target;
  Storm         s = { 0 };

  g_assert_true (g_file_set_contents (path, scenario, -1, NULL));
  sim = engine_sim_start (args);
  manager = ferry_manager_new (NULL);
  pool = engine_connect (manager, sim, "Storm");
  target = engine_host (pool, "s-2");
  ferry_manager_set_storage_migrations_per_host (manager, STORM);

  for (guint i = 1; i <= STORM; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm-%02u", i);
      FerryJob        *job = ferry_manager_migrate (manager, engine_vm (pool, name), target, NULL);

      g_ptr_array_add (jobs, job);
    }
  for (guint i = 0; i < STORM; i++)
    g_assert_cmpint (engine_wait_job (g_ptr_array_index (jobs, i), 60), ==,
                     FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  cleared = engine_sim_calls (sim, "Storm", NULL, TRUE);
  for (guint i = 0; i < STORM; i++)
    ferry_job_confirm (g_ptr_array_index (jobs, i), NULL);

  s.jobs = jobs;
  s.pool = pool;
  g_assert_true (engine_wait_until (storm_done, &s, 400));

  g_test_message ("at most %u migration tasks pending on the server", s.max_pending);
  for (guint i = 0; i < STORM; i++)
    {
      FerryJob *job = g_ptr_array_index (jobs, i);

      g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_SUCCEEDED);
      g_assert_null (ferry_job_get_error (job));
      g_assert_true (ferry_vm_get_resident_on (engine_vm (pool, ferry_job_get_vm_name (job))) == target);
    }
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_jobs (manager)), ==, STORM);
  if (s.saw_tasks)
    g_assert_cmpuint (s.max_pending, <=, 3);
  else
    g_test_message ("the engine does not cache tasks: server-side concurrency not observed");

  /* Every VM was sent at least once; refusals (TOO_MANY_STORAGE_MIGRATES)
   * make the surplus, and a refused call moves nothing, so each VM moved
   * exactly once (it is on s-2, and its job SUCCEEDED once). */
  sends = engine_sim_calls (sim, "Storm", "Async.VM.migrate_send", FALSE);
  g_test_message ("%u migrate_send for %u VMs", json_array_get_length (sends), STORM);
  for (guint i = 0; i < json_array_get_length (sends); i++)
    {
      JsonObject *call = json_array_get_object_element (sends, i);
      JsonArray  *params = json_object_get_array_member (call, "params");

      g_hash_table_add (per_vm, (gpointer) json_array_get_string_element (params, 1));
    }
  g_assert_cmpuint (g_hash_table_size (per_vm), ==, STORM);
  g_assert_cmpuint (json_array_get_length (sends), >=, STORM);

  g_object_unref (manager);
  engine_spin (100);
  engine_sim_stop (sim);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  /* About 8 s for db-01's storage migration, 5-10 s for web-01's plain one. */
  static const char * const storage_bw[] = { "--bandwidth=3000", NULL };
  static const char * const plain_bw[] = { "--bandwidth=400", NULL };

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/faults/drop-event-from", Fixture, storage_bw, setup, test_drop_event_from, teardown);
  g_test_add ("/faults/drop-many", Fixture, plain_bw, setup, test_drop_many, teardown);
  g_test_add ("/faults/session-expired", Fixture, storage_bw, setup, test_session_expired, teardown);
  g_test_add ("/faults/master-changed", Fixture, plain_bw, setup, test_master_changed, teardown);
  g_test_add ("/faults/redirect-wrong-pool", Fixture, plain_bw, setup, test_redirect_wrong_pool, teardown);
  g_test_add_data_func ("/faults/redirect-supporter", NULL, test_redirect_supporter);
  g_test_add ("/faults/redirect-outside-http", Fixture, plain_bw, setup, test_redirect_outside_http, teardown);
  g_test_add_data_func ("/faults/redirect-outside-https", NULL, test_redirect_outside_https);
  g_test_add ("/faults/event-from-hangs", Fixture, plain_bw, setup, test_event_from_hangs, teardown);
  g_test_add ("/faults/migrate-call-hangs", Fixture, plain_bw, setup, test_migrate_call_hangs, teardown);
  g_test_add ("/faults/malformed-event-from", Fixture, storage_bw, setup, test_malformed_event_from, teardown);
  g_test_add_data_func ("/faults/certificate-changed", NULL, test_certificate_changed);
  g_test_add_data_func ("/faults/storm", NULL, test_storm);

  return g_test_run ();
}
