/* test-engine-storage.c: storage motion, inside a pool and across pools
 *
 * Each test checks the exact arguments ferry-sim received, because the
 * engine will also meet XAPI implementations other than our simulator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <libsoup/soup.h>

#include "engine-fixture.h"
#include "xapi-util.h"

typedef EngineFixture     Fixture;

static const char * const fast[] = { "--bandwidth=20000", NULL };

/* ---- helpers ---------------------------------------------------------------- */

/* Nothing that changes a pool: no migration of any kind. */
static void
assert_nothing_sent (Fixture *f)
{
  engine_assert_no_migration_sent (f->sim, "Lyon");
  engine_assert_no_migration_sent (f->sim, "Paris");
}

static void
assert_map (JsonObject *map,
            ...)
{
  va_list     args;
  const char *key;
  guint       n = 0;

  va_start (args, map);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      if (!json_object_has_member (map, key))
        g_error ("map has no key %s", key);
      g_assert_cmpstr (engine_json_string (map, key), ==, value);
      n++;
    }
  va_end (args);

  g_assert_cmpuint (json_object_get_size (map), ==, n);
}

static FerryDisk *
disk_at (FerryVm *vm,
         guint    i)
{
  GPtrArray *disks = ferry_vm_get_disks (vm);

  g_assert_cmpuint (disks->len, >, i);
  return g_ptr_array_index (disks, i);
}

static FerryVif *
vif_at (FerryVm *vm,
        guint    i)
{
  GPtrArray *vifs = ferry_vm_get_vifs (vm);

  g_assert_cmpuint (vifs->len, >, i);
  return g_ptr_array_index (vifs, i);
}

typedef struct
{
  FerryPool  *pool;
  const char *vm;
  const char *host;
} Placement;

static gboolean
vm_placed (gpointer data)
{
  Placement *p = data;
  FerryVm   *vm = ferry_pool_find_vm (p->pool, p->vm);

  return vm != NULL && ferry_vm_get_resident_on (vm) != NULL &&
         g_strcmp0 (ferry_host_get_name (ferry_vm_get_resident_on (vm)), p->host) == 0;
}

static gboolean
vm_gone (gpointer data)
{
  Placement *p = data;

  return ferry_pool_find_vm (p->pool, p->vm) == NULL;
}

static gboolean
disks_on_nfs (gpointer data)
{
  GPtrArray *disks = ferry_vm_get_disks (data);

  for (guint i = 0; i < disks->len; i++)
    {
      FerryDisk *disk = g_ptr_array_index (disks, i);

      if (disk->sr == NULL || g_strcmp0 (ferry_sr_get_name (disk->sr), "Lyon NFS") != 0)
        return FALSE;
    }
  return disks->len == 2;
}

/* The checks a storage migration must make before its question:
 * migrate_receive on the target, assert_can_migrate on the source, with
 * the same maps as the later migrate_send. */
static void
assert_prechecked (Fixture    *f,
                   const char *target_pool)
{
  g_assert_cmpuint (engine_sim_count_calls (f->sim, target_pool, "host.migrate_receive"), ==, 1);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "VM.assert_can_migrate"), ==, 1);
}

/* ---- tests ------------------------------------------------------------------ */

/* A VM on local storage, to another host of its pool: storage motion, only
 * after an "OK", disks to the pool's default SR, no VIF map. */
