/* xapi-connection.h: one authenticated JSON-RPC session with a pool master
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "xapi-json.h"

G_BEGIN_DECLS

#define XAPI_TYPE_CONNECTION (xapi_connection_get_type ())

G_DECLARE_FINAL_TYPE (XapiConnection, xapi_connection, XAPI, CONNECTION, GObject)

/* Properties (all notify on the thread that created the connection):
 *   "initial-url"        string, construct-only: the URL given to _new()
 *   "url"                string: where calls go now (the master)
 *   "redirected-from"    string: the supporter URL HOST_IS_SLAVE sent us
 *                        away from, or NULL
 *   "pinned-fingerprint" string, read-write
 *   "peer-fingerprint"   string: the certificate the peer last presented
 *   "timeout"            uint, read-write (seconds, default 30)
 *   "originator"         string, read-write (default "ferry")
 *   "session-ref"        string: the current session, or NULL
 *   "jsonrpc-version"    uint, read-write (1 or 2, default 2)
 *
 * Errors (domain XAPI_ERROR, see xapi-error.h): XAPI failures keep their code
 * and parameters; connection refused/reset/closed before a reply ->
 * XAPI_ERROR_CONNECTION (the message names the host); no complete reply in
 * time -> XAPI_ERROR_TIMEOUT; non-2xx -> XAPI_ERROR_HTTP; anything that is
 * not a well-formed JSON-RPC reply to our request (bad or truncated JSON,
 * wrong shape, wrong id, nesting deeper than 512) -> XAPI_ERROR_MALFORMED.
 * Cancellation -> G_IO_ERROR_CANCELLED.
 *
 * Calls are sent as JSON-RPC 2.0; replies in the 1.0 and 2.0 shapes are both
 * understood.  The password is never logged; set XAPI_DEBUG=1 in the
 * environment to get one g_debug() line per call (method and id only). */

/* @url: "https://host[:port]" or "http://host[:port]"; a bare host means https. (transfer full) */
XapiConnection *xapi_connection_new (const char *url);

/* The URL calls go to now.  It differs from the URL given at construction
 * after HOST_IS_SLAVE sent us to the master (same scheme and port). (transfer none) */
const char     *xapi_connection_get_url (XapiConnection *self);
const char     *xapi_connection_get_initial_url (XapiConnection *self);
/* The URL of the supporter we were redirected from (same scheme and port as
 * the initial URL), or NULL. (transfer none) */
const char     *xapi_connection_get_redirected_from (XapiConnection *self);

/* The uuid of the pool this connection serves, once known.  From then on a
 * login that HOST_IS_SLAVE sends to another host (a new master, mid-session
 * or on reconnecting) is checked with pool.get_all_records before any call
 * is sent there, and fails with XAPI_ERROR_WRONG_POOL if that host is the
 * master of another pool.  NULL: no check (the first connection). */
void            xapi_connection_set_pool_uuid (XapiConnection *self,
                                               const char     *pool_uuid);

/* Where a login may follow HOST_IS_SLAVE over plain HTTP: the addresses
 * (host names or IP literals, "[v6]" or bare) of the pool's hosts as the
 * caller knows them, plus any the user agreed to.  Over plain HTTP the
 * password would otherwise go, readable, to whatever address a supporter (or
 * anyone on the path who forges its answer) names; such a login fails
 * instead with XAPI_ERROR_REDIRECT_REFUSED, carrying the address
 * (xapi_error_get_address()), and nothing is sent there.  Over HTTPS the
 * certificate rules below decide.  NULL or empty: no plain HTTP redirect is
 * followed (the default). */
void            xapi_connection_set_known_hosts (XapiConnection     *self,
                                                 const char            *const *addresses);
gboolean        xapi_connection_is_known_host (XapiConnection *self,
                                               const char     *address);

/* Trust on first use.  The fingerprint is SHA-256, "AB:CD:..." as returned by
 * xapi_error_get_fingerprint(); NULL means "trust only what the system trusts".
 * Several fingerprints may be given, separated by commas or spaces (a pool
 * whose hosts have different self-signed certificates).
 *
 * Rules, for every new TLS connection:
 *  - a certificate the system trusts is accepted, unless a fingerprint is
 *    pinned and differs (XAPI_ERROR_CERTIFICATE_CHANGED, for the initial host);
 *  - otherwise it is accepted if its fingerprint is pinned, or, for a master
 *    reached through HOST_IS_SLAVE, if it matches the thumbprint the supporter
 *    announced (x-xenapi-response-host-certificate-thumbprint);
 *  - otherwise it is refused: XAPI_ERROR_CERTIFICATE_CHANGED when a
 *    fingerprint is pinned for that host, XAPI_ERROR_CERTIFICATE_UNKNOWN
 *    (with the fingerprint) when none is, unless this connection already
 *    accepted another certificate from that host: that is a change too
 *    (XAPI_ERROR_CERTIFICATE_CHANGED).  A master reached through
 *    HOST_IS_SLAVE without an announced thumbprint counts as unknown: to trust
 *    it as well, pin "SUPPORTER_FP, MASTER_FP" (the pin of the initial host
 *    must stay in the list, or the next login there fails as "changed").
 * There is no way to turn verification off. */
