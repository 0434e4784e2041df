/* test-engine-evacuate.c: planning and running the evacuation of a host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "engine-fixture.h"

typedef struct
{
  char         *dir;
  char         *path;
  EngineSim    *sim;
  FerryManager *manager;
  FerryPool    *pool;
  const char   *pool_name;
} Fixture;

/* Three hosts with shared storage only; four VMs on e-1, two of each size. */
static const char even_scenario[] =
  "{\"pools\": [{\"name\": \"Even\", \"username\": \"root\", \"password\": \"ferry\","
  " \"hosts\": [{\"name\": \"e-1\", \"memory_gib\": 64}, {\"name\": \"e-2\", \"memory_gib\": 32},"
  "            {\"name\": \"e-3\", \"memory_gib\": 32}],"
  " \"srs\": [{\"name\": \"Even NFS\", \"type\": \"nfs\", \"shared\": true, \"size_gib\": 1024, \"default\": true}],"
  " \"vms\": [{\"name\": \"big-a\", \"host\": \"e-1\", \"memory_gib\": 8, \"disks\": [{\"sr\": \"Even NFS\", \"size_gib\": 4}]},"
  "          {\"name\": \"big-b\", \"host\": \"e-1\", \"memory_gib\": 8, \"disks\": [{\"sr\": \"Even NFS\", \"size_gib\": 4}]},"
  "          {\"name\": \"small-a\", \"host\": \"e-1\", \"memory_gib\": 4, \"disks\": [{\"sr\": \"Even NFS\", \"size_gib\": 4}]},"
  "          {\"name\": \"small-b\", \"host\": \"e-1\", \"memory_gib\": 4, \"disks\": [{\"sr\": \"Even NFS\", \"size_gib\": 4}]}]"
  "}]}";

static void
setup (Fixture      *f,
       gconstpointer data)
{
  const char      *args[3] = { "--bandwidth=100000", NULL, NULL };
  g_autofree char *arg = NULL;

  if (g_strcmp0 (data, "even") == 0)
    {
      f->dir = g_dir_make_tmp ("ferry-engine-XXXXXX", NULL);
      f->path = g_build_filename (f->dir, "even.json", NULL);
      g_assert_true (g_file_set_contents (f->path, even_scenario, -1, NULL));
      arg = g_strconcat ("--scenario=", f->path, NULL);
      args[1] = arg;
      f->pool_name = "Even";
    }
  else
    f->pool_name = "Lyon";

  f->sim = engine_sim_start (args);
  f->manager = ferry_manager_new (NULL);
  f->pool = engine_connect (f->manager, f->sim, f->pool_name);
}

static void
teardown (Fixture      *f,
          gconstpointer data)
{
  f->pool = NULL; /* owned by the manager */
  g_clear_object (&f->manager);
  engine_spin (100);
  engine_sim_stop (f->sim);
  if (f->path != NULL)
    {
      g_unlink (f->path);
      g_rmdir (f->dir);
    }
  g_free (f->path);
  g_free (f->dir);
}

static gboolean
result_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
plan (FerryEvacuation *evacuation)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ferry_evacuation_plan_async (evacuation, NULL, store_result, &result);
  g_assert_true (engine_wait_until (result_set, &result, 30));
  g_assert_true (ferry_evacuation_plan_finish (evacuation, result, &error));
  g_assert_no_error (error);
}

static gboolean
run (FerryEvacuation *evacuation)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean all_moved;

  ferry_evacuation_run_async (evacuation, NULL, store_result, &result);
  g_assert_true (engine_wait_until (result_set, &result, 120));
  all_moved = ferry_evacuation_run_finish (evacuation, result, &error);
  g_assert_no_error (error);
  return all_moved;
}

static FerryEvacuationItem *
find_item (FerryEvacuation *evacuation,
           const char      *vm)
{
  GPtrArray *items = ferry_evacuation_get_items (evacuation);

  for (guint i = 0; i < items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (items, i);

      if (g_str_equal (ferry_vm_get_name (item->vm), vm))
        return item;
    }
  g_assert_not_reached ();
}

/* Planning asks the pool nothing and shows what each job will do. */
static void
test_plan_demo (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(FerryEvacuation) evacuation = ferry_evacuation_new (f->manager, engine_host (f->pool, "lyon-1"));
  g_autoptr(JsonArray) calls = NULL;
  FerryEvacuationItem *db;
  GPtrArray           *disks;

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  plan (evacuation);

  g_assert_cmpuint (ferry_evacuation_get_items (evacuation)->len, ==, 3);
  g_assert_cmpuint (ferry_evacuation_count_movable (evacuation), ==, 3);
  g_assert_cmpuint (ferry_evacuation_count_storage (evacuation), ==, 1);

  db = find_item (evacuation, "db-01");
  g_assert_cmpint (ferry_plan_get_kind (db->plan), ==, FERRY_MIGRATION_STORAGE);
  disks = ferry_plan_get_disks (db->plan);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk *disk = g_ptr_array_index (disks, i);

      g_assert_true (disk->moves);
      g_assert_cmpstr (ferry_sr_get_name (disk->to), ==, "Lyon NFS");
    }
  g_assert_cmpint (ferry_plan_get_kind (find_item (evacuation, "web-01")->plan), ==, FERRY_MIGRATION_PLAIN);
  g_assert_cmpint (ferry_plan_get_kind (find_item (evacuation, "dns-01")->plan), ==, FERRY_MIGRATION_PLAIN);

  calls = engine_sim_calls (f->sim, "Lyon", "VM.", FALSE);
  g_assert_cmpuint (json_array_get_length (calls), ==, 0);
  json_array_unref (g_steal_pointer (&calls));
  calls = engine_sim_calls (f->sim, "Lyon", "Async.", FALSE);
  g_assert_cmpuint (json_array_get_length (calls), ==, 0);
}

