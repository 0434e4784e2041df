/* ferry-plan.c: how a VM will move, and the user's overrides
 *
 * The defaults follow XAPI's own client (xe) and Xen Orchestra: a disk on
 * storage the target host already sees stays there (inside a pool); other
 * disks go to the target pool's default SR, or else to the attached shared
 * SR with the most free space, or else the local one; each VIF goes to the
 * target network of the same name, or else to the management network; the
 * migration traffic uses the target host's management network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "ferry-engine-private.h"

/* ---- FerryMigrateOptions -------------------------------------------------- */

struct _FerryMigrateOptions
{
  FerrySr      *sr;
  GHashTable   *disk_srs;       /* vdi ref -> FerrySr */
  FerryNetwork *network;
  GHashTable   *vif_networks;   /* vif ref -> FerryNetwork */
  FerryNetwork *migration_network;
  gboolean      copy;
  gboolean      compress;
  gboolean      compress_set;
  gboolean      force;
  gboolean      storage_motion;
};

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
  gpointer key, value;

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

  if (sr == NULL)
    g_hash_table_remove (opts->disk_srs, vdi_ref);
  else
    g_hash_table_insert (opts->disk_srs, g_strdup (vdi_ref), g_object_ref (sr));
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

  if (network == NULL)
    g_hash_table_remove (opts->vif_networks, vif_ref);
  else
    g_hash_table_insert (opts->vif_networks, g_strdup (vif_ref), g_object_ref (network));
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

/* ---- FerryPlanDisk / FerryPlanVif ----------------------------------------- */

FerryPlanDisk *
ferry_plan_disk_copy (const FerryPlanDisk *disk)
{
  FerryPlanDisk *copy = g_new0 (FerryPlanDisk, 1);

  copy->vdi_ref = g_strdup (disk->vdi_ref);
  copy->name = g_strdup (disk->name);
  copy->virtual_size = disk->virtual_size;
  copy->from = disk->from != NULL ? g_object_ref (disk->from) : NULL;
  copy->to = disk->to != NULL ? g_object_ref (disk->to) : NULL;
  copy->moves = disk->moves;
  copy->why = g_strdup (disk->why);

  return copy;
}

void
ferry_plan_disk_free (FerryPlanDisk *disk)
{
  if (disk == NULL)
    return;

  g_free (disk->vdi_ref);
  g_free (disk->name);
  g_clear_object (&disk->from);
  g_clear_object (&disk->to);
  g_free (disk->why);
  g_free (disk);
}

G_DEFINE_BOXED_TYPE (FerryPlanDisk, ferry_plan_disk, ferry_plan_disk_copy, ferry_plan_disk_free)

FerryPlanVif *
ferry_plan_vif_copy (const FerryPlanVif *vif)
{
  FerryPlanVif *copy = g_new0 (FerryPlanVif, 1);

  copy->vif_ref = g_strdup (vif->vif_ref);
  copy->device = g_strdup (vif->device);
  copy->mac = g_strdup (vif->mac);
  copy->from = vif->from != NULL ? g_object_ref (vif->from) : NULL;
  copy->to = vif->to != NULL ? g_object_ref (vif->to) : NULL;
  copy->why = g_strdup (vif->why);

  return copy;
}

void
ferry_plan_vif_free (FerryPlanVif *vif)
{
  if (vif == NULL)
    return;

  g_free (vif->vif_ref);
  g_free (vif->device);
  g_free (vif->mac);
  g_clear_object (&vif->from);
  g_clear_object (&vif->to);
  g_free (vif->why);
  g_free (vif);
}

G_DEFINE_BOXED_TYPE (FerryPlanVif, ferry_plan_vif, ferry_plan_vif_copy, ferry_plan_vif_free)

/* ---- FerryPlan -------------------------------------------------------------- */

struct _FerryPlan
{
  GObject              parent_instance;

  FerryMigrationKind   kind;
  gboolean             cross_pool;
  FerryVm             *vm;
  FerryHost           *target;
  FerryNetwork        *migration_network;
  gboolean             migration_network_explicit;
  char                *migration_network_why;
  guint64              bytes_to_copy;
  double               estimated_seconds;
  GPtrArray           *disks;
  GPtrArray           *vifs;
  GHashTable          *snapshot_vifs;  /* VIF ref -> target network ref */
  FerryMigrateOptions *options;
  char                *reason;
  gboolean             live;           /* the VM runs (its memory moves too) */
  gboolean             suspended;      /* it is suspended (else halted, if not live) */
  FerrySr             *suspend_sr;     /* a suspended VM's memory image goes there */
  gboolean             suspend_moves;  /* and is copied (another SR or pool) */
  FerryHost           *home;           /* a VM that does not run: its home host then */
  char                *suspend_sr_why;
};

