/* ferry-bench.c: opt-in timing marks for bench/run-gui-load
 *
 * The GUI variant of the inventory-load benchmark needs two figures that only
 * the process itself can see: the moment the tree holds a row for every pool,
 * host and VM (and the first frame painted after it), and the longest time
 * the main loop was busy while loading, during which the window could not
 * answer.  With FERRY_BENCH set in the environment the inventory view calls
 * ferry_bench_watch(), which prints one line per event on standard output:
 *
 *   ferry-bench EVENT t_us=MONOTONIC_MICROSECONDS [key=value ...]
 *
 * Events: window-shown (the first frame of the inventory painted),
 * pool-connecting, pool-loading, pool-ready and pool-failed (the
 * engine's pool states: login started, logged in and loading, object cache
 * complete), pool-filling (the first host reached the pool's list: the
 * load is being applied), tree-complete (the list view's model has every row), tree-shown (the
 * first frame painted after that), and stall (t_us is when a 5 ms
 * high-priority timeout finally ran, late_us how late it was, i.e. how long
 * the main loop was busy; from 2 ms on; cpu_us the CPU time the main thread
 * used since the tick before, which tells work on the main thread from
 * waiting for a core on a busy machine), and frame (a frame of the window
 * that took 2 ms or more: layout_us from its start to the end of the
 * layout phase, measuring and allocating; paint_us the paint phase,
 * snapshot and rendering; cpu_us the main thread's CPU time in it,
 * layout_cpu_us in the layout phase).  It
 * only reads the engine's models;
 * without FERRY_BENCH none of this runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-bench"

#include "config.h"

#include <stdio.h>
#include <time.h>

#include "ferry-engine.h"

#include "ferry-bench.h"

#define TICK_MS 5
#define REPORTED_LATE_US 2000

typedef struct
{
  GtkWidget     *widget; /* unowned: this struct is its data */
  GListModel    *pools;
  GListModel    *tree;
  GPtrArray     *watched; /* FerryPool whose state we follow */
  GdkFrameClock *frame_clock;
  gulong         paint_id;
  GdkFrameClock *window_clock; /* until the window's first frame */
  gulong         window_paint_id;
  GdkFrameClock *phase_clock; /* the phases of every frame */
  gint64         frame_start;
  gint64         frame_layout;
  gint64         frame_cpu;
  gint64         frame_layout_cpu;
  guint          tick_id;
  gint64         last_tick;
  gint64         last_cpu; /* the main thread's CPU time then, µs */
  gboolean       complete;
  gboolean       filling;
} FerryBench;

