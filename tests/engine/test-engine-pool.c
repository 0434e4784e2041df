/* test-engine-pool.c: a pool's hosts, VMs, SRs and networks, kept live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "engine-fixture.h"
#include "ferry-engine-private.h"
#include "xapi-util.h"

#define GIB (G_GUINT64_CONSTANT (1073741824))

typedef EngineFixture Fixture;

static char *
names (GListModel *model)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *name = NULL;

      g_object_get (item, "name", &name, NULL);
      g_string_append_printf (text, "%s%s", i > 0 ? "," : "", name);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_models (Fixture      *f,
             gconstpointer data)
{
  g_autofree char *hosts = names (ferry_pool_get_hosts (f->lyon));
  g_autofree char *vms = names (ferry_pool_get_vms (f->lyon));
  g_autofree char *srs = names (ferry_pool_get_srs (f->lyon));
  g_autofree char *networks = names (ferry_pool_get_networks (f->lyon));
  g_autofree char *on_lyon1 = NULL;
  FerryHost       *lyon1 = engine_host (f->lyon, "lyon-1");
  FerryHost       *lyon2 = engine_host (f->lyon, "lyon-2");
  FerrySr         *nfs = engine_sr (f->lyon, "Lyon NFS");
  FerrySr         *local1 = engine_sr (f->lyon, "Local storage lyon-1");
  FerryNetwork    *mgmt = engine_network (f->lyon, "Pool-wide network associated with eth0");
  FerryNetwork    *dmz = engine_network (f->lyon, "DMZ");
  FerryVm         *web = engine_vm (f->lyon, "web-01");
  FerryVm         *backup = engine_vm (f->lyon, "backup");
  FerryDisk       *disk;
  FerryVif        *vif;

  g_assert_cmpstr (ferry_pool_get_name (f->lyon), ==, "Lyon");
  g_assert_cmpstr (ferry_pool_get_url (f->lyon), ==, engine_sim_url (f->sim, "Lyon"));
  g_assert_cmpstr (ferry_pool_get_master_url (f->lyon), ==, engine_sim_url (f->sim, "Lyon"));
  g_assert_null (ferry_pool_get_error (f->lyon));
  g_assert_true (g_uuid_string_is_valid (ferry_pool_get_uuid (f->lyon)));

  /* Sorted by name; no templates, snapshots or control domains. */
  g_assert_cmpstr (hosts, ==, "lyon-1,lyon-2,lyon-3");
  g_assert_cmpstr (vms, ==, "backup,build-runner,db-01,dns-01,mail,monitoring,proxy,web-01,web-02");
  g_assert_cmpstr (srs, ==, "Local storage lyon-1,Local storage lyon-2,Local storage lyon-3,Lyon NFS");
  g_assert_cmpstr (networks, ==, "DMZ,Pool-wide network associated with eth0");

  g_assert_true (ferry_host_get_is_master (lyon1));
  g_assert_false (ferry_host_get_is_master (lyon2));
  g_assert_true (ferry_pool_get_master (f->lyon) == lyon1);
  g_assert_true (ferry_host_get_enabled (lyon1));
  g_assert_true (ferry_host_get_live (lyon1));
  g_assert_cmpuint (ferry_host_get_memory_total (lyon1), ==, 128 * GIB);
  g_assert_cmpuint (ferry_host_get_memory_free (lyon1), >, 0);
  g_assert_cmpuint (ferry_host_get_memory_free (lyon1), <, 128 * GIB);
  g_assert_cmpstr (ferry_host_get_address (lyon1), ==, "127.0.1.1");
  g_assert_true (ferry_host_get_pool (lyon1) == f->lyon);
  on_lyon1 = names (ferry_host_get_vms (lyon1));
  g_assert_cmpstr (on_lyon1, ==, "db-01,dns-01,web-01");

  g_assert_true (ferry_pool_get_default_sr (f->lyon) == nfs);
  g_assert_true (ferry_sr_get_shared (nfs));
  g_assert_cmpstr (ferry_sr_get_sr_type (nfs), ==, "nfs");
  g_assert_cmpuint (ferry_sr_get_size (nfs), ==, 4096 * GIB);
  g_assert_cmpuint (ferry_sr_get_free (nfs), <, ferry_sr_get_size (nfs));
  g_assert_true (ferry_sr_is_attached_to (nfs, lyon2));
  g_assert_true (ferry_sr_is_attached_to (local1, lyon1));
  g_assert_false (ferry_sr_is_attached_to (local1, lyon2));
  g_assert_false (ferry_sr_is_attached_to (nfs, engine_host (f->paris, "paris-1")));

  g_assert_true (ferry_network_is_management_on (mgmt, lyon2));
  g_assert_false (ferry_network_is_management_on (dmz, lyon2));
  g_assert_cmpstr (ferry_network_get_bridge (dmz), ==, "xenbr1");

  g_assert_cmpstr (ferry_vm_get_power_state (web), ==, "Running");
  g_assert_true (ferry_vm_get_resident_on (web) == lyon1);
  g_assert_cmpuint (ferry_vm_get_memory (web), ==, 2 * GIB);
  g_assert_cmpuint (ferry_vm_get_vcpus (web), ==, 2);
  g_assert_cmpuint (ferry_vm_get_disk_size (web), ==, 20 * GIB);
  g_assert_null (ferry_vm_get_job (web));
  g_assert_true (ferry_vm_get_pool (web) == f->lyon);
  /* The CD drive is not a disk. */
  g_assert_cmpuint (ferry_vm_get_disks (web)->len, ==, 1);
  disk = g_ptr_array_index (ferry_vm_get_disks (web), 0);
  g_assert_true (disk->sr == nfs);
  g_assert_cmpuint (disk->virtual_size, ==, 20 * GIB);
  g_assert_true (g_uuid_string_is_valid (disk->vdi_uuid));
  g_assert_cmpuint (ferry_vm_get_vifs (web)->len, ==, 2);
  vif = g_ptr_array_index (ferry_vm_get_vifs (web), 1);
  g_assert_true (vif->network == dmz);
  g_assert_cmpstr (vif->device, ==, "1");
  g_assert_cmpuint (strlen (vif->mac), ==, 17);

  g_assert_cmpstr (ferry_vm_get_power_state (backup), ==, "Halted");
  g_assert_null (ferry_vm_get_resident_on (backup));

  /* By uuid or unique name, in a pool or anywhere. */
  g_assert_true (ferry_pool_find_vm (f->lyon, ferry_vm_get_uuid (web)) == web);
  g_assert_true (ferry_pool_find_host (f->lyon, ferry_host_get_uuid (lyon2)) == lyon2);
  g_assert_true (ferry_pool_find_sr (f->lyon, ferry_sr_get_uuid (nfs)) == nfs);
  g_assert_true (ferry_pool_find_network (f->lyon, ferry_network_get_uuid (dmz)) == dmz);
  g_assert_null (ferry_pool_find_vm (f->lyon, "app-paris-01"));
  g_assert_true (ferry_manager_find_vm (f->manager, "app-paris-01") == engine_vm (f->paris, "app-paris-01"));
  g_assert_true (ferry_manager_find_host (f->manager, "lyon-2") == lyon2);
  g_assert_true (ferry_manager_find_vm (f->manager, ferry_vm_get_uuid (web)) == web);
  g_assert_null (ferry_manager_find_vm (f->manager, "no-such-vm"));
  g_assert_true (ferry_manager_find_pool (f->manager, "Paris") == f->paris);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (f->manager)), ==, 2);
}

