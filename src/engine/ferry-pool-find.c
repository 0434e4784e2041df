/* ferry-pool-find.c: finding a pool's objects by ref, uuid or name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-pool-private.h"
#include "ferry-host.h"
#include "ferry-vm.h"
#include "ferry-sr.h"
#include "ferry-network.h"
#include "ferry-object-private.h"

/* uuid first (exact), then a unique name; ambiguous names find nothing. */
static gpointer
find_in (GListModel *model,
         const char *key)
{
  return ferry_object_find (&model, 1, key); /* (transfer none) */
}

FerryHost *
ferry_pool_find_host (FerryPool  *self,
                      const char *uuid_or_unique_name)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return find_in (G_LIST_MODEL (self->hosts), uuid_or_unique_name);
}

FerryVm *
ferry_pool_find_vm (FerryPool  *self,
                    const char *uuid_or_unique_name)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return find_in (G_LIST_MODEL (self->vms), uuid_or_unique_name);
}

FerrySr *
ferry_pool_find_sr (FerryPool  *self,
                    const char *uuid_or_unique_name)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return find_in (G_LIST_MODEL (self->srs), uuid_or_unique_name);
}

FerryNetwork *
ferry_pool_find_network (FerryPool  *self,
                         const char *uuid_or_unique_name)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return find_in (G_LIST_MODEL (self->networks), uuid_or_unique_name);
}

FerryHost *
ferry_pool_get_host_by_ref (FerryPool  *self,
                            const char *ref)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return ref != NULL ? g_hash_table_lookup (self->host_by_ref, ref) : NULL;
}

FerryVm *
ferry_pool_get_vm_by_ref (FerryPool  *self,
                          const char *ref)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return ref != NULL ? g_hash_table_lookup (self->vm_by_ref, ref) : NULL;
}

FerrySr *
ferry_pool_get_sr_by_ref (FerryPool  *self,
                          const char *ref)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return ref != NULL ? g_hash_table_lookup (self->sr_by_ref, ref) : NULL;
}

FerryNetwork *
ferry_pool_get_network_by_ref (FerryPool  *self,
                               const char *ref)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return ref != NULL ? g_hash_table_lookup (self->network_by_ref, ref) : NULL;
}

FerrySr *
ferry_pool_get_default_sr (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return ferry_pool_get_sr_by_ref (self, self->default_sr_ref);
}

FerrySr *
ferry_pool_get_suspend_image_sr (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return ferry_pool_get_sr_by_ref (self, self->suspend_sr_ref);
}

FerryHost *
ferry_pool_get_master (FerryPool *self)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return ferry_pool_get_host_by_ref (self, self->master_ref);
}

FerryNetwork *
ferry_pool_get_management_network (FerryPool *self,
                                   FerryHost *host)
{
  const XapiHost *record;

  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  g_return_val_if_fail (FERRY_IS_HOST (host), NULL);

  record = ferry_pool_lookup (self, XAPI_CLASS_HOST, ferry_host_get_ref (host));
  for (guint i = 0; record != NULL && record->PIFs != NULL && record->PIFs[i] != NULL; i++)
    {
      const XapiPif *pif = ferry_pool_lookup (self, XAPI_CLASS_PIF, record->PIFs[i]);

      if (pif != NULL && pif->management)
        return ferry_pool_get_network_by_ref (self, pif->network);
    }

  return NULL;
}
