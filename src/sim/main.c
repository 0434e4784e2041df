/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: the ferry-sim executable */

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "fsim-server.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *scenario = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  int              port = 0;
  double           bandwidth = 0;
  gboolean         https = FALSE;
  gboolean         control = FALSE;
  gboolean         quiet = FALSE;
  GOptionEntry     entries[] = {
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &scenario,
          "demo (default), large:POOLS:HOSTS:VMS or a JSON file", "SCENARIO" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on every host address (default: a free one)", "N" },
    { "https", 0, 0, G_OPTION_ARG_NONE, &https, "Serve HTTPS with a self-signed certificate", NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_file, "Certificate (PEM) for --https", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "Private key (PEM) for --https", "FILE" },
    { "bandwidth", 0, 0, G_OPTION_ARG_DOUBLE, &bandwidth, "Simulated migration bandwidth (default 1000)", "MB/s" },
    { "enable-control", 0, 0, G_OPTION_ARG_NONE, &control, "Serve POST /sim/control", NULL },
    { "quiet", 0, 0, G_OPTION_ARG_NONE, &quiet, "Print nothing but the start-up lines", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- simulated XAPI pools for Ferry");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsimServer) sim = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint sigterm, sigint;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
                                    "Every host H of pool P listens on 127.0.P.H. Demo credentials: root / ferry.\n"
                                    "See docs/ferry-sim.md for scenario files and control commands.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ferry-sim: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || bandwidth < 0 || (cert_file != NULL) != (key_file != NULL))
    {
      g_printerr ("ferry-sim: invalid options (--tls-cert and --tls-key go together)\n");
      return 2;
    }
  sim = fsim_server_new (scenario, &error);
  if (sim == NULL)
    {
      g_printerr ("ferry-sim: %s\n", error->message);
      return 1;
    }
  fsim_server_set_quiet (sim, quiet);
  fsim_server_set_control_enabled (sim, control);
  if (bandwidth > 0)
    fsim_server_set_bandwidth (sim, bandwidth);
  if (cert_file != NULL && !fsim_server_set_tls_files (sim, cert_file, key_file, &error))
    {
      g_printerr ("ferry-sim: %s\n", error->message);
      return 1;
    }
  fsim_server_set_https (sim, https || cert_file != NULL);
  /* before "ready": a supervisor may stop us as soon as it reads it */
  loop = g_main_loop_new (NULL, FALSE);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, loop);
  sigint = g_unix_signal_add (SIGINT, quit_cb, loop);
  if (!fsim_server_start (sim, port, &error))
    {
      g_printerr ("ferry-sim: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < fsim_server_get_n_pools (sim); i++)
    {
      g_autofree char *url = fsim_server_get_pool_url (sim, i);

      printf ("pool %s %s\n", fsim_server_get_pool_name (sim, i), url);
    }
  if (fsim_server_get_https (sim) && !quiet)
    {
      g_autofree char *fp = fsim_server_get_certificate_fingerprint (sim);

      g_printerr ("ferry-sim: certificate SHA-256 %s\n", fp);
    }
  printf ("ready\n");
  fflush (stdout);

  g_main_loop_run (loop);
  g_source_remove (sigterm);
  g_source_remove (sigint);
  fsim_server_stop (sim);
  if (fsim_server_get_https (sim))
    {
      /* TLS handshakes ran in worker threads, which hold GnuTLS thread-local
       * state; let them go idle and end before exit so that leak checkers
       * see a quiet process (LeakSanitizer trips over their TLS). */
      g_usleep (1200 * 1000);
      g_thread_pool_set_max_unused_threads (0);
      g_thread_pool_stop_unused_threads ();
      g_usleep (100 * 1000);
    }
  g_clear_object (&sim);
  return 0;
}
