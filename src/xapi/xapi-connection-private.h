/* xapi-connection-private.h: what the parts of XapiConnection share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * XapiConnection is one object in five files, one for each thing it does:
 * xapi-connection.c (the object, its settings and the calls),
 * xapi-connection-post.c (one HTTP exchange: POST /jsonrpc, its timeout,
 * reading the body), xapi-connection-tls.c (certificate checks, pinning),
 * xapi-connection-reply.c (a reply's result or error) and
 * xapi-connection-login.c (login, logout, HOST_IS_SLAVE, re-login).
 */

#pragma once

#include <libsoup/soup.h>

#include "xapi-connection.h"

G_BEGIN_DECLS

struct _XapiConnection
{
  GObject      parent_instance;

  SoupSession *session;

  char        *initial_url;
  char        *url;
  char        *redirected_from;

  char        *pinned;
  char        *peer_fingerprint;
  /* base URL -> fingerprint announced by a supporter for its master */
  GHashTable  *announced;
  /* base URL -> fingerprint of the certificate accepted there */
  GHashTable  *accepted;

  guint        timeout;
  char        *originator;
  guint        jsonrpc_version;

  char        *username;
  char        *password;
  char        *session_ref;
  /* Once set, a login that HOST_IS_SLAVE sent elsewhere must land on this
   * pool (xapi_connection_set_pool_uuid()). */
  char        *pool_uuid;
  /* Addresses a HOST_IS_SLAVE over plain HTTP may send the login to
   * (xapi_connection_set_known_hosts()); NULL: none. */
  GStrv        known_hosts;

  gint64       next_id;

  /* One re-login at a time; calls that need it wait here (GTask*). */
  gboolean     relogin_running;
  GPtrArray   *relogin_waiters;
  gint64       last_relogin; /* when the last one started (monotonic) */
};

enum
{
  PROP_0,
  PROP_INITIAL_URL,
  PROP_URL,
  PROP_REDIRECTED_FROM,
  PROP_PINNED_FINGERPRINT,
  PROP_PEER_FINGERPRINT,
  PROP_TIMEOUT,
  PROP_ORIGINATOR,
  PROP_SESSION_REF,
  PROP_JSONRPC_VERSION,
  N_PROPS
};

/* XAPI_DEBUG is set (read once, in class_init). */
extern gboolean xapi_connection_debug_enabled;

/* Sets a string member and notifies @prop if it changed. */
void            xapi_connection_set_string (XapiConnection *self,
                                            char          **field,
                                            const char     *value,
                                            guint           prop);
void            xapi_connection_notify (XapiConnection *self,
                                        guint           prop);
/* Wipes a password before it is freed; NULL is fine. */
void            xapi_connection_free_secret (char *secret);
/* (transfer full): the host part of a base URL, for messages. */
char           *xapi_connection_host_of_url (const char *url);

/* ---- One HTTP exchange (xapi-connection-post.c) ---- */

/* Replies larger than this are decoded in a worker thread: a 40 MB
 * VM.get_all_records takes far longer to parse than a frame lasts. */
#define THREADED_PARSE_THRESHOLD (256 * 1024)

/* A reply's body, read into one buffer (see xapi-connection-post.c). */
typedef struct
{
  guint8  *data;
  gsize    len;
  gsize    size;
  gboolean mapped;
} XapiBody;

void xapi_body_free (XapiBody *body);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XapiBody, xapi_body_free)

typedef enum
{
  PHASE_SENDING, /* before the response headers */
  PHASE_READING, /* reading the body */
  PHASE_PARSING,
} XapiPostPhase;

/* One POST and its reply, the task data of xapi_connection_post_async(). */
typedef struct
{
  XapiConnection *self; /* borrowed: the task holds a reference */
  char           *base_url;
  char           *host;
  char           *method;
  gint64          id;
  guint           timeout;

  SoupMessage    *msg;
  GCancellable   *cancellable; /* ours: timeout, certificate refusal, user */
  GCancellable   *user_cancellable;
  gulong          user_cancel_id;
  GSource        *timeout_source;
  GSource        *cert_cancel_source;
  gboolean        timed_out;
  gboolean        cert_checked;
  GError         *cert_error;
  XapiPostPhase   phase;

  GInputStream   *stream;
  XapiBody       *body; /* as read so far */
  gsize           body_len;
  GSource        *pace_source;
  gint64          burst_start;
  char           *thumbprint; /* from the response header, if any */
  XapiReplyFilter filter;
} XapiPost;

/* POSTs {"jsonrpc": "2.0", "method": @method, "params": @params, "id": N}
 * to @base_url/jsonrpc.  @params is consumed. */
void      xapi_connection_post_async (XapiConnection        *self,
                                      const char            *base_url,
                                      const char            *method,
                                      JsonArray             *params,
                                      guint                  timeout,
                                      gboolean               ask_thumbprint,
                                      const XapiReplyFilter *filter,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data);
/* (transfer full): the result; @thumbprint (transfer full) is what the
 * reply's thumbprint header said, if asked for. */
JsonNode *xapi_connection_post_finish (XapiConnection *self,
                                       GAsyncResult   *result,
                                       char          **thumbprint,
                                       GError        **error);
void      xapi_post_stop_timer (XapiPost *post);
/* (transfer full): what went wrong with @post, in XAPI_ERROR terms. */
GError   *xapi_post_transport_error (XapiPost     *post,
                                     const GError *error);

/* ---- Certificates (xapi-connection-tls.c) ---- */

void      xapi_connection_record_peer_fingerprint (XapiConnection *self,
                                                   const char     *fingerprint);
/* Connects the certificate checks to @post's message (its
 * "accept-certificate" and "network-event"). */
void      xapi_post_check_certificates (XapiPost *post);

/* ---- Replies (xapi-connection-reply.c) ---- */

gboolean  xapi_content_type_is_json (const char *content_type);
/* Decodes the body @task's XapiPost has read and returns @task's result;
 * takes @task. */
void      xapi_post_decode (GTask *task);

/* ---- Sessions (xapi-connection-login.c, xapi-connection.c) ---- */

/* Sends the call of @task (taken) with the current session. */
void      xapi_connection_call_send (GTask *task);
/* Takes ownership of @waiter and sends it again once a new session exists;
 * @cancellable (may be NULL) lets it go meanwhile. */
void      xapi_connection_start_relogin (XapiConnection *self,
                                         GTask          *waiter,
                                         GCancellable   *cancellable,
                                         const char     *url);

/* ---- Reply decoding (xapi-connection-reply.c), also for the tests ---- */

/* Sets @dst to @src (NULL: no filter), with a reference of its own to the
 * set of kept members; xapi_reply_filter_clear() lets it go. */
void      xapi_reply_filter_copy (XapiReplyFilter       *dst,
                                  const XapiReplyFilter *src);
void      xapi_reply_filter_clear (XapiReplyFilter *filter);

/* Decodes a JSON-RPC 1.0 or 2.0 reply to request @id: the "result" member,
 * or a GError (XAPI_ERROR_FAILURE with code and params, or
 * XAPI_ERROR_MALFORMED).  @host is for messages.  Thread-safe. (transfer full) */
JsonNode *xapi_decode_reply (const char *data,
                             gsize       len,
                             gint64      id,
                             const char *host,
                             GError    **error);
/* The same with a record field filter (see xapi_json_decode_filtered()). (transfer full) */
JsonNode *xapi_decode_reply_filtered (const char *data,
                                      gsize       len,
                                      gint64      id,
                                      const char *host,
                                      guint       record_depth,
                                      GHashTable *keep,
                                      GError    **error);

G_END_DECLS
