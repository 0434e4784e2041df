/* bench-inventory-load.c: time from login to a complete object cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loads one pool into an XapiCache, the way the app does, and prints one JSON
 * line with the same figures as bench/peer/xen-api-load.mjs: login time, time
 * to a complete cache, peak RSS, and the longest stall of the main loop while
 * loading (a 5 ms ticker measures it).  The password comes on stdin.
 *
 * usage: bench-inventory-load URL USER
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "xapi-cache.h"
#include "xapi-connection.h"
#include "xapi-error.h"

/* The classes Ferry's engine follows. */
static const char * const classes[] = {
  "pool", "host", "host_metrics", "vm", "vbd", "vdi", "sr",
  "pbd", "vif", "network", "pif", "task", NULL
};

typedef struct
{
  GMainLoop *loop;
  gint64     start;
  gint64     logged_in;
  gint64     loaded;
  gint64     last_tick;
  gint64     longest_stall;
  GError    *error;
} Bench;

static gboolean
tick_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();
  gint64 gap = now - b->last_tick - 5000;

  if (gap > b->longest_stall)
    b->longest_stall = gap;
  b->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
ready_cb (XapiCache *cache,
          Bench     *b)
{
  if (b->loaded == 0)
    b->loaded = g_get_monotonic_time ();
  g_main_loop_quit (b->loop);
}

static void
state_cb (XapiCache  *cache,
          GParamSpec *pspec,
          Bench      *b)
{
  if (xapi_cache_get_state (cache) == XAPI_CACHE_STATE_FAILED)
    {
      b->error = g_error_copy (xapi_cache_get_error (cache));
      g_main_loop_quit (b->loop);
    }
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  Bench *b = data;

  if (!xapi_connection_login_finish (XAPI_CONNECTION (object), result, &b->error))
    g_main_loop_quit (b->loop);
  else
    b->logged_in = g_get_monotonic_time ();
}

static guint
count_objects (XapiCache *cache)
{
  guint n = 0;

  for (guint i = 0; classes[i] != NULL; i++)
    {
      GHashTable *table = xapi_cache_get_table (cache, xapi_class_from_name (classes[i]));

      if (table != NULL)
        n += g_hash_table_size (table);
    }
  return n;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(XapiConnection) connection = NULL;
  g_autoptr(XapiCache) cache = NULL;
  char          password[256] = "";
  struct rusage usage;
  Bench         b = { 0 };

  if (argc != 3)
    {
      g_printerr ("usage: %s URL USER  (password on stdin)\n", argv[0]);
      return 2;
    }
  if (fgets (password, sizeof password, stdin) != NULL)
    password[strcspn (password, "\n")] = '\0';

  b.loop = g_main_loop_new (NULL, FALSE);
  connection = xapi_connection_new (argv[1]);
  /* Trust whatever the simulator presents: this measures loading, not TLS. */
  b.start = b.last_tick = g_get_monotonic_time ();
  g_timeout_add (5, tick_cb, &b);
  xapi_connection_login_async (connection, argv[2], password, NULL, login_cb, &b);
  memset (password, 0, sizeof password);

  cache = xapi_cache_new (connection, classes);
  g_signal_connect (cache, "ready", G_CALLBACK (ready_cb), &b);
  g_signal_connect (cache, "notify::state", G_CALLBACK (state_cb), &b);

  /* Start the cache as soon as the login is done. */
  while (b.logged_in == 0 && b.error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (b.error == NULL)
    {
      xapi_cache_start (cache);
      g_main_loop_run (b.loop);
    }

  if (b.error != NULL)
    {
      g_printerr ("bench-inventory-load: %s\n", b.error->message);
      g_clear_error (&b.error);
      return 1;
    }

  getrusage (RUSAGE_SELF, &usage);
  g_print ("{\"client\":\"ferry-xapi %s\",\"objects\":%u,\"login_ms\":%" G_GINT64_FORMAT
           ",\"load_ms\":%" G_GINT64_FORMAT ",\"peak_rss_mib\":%ld,\"longest_stall_ms\":%" G_GINT64_FORMAT "}\n",
           PACKAGE_VERSION, count_objects (cache),
           (b.logged_in - b.start) / 1000, (b.loaded - b.start) / 1000,
           usage.ru_maxrss / 1024, MAX (b.longest_stall, 0) / 1000);

  xapi_cache_stop (cache);
  g_main_loop_unref (b.loop);
  return 0;
}