static void
test_local_intra_pool (Fixture      *f,
                       gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "db-01");
  FerryHost *target = engine_host (f->lyon, "lyon-2");
  FerrySr   *nfs = engine_sr (f->lyon, "Lyon NFS");
  g_autoptr(JsonArray) send = NULL;
  g_autoptr(JsonArray) assert_params = NULL;
  g_autofree char *text = NULL;
  g_autofree char *vdi0 = g_strdup (disk_at (vm, 0)->vdi_ref);
  g_autofree char *vdi1 = g_strdup (disk_at (vm, 1)->vdi_ref);
  Placement        placed = { f->lyon, "db-01", "lyon-2" };
  FerryPlan       *plan;
  FerryJob        *job;
  GPtrArray       *disks;

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);

  plan = ferry_job_get_plan (job);
  g_assert_nonnull (plan);
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_STORAGE);
  g_assert_true (ferry_plan_needs_confirmation (plan));
  g_assert_false (ferry_plan_get_cross_pool (plan));
  g_assert_true (ferry_job_get_can_cancel (job));
  disks = ferry_plan_get_disks (plan);
  g_assert_cmpuint (disks->len, ==, 2);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk *pd = g_ptr_array_index (disks, i);

      g_assert_true (pd->moves);
      g_assert_true (pd->to == nfs);
      g_assert_cmpstr (pd->why, ==, "pool default SR");
    }
  g_assert_cmpuint (ferry_plan_get_bytes_to_copy (plan), ==,
                    (4 + 6 + 8) * G_GUINT64_CONSTANT (1073741824));
  text = ferry_plan_describe (plan);
  g_assert_nonnull (strstr (text, "Lyon NFS"));
  g_test_message ("%s", text);

  /* Checked, not sent. */
  assert_prechecked (f, "Lyon");
  assert_nothing_sent (f);
  assert_params = engine_sim_single_call (f->sim, "Lyon", "VM.assert_can_migrate");
  g_assert_cmpuint (json_array_get_length (assert_params), ==, 7);

  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (engine_wait_until (vm_placed, &placed, 30));
  /* The same VM object, its disks now on the shared SR. */
  g_assert_true (engine_vm (f->lyon, "db-01") == vm);
  g_assert_true (engine_wait_until (disks_on_nfs, vm, 30));

  /* session, vm, dest, live, vdi_map, vif_map, options: nothing more. */
  send = engine_sim_single_call (f->sim, "Lyon", "Async.VM.migrate_send");
  g_assert_cmpuint (json_array_get_length (send), ==, 7);
  g_assert_cmpstr (json_array_get_string_element (send, 1), ==, ferry_vm_get_ref (vm));
  g_assert_cmpstr (engine_json_string (json_array_get_object_element (send, 2), "host"), ==,
                   ferry_host_get_ref (target));
  g_assert_true (json_array_get_boolean_element (send, 3));
  assert_map (json_array_get_object_element (send, 4),
              vdi0, ferry_sr_get_ref (nfs),
              vdi1, ferry_sr_get_ref (nfs), NULL);
  assert_map (json_array_get_object_element (send, 5), NULL);
  assert_map (json_array_get_object_element (send, 6), "force", "false", NULL);
  /* The pre-check's answer, a few seconds old, went with the migration:
   * no second host.migrate_receive. */
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "host.migrate_receive"), ==, 1);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "Async.VM.pool_migrate"), ==, 0);
}

/* A plain migration that XAPI refuses with VM_REQUIRES_SR becomes a storage
 * plan that waits for an "OK"; the SR it named is not used again. */
static void
test_requires_sr (Fixture      *f,
                  gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-02");
  FerryHost *target = engine_host (f->lyon, "lyon-1");
  FerrySr   *nfs = engine_sr (f->lyon, "Lyon NFS");
  FerrySr   *local = engine_sr (f->lyon, "Local storage lyon-1");
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonArray) send = NULL;
  g_autofree char *command = NULL;
  g_autofree char *vdi0 = g_strdup (disk_at (vm, 0)->vdi_ref);
  Placement        placed = { f->lyon, "web-02", "lyon-1" };
  FerryPlanDisk   *pd;
  FerryPlan       *plan;
  FerryJob        *job;

  command = g_strdup_printf ("{\"command\": \"fail_migration\", \"vm\": \"web-02\", \"at\": 0,"
                             " \"error\": [\"VM_REQUIRES_SR\", \"%s\", \"%s\"]}",
                             ferry_vm_get_ref (vm), ferry_sr_get_ref (nfs));
  reply = engine_sim_control (f->sim, command);
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "Async.VM.pool_migrate"), ==, 1);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "Async.VM.migrate_send"), ==, 0);
  g_assert_null (ferry_job_get_error (job));

  plan = ferry_job_get_plan (job);
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_STORAGE);
  g_assert_true (ferry_plan_needs_confirmation (plan));
  g_assert_cmpuint (ferry_plan_get_disks (plan)->len, ==, 1);
  pd = g_ptr_array_index (ferry_plan_get_disks (plan), 0);
  g_assert_true (pd->from == nfs);
  g_assert_true (pd->to == local);
  g_assert_true (pd->moves);
  g_test_message ("why: %s", pd->why);

  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (engine_wait_until (vm_placed, &placed, 30));
  send = engine_sim_single_call (f->sim, "Lyon", "Async.VM.migrate_send");
  assert_map (json_array_get_object_element (send, 4), vdi0, ferry_sr_get_ref (local), NULL);
  assert_map (json_array_get_object_element (send, 5), NULL);
}

