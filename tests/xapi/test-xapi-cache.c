/* test-xapi-cache.c: XapiCache following ferry-sim's event.from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "sim-fixture.h"
#include "xapi-cache.h"
#include "xapi-error.h"
#include "xapi-util.h"

static SimFixture     *sim;

/* The classes followed (not "task": see test_load()). */
static const XapiClass classes[] = {
  XAPI_CLASS_POOL,
  XAPI_CLASS_HOST,
  XAPI_CLASS_HOST_METRICS,
  XAPI_CLASS_VM,
  XAPI_CLASS_VBD,
  XAPI_CLASS_VDI,
  XAPI_CLASS_SR,
  XAPI_CLASS_PBD,
  XAPI_CLASS_VIF,
  XAPI_CLASS_NETWORK,
  XAPI_CLASS_PIF,
};

typedef struct
{
  XapiConnection *connection;
  XapiCache      *cache;
  guint           ready;
  guint           reset;
  guint           changed;
  guint           changes;
  guint           adds, mods, dels;
  gint64          last_changed;
  gint64          min_interval;
  gboolean        inconsistent;
  gboolean        saw_reconnecting;
  gboolean        saw_failed;
} Fixture;

static void
on_ready (XapiCache *cache,
          Fixture   *f)
{
  f->ready++;
}

static void
on_reset (XapiCache *cache,
          Fixture   *f)
{
  f->reset++;
}

static void
on_changed (XapiCache *cache,
            GPtrArray *changes,
            Fixture   *f)
{
  gint64 now = g_get_monotonic_time ();
  guint  i;

  if (f->last_changed != 0 && (f->min_interval == 0 || now - f->last_changed < f->min_interval))
    f->min_interval = now - f->last_changed;
  f->last_changed = now;
  f->changed++;
  f->changes += changes->len;

  /* "applied already": what the change says is what lookups return. */
  for (i = 0; i < changes->len; i++)
    {
      XapiChange *change = g_ptr_array_index (changes, i);
      gpointer    now_there = xapi_cache_lookup (cache, change->klass, change->ref);

      switch (change->kind)
        {
        case XAPI_CHANGE_ADD:
          f->adds++;
          f->inconsistent |= now_there != change->record;
          break;
        case XAPI_CHANGE_MOD:
          f->mods++;
          f->inconsistent |= now_there != change->record;
          break;
        case XAPI_CHANGE_DEL:
          f->dels++;
          f->inconsistent |= now_there != NULL || change->record != NULL;
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static void
on_state (XapiCache  *cache,
          GParamSpec *pspec,
          Fixture    *f)
{
  if (xapi_cache_get_state (cache) == XAPI_CACHE_STATE_RECONNECTING)
    f->saw_reconnecting = TRUE;
  if (xapi_cache_get_state (cache) == XAPI_CACHE_STATE_FAILED)
    f->saw_failed = TRUE;
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint i;

  f->connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  g_assert_true (test_login (f->connection, "root", "ferry", &error));
  g_assert_no_error (error);

  for (i = 0; i < G_N_ELEMENTS (classes); i++)
    g_ptr_array_add (names, (char *) xapi_class_get_name (classes[i]));
  g_ptr_array_add (names, NULL);

  f->cache = xapi_cache_new (f->connection, (const char * const *) names->pdata);
  g_signal_connect (f->cache, "ready", G_CALLBACK (on_ready), f);
  g_signal_connect (f->cache, "reset", G_CALLBACK (on_reset), f);
  g_signal_connect (f->cache, "changed", G_CALLBACK (on_changed), f);
  g_signal_connect (f->cache, "notify::state", G_CALLBACK (on_state), f);

  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_IDLE);
  xapi_cache_start (f->cache);
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_LOADING);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  xapi_cache_stop (f->cache);
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_IDLE);
  g_clear_object (&f->cache);
  g_clear_object (&f->connection);
  /* Let cancelled calls complete. */
  test_spin (100);
}

static gboolean
wait_ready_count (Fixture *f,
                  guint    count,
                  guint    timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (f->ready < count && g_get_monotonic_time () < deadline)
    test_spin (20);

  return f->ready >= count;
}

/* Compares every followed class with a fresh get_all_records, decoded
 * into typed records whole (every field there); returns a description of
 * the first difference, or NULL. */
