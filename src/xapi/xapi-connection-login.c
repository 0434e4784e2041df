/* xapi-connection-login.c: logging in and out, following HOST_IS_SLAVE,
 * logging in again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-connection-private.h"

#include <string.h>

#include "xapi-error.h"
#include "xapi-util.h"

#define LOGIN_API_VERSION "1.1"

#define MAX_SESSION_REF_LENGTH 1024

void
xapi_connection_free_secret (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

/* The master's URL: the supporter's scheme and port with the address that
 * came with HOST_IS_SLAVE (a bare IPv4 or IPv6 literal, or a name). */
static char *
master_url_for (const char *supporter_url,
                const char *address)
{
  g_autoptr(GUri) uri = g_uri_parse (supporter_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *host = NULL;
  gsize            len;

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
 * the certificate check decides instead (on_accept_certificate(), in
 * xapi-connection-tls.c). */
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

/* ---- Login, with HOST_IS_SLAVE ----------------------------------------- */

typedef struct
{
  char    *username;
  char    *password;
  char    *url; /* where the current attempt goes */
  char    *redirected_from;
  gboolean followed;
  char    *session_ref; /* not in use until the pool is checked */
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_free (data->username);
  xapi_connection_free_secret (data->password);
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
  LoginData      *data = g_task_get_task_data (task);

  xapi_connection_set_string (self, &self->session_ref, data->session_ref, PROP_SESSION_REF);
  xapi_connection_set_string (self, &self->url, data->url, PROP_URL);
  if (data->followed)
    xapi_connection_set_string (self, &self->redirected_from, data->redirected_from, PROP_REDIRECTED_FROM);
  else if (g_strcmp0 (data->url, self->initial_url) == 0)
    xapi_connection_set_string (self, &self->redirected_from, NULL, PROP_REDIRECTED_FROM);

  g_task_return_boolean (task, TRUE);
}

static gboolean
records_include_uuid (JsonNode   *records,
                      const char *uuid)
{
  JsonObjectIter iter;
  JsonNode      *record;

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
  LoginData      *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) records = xapi_connection_post_finish (self, result, NULL, &error);
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
  host = xapi_connection_host_of_url (data->redirected_from);
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
  LoginData      *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *thumbprint = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = xapi_connection_post_finish (self, result, &thumbprint, &error);

  if (node == NULL)
    {
      if (xapi_error_has_code (error, "HOST_IS_SLAVE") && !data->followed)
        {
          g_autofree char *master = master_url_for (data->url, xapi_error_get_param (error, 0));

          if (master != NULL && g_strcmp0 (master, data->url) != 0 && !redirect_allowed (self, master))
            {
              g_autofree char *from = xapi_connection_host_of_url (data->url);
              g_autofree char *address = bare_address (xapi_error_get_param (error, 0));
              g_autofree char *message =
                g_strdup_printf ("%s says the pool's master is now at %s, which is not a known host "
                                 "of this pool; the password was not sent there over an "
                                 "unencrypted connection.",
                                 from, address);

              if (xapi_connection_debug_enabled)
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

              if (xapi_connection_debug_enabled)
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
      g_autofree char *host = xapi_connection_host_of_url (data->url);

      g_task_return_new_error (task, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                               "%s answered the login with something other than a session "
                               "reference.",
                               host);
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

      xapi_connection_post_async (self, data->url, "pool.get_all_records", xapi_params_new (data->session_ref, NULL),
                                  self->timeout, FALSE, NULL, cancellable, on_pool_checked,
                                  g_steal_pointer (&task));
      return;
    }

  login_succeeded (g_steal_pointer (&task));
}

static void
do_login_attempt (GTask *task)
{
  XapiConnection *self = g_task_get_source_object (task);
  LoginData      *data = g_task_get_task_data (task);
  JsonArray      *params = xapi_params_new (data->username, data->password, LOGIN_API_VERSION,
                                            self->originator, NULL);

  xapi_connection_post_async (self, data->url, "session.login_with_password", params, self->timeout, TRUE,
                              NULL, g_task_get_cancellable (task), on_login_posted, task);
}

/* Logs in at @url with the remembered credentials. */
static void
do_login_async (XapiConnection     *self,
                const char         *url,
                GCancellable       *cancellable,
                GAsyncReadyCallback callback,
                gpointer            user_data)
{
  GTask     *task = g_task_new (self, cancellable, callback, user_data);
  LoginData *data = g_new0 (LoginData, 1);

  g_task_set_source_tag (task, do_login_async);
  data->username = g_strdup (self->username != NULL ? self->username : "");
  data->password = g_strdup (self->password != NULL ? self->password : "");
  data->url = g_strdup (url);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);

  do_login_attempt (task);
}

static gboolean
do_login_finish (XapiConnection *self,
                 GAsyncResult   *result,
                 GError        **error)
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
xapi_connection_login_async (XapiConnection     *self,
                             const char         *username,
                             const char         *password,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (XAPI_IS_CONNECTION (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xapi_connection_login_async);

  g_free (self->username);
  self->username = g_strdup (username);
  xapi_connection_free_secret (self->password);
  self->password = g_strdup (password);

  do_login_async (self, self->initial_url, cancellable, on_public_login_done, task);
}

gboolean
xapi_connection_login_finish (XapiConnection *self,
                              GAsyncResult   *result,
                              GError        **error)
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
  g_autoptr(JsonNode) node = xapi_connection_post_finish (XAPI_CONNECTION (source), result, NULL, &error);

  /* A session that is already gone is as logged out as it gets. */
  if (node == NULL && !xapi_error_has_code (error, "SESSION_INVALID"))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
xapi_connection_logout_async (XapiConnection     *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *session_ref = NULL;

  g_return_if_fail (XAPI_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xapi_connection_logout_async);

  /* Forget everything first: no call may log in again behind our back. */
  session_ref = g_steal_pointer (&self->session_ref);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->password, xapi_connection_free_secret);

  if (session_ref == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  xapi_connection_notify (self, PROP_SESSION_REF);

  xapi_connection_post_async (self, self->url, "session.logout", xapi_params_new (session_ref, NULL),
                              self->timeout, FALSE, NULL, cancellable, on_logout_posted,
                              g_steal_pointer (&task));
}

gboolean
xapi_connection_logout_finish (XapiConnection *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Logging in again -------------------------------------------------- */

#define WAITER_CANCEL_KEY "xapi-relogin-cancel-id"
#define WAITER_CANCELLABLE_KEY "xapi-relogin-cancellable"

static void
forget_waiter_cancellable (GTask *waiter)
{
  gulong id = GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (waiter), WAITER_CANCEL_KEY));
  g_autoptr(GCancellable) cancellable = g_object_steal_data (G_OBJECT (waiter), WAITER_CANCELLABLE_KEY);

  if (id != 0)
    g_cancellable_disconnect (cancellable, id);
}

static gboolean
on_waiter_cancelled_idle (gpointer user_data)
{
  GTask          *waiter = user_data;
  XapiConnection *self = g_task_get_source_object (waiter);

  /* Unless the re-login ended meanwhile and took the call on. */
  if (g_ptr_array_remove (self->relogin_waiters, waiter))
    {
      forget_waiter_cancellable (waiter);
      if (!g_task_return_error_if_cancelled (waiter))
        g_task_return_new_error (waiter, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "Operation was cancelled");
      g_object_unref (waiter);
    }

  return G_SOURCE_REMOVE;
}

/* A call that waits for the re-login ends as soon as its caller cancels it
 * (the re-login goes on for the others).  The cancellable may fire in any
 * thread: the call is let go from its own context. */
static void
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  GTask   *waiter = user_data;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, on_waiter_cancelled_idle, g_object_ref (waiter), g_object_unref);
  g_source_attach (source, g_task_get_context (waiter));
  g_source_unref (source);
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

      forget_waiter_cancellable (waiter);
      if (error != NULL)
        {
          g_task_return_error (waiter, g_error_copy (error));
          g_object_unref (waiter);
        }
      else
        xapi_connection_call_send (waiter);
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
void
xapi_connection_start_relogin (XapiConnection *self,
                               GTask          *waiter,
                               GCancellable   *cancellable,
                               const char     *url)
{
  gint64 wait_us;

  g_ptr_array_add (self->relogin_waiters, waiter);
  if (cancellable != NULL)
    {
      gulong id = g_cancellable_connect (cancellable, G_CALLBACK (on_waiter_cancelled), waiter, NULL);

      g_object_set_data (G_OBJECT (waiter), WAITER_CANCEL_KEY, GSIZE_TO_POINTER (id));
      g_object_set_data_full (G_OBJECT (waiter), WAITER_CANCELLABLE_KEY, g_object_ref (cancellable),
                              g_object_unref);
    }
  if (self->relogin_running)
    return;

  if (xapi_connection_debug_enabled)
    g_debug ("logging in again at %s", url);

  self->relogin_running = TRUE;
  wait_us = self->last_relogin != 0 ? self->last_relogin + RELOGIN_MIN_INTERVAL_US - g_get_monotonic_time () : 0;
  if (wait_us > 0)
    {
      DueRelogin *due = g_new0 (DueRelogin, 1);
      GSource    *source = g_timeout_source_new ((guint) (wait_us / 1000) + 1);

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
