/* test-engine-queue.c: many storage migrations from one host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "engine-fixture.h"

#define N_VMS 12

typedef struct
{
  char         *dir;
  char         *path;
  EngineSim    *sim;
  FerryManager *manager;
  FerryPool    *pool;
} Fixture;

/* Two hosts with local storage only; every VM on q-1. */
static char *
make_scenario (void)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_append (json, "{\"pools\": [{\"name\": \"Queue\", \"username\": \"root\", \"password\": \"ferry\","
                         " \"hosts\": [{\"name\": \"q-1\", \"memory_gib\": 256}, {\"name\": \"q-2\", \"memory_gib\": 256}],"
                         " \"srs\": [{\"name\": \"Local q-1\", \"type\": \"lvm\", \"host\": \"q-1\", \"size_gib\": 900},"
                         "           {\"name\": \"Local q-2\", \"type\": \"lvm\", \"host\": \"q-2\", \"size_gib\": 900}],"
                         " \"vms\": [");
  for (guint i = 1; i <= N_VMS; i++)
    g_string_append_printf (json, "%s{\"name\": \"vm-%02u\", \"host\": \"q-1\", \"memory_mib\": 256, \"vcpus\": 1,"
                                  " \"disks\": [{\"sr\": \"Local q-1\", \"size_gib\": 4, \"used_mib\": 1024}]}",
                            i > 1 ? ", " : "", i);
  g_string_append (json, "]}]}");

  return g_string_free (g_steal_pointer (&json), FALSE);
}

static void
setup (Fixture      *f,
       gconstpointer data)
{
  g_autofree char *scenario = make_scenario ();
  g_autofree char *arg = NULL;
  const char      *args[3] = { NULL, data, NULL };

  f->dir = g_dir_make_tmp ("ferry-engine-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "queue.json", NULL);
  g_assert_true (g_file_set_contents (f->path, scenario, -1, NULL));
  arg = g_strconcat ("--scenario=", f->path, NULL);
  args[0] = arg;

  f->sim = engine_sim_start (args);
  f->manager = ferry_manager_new (NULL);
  f->pool = engine_connect (f->manager, f->sim, "Queue");
}

static void
teardown (Fixture      *f,
          gconstpointer data)
{
  g_clear_object (&f->manager);
  engine_spin (100);
  engine_sim_stop (f->sim);
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Watches every job: how many run at once, in which order they start, and
 * whether one ever went back to the queue. */
typedef struct
{
  GPtrArray *jobs;
  GPtrArray *started; /* in the order they first ran */
  guint      running;
  guint      max_running;
  guint      requeued;
} Watch;

static gboolean
is_running (FerryJob *job)
{
  FerryJobState state = ferry_job_get_state (job);

  return state == FERRY_JOB_STATE_RUNNING || state == FERRY_JOB_STATE_CANCELLING;
}

static void
recount (Watch *w)
{
  w->running = 0;
  for (guint i = 0; i < w->jobs->len; i++)
    if (is_running (g_ptr_array_index (w->jobs, i)))
      w->running++;
  w->max_running = MAX (w->max_running, w->running);
}

static void
on_job_state (FerryJob   *job,
              GParamSpec *pspec,
              Watch      *w)
{
  if (is_running (job) && !g_ptr_array_find (w->started, job, NULL))
    g_ptr_array_add (w->started, job);
  else if (ferry_job_get_state (job) == FERRY_JOB_STATE_QUEUED && g_ptr_array_find (w->started, job, NULL))
    w->requeued++;
  recount (w);
}

static gboolean
all_finished (gpointer data)
{
  Watch *w = data;

  for (guint i = 0; i < w->jobs->len; i++)
    if (!ferry_job_is_finished (g_ptr_array_index (w->jobs, i)))
      return FALSE;
  return TRUE;
}

static void
watch_clear (Watch *w)
{
  for (guint i = 0; i < w->jobs->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (w->jobs, i), w);
  g_ptr_array_unref (w->jobs);
  g_ptr_array_unref (w->started);
}

/* Plans @n migrations q-1 -> q-2, then says "OK" to all at once. */
static void
queue_many (Fixture *f,
            Watch   *w,
            guint    n)
{
  FerryHost *target = engine_host (f->pool, "q-2");

  w->jobs = g_ptr_array_new ();
  w->started = g_ptr_array_new ();

  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm-%02u", i);
      FerryJob        *job = ferry_manager_migrate (f->manager, engine_vm (f->pool, name), target, NULL);

      g_ptr_array_add (w->jobs, job);
      g_signal_connect (job, "notify::state", G_CALLBACK (on_job_state), w);
    }
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (engine_wait_job (g_ptr_array_index (w->jobs, i), 60), ==,
                     FERRY_JOB_STATE_AWAITING_CONFIRMATION);

  for (guint i = 0; i < n; i++)
    {
      FerryJob *job = g_ptr_array_index (w->jobs, i);

      ferry_job_confirm (job, NULL);
      /* Everything waits for its turn in the queue first. */
      g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_QUEUED);
      g_assert_true (ferry_job_get_can_cancel (job));
    }
}

