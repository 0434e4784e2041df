/* ferry-pool-link.c: a pool's link: connect, log in again, reconnect, fail over
 *
 * The pool owns one XapiConnection and one XapiCache.  When the connection
 * fails for good the pool builds a new connection (to the master it knew,
 * the URL it was given, or any other member) with a back-off, and checks it
 * still talks to the same pool.  Every complete load of the cache goes to
 * the loader (ferry-pool-loader.c), every batch of changes too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-pool-private.h"
#include "ferry-errors-private.h"

/* Every class the models, the planner and the jobs read. */
static const char * const cache_classes[] = {
  "pool", "host", "host_metrics", "vm", "vbd", "vdi", "sr", "pbd",
  "vif", "network", "pif", "task", NULL
};

/* How long the cache may try to get its connection back by itself before
 * the pool tries the other members (the master may have changed). */
#define FAILOVER_AFTER_SECONDS 30

static void start_attempt (FerryPool *self);

/* ---- identity -------------------------------------------------------------- */

static gboolean
is_ip_literal (const char *host)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  return address != NULL;
}

/* After HOST_IS_SLAVE sent us elsewhere, or after we reconnected through
 * another address: is this still the pool we meant? */
static gboolean
verify_identity (FerryPool *self,
                 GError   **error)
{
  const char       *pool_ref = xapi_cache_get_pool_ref (self->cache);
  const XapiRecord *record = ferry_pool_lookup (self, XAPI_CLASS_POOL, pool_ref);
  const char       *uuid = record != NULL ? xapi_str (record->uuid) : "";

  if (self->uuid != NULL && *self->uuid != '\0' && *uuid != '\0' && g_strcmp0 (self->uuid, uuid) != 0)
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_WRONG_POOL,
                   _("%s now leads to another pool (%s) than the one connected before."),
                   self->master_url, record != NULL ? xapi_str (record->name_label) : "");
      return FALSE;
    }

  if ((self->uuid == NULL || *self->uuid == '\0') && self->redirected_from != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (self->redirected_from, G_URI_FLAGS_NONE, NULL);
      const char    *asked = uri != NULL ? g_uri_get_host (uri) : NULL;
      GHashTable    *hosts = xapi_cache_get_table (self->cache, XAPI_CLASS_HOST);
      gboolean       member = FALSE;
      GHashTableIter iter;
      gpointer       value;

      if (asked == NULL || hosts == NULL)
        return TRUE;

      g_hash_table_iter_init (&iter, hosts);
      while (!member && g_hash_table_iter_next (&iter, NULL, &value))
        {
          const XapiHost *host = value;

          member = g_ascii_strcasecmp (xapi_str (host->address), asked) == 0 ||
                   g_ascii_strcasecmp (xapi_str (host->hostname), asked) == 0;
        }

      /* A name we cannot compare without resolving it is let through: the
       * master's certificate was still checked on the way. */
      if (!member && is_ip_literal (asked))
        {
          g_set_error (error, XAPI_ERROR, XAPI_ERROR_WRONG_POOL,
                       _("%s sent Ferry to a master whose pool does not include it."), asked);
          return FALSE;
        }
    }

  return TRUE;
}

/* Candidate addresses for reconnecting: where the master was, what the user
 * gave, then every other member (a new master may have been elected). */
static void
remember_members (FerryPool *self)
{
  g_autoptr(GUri) base = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
  GHashTable    *hosts = self->cache != NULL ? xapi_cache_get_table (self->cache, XAPI_CLASS_HOST) : NULL;
  GHashTableIter iter;
  gpointer       value;

  g_ptr_array_set_size (self->member_urls, 0);
  if (self->master_url != NULL)
    g_ptr_array_add (self->member_urls, g_strdup (self->master_url));
  if (g_strcmp0 (self->master_url, self->url) != 0)
    g_ptr_array_add (self->member_urls, g_strdup (self->url));

  if (base == NULL || hosts == NULL)
    return;

  g_hash_table_iter_init (&iter, hosts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char      *address = xapi_str (((const XapiHost *) value)->address);
      g_autofree char *url = NULL;
      gboolean         known = FALSE;

      if (*address == '\0')
        continue;

      url = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (base), NULL, address,
                        g_uri_get_port (base), "", NULL, NULL);
      for (guint i = 0; i < self->member_urls->len && !known; i++)
        known = g_str_equal (g_ptr_array_index (self->member_urls, i), url);
      if (!known)
        g_ptr_array_add (self->member_urls, g_steal_pointer (&url));
    }
}

/* ---- where a redirect may lead --------------------------------------------- */

