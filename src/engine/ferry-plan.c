/* ferry-plan.c: how a VM will move
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

#include <glib/gi18n.h>

#include "xapi-record.h"

#include "ferry-errors.h"
#include "ferry-host.h"
#include "ferry-network.h"
#include "ferry-plan-private.h"
#include "ferry-plan.h"
#include "ferry-pool-private.h"
#include "ferry-sr.h"
#include "ferry-util-private.h"
#include "ferry-vm.h"

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
  if (g_strcmp0 (ferry_sr_get_content_type (sr), "iso") == 0 ||
      g_strcmp0 (ferry_sr_get_sr_type (sr), "iso") == 0 ||
      g_strcmp0 (ferry_sr_get_sr_type (sr), "udev") == 0)
    return FALSE;
  if (unreachable != NULL && g_hash_table_contains (unreachable, ferry_sr_get_ref (sr)))
    return FALSE;

  return ferry_sr_is_attached_to (sr, target);
}

/* The SR a moving disk goes to when the user chose none, and why. */
static FerrySr *
default_sr (FerryPool  *pool,
            FerryHost  *target,
            GHashTable *unreachable,
            char      **why)
{
  FerrySr    *def = ferry_pool_get_default_sr (pool);
  GListModel *srs = ferry_pool_get_srs (pool);
  FerrySr    *best_shared = NULL;
  FerrySr    *best_local = NULL;
  FerrySr    *best;
  guint       n = g_list_model_get_n_items (srs);

  if (def != NULL && sr_is_usable (def, target, unreachable))
    {
      *why = g_strdup (_("pool default SR"));
      return def; /* (transfer none) */
    }

  for (guint i = 0; i < n; i++)
    {
      FerrySr  *sr = ferry_store_peek (srs, i);
      FerrySr **kind_best;

      if (!sr_is_usable (sr, target, unreachable))
        continue;

      kind_best = ferry_sr_get_shared (sr) ? &best_shared : &best_local;
      if (*kind_best == NULL || ferry_sr_get_free (sr) > ferry_sr_get_free (*kind_best))
        *kind_best = sr;
    }

  best = best_shared != NULL ? best_shared : best_local;
  if (best == NULL)
    return NULL;

  if (def != NULL && unreachable != NULL && g_hash_table_contains (unreachable, ferry_sr_get_ref (def)))
    *why = g_strdup_printf (best == best_shared
                              ? _("shared SR with most free space (the pool says %s cannot use the default SR “%s”)")
                              : _("local SR with most free space (the pool says %s cannot use the default SR “%s”)"),
                            ferry_host_get_name (target), ferry_sr_get_name (def));
  else if (def == NULL)
    *why = g_strdup (best == best_shared ? _("shared SR with most free space (the pool has no default SR)")
                                         : _("local SR with most free space (the pool has no default SR)"));
  else
    *why = g_strdup_printf (best == best_shared
                              ? _("shared SR with most free space (the default SR “%s” is not attached to %s)")
                              : _("local SR with most free space (the default SR “%s” is not attached to %s)"),
                            ferry_sr_get_name (def), ferry_host_get_name (target));
  return best; /* (transfer none) */
}

/* A target network with the same name as @source; one the target host has
 * an interface on wins over one it has not. */
static FerryNetwork *
network_with_same_name (FerryPool    *pool,
                        FerryHost    *target,
                        FerryNetwork *source)
{
  GListModel   *networks = ferry_pool_get_networks (pool);
  FerryNetwork *fallback = NULL;
  guint         n = g_list_model_get_n_items (networks);

  if (source == NULL || ferry_network_get_name (source) == NULL || *ferry_network_get_name (source) == '\0')
    return NULL;

  for (guint i = 0; i < n; i++)
    {
      FerryNetwork *net = ferry_store_peek (networks, i);

      if (g_strcmp0 (ferry_network_get_name (net), ferry_network_get_name (source)) != 0)
        continue;
      if (ferry_network_has_pif_on (net, target))
        return net; /* (transfer none) */
      if (fallback == NULL)
        fallback = net;
    }

  return fallback; /* (transfer none) */
}

