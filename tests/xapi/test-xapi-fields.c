/* test-xapi-fields.c: the engine's field filter lists every field it reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine hands ferry_cache_fields() to xapi_cache_set_fields(): a field
 * missing from that list silently reads as empty.  This test finds every
 * field name that the sources of the engine, ferryctl and the GUI pass to a
 * record getter (xapi_record_get_*(), xapi_record_set_contains(),
 * ferry_record_get_ref(), json_object_get_*_member()), including calls split
 * over several lines, and checks that each one is in the list.
 */

#include <string.h>

#include "engine/ferry-fields.h"

static gboolean
listed (const char *name)
{
  const char * const *fields = ferry_cache_fields ();

  if (strcmp (name, "uuid") == 0)
    return TRUE;   /* always kept by the cache */
  /* Keys of host.migrate_receive's answer, a map the engine keeps as it
   * came: not a record of the cache. */
  if (strcmp (name, "session_id") == 0)
    return TRUE;
  for (guint i = 0; fields[i] != NULL; i++)
    if (strcmp (fields[i], name) == 0)
      return TRUE;
  return FALSE;
}

static void
test_fields_listed (void)
{
  const char *source_dir = g_getenv ("FERRY_SOURCE_DIR");
  const char *dirs[] = { "src/engine", "src/cli", "src/ui" };
  g_autoptr(GRegex) call = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);
  guint files = 0, names = 0;

  if (source_dir == NULL)
    {
      g_test_skip ("FERRY_SOURCE_DIR is not set");
      return;
    }

  /* getter (first argument, with balanced parentheses, "name" */
  call = g_regex_new ("\\b(?:xapi_record_get_[a-z0-9_]+|xapi_record_set_contains|ferry_record_get_ref|"
                      "json_object_get_[a-z_]+_member|json_object_has_member)\\s*\\("
                      "\\s*(?:[^(),;]|(?<p>\\((?:[^()]|(?&p))*\\)))*,\\s*\"(?<name>[A-Za-z][A-Za-z0-9_]*)\"",
                      G_REGEX_OPTIMIZE, 0, NULL);
  g_assert_nonnull (call);

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *path = g_build_filename (source_dir, dirs[d], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *entry;

      if (dir == NULL)
        continue;
      while ((entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = NULL;
          g_autofree char *text = NULL;
          g_autoptr(GMatchInfo) match = NULL;

          if (!g_str_has_suffix (entry, ".c"))
            continue;
          file = g_build_filename (path, entry, NULL);
          g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
          files++;
          g_regex_match (call, text, 0, &match);
          while (g_match_info_matches (match))
            {
              g_autofree char *name = g_match_info_fetch_named (match, "name");

              names++;
              if (!listed (name))
                g_string_append_printf (missing, " %s (%s/%s)", name, dirs[d], entry);
              g_match_info_next (match, NULL);
            }
        }
    }

  g_test_message ("%u files, %u field reads", files, names);
  g_assert_cmpuint (files, >, 5);
  g_assert_cmpuint (names, >, 30);
  if (missing->len > 0)
    g_error ("Fields read but not in ferry_cache_fields() (src/engine/ferry-fields.h):%s",
             missing->str);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xapi/fields/listed", test_fields_listed);

  return g_test_run ();
}
