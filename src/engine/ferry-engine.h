/* ferry-engine.h: everything the engine offers, in one include
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-engine-types.h"
#include "ferry-errors.h"
#include "ferry-format.h"
#include "ferry-server.h"
#include "ferry-server-store.h"
#include "ferry-pool.h"
#include "ferry-host.h"
#include "ferry-vm.h"
#include "ferry-sr.h"
#include "ferry-network.h"
#include "ferry-plan.h"
#include "ferry-job.h"
#include "ferry-manager.h"
#include "ferry-evacuation.h"
#include "ferry-batch.h"

G_BEGIN_DECLS

/* What a program built on the engine calls first thing in main(), before a
 * toolkit starts threads of its own: sets up the C library's allocator for
 * the million small blocks of a large pool (see xapi_tune_allocator()). */
void ferry_engine_init (void);

G_END_DECLS