/* Lyon -> paris-2 with nothing but the VM and the host. */
static void
test_cross_pool_defaults (Fixture      *f,
                          gconstpointer data)
{
  FerryVm      *vm = engine_vm (f->lyon, "web-01");
  FerryHost    *target = engine_host (f->paris, "paris-2");
  FerrySr      *paris2_local = engine_sr (f->paris, "Local storage paris-2");
  FerryNetwork *paris_eth0 = engine_network (f->paris, "Pool-wide network associated with eth0");
  FerryNetwork *paris_dmz = engine_network (f->paris, "DMZ");
  g_autoptr(JsonArray) receive = NULL;
  g_autoptr(JsonArray) send = NULL;
  g_autofree char *vdi0 = g_strdup (disk_at (vm, 0)->vdi_ref);
  g_autofree char *vif0 = g_strdup (vif_at (vm, 0)->vif_ref);
  g_autofree char *vif1 = g_strdup (vif_at (vm, 1)->vif_ref);
  g_autofree char *vm_ref = g_strdup (ferry_vm_get_ref (vm));
  Placement        placed = { f->paris, "web-01", "paris-2" };
  Placement        gone = { f->lyon, "web-01", NULL };
  FerryPlanDisk   *pd;
  FerryPlanVif    *pv;
  FerryPlan       *plan;
  FerryJob        *job;

  /* The VIFs are on eth0 and DMZ, in device order. */
  g_assert_cmpstr (ferry_network_get_name (vif_at (vm, 0)->network), ==, "Pool-wide network associated with eth0");
  g_assert_cmpstr (ferry_network_get_name (vif_at (vm, 1)->network), ==, "DMZ");

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  engine_sim_calls (f->sim, "Paris", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  assert_prechecked (f, "Paris");
  assert_nothing_sent (f);

  plan = ferry_job_get_plan (job);
  g_assert_true (ferry_plan_get_cross_pool (plan));
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_STORAGE);
  pd = g_ptr_array_index (ferry_plan_get_disks (plan), 0);
  /* Paris' default SR is paris-1's local storage, which paris-2 cannot see. */
  g_assert_true (pd->to == paris2_local);
  g_assert_nonnull (strstr (pd->why, "local SR with most free space"));
  g_assert_nonnull (strstr (pd->why, "Local storage paris-1"));
  pv = g_ptr_array_index (ferry_plan_get_vifs (plan), 0);
  g_assert_true (pv->to == paris_eth0);
  g_assert_cmpstr (pv->why, ==, "network with the same name");
  pv = g_ptr_array_index (ferry_plan_get_vifs (plan), 1);
  g_assert_true (pv->to == paris_dmz);
  g_assert_true (ferry_plan_get_migration_network (plan) == paris_eth0);

  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (engine_wait_until (vm_placed, &placed, 30));
  g_assert_true (engine_wait_until (vm_gone, &gone, 30));

  /* On the target pool: host.migrate_receive(paris-2, its management
   * network, {}), once: its answer served the check and the migration. */
  receive = engine_sim_calls (f->sim, "Paris", "host.migrate_receive", FALSE);
  g_assert_cmpuint (json_array_get_length (receive), ==, 1);
  for (guint i = 0; i < 1; i++)
    {
      JsonArray *params = json_object_get_array_member (json_array_get_object_element (receive, i), "params");

      g_assert_cmpuint (json_array_get_length (params), ==, 4);
      g_assert_cmpstr (json_array_get_string_element (params, 1), ==, ferry_host_get_ref (target));
      g_assert_cmpstr (json_array_get_string_element (params, 2), ==, ferry_network_get_ref (paris_eth0));
      assert_map (json_array_get_object_element (params, 3), NULL);
    }

  /* On the source pool, exactly these maps. */
  send = engine_sim_single_call (f->sim, "Lyon", "Async.VM.migrate_send");
  g_assert_cmpuint (json_array_get_length (send), ==, 7);
  g_assert_cmpstr (json_array_get_string_element (send, 1), ==, vm_ref);
  g_assert_cmpstr (engine_json_string (json_array_get_object_element (send, 2), "host"), ==,
                   ferry_host_get_ref (target));
  assert_map (json_array_get_object_element (send, 4), vdi0, ferry_sr_get_ref (paris2_local), NULL);
  assert_map (json_array_get_object_element (send, 5),
              vif0, ferry_network_get_ref (paris_eth0),
              vif1, ferry_network_get_ref (paris_dmz), NULL);
  assert_map (json_array_get_object_element (send, 6), "force", "false", NULL);
}

