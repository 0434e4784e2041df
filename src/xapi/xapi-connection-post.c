/* xapi-connection-post.c: one HTTP exchange with a pool (POST /jsonrpc,
 * its timeout, reading the reply's body)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-connection-private.h"

#include <string.h>
#ifdef G_OS_UNIX
#include <sys/mman.h>
#endif

#include "xapi-error.h"
#include "xapi-util-private.h"
#include "xapi-util.h"

/* The largest reply XAPI sends is a first event.from or get_all_records of
 * a large pool: about 100 MB for 10,000 VMs.  This is about twice that,
 * and bounds what a broken or hostile server can make us allocate: a
 * longer reply is refused as soon as it is announced, or as soon as this
 * much of it has arrived, so that the process never holds much more. */
#define MAX_REPLY_SIZE ((gsize) 192 * 1024 * 1024)
#define READ_CHUNK (256 * 1024)
#define READ_BURST_US (8 * G_TIME_SPAN_MILLISECOND)
#define READ_PAUSE_MS 2
/* Bodies announced at least this long are read into memory mapped for
 * them alone (see body_new()). */
#define MAPPED_BODY_MIN (1024 * 1024)

#define THUMBPRINT_REQUEST_HEADER "x-xenapi-request-host-certificate-thumbprint"
#define THUMBPRINT_RESPONSE_HEADER "x-xenapi-response-host-certificate-thumbprint"

/* The host part of a base URL, for messages. */
char *
xapi_connection_host_of_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url);

  return g_strdup (g_uri_get_host (uri));
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

