/* ferry-plan-options.c: FerryMigrateOptions, the user's overrides of a plan
 *
 * Everything unset means "default": the planner decides.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-network.h"
#include "ferry-plan-private.h"
#include "ferry-plan.h"
#include "ferry-sr.h"

static GHashTable *
new_object_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

FerryMigrateOptions *
ferry_migrate_options_new (void)
{
  FerryMigrateOptions *opts = g_new0 (FerryMigrateOptions, 1);

  opts->disk_srs = new_object_table ();
  opts->vif_networks = new_object_table ();

  return opts;
}

static void
copy_table (GHashTable *to,
            GHashTable *from)
{
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, g_strdup (key), g_object_ref (value));
}

FerryMigrateOptions *
ferry_migrate_options_copy (const FerryMigrateOptions *opts)
{
  FerryMigrateOptions *copy = ferry_migrate_options_new ();

  if (opts == NULL)
    return copy;

  g_set_object (&copy->sr, opts->sr);
  copy_table (copy->disk_srs, opts->disk_srs);
  g_set_object (&copy->network, opts->network);
  copy_table (copy->vif_networks, opts->vif_networks);
  g_set_object (&copy->migration_network, opts->migration_network);
  copy->copy = opts->copy;
  copy->compress = opts->compress;
  copy->compress_set = opts->compress_set;
  copy->force = opts->force;
  copy->storage_motion = opts->storage_motion;

  return copy;
}

void
ferry_migrate_options_free (FerryMigrateOptions *opts)
{
  if (opts == NULL)
    return;

  g_clear_object (&opts->sr);
  g_clear_pointer (&opts->disk_srs, g_hash_table_unref);
  g_clear_object (&opts->network);
  g_clear_pointer (&opts->vif_networks, g_hash_table_unref);
  g_clear_object (&opts->migration_network);
  g_free (opts);
}

/* A per-disk or per-VIF override: @object for @ref, or none if NULL. */
static void
set_in_table (GHashTable *table,
              const char *ref,
              gpointer    object)
{
  if (object == NULL)
    g_hash_table_remove (table, ref);
  else
    g_hash_table_insert (table, g_strdup (ref), g_object_ref (object));
}

G_DEFINE_BOXED_TYPE (FerryMigrateOptions, ferry_migrate_options,
                     ferry_migrate_options_copy, ferry_migrate_options_free)

void
ferry_migrate_options_set_sr (FerryMigrateOptions *opts,
                              FerrySr             *sr)
{
  g_return_if_fail (opts != NULL);
  g_set_object (&opts->sr, sr);
}

void
ferry_migrate_options_set_disk_sr (FerryMigrateOptions *opts,
                                   const char          *vdi_ref,
                                   FerrySr             *sr)
{
  g_return_if_fail (opts != NULL);
  g_return_if_fail (vdi_ref != NULL);

  set_in_table (opts->disk_srs, vdi_ref, sr);
}

void
ferry_migrate_options_set_network (FerryMigrateOptions *opts,
                                   FerryNetwork        *network)
{
  g_return_if_fail (opts != NULL);
  g_set_object (&opts->network, network);
}

void
ferry_migrate_options_set_vif_network (FerryMigrateOptions *opts,
                                       const char          *vif_ref,
                                       FerryNetwork        *network)
{
  g_return_if_fail (opts != NULL);
  g_return_if_fail (vif_ref != NULL);

  set_in_table (opts->vif_networks, vif_ref, network);
}

void
ferry_migrate_options_set_migration_network (FerryMigrateOptions *opts,
                                             FerryNetwork        *network)
{
  g_return_if_fail (opts != NULL);
  g_set_object (&opts->migration_network, network);
}

void
ferry_migrate_options_set_copy (FerryMigrateOptions *opts,
                                gboolean             copy)
{
  g_return_if_fail (opts != NULL);
  opts->copy = !!copy;
}

void
ferry_migrate_options_set_compress (FerryMigrateOptions *opts,
                                    gboolean             compress)
{
  g_return_if_fail (opts != NULL);
  opts->compress = !!compress;
  opts->compress_set = TRUE;
}

void
ferry_migrate_options_set_force (FerryMigrateOptions *opts,
                                 gboolean             force)
{
  g_return_if_fail (opts != NULL);
  opts->force = !!force;
}

void
ferry_migrate_options_set_storage_motion (FerryMigrateOptions *opts,
                                          gboolean             storage_motion)
{
  g_return_if_fail (opts != NULL);
  opts->storage_motion = !!storage_motion;
}

FerrySr *
ferry_migrate_options_get_sr (const FerryMigrateOptions *opts)
{
  return opts != NULL ? opts->sr : NULL;
}

FerrySr *
ferry_migrate_options_get_disk_sr (const FerryMigrateOptions *opts,
                                   const char                *vdi_ref)
{
  return opts != NULL && vdi_ref != NULL ? g_hash_table_lookup (opts->disk_srs, vdi_ref) : NULL;
}

FerryNetwork *
ferry_migrate_options_get_network (const FerryMigrateOptions *opts)
{
  return opts != NULL ? opts->network : NULL;
}

FerryNetwork *
ferry_migrate_options_get_vif_network (const FerryMigrateOptions *opts,
                                       const char                *vif_ref)
{
  return opts != NULL && vif_ref != NULL ? g_hash_table_lookup (opts->vif_networks, vif_ref) : NULL;
}

FerryNetwork *
ferry_migrate_options_get_migration_network (const FerryMigrateOptions *opts)
{
  return opts != NULL ? opts->migration_network : NULL;
}

gboolean
ferry_migrate_options_get_copy (const FerryMigrateOptions *opts)
{
  return opts != NULL && opts->copy;
}

gboolean
ferry_migrate_options_get_force (const FerryMigrateOptions *opts)
{
  return opts != NULL && opts->force;
}

gboolean
ferry_migrate_options_get_compress (const FerryMigrateOptions *opts,
                                    gboolean                  *compress)
{
  if (compress != NULL)
    *compress = opts != NULL && opts->compress;
  return opts != NULL && opts->compress_set;
}

gboolean
ferry_migrate_options_get_storage_motion (const FerryMigrateOptions *opts)
{
  return opts != NULL && opts->storage_motion;
}

gboolean
ferry_migrate_options_has_sr_override (const FerryMigrateOptions *opts)
{
  return opts != NULL && (opts->sr != NULL || g_hash_table_size (opts->disk_srs) > 0);
}
