/* ferry-fields.h: the record fields the engine reads from its object cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine follows twelve classes but reads only a few dozen of their
 * fields; a 10,000-VM pool's records carry several hundred more.  Handing
 * this list to xapi_cache_set_fields() lets the cache step over the rest
 * while decoding, which is most of the time and memory of a first load.
 *
 * Whoever makes the engine (or anything reading its cache: the GUI, ferryctl)
 * read a field not listed here must add it, or the field will always look
 * empty (tests/xapi/test-xapi-fields.c finds the field names that the
 * engine, ferryctl and the GUI pass to the record getters and checks that
 * they are listed).  The list is generous on purpose: a few more small
 * fields cost nothing.
 *
 * Header-only (a static inline function), so that the engine library and the
 * benchmark share one list without another source file in either build.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

static inline const char * const *
ferry_cache_fields (void)
{
  static const char * const fields[] = {
    /* Every class */
    "uuid", "name_label", "name_description", "other_config", "tags",
    "allowed_operations", "current_operations",
    /* pool */
    "master", "default_SR", "ha_enabled", "migration_compression",
    "suspend_image_SR", "suspend_image_sr",
    /* host, host_metrics */
    "address", "hostname", "enabled", "metrics", "resident_VMs", "PIFs", "PBDs",
    "API_version_major", "API_version_minor", "software_version", "cpu_info",
    "control_domain", "memory_total", "memory_free", "live", "last_updated",
    /* VM */
    "power_state", "resident_on", "scheduled_to_be_resident_on", "affinity",
    "is_a_template", "is_control_domain", "is_a_snapshot", "snapshot_of",
    "is_default_template", "memory_static_max", "memory_static_min",
    "memory_dynamic_max", "memory_dynamic_min", "memory_target", "memory_overhead",
    "VCPUs_max", "VCPUs_at_startup", "VBDs", "VIFs", "VGPUs", "VUSBs",
    "attached_PCIs", "blocked_operations", "guest_metrics", "domid",
    "suspend_VDI", "suspend_SR", "snapshots", "version",
    /* VBD, VDI, SR, PBD */
    "VM", "VDI", "SR", "type", "mode", "device", "userdevice", "bootable", "empty",
    "currently_attached", "virtual_size", "physical_size", "physical_utilisation",
    "virtual_allocation", "sharable", "read_only", "managed", "missing",
    "cbt_enabled", "on_boot", "VDIs", "shared", "content_type", "host",
    /* VIF, network, PIF */
    "network", "MAC", "MTU", "bridge", "management", "IP", "netmask", "gateway",
    "VLAN", "physical",
    /* task */
    "status", "progress", "result", "error_info", "created", "finished",
    "subtask_of",
    NULL
  };

  return fields;
}

G_END_DECLS
