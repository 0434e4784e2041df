/* test-ui-util.c: the small helpers the window uses (sizes, rates and
 * durations are worded by the engine: tests/engine/test-engine-format.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "ferry-ui-util.h"

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

  g_test_add_func ("/ui/util/states", test_states);
  g_test_add_func ("/ui/util/markup", test_markup);

  return g_test_run ();
}