static void
test_ten (Fixture      *f,
          gconstpointer data)
{
  g_autoptr(JsonArray) sends = NULL;
  Watch w = { 0 };

  engine_sim_calls (f->sim, "Queue", NULL, TRUE);
  queue_many (f, &w, 10);

  g_assert_true (engine_wait_until (all_finished, &w, 240));
  for (guint i = 0; i < w.jobs->len; i++)
    g_assert_cmpint (ferry_job_get_state (g_ptr_array_index (w.jobs, i)), ==, FERRY_JOB_STATE_SUCCEEDED);

  g_test_message ("at most %u at once", w.max_running);
  g_assert_cmpuint (w.max_running, ==, 3);
  g_assert_cmpuint (w.requeued, ==, 0);
  /* In the order they were confirmed. */
  g_assert_cmpuint (w.started->len, ==, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_true (g_ptr_array_index (w.started, i) == g_ptr_array_index (w.jobs, i));

  /* The pool never had to refuse one. */
  sends = engine_sim_calls (f->sim, "Queue", "Async.VM.migrate_send", FALSE);
  g_assert_cmpuint (json_array_get_length (sends), ==, 10);

  watch_clear (&w);
}

static void
test_limit_two (Fixture      *f,
                gconstpointer data)
{
  Watch w = { 0 };

  ferry_manager_set_storage_migrations_per_host (f->manager, 2);
  g_assert_cmpuint (ferry_manager_get_storage_migrations_per_host (f->manager), ==, 2);
  queue_many (f, &w, 5);

  g_assert_true (engine_wait_until (all_finished, &w, 240));
  for (guint i = 0; i < w.jobs->len; i++)
    g_assert_cmpint (ferry_job_get_state (g_ptr_array_index (w.jobs, i)), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_cmpuint (w.max_running, ==, 2);

  watch_clear (&w);
}

/* Another client keeps the host busy: TOO_MANY_STORAGE_MIGRATES puts the
 * job back in the queue, and it gets through later. */
static void
test_too_many (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(JsonObject) slow = NULL;
  g_autoptr(JsonArray) sends = NULL;
  Watch w = { 0 };

  /* Three storage migrations of "another client", about 6 s each. */
  slow = engine_sim_control (f->sim, "{\"command\": \"set_bandwidth\", \"mbps\": 200}");
  for (guint i = 10; i <= 12; i++)
    {
      g_autofree char *command = g_strdup_printf ("{\"command\": \"add_task\", \"vm\": \"vm-%02u\","
                                                  " \"kind\": \"migrate_send\", \"target_host\": \"q-2\"}",
                                                  i);
      g_autoptr(JsonObject) reply = engine_sim_control (f->sim, command);

      g_assert_nonnull (engine_json_string (reply, "task"));
    }

  engine_sim_calls (f->sim, "Queue", NULL, TRUE);
  queue_many (f, &w, 1);

  g_assert_true (engine_wait_until (all_finished, &w, 240));
  g_assert_cmpint (ferry_job_get_state (g_ptr_array_index (w.jobs, 0)), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_null (ferry_job_get_error (g_ptr_array_index (w.jobs, 0)));
  g_assert_cmpuint (w.requeued, >=, 1);

  sends = engine_sim_calls (f->sim, "Queue", "Async.VM.migrate_send", FALSE);
  g_test_message ("%u attempts", json_array_get_length (sends));
  g_assert_cmpuint (json_array_get_length (sends), >=, 2);

  watch_clear (&w);
}

/* ---- steering the queue ---------------------------------------------------------- */

/* From the simulator's progress log: each migration task's first and last
 * progress change, as intervals; returns the most that overlapped.  This
 * is what the pool saw, not what the engine believes. */
static guint
max_overlap_on_server (Fixture *f,
                       guint   *n_tasks)
{
  g_autoptr(JsonObject) reply = engine_sim_control (f->sim, "{\"command\": \"progress_log\"}");
  JsonArray *log = json_object_get_array_member (reply, "log");
  g_autoptr(GHashTable) first = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  GHashTableIter iter;
  gpointer       key, value;
  guint          best = 0;

  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *mark = json_array_get_object_element (log, i);
      const char *task = json_object_get_string_member (mark, "task");
      gint64     *t = g_new (gint64, 1);

      *t = json_object_get_int_member (mark, "time_us");
      if (!g_hash_table_contains (first, task))
        g_hash_table_insert (first, (gpointer) task, g_memdup2 (t, sizeof *t));
      g_hash_table_insert (last, (gpointer) task, t);
    }

  /* Overlap is highest at some task's start. */
  g_hash_table_iter_init (&iter, first);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64         at = *(gint64 *) value;
      GHashTableIter other;
      gpointer       okey, ovalue;
      guint          running = 0;

      g_hash_table_iter_init (&other, first);
      while (g_hash_table_iter_next (&other, &okey, &ovalue))
        if (*(gint64 *) ovalue <= at && *(gint64 *) g_hash_table_lookup (last, okey) >= at)
          running++;
      best = MAX (best, running);
    }

  if (n_tasks != NULL)
    *n_tasks = g_hash_table_size (first);
  return best;
}

static void
test_pool_concurrency (Fixture      *f,
                       gconstpointer data)
{
  Watch w = { 0 };
  guint n_tasks = 0;
  guint on_server;

  /* The default is what XAPI allows; a pool's own value is 1 to 3. */
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (f->manager, f->pool), ==, 3);
  ferry_manager_set_pool_concurrency (f->manager, f->pool, 9);
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (f->manager, f->pool), ==, 3);
  ferry_manager_set_pool_concurrency (f->manager, f->pool, 2);
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (f->manager, f->pool), ==, 2);

  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"progress_log\", \"clear\": true}"));
  queue_many (f, &w, 6);
  g_assert_true (engine_wait_until (all_finished, &w, 240));
  for (guint i = 0; i < w.jobs->len; i++)
    g_assert_cmpint (ferry_job_get_state (g_ptr_array_index (w.jobs, i)), ==, FERRY_JOB_STATE_SUCCEEDED);

  on_server = max_overlap_on_server (f, &n_tasks);
  g_test_message ("engine: at most %u at once; pool: %u tasks, at most %u at once",
                  w.max_running, n_tasks, on_server);
  g_assert_cmpuint (w.max_running, ==, 2);
  g_assert_cmpuint (n_tasks, ==, 6);
  g_assert_cmpuint (on_server, <=, 2);
  g_assert_cmpuint (on_server, >=, 1);

  /* Back to the default. */
  ferry_manager_set_pool_concurrency (f->manager, f->pool, 0);
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (f->manager, f->pool), ==, 3);

  watch_clear (&w);
}

