/* ferry-server-private.h: what the store may change on a saved server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-server.h"

G_BEGIN_DECLS

void ferry_server_update (FerryServer *self,
                          const char  *username,
                          const char  *fingerprint,
                          const char  *label);

G_END_DECLS
