/* ferry-pool.c: one connected pool, its hosts, VMs, SRs and networks
 *
 * The pool owns one XapiConnection and one XapiCache.  The cache delivers
 * typed records and batches of changes; the pool turns them into small
 * GObjects updated in place, in sorted GListStores, so that views bound to
 * them only redraw what changed.  This file is the GObject, its properties,
 * signals and getters; the link, the loader, the models and the finders
 * have a file each (see ferry-pool-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-pool-private.h"

G_DEFINE_FINAL_TYPE (FerryPool, ferry_pool, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_NAME,
  PROP_URL,
  PROP_MASTER_URL,
  PROP_ERROR,
  PROP_UUID,
  N_PROPS
};

enum
{
  SIGNAL_OBJECTS_CHANGED,
  SIGNAL_OBJECTS_RESET,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

/* ---- state, notifications, signals ------------------------------------------ */

void
ferry_pool_change_state (FerryPool     *self,
                         FerryPoolState state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
ferry_pool_set_error_text (FerryPool  *self,
                           const char *text)
{
  ferry_update_string (self, &self->error, text, properties[PROP_ERROR]);
}

void
ferry_pool_set_master_url (FerryPool  *self,
                           const char *url)
{
  ferry_update_string (self, &self->master_url, url, properties[PROP_MASTER_URL]);
}

void
ferry_pool_set_name (FerryPool  *self,
                     const char *name)
{
  ferry_update_string (self, &self->name, name, properties[PROP_NAME]);
}

void
ferry_pool_set_uuid (FerryPool  *self,
                     const char *uuid)
{
  ferry_update_string (self, &self->uuid, uuid, properties[PROP_UUID]);
}

void
ferry_pool_emit_objects_changed (FerryPool *self,
                                 GPtrArray *changes)
{
  g_signal_emit (self, signals[SIGNAL_OBJECTS_CHANGED], 0, changes);
}

void
ferry_pool_emit_objects_reset (FerryPool *self)
{
  g_signal_emit (self, signals[SIGNAL_OBJECTS_RESET], 0);
}

gpointer
ferry_pool_lookup (FerryPool  *self,
                   XapiClass   klass,
                   const char *ref)
{
  if (self->cache == NULL || ref == NULL)
    return NULL;

  return xapi_cache_lookup (self->cache, klass, ref);
}

/* ---- GObject ---------------------------------------------------------------- */

static void
ferry_pool_dispose (GObject *object)
{
  FerryPool *self = FERRY_POOL (object);

  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  ferry_pool_load_stop (self, FALSE);
  ferry_pool_drop_connection (self);

  if (self->connect_task != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("The connection was abandoned."));
      ferry_pool_complete_connect (self, error);
    }

  if (self->host_by_ref != NULL)
    ferry_pool_detach_all (self);

  G_OBJECT_CLASS (ferry_pool_parent_class)->dispose (object);
}

static void
ferry_pool_finalize (GObject *object)
{
  FerryPool *self = FERRY_POOL (object);

  g_free (self->url);
  g_free (self->username);
  ferry_password_free (self->password);
  g_free (self->fingerprint);
  g_free (self->name);
  g_free (self->pool_name);
  g_free (self->uuid);
  g_free (self->error);
  g_free (self->master_url);
  g_free (self->redirected_from);
  g_free (self->default_sr_ref);
  g_free (self->suspend_sr_ref);
  g_free (self->master_ref);
  g_clear_object (&self->hosts);
  g_clear_object (&self->vms);
  g_clear_object (&self->srs);
  g_clear_object (&self->networks);
  g_clear_pointer (&self->host_by_ref, g_hash_table_unref);
  g_clear_pointer (&self->vm_by_ref, g_hash_table_unref);
  g_clear_pointer (&self->sr_by_ref, g_hash_table_unref);
  g_clear_pointer (&self->network_by_ref, g_hash_table_unref);
  g_clear_pointer (&self->device_owner, g_hash_table_unref);
  g_clear_pointer (&self->pending_order, g_ptr_array_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->deferred, g_ptr_array_unref);
  g_clear_pointer (&self->member_urls, g_ptr_array_unref);
  g_clear_pointer (&self->host_addresses, g_ptr_array_unref);
  g_clear_pointer (&self->trusted_redirects, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ferry_pool_parent_class)->finalize (object);
}

static void
ferry_pool_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FerryPool *self = FERRY_POOL (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_MASTER_URL:
      g_value_set_string (value, self->master_url);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_pool_class_init (FerryPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ferry_pool_dispose;
  object_class->finalize = ferry_pool_finalize;
  object_class->get_property = ferry_pool_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FERRY_TYPE_POOL_STATE,
                                              FERRY_POOL_STATE_DISCONNECTED, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  properties[PROP_MASTER_URL] = g_param_spec_string ("master-url", NULL, NULL, NULL, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_OBJECTS_CHANGED] =
    g_signal_new ("objects-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  signals[SIGNAL_OBJECTS_RESET] =
    g_signal_new ("objects-reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ferry_pool_init (FerryPool *self)
{
  self->state = FERRY_POOL_STATE_DISCONNECTED;
  self->hosts = g_list_store_new (ferry_host_get_type ());
  self->vms = g_list_store_new (ferry_vm_get_type ());
  self->srs = g_list_store_new (ferry_sr_get_type ());
  self->networks = g_list_store_new (ferry_network_get_type ());
  self->host_by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->vm_by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sr_by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->network_by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->device_owner = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, ferry_pool_pending_free);
  self->pending_order = g_ptr_array_new ();
  self->deferred = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->member_urls = g_ptr_array_new_with_free_func (g_free);
  self->host_addresses = g_ptr_array_new_with_free_func (g_free);
  self->trusted_redirects = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
  self->backoff = BACKOFF_MIN_SECONDS;
}

FerryPool *
ferry_pool_new (const char *url,
                const char *username)
{
  FerryPool *self = g_object_new (FERRY_TYPE_POOL, NULL);

  self->url = g_strdup (url);
  self->username = g_strdup (username);
  self->name = g_strdup (url);
  self->master_url = g_strdup (url);

  return self;
}

/* ---- public getters ----------------------------------------------------- */

FerryPoolState
ferry_pool_get_state (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), FERRY_POOL_STATE_DISCONNECTED);
  return self->state;
}

const char *
ferry_pool_get_name (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return self->name;
}

const char *
ferry_pool_get_url (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return self->url;
}

const char *
ferry_pool_get_master_url (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return self->master_url;
}

const char *
ferry_pool_get_error (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return self->error;
}

const char *
ferry_pool_get_uuid (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return self->uuid;
}

const char *
ferry_pool_get_username (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return self->username;
}

const char *
ferry_pool_get_fingerprint (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);

  /* What is pinned now: the one given, or the one the connection learnt
   * (the master's, after HOST_IS_SLAVE). */
  if (self->fingerprint != NULL)
    return self->fingerprint;
  return self->connection != NULL ? xapi_connection_get_pinned_fingerprint (self->connection) : NULL;
}

GListModel *
ferry_pool_get_hosts (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return G_LIST_MODEL (self->hosts);
}

GListModel *
ferry_pool_get_vms (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return G_LIST_MODEL (self->vms);
}

GListModel *
ferry_pool_get_srs (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return G_LIST_MODEL (self->srs);
}

GListModel *
ferry_pool_get_networks (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return G_LIST_MODEL (self->networks);
}

XapiConnection *
ferry_pool_get_connection (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return self->connection;
}

XapiCache *
ferry_pool_get_cache (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return self->cache;
}