G_DEFINE_FINAL_TYPE (FerryPlan, ferry_plan, G_TYPE_OBJECT)

static void
ferry_plan_finalize (GObject *object)
{
  FerryPlan *self = FERRY_PLAN (object);

  g_clear_object (&self->vm);
  g_clear_object (&self->target);
  g_clear_object (&self->migration_network);
  g_free (self->migration_network_why);
  g_clear_pointer (&self->disks, g_ptr_array_unref);
  g_clear_pointer (&self->vifs, g_ptr_array_unref);
  g_clear_pointer (&self->snapshot_vifs, g_hash_table_unref);
  g_clear_pointer (&self->options, ferry_migrate_options_free);
  g_free (self->reason);
  g_clear_object (&self->suspend_sr);
  g_clear_object (&self->home);
  g_free (self->suspend_sr_why);

  G_OBJECT_CLASS (ferry_plan_parent_class)->finalize (object);
}

static void
ferry_plan_class_init (FerryPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ferry_plan_finalize;
}

static void
ferry_plan_init (FerryPlan *self)
{
  self->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_plan_disk_free);
  self->vifs = g_ptr_array_new_with_free_func ((GDestroyNotify) ferry_plan_vif_free);
  self->snapshot_vifs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->estimated_seconds = -1;
}

/* ---- the planner ------------------------------------------------------------ */

static gboolean
sr_is_usable (FerrySr    *sr,
              FerryHost  *target,
              GHashTable *unreachable)
{
  /* ISO libraries hold no VM disks, and removable devices are not storage. */
  if (g_strcmp0 (ferry_sr_get_content_type (sr), "iso") == 0
      || g_strcmp0 (ferry_sr_get_sr_type (sr), "iso") == 0
      || g_strcmp0 (ferry_sr_get_sr_type (sr), "udev") == 0)
    return FALSE;
  if (unreachable != NULL && g_hash_table_contains (unreachable, ferry_sr_get_ref (sr)))
    return FALSE;

  return ferry_sr_is_attached_to (sr, target);
}

/* The SR a moving disk goes to when the user chose none, and why. */
static FerrySr *
default_sr (FerryPool   *pool,
            FerryHost   *target,
            GHashTable  *unreachable,
            char       **why)
{
  FerrySr *def = ferry_pool_get_default_sr (pool);
  GListModel *srs = ferry_pool_get_srs (pool);
  FerrySr *best_shared = NULL;
  FerrySr *best_local = NULL;
  guint n = g_list_model_get_n_items (srs);

  if (def != NULL && sr_is_usable (def, target, unreachable))
    {
      *why = g_strdup (_("pool default SR"));
      return def;  /* (transfer none) */
    }

  for (guint i = 0; i < n; i++)
    {
      FerrySr *sr = ferry_store_peek (srs, i);
      FerrySr **best;

      if (!sr_is_usable (sr, target, unreachable))
        continue;

      best = ferry_sr_get_shared (sr) ? &best_shared : &best_local;
      if (*best == NULL || ferry_sr_get_free (sr) > ferry_sr_get_free (*best))
        *best = sr;
    }

  if (def != NULL && unreachable != NULL && g_hash_table_contains (unreachable, ferry_sr_get_ref (def)))
    {
      FerrySr *best = best_shared != NULL ? best_shared : best_local;

      if (best == NULL)
        return NULL;
      *why = g_strdup_printf (best_shared != NULL
                              ? _("shared SR with most free space (the pool says %s cannot use the default SR “%s”)")
                              : _("local SR with most free space (the pool says %s cannot use the default SR “%s”)"),
                              ferry_host_get_name (target), ferry_sr_get_name (def));
      return best;  /* (transfer none) */
    }

  if (best_shared != NULL)
    {
      if (def == NULL)
        *why = g_strdup (_("shared SR with most free space (the pool has no default SR)"));
      else
        *why = g_strdup_printf (_("shared SR with most free space (the default SR “%s” is not attached to %s)"),
                                ferry_sr_get_name (def), ferry_host_get_name (target));
      return best_shared;  /* (transfer none) */
    }
  if (best_local != NULL)
    {
      if (def == NULL)
        *why = g_strdup (_("local SR with most free space (the pool has no default SR)"));
      else
        *why = g_strdup_printf (_("local SR with most free space (the default SR “%s” is not attached to %s)"),
                                ferry_sr_get_name (def), ferry_host_get_name (target));
      return best_local;  /* (transfer none) */
    }

  return NULL;
}

/* A target network with the same name as @source; one the target host has
 * an interface on wins over one it has not. */
