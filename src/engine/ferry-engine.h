/* ferry-engine.h: everything the engine offers, in one include
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-engine-types.h"
#include "ferry-errors.h"
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