static void
push_known_hosts (FerryPool *self)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GUri) uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);

  if (self->connection == NULL)
    return;

  /* The address the user typed is theirs to send the password to. */
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    g_ptr_array_add (all, (gpointer) g_uri_get_host (uri));
  for (guint i = 0; i < self->host_addresses->len; i++)
    g_ptr_array_add (all, g_ptr_array_index (self->host_addresses, i));
  for (guint i = 0; i < self->trusted_redirects->len; i++)
    g_ptr_array_add (all, g_ptr_array_index (self->trusted_redirects, i));
  g_ptr_array_add (all, NULL);

  xapi_connection_set_known_hosts (self->connection, (const char * const *) all->pdata);
}

/* The pool's members as the cache has them now: a new master elected among
 * them may be followed without asking. */
void
ferry_pool_update_host_addresses (FerryPool *self)
{
  GHashTable    *hosts = self->cache != NULL ? xapi_cache_get_table (self->cache, XAPI_CLASS_HOST) : NULL;
  GHashTableIter iter;
  gpointer       value;

  if (hosts == NULL)
    return;

  g_ptr_array_set_size (self->host_addresses, 0);
  g_hash_table_iter_init (&iter, hosts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char *address = xapi_str (((const XapiHost *) value)->address);

      if (*address != '\0')
        g_ptr_array_add (self->host_addresses, g_strdup (address));
    }
  push_known_hosts (self);
}

void
ferry_pool_trust_redirect (FerryPool  *self,
                           const char *address)
{
  g_return_if_fail (FERRY_IS_POOL (self));
  g_return_if_fail (address != NULL);

  for (guint i = 0; i < self->trusted_redirects->len; i++)
    if (g_str_equal (g_ptr_array_index (self->trusted_redirects, i), address))
      return;
  g_ptr_array_add (self->trusted_redirects, g_strdup (address));
  push_known_hosts (self);
}

/* ---- connection life cycle ------------------------------------------------ */

static gboolean
release_later_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* We are often inside one of the cache's or the connection's own signals
 * here: let them finish their emission before they go. */
static void
release_later (gpointer object)
{
  g_idle_add (release_later_cb, object);
}

void
ferry_pool_drop_connection (FerryPool *self)
{
  g_clear_handle_id (&self->failover_id, g_source_remove);
  ferry_pool_load_stop (self, TRUE);

  if (self->cache != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->cache, self);
      xapi_cache_stop (self->cache);
      release_later (g_steal_pointer (&self->cache));
    }
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      release_later (g_steal_pointer (&self->connection));
    }
}

void
ferry_pool_complete_connect (FerryPool    *self,
                             const GError *error)
{
  g_autoptr(GTask) task = NULL;

  if (self->connect_task == NULL)
    return;

  /* A connect that got in after its caller cancelled is not a success:
   * on_connect_cancelled_idle, already on its way, takes it down again and
   * completes the task with G_IO_ERROR_CANCELLED. */
  if (error == NULL && g_cancellable_is_cancelled (g_task_get_cancellable (self->connect_task)))
    return;

  task = g_steal_pointer (&self->connect_task);
  /* Never called from within the "cancelled" emission (the handler only
   * queues an idle), so disconnecting here cannot deadlock. */
  g_cancellable_disconnect (g_task_get_cancellable (task), self->connect_cancel_id);
  self->connect_cancel_id = 0;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
is_permanent (const GError *error)
{
  if (g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_UNKNOWN) ||
      g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_CHANGED) ||
      g_error_matches (error, XAPI_ERROR, XAPI_ERROR_WRONG_POOL) ||
      g_error_matches (error, XAPI_ERROR, XAPI_ERROR_REDIRECT_REFUSED))
    return TRUE;

  return xapi_error_has_code (error, "SESSION_AUTHENTICATION_FAILED");
}