static gboolean
check_in_pool (FerryPool  *target_pool,
               FerryPool  *pool,
               const char *what,
               const char *name,
               GError    **error)
{
  if (pool == target_pool)
    return TRUE;

  /* Translators: the first %s is "SR" or "network", the second its name */
  g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID,
               _("The chosen %s “%s” is not in the target host’s pool."), what, name);
  return FALSE;
}

static gboolean
validate_overrides (const FerryMigrateOptions *opts,
                    FerryPool                 *target_pool,
                    GError                   **error)
{
  GHashTableIter iter;
  gpointer       value;

  if (opts == NULL)
    return TRUE;

  if (opts->sr != NULL &&
      !check_in_pool (target_pool, ferry_sr_get_pool (opts->sr), _("SR"), ferry_sr_get_name (opts->sr), error))
    return FALSE;
  g_hash_table_iter_init (&iter, opts->disk_srs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!check_in_pool (target_pool, ferry_sr_get_pool (value), _("SR"), ferry_sr_get_name (value), error))
      return FALSE;

  if (opts->network != NULL &&
      !check_in_pool (target_pool, ferry_network_get_pool (opts->network), _("network"),
                      ferry_network_get_name (opts->network), error))
    return FALSE;
  g_hash_table_iter_init (&iter, opts->vif_networks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!check_in_pool (target_pool, ferry_network_get_pool (value), _("network"),
                        ferry_network_get_name (value), error))
      return FALSE;

  if (opts->migration_network != NULL &&
      !check_in_pool (target_pool, ferry_network_get_pool (opts->migration_network), _("network"),
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
  XapiStrv      snapshots;

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
      XapiStrv      vifs = snapshot != NULL ? snapshot->VIFs : NULL;

      for (guint j = 0; vifs != NULL && vifs[j] != NULL; j++)
        {
          const char      *vif_ref = vifs[j];
          const XapiVif   *vif = ferry_pool_lookup (source_pool, XAPI_CLASS_VIF, vif_ref);
          g_autofree char *mac = g_ascii_strdown (vif != NULL ? xapi_str (vif->MAC) : "", -1);
          FerryNetwork    *from;
          FerryNetwork    *to;

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
plan_suspend_sr (FerryPlan *self,
                 FerryPool *target_pool,
                 FerryHost *target,
                 GError   **error)
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
  FerryPool       *source_pool;
  FerryPool       *target_pool;
  GPtrArray       *disks;
  GPtrArray       *vifs;
  FerrySr         *fallback_sr = NULL;
  g_autofree char *fallback_why = NULL;
  gboolean         fallback_done = FALSE;
  gboolean         any_moves = FALSE;
  FerryNetwork    *mgmt;

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
      FerryDisk     *disk = g_ptr_array_index (disks, i);
      FerrySr       *chosen = ferry_migrate_options_get_disk_sr (self->options, disk->vdi_ref);
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
      else if (!self->cross_pool && disk->sr != NULL &&
               (unreachable_srs == NULL || !g_hash_table_contains (unreachable_srs, ferry_sr_get_ref (disk->sr))) &&
               ferry_sr_is_attached_to (disk->sr, target))
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
                                 ? disk->physical_utilisation
                                 : disk->virtual_size;
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

  if (self->kind == FERRY_MIGRATION_STORAGE && self->suspended &&
      !plan_suspend_sr (self, target_pool, target, error))
    return NULL;

  /* Network interfaces: inside a pool they stay on their networks (XAPI
   * refuses a VIF map there). */
  mgmt = ferry_pool_get_management_network (target_pool, target);
  vifs = ferry_vm_get_vifs (vm);
  for (guint i = 0; i < vifs->len; i++)
    {
      FerryVif     *vif = g_ptr_array_index (vifs, i);
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
