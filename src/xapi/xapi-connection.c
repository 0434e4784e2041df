/* xapi-connection.c: one authenticated JSON-RPC session with a pool master
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-connection.h"

#include <libsoup/soup.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <sys/mman.h>
#endif

#include "xapi-error.h"
#include "xapi-private.h"
#include "xapi-util.h"

#define DEFAULT_TIMEOUT 30
#define DEFAULT_ORIGINATOR "ferry"
#define LOGIN_API_VERSION "1.1"

/* Replies larger than this are decoded in a worker thread: a 40 MB
 * VM.get_all_records takes far longer to parse than a frame lasts. */
#define THREADED_PARSE_THRESHOLD (256 * 1024)
/* The largest reply XAPI sends is a first event.from or get_all_records of
 * a large pool: about 100 MB for 10,000 VMs.  This is about twice that,
 * and bounds what a broken or hostile server can make us allocate: a
 * longer reply is refused as soon as it is announced, or as soon as this
 * much of it has arrived, so that the process never holds much more. */
#define MAX_REPLY_SIZE ((gsize) 192 * 1024 * 1024)
#define READ_CHUNK (256 * 1024)
#define MAX_SESSION_REF_LENGTH 1024
#define READ_BURST_US (8 * G_TIME_SPAN_MILLISECOND)
#define READ_PAUSE_MS 2
/* Bodies announced at least this long are read into memory mapped for
 * them alone (see body_new()). */
#define MAPPED_BODY_MIN (1024 * 1024)

#define THUMBPRINT_REQUEST_HEADER "x-xenapi-request-host-certificate-thumbprint"
#define THUMBPRINT_RESPONSE_HEADER "x-xenapi-response-host-certificate-thumbprint"

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
  gint64       last_relogin;    /* when the last one started (monotonic) */
};

G_DEFINE_FINAL_TYPE (XapiConnection, xapi_connection, G_TYPE_OBJECT)

enum {
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

static GParamSpec *properties[N_PROPS];

static gboolean debug_enabled;

/* ---- Small helpers ------------------------------------------------------ */

static void
free_secret (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

static void
set_string (XapiConnection *self,
            char          **field,
            const char     *value,
            guint           prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* "host", "host:port", "http://host", "https://[v6]:port/" -> "https://host:port" */
static char *
normalize_url (const char *text)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *with_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *scheme = NULL;

  if (text == NULL)
    return g_strdup ("");

  trimmed = g_strstrip (g_strdup (text));
  if (strstr (trimmed, "://") == NULL)
    with_scheme = g_strconcat ("https://", trimmed, NULL);
  else
    with_scheme = g_strdup (trimmed);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return g_steal_pointer (&with_scheme);

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  if (strcmp (scheme, "http") != 0 && strcmp (scheme, "https") != 0)
    return g_steal_pointer (&with_scheme);

  return g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), "", NULL, NULL);
}

/* The host part of a base URL, for messages. */
static char *
host_of_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url);

  return g_strdup (g_uri_get_host (uri));
}

/* The master's URL: the supporter's scheme and port with the address that
 * came with HOST_IS_SLAVE (a bare IPv4 or IPv6 literal, or a name). */
static char *
master_url_for (const char *supporter_url,
                const char *address)
{
  g_autoptr(GUri) uri = g_uri_parse (supporter_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *host = NULL;
  gsize len;

  if (uri == NULL || address == NULL)
    return NULL;

  host = g_strstrip (g_strdup (address));
  len = strlen (host);
  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    {
      memmove (host, host + 1, len - 2);
      host[len - 2] = '\0';
    }
  if (*host == '\0' || strpbrk (host, "/?#@ ") != NULL)
    return NULL;

  return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, host,
                     g_uri_get_port (uri), "", NULL, NULL);
}

static gboolean
fingerprint_in_list (const char *list,
                     const char *fingerprint)
{
  g_auto(GStrv) items = NULL;
  guint i;

  if (list == NULL || fingerprint == NULL)
    return FALSE;

  items = g_strsplit_set (list, ", ;\t\n", -1);
  for (i = 0; items[i] != NULL; i++)
    if (*items[i] != '\0' && xapi_fingerprint_equal (items[i], fingerprint))
      return TRUE;

  return FALSE;
}

/* "[v6]" -> "v6", and spaces trimmed, for comparing addresses. */
static char *
bare_address (const char *address)
{
  char *host = g_strstrip (g_strdup (address != NULL ? address : ""));
  gsize len = strlen (host);

  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    {
      memmove (host, host + 1, len - 2);
      host[len - 2] = '\0';
    }
  return host;
}

static gboolean
same_address (const char *a,
              const char *b)
{
  g_autofree char *bare_a = bare_address (a);
  g_autofree char *bare_b = bare_address (b);
  g_autoptr(GInetAddress) inet_a = NULL;
  g_autoptr(GInetAddress) inet_b = NULL;

  if (*bare_a == '\0' || *bare_b == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (bare_a, bare_b) == 0)
    return TRUE;

  /* "::1" and "0:0::1" are one address. */
  inet_a = g_inet_address_new_from_string (bare_a);
  inet_b = g_inet_address_new_from_string (bare_b);
  return inet_a != NULL && inet_b != NULL && g_inet_address_equal (inet_a, inet_b);
}

static gboolean
is_known_host (XapiConnection *self,
               const char     *address)
{
  for (guint i = 0; self->known_hosts != NULL && self->known_hosts[i] != NULL; i++)
    if (same_address (self->known_hosts[i], address))
      return TRUE;
  return FALSE;
}

/* May a login go to @url, where HOST_IS_SLAVE sends it?  Over plain HTTP
 * only to a host the pool is already known to have (or one the user agreed
 * to): whoever can answer a plain HTTP request, or forge the answer, could
 * otherwise collect the password by naming their own address.  Over HTTPS
 * the certificate check decides instead (on_accept_certificate()). */
static gboolean
redirect_allowed (XapiConnection *self,
                  const char     *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    return TRUE;

  return is_known_host (self, g_uri_get_host (uri));
}

static gboolean
has_pinned (XapiConnection *self)
{
  return self->pinned != NULL && *self->pinned != '\0';
}

/* Reads are safe to send again on a reused keep-alive connection that the
 * server closed under us; libsoup only reuses idle connections for requests
 * flagged idempotent, and only retries those.  Anything that may change the
 * pool is sent on a fresh connection and never repeated. */
static gboolean
method_is_idempotent (const char *method)
{
  const char *dot = strrchr (method, '.');
  const char *message = dot != NULL ? dot + 1 : method;

  if (g_str_has_prefix (method, "Async."))
    return FALSE;

  return g_str_has_prefix (message, "get_") ||
         g_str_has_prefix (message, "assert_") ||
         strcmp (method, "event.from") == 0 ||
         strcmp (method, "session.login_with_password") == 0 ||
         g_str_has_prefix (method, "system.");
}

/* ---- A reply's body, read in one piece ------------------------------------ */

/* The body is read straight into one buffer: no chunks to join later,
 * which for a 100 MB event.from is a copy and as much memory again.
 *
 * When the server announces a large length, the buffer is mapped for the
 * body alone rather than taken from malloc(): creating it touches no page
 * (malloc may: MALLOC_PERTURB_ fills new blocks, which for 100 MB is a
 * stall of the main loop, where reading happens), and its pages can be
 * given back while decoding (xapi_json_decode_consuming()).  Otherwise it
 * grows by doubling from malloc(). */
