/* test-vm-drag.c: what a drag of VMs carries, and what a drop finds again
 *
 * The real engine against the simulator's demo pools (in-process, over HTTP
 * on loopback).  A drag's content is Ferry's private boxed type only (no
 * text, no MIME type another process could read), and a drop finds VMs by
 * uuid within their own pool: never by name, never in another pool.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>

#include "sim/fsim-server.h"

#include "ferry-vm-drag.h"

#define WAIT_SECONDS 60

typedef struct
{
  FsimServer   *sim;
  FerryManager *manager;
  FerryPool    *lyon;
  FerryPool    *paris;
} Fixture;

static gboolean
timed_out_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @cond (re-evaluated each turn) holds. */
#define SPIN_UNTIL(cond)                                                            \
  G_STMT_START                                                                      \
  {                                                                                 \
    gboolean timed_out_ = FALSE;                                                    \
    guint    id_ = g_timeout_add_seconds (WAIT_SECONDS, timed_out_cb, &timed_out_); \
    while (!(cond) && !timed_out_)                                                  \
      g_main_context_iteration (NULL, TRUE);                                        \
    if (!timed_out_)                                                                \
      g_source_remove (id_);                                                        \
    g_assert_true (cond);                                                           \
  }                                                                                 \
  G_STMT_END

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  FerryPool **pool = user_data;
  g_autoptr(GError) error = NULL;

  *pool = ferry_manager_connect_finish (FERRY_MANAGER (object), result, &error);
  g_assert_no_error (error);
}

static void
connect_pool (Fixture    *fixture,
              const char *name,
              FerryPool **pool)
{
  g_autofree char *url = fsim_server_get_pool_url (fixture->sim, (guint) fsim_server_find_pool (fixture->sim, name));

  ferry_manager_connect_async (fixture->manager, url, "root", "ferry", NULL, FALSE, NULL, connected_cb, pool);
  SPIN_UNTIL (*pool != NULL);
  SPIN_UNTIL (g_list_model_get_n_items (ferry_pool_get_vms (*pool)) > 0);
}

static void
fixture_setup (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->sim = fsim_server_new ("demo", &error);
  g_assert_no_error (error);
  fsim_server_set_quiet (fixture->sim, TRUE);
  g_assert_true (fsim_server_start (fixture->sim, 0, &error));
  g_assert_no_error (error);

  fixture->manager = ferry_manager_new (NULL);
  connect_pool (fixture, "Lyon", &fixture->lyon);
  connect_pool (fixture, "Paris", &fixture->paris);
}

static void
fixture_teardown (Fixture      *fixture,
                  gconstpointer data)
{
  g_clear_object (&fixture->lyon);
  g_clear_object (&fixture->paris);
  g_clear_object (&fixture->manager);
  fsim_server_stop (fixture->sim);
  g_clear_object (&fixture->sim);
}

static FerryVm *
vm (FerryPool  *pool,
    const char *name)
{
  FerryVm *found = ferry_pool_find_vm (pool, name);

  g_assert_nonnull (found);
  return found;
}

/* Several VMs, from two pools, come back as the same objects in order. */
static void
test_round_trip (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new ();
  g_autoptr(FerryVmDrag) drag = NULL;
  g_autoptr(GPtrArray) found = NULL;

  g_ptr_array_add (vms, vm (fixture->lyon, "web-01"));
  g_ptr_array_add (vms, vm (fixture->paris, "db-paris"));
  g_ptr_array_add (vms, vm (fixture->lyon, "db-01"));
  drag = ferry_vm_drag_new (vms);

  g_assert_cmpuint (ferry_vm_drag_get_n_vms (drag), ==, 3);
  g_assert_cmpstr (ferry_vm_drag_get_pool_uuid (drag, 0), ==, ferry_pool_get_uuid (fixture->lyon));
  g_assert_cmpstr (ferry_vm_drag_get_pool_uuid (drag, 1), ==, ferry_pool_get_uuid (fixture->paris));
  g_assert_cmpstr (ferry_vm_drag_get_vm_uuid (drag, 2), ==, ferry_vm_get_uuid (g_ptr_array_index (vms, 2)));

  found = ferry_vm_drag_resolve (drag, fixture->manager);
  g_assert_cmpuint (found->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_ptr_array_index (found, i) == g_ptr_array_index (vms, i));
}

