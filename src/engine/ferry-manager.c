/* ferry-manager.c: the facade the window and ferryctl use
 *
 * The manager owns the pools (one per URL), the jobs (every migration of
 * this run, plus those found running when a pool connects) and the queue of
 * storage migrations: at most N per source host run at once, the others
 * wait in order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ferry-manager-private.h"
#include "ferry-object-private.h"

enum
{
  SIGNAL_BATCH_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FerryManager, ferry_manager, G_TYPE_OBJECT)

/* ---- GObject ------------------------------------------------------------------ */

static void
ferry_manager_dispose (GObject *object)
{
  FerryManager *self = FERRY_MANAGER (object);
  guint         n;

  g_clear_handle_id (&self->kick_id, g_source_remove);
  g_clear_handle_id (&self->wake_id, g_source_remove);
  g_clear_handle_id (&self->unclaimed_id, g_source_remove);

  if (self->pools != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(FerryPool) pool = g_list_model_get_item (G_LIST_MODEL (self->pools), i);

          g_signal_handlers_disconnect_by_data (pool, self);
        }
    }

  if (self->jobs != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(FerryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

          ferry_job_detach (job);
        }
    }

  if (self->batches != NULL)
    for (guint i = 0; i < self->batches->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->batches, i), self);
  g_clear_pointer (&self->batches, g_ptr_array_unref);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (ferry_server_store_get_settings (self->store), self);

  g_clear_object (&self->pools);
  g_clear_object (&self->jobs);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ferry_manager_parent_class)->dispose (object);
}

static void
ferry_manager_finalize (GObject *object)
{
  FerryManager *self = FERRY_MANAGER (object);

  g_clear_pointer (&self->rates, g_hash_table_unref);
  g_clear_pointer (&self->trusted_redirects, g_hash_table_unref);
  g_clear_pointer (&self->concurrency, g_hash_table_unref);
  g_clear_pointer (&self->choices, g_hash_table_unref);

  G_OBJECT_CLASS (ferry_manager_parent_class)->finalize (object);
}

static void
ferry_manager_class_init (FerryManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_manager_dispose;
  object_class->finalize = ferry_manager_finalize;

  /* A batch (ferry_manager_add_batch()) has ended: every job in it ended
   * or its outcome is unknown. */
  signals[SIGNAL_BATCH_ENDED] = g_signal_new ("batch-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 1, FERRY_TYPE_BATCH);
}

static void
ferry_manager_init (FerryManager *self)
{
  self->pools = g_list_store_new (FERRY_TYPE_POOL);
  self->jobs = g_list_store_new (FERRY_TYPE_JOB);
  self->per_host = DEFAULT_PER_HOST;
  self->rates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->trusted_redirects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   (GDestroyNotify) g_ptr_array_unref);
  self->concurrency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->batches = g_ptr_array_new_with_free_func (g_object_unref);
  self->choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
}

FerryManager *
ferry_manager_new (FerryServerStore *store)
{
  FerryManager *self = g_object_new (FERRY_TYPE_MANAGER, NULL);

  if (store != NULL)
    {
      GSettings *settings = ferry_server_store_get_settings (store);
      g_autoptr(GSettingsSchema) schema = NULL;

      self->store = g_object_ref (store);
      g_object_get (settings, "settings-schema", &schema, NULL);
      if (schema != NULL && g_settings_schema_has_key (schema, "storage-migrations-per-host"))
        self->per_host = MAX (1, g_settings_get_uint (settings, "storage-migrations-per-host"));
      /* A pool's value changed in Preferences (or another Ferry): the
       * queue follows at once. */
      if (schema != NULL && g_settings_schema_has_key (schema, "pool-concurrency"))
        g_signal_connect_object (settings, "changed::pool-concurrency",
                                 G_CALLBACK (ferry_manager_pool_concurrency_changed_cb), self, G_CONNECT_SWAPPED);
    }

  return self;
}

FerryServerStore *
ferry_manager_get_store (FerryManager *self)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return self->store;
}

GListModel *
ferry_manager_get_pools (FerryManager *self)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return G_LIST_MODEL (self->pools);
}

GListModel *
ferry_manager_get_jobs (FerryManager *self)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