/* Every override: per-disk SRs inside a pool. */
static void
test_explicit_disk_map (Fixture      *f,
                        gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "db-01");
  FerryHost *target = engine_host (f->lyon, "lyon-2");
  FerrySr   *nfs = engine_sr (f->lyon, "Lyon NFS");
  FerrySr   *local2 = engine_sr (f->lyon, "Local storage lyon-2");
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_options_new ();
  g_autoptr(JsonArray) send = NULL;
  g_autofree char *vdi0 = g_strdup (disk_at (vm, 0)->vdi_ref);
  g_autofree char *vdi1 = g_strdup (disk_at (vm, 1)->vdi_ref);
  FerryJob        *job;

  ferry_migrate_options_set_disk_sr (options, vdi0, nfs);
  ferry_migrate_options_set_disk_sr (options, vdi1, local2);
  ferry_migrate_options_set_compress (options, FALSE);

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, options);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);

  send = engine_sim_single_call (f->sim, "Lyon", "Async.VM.migrate_send");
  assert_map (json_array_get_object_element (send, 4),
              vdi0, ferry_sr_get_ref (nfs),
              vdi1, ferry_sr_get_ref (local2), NULL);
  assert_map (json_array_get_object_element (send, 5), NULL);
  assert_map (json_array_get_object_element (send, 6), "force", "false", "compress", "false", NULL);
}

/* Every override across pools: SR, network for all VIFs, migration
 * network, force and compress; also changed at confirmation time. */
