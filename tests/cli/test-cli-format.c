/* test-cli-format.c: ferryctl's text helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "ferry-cli-format.h"

static void
test_decile (void)
{
  g_assert_cmpuint (ferry_cli_progress_decile (-0.5), ==, 0);
  g_assert_cmpuint (ferry_cli_progress_decile (0.0), ==, 0);
  g_assert_cmpuint (ferry_cli_progress_decile (0.099), ==, 0);
  g_assert_cmpuint (ferry_cli_progress_decile (0.1), ==, 1);
  g_assert_cmpuint (ferry_cli_progress_decile (0.3), ==, 3);
  g_assert_cmpuint (ferry_cli_progress_decile (0.7), ==, 7);
  g_assert_cmpuint (ferry_cli_progress_decile (0.999), ==, 9);
  g_assert_cmpuint (ferry_cli_progress_decile (1.0), ==, 10);
  g_assert_cmpuint (ferry_cli_progress_decile (1.5), ==, 10);
}

/* The width of the bar in a progress line, or 0 if it has none. */
static guint
bar_width (const char *line)
{
  const char *end = strchr (line, ']');

  return line[0] == '[' && end != NULL ? (guint) (end - line - 1) : 0;
}

static void
test_progress_line (void)
{
  g_autofree char *wide = ferry_cli_format_progress (0.45, 112.4e6, 125, 79);
  g_autofree char *empty = ferry_cli_format_progress (0, 0, -1, 79);
  g_autofree char *full = ferry_cli_format_progress (1, 50e6, 0, 79);
  g_autofree char *slow = ferry_cli_format_progress (0.5, 9.8e6, 5 * 3600 + 600, 79);
  g_autofree char *odd = ferry_cli_format_progress (0.5, NAN, INFINITY, 79);
  g_autofree char *narrow = ferry_cli_format_progress (0.45, 112.4e6, 125, 30);
  g_autofree char *tiny = ferry_cli_format_progress (0.45, 112.4e6, 125, 8);
  g_autofree char *clamped = ferry_cli_format_progress (7, 1, 1, 79);
  const char      *bar_end;
  guint            hashes = 0;
  guint            dashes = 0;

  g_assert_true (g_str_has_prefix (wide, "["));
  g_assert_true (g_str_has_suffix (wide, "]  45 %  112.4 MB/s  2 min left"));
  g_assert_cmpuint (ferry_cli_text_width (wide), <=, 79);

  bar_end = strchr (wide, ']');
  g_assert_nonnull (bar_end);
  for (const char *p = wide + 1; p < bar_end; p++)
    {
      if (*p == '#')
        hashes++;
      else if (*p == '-')
        dashes++;
    }
  /* 45 % of the bar is filled, give or take the rounding of one cell. */
  g_assert_cmpfloat (fabs ((double) hashes / (hashes + dashes) - 0.45), <, 0.05);

  /* What is not known is left blank, with no blanks at the end. */
  g_assert_true (g_str_has_suffix (empty, "]   0 %"));
  g_assert_null (strchr (empty, '#'));
  g_assert_true (g_str_has_suffix (odd, "]  50 %"));
  g_assert_true (g_str_has_suffix (full, "] 100 %   50.0 MB/s  less than 1 min left"));
  g_assert_null (strstr (full, "-]"));
  g_assert_true (g_str_has_suffix (slow, "]  50 %    9.8 MB/s  5 h 10 min left"));

  /* The rate and the time left have fields of their own width: the bar
   * stays the same width whatever they say. */
  g_assert_cmpuint (bar_width (wide), >, 10);
  g_assert_cmpuint (bar_width (empty), ==, bar_width (wide));
  g_assert_cmpuint (bar_width (full), ==, bar_width (wide));
  g_assert_cmpuint (bar_width (slow), ==, bar_width (wide));
  g_assert_cmpuint (bar_width (odd), ==, bar_width (wide));

  /* Without room for a bar, no fields either. */
  g_assert_cmpstr (narrow, ==, " 45 %  112.4 MB/s  2 min left");
  g_assert_cmpstr (tiny, ==, " 45 %");
  g_assert_true (strstr (clamped, "100 %") != NULL);
}

static void
test_key_value (void)
{
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  g_assert_true (ferry_cli_parse_key_value ("id=1234", &key, &value));
  g_assert_cmpstr (key, ==, "id");
  g_assert_cmpstr (value, ==, "1234");
  g_clear_pointer (&key, g_free);
  g_clear_pointer (&value, g_free);

  /* Only the first '=' splits: values may hold more. */
  g_assert_true (ferry_cli_parse_key_value ("a=b=c", &key, &value));
  g_assert_cmpstr (key, ==, "a");
  g_assert_cmpstr (value, ==, "b=c");
  g_clear_pointer (&key, g_free);
  g_clear_pointer (&value, g_free);

  g_assert_true (ferry_cli_parse_key_value ("empty=", &key, &value));
  g_assert_cmpstr (value, ==, "");

  g_assert_false (ferry_cli_parse_key_value ("novalue", NULL, NULL));
  g_assert_false (ferry_cli_parse_key_value ("=value", NULL, NULL));
}

