/* xapi-connection.h: one authenticated JSON-RPC session with a pool master
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define XAPI_TYPE_CONNECTION (xapi_connection_get_type ())

G_DECLARE_FINAL_TYPE (XapiConnection, xapi_connection, XAPI, CONNECTION, GObject)

/* @url: "https://host[:port]" or "http://host[:port]"; a bare host means https. */
XapiConnection *xapi_connection_new                  (const char           *url);

/* The URL calls go to now.  It differs from the URL given at construction
 * after HOST_IS_SLAVE sent us to the master (same scheme and port). */
const char     *xapi_connection_get_url              (XapiConnection       *self);
const char     *xapi_connection_get_initial_url      (XapiConnection       *self);
/* The supporter address we were redirected from, or NULL. */
const char     *xapi_connection_get_redirected_from  (XapiConnection       *self);

/* Trust on first use.  The fingerprint is SHA-256, "AB:CD:..." as returned by
 * xapi_error_get_fingerprint(); NULL means "trust only what the system trusts". */
void            xapi_connection_set_pinned_fingerprint (XapiConnection     *self,
                                                        const char         *fingerprint);
const char     *xapi_connection_get_pinned_fingerprint (XapiConnection     *self);
/* The SHA-256 fingerprint of the certificate the peer last presented (https only). */
const char     *xapi_connection_get_peer_fingerprint (XapiConnection       *self);

/* Per-request timeout in seconds for ordinary calls (default 30).  Long polls
 * (event.from) get their own timeout plus this margin. */
void            xapi_connection_set_timeout          (XapiConnection       *self,
                                                      guint                 seconds);

/* The originator string sent with the login (default "ferry"). */
void            xapi_connection_set_originator       (XapiConnection       *self,
                                                      const char           *originator);

/* Logs in, following HOST_IS_SLAVE to the master once.  The credentials are
 * kept in memory only, so that an expired session (SESSION_INVALID) can be
 * renewed transparently. */
void            xapi_connection_login_async          (XapiConnection       *self,
                                                      const char           *username,
                                                      const char           *password,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        xapi_connection_login_finish         (XapiConnection       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

void            xapi_connection_logout_async         (XapiConnection       *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        xapi_connection_logout_finish        (XapiConnection       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

gboolean        xapi_connection_is_logged_in         (XapiConnection       *self);
const char     *xapi_connection_get_session_ref      (XapiConnection       *self);

/* Calls @method with the session reference prepended to @params (which may be
 * NULL for no arguments; it is not modified).  The result is the JSON-RPC
 * "result" member.  A XAPI failure is a XAPI_ERROR_FAILURE carrying the code
 * and parameters.  SESSION_INVALID triggers one re-login and one retry.
 * Large replies are decoded in a worker thread. */
void            xapi_connection_call_async           (XapiConnection       *self,
                                                      const char           *method,
                                                      JsonArray            *params,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
JsonNode       *xapi_connection_call_finish          (XapiConnection       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Same, for long polls: the HTTP timeout is @timeout_seconds plus the margin. */
void            xapi_connection_call_long_async      (XapiConnection       *self,
                                                      const char           *method,
                                                      JsonArray            *params,
                                                      double                timeout_seconds,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
JsonNode       *xapi_connection_call_long_finish     (XapiConnection       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