/* ---- finding things --------------------------------------------------------- */

FerryPool *
ferry_manager_find_pool (FerryManager *self,
                         const char   *name_or_uuid_or_url)
{
  g_autofree char *canonical = NULL;
  FerryPool       *found = NULL;
  guint            matches = 0;
  guint            n;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);

  if (name_or_uuid_or_url == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  for (guint i = 0; i < n; i++)
    {
      FerryPool *pool = ferry_store_peek (G_LIST_MODEL (self->pools), i);

      if (g_strcmp0 (ferry_pool_get_uuid (pool), name_or_uuid_or_url) == 0)
        return pool; /* (transfer none) */
    }

  if (strchr (name_or_uuid_or_url, '.') != NULL || strchr (name_or_uuid_or_url, ':') != NULL)
    {
      canonical = ferry_server_canonical_url (name_or_uuid_or_url);
      if (canonical != NULL && (found = ferry_manager_find_pool_by_url (self, canonical)) != NULL)
        return found; /* (transfer none) */
    }

  for (guint i = 0; i < n; i++)
    {
      FerryPool *pool = ferry_store_peek (G_LIST_MODEL (self->pools), i);

      if (g_strcmp0 (ferry_pool_get_name (pool), name_or_uuid_or_url) == 0)
        {
          found = pool;
          matches++;
        }
    }

  if (matches == 1)
    return found; /* (transfer none) */

  canonical = canonical != NULL ? canonical : ferry_server_canonical_url (name_or_uuid_or_url);
  return canonical != NULL ? ferry_manager_find_pool_by_url (self, canonical) : NULL;
}

/* A uuid anywhere; else a name that only one object carries in all pools. */
static gpointer
find_anywhere (FerryManager *self,
               const char   *key,
               GListModel *(*get_model) (FerryPool *) )
{
  guint                   n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  g_autofree GListModel **models = g_new (GListModel *, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    models[i] = get_model (ferry_store_peek (G_LIST_MODEL (self->pools), i));

  return ferry_object_find (models, n, key); /* (transfer none) */
}

FerryVm *
ferry_manager_find_vm (FerryManager *self,
                       const char   *uuid_or_name)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return find_anywhere (self, uuid_or_name, ferry_pool_get_vms);
}

FerryHost *
ferry_manager_find_host (FerryManager *self,
                         const char   *uuid_or_name)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  return find_anywhere (self, uuid_or_name, ferry_pool_get_hosts);
}

FerryJob *
ferry_manager_find_job (FerryManager *self,
                        const char   *id_or_task)
{
  guint n;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);

  if (id_or_task == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n; i++)
    {
      FerryJob *job = ferry_store_peek (G_LIST_MODEL (self->jobs), i);

      if (g_strcmp0 (ferry_job_get_id (job), id_or_task) == 0 ||
          g_strcmp0 (ferry_job_get_task_ref (job), id_or_task) == 0)
        return job; /* (transfer none) */
    }

  /* A task uuid (as xe and XO show them): the task's reference in the pool
   * that knows it. */
  if (g_str_has_prefix (id_or_task, "OpaqueRef:"))
    return NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->pools));
  for (guint i = 0; i < n; i++)
    {
      XapiCache  *cache = ferry_pool_get_cache (ferry_store_peek (G_LIST_MODEL (self->pools), i));
      const char *ref = cache != NULL ? xapi_cache_find_by_uuid (cache, XAPI_CLASS_TASK, id_or_task) : NULL;

      if (ref != NULL)
        return ferry_manager_find_job (self, ref);
    }

  return NULL;
}

/* ---- migrating -------------------------------------------------------------------- */