/* ferryctl --concurrency: one value for every pool, over the pool's own. */
static void
test_override (Fixture      *f,
               gconstpointer data)
{
  Watch w = { 0 };
  guint n_tasks = 0;
  guint on_server;

  ferry_manager_set_pool_concurrency (f->manager, f->pool, 3);
  ferry_manager_set_concurrency_override (f->manager, 1);
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (f->manager, f->pool), ==, 1);

  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"progress_log\", \"clear\": true}"));
  queue_many (f, &w, 3);
  g_assert_true (engine_wait_until (all_finished, &w, 240));
  for (guint i = 0; i < w.jobs->len; i++)
    g_assert_cmpint (ferry_job_get_state (g_ptr_array_index (w.jobs, i)), ==, FERRY_JOB_STATE_SUCCEEDED);

  on_server = max_overlap_on_server (f, &n_tasks);
  g_test_message ("pool: %u tasks, at most %u at once", n_tasks, on_server);
  g_assert_cmpuint (w.max_running, ==, 1);
  g_assert_cmpuint (n_tasks, ==, 3);
  g_assert_cmpuint (on_server, ==, 1);
  /* One after the other, in order. */
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_ptr_array_index (w.started, i) == g_ptr_array_index (w.jobs, i));

  ferry_manager_set_concurrency_override (f->manager, 0);
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (f->manager, f->pool), ==, 3);

  watch_clear (&w);
}

