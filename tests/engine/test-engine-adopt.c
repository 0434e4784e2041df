/* test-engine-adopt.c: migrations started by other clients while Ferry runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The manager is connected first; then another client starts a migration
 * (the simulator's add_task, a second manager, a bare XAPI connection with
 * the synchronous call).  The manager must turn it into a job at once, with
 * the VM's source and target hosts named from the pool's records.
 */

#include "config.h"

#include <string.h>

#include "engine-fixture.h"
#include "xapi-connection.h"
#include "xapi-util.h"

/* What "at once" means: an event batch or two, as the issue asks. */
#define ADOPT_SECONDS 2

typedef EngineFixture     Fixture;

/* Slow enough for every migration here to last a few seconds. */
static const char * const slow[] = { "--bandwidth=500", NULL };

typedef struct
{
  FerryManager *manager;
  const char   *vm_name;
  FerryJob     *found; /* (transfer none) */
} JobSearch;

static guint
count_jobs_of (FerryManager *manager,
               const char   *vm_name)
{
  GListModel *jobs = ferry_manager_get_jobs (manager);
  guint       count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (ferry_job_get_vm_name (job), vm_name) == 0)
        count++;
    }

  return count;
}

static gboolean
job_found (gpointer data)
{
  JobSearch  *search = data;
  GListModel *jobs = ferry_manager_get_jobs (search->manager);

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (jobs, i);

      if (g_strcmp0 (ferry_job_get_vm_name (job), search->vm_name) == 0)
        {
          search->found = job;
          return TRUE;
        }
    }

  return FALSE;
}

/* Waits for the job of @vm_name; fails unless it comes within
 * ADOPT_SECONDS of @since (monotonic time). */
static FerryJob *
await_adopted (FerryManager *manager,
               const char   *vm_name,
               gint64        since)
{
  JobSearch search = { manager, vm_name, NULL };
  gint64    took;

  /* Waited for longer, so that a late job says how late it was. */
  g_assert_true (engine_wait_until (job_found, &search, 30));
  took = g_get_monotonic_time () - since;
  g_test_message ("the job of %s came after %.0f ms", vm_name, took / 1000.0);
  g_assert_cmpint (took, <, ADOPT_SECONDS * G_USEC_PER_SEC);
  g_assert_true (ferry_job_get_adopted (search.found));

  return g_object_ref (search.found);
}

static void
assert_route (FerryJob   *job,
              const char *source,
              const char *target)
{
  g_autofree char *route = ferry_job_dup_route (job);
  g_autofree char *expected = g_strdup_printf ("from %s to %s", source, target);

  g_assert_cmpstr (ferry_job_get_source_name (job), ==, source);
  g_assert_cmpstr (ferry_job_get_target_name (job), ==, target);
  g_assert_cmpstr (route, ==, expected);
}

/* ---- add_task: another client's task, as the pool shows it ------------------------ */

static void
test_live_pool_migrate (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(FerryJob) job = NULL;
  gint64 since = g_get_monotonic_time ();

  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_jobs (f->manager)), ==, 0);
  reply = engine_sim_control (f->sim, "{\"command\": \"add_task\", \"vm\": \"web-02\", \"kind\": \"pool_migrate\","
                                      " \"target_host\": \"lyon-3\"}");
  job = await_adopted (f->manager, "web-02", since);

  g_assert_cmpstr (ferry_job_get_task_ref (job), ==, engine_json_string (reply, "task"));
  g_assert_cmpint (ferry_job_get_kind (job), ==, FERRY_MIGRATION_PLAIN);
  assert_route (job, "lyon-2", "lyon-3");
  g_assert_true (ferry_vm_get_job (engine_vm (f->lyon, "web-02")) == job);

  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  assert_route (job, "lyon-2", "lyon-3");
  /* Later events of the finished task make no second job. */
  engine_spin (500);
  g_assert_cmpuint (count_jobs_of (f->manager, "web-02"), ==, 1);
}

/* Storage motion inside the pool is a migrate_send too: still "from lyon-2
 * to lyon-1", not "to another pool". */