static void
mark (const char *event,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
mark (const char *event,
      const char *format,
      ...)
{
  g_autofree char *rest = NULL;
  va_list          args;

  va_start (args, format);
  rest = g_strdup_vprintf (format, args);
  va_end (args);

  /* stdout is a file or a pipe under the benchmark: flush every line. */
  printf ("ferry-bench %s t_us=%" G_GINT64_FORMAT " %s\n", event, g_get_monotonic_time (), rest);
  fflush (stdout);
}

static void
window_paint_cb (GdkFrameClock *frame_clock,
                 FerryBench    *bench)
{
  mark ("window-shown", "%s", "");
  g_clear_signal_handler (&bench->window_paint_id, bench->window_clock);
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
frame_start_cb (GdkFrameClock *frame_clock,
                FerryBench    *bench)
{
  bench->frame_start = g_get_monotonic_time ();
  bench->frame_layout = bench->frame_start;
  bench->frame_cpu = thread_cpu_us ();
  bench->frame_layout_cpu = bench->frame_cpu;
}

static void
frame_layout_cb (GdkFrameClock *frame_clock,
                 FerryBench    *bench)
{
  bench->frame_layout = g_get_monotonic_time ();
  bench->frame_layout_cpu = thread_cpu_us ();
}

static void
frame_end_cb (GdkFrameClock *frame_clock,
              FerryBench    *bench)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu;

  if (bench->frame_start == 0 || now - bench->frame_start < REPORTED_LATE_US)
    return;
  cpu = thread_cpu_us ();

  mark ("frame",
        "layout_us=%" G_GINT64_FORMAT " paint_us=%" G_GINT64_FORMAT " cpu_us=%" G_GINT64_FORMAT
        " layout_cpu_us=%" G_GINT64_FORMAT,
        bench->frame_layout - bench->frame_start, now - bench->frame_layout, cpu - bench->frame_cpu,
        bench->frame_layout_cpu - bench->frame_cpu);
  bench->frame_start = 0;
}

static gboolean
tick_cb (gpointer user_data)
{
  FerryBench *bench = user_data;
  gint64      now = g_get_monotonic_time ();
  gint64      cpu = thread_cpu_us ();
  gint64      late = now - bench->last_tick - TICK_MS * 1000;

  if (late >= REPORTED_LATE_US)
    mark ("stall", "late_us=%" G_GINT64_FORMAT " cpu_us=%" G_GINT64_FORMAT, late, cpu - bench->last_cpu);
  bench->last_tick = now;
  bench->last_cpu = cpu;

  /* The stalls of building the window are told apart from the load's. */
  if (bench->window_clock == NULL && gtk_widget_get_mapped (bench->widget))
    {
      bench->window_clock = g_object_ref (gtk_widget_get_frame_clock (bench->widget));
      bench->window_paint_id = g_signal_connect (bench->window_clock, "after-paint",
                                                 G_CALLBACK (window_paint_cb), bench);
    }
  /* The window's clock, which runs before the inventory is shown. */
  if (bench->phase_clock == NULL)
    {
      GtkNative  *native = gtk_widget_get_native (bench->widget);
      GdkSurface *surface = native ? gtk_native_get_surface (native) : NULL;

      if (surface != NULL)
        {
          /* Connected after the window's own handlers: each runs at the
           * end of its phase. */
          bench->phase_clock = g_object_ref (gdk_surface_get_frame_clock (surface));
          g_signal_connect (bench->phase_clock, "before-paint", G_CALLBACK (frame_start_cb), bench);
          g_signal_connect (bench->phase_clock, "layout", G_CALLBACK (frame_layout_cb), bench);
          g_signal_connect (bench->phase_clock, "after-paint", G_CALLBACK (frame_end_cb), bench);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *frame_clock,
                FerryBench    *bench)
{
  mark ("tree-shown", "rows=%u", g_list_model_get_n_items (bench->tree));
  g_clear_signal_handler (&bench->paint_id, bench->frame_clock);
  g_clear_object (&bench->frame_clock);
  g_clear_handle_id (&bench->tick_id, g_source_remove);
}

static void
check_complete (FerryBench *bench)
{
  guint n_pools = g_list_model_get_n_items (bench->pools);
  guint n_tree = g_list_model_get_n_items (bench->tree);
  guint n_hosts = 0;
  guint n_vms = 0;

  if (bench->complete || n_pools == 0)
    return;

  for (guint i = 0; i < n_pools; i++)
    {
      g_autoptr(FerryPool) pool = g_list_model_get_item (bench->pools, i);

      if (ferry_pool_get_state (pool) != FERRY_POOL_STATE_READY)
        return;
      n_hosts += g_list_model_get_n_items (ferry_pool_get_hosts (pool));
      n_vms += g_list_model_get_n_items (ferry_pool_get_vms (pool));
    }
  /* One row per pool, host and VM, and at most one "Halted and suspended"
   * heading per pool: the tree is expanded and unfiltered. */
  if (n_tree < n_pools + n_hosts + n_vms || n_tree > 2 * n_pools + n_hosts + n_vms)
    return;

  bench->complete = TRUE;
  mark ("tree-complete", "rows=%u pools=%u hosts=%u vms=%u", n_tree, n_pools, n_hosts, n_vms);

  bench->frame_clock = gtk_widget_get_frame_clock (bench->widget);
  if (bench->frame_clock != NULL)
    {
      g_object_ref (bench->frame_clock);
      bench->paint_id = g_signal_connect (bench->frame_clock, "after-paint",
                                          G_CALLBACK (after_paint_cb), bench);
      gtk_widget_queue_draw (bench->widget);
    }
}

static void
pool_state_cb (FerryPool  *pool,
               GParamSpec *pspec,
               FerryBench *bench)
{
  const char *event;

  switch (ferry_pool_get_state (pool))
    {
    case FERRY_POOL_STATE_CONNECTING:
      event = "pool-connecting";
      break;
    case FERRY_POOL_STATE_LOADING:
      event = "pool-loading";
      break;
    case FERRY_POOL_STATE_READY:
      event = "pool-ready";
      break;
    case FERRY_POOL_STATE_FAILED:
      event = "pool-failed";
      break;
    case FERRY_POOL_STATE_DISCONNECTED:
    case FERRY_POOL_STATE_RECONNECTING:
    default:
      return;
    }

  mark (event, "url=%s", ferry_pool_get_url (pool));
  check_complete (bench);
}

static void
hosts_changed_cb (GListModel *hosts,
                  guint       position,
                  guint       removed,
                  guint       added,
                  FerryBench *bench)
{
  if (added == 0 || bench->filling)
    return;
  bench->filling = TRUE;
  mark ("pool-filling", "%s", "");
}

static void
pools_changed_cb (GListModel *pools,
                  guint       position,
                  guint       removed,
                  guint       added,
                  FerryBench *bench)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(FerryPool) pool = g_list_model_get_item (pools, i);

      if (g_ptr_array_find (bench->watched, pool, NULL))
        continue;
      g_ptr_array_add (bench->watched, g_object_ref (pool));
      g_signal_connect (pool, "notify::state", G_CALLBACK (pool_state_cb), bench);
      g_signal_connect (ferry_pool_get_hosts (pool), "items-changed", G_CALLBACK (hosts_changed_cb), bench);
      pool_state_cb (pool, NULL, bench);
    }
}

static void
tree_changed_cb (GListModel *tree,
                 guint       position,
                 guint       removed,
                 guint       added,
                 FerryBench *bench)
{
  check_complete (bench);
}

static void
ferry_bench_free (FerryBench *bench)
{
  for (guint i = 0; i < bench->watched->len; i++)
    {
      FerryPool *pool = g_ptr_array_index (bench->watched, i);

      g_signal_handlers_disconnect_by_data (pool, bench);
      g_signal_handlers_disconnect_by_data (ferry_pool_get_hosts (pool), bench);
    }
  g_ptr_array_unref (bench->watched);
  g_signal_handlers_disconnect_by_data (bench->pools, bench);
  g_signal_handlers_disconnect_by_data (bench->tree, bench);
  g_clear_object (&bench->pools);
  g_clear_object (&bench->tree);
  g_clear_signal_handler (&bench->paint_id, bench->frame_clock);
  g_clear_object (&bench->frame_clock);
  g_clear_signal_handler (&bench->window_paint_id, bench->window_clock);
  g_clear_object (&bench->window_clock);
  if (bench->phase_clock != NULL)
    g_signal_handlers_disconnect_by_data (bench->phase_clock, bench);
  g_clear_object (&bench->phase_clock);
  g_clear_handle_id (&bench->tick_id, g_source_remove);
  g_free (bench);
}

void
ferry_bench_watch (GtkWidget  *widget,
                   GListModel *pools,
                   GListModel *tree)
{
  FerryBench *bench;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (G_IS_LIST_MODEL (pools));
  g_return_if_fail (G_IS_LIST_MODEL (tree));

  bench = g_new0 (FerryBench, 1);
  bench->widget = widget;
  bench->pools = g_object_ref (pools);
  bench->tree = g_object_ref (tree);
  bench->watched = g_ptr_array_new_with_free_func (g_object_unref);
  g_object_set_data_full (G_OBJECT (widget), "ferry-bench", bench, (GDestroyNotify) ferry_bench_free);

  /* High priority: it measures how long the loop was busy, not how long it
   * waited behind other ready sources. */
  bench->last_tick = g_get_monotonic_time ();
  bench->last_cpu = thread_cpu_us ();
  bench->tick_id = g_timeout_add_full (G_PRIORITY_HIGH, TICK_MS, tick_cb, bench, NULL);

  g_signal_connect (pools, "items-changed", G_CALLBACK (pools_changed_cb), bench);
  g_signal_connect (tree, "items-changed", G_CALLBACK (tree_changed_cb), bench);
  pools_changed_cb (pools, 0, 0, g_list_model_get_n_items (pools), bench);
}
