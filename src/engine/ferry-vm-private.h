/* ferry-vm-private.h: what the pool and the jobs tell a VM
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not installed, not for the window or ferryctl.
 */

#pragma once

#include "xapi-record.h"

#include "ferry-object-private.h"
#include "ferry-vm.h"

G_BEGIN_DECLS

void    ferry_vm_set_disk_size (FerryVm *self,
                                guint64  size);
void    ferry_vm_set_job (FerryVm  *self,
                          FerryJob *job);
void    ferry_vm_invalidate_devices (FerryVm *self);
guint64 ferry_vm_get_memory_needed (FerryVm *self);
void    ferry_vm_detach (FerryVm *self);

G_END_DECLS
