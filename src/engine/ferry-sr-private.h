/* ferry-sr-private.h: what the pool tells an SR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not installed, not for the window or ferryctl.
 */

#pragma once

#include "xapi-record.h"

#include "ferry-sr.h"

G_BEGIN_DECLS

/* (transfer full) */
FerrySr *ferry_sr_new (FerryPool  *pool,
                       const char *ref);
gboolean ferry_sr_update (FerrySr      *self,
                          const XapiSr *record);

G_END_DECLS
