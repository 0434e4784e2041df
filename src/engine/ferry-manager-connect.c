/* ferry-manager-connect.c: the pools list, connecting a server and the saved ones
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-manager-private.h"

static void
on_pool_state (FerryPool    *pool,
               GParamSpec   *pspec,
               FerryManager *self)
{
  if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY)
    ferry_manager_kick_queue_soon (self);
}

static void
remember_label (FerryManager *self,
                FerryPool    *pool)
{
  FerryServer *server;

  if (self->store == NULL)
    return;

  server = ferry_server_store_lookup (self->store, ferry_pool_get_url (pool));
  if (server != NULL && g_strcmp0 (ferry_server_get_label (server), ferry_pool_get_name (pool)) != 0 &&
      ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY)
    ferry_server_store_set_label (self->store, ferry_pool_get_url (pool), ferry_pool_get_name (pool));
}

static void
on_pool_name (FerryPool    *pool,
              GParamSpec   *pspec,
              FerryManager *self)
{
  remember_label (self, pool);
}

static void
watch_pool (FerryManager *self,
            FerryPool    *pool)
{
  g_signal_connect_object (pool, "objects-reset", G_CALLBACK (ferry_manager_on_pool_reset), self, 0);
  g_signal_connect_object (pool, "objects-changed", G_CALLBACK (ferry_manager_on_pool_changed), self, 0);
  g_signal_connect_object (pool, "notify::state", G_CALLBACK (on_pool_state), self, 0);
  g_signal_connect_object (pool, "notify::name", G_CALLBACK (on_pool_name), self, 0);
}

static void
add_pool (FerryManager *self,
          FerryPool    *pool)
{
  guint position;

  if (g_list_store_find (self->pools, pool, &position))
    return;

  watch_pool (self, pool);
  g_list_store_append (self->pools, pool);

  /* A pool that is READY already missed its first "objects-reset". */
  if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY)
    {
      ferry_manager_adopt_tasks (self, pool);
      remember_label (self, pool);
    }
}

/* The reverse of add_pool(), for a pool that never got in: no job can
 * involve it. */
static void
unlist_pool (FerryManager *self,
             FerryPool    *pool)
{
  guint position;

  g_signal_handlers_disconnect_by_data (pool, self);
  if (g_list_store_find (self->pools, pool, &position))
    g_list_store_remove (self->pools, position);
}

FerryPool *
ferry_manager_find_pool_by_url (FerryManager *self,
                                const char   *canonical)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));

  for (guint i = 0; i < n; i++)
    {
      FerryPool *pool = ferry_store_peek (G_LIST_MODEL (self->pools), i);

      if (g_strcmp0 (ferry_pool_get_url (pool), canonical) == 0)
        return pool; /* (transfer none) */
    }

  return NULL;
}

/* ---- connecting ---------------------------------------------------------------- */

static void
apply_trusted_redirects (FerryManager *self,
                         FerryPool    *pool)
{
  GPtrArray *addresses = g_hash_table_lookup (self->trusted_redirects, ferry_pool_get_url (pool));

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    ferry_pool_trust_redirect (pool, g_ptr_array_index (addresses, i));
}

void
ferry_manager_trust_redirect (FerryManager *self,
                              const char   *url,
                              const char   *address)
{
  g_autofree char *canonical = NULL;
  GPtrArray       *addresses;
  FerryPool       *pool;

  g_return_if_fail (FERRY_IS_MANAGER (self));
  g_return_if_fail (address != NULL);

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    return;

  addresses = g_hash_table_lookup (self->trusted_redirects, canonical);
  if (addresses == NULL)
    {
      addresses = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->trusted_redirects, g_strdup (canonical), addresses);
    }
  g_ptr_array_add (addresses, g_strdup (address));

  pool = ferry_manager_find_pool_by_url (self, canonical);
  if (pool != NULL)
    ferry_pool_trust_redirect (pool, address);
}

