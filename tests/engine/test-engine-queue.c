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
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autofree char *scenario = make_scenario ();
  g_autofree char *arg = NULL;
  const char *args[3] = { NULL, data, NULL };

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
teardown (Fixture       *f,
          gconstpointer  data)
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
  GPtrArray *started;     /* in the order they first ran */
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
      FerryJob *job = ferry_manager_migrate (f->manager, engine_vm (f->pool, name), target, NULL);

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
test_ten (Fixture       *f,
          gconstpointer  data)
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
test_limit_two (Fixture       *f,
                gconstpointer  data)
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
test_too_many (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonObject) slow = NULL;
  g_autoptr(JsonArray) sends = NULL;
  Watch w = { 0 };

  /* Three storage migrations of "another client", about 6 s each. */
  slow = engine_sim_control (f->sim, "{\"command\": \"set_bandwidth\", \"mbps\": 200}");
  for (guint i = 10; i <= 12; i++)
    {
      g_autofree char *command = g_strdup_printf ("{\"command\": \"add_task\", \"vm\": \"vm-%02u\","
                                                  " \"kind\": \"migrate_send\", \"target_host\": \"q-2\"}", i);
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/queue/ten", Fixture, "--bandwidth=1000", setup, test_ten, teardown);
  g_test_add ("/engine/queue/limit-two", Fixture, "--bandwidth=1000", setup, test_limit_two, teardown);
  g_test_add ("/engine/queue/too-many", Fixture, "--bandwidth=1000", setup, test_too_many, teardown);

  return g_test_run ();
}
