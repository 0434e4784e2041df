/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-scenario.c: the pools a simulator starts with
 *
 * The built-in demo is written in the same JSON format as scenario files, so
 * the file loader is exercised every time the demo starts.
 */

#include "fsim-scenario.h"

#include <stdlib.h>
#include <string.h>

static const char demo_json[] =
  "{\"pools\": ["
  " {\"name\": \"Lyon\", \"username\": \"root\", \"password\": \"ferry\","
  "  \"hosts\": ["
  "   {\"name\": \"lyon-1\", \"memory_gib\": 128, \"cpus\": 32},"
  "   {\"name\": \"lyon-2\", \"memory_gib\": 128, \"cpus\": 32},"
  "   {\"name\": \"lyon-3\", \"memory_gib\": 96, \"cpus\": 24}],"
  "  \"networks\": ["
  "   {\"name\": \"Pool-wide network associated with eth0\", \"device\": \"eth0\", \"bridge\": \"xenbr0\", \"management\": true},"
  "   {\"name\": \"DMZ\", \"description\": \"Public services\", \"device\": \"eth1\", \"bridge\": \"xenbr1\"}],"
  "  \"srs\": ["
  "   {\"name\": \"Lyon NFS\", \"type\": \"nfs\", \"shared\": true, \"size_gib\": 4096, \"default\": true},"
  "   {\"name\": \"Local storage lyon-1\", \"type\": \"lvm\", \"host\": \"lyon-1\", \"size_gib\": 900},"
  "   {\"name\": \"Local storage lyon-2\", \"type\": \"lvm\", \"host\": \"lyon-2\", \"size_gib\": 900},"
  "   {\"name\": \"Local storage lyon-3\", \"type\": \"lvm\", \"host\": \"lyon-3\", \"size_gib\": 900}],"
  "  \"templates\": [\"Debian Bookworm 12\", \"Windows Server 2022 (64-bit)\", \"Other install media\"],"
  "  \"custom_templates\": [\"web-template\"],"
  "  \"vms\": ["
  "   {\"name\": \"web-01\", \"description\": \"Public web front\", \"host\": \"lyon-1\", \"memory_gib\": 2, \"vcpus\": 2, \"cd\": true,"
  "    \"disks\": [{\"sr\": \"Lyon NFS\", \"size_gib\": 20, \"used_gib\": 6}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}, {\"network\": \"DMZ\"}],"
  "    \"snapshots\": [\"web-01 before upgrade\"]},"
  "   {\"name\": \"web-02\", \"description\": \"Public web front\", \"host\": \"lyon-2\", \"memory_gib\": 2, \"vcpus\": 2,"
  "    \"disks\": [{\"sr\": \"Lyon NFS\", \"size_gib\": 20, \"used_gib\": 6}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}, {\"network\": \"DMZ\"}]},"
  "   {\"name\": \"db-01\", \"description\": \"PostgreSQL primary\", \"host\": \"lyon-1\", \"memory_gib\": 8, \"vcpus\": 4,"
  "    \"disks\": [{\"sr\": \"Local storage lyon-1\", \"size_gib\": 16, \"used_gib\": 4},"
  "                {\"sr\": \"Local storage lyon-1\", \"size_gib\": 64, \"used_gib\": 6, \"name\": \"db-01 data\"}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}]},"
  "   {\"name\": \"mail\", \"description\": \"Postfix and Dovecot\", \"host\": \"lyon-2\", \"memory_gib\": 4, \"vcpus\": 2, \"cd\": true,"
  "    \"disks\": [{\"sr\": \"Local storage lyon-2\", \"size_gib\": 50, \"used_gib\": 9}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}, {\"network\": \"DMZ\"}]},"
  "   {\"name\": \"build-runner\", \"description\": \"CI runner\", \"host\": \"lyon-3\", \"memory_gib\": 8, \"vcpus\": 8,"
  "    \"disks\": [{\"sr\": \"Local storage lyon-3\", \"size_gib\": 60, \"used_gib\": 10}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}]},"
  "   {\"name\": \"monitoring\", \"description\": \"Prometheus and Grafana\", \"host\": \"lyon-3\", \"memory_gib\": 2, \"vcpus\": 2,"
  "    \"disks\": [{\"sr\": \"Lyon NFS\", \"size_gib\": 16, \"used_gib\": 5}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}]},"
  "   {\"name\": \"dns-01\", \"description\": \"Resolver\", \"host\": \"lyon-1\", \"memory_gib\": 1, \"vcpus\": 1,"
  "    \"disks\": [{\"sr\": \"Lyon NFS\", \"size_gib\": 8, \"used_gib\": 3}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}, {\"network\": \"DMZ\"}]},"
  "   {\"name\": \"proxy\", \"description\": \"Reverse proxy\", \"host\": \"lyon-2\", \"memory_gib\": 1, \"vcpus\": 2,"
  "    \"disks\": [{\"sr\": \"Local storage lyon-2\", \"size_gib\": 8, \"used_gib\": 3}],"
  "    \"vifs\": [{\"network\": \"DMZ\"}]},"
  "   {\"name\": \"backup\", \"description\": \"Backup server (stopped)\", \"power_state\": \"Halted\", \"memory_gib\": 4, \"vcpus\": 2,"
  "    \"disks\": [{\"sr\": \"Lyon NFS\", \"size_gib\": 100, \"used_gib\": 30}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}]}]},"
  " {\"name\": \"Paris\", \"username\": \"root\", \"password\": \"ferry\","
  "  \"hosts\": ["
  "   {\"name\": \"paris-1\", \"memory_gib\": 128, \"cpus\": 32},"
  "   {\"name\": \"paris-2\", \"memory_gib\": 128, \"cpus\": 32}],"
  "  \"networks\": ["
  "   {\"name\": \"Pool-wide network associated with eth0\", \"device\": \"eth0\", \"bridge\": \"xenbr0\", \"management\": true},"
  "   {\"name\": \"DMZ\", \"description\": \"Public services\", \"device\": \"eth1\", \"bridge\": \"xenbr1\"}],"
  "  \"srs\": ["
  "   {\"name\": \"Local storage paris-1\", \"type\": \"lvm\", \"host\": \"paris-1\", \"size_gib\": 1800, \"default\": true},"
  "   {\"name\": \"Local storage paris-2\", \"type\": \"lvm\", \"host\": \"paris-2\", \"size_gib\": 1800}],"
  "  \"templates\": [\"Debian Bookworm 12\", \"Windows Server 2022 (64-bit)\", \"Other install media\"],"
  "  \"vms\": ["
  "   {\"name\": \"app-paris-01\", \"description\": \"Intranet\", \"host\": \"paris-1\", \"memory_gib\": 4, \"vcpus\": 4,"
  "    \"disks\": [{\"sr\": \"Local storage paris-1\", \"size_gib\": 30, \"used_gib\": 8}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}, {\"network\": \"DMZ\"}]},"
  "   {\"name\": \"db-paris\", \"description\": \"MariaDB\", \"host\": \"paris-2\", \"memory_gib\": 8, \"vcpus\": 4, \"cd\": true,"
  "    \"disks\": [{\"sr\": \"Local storage paris-2\", \"size_gib\": 40, \"used_gib\": 6},"
  "                {\"sr\": \"Local storage paris-2\", \"size_gib\": 20, \"used_gib\": 4, \"name\": \"db-paris data\"}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}]},"
  "   {\"name\": \"ci-worker\", \"description\": \"Build worker\", \"host\": \"paris-1\", \"memory_gib\": 2, \"vcpus\": 2,"
  "    \"disks\": [{\"sr\": \"Local storage paris-1\", \"size_gib\": 20, \"used_gib\": 6}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}]},"
  "   {\"name\": \"legacy-erp\", \"description\": \"Old ERP (stopped)\", \"power_state\": \"Halted\", \"memory_gib\": 6, \"vcpus\": 2,"
  "    \"disks\": [{\"sr\": \"Local storage paris-2\", \"size_gib\": 60, \"used_gib\": 20}],"
  "    \"vifs\": [{\"network\": \"Pool-wide network associated with eth0\"}]}]}"
  "]}";