static char *
difference_with_server (Fixture *f)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      const char      *wire = xapi_class_get_wire_name (classes[i]);
      const char      *klass = xapi_class_get_name (classes[i]);
      g_autofree char *method = g_strdup_printf ("%s.get_all_records", wire);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = test_call (f->connection, method, NULL, &error);
      GHashTable    *table = xapi_cache_get_table (f->cache, classes[i]);
      JsonObjectIter iter;
      const char    *ref;
      JsonNode      *record;
      JsonObject    *all;

      g_assert_no_error (error);
      g_assert_nonnull (table);
      all = json_node_get_object (node);

      if (json_object_get_size (all) != g_hash_table_size (table))
        return g_strdup_printf ("%s: %u on the server, %u in the cache", klass,
                                json_object_get_size (all), g_hash_table_size (table));

      json_object_iter_init (&iter, all);
      while (json_object_iter_next (&iter, &ref, &record))
        {
          XapiRecord *mine = g_hash_table_lookup (table, ref);
          g_autoptr(XapiRecord) theirs = xapi_record_new_from_json (classes[i], ref, record);

          if (mine == NULL)
            return g_strdup_printf ("%s %s missing", klass, ref);
          g_assert_cmpint (mine->klass, ==, classes[i]);
          if (!xapi_record_equal (mine, theirs))
            return g_strdup_printf ("%s %s differs", klass, ref);
          if (g_strcmp0 (xapi_cache_find_by_uuid (f->cache, classes[i], mine->uuid), ref) != 0)
            return g_strdup_printf ("%s %s: uuid index", klass, ref);
        }
    }

  return NULL;
}

static void
assert_converges (Fixture *f,
                  guint    timeout_s)
{
  gint64           deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  g_autofree char *difference = NULL;

  for (;;)
    {
      g_free (difference);
      difference = difference_with_server (f);
      if (difference == NULL)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("The cache did not converge within %u s: %s", timeout_s, difference);
      test_spin (200);
    }
}

static void
test_load (Fixture      *f,
           gconstpointer data)
{
  const char    *pool_ref;
  XapiRecord    *pool;
  GHashTable    *vms;
  GHashTableIter iter;
  gpointer       ref, record;

  g_assert_true (wait_ready_count (f, 1, 60));
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_READY);
  g_assert_true (xapi_cache_is_loaded (f->cache));
  g_assert_null (xapi_cache_get_error (f->cache));
  g_assert_cmpuint (f->reset, ==, 0);
  /* A full load is not reported as changes. */
  g_assert_cmpuint (f->changed, ==, 0);

  pool_ref = xapi_cache_get_pool_ref (f->cache);
  g_assert_nonnull (pool_ref);
  pool = xapi_cache_lookup (f->cache, XAPI_CLASS_POOL, pool_ref);
  g_assert_nonnull (pool);
  g_assert_cmpint (pool->klass, ==, XAPI_CLASS_POOL);
  g_assert_cmpstr (pool->name_label, ==, "Lyon");
  g_assert_cmpstr (pool->ref, ==, pool_ref);

  vms = xapi_cache_get_table (f->cache, XAPI_CLASS_VM);
  g_assert_cmpuint (g_hash_table_size (vms), >, 5);
  g_hash_table_iter_init (&iter, vms);
  g_assert_true (g_hash_table_iter_next (&iter, &ref, &record));
  g_assert_cmpstr (xapi_cache_find_by_uuid (f->cache, XAPI_CLASS_VM, XAPI_RECORD (record)->uuid),
                   ==, ref);

  g_assert_null (xapi_cache_get_table (f->cache, XAPI_CLASS_TASK));
  g_assert_null (xapi_cache_lookup (f->cache, XAPI_CLASS_VM, "OpaqueRef:nope"));
  g_assert_null (xapi_cache_find_by_uuid (f->cache, XAPI_CLASS_VM, "nope"));

  assert_converges (f, 10);
}

static void
test_converge (Fixture      *f,
               gconstpointer data)
{
  guint round;

  g_assert_true (wait_ready_count (f, 1, 60));

  /* Hundreds of random changes (renames, power changes, VMs created and
   * destroyed with their disks and VIFs), some while events are flowing. */
  for (round = 0; round < 6; round++)
    {
      g_autofree char *args = g_strdup_printf ("{\"pool\": \"Lyon\", \"count\": 50, \"seed\": %u}",
                                               1000 + round);

      sim_fixture_command (sim, "mutate", args);
      test_spin (round % 2 == 0 ? 30 : 150);
    }

  assert_converges (f, 60);
  g_test_message ("%u \"changed\" emissions, %u changes (%u add, %u mod, %u del), "
                  "shortest interval %" G_GINT64_FORMAT " ms",
                  f->changed, f->changes, f->adds, f->mods, f->dels, f->min_interval / 1000);
  g_assert_cmpuint (f->changed, >, 0);
  g_assert_cmpuint (f->mods, >, 0);
  g_assert_false (f->inconsistent);
  /* Coalesced: never two batches within ~50 ms. */
  if (f->changed > 1)
    g_assert_cmpint (f->min_interval, >=, 45 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (f->reset, ==, 0);
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_READY);
}