/* The most free memory left after the VMs placed before: two equal hosts
 * get the same load. */
static void
test_spread (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(FerryEvacuation) evacuation = ferry_evacuation_new (f->manager, engine_host (f->pool, "e-1"));
  FerryHost         *e2 = engine_host (f->pool, "e-2");
  FerryHost         *e3 = engine_host (f->pool, "e-3");
  const char * const names[] = { "big-a", "big-b", "small-a", "small-b" };

  plan (evacuation);
  g_assert_true (find_item (evacuation, "big-a")->target != find_item (evacuation, "big-b")->target);
  g_assert_true (find_item (evacuation, "small-a")->target != find_item (evacuation, "small-b")->target);

  g_assert_true (run (evacuation));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      FerryEvacuationItem *item = find_item (evacuation, names[i]);

      g_assert_cmpint (ferry_job_get_state (item->job), ==, FERRY_JOB_STATE_SUCCEEDED);
      g_assert_true (ferry_vm_get_resident_on (item->vm) == item->target);
      g_assert_true (item->target == e2 || item->target == e3);
    }
  g_assert_cmpuint (g_list_model_get_n_items (ferry_host_get_vms (engine_host (f->pool, "e-1"))), ==, 0);
}

/* host.disable goes first; then every VM moves, db-01 with its disks. */
static void
test_disable_and_run (Fixture      *f,
                      gconstpointer data)
{
  FerryHost *host = engine_host (f->pool, "lyon-1");
  g_autoptr(FerryEvacuation) evacuation = ferry_evacuation_new (f->manager, host);
  g_autoptr(JsonArray) calls = NULL;
  guint disable_at = G_MAXUINT;
  guint first_migration = G_MAXUINT;

  plan (evacuation);
  ferry_evacuation_set_disable_host (evacuation, TRUE);
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  g_assert_true (run (evacuation));

  calls = engine_sim_calls (f->sim, "Lyon", NULL, FALSE);
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      const char *method = engine_json_string (json_array_get_object_element (calls, i), "method");

      if (g_str_equal (method, "host.disable") && disable_at == G_MAXUINT)
        disable_at = i;
      if ((g_str_has_suffix (method, "VM.pool_migrate") || g_str_has_suffix (method, "VM.migrate_send") ||
           g_str_has_suffix (method, "VM.assert_can_migrate")) &&
          first_migration == G_MAXUINT)
        first_migration = i;
    }
  g_assert_cmpuint (disable_at, <, first_migration);
  g_assert_cmpuint (first_migration, <, G_MAXUINT);

  for (guint i = 0; i < ferry_evacuation_get_items (evacuation)->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (ferry_evacuation_get_items (evacuation), i);

      g_assert_cmpint (ferry_job_get_state (item->job), ==, FERRY_JOB_STATE_SUCCEEDED);
      g_assert_true (ferry_vm_get_resident_on (item->vm) != host);
    }

  /* The disabled host takes nothing: planning the way back finds no place. */
  {
    g_autoptr(FerryEvacuation) back = ferry_evacuation_new (f->manager, engine_host (f->pool, "lyon-3"));
    g_autoptr(GPtrArray) only = g_ptr_array_new ();
    GPtrArray *items;

    g_ptr_array_add (only, host);
    ferry_evacuation_set_destinations (back, only);
    plan (back);
    items = ferry_evacuation_get_items (back);
    g_assert_cmpuint (items->len, >, 0);
    g_assert_cmpuint (ferry_evacuation_count_movable (back), ==, 0);
    for (guint i = 0; i < items->len; i++)
      {
        FerryEvacuationItem *item = g_ptr_array_index (items, i);

        g_assert_nonnull (item->reason);
        g_assert_nonnull (strstr (item->reason, "lyon-1"));
      }
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/evacuate/plan-demo", Fixture, "demo", setup, test_plan_demo, teardown);
  g_test_add ("/engine/evacuate/spread", Fixture, "even", setup, test_spread, teardown);
  g_test_add ("/engine/evacuate/disable-and-run", Fixture, "demo", setup, test_disable_and_run, teardown);

  return g_test_run ();
}