void            xapi_connection_set_pinned_fingerprint (XapiConnection *self,
                                                        const char     *fingerprint);
/* (transfer none) */
const char     *xapi_connection_get_pinned_fingerprint (XapiConnection *self);
/* The SHA-256 fingerprint of the certificate the peer last presented (https only).
 * (transfer none) */
const char     *xapi_connection_get_peer_fingerprint (XapiConnection *self);

/* Per-request timeout in seconds for ordinary calls (default 30).  Long polls
 * (event.from) get their own timeout plus this margin. */
void            xapi_connection_set_timeout (XapiConnection *self,
                                             guint           seconds);

/* The JSON-RPC version of the requests: 2 (default, what XenCenter and Xen
 * Orchestra send) or 1.  Replies of either shape are understood anyway. */
void            xapi_connection_set_jsonrpc_version (XapiConnection *self,
                                                     guint           version);

/* The originator string sent with the login (default "ferry"). */
void            xapi_connection_set_originator (XapiConnection *self,
                                                const char     *originator);

/* Logs in (params [user, password, "1.1", originator]) at the initial URL,
 * following HOST_IS_SLAVE to the master once (same scheme and port; over
 * plain HTTP only to a known host, see xapi_connection_set_known_hosts()).  The
 * credentials are kept in memory only, so that an expired session
 * (SESSION_INVALID) can be renewed transparently, and a call that meets
 * HOST_IS_SLAVE (the pool's master changed) logs in again at the new master. */
void            xapi_connection_login_async (XapiConnection     *self,
                                             const char         *username,
                                             const char         *password,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean        xapi_connection_login_finish (XapiConnection *self,
                                              GAsyncResult   *result,
                                              GError        **error);

void            xapi_connection_logout_async (XapiConnection     *self,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean        xapi_connection_logout_finish (XapiConnection *self,
                                               GAsyncResult   *result,
                                               GError        **error);

gboolean        xapi_connection_is_logged_in (XapiConnection *self);
/* (transfer none) */
const char     *xapi_connection_get_session_ref (XapiConnection *self);
/* The user name of the last login, or NULL. (transfer none) */
const char     *xapi_connection_get_username (XapiConnection *self);

/* Calls @method with the session reference prepended to @params (which may be
 * NULL for no arguments; it is not modified, but must not be modified by the
 * caller until the call completes).  The result is the JSON-RPC
 * "result" member.  A XAPI failure is a XAPI_ERROR_FAILURE carrying the code
 * and parameters.  SESSION_INVALID triggers one re-login and one retry.
 * Large replies are decoded in a worker thread. (transfer full) */
void            xapi_connection_call_async (XapiConnection     *self,
                                            const char         *method,
                                            JsonArray          *params,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
JsonNode       *xapi_connection_call_finish (XapiConnection *self,
                                             GAsyncResult   *result,
                                             GError        **error);

/* Same, for a call that the pool must answer once it has it (a migration:
 * its task must come back): there is no cancelling it on the wire.
 * @withdraw ends it with G_IO_ERROR_CANCELLED only while it is not out,
 * before it is sent or while it waits for a re-login after SESSION_INVALID
 * (the pool refused it, so it changed nothing).  Finish with
 * xapi_connection_call_finish(). */
void            xapi_connection_call_withdrawable_async (XapiConnection     *self,
                                                         const char         *method,
                                                         JsonArray          *params,
                                                         GCancellable       *withdraw,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);

/* Same, for long polls: the HTTP timeout is @timeout_seconds plus the margin. (transfer full) */
void            xapi_connection_call_long_async (XapiConnection     *self,
                                                 const char         *method,
                                                 JsonArray          *params,
                                                 double              timeout_seconds,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
JsonNode       *xapi_connection_call_long_finish (XapiConnection *self,
                                                  GAsyncResult   *result,
                                                  GError        **error);

/* What of a reply is kept: in the objects at JSON depth @record_depth of
 * the whole reply (see xapi_json_decode_filtered() in xapi-json.h), only
 * the members named in @keep (a string set; referenced, must not change
 * afterwards).  @keep NULL: the whole reply.
 *
 * @events (optional) is handed the elements of the arrays at depth
 * @record_depth - 2 (the events of event.from) of its classes one by one,
 * decoded into typed records, in a worker thread, while a big reply is
 * decoded; they are then missing from the result.  Small replies keep them
 * as JSON.  It may be called for a reply that turns out broken, or, after a
 * retry, for two replies; @events must stay valid until the call finishes. */
typedef struct
{
  guint                 record_depth;
  GHashTable           *keep;
  const XapiJsonEvents *events;
} XapiReplyFilter;

/* A long call whose reply is decoded as @filter says (copied).  Finish with
 * xapi_connection_call_long_finish(). */
void xapi_connection_call_filtered_async (XapiConnection        *self,
                                          const char            *method,
                                          JsonArray             *params,
                                          double                 timeout_seconds,
                                          const XapiReplyFilter *filter,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);

G_END_DECLS
