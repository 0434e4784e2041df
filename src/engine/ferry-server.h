/* ferry-server.h: one saved server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-engine-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_SERVER (ferry_server_get_type ())

G_DECLARE_FINAL_TYPE (FerryServer, ferry_server, FERRY, SERVER, GObject)

/* (transfer full) */
FerryServer *ferry_server_new (const char *url,
                               const char *username,
                               const char *fingerprint,
                               const char *label);

/* Strings (transfer none).  The URL: "https://host[:port]" */
const char  *ferry_server_get_url (FerryServer *self);
const char  *ferry_server_get_username (FerryServer *self);
/* The pinned SHA-256 fingerprint "AB:CD:..." or NULL. */
const char  *ferry_server_get_fingerprint (FerryServer *self);
/* The pool name last seen, or NULL. */
const char  *ferry_server_get_label (FerryServer *self);

/* (transfer full) "host" -> "https://host"; trims a trailing "/"; lower-cases
 * the host.  Returns NULL for text that is not a usable http(s) URL. */
char        *ferry_server_canonical_url (const char *text);

G_END_DECLS