typedef struct
{
  FerryPool *pool;
  char      *password;
  char      *username;
  gboolean   remember;
  gboolean   listed; /* already in the pools model */
  gboolean   added;  /* listed by this attempt: unlisted if it fails */
  gulong     cancel_id;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->pool);
  ferry_password_free (data->password);
  g_free (data->username);
  g_free (data);
}

static void
on_password_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError      *error = NULL;

  if (!ferry_server_store_store_password_finish (FERRY_SERVER_STORE (source), result, &error))
    {
      g_prefix_error (&error, "%s", _("Connected, but the password could not be saved in the keyring: "));
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_object_ref (data->pool), g_object_unref);
}

static void
on_pool_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FerryManager *self = g_task_get_source_object (task);
  ConnectData  *data = g_task_get_task_data (task);
  GError       *error = NULL;

  if (data->cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), data->cancel_id);
      data->cancel_id = 0;
    }

  if (!ferry_pool_connect_finish (data->pool, result, &error))
    {
      /* Out of the list first, so that no view watches its lists empty. */
      if (data->added)
        unlist_pool (self, data->pool);
      if (!data->listed)
        ferry_pool_disconnect (data->pool);
      g_task_return_error (task, error);
      return;
    }

  add_pool (self, data->pool);

  if (data->remember && self->store != NULL)
    {
      /* Only now: a server is saved once it has let us in. */
      ferry_server_store_save (self->store, ferry_pool_get_url (data->pool), data->username,
                               ferry_pool_get_fingerprint (data->pool), ferry_pool_get_name (data->pool));
      ferry_server_store_store_password_async (self->store, ferry_pool_get_url (data->pool),
                                               data->username, data->password, NULL,
                                               on_password_saved, g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task, g_object_ref (data->pool), g_object_unref);
}

static gboolean
disconnect_idle (gpointer user_data)
{
  ferry_pool_disconnect (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_connect_cancelled (GCancellable *cancellable,
                      FerryPool    *pool)
{
  /* Runs inside g_cancellable_cancel(); the pool then completes the
   * connect task with G_IO_ERROR_CANCELLED. */
  g_idle_add_full (G_PRIORITY_DEFAULT, disconnect_idle, g_object_ref (pool), g_object_unref);
}

void
ferry_manager_connect_async (FerryManager       *self,
                             const char         *url,
                             const char         *username,
                             const char         *password,
                             const char         *fingerprint,
                             gboolean            remember,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *canonical = NULL;
  ConnectData     *data;
  FerryPool       *existing;

  g_return_if_fail (FERRY_IS_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_manager_connect_async);

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    {
      g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_INVALID,
                               _("“%s” is not a server address."), url != NULL ? url : "");
      return;
    }
  if (username == NULL || *username == '\0' || password == NULL)
    {
      g_task_return_new_error (task, FERRY_ERROR, FERRY_ERROR_INVALID,
                               "%s", _("A user name and a password are needed."));
      return;
    }

  existing = ferry_manager_find_pool_by_url (self, canonical);
  if (existing != NULL)
    {
      if (ferry_pool_get_state (existing) == FERRY_POOL_STATE_READY)
        {
          g_task_return_pointer (task, g_object_ref (existing), g_object_unref);
          return;
        }
    }

  data = g_new0 (ConnectData, 1);
  if (existing != NULL && g_strcmp0 (ferry_pool_get_username (existing), username) == 0)
    {
      /* A listed pool that is failing or retrying: try again with what the
       * user gave now; it stays listed whatever happens. */
      data->pool = g_object_ref (existing);
      data->listed = TRUE;
    }
  else
    {
      if (existing != NULL)
        ferry_manager_disconnect (self, existing);
      data->pool = ferry_pool_new (canonical, username);
    }
  apply_trusted_redirects (self, data->pool);

  /* Listed from the start, as a saved pool is: the views follow its load
   * a slice at a time, rather than taking in a whole pool at once when it
   * is ready (10,000 VMs froze the window for 200 ms).  A pool that does
   * not get in leaves the list again. */
  if (!data->listed)
    {
      ferry_pool_set_connecting (data->pool);
      add_pool (self, data->pool);
      data->added = TRUE;
    }
  data->password = g_strdup (password);
  data->username = g_strdup (username);
  data->remember = remember;
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  /* A new pool is dropped when the caller gives up; a listed one stays. */
  if (cancellable != NULL && !data->listed)
    data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_connect_cancelled),
                                             data->pool, NULL);

  ferry_pool_connect_async (data->pool, password, fingerprint, FALSE, NULL,
                            on_pool_connected, g_steal_pointer (&task));
}

