/* ferry-manager-queue.c: the queue of storage migrations, its slots and limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-manager-private.h"

static guint pool_limit (FerryManager *self,
                         FerryPool    *pool);

/* ---- the queue -------------------------------------------------------------- */

static void
hook_enqueue (gpointer  owner,
              FerryJob *job)
{
  ferry_manager_kick_queue_soon (FERRY_MANAGER (owner));
}

static void
hook_release (gpointer  owner,
              FerryJob *job)
{
  ferry_manager_kick_queue_soon (FERRY_MANAGER (owner));
}

char *
ferry_manager_rate_key (FerryPool *source,
                        FerryPool *target)
{
  return g_strdup_printf ("%s|%s", source != NULL ? ferry_pool_get_url (source) : "",
                          target != NULL ? ferry_pool_get_url (target) : "");
}

static void
hook_rate (gpointer  owner,
           FerryJob *job,
           double    bytes_per_second)
{
  FerryManager *self = FERRY_MANAGER (owner);
  FerryHost    *target = ferry_job_get_target (job);
  double       *value = g_new (double, 1);

  *value = bytes_per_second;
  g_hash_table_insert (self->rates,
                       ferry_manager_rate_key (ferry_job_get_source_pool (job),
                                               target != NULL ? ferry_host_get_pool (target) : NULL),
                       value);
}

const FerryJobHooks ferry_manager_job_hooks = {
  hook_enqueue,
  hook_release,
  hook_rate,
};

static guint
count_in_slot (FerryManager *self,
               const char   *key)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  guint count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (ferry_job_is_in_slot (job) && g_strcmp0 (ferry_job_get_source_key (job), key) == 0)
        count++;
    }

  return count;
}

static gboolean
on_wake (gpointer user_data)
{
  FerryManager *self = user_data;

  self->wake_id = 0;
  ferry_manager_kick_queue_soon (self);

  return G_SOURCE_REMOVE;
}

static void
kick_queue (FerryManager *self)
{
  g_autoptr(GHashTable) blocked = g_hash_table_new (g_str_hash, g_str_equal);
  guint  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  gint64 now = g_get_monotonic_time ();
  gint64 next_wake = G_MAXINT64;

  /* In order: a job waiting for its host keeps the later ones of the same
   * host waiting too. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);
      const char *key = ferry_job_get_source_key (job);
      FerryPool  *pool = ferry_job_get_source_pool (job);

      /* A paused job keeps its place without holding up the others. */
      if (!ferry_job_is_waiting (job) || ferry_job_get_paused (job) || g_hash_table_contains (blocked, key))
        continue;

      if (ferry_job_get_not_before (job) > now)
        next_wake = MIN (next_wake, ferry_job_get_not_before (job));

      if (pool == NULL || ferry_pool_get_state (pool) != FERRY_POOL_STATE_READY ||
          count_in_slot (self, key) >= pool_limit (self, pool) ||
          ferry_job_get_not_before (job) > now)
        {
          g_hash_table_add (blocked, (gpointer) key);
          continue;
        }

      ferry_job_start_storage (job);
    }

  /* Back-offs end by themselves, whatever else happens meanwhile. */
  g_clear_handle_id (&self->wake_id, g_source_remove);
  if (next_wake != G_MAXINT64)
    self->wake_id = g_timeout_add ((guint) ((next_wake - now) / 1000) + 10, on_wake, self);
}

static gboolean
on_kick_idle (gpointer user_data)
{
  FerryManager *self = user_data;

  self->kick_id = 0;
  kick_queue (self);

  return G_SOURCE_REMOVE;
}

void
ferry_manager_kick_queue_soon (FerryManager *self)
{
  if (self->kick_id == 0)
    self->kick_id = g_idle_add (on_kick_idle, self);
}

void
ferry_manager_set_storage_migrations_per_host (FerryManager *self,
                                               guint         n)
{
  g_return_if_fail (FERRY_IS_MANAGER (self));

  self->per_host = MAX (n, 1);
  ferry_manager_kick_queue_soon (self);
}

guint
ferry_manager_get_storage_migrations_per_host (FerryManager *self)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), DEFAULT_PER_HOST);
  return self->per_host;
}

/* ---- steering the queue ------------------------------------------------------- */

