/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-mutate.c: random but realistic changes to a pool, for cache tests
 *
 * Each change is something a real pool does on its own (a VM renamed,
 * started or stopped, a VM created or destroyed with its devices, memory or
 * storage use drifting), so a client cache following event.from must end up
 * equal to a fresh get_all_records.
 */

#include "fsim-private.h"

static FsimObject *
random_object (FsimPool *pool, GRand *rand, const char *cls, gboolean plain_vm)
{
  g_autoptr(GPtrArray) list = fsim_db_list (pool->db, fsim_class_lookup (cls));
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();

  for (guint i = 0; i < list->len; i++)
    {
      FsimObject *obj = list->pdata[i];

      if (plain_vm && (fsim_obj_get_bool (obj, "is_a_template") || fsim_obj_get_bool (obj, "is_a_snapshot") ||
                       fsim_obj_get_bool (obj, "is_control_domain") ||
                       json_object_get_size (fsim_obj_get_map (obj, "current_operations")) > 0))
        continue;
      g_ptr_array_add (candidates, obj);
    }
  if (candidates->len == 0)
    return NULL;
  return candidates->pdata[g_rand_int_range (rand, 0, candidates->len)];
}

static void
add_vm (FsimPool *pool, GRand *rand)
{
  FsimObject      *sr = fsim_db_lookup (pool->db, fsim_obj_get_string (pool->pool, "default_SR"));
  FsimObject      *host = pool->hosts->pdata[g_rand_int_range (rand, 0, pool->hosts->len)];
  FsimObject      *net = fsim_model_management_network (pool, host);
  g_autofree char *name = g_strdup_printf ("new-vm-%05u", g_rand_int_range (rand, 0, 100000));
  g_autofree char *mac = fsim_model_random_mac (rand);
  FsimDiskSpec     disk = { 0 };
  FsimVifSpec      vif = { net, mac };
  FsimVmSpec       spec = { 0 };

  if (sr == NULL)
    sr = random_object (pool, rand, "SR", FALSE);
  if (sr == NULL || net == NULL)
    return;
  disk.sr = sr;
  disk.virtual_size = (8 + g_rand_int_range (rand, 0, 40)) * FSIM_GIB;
  disk.physical_utilisation = disk.virtual_size / 3;
  spec.name = name;
  spec.description = "Created while you were looking";
  spec.power_state = g_rand_boolean (rand) ? "Running" : "Halted";
  spec.host = host;
  spec.memory = (1 + g_rand_int_range (rand, 0, 4)) * FSIM_GIB;
  spec.vcpus = 1 + g_rand_int_range (rand, 0, 4);
  spec.disks = &disk;
  spec.n_disks = 1;
  spec.vifs = &vif;
  spec.n_vifs = 1;
  fsim_model_add_vm (pool, &spec);
}

JsonNode *
fsim_mutate (FsimPool *pool, guint count, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  JsonObject *o = json_object_new ();

  for (guint i = 0; i < count; i++)
    {
      FsimObject *obj;

      switch (g_rand_int_range (rand, 0, 8))
        {
        case 0:
        case 1:
          if ((obj = random_object (pool, rand, "VM", TRUE)) != NULL)
            {
              g_autofree char *name = g_strdup_printf ("%s-%u", fsim_obj_get_string (obj, "name_label"),
                                                       g_rand_int_range (rand, 0, 100));

              fsim_obj_set_string (obj, "name_label", name);
            }
          break;
        case 2:
          if ((obj = random_object (pool, rand, "VM", TRUE)) != NULL)
            {
              gboolean    running = g_strcmp0 (fsim_obj_get_string (obj, "power_state"), "Running") == 0;
              FsimObject *host = pool->hosts->pdata[g_rand_int_range (rand, 0, pool->hosts->len)];

              fsim_model_set_power_state (pool, obj, running ? "Halted" : "Running", host);
              fsim_model_refresh_memory (pool);
            }
          break;
        case 3:
          if ((obj = random_object (pool, rand, "host_metrics", FALSE)) != NULL)
            {
              gint64 total = fsim_obj_get_int (obj, "memory_total");

              fsim_obj_set_int (obj, "memory_free", g_rand_double (rand) * total);
            }
          break;
        case 4:
          add_vm (pool, rand);
          fsim_model_refresh_memory (pool);
          break;
        case 5:
          if ((obj = random_object (pool, rand, "VM", TRUE)) != NULL)
            {
              fsim_model_destroy_vm (pool, obj, TRUE);
              fsim_model_refresh_memory (pool);
            }
          break;
        case 6:
          if ((obj = random_object (pool, rand, "SR", FALSE)) != NULL)
            {
              gint64 size = fsim_obj_get_int (obj, "physical_size");

              fsim_obj_set_int (obj, "physical_utilisation", g_rand_double (rand) * size * 0.9);
            }
          break;
        default:
          if ((obj = random_object (pool, rand, "VM", TRUE)) != NULL)
            {
              g_autofree char *value = g_strdup_printf ("%u", g_rand_int (rand));

              fsim_obj_map_put (obj, "other_config", "ferry-sim-mutation", value);
            }
          break;
        }
    }
  json_object_set_boolean_member (o, "ok", TRUE);
  json_object_set_int_member (o, "generation", fsim_db_get_generation (pool->db));
  return fsim_node_take_object (o);
}