FerryJob *
ferry_manager_migrate (FerryManager        *self,
                       FerryVm             *vm,
                       FerryHost           *target,
                       FerryMigrateOptions *options)
{
  FerryJob *job;
  g_autoptr(FerryMigrateOptions) with_compress = NULL;
  g_autofree char *key = NULL;
  FerryPool       *target_pool;
  GSettings       *compress;
  double          *rate;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  g_return_val_if_fail (FERRY_IS_VM (vm), NULL);
  g_return_val_if_fail (FERRY_IS_HOST (target), NULL);

  target_pool = ferry_host_get_pool (target);
  key = ferry_manager_rate_key (ferry_vm_get_pool (vm), target_pool);
  rate = g_hash_table_lookup (self->rates, key);

  /* The "compress" preference is the default when the caller says nothing. */
  compress = ferry_manager_settings_with_key (self, "compress");
  if (!ferry_migrate_options_get_compress (options, NULL) && compress != NULL &&
      g_settings_get_boolean (compress, "compress"))
    {
      with_compress = ferry_migrate_options_copy (options);
      ferry_migrate_options_set_compress (with_compress, TRUE);
      options = with_compress;
    }

  job = ferry_job_new (&ferry_manager_job_hooks, self, vm, target, options, rate != NULL ? *rate : -1);
  g_list_store_append (self->jobs, job);
  ferry_job_start (job);
  /* The jobs model holds the job from here on; the caller borrows it. */
  g_object_unref (job);

  return job; /* (transfer none) */
}

gboolean
ferry_manager_check_target (FerryManager *self,
                            FerryVm      *vm,
                            FerryHost    *target,
                            char        **reason)
{
  g_return_val_if_fail (FERRY_IS_MANAGER (self), FALSE);
  g_return_val_if_fail (FERRY_IS_VM (vm), FALSE);
  g_return_val_if_fail (FERRY_IS_HOST (target), FALSE);

  return ferry_precheck (vm, target, ferry_job_vm_is_busy (vm), reason, NULL, NULL);
}

gboolean
ferry_manager_remove_job (FerryManager *self,
                          FerryJob     *job)
{
  g_autoptr(FerryJob) keep = NULL;
  guint position;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), FALSE);
  g_return_val_if_fail (FERRY_IS_JOB (job), FALSE);

  /* Only what has sent nothing to a pool: a running migration goes on in
   * the pool whatever the list says. */
  if (ferry_job_get_state (job) != FERRY_JOB_STATE_QUEUED || !ferry_job_is_waiting (job))
    return FALSE;
  if (!g_list_store_find (self->jobs, job, &position))
    return FALSE;

  keep = g_object_ref (job);
  ferry_job_cancel (job);
  g_list_store_remove (self->jobs, position);
  ferry_manager_kick_queue_soon (self);

  return TRUE;
}

static void
batch_ended_cb (FerryManager *self,
                GParamSpec   *pspec,
                FerryBatch   *batch)
{
  if (ferry_batch_get_ended (batch))
    g_signal_emit (self, signals[SIGNAL_BATCH_ENDED], 0, batch);
}

FerryBatch *
ferry_manager_add_batch (FerryManager *self,
                         const char   *title,
                         GPtrArray    *jobs)
{
  g_autoptr(FerryBatch) owned = NULL;
  FerryBatch *batch;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (jobs != NULL, NULL);

  owned = ferry_batch_new (title, jobs);
  /* One job is told about as itself, not as a batch of one. */
  if (ferry_batch_get_jobs (owned)->len < 2)
    return NULL;

  /* The manager keeps it; the caller borrows it. */
  batch = owned;
  g_ptr_array_add (self->batches, g_steal_pointer (&owned));
  g_signal_connect_object (batch, "notify::ended", G_CALLBACK (batch_ended_cb), self, G_CONNECT_SWAPPED);
  ferry_batch_check (batch);

  return batch; /* (transfer none) */
}

/* ---- choices remembered for a pair of pools ------------------------------------ */

static char *
pair_key (FerryPool *source,
          FerryPool *target)
{
  const char *from = ferry_pool_get_uuid (source);
  const char *to = ferry_pool_get_uuid (target);

  return from != NULL && to != NULL ? g_strdup_printf ("%s>%s", from, to) : NULL;
}

