/* test-engine-jobs.c: pre-checks, cancel, failures, lost connections, adoption
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "engine-fixture.h"
#include "xapi-error.h"

typedef EngineFixture     Fixture;

static const char * const fast[] = { "--bandwidth=20000", NULL };
static const char * const slow[] = { "--bandwidth=500", NULL };

/* ---- pre-checks --------------------------------------------------------------- */

/* A halted VM may move (see test-engine-halted.c); a paused one may not. */
static void
test_precheck_paused (Fixture      *f,
                      gconstpointer data)
{
  FerryVm                     *backup = engine_vm (f->lyon, "backup");
  FerryVm                     *web = engine_vm (f->lyon, "web-01");
  FerryVm                     *paused = engine_vm (f->lyon, "web-02");
  FerryHost                   *lyon2 = engine_host (f->lyon, "lyon-2");
  g_autofree char             *command = g_strdup_printf ("{\"command\": \"set_power_state\", \"vm\": \"%s\", \"state\": \"Paused\"}",
                                                          ferry_vm_get_uuid (paused));
  g_autoptr(JsonObject) reply G_GNUC_UNUSED = NULL;
  g_autofree char             *reason = NULL;
  g_autofree char             *reason2 = NULL;
  EnginePowerWait              wait = { paused, "Paused" };
  FerryJob                    *job;

  reply = engine_sim_control (f->sim, command);
  g_assert_true (engine_wait_until (engine_vm_in_state, &wait, 30));

  /* For drag highlighting, from the cache only. */
  g_assert_true (ferry_manager_check_target (f->manager, backup, lyon2, NULL));
  g_assert_false (ferry_manager_check_target (f->manager, paused, engine_host (f->lyon, "lyon-3"), &reason));
  g_assert_cmpstr (reason, ==, "The VM is paused");
  g_assert_false (ferry_manager_check_target (f->manager, web, engine_host (f->lyon, "lyon-1"), &reason2));
  g_assert_cmpstr (reason2, ==, "Already on this host");
  g_assert_true (ferry_manager_check_target (f->manager, web, lyon2, NULL));
  g_assert_true (ferry_manager_check_target (f->manager, web, engine_host (f->paris, "paris-1"), NULL));

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, paused, engine_host (f->lyon, "lyon-3"), NULL);
  g_assert_cmpint (engine_wait_job (job, 30), ==, FERRY_JOB_STATE_FAILED);
  g_assert_cmpstr (ferry_job_get_error_code (job), ==, "VM_BAD_POWER_STATE");
  g_assert_nonnull (strstr (ferry_job_get_error (job), "paused"));
  g_assert_nonnull (strstr (ferry_job_get_error (job), "Unpause it"));
  g_test_message ("%s", ferry_job_get_error (job));

  engine_assert_no_migration_sent (f->sim, "Lyon");
}

static const char mini_scenario[] =
  "{\"pools\": [{\"name\": \"Mini\", \"username\": \"root\", \"password\": \"ferry\","
  " \"hosts\": [{\"name\": \"mini-1\", \"memory_gib\": 64}, {\"name\": \"mini-2\", \"memory_gib\": 6}],"
  " \"srs\": [{\"name\": \"Mini NFS\", \"type\": \"nfs\", \"shared\": true, \"size_gib\": 500, \"default\": true}],"
  " \"vms\": [{\"name\": \"big\", \"host\": \"mini-1\", \"memory_gib\": 8, \"vcpus\": 2,"
  "           \"disks\": [{\"sr\": \"Mini NFS\", \"size_gib\": 10}]}]}]}";

