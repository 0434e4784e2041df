/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-scenario.h: the pools a simulator starts with (demo, file, large) */

#pragma once

#include "fsim-model.h"

G_BEGIN_DECLS

/* Returns a GPtrArray of FsimPool (freed with fsim_pool_free), or NULL and
 * @error.  @spec is "demo", "large:POOLS:HOSTS:VMS" or a path to a JSON file
 * (see docs/ferry-sim.md). */
GPtrArray  *fsim_scenario_load (gpointer server, const char *spec, FsimDbChangedFunc changed,
                                GError **error);
GPtrArray  *fsim_scenario_from_json (gpointer server, JsonNode *root, FsimDbChangedFunc changed,
                                     GError **error);
const char *fsim_scenario_demo_json (void);

G_END_DECLS
