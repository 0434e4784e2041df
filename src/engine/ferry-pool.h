/* ferry-pool.h: one connected pool, its hosts, VMs, SRs and networks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ferry-engine-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_POOL (ferry_pool_get_type ())

G_DECLARE_FINAL_TYPE (FerryPool, ferry_pool, FERRY, POOL, GObject)

/* Properties (read-only, notify): "state", "name", "url", "master-url",
 * "error", "uuid".  Strings (transfer none). */
FerryPoolState ferry_pool_get_state (FerryPool *self);
/* The pool's name_label, or the URL until it is known. */
const char    *ferry_pool_get_name (FerryPool *self);
/* The URL the user gave. */
const char    *ferry_pool_get_url (FerryPool *self);
/* Where calls go now (after HOST_IS_SLAVE, the master). */
const char    *ferry_pool_get_master_url (FerryPool *self);
/* The plain sentence of the last error, NULL when fine. */
const char    *ferry_pool_get_error (FerryPool *self);
const char    *ferry_pool_get_uuid (FerryPool *self);
const char    *ferry_pool_get_username (FerryPool *self);

/* Live GListModels (transfer none). */
GListModel    *ferry_pool_get_hosts (FerryPool *self);    /* FerryHost, sorted by name */
GListModel    *ferry_pool_get_vms (FerryPool *self);      /* FerryVm, no templates, snapshots, dom0 */
GListModel    *ferry_pool_get_srs (FerryPool *self);      /* FerrySr */
GListModel    *ferry_pool_get_networks (FerryPool *self); /* FerryNetwork */

/* (transfer none) NULL if not found or ambiguous. */
FerryHost     *ferry_pool_find_host (FerryPool  *self,
                                     const char *uuid_or_unique_name);
FerryVm       *ferry_pool_find_vm (FerryPool  *self,
                                   const char *uuid_or_unique_name);
FerrySr       *ferry_pool_find_sr (FerryPool  *self,
                                   const char *uuid_or_unique_name);
FerryNetwork  *ferry_pool_find_network (FerryPool  *self,
                                        const char *uuid_or_unique_name);

/* (transfer none) by XAPI reference; NULL if unknown. */
FerryHost     *ferry_pool_get_host_by_ref (FerryPool  *self,
                                           const char *ref);
FerryVm       *ferry_pool_get_vm_by_ref (FerryPool  *self,
                                         const char *ref);
FerrySr       *ferry_pool_get_sr_by_ref (FerryPool  *self,
                                         const char *ref);
FerryNetwork  *ferry_pool_get_network_by_ref (FerryPool  *self,
                                              const char *ref);

/* (transfer none) NULL if unset. */
FerrySr       *ferry_pool_get_default_sr (FerryPool *self);
/* (transfer none) where suspended VMs keep their memory image, or NULL. */
FerrySr       *ferry_pool_get_suspend_image_sr (FerryPool *self);
FerryHost     *ferry_pool_get_master (FerryPool *self);

G_END_DECLS