static FerryNetwork *
network_with_same_name (FerryPool    *pool,
                        FerryHost    *target,
                        FerryNetwork *source)
{
  GListModel *networks = ferry_pool_get_networks (pool);
  FerryNetwork *fallback = NULL;
  guint n = g_list_model_get_n_items (networks);

  if (source == NULL || ferry_network_get_name (source) == NULL || *ferry_network_get_name (source) == '\0')
    return NULL;

  for (guint i = 0; i < n; i++)
    {
      FerryNetwork *net = ferry_store_peek (networks, i);

      if (g_strcmp0 (ferry_network_get_name (net), ferry_network_get_name (source)) != 0)
        continue;
      if (ferry_network_has_pif_on (net, target))
        return net;  /* (transfer none) */
      if (fallback == NULL)
        fallback = net;
    }

  return fallback;  /* (transfer none) */
}

static gboolean
check_in_pool (FerryPool   *target_pool,
               FerryPool   *pool,
               const char  *what,
               const char  *name,
               GError     **error)
{
  if (pool == target_pool)
    return TRUE;

  /* Translators: the first %s is "SR" or "network", the second its name */
  g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID,
               _("The chosen %s “%s” is not in the target host’s pool."), what, name);
  return FALSE;
}

static gboolean
validate_overrides (const FerryMigrateOptions  *opts,
                    FerryPool                  *target_pool,
                    GError                    **error)
{
  GHashTableIter iter;
  gpointer value;

  if (opts == NULL)
    return TRUE;

  if (opts->sr != NULL
      && !check_in_pool (target_pool, ferry_sr_get_pool (opts->sr), _("SR"), ferry_sr_get_name (opts->sr), error))
    return FALSE;
  g_hash_table_iter_init (&iter, opts->disk_srs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!check_in_pool (target_pool, ferry_sr_get_pool (value), _("SR"), ferry_sr_get_name (value), error))
      return FALSE;

  if (opts->network != NULL
      && !check_in_pool (target_pool, ferry_network_get_pool (opts->network), _("network"),
                         ferry_network_get_name (opts->network), error))
    return FALSE;
  g_hash_table_iter_init (&iter, opts->vif_networks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!check_in_pool (target_pool, ferry_network_get_pool (value), _("network"),
                        ferry_network_get_name (value), error))
      return FALSE;

  if (opts->migration_network != NULL
      && !check_in_pool (target_pool, ferry_network_get_pool (opts->migration_network), _("network"),
                         ferry_network_get_name (opts->migration_network), error))
    return FALSE;

  return TRUE;
}

static void
add_snapshot_vifs (FerryPlan    *self,
                   FerryPool    *source_pool,
                   FerryPool    *target_pool,
                   FerryHost    *target,
                   FerryNetwork *mgmt)
{
  g_autoptr(GHashTable) macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const XapiVm *record;
  XapiStrv snapshots;

  for (guint i = 0; i < self->vifs->len; i++)
    {
      FerryPlanVif *pv = g_ptr_array_index (self->vifs, i);

      if (pv->mac != NULL)
        g_hash_table_add (macs, g_ascii_strdown (pv->mac, -1));
    }

  record = ferry_pool_lookup (source_pool, XAPI_CLASS_VM, ferry_vm_get_ref (self->vm));
  snapshots = record != NULL ? record->snapshots : NULL;
  for (guint i = 0; snapshots != NULL && snapshots[i] != NULL; i++)
    {
      const XapiVm *snapshot = ferry_pool_lookup (source_pool, XAPI_CLASS_VM, snapshots[i]);
      XapiStrv vifs = snapshot != NULL ? snapshot->VIFs : NULL;

      for (guint j = 0; vifs != NULL && vifs[j] != NULL; j++)
        {
          const char *vif_ref = vifs[j];
          const XapiVif *vif = ferry_pool_lookup (source_pool, XAPI_CLASS_VIF, vif_ref);
          g_autofree char *mac = g_ascii_strdown (vif != NULL ? xapi_str (vif->MAC) : "", -1);
          FerryNetwork *from;
          FerryNetwork *to;

          if (vif == NULL || g_hash_table_contains (macs, mac))
            continue;

          from = ferry_pool_get_network_by_ref (source_pool, vif->network);
          to = ferry_migrate_options_get_vif_network (self->options, vif_ref);
          if (to == NULL)
            to = self->options->network;
          if (to == NULL)
            to = network_with_same_name (target_pool, target, from);
          if (to == NULL)
            to = mgmt;
          if (to != NULL)
            g_hash_table_replace (self->snapshot_vifs, g_strdup (vif_ref), g_strdup (ferry_network_get_ref (to)));
        }
    }
}

/* Where XAPI puts a suspended VM's memory image when migrate_send moves it
 * (xapi.md §5.4): the destination pool's suspend SR, else the destination
 * host's, else the pool's default SR; with none of them it refuses
 * (VDI_NOT_IN_MAP), so the plan says so first. */