static void
test_precheck_memory (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ferry-engine-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "mini.json", NULL);
  g_autofree char *arg = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(FerryManager) manager = NULL;
  const char *args[2] = { NULL, NULL };
  EngineSim  *sim;
  FerryPool  *pool;
  FerryJob   *job;

  g_assert_true (g_file_set_contents (path, mini_scenario, -1, NULL));
  arg = g_strconcat ("--scenario=", path, NULL);
  args[0] = arg;
  sim = engine_sim_start (args);
  manager = ferry_manager_new (NULL);
  pool = engine_connect (manager, sim, "Mini");

  g_assert_false (ferry_manager_check_target (manager, engine_vm (pool, "big"), engine_host (pool, "mini-2"),
                                              &reason));
  g_test_message ("%s", reason);
  g_assert_true (g_str_has_prefix (reason, "Not enough free memory (needs 8 GiB, "));

  engine_sim_calls (sim, "Mini", NULL, TRUE);
  job = ferry_manager_migrate (manager, engine_vm (pool, "big"), engine_host (pool, "mini-2"), NULL);
  g_assert_cmpint (engine_wait_job (job, 30), ==, FERRY_JOB_STATE_FAILED);
  g_assert_cmpstr (ferry_job_get_error_code (job), ==, "HOST_NOT_ENOUGH_FREE_MEMORY");
  g_assert_nonnull (strstr (ferry_job_get_error (job), "mini-2 does not have enough free memory for “big”"));
  g_assert_nonnull (strstr (ferry_job_get_error (job), "pick another"));
  g_test_message ("%s", ferry_job_get_error (job));
  engine_assert_no_migration_sent (sim, "Mini");

  g_clear_object (&manager);
  engine_spin (100);
  engine_sim_stop (sim);
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- cancel, failure ------------------------------------------------------------ */

static gboolean
job_progressing (gpointer data)
{
  FerryJob *job = data;

  return ferry_job_is_finished (job) ||
         (ferry_job_get_state (job) == FERRY_JOB_STATE_RUNNING && ferry_job_get_can_cancel (job) &&
          ferry_job_get_progress (job) > 0.05 && ferry_job_get_rate (job) > 0);
}

static void
test_cancel (Fixture      *f,
             gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "db-01");
  FerryHost *source = ferry_vm_get_resident_on (vm);
  FerryJob  *job;
  double     mib_s;

  job = ferry_manager_migrate (f->manager, vm, engine_host (f->lyon, "lyon-2"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  ferry_job_confirm (job, NULL);

  g_assert_true (engine_wait_until (job_progressing, job, 60));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_RUNNING);
  g_assert_nonnull (ferry_job_get_task_ref (job));
  /* Measured from the task's progress and the bytes to copy: about the
   * simulator's 500 MiB/s. */
  engine_spin (1500);
  mib_s = ferry_job_get_rate (job) / (1024 * 1024);
  g_test_message ("rate %.0f MiB/s, eta %.1f s", mib_s, ferry_job_get_eta (job));
  g_assert_cmpfloat (mib_s, >, 150);
  g_assert_cmpfloat (mib_s, <, 1500);
  g_assert_cmpfloat (ferry_job_get_eta (job), >, 0);

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  ferry_job_cancel (job);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLING);
  g_assert_false (ferry_job_get_can_cancel (job));
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "task.cancel"), ==, 1);
  g_assert_true (ferry_vm_get_resident_on (vm) == source);
  g_assert_null (ferry_job_get_error (job));
}

static void
test_cancel_queued (Fixture      *f,
                    gconstpointer data)
{
  FerryVm  *vm = engine_vm (f->lyon, "db-01");
  FerryJob *job;

  job = ferry_manager_migrate (f->manager, vm, engine_host (f->lyon, "lyon-3"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  ferry_manager_set_storage_migrations_per_host (f->manager, 1);

  /* Cancelled while waiting for confirmation: nothing sent. */
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  g_assert_true (ferry_job_get_can_cancel (job));
  ferry_job_cancel (job);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
  engine_spin (500);
  engine_assert_no_migration_sent (f->sim, "Lyon");
}

static void
test_fail_half_way (Fixture      *f,
                    gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "db-01");
  FerryHost *source = ferry_vm_get_resident_on (vm);
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *command = NULL;
  FerryJob        *job;

  command = g_strdup_printf ("{\"command\": \"fail_migration\", \"vm\": \"db-01\", \"at\": 0.5,"
                             " \"error\": [\"MIRROR_FAILED\", \"%s\"]}",
                             ((FerryDisk *) g_ptr_array_index (ferry_vm_get_disks (vm), 0))->vdi_ref);
  reply = engine_sim_control (f->sim, command);

  job = ferry_manager_migrate (f->manager, vm, engine_host (f->lyon, "lyon-2"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  ferry_job_confirm (job, NULL);

  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_FAILED);
  g_assert_cmpstr (ferry_job_get_error_code (job), ==, "MIRROR_FAILED");
  g_assert_cmpstr (ferry_job_get_error (job), ==,
                   "Copying the disk “db-01 0” of “db-01” to lyon-2 failed while the VM was running. "
                   "Check the free space of the destination SR and the network between lyon-1 and lyon-2, "
                   "then try again.");
  g_assert_cmpstr (ferry_job_get_error_details (job), ==, "MIRROR_FAILED (vdi: db-01 0)");
  g_assert_cmpfloat (ferry_job_get_progress (job), >=, 0.3);
  g_assert_cmpfloat (ferry_job_get_progress (job), <=, 0.6);

  /* The task is ours: cleaned up.  The VM did not move. */
  engine_spin (500);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "task.destroy"), >=, 1);
  g_assert_true (ferry_vm_get_resident_on (vm) == source);
}