static void
test_explicit_cross_pool (Fixture      *f,
                          gconstpointer data)
{
  FerryVm      *vm = engine_vm (f->lyon, "mail");
  FerryHost    *target = engine_host (f->paris, "paris-1");
  FerrySr      *paris1_local = engine_sr (f->paris, "Local storage paris-1");
  FerryNetwork *paris_eth0 = engine_network (f->paris, "Pool-wide network associated with eth0");
  FerryNetwork *paris_dmz = engine_network (f->paris, "DMZ");
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_options_new ();
  g_autoptr(FerryMigrateOptions) changed = NULL;
  g_autoptr(JsonArray) send = NULL;
  g_autoptr(JsonArray) receive = NULL;
  g_autofree char *vdi0 = g_strdup (disk_at (vm, 0)->vdi_ref);
  g_autofree char *vif0 = g_strdup (vif_at (vm, 0)->vif_ref);
  g_autofree char *vif1 = g_strdup (vif_at (vm, 1)->vif_ref);
  FerryPlanVif    *pv;
  FerryJob        *job;

  ferry_migrate_options_set_sr (options, paris1_local);
  ferry_migrate_options_set_network (options, paris_dmz);
  ferry_migrate_options_set_migration_network (options, paris_eth0);
  ferry_migrate_options_set_force (options, TRUE);
  ferry_migrate_options_set_compress (options, TRUE);

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  engine_sim_calls (f->sim, "Paris", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, options);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  pv = g_ptr_array_index (ferry_plan_get_vifs (ferry_job_get_plan (job)), 0);
  g_assert_true (pv->to == paris_dmz);
  g_assert_cmpstr (pv->why, ==, "chosen for all interfaces");

  /* At the question, the user puts the first VIF back on eth0. */
  changed = ferry_migrate_options_copy (ferry_plan_get_options (ferry_job_get_plan (job)));
  ferry_migrate_options_set_vif_network (changed, vif0, paris_eth0);
  ferry_job_confirm (job, changed);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);

  send = engine_sim_single_call (f->sim, "Lyon", "Async.VM.migrate_send");
  assert_map (json_array_get_object_element (send, 4), vdi0, ferry_sr_get_ref (paris1_local), NULL);
  assert_map (json_array_get_object_element (send, 5),
              vif0, ferry_network_get_ref (paris_eth0),
              vif1, ferry_network_get_ref (paris_dmz), NULL);
  assert_map (json_array_get_object_element (send, 6), "force", "true", "compress", "true", NULL);

  receive = engine_sim_calls (f->sim, "Paris", "host.migrate_receive", FALSE);
  for (guint i = 0; i < json_array_get_length (receive); i++)
    {
      JsonArray *params = json_object_get_array_member (json_array_get_object_element (receive, i), "params");

      g_assert_cmpstr (json_array_get_string_element (params, 2), ==, ferry_network_get_ref (paris_eth0));
    }
}

/* A JSON-RPC call to @url with @params (the session first, if any), as
 * another client would make it; its result. */
static JsonNode *
rpc (const char *url,
     const char *method,
     JsonArray  *params)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *endpoint = g_strconcat (url, "/jsonrpc", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", endpoint);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject      *root;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  json_builder_set_member_name (builder, "params");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), params));
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, 1);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  text = json_to_string (request, FALSE);
  body = g_bytes_new (text, strlen (text));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             (gssize) g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "result"))
    g_error ("%s: %s", method, text);
  return json_node_copy (json_object_get_member (root, "result"));
}

/* Ends the sessions host.migrate_receive made in @pool, as a pool does
 * with an idle session after a day.  Sessions have events: a first
 * event.from lists them all. */
static guint
end_migration_sessions (Fixture    *f,
                        const char *pool)
{
  const char *url = engine_sim_url (f->sim, pool);
  g_autoptr(JsonNode) login = rpc (url, "session.login_with_password", xapi_params_new ("root", "ferry", NULL));
  g_autoptr(JsonArray) params = xapi_params_new (json_node_get_string (login), NULL);
  g_autoptr(JsonArray) classes = json_array_new ();
  g_autoptr(JsonNode) batch = NULL;
  JsonArray *events;
  guint      ended = 0;

  json_array_add_string_element (classes, "session");
  json_array_add_array_element (params, g_steal_pointer (&classes));
  json_array_add_string_element (params, "");
  json_array_add_double_element (params, 1.0);
  batch = rpc (url, "event.from", g_steal_pointer (&params));
  events = json_object_get_array_member (json_node_get_object (batch), "events");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      JsonObject *record = json_object_get_object_member (event, "snapshot");

      if (g_strcmp0 (engine_json_string (record, "originator"), "migrate_receive") == 0)
        {
          json_node_unref (rpc (url, "session.logout", xapi_params_new (engine_json_string (event, "ref"), NULL)));
          ended++;
        }
    }
  json_node_unref (rpc (url, "session.logout", xapi_params_new (json_node_get_string (login), NULL)));
  return ended;
}

