/* bench-task-latency.c: how late the job model sees a task's progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connects the engine (a FerryManager, as the window and ferryctl use it) to
 * one pool and migrates one VM back and forth between two hosts with
 * ferry_manager_migrate(), until it has seen at least SAMPLES progress
 * changes.  Every change is recorded twice, with g_get_monotonic_time()
 * (CLOCK_MONOTONIC, the clock ferry-sim stamps its changes with):
 *   "job":   when the FerryJob's "progress" property notifies (the model the
 *            window's job list is bound to);
 *   "cache": when the pool's XapiCache emits "changed" with the task in it
 *            (the library underneath).
 * It prints one JSON object per line, {"layer", "task", "progress",
 * "seen_us"}, then a last line {"done": true, ...}.  bench/run-steady-state
 * matches them with the simulator's progress_log (the time each change was
 * made) and prints the delays.
 *
 * usage: bench-task-latency URL USER VM HOST_A HOST_B SAMPLES
 *        (password on stdin)
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xapi-cache.h"
#include "xapi-util.h"
#include "engine/ferry-engine-private.h"

typedef struct
{
  GMainLoop    *loop;
  FerryManager *manager;
  FerryPool    *pool;
  FerryVm      *vm;
  FerryHost    *hosts[2];
  FerryJob     *job;
  guint         wanted;
  guint         seen; /* job-layer samples */
  guint         migrations;
  gboolean      failed;
} Bench;

static void start_migration (Bench *b);

static void
record (const char *layer,
        const char *task,
        double      progress,
        gint64      when)
{
  g_print ("{\"layer\":\"%s\",\"task\":\"%s\",\"progress\":%.6f,\"seen_us\":%" G_GINT64_FORMAT "}\n",
           layer, task, progress, when);
}

static void
job_progress_cb (FerryJob   *job,
                 GParamSpec *pspec,
                 Bench      *b)
{
  gint64      now = g_get_monotonic_time ();
  const char *task = ferry_job_get_task_ref (job);
  double      progress = ferry_job_get_progress (job);

  /* 1.0 is the end of the task, not a progress step: the simulator does not
   * log it, so there is nothing to match it with. */
  if (task == NULL || progress <= 0.0 || progress >= 1.0)
    return;
  record ("job", task, progress, now);
  b->seen++;
}

static void
cache_changed_cb (XapiCache *cache,
                  GPtrArray *changes,
                  Bench     *b)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < changes->len; i++)
    {
      XapiChange     *change = g_ptr_array_index (changes, i);
      const XapiTask *task = change->record;
      double          progress;

      if (change->kind != XAPI_CHANGE_MOD || change->klass != XAPI_CLASS_TASK)
        continue;
      if (task->status != XAPI_TASK_STATUS_PENDING)
        continue;
      progress = task->progress;
      if (progress > 0.0 && progress < 1.0)
        record ("cache", change->ref, progress, now);
    }
}

static void
job_state_cb (FerryJob   *job,
              GParamSpec *pspec,
              Bench      *b)
{
  FerryJobState state = ferry_job_get_state (job);

  if (state == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    {
      ferry_job_confirm (job, NULL);
      return;
    }
  if (!ferry_job_is_finished (job))
    return;

  g_signal_handlers_disconnect_by_data (job, b);
  if (state != FERRY_JOB_STATE_SUCCEEDED)
    {
      g_printerr ("bench-task-latency: migration %s: %s\n", ferry_job_state_to_string (state),
                  ferry_job_get_error (job) != NULL ? ferry_job_get_error (job) : "");
      b->failed = TRUE;
      g_main_loop_quit (b->loop);
      return;
    }
  if (b->seen >= b->wanted)
    g_main_loop_quit (b->loop);
  else
    start_migration (b);
}

static void
start_migration (Bench *b)
{
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_options_new ();
  FerryHost *target = ferry_vm_get_resident_on (b->vm) == b->hosts[0] ? b->hosts[1] : b->hosts[0];

  g_clear_object (&b->job);
  b->job = ferry_manager_migrate (b->manager, b->vm, target, options);
  if (b->job == NULL)
    {
      g_printerr ("bench-task-latency: the migration could not be started\n");
      b->failed = TRUE;
      g_main_loop_quit (b->loop);
      return;
    }
  g_object_ref (b->job);
  b->migrations++;
  g_signal_connect (b->job, "notify::progress", G_CALLBACK (job_progress_cb), b);
  g_signal_connect (b->job, "notify::state", G_CALLBACK (job_state_cb), b);
  job_state_cb (b->job, NULL, b);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;

  b->pool = ferry_manager_connect_finish (FERRY_MANAGER (object), result, &error);
  if (b->pool == NULL)
    {
      g_printerr ("bench-task-latency: %s\n", error->message);
      b->failed = TRUE;
    }
  g_main_loop_quit (b->loop);
}

int
main (int    argc,
      char **argv)
{
  char       password[256] = "";
  Bench      b = { 0 };
  XapiCache *cache;

  if (argc != 7)
    {
      g_printerr ("usage: %s URL USER VM HOST_A HOST_B SAMPLES  (password on stdin)\n", argv[0]);
      return 2;
    }
  if (fgets (password, sizeof password, stdin) != NULL)
    password[strcspn (password, "\n")] = '\0';
  b.wanted = (guint) MAX (1, atoi (argv[6]));

  b.loop = g_main_loop_new (NULL, FALSE);
  b.manager = ferry_manager_new (NULL);
  ferry_manager_connect_async (b.manager, argv[1], argv[2], password, NULL, FALSE, NULL, connect_cb, &b);
  memset (password, 0, sizeof password);
  g_main_loop_run (b.loop);
  if (b.failed)
    return 1;

  /* connect_finish returns once the pool is loaded */
  while (ferry_pool_get_state (b.pool) != FERRY_POOL_STATE_READY &&
         ferry_pool_get_state (b.pool) != FERRY_POOL_STATE_FAILED)
    g_main_context_iteration (NULL, TRUE);

  b.vm = ferry_pool_find_vm (b.pool, argv[3]);
  b.hosts[0] = ferry_pool_find_host (b.pool, argv[4]);
  b.hosts[1] = ferry_pool_find_host (b.pool, argv[5]);
  if (b.vm == NULL || b.hosts[0] == NULL || b.hosts[1] == NULL)
    {
      g_printerr ("bench-task-latency: no VM %s or host %s or %s in that pool\n", argv[3], argv[4], argv[5]);
      return 1;
    }
  cache = ferry_pool_get_cache (b.pool);
  g_signal_connect (cache, "changed", G_CALLBACK (cache_changed_cb), &b);

  start_migration (&b);
  if (!b.failed)
    g_main_loop_run (b.loop);
  g_signal_handlers_disconnect_by_data (cache, &b);

  g_print ("{\"done\":true,\"client\":\"ferry-engine %s\",\"migrations\":%u,\"samples\":%u,\"failed\":%s}\n",
           PACKAGE_VERSION, b.migrations, b.seen, b.failed ? "true" : "false");

  g_clear_object (&b.job);
  ferry_manager_disconnect (b.manager, b.pool);
  g_clear_object (&b.pool);
  g_clear_object (&b.manager);
  g_main_loop_unref (b.loop);
  return b.failed ? 1 : 0;
}
