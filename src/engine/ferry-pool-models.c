/* ferry-pool-models.c: typed records to the pool's objects and their sorted lists
 *
 * What the cache holds (typed records, xapi-record.h) becomes small GObjects
 * updated in place, in sorted GListStores, so that views bound to them only
 * redraw what changed.  One way: records in, objects and lists out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ferry-pool-private.h"
#include "ferry-host-private.h"
#include "ferry-vm-private.h"
#include "ferry-sr-private.h"
#include "ferry-network-private.h"

static int
compare_hosts (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return ferry_compare_names (ferry_host_get_name ((FerryHost *) a),
                              ferry_host_get_name ((FerryHost *) b));
}

static int
compare_vms (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  return ferry_compare_names (ferry_vm_get_name ((FerryVm *) a),
                              ferry_vm_get_name ((FerryVm *) b));
}

static int
compare_srs (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  return ferry_compare_names (ferry_sr_get_name ((FerrySr *) a),
                              ferry_sr_get_name ((FerrySr *) b));
}

static int
compare_networks (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return ferry_compare_names (ferry_network_get_name ((FerryNetwork *) a),
                              ferry_network_get_name ((FerryNetwork *) b));
}

static void
store_remove (GListStore *store,
              gpointer    item)
{
  guint position;

  if (g_list_store_find (store, item, &position))
    g_list_store_remove (store, position);
}

/* After a name change: move the item to its new place, if it has one. */
static void
store_resort (GListStore      *store,
              gpointer         item,
              GCompareDataFunc compare)
{
  guint    position;
  guint    n;
  gboolean in_order = TRUE;

  if (!g_list_store_find (store, item, &position))
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  if (position > 0)
    {
      g_autoptr(GObject) prev = g_list_model_get_item (G_LIST_MODEL (store), position - 1);

      in_order = compare (prev, item, NULL) <= 0;
    }
  if (in_order && position + 1 < n)
    {
      g_autoptr(GObject) next = g_list_model_get_item (G_LIST_MODEL (store), position + 1);

      in_order = compare (item, next, NULL) <= 0;
    }
  if (in_order)
    return;

  g_object_ref (item);
  g_list_store_remove (store, position);
  g_list_store_insert_sorted (store, item, compare, NULL);
  g_object_unref (item);
}

/* ---- applying the cache to the models ------------------------------------ */

void
ferry_pool_upsert_host (FerryPool  *self,
                        const char *ref,
                        gpointer    data)
{
  const XapiHost        *record = data;
  FerryHost             *host = g_hash_table_lookup (self->host_by_ref, ref);
  const XapiHostMetrics *metrics = ferry_pool_lookup (self, XAPI_CLASS_HOST_METRICS, record->metrics);
  gboolean               is_master = g_strcmp0 (ref, self->master_ref) == 0;

  if (host == NULL)
    {
      host = ferry_host_new (self, ref);
      ferry_host_update (host, record, metrics, is_master);
      g_hash_table_insert (self->host_by_ref, g_strdup (ref), host);
      ferry_pool_store_insert (self, self->hosts, host, compare_hosts);
    }
  else if (ferry_host_update (host, record, metrics, is_master))
    {
      store_resort (self->hosts, host, compare_hosts);
    }
}

void
ferry_pool_remove_host (FerryPool  *self,
                        const char *ref)
{
  FerryHost *host = g_hash_table_lookup (self->host_by_ref, ref);

  if (host == NULL)
    return;

  ferry_host_detach (host);
  g_object_ref (host);
  g_hash_table_remove (self->host_by_ref, ref);
  store_remove (self->hosts, host);
  g_object_unref (host);
}

static gboolean
vm_is_visible (const XapiVm *record)
{
  return !record->is_a_template && !record->is_a_snapshot && !record->is_control_domain;
}