/* The store's settings if their schema has @key (tests may run with a
 * store whose settings lack it), else NULL.  (transfer none) */
GSettings *
ferry_manager_settings_with_key (FerryManager *self,
                                 const char   *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettings *settings;

  if (self->store == NULL)
    return NULL;
  settings = ferry_server_store_get_settings (self->store);
  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key) ? settings : NULL;
}

/* @dict (a{s*}) with @key set to @value (or removed if NULL): a new
 * floating dictionary of the same type.  GVariantDict would make an a{sv}. */
GVariant *
ferry_manager_dict_with (GVariant   *dict,
                         const char *key,
                         GVariant   *value)
{
  GVariantBuilder builder;
  GVariantIter    iter;
  const char     *k;
  GVariant       *v;

  g_variant_builder_init (&builder, g_variant_get_type (dict));
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s@*}", &k, &v))
    {
      if (!g_str_equal (k, key))
        g_variant_builder_add (&builder, "{s@*}", k, v);
      g_variant_unref (v);
    }
  if (value != NULL)
    g_variant_builder_add (&builder, "{s@*}", key, value);

  return g_variant_builder_end (&builder);
}

void
ferry_manager_pool_concurrency_changed_cb (FerryManager *self,
                                           const char   *key,
                                           GSettings    *settings)
{
  ferry_manager_kick_queue_soon (self);
}

/* The pool's own value, 0 if it has none. */
static guint
pool_own_limit (FerryManager *self,
                FerryPool    *pool)
{
  const char *uuid = pool != NULL ? ferry_pool_get_uuid (pool) : NULL;
  GSettings  *settings = ferry_manager_settings_with_key (self, "pool-concurrency");
  guint       n = 0;

  if (uuid == NULL)
    return 0;
  if (settings != NULL)
    {
      g_autoptr(GVariant) values = g_settings_get_value (settings, "pool-concurrency");

      if (!g_variant_lookup (values, uuid, "u", &n))
        n = 0;
    }
  else
    n = GPOINTER_TO_UINT (g_hash_table_lookup (self->concurrency, uuid));

  return n > 0 ? CLAMP (n, 1, MAX_POOL_CONCURRENCY) : 0;
}

static guint
pool_limit (FerryManager *self,
            FerryPool    *pool)
{
  guint own;

  if (self->concurrency_all > 0)
    return self->concurrency_all;
  own = pool_own_limit (self, pool);
  return own > 0 ? own : self->per_host;
}

void
ferry_manager_set_pool_concurrency (FerryManager *self,
                                    FerryPool    *pool,
                                    guint         n)
{
  GSettings  *settings;
  const char *uuid;

  g_return_if_fail (FERRY_IS_MANAGER (self));
  g_return_if_fail (FERRY_IS_POOL (pool));

  uuid = ferry_pool_get_uuid (pool);
  g_return_if_fail (uuid != NULL);
  if (n > 0)
    n = CLAMP (n, 1, MAX_POOL_CONCURRENCY);

  settings = ferry_manager_settings_with_key (self, "pool-concurrency");
  if (settings != NULL)
    {
      g_autoptr(GVariant) old = g_settings_get_value (settings, "pool-concurrency");

      g_settings_set_value (settings, "pool-concurrency",
                            ferry_manager_dict_with (old, uuid, n > 0 ? g_variant_new_uint32 (n) : NULL));
    }
  else if (n > 0)
    g_hash_table_insert (self->concurrency, g_strdup (uuid), GUINT_TO_POINTER (n));
  else
    g_hash_table_remove (self->concurrency, uuid);

  ferry_manager_kick_queue_soon (self);
}

guint
ferry_manager_get_pool_concurrency (FerryManager *self,
                                    FerryPool    *pool)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), DEFAULT_PER_HOST);
  g_return_val_if_fail (FERRY_IS_POOL (pool), DEFAULT_PER_HOST);

  return pool_limit (self, pool);
}

void
ferry_manager_set_concurrency_override (FerryManager *self,
                                        guint         n)
{
  g_return_if_fail (FERRY_IS_MANAGER (self));

  self->concurrency_all = n > 0 ? CLAMP (n, 1, MAX_POOL_CONCURRENCY) : 0;
  ferry_manager_kick_queue_soon (self);
}