/* A name is not a uuid; a uuid counts only in its own pool; a VM that is
 * gone is skipped. */
static void
test_uuid_within_pool (Fixture      *fixture,
                       gconstpointer data)
{
  const char *lyon = ferry_pool_get_uuid (fixture->lyon);
  const char *paris = ferry_pool_get_uuid (fixture->paris);
  const char *web01 = ferry_vm_get_uuid (vm (fixture->lyon, "web-01"));
  const char *by_name[] = { "web-01", NULL };
  const char *elsewhere[] = { web01, NULL };
  const char *one_gone[] = { "00000000-0000-0000-0000-000000000000", web01, NULL };
  g_autoptr(FerryVmDrag) named = ferry_vm_drag_new_for_uuids (lyon, by_name);
  g_autoptr(FerryVmDrag) wrong_pool = ferry_vm_drag_new_for_uuids (paris, elsewhere);
  g_autoptr(FerryVmDrag) no_pool = ferry_vm_drag_new_for_uuids ("not-a-pool", elsewhere);
  g_autoptr(FerryVmDrag) partly = ferry_vm_drag_new_for_uuids (lyon, one_gone);
  g_autoptr(GPtrArray) found_named = ferry_vm_drag_resolve (named, fixture->manager);
  g_autoptr(GPtrArray) found_wrong_pool = ferry_vm_drag_resolve (wrong_pool, fixture->manager);
  g_autoptr(GPtrArray) found_no_pool = ferry_vm_drag_resolve (no_pool, fixture->manager);
  g_autoptr(GPtrArray) found_partly = ferry_vm_drag_resolve (partly, fixture->manager);

  /* The lookup the drop used before would have found it by name. */
  g_assert_nonnull (ferry_manager_find_vm (fixture->manager, "web-01"));
  g_assert_cmpuint (found_named->len, ==, 0);
  g_assert_cmpuint (found_wrong_pool->len, ==, 0);
  g_assert_cmpuint (found_no_pool->len, ==, 0);
  g_assert_cmpuint (found_partly->len, ==, 1);
  g_assert_cmpstr (ferry_vm_get_uuid (g_ptr_array_index (found_partly, 0)), ==, web01);
}

/* The content a drag offers: the boxed type only, nothing another process
 * can ask for, and the same payload back out. */
static void
test_content (Fixture      *fixture,
              gconstpointer data)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new ();
  g_autoptr(FerryVmDrag) drag = NULL;
  g_autoptr(GdkContentProvider) provider = NULL;
  g_autoptr(GdkContentFormats) formats = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  gsize n_mime_types = 99;

  g_ptr_array_add (vms, vm (fixture->lyon, "web-01"));
  drag = ferry_vm_drag_new (vms);
  provider = gdk_content_provider_new_typed (FERRY_TYPE_VM_DRAG, drag);

  formats = gdk_content_formats_union_serialize_mime_types (gdk_content_provider_ref_formats (provider));
  g_assert_true (gdk_content_formats_contain_gtype (formats, FERRY_TYPE_VM_DRAG));
  g_assert_false (gdk_content_formats_contain_gtype (formats, G_TYPE_STRING));
  gdk_content_formats_get_mime_types (formats, &n_mime_types);
  g_assert_cmpuint (n_mime_types, ==, 0);

  g_value_init (&value, FERRY_TYPE_VM_DRAG);
  g_assert_true (gdk_content_provider_get_value (provider, &value, &error));
  g_assert_no_error (error);
  g_assert_true (g_value_get_boxed (&value) == drag);

  /* And text cannot be made into one. */
  g_assert_false (g_value_type_transformable (G_TYPE_STRING, FERRY_TYPE_VM_DRAG));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ui/vm-drag/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/ui/vm-drag/uuid-within-pool", Fixture, NULL, fixture_setup, test_uuid_within_pool, fixture_teardown);
  g_test_add ("/ui/vm-drag/content", Fixture, NULL, fixture_setup, test_content, fixture_teardown);

  return g_test_run ();
}
