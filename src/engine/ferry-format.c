/* ferry-format.c: one wording of a duration for every sentence Ferry shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ferry-format.h"

char *
ferry_format_duration (double seconds)
{
  guint minutes;
  guint hours;

  /* Short, to fit a VM's row next to the rate: "2 min", "1 h 5 min"; the
   * migration question and the plan's sentence use the same words. */
  if (seconds < 0 || isnan (seconds))
    return g_strdup (_("unknown time"));
  if (seconds < 60)
    return g_strdup (_("less than 1 min"));

  minutes = (guint) round (seconds / 60.0);
  if (minutes < 60)
    /* Translators: a duration in minutes, "3 min" */
    return g_strdup_printf (_("%u min"), minutes);

  hours = minutes / 60;
  minutes %= 60;
  if (minutes == 0)
    /* Translators: a duration in hours, "2 h" */
    return g_strdup_printf (_("%u h"), hours);
  /* Translators: "1 h 5 min" */
  return g_strdup_printf (_("%u h %u min"), hours, minutes);
}
