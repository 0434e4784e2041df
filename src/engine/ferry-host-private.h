/* ferry-host-private.h: what the pool tells a host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not installed, not for the window or ferryctl.
 */

#pragma once

#include "xapi-record.h"

#include "ferry-host.h"
#include "ferry-object-private.h"

G_BEGIN_DECLS

/* (transfer none) both */
const char *ferry_host_get_metrics_ref (FerryHost *self);
GListStore *ferry_host_get_vm_store (FerryHost *self);
void        ferry_host_detach (FerryHost *self);

G_END_DECLS