static void
test_events_lost (Fixture      *f,
                  gconstpointer data)
{
  g_assert_true (wait_ready_count (f, 1, 60));

  sim_fixture_command (sim, "events_lost", "{\"pool\": \"Lyon\"}");
  /* The next event.from fails; wake the one waiting now. */
  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 3, \"seed\": 7}");

  g_assert_true (wait_ready_count (f, 2, 60));
  g_assert_cmpuint (f->reset, ==, 1);
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_READY);
  g_assert_false (f->saw_failed);

  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 20, \"seed\": 8}");
  assert_converges (f, 30);
}

static void
test_session_expiry (Fixture      *f,
                     gconstpointer data)
{
  g_assert_true (wait_ready_count (f, 1, 60));

  /* The waiting event.from fails with SESSION_INVALID: the connection logs
   * in again and the cache carries on from its token. */
  sim_fixture_command (sim, "expire_sessions", "{\"pool\": \"Lyon\"}");
  test_spin (300);
  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 20, \"seed\": 9}");

  assert_converges (f, 30);
  g_assert_false (f->saw_failed);
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_READY);
}

static void
test_reconnect (Fixture      *f,
                gconstpointer data)
{
  gint64 deadline;

  g_assert_true (wait_ready_count (f, 1, 60));

  /* The next event.from is dropped mid-wait, like a dead link. */
  sim_fixture_command (sim, "drop_connections",
                       "{\"pool\": \"Lyon\", \"count\": 1, \"method\": \"event.from\"}");
  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 2, \"seed\": 11}");

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!f->saw_reconnecting && g_get_monotonic_time () < deadline)
    test_spin (20);
  g_assert_true (f->saw_reconnecting);
  g_assert_error (xapi_cache_get_error (f->cache), XAPI_ERROR, XAPI_ERROR_CONNECTION);
  /* The old data stays while reconnecting. */
  g_assert_cmpuint (g_hash_table_size (xapi_cache_get_table (f->cache, XAPI_CLASS_VM)), >, 0);

  /* Back after the first backoff step, with a full reload. */
  g_assert_true (wait_ready_count (f, 2, 30));
  g_assert_cmpuint (f->reset, ==, 1);
  g_assert_null (xapi_cache_get_error (f->cache));
  assert_converges (f, 30);

  /* A malformed event batch is handled the same way. */
  f->saw_reconnecting = FALSE;
  sim_fixture_command (sim, "malformed",
                       "{\"pool\": \"Lyon\", \"kind\": \"wrong_types\", \"count\": 1, "
                       "\"method\": \"event.from\"}");
  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 2, \"seed\": 12}");
  g_assert_true (wait_ready_count (f, 3, 60));
  g_assert_true (f->saw_reconnecting);
  g_assert_false (f->saw_failed);
  assert_converges (f, 30);
}

static void
test_stop (Fixture      *f,
           gconstpointer data)
{
  guint changed;

  g_assert_true (wait_ready_count (f, 1, 60));
  xapi_cache_stop (f->cache);
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_IDLE);

  changed = f->changed;
  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 10, \"seed\": 13}");
  test_spin (500);
  g_assert_cmpuint (f->changed, ==, changed);

  /* And it starts again, from scratch. */
  xapi_cache_start (f->cache);
  g_assert_true (wait_ready_count (f, 2, 60));
  assert_converges (f, 30);
}

static void
test_unref_while_polling (void)
{
  g_autoptr(XapiConnection) connection = xapi_connection_new (sim_fixture_pool_url (sim, "Lyon"));
  g_autoptr(GError) error = NULL;
  const char *names[] = { "vm", NULL };
  XapiCache  *cache;

  g_assert_true (test_login (connection, "root", "ferry", &error));
  g_assert_no_error (error);
  cache = xapi_cache_new (connection, names);
  xapi_cache_start (cache);
  test_spin (500);
  /* Dropped without stop(): the pending long poll must not keep it alive
   * nor call back into freed memory. */
  g_object_unref (cache);
  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 5, \"seed\": 14}");
  test_spin (500);
}

static void
on_stalled (XapiCache  *cache,
            GParamSpec *pspec,
            guint      *flips)
{
  (*flips)++;
}

/* The event.from calls Lyon received since the last count. */
static guint
count_event_calls (void)
{
  g_autoptr(JsonNode) reply = sim_fixture_control (sim, "calls",
                                                   "{\"pool\": \"Lyon\", \"method\": \"event.from\", "
                                                   "\"clear\": true}");

  return json_array_get_length (json_object_get_array_member (json_node_get_object (reply), "calls"));
}

static gboolean
wait_stalled (Fixture *f,
              gboolean stalled,
              guint    timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (xapi_cache_is_stalled (f->cache) != stalled && g_get_monotonic_time () < deadline)
    test_spin (20);

  return xapi_cache_is_stalled (f->cache) == stalled;
}

