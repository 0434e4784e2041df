/* fuzz-main.c: replays a fuzz target's corpus without libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds without -Dfuzzing (gcc, or clang with the sanitizers) link the
 * targets against this driver instead of libFuzzer, so that the regular test
 * command runs every committed corpus file once.  A target that finds
 * something aborts, which fails the test; otherwise each file is one TAP
 * line.  Arguments are files or directories (not recursive).
 */

#include <string.h>

#include "fuzz-common.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
collect (const char *path,
         GPtrArray  *files)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  /* Sorted, so that the TAP numbering is the same on every machine. */
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (files, g_strdup (names->pdata[i]));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  int status = 0;

  LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    collect (argv[i], files);

  if (files->len == 0)
    {
      /* An empty corpus would make the test pass without testing anything. */
      g_print ("1..0 # SKIP no corpus files\n");
      g_printerr ("fuzz-main: no corpus files in the arguments\n");
      return 1;
    }

  g_print ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char      *path = files->pdata[i];
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          g_print ("not ok %u - %s: %s\n", i + 1, path, error->message);
          status = 1;
          continue;
        }
      /* A copy of exactly @len bytes, so that AddressSanitizer catches a
       * read past the end (g_file_get_contents adds a NUL). */
      {
        g_autofree guint8 *exact = g_malloc (MAX (len, 1));

        memcpy (exact, contents, len);
        /* On stderr, which the test log keeps: names the file if it aborts. */
        g_printerr ("replaying %s\n", path);
        LLVMFuzzerTestOneInput (exact, len);
      }
      g_print ("ok %u - %s\n", i + 1, path);
    }

  return status;
}