FerryPool *
ferry_manager_connect_finish (FerryManager *self,
                              GAsyncResult *result,
                              GError      **error)
{
  FerryPool *pool;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  pool = g_task_propagate_pointer (G_TASK (result), error);
  ferry_error_translate (error);
  return pool; /* (transfer full) */
}

/* ---- the saved servers ------------------------------------------------------- */

/* All at once, each with its keyring password and pinned fingerprint, so
 * that one slow pool does not hold up the others, and every failure keeps
 * its own error (a changed certificate must be reported as such). */

typedef struct
{
  FerryConnectSavedOptions options;
  GPtrArray               *outcomes; /* FerrySavedOutcome, in saved order */
  GPtrArray               *attempts; /* SavedAttempt, the same order */
  guint                    pending;
  guint                    timeout_id;
} SavedData;

typedef struct
{
  GTask             *task; /* a reference while pending */
  FerrySavedOutcome *outcome;
  FerryPool         *pool;
  char              *fingerprint;
  GCancellable      *cancellable; /* cancelled by the timeout */
  gboolean           followed;    /* follow_master was applied once */
  gboolean           cancelled_by_timeout;
} SavedAttempt;

static void
saved_outcome_free (FerrySavedOutcome *outcome)
{
  g_free (outcome->url);
  g_free (outcome->username);
  g_clear_object (&outcome->pool);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

static void
saved_attempt_free (SavedAttempt *attempt)
{
  g_clear_object (&attempt->pool);
  g_free (attempt->fingerprint);
  g_clear_object (&attempt->cancellable);
  g_free (attempt);
}

static void
saved_data_free (SavedData *data)
{
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  g_clear_pointer (&data->outcomes, g_ptr_array_unref);
  g_clear_pointer (&data->attempts, g_ptr_array_unref);
  g_free (data);
}

/* Drops a reference to @task, and returns the outcomes when it was the
 * last server. */
static void
saved_one_done (GTask *task)
{
  SavedData *data = g_task_get_task_data (task);

  if (--data->pending == 0)
    {
      g_clear_handle_id (&data->timeout_id, g_source_remove);
      g_task_return_pointer (task, g_steal_pointer (&data->outcomes), (GDestroyNotify) g_ptr_array_unref);
    }
  g_object_unref (task);
}

static void
saved_attempt_end (SavedAttempt *attempt,
                   GError       *error)
{
  FerryManager      *self = g_task_get_source_object (attempt->task);
  SavedData         *data = g_task_get_task_data (attempt->task);
  FerrySavedOutcome *outcome = attempt->outcome;

  if (error == NULL)
    outcome->pool = g_object_ref (attempt->pool);
  else
    {
      outcome->timed_out = attempt->cancelled_by_timeout && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      outcome->error = error;
      /* Out of the list first, so that no view watches its lists empty. */
      if (data->options.once)
        {
          unlist_pool (self, attempt->pool);
          ferry_pool_disconnect (attempt->pool);
        }
    }

  saved_one_done (g_steal_pointer (&attempt->task));
}

static void saved_attempt_start (SavedAttempt *attempt);

static void
on_saved_pool_connected (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  SavedAttempt *attempt = user_data;
  FerryManager *self = g_task_get_source_object (attempt->task);
  SavedData    *data = g_task_get_task_data (attempt->task);
  GError       *error = NULL;

  if (ferry_pool_connect_finish (FERRY_POOL (source), result, &error))
    {
      saved_attempt_end (attempt, NULL);
      return;
    }

  ferry_error_translate (&error);
  if (data->options.follow_master && !attempt->followed &&
      g_error_matches (error, FERRY_ERROR, FERRY_ERROR_REDIRECT_REFUSED))
    {
      const char *address = ferry_error_get_address (error);

      attempt->followed = TRUE;
      if (data->options.following != NULL)
        data->options.following (attempt->outcome->url, address, data->options.user_data);
      ferry_manager_trust_redirect (self, attempt->outcome->url, address);
      g_error_free (error);
      saved_attempt_start (attempt);
      return;
    }

  saved_attempt_end (attempt, error);
}

/* (transfer full) Why a saved server has no password to log in with: the
 * keyring could not be read (@error), or it keeps none. */
static GError *
saved_password_error (const GError *error)
{
  if (error != NULL)
    return g_error_new (FERRY_ERROR, FERRY_ERROR_FAILED,
                        _("The password could not be read from the keyring: %s"), error->message);
  return g_error_new_literal (FERRY_ERROR, FERRY_ERROR_NOT_FOUND,
                              _("No password is saved for this server. Connect to it again to save one."));
}

/* (transfer full) XAPI logs no one in without a user name: a local account
 * and a directory user alike have one, and session.login_with_password
 * with "" only gets SESSION_AUTHENTICATION_FAILED.  A saved server without
 * one (an older or hand-edited list) is refused here, before its password
 * is read from the keyring or sent anywhere. */
static GError *
saved_username_error (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  return g_error_new (FERRY_ERROR, FERRY_ERROR_INVALID,
                      _("The server %s is saved without a user name, and a pool lets no one log in "
                        "without one; its password was not sent. Connect to it again with its user "
                        "name."),
                      host != NULL ? host : url);
}

static void
on_saved_password (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SavedAttempt *attempt = user_data;
  SavedData    *data = g_task_get_task_data (attempt->task);
  GError       *error = NULL;
  char         *password;

  password = ferry_server_store_lookup_password_finish (FERRY_SERVER_STORE (source), result, &error);
  if (password == NULL)
    {
      /* Not retried: without a password there is nothing to try. */
      if (!data->options.once)
        {
          g_autoptr(GError) missing = saved_password_error (error);

          ferry_pool_set_failed (attempt->pool, missing);
        }
      saved_attempt_end (attempt, error != NULL ? error : saved_password_error (NULL));
      return;
    }

  ferry_pool_connect_async (attempt->pool, password, attempt->fingerprint, !data->options.once,
                            attempt->cancellable, on_saved_pool_connected, attempt);
  ferry_password_free (password);
}

/* The password is read here each time, never kept: a second login (after
 * following a master) reads it again. */
static void
saved_attempt_start (SavedAttempt *attempt)
{
  FerryManager *self = g_task_get_source_object (attempt->task);

  ferry_server_store_lookup_password_async (self->store, attempt->outcome->url, attempt->outcome->username,
                                            attempt->cancellable, on_saved_password, attempt);
}

static gboolean
on_saved_timeout (gpointer user_data)
{
  SavedData *data = user_data;

  data->timeout_id = 0;
  for (guint i = 0; i < data->attempts->len; i++)
    {
      SavedAttempt *attempt = g_ptr_array_index (data->attempts, i);

      if (attempt->task != NULL)
        {
          attempt->cancelled_by_timeout = TRUE;
          g_cancellable_cancel (attempt->cancellable);
        }
    }
  return G_SOURCE_REMOVE;
}

void
ferry_manager_connect_saved_full_async (FerryManager                   *self,
                                        const FerryConnectSavedOptions *options,
                                        GCancellable                   *cancellable,
                                        GAsyncReadyCallback             callback,
                                        gpointer                        user_data)
{
  g_autoptr(GTask) task = NULL;
  SavedData *data;
  guint      n;

  g_return_if_fail (FERRY_IS_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_manager_connect_saved_full_async);
  data = g_new0 (SavedData, 1);
  if (options != NULL)
    data->options = *options;
  data->outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify) saved_outcome_free);
  data->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) saved_attempt_free);
  data->pending = 1; /* released at the end of this function */
  g_task_set_task_data (task, data, (GDestroyNotify) saved_data_free);

  n = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryServer) server = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      FerrySavedOutcome *outcome;
      SavedAttempt      *attempt;

      if (ferry_manager_find_pool_by_url (self, ferry_server_get_url (server)) != NULL)
        continue;

      outcome = g_new0 (FerrySavedOutcome, 1);
      outcome->url = g_strdup (ferry_server_get_url (server));
      outcome->username = g_strdup (ferry_server_get_username (server));
      g_ptr_array_add (data->outcomes, outcome);

      attempt = g_new0 (SavedAttempt, 1);
      attempt->task = g_object_ref (task);
      attempt->outcome = outcome;
      attempt->pool = ferry_pool_new (outcome->url, outcome->username);
      attempt->fingerprint = g_strdup (ferry_server_get_fingerprint (server));
      attempt->cancellable = g_cancellable_new ();
      g_ptr_array_add (data->attempts, attempt);
      data->pending++;

      ferry_pool_set_connecting (attempt->pool);
      apply_trusted_redirects (self, attempt->pool);
      add_pool (self, attempt->pool);

      if (outcome->username == NULL || *outcome->username == '\0')
        {
          GError *error = saved_username_error (outcome->url);

          /* Shown as the missing password is, and not retried. */
          if (!data->options.once)
            ferry_pool_set_failed (attempt->pool, error);
          saved_attempt_end (attempt, error);
          continue;
        }
      saved_attempt_start (attempt);
    }

  if (data->options.timeout_seconds > 0)
    data->timeout_id = g_timeout_add_seconds (data->options.timeout_seconds, on_saved_timeout, data);

  saved_one_done (g_steal_pointer (&task));
}

