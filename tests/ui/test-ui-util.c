/* test-ui-util.c: the formatting helpers the window uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "ferry-ui-util.h"

#define GIB ((guint64) 1024 * 1024 * 1024)

static void
test_memory (void)
{
  struct
  {
    guint64     bytes;
    const char *text;
  } cases[] = {
    { 12 * GIB, "12 GiB" },
    { 128 * GIB, "128 GiB" },
    { 3 * GIB / 2, "1.5 GiB" },
    { 512 * 1024 * 1024, "512 MiB" },
    { 2048 * GIB, "2 TiB" },
    { 1000, "1 KiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ferry_format_memory (cases[i].bytes);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_duration (void)
{
  g_autofree char *unknown = ferry_format_duration (-1);
  g_autofree char *short_one = ferry_format_duration (20);
  g_autofree char *minutes = ferry_format_duration (185);
  g_autofree char *hours = ferry_format_duration (3900);
  g_autofree char *whole = ferry_format_duration (7200);

  g_assert_cmpstr (unknown, ==, "unknown time");
  g_assert_cmpstr (short_one, ==, "less than 1 min");
  g_assert_cmpstr (minutes, ==, "3 min");
  g_assert_cmpstr (hours, ==, "1 h 5 min");
  g_assert_cmpstr (whole, ==, "2 h");
}

static void
test_rate (void)
{
  g_autofree char *zero = ferry_format_rate (0);
  g_autofree char *rate = ferry_format_rate (45.2e6);

  g_assert_cmpstr (zero, ==, "");
  g_assert_cmpstr (rate, ==, "45.2\u00a0MB/s");
}

static void
test_states (void)
{
  g_assert_true (ferry_job_state_is_active (FERRY_JOB_STATE_RUNNING));
  g_assert_true (ferry_job_state_is_active (FERRY_JOB_STATE_AWAITING_CONFIRMATION));
  g_assert_false (ferry_job_state_is_active (FERRY_JOB_STATE_SUCCEEDED));
  g_assert_false (ferry_job_state_is_active (FERRY_JOB_STATE_CANCELLED));
  g_assert_cmpstr (ferry_power_state_label ("Running"), ==, "running");
  g_assert_cmpstr (ferry_power_state_label ("Halted"), ==, "halted");
  g_assert_cmpstr (ferry_pool_state_label (FERRY_POOL_STATE_RECONNECTING), ==, "Reconnecting…");
}

static void
test_markup (void)
{
  g_autofree char *escaped = ferry_escape_markup ("db <old> & new");

  g_assert_cmpstr (escaped, ==, "db &lt;old&gt; &amp; new");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/util/memory", test_memory);
  g_test_add_func ("/ui/util/duration", test_duration);
  g_test_add_func ("/ui/util/rate", test_rate);
  g_test_add_func ("/ui/util/states", test_states);
  g_test_add_func ("/ui/util/markup", test_markup);

  return g_test_run ();
}
