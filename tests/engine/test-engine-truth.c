/* test-engine-truth.c: a migration's outcome comes from the VM, not from the task
 *
 * The simulator's task lies (success while the VM is still on its way),
 * vanishes (a "del" event mid-migration) or becomes unreachable for good
 * (password or certificate changed).  Each test asserts what the job says
 * and, at that very moment, where the simulator says the VM is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "engine-fixture.h"
#include "ferry-engine-private.h"
#include "xapi-util.h"

typedef EngineFixture     Fixture;

/* Slow enough that a lie at 10 % leaves seconds before the real end. */
static const char * const slow[] = { "--bandwidth=250", NULL };
static const char * const slow_https[] = { "--bandwidth=250", "--https", NULL };

/* ---- the simulator's own account, over plain JSON-RPC ---------------------- */

static JsonNode *
xapi_call (SoupSession *session,
           const char  *url,
           const char  *method,
           JsonArray   *params)
{
  g_autofree char *endpoint = g_strconcat (url, "/jsonrpc", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", endpoint);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  char       *body;
  gsize       length;
  JsonObject *answer;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, 1);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  json_object_set_array_member (json_node_get_object (request), "params", params);
  json_generator_set_root (generator, request);
  body = json_generator_to_data (generator, &length);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (body, length);

    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  }
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                             &error));
  g_assert_no_error (error);
  answer = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (answer, "result"))
    return NULL;
  return json_node_copy (json_object_get_member (answer, "result"));
}

static gboolean
accept_any (SoupMessage         *msg,
            GTlsCertificate     *certificate,
            GTlsCertificateFlags errors,
            gpointer             data)
{
  return TRUE;
}

static void
on_request_queued (SoupSession *session,
                   SoupMessage *msg,
                   gpointer     data)
{
  /* The test itself trusts the simulator's self-signed certificate. */
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
}

/* engine_sim_control() for an HTTPS simulator with a self-signed
 * certificate. */
static void
https_control (EngineSim  *sim,
               const char *json)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *endpoint = g_strconcat (engine_sim_url (sim, "Lyon"), "/sim/control", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", endpoint);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (session, "request-queued", G_CALLBACK (on_request_queued), NULL);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
}

/* The name_label of the host the simulator says the VM @uuid is resident
 * on, in whichever pool of @pools it is; "" when halted, NULL when it is in
 * none. */
static char *
sim_vm_host (EngineSim          *sim,
             const char * const *pools,
             const char         *uuid)
{
  g_autoptr(SoupSession) session = soup_session_new ();

  g_signal_connect (session, "request-queued", G_CALLBACK (on_request_queued), NULL);
  for (guint i = 0; pools[i] != NULL; i++)
    {
      const char *url = engine_sim_url (sim, pools[i]);
      JsonArray  *login = json_array_new ();
      g_autoptr(JsonNode) session_ref = NULL;
      g_autoptr(JsonNode) vm = NULL;
      g_autoptr(JsonNode) host = NULL;
      g_autoptr(JsonNode) name = NULL;
      JsonArray *params;

      json_array_add_string_element (login, "root");
      json_array_add_string_element (login, "ferry");
      session_ref = xapi_call (session, url, "session.login_with_password", login);
      g_assert_nonnull (session_ref);

      params = json_array_new ();
      json_array_add_string_element (params, json_node_get_string (session_ref));
      json_array_add_string_element (params, uuid);
      vm = xapi_call (session, url, "VM.get_by_uuid", params);
      if (vm == NULL)
        continue;

      params = json_array_new ();
      json_array_add_string_element (params, json_node_get_string (session_ref));
      json_array_add_string_element (params, json_node_get_string (vm));
      host = xapi_call (session, url, "VM.get_resident_on", params);
      g_assert_nonnull (host);
      if (g_str_equal (json_node_get_string (host), "OpaqueRef:NULL"))
        return g_strdup ("");

      params = json_array_new ();
      json_array_add_string_element (params, json_node_get_string (session_ref));
      json_array_add_string_element (params, json_node_get_string (host));
      name = xapi_call (session, url, "host.get_name_label", params);
      g_assert_nonnull (name);
      return g_strdup (json_node_get_string (name));
    }

  return NULL;
}

/* ---- watching a job ---------------------------------------------------------- */