static XapiBody *
body_new (goffset announced)
{
  XapiBody *body = g_new0 (XapiBody, 1);

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

void
xapi_body_free (XapiBody *body)
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

/* Makes room for @more bytes after the end. */
static void
body_reserve (XapiBody *body,
              gsize     more)
{
  gsize   size = body->size;
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

static void
post_free (XapiPost *post)
{
  if (post->msg != NULL)
    g_signal_handlers_disconnect_by_data (post->msg, post);
  if (post->user_cancel_id != 0)
    g_cancellable_disconnect (post->user_cancellable, post->user_cancel_id);
  xapi_clear_source (&post->timeout_source);
  xapi_clear_source (&post->cert_cancel_source);
  g_clear_object (&post->msg);
  g_clear_object (&post->cancellable);
  g_clear_object (&post->user_cancellable);
  g_clear_object (&post->stream);
  xapi_clear_source (&post->pace_source);
  g_clear_pointer (&post->body, xapi_body_free);
  g_clear_error (&post->cert_error);
  xapi_reply_filter_clear (&post->filter);
  g_free (post->base_url);
  g_free (post->host);
  g_free (post->method);
  g_free (post->thumbprint);
  g_free (post);
}

void
xapi_post_stop_timer (XapiPost *post)
{
  xapi_clear_source (&post->timeout_source);
}

static void
on_user_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  XapiPost *post = user_data;

  g_cancellable_cancel (post->cancellable);
}

static gboolean
on_post_timeout (gpointer user_data)
{
  XapiPost *post = user_data;

  post->timed_out = TRUE;
  g_cancellable_cancel (post->cancellable);

  return G_SOURCE_REMOVE;
}

GError *
xapi_post_transport_error (XapiPost     *post,
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

/* Ends @task (taken) on a reply larger than MAX_REPLY_SIZE, and stops
 * reading it. */
static void
refuse_too_large (GTask *task)
{
  XapiPost *post = g_task_get_task_data (task);

  g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_TOO_LARGE,
                           "The reply from %s to %s is larger than %u MiB, far more than a XAPI "
                           "host sends; it was refused.",
                           post->host, post->method, (guint) (MAX_REPLY_SIZE / (1024 * 1024)));
  g_cancellable_cancel (post->cancellable);
  g_object_unref (task);
}

static void on_read (GObject *source, GAsyncResult *result, gpointer user_data);

/* Makes the pages of the next @len bytes of a mapped body present at once:
 * one call instead of a page fault for every 4 KiB the read writes to, which
 * under a hypervisor cost more than the copy (a 100 MB body was read five
 * times slower than curl reads it).  Best effort: older kernels say EINVAL
 * and the pages come one fault at a time, as before. */
static void
body_prefault (XapiBody *body,
               gsize     len)
{
#if defined(G_OS_UNIX) && defined(MADV_POPULATE_WRITE)
  static gsize page = 0;
  guintptr     start, end;

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
  XapiPost *post = g_task_get_task_data (task);

  body_reserve (post->body, READ_CHUNK);
  body_prefault (post->body, READ_CHUNK);
  g_input_stream_read_async (post->stream, post->body->data + post->body->len, READ_CHUNK,
                             G_PRIORITY_DEFAULT, post->cancellable, on_read, task);
}

static gboolean
on_pace (gpointer user_data)
{
  GTask    *task = user_data;
  XapiPost *post = g_task_get_task_data (task);

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
  GTask    *task = user_data;
  XapiPost *post = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_task_return_error (task, xapi_post_transport_error (post, error));
      g_object_unref (task);
      return;
    }
  post->body->len += (gsize) n;

  if (n == 0)
    {
      xapi_post_decode (task);
      return;
    }

  if (post->body_len + (gsize) n > MAX_REPLY_SIZE)
    {
      refuse_too_large (task);
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
      post->pace_source = xapi_source_attach (g_timeout_source_new (READ_PAUSE_MS), on_pace, task,
                                              g_task_get_context (task));
    }
  else
    post_read_more (task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask          *task = user_data;
  XapiPost       *post = g_task_get_task_data (task);
  XapiConnection *self = post->self;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char         *content_type;
  const char         *thumbprint;
  guint               status;
  goffset             length;
  GTlsCertificate    *certificate;

  post->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (post->stream == NULL)
    {
      g_task_return_error (task, xapi_post_transport_error (post, error));
      g_object_unref (task);
      return;
    }

  certificate = soup_message_get_tls_peer_certificate (post->msg);
  if (certificate != NULL)
    {
      g_autofree char *fingerprint = xapi_certificate_get_fingerprint (certificate);

      xapi_connection_record_peer_fingerprint (self, fingerprint);
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
      const char      *reason = soup_message_get_reason_phrase (post->msg);
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
  if (!xapi_content_type_is_json (content_type))
    {
      g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                               "%s did not answer with JSON (Content-Type %s); it may not "
                               "support JSON-RPC.",
                               post->host, content_type);
      g_object_unref (task);
      return;
    }

  post->phase = PHASE_READING;
  /* Sized for the whole body when the server says how long it is. */
  length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH ? soup_message_headers_get_content_length (headers) : 0;
  if (length > 0 && (gsize) length > MAX_REPLY_SIZE)
    {
      /* Not a byte of it is read. */
      refuse_too_large (task);
      return;
    }
  post->body = body_new (length);
  post_read_more (task);
}

/* POSTs {"jsonrpc": "2.0", "method": @method, "params": @params, "id": N}
 * to @base_url/jsonrpc.  @params is consumed. */
void
xapi_connection_post_async (XapiConnection        *self,
                            const char            *base_url,
                            const char            *method,
                            JsonArray             *params,
                            guint                  timeout,
                            gboolean               ask_thumbprint,
                            const XapiReplyFilter *filter,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) body = NULL;
  JsonObject *request;
  XapiPost   *post;
  gsize       len;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xapi_connection_post_async);

  post = g_new0 (XapiPost, 1);
  post->self = self;
  post->base_url = g_strdup (base_url);
  post->host = xapi_connection_host_of_url (base_url);
  post->method = g_strdup (method);
  post->id = self->next_id++;
  post->timeout = timeout;
  post->cancellable = g_cancellable_new ();
  post->phase = PHASE_SENDING;
  xapi_reply_filter_copy (&post->filter, filter);
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
  /* A login's request carries the password: wiped, not only freed, once
   * libsoup is done with it. */
  body = g_bytes_new_with_free_func (text, len, (GDestroyNotify) xapi_connection_free_secret,
                                     text);
  text = NULL;

  if (xapi_connection_debug_enabled)
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

  xapi_post_check_certificates (post);

  if (cancellable != NULL)
    {
      post->user_cancellable = g_object_ref (cancellable);
      post->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                                    post, NULL);
    }

  post->timeout_source = xapi_source_attach (g_timeout_source_new_seconds (timeout), on_post_timeout,
                                             post, g_task_get_context (task));

  soup_session_send_async (self->session, post->msg, G_PRIORITY_DEFAULT, post->cancellable,
                           on_sent, g_steal_pointer (&task));
}

JsonNode *
xapi_connection_post_finish (XapiConnection *self,
                             GAsyncResult   *result,
                             char          **thumbprint,
                             GError        **error)
{
  XapiPost *post;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == xapi_connection_post_async, NULL);

  post = g_task_get_task_data (G_TASK (result));
  if (thumbprint != NULL)
    *thumbprint = g_strdup (post->thumbprint);

  return g_task_propagate_pointer (G_TASK (result), error);
}
