/* ferry-format.h: how the engine and its front ends word a duration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "3 min", "less than 1 min", "1 h 5 min", "2 h" (rounded to the minute),
 * "unknown time" for a negative one.  (transfer full) */
char *ferry_format_duration (double seconds);

G_END_DECLS
