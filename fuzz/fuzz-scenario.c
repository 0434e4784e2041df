/* fuzz-scenario.c: ferry-sim's scenario files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everyone who writes a test or a demo writes scenario files by hand, so the
 * loader meets typos, wrong types and absurd sizes; it must refuse them with
 * an error, not crash or misbehave.  Only what json-glib parses is tried
 * (see json_glib_parses()): the loader's own code starts after that.  The input is written to a file and
 * given to fsim_server_new() exactly as `ferry-sim --scenario FILE` does
 * (the server is never started: no sockets, no threads).
 */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "sim/fsim-server.h"
#include "xapi-json.h"

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
  int    fd = open (scenario_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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

/* json-glib 1.6.6 leaks memory on some inputs it refuses: a GString when
 * its scanner meets a malformed surrogate pair ("\ud800\u0041"), a node
 * when a value is followed by a container ("[] []").  Those are json-glib's
 * bugs, which LeakSanitizer cannot be told to ignore (the stacks end in
 * json-glib, which has no frame pointers), and the loader's own code only
 * starts after json-glib has parsed the file.  So only inputs json-glib
 * parses are tried: valid JSON, as Ferry's strict decoder sees it (it is
 * linked without coverage instrumentation, so libFuzzer gets no reward for
 * exploring it), without surrogate escapes that are not pairs (json-glib
 * refuses some of those). */
static gboolean
has_lone_surrogate (const uint8_t *data,
                    size_t         size)
{
  for (size_t i = 0; i + 6 <= size; i++)
    {
      guint u = 0;

      if (data[i] != '\\' || data[i + 1] != 'u')
        continue;
      for (int k = 2; k < 6; k++)
        u = (u << 4) | (guint) MAX (g_ascii_xdigit_value (data[i + k]), 0);
      if (u >= 0xDC00 && u <= 0xDFFF)
        return TRUE;
      if (u >= 0xD800 && u <= 0xDBFF)
        {
          guint low = 0;

          if (i + 12 > size || data[i + 6] != '\\' || data[i + 7] != 'u')
            return TRUE;
          for (int k = 8; k < 12; k++)
            low = (low << 4) | (guint) MAX (g_ascii_xdigit_value (data[i + k]), 0);
          if (low < 0xDC00 || low > 0xDFFF)
            return TRUE;
          i += 11;
        }
    }
  return FALSE;
}

static gboolean
json_glib_parses (const uint8_t *data,
                  size_t         size)
{
  g_autoptr(JsonNode) root = NULL;

  if (has_lone_surrogate (data, size))
    return FALSE;
  root = xapi_json_decode ((const char *) data, size, 512, NULL);
  return root != NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(FsimServer) server = NULL;
  g_autoptr(GError) error = NULL;
  guint n_pools;

  if (!json_glib_parses (data, size))
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
      guint       n_hosts = fsim_server_get_n_hosts (server, p);
      int         found;

      FUZZ_CHECK (name != NULL);
      FUZZ_CHECK (fsim_server_get_username (server, p) != NULL);
      FUZZ_CHECK (fsim_server_get_password (server, p) != NULL);
      FUZZ_CHECK (n_hosts >= 1 && n_hosts <= 254);
      found = fsim_server_find_pool (server, name);
      FUZZ_CHECK (found >= 0 && (guint) found <= p);
    }

  return 0;
}
