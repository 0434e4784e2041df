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
#include "ferry-sr.h"
#include "ferry-network.h"

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

/* The hosts, SRs or networks: their type, their table by ref and their
 * sorted list. */
typedef struct
{
  GType       type;
  GHashTable *by_ref;
  GListStore *store;
} Kind;

static Kind
kind_of (FerryPool *self,
         XapiClass  klass)
{
  switch (klass)
    {
    case XAPI_CLASS_HOST:
      return (Kind) { FERRY_TYPE_HOST, self->host_by_ref, self->hosts };
    case XAPI_CLASS_SR:
      return (Kind) { FERRY_TYPE_SR, self->sr_by_ref, self->srs };
    case XAPI_CLASS_NETWORK:
      return (Kind) { FERRY_TYPE_NETWORK, self->network_by_ref, self->networks };
    default:
      g_return_val_if_reached ((Kind) { 0 });
    }
}

void
ferry_pool_upsert (FerryPool    *self,
                   XapiClass     klass,
                   const char   *ref,
                   gconstpointer record)
{
  Kind         kind = kind_of (self, klass);
  FerryObject *object = g_hash_table_lookup (kind.by_ref, ref);

  if (object == NULL)
    {
      object = ferry_object_new (kind.type, self, ref);
      ferry_object_update (object, self, record);
      g_hash_table_insert (kind.by_ref, g_strdup (ref), object);
      ferry_pool_store_insert (self, kind.store, object, ferry_object_compare);
    }
  else if (ferry_object_update (object, self, record))
    {
      store_resort (kind.store, object, ferry_object_compare);
    }
}

void
ferry_pool_remove (FerryPool  *self,
                   XapiClass   klass,
                   const char *ref)
{
  Kind         kind = kind_of (self, klass);
  FerryObject *object = g_hash_table_lookup (kind.by_ref, ref);

  if (object == NULL)
    return;

  if (FERRY_IS_HOST (object))
    ferry_host_detach (FERRY_HOST (object));
  g_object_ref (object);
  g_hash_table_remove (kind.by_ref, ref);
  store_remove (kind.store, object);
  g_object_unref (object);
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
  FerryVm   *vm;
  FerryHost *old_host;
  FerryHost *new_host;
  gboolean   is_new = FALSE;
  gboolean   name_changed;

  if (!vm_is_visible (record))
    {
      ferry_pool_remove_vm (self, ref);
      return;
    }

  vm = g_hash_table_lookup (self->vm_by_ref, ref);
  if (vm == NULL)
    {
      vm = ferry_object_new (FERRY_TYPE_VM, self, ref);
      g_hash_table_insert (self->vm_by_ref, g_strdup (ref), vm);
      is_new = TRUE;
    }

  old_host = ferry_vm_get_resident_on (vm);
  if (old_host != NULL)
    g_object_ref (old_host);

  name_changed = ferry_object_update (FERRY_OBJECT (vm), self, record);
  new_host = ferry_vm_get_resident_on (vm);

  if (is_new)
    {
      /* Its disks before anyone sees it in the list. */
      if (!self->syncing)
        ferry_vm_invalidate_devices (vm);
      ferry_pool_store_insert (self, self->vms, vm, ferry_object_compare);
    }
  else if (name_changed)
    {
      store_resort (self->vms, vm, ferry_object_compare);
    }

  if (old_host != new_host)
    {
      if (old_host != NULL)
        store_remove (ferry_host_get_vm_store (old_host), vm);
      if (new_host != NULL)
        ferry_pool_store_insert (self, ferry_host_get_vm_store (new_host), vm, ferry_object_compare);
    }
  else if (name_changed && new_host != NULL)
    {
      store_resort (ferry_host_get_vm_store (new_host), vm, ferry_object_compare);
    }

  g_clear_object (&old_host);
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
            ferry_pool_upsert (self, XAPI_CLASS_HOST, key, record);
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
            ferry_pool_upsert (self, XAPI_CLASS_HOST, refs[i], host);
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
ferry_pool_sync_class (FerryPool *self,
                       XapiClass  klass)
{
  GHashTable *table = xapi_cache_get_table (self->cache, klass);
  GHashTable *objects = kind_of (self, klass).by_ref;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, objects);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (table == NULL || !g_hash_table_contains (table, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    ferry_pool_remove (self, klass, g_ptr_array_index (gone, i));

  if (table == NULL)
    return;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    ferry_pool_upsert (self, klass, key, value);
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
            ferry_pool_remove (self, k, change->ref);
          else
            ferry_pool_upsert (self, k, change->ref, change->record);
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
          gboolean known = g_hash_table_contains (k == XAPI_CLASS_SR ? self->sr_by_ref : self->network_by_ref,
                                                  change->ref);

          if (del)
            ferry_pool_remove (self, k, change->ref);
          else
            ferry_pool_upsert (self, k, change->ref, change->record);
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
