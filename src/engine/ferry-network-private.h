/* ferry-network-private.h: what the pool tells a network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not installed, not for the window or ferryctl.
 */

#pragma once

#include "xapi-record.h"

#include "ferry-network.h"

G_BEGIN_DECLS

/* (transfer full) */
FerryNetwork *ferry_network_new (FerryPool  *pool,
                                 const char *ref);
gboolean      ferry_network_update (FerryNetwork      *self,
                                    const XapiNetwork *record);

G_END_DECLS
