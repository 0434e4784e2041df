/* test-engine-halted.c: VMs that do not run move too
 *
 * A halted or suspended VM inside its pool, with every disk where the
 * target host sees it, gets the target as its home host (VM.set_affinity);
 * with disks the target cannot see, or to another pool, XAPI's
 * VM.migrate_send moves it with live = false.  Each test checks the calls
 * ferry-sim received and what the pools show at the end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "engine-fixture.h"
#include "ferry-engine-private.h"
#include "xapi-cache.h"
#include "xapi-util.h"

typedef EngineFixture     Fixture;

static const char * const fast[] = { "--bandwidth=20000", NULL };

/* ---- helpers ---------------------------------------------------------------- */

/* No migration of any kind, and not even a host asked to receive one. */
static void
assert_no_migration (Fixture *f)
{
  const char *pools[] = { "Lyon", "Paris" };

  for (guint i = 0; i < G_N_ELEMENTS (pools); i++)
    {
      engine_assert_no_migration_sent (f->sim, pools[i]);
      g_assert_cmpuint (engine_sim_count_calls (f->sim, pools[i], "host.migrate_receive"), ==, 0);
    }
}

/* A record of @pool's cache (borrowed), or NULL. */
static gpointer
cached (FerryPool  *pool,
        XapiClass   klass,
        const char *ref)
{
  XapiCache *cache = ferry_pool_get_cache (pool);

  return cache != NULL && ref != NULL ? xapi_cache_lookup (cache, klass, ref) : NULL;
}

/* @vm's own record in @pool's cache (it must be there). */
static const XapiVm *
vm_record (FerryPool *pool,
           FerryVm   *vm)
{
  const XapiVm *record = cached (pool, XAPI_CLASS_VM, ferry_vm_get_ref (vm));

  g_assert_nonnull (record);
  return record;
}

/* The simulator's set_power_state, then until the engine sees it. */
static void
set_power_state (Fixture    *f,
                 FerryVm    *vm,
                 const char *state)
{
  g_autofree char             *command = g_strdup_printf ("{\"command\": \"set_power_state\", \"vm\": \"%s\", \"state\": \"%s\"}",
                                                          ferry_vm_get_uuid (vm), state);
  g_autoptr(JsonObject) reply G_GNUC_UNUSED = engine_sim_control (f->sim, command);
  EnginePowerWait              wait = { vm, state };

  g_assert_true (engine_wait_until (engine_vm_in_state, &wait, 30));
}

typedef struct
{
  FerryPool  *pool;
  const char *vm;
  const char *sr;
} DisksOn;

/* Until the VM named @vm of @pool has every disk on the SR named @sr. */
static gboolean
disks_on (gpointer data)
{
  DisksOn   *on = data;
  FerryVm   *vm = ferry_pool_find_vm (on->pool, on->vm);
  GPtrArray *disks = vm != NULL ? ferry_vm_get_disks (vm) : NULL;

  if (disks == NULL || disks->len == 0)
    return FALSE;
  for (guint i = 0; i < disks->len; i++)
    {
      FerryDisk *disk = g_ptr_array_index (disks, i);

      if (disk->sr == NULL || g_strcmp0 (ferry_sr_get_name (disk->sr), on->sr) != 0)
        return FALSE;
    }
  return TRUE;
}

/* The SR (name) of the memory image of @vm, from @pool's records. */
static const char *
suspend_sr_name (FerryPool *pool,
                 FerryVm   *vm)
{
  const XapiVdi *vdi = cached (pool, XAPI_CLASS_VDI, vm_record (pool, vm)->suspend_VDI);
  FerrySr       *sr = vdi != NULL ? ferry_pool_get_sr_by_ref (pool, vdi->SR) : NULL;

  return sr != NULL ? ferry_sr_get_name (sr) : NULL;
}

/* ---- (a) shared storage: a new home host ------------------------------------ */

