/* ferry-vm-drag.c: what a drag of VMs carries inside Ferry
 *
 * A drop on a host starts a migration, so the drop target must only ever act
 * on a drag that Ferry itself started.  Text is what every other application
 * drags; a boxed GType is not: GDK offers it to a drop target only when the
 * drag comes from a GdkContentProvider of this process.  The VMs are named by
 * uuid within their pool, so that a VM renamed or a same-named VM elsewhere
 * cannot be taken for the dragged one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-vm-drag.h"

typedef struct
{
  char *pool_uuid;
  char *vm_uuid;
} Entry;

struct _FerryVmDrag
{
  guint  n_entries;
  Entry *entries;
};

G_DEFINE_BOXED_TYPE (FerryVmDrag, ferry_vm_drag, ferry_vm_drag_ref, ferry_vm_drag_unref)

static void
ferry_vm_drag_clear (FerryVmDrag *self)
{
  for (guint i = 0; i < self->n_entries; i++)
    {
      g_free (self->entries[i].pool_uuid);
      g_free (self->entries[i].vm_uuid);
    }
  g_free (self->entries);
}

FerryVmDrag *
ferry_vm_drag_new (GPtrArray *vms)
{
  FerryVmDrag *self;

  g_return_val_if_fail (vms != NULL, NULL);

  self = g_atomic_rc_box_new0 (FerryVmDrag);
  self->entries = g_new0 (Entry, vms->len);
  for (guint i = 0; i < vms->len; i++)
    {
      FerryVm    *vm = g_ptr_array_index (vms, i);
      FerryPool  *pool = ferry_vm_get_pool (vm);
      const char *pool_uuid = pool ? ferry_pool_get_uuid (pool) : NULL;
      const char *vm_uuid = ferry_vm_get_uuid (vm);

      if (pool_uuid == NULL || *pool_uuid == '\0' || vm_uuid == NULL || *vm_uuid == '\0')
        continue;
      self->entries[self->n_entries].pool_uuid = g_strdup (pool_uuid);
      self->entries[self->n_entries].vm_uuid = g_strdup (vm_uuid);
      self->n_entries++;
    }

  return self;
}

FerryVmDrag *
ferry_vm_drag_new_for_uuids (const char         *pool_uuid,
                             const char * const *vm_uuids)
{
  FerryVmDrag *self;
  guint        n;

  g_return_val_if_fail (pool_uuid != NULL, NULL);
  g_return_val_if_fail (vm_uuids != NULL, NULL);

  n = g_strv_length ((char **) vm_uuids);
  self = g_atomic_rc_box_new0 (FerryVmDrag);
  self->entries = g_new0 (Entry, n);
  for (guint i = 0; i < n; i++)
    {
      self->entries[i].pool_uuid = g_strdup (pool_uuid);
      self->entries[i].vm_uuid = g_strdup (vm_uuids[i]);
    }
  self->n_entries = n;

  return self;
}

FerryVmDrag *
ferry_vm_drag_ref (FerryVmDrag *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
ferry_vm_drag_unref (FerryVmDrag *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, (GDestroyNotify) ferry_vm_drag_clear);
}

guint
ferry_vm_drag_get_n_vms (FerryVmDrag *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_entries;
}

const char *
ferry_vm_drag_get_pool_uuid (FerryVmDrag *self,
                             guint        index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_entries, NULL);

  return self->entries[index].pool_uuid;
}

const char *
ferry_vm_drag_get_vm_uuid (FerryVmDrag *self,
                           guint        index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_entries, NULL);

  return self->entries[index].vm_uuid;
}

/* Fills @found[i] for every entry of @pool's uuid, with one pass over the
 * pool's VMs (a large pool has thousands; a drag may carry hundreds). */
static void
resolve_in_pool (FerryVmDrag *self,
                 FerryPool   *pool,
                 FerryVm    **found)
{
  const char *pool_uuid = ferry_pool_get_uuid (pool);
  g_autoptr(GHashTable) wanted = NULL;
  GListModel *vms;
  guint       n_vms;

  if (pool_uuid == NULL)
    return;

  wanted = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->n_entries; i++)
    if (found[i] == NULL && g_str_equal (self->entries[i].pool_uuid, pool_uuid))
      g_hash_table_insert (wanted, self->entries[i].vm_uuid, GUINT_TO_POINTER (i + 1));
  if (g_hash_table_size (wanted) == 0)
    return;

  vms = ferry_pool_get_vms (pool);
  n_vms = g_list_model_get_n_items (vms);
  for (guint v = 0; v < n_vms && g_hash_table_size (wanted) > 0; v++)
    {
      g_autoptr(FerryVm) vm = g_list_model_get_item (vms, v);
      const char *uuid = ferry_vm_get_uuid (vm);
      gpointer    slot;

      if (uuid != NULL && g_hash_table_steal_extended (wanted, uuid, NULL, &slot))
        found[GPOINTER_TO_UINT (slot) - 1] = vm;
    }
}

GPtrArray *
ferry_vm_drag_resolve (FerryVmDrag  *self,
                       FerryManager *manager)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree FerryVm **found = NULL;
  GListModel          *pools;
  guint                n_pools;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (FERRY_IS_MANAGER (manager), NULL);

  if (self->n_entries == 0)
    return g_steal_pointer (&vms);

  /* (transfer none) pointers: the pools hold the VMs while this runs. */
  found = g_new0 (FerryVm *, self->n_entries);
  pools = ferry_manager_get_pools (manager);
  n_pools = g_list_model_get_n_items (pools);
  for (guint p = 0; p < n_pools; p++)
    {
      g_autoptr(FerryPool) pool = g_list_model_get_item (pools, p);

      resolve_in_pool (self, pool, found);
    }

  for (guint i = 0; i < self->n_entries; i++)
    if (found[i] != NULL && !g_ptr_array_find (vms, found[i], NULL))
      g_ptr_array_add (vms, g_object_ref (found[i]));

  return g_steal_pointer (&vms);
}