static gboolean
plan_suspend_sr (FerryPlan  *self,
                 FerryPool  *target_pool,
                 FerryHost  *target,
                 GError    **error)
{
  FerrySr *sr;

  if ((sr = ferry_pool_get_suspend_image_sr (target_pool)) != NULL)
    self->suspend_sr_why = g_strdup_printf (_("suspend SR of the pool “%s”"), ferry_pool_get_name (target_pool));
  else if ((sr = ferry_host_get_suspend_image_sr (target)) != NULL)
    self->suspend_sr_why = g_strdup_printf (_("suspend SR of %s"), ferry_host_get_name (target));
  else if ((sr = ferry_pool_get_default_sr (target_pool)) != NULL)
    self->suspend_sr_why = g_strdup (_("pool default SR"));
  else
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_NO_SR,
                   _("“%s” is suspended, and the pool “%s” has no place for its memory image: it has no suspend SR "
                     "and no default SR, and %s has no suspend SR. Set a default SR on the pool “%s”, or resume "
                     "“%s” and shut it down, then move it."),
                   ferry_vm_get_name (self->vm), ferry_pool_get_name (target_pool), ferry_host_get_name (target),
                   ferry_pool_get_name (target_pool), ferry_vm_get_name (self->vm));
      return FALSE;
    }

  self->suspend_sr = g_object_ref (sr);
  /* Inside a pool an image already on that SR is not copied. */
  self->suspend_moves = self->cross_pool || ferry_vm_get_suspend_sr (self->vm) != sr;
  return TRUE;
}