/* ---- updates in place ------------------------------------------------------------ */

typedef struct
{
  guint events;
  guint too_big;
} ChangeLog;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  ChangeLog  *log)
{
  log->events++;
  if (removed > 1 || added > 1)
    log->too_big++;
}

static void
test_moves_in_place (Fixture      *f,
                     gconstpointer data)
{
  FerryVm         *vm = engine_vm (f->lyon, "dns-01");
  FerryHost       *from = engine_host (f->lyon, "lyon-1");
  FerryHost       *to = engine_host (f->lyon, "lyon-2");
  g_autofree char *before = names (ferry_host_get_vms (to));
  g_autofree char *after = NULL;
  g_autofree char *left = NULL;
  ChangeLog        all = { 0 }, out = { 0 }, in = { 0 };
  EngineOnHost     on = { vm, to };
  FerryJob        *job;

  g_assert_cmpstr (before, ==, "mail,proxy,web-02");
  g_signal_connect (ferry_pool_get_vms (f->lyon), "items-changed", G_CALLBACK (on_items_changed), &all);
  g_signal_connect (ferry_host_get_vms (from), "items-changed", G_CALLBACK (on_items_changed), &out);
  g_signal_connect (ferry_host_get_vms (to), "items-changed", G_CALLBACK (on_items_changed), &in);

  job = ferry_manager_migrate (f->manager, vm, to, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (engine_wait_until (engine_vm_on_host, &on, 30));

  /* The same object moved from one host's list to the other's; the pool's
   * list did not change at all. */
  g_assert_true (engine_vm (f->lyon, "dns-01") == vm);
  after = names (ferry_host_get_vms (to));
  g_assert_cmpstr (after, ==, "dns-01,mail,proxy,web-02");
  left = names (ferry_host_get_vms (from));
  g_assert_cmpstr (left, ==, "db-01,web-01");
  g_assert_cmpuint (all.events, ==, 0);
  g_assert_cmpuint (out.events, ==, 1);
  g_assert_cmpuint (in.events, ==, 1);

  g_signal_handlers_disconnect_by_data (ferry_pool_get_vms (f->lyon), &all);
  g_signal_handlers_disconnect_by_data (ferry_host_get_vms (from), &out);
  g_signal_handlers_disconnect_by_data (ferry_host_get_vms (to), &in);
}

/* The models say what the cache says. */
static gboolean
models_match_cache (gpointer data)
{
  FerryPool     *pool = data;
  GHashTable    *table = xapi_cache_get_table (ferry_pool_get_cache (pool), XAPI_CLASS_VM);
  GListModel    *vms = ferry_pool_get_vms (pool);
  GListModel    *hosts = ferry_pool_get_hosts (pool);
  GHashTableIter iter;
  gpointer       key, value;
  guint          visible = 0;
  guint          resident = 0;
  guint          on_hosts = 0;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const XapiVm *record = value;
      FerryVm      *vm;
      const char   *host_ref;

      if (record->is_a_template || record->is_a_snapshot || record->is_control_domain)
        continue;
      visible++;
      vm = ferry_pool_get_vm_by_ref (pool, key);
      if (vm == NULL || g_strcmp0 (ferry_vm_get_name (vm), xapi_str (record->record.name_label)) != 0 ||
          g_strcmp0 (ferry_vm_get_power_state (vm), xapi_vm_power_state_to_string (record->power_state)) != 0)
        return FALSE;
      host_ref = record->resident_on;
      if (xapi_is_null_ref (host_ref))
        {
          if (ferry_vm_get_resident_on (vm) != NULL)
            return FALSE;
        }
      else
        {
          resident++;
          if (ferry_vm_get_resident_on (vm) == NULL ||
              g_strcmp0 (ferry_host_get_ref (ferry_vm_get_resident_on (vm)), host_ref) != 0)
            return FALSE;
        }
    }
  if (g_list_model_get_n_items (vms) != visible)
    return FALSE;

  /* Sorted, and every VM on exactly one host's list. */
  for (guint i = 1; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(FerryVm) a = g_list_model_get_item (vms, i - 1);
      g_autoptr(FerryVm) b = g_list_model_get_item (vms, i);
      g_autofree char *ka = g_utf8_collate_key_for_filename (ferry_vm_get_name (a), -1);
      g_autofree char *kb = g_utf8_collate_key_for_filename (ferry_vm_get_name (b), -1);

      if (strcmp (ka, kb) > 0)
        return FALSE;
    }
  for (guint i = 0; i < g_list_model_get_n_items (hosts); i++)
    {
      g_autoptr(FerryHost) host = g_list_model_get_item (hosts, i);
      GListModel *on = ferry_host_get_vms (host);

      for (guint j = 0; j < g_list_model_get_n_items (on); j++)
        {
          g_autoptr(FerryVm) vm = g_list_model_get_item (on, j);

          if (ferry_vm_get_resident_on (vm) != host)
            return FALSE;
          on_hosts++;
        }
    }

  return on_hosts == resident;
}