/* A server whose event.from answers at once, with nothing and the token it
 * was given: the cache calls it at most 20 times a second (a few times,
 * in fact), says it is stalled, and follows the pool again once the stream
 * moves. */
static void
test_stuck_stream (Fixture      *f,
                   gconstpointer data)
{
  guint  flips = 0;
  guint  calls;
  gint64 start, elapsed;

  g_assert_true (wait_ready_count (f, 1, 60));
  g_assert_false (xapi_cache_is_stalled (f->cache));
  g_signal_connect (f->cache, "notify::stalled", G_CALLBACK (on_stalled), &flips);

  sim_fixture_command (sim, "stuck_events", "{\"pool\": \"Lyon\"}");
  /* Wake the poll waiting now; the ones after it are stuck. */
  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 1, \"seed\": 21}");
  g_assert_true (wait_stalled (f, TRUE, 30));
  g_assert_cmpuint (flips, ==, 1);
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_READY);

  /* Over a measured interval, with the stream stuck all along. */
  count_event_calls ();
  start = g_get_monotonic_time ();
  test_spin (3000);
  calls = count_event_calls ();
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("%u event.from calls in %.2f s while stuck", calls, elapsed / 1e6);
  g_assert_cmpfloat (calls / (elapsed / 1e6), <=, 20.0);
  g_assert_true (xapi_cache_is_stalled (f->cache));
  g_assert_cmpuint (flips, ==, 1);
  g_assert_cmpint (xapi_cache_get_state (f->cache), ==, XAPI_CACHE_STATE_READY);

  /* Changes made while stuck arrive once the stream moves again. */
  sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 10, \"seed\": 22}");
  sim_fixture_command (sim, "stuck_events", "{\"pool\": \"Lyon\", \"off\": true}");
  g_assert_true (wait_stalled (f, FALSE, 30));
  g_assert_cmpuint (flips, ==, 2);
  assert_converges (f, 30);

  /* A quiet pool whose server waits is not stalled. */
  test_spin (2500);
  g_assert_false (xapi_cache_is_stalled (f->cache));
  g_signal_handlers_disconnect_by_data (f->cache, &flips);
}

/* The same with a server that gets stuck for a while only: the cache makes
 * fewer than 20 calls a second all along, with events flowing in between. */
static void
test_stuck_for_a_while (Fixture      *f,
                        gconstpointer data)
{
  gint64 start, elapsed;
  guint  calls;

  g_assert_true (wait_ready_count (f, 1, 60));
  count_event_calls ();
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 4; i++)
    {
      sim_fixture_command (sim, "stuck_events", "{\"pool\": \"Lyon\", \"seconds\": 1}");
      /* Busy meanwhile: events are there to be had at every call. */
      sim_fixture_command (sim, "mutate", "{\"pool\": \"Lyon\", \"count\": 5, \"seed\": 23}");
      test_spin (1500);
    }
  calls = count_event_calls ();
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("%u event.from calls in %.2f s", calls, elapsed / 1e6);
  g_assert_cmpfloat (calls / (elapsed / 1e6), <=, 20.0);
  assert_converges (f, 30);
  g_assert_true (wait_stalled (f, FALSE, 30));
}

int
main (int   argc,
      char *argv[])
{
  const char *args[] = { "--quiet", NULL };
  int         ret;

  g_test_init (&argc, &argv, NULL);

  sim = sim_fixture_start (args, 60);

  g_test_add ("/xapi/cache/load", Fixture, NULL, fixture_set_up, test_load, fixture_tear_down);
  g_test_add ("/xapi/cache/converge", Fixture, NULL, fixture_set_up, test_converge, fixture_tear_down);
  g_test_add ("/xapi/cache/events-lost", Fixture, NULL, fixture_set_up, test_events_lost,
              fixture_tear_down);
  g_test_add ("/xapi/cache/session-expiry", Fixture, NULL, fixture_set_up, test_session_expiry,
              fixture_tear_down);
  g_test_add ("/xapi/cache/reconnect", Fixture, NULL, fixture_set_up, test_reconnect,
              fixture_tear_down);
  g_test_add ("/xapi/cache/stop", Fixture, NULL, fixture_set_up, test_stop, fixture_tear_down);
  g_test_add_func ("/xapi/cache/unref-while-polling", test_unref_while_polling);
  g_test_add ("/xapi/cache/stuck-stream", Fixture, NULL, fixture_set_up, test_stuck_stream,
              fixture_tear_down);
  g_test_add ("/xapi/cache/stuck-for-a-while", Fixture, NULL, fixture_set_up, test_stuck_for_a_while,
              fixture_tear_down);

  ret = g_test_run ();

  sim_fixture_stop (sim);

  return ret;
}