static gboolean
job_is_running (gpointer data)
{
  return is_running (data);
}

static gboolean
sent_for (Fixture    *f,
          const char *vm_name)
{
  g_autoptr(JsonArray) sends = engine_sim_calls (f->sim, "Queue", "Async.VM.migrate_send", FALSE);
  const char *vm_ref = ferry_vm_get_ref (engine_vm (f->pool, vm_name));

  for (guint i = 0; i < json_array_get_length (sends); i++)
    {
      JsonObject *call = json_array_get_object_element (sends, i);
      JsonArray  *params = json_object_get_array_member (call, "params");

      if (g_strcmp0 (json_array_get_string_element (params, 1), vm_ref) == 0)
        return TRUE;
    }
  return FALSE;
}

/* One at a time: the second is paused, the third removed; the fourth goes
 * before the paused one, the removed one never goes; resumed, the second
 * goes last. */
static void
test_pause_remove (Fixture      *f,
                   gconstpointer data)
{
  GListModel *jobs = ferry_manager_get_jobs (f->manager);
  FerryJob   *first, *paused, *removed, *fourth;
  Watch       w = { 0 };
  guint       position;

  ferry_manager_set_pool_concurrency (f->manager, f->pool, 1);
  engine_sim_calls (f->sim, "Queue", NULL, TRUE);
  queue_many (f, &w, 4);
  first = g_ptr_array_index (w.jobs, 0);
  paused = g_ptr_array_index (w.jobs, 1);
  removed = g_ptr_array_index (w.jobs, 2);
  fourth = g_ptr_array_index (w.jobs, 3);

  g_assert_true (ferry_job_set_paused (paused, TRUE));
  g_assert_true (ferry_job_get_paused (paused));
  g_object_ref (removed);
  g_assert_true (ferry_manager_remove_job (f->manager, removed));
  g_assert_cmpint (ferry_job_get_state (removed), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_false (g_list_store_find (G_LIST_STORE (jobs), removed, &position));

  /* Neither applies to a job that runs. */
  g_assert_true (engine_wait_until (job_is_running, first, 60));
  g_assert_false (ferry_job_set_paused (first, TRUE));
  g_assert_false (ferry_job_get_paused (first));
  g_assert_false (ferry_manager_remove_job (f->manager, first));

  g_assert_cmpint (engine_wait_job_state (fourth, FERRY_JOB_STATE_SUCCEEDED, 120) ? FERRY_JOB_STATE_SUCCEEDED
                                                                                  : ferry_job_get_state (fourth),
                   ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_cmpint (ferry_job_get_state (first), ==, FERRY_JOB_STATE_SUCCEEDED);
  /* The paused one is still waiting, and the pool never heard of it. */
  engine_spin (500);
  g_assert_cmpint (ferry_job_get_state (paused), ==, FERRY_JOB_STATE_QUEUED);
  g_assert_true (ferry_job_get_paused (paused));
  g_assert_false (sent_for (f, "vm-02"));

  g_assert_true (ferry_job_set_paused (paused, FALSE));
  g_assert_cmpint (engine_wait_job (paused, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_false (ferry_job_get_paused (paused));

  /* Started in that order; the removed VM was never sent. */
  g_assert_cmpuint (w.started->len, ==, 3);
  g_assert_true (g_ptr_array_index (w.started, 0) == first);
  g_assert_true (g_ptr_array_index (w.started, 1) == fourth);
  g_assert_true (g_ptr_array_index (w.started, 2) == paused);
  g_assert_true (sent_for (f, "vm-02"));
  g_assert_false (sent_for (f, "vm-03"));
  g_assert_true (ferry_vm_get_resident_on (engine_vm (f->pool, "vm-03")) == engine_host (f->pool, "q-1"));

  /* The watch still looks at the removed job; it goes after. */
  watch_clear (&w);
  g_object_unref (removed);
}

static void
on_batch_ended (FerryManager *manager,
                FerryBatch   *batch,
                gpointer      user_data)
{
  GPtrArray *ended = user_data;

  g_ptr_array_add (ended, batch);
}

static gboolean
have_one (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

/* Four VMs, one at a time: two move, one fails, one is cancelled while it
 * waits; the batch ends once, with what each did. */
static void
test_batch_summary (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(GPtrArray) ended = g_ptr_array_new ();
  g_autoptr(JsonObject) reply = NULL;
  g_auto(GStrv) problems = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *command = NULL;
  FerryVm         *failing = engine_vm (f->pool, "vm-02");
  FerryBatch      *batch;
  guint            succeeded, failed, cancelled, unknown;
  Watch            w = { 0 };

  command = g_strdup_printf ("{\"command\": \"fail_migration\", \"vm\": \"vm-02\", \"at\": 0.3,"
                             " \"error\": [\"MIRROR_FAILED\", \"%s\"]}",
                             ((FerryDisk *) g_ptr_array_index (ferry_vm_get_disks (failing), 0))->vdi_ref);
  reply = engine_sim_control (f->sim, command);

  ferry_manager_set_pool_concurrency (f->manager, f->pool, 1);
  g_signal_connect (f->manager, "batch-ended", G_CALLBACK (on_batch_ended), ended);
  queue_many (f, &w, 4);
  batch = ferry_manager_add_batch (f->manager, "Four VMs", w.jobs);
  g_assert_nonnull (batch);
  g_assert_cmpstr (ferry_batch_get_title (batch), ==, "Four VMs");
  g_assert_true (ferry_batch_get_for_job (g_ptr_array_index (w.jobs, 0)) == batch);
  /* A job belongs to one batch; one job alone is no batch. */
  g_assert_null (ferry_manager_add_batch (f->manager, "again", w.jobs));
  g_assert_false (ferry_batch_get_ended (batch));

  ferry_job_cancel (g_ptr_array_index (w.jobs, 3));
  g_assert_false (ferry_batch_get_ended (batch));

  g_assert_true (engine_wait_until (have_one, ended, 240));
  g_assert_true (all_finished (&w));
  g_assert_cmpuint (ended->len, ==, 1);
  g_assert_true (g_ptr_array_index (ended, 0) == batch);
  g_assert_true (ferry_batch_get_ended (batch));

  ferry_batch_count (batch, &succeeded, &failed, &cancelled, &unknown);
  g_assert_cmpuint (succeeded, ==, 2);
  g_assert_cmpuint (failed, ==, 1);
  g_assert_cmpuint (cancelled, ==, 1);
  g_assert_cmpuint (unknown, ==, 0);
  summary = ferry_batch_dup_summary (batch);
  g_assert_cmpstr (summary, ==, "2 done, 1 failed, 1 cancelled");
  problems = ferry_batch_dup_problems (batch);
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_true (g_str_has_prefix (problems[0], "vm-02: "));
  g_assert_cmpstr (problems[0] + strlen ("vm-02: "), ==, ferry_job_get_error (g_ptr_array_index (w.jobs, 1)));

  engine_spin (300);
  g_assert_cmpuint (ended->len, ==, 1);
  g_signal_handlers_disconnect_by_data (f->manager, ended);
  watch_clear (&w);
}

static gboolean
all_unknown_or_finished (gpointer data)
{
  Watch *w = data;

  for (guint i = 0; i < w->jobs->len; i++)
    {
      FerryJob *job = g_ptr_array_index (w->jobs, i);

      if (!ferry_job_is_finished (job) && ferry_job_get_state (job) != FERRY_JOB_STATE_UNKNOWN)
        return FALSE;
    }
  return TRUE;
}

/* Both migrations are out in the pool and moving. */
static gboolean
both_running (gpointer data)
{
  Watch *w = data;

  for (guint i = 0; i < w->jobs->len; i++)
    {
      FerryJob *job = g_ptr_array_index (w->jobs, i);

      if (!is_running (job) || ferry_job_get_task_ref (job) == NULL || ferry_job_get_progress (job) < 0.02)
        return FALSE;
    }
  return TRUE;
}

/* What a job may say: a migration whose outcome Ferry cannot tell is
 * neither done nor failed in the summary, and does not hold it back. */
static void
test_batch_unknown (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(GPtrArray) ended = g_ptr_array_new ();
  g_autofree char *summary = NULL;
  g_auto(GStrv) problems = NULL;
  FerryBatch *batch;
  guint       succeeded, failed, cancelled, unknown;
  Watch       w = { 0 };

  /* Slow enough that neither ends before the pool is lost for good. */
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"set_bandwidth\", \"mbps\": 20}"));
  g_signal_connect (f->manager, "batch-ended", G_CALLBACK (on_batch_ended), ended);
  queue_many (f, &w, 2);
  batch = ferry_manager_add_batch (f->manager, "Two VMs", w.jobs);
  g_assert_true (engine_wait_until (both_running, &w, 60));
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"set_bandwidth\", \"mbps\": 2}"));
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"set_password\", \"pool\": \"Queue\", "
                                                 "\"password\": \"changed\"}"));
  json_object_unref (engine_sim_control (f->sim, "{\"command\": \"expire_sessions\", \"pool\": \"Queue\"}"));

  g_assert_true (engine_wait_until (all_unknown_or_finished, &w, 120));
  g_assert_true (engine_wait_until (have_one, ended, 10));
  ferry_batch_count (batch, &succeeded, &failed, &cancelled, &unknown);
  g_test_message ("%u done, %u failed, %u cancelled, %u unknown", succeeded, failed, cancelled, unknown);
  g_assert_cmpuint (unknown, ==, 2);
  g_assert_cmpuint (succeeded, ==, 0);
  g_assert_cmpuint (failed, ==, 0);
  summary = ferry_batch_dup_summary (batch);
  g_assert_cmpstr (summary, ==, "2 outcomes unknown");
  problems = ferry_batch_dup_problems (batch);
  g_assert_cmpuint (g_strv_length (problems), ==, 2);
  g_assert_nonnull (strstr (problems[0], ": outcome unknown ("));

  g_signal_handlers_disconnect_by_data (f->manager, ended);
  watch_clear (&w);
}