static void
test_mutations (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(JsonObject) reply = NULL;
  ChangeLog log = { 0 };

  g_signal_connect (ferry_pool_get_vms (f->lyon), "items-changed", G_CALLBACK (on_items_changed), &log);

  /* Renames, power changes, new and deleted VMs, memory... in bursts. */
  for (guint round = 0; round < 5; round++)
    {
      g_autofree char *command = g_strdup_printf ("{\"command\": \"mutate\", \"pool\": \"Lyon\","
                                                  " \"count\": 40, \"seed\": %u}",
                                                  round + 1);

      reply = engine_sim_control (f->sim, command);
      g_clear_pointer (&reply, json_object_unref);
      engine_spin (100);
    }

  g_assert_true (engine_wait_until (models_match_cache, f->lyon, 30));
  g_test_message ("%u items-changed", log.events);
  g_assert_cmpuint (log.events, >, 0);
  /* Never a rebuild: one item at a time. */
  g_assert_cmpuint (log.too_big, ==, 0);

  g_signal_handlers_disconnect_by_data (ferry_pool_get_vms (f->lyon), &log);
}

static void
on_reset (FerryPool *pool,
          gboolean  *reset)
{
  *reset = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_called (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  *(gboolean *) user_data = TRUE;
}

/* A full reload (EVENTS_LOST) keeps every object: views and jobs hold them. */
static void
test_reload_keeps_objects (Fixture      *f,
                           gconstpointer data)
{
  FerryVm   *web = engine_vm (f->lyon, "web-01");
  FerryHost *host = engine_host (f->lyon, "lyon-2");
  FerrySr   *nfs = engine_sr (f->lyon, "Lyon NFS");
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonArray) params = NULL;
  ChangeLog log = { 0 };
  gboolean  reset = FALSE;
  gboolean  called = FALSE;

  g_signal_connect (f->lyon, "objects-reset", G_CALLBACK (on_reset), &reset);
  g_signal_connect (ferry_pool_get_vms (f->lyon), "items-changed", G_CALLBACK (on_items_changed), &log);

  /* The next event.from fails with EVENTS_LOST; a change nobody displays
   * makes the waiting one return. */
  reply = engine_sim_control (f->sim, "{\"command\": \"events_lost\", \"pool\": \"Lyon\"}");
  params = xapi_params_new (ferry_vm_get_ref (web), "changed to end the long poll", NULL);
  xapi_connection_call_async (ferry_pool_get_connection (f->lyon), "VM.set_name_description", params,
                              NULL, on_called, &called);
  g_assert_true (engine_wait_until (flag_set, &called, 60));
  g_assert_true (engine_wait_until (flag_set, &reset, 60));

  g_assert_cmpint (ferry_pool_get_state (f->lyon), ==, FERRY_POOL_STATE_READY);
  g_assert_true (engine_vm (f->lyon, "web-01") == web);
  g_assert_true (engine_host (f->lyon, "lyon-2") == host);
  g_assert_true (engine_sr (f->lyon, "Lyon NFS") == nfs);
  g_assert_cmpuint (log.events, ==, 0);
  g_assert_true (models_match_cache (f->lyon));

  g_signal_handlers_disconnect_by_data (f->lyon, &reset);
  g_signal_handlers_disconnect_by_data (ferry_pool_get_vms (f->lyon), &log);
}

