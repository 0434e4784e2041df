/* test-engine-format.c: the one wording of sizes, rates and durations that
 * the window, ferryctl and the engine's sentences share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <math.h>

#include "ferry-format.h"

#define KIB ((guint64) 1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)

static void
test_size (void)
{
  struct
  {
    guint64     bytes;
    const char *text;
  } cases[] = {
    { 0, "0 bytes" },
    { 1, "1 byte" },
    { 512, "512 bytes" },
    { 1023, "1023 bytes" },
    { KIB, "1 KiB" },
    { KIB + KIB / 2, "1.5 KiB" },
    { 512 * MIB, "512 MiB" },
    /* One decimal, and none where it would be ".0". */
    { 3 * GIB / 2, "1.5 GiB" },
    { 64 * GIB, "64 GiB" },
    { 64 * GIB + GIB / 100, "64 GiB" },
    { 12 * GIB + 3 * GIB / 10, "12.3 GiB" },
    /* From 100 on, whole numbers only. */
    { 99 * GIB + 96 * GIB / 100, "100 GiB" },
    { 128 * GIB + GIB / 2 - 1, "128 GiB" },
    /* A number that would round to 1024 of a unit is the next unit. */
    { 1023 * MIB + 95 * MIB / 100, "1 GiB" },
    { 1023 * MIB + 40 * MIB / 100, "1023 MiB" },
    { KIB * KIB - 1, "1 MiB" },
    { 2 * TIB, "2 TiB" },
    { 4 * TIB + TIB / 2, "4.5 TiB" },
    /* TiB is the largest unit. */
    { 2048 * TIB, "2048 TiB" },
    { G_MAXUINT64, "16777216 TiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ferry_format_size (cases[i].bytes);

      g_test_message ("%" G_GUINT64_FORMAT " bytes", cases[i].bytes);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_rate (void)
{
  struct
  {
    double      bytes_per_second;
    const char *text;
  } cases[] = {
    /* Not known: empty, so that a front end can leave it out. */
    { 0, "" },
    { -5e6, "" },
    { NAN, "" },
    { INFINITY, "" },
    { -INFINITY, "" },
    { 0.4, "0 B/s" },
    { 500, "500 B/s" },
    { 999.4, "999 B/s" },
    { 999.6, "1.0 kB/s" },
    { 800e3, "800.0 kB/s" },
    /* Decimal units and always one decimal. */
    { 45.2e6, "45.2 MB/s" },
    { 112.4e6, "112.4 MB/s" },
    { 999.96e6, "1.0 GB/s" },
    { 1.2e9, "1.2 GB/s" },
    { 12345e9, "12345.0 GB/s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ferry_format_rate (cases[i].bytes_per_second);

      g_test_message ("%g B/s", cases[i].bytes_per_second);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_duration (void)
{
  struct
  {
    double      seconds;
    const char *text;
    const char *left;
  } cases[] = {
    { -1, "unknown time", "" },
    { NAN, "unknown time", "" },
    { INFINITY, "unknown time", "" },
    { -INFINITY, "unknown time", "" },
    { 0, "less than 1 min", "less than 1 min left" },
    { 20, "less than 1 min", "less than 1 min left" },
    { 59.9, "less than 1 min", "less than 1 min left" },
    { 60, "1 min", "1 min left" },
    { 185, "3 min", "3 min left" },
    { 3569, "59 min", "59 min left" },
    { 3571, "1 h", "1 h left" },
    { 3900, "1 h 5 min", "1 h 5 min left" },
    { 7200, "2 h", "2 h left" },
    { 90000, "25 h", "25 h left" },
    /* An estimate from a rate near zero: large, but a number. */
    { 1e300, "71582788 h 15 min", "71582788 h 15 min left" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ferry_format_duration (cases[i].seconds);
      g_autofree char *left = ferry_format_time_left (cases[i].seconds);

      g_test_message ("%g s", cases[i].seconds);
      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_cmpstr (left, ==, cases[i].left);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* The words are checked untranslated, the decimal point as in C. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/format/size", test_size);
  g_test_add_func ("/engine/format/rate", test_rate);
  g_test_add_func ("/engine/format/duration", test_duration);

  return g_test_run ();
}