FerryPlan *
ferry_plan_build (FerryVm                   *vm,
                  FerryHost                 *target,
                  const FerryMigrateOptions *options,
                  GHashTable                *unreachable_srs,
                  gboolean                   force_storage,
                  double                     rate_hint,
                  GError                   **error)
{
  g_autoptr(FerryPlan) self = NULL;
  FerryPool *source_pool;
  FerryPool *target_pool;
  GPtrArray *disks;
  GPtrArray *vifs;
  FerrySr *fallback_sr = NULL;
  g_autofree char *fallback_why = NULL;
  gboolean fallback_done = FALSE;
  gboolean any_moves = FALSE;
  FerryNetwork *mgmt;

  g_return_val_if_fail (FERRY_IS_VM (vm), NULL);
  g_return_val_if_fail (FERRY_IS_HOST (target), NULL);

  source_pool = ferry_vm_get_pool (vm);
  target_pool = ferry_host_get_pool (target);
  if (source_pool == NULL || target_pool == NULL)
    {
      g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED,
                           _("The pool of the VM or of the target host is no longer connected."));
      return NULL;
    }

  self = g_object_new (FERRY_TYPE_PLAN, NULL);
  self->vm = g_object_ref (vm);
  self->target = g_object_ref (target);
  self->options = ferry_migrate_options_copy (options);
  self->cross_pool = source_pool != target_pool;

  if (!validate_overrides (options, target_pool, error))
    return NULL;

  if (self->options->copy && !self->cross_pool)
    {
      g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_INVALID,
                           _("A VM can only be copied to another pool; inside a pool it can only be moved."));
      return NULL;
    }

  /* Disks. */
  disks = ferry_vm_get_disks (vm);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryDisk *disk = g_ptr_array_index (disks, i);
      FerrySr *chosen = ferry_migrate_options_get_disk_sr (self->options, disk->vdi_ref);
      FerryPlanDisk *pd = g_new0 (FerryPlanDisk, 1);

      pd->vdi_ref = g_strdup (disk->vdi_ref);
      pd->name = g_strdup (disk->name);
      pd->virtual_size = disk->virtual_size;
      pd->from = disk->sr != NULL ? g_object_ref (disk->sr) : NULL;
      g_ptr_array_add (self->disks, pd);

      if (chosen != NULL)
        {
          pd->to = g_object_ref (chosen);
          pd->why = g_strdup (_("chosen for this disk"));
        }
      else if (self->options->sr != NULL)
        {
          pd->to = g_object_ref (self->options->sr);
          pd->why = g_strdup (_("chosen for all disks"));
        }
      else if (!self->cross_pool && disk->sr != NULL
               && (unreachable_srs == NULL || !g_hash_table_contains (unreachable_srs, ferry_sr_get_ref (disk->sr)))
               && ferry_sr_is_attached_to (disk->sr, target))
        {
          pd->to = g_object_ref (disk->sr);
          pd->why = g_strdup (ferry_sr_get_shared (disk->sr)
                              ? _("stays on shared SR")
                              : _("stays: the target host sees this SR"));
        }
      else
        {
          if (!fallback_done)
            {
              fallback_sr = default_sr (target_pool, target, unreachable_srs, &fallback_why);
              fallback_done = TRUE;
            }
          if (fallback_sr == NULL)
            {
              g_set_error (error, FERRY_ERROR, FERRY_ERROR_NO_SR,
                           _("No storage attached to %s can take the disk “%s”. Set a default SR on the pool “%s”, or choose an SR."),
                           ferry_host_get_name (target), disk->name, ferry_pool_get_name (target_pool));
              return NULL;
            }
          pd->to = g_object_ref (fallback_sr);
          pd->why = g_strdup (fallback_why);
        }

      pd->moves = self->cross_pool || pd->to != pd->from;
      if (pd->moves)
        {
          /* Thin disks copy what they hold, not their virtual size. */
          any_moves = TRUE;
          self->bytes_to_copy += disk->physical_utilisation > 0 && disk->physical_utilisation < disk->virtual_size
                                 ? disk->physical_utilisation : disk->virtual_size;
        }
    }

  /* A VM that does not run has no memory to move: inside a pool, with
   * every disk where the target sees it, moving it means making the target
   * its home host (VM.set_affinity), where it starts or resumes next.
   * Otherwise XAPI's VM.migrate_send moves it (halted or suspended). */
  self->live = g_strcmp0 (ferry_vm_get_power_state (vm), "Running") == 0;
  self->suspended = g_strcmp0 (ferry_vm_get_power_state (vm), "Suspended") == 0;
  if (!self->live)
    g_set_object (&self->home, ferry_vm_get_affinity (vm));
  if (self->cross_pool || any_moves || force_storage || self->options->storage_motion)
    self->kind = FERRY_MIGRATION_STORAGE;
  else if (!self->live)
    self->kind = FERRY_MIGRATION_HOME_HOST;
  else
    self->kind = FERRY_MIGRATION_PLAIN;

  if (self->kind == FERRY_MIGRATION_STORAGE && self->suspended
      && !plan_suspend_sr (self, target_pool, target, error))
    return NULL;

  /* Network interfaces: inside a pool they stay on their networks (XAPI
   * refuses a VIF map there). */
  mgmt = ferry_pool_get_management_network (target_pool, target);
  vifs = ferry_vm_get_vifs (vm);
  for (guint i = 0; i < vifs->len; i++)
    {
      FerryVif *vif = g_ptr_array_index (vifs, i);
      FerryPlanVif *pv = g_new0 (FerryPlanVif, 1);
      FerryNetwork *to = NULL;

      pv->vif_ref = g_strdup (vif->vif_ref);
      pv->device = g_strdup (vif->device);
      pv->mac = g_strdup (vif->mac);
      pv->from = vif->network != NULL ? g_object_ref (vif->network) : NULL;
      g_ptr_array_add (self->vifs, pv);

      if (!self->cross_pool)
        {
          to = vif->network;
          pv->why = g_strdup (_("stays on its network (same pool)"));
        }
      else if ((to = ferry_migrate_options_get_vif_network (self->options, vif->vif_ref)) != NULL)
        pv->why = g_strdup (_("chosen for this interface"));
      else if ((to = self->options->network) != NULL)
        pv->why = g_strdup (_("chosen for all interfaces"));
      else if ((to = network_with_same_name (target_pool, target, vif->network)) != NULL)
        pv->why = g_strdup (_("network with the same name"));
      else if ((to = mgmt) != NULL)
        pv->why = g_strdup_printf (_("management network of %s"), ferry_host_get_name (target));
      else
        {
          g_set_error (error, FERRY_ERROR, FERRY_ERROR_NO_NETWORK,
                       _("No network of %s can take the network interface %s. Choose a network."),
                       ferry_host_get_name (target), vif->device);
          return NULL;
        }

      pv->to = to != NULL ? g_object_ref (to) : NULL;
    }

  /* Across pools XAPI also wants the VIFs of the VM's snapshots, unless a
   * VIF of the VM has the same MAC (as Xen Orchestra and XenCenter do). */
  if (self->cross_pool)
    add_snapshot_vifs (self, source_pool, target_pool, target, mgmt);

  /* The transfer network (nothing is transferred for a home host). */
  if (self->kind == FERRY_MIGRATION_HOME_HOST)
    ;
  else if (self->options->migration_network != NULL)
    {
      self->migration_network = g_object_ref (self->options->migration_network);
      self->migration_network_explicit = TRUE;
      self->migration_network_why = g_strdup (_("chosen"));
    }
  else if (mgmt != NULL)
    {
      self->migration_network = g_object_ref (mgmt);
      self->migration_network_why = g_strdup_printf (_("management network of %s"), ferry_host_get_name (target));
    }
  else if (self->kind == FERRY_MIGRATION_STORAGE)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_NO_NETWORK,
                   _("%s has no management interface to receive the migration on. Choose a migration network."),
                   ferry_host_get_name (target));
      return NULL;
    }

  /* A running VM's memory moves; a suspended one's image (as large as its
   * memory, at most) is copied with its disks. */
  if (self->live || self->suspend_moves)
    self->bytes_to_copy += ferry_vm_get_memory (vm);
  if (rate_hint > 0)
    self->estimated_seconds = (double) self->bytes_to_copy / rate_hint;

  return g_steal_pointer (&self);
}