static gboolean
master_moved (gpointer data)
{
  FerryPool *pool = data;
  FerryHost *master = ferry_pool_get_master (pool);

  return ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY &&
         strstr (ferry_pool_get_master_url (pool), "127.0.1.2") != NULL &&
         master != NULL && g_str_equal (ferry_host_get_name (master), "lyon-2");
}

/* A new master is elected: the pool follows it (HOST_IS_SLAVE from the old
 * one), checks it is the same pool, and goes on working. */
static void
test_new_master (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(JsonObject) reply = NULL;
  FerryVm         *vm = engine_vm (f->lyon, "dns-01");
  g_autofree char *uuid = g_strdup (ferry_pool_get_uuid (f->lyon));
  FerryJob        *job;

  reply = engine_sim_control (f->sim, "{\"command\": \"set_master\", \"pool\": \"Lyon\", \"host\": \"lyon-2\"}");
  g_assert_true (engine_wait_until (master_moved, f->lyon, 90));
  g_assert_cmpstr (ferry_pool_get_uuid (f->lyon), ==, uuid);
  g_assert_cmpstr (ferry_pool_get_url (f->lyon), ==, engine_sim_url (f->sim, "Lyon"));
  g_assert_true (ferry_host_get_is_master (engine_host (f->lyon, "lyon-2")));
  g_assert_false (ferry_host_get_is_master (engine_host (f->lyon, "lyon-1")));
  g_assert_true (engine_vm (f->lyon, "dns-01") == vm);

  job = ferry_manager_migrate (f->manager, vm, engine_host (f->lyon, "lyon-3"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_SUCCEEDED);
}

/* Disconnecting empties the models and takes the pool off the list. */
static void
test_disconnect (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(FerryPool) paris = g_object_ref (f->paris);

  ferry_manager_disconnect (f->manager, paris);
  g_assert_cmpint (ferry_pool_get_state (paris), ==, FERRY_POOL_STATE_DISCONNECTED);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_pool_get_vms (paris)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (f->manager)), ==, 1);
  g_assert_null (ferry_manager_find_pool (f->manager, "Paris"));
  engine_spin (200);
}

