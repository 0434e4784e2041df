/* bench-idle.c: an idle client following pools, for the steady-state benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connects to every pool given, the way the app does, waits until each one
 * is loaded and following events, prints "ready" (flushed), and then does
 * nothing but follow the pools until SIGTERM or SIGINT.  bench/run-steady-state
 * measures its CPU time from /proc while it idles, and counts the requests
 * the simulator received meanwhile.  On exit it prints one JSON line with its
 * own CPU time (getrusage) and the number of change batches it received.
 *
 * Two ways to follow a pool:
 *   (default)  an XapiCache per pool with the engine's classes and field
 *              filter, as bench-inventory-load does (the library alone);
 *   --engine   a FerryManager connected to every pool (the engine: pools,
 *              hosts, VMs as GObjects, job adoption), with nothing saved.
 *
 * usage: bench-idle [--engine] USER URL...   (password on stdin, the same
 *        for every pool)
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <glib-unix.h>

#include "xapi-cache.h"
#include "xapi-connection.h"
#include "xapi-error.h"
#include "engine/ferry-engine.h"

/* The classes Ferry's engine follows (as bench-inventory-load). */
static const char * const classes[] = {
  "pool", "host", "host_metrics", "vm", "vbd", "vdi", "sr",
  "pbd", "vif", "network", "pif", "task", NULL
};

typedef struct
{
  GMainLoop *loop;
  guint      n_pools;
  guint      n_ready;
  guint      n_failed;
  guint      n_batches; /* "changed" batches received once ready */
  gboolean   announced;
} Bench;

static void
maybe_announce (Bench *b)
{
  if (!b->announced && b->n_ready == b->n_pools)
    {
      b->announced = TRUE;
      g_print ("ready\n");
      fflush (stdout);
    }
  if (b->n_failed > 0)
    g_main_loop_quit (b->loop);
}

/* ---- library: one XapiCache per pool ---- */

typedef struct
{
  Bench          *bench;
  XapiConnection *connection;
  XapiCache      *cache;
  gboolean        ready;
} Follower;

static void
follower_free (Follower *f)
{
  if (f->cache != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->cache, f);
      xapi_cache_stop (f->cache);
    }
  g_clear_object (&f->cache);
  g_clear_object (&f->connection);
  g_free (f);
}

static void
cache_ready_cb (XapiCache *cache,
                Follower  *f)
{
  if (!f->ready)
    {
      f->ready = TRUE;
      f->bench->n_ready++;
      maybe_announce (f->bench);
    }
}

static void
cache_changed_cb (XapiCache *cache,
                  GPtrArray *changes,
                  Follower  *f)
{
  f->bench->n_batches++;
}

static void
cache_state_cb (XapiCache  *cache,
                GParamSpec *pspec,
                Follower   *f)
{
  if (xapi_cache_get_state (cache) == XAPI_CACHE_STATE_FAILED)
    {
      g_printerr ("bench-idle: %s: %s\n", xapi_connection_get_url (f->connection),
                  xapi_cache_get_error (cache)->message);
      f->bench->n_failed++;
      maybe_announce (f->bench);
    }
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  Follower *f = data;
  g_autoptr(GError) error = NULL;

  if (!xapi_connection_login_finish (XAPI_CONNECTION (object), result, &error))
    {
      g_printerr ("bench-idle: %s: %s\n", xapi_connection_get_url (f->connection), error->message);
      f->bench->n_failed++;
      maybe_announce (f->bench);
      return;
    }
  xapi_cache_start (f->cache);
}

/* ---- engine: a FerryManager ---- */

static void
pool_state_cb (FerryPool  *pool,
               GParamSpec *pspec,
               Bench      *b)
{
  if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY &&
      g_object_get_data (G_OBJECT (pool), "bench-ready") == NULL)
    {
      g_object_set_data (G_OBJECT (pool), "bench-ready", GINT_TO_POINTER (1));
      b->n_ready++;
      maybe_announce (b);
    }
}