static void
test_home_host (Fixture      *f,
                gconstpointer data)
{
  FerryVm   *vm = engine_vm (f->lyon, "backup");
  FerryHost *target = engine_host (f->lyon, "lyon-2");
  g_autoptr(JsonArray) params = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  g_autofree char *reason = NULL;
  FerryPlan       *plan;
  FerryJob        *job;

  g_assert_cmpstr (ferry_vm_get_power_state (vm), ==, "Halted");
  g_assert_true (ferry_manager_check_target (f->manager, vm, target, NULL));

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  engine_sim_calls (f->sim, "Paris", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  /* Nothing is copied: no question, as for a plain migration. */
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_SUCCEEDED);

  plan = ferry_job_get_plan (job);
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_HOME_HOST);
  g_assert_cmpint (ferry_job_get_kind (job), ==, FERRY_MIGRATION_HOME_HOST);
  g_assert_false (ferry_plan_needs_confirmation (plan));
  g_assert_cmpuint (ferry_plan_get_bytes_to_copy (plan), ==, 0);
  summary = ferry_plan_summarize (plan);
  g_assert_cmpstr (summary, ==,
                   "“backup” is halted: lyon-2 becomes its home host, where it starts next; its disks stay where they are.");
  text = ferry_plan_describe (plan);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "lyon-2 will be its home host"));
  g_assert_null (strstr (text, "Its home host was"));
  g_assert_nonnull (strstr (text, "stays on “Lyon NFS”"));
  g_assert_nonnull (strstr (text, "Nothing is copied."));

  /* One VM.set_affinity, nothing that moves a VM. */
  params = engine_sim_single_call (f->sim, "Lyon", "VM.set_affinity");
  g_assert_cmpuint (json_array_get_length (params), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (params, 1), ==, ferry_vm_get_ref (vm));
  g_assert_cmpstr (json_array_get_string_element (params, 2), ==, ferry_host_get_ref (target));
  assert_no_migration (f);

  /* What the pool shows: its affinity, still halted, on no host. */
  g_assert_true (ferry_vm_get_affinity (vm) == target);
  g_assert_cmpstr (vm_record (f->lyon, vm)->affinity, ==,
                   ferry_host_get_ref (target));
  g_assert_cmpstr (ferry_vm_get_power_state (vm), ==, "Halted");
  g_assert_null (ferry_vm_get_resident_on (vm));

  /* And now there is nothing left to do there. */
  g_assert_false (ferry_manager_check_target (f->manager, vm, target, &reason));
  g_assert_cmpstr (reason, ==, "Already its home host");
}

/* The answer to VM.set_affinity is lost (the connection closes): setting
 * it again does no harm, and the record says when it is done. */
static void
test_home_host_answer_lost (Fixture      *f,
                            gconstpointer data)
{
  FerryVm                     *vm = engine_vm (f->lyon, "backup");
  FerryHost                   *target = engine_host (f->lyon, "lyon-3");
  g_autoptr(JsonObject) reply G_GNUC_UNUSED = NULL;
  FerryJob                    *job;

  reply = engine_sim_control (f->sim, "{\"command\": \"drop_connections\", \"pool\": \"Lyon\", \"count\": 1,"
                                      " \"method\": \"VM.set_affinity\"}");
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_SUCCEEDED);
  g_assert_true (ferry_vm_get_affinity (vm) == target);
  /* The dropped call never ran: one call did the change. */
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "VM.set_affinity"), ==, 1);
  assert_no_migration (f);
}

/* ---- (b) local storage inside a pool: migrate_send, live = false ----------- */