GPtrArray *
ferry_manager_connect_saved_full_finish (FerryManager *self,
                                         GAsyncResult *result,
                                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error); /* (transfer full) */
}

void
ferry_manager_connect_saved_async (FerryManager       *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  ferry_manager_connect_saved_full_async (self, NULL, cancellable, callback, user_data);
}

gboolean
ferry_manager_connect_saved_finish (FerryManager *self,
                                    GAsyncResult *result,
                                    guint        *n_connected,
                                    GError      **error)
{
  g_autoptr(GPtrArray) outcomes = ferry_manager_connect_saved_full_finish (self, result, error);
  guint ready = 0;

  if (outcomes == NULL)
    return FALSE;

  for (guint i = 0; i < outcomes->len; i++)
    if (((FerrySavedOutcome *) g_ptr_array_index (outcomes, i))->pool != NULL)
      ready++;
  if (n_connected != NULL)
    *n_connected = ready;

  return TRUE;
}

void
ferry_manager_disconnect (FerryManager *self,
                          FerryPool    *pool)
{
  guint position;
  guint n;

  g_return_if_fail (FERRY_IS_MANAGER (self));
  g_return_if_fail (FERRY_IS_POOL (pool));

  g_object_ref (pool);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);
      FerryHost *target = ferry_job_get_target (job);

      if (ferry_job_get_source_pool (job) == pool || (target != NULL && ferry_host_get_pool (target) == pool))
        ferry_job_abandon (job, _("Ferry stopped following this migration: its pool was disconnected."));
    }

  g_signal_handlers_disconnect_by_data (pool, self);
  ferry_pool_disconnect (pool);
  if (g_list_store_find (self->pools, pool, &position))
    g_list_store_remove (self->pools, position);

  g_object_unref (pool);
}
