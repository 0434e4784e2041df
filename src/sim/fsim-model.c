/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-model.c: building consistent XAPI objects in a simulated pool
 *
 * Real XAPI keeps both ends of every relation (VM.VBDs and VBD.VM, SR.PBDs and
 * PBD.SR, ...) in step; clients rely on either end, so every helper here
 * updates both.
 */

#include "fsim-model.h"

#include <stdlib.h>
#include <string.h>

/* ---- pool ---- */

FsimPool *
fsim_pool_new (gpointer server, guint index, const char *name, FsimDbChangedFunc changed)
{
  FsimPool *pool = g_new0 (FsimPool, 1);

  pool->server = server;
  pool->index = index;
  pool->name = g_strdup (name);
  pool->username = g_strdup ("root");
  pool->password = g_strdup ("ferry");
  pool->db = fsim_db_new (changed, pool);
  pool->hosts = g_ptr_array_new ();
  pool->addresses = g_ptr_array_new_with_free_func (g_free);
  pool->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  pool->pool = fsim_db_create (pool->db, "pool", NULL);
  fsim_obj_set_string (pool->pool, "name_label", name);
  fsim_obj_map_put (pool->pool, "other_config", "memory-ratio-hvm", "0.25");
  fsim_obj_map_put (pool->pool, "other_config", "memory-ratio-pv", "0.25");
  fsim_obj_map_put (pool->pool, "gui_config", "pool_secret_rotation", "1");
  fsim_obj_set_bool (pool->pool, "migration_compression", FALSE);
  fsim_obj_set_bool (pool->pool, "tls_verification_enabled", TRUE);
  fsim_obj_map_put (pool->pool, "restrictions", "restrict_xen_motion", "false");
  fsim_obj_map_put (pool->pool, "restrictions", "restrict_storage_xen_motion", "false");
  return pool;
}

void
fsim_pool_free (FsimPool *pool)
{
  if (pool == NULL)
    return;
  fsim_db_free (pool->db);
  g_ptr_array_unref (pool->hosts);
  g_ptr_array_unref (pool->addresses);
  g_ptr_array_unref (pool->calls);
  g_clear_pointer (&pool->redirects, g_hash_table_unref);
  g_clear_pointer (&pool->redirect_addresses, g_hash_table_unref);
  g_free (pool->name);
  g_free (pool->username);
  g_free (pool->password);
  g_free (pool);
}

FsimObject *
fsim_pool_master (FsimPool *pool)
{
  return fsim_db_lookup (pool->db, fsim_obj_get_string (pool->pool, "master"));
}

const char *
fsim_pool_master_address (FsimPool *pool)
{
  FsimObject *master = fsim_pool_master (pool);

  return master != NULL ? fsim_obj_get_string (master, "address") : "";
}

char *
fsim_model_random_mac (GRand *rand)
{
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x",
                          (g_rand_int_range (rand, 0, 256) & 0xfe) | 0x02,
                          g_rand_int_range (rand, 0, 256), g_rand_int_range (rand, 0, 256),
                          g_rand_int_range (rand, 0, 256), g_rand_int_range (rand, 0, 256),
                          g_rand_int_range (rand, 0, 256));
}

static char *
random_mac (void)
{
  g_autoptr(GRand) rand = g_rand_new ();

  return fsim_model_random_mac (rand);
}

static void
set_strings (FsimObject *obj, const char *field, const char * const *values)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; values[i] != NULL; i++)
    json_array_add_string_element (array, values[i]);
  fsim_obj_set (obj, field, fsim_node_take_array (array));
}

/* ---- hosts ---- */

static const char * const cpu_flags =
  "fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse sse2 ht syscall nx "
  "lm constant_tsc rep_good nopl nonstop_tsc cpuid pni pclmulqdq monitor est ssse3 fma cx16 sse4_1 "
  "sse4_2 movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch fsgsbase bmi1 "
  "hle avx2 bmi2 erms rtm avx512f avx512dq rdseed adx avx512cd avx512bw avx512vl xsaveopt xsavec";

static FsimObject *
add_control_domain (FsimPool *pool, FsimObject *host, const char *host_name)
{
  FsimObject      *vm = fsim_db_create (pool->db, "VM", NULL);
  FsimObject      *metrics = fsim_db_create (pool->db, "VM_metrics", NULL);
  g_autofree char *name = g_strdup_printf ("Control domain on host: %s", host_name);
  g_autofree char *now = fsim_datetime_now ();
  const gint64     mem = 4 * FSIM_GIB;

  fsim_obj_set_string (vm, "name_label", name);
  fsim_obj_set_string (vm, "name_description", "The domain which manages physical devices and manages other domains");
  fsim_obj_set_string (vm, "power_state", "Running");
  fsim_obj_set_bool (vm, "is_control_domain", TRUE);
  fsim_obj_set_string (vm, "resident_on", host->ref);
  fsim_obj_set_string (vm, "affinity", host->ref);
  fsim_obj_set_int (vm, "memory_static_max", mem);
  fsim_obj_set_int (vm, "memory_static_min", mem);
  fsim_obj_set_int (vm, "memory_dynamic_max", mem);
  fsim_obj_set_int (vm, "memory_dynamic_min", mem);
  fsim_obj_set_int (vm, "memory_target", mem);
  fsim_obj_set_int (vm, "memory_overhead", 40 * FSIM_MIB);
  fsim_obj_set_int (vm, "VCPUs_max", 8);
  fsim_obj_set_int (vm, "VCPUs_at_startup", 8);
  fsim_obj_set_int (vm, "domid", 0);
  fsim_obj_set_string (vm, "domarch", "x64");
  fsim_obj_set_string (vm, "domain_type", "pv");
  fsim_obj_set_string (vm, "actions_after_shutdown", "destroy");
  fsim_obj_set_string (vm, "actions_after_reboot", "restart");
  fsim_obj_set_string (vm, "actions_after_crash", "restart");
  fsim_obj_map_put (vm, "other_config", "storage_driver_domain", vm->ref);
  fsim_obj_map_put (vm, "other_config", "is_system_domain", "true");
  fsim_obj_set_string (vm, "metrics", metrics->ref);
  fsim_obj_set_int (metrics, "memory_actual", mem);
  fsim_obj_set_int (metrics, "VCPUs_number", 8);
  fsim_obj_set_string (metrics, "start_time", now);
  fsim_obj_set_string (metrics, "last_updated", now);
  fsim_obj_set_string (metrics, "current_domain_type", "pv");
  fsim_obj_set_add (host, "resident_VMs", vm->ref);
  fsim_obj_set_string (host, "control_domain", vm->ref);
  return vm;
}

