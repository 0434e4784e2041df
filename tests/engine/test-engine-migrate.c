/* test-engine-migrate.c: plain migrations inside a pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "engine-fixture.h"

typedef EngineFixture Fixture;

static void
test_plain (Fixture      *f,
            gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-01");
  FerryHost *target = engine_host (f->lyon, "lyon-3");
  g_autoptr(JsonArray) params = NULL;
  g_autoptr(JsonArray) sends = NULL;
  JsonObject  *options;
  FerryJob    *job;
  EngineOnHost on = { vm, target };

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_nonnull (job);
  g_assert_true (ferry_vm_get_job (vm) == job);

  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_cmpint (ferry_job_get_kind (job), ==, FERRY_MIGRATION_PLAIN);
  g_assert_cmpfloat (ferry_job_get_progress (job), ==, 1.0);
  g_assert_null (ferry_job_get_error (job));
  g_assert_null (ferry_vm_get_job (vm));
  g_assert_true (engine_wait_until (engine_vm_on_host, &on, 30));
  g_assert_true (g_list_model_get_n_items (ferry_manager_get_jobs (f->manager)) == 1);

  /* Exactly what was asked of the pool: vm, host, {"force": "false"}. */
  params = engine_sim_single_call (f->sim, "Lyon", "Async.VM.pool_migrate");
  g_assert_cmpuint (json_array_get_length (params), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (params, 1), ==, ferry_vm_get_ref (vm));
  g_assert_cmpstr (json_array_get_string_element (params, 2), ==, ferry_host_get_ref (target));
  options = json_array_get_object_element (params, 3);
  g_assert_cmpuint (json_object_get_size (options), ==, 1);
  g_assert_cmpstr (engine_json_string (options, "force"), ==, "false");

  sends = engine_sim_calls (f->sim, "Lyon", "Async.VM.migrate_send", FALSE);
  g_assert_cmpuint (json_array_get_length (sends), ==, 0);
}

/* The request is lost on the way (the connection drops before the answer):
 * the job looks at the pool again, sees nothing started, sends it again. */
static void
test_lost_request (Fixture      *f,
                   gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "monitoring");
  FerryHost *target = engine_host (f->lyon, "lyon-1");
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonArray) calls = NULL;
  EngineOnHost on = { vm, target };
  FerryJob    *job;

  reply = engine_sim_control (f->sim, "{\"command\": \"drop_connections\", \"pool\": \"Lyon\","
                                      " \"method\": \"Async.VM.pool_migrate\", \"count\": 1}");
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (engine_wait_until (engine_vm_on_host, &on, 30));
  calls = engine_sim_calls (f->sim, "Lyon", "Async.VM.pool_migrate", FALSE);
  g_test_message ("%u pool_migrate calls recorded", json_array_get_length (calls));
  g_assert_cmpuint (json_array_get_length (calls), >=, 1);
}

/* A job started by an earlier run is recognised by "ferry:job" in its
 * task: adopted under the same id, and cleaned up as our own. */
static void
test_later_run (Fixture      *f,
                gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-02");
  FerryHost *target = engine_host (f->paris, "paris-2");
  g_autoptr(FerryManager) later = NULL;
  g_autoptr(FerryJob) adopted = NULL;
  g_autoptr(JsonObject) slow = NULL;
  g_autofree char *id = NULL;
  g_autofree char *task = NULL;
  g_autoptr(JsonArray) destroys = NULL;
  FerryPool *lyon;
  FerryJob  *job;

  slow = engine_sim_control (f->sim, "{\"command\": \"set_bandwidth\", \"mbps\": 2500}");
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  ferry_job_confirm (job, NULL);
  g_assert_true (engine_wait_job_state (job, FERRY_JOB_STATE_RUNNING, 60));
  while (ferry_job_get_task_ref (job) == NULL && !ferry_job_is_finished (job))
    engine_spin (50);
  id = g_strdup (ferry_job_get_id (job));
  task = g_strdup (ferry_job_get_task_ref (job));
  engine_spin (500);

  /* This run ends (without cleaning up); another one starts. */
  g_clear_object (&f->manager);
  engine_spin (200);
  later = ferry_manager_new (NULL);
  lyon = engine_connect (later, f->sim, "Lyon");
  engine_connect (later, f->sim, "Paris");
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_jobs (later)), ==, 1);
  adopted = g_list_model_get_item (ferry_manager_get_jobs (later), 0);
  g_assert_true (ferry_job_get_adopted (adopted));
  g_assert_cmpstr (ferry_job_get_id (adopted), ==, id);
  g_assert_cmpstr (ferry_job_get_task_ref (adopted), ==, task);
  g_assert_cmpstr (ferry_job_get_target_name (adopted), ==, "paris-2");
  g_assert_true (ferry_manager_find_job (later, id) == adopted);
  g_assert_true (ferry_manager_find_job (later, task) == adopted);

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  g_assert_cmpint (engine_wait_job (adopted, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  engine_spin (300);
  destroys = engine_sim_calls (f->sim, "Lyon", "task.destroy", FALSE);
  g_assert_cmpuint (json_array_get_length (destroys), ==, 1);
  g_assert_null (ferry_pool_find_vm (lyon, "web-02"));

  f->manager = g_steal_pointer (&later);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/migrate/plain", Fixture, NULL, engine_fixture_setup, test_plain, engine_fixture_teardown);
  g_test_add ("/engine/migrate/lost-request", Fixture, NULL,
              engine_fixture_setup, test_lost_request, engine_fixture_teardown);
  g_test_add ("/engine/migrate/later-run", Fixture, NULL,
              engine_fixture_setup, test_later_run, engine_fixture_teardown);

  return g_test_run ();
}
