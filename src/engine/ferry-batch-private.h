/* ferry-batch-private.h: what the manager tells a batch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not installed, not for the window or ferryctl.
 */

#pragma once

#include "ferry-engine-types.h"

G_BEGIN_DECLS

/* (transfer full) a batch of @jobs (FerryJob); jobs already in a batch
 * are left out. */
FerryBatch *ferry_batch_new (const char *title,
                             GPtrArray  *jobs);
/* Ends the batch now if all its jobs have ended already. */
void        ferry_batch_check (FerryBatch *self);

G_END_DECLS