typedef struct
{
  guint8   *data;
  gsize     len;
  gsize     size;
  gboolean  mapped;
} Body;

static Body *
body_new (goffset announced)
{
  Body *body = g_new0 (Body, 1);

#if defined(G_OS_UNIX) && defined(MAP_ANONYMOUS)
  if (announced >= MAPPED_BODY_MIN && (gsize) announced < MAX_REPLY_SIZE)
    {
      /* One more chunk than announced: reading stops at the first empty
       * read, which needs room to be asked for. */
      gsize size = (gsize) announced + READ_CHUNK;
      void *data = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      if (data != MAP_FAILED)
        {
          body->data = data;
          body->size = size;
          body->mapped = TRUE;
          return body;
        }
    }
#endif
  body->size = READ_CHUNK;
  body->data = g_malloc (body->size);
  return body;
}

static void
body_free (Body *body)
{
  if (body == NULL)
    return;
#if defined(G_OS_UNIX) && defined(MAP_ANONYMOUS)
  if (body->mapped)
    munmap (body->data, body->size);
  else
#endif
    g_free (body->data);
  g_free (body);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Body, body_free)

/* Makes room for @more bytes after the end. */
static void
body_reserve (Body  *body,
              gsize  more)
{
  gsize size = body->size;
  guint8 *data;

  if (body->len + more <= body->size)
    return;
  while (size < body->len + more)
    size *= 2;
  /* Reading stops at the cap: room beyond it would never be used. */
  size = MIN (size, MAX (MAX_REPLY_SIZE + READ_CHUNK, body->len + more));
#if defined(G_OS_UNIX) && defined(MAP_ANONYMOUS)
  if (size >= MAPPED_BODY_MIN)
    {
      /* Past a megabyte of a reply of unknown length (or longer than
       * announced): room for the largest reply at once, mapped, so that
       * only what is written takes memory, and never moved again.  Growing
       * by doubling would hold the old buffer and the new one at once,
       * half as much again as the reply. */
      gsize full = MAX (MAX_REPLY_SIZE + READ_CHUNK, body->len + more);
#ifdef MAP_NORESERVE
      int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
#else
      int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#endif
      void *mapped = mmap (NULL, full, PROT_READ | PROT_WRITE, flags, -1, 0);

      if (mapped != MAP_FAILED)
        {
          memcpy (mapped, body->data, body->len);
          if (body->mapped)
            munmap (body->data, body->size);
          else
            g_free (body->data);
          body->data = mapped;
          body->size = full;
          body->mapped = TRUE;
          return;
        }
    }
#endif
  if (!body->mapped)
    {
      body->data = g_realloc (body->data, size);
      body->size = size;
      return;
    }
  /* Longer than announced, and no mapping to be had: on to malloc(). */
  data = g_malloc (size);
  memcpy (data, body->data, body->len);
#if defined(G_OS_UNIX) && defined(MAP_ANONYMOUS)
  munmap (body->data, body->size);
#endif
  body->data = data;
  body->size = size;
  body->mapped = FALSE;
}

/* ---- One HTTP exchange: POST /jsonrpc ----------------------------------- */

typedef enum
{
  PHASE_SENDING,   /* before the response headers */
  PHASE_READING,   /* reading the body */
  PHASE_PARSING,
} PostPhase;

typedef struct
{
  XapiConnection *self;          /* borrowed: the task holds a reference */
  char           *base_url;
  char           *host;
  char           *method;
  gint64          id;
  guint           timeout;

  SoupMessage    *msg;
  GCancellable   *cancellable;   /* ours: timeout, certificate refusal, user */
  GCancellable   *user_cancellable;
  gulong          user_cancel_id;
  GSource        *timeout_source;
  GSource        *cert_cancel_source;
  gboolean        timed_out;
  gboolean        cert_checked;
  GError         *cert_error;
  PostPhase       phase;

  GInputStream   *stream;
  Body           *body;          /* as read so far */
  gsize           body_len;
  GSource        *pace_source;
  gint64          burst_start;
  char           *thumbprint;    /* from the response header, if any */
  guint           record_depth;  /* field filter for the reply, if keep */
  const XapiJsonEvents *events;  /* see xapi_connection_call_filtered_async() */
  GHashTable     *keep;
} Post;

static void
post_free (Post *post)
{
  if (post->msg != NULL)
    g_signal_handlers_disconnect_by_data (post->msg, post);
  if (post->user_cancel_id != 0)
    g_cancellable_disconnect (post->user_cancellable, post->user_cancel_id);
  if (post->timeout_source != NULL)
    {
      g_source_destroy (post->timeout_source);
      g_source_unref (post->timeout_source);
    }
  if (post->cert_cancel_source != NULL)
    {
      g_source_destroy (post->cert_cancel_source);
      g_source_unref (post->cert_cancel_source);
    }
  g_clear_object (&post->msg);
  g_clear_object (&post->cancellable);
  g_clear_object (&post->user_cancellable);
  g_clear_object (&post->stream);
  if (post->pace_source != NULL)
    {
      g_source_destroy (post->pace_source);
      g_source_unref (post->pace_source);
    }
  g_clear_pointer (&post->body, body_free);
  g_clear_error (&post->cert_error);
  g_clear_pointer (&post->keep, g_hash_table_unref);
  g_free (post->base_url);
  g_free (post->host);
  g_free (post->method);
  g_free (post->thumbprint);
  g_free (post);
}

static void
post_stop_timer (Post *post)
{
  if (post->timeout_source != NULL)
    {
      g_source_destroy (post->timeout_source);
      g_clear_pointer (&post->timeout_source, g_source_unref);
    }
}

static void
on_user_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  Post *post = user_data;

  g_cancellable_cancel (post->cancellable);
}

static gboolean
on_post_timeout (gpointer user_data)
{
  Post *post = user_data;

  post->timed_out = TRUE;
  g_cancellable_cancel (post->cancellable);

  return G_SOURCE_REMOVE;
}

static gboolean
on_cert_cancel (gpointer user_data)
{
  Post *post = user_data;

  g_cancellable_cancel (post->cancellable);

  return G_SOURCE_REMOVE;
}

static void
record_peer_fingerprint (XapiConnection *self,
                         const char     *fingerprint)
{
  if (fingerprint != NULL)
    set_string (self, &self->peer_fingerprint, fingerprint, PROP_PEER_FINGERPRINT);
}

/* Is a pinned fingerprint meant for this host?  The pin belongs to the host
 * the user connected to; a master we were sent to by HOST_IS_SLAVE may well
 * have another certificate, and is checked against what its supporter
 * announced instead. */
static gboolean
pin_applies_to (XapiConnection *self,
                const char     *base_url)
{
  return has_pinned (self) &&
         (g_strcmp0 (base_url, self->initial_url) == 0 ||
          !g_hash_table_contains (self->announced, base_url));
}

static const char *
announced_for (XapiConnection *self,
               const char     *base_url)
{
  const char *announced = g_hash_table_lookup (self->announced, base_url);

  return announced != NULL && *announced != '\0' ? announced : NULL;
}

static GError *
certificate_changed_error (const char *host,
                           const char *fingerprint)
{
  g_autofree char *message =
    g_strdup_printf ("The certificate of %s has changed since you trusted it. "
                     "This happens when the host is reinstalled or its certificate is "
                     "renewed, but it can also mean that someone is intercepting the "
                     "connection (new fingerprint %s).",
                     host, fingerprint != NULL ? fingerprint : "unknown");

  return xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_CHANGED, fingerprint, message);
}

