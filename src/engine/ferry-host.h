/* ferry-host.h: a host of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ferry-object.h"

G_BEGIN_DECLS

#define FERRY_TYPE_HOST (ferry_host_get_type ())

G_DECLARE_FINAL_TYPE (FerryHost, ferry_host, FERRY, HOST, FerryObject)
FERRY_OBJECT_DEFINE_GETTERS (FerryHost, ferry_host)

/* Properties: "ref", "uuid", "name" (FerryObject's), "address", "enabled",
 * "live", "is-master", "memory-total", "memory-free".  Strings (transfer
 * none). */
const char *ferry_host_get_address (FerryHost *self);
gboolean    ferry_host_get_enabled (FerryHost *self);
gboolean    ferry_host_get_live (FerryHost *self);
gboolean    ferry_host_get_is_master (FerryHost *self);
guint64     ferry_host_get_memory_total (FerryHost *self);
guint64     ferry_host_get_memory_free (FerryHost *self);

/* (transfer none) the FerryVm resident on this host, live. */
GListModel *ferry_host_get_vms (FerryHost *self);

/* (transfer none) where this host keeps the memory images of the VMs it
 * suspends, or NULL. */
FerrySr    *ferry_host_get_suspend_image_sr (FerryHost *self);

G_END_DECLS