void
ferry_pool_remove_vm (FerryPool  *self,
                      const char *ref)
{
  FerryVm   *vm = g_hash_table_lookup (self->vm_by_ref, ref);
  FerryHost *host;

  if (vm == NULL)
    return;

  g_object_ref (vm);
  host = ferry_vm_get_resident_on (vm);
  if (host != NULL)
    store_remove (ferry_host_get_vm_store (host), vm);
  ferry_vm_detach (vm);
  g_hash_table_remove (self->vm_by_ref, ref);
  store_remove (self->vms, vm);
  g_object_unref (vm);
}

void
ferry_pool_upsert_vm (FerryPool    *self,
                      const char   *ref,
                      const XapiVm *record)
{
  FerryVm    *vm;
  FerryHost  *old_host;
  FerryHost  *new_host;
  const char *resident_ref;
  gboolean    is_new = FALSE;
  gboolean    name_changed;

  if (!vm_is_visible (record))
    {
      ferry_pool_remove_vm (self, ref);
      return;
    }

  resident_ref = record->resident_on;
  new_host = resident_ref != NULL ? g_hash_table_lookup (self->host_by_ref, resident_ref) : NULL;

  vm = g_hash_table_lookup (self->vm_by_ref, ref);
  if (vm == NULL)
    {
      vm = ferry_vm_new (self, ref);
      g_hash_table_insert (self->vm_by_ref, g_strdup (ref), vm);
      is_new = TRUE;
    }

  old_host = ferry_vm_get_resident_on (vm);
  if (old_host != NULL)
    g_object_ref (old_host);

  name_changed = ferry_vm_update (vm, record, new_host);

  if (is_new)
    {
      /* Its disks before anyone sees it in the list. */
      if (!self->syncing)
        ferry_vm_invalidate_devices (vm);
      ferry_pool_store_insert (self, self->vms, vm, compare_vms);
    }
  else if (name_changed)
    {
      store_resort (self->vms, vm, compare_vms);
    }

  if (old_host != new_host)
    {
      if (old_host != NULL)
        store_remove (ferry_host_get_vm_store (old_host), vm);
      if (new_host != NULL)
        ferry_pool_store_insert (self, ferry_host_get_vm_store (new_host), vm, compare_vms);
    }
  else if (name_changed && new_host != NULL)
    {
      store_resort (ferry_host_get_vm_store (new_host), vm, compare_vms);
    }

  g_clear_object (&old_host);
}

void
ferry_pool_upsert_sr (FerryPool  *self,
                      const char *ref,
                      gpointer    record)
{
  FerrySr *sr = g_hash_table_lookup (self->sr_by_ref, ref);

  if (sr == NULL)
    {
      sr = ferry_sr_new (self, ref);
      ferry_sr_update (sr, record);
      g_hash_table_insert (self->sr_by_ref, g_strdup (ref), sr);
      ferry_pool_store_insert (self, self->srs, sr, compare_srs);
    }
  else if (ferry_sr_update (sr, record))
    {
      store_resort (self->srs, sr, compare_srs);
    }
}

void
ferry_pool_remove_sr (FerryPool  *self,
                      const char *ref)
{
  FerrySr *sr = g_hash_table_lookup (self->sr_by_ref, ref);

  if (sr == NULL)
    return;

  g_object_ref (sr);
  g_hash_table_remove (self->sr_by_ref, ref);
  store_remove (self->srs, sr);
  g_object_unref (sr);
}

void
ferry_pool_upsert_network (FerryPool  *self,
                           const char *ref,
                           gpointer    record)
{
  FerryNetwork *network = g_hash_table_lookup (self->network_by_ref, ref);

  if (network == NULL)
    {
      network = ferry_network_new (self, ref);
      ferry_network_update (network, record);
      g_hash_table_insert (self->network_by_ref, g_strdup (ref), network);
      ferry_pool_store_insert (self, self->networks, network, compare_networks);
    }
  else if (ferry_network_update (network, record))
    {
      store_resort (self->networks, network, compare_networks);
    }
}