/* The pre-check's answer from the target pool goes with the migration; if
 * the pool no longer takes it (its session is gone), a new one is asked
 * for and the migration sent again, once. */
static void
test_stale_answer (Fixture      *f,
                   gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-01");
  FerryHost *target = engine_host (f->paris, "paris-2");
  Placement  placed = { f->paris, "web-01", "paris-2" };
  g_autoptr(JsonArray) sends = NULL;
  JsonArray *first, *second;
  FerryJob  *job;

  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  g_assert_cmpuint (end_migration_sessions (f, "Paris"), ==, 1);
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  engine_sim_calls (f->sim, "Paris", NULL, TRUE);

  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (engine_wait_until (vm_placed, &placed, 30));

  /* Refused for the old session, then sent with the new answer. */
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Paris", "host.migrate_receive"), ==, 1);
  sends = engine_sim_calls (f->sim, "Lyon", "Async.VM.migrate_send", FALSE);
  g_assert_cmpuint (json_array_get_length (sends), ==, 2);
  first = json_object_get_array_member (json_array_get_object_element (sends, 0), "params");
  second = json_object_get_array_member (json_array_get_object_element (sends, 1), "params");
  g_assert_cmpstr (engine_json_string (json_array_get_object_element (first, 2), "session_id"), !=,
                   engine_json_string (json_array_get_object_element (second, 2), "session_id"));
  g_assert_cmpstr (engine_json_string (json_array_get_object_element (second, 2), "host"), ==,
                   ferry_host_get_ref (target));
}

/* "No" sends nothing that changes a pool. */
static void
test_declined (Fixture      *f,
               gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "build-runner");
  FerryHost *target = engine_host (f->paris, "paris-1");
  FerryJob  *job;

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  engine_sim_calls (f->sim, "Paris", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);

  ferry_job_decline (job);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_null (ferry_vm_get_job (vm));

  engine_spin (1500);
  assert_nothing_sent (f);
  g_assert_true (ferry_vm_get_resident_on (vm) == engine_host (f->lyon, "lyon-3"));
}

/* Copying only exists across pools. */
static void
test_copy_intra_pool (Fixture      *f,
                      gconstpointer data)
{
  FerryVm *vm = engine_vm (f->lyon, "db-01");
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_options_new ();
  FerryJob *job;

  ferry_migrate_options_set_copy (options, TRUE);
  job = ferry_manager_migrate (f->manager, vm, engine_host (f->lyon, "lyon-2"), options);
  g_assert_cmpint (engine_wait_job (job, 30), ==, FERRY_JOB_STATE_FAILED);
  g_assert_nonnull (strstr (ferry_job_get_error (job), "another pool"));
  assert_nothing_sent (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/storage/local-intra-pool", Fixture, fast,
              engine_fixture_setup, test_local_intra_pool, engine_fixture_teardown);
  g_test_add ("/engine/storage/requires-sr", Fixture, fast,
              engine_fixture_setup, test_requires_sr, engine_fixture_teardown);
  g_test_add ("/engine/storage/cross-pool-defaults", Fixture, fast,
              engine_fixture_setup, test_cross_pool_defaults, engine_fixture_teardown);
  g_test_add ("/engine/storage/explicit-disk-map", Fixture, fast,
              engine_fixture_setup, test_explicit_disk_map, engine_fixture_teardown);
  g_test_add ("/engine/storage/explicit-cross-pool", Fixture, fast,
              engine_fixture_setup, test_explicit_cross_pool, engine_fixture_teardown);
  g_test_add ("/engine/storage/stale-answer", Fixture, fast,
              engine_fixture_setup, test_stale_answer, engine_fixture_teardown);
  g_test_add ("/engine/storage/declined", Fixture, fast, engine_fixture_setup, test_declined, engine_fixture_teardown);
  g_test_add ("/engine/storage/copy-intra-pool", Fixture, fast,
              engine_fixture_setup, test_copy_intra_pool, engine_fixture_teardown);

  return g_test_run ();
}
