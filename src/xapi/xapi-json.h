/* xapi-json.h: a fast, strict JSON decoder for XAPI replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Decodes @len bytes of JSON (RFC 8259) into a json-glib tree.
 *
 * json-glib's own parser goes through GScanner and emits a signal for every
 * object and array; on a 100 MB event.from reply of a 10,000-VM pool that is
 * ten seconds of work.  This decoder builds the same tree directly.  It is
 * strict: invalid UTF-8, control characters in strings, trailing garbage,
 * nesting deeper than @max_depth and numbers JSON does not allow are all
 * errors, reported as a short English phrase in @reason.  It never reads
 * past @len and never recurses (an explicit stack), so hostile input cannot
 * crash it.  Safe to call from any thread. */
JsonNode *xapi_json_decode (const char  *data,
                            gsize        len,
                            guint        max_depth,
                            char       **reason);

G_END_DECLS