const char *
fsim_scenario_demo_json (void)
{
  return demo_json;
}

/* A number member, or @fallback when it is absent or not a number: a
 * scenario file is user input and may hold anything. */
static double
member_number (JsonObject *o, const char *key, double fallback)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, key) : NULL;
  GType     type;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return fallback;
}

/* Clamped to what the model can add up without overflowing (1 EiB). */
static gint64
to_bytes (double value, double unit)
{
  double bytes = value * unit;

  if (!(bytes > 0))
    return 0;
  return bytes >= 0x1p60 ? (gint64) 1 << 60 : (gint64) bytes;
}

static gint64
member_bytes (JsonObject *o, const char *gib_key, const char *mib_key, gint64 fallback)
{
  if (o != NULL && json_object_has_member (o, gib_key))
    return to_bytes (member_number (o, gib_key, 0), FSIM_GIB);
  if (o != NULL && mib_key != NULL && json_object_has_member (o, mib_key))
    return to_bytes (member_number (o, mib_key, 0), FSIM_MIB);
  return fallback;
}

static gint64
member_count (JsonObject *o, const char *key, gint64 fallback)
{
  double v = member_number (o, key, (double) fallback);

  return v < 1 ? 1 : v > 4096 ? 4096
                              : (gint64) v;
}