static void
test_local_intra_pool (Fixture      *f,
                       gconstpointer data)
{
  FerryVm         *vm = engine_vm (f->paris, "legacy-erp");
  FerryHost       *target = engine_host (f->paris, "paris-1");
  FerrySr         *local1 = engine_sr (f->paris, "Local storage paris-1");
  FerryNetwork    *mgmt = engine_network (f->paris, "Pool-wide network associated with eth0");
  g_autofree char *vdi = g_strdup (((FerryDisk *) g_ptr_array_index (ferry_vm_get_disks (vm), 0))->vdi_ref);
  g_autoptr(JsonArray) receive = NULL;
  g_autoptr(JsonArray) assert_params = NULL;
  g_autoptr(JsonArray) send = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  DisksOn          on = { f->paris, "legacy-erp", "Local storage paris-1" };
  JsonObject      *map;
  FerryPlan       *plan;
  FerryJob        *job;

  engine_sim_calls (f->sim, "Paris", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);

  plan = ferry_job_get_plan (job);
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_STORAGE);
  g_assert_true (ferry_plan_needs_confirmation (plan));
  g_assert_false (ferry_plan_get_cross_pool (plan));
  /* The disk's used bytes, no memory. */
  g_assert_cmpuint (ferry_plan_get_bytes_to_copy (plan), ==, 20 * G_GUINT64_CONSTANT (1073741824));
  summary = ferry_plan_summarize (plan);
  g_assert_cmpstr (summary, ==, "“legacy-erp” is halted and will move to paris-1; its disks are copied, and it stays halted.");
  text = ferry_plan_describe (plan);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "copied to “Local storage paris-1”"));
  g_assert_null (strstr (text, "keeps running"));

  /* The checks before the question: the target host's migrate_receive on
   * its management network, then assert_can_migrate with live = false. */
  receive = engine_sim_single_call (f->sim, "Paris", "host.migrate_receive");
  g_assert_cmpstr (json_array_get_string_element (receive, 1), ==, ferry_host_get_ref (target));
  g_assert_cmpstr (json_array_get_string_element (receive, 2), ==, ferry_network_get_ref (mgmt));
  assert_params = engine_sim_single_call (f->sim, "Paris", "VM.assert_can_migrate");
  g_assert_false (json_array_get_boolean_element (assert_params, 3));
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Paris", "Async.VM.migrate_send"), ==, 0);

  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);

  send = engine_sim_single_call (f->sim, "Paris", "Async.VM.migrate_send");
  g_assert_cmpuint (json_array_get_length (send), ==, 7);
  g_assert_cmpstr (json_array_get_string_element (send, 1), ==, ferry_vm_get_ref (vm));
  g_assert_cmpstr (engine_json_string (json_array_get_object_element (send, 2), "host"), ==,
                   ferry_host_get_ref (target));
  g_assert_false (json_array_get_boolean_element (send, 3));
  map = json_array_get_object_element (send, 4);
  g_assert_cmpuint (json_object_get_size (map), ==, 1);
  g_assert_cmpstr (engine_json_string (map, vdi), ==, ferry_sr_get_ref (local1));
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (send, 5)), ==, 0);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Paris", "VM.set_affinity"), ==, 0);

  /* The same VM, still halted and on no host, its disk on paris-1's SR. */
  g_assert_true (engine_wait_until (disks_on, &on, 30));
  g_assert_true (engine_vm (f->paris, "legacy-erp") == vm);
  g_assert_cmpstr (ferry_vm_get_power_state (vm), ==, "Halted");
  g_assert_null (ferry_vm_get_resident_on (vm));
}

/* ---- (c) across pools: migrate_send, live = false -------------------------- */

typedef struct
{
  FerryPool  *pool;
  const char *name;
} Named;

static gboolean
vm_gone (gpointer data)
{
  Named *named = data;

  return ferry_pool_find_vm (named->pool, named->name) == NULL;
}