static GError *
certificate_unknown_error (const char *host,
                           const char *fingerprint)
{
  g_autofree char *message =
    g_strdup_printf ("The certificate of %s is not trusted: it is self-signed or "
                     "signed by an unknown authority. Its SHA-256 fingerprint is %s.",
                     host, fingerprint != NULL ? fingerprint : "unknown");

  return xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_UNKNOWN, fingerprint, message);
}

/* Emitted during the handshake of a new connection whose certificate the
 * system does not trust. */
static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Post *post = user_data;
  XapiConnection *self = post->self;
  g_autofree char *fingerprint = xapi_certificate_get_fingerprint (certificate);
  const char *announced;

  post->cert_checked = TRUE;
  record_peer_fingerprint (self, fingerprint);

  if (fingerprint == NULL)
    {
      g_clear_error (&post->cert_error);
      post->cert_error = certificate_unknown_error (post->host, NULL);
      return FALSE;
    }

  if (fingerprint_in_list (self->pinned, fingerprint))
    return TRUE;

  announced = announced_for (self, post->base_url);
  if (announced != NULL && xapi_fingerprint_equal (announced, fingerprint))
    return TRUE;

  g_clear_error (&post->cert_error);
  /* A host whose certificate this connection already accepted (a master
   * its supporter vouched for, say) and that now shows another one has
   * changed it: it is no stranger. */
  if (pin_applies_to (self, post->base_url) || g_hash_table_contains (self->accepted, post->base_url))
    post->cert_error = certificate_changed_error (post->host, fingerprint);
  else
    post->cert_error = certificate_unknown_error (post->host, fingerprint);

  return FALSE;
}

/* Emitted for new connections only.  A certificate that validated normally
 * never reaches accept-certificate; record it here, and refuse it if the
 * user pinned another one for this host. */
static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  Post *post = user_data;
  XapiConnection *self = post->self;
  GTlsCertificate *certificate = NULL;
  g_autofree char *fingerprint = NULL;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED)
    return;

  if (G_IS_TLS_CONNECTION (connection))
    certificate = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (connection));
  if (certificate == NULL)
    certificate = soup_message_get_tls_peer_certificate (msg);

  fingerprint = xapi_certificate_get_fingerprint (certificate);
  record_peer_fingerprint (self, fingerprint);

  if (fingerprint == NULL)
    return;

  if (!post->cert_checked && pin_applies_to (self, post->base_url) &&
      !fingerprint_in_list (self->pinned, fingerprint))
    {
      g_clear_error (&post->cert_error);
      post->cert_error = certificate_changed_error (post->host, fingerprint);
      /* Not from inside libsoup's connection callback: from the main loop,
       * before the request is written. */
      if (post->cert_cancel_source == NULL)
        {
          post->cert_cancel_source = g_idle_source_new ();
          g_source_set_priority (post->cert_cancel_source, G_PRIORITY_HIGH);
          g_source_set_callback (post->cert_cancel_source, on_cert_cancel, post, NULL);
          g_source_attach (post->cert_cancel_source, g_main_context_get_thread_default ());
        }
      return;
    }

  /* The handshake went through: this host's certificate was taken.  Another
   * one shown later on this connection is a change (see
   * on_accept_certificate). */
  g_hash_table_replace (self->accepted, g_strdup (post->base_url), g_strdup (fingerprint));
}

static GError *
transport_error (Post         *post,
                 const GError *error)
{
  if (post->user_cancellable != NULL && g_cancellable_is_cancelled (post->user_cancellable))
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");

  if (post->cert_error != NULL)
    return g_error_copy (post->cert_error);

  if (post->timed_out)
    return g_error_new (XAPI_ERROR, XAPI_ERROR_TIMEOUT,
                        "%s did not answer within %u seconds.", post->host, post->timeout);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (post->phase == PHASE_READING)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
        return g_error_new (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                            "The reply from %s was cut short (%s).", post->host, error->message);
      return g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                          "The connection to %s was lost before the reply was complete (%s).",
                          post->host, error->message);
    }

  if (error->domain == SOUP_SESSION_ERROR)
    return g_error_new (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                        "%s sent a reply that is not valid HTTP (%s).", post->host, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                        "Could not connect to %s: the connection was refused.", post->host);

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                        "Could not find the host %s (%s).", post->host, error->message);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (XAPI_ERROR, XAPI_ERROR_TLS,
                        "Could not establish a secure connection to %s (%s).",
                        post->host, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                        "Could not reach %s (%s).", post->host, error->message);

  return g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                      "The connection to %s failed (%s).", post->host, error->message);
}

/* Turns a JSON-RPC reply (1.0 or 2.0) into its result, or a GError.
 * Runs in a worker thread for large replies: touches nothing shared. */
JsonNode *
xapi_decode_reply (const char  *data,
                   gsize        len,
                   gint64       id,
                   const char  *host,
                   GError     **error)
{
  return xapi_decode_reply_filtered (data, len, id, host, 0, NULL, error);
}

static JsonNode *
decode_reply (const char  *data,
              gsize        len,
              gint64       id,
              const char  *host,
              guint        record_depth,
              GHashTable  *keep,
              gboolean     consume,
              const XapiJsonEvents *events,
              GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *reason = NULL;
  JsonObject *object;
  JsonNode *id_node, *error_node, *result_node;
  gboolean id_ok = FALSE;

  if (consume)
    root = xapi_json_parse_consuming ((char *) data, len, record_depth, keep, events, &reason);
  else
    root = xapi_json_parse_filtered (data, len, record_depth, keep, &reason);
  if (root == NULL)
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                   "The reply from %s is not a valid JSON-RPC response: %s.", host, reason);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                   "The reply from %s is not a valid JSON-RPC response: it is not an object.",
                   host);
      return NULL;
    }
  object = json_node_get_object (root);

  id_node = json_object_get_member (object, "id");
  if (id_node != NULL && JSON_NODE_TYPE (id_node) == JSON_NODE_VALUE)
    {
      GType type = json_node_get_value_type (id_node);

      if (type == G_TYPE_INT64)
        id_ok = json_node_get_int (id_node) == id;
      else if (type == G_TYPE_DOUBLE)
        id_ok = json_node_get_double (id_node) == (double) id;
      else if (type == G_TYPE_STRING)
        {
          char buf[32];

          g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, id);
          id_ok = g_strcmp0 (json_node_get_string (id_node), buf) == 0;
        }
    }
  if (!id_ok)
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                   "The reply from %s does not answer our request (wrong or missing id).", host);
      return NULL;
    }

  error_node = json_object_get_member (object, "error");
  if (error_node != NULL && !JSON_NODE_HOLDS_NULL (error_node))
    {
      g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *code = NULL;
      JsonArray *data_array = NULL;
      guint first = 0, i, n;

      if (JSON_NODE_HOLDS_ARRAY (error_node))
        {
          /* 1.0: ["CODE", "param", ...] */
          JsonArray *array = json_node_get_array (error_node);
          JsonNode *code_node = json_array_get_length (array) > 0 ?
                                json_array_get_element (array, 0) : NULL;

          if (code_node != NULL && JSON_NODE_TYPE (code_node) == JSON_NODE_VALUE &&
              json_node_get_value_type (code_node) == G_TYPE_STRING)
            code = g_strdup (json_node_get_string (code_node));
          data_array = array;
          first = 1;
        }
      else if (JSON_NODE_HOLDS_OBJECT (error_node))
        {
          /* 2.0: {"code": 1, "message": "CODE", "data": ["param", ...]} */
          JsonObject *error_object = json_node_get_object (error_node);
          JsonNode *message_node = json_object_get_member (error_object, "message");
          JsonNode *data_node = json_object_get_member (error_object, "data");

          if (message_node != NULL && JSON_NODE_TYPE (message_node) == JSON_NODE_VALUE &&
              json_node_get_value_type (message_node) == G_TYPE_STRING)
            code = g_strdup (json_node_get_string (message_node));
          if (data_node != NULL && JSON_NODE_HOLDS_ARRAY (data_node))
            data_array = json_node_get_array (data_node);
        }
      else if (JSON_NODE_TYPE (error_node) == JSON_NODE_VALUE &&
               json_node_get_value_type (error_node) == G_TYPE_STRING)
        code = g_strdup (json_node_get_string (error_node));

      if (code == NULL || *code == '\0')
        {
          g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                       "The reply from %s carries an error in a form we do not understand.",
                       host);
          return NULL;
        }

      n = data_array != NULL ? json_array_get_length (data_array) : 0;
      for (i = first; i < n; i++)
        g_ptr_array_add (params, xapi_json_node_to_param (json_array_get_element (data_array, i)));
      g_ptr_array_add (params, NULL);

      g_propagate_error (error, xapi_error_new_failure (code, (const char * const *) params->pdata));
      return NULL;
    }

  result_node = json_object_get_member (object, "result");
  if (result_node == NULL)
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                   "The reply from %s has neither a result nor an error.", host);
      return NULL;
    }

  /* A shallow copy: containers are shared, not duplicated, and the copy has
   * no parent, so the rest of the reply can go. */
  return json_node_copy (result_node);
}

