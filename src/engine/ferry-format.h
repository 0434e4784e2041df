/* ferry-format.h: how the engine and its front ends word a size, a rate
 * and a duration (one wording everywhere; numbers meant for programs, such
 * as JSON, stay raw)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* All return (transfer full) strings, translated, with a plain space
 * between number and unit. */

/* Binary units, at most one decimal, ".0" dropped: "64 GiB", "1.5 GiB",
 * "512 MiB", "2 TiB"; "0 bytes", "512 bytes" under 1 KiB. */
char *ferry_format_size (guint64 bytes);
/* Decimal units, one decimal: "45.2 MB/s", "1.2 GB/s", "800.0 kB/s",
 * "500 B/s"; "" when the rate is not known (not positive, NaN or
 * infinite), so that it can be left out or leave its place blank. */
char *ferry_format_rate (double bytes_per_second);
/* "3 min", "less than 1 min", "1 h 5 min", "2 h" (rounded to the minute),
 * "unknown time" for a negative, NaN or infinite one. */
char *ferry_format_duration (double seconds);
/* "3 min left", as a running migration's estimate says it; "" when the
 * time is not known (negative, NaN or infinite). */
char *ferry_format_time_left (double seconds);

G_END_DECLS
