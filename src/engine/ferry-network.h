/* ferry-network.h: a network of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-object.h"

G_BEGIN_DECLS

#define FERRY_TYPE_NETWORK (ferry_network_get_type ())

G_DECLARE_FINAL_TYPE (FerryNetwork, ferry_network, FERRY, NETWORK, FerryObject)
FERRY_OBJECT_DEFINE_GETTERS (FerryNetwork, ferry_network)

/* Properties: "ref", "uuid", "name" (FerryObject's), "bridge".  Strings
 * (transfer none). */
const char *ferry_network_get_bridge (FerryNetwork *self);

/* TRUE if @host's management PIF is on this network. */
gboolean    ferry_network_is_management_on (FerryNetwork *self,
                                            FerryHost    *host);
/* TRUE if @host has a PIF on this network. */
gboolean    ferry_network_has_pif_on (FerryNetwork *self,
                                      FerryHost    *host);

G_END_DECLS