void
ferry_pool_remove_network (FerryPool  *self,
                           const char *ref)
{
  FerryNetwork *network = g_hash_table_lookup (self->network_by_ref, ref);

  if (network == NULL)
    return;

  g_object_ref (network);
  g_hash_table_remove (self->network_by_ref, ref);
  store_remove (self->networks, network);
  g_object_unref (network);
}

static void
refresh_host_of_metrics (FerryPool  *self,
                         const char *metrics_ref)
{
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, self->host_by_ref);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_strcmp0 (ferry_host_get_metrics_ref (value), metrics_ref) == 0)
        {
          XapiHost *record = ferry_pool_lookup (self, XAPI_CLASS_HOST, key);

          if (record != NULL)
            ferry_pool_upsert_host (self, key, record);
        }
    }
}

void
ferry_pool_apply_pool_record (FerryPool *self)
{
  const char      *pool_ref = xapi_cache_get_pool_ref (self->cache);
  const XapiPool  *record = ferry_pool_lookup (self, XAPI_CLASS_POOL, pool_ref);
  g_autofree char *old_master = NULL;

  if (record == NULL)
    return;

  ferry_pool_set_uuid (self, xapi_str (record->record.uuid));
  ferry_set_string (&self->pool_name, xapi_str (record->record.name_label));
  ferry_set_string (&self->default_sr_ref, record->default_SR);
  ferry_set_string (&self->suspend_sr_ref, record->suspend_image_SR);

  old_master = g_strdup (self->master_ref);
  if (ferry_set_string (&self->master_ref, record->master))
    {
      /* Both hosts change their "is-master". */
      const char *refs[] = { old_master, self->master_ref };

      for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
        {
          XapiHost *host = ferry_pool_lookup (self, XAPI_CLASS_HOST, refs[i]);

          if (host != NULL && g_hash_table_contains (self->host_by_ref, refs[i]))
            ferry_pool_upsert_host (self, refs[i], host);
        }
    }

  ferry_pool_update_name (self);
}

static void
refresh_all_devices (FerryPool *self)
{
  GHashTableIter iter;
  gpointer       value;

  g_hash_table_iter_init (&iter, self->vm_by_ref);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ferry_vm_invalidate_devices (value);
}

/* Brings the models in line with the whole cache, keeping the objects that
 * still exist (jobs and views hold them). */