static void
add_pair (JsonObject *map,
          const char *key,
          const char *value)
{
  if (key != NULL && value != NULL)
    json_object_set_string_member (map, key, value);
}

JsonObject *
ferry_plan_build_vdi_map (FerryPlan *self)
{
  JsonObject *map = json_object_new ();

  /* Every disk is listed, also those that stay: XAPI requires each VDI of
   * the VM in the map and copies nothing whose SR does not change. */
  for (guint i = 0; i < self->disks->len; i++)
    {
      FerryPlanDisk *pd = g_ptr_array_index (self->disks, i);

      add_pair (map, pd->vdi_ref, pd->to != NULL ? ferry_sr_get_ref (pd->to) : NULL);
    }

  return map;
}

JsonObject *
ferry_plan_build_vif_map (FerryPlan *self)
{
  JsonObject *map = json_object_new ();

  if (!self->cross_pool)
    return map;

  for (guint i = 0; i < self->vifs->len; i++)
    {
      FerryPlanVif *pv = g_ptr_array_index (self->vifs, i);

      add_pair (map, pv->vif_ref, pv->to != NULL ? ferry_network_get_ref (pv->to) : NULL);
    }

  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, self->snapshot_vifs);
    while (g_hash_table_iter_next (&iter, &key, &value))
      add_pair (map, key, value);
  }

  return map;
}

JsonObject *
ferry_plan_build_options (FerryPlan *self)
{
  JsonObject *map = json_object_new ();
  gboolean compress;

  json_object_set_string_member (map, "force", self->options->force ? "true" : "false");

  if (self->kind == FERRY_MIGRATION_PLAIN)
    {
      if (self->migration_network_explicit)
        json_object_set_string_member (map, "network", ferry_network_get_ref (self->migration_network));
    }
  else if (self->options->copy)
    {
      json_object_set_string_member (map, "copy", "true");
    }

  if (ferry_migrate_options_get_compress (self->options, &compress))
    json_object_set_string_member (map, "compress", compress ? "true" : "false");

  return map;
}

const char *
ferry_plan_get_reason (FerryPlan *self)
{
  return self->reason;
}

void
ferry_plan_set_reason (FerryPlan  *self,
                       const char *reason)
{
  ferry_set_string (&self->reason, reason);
}

gboolean
ferry_plan_get_force (FerryPlan *self)
{
  return self->options->force;
}

gboolean
ferry_plan_get_live (FerryPlan *self)
{
  return self->live;
}

/* ---- getters ---------------------------------------------------------------- */

FerryMigrationKind
ferry_plan_get_kind (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), FERRY_MIGRATION_PLAIN);
  return self->kind;
}

FerrySr *
ferry_plan_get_suspend_sr (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->suspend_sr;
}

const char *
ferry_plan_get_suspend_sr_why (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->suspend_sr_why;
}

gboolean
ferry_plan_get_suspend_moves (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), FALSE);
  return self->suspend_moves;
}

gboolean
ferry_plan_needs_confirmation (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), FALSE);
  return self->kind == FERRY_MIGRATION_STORAGE;
}

FerryVm *
ferry_plan_get_vm (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->vm;
}

FerryHost *
ferry_plan_get_target (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->target;
}

FerryNetwork *
ferry_plan_get_migration_network (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->migration_network;
}

const char *
ferry_plan_get_migration_network_why (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->migration_network_why;
}

guint64
ferry_plan_get_bytes_to_copy (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), 0);
  return self->bytes_to_copy;
}

double
ferry_plan_get_estimated_seconds (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), -1);
  return self->estimated_seconds;
}

gboolean
ferry_plan_get_cross_pool (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), FALSE);
  return self->cross_pool;
}

GPtrArray *
ferry_plan_get_disks (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->disks;
}

GPtrArray *
ferry_plan_get_vifs (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->vifs;
}

FerryMigrateOptions *
ferry_plan_get_options (FerryPlan *self)
{
  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);
  return self->options;
}

static char *
format_duration (double seconds)
{
  guint minutes;

  if (seconds < 90)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %u second", "about %u seconds",
                                         (gulong) MAX (1, (guint) ceil (seconds))),
                            MAX (1, (guint) ceil (seconds)));

  minutes = (guint) ceil (seconds / 60.0);
  if (minutes < 120)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %u minute", "about %u minutes", minutes),
                            minutes);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %u hour", "about %u hours",
                                       (minutes + 30) / 60),
                          (minutes + 30) / 60);
}