/* With a store, a pool's concurrency and the choices for a pair of pools
 * are saved in GSettings (by uuid, nothing else), where the next manager
 * (the next run, or ferryctl) finds them; the queue follows the setting. */
static void
test_saved_in_settings (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(FerryServerStore) store = NULL;
  g_autoptr(FerryManager) manager = NULL;
  g_autoptr(FerryManager) next = NULL;
  g_autoptr(GVariant) saved = NULL;
  g_autoptr(GVariant) pairs = NULL;
  g_autoptr(GVariant) pair = NULL;
  g_autoptr(FerryMigrateOptions) choices = ferry_migrate_options_new ();
  g_autofree char *key = NULL;
  FerryPool       *pool, *again;
  FerrySr         *sr;
  guint            n = 0;
  const char      *uuid;

  g_settings_reset (settings, "pool-concurrency");
  g_settings_reset (settings, "pool-pair-choices");
  store = ferry_server_store_new (settings);
  manager = ferry_manager_new (store);
  pool = engine_connect (manager, f->sim, "Queue");

  ferry_manager_set_pool_concurrency (manager, pool, 2);
  saved = g_settings_get_value (settings, "pool-concurrency");
  g_assert_cmpstr (g_variant_get_type_string (saved), ==, "a{su}");
  g_assert_true (g_variant_lookup (saved, ferry_pool_get_uuid (pool), "u", &n));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (g_variant_n_children (saved), ==, 1);

  /* Another manager on the same settings: the same value for the pool;
   * what it saves, this one follows. */
  next = ferry_manager_new (store);
  again = engine_connect (next, f->sim, "Queue");
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (next, again), ==, 2);
  ferry_manager_set_pool_concurrency (next, again, 1);
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (manager, pool), ==, 1);
  ferry_manager_set_pool_concurrency (next, again, 0);
  g_clear_pointer (&saved, g_variant_unref);
  saved = g_settings_get_value (settings, "pool-concurrency");
  g_assert_cmpuint (g_variant_n_children (saved), ==, 0);
  g_assert_cmpuint (ferry_manager_get_pool_concurrency (manager, pool), ==, 3);

  /* Choices are kept by uuid.  A pool to itself is not a pair. */
  sr = ferry_pool_find_sr (pool, "Local q-2");
  ferry_migrate_options_set_sr (choices, sr);
  ferry_manager_remember_choices (manager, pool, pool, choices);
  pairs = g_settings_get_value (settings, "pool-pair-choices");
  g_assert_cmpstr (g_variant_get_type_string (pairs), ==, "a{sa{ss}}");
  g_assert_cmpuint (g_variant_n_children (pairs), ==, 0);
  g_assert_null (ferry_manager_recall_choices (manager, pool, engine_host (pool, "q-2")));

  uuid = ferry_pool_get_uuid (pool);
  key = g_strdup_printf ("%s>other-pool", uuid);
  g_settings_set_value (settings, "pool-pair-choices",
                        g_variant_new_parsed ("{%s: {'sr': %s, 'network': 'gone'}}", key, ferry_sr_get_uuid (sr)));
  g_clear_pointer (&pairs, g_variant_unref);
  pairs = g_settings_get_value (settings, "pool-pair-choices");
  pair = g_variant_lookup_value (pairs, key, G_VARIANT_TYPE ("a{ss}"));
  g_assert_nonnull (pair);

  /* A stored password is nowhere near. */
  {
    g_autofree char *text = g_variant_print (pairs, TRUE);
    g_autofree char *text2 = g_variant_print (saved, TRUE);

    g_assert_null (strstr (text, "ferry"));
    g_assert_null (strstr (text2, "ferry"));
  }

  g_settings_reset (settings, "pool-pair-choices");
  ferry_manager_disconnect (next, again);
  ferry_manager_disconnect (manager, pool);
  g_clear_object (&next);
  g_clear_object (&manager);
  engine_spin (100);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/queue/ten", Fixture, "--bandwidth=1000", setup, test_ten, teardown);
  g_test_add ("/engine/queue/limit-two", Fixture, "--bandwidth=1000", setup, test_limit_two, teardown);
  g_test_add ("/engine/queue/too-many", Fixture, "--bandwidth=1000", setup, test_too_many, teardown);
  g_test_add ("/engine/queue/pool-concurrency", Fixture, "--bandwidth=1000", setup, test_pool_concurrency, teardown);
  g_test_add ("/engine/queue/concurrency-override", Fixture, "--bandwidth=1000", setup, test_override, teardown);
  g_test_add ("/engine/queue/pause-remove", Fixture, "--bandwidth=1000", setup, test_pause_remove, teardown);
  g_test_add ("/engine/queue/batch-summary", Fixture, "--bandwidth=1000", setup, test_batch_summary, teardown);
  g_test_add ("/engine/queue/batch-unknown", Fixture, "--bandwidth=1000", setup, test_batch_unknown, teardown);
  g_test_add ("/engine/queue/saved-in-settings", Fixture, "--bandwidth=1000", setup, test_saved_in_settings, teardown);

  return g_test_run ();
}