typedef struct
{
  EngineSim *sim;
  FerryJob  *job;
  char      *uuid;
  GString   *states;      /* every state the job went through */
  char      *host_at_end; /* where the sim had the VM when the job said SUCCEEDED/FAILED */
} Watch;

static const char * const both_pools[] = { "Lyon", "Paris", NULL };

static void
on_state (FerryJob   *job,
          GParamSpec *pspec,
          Watch      *watch)
{
  FerryJobState state = ferry_job_get_state (job);

  g_string_append_printf (watch->states, "%s;", ferry_job_state_to_string (state));
  if (state == FERRY_JOB_STATE_SUCCEEDED || state == FERRY_JOB_STATE_FAILED)
    {
      g_free (watch->host_at_end);
      watch->host_at_end = sim_vm_host (watch->sim, both_pools, watch->uuid);
    }
}

static void
watch_start (Watch     *watch,
             EngineSim *sim,
             FerryJob  *job)
{
  watch->sim = sim;
  watch->job = job;
  watch->uuid = g_strdup (ferry_job_get_vm_uuid (job));
  watch->states = g_string_new (NULL);
  g_signal_connect (job, "notify::state", G_CALLBACK (on_state), watch);
}

static void
watch_stop (Watch *watch)
{
  g_signal_handlers_disconnect_by_data (watch->job, watch);
  g_free (watch->uuid);
  g_free (watch->host_at_end);
  g_string_free (watch->states, TRUE);
}

typedef struct
{
  FerryPool *pool;
  FerryJob  *job;
} LieWait;

/* The pool's cache holds the task at "success": the lie has arrived. */
static gboolean
task_claims_success (gpointer data)
{
  LieWait        *wait = data;
  XapiCache      *cache = ferry_pool_get_cache (wait->pool);
  const char     *task = ferry_job_get_task_ref (wait->job);
  const XapiTask *record = cache != NULL && task != NULL ? xapi_cache_lookup (cache, XAPI_CLASS_TASK, task) : NULL;

  return record != NULL && record->status == XAPI_TASK_STATUS_SUCCESS;
}

static gboolean
job_running_with_progress (gpointer data)
{
  FerryJob *job = data;

  return ferry_job_get_state (job) == FERRY_JOB_STATE_RUNNING && ferry_job_get_task_ref (job) != NULL &&
         ferry_job_get_progress (job) > 0.02;
}

static gboolean
job_unknown (gpointer data)
{
  return ferry_job_get_state (data) == FERRY_JOB_STATE_UNKNOWN || ferry_job_is_finished (data);
}

/* ---- (1) the task says success early -------------------------------------------- */

static void
test_task_lies (Fixture      *f,
                gconstpointer data)
{
  FerryVm         *vm = engine_vm (f->lyon, "web-01");
  FerryHost       *target = engine_host (f->lyon, "lyon-3");
  g_autofree char *before = NULL;
  g_autofree char *during = NULL;
  LieWait          lie = { f->lyon, NULL };
  Watch            watch = { 0 };
  FerryJob        *job;

  before = sim_vm_host (f->sim, both_pools, ferry_vm_get_uuid (vm));
  g_assert_cmpstr (before, !=, "lyon-3");
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"task_lie\", \"vm\": \"web-01\", \"at\": 0.1}"));

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_nonnull (job);
  watch_start (&watch, f->sim, job);
  lie.job = job;

  /* The lie reaches Ferry while the VM is still where it was: the job
   * goes on running. */
  g_assert_true (engine_wait_until (task_claims_success, &lie, 60));
  during = sim_vm_host (f->sim, both_pools, watch.uuid);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_RUNNING);
  g_assert_cmpstr (during, ==, before);

  /* Then the VM really arrives, and only then the job says so. */
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_cmpstr (watch.host_at_end, ==, "lyon-3");
  g_assert_null (strstr (watch.states->str, ferry_job_state_to_string (FERRY_JOB_STATE_FAILED)));
  g_assert_null (ferry_job_get_error (job));
  g_assert_true (ferry_vm_get_resident_on (vm) == target);

  watch_stop (&watch);
}

/* The same across pools: the VM must show up in the other pool, on the
 * mapped SRs, before the job says it has moved. */