static gboolean
on_retry_timeout (gpointer user_data)
{
  FerryPool *self = user_data;

  self->retry_id = 0;
  start_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
handle_failure (FerryPool    *self,
                const GError *error)
{
  g_autofree char *message = ferry_error_to_message (error);

  ferry_pool_drop_connection (self);
  ferry_pool_set_error_text (self, message);

  if (is_permanent (error) || (!self->has_been_ready && !self->retry_forever))
    {
      g_debug ("Pool %s failed: %s", self->url, error->message);
      self->stopped = TRUE;
      ferry_pool_change_state (self, FERRY_POOL_STATE_FAILED);
      ferry_pool_complete_connect (self, error);
      return;
    }

  g_debug ("Pool %s: %s; retrying in %u s", self->url, error->message, self->backoff);
  ferry_pool_change_state (self, FERRY_POOL_STATE_RECONNECTING);
  ferry_pool_complete_connect (self, error);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add_seconds (self->backoff, on_retry_timeout, self);
  self->backoff = MIN (self->backoff * 2, BACKOFF_MAX_SECONDS);
}

void
ferry_pool_set_failed (FerryPool    *self,
                       const GError *error)
{
  g_return_if_fail (FERRY_IS_POOL (self));
  handle_failure (self, error);
}

static void
on_cache_loaded (FerryPool *self)
{
  g_autoptr(GError) error = NULL;

  if (!verify_identity (self, &error))
    {
      handle_failure (self, error);
      return;
    }

  /* The rest once the models hold everything: sync_done(). */
  ferry_pool_load_start (self);
}

/* A whole load is in the lists (see ferry-pool-loader.c). */
void
ferry_pool_link_loaded (FerryPool *self)
{
  remember_members (self);
  ferry_pool_update_host_addresses (self);
  xapi_connection_set_pool_uuid (self->connection, self->uuid);

  self->has_been_ready = TRUE;
  self->backoff = BACKOFF_MIN_SECONDS;
  g_clear_handle_id (&self->failover_id, g_source_remove);
  ferry_pool_set_error_text (self, NULL);
}

/* After a reload the cache emits "reset" then "ready"; "ready" alone is
 * enough to bring everything in line. */
static void
on_cache_ready (XapiCache *cache,
                FerryPool *self)
{
  on_cache_loaded (self);
}

static gboolean
on_failover_timeout (gpointer user_data)
{
  FerryPool *self = user_data;
  g_autoptr(GError) error = NULL;
  const GError *cache_error;

  self->failover_id = 0;

  cache_error = self->cache != NULL ? xapi_cache_get_error (self->cache) : NULL;
  error = cache_error != NULL ? g_error_copy (cache_error)
                              : g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                                             _("The pool master stopped answering."));
  self->attempt++;
  handle_failure (self, error);

  return G_SOURCE_REMOVE;
}

static void
on_cache_state (XapiCache  *cache,
                GParamSpec *pspec,
                FerryPool  *self)
{
  switch (xapi_cache_get_state (cache))
    {
    case XAPI_CACHE_STATE_LOADING:
      ferry_pool_change_state (self, self->has_been_ready ? FERRY_POOL_STATE_RECONNECTING : FERRY_POOL_STATE_LOADING);
      break;

    case XAPI_CACHE_STATE_READY:
      /* "ready" does the work. */
      break;

    case XAPI_CACHE_STATE_RECONNECTING:
      {
        const GError *error = xapi_cache_get_error (cache);

        if (error != NULL)
          {
            g_autofree char *message = ferry_error_to_message (error);

            ferry_pool_set_error_text (self, message);
          }
        ferry_pool_change_state (self, FERRY_POOL_STATE_RECONNECTING);
        if (self->failover_id == 0)
          self->failover_id = g_timeout_add_seconds (FAILOVER_AFTER_SECONDS, on_failover_timeout, self);
      }
      break;

    case XAPI_CACHE_STATE_FAILED:
      {
        const GError *cache_error = xapi_cache_get_error (cache);
        g_autoptr(GError) error = cache_error != NULL
                                  ? g_error_copy (cache_error)
                                  : g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                                                 _("Lost the connection to the pool."));

        self->attempt++;
        handle_failure (self, error);
      }
      break;

    case XAPI_CACHE_STATE_IDLE:
    default:
      break;
    }
}

static void
on_connection_url (XapiConnection *connection,
                   GParamSpec     *pspec,
                   FerryPool      *self)
{
  ferry_pool_set_master_url (self, xapi_connection_get_url (connection));
}

static void
on_login (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(FerryPool) self = user_data;
  XapiConnection *connection = XAPI_CONNECTION (source);
  g_autoptr(GError) error = NULL;

  if (!xapi_connection_login_finish (connection, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || connection != self->connection)
        return;
      self->attempt++;
      handle_failure (self, error);
      return;
    }

  if (connection != self->connection)
    return;

  ferry_pool_set_master_url (self, xapi_connection_get_url (connection));
  ferry_set_string (&self->redirected_from, xapi_connection_get_redirected_from (connection));

  self->cache = xapi_cache_new (connection, cache_classes);
  g_signal_connect (self->cache, "ready", G_CALLBACK (on_cache_ready), self);
  g_signal_connect (self->cache, "changed", G_CALLBACK (ferry_pool_load_on_cache_changed), self);
  g_signal_connect (self->cache, "notify::state", G_CALLBACK (on_cache_state), self);

  ferry_pool_change_state (self, self->has_been_ready ? FERRY_POOL_STATE_RECONNECTING : FERRY_POOL_STATE_LOADING);
  xapi_cache_start (self->cache);
}