static void
test_live_migrate_send_in_pool (Fixture      *f,
                                gconstpointer data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(FerryJob) job = NULL;
  gint64 since = g_get_monotonic_time ();

  reply = engine_sim_control (f->sim, "{\"command\": \"add_task\", \"vm\": \"mail\", \"kind\": \"migrate_send\","
                                      " \"target_host\": \"lyon-1\"}");
  job = await_adopted (f->manager, "mail", since);

  g_assert_cmpint (ferry_job_get_kind (job), ==, FERRY_MIGRATION_STORAGE);
  assert_route (job, "lyon-2", "lyon-1");
  g_assert_cmpint (engine_wait_job (job, 180), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (ferry_vm_get_resident_on (engine_vm (f->lyon, "mail")) == engine_host (f->lyon, "lyon-1"));
}

static gboolean
target_is_paris_2 (gpointer data)
{
  return g_strcmp0 (ferry_job_get_target_name (data), "paris-2") == 0;
}

/* Across pools the source pool does not say where the VM goes: the job says
 * so plainly, and names the host once the VM arrives in Paris (connected). */
static void
test_live_cross_pool (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(FerryJob) job = NULL;
  gint64 since = g_get_monotonic_time ();

  reply = engine_sim_control (f->sim, "{\"command\": \"add_task\", \"vm\": \"proxy\", \"kind\": \"migrate_send\","
                                      " \"target_host\": \"paris-2\"}");
  job = await_adopted (f->manager, "proxy", since);

  g_assert_cmpint (ferry_job_get_kind (job), ==, FERRY_MIGRATION_STORAGE);
  g_assert_cmpstr (ferry_job_get_source_name (job), ==, "lyon-2");
  g_assert_cmpstr (ferry_job_get_target_name (job), ==, "a host Ferry cannot see");

  g_assert_cmpint (engine_wait_job (job, 180), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (engine_wait_until (target_is_paris_2, job, 30));
  assert_route (job, "lyon-2", "paris-2");
  g_assert_true (ferry_job_get_target (job) == engine_host (f->paris, "paris-2"));
}

/* ---- a real second client ----------------------------------------------------- */

static gboolean
has_task_ref (gpointer data)
{
  return ferry_job_get_task_ref (data) != NULL || ferry_job_is_finished (data);
}

/* Another Ferry (a second manager, its own connection and event stream)
 * starts a migration: this one adopts it; that one keeps its own job and
 * does not take its own task for someone else's. */
static void
test_second_manager (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(FerryManager) other = ferry_manager_new (NULL);
  FerryPool *other_lyon = engine_connect (other, f->sim, "Lyon");
  g_autoptr(FerryJob) adopted = NULL;
  g_autofree char *adopted_task = NULL;
  FerryJob        *started;
  gint64           since;

  since = g_get_monotonic_time ();
  started = ferry_manager_migrate (other, engine_vm (other_lyon, "dns-01"), engine_host (other_lyon, "lyon-2"), NULL);
  adopted = await_adopted (f->manager, "dns-01", since);
  assert_route (adopted, "lyon-1", "lyon-2");
  adopted_task = g_strdup (ferry_job_get_task_ref (adopted));
  g_assert_nonnull (adopted_task);

  /* The same task (the other manager destroys it at the end: compared
   * while both still know it). */
  g_assert_true (engine_wait_until (has_task_ref, started, 60));
  g_assert_cmpstr (adopted_task, ==, ferry_job_get_task_ref (started));

  g_assert_cmpint (engine_wait_job (started, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_cmpint (engine_wait_job (adopted, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_false (ferry_job_get_adopted (started));
  engine_spin (500);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_jobs (other)), ==, 1);
  g_assert_cmpuint (count_jobs_of (f->manager, "dns-01"), ==, 1);
}

/* The synchronous VM.pool_migrate (as a script would call it) also runs in
 * a task, named without "Async.". */
static void
test_sync_call (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(XapiConnection) connection = xapi_connection_new (engine_sim_url (f->sim, "Lyon"));
  g_autoptr(FerryJob) job = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) params = NULL;
  EngineSlot login = { NULL };
  EngineSlot call = { NULL };
  gint64     since;

  xapi_connection_login_async (connection, "root", "ferry", NULL, engine_slot_fill, &login);
  g_assert_true (engine_wait_until (engine_slot_filled, &login, 30));
  g_assert_true (xapi_connection_login_finish (connection, login.result, &error));
  g_assert_no_error (error);
  g_clear_object (&login.result);

  params = xapi_params_new (ferry_vm_get_ref (engine_vm (f->lyon, "monitoring")),
                            ferry_host_get_ref (engine_host (f->lyon, "lyon-1")), NULL);
  xapi_params_add_object (params, json_object_new ());
  since = g_get_monotonic_time ();
  /* The reply comes when the migration is over. */
  xapi_connection_call_long_async (connection, "VM.pool_migrate", params, 120, NULL, engine_slot_fill, &call);
  job = await_adopted (f->manager, "monitoring", since);
  g_assert_nonnull (ferry_job_get_task_ref (job));
  g_assert_cmpint (ferry_job_get_kind (job), ==, FERRY_MIGRATION_PLAIN);
  assert_route (job, "lyon-3", "lyon-1");

  g_assert_true (engine_wait_until (engine_slot_filled, &call, 120));
  result = xapi_connection_call_long_finish (connection, call.result, &error);
  g_assert_no_error (error);
  g_clear_object (&call.result);
  /* The task of a synchronous call goes away at the end: the job tells
   * the outcome from where the VM is. */
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (ferry_vm_get_resident_on (engine_vm (f->lyon, "monitoring")) == engine_host (f->lyon, "lyon-1"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/adopt/live-pool-migrate", Fixture, slow,
              engine_fixture_setup, test_live_pool_migrate, engine_fixture_teardown);
  g_test_add ("/engine/adopt/live-migrate-send-in-pool", Fixture, slow,
              engine_fixture_setup, test_live_migrate_send_in_pool,
              engine_fixture_teardown);
  g_test_add ("/engine/adopt/live-cross-pool", Fixture, slow,
              engine_fixture_setup, test_live_cross_pool, engine_fixture_teardown);
  g_test_add ("/engine/adopt/second-manager", Fixture, slow,
              engine_fixture_setup, test_second_manager, engine_fixture_teardown);
  g_test_add ("/engine/adopt/sync-call", Fixture, slow, engine_fixture_setup, test_sync_call, engine_fixture_teardown);

  return g_test_run ();
}
