/* fuzz-scenario.c: ferry-sim's scenario files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everyone who writes a test or a demo writes scenario files by hand, so the
 * loader meets typos, wrong types and absurd sizes; it must refuse them with
 * an error, not crash or misbehave.  The input is written to a file and
 * given to fsim_server_new() exactly as `ferry-sim --scenario FILE` does
 * (the server is never started: no sockets, no threads).
 */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "sim/fsim-server.h"

static char *scenario_dir;
static char *scenario_path;

static void
remove_scenario_dir (void)
{
  g_unlink (scenario_path);
  g_rmdir (scenario_dir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init_glib ();

  /* One private directory per process: fuzzers run in parallel. */
  scenario_dir = g_dir_make_tmp ("ferry-fuzz-scenario-XXXXXX", &error);
  if (scenario_dir == NULL)
    {
      fprintf (stderr, "fuzz-scenario: %s\n", error->message);
      exit (1);
    }
  scenario_path = g_build_filename (scenario_dir, "scenario.json", NULL);
  atexit (remove_scenario_dir);
  return 0;
}

/* Not g_file_set_contents(): it fsyncs a file that already exists, which
 * would make every execution wait for the disk. */
static void
write_scenario (const uint8_t *data,
                size_t         size)
{
  int fd = open (scenario_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  size_t done = 0;

  if (fd < 0)
    {
      fprintf (stderr, "fuzz-scenario: %s: %s\n", scenario_path, g_strerror (errno));
      abort ();
    }
  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          fprintf (stderr, "fuzz-scenario: writing %s: %s\n", scenario_path, g_strerror (errno));
          abort ();
        }
      done += (size_t) n;
    }
  close (fd);
}

/* The members the loader reads with json_object_get_int_member() or
 * json_object_get_double_member(). */
FUZZ_NO_COVERAGE static gboolean
is_number_member (const char *name)
{
  static const char * const names[] = {
    "cpus", "vcpus", "memory_gib", "memory_mib", "size_gib", "size_mib", "used_gib", "used_mib",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Looks for the shapes of S3 and S4 anywhere in the tree (more than the
 * loader reads, which only skips a few more inputs). */
FUZZ_NO_COVERAGE static gboolean
has_open_shape (JsonNode   *node,
                const char *member)
{
  if (member != NULL && is_number_member (member))
    {
      /* S3: an object or array where a number is read. */
      if (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
        return TRUE;
      /* S4: a size whose byte count does not fit in a gint64 (GiB and
       * MiB alike, for simplicity). */
      if (g_str_has_suffix (member, "_gib") || g_str_has_suffix (member, "_mib"))
        {
          if (JSON_NODE_HOLDS_VALUE (node) &&
              (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
               json_node_get_value_type (node) == G_TYPE_INT64) &&
              !(fabs (json_node_get_double (node)) < 8589934592.0))
            return TRUE;
        }
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &value))
        if (has_open_shape (value, name))
          return TRUE;
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      gboolean templates = g_strcmp0 (member, "templates") == 0 ||
                           g_strcmp0 (member, "custom_templates") == 0;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          /* S3: a template name that is an object or an array. */
          if (templates && (JSON_NODE_HOLDS_OBJECT (element) || JSON_NODE_HOLDS_ARRAY (element)))
            return TRUE;
          if (has_open_shape (element, NULL))
            return TRUE;
        }
    }
  return FALSE;
}

/* Open findings (see README.md), skipped with FERRY_FUZZ_SKIP_OPEN=1.
 * The input is parsed as the loader parses it, with json-glib. */
FUZZ_NO_COVERAGE static gboolean
is_open_finding (const uint8_t *data,
                 size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL))
    return FALSE;
  root = json_parser_get_root (parser);

  /* S1: a document without a value (empty, only blanks or comments) has
   * a NULL root, which fsim_scenario_from_json() passes to
   * JSON_NODE_HOLDS_OBJECT(). */
  if (root == NULL)
    return TRUE;

  return has_open_shape (root, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(FsimServer) server = NULL;
  g_autoptr(GError) error = NULL;
  guint n_pools;

  if (fuzz_skip_open_findings () && is_open_finding (data, size))
    return 0;

  write_scenario (data, size);

  server = fsim_server_new (scenario_path, &error);
  if (server == NULL)
    {
      FUZZ_CHECK (error != NULL);
      FUZZ_CHECK (error->domain == FSIM_ERROR && error->code == FSIM_ERROR_SCENARIO);
      FUZZ_CHECK (error->message != NULL);
      return 0;
    }
  FUZZ_CHECK (error == NULL);

  /* What a loaded scenario promises: 1 to 254 pools of 1 to 254 hosts,
   * each with a name and credentials, found again by name. */
  n_pools = fsim_server_get_n_pools (server);
  FUZZ_CHECK (n_pools >= 1 && n_pools <= 254);
  for (guint p = 0; p < n_pools; p++)
    {
      const char *name = fsim_server_get_pool_name (server, p);
      guint n_hosts = fsim_server_get_n_hosts (server, p);
      int found;

      FUZZ_CHECK (name != NULL);
      FUZZ_CHECK (fsim_server_get_username (server, p) != NULL);
      FUZZ_CHECK (fsim_server_get_password (server, p) != NULL);
      FUZZ_CHECK (n_hosts >= 1 && n_hosts <= 254);
      found = fsim_server_find_pool (server, name);
      FUZZ_CHECK (found >= 0 && (guint) found <= p);
    }

  return 0;
}
