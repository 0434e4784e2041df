/* ferry-demo.h: the simulated pools behind `ferry --demo`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FERRY_TYPE_DEMO (ferry_demo_get_type ())

G_DECLARE_FINAL_TYPE (FerryDemo, ferry_demo, FERRY, DEMO, GObject)

/* Starts the simulator's demo scenario in this process, on loopback, served
 * from the thread-default main context.  The returned object keeps it
 * running; dropping the last reference stops it.  (transfer full) */
FerryDemo  *ferry_demo_start (GError **error);

guint       ferry_demo_get_n_pools (FerryDemo *self);
/* (transfer full) the URL of the pool's master. */
char       *ferry_demo_get_url (FerryDemo *self,
                                guint      pool);
/* (transfer none) */
const char *ferry_demo_get_username (FerryDemo *self,
                                     guint      pool);
/* (transfer none) */
const char *ferry_demo_get_password (FerryDemo *self,
                                     guint      pool);

G_END_DECLS
