/* xapi-connection.c: one authenticated JSON-RPC session with a pool master
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-connection-private.h"

#include <string.h>

#include "xapi-error.h"
#include "xapi-util.h"

#define DEFAULT_TIMEOUT 30
#define DEFAULT_ORIGINATOR "ferry"

G_DEFINE_FINAL_TYPE (XapiConnection, xapi_connection, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

gboolean           xapi_connection_debug_enabled;

/* ---- Small helpers ------------------------------------------------------ */

void
xapi_connection_set_string (XapiConnection *self,
                            char          **field,
                            const char     *value,
                            guint           prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  xapi_connection_notify (self, prop);
}

void
xapi_connection_notify (XapiConnection *self,
                        guint           prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint (XapiConnection *self,
          guint          *field,
          guint           value,
          guint           prop)
{
  if (*field == value)
    return;

  *field = value;
  xapi_connection_notify (self, prop);
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

/* ---- Calls ------------------------------------------------------------- */

typedef struct
{
  char           *method;
  JsonArray      *params; /* the caller's, without the session */
  guint           timeout;
  gboolean        recovered; /* one re-login + retry per call */
  char           *session_used;
  char           *relogin_url; /* where the pending re-login starts */
  XapiReplyFilter filter;
  GCancellable   *withdraw; /* honoured only while the call is not out */
} CallData;

static void
call_data_free (CallData *data)
{
  g_free (data->method);
  g_clear_pointer (&data->params, json_array_unref);
  g_free (data->session_used);
  g_free (data->relogin_url);
  xapi_reply_filter_clear (&data->filter);
  g_clear_object (&data->withdraw);
  g_free (data);
}

static gboolean
has_credentials (XapiConnection *self)
{
  return self->username != NULL && self->password != NULL;
}

/* (transfer none) What may end the call of @task while it is not out: its
 * own cancellable, else its withdraw cancellable, or NULL. */
static GCancellable *
unsent_cancellable (GTask *task)
{
  CallData *data = g_task_get_task_data (task);

  if (g_task_get_cancellable (task) != NULL)
    return g_task_get_cancellable (task);
  return data->withdraw;
}

static void
on_call_posted (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XapiConnection *self = XAPI_CONNECTION (source);
  CallData       *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  JsonNode     *node;

  node = xapi_connection_post_finish (self, result, NULL, &error);
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
            xapi_connection_call_send (g_steal_pointer (&task));
          else
            {
              cancellable = unsent_cancellable (task);
              xapi_connection_start_relogin (self, g_steal_pointer (&task), cancellable, self->url);
            }
          return;
        }

      if (xapi_error_has_code (error, "HOST_IS_SLAVE"))
        {
          /* The pool elected another master since we logged in.  Logging in
           * again where we are gets HOST_IS_SLAVE once more, this time with
           * the new master's certificate thumbprint, and follows it. */
          data->recovered = TRUE;
          cancellable = unsent_cancellable (task);
          xapi_connection_start_relogin (self, g_steal_pointer (&task), cancellable, self->url);
          return;
        }
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

void
xapi_connection_call_send (GTask *task)
{
  XapiConnection *self = g_task_get_source_object (task);
  CallData       *data = g_task_get_task_data (task);
  JsonArray      *params;
  guint           i, n;

  /* Cancelled or withdrawn before it is out (also in the very turn a
   * re-login ended, before the waiter's own cancel handler ran): it does
   * not go out at all. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (data->withdraw != NULL && g_cancellable_is_cancelled (data->withdraw))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      g_object_unref (task);
      return;
    }

  params = json_array_new ();
  if (self->session_ref == NULL)
    {
      json_array_unref (params);
      if (!data->recovered && has_credentials (self))
        {
          data->recovered = TRUE;
          xapi_connection_start_relogin (self, task, unsent_cancellable (task), self->url);
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

  xapi_connection_post_async (self, self->url, data->method, params, data->timeout, FALSE,
                              &data->filter, g_task_get_cancellable (task), on_call_posted, task);
}

static void
call_internal_async (XapiConnection        *self,
                     const char            *method,
                     JsonArray             *params,
                     guint                  timeout,
                     const XapiReplyFilter *filter,
                     gpointer               source_tag,
                     GCancellable          *cancellable,
                     GCancellable          *withdraw,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  GTask    *task;
  CallData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  data = g_new0 (CallData, 1);
  data->method = g_strdup (method);
  data->params = params != NULL ? json_array_ref (params) : NULL;
  data->timeout = timeout;
  xapi_reply_filter_copy (&data->filter, filter);
  data->withdraw = withdraw != NULL ? g_object_ref (withdraw) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  xapi_connection_call_send (task);
}

/* The HTTP timeout of a long call: @timeout_seconds plus the margin, in
 * whole seconds. */
static guint
long_call_timeout (XapiConnection *self,
                   double          timeout_seconds)
{
  double total = (timeout_seconds > 0 ? timeout_seconds : 0) + self->timeout;

  if (total > G_MAXUINT / 2)
    total = G_MAXUINT / 2;
  return (guint) (total + 0.999);
}

void
xapi_connection_call_async (XapiConnection     *self,
                            const char         *method,
                            JsonArray          *params,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (method != NULL);

  call_internal_async (self, method, params, self->timeout, NULL, xapi_connection_call_async,
                       cancellable, NULL, callback, user_data);
}

void
xapi_connection_call_withdrawable_async (XapiConnection     *self,
                                         const char         *method,
                                         JsonArray          *params,
                                         GCancellable       *withdraw,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (method != NULL);

  /* The same source tag: xapi_connection_call_finish() takes it. */
  call_internal_async (self, method, params, self->timeout, NULL, xapi_connection_call_async,
                       NULL, withdraw, callback, user_data);
}

JsonNode *
xapi_connection_call_finish (XapiConnection *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
xapi_connection_call_long_async (XapiConnection     *self,
                                 const char         *method,
                                 JsonArray          *params,
                                 double              timeout_seconds,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (method != NULL);

  call_internal_async (self, method, params, long_call_timeout (self, timeout_seconds), NULL,
                       xapi_connection_call_long_async, cancellable, NULL, callback, user_data);
}

void
xapi_connection_call_filtered_async (XapiConnection        *self,
                                     const char            *method,
                                     JsonArray             *params,
                                     double                 timeout_seconds,
                                     const XapiReplyFilter *filter,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (method != NULL);

  call_internal_async (self, method, params, long_call_timeout (self, timeout_seconds), filter,
                       xapi_connection_call_filtered_async, cancellable, NULL, callback, user_data);
}

JsonNode *
xapi_connection_call_long_finish (XapiConnection *self,
                                  GAsyncResult   *result,
                                  GError        **error)
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
xapi_connection_set_timeout (XapiConnection *self,
                             guint           seconds)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));

  set_uint (self, &self->timeout, seconds != 0 ? seconds : DEFAULT_TIMEOUT, PROP_TIMEOUT);
}

void
xapi_connection_set_originator (XapiConnection *self,
                                const char     *originator)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));

  xapi_connection_set_string (self, &self->originator, originator != NULL ? originator : "", PROP_ORIGINATOR);
}

void
xapi_connection_set_jsonrpc_version (XapiConnection *self,
                                     guint           version)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (version == 1 || version == 2);

  set_uint (self, &self->jsonrpc_version, version, PROP_JSONRPC_VERSION);
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
  xapi_connection_free_secret (self->password);
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

  xapi_connection_debug_enabled = g_getenv ("XAPI_DEBUG") != NULL && *g_getenv ("XAPI_DEBUG") != '\0' &&
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