JsonNode *
xapi_decode_reply_filtered (const char  *data,
                            gsize        len,
                            gint64       id,
                            const char  *host,
                            guint        record_depth,
                            GHashTable  *keep,
                            GError     **error)
{
  return decode_reply (data, len, id, host, record_depth, keep, FALSE, NULL, error);
}

JsonNode *
xapi_decode_reply_consuming (char                 *data,
                             gsize                 len,
                             gint64                id,
                             const char           *host,
                             guint                 record_depth,
                             GHashTable           *keep,
                             const XapiJsonEvents *events,
                             GError              **error)
{
  return decode_reply (data, len, id, host, record_depth, keep, TRUE, events,
                       error);
}

typedef struct
{
  Body       *body;
  gint64      id;
  char       *host;
  guint       record_depth;
  GHashTable *keep;
  const XapiJsonEvents *events;
} DecodeJob;

static void
decode_job_free (DecodeJob *job)
{
  g_clear_pointer (&job->body, body_free);
  g_clear_pointer (&job->keep, g_hash_table_unref);
  g_free (job->host);
  g_free (job);
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DecodeJob *job = task_data;
  GError *error = NULL;
  g_autoptr(Body) body = g_steal_pointer (&job->body);
  JsonNode *result;

  /* Nobody reads the body after this: its memory goes back while the
   * tree grows. */
  result = xapi_decode_reply_consuming ((char *) body->data, body->len, job->id, job->host,
                                        job->record_depth, job->keep,
                                        job->events, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) json_node_unref);
  else
    g_task_return_error (task, error);
}

static void
post_finish_with_decoded (GTask    *task,
                          JsonNode *result,
                          GError   *error)
{
  Post *post = g_task_get_task_data (task);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GError *mapped = transport_error (post, error);

      g_error_free (error);
      error = mapped;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) json_node_unref);
}

static void
on_decoded (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  JsonNode *node = g_task_propagate_pointer (G_TASK (result), &error);

  post_finish_with_decoded (task, node, error);
}

static void
post_decode (GTask *task)
{
  Post *post = g_task_get_task_data (task);

  post->phase = PHASE_PARSING;
  /* The server answered in time; decoding is our business. */
  post_stop_timer (post);

  if (post->cert_error != NULL)
    {
      g_task_return_error (task, g_error_copy (post->cert_error));
      g_object_unref (task);
      return;
    }

  if (post->body_len > THREADED_PARSE_THRESHOLD)
    {
      DecodeJob *job = g_new0 (DecodeJob, 1);
      GTask *decode_task = g_task_new (NULL, post->cancellable, on_decoded, task);

      job->body = g_steal_pointer (&post->body);
      job->id = post->id;
      job->host = g_strdup (post->host);
      job->record_depth = post->record_depth;
      job->events = post->events;
      job->keep = post->keep != NULL ? g_hash_table_ref (post->keep) : NULL;
      g_task_set_source_tag (decode_task, post_decode);
      g_task_set_task_data (decode_task, job, (GDestroyNotify) decode_job_free);
      xapi_task_run_in_background (decode_task, decode_thread);
      g_object_unref (decode_task);
    }
  else
    {
      GError *error = NULL;
      JsonNode *node = xapi_decode_reply_filtered ((const char *) post->body->data, post->body->len,
                                                   post->id, post->host,
                                                   post->record_depth, post->keep, &error);

      post_finish_with_decoded (task, node, error);
      g_object_unref (task);
    }
}

static GError *
too_large_error (Post *post)
{
  return g_error_new (XAPI_ERROR, XAPI_ERROR_TOO_LARGE,
                      "The reply from %s to %s is larger than %u MiB, far more than a XAPI "
                      "host sends; it was refused.", post->host, post->method,
                      (guint) (MAX_REPLY_SIZE / (1024 * 1024)));
}

static void on_read (GObject *source, GAsyncResult *result, gpointer user_data);

/* Makes the pages of the next @len bytes of a mapped body present at once:
 * one call instead of a page fault for every 4 KiB the read writes to, which
 * under a hypervisor cost more than the copy (a 100 MB body was read five
 * times slower than curl reads it).  Best effort: older kernels say EINVAL
 * and the pages come one fault at a time, as before. */
static void
body_prefault (Body  *body,
               gsize  len)
{
#if defined(G_OS_UNIX) && defined(MADV_POPULATE_WRITE)
  static gsize page = 0;
  guintptr start, end;

  if (!body->mapped)
    return;
  if (page == 0)
    page = (gsize) sysconf (_SC_PAGESIZE);
  start = ((guintptr) body->data + body->len) & ~(guintptr) (page - 1);
  end = ((guintptr) body->data + MIN (body->len + len, body->size) + page - 1) & ~(guintptr) (page - 1);
  end = MIN (end, (guintptr) body->data + body->size);
  if (end > start)
    madvise ((void *) start, end - start, MADV_POPULATE_WRITE);
#endif
}

static void
post_read_more (GTask *task)
{
  Post *post = g_task_get_task_data (task);

  body_reserve (post->body, READ_CHUNK);
  body_prefault (post->body, READ_CHUNK);
  g_input_stream_read_async (post->stream, post->body->data + post->body->len, READ_CHUNK,
                             G_PRIORITY_DEFAULT, post->cancellable, on_read, task);
}