static const char *
array_string (JsonArray *array, guint index, const char *fallback)
{
  JsonNode *node = json_array_get_element (array, index);

  if (JSON_NODE_TYPE (node) != JSON_NODE_VALUE || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static const char *
member_string (JsonObject *o, const char *key, const char *fallback)
{
  JsonNode *node = json_object_get_member (o, key);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static gboolean
member_bool (JsonObject *o, const char *key)
{
  JsonNode *node = json_object_get_member (o, key);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static JsonArray *
member_array (JsonObject *o, const char *key)
{
  JsonNode *node = json_object_get_member (o, key);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
element_object (JsonArray *a, guint i, const char *what, GError **error)
{
  JsonNode *node = json_array_get_element (a, i);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %u is not an object", what, i + 1);
      return NULL;
    }
  return json_node_get_object (node);
}

static gboolean
load_vm (FsimPool *pool, JsonObject *o, GError **error)
{
  FsimVmSpec               spec = { 0 };
  JsonArray               *disks = member_array (o, "disks");
  JsonArray               *vifs = member_array (o, "vifs");
  JsonArray               *snapshots = member_array (o, "snapshots");
  g_autofree FsimDiskSpec *disk_specs = NULL;
  g_autofree FsimVifSpec  *vif_specs = NULL;
  const char              *host_name;
  FsimObject              *vm;

  spec.name = member_string (o, "name", NULL);
  if (spec.name == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "pool %s: a VM has no name", pool->name);
      return FALSE;
    }
  spec.uuid = member_string (o, "uuid", NULL);
  spec.description = member_string (o, "description", "");
  spec.power_state = member_string (o, "power_state", "Running");
  spec.memory = member_bytes (o, "memory_gib", "memory_mib", 2 * FSIM_GIB);
  spec.vcpus = member_count (o, "vcpus", 2);
  spec.cd_drive = member_bool (o, "cd");
  host_name = member_string (o, "host", NULL);
  if (g_strcmp0 (spec.power_state, "Halted") != 0)
    {
      spec.host = host_name != NULL ? fsim_model_find_by_name (pool, "host", host_name) : NULL;
      if (spec.host == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "VM %s: unknown host %s", spec.name,
                       host_name != NULL ? host_name : "(none)");
          return FALSE;
        }
    }
  spec.n_disks = disks != NULL ? json_array_get_length (disks) : 0;
  disk_specs = g_new0 (FsimDiskSpec, spec.n_disks + 1);
  for (guint i = 0; i < spec.n_disks; i++)
    {
      JsonObject *d = element_object (disks, i, "disk", error);
      const char *sr_name;

      if (d == NULL)
        return FALSE;
      sr_name = member_string (d, "sr", NULL);
      disk_specs[i].sr = sr_name != NULL ? fsim_model_find_by_name (pool, "SR", sr_name) : NULL;
      if (disk_specs[i].sr == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "VM %s: unknown SR %s", spec.name,
                       sr_name != NULL ? sr_name : "(none)");
          return FALSE;
        }
      disk_specs[i].name = member_string (d, "name", NULL);
      disk_specs[i].virtual_size = member_bytes (d, "size_gib", "size_mib", 10 * FSIM_GIB);
      disk_specs[i].physical_utilisation = member_bytes (d, "used_gib", "used_mib",
                                                         disk_specs[i].virtual_size / 4);
    }
  spec.disks = disk_specs;
  spec.n_vifs = vifs != NULL ? json_array_get_length (vifs) : 0;
  vif_specs = g_new0 (FsimVifSpec, spec.n_vifs + 1);
  for (guint i = 0; i < spec.n_vifs; i++)
    {
      JsonObject *v = element_object (vifs, i, "VIF", error);
      const char *net_name;

      if (v == NULL)
        return FALSE;
      net_name = member_string (v, "network", NULL);
      vif_specs[i].network = net_name != NULL ? fsim_model_find_by_name (pool, "network", net_name) : NULL;
      if (vif_specs[i].network == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "VM %s: unknown network %s", spec.name,
                       net_name != NULL ? net_name : "(none)");
          return FALSE;
        }
      vif_specs[i].mac = member_string (v, "mac", NULL);
    }
  spec.vifs = vif_specs;
  vm = fsim_model_add_vm (pool, &spec);
  for (guint i = 0; snapshots != NULL && i < json_array_get_length (snapshots); i++)
    {
      const char *snap_name = array_string (snapshots, i, "snapshot");

      fsim_model_add_snapshot (pool, vm, snap_name);
    }
  return TRUE;
}

