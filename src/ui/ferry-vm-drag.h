/* ferry-vm-drag.h: what a drag of VMs carries inside Ferry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_VM_DRAG (ferry_vm_drag_get_type ())

/* An immutable, reference-counted list of (pool uuid, VM uuid) pairs.  It is
 * a private boxed type with no MIME serializer, so it only ever travels
 * between a drag source and a drop target of this same process: plain text
 * dragged in from another application can never look like it. */
typedef struct _FerryVmDrag FerryVmDrag;

GType                       ferry_vm_drag_get_type (void) G_GNUC_CONST;

/* (transfer full) @vms: FerryVm.  VMs whose pool has no uuid yet are left out. */
FerryVmDrag                *ferry_vm_drag_new (GPtrArray *vms);
/* (transfer full) the VMs @vm_uuids (NULL-terminated) of the pool @pool_uuid. */
FerryVmDrag                *ferry_vm_drag_new_for_uuids (const char         *pool_uuid,
                                                         const char                *const *vm_uuids);
/* (transfer full) */
FerryVmDrag                *ferry_vm_drag_ref (FerryVmDrag *self);
void                        ferry_vm_drag_unref (FerryVmDrag *self);

guint                       ferry_vm_drag_get_n_vms (FerryVmDrag *self);
/* (transfer none) */
const char                 *ferry_vm_drag_get_pool_uuid (FerryVmDrag *self,
                                                         guint        index);
/* (transfer none) */
const char                 *ferry_vm_drag_get_vm_uuid (FerryVmDrag *self,
                                                       guint        index);

/* Finds each VM again by its uuid among the VMs of the pool with the same
 * uuid, and nowhere else (never by name).  VMs that are gone are skipped.
 * (transfer container) a new array of FerryVm references, in drag order. */
GPtrArray                  *ferry_vm_drag_resolve (FerryVmDrag  *self,
                                                   FerryManager *manager);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryVmDrag, ferry_vm_drag_unref)

G_END_DECLS