static gboolean
on_pace (gpointer user_data)
{
  GTask *task = user_data;
  Post *post = g_task_get_task_data (task);

  g_clear_pointer (&post->pace_source, g_source_unref);
  post->burst_start = g_get_monotonic_time ();
  post_read_more (task);

  return G_SOURCE_REMOVE;
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Post *post = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_task_return_error (task, transport_error (post, error));
      g_object_unref (task);
      return;
    }
  post->body->len += (gsize) n;

  if (n == 0)
    {
      post_decode (task);
      return;
    }

  if (post->body_len + (gsize) n > MAX_REPLY_SIZE)
    {
      g_task_return_error (task, too_large_error (post));
      g_cancellable_cancel (post->cancellable);
      g_object_unref (task);
      return;
    }

  post->body_len += (gsize) n;

  /* A big reply is read at a measured pace: bursts of a few milliseconds
   * with pauses in between, instead of the main thread spending a second
   * of CPU in one go, which a busy machine's scheduler punishes with long
   * preemptions (measured: 100-200 ms gaps). */
  if (post->burst_start == 0)
    post->burst_start = g_get_monotonic_time ();
  if (post->body_len > THREADED_PARSE_THRESHOLD &&
      g_get_monotonic_time () - post->burst_start > READ_BURST_US)
    {
      post->pace_source = g_timeout_source_new (READ_PAUSE_MS);
      g_source_set_callback (post->pace_source, on_pace, task, NULL);
      g_source_attach (post->pace_source, g_task_get_context (task));
    }
  else
    post_read_more (task);
}

static gboolean
content_type_is_json (const char *content_type)
{
  const char *slash;

  /* A missing Content-Type is tolerated: the body still has to be a valid
   * JSON-RPC reply to our id.  XML-RPC (text/xml) or an HTML error page
   * is not. */
  if (content_type == NULL)
    return TRUE;

  slash = strchr (content_type, '/');
  return g_ascii_strcasecmp (content_type, "application/json") == 0 ||
         (slash != NULL && (g_ascii_strcasecmp (slash, "/json") == 0 ||
                            g_str_has_suffix (content_type, "+json")));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Post *post = g_task_get_task_data (task);
  XapiConnection *self = post->self;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char *content_type;
  const char *thumbprint;
  guint status;
  goffset length;
  GTlsCertificate *certificate;

  post->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (post->stream == NULL)
    {
      g_task_return_error (task, transport_error (post, error));
      g_object_unref (task);
      return;
    }

  certificate = soup_message_get_tls_peer_certificate (post->msg);
  if (certificate != NULL)
    {
      g_autofree char *fingerprint = xapi_certificate_get_fingerprint (certificate);

      record_peer_fingerprint (self, fingerprint);
    }

  if (post->cert_error != NULL)
    {
      g_task_return_error (task, g_error_copy (post->cert_error));
      g_object_unref (task);
      return;
    }

  headers = soup_message_get_response_headers (post->msg);
  thumbprint = soup_message_headers_get_one (headers, THUMBPRINT_RESPONSE_HEADER);
  if (thumbprint != NULL)
    post->thumbprint = g_strdup (thumbprint);

  status = soup_message_get_status (post->msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *reason = soup_message_get_reason_phrase (post->msg);
      g_autofree char *message =
        g_strdup_printf ("%s answered with HTTP status %u%s%s%s.", post->host, status,
                         reason != NULL && *reason != '\0' ? " (" : "",
                         reason != NULL ? reason : "",
                         reason != NULL && *reason != '\0' ? ")" : "");

      g_task_return_error (task, xapi_error_new_http (status, message));
      g_object_unref (task);
      return;
    }

  content_type = soup_message_headers_get_content_type (headers, NULL);
  if (!content_type_is_json (content_type))
    {
      g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                               "%s did not answer with JSON (Content-Type %s); it may not "
                               "support JSON-RPC.", post->host, content_type);
      g_object_unref (task);
      return;
    }

  post->phase = PHASE_READING;
  /* Sized for the whole body when the server says how long it is. */
  length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH ?
           soup_message_headers_get_content_length (headers) : 0;
  if (length > 0 && (gsize) length > MAX_REPLY_SIZE)
    {
      /* Not a byte of it is read. */
      g_task_return_error (task, too_large_error (post));
      g_cancellable_cancel (post->cancellable);
      g_object_unref (task);
      return;
    }
  post->body = body_new (length);
  post_read_more (task);
}

/* POSTs {"jsonrpc": "2.0", "method": @method, "params": @params, "id": N}
 * to @base_url/jsonrpc.  @params is consumed. */
static void
post_async (XapiConnection      *self,
            const char          *base_url,
            const char          *method,
            JsonArray           *params,
            guint                timeout,
            gboolean             ask_thumbprint,
            guint                record_depth,
            GHashTable          *keep,
            const XapiJsonEvents *events,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) body = NULL;
  JsonObject *request;
  Post *post;
  gsize len;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, post_async);

  post = g_new0 (Post, 1);
  post->self = self;
  post->base_url = g_strdup (base_url);
  post->host = host_of_url (base_url);
  post->method = g_strdup (method);
  post->id = self->next_id++;
  post->timeout = timeout;
  post->cancellable = g_cancellable_new ();
  post->phase = PHASE_SENDING;
  post->record_depth = record_depth;
  post->keep = keep != NULL ? g_hash_table_ref (keep) : NULL;
  post->events = events;
  g_task_set_task_data (task, post, (GDestroyNotify) post_free);

  request = json_object_new ();
  /* The version is decided by the mere presence of "jsonrpc". */
  if (self->jsonrpc_version != 1)
    json_object_set_string_member (request, "jsonrpc", "2.0");
  json_object_set_string_member (request, "method", method);
  json_object_set_array_member (request, "params", params);
  json_object_set_int_member (request, "id", post->id);
  root = json_node_init_object (json_node_alloc (), request);
  json_object_unref (request);
  text = json_to_string (root, FALSE);
  len = strlen (text);
  body = g_bytes_new_take (g_steal_pointer (&text), len);

  if (debug_enabled)
    g_debug ("→ %s %s (id %" G_GINT64_FORMAT ")", base_url, method, post->id);

  endpoint = g_strconcat (base_url, "/jsonrpc", NULL);
  post->msg = soup_message_new (SOUP_METHOD_POST, endpoint);
  if (post->msg == NULL)
    {
      g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_CONNECTION,
                               "“%s” is not a valid server address.", base_url);
      return;
    }

  soup_message_set_request_body_from_bytes (post->msg, "application/json", body);
  soup_message_headers_replace (soup_message_get_request_headers (post->msg),
                                "Accept", "application/json");
  if (ask_thumbprint)
    soup_message_headers_replace (soup_message_get_request_headers (post->msg),
                                  THUMBPRINT_REQUEST_HEADER, "sha-256:master");
  if (method_is_idempotent (method))
    soup_message_add_flags (post->msg, SOUP_MESSAGE_IDEMPOTENT);

  g_signal_connect (post->msg, "accept-certificate", G_CALLBACK (on_accept_certificate), post);
  g_signal_connect (post->msg, "network-event", G_CALLBACK (on_network_event), post);

  if (cancellable != NULL)
    {
      post->user_cancellable = g_object_ref (cancellable);
      post->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                                    post, NULL);
    }

  post->timeout_source = g_timeout_source_new_seconds (timeout);
  g_source_set_callback (post->timeout_source, on_post_timeout, post, NULL);
  g_source_attach (post->timeout_source, g_task_get_context (task));

  soup_session_send_async (self->session, post->msg, G_PRIORITY_DEFAULT, post->cancellable,
                           on_sent, g_steal_pointer (&task));
}