static void
start_attempt (FerryPool *self)
{
  const char *url = self->url;

  ferry_pool_drop_connection (self);
  if (self->stopped)
    return;

  if (self->member_urls->len > 0)
    url = g_ptr_array_index (self->member_urls, self->attempt % self->member_urls->len);

  g_debug ("Pool %s: connecting to %s", self->url, url);

  self->connection = xapi_connection_new (url);
  xapi_connection_set_originator (self->connection, "ferry");
  if (self->fingerprint != NULL)
    xapi_connection_set_pinned_fingerprint (self->connection, self->fingerprint);
  /* Reconnecting: a supporter's redirect must lead back to this pool. */
  xapi_connection_set_pool_uuid (self->connection, self->uuid);
  push_known_hosts (self);
  g_signal_connect (self->connection, "notify::url", G_CALLBACK (on_connection_url), self);

  ferry_pool_change_state (self, self->has_been_ready ? FERRY_POOL_STATE_RECONNECTING : FERRY_POOL_STATE_CONNECTING);
  xapi_connection_login_async (self->connection, self->username, self->password,
                               self->cancellable, on_login, g_object_ref (self));
}

static gboolean
on_connect_cancelled_idle (gpointer user_data)
{
  GTask     *task = user_data;
  FerryPool *self = g_task_get_source_object (task);

  /* Still this connect: give it up the way ferry_pool_disconnect() gives
   * any connect up, which leaves nothing listed and completes the task
   * with G_IO_ERROR_CANCELLED. */
  if (self->connect_task == task)
    ferry_pool_disconnect (self);

  return G_SOURCE_REMOVE;
}

/* May run in whichever thread cancels: it only queues the work for the
 * pool's own context. */
static void
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, on_connect_cancelled_idle, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[ferry] pool connect cancelled");
  g_source_attach (source, g_task_get_context (task));
}

void
ferry_pool_connect_async (FerryPool          *self,
                          const char         *password,
                          const char         *fingerprint,
                          gboolean            retry_forever,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (FERRY_IS_POOL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_pool_connect_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->connect_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Already connecting to %s."), self->url);
      return;
    }

  if (password != NULL)
    {
      ferry_password_free (self->password);
      self->password = g_strdup (password);
    }
  ferry_set_string (&self->fingerprint, fingerprint);
  self->retry_forever = retry_forever;
  self->stopped = FALSE;
  self->attempt = 0;
  self->backoff = BACKOFF_MIN_SECONDS;
  g_clear_handle_id (&self->retry_id, g_source_remove);

  self->connect_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    self->connect_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_connect_cancelled),
                                                     self->connect_task, NULL);
  start_attempt (self);
}

gboolean
ferry_pool_connect_finish (FerryPool    *self,
                           GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_logout (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  xapi_connection_logout_finish (XAPI_CONNECTION (source), result, NULL);
}

void
ferry_pool_set_connecting (FerryPool *self)
{
  g_return_if_fail (FERRY_IS_POOL (self));

  if (self->state == FERRY_POOL_STATE_DISCONNECTED)
    ferry_pool_change_state (self, FERRY_POOL_STATE_CONNECTING);
}

void
ferry_pool_disconnect (FerryPool *self)
{
  g_return_if_fail (FERRY_IS_POOL (self));

  self->stopped = TRUE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  /* Everything goes below: no point in putting a half-applied load in. */
  ferry_pool_load_stop (self, FALSE);

  if (self->connection != NULL && xapi_connection_is_logged_in (self->connection))
    xapi_connection_logout_async (self->connection, NULL, on_logout, NULL);
  ferry_pool_drop_connection (self);

  if (self->connect_task != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("The connection was abandoned."));
      ferry_pool_complete_connect (self, error);
    }

  ferry_pool_detach_all (self);
  g_hash_table_remove_all (self->vm_by_ref);
  g_hash_table_remove_all (self->host_by_ref);
  g_hash_table_remove_all (self->sr_by_ref);
  g_hash_table_remove_all (self->network_by_ref);
  g_list_store_remove_all (self->vms);
  g_list_store_remove_all (self->hosts);
  g_list_store_remove_all (self->srs);
  g_list_store_remove_all (self->networks);

  ferry_pool_change_state (self, FERRY_POOL_STATE_DISCONNECTED);
}