char *
ferry_plan_format_duration (double seconds)
{
  return format_duration (seconds);
}

/* As planned: the VM's state may change (or its record go) since. */
static gboolean
is_suspended (FerryPlan *self)
{
  return self->suspended;
}

/* A halted or suspended VM (not a copy): a new home host, or a move with
 * its disks. */
static char *
summarize_not_running (FerryPlan *self)
{
  const char *vm_name = ferry_vm_get_name (self->vm);
  const char *target_name = ferry_host_get_name (self->target);
  FerryPool *target_pool = ferry_host_get_pool (self->target);
  const char *pool_name = target_pool != NULL ? ferry_pool_get_name (target_pool) : "?";
  gboolean suspended = is_suspended (self);

  if (self->kind == FERRY_MIGRATION_HOME_HOST)
    return g_strdup_printf (suspended
                            ? _("“%s” is suspended: %s becomes its home host, where it resumes; its disks stay where they are.")
                            : _("“%s” is halted: %s becomes its home host, where it starts next; its disks stay where they are."),
                            vm_name, target_name);

  if (self->cross_pool)
    return g_strdup_printf (suspended
                            ? _("“%s” is suspended and will move to %s in the pool “%s”; its disks and memory image are copied, and it stays suspended.")
                            : _("“%s” is halted and will move to %s in the pool “%s”; its disks are copied, and it stays halted."),
                            vm_name, target_name, pool_name);

  if (suspended && self->suspend_moves)
    return g_strdup_printf (_("“%s” is suspended and will move to %s; its disks and memory image are copied, and it stays suspended."),
                            vm_name, target_name);
  return g_strdup_printf (suspended
                          ? _("“%s” is suspended and will move to %s; its disks are copied, and it stays suspended.")
                          : _("“%s” is halted and will move to %s; its disks are copied, and it stays halted."),
                          vm_name, target_name);
}

/* ferry_plan_describe() for a halted or suspended VM that gets a new home
 * host: nothing is copied. */
static void
describe_home_host (FerryPlan *self,
                    GString   *text)
{
  FerryHost *home = self->home;
  const char *vm_name = ferry_vm_get_name (self->vm);
  const char *target_name = ferry_host_get_name (self->target);

  g_string_append_printf (text, is_suspended (self)
                          ? _("“%s” is suspended: %s will be its home host, so that it resumes there.")
                          : _("“%s” is halted: %s will be its home host, so that it starts there next time."),
                          vm_name, target_name);
  if (home != NULL)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Its home host was %s."), ferry_host_get_name (home));
    }

  for (guint i = 0; i < self->disks->len; i++)
    {
      FerryPlanDisk *pd = g_ptr_array_index (self->disks, i);
      g_autofree char *size = ferry_format_size (pd->virtual_size);

      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("The disk “%s” (%s) stays on “%s”."),
                              pd->name, size, pd->to != NULL ? ferry_sr_get_name (pd->to) : "?");
    }

  g_string_append_c (text, ' ');
  g_string_append (text, _("Nothing is copied."));
}

char *
ferry_plan_summarize (FerryPlan *self)
{
  FerryHost *source;
  FerryPool *target_pool;
  const char *vm_name;
  const char *target_name;

  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);

  vm_name = ferry_vm_get_name (self->vm);
  target_name = ferry_host_get_name (self->target);
  source = ferry_vm_get_resident_on (self->vm);
  target_pool = ferry_host_get_pool (self->target);

  if (self->options->copy)
    {
      if (source != NULL)
        return g_strdup_printf (_("A halted copy of “%s” will be made on %s; “%s” stays on %s."),
                                vm_name, target_name, vm_name, ferry_host_get_name (source));
      return g_strdup_printf (_("A halted copy of “%s” will be made on %s; “%s” stays in the pool “%s”."),
                              vm_name, target_name, vm_name,
                              ferry_vm_get_pool (self->vm) != NULL ? ferry_pool_get_name (ferry_vm_get_pool (self->vm)) : "?");
    }

  if (!self->live)
    return summarize_not_running (self);

  if (self->kind == FERRY_MIGRATION_PLAIN)
    return g_strdup_printf (_("“%s” will move from %s to %s while it keeps running; its disks stay where they are."),
                            vm_name, source != NULL ? ferry_host_get_name (source) : "?", target_name);

  if (self->cross_pool && target_pool != NULL)
    return g_strdup_printf (_("“%s” will move from %s to %s in the pool “%s”; its disks are copied while it keeps running."),
                            vm_name, source != NULL ? ferry_host_get_name (source) : "?", target_name,
                            ferry_pool_get_name (target_pool));
  return g_strdup_printf (_("“%s” will move from %s to %s; its disks are copied while it keeps running."),
                          vm_name, source != NULL ? ferry_host_get_name (source) : "?", target_name);
}