static JsonNode *
post_finish (XapiConnection  *self,
             GAsyncResult    *result,
             char           **thumbprint,
             GError         **error)
{
  Post *post;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == post_async, NULL);

  post = g_task_get_task_data (G_TASK (result));
  if (thumbprint != NULL)
    *thumbprint = g_strdup (post->thumbprint);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Login, with HOST_IS_SLAVE ----------------------------------------- */

typedef struct
{
  char     *username;
  char     *password;
  char     *url;            /* where the current attempt goes */
  char     *redirected_from;
  gboolean  followed;
  char     *session_ref;    /* not in use until the pool is checked */
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_free (data->username);
  free_secret (data->password);
  g_free (data->url);
  g_free (data->redirected_from);
  g_free (data->session_ref);
  g_free (data);
}

static void do_login_attempt (GTask *task);

static void
login_succeeded (GTask *task)
{
  XapiConnection *self = g_task_get_source_object (task);
  LoginData *data = g_task_get_task_data (task);

  set_string (self, &self->session_ref, data->session_ref, PROP_SESSION_REF);
  set_string (self, &self->url, data->url, PROP_URL);
  if (data->followed)
    set_string (self, &self->redirected_from, data->redirected_from, PROP_REDIRECTED_FROM);
  else if (g_strcmp0 (data->url, self->initial_url) == 0)
    set_string (self, &self->redirected_from, NULL, PROP_REDIRECTED_FROM);

  g_task_return_boolean (task, TRUE);
}

static gboolean
records_include_uuid (JsonNode   *records,
                      const char *uuid)
{
  JsonObjectIter iter;
  JsonNode *record;

  if (records == NULL || !JSON_NODE_HOLDS_OBJECT (records))
    return FALSE;
  json_object_iter_init (&iter, json_node_get_object (records));
  while (json_object_iter_next (&iter, NULL, &record))
    if (JSON_NODE_HOLDS_OBJECT (record) &&
        g_strcmp0 (xapi_record_get_string (json_node_get_object (record), "uuid"), uuid) == 0)
      return TRUE;
  return FALSE;
}

static void
on_pool_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XapiConnection *self = XAPI_CONNECTION (source);
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) records = post_finish (self, result, NULL, &error);
  g_autofree char *host = NULL;

  if (records == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (records_include_uuid (records, self->pool_uuid))
    {
      login_succeeded (g_steal_pointer (&task));
      return;
    }

  /* Leave the other pool's session alone; it times out on that pool. */
  host = host_of_url (data->redirected_from);
  g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_WRONG_POOL,
                           "%s now sends clients to the master of another pool.", host);
}

static void
on_login_posted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XapiConnection *self = XAPI_CONNECTION (source);
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *thumbprint = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = post_finish (self, result, &thumbprint, &error);

  if (node == NULL)
    {
      if (xapi_error_has_code (error, "HOST_IS_SLAVE") && !data->followed)
        {
          g_autofree char *master = master_url_for (data->url, xapi_error_get_param (error, 0));

          if (master != NULL && g_strcmp0 (master, data->url) != 0 && !redirect_allowed (self, master))
            {
              g_autofree char *from = host_of_url (data->url);
              g_autofree char *address = bare_address (xapi_error_get_param (error, 0));
              g_autofree char *message =
                g_strdup_printf ("%s says the pool's master is now at %s, which is not a known host "
                                 "of this pool; the password was not sent there over an "
                                 "unencrypted connection.", from, address);

              if (debug_enabled)
                g_debug ("%s sends us to %s, not a known host: not following", data->url, master);

              g_task_return_error (task, xapi_error_new_redirect_refused (address, message));
              return;
            }

          if (master != NULL && g_strcmp0 (master, data->url) != 0)
            {
              g_autofree char *normalized = xapi_fingerprint_normalize (thumbprint);

              /* Remember that this host was reached through a redirect, with
               * the fingerprint its supporter vouched for ("" if none). */
              g_hash_table_replace (self->announced, g_strdup (master),
                                    normalized != NULL ? g_steal_pointer (&normalized)
                                                       : g_strdup (""));

              if (debug_enabled)
                g_debug ("%s is a supporter; following to the master %s", data->url, master);

              data->followed = TRUE;
              g_free (data->redirected_from);
              data->redirected_from = g_steal_pointer (&data->url);
              data->url = g_steal_pointer (&master);
              do_login_attempt (g_steal_pointer (&task));
              return;
            }
        }

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A session reference is a short opaque string; it is sent back with
   * every call, so anything else is refused here. */
  if (JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      json_node_get_string (node)[0] == '\0' ||
      strlen (json_node_get_string (node)) > MAX_SESSION_REF_LENGTH)
    {
      g_autofree char *host = host_of_url (data->url);

      g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                               "%s answered the login with something other than a session "
                               "reference.", host);
      return;
    }

  data->session_ref = g_strdup (json_node_get_string (node));

  /* A redirect is only as good as the supporter that sent it: before any
   * call of ours reaches the new master, check that it is the master of the
   * pool we were following (the cache's event token, a job's task, would
   * otherwise be sent to another pool). */
  if (data->followed && self->pool_uuid != NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      post_async (self, data->url, "pool.get_all_records", xapi_params_new (data->session_ref, NULL),
                  self->timeout, FALSE, 0, NULL, NULL, cancellable, on_pool_checked,
                  g_steal_pointer (&task));
      return;
    }

  login_succeeded (g_steal_pointer (&task));
}

static void
do_login_attempt (GTask *task)
{
  XapiConnection *self = g_task_get_source_object (task);
  LoginData *data = g_task_get_task_data (task);
  JsonArray *params = xapi_params_new (data->username, data->password, LOGIN_API_VERSION,
                                       self->originator, NULL);

  post_async (self, data->url, "session.login_with_password", params, self->timeout, TRUE,
              0, NULL, NULL, g_task_get_cancellable (task), on_login_posted, task);
}

/* Logs in at @url with the remembered credentials. */
static void
do_login_async (XapiConnection      *self,
                const char          *url,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  LoginData *data = g_new0 (LoginData, 1);

  g_task_set_source_tag (task, do_login_async);
  data->username = g_strdup (self->username != NULL ? self->username : "");
  data->password = g_strdup (self->password != NULL ? self->password : "");
  data->url = g_strdup (url);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);

  do_login_attempt (task);
}