static void
test_cross_pool (Fixture      *f,
                 gconstpointer data)
{
  FerryVm         *vm = engine_vm (f->lyon, "backup");
  FerryHost       *target = engine_host (f->paris, "paris-1");
  g_autofree char *uuid = g_strdup (ferry_vm_get_uuid (vm));
  g_autoptr(JsonArray) send = NULL;
  g_autofree char *summary = NULL;
  DisksOn          on = { f->paris, "backup", "Local storage paris-1" };
  Named            gone = { f->lyon, "backup" };
  FerryVm         *arrived;
  FerryPlan       *plan;
  FerryJob        *job;

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  engine_sim_calls (f->sim, "Paris", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);

  plan = ferry_job_get_plan (job);
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_STORAGE);
  g_assert_true (ferry_plan_get_cross_pool (plan));
  summary = ferry_plan_summarize (plan);
  g_assert_cmpstr (summary, ==,
                   "“backup” is halted and will move to paris-1 in the pool “Paris”; its disks are copied, and it stays halted.");
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Paris", "host.migrate_receive"), ==, 1);
  g_assert_false (json_array_get_boolean_element (engine_sim_single_call (f->sim, "Lyon", "VM.assert_can_migrate"), 3));

  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);

  send = engine_sim_single_call (f->sim, "Lyon", "Async.VM.migrate_send");
  g_assert_false (json_array_get_boolean_element (send, 3));
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (send, 4)), ==, 1);
  /* Its VIF, to Paris's network of the same name. */
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (send, 5)), ==, 1);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "VM.set_affinity"), ==, 0);

  /* The same uuid in Paris, halted, on paris-1's local SR; gone from Lyon. */
  g_assert_true (engine_wait_until (disks_on, &on, 30));
  g_assert_true (engine_wait_until (vm_gone, &gone, 30));
  arrived = engine_vm (f->paris, "backup");
  g_assert_cmpstr (ferry_vm_get_uuid (arrived), ==, uuid);
  g_assert_cmpstr (ferry_vm_get_power_state (arrived), ==, "Halted");
  g_assert_null (ferry_vm_get_resident_on (arrived));
}

/* ---- suspended VMs ----------------------------------------------------------- */

/* Suspended on shared storage, inside its pool: a new home host, where it
 * resumes.  Across pools: migrate_send, its memory image to the other
 * pool's suspend SR. */
static void
test_suspended (Fixture      *f,
                gconstpointer data)
{
  FerryVm         *vm = engine_vm (f->lyon, "web-02");
  FerryHost       *home = engine_host (f->lyon, "lyon-3");
  FerryHost       *target = engine_host (f->paris, "paris-2");
  g_autofree char *uuid = g_strdup (ferry_vm_get_uuid (vm));
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonArray) params = NULL;
  g_autoptr(JsonArray) send = NULL;
  JsonObject *vdi_map;
  DisksOn     on = { f->paris, "web-02", "Local storage paris-2" };
  Named       gone = { f->lyon, "web-02" };
  FerryVm    *arrived;
  FerryPlan  *plan;
  FerryJob   *job;

  set_power_state (f, vm, "Suspended");
  g_assert_null (ferry_vm_get_resident_on (vm));
  /* Suspended where it ran: its image on Lyon's suspend SR. */
  g_assert_cmpstr (suspend_sr_name (f->lyon, vm), ==, "Lyon NFS");
  if (ferry_vm_get_affinity (vm) == home)
    home = engine_host (f->lyon, "lyon-1");

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, home, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_SUCCEEDED);
  plan = ferry_job_get_plan (job);
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_HOME_HOST);
  summary = ferry_plan_summarize (plan);
  g_assert_nonnull (strstr (summary, "is suspended"));
  g_assert_nonnull (strstr (summary, "where it resumes"));
  params = engine_sim_single_call (f->sim, "Lyon", "VM.set_affinity");
  g_assert_cmpstr (json_array_get_string_element (params, 2), ==, ferry_host_get_ref (home));
  assert_no_migration (f);
  g_assert_true (ferry_vm_get_affinity (vm) == home);
  g_assert_cmpstr (ferry_vm_get_power_state (vm), ==, "Suspended");
  g_clear_pointer (&summary, g_free);

  /* Across pools. */
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  plan = ferry_job_get_plan (job);
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_STORAGE);
  /* Paris's suspend SR is paris-1's local SR (its default). */
  g_assert_nonnull (ferry_plan_get_suspend_sr (plan));
  g_assert_cmpstr (ferry_sr_get_name (ferry_plan_get_suspend_sr (plan)), ==, "Local storage paris-1");
  g_assert_true (ferry_plan_get_suspend_moves (plan));
  summary = ferry_plan_summarize (plan);
  g_assert_cmpstr (summary, ==, "“web-02” is suspended and will move to paris-2 in the pool “Paris”; its disks and "
                                "memory image are copied, and it stays suspended.");
  text = ferry_plan_describe (plan);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Its memory image (up to 2 GiB) goes to"));
  g_assert_nonnull (strstr (text, "goes to “Local storage paris-1” (suspend SR of the pool “Paris”)."));
  /* XAPI's choice, which paris-2 does not see: the plan says so. */
  g_assert_nonnull (strstr (text, "paris-2 does not see “Local storage paris-1”, so “web-02” may not resume there."));

  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);

  /* The memory image is not in the map: XAPI places it itself. */
  send = engine_sim_single_call (f->sim, "Lyon", "Async.VM.migrate_send");
  g_assert_false (json_array_get_boolean_element (send, 3));
  vdi_map = json_array_get_object_element (send, 4);
  g_assert_cmpuint (json_object_get_size (vdi_map), ==, ferry_vm_get_disks (vm)->len);

  g_assert_true (engine_wait_until (vm_gone, &gone, 30));
  g_assert_true (engine_wait_until (disks_on, &on, 30));
  arrived = engine_vm (f->paris, "web-02");
  g_assert_cmpstr (ferry_vm_get_uuid (arrived), ==, uuid);
  g_assert_cmpstr (ferry_vm_get_power_state (arrived), ==, "Suspended");
  g_assert_cmpstr (suspend_sr_name (f->paris, arrived), ==, "Local storage paris-1");
}