static void
pool_changed_cb (FerryPool *pool,
                 GPtrArray *changes,
                 Bench     *b)
{
  b->n_batches++;
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) pool = ferry_manager_connect_finish (FERRY_MANAGER (object), result, &error);

  if (pool == NULL)
    {
      g_printerr ("bench-idle: %s\n", error->message);
      b->n_failed++;
      maybe_announce (b);
      return;
    }
  g_signal_connect (pool, "notify::state", G_CALLBACK (pool_state_cb), b);
  g_signal_connect (pool, "objects-changed", G_CALLBACK (pool_changed_cb), b);
  pool_state_cb (pool, NULL, b);
}

static gboolean
quit_cb (gpointer data)
{
  Bench *b = data;

  g_main_loop_quit (b->loop);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) followers = g_ptr_array_new_with_free_func ((GDestroyNotify) follower_free);
  g_autoptr(FerryManager) manager = NULL;
  char          password[256] = "";
  struct rusage usage;
  gboolean      engine = FALSE;
  const char   *user;
  Bench         b = { 0 };
  int           first = 1;

  if (argc > 1 && g_str_equal (argv[1], "--engine"))
    {
      engine = TRUE;
      first = 2;
    }
  if (argc < first + 2)
    {
      g_printerr ("usage: %s [--engine] USER URL...  (password on stdin)\n", argv[0]);
      return 2;
    }
  if (fgets (password, sizeof password, stdin) != NULL)
    password[strcspn (password, "\n")] = '\0';

  user = argv[first];
  b.loop = g_main_loop_new (NULL, FALSE);
  b.n_pools = argc - first - 1;
  g_unix_signal_add (SIGTERM, quit_cb, &b);
  g_unix_signal_add (SIGINT, quit_cb, &b);

  if (engine)
    {
      manager = ferry_manager_new (NULL);
      for (int i = first + 1; i < argc; i++)
        ferry_manager_connect_async (manager, argv[i], user, password, NULL, FALSE, NULL, connect_cb, &b);
    }
  else
    {
      for (int i = first + 1; i < argc; i++)
        {
          Follower *f = g_new0 (Follower, 1);

          f->bench = &b;
          f->connection = xapi_connection_new (argv[i]);
          f->cache = xapi_cache_new (f->connection, classes);
          g_signal_connect (f->cache, "ready", G_CALLBACK (cache_ready_cb), f);
          g_signal_connect (f->cache, "changed", G_CALLBACK (cache_changed_cb), f);
          g_signal_connect (f->cache, "notify::state", G_CALLBACK (cache_state_cb), f);
          g_ptr_array_add (followers, f);
          xapi_connection_login_async (f->connection, user, password, NULL, login_cb, f);
        }
    }
  memset (password, 0, sizeof password);

  g_main_loop_run (b.loop);

  getrusage (RUSAGE_SELF, &usage);
  g_print ("{\"client\":\"%s %s\",\"pools\":%u,\"ready\":%u,\"failed\":%u,\"batches\":%u,"
           "\"cpu_total_ms\":%ld}\n",
           engine ? "ferry-engine" : "ferry-xapi", PACKAGE_VERSION, b.n_pools, b.n_ready, b.n_failed,
           b.n_batches,
           (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000L +
             (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000L);

  g_ptr_array_set_size (followers, 0);
  if (manager != NULL)
    {
      GListModel *pools = ferry_manager_get_pools (manager);

      while (g_list_model_get_n_items (pools) > 0)
        {
          g_autoptr(FerryPool) pool = g_list_model_get_item (pools, 0);

          g_signal_handlers_disconnect_by_data (pool, &b);
          ferry_manager_disconnect (manager, pool);
        }
    }
  g_main_loop_unref (b.loop);
  return b.n_failed > 0 ? 1 : 0;
}
