/* ferry-vm.h: a VM of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-object.h"

G_BEGIN_DECLS

/* One disk (a "Disk" VBD with a VDI) of a VM. */
typedef struct
{
  char    *vdi_ref;
  char    *vdi_uuid;
  char    *name;
  FerrySr *sr; /* owned reference; may be NULL if the SR is unknown */
  guint64  virtual_size;
  char    *vbd_ref;
  char    *device;               /* VBD userdevice, e.g. "0" */
  guint64  physical_utilisation; /* bytes in use: what a copy moves */
} FerryDisk;

/* One virtual network interface of a VM. */
typedef struct
{
  char         *vif_ref;
  char         *device;
  char         *mac;
  FerryNetwork *network; /* owned reference; may be NULL */
} FerryVif;

#define FERRY_TYPE_DISK (ferry_disk_get_type ())
#define FERRY_TYPE_VIF (ferry_vif_get_type ())

GType      ferry_disk_get_type (void) G_GNUC_CONST;
/* (transfer full) */
FerryDisk *ferry_disk_copy (const FerryDisk *disk);
void       ferry_disk_free (FerryDisk *disk);
GType      ferry_vif_get_type (void) G_GNUC_CONST;
/* (transfer full) */
FerryVif  *ferry_vif_copy (const FerryVif *vif);
void       ferry_vif_free (FerryVif *vif);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryDisk, ferry_disk_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryVif, ferry_vif_free)

#define FERRY_TYPE_VM (ferry_vm_get_type ())

G_DECLARE_FINAL_TYPE (FerryVm, ferry_vm, FERRY, VM, FerryObject)
FERRY_OBJECT_DEFINE_GETTERS (FerryVm, ferry_vm)

/* Properties: "ref", "uuid", "name" (FerryObject's), "power-state",
 * "resident-on", "memory", "vcpus", "disk-size", "job".  Strings (transfer
 * none). */
/* "Running", "Halted", "Suspended" or "Paused". */
const char *ferry_vm_get_power_state (FerryVm *self);
/* (transfer none) NULL when not running. */
FerryHost  *ferry_vm_get_resident_on (FerryVm *self);
/* (transfer none) the host it prefers to start (or resume) on, its "home
 * host" (XAPI's affinity), or NULL. */
FerryHost  *ferry_vm_get_affinity (FerryVm *self);
/* (transfer none) a suspended VM: the SR of its memory image, or NULL. */
FerrySr    *ferry_vm_get_suspend_sr (FerryVm *self);
/* memory_static_max, bytes. */
guint64     ferry_vm_get_memory (FerryVm *self);
guint       ferry_vm_get_vcpus (FerryVm *self);
/* Sum of the virtual sizes of its disks, bytes. */
guint64     ferry_vm_get_disk_size (FerryVm *self);
/* (transfer none) the migration in progress for it, or NULL. */
FerryJob   *ferry_vm_get_job (FerryVm *self);

/* (transfer none) arrays of FerryDisk / FerryVif, current at the time of the
 * call; take a reference (g_ptr_array_ref) to keep one across main-loop
 * iterations. */
GPtrArray  *ferry_vm_get_disks (FerryVm *self);
GPtrArray  *ferry_vm_get_vifs (FerryVm *self);

G_END_DECLS