/* ---- lost connection ------------------------------------------------------------- */

typedef struct
{
  FerryPool *pool;
  gboolean   left_ready;
} PoolWatch;

static void
on_pool_state (FerryPool  *pool,
               GParamSpec *pspec,
               PoolWatch  *watch)
{
  if (ferry_pool_get_state (pool) != FERRY_POOL_STATE_READY)
    watch->left_ready = TRUE;
}

static gboolean
job_half_way (gpointer data)
{
  FerryJob *job = data;

  return ferry_job_is_finished (job) || ferry_job_get_progress (job) > 0.15;
}

static void
test_connection_dropped (Fixture      *f,
                         gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-01");
  FerryHost *target = engine_host (f->paris, "paris-1");
  g_autoptr(JsonObject) r1 = NULL;
  g_autoptr(JsonObject) r2 = NULL;
  g_autofree char *task = NULL;
  PoolWatch        watch = { f->lyon, FALSE };
  FerryJob        *job;

  g_signal_connect (f->lyon, "notify::state", G_CALLBACK (on_pool_state), &watch);

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  ferry_job_confirm (job, NULL);
  g_assert_true (engine_wait_until (job_half_way, job, 60));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_RUNNING);
  task = g_strdup (ferry_job_get_task_ref (job));

  /* The link to Lyon dies for a while (every call, the event long poll
   * too) and the sessions are gone when it comes back. */
  r1 = engine_sim_control (f->sim, "{\"command\": \"drop_connections\", \"pool\": \"Lyon\", \"count\": 3}");
  r2 = engine_sim_control (f->sim, "{\"command\": \"expire_sessions\", \"pool\": \"Lyon\"}");

  g_assert_cmpint (engine_wait_job (job, 180), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_cmpstr (ferry_job_get_task_ref (job), ==, task);
  g_assert_true (watch.left_ready);
  g_assert_cmpint (ferry_pool_get_state (f->lyon), ==, FERRY_POOL_STATE_READY);
  g_assert_null (ferry_pool_find_vm (f->lyon, "web-01"));

  g_signal_handlers_disconnect_by_data (f->lyon, &watch);
}

/* The task ends while Ferry cannot see the pool: the final state is found
 * when the cache comes back. */
static void
test_finished_while_away (Fixture      *f,
                          gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "dns-01");
  FerryHost *target = engine_host (f->lyon, "lyon-2");
  g_autoptr(JsonObject) r1 = NULL;
  g_autoptr(JsonObject) r2 = NULL;
  PoolWatch watch = { f->lyon, FALSE };
  FerryJob *job;

  g_signal_connect (f->lyon, "notify::state", G_CALLBACK (on_pool_state), &watch);

  /* Slow enough to be caught running, fast enough to end in the outage. */
  r1 = engine_sim_control (f->sim, "{\"command\": \"set_bandwidth\", \"mbps\": 300}");
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_true (engine_wait_job_state (job, FERRY_JOB_STATE_RUNNING, 60));
  g_assert_true (engine_wait_until (job_half_way, job, 60));

  r2 = engine_sim_control (f->sim, "{\"command\": \"drop_connections\", \"pool\": \"Lyon\", \"count\": 4,"
                                   " \"method\": \"event.from\"}");
  g_assert_cmpint (engine_wait_job (job, 180), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (ferry_vm_get_resident_on (vm) == target);

  g_signal_handlers_disconnect_by_data (f->lyon, &watch);
}

/* ---- adoption --------------------------------------------------------------------- */