FsimObject *
fsim_model_add_host (FsimPool *pool, const char *name, gint64 memory_total, guint cpu_count)
{
  FsimObject               *host = fsim_db_create (pool->db, "host", NULL);
  FsimObject               *metrics = fsim_db_create (pool->db, "host_metrics", NULL);
  guint                     h = pool->hosts->len + 1;
  char                     *address = g_strdup_printf ("127.0.%u.%u", pool->index, h);
  g_autofree char          *now = fsim_datetime_now ();
  g_autofree char          *cpus = g_strdup_printf ("%u", cpu_count);
  static const char * const host_ops[] = { "provision", "evacuate", "shutdown", "reboot",
                                           "power_on", "vm_start", "vm_resume", "vm_migrate",
                                           "apply_updates", NULL };

  g_ptr_array_add (pool->hosts, host);
  g_ptr_array_add (pool->addresses, address);
  fsim_obj_set_string (host, "name_label", name);
  fsim_obj_set_string (host, "name_description", "Default install");
  fsim_obj_set_string (host, "hostname", name);
  fsim_obj_set_string (host, "address", address);
  fsim_obj_set_bool (host, "enabled", TRUE);
  fsim_obj_set_int (host, "API_version_major", 2);
  fsim_obj_set_int (host, "API_version_minor", 21);
  fsim_obj_set_string (host, "API_version_vendor", "XenSource");
  fsim_obj_set_string (host, "metrics", metrics->ref);
  fsim_obj_set_int (host, "memory_overhead", 1200 * FSIM_MIB);
  fsim_obj_set_string (host, "sched_policy", "credit");
  fsim_obj_set_string (host, "edition", "xcp-ng");
  fsim_obj_set_string (host, "power_on_mode", "");
  fsim_obj_set_string (host, "iscsi_iqn", "iqn.2024-01.com.example:ferry-sim");
  fsim_obj_set_bool (host, "https_only", FALSE);
  set_strings (host, "allowed_operations", host_ops);
  set_strings (host, "capabilities", (const char *[]) { "xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_32p", "hvm-3.0-x86_64", NULL });
  set_strings (host, "supported_bootloaders", (const char *[]) { "pygrub", "eliloader", NULL });
  fsim_obj_map_put (host, "software_version", "product_version", "8.2.1");
  fsim_obj_map_put (host, "software_version", "product_version_text", "8.2");
  fsim_obj_map_put (host, "software_version", "product_version_text_short", "8.2");
  fsim_obj_map_put (host, "software_version", "platform_name", "XCP");
  fsim_obj_map_put (host, "software_version", "platform_version", "3.2.1");
  fsim_obj_map_put (host, "software_version", "product_brand", "XCP-ng");
  fsim_obj_map_put (host, "software_version", "build_number", "release/yangtze/master/58");
  fsim_obj_map_put (host, "software_version", "hostname", "localhost");
  fsim_obj_map_put (host, "software_version", "date", "2023-11-07");
  fsim_obj_map_put (host, "software_version", "dbv", "0.0.1");
  fsim_obj_map_put (host, "software_version", "xapi", "1.20");
  fsim_obj_map_put (host, "software_version", "xapi_build", "1.249.32");
  fsim_obj_map_put (host, "software_version", "xen", "4.13.5-9.38");
  fsim_obj_map_put (host, "software_version", "linux", "4.19.0+1");
  fsim_obj_map_put (host, "software_version", "xencenter_min", "2.16");
  fsim_obj_map_put (host, "software_version", "xencenter_max", "2.21");
  fsim_obj_map_put (host, "software_version", "network_backend", "openvswitch");
  fsim_obj_map_put (host, "software_version", "db_schema", "5.603");
  fsim_obj_map_put (host, "cpu_info", "cpu_count", cpus);
  fsim_obj_map_put (host, "cpu_info", "socket_count", cpu_count >= 16 ? "2" : "1");
  fsim_obj_map_put (host, "cpu_info", "vendor", "GenuineIntel");
  fsim_obj_map_put (host, "cpu_info", "speed", "2194.842");
  fsim_obj_map_put (host, "cpu_info", "modelname", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz");
  fsim_obj_map_put (host, "cpu_info", "family", "6");
  fsim_obj_map_put (host, "cpu_info", "model", "85");
  fsim_obj_map_put (host, "cpu_info", "stepping", "7");
  fsim_obj_map_put (host, "cpu_info", "flags", cpu_flags);
  fsim_obj_map_put (host, "cpu_info", "features_pv", "1fc9cbf5-f6f83203-2991cbf5-00000123-00000007-d19ffb-00000000-00000000-00001000-ac000400-00000000-00000000-00000000-00000000-00000000-00000000-00000000-00000000");
  fsim_obj_map_put (host, "cpu_info", "features_hvm", "1fcbfbff-f7fa3223-2d93fbff-00000523-0000000f-d19ffb-00000000-00000000-00001000-bc000400-00000000-00000000-00000000-00000000-00000000-00000000-00000000-00000000");
  fsim_obj_map_put (host, "license_params", "sku_type", "free");
  fsim_obj_map_put (host, "license_params", "restrict_xen_motion", "false");
  fsim_obj_map_put (host, "other_config", "agent_start_time", "1700000000.");
  fsim_obj_map_put (host, "other_config", "boot_time", "1699990000.");
  fsim_obj_set_int (metrics, "memory_total", memory_total);
  fsim_obj_set_int (metrics, "memory_free", memory_total);
  fsim_obj_set_bool (metrics, "live", TRUE);
  fsim_obj_set_string (metrics, "last_updated", now);
  add_control_domain (pool, host, name);
  if (h == 1)
    fsim_obj_set_string (pool->pool, "master", host->ref);
  if (fsim_obj_get_map_value (pool->pool, "cpu_info", "cpu_count") == NULL)
    {
      fsim_obj_map_put (pool->pool, "cpu_info", "cpu_count", cpus);
      fsim_obj_map_put (pool->pool, "cpu_info", "socket_count", cpu_count >= 16 ? "2" : "1");
      fsim_obj_map_put (pool->pool, "cpu_info", "vendor", "GenuineIntel");
    }
  return host;
}

/* ---- networks ---- */

FsimObject *
fsim_model_add_network (FsimPool *pool, const char *name, const char *description,
                        const char *bridge, const char *device, gboolean management)
{
  FsimObject *net = fsim_db_create (pool->db, "network", NULL);

  fsim_obj_set_string (net, "name_label", name);
  fsim_obj_set_string (net, "name_description", description != NULL ? description : "");
  fsim_obj_set_string (net, "bridge", bridge);
  fsim_obj_set_int (net, "MTU", 1500);
  fsim_obj_set_bool (net, "managed", TRUE);
  set_strings (net, "allowed_operations", (const char *[]) { NULL });
  set_strings (net, "purpose", (const char *[]) { NULL });
  if (management)
    fsim_obj_map_put (net, "other_config", "automatic", "true");
  for (guint i = 0; i < pool->hosts->len; i++)
    {
      FsimObject      *host = pool->hosts->pdata[i];
      FsimObject      *pif = fsim_db_create (pool->db, "PIF", NULL);
      g_autofree char *mac = random_mac ();

      fsim_obj_set_string (pif, "device", device);
      fsim_obj_set_string (pif, "host", host->ref);
      fsim_obj_set_string (pif, "network", net->ref);
      fsim_obj_set_string (pif, "MAC", mac);
      fsim_obj_set_int (pif, "MTU", 1500);
      fsim_obj_set_int (pif, "VLAN", -1);
      fsim_obj_set_bool (pif, "physical", TRUE);
      fsim_obj_set_bool (pif, "currently_attached", TRUE);
      fsim_obj_set_bool (pif, "managed", TRUE);
      fsim_obj_set_bool (pif, "disallow_unplug", management);
      fsim_obj_set_bool (pif, "management", management);
      fsim_obj_set_string (pif, "primary_address_type", "IPv4");
      fsim_obj_map_put (pif, "properties", "gro", "on");
      if (management)
        {
          g_autofree char *gw = g_strdup_printf ("127.0.%u.254", pool->index);

          fsim_obj_set_string (pif, "ip_configuration_mode", "Static");
          fsim_obj_set_string (pif, "IP", fsim_obj_get_string (host, "address"));
          fsim_obj_set_string (pif, "netmask", "255.255.255.0");
          fsim_obj_set_string (pif, "gateway", gw);
          fsim_obj_set_string (pif, "DNS", "127.0.0.53");
        }
      else
        fsim_obj_set_string (pif, "ip_configuration_mode", "None");
      fsim_obj_set_add (net, "PIFs", pif->ref);
      fsim_obj_set_add (host, "PIFs", pif->ref);
    }
  return net;
}

FsimObject *
fsim_model_host_pif_on (FsimPool *pool, FsimObject *host, FsimObject *network)
{
  JsonArray *pifs = fsim_obj_get_array (host, "PIFs");

  for (guint i = 0; pifs != NULL && i < json_array_get_length (pifs); i++)
    {
      FsimObject *pif = fsim_db_lookup (pool->db, json_array_get_string_element (pifs, i));

      if (pif != NULL && g_strcmp0 (fsim_obj_get_string (pif, "network"), network->ref) == 0)
        return pif;
    }
  return NULL;
}

FsimObject *
fsim_model_management_network (FsimPool *pool, FsimObject *host)
{
  JsonArray *pifs = fsim_obj_get_array (host, "PIFs");

  for (guint i = 0; pifs != NULL && i < json_array_get_length (pifs); i++)
    {
      FsimObject *pif = fsim_db_lookup (pool->db, json_array_get_string_element (pifs, i));

      if (pif != NULL && fsim_obj_get_bool (pif, "management"))
        return fsim_db_lookup (pool->db, fsim_obj_get_string (pif, "network"));
    }
  return NULL;
}

/* ---- storage ---- */

static const char * const sr_ops[] = {
  "vdi_enable_cbt", "vdi_list_changed_blocks", "unplug", "plug", "pbd_create", "vdi_disable_cbt",
  "update", "pbd_destroy", "vdi_resize", "vdi_clone", "vdi_data_destroy", "scan", "vdi_snapshot",
  "vdi_mirror", "vdi_create", "vdi_destroy", "vdi_set_on_boot", "vdi_introduce", NULL
};

FsimObject *
fsim_model_add_sr (FsimPool *pool, const char *name, const char *type, gboolean shared,
                   gint64 size, FsimObject *host)
{
  FsimObject *sr = fsim_db_create (pool->db, "SR", NULL);

  fsim_obj_set_string (sr, "name_label", name);
  fsim_obj_set_string (sr, "name_description",
                       shared ? "NFS SR [nfs.example.net:/export/xen]" : "");
  fsim_obj_set_string (sr, "type", type);
  fsim_obj_set_string (sr, "content_type", "user");
  fsim_obj_set_bool (sr, "shared", shared);
  fsim_obj_set_int (sr, "physical_size", size);
  fsim_obj_set_int (sr, "physical_utilisation", 0);
  fsim_obj_set_int (sr, "virtual_allocation", 0);
  fsim_obj_set_bool (sr, "local_cache_enabled", FALSE);
  set_strings (sr, "allowed_operations", sr_ops);
  fsim_obj_map_put (sr, "sm_config", "devserial", shared ? "nfs" : "scsi-3600508b1001c4a7e");
  fsim_obj_map_put (sr, "other_config", "auto-scan", shared ? "false" : "true");
  if (!shared)
    fsim_obj_map_put (sr, "other_config", "i18n-key", "local-storage");
  for (guint i = 0; i < pool->hosts->len; i++)
    {
      FsimObject *h = pool->hosts->pdata[i];
      FsimObject *pbd;

      if (host != NULL && h != host)
        continue;
      pbd = fsim_db_create (pool->db, "PBD", NULL);
      fsim_obj_set_string (pbd, "host", h->ref);
      fsim_obj_set_string (pbd, "SR", sr->ref);
      fsim_obj_set_bool (pbd, "currently_attached", TRUE);
      if (shared)
        {
          fsim_obj_map_put (pbd, "device_config", "server", "nfs.example.net");
          fsim_obj_map_put (pbd, "device_config", "serverpath", "/export/xen");
        }
      else
        fsim_obj_map_put (pbd, "device_config", "device", "/dev/disk/by-id/scsi-3600508b1001c4a7e-part3");
      fsim_obj_set_add (sr, "PBDs", pbd->ref);
      fsim_obj_set_add (h, "PBDs", pbd->ref);
      if (!shared)
        {
          fsim_obj_set_string (h, "suspend_image_sr", sr->ref);
          fsim_obj_set_string (h, "crash_dump_sr", sr->ref);
          fsim_obj_set_string (h, "local_cache_sr", sr->ref);
        }
    }
  return sr;
}

gboolean
fsim_model_sr_attached_to (FsimPool *pool, FsimObject *sr, FsimObject *host)
{
  JsonArray *pbds = fsim_obj_get_array (sr, "PBDs");

  for (guint i = 0; pbds != NULL && i < json_array_get_length (pbds); i++)
    {
      FsimObject *pbd = fsim_db_lookup (pool->db, json_array_get_string_element (pbds, i));

      if (pbd != NULL && g_strcmp0 (fsim_obj_get_string (pbd, "host"), host->ref) == 0 &&
          fsim_obj_get_bool (pbd, "currently_attached"))
        return TRUE;
    }
  return FALSE;
}

void
fsim_model_refresh_sr (FsimPool *pool, FsimObject *sr)
{
  JsonArray *vdis = fsim_obj_get_array (sr, "VDIs");
  gint64     phys = 0, virt = 0;

  for (guint i = 0; vdis != NULL && i < json_array_get_length (vdis); i++)
    {
      FsimObject *vdi = fsim_db_lookup (pool->db, json_array_get_string_element (vdis, i));

      if (vdi == NULL)
        continue;
      phys += fsim_obj_get_int (vdi, "physical_utilisation");
      virt += fsim_obj_get_int (vdi, "virtual_size");
    }
  if (fsim_obj_get_int (sr, "physical_utilisation") != phys)
    fsim_obj_set_int (sr, "physical_utilisation", phys);
  if (fsim_obj_get_int (sr, "virtual_allocation") != virt)
    fsim_obj_set_int (sr, "virtual_allocation", virt);
}

static const char * const vdi_ops[] = {
  "clone", "snapshot", "mirror", "resize", "resize_online", "copy", "enable_cbt", "disable_cbt",
  "destroy", "forget", "generate_config", "update", "set_on_boot", NULL
};

FsimObject *
fsim_model_add_vdi (FsimPool *pool, FsimObject *sr, const char *name, gint64 virtual_size,
                    gint64 physical_utilisation, const char *uuid)
{
  FsimObject *vdi = fsim_db_create (pool->db, "VDI", uuid);

  fsim_obj_set_string (vdi, "name_label", name);
  fsim_obj_set_string (vdi, "name_description", "Created by template provisioner");
  fsim_obj_set_string (vdi, "SR", sr->ref);
  fsim_obj_set_int (vdi, "virtual_size", virtual_size);
  fsim_obj_set_int (vdi, "physical_utilisation", physical_utilisation);
  fsim_obj_set_string (vdi, "type", "user");
  fsim_obj_set_bool (vdi, "managed", TRUE);
  fsim_obj_set_string (vdi, "location", fsim_obj_uuid (vdi));
  fsim_obj_set_string (vdi, "snapshot_time", "19700101T00:00:00Z");
  fsim_obj_set_string (vdi, "on_boot", "persist");
  fsim_obj_map_put (vdi, "sm_config", "vdi_type", "vhd");
  fsim_obj_map_put (vdi, "other_config", "content_id", fsim_obj_uuid (vdi));
  set_strings (vdi, "allowed_operations", vdi_ops);
  fsim_obj_set_append (sr, "VDIs", vdi->ref);
  fsim_obj_set_int (sr, "physical_utilisation",
                    fsim_obj_get_int (sr, "physical_utilisation") + physical_utilisation);
  fsim_obj_set_int (sr, "virtual_allocation", fsim_obj_get_int (sr, "virtual_allocation") + virtual_size);
  return vdi;
}

void
fsim_model_destroy_vdi (FsimPool *pool, FsimObject *vdi)
{
  FsimObject *sr = fsim_db_lookup (pool->db, fsim_obj_get_string (vdi, "SR"));

  if (sr != NULL)
    fsim_obj_set_remove (sr, "VDIs", vdi->ref);
  fsim_db_destroy_object (pool->db, vdi);
  if (sr != NULL)
    fsim_model_refresh_sr (pool, sr);
}

/* ---- VMs ---- */

gint64
fsim_model_vm_memory (FsimObject *vm)
{
  return fsim_obj_get_int (vm, "memory_static_max");
}

void
fsim_model_refresh_vm_operations (FsimObject *vm)
{
  static const char * const running_ops[] = {
    "changing_dynamic_range", "migrate_send", "pool_migrate", "clean_reboot", "clean_shutdown",
    "hard_reboot", "hard_shutdown", "pause", "suspend", "checkpoint", "snapshot", NULL
  };
  static const char * const halted_ops[] = {
    "changing_dynamic_range", "changing_static_range", "changing_memory_limits", "changing_shadow_memory",
    "changing_VCPUs", "migrate_send", "clone", "copy", "destroy", "export", "provision", "start",
    "start_on", "snapshot", "make_into_template", NULL
  };
  static const char * const template_ops[] = { "clone", "copy", "export", "provision", "destroy", NULL };
  static const char * const busy_ops[] = { NULL };
  JsonObject               *current = fsim_obj_get_map (vm, "current_operations");
  const char * const       *ops;

  if (current != NULL && json_object_get_size (current) > 0)
    ops = busy_ops;
  else if (fsim_obj_get_bool (vm, "is_control_domain"))
    ops = busy_ops;
  else if (fsim_obj_get_bool (vm, "is_a_template") || fsim_obj_get_bool (vm, "is_a_snapshot"))
    ops = template_ops;
  else if (g_strcmp0 (fsim_obj_get_string (vm, "power_state"), "Running") == 0)
    ops = running_ops;
  else
    ops = halted_ops;
  set_strings (vm, "allowed_operations", ops);
}

FsimObject *
fsim_model_add_vbd (FsimPool *pool, FsimObject *vm, FsimObject *vdi, guint position)
{
  FsimObject               *vbd = fsim_db_create (pool->db, "VBD", NULL);
  static const char * const devices[] = { "xvda", "xvdb", "xvdc", "xvdd", "xvde", "xvdf", "xvdg", "xvdh" };
  g_autofree char          *userdevice = g_strdup_printf ("%u", position);
  gboolean                  running = g_strcmp0 (fsim_obj_get_string (vm, "power_state"), "Running") == 0;

  fsim_obj_set_string (vbd, "VM", vm->ref);
  fsim_obj_set_string (vbd, "VDI", vdi != NULL ? vdi->ref : "OpaqueRef:NULL");
  fsim_obj_set_string (vbd, "userdevice", userdevice);
  fsim_obj_set_string (vbd, "device", running ? devices[MIN (position, 7)] : "");
  fsim_obj_set_bool (vbd, "bootable", position == 0 && vdi != NULL);
  fsim_obj_set_string (vbd, "mode", vdi != NULL ? "RW" : "RO");
  fsim_obj_set_string (vbd, "type", vdi != NULL ? "Disk" : "CD");
  fsim_obj_set_bool (vbd, "empty", vdi == NULL);
  fsim_obj_set_bool (vbd, "unpluggable", vdi != NULL);
  fsim_obj_set_bool (vbd, "currently_attached", running);
  fsim_obj_set_bool (vbd, "storage_lock", FALSE);
  set_strings (vbd, "allowed_operations", vdi != NULL ? (const char *[]) { "attach", "unpause", "pause", NULL } : (const char *[]) { "attach", "insert", NULL });
  fsim_obj_map_put (vbd, "other_config", "owner", "");
  fsim_obj_set_append (vm, "VBDs", vbd->ref);
  if (vdi != NULL)
    fsim_obj_set_append (vdi, "VBDs", vbd->ref);
  return vbd;
}

FsimObject *
fsim_model_add_vif (FsimPool *pool, FsimObject *vm, FsimObject *network, const char *mac,
                    guint position)
{
  FsimObject      *vif = fsim_db_create (pool->db, "VIF", NULL);
  g_autofree char *device = g_strdup_printf ("%u", position);
  g_autofree char *generated = mac == NULL ? random_mac () : NULL;
  gboolean         running = g_strcmp0 (fsim_obj_get_string (vm, "power_state"), "Running") == 0;

  fsim_obj_set_string (vif, "device", device);
  fsim_obj_set_string (vif, "network", network->ref);
  fsim_obj_set_string (vif, "VM", vm->ref);
  fsim_obj_set_string (vif, "MAC", mac != NULL ? mac : generated);
  fsim_obj_set_int (vif, "MTU", 1500);
  fsim_obj_set_bool (vif, "currently_attached", running);
  fsim_obj_set_bool (vif, "MAC_autogenerated", mac == NULL);
  fsim_obj_set_string (vif, "locking_mode", "network_default");
  set_strings (vif, "allowed_operations", running ? (const char *[]) { "unplug", NULL } : (const char *[]) { "attach", NULL });
  fsim_obj_set_append (vm, "VIFs", vif->ref);
  fsim_obj_set_append (network, "VIFs", vif->ref);
  return vif;
}

static void
setup_vm_record (FsimObject *vm, const char *name, const char *description, gint64 memory,
                 gint64 vcpus)
{
  fsim_obj_set_string (vm, "name_label", name);
  fsim_obj_set_string (vm, "name_description", description != NULL ? description : "");
  fsim_obj_set_int (vm, "user_version", 1);
  fsim_obj_set_int (vm, "memory_static_max", memory);
  fsim_obj_set_int (vm, "memory_static_min", memory / 2);
  fsim_obj_set_int (vm, "memory_dynamic_max", memory);
  fsim_obj_set_int (vm, "memory_dynamic_min", memory);
  fsim_obj_set_int (vm, "memory_target", memory);
  fsim_obj_set_int (vm, "memory_overhead", memory / 128 + 8 * FSIM_MIB);
  fsim_obj_set_int (vm, "VCPUs_max", vcpus);
  fsim_obj_set_int (vm, "VCPUs_at_startup", vcpus);
  fsim_obj_set_string (vm, "actions_after_shutdown", "destroy");
  fsim_obj_set_string (vm, "actions_after_reboot", "restart");
  fsim_obj_set_string (vm, "actions_after_crash", "restart");
  fsim_obj_set_string (vm, "HVM_boot_policy", "BIOS order");
  fsim_obj_map_put (vm, "HVM_boot_params", "order", "cdn");
  fsim_obj_set_double (vm, "HVM_shadow_multiplier", 1.0);
  fsim_obj_map_put (vm, "platform", "timeoffset", "0");
  fsim_obj_map_put (vm, "platform", "device-model", "qemu-upstream-compat");
  fsim_obj_map_put (vm, "platform", "videoram", "8");
  fsim_obj_map_put (vm, "platform", "apic", "true");
  fsim_obj_map_put (vm, "platform", "pae", "true");
  fsim_obj_map_put (vm, "platform", "acpi", "1");
  fsim_obj_map_put (vm, "platform", "hpet", "true");
  fsim_obj_map_put (vm, "platform", "viridian", "false");
  fsim_obj_map_put (vm, "platform", "nx", "true");
  fsim_obj_map_put (vm, "platform", "secureboot", "false");
  fsim_obj_map_put (vm, "other_config", "base_template_name", "Debian Bookworm 12");
  fsim_obj_map_put (vm, "other_config", "import_task", "OpaqueRef:NULL");
  fsim_obj_map_put (vm, "other_config", "install-methods", "cdrom,nfs,http,ftp");
  fsim_obj_map_put (vm, "other_config", "linux_template", "true");
  fsim_obj_set_string (vm, "domain_type", "hvm");
  fsim_obj_set_int (vm, "hardware_platform_version", 0);
  fsim_obj_set_string (vm, "generation_id", "");
  fsim_obj_set_string (vm, "reference_label", "debian-12");
  fsim_obj_map_put (vm, "bios_strings", "bios-vendor", "Xen");
  fsim_obj_map_put (vm, "bios_strings", "bios-version", "");
  fsim_obj_map_put (vm, "bios_strings", "system-manufacturer", "Xen");
  fsim_obj_map_put (vm, "bios_strings", "system-product-name", "HVM domU");
  fsim_obj_map_put (vm, "VCPUs_params", "weight", "256");
}

FsimObject *
fsim_model_add_vm (FsimPool *pool, const FsimVmSpec *spec)
{
  FsimObject      *vm = fsim_db_create (pool->db, "VM", spec->uuid);
  FsimObject      *metrics = fsim_db_create (pool->db, "VM_metrics", NULL);
  g_autofree char *now = fsim_datetime_now ();
  guint            position = 0;

  setup_vm_record (vm, spec->name, spec->description, spec->memory, spec->vcpus);
  fsim_obj_set_string (vm, "metrics", metrics->ref);
  fsim_obj_set_int (metrics, "memory_actual", spec->memory);
  fsim_obj_set_int (metrics, "VCPUs_number", spec->vcpus);
  fsim_obj_set_string (metrics, "install_time", "20240115T09:30:00Z");
  fsim_obj_set_string (metrics, "last_updated", now);
  fsim_obj_set_string (metrics, "current_domain_type", "hvm");
  fsim_obj_set_bool (metrics, "hvm", TRUE);
  fsim_obj_set_bool (metrics, "nomigrate", FALSE);
  fsim_model_set_power_state (pool, vm, spec->power_state != NULL ? spec->power_state : "Halted",
                              spec->host);
  for (guint i = 0; i < spec->n_disks; i++)
    {
      const FsimDiskSpec *d = &spec->disks[i];
      g_autofree char    *name = d->name != NULL ? g_strdup (d->name)
                                                 : g_strdup_printf ("%s %u", spec->name, i);
      FsimObject         *vdi = fsim_model_add_vdi (pool, d->sr, name, d->virtual_size,
                                                    d->physical_utilisation, NULL);

      fsim_obj_set_string (vdi, "name_description", i == 0 ? "System disk" : "Data disk");
      fsim_model_add_vbd (pool, vm, vdi, position++);
    }
  if (spec->cd_drive)
    fsim_model_add_vbd (pool, vm, NULL, position < 3 ? 3 : position);
  for (guint i = 0; i < spec->n_vifs; i++)
    fsim_model_add_vif (pool, vm, spec->vifs[i].network, spec->vifs[i].mac, i);
  return vm;
}

FsimObject *
fsim_model_add_template (FsimPool *pool, const char *name, gboolean is_default)
{
  FsimObject *vm = fsim_db_create (pool->db, "VM", NULL);

  setup_vm_record (vm, name, "Template which allows VM installation from install media", 2 * FSIM_GIB, 2);
  fsim_obj_set_bool (vm, "is_a_template", TRUE);
  fsim_obj_set_bool (vm, "is_default_template", is_default);
  fsim_obj_set_string (vm, "power_state", "Halted");
  fsim_obj_set_int (vm, "domid", -1);
  fsim_obj_map_put (vm, "other_config", "default_template", is_default ? "true" : "false");
  fsim_obj_map_put (vm, "other_config", "disks",
                    "<provision><disk device=\"0\" size=\"10737418240\" sr=\"\" bootable=\"true\" type=\"system\"/></provision>");
  fsim_model_refresh_vm_operations (vm);
  return vm;
}

FsimObject *
fsim_model_add_snapshot (FsimPool *pool, FsimObject *vm, const char *name)
{
  FsimObject *snap = fsim_db_create (pool->db, "VM", NULL);
  JsonArray  *vbds = fsim_obj_get_array (vm, "VBDs");
  JsonArray  *vifs = fsim_obj_get_array (vm, "VIFs");
  guint       n_vbds = vbds != NULL ? json_array_get_length (vbds) : 0;
  guint       n_vifs = vifs != NULL ? json_array_get_length (vifs) : 0;

  setup_vm_record (snap, name, fsim_obj_get_string (vm, "name_description"),
                   fsim_obj_get_int (vm, "memory_static_max"), fsim_obj_get_int (vm, "VCPUs_max"));
  fsim_obj_set_bool (snap, "is_a_snapshot", TRUE);
  fsim_obj_set_string (snap, "snapshot_of", vm->ref);
  fsim_obj_set_string (snap, "snapshot_time", "20240301T02:00:00Z");
  fsim_obj_set_string (snap, "power_state", "Halted");
  fsim_obj_set_int (snap, "domid", -1);
  fsim_obj_set_add (vm, "snapshots", snap->ref);
  for (guint i = 0; i < n_vbds; i++)
    {
      FsimObject      *vbd = fsim_db_lookup (pool->db, json_array_get_string_element (vbds, i));
      FsimObject      *vdi = vbd != NULL ? fsim_db_lookup (pool->db, fsim_obj_get_string (vbd, "VDI")) : NULL;
      FsimObject      *sr, *copy;
      g_autofree char *copy_name = NULL;

      if (vdi == NULL)
        continue;
      sr = fsim_db_lookup (pool->db, fsim_obj_get_string (vdi, "SR"));
      copy_name = g_strdup_printf ("%s (snapshot)", fsim_obj_get_string (vdi, "name_label"));
      copy = fsim_model_add_vdi (pool, sr, copy_name, fsim_obj_get_int (vdi, "virtual_size"),
                                 fsim_obj_get_int (vdi, "physical_utilisation") / 8, NULL);
      fsim_obj_set_bool (copy, "is_a_snapshot", TRUE);
      fsim_obj_set_string (copy, "snapshot_of", vdi->ref);
      fsim_obj_set_string (copy, "snapshot_time", "20240301T02:00:00Z");
      fsim_obj_set_add (vdi, "snapshots", copy->ref);
      fsim_model_add_vbd (pool, snap, copy, atoi (fsim_obj_get_string (vbd, "userdevice")));
    }
  for (guint i = 0; i < n_vifs; i++)
    {
      FsimObject *vif = fsim_db_lookup (pool->db, json_array_get_string_element (vifs, i));
      FsimObject *net = vif != NULL ? fsim_db_lookup (pool->db, fsim_obj_get_string (vif, "network")) : NULL;

      if (net != NULL)
        fsim_model_add_vif (pool, snap, net, fsim_obj_get_string (vif, "MAC"), i);
    }
  fsim_model_refresh_vm_operations (snap);
  return snap;
}

void
fsim_model_set_vm_host (FsimPool *pool, FsimObject *vm, FsimObject *host)
{
  FsimObject *old = fsim_db_lookup (pool->db, fsim_obj_get_string (vm, "resident_on"));

  if (old == host)
    return;
  if (old != NULL)
    fsim_obj_set_remove (old, "resident_VMs", vm->ref);
  if (host != NULL)
    {
      fsim_obj_set_append (host, "resident_VMs", vm->ref);
      fsim_obj_set_string (vm, "affinity", host->ref);
    }
  fsim_obj_set_string (vm, "resident_on", host != NULL ? host->ref : "OpaqueRef:NULL");
}

/* Where XAPI keeps the memory image of a VM suspended on @host: the pool's
 * suspend_image_SR, else the host's suspend_image_sr, else the default SR. */
FsimObject *
fsim_model_suspend_sr (FsimPool *pool, FsimObject *host)
{
  FsimObject *sr = fsim_db_lookup (pool->db, fsim_obj_get_string (pool->pool, "suspend_image_SR"));

  if (sr == NULL && host != NULL)
    sr = fsim_db_lookup (pool->db, fsim_obj_get_string (host, "suspend_image_sr"));
  if (sr == NULL)
    sr = fsim_db_lookup (pool->db, fsim_obj_get_string (pool->pool, "default_SR"));
  return sr;
}

/* A suspended VM's memory image: a VDI of type "suspend" (no VBD). */
static void
make_suspend_vdi (FsimPool *pool, FsimObject *vm, FsimObject *host)
{
  FsimObject      *sr = fsim_model_suspend_sr (pool, host);
  g_autofree char *name = NULL;
  FsimObject      *vdi;
  gint64           size = fsim_model_vm_memory (vm);

  if (sr == NULL || fsim_db_lookup (pool->db, fsim_obj_get_string (vm, "suspend_VDI")) != NULL)
    return;
  name = g_strdup_printf ("Suspend image for %s", fsim_obj_get_string (vm, "name_label"));
  vdi = fsim_model_add_vdi (pool, sr, name, size, size, NULL);
  fsim_obj_set_string (vdi, "name_description", "Memory image of a suspended VM");
  fsim_obj_set_string (vdi, "type", "suspend");
  fsim_obj_set_string (vm, "suspend_VDI", vdi->ref);
  fsim_obj_set_string (vm, "suspend_SR", sr->ref);
}

static void
drop_suspend_vdi (FsimPool *pool, FsimObject *vm)
{
  FsimObject *vdi = fsim_db_lookup (pool->db, fsim_obj_get_string (vm, "suspend_VDI"));

  if (vdi != NULL)
    fsim_model_destroy_vdi (pool, vdi);
  if (g_strcmp0 (fsim_obj_get_string (vm, "suspend_VDI"), "OpaqueRef:NULL") != 0)
    fsim_obj_set_string (vm, "suspend_VDI", "OpaqueRef:NULL");
}

void
fsim_model_set_power_state (FsimPool *pool, FsimObject *vm, const char *state, FsimObject *host)
{
  gboolean    running = g_strcmp0 (state, "Running") == 0 || g_strcmp0 (state, "Paused") == 0;
  FsimObject *metrics = fsim_db_lookup (pool->db, fsim_obj_get_string (vm, "metrics"));
  JsonArray  *vbds = fsim_obj_get_array (vm, "VBDs");
  JsonArray  *vifs = fsim_obj_get_array (vm, "VIFs");
  static gint next_domid = 1;

  if (running && host == NULL)
    host = fsim_db_lookup (pool->db, fsim_obj_get_string (vm, "resident_on"));
  if (running && host == NULL && pool->hosts->len > 0)
    host = pool->hosts->pdata[0];
  if (g_strcmp0 (state, "Suspended") == 0)
    {
      /* suspended on the host it ran on, which stays its home host */
      FsimObject *on = host != NULL ? host : fsim_db_lookup (pool->db, fsim_obj_get_string (vm, "resident_on"));

      make_suspend_vdi (pool, vm, on);
      if (on != NULL)
        fsim_obj_set_string (vm, "affinity", on->ref);
    }
  else
    drop_suspend_vdi (pool, vm);
  fsim_obj_set_string (vm, "power_state", state);
  fsim_model_set_vm_host (pool, vm, running ? host : NULL);
  fsim_obj_set_int (vm, "domid", running ? g_atomic_int_add (&next_domid, 1) : -1);
  if (running)
    {
      g_autofree char *now = fsim_datetime_now ();

      fsim_obj_set_string (vm, "domarch", "x64");
      fsim_obj_map_put (vm, "last_boot_CPU_flags", "vendor", "GenuineIntel");
      fsim_obj_map_put (vm, "last_boot_CPU_flags", "features",
                        "1fcbfbff-f7fa3223-2d93fbff-00000523-0000000f-d19ffb-00000000-00000000-00001000-bc000400");
      if (metrics != NULL)
        fsim_obj_set_string (metrics, "start_time", now);
    }
  if (metrics != NULL)
    {
      static const char * const running_state[] = { "running", NULL };
      static const char * const halted_state[] = { NULL };

      set_strings (metrics, "state", running ? running_state : halted_state);
    }
  for (guint i = 0; vbds != NULL && i < json_array_get_length (vbds); i++)
    {
      FsimObject *vbd = fsim_db_lookup (pool->db, json_array_get_string_element (vbds, i));

      if (vbd != NULL && fsim_obj_get_bool (vbd, "currently_attached") != running)
        fsim_obj_set_bool (vbd, "currently_attached", running);
    }
  for (guint i = 0; vifs != NULL && i < json_array_get_length (vifs); i++)
    {
      FsimObject *vif = fsim_db_lookup (pool->db, json_array_get_string_element (vifs, i));

      if (vif != NULL && fsim_obj_get_bool (vif, "currently_attached") != running)
        fsim_obj_set_bool (vif, "currently_attached", running);
    }
  fsim_model_refresh_vm_operations (vm);
}

void
fsim_model_destroy_vm (FsimPool *pool, FsimObject *vm, gboolean with_disks)
{
  g_autoptr(GPtrArray) doomed = g_ptr_array_new ();
  JsonArray  *vbds = fsim_obj_get_array (vm, "VBDs");
  JsonArray  *vifs = fsim_obj_get_array (vm, "VIFs");
  JsonArray  *snapshots = fsim_obj_get_array (vm, "snapshots");
  FsimObject *metrics = fsim_db_lookup (pool->db, fsim_obj_get_string (vm, "metrics"));
  FsimObject *parent = fsim_db_lookup (pool->db, fsim_obj_get_string (vm, "snapshot_of"));

  /* snapshots go with their VM */
  for (guint i = 0; snapshots != NULL && i < json_array_get_length (snapshots); i++)
    g_ptr_array_add (doomed, fsim_db_lookup (pool->db, json_array_get_string_element (snapshots, i)));
  for (guint i = 0; i < doomed->len; i++)
    if (doomed->pdata[i] != NULL)
      fsim_model_destroy_vm (pool, doomed->pdata[i], with_disks);
  g_ptr_array_set_size (doomed, 0);
  if (parent != NULL)
    fsim_obj_set_remove (parent, "snapshots", vm->ref);

  for (guint i = 0; vbds != NULL && i < json_array_get_length (vbds); i++)
    g_ptr_array_add (doomed, fsim_db_lookup (pool->db, json_array_get_string_element (vbds, i)));
  for (guint i = 0; i < doomed->len; i++)
    {
      FsimObject *vbd = doomed->pdata[i];
      FsimObject *vdi;

      if (vbd == NULL)
        continue;
      vdi = fsim_db_lookup (pool->db, fsim_obj_get_string (vbd, "VDI"));
      if (vdi != NULL)
        {
          fsim_obj_set_remove (vdi, "VBDs", vbd->ref);
          if (with_disks)
            {
              FsimObject *origin = fsim_db_lookup (pool->db, fsim_obj_get_string (vdi, "snapshot_of"));

              if (origin != NULL)
                fsim_obj_set_remove (origin, "snapshots", vdi->ref);
              fsim_model_destroy_vdi (pool, vdi);
            }
        }
      fsim_db_destroy_object (pool->db, vbd);
    }
  g_ptr_array_set_size (doomed, 0);
  for (guint i = 0; vifs != NULL && i < json_array_get_length (vifs); i++)
    g_ptr_array_add (doomed, fsim_db_lookup (pool->db, json_array_get_string_element (vifs, i)));
  for (guint i = 0; i < doomed->len; i++)
    {
      FsimObject *vif = doomed->pdata[i];
      FsimObject *net;

      if (vif == NULL)
        continue;
      net = fsim_db_lookup (pool->db, fsim_obj_get_string (vif, "network"));
      if (net != NULL)
        fsim_obj_set_remove (net, "VIFs", vif->ref);
      fsim_db_destroy_object (pool->db, vif);
    }
  if (with_disks)
    drop_suspend_vdi (pool, vm);
  fsim_model_set_vm_host (pool, vm, NULL);
  if (metrics != NULL)
    fsim_db_destroy_object (pool->db, metrics);
  fsim_db_destroy_object (pool->db, vm);
}

/* memory_free of every host: total minus what its resident VMs (control
 * domain included) use and what incoming migrations have reserved. */
void
fsim_model_refresh_memory (FsimPool *pool)
{
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter     iter;
  gpointer           value;
  int                vm_cls = fsim_class_lookup ("VM");
  g_autofree gint64 *sums = g_new0 (gint64, pool->hosts->len);

  for (guint i = 0; i < pool->hosts->len; i++)
    g_hash_table_insert (used, ((FsimObject *) pool->hosts->pdata[i])->ref, &sums[i]);
  g_hash_table_iter_init (&iter, fsim_db_get_table (pool->db, vm_cls));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      FsimObject *vm = value;
      const char *resident = fsim_obj_get_string (vm, "resident_on");
      const char *scheduled = fsim_obj_get_string (vm, "scheduled_to_be_resident_on");
      gint64      mem = fsim_model_vm_memory (vm) + fsim_obj_get_int (vm, "memory_overhead");
      gint64     *sum;

      if ((sum = g_hash_table_lookup (used, resident)) != NULL)
        *sum += mem;
      if (g_strcmp0 (scheduled, resident) != 0 && (sum = g_hash_table_lookup (used, scheduled)) != NULL)
        *sum += mem;
    }
  for (guint i = 0; i < pool->hosts->len; i++)
    {
      FsimObject *host = pool->hosts->pdata[i];
      FsimObject *metrics = fsim_db_lookup (pool->db, fsim_obj_get_string (host, "metrics"));
      gint64      free_mem;

      if (metrics == NULL)
        continue;
      free_mem = fsim_obj_get_int (metrics, "memory_total") - sums[i] -
                 fsim_obj_get_int (host, "memory_overhead");
      free_mem = MAX (free_mem, 0);
      if (fsim_obj_get_int (metrics, "memory_free") != free_mem)
        fsim_obj_set_int (metrics, "memory_free", free_mem);
    }
}

FsimObject *
fsim_model_find_by_name (FsimPool *pool, const char *cls, const char *name_or_uuid)
{
  int            c = fsim_class_lookup (cls);
  FsimObject    *obj;
  GHashTableIter iter;
  gpointer       value;
  gboolean       is_vm = g_strcmp0 (cls, "VM") == 0;

  if (c < 0 || name_or_uuid == NULL || fsim_field_lookup (c, "name_label") < 0)
    return NULL;
  if ((obj = fsim_db_lookup_class (pool->db, c, name_or_uuid)) != NULL)
    return obj;
  if ((obj = fsim_db_lookup_uuid (pool->db, c, name_or_uuid)) != NULL)
    return obj;
  g_hash_table_iter_init (&iter, fsim_db_get_table (pool->db, c));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      obj = value;
      if (g_strcmp0 (fsim_obj_get_string (obj, "name_label"), name_or_uuid) == 0 &&
          (!is_vm || (!fsim_obj_get_bool (obj, "is_a_template") && !fsim_obj_get_bool (obj, "is_a_snapshot"))))
        return obj;
    }
  return NULL;
}
