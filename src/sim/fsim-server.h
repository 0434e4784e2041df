/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-server.h: ferry-sim, simulated XAPI pools served over HTTP(S) on loopback
 *
 * Typical in-process use (tests, `ferry --demo`):
 *
 *   g_autoptr(FsimServer) sim = fsim_server_new ("demo", &error);
 *   if (sim == NULL || !fsim_server_start (sim, 0, &error))
 *     ...
 *   url = fsim_server_get_pool_url (sim, 0);   // "http://127.0.1.1:PORT"
 *
 * The server runs on the thread-default main context of the thread that
 * called fsim_server_start(); iterate that context for it to answer.  Call
 * everything (fsim_server_control() included) from that thread; other threads
 * talk to it over HTTP.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FSIM_ERROR (fsim_error_quark ())

typedef enum
{
  FSIM_ERROR_FAILED,
  FSIM_ERROR_SCENARIO,
  FSIM_ERROR_BIND,
  FSIM_ERROR_TLS,
  FSIM_ERROR_CONTROL,
} FsimError;

GQuark fsim_error_quark (void);

#define FSIM_TYPE_SERVER (fsim_server_get_type ())
G_DECLARE_FINAL_TYPE (FsimServer, fsim_server, FSIM, SERVER, GObject)

/* @scenario: "demo" (or NULL), "large:POOLS:HOSTS:VMS" or a JSON file path. */
FsimServer      *fsim_server_new (const char *scenario,
                                  GError    **error);

/* Settings; call before fsim_server_start(). */
void             fsim_server_set_https (FsimServer *self,
                                        gboolean    https);
gboolean         fsim_server_set_tls_files (FsimServer *self,
                                            const char *cert_file,
                                            const char *key_file,
                                            GError    **error);
void             fsim_server_set_control_enabled (FsimServer *self,
                                                  gboolean    enabled);
void             fsim_server_set_quiet (FsimServer *self,
                                        gboolean    quiet);

/* Simulated migration bandwidth in MB/s (may change at any time). */
void             fsim_server_set_bandwidth (FsimServer *self,
                                            double      mbps);
double           fsim_server_get_bandwidth (FsimServer *self);

/* Listens on 127.0.P.H:@port for every host H of every pool P.  @port 0
 * picks a free port (the same one on every address). */
gboolean         fsim_server_start (FsimServer *self,
                                    guint       port,
                                    GError    **error);
/* Closes every listener and connection; also done on finalize. */
void             fsim_server_stop (FsimServer *self);

guint            fsim_server_get_port (FsimServer *self);
gboolean         fsim_server_get_https (FsimServer *self);
guint            fsim_server_get_n_pools (FsimServer *self);
const char      *fsim_server_get_pool_name (FsimServer *self,
                                            guint       pool);
/* "http://127.0.P.H:PORT" (or https) of the pool's current master; free it. */
char            *fsim_server_get_pool_url (FsimServer *self,
                                           guint       pool);
/* URL of host @host (0-based) of @pool, master or not; free it. */
char            *fsim_server_get_host_url (FsimServer *self,
                                           guint       pool,
                                           guint       host);
guint            fsim_server_get_n_hosts (FsimServer *self,
                                          guint       pool);
const char      *fsim_server_get_username (FsimServer *self,
                                           guint       pool);
const char      *fsim_server_get_password (FsimServer *self,
                                           guint       pool);
/* Index of the pool called @name, or -1. */
int              fsim_server_find_pool (FsimServer *self,
                                        const char *name);

/* The certificate served with HTTPS (NULL without), and its SHA-256
 * fingerprint as upper-case hex pairs separated by ':' (free it). */
GTlsCertificate *fsim_server_get_tls_certificate (FsimServer *self);
char            *fsim_server_get_certificate_fingerprint (FsimServer *self);

/* The control commands of docs/ferry-sim.md ({"command": NAME, ...}).
 * Returns the reply object ({"ok": true, ...}) or NULL and @error. */
JsonNode        *fsim_server_control (FsimServer *self,
                                      JsonObject *command,
                                      GError    **error);

G_END_DECLS
