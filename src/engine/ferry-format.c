/* ferry-format.c: one wording of a size, a rate and a duration for every
 * sentence Ferry shows, in the window, in ferryctl and in the engine's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ferry-format.h"

#define KIB ((guint64) 1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)

/* At most one decimal, and none from 100 on or where it would be ".0":
 * hosts are sold in whole GiB and "64.0 GiB" only adds noise. */
static char *
format_number (double value)
{
  double rounded = round (value * 10.0) / 10.0;

  if (rounded >= 100.0 || fabs (rounded - round (rounded)) < 0.05)
    return g_strdup_printf ("%.0f", round (value));
  return g_strdup_printf ("%.1f", rounded);
}

char *
ferry_format_size (guint64 bytes)
{
  /* Memory and disk sizes in XAPI are binary multiples, so the units are
   * too.  A unit is chosen by what the number rounds to, so that 1023.95 MiB
   * reads "1 GiB" and not "1024 MiB". */
  static const guint64 units[] = { KIB, MIB, GIB, TIB };
  g_autofree char     *number = NULL;
  guint                i;

  if (bytes < KIB)
    /* Translators: a size under 1 KiB, in bytes */
    return g_strdup_printf (ngettext ("%u byte", "%u bytes", (gulong) bytes),
                            (guint) bytes);

  for (i = 0; i + 1 < G_N_ELEMENTS (units); i++)
    if (round ((double) bytes / (double) units[i]) < 1024.0)
      break;
  number = format_number ((double) bytes / (double) units[i]);

  switch (i)
    {
    case 0:
      /* Translators: a size in kibibytes, "%s" is the number */
      return g_strdup_printf (_("%s KiB"), number);
    case 1:
      /* Translators: a size in mebibytes, "%s" is the number */
      return g_strdup_printf (_("%s MiB"), number);
    case 2:
      /* Translators: a size in gibibytes, "%s" is the number */
      return g_strdup_printf (_("%s GiB"), number);
    default:
      /* Translators: a size in tebibytes, "%s" is the number */
      return g_strdup_printf (_("%s TiB"), number);
    }
}

char *
ferry_format_rate (double bytes_per_second)
{
  /* Decimal units, as network tools show rates, and always one decimal:
   * a rate changes every second, and a number that keeps its shape is
   * easier to follow than one that gains and loses a ".0". */
  if (!(bytes_per_second > 0) || isinf (bytes_per_second))
    return g_strdup ("");

  /* A unit is chosen by what the number rounds to, so that 999.96 kB/s
   * reads "1.0 MB/s" and not "1000.0 kB/s". */
  if (round (bytes_per_second) < 1000.0)
    /* Translators: a transfer rate under 1 kB/s, in bytes per second */
    return g_strdup_printf (_("%.0f B/s"), round (bytes_per_second));
  if (round (bytes_per_second / 1e2) < 10000.0)
    /* Translators: a transfer rate in kilobytes (10³ bytes) per second */
    return g_strdup_printf (_("%.1f kB/s"), bytes_per_second / 1e3);
  if (round (bytes_per_second / 1e5) < 10000.0)
    /* Translators: a transfer rate in megabytes (10⁶ bytes) per second */
    return g_strdup_printf (_("%.1f MB/s"), bytes_per_second / 1e6);
  /* Translators: a transfer rate in gigabytes (10⁹ bytes) per second */
  return g_strdup_printf (_("%.1f GB/s"), bytes_per_second / 1e9);
}

char *
ferry_format_duration (double seconds)
{
  double minutes_rounded;
  guint  minutes;
  guint  hours;

  /* Short, to fit a VM's row next to the rate: "2 min", "1 h 5 min"; the
   * migration question and the plan's sentence use the same words. */
  if (!(seconds >= 0) || isinf (seconds))
    return g_strdup (_("unknown time"));
  if (seconds < 60)
    return g_strdup (_("less than 1 min"));

  /* An estimate from a rate near zero can be any size: it is capped where
   * it would no longer fit, not cast beyond what a guint holds. */
  minutes_rounded = round (seconds / 60.0);
  minutes = minutes_rounded >= (double) G_MAXUINT ? G_MAXUINT : (guint) minutes_rounded;
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

char *
ferry_format_time_left (double seconds)
{
  g_autofree char *duration = NULL;

  if (!(seconds >= 0) || isinf (seconds))
    return g_strdup ("");

  duration = ferry_format_duration (seconds);
  /* Translators: time left, "3 min left" */
  return g_strdup_printf (_("%s left"), duration);
}
