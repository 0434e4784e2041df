/* ferry-engine-private.h: what the engine's objects tell each other
 *
 * Each part of the engine declares what it tells the others in a private
 * header of its own (ferry-pool-private.h, ferry-vm-private.h, …); this one
 * lists them all, for the tests.  The engine's own files include only the
 * headers they use.
 *
 * Not installed, not for the window or ferryctl.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "xapi-cache.h"
#include "xapi-connection.h"
#include "xapi-error.h"
#include "xapi-util.h"

#include "ferry-engine.h"

#include "ferry-util-private.h"
#include "ferry-errors-private.h"
#include "ferry-server-private.h"
#include "ferry-pool-private.h"
#include "ferry-host-private.h"
#include "ferry-vm-private.h"
#include "ferry-object-private.h"
#include "ferry-precheck-private.h"
#include "ferry-plan-private.h"
#include "ferry-job-private.h"
#include "ferry-batch-private.h"