static gboolean
do_login_finish (XapiConnection  *self,
                 GAsyncResult    *result,
                 GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_public_login_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (do_login_finish (XAPI_CONNECTION (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
xapi_connection_login_async (XapiConnection      *self,
                             const char          *username,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xapi_connection_login_async);

  g_free (self->username);
  self->username = g_strdup (username);
  free_secret (self->password);
  self->password = g_strdup (password);

  do_login_async (self, self->initial_url, cancellable, on_public_login_done, task);
}

gboolean
xapi_connection_login_finish (XapiConnection  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Logout -------------------------------------------------------------- */

static void
on_logout_posted (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = post_finish (XAPI_CONNECTION (source), result, NULL, &error);

  /* A session that is already gone is as logged out as it gets. */
  if (node == NULL && !xapi_error_has_code (error, "SESSION_INVALID"))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
xapi_connection_logout_async (XapiConnection      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *session_ref = NULL;

  g_return_if_fail (XAPI_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xapi_connection_logout_async);

  /* Forget everything first: no call may log in again behind our back. */
  session_ref = g_steal_pointer (&self->session_ref);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->password, free_secret);

  if (session_ref == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION_REF]);

  post_async (self, self->url, "session.logout", xapi_params_new (session_ref, NULL),
              self->timeout, FALSE, 0, NULL, NULL, cancellable, on_logout_posted,
              g_steal_pointer (&task));
}

gboolean
xapi_connection_logout_finish (XapiConnection  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Calls ------------------------------------------------------------- */

typedef struct
{
  char      *method;
  JsonArray *params;       /* the caller's, without the session */
  guint      timeout;
  gboolean   recovered;    /* one re-login + retry per call */
  char      *session_used;
  char      *relogin_url;  /* where the pending re-login starts */
  guint       record_depth;
  GHashTable *keep;        /* field filter for the reply, or NULL */
  const XapiJsonEvents *events;
} CallData;

static void
call_data_free (CallData *data)
{
  g_free (data->method);
  g_clear_pointer (&data->params, json_array_unref);
  g_free (data->session_used);
  g_free (data->relogin_url);
  g_clear_pointer (&data->keep, g_hash_table_unref);
  g_free (data);
}

static void call_send (GTask *task);
static void start_relogin (XapiConnection *self, GTask *waiter, const char *url);

static gboolean
has_credentials (XapiConnection *self)
{
  return self->username != NULL && self->password != NULL;
}

static void
on_call_posted (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XapiConnection *self = XAPI_CONNECTION (source);
  CallData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = post_finish (self, result, NULL, &error);
  if (node != NULL)
    {
      g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
      return;
    }

  if (!data->recovered && has_credentials (self) &&
      !g_str_has_prefix (data->method, "session."))
    {
      if (xapi_error_has_code (error, "SESSION_INVALID"))
        {
          data->recovered = TRUE;
          /* Another call may have renewed the session meanwhile. */
          if (self->session_ref != NULL && g_strcmp0 (self->session_ref, data->session_used) != 0)
            call_send (g_steal_pointer (&task));
          else
            start_relogin (self, g_steal_pointer (&task), self->url);
          return;
        }

      if (xapi_error_has_code (error, "HOST_IS_SLAVE"))
        {
          /* The pool elected another master since we logged in.  Logging in
           * again where we are gets HOST_IS_SLAVE once more, this time with
           * the new master's certificate thumbprint, and follows it. */
          data->recovered = TRUE;
          start_relogin (self, g_steal_pointer (&task), self->url);
          return;
        }
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

static void
call_send (GTask *task)
{
  XapiConnection *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  JsonArray *params = json_array_new ();
  guint i, n;

  if (self->session_ref == NULL)
    {
      json_array_unref (params);
      if (!data->recovered && has_credentials (self))
        {
          data->recovered = TRUE;
          start_relogin (self, task, self->url);
          return;
        }
      g_task_return_error (task, xapi_error_new_failure ("SESSION_INVALID",
                                                         (const char * const[]) { "", NULL }));
      g_object_unref (task);
      return;
    }

  json_array_add_string_element (params, self->session_ref);
  n = data->params != NULL ? json_array_get_length (data->params) : 0;
  for (i = 0; i < n; i++)
    json_array_add_element (params, json_node_copy (json_array_get_element (data->params, i)));

  g_free (data->session_used);
  data->session_used = g_strdup (self->session_ref);

  post_async (self, self->url, data->method, params, data->timeout, FALSE,
              data->record_depth, data->keep, data->events,
              g_task_get_cancellable (task), on_call_posted, task);
}

static void
on_relogin_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  XapiConnection *self = XAPI_CONNECTION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  guint i;

  do_login_finish (self, result, &error);

  waiters = g_steal_pointer (&self->relogin_waiters);
  self->relogin_waiters = g_ptr_array_new ();
  self->relogin_running = FALSE;

  for (i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (error != NULL)
        {
          g_task_return_error (waiter, g_error_copy (error));
          g_object_unref (waiter);
        }
      else
        call_send (waiter);
    }

  g_object_unref (self);
}

/* A server that invalidates every session at once must not turn each call
 * into a login and a retry as fast as it answers: re-logins are at least
 * this far apart (calls that need one wait for it meanwhile). */
#define RELOGIN_MIN_INTERVAL_US G_USEC_PER_SEC

typedef struct
{
  XapiConnection *self;
  char           *url;
} DueRelogin;

static gboolean
on_relogin_due (gpointer user_data)
{
  DueRelogin *due = user_data;

  due->self->last_relogin = g_get_monotonic_time ();
  /* Hands its reference to the login. */
  do_login_async (due->self, due->url, NULL, on_relogin_done, due->self);
  g_free (due->url);
  g_free (due);

  return G_SOURCE_REMOVE;
}

/* Takes ownership of @waiter and sends it again once a new session exists. */
static void
start_relogin (XapiConnection *self,
               GTask          *waiter,
               const char     *url)
{
  gint64 wait_us;

  g_ptr_array_add (self->relogin_waiters, waiter);
  if (self->relogin_running)
    return;

  if (debug_enabled)
    g_debug ("logging in again at %s", url);

  self->relogin_running = TRUE;
  wait_us = self->last_relogin != 0 ?
            self->last_relogin + RELOGIN_MIN_INTERVAL_US - g_get_monotonic_time () : 0;
  if (wait_us > 0)
    {
      DueRelogin *due = g_new0 (DueRelogin, 1);
      GSource *source = g_timeout_source_new ((guint) (wait_us / 1000) + 1);

      due->self = g_object_ref (self);
      due->url = g_strdup (url);
      g_source_set_callback (source, on_relogin_due, due, NULL);
      g_source_attach (source, g_main_context_get_thread_default ());
      g_source_unref (source);
      return;
    }

  self->last_relogin = g_get_monotonic_time ();
  /* Not tied to one caller's cancellable: others may be waiting for it.  It
   * is bounded by the timeout. */
  do_login_async (self, url, NULL, on_relogin_done, g_object_ref (self));
}

static void
call_internal_async (XapiConnection      *self,
                     const char          *method,
                     JsonArray           *params,
                     guint                timeout,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;
  CallData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  data = g_new0 (CallData, 1);
  data->method = g_strdup (method);
  data->params = params != NULL ? json_array_ref (params) : NULL;
  data->timeout = timeout;
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  call_send (task);
}

void
xapi_connection_call_async (XapiConnection      *self,
                            const char          *method,
                            JsonArray           *params,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (method != NULL);

  call_internal_async (self, method, params, self->timeout, xapi_connection_call_async,
                       cancellable, callback, user_data);
}

JsonNode *
xapi_connection_call_finish (XapiConnection  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
xapi_connection_call_long_async (XapiConnection      *self,
                                 const char          *method,
                                 JsonArray           *params,
                                 double               timeout_seconds,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  double total;

  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (method != NULL);

  total = (timeout_seconds > 0 ? timeout_seconds : 0) + self->timeout;
  if (total > G_MAXUINT / 2)
    total = G_MAXUINT / 2;

  call_internal_async (self, method, params, (guint) (total + 0.999),
                       xapi_connection_call_long_async, cancellable, callback, user_data);
}

void
xapi_connection_call_filtered_async (XapiConnection      *self,
                                     const char          *method,
                                     JsonArray           *params,
                                     double               timeout_seconds,
                                     guint                record_depth,
                                     GHashTable          *keep,
                                     const XapiJsonEvents *events,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  CallData *data;
  double total;

  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (method != NULL);

  total = (timeout_seconds > 0 ? timeout_seconds : 0) + self->timeout;
  if (total > G_MAXUINT / 2)
    total = G_MAXUINT / 2;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xapi_connection_call_filtered_async);

  data = g_new0 (CallData, 1);
  data->method = g_strdup (method);
  data->params = params != NULL ? json_array_ref (params) : NULL;
  data->timeout = (guint) (total + 0.999);
  data->record_depth = record_depth;
  data->keep = keep != NULL ? g_hash_table_ref (keep) : NULL;
  data->events = events;
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  call_send (task);
}

JsonNode *
xapi_connection_call_long_finish (XapiConnection  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- GObject ------------------------------------------------------------ */

XapiConnection *
xapi_connection_new (const char *url)
{
  return g_object_new (XAPI_TYPE_CONNECTION, "initial-url", url, NULL);
}

const char *
xapi_connection_get_url (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->url;
}

const char *
xapi_connection_get_initial_url (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->initial_url;
}

const char *
xapi_connection_get_redirected_from (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->redirected_from;
}

void
xapi_connection_set_pool_uuid (XapiConnection *self,
                               const char     *pool_uuid)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));

  g_free (self->pool_uuid);
  self->pool_uuid = pool_uuid != NULL && *pool_uuid != '\0' ? g_strdup (pool_uuid) : NULL;
}

void
xapi_connection_set_known_hosts (XapiConnection     *self,
                                 const char * const *addresses)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));

  g_strfreev (self->known_hosts);
  self->known_hosts = g_strdupv ((char **) addresses);
}

