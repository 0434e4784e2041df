/* ferry-plan-wire.c: a plan as XAPI's arguments
 *
 * The one place that knows the shapes of the arguments of a migration
 * (xapi.md): the VDI and VIF maps, the options, and the argument lists of
 * VM.pool_migrate, host.migrate_receive and VM.migrate_send.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xapi-util.h"

#include "ferry-network.h"
#include "ferry-plan-private.h"
#include "ferry-plan.h"
#include "ferry-sr.h"

static void
add_pair (JsonObject *map,
          const char *key,
          const char *value)
{
  if (key != NULL && value != NULL)
    json_object_set_string_member (map, key, value);
}

static JsonObject *
build_vdi_map (FerryPlan *self)
{
  JsonObject *map = json_object_new ();

  /* Every disk is listed, also those that stay: XAPI requires each VDI of
   * the VM in the map and copies nothing whose SR does not change. */
  for (guint i = 0; i < self->disks->len; i++)
    {
      FerryPlanDisk *pd = g_ptr_array_index (self->disks, i);

      add_pair (map, pd->vdi_ref, pd->to != NULL ? ferry_sr_get_ref (pd->to) : NULL);
    }

  return map;
}

static JsonObject *
build_vif_map (FerryPlan *self)
{
  JsonObject *map = json_object_new ();

  if (!self->cross_pool)
    return map;

  for (guint i = 0; i < self->vifs->len; i++)
    {
      FerryPlanVif *pv = g_ptr_array_index (self->vifs, i);

      add_pair (map, pv->vif_ref, pv->to != NULL ? ferry_network_get_ref (pv->to) : NULL);
    }

  {
    GHashTableIter iter;
    gpointer       key, value;

    g_hash_table_iter_init (&iter, self->snapshot_vifs);
    while (g_hash_table_iter_next (&iter, &key, &value))
      add_pair (map, key, value);
  }

  return map;
}

static JsonObject *
build_options (FerryPlan *self)
{
  JsonObject *map = json_object_new ();
  gboolean    compress;

  json_object_set_string_member (map, "force", self->options->force ? "true" : "false");

  if (self->kind == FERRY_MIGRATION_PLAIN)
    {
      if (self->migration_network_explicit)
        json_object_set_string_member (map, "network", ferry_network_get_ref (self->migration_network));
    }
  else if (self->options->copy)
    {
      json_object_set_string_member (map, "copy", "true");
    }

  if (ferry_migrate_options_get_compress (self->options, &compress))
    json_object_set_string_member (map, "compress", compress ? "true" : "false");

  return map;
}

JsonArray *
ferry_plan_wire_pool_migrate (FerryPlan  *plan,
                              const char *vm_ref,
                              const char *host_ref)
{
  JsonArray *params = xapi_params_new (vm_ref, host_ref, NULL);

  xapi_params_add_object (params, build_options (plan));
  return params;
}

JsonArray *
ferry_plan_wire_migrate_receive (FerryPlan  *plan,
                                 const char *host_ref)
{
  FerryNetwork *network = plan->migration_network;
  JsonArray    *params = xapi_params_new (host_ref, ferry_network_get_ref (network), NULL);

  xapi_params_add_object (params, json_object_new ());
  return params;
}

JsonObject *
ferry_plan_wire_dest (JsonNode *result)
{
  return result != NULL && JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
}

JsonArray *
ferry_plan_wire_migrate_send (FerryPlan  *plan,
                              const char *vm_ref,
                              JsonObject *dest)
{
  /* vm, dest, live, vdi_map, vif_map, options: six arguments after the
   * session, as XenCenter and Xen Orchestra send them (vgpu_map and
   * vdi_format_map keep their defaults). */
  JsonArray *params = xapi_params_new (vm_ref, NULL);

  xapi_params_add_object (params, json_object_ref (dest));
  /* XAPI ignores it, but says what is meant: a halted or suspended VM
   * moves with live = false. */
  xapi_params_add_bool (params, plan->live);
  xapi_params_add_object (params, build_vdi_map (plan));
  xapi_params_add_object (params, build_vif_map (plan));
  xapi_params_add_object (params, build_options (plan));

  return params;
}