/* Suspended on local storage, inside its pool: migrate_send; its memory
 * image is on the pool's suspend SR already and stays there. */
static void
test_suspended_local (Fixture      *f,
                      gconstpointer data)
{
  FerryVm         *vm = engine_vm (f->lyon, "proxy");
  FerryHost       *target = engine_host (f->lyon, "lyon-3");
  g_autofree char *image = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonArray) send = NULL;
  DisksOn    on = { f->lyon, "proxy", "Lyon NFS" };
  FerryPlan *plan;
  FerryJob  *job;

  set_power_state (f, vm, "Suspended");
  g_assert_true (ferry_vm_get_suspend_sr (vm) == engine_sr (f->lyon, "Lyon NFS"));
  image = g_strdup (vm_record (f->lyon, vm)->suspend_VDI);

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, target, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  plan = ferry_job_get_plan (job);
  g_assert_cmpint (ferry_plan_get_kind (plan), ==, FERRY_MIGRATION_STORAGE);
  g_assert_true (ferry_plan_get_suspend_sr (plan) == engine_sr (f->lyon, "Lyon NFS"));
  g_assert_false (ferry_plan_get_suspend_moves (plan));
  summary = ferry_plan_summarize (plan);
  g_assert_cmpstr (summary, ==, "“proxy” is suspended and will move to lyon-3; its disks are copied, and it stays suspended.");
  text = ferry_plan_describe (plan);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Its memory image stays on “Lyon NFS” (suspend SR of the pool “Lyon”)."));
  /* Its disk's used bytes only. */
  g_assert_cmpuint (ferry_plan_get_bytes_to_copy (plan), ==, 3 * G_GUINT64_CONSTANT (1073741824));

  ferry_job_confirm (job, NULL);
  g_assert_cmpint (engine_wait_job (job, 120), ==, FERRY_JOB_STATE_SUCCEEDED);
  send = engine_sim_single_call (f->sim, "Lyon", "Async.VM.migrate_send");
  g_assert_false (json_array_get_boolean_element (send, 3));
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (send, 4)), ==, 1);
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (send, 5)), ==, 0);

  g_assert_true (engine_wait_until (disks_on, &on, 30));
  g_assert_cmpstr (ferry_vm_get_power_state (vm), ==, "Suspended");
  g_assert_null (ferry_vm_get_resident_on (vm));
  g_assert_cmpstr (vm_record (f->lyon, vm)->suspend_VDI, ==, image);
}

/* ---- what XAPI refuses, said before anything is sent ------------------------ */