char *
ferry_plan_describe (FerryPlan *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  FerryHost *source = NULL;
  g_autofree char *memory = NULL;
  const char *vm_name;
  const char *target_name;

  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);

  vm_name = ferry_vm_get_name (self->vm);
  target_name = ferry_host_get_name (self->target);
  source = ferry_vm_get_resident_on (self->vm);
  memory = ferry_format_size (ferry_vm_get_memory (self->vm));

  if (self->reason != NULL)
    {
      g_string_append (text, self->reason);
      g_string_append_c (text, ' ');
    }

  if (self->kind == FERRY_MIGRATION_HOME_HOST)
    {
      describe_home_host (self, text);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (self->kind == FERRY_MIGRATION_PLAIN)
    {
      if (source != NULL)
        g_string_append_printf (text, _("“%s” will move from %s to %s while it keeps running."),
                                vm_name, ferry_host_get_name (source), target_name);
      else
        g_string_append_printf (text, _("“%s” will move to %s while it keeps running."), vm_name, target_name);
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Its disks stay where they are; only its memory (%s) is copied."), memory);
    }
  else
    {
      FerryPool *target_pool = ferry_host_get_pool (self->target);

      if (self->options->copy)
        {
          g_autofree char *summary = ferry_plan_summarize (self);

          g_string_append (text, summary);
        }
      else if (!self->live)
        {
          g_autofree char *summary = summarize_not_running (self);

          g_string_append (text, summary);
        }
      else if (self->cross_pool && target_pool != NULL)
        g_string_append_printf (text, _("“%s” will move to %s in the pool “%s”, without shared storage."),
                                vm_name, target_name, ferry_pool_get_name (target_pool));
      else
        g_string_append_printf (text, _("“%s” will move to %s without shared storage."), vm_name, target_name);

      for (guint i = 0; i < self->disks->len; i++)
        {
          FerryPlanDisk *pd = g_ptr_array_index (self->disks, i);
          g_autofree char *size = ferry_format_size (pd->virtual_size);

          g_string_append_c (text, ' ');
          if (pd->moves)
            {
              g_string_append_printf (text, _("The disk “%s” (%s) will be copied to “%s” (%s)."),
                                      pd->name, size, pd->to != NULL ? ferry_sr_get_name (pd->to) : "?",
                                      pd->why);
            }
          else
            {
              g_string_append_printf (text, _("The disk “%s” (%s) stays on “%s”."),
                                      pd->name, size, pd->to != NULL ? ferry_sr_get_name (pd->to) : "?");
            }
        }

      if (self->cross_pool)
        for (guint i = 0; i < self->vifs->len; i++)
          {
            FerryPlanVif *pv = g_ptr_array_index (self->vifs, i);

            g_string_append_c (text, ' ');
            g_string_append_printf (text, _("Network interface %s will be on “%s” (%s)."),
                                    pv->device, pv->to != NULL ? ferry_network_get_name (pv->to) : "?",
                                    pv->why);
          }

      if (self->migration_network != NULL)
        {
          g_string_append_c (text, ' ');
          g_string_append_printf (text, _("The data goes over the network “%s” (%s)."),
                                  ferry_network_get_name (self->migration_network),
                                  self->migration_network_why);
        }

      if (self->suspend_sr != NULL)
        {
          g_string_append_c (text, ' ');
          if (self->suspend_moves)
            g_string_append_printf (text, _("Its memory image (up to %s) goes to “%s” (%s)."),
                                    memory, ferry_sr_get_name (self->suspend_sr), self->suspend_sr_why);
          else
            g_string_append_printf (text, _("Its memory image stays on “%s” (%s)."),
                                    ferry_sr_get_name (self->suspend_sr), self->suspend_sr_why);
          /* XAPI's rule, not Ferry's choice: say what it means. */
          if (!ferry_sr_is_attached_to (self->suspend_sr, self->target))
            {
              g_string_append_c (text, ' ');
              g_string_append_printf (text, _("%s does not see “%s”, so “%s” may not resume there."),
                                      target_name, ferry_sr_get_name (self->suspend_sr), vm_name);
            }
        }

      if (!self->options->copy && self->live)
        {
          g_string_append_c (text, ' ');
          g_string_append_printf (text, _("Then its memory (%s) moves; the VM keeps running the whole time."), memory);
        }
    }

  if (self->estimated_seconds >= 0)
    {
      g_autofree char *duration = format_duration (self->estimated_seconds);
      g_autofree char *total = ferry_format_size (self->bytes_to_copy);

      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("%s to transfer, which should take %s."), total, duration);
    }
  else
    {
      g_autofree char *total = ferry_format_size (self->bytes_to_copy);

      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("%s to transfer."), total);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}