static void
on_confirm (FerryJob   *job,
            GParamSpec *pspec,
            gpointer    data)
{
  if (ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    ferry_job_confirm (job, NULL);
}

static void
test_task_lies_cross_pool (Fixture      *f,
                           gconstpointer data)
{
  FerryVm         *vm = engine_vm (f->lyon, "dns-01");
  FerryHost       *target = engine_host (f->paris, "paris-1");
  g_autofree char *uuid = g_strdup (ferry_vm_get_uuid (vm));
  g_autofree char *during = NULL;
  LieWait          lie = { f->lyon, NULL };
  Watch            watch = { 0 };
  FerryJob        *job;

  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"task_lie\", \"vm\": \"dns-01\", \"at\": 0.1}"));

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_nonnull (job);
  g_signal_connect (job, "notify::state", G_CALLBACK (on_confirm), NULL);
  on_confirm (job, NULL, NULL);
  watch_start (&watch, f->sim, job);
  lie.job = job;

  g_assert_true (engine_wait_until (task_claims_success, &lie, 120));
  during = sim_vm_host (f->sim, both_pools, uuid);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_RUNNING);
  g_assert_nonnull (during);
  g_assert_cmpstr (during, !=, "paris-1");

  g_assert_cmpint (engine_wait_job (job, 240), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_cmpstr (watch.host_at_end, ==, "paris-1");
  g_assert_nonnull (ferry_pool_find_vm (f->paris, uuid));

  g_signal_handlers_disconnect_by_func (job, on_confirm, NULL);
  watch_stop (&watch);
}

/* ---- (2) the task vanishes ------------------------------------------------------ */

static void
test_task_vanishes (Fixture      *f,
                    gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-02");
  FerryHost *target = engine_host (f->lyon, "lyon-3");
  Watch      watch = { 0 };
  FerryJob  *job;

  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"task_vanish\", \"vm\": \"web-02\", \"at\": 0.2}"));

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_nonnull (job);
  watch_start (&watch, f->sim, job);

  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_cmpstr (watch.host_at_end, ==, "lyon-3");
  g_assert_null (strstr (watch.states->str, ferry_job_state_to_string (FERRY_JOB_STATE_FAILED)));
  g_assert_null (ferry_job_get_error (job));

  watch_stop (&watch);
}

/* ---- a real failure is still a failure ------------------------------------------- */

static void
test_real_failure (Fixture      *f,
                   gconstpointer data)
{
  FerryVm         *vm = engine_vm (f->lyon, "monitoring");
  FerryHost       *target = engine_host (f->lyon, "lyon-1");
  g_autofree char *before = sim_vm_host (f->sim, both_pools, ferry_vm_get_uuid (vm));
  Watch            watch = { 0 };
  FerryJob        *job;

  g_assert_cmpstr (before, !=, "lyon-1");
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"fail_migration\", \"vm\": \"monitoring\", "
                                                 "\"at\": 0.3, \"error\": [\"VM_MIGRATE_FAILED\", \"x\", \"y\", \"z\", \"w\"]}"));
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_nonnull (job);
  watch_start (&watch, f->sim, job);

  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_FAILED);
  g_assert_cmpstr (watch.host_at_end, ==, before);
  g_assert_cmpstr (ferry_job_get_error_code (job), ==, "VM_MIGRATE_FAILED");

  watch_stop (&watch);
}

/* ---- the event stream stalls ------------------------------------------------------ */

static guint
count_calls (EngineSim  *sim,
             const char *prefix)
{
  g_autoptr(JsonArray) calls = engine_sim_calls (sim, "Lyon", prefix, FALSE);

  return json_array_get_length (calls);
}

/* The pool stops answering event.from (it holds the next one for 50 s,
 * less than the cache's own timeout, so nothing reconnects): the job asks
 * for its task and its VM directly, once a second at most, and ends when
 * the VM has arrived. */
static void
test_stream_stalled (Fixture      *f,
                     gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-01");
  FerryHost *target = engine_host (f->lyon, "lyon-2");
  Watch      watch = { 0 };
  FerryJob  *job;
  gint64     start;
  double     seconds;
  guint      polls;

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_nonnull (job);
  watch_start (&watch, f->sim, job);
  g_assert_true (engine_wait_until (job_running_with_progress, job, 60));

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"delay\", \"pool\": \"Lyon\", "
                                                 "\"seconds\": 50, \"count\": 1, \"method\": \"event.from\"}"));
  start = g_get_monotonic_time ();

  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_assert_cmpstr (watch.host_at_end, ==, "lyon-2");

  /* It asked, and not more than twice a second. */
  polls = count_calls (f->sim, "task.get_record") + count_calls (f->sim, "VM.get_record");
  g_test_message ("%u direct calls in %.1f s", polls, seconds);
  g_assert_cmpuint (polls, >=, 1);
  g_assert_cmpfloat (polls, <=, 2 * seconds + 2);

  watch_stop (&watch);
}