static const char no_suspend_sr[] =
  "{\"pools\": ["
  " {\"name\": \"Lyon\", \"hosts\": [{\"name\": \"lyon-1\"}, {\"name\": \"lyon-2\"}],"
  "  \"srs\": [{\"name\": \"Lyon NFS\", \"type\": \"nfs\", \"shared\": true, \"size_gib\": 500, \"default\": true}],"
  "  \"vms\": [{\"name\": \"sleeper\", \"host\": \"lyon-1\", \"memory_gib\": 2,"
  "            \"disks\": [{\"sr\": \"Lyon NFS\", \"size_gib\": 10}]},"
  "           {\"name\": \"frozen\", \"host\": \"lyon-1\", \"memory_gib\": 2,"
  "            \"disks\": [{\"sr\": \"Lyon NFS\", \"size_gib\": 10}]}]},"
  " {\"name\": \"Paris\", \"hosts\": [{\"name\": \"paris-1\"}],"
  "  \"srs\": [{\"name\": \"Paris NFS\", \"type\": \"nfs\", \"shared\": true, \"size_gib\": 500}]}]}";

static void
test_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ferry-engine-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "scenario.json", NULL);
  g_autofree char *arg = g_strdup_printf ("--scenario=%s", path);
  const char      *args[] = { arg, "--bandwidth=20000", NULL };
  Fixture          fixture = { NULL };
  Fixture         *f = &fixture;
  g_autofree char *reason = NULL;
  FerryVm         *sleeper;
  FerryVm         *frozen;
  FerryJob        *job;

  g_assert_true (g_file_set_contents (path, no_suspend_sr, -1, NULL));
  engine_fixture_setup (f, args);

  sleeper = engine_vm (f->lyon, "sleeper");
  frozen = engine_vm (f->lyon, "frozen");
  set_power_state (f, sleeper, "Suspended");
  set_power_state (f, frozen, "Paused");
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  engine_sim_calls (f->sim, "Paris", NULL, TRUE);

  /* Paris has no default SR, no suspend SR, and paris-1 none either: XAPI
   * would refuse (VDI_NOT_IN_MAP for the memory image). */
  job = ferry_manager_migrate (f->manager, sleeper, engine_host (f->paris, "paris-1"), NULL);
  g_assert_cmpint (engine_wait_job (job, 30), ==, FERRY_JOB_STATE_FAILED);
  g_test_message ("%s", ferry_job_get_error (job));
  g_assert_nonnull (strstr (ferry_job_get_error (job), "“sleeper” is suspended, and the pool “Paris” has no place for its memory image"));

  /* A paused VM stays where it is. */
  g_assert_false (ferry_manager_check_target (f->manager, frozen, engine_host (f->lyon, "lyon-2"), &reason));
  g_assert_cmpstr (reason, ==, "The VM is paused");
  job = ferry_manager_migrate (f->manager, frozen, engine_host (f->lyon, "lyon-2"), NULL);
  g_assert_cmpint (engine_wait_job (job, 30), ==, FERRY_JOB_STATE_FAILED);
  g_assert_cmpstr (ferry_job_get_error_code (job), ==, "VM_BAD_POWER_STATE");
  g_assert_nonnull (strstr (ferry_job_get_error (job), "Unpause it"));

  assert_no_migration (f);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "VM.set_affinity"), ==, 0);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "VM.assert_can_migrate"), ==, 0);

  engine_fixture_teardown (f, NULL);
  g_remove (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/halted/home-host", Fixture, fast,
              engine_fixture_setup, test_home_host, engine_fixture_teardown);
  g_test_add ("/engine/halted/home-host-answer-lost", Fixture, fast,
              engine_fixture_setup, test_home_host_answer_lost, engine_fixture_teardown);
  g_test_add ("/engine/halted/local-intra-pool", Fixture, fast,
              engine_fixture_setup, test_local_intra_pool, engine_fixture_teardown);
  g_test_add ("/engine/halted/cross-pool", Fixture, fast,
              engine_fixture_setup, test_cross_pool, engine_fixture_teardown);
  g_test_add ("/engine/halted/suspended", Fixture, fast,
              engine_fixture_setup, test_suspended, engine_fixture_teardown);
  g_test_add ("/engine/halted/suspended-local", Fixture, fast,
              engine_fixture_setup, test_suspended_local, engine_fixture_teardown);
  g_test_add_func ("/engine/halted/refused", test_refused);

  return g_test_run ();
}