gboolean
xapi_connection_is_known_host (XapiConnection *self,
                               const char     *address)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), FALSE);

  return is_known_host (self, address);
}

void
xapi_connection_set_pinned_fingerprint (XapiConnection *self,
                                        const char     *fingerprint)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));

  if (fingerprint != NULL && *fingerprint == '\0')
    fingerprint = NULL;
  set_string (self, &self->pinned, fingerprint, PROP_PINNED_FINGERPRINT);
}

const char *
xapi_connection_get_pinned_fingerprint (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->pinned;
}

const char *
xapi_connection_get_peer_fingerprint (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->peer_fingerprint;
}

void
xapi_connection_set_timeout (XapiConnection *self,
                             guint           seconds)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));

  if (seconds == 0)
    seconds = DEFAULT_TIMEOUT;
  if (self->timeout == seconds)
    return;

  self->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

guint
xapi_connection_get_timeout (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), 0);

  return self->timeout;
}

void
xapi_connection_set_originator (XapiConnection *self,
                                const char     *originator)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));

  set_string (self, &self->originator, originator != NULL ? originator : "", PROP_ORIGINATOR);
}

void
xapi_connection_set_jsonrpc_version (XapiConnection *self,
                                     guint           version)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (version == 1 || version == 2);

  if (self->jsonrpc_version == version)
    return;

  self->jsonrpc_version = version;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JSONRPC_VERSION]);
}

guint
xapi_connection_get_jsonrpc_version (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), 2);

  return self->jsonrpc_version;
}

gboolean
xapi_connection_is_logged_in (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), FALSE);

  return self->session_ref != NULL;
}

const char *
xapi_connection_get_session_ref (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->session_ref;
}

const char *
xapi_connection_get_username (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->username;
}

static void
xapi_connection_constructed (GObject *object)
{
  XapiConnection *self = XAPI_CONNECTION (object);

  G_OBJECT_CLASS (xapi_connection_parent_class)->constructed (object);

  if (self->initial_url == NULL)
    self->initial_url = g_strdup ("");
  self->url = g_strdup (self->initial_url);
}

static void
xapi_connection_finalize (GObject *object)
{
  XapiConnection *self = XAPI_CONNECTION (object);

  g_clear_object (&self->session);
  g_free (self->initial_url);
  g_free (self->url);
  g_free (self->redirected_from);
  g_free (self->pool_uuid);
  g_strfreev (self->known_hosts);
  g_free (self->pinned);
  g_free (self->peer_fingerprint);
  g_hash_table_unref (self->announced);
  g_hash_table_unref (self->accepted);
  g_free (self->originator);
  g_free (self->username);
  free_secret (self->password);
  g_free (self->session_ref);
  g_ptr_array_unref (self->relogin_waiters);

  G_OBJECT_CLASS (xapi_connection_parent_class)->finalize (object);
}

static void
xapi_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  XapiConnection *self = XAPI_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_INITIAL_URL:
      g_value_set_string (value, self->initial_url);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_REDIRECTED_FROM:
      g_value_set_string (value, self->redirected_from);
      break;
    case PROP_PINNED_FINGERPRINT:
      g_value_set_string (value, self->pinned);
      break;
    case PROP_PEER_FINGERPRINT:
      g_value_set_string (value, self->peer_fingerprint);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_ORIGINATOR:
      g_value_set_string (value, self->originator);
      break;
    case PROP_SESSION_REF:
      g_value_set_string (value, self->session_ref);
      break;
    case PROP_JSONRPC_VERSION:
      g_value_set_uint (value, self->jsonrpc_version);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xapi_connection_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  XapiConnection *self = XAPI_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_INITIAL_URL:
      g_free (self->initial_url);
      self->initial_url = normalize_url (g_value_get_string (value));
      break;
    case PROP_PINNED_FINGERPRINT:
      xapi_connection_set_pinned_fingerprint (self, g_value_get_string (value));
      break;
    case PROP_TIMEOUT:
      xapi_connection_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_ORIGINATOR:
      xapi_connection_set_originator (self, g_value_get_string (value));
      break;
    case PROP_JSONRPC_VERSION:
      xapi_connection_set_jsonrpc_version (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xapi_connection_class_init (XapiConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* As early as possible: the heap setting only holds for threads that
   * allocate for the first time after it (see xapi-util.c). */
  xapi_tune_allocator ();

  object_class->constructed = xapi_connection_constructed;
  object_class->finalize = xapi_connection_finalize;
  object_class->get_property = xapi_connection_get_property;
  object_class->set_property = xapi_connection_set_property;

  properties[PROP_INITIAL_URL] =
    g_param_spec_string ("initial-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REDIRECTED_FROM] =
    g_param_spec_string ("redirected-from", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PINNED_FINGERPRINT] =
    g_param_spec_string ("pinned-fingerprint", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER_FINGERPRINT] =
    g_param_spec_string ("peer-fingerprint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, G_MAXUINT / 4, DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORIGINATOR] =
    g_param_spec_string ("originator", NULL, NULL, DEFAULT_ORIGINATOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION_REF] =
    g_param_spec_string ("session-ref", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_JSONRPC_VERSION] =
    g_param_spec_uint ("jsonrpc-version", NULL, NULL, 1, 2, 2,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  xapi_tune_allocator ();

  debug_enabled = g_getenv ("XAPI_DEBUG") != NULL && *g_getenv ("XAPI_DEBUG") != '\0' &&
                  strcmp (g_getenv ("XAPI_DEBUG"), "0") != 0;
}

static void
xapi_connection_init (XapiConnection *self)
{
  self->timeout = DEFAULT_TIMEOUT;
  self->jsonrpc_version = 2;
  self->originator = g_strdup (DEFAULT_ORIGINATOR);
  self->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->accepted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->relogin_waiters = g_ptr_array_new ();
  self->next_id = 1;

  /* Our own timer bounds every request (event.from blocks on purpose), so
   * libsoup's I/O timeout is off.  A long poll holds one connection; leave
   * room for the calls made meanwhile. */
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "max-conns-per-host", 8,
                                                 "max-conns", 32,
                                                 "user-agent", "ferry-xapi/0.1 ",
                                                 NULL);
}