static void
test_answers (void)
{
  const char *yes[] = { "y", "Y", "yes", "YES", " yes ", "y\r", "Yes\t" };
  const char *no[] = { "", "n", "no", "N", "yess", "ye", "oui?", "maybe", "y y" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    g_assert_true (ferry_cli_answer_is_yes (yes[i]));
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    g_assert_false (ferry_cli_answer_is_yes (no[i]));
  g_assert_false (ferry_cli_answer_is_yes (NULL));
}

static void
test_table (void)
{
  g_autoptr(FerryCliTable) table = ferry_cli_table_new (3);
  g_autoptr(GString) out = g_string_new (NULL);

  ferry_cli_table_add_row (table, "NAME", "STATE", "NOTE");
  ferry_cli_table_add_row (table, "web-1", "Running", NULL);
  ferry_cli_table_add_row (table, "données", "Halted", "x");
  g_assert_cmpuint (ferry_cli_table_get_n_rows (table), ==, 3);

  ferry_cli_table_render (table, 2, out);
  /* Columns line up by display width (é is one cell), and an empty last
   * column leaves no trailing blanks. */
  g_assert_cmpstr (out->str, ==,
                   "  NAME     STATE    NOTE\n"
                   "  web-1    Running\n"
                   "  données  Halted   x\n");
}

/* Server text on a terminal: one line, no control characters, bounded. */
static void
test_display_text (void)
{
  g_autofree char *plain = ferry_cli_display_text ("web-01", 80);
  g_autofree char *controls = ferry_cli_display_text ("a\nb\033[2Jc\td\x7f\xc2\x9b", 80);
  g_autofree char *bidi = ferry_cli_display_text ("evil\xe2\x80\xaetxt.exe", 80);
  g_autofree char *exact = ferry_cli_display_text ("abcdefghij", 10);
  g_autofree char *cut = ferry_cli_display_text ("abcdefghijk", 10);
  g_autofree char *wide = ferry_cli_display_text ("日本語日本語日本語", 10);
  g_autofree char *invalid = ferry_cli_display_text ("ab\xff", 10);
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autofree char *huge_shown = NULL;

  g_assert_cmpstr (plain, ==, "web-01");
  g_assert_cmpstr (controls, ==, "a\\nb\\x1b[2Jc\\td\\x7f\\x9b");
  g_assert_cmpstr (bidi, ==, "evil\\u202etxt.exe");
  g_assert_cmpstr (exact, ==, "abcdefghij");
  g_assert_cmpstr (cut, ==, "abcdefghi…");
  g_assert_cmpuint (ferry_cli_text_width (wide), <=, 10);
  g_assert_true (g_str_has_suffix (wide, "…"));
  g_assert_cmpstr (invalid, ==, "ab\xef\xbf\xbd");

  for (guint i = 0; i < 100000; i++)
    g_string_append (huge, "N\n");
  huge_shown = ferry_cli_display_text (huge->str, FERRY_CLI_MAX_FIELD_WIDTH);
  g_assert_null (strchr (huge_shown, '\n'));
  /* An escape is never split, so the cut may fall a column or two short. */
  g_assert_cmpuint (ferry_cli_text_width (huge_shown), <=, FERRY_CLI_MAX_FIELD_WIDTH);
  g_assert_cmpuint (ferry_cli_text_width (huge_shown), >=, FERRY_CLI_MAX_FIELD_WIDTH - 2);
}

static void
test_text_width (void)
{
  g_assert_cmpuint (ferry_cli_text_width (NULL), ==, 0);
  g_assert_cmpuint (ferry_cli_text_width ("abc"), ==, 3);
  g_assert_cmpuint (ferry_cli_text_width ("→"), ==, 1);
  g_assert_cmpuint (ferry_cli_text_width ("日本"), ==, 4);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/format/decile", test_decile);
  g_test_add_func ("/cli/format/progress-line", test_progress_line);
  g_test_add_func ("/cli/format/key-value", test_key_value);
  g_test_add_func ("/cli/format/answers", test_answers);
  g_test_add_func ("/cli/format/table", test_table);
  g_test_add_func ("/cli/format/text-width", test_text_width);
  g_test_add_func ("/cli/format/display-text", test_display_text);

  return g_test_run ();
}
