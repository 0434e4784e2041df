/* ferry-engine.c: what a program built on the engine calls first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xapi-util.h"

#include "ferry-engine.h"

void
ferry_engine_init (void)
{
  xapi_tune_allocator ();
}