static FsimPool *
load_pool (gpointer server, guint index, JsonObject *o, FsimDbChangedFunc changed, GError **error)
{
  const char      *name = member_string (o, "name", NULL);
  JsonArray       *hosts = member_array (o, "hosts");
  JsonArray       *networks = member_array (o, "networks");
  JsonArray       *srs = member_array (o, "srs");
  JsonArray       *templates = member_array (o, "templates");
  JsonArray       *custom = member_array (o, "custom_templates");
  JsonArray       *vms = member_array (o, "vms");
  g_autofree char *fallback_name = g_strdup_printf ("pool-%u", index);
  FsimPool        *pool;

  if (hosts == NULL || json_array_get_length (hosts) == 0 || json_array_get_length (hosts) > 254)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "pool %u needs 1 to 254 hosts", index);
      return NULL;
    }
  pool = fsim_pool_new (server, index, name != NULL ? name : fallback_name, changed);
  g_free (pool->username);
  pool->username = g_strdup (member_string (o, "username", "root"));
  g_free (pool->password);
  pool->password = g_strdup (member_string (o, "password", "ferry"));

  for (guint i = 0; i < json_array_get_length (hosts); i++)
    {
      JsonObject      *h = element_object (hosts, i, "host", error);
      g_autofree char *host_name = g_strdup_printf ("%s-%u", pool->name, i + 1);

      if (h == NULL)
        goto fail;
      fsim_model_add_host (pool, member_string (h, "name", host_name),
                           member_bytes (h, "memory_gib", "memory_mib", 128 * FSIM_GIB),
                           member_count (h, "cpus", 16));
    }
  if (networks == NULL || json_array_get_length (networks) == 0)
    fsim_model_add_network (pool, "Pool-wide network associated with eth0", "", "xenbr0", "eth0", TRUE);
  for (guint i = 0; networks != NULL && i < json_array_get_length (networks); i++)
    {
      JsonObject      *n = element_object (networks, i, "network", error);
      g_autofree char *device = g_strdup_printf ("eth%u", i);
      g_autofree char *bridge = g_strdup_printf ("xenbr%u", i);

      if (n == NULL)
        goto fail;
      fsim_model_add_network (pool, member_string (n, "name", device), member_string (n, "description", ""),
                              member_string (n, "bridge", bridge), member_string (n, "device", device),
                              json_object_has_member (n, "management") ? member_bool (n, "management") : i == 0);
    }
  for (guint i = 0; srs != NULL && i < json_array_get_length (srs); i++)
    {
      JsonObject *s = element_object (srs, i, "SR", error);
      const char *host_name;
      FsimObject *host = NULL;
      FsimObject *sr;
      gboolean    shared;

      if (s == NULL)
        goto fail;
      shared = member_bool (s, "shared");
      host_name = member_string (s, "host", NULL);
      if (!shared)
        {
          host = host_name != NULL ? fsim_model_find_by_name (pool, "host", host_name) : NULL;
          if (host == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "pool %s: local SR %u needs a known \"host\"", pool->name, i + 1);
              goto fail;
            }
        }
      sr = fsim_model_add_sr (pool, member_string (s, "name", "SR"), member_string (s, "type", shared ? "nfs" : "lvm"),
                              shared, member_bytes (s, "size_gib", "size_mib", 1024 * FSIM_GIB), host);
      if (member_bool (s, "default"))
        {
          fsim_obj_set_string (pool->pool, "default_SR", sr->ref);
          fsim_obj_set_string (pool->pool, "suspend_image_SR", sr->ref);
          fsim_obj_set_string (pool->pool, "crash_dump_SR", sr->ref);
        }
    }
  for (guint i = 0; templates != NULL && i < json_array_get_length (templates); i++)
    fsim_model_add_template (pool, array_string (templates, i, "Template"), TRUE);
  for (guint i = 0; custom != NULL && i < json_array_get_length (custom); i++)
    fsim_model_add_template (pool, array_string (custom, i, "Custom template"), FALSE);
  for (guint i = 0; vms != NULL && i < json_array_get_length (vms); i++)
    {
      JsonObject *v = element_object (vms, i, "VM", error);

      if (v == NULL || !load_vm (pool, v, error))
        goto fail;
    }
  fsim_model_refresh_memory (pool);
  return pool;

