/* ferry-demo.h: the simulated pools behind `ferry --demo`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FERRY_TYPE_DEMO (ferry_demo_get_type ())

G_DECLARE_FINAL_TYPE (FerryDemo, ferry_demo, FERRY, DEMO, GObject)

/* Starts the simulator's demo scenario on loopback.  The returned object
 * keeps it running; dropping the last reference stops it. */
void        ferry_demo_start_async      (GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
FerryDemo  *ferry_demo_start_finish     (GAsyncResult        *result,
                                         GError             **error);

/* (transfer none) the master URL of every demo pool, as char *. */
GPtrArray  *ferry_demo_get_urls         (FerryDemo           *self);
const char *ferry_demo_get_username     (FerryDemo           *self);
const char *ferry_demo_get_password     (FerryDemo           *self);
/* The certificate fingerprint to pin, or NULL for plain HTTP. */
const char *ferry_demo_get_fingerprint  (FerryDemo           *self);

G_END_DECLS
