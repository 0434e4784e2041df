/* ferry-sr.h: a storage repository of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-object.h"

G_BEGIN_DECLS

#define FERRY_TYPE_SR (ferry_sr_get_type ())

G_DECLARE_FINAL_TYPE (FerrySr, ferry_sr, FERRY, SR, FerryObject)
FERRY_OBJECT_DEFINE_GETTERS (FerrySr, ferry_sr)

/* Properties: "ref", "uuid", "name" (FerryObject's), "shared", "type",
 * "size", "free".  Strings (transfer none). */
gboolean    ferry_sr_get_shared (FerrySr *self);
const char *ferry_sr_get_sr_type (FerrySr *self);
/* "iso" for ISO libraries (content_type). */
const char *ferry_sr_get_content_type (FerrySr *self);
guint64     ferry_sr_get_size (FerrySr *self);
/* physical_size - physical_utilisation */
guint64     ferry_sr_get_free (FerrySr *self);

/* TRUE if @host has a PBD for this SR that is currently attached. */
gboolean    ferry_sr_is_attached_to (FerrySr   *self,
                                     FerryHost *host);

G_END_DECLS