static gboolean
has_one_job (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) >= 1;
}

static void
test_adopt (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(FerryJob) job = NULL;
  GListModel *jobs;
  FerryPool  *lyon;
  FerryVm    *vm;

  /* Another client started this before Ferry connected. */
  reply = engine_sim_control (f->sim, "{\"command\": \"add_task\", \"vm\": \"mail\", \"kind\": \"pool_migrate\","
                                      " \"target_host\": \"lyon-3\", \"progress\": 0.3}");

  lyon = engine_connect (f->manager, f->sim, "Lyon");
  jobs = ferry_manager_get_jobs (f->manager);
  g_assert_true (engine_wait_until (has_one_job, jobs, 10));
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);

  job = g_list_model_get_item (jobs, 0);
  vm = engine_vm (lyon, "mail");
  g_assert_true (ferry_job_get_adopted (job));
  g_assert_cmpstr (ferry_job_get_vm_name (job), ==, "mail");
  g_assert_cmpstr (ferry_job_get_vm_uuid (job), ==, ferry_vm_get_uuid (vm));
  g_assert_cmpstr (ferry_job_get_source_name (job), ==, "lyon-2");
  g_assert_cmpstr (ferry_job_get_target_name (job), ==, "lyon-3");
  g_assert_cmpstr (ferry_job_get_task_ref (job), ==, engine_json_string (reply, "task"));
  g_assert_true (ferry_vm_get_job (vm) == job);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_RUNNING);
  g_assert_cmpfloat (ferry_job_get_progress (job), >=, 0.3);

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (ferry_vm_get_resident_on (vm) == engine_host (lyon, "lyon-3"));
  g_assert_null (ferry_vm_get_job (vm));

  /* Someone else's task: theirs to destroy. */
  engine_spin (300);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "task.destroy"), ==, 0);
}

/* A storage task across pools, started elsewhere; and nothing else is
 * taken for a migration. */
static void
test_adopt_cross_pool (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(FerryJob) job = NULL;
  GListModel *jobs;

  reply = engine_sim_control (f->sim, "{\"command\": \"add_task\", \"vm\": \"proxy\", \"kind\": \"migrate_send\","
                                      " \"target_host\": \"paris-2\", \"progress\": 0.1}");

  engine_connect (f->manager, f->sim, "Lyon");
  engine_connect (f->manager, f->sim, "Paris");
  jobs = ferry_manager_get_jobs (f->manager);
  g_assert_true (engine_wait_until (has_one_job, jobs, 10));
  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);

  job = g_list_model_get_item (jobs, 0);
  g_assert_true (ferry_job_get_adopted (job));
  g_assert_cmpint (ferry_job_get_kind (job), ==, FERRY_MIGRATION_STORAGE);
  g_assert_cmpstr (ferry_job_get_vm_name (job), ==, "proxy");
  g_assert_cmpstr (ferry_job_get_source_name (job), ==, "lyon-2");
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/jobs/precheck-paused", Fixture, fast,
              engine_fixture_setup, test_precheck_paused, engine_fixture_teardown);
  g_test_add_func ("/engine/jobs/precheck-memory", test_precheck_memory);
  g_test_add ("/engine/jobs/cancel", Fixture, slow, engine_fixture_setup, test_cancel, engine_fixture_teardown);
  g_test_add ("/engine/jobs/cancel-queued", Fixture, fast,
              engine_fixture_setup, test_cancel_queued, engine_fixture_teardown);
  g_test_add ("/engine/jobs/fail-half-way", Fixture, fast,
              engine_fixture_setup, test_fail_half_way, engine_fixture_teardown);
  g_test_add ("/engine/jobs/connection-dropped", Fixture, slow,
              engine_fixture_setup, test_connection_dropped, engine_fixture_teardown);
  g_test_add ("/engine/jobs/finished-while-away", Fixture, fast,
              engine_fixture_setup, test_finished_while_away, engine_fixture_teardown);
  g_test_add ("/engine/jobs/adopt", Fixture, fast, engine_fixture_setup_sim, test_adopt, engine_fixture_teardown);
  g_test_add ("/engine/jobs/adopt-cross-pool", Fixture, fast,
              engine_fixture_setup_sim, test_adopt_cross_pool, engine_fixture_teardown);

  return g_test_run ();
}