fail:
  fsim_pool_free (pool);
  return NULL;
}

GPtrArray *
fsim_scenario_from_json (gpointer server, JsonNode *root, FsimDbChangedFunc changed, GError **error)
{
  g_autoptr(GPtrArray) pools = g_ptr_array_new_with_free_func ((GDestroyNotify) fsim_pool_free);
  JsonArray *list;

  /* json-glib loads an empty document without error and a NULL root. */
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) || (list = member_array (json_node_get_object (root), "pools")) == NULL ||
      json_array_get_length (list) == 0 || json_array_get_length (list) > 254)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "a scenario is an object with a \"pools\" array of 1 to 254 pools");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = element_object (list, i, "pool", error);
      FsimPool   *pool;

      if (o == NULL || (pool = load_pool (server, i + 1, o, changed, error)) == NULL)
        return NULL;
      g_ptr_array_add (pools, pool);
    }
  return g_steal_pointer (&pools);
}

/* large:POOLS:HOSTS:VMS, VMS per pool.  Built directly (not through JSON) so
 * that 10,000 VMs are ready in a few seconds. */
static GPtrArray *
load_large (gpointer server, guint n_pools, guint n_hosts, guint n_vms, FsimDbChangedFunc changed)
{
  GPtrArray *pools = g_ptr_array_new_with_free_func ((GDestroyNotify) fsim_pool_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint p = 1; p <= n_pools; p++)
    {
      g_autofree char        *name = g_strdup_printf ("large-%u", p);
      FsimPool               *pool = fsim_pool_new (server, p, name, changed);
      g_autofree FsimObject **local = g_new0 (FsimObject *, n_hosts);
      guint                   per_host = (n_vms + n_hosts - 1) / n_hosts;
      gint64                  host_mem = ((per_host * 4 * FSIM_GIB + 64 * FSIM_GIB) / (64 * FSIM_GIB) + 1) * 64 * FSIM_GIB;
      FsimObject             *mgmt, *data, *shared;

      g_ptr_array_add (pools, pool);
      for (guint h = 1; h <= n_hosts; h++)
        {
          g_autofree char *host_name = g_strdup_printf ("p%u-host-%02u", p, h);

          fsim_model_add_host (pool, host_name, host_mem, 64);
        }
      mgmt = fsim_model_add_network (pool, "Pool-wide network associated with eth0", "", "xenbr0", "eth0", TRUE);
      data = fsim_model_add_network (pool, "Storage and VM traffic", "", "xenbr1", "eth1", FALSE);
      shared = fsim_model_add_sr (pool, "Shared NFS", "nfs", TRUE, 200 * 1024 * FSIM_GIB, NULL);
      fsim_obj_set_string (pool->pool, "default_SR", shared->ref);
      fsim_obj_set_string (pool->pool, "suspend_image_SR", shared->ref);
      for (guint h = 0; h < n_hosts; h++)
        {
          g_autofree char *sr_name = g_strdup_printf ("Local storage %s",
                                                      fsim_obj_get_string (pool->hosts->pdata[h], "name_label"));

          local[h] = fsim_model_add_sr (pool, sr_name, "lvm", FALSE, 4 * 1024 * FSIM_GIB, pool->hosts->pdata[h]);
        }
      fsim_model_add_template (pool, "Debian Bookworm 12", TRUE);
      fsim_model_add_template (pool, "Windows Server 2022 (64-bit)", TRUE);
      for (guint v = 0; v < n_vms; v++)
        {
          g_autofree char *vm_name = g_strdup_printf ("vm-%u-%05u", p, v + 1);
          FsimDiskSpec     disks[3] = { { 0 } };
          FsimVifSpec      vifs[2] = { { mgmt, NULL }, { data, NULL } };
          FsimVmSpec       spec = { 0 };
          guint            h = v % n_hosts;
          FsimObject      *sr = (v % 3 == 0) ? local[h] : shared;
          g_autofree char *mac0 = fsim_model_random_mac (rand);
          g_autofree char *mac1 = fsim_model_random_mac (rand);

          spec.name = vm_name;
          spec.description = "Synthetic VM";
          spec.power_state = (v % 10 == 9) ? "Halted" : "Running";
          spec.host = pool->hosts->pdata[h];
          spec.memory = (1 + g_rand_int_range (rand, 0, 4)) * FSIM_GIB;
          spec.vcpus = 1 + g_rand_int_range (rand, 0, 4);
          spec.n_disks = 2 + (v % 2);
          for (guint d = 0; d < spec.n_disks; d++)
            {
              disks[d].sr = sr;
              disks[d].virtual_size = (8 + g_rand_int_range (rand, 0, 92)) * FSIM_GIB;
              disks[d].physical_utilisation = disks[d].virtual_size / (2 + g_rand_int_range (rand, 0, 4));
            }
          spec.disks = disks;
          vifs[0].mac = mac0;
          vifs[1].mac = mac1;
          spec.vifs = vifs;
          spec.n_vifs = 2;
          fsim_model_add_vm (pool, &spec);
        }
      fsim_model_refresh_memory (pool);
    }
  return pools;
}

GPtrArray *
fsim_scenario_load (gpointer server, const char *spec, FsimDbChangedFunc changed, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (spec == NULL || strcmp (spec, "demo") == 0)
    {
      if (!json_parser_load_from_data (parser, demo_json, -1, error))
        return NULL;
      return fsim_scenario_from_json (server, json_parser_get_root (parser), changed, error);
    }
  if (g_str_has_prefix (spec, "large:"))
    {
      g_auto(GStrv) parts = g_strsplit (spec + 6, ":", -1);
      guint64 v[3];

      if (g_strv_length (parts) != 3 ||
          !g_ascii_string_to_unsigned (parts[0], 10, 1, 254, &v[0], NULL) ||
          !g_ascii_string_to_unsigned (parts[1], 10, 1, 254, &v[1], NULL) ||
          !g_ascii_string_to_unsigned (parts[2], 10, 0, 1000000, &v[2], NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "expected large:POOLS:HOSTS:VMS (pools and hosts 1-254), got %s", spec);
          return NULL;
        }
      return load_large (server, v[0], v[1], v[2], changed);
    }
  if (!json_parser_load_from_file (parser, spec, error))
    return NULL;
  return fsim_scenario_from_json (server, json_parser_get_root (parser), changed, error);
}