/* ---- (9) the pool fails for good mid-migration ------------------------------------ */

static void
assert_unknown (Fixture  *f,
                FerryJob *job)
{
  gint64 start = g_get_monotonic_time ();

  /* Bounded: the pool's failure is seen within seconds, not at the end of
   * a migration that may never be heard of again. */
  g_assert_true (engine_wait_until (job_unknown, job, 60));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_UNKNOWN);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 60 * G_USEC_PER_SEC);
  g_assert_false (ferry_job_is_finished (job));
  g_assert_nonnull (strstr (ferry_job_get_error (job), "Lost contact with Lyon"));
  g_assert_nonnull (strstr (ferry_job_get_error (job), "may still be running"));
}

static void
test_password_changed (Fixture      *f,
                       gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-01");
  FerryHost *target = engine_host (f->lyon, "lyon-3");
  FerryJob  *job;

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_nonnull (job);
  g_assert_true (engine_wait_until (job_running_with_progress, job, 60));

  /* Slow enough that the migration cannot end before the pool is lost. */
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"set_bandwidth\", \"mbps\": 10}"));
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"set_password\", \"pool\": \"Lyon\", "
                                                 "\"password\": \"changed\"}"));
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"expire_sessions\", \"pool\": \"Lyon\"}"));

  assert_unknown (f, job);
}

static gboolean
pool_ready (gpointer data)
{
  return ferry_pool_get_state (data) == FERRY_POOL_STATE_READY;
}

static void
test_certificate_changed (gconstpointer data)
{
  EngineSim *sim = engine_sim_start (slow_https);
  g_autoptr(FerryManager) manager = ferry_manager_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  FerryPool       *lyon;
  FerryJob        *job;
  Fixture          f = { sim, manager, NULL, NULL };

  lyon = engine_try_connect (manager, engine_sim_url (sim, "Lyon"), NULL, &error);
  g_assert_null (lyon);
  fingerprint = g_strdup (ferry_error_get_fingerprint (error));
  g_assert_nonnull (fingerprint);
  g_clear_error (&error);
  lyon = engine_try_connect (manager, engine_sim_url (sim, "Lyon"), fingerprint, &error);
  g_assert_no_error (error);
  g_assert_true (engine_wait_until (pool_ready, lyon, 60));

  job = ferry_manager_migrate (manager, engine_vm (lyon, "web-01"), engine_host (lyon, "lyon-3"), NULL);
  g_assert_nonnull (job);
  g_assert_true (engine_wait_until (job_running_with_progress, job, 60));

  https_control (sim, "{\"command\": \"set_bandwidth\", \"mbps\": 10}");
  https_control (sim, "{\"command\": \"change_certificate\"}");
  /* Every open connection was made with the old certificate: close them
   * all, so that the next request has to shake hands again. */
  https_control (sim, "{\"command\": \"drop_connections\", \"pool\": \"Lyon\", \"count\": 20}");

  assert_unknown (&f, job);

  g_object_unref (lyon);
  g_clear_object (&manager);
  engine_spin (100);
  engine_sim_stop (sim);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/truth/task-lies", Fixture, slow, engine_fixture_setup, test_task_lies, engine_fixture_teardown);
  g_test_add ("/engine/truth/task-lies-cross-pool", Fixture, slow,
              engine_fixture_setup, test_task_lies_cross_pool, engine_fixture_teardown);
  g_test_add ("/engine/truth/task-vanishes", Fixture, slow,
              engine_fixture_setup, test_task_vanishes, engine_fixture_teardown);
  g_test_add ("/engine/truth/real-failure", Fixture, slow,
              engine_fixture_setup, test_real_failure, engine_fixture_teardown);
  g_test_add ("/engine/truth/stream-stalled", Fixture, slow,
              engine_fixture_setup, test_stream_stalled, engine_fixture_teardown);
  g_test_add ("/engine/truth/password-changed", Fixture, slow,
              engine_fixture_setup, test_password_changed, engine_fixture_teardown);
  g_test_add_data_func ("/engine/truth/certificate-changed", NULL, test_certificate_changed);

  return g_test_run ();
}