/* ---- a large pool's first load ------------------------------------------- */

static void
on_pool_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ferry_pool_connect_finish (FERRY_POOL (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
on_load_state (FerryPool  *pool,
               GParamSpec *pspec,
               guint      *n_at_ready)
{
  if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY && *n_at_ready == G_MAXUINT)
    *n_at_ready = g_list_model_get_n_items (ferry_pool_get_vms (pool));
}

/* The VMs of a whole load reach the pool's list in a few large sorted runs,
 * all of them before the pool says READY: one insert per VM made every view
 * bound to the list work once per VM, and froze the window for a minute
 * with 10,000 VMs. */
static void
test_large_load (void)
{
  static const char * const args[] = { "--scenario=large:1:8:1000", NULL };
  EngineSim                *sim = engine_sim_start (args);
  FerryPool                *pool = ferry_pool_new (engine_sim_url (sim, "large-1"), "root");
  GListModel               *vms = ferry_pool_get_vms (pool);
  ChangeLog                 log = { 0 };
  guint                     n_at_ready = G_MAXUINT;
  gboolean                  connected = FALSE;
  guint                     n;

  g_signal_connect (vms, "items-changed", G_CALLBACK (on_items_changed), &log);
  g_signal_connect (pool, "notify::state", G_CALLBACK (on_load_state), &n_at_ready);
  ferry_pool_connect_async (pool, "ferry", NULL, FALSE, NULL, on_pool_connected, &connected);
  g_assert_true (engine_wait_until (flag_set, &connected, 120));

  n = g_list_model_get_n_items (vms);
  g_test_message ("%u VMs arrived in %u list changes", n, log.events);
  g_assert_cmpuint (n, ==, 1000);
  g_assert_cmpuint (n_at_ready, ==, n);
  g_assert_cmpuint (log.events, <=, 10);

  /* In order, as if inserted one by one. */
  for (guint i = 1; i < n; i++)
    {
      g_autoptr(FerryVm) a = g_list_model_get_item (vms, i - 1);
      g_autoptr(FerryVm) b = g_list_model_get_item (vms, i);

      g_assert_cmpint (ferry_compare_names (ferry_vm_get_name (a), ferry_vm_get_name (b)), <=, 0);
    }

  g_signal_handlers_disconnect_by_data (vms, &log);
  g_signal_handlers_disconnect_by_data (pool, &n_at_ready);
  ferry_pool_disconnect (pool);
  g_object_unref (pool);
  engine_spin (100);
  engine_sim_stop (sim);
}

typedef struct
{
  gboolean done;
  GError  *error;
} ConnectResult;

static void
on_pool_connect_result (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ConnectResult *res = user_data;

  gboolean       ok = ferry_pool_connect_finish (FERRY_POOL (source), result, &res->error);

  g_assert_true (ok == (res->error == NULL));
  res->done = TRUE;
}

static gboolean
connect_done (gpointer data)
{
  return ((ConnectResult *) data)->done;
}

/* A connect whose caller cancels right away ends with G_IO_ERROR_CANCELLED
 * and leaves the pool disconnected with nothing in its lists, even though
 * the pool would have let it in. */
static void
test_connect_cancelled (void)
{
  EngineSim *sim = engine_sim_start (NULL);
  g_autoptr(FerryPool) pool = ferry_pool_new (engine_sim_url (sim, "Lyon"), "root");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ConnectResult res = { 0 };

  ferry_pool_connect_async (pool, "ferry", NULL, FALSE, cancellable, on_pool_connect_result, &res);
  g_cancellable_cancel (cancellable);
  g_assert_true (engine_wait_until (connect_done, &res, 60));

  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (ferry_pool_get_state (pool), ==, FERRY_POOL_STATE_DISCONNECTED);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_pool_get_hosts (pool)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_pool_get_vms (pool)), ==, 0);

  /* And it stays so: no retry or late login brings it back. */
  engine_spin (500);
  g_assert_cmpint (ferry_pool_get_state (pool), ==, FERRY_POOL_STATE_DISCONNECTED);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_pool_get_vms (pool)), ==, 0);

  g_clear_error (&res.error);
  g_clear_object (&pool);
  engine_spin (100);
  engine_sim_stop (sim);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/pool/models", Fixture, NULL, engine_fixture_setup, test_models, engine_fixture_teardown);
  g_test_add ("/engine/pool/moves-in-place", Fixture, NULL,
              engine_fixture_setup, test_moves_in_place, engine_fixture_teardown);
  g_test_add ("/engine/pool/mutations", Fixture, NULL, engine_fixture_setup, test_mutations, engine_fixture_teardown);
  g_test_add ("/engine/pool/reload-keeps-objects", Fixture, NULL,
              engine_fixture_setup, test_reload_keeps_objects, engine_fixture_teardown);
  g_test_add ("/engine/pool/new-master", Fixture, NULL, engine_fixture_setup, test_new_master, engine_fixture_teardown);
  g_test_add ("/engine/pool/disconnect", Fixture, NULL, engine_fixture_setup, test_disconnect, engine_fixture_teardown);
  g_test_add_func ("/engine/pool/large-load", test_large_load);
  g_test_add_func ("/engine/pool/connect-cancelled", test_connect_cancelled);

  return g_test_run ();
}