void
ferry_pool_sync_class (FerryPool  *self,
                       XapiClass   klass,
                       GHashTable *objects,
                       void (*upsert) (FerryPool *, const char *, gpointer),
                       void (*remove) (FerryPool *, const char *))
{
  GHashTable *table = xapi_cache_get_table (self->cache, klass);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, objects);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (table == NULL || !g_hash_table_contains (table, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    remove (self, g_ptr_array_index (gone, i));

  if (table == NULL)
    return;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    upsert (self, key, value);
}

/* The VM of a VBD or VIF record (NULL for anything else). */
const char *
ferry_pool_device_vm (const XapiRecord *record)
{
  if (record == NULL)
    return NULL;
  if (record->klass == XAPI_CLASS_VBD)
    return ((const XapiVbd *) record)->VM;
  if (record->klass == XAPI_CLASS_VIF)
    return ((const XapiVif *) record)->VM;
  return NULL;
}

static void
touch_owner (FerryPool  *self,
             GHashTable *touched,
             const char *device_ref)
{
  const char *vm = g_hash_table_lookup (self->device_owner, device_ref);

  if (vm != NULL)
    g_hash_table_add (touched, g_strdup (vm));
}

/* A VBD or VIF changed: its VM's disk or VIF list may have. */
static void
note_device (FerryPool  *self,
             GHashTable *touched,
             XapiChange *change,
             gboolean    del)
{
  const char *vm;

  touch_owner (self, touched, change->ref);
  if (del)
    {
      g_hash_table_remove (self->device_owner, change->ref);
      return;
    }

  vm = ferry_pool_device_vm (change->record);
  if (vm != NULL)
    {
      g_hash_table_replace (self->device_owner, g_strdup (change->ref), g_strdup (vm));
      g_hash_table_add (touched, g_strdup (vm));
    }
}

void
ferry_pool_apply_changes (FerryPool *self,
                          GPtrArray *changes)
{
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean       all_devices = FALSE;
  gboolean       pool_changed = FALSE;
  gboolean       hosts_changed = FALSE;
  GHashTableIter iter;
  gpointer       key;

  for (guint i = 0; i < changes->len; i++)
    {
      XapiChange *change = g_ptr_array_index (changes, i);
      XapiClass   k = change->klass;
      gboolean    del = change->kind == XAPI_CHANGE_DEL || change->record == NULL;

      if (k == XAPI_CLASS_POOL)
        pool_changed = TRUE;
      else if (k == XAPI_CLASS_HOST)
        {
          hosts_changed = TRUE;
          if (del)
            ferry_pool_remove_host (self, change->ref);
          else
            ferry_pool_upsert_host (self, change->ref, change->record);
        }
      else if (k == XAPI_CLASS_HOST_METRICS)
        refresh_host_of_metrics (self, change->ref);
      else if (k == XAPI_CLASS_VM)
        {
          if (del)
            ferry_pool_remove_vm (self, change->ref);
          else
            {
              ferry_pool_upsert_vm (self, change->ref, change->record);
              g_hash_table_add (touched, g_strdup (change->ref));
            }
        }
      else if (k == XAPI_CLASS_SR || k == XAPI_CLASS_NETWORK)
        {
          gboolean is_sr = k == XAPI_CLASS_SR;
          gboolean known = g_hash_table_contains (is_sr ? self->sr_by_ref : self->network_by_ref, change->ref);

          if (del && is_sr)
            ferry_pool_remove_sr (self, change->ref);
          else if (del)
            ferry_pool_remove_network (self, change->ref);
          else if (is_sr)
            ferry_pool_upsert_sr (self, change->ref, change->record);
          else
            ferry_pool_upsert_network (self, change->ref, change->record);
          /* Disks and VIFs point at these objects: only their coming and
           * going matters to them. */
          if (del || !known)
            all_devices = TRUE;
        }
      else if (k == XAPI_CLASS_VBD || k == XAPI_CLASS_VIF)
        note_device (self, touched, change, del);
      else if (k == XAPI_CLASS_VDI)
        {
          const XapiVdi *vdi = change->record;

          if (del)
            {
              /* Its VBDs change too, or are already gone; a dangling one
               * is dropped when its VM is looked at again. */
              continue;
            }
          for (guint j = 0; vdi->VBDs != NULL && vdi->VBDs[j] != NULL; j++)
            touch_owner (self, touched, vdi->VBDs[j]);
        }
    }

  if (pool_changed)
    ferry_pool_apply_pool_record (self);
  if (hosts_changed)
    ferry_pool_update_host_addresses (self);

  if (all_devices)
    {
      refresh_all_devices (self);
      return;
    }

  g_hash_table_iter_init (&iter, touched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FerryVm *vm = g_hash_table_lookup (self->vm_by_ref, key);

      if (vm != NULL)
        ferry_vm_invalidate_devices (vm);
    }
}

void
ferry_pool_update_name (FerryPool *self)
{
  const char *name = self->pool_name;

  /* A standalone host's pool usually has an empty name: XenCenter and
   * Xen Orchestra show the host's name then, and so do we. */
  if (name == NULL || *name == '\0')
    {
      FerryHost *master = ferry_pool_get_master (self);

      name = master != NULL ? ferry_host_get_name (master) : NULL;
    }
  if (name == NULL || *name == '\0')
    name = self->url;

  ferry_pool_set_name (self, name);
}

void
ferry_pool_detach_all (FerryPool *self)
{
  GHashTableIter iter;
  gpointer       value;

  g_hash_table_iter_init (&iter, self->host_by_ref);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ferry_host_detach (value);
  g_hash_table_iter_init (&iter, self->vm_by_ref);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ferry_vm_detach (value);
}