void
ferry_manager_remember_choices (FerryManager              *self,
                                FerryPool                 *source,
                                FerryPool                 *target,
                                const FerryMigrateOptions *options)
{
  g_autofree char *key = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  FerrySr      *sr;
  FerryNetwork *network;
  FerryNetwork *transfer;
  GVariant     *value;
  GSettings    *settings;

  g_return_if_fail (FERRY_IS_MANAGER (self));
  g_return_if_fail (FERRY_IS_POOL (source));
  g_return_if_fail (FERRY_IS_POOL (target));
  g_return_if_fail (options != NULL);

  key = pair_key (source, target);
  if (key == NULL || source == target)
    return;

  /* Uuids only: what a later run can find again in the same pools. */
  sr = ferry_migrate_options_get_sr (options);
  network = ferry_migrate_options_get_network (options);
  transfer = ferry_migrate_options_get_migration_network (options);
  if (sr != NULL && ferry_sr_get_uuid (sr) != NULL)
    g_variant_builder_add (&builder, "{ss}", "sr", ferry_sr_get_uuid (sr));
  if (network != NULL && ferry_network_get_uuid (network) != NULL)
    g_variant_builder_add (&builder, "{ss}", "network", ferry_network_get_uuid (network));
  if (transfer != NULL && ferry_network_get_uuid (transfer) != NULL)
    g_variant_builder_add (&builder, "{ss}", "migration-network", ferry_network_get_uuid (transfer));
  value = g_variant_ref_sink (g_variant_builder_end (&builder));

  /* No explicit choice this time: what was remembered stays. */
  if (g_variant_n_children (value) == 0)
    {
      g_variant_unref (value);
      return;
    }

  settings = ferry_manager_settings_with_key (self, "pool-pair-choices");
  if (settings != NULL)
    {
      g_autoptr(GVariant) old = g_settings_get_value (settings, "pool-pair-choices");

      g_settings_set_value (settings, "pool-pair-choices", ferry_manager_dict_with (old, key, value));
      g_variant_unref (value);
    }
  else
    g_hash_table_insert (self->choices, g_steal_pointer (&key), value);
}

FerryMigrateOptions *
ferry_manager_recall_choices (FerryManager *self,
                              FerryPool    *source,
                              FerryHost    *target)
{
  g_autoptr(FerryMigrateOptions) options = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autofree char *key = NULL;
  FerryPool       *target_pool;
  GSettings       *settings;
  const char      *uuid;
  gboolean         any = FALSE;

  g_return_val_if_fail (FERRY_IS_MANAGER (self), NULL);
  g_return_val_if_fail (FERRY_IS_POOL (source), NULL);
  g_return_val_if_fail (FERRY_IS_HOST (target), NULL);

  target_pool = ferry_host_get_pool (target);
  if (target_pool == NULL || target_pool == source || (key = pair_key (source, target_pool)) == NULL)
    return NULL;

  settings = ferry_manager_settings_with_key (self, "pool-pair-choices");
  if (settings != NULL)
    {
      g_autoptr(GVariant) all = g_settings_get_value (settings, "pool-pair-choices");

      value = g_variant_lookup_value (all, key, G_VARIANT_TYPE ("a{ss}"));
    }
  else if (g_hash_table_lookup (self->choices, key) != NULL)
    value = g_variant_ref (g_hash_table_lookup (self->choices, key));
  if (value == NULL)
    return NULL;

  /* Only what is still there and what this host can use. */
  options = ferry_migrate_options_new ();
  if (g_variant_lookup (value, "sr", "&s", &uuid))
    {
      FerrySr *sr = ferry_pool_find_sr (target_pool, uuid);

      if (sr != NULL && g_strcmp0 (ferry_sr_get_uuid (sr), uuid) == 0 && ferry_sr_is_attached_to (sr, target))
        {
          ferry_migrate_options_set_sr (options, sr);
          any = TRUE;
        }
    }
  if (g_variant_lookup (value, "network", "&s", &uuid))
    {
      FerryNetwork *network = ferry_pool_find_network (target_pool, uuid);

      if (network != NULL && g_strcmp0 (ferry_network_get_uuid (network), uuid) == 0)
        {
          ferry_migrate_options_set_network (options, network);
          any = TRUE;
        }
    }
  if (g_variant_lookup (value, "migration-network", "&s", &uuid))
    {
      FerryNetwork *network = ferry_pool_find_network (target_pool, uuid);

      if (network != NULL && g_strcmp0 (ferry_network_get_uuid (network), uuid) == 0 &&
          ferry_network_has_pif_on (network, target))
        {
          ferry_migrate_options_set_migration_network (options, network);
          any = TRUE;
        }
    }

  return any ? g_steal_pointer (&options) : NULL; /* (transfer full) */
}
