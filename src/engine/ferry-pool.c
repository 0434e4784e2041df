/* ferry-pool.c: one connected pool, its hosts, VMs, SRs and networks
 *
 * The pool owns one XapiConnection and one XapiCache.  The cache delivers
 * batches of changes; the pool turns them into small GObjects updated in
 * place, in sorted GListStores, so that views bound to them only redraw
 * what changed.  When the connection fails for good the pool builds a new
 * connection (to the master it knew, the URL it was given, or any other
 * member) with a back-off, and checks it still talks to the same pool.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ferry-engine-private.h"
#include "ferry-fields.h"

/* Every class the models, the planner and the jobs read. */
static const char * const cache_classes[] = {
  "pool", "host", "host_metrics", "vm", "vbd", "vdi", "sr", "pbd",
  "vif", "network", "pif", "task", NULL
};

#define BACKOFF_MIN_SECONDS 2
#define BACKOFF_MAX_SECONDS 60
/* How long the cache may try to get its connection back by itself before
 * the pool tries the other members (the master may have changed). */
#define FAILOVER_AFTER_SECONDS 30

typedef struct _Sync Sync;

struct _FerryPool
{
  GObject         parent_instance;

  FerryPoolState  state;
  char           *url;
  char           *username;
  char           *password;
  char           *fingerprint;
  char           *name;
  char           *pool_name;      /* name_label as XAPI has it */
  char           *uuid;
  char           *error;
  char           *master_url;
  char           *redirected_from;

  XapiConnection *connection;
  XapiCache      *cache;

  GListStore     *hosts;
  GListStore     *vms;
  GListStore     *srs;
  GListStore     *networks;
  GHashTable     *host_by_ref;
  GHashTable     *vm_by_ref;
  GHashTable     *sr_by_ref;
  GHashTable     *network_by_ref;
  GHashTable     *device_owner;   /* VBD or VIF ref -> VM ref */
  gboolean        syncing;        /* new objects wait in Pending (store_insert()) */
  GHashTable     *pending;        /* GListStore -> Pending, while syncing */
  GPtrArray      *pending_order;  /* the same Pending, in the order they came */
  Sync           *sync;           /* the (re)load being applied, or NULL */
  guint           sync_id;
  GPtrArray      *deferred;       /* change batches that came during it */
  char           *default_sr_ref;
  char           *suspend_sr_ref;
  char           *master_ref;

  GCancellable   *cancellable;
  GTask          *connect_task;
  gulong          connect_cancel_id;  /* on the caller's cancellable */
  gboolean        retry_forever;
  gboolean        has_been_ready;
  gboolean        stopped;
  guint           retry_id;
  guint           failover_id;
  guint           backoff;
  guint           attempt;
  GPtrArray      *member_urls;
  /* Where a plain HTTP HOST_IS_SLAVE may send the login: the hosts'
   * addresses from the cache (kept across reconnections, when the cache
   * is gone) and those the user agreed to (ferry_pool_trust_redirect()). */
  GPtrArray      *host_addresses;
  GPtrArray      *trusted_redirects;
};

G_DEFINE_FINAL_TYPE (FerryPool, ferry_pool, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_NAME,
  PROP_URL,
  PROP_MASTER_URL,
  PROP_ERROR,
  PROP_UUID,
  N_PROPS
};

enum {
  SIGNAL_OBJECTS_CHANGED,
  SIGNAL_OBJECTS_RESET,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_attempt (FerryPool *self);
static void update_host_addresses (FerryPool *self);

/* ---- small helpers -------------------------------------------------------- */

static void
set_state (FerryPool      *self,
           FerryPoolState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error_text (FerryPool  *self,
                const char *text)
{
  if (ferry_set_string (&self->error, text))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_master_url (FerryPool  *self,
                const char *url)
{
  if (ferry_set_string (&self->master_url, url))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MASTER_URL]);
}

static void
update_name (FerryPool *self)
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

  if (ferry_set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

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

/* While the whole pool is (re)loaded, new items are gathered per store and
 * spliced in afterwards, in order and in a few large pieces (sync_splice()).
 * Inserting a large pool's 10,000 VMs one at a time made every list view
 * bound to the store react 10,000 times, which froze the window for most of
 * a minute. */
typedef struct
{
  char     *key;     /* collation key of the name: sorting is by it */
  gpointer  item;    /* owned by Pending.items */
} PendingEntry;

typedef struct
{
  GListStore       *store;
  GPtrArray        *items;     /* in the order they came */
  GCompareDataFunc  compare;
  GArray           *entries;   /* PendingEntry, sorted (sync_sort()) */
  guint             done;      /* entries already in the store */
} Pending;

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_ptr_array_unref (pending->items);
  g_clear_pointer (&pending->entries, g_array_unref);
  g_free (pending);
}

static void
store_insert (FerryPool        *self,
              GListStore       *store,
              gpointer          item,
              GCompareDataFunc  compare)
{
  Pending *pending;

  if (!self->syncing)
    {
      g_list_store_insert_sorted (store, item, compare, NULL);
      return;
    }

  pending = g_hash_table_lookup (self->pending, store);
  if (pending == NULL)
    {
      pending = g_new0 (Pending, 1);
      pending->store = store;
      pending->items = g_ptr_array_new_with_free_func (g_object_unref);
      pending->compare = compare;
      g_hash_table_insert (self->pending, g_object_ref (store), pending);
      g_ptr_array_add (self->pending_order, pending);
    }
  g_ptr_array_add (pending->items, g_object_ref (item));
}

static void
clear_pending (FerryPool *self)
{
  g_ptr_array_set_size (self->pending_order, 0);
  g_hash_table_remove_all (self->pending);
}

/* After a name change: move the item to its new place, if it has one. */
static void
store_resort (GListStore       *store,
              gpointer          item,
              GCompareDataFunc  compare)
{
  guint position;
  guint n;
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

JsonObject *
ferry_pool_lookup (FerryPool  *self,
                   const char *klass,
                   const char *ref)
{
  if (self->cache == NULL || ref == NULL)
    return NULL;

  return xapi_cache_lookup (self->cache, klass, ref);
}

/* ---- applying the cache to the models ------------------------------------ */

static void
upsert_host (FerryPool  *self,
             const char *ref,
             JsonObject *record)
{
  FerryHost *host = g_hash_table_lookup (self->host_by_ref, ref);
  JsonObject *metrics = ferry_pool_lookup (self, "host_metrics", ferry_record_get_ref (record, "metrics"));
  gboolean is_master = g_strcmp0 (ref, self->master_ref) == 0;

  if (host == NULL)
    {
      host = ferry_host_new (self, ref);
      ferry_host_update (host, record, metrics, is_master);
      g_hash_table_insert (self->host_by_ref, g_strdup (ref), host);
      store_insert (self, self->hosts, host, compare_hosts);
    }
  else if (ferry_host_update (host, record, metrics, is_master))
    {
      store_resort (self->hosts, host, compare_hosts);
    }
}

static void
remove_host (FerryPool  *self,
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
vm_is_visible (JsonObject *record)
{
  return !xapi_record_get_bool (record, "is_a_template")
         && !xapi_record_get_bool (record, "is_a_snapshot")
         && !xapi_record_get_bool (record, "is_control_domain");
}

static void
remove_vm (FerryPool  *self,
           const char *ref)
{
  FerryVm *vm = g_hash_table_lookup (self->vm_by_ref, ref);
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

static void
upsert_vm (FerryPool  *self,
           const char *ref,
           JsonObject *record)
{
  FerryVm *vm;
  FerryHost *old_host;
  FerryHost *new_host;
  const char *resident_ref;
  gboolean is_new = FALSE;
  gboolean name_changed;

  if (!vm_is_visible (record))
    {
      remove_vm (self, ref);
      return;
    }

  resident_ref = ferry_record_get_ref (record, "resident_on");
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
      store_insert (self, self->vms, vm, compare_vms);
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
        store_insert (self, ferry_host_get_vm_store (new_host), vm, compare_vms);
    }
  else if (name_changed && new_host != NULL)
    {
      store_resort (ferry_host_get_vm_store (new_host), vm, compare_vms);
    }

  g_clear_object (&old_host);
}

static void
upsert_sr (FerryPool  *self,
           const char *ref,
           JsonObject *record)
{
  FerrySr *sr = g_hash_table_lookup (self->sr_by_ref, ref);

  if (sr == NULL)
    {
      sr = ferry_sr_new (self, ref);
      ferry_sr_update (sr, record);
      g_hash_table_insert (self->sr_by_ref, g_strdup (ref), sr);
      store_insert (self, self->srs, sr, compare_srs);
    }
  else if (ferry_sr_update (sr, record))
    {
      store_resort (self->srs, sr, compare_srs);
    }
}

static void
remove_sr (FerryPool  *self,
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

static void
upsert_network (FerryPool  *self,
                const char *ref,
                JsonObject *record)
{
  FerryNetwork *network = g_hash_table_lookup (self->network_by_ref, ref);

  if (network == NULL)
    {
      network = ferry_network_new (self, ref);
      ferry_network_update (network, record);
      g_hash_table_insert (self->network_by_ref, g_strdup (ref), network);
      store_insert (self, self->networks, network, compare_networks);
    }
  else if (ferry_network_update (network, record))
    {
      store_resort (self->networks, network, compare_networks);
    }
}

static void
remove_network (FerryPool  *self,
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
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->host_by_ref);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_strcmp0 (ferry_host_get_metrics_ref (value), metrics_ref) == 0)
        {
          JsonObject *record = ferry_pool_lookup (self, "host", key);

          if (record != NULL)
            upsert_host (self, key, record);
        }
    }
}

static void
apply_pool_record (FerryPool *self)
{
  const char *pool_ref = xapi_cache_get_pool_ref (self->cache);
  JsonObject *record = ferry_pool_lookup (self, "pool", pool_ref);
  g_autofree char *old_master = NULL;

  if (record == NULL)
    return;

  if (ferry_set_string (&self->uuid, xapi_record_get_string (record, "uuid")))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UUID]);
  ferry_set_string (&self->pool_name, xapi_record_get_string (record, "name_label"));
  ferry_set_string (&self->default_sr_ref, ferry_record_get_ref (record, "default_SR"));
  ferry_set_string (&self->suspend_sr_ref, ferry_record_get_ref (record, "suspend_image_SR"));

  old_master = g_strdup (self->master_ref);
  if (ferry_set_string (&self->master_ref, ferry_record_get_ref (record, "master")))
    {
      /* Both hosts change their "is-master". */
      const char *refs[] = { old_master, self->master_ref };

      for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
        {
          JsonObject *host = ferry_pool_lookup (self, "host", refs[i]);

          if (host != NULL && g_hash_table_contains (self->host_by_ref, refs[i]))
            upsert_host (self, refs[i], host);
        }
    }

  update_name (self);
}

static void
refresh_all_devices (FerryPool *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->vm_by_ref);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ferry_vm_invalidate_devices (value);
}

/* Brings the models in line with the whole cache, keeping the objects that
 * still exist (jobs and views hold them). */
static void
sync_class (FerryPool  *self,
            const char *klass,
            GHashTable *objects,
            void      (*upsert) (FerryPool *, const char *, JsonObject *),
            void      (*remove) (FerryPool *, const char *))
{
  GHashTable *table = xapi_cache_get_table (self->cache, klass);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

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

/* ---- applying a whole (re)load, a slice at a time ------------------------ */

/* A pool of 10,000 VMs takes most of a second to bring into the models
 * (devices, objects, sorting, and what every view bound to the lists does
 * with them).  Done in one go, the window could not answer or redraw for
 * that long; so the work is cut into slices of a few milliseconds, run from
 * an idle source below the redraw priority.  Until it is done the pool stays
 * LOADING (or RECONNECTING), new objects reach their lists in sorted runs,
 * and the cache's "changed" batches wait (they are applied in order
 * afterwards, as if they had come after the load). */
#define SLICE_US 4000
/* What the views do about a splice hardly depends on its size (5 to 15 ms
 * for a host's list in the tree of a 10,000-VM pool, whether 8 or 150 VMs
 * arrive): a host's VMs go in with one splice, the pool's in a few dozen. */
#define SPLICE_MAX 256
/* Rows near the top of a view are dearer: the view makes a widget for each
 * (156 VMs of the first host in one splice held the window up for 33 ms),
 * and so are hosts, each of which brings a subtree to a tree view (64 in
 * one splice: 30 ms).  They go in a few at a time. */
#define SPLICE_MAX_TOP 16
#define TOP_ROWS 256

typedef enum
{
  SYNC_INDEX_VBDS,
  SYNC_INDEX_VIFS,
  SYNC_OBJECTS,
  SYNC_VMS,
  SYNC_KEYS,
  SYNC_SORT,
  SYNC_SPLICE,
  SYNC_DONE
} SyncPhase;

struct _Sync
{
  SyncPhase   phase;
  GPtrArray  *refs;      /* (element-type utf8) what the phase goes through */
  guint       next;      /* in refs, or in pending_order */
  guint       item;      /* in the current Pending, for SYNC_KEYS */
  guint       spliced;   /* items spliced so far, in the order_splices() order */
  GHashTable *keys;      /* item -> collation key: a VM is in two lists */
};

static void
sync_free (Sync *sync)
{
  g_clear_pointer (&sync->refs, g_ptr_array_unref);
  g_clear_pointer (&sync->keys, g_hash_table_unref);
  g_free (sync);
}

/* The refs of a class now: the cache's tables may change between slices. */
static GPtrArray *
snapshot_refs (FerryPool  *self,
               const char *klass)
{
  GHashTable *table = xapi_cache_get_table (self->cache, klass);
  GPtrArray *refs = g_ptr_array_new_full (table != NULL ? g_hash_table_size (table) : 0, g_free);
  GHashTableIter iter;
  gpointer key;

  if (table == NULL)
    return refs;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (refs, g_strdup (key));
  return refs;
}

static const char *
item_name (gpointer item)
{
  if (FERRY_IS_VM (item))
    return ferry_vm_get_name (item);
  if (FERRY_IS_HOST (item))
    return ferry_host_get_name (item);
  if (FERRY_IS_SR (item))
    return ferry_sr_get_name (item);
  return ferry_network_get_name (item);
}

/* The order of ferry_compare_names(), with each key computed once. */
static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const PendingEntry *ea = a;
  const PendingEntry *eb = b;
  int res = strcmp (ea->key, eb->key);

  return res != 0 ? res : g_strcmp0 (item_name (ea->item), item_name (eb->item));
}

static gboolean
out_of_time (gint64 deadline)
{
  return g_get_monotonic_time () >= deadline;
}

/* Which VM a VBD or VIF belongs to, also after it is deleted (a "del"
 * event carries no record). */
static void
sync_index (FerryPool  *self,
            Sync       *sync,
            const char *klass,
            gint64      deadline)
{
  if (sync->refs == NULL)
    {
      sync->refs = snapshot_refs (self, klass);
      sync->next = 0;
    }

  while (sync->next < sync->refs->len)
    {
      const char *ref = g_ptr_array_index (sync->refs, sync->next++);
      const char *vm = ferry_record_get_ref (ferry_pool_lookup (self, klass, ref), "VM");

      if (vm != NULL)
        g_hash_table_replace (self->device_owner, g_strdup (ref), g_strdup (vm));
      if ((sync->next & 31) == 0 && out_of_time (deadline))
        return;
    }

  g_clear_pointer (&sync->refs, g_ptr_array_unref);
  sync->phase++;
}

static void
sync_objects (FerryPool *self,
              Sync      *sync)
{
  GHashTable *table = xapi_cache_get_table (self->cache, "vm");
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  self->syncing = TRUE;
  apply_pool_record (self);
  sync_class (self, "sr", self->sr_by_ref, upsert_sr, remove_sr);
  sync_class (self, "network", self->network_by_ref, upsert_network, remove_network);
  sync_class (self, "host", self->host_by_ref, upsert_host, remove_host);

  g_hash_table_iter_init (&iter, self->vm_by_ref);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (table == NULL || !g_hash_table_contains (table, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    remove_vm (self, g_ptr_array_index (gone, i));

  sync->refs = snapshot_refs (self, "vm");
  sync->next = 0;
  sync->phase++;
}

static void
sync_vms (FerryPool *self,
          Sync      *sync,
          gint64     deadline)
{
  while (sync->next < sync->refs->len)
    {
      const char *ref = g_ptr_array_index (sync->refs, sync->next++);
      JsonObject *record = ferry_pool_lookup (self, "vm", ref);
      FerryVm *vm;

      /* Gone since the snapshot: its "del" is among the deferred changes. */
      if (record != NULL)
        upsert_vm (self, ref, record);
      /* Its disks and VIFs (all of them: devices may have changed while
       * the pool was out of reach), before it shows in any list. */
      vm = g_hash_table_lookup (self->vm_by_ref, ref);
      if (vm != NULL)
        ferry_vm_invalidate_devices (vm);
      if ((sync->next & 15) == 0 && out_of_time (deadline))
        return;
    }

  g_clear_pointer (&sync->refs, g_ptr_array_unref);
  sync->next = 0;
  sync->item = 0;
  sync->keys = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  sync->phase++;
}

static void
sync_keys (FerryPool *self,
           Sync      *sync,
           gint64     deadline)
{
  while (sync->next < self->pending_order->len)
    {
      Pending *pending = g_ptr_array_index (self->pending_order, sync->next);

      if (pending->entries == NULL)
        pending->entries = g_array_sized_new (FALSE, FALSE, sizeof (PendingEntry), pending->items->len);

      while (sync->item < pending->items->len)
        {
          PendingEntry entry;

          entry.item = g_ptr_array_index (pending->items, sync->item++);
          entry.key = g_hash_table_lookup (sync->keys, entry.item);
          if (entry.key == NULL)
            {
              const char *name = item_name (entry.item);

              entry.key = g_utf8_collate_key_for_filename (name != NULL ? name : "", -1);
              g_hash_table_insert (sync->keys, entry.item, entry.key);
            }
          g_array_append_val (pending->entries, entry);
          if ((sync->item & 31) == 0 && out_of_time (deadline))
            return;
        }

      sync->next++;
      sync->item = 0;
    }

  sync->next = 0;
  sync->phase++;
}

typedef struct
{
  FerryPool  *pool;
  GHashTable *host_keys;   /* a host's VM list -> the host's collation key */
} SpliceOrder;

static int
splice_rank (SpliceOrder   *order,
             const Pending *pending,
             const char   **key)
{
  *key = NULL;
  if (pending->store == order->pool->hosts)
    return 0;
  *key = g_hash_table_lookup (order->host_keys, pending->store);
  return *key != NULL ? 1 : 2;
}

static int
compare_splice_order (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  const char *key_a, *key_b;
  int rank_a = splice_rank (user_data, *(Pending * const *) a, &key_a);
  int rank_b = splice_rank (user_data, *(Pending * const *) b, &key_b);

  if (rank_a != rank_b)
    return rank_a - rank_b;
  return rank_a == 1 ? strcmp (key_a, key_b) : 0;
}

/* The splices go in the order of a tree of the pool: its hosts, then each
 * host's VMs in the order of the hosts, then the pool's own lists.  A list
 * view keeps row widgets for a couple of hundred rows around the top; a
 * host's VMs spliced while few rows came before them land among those and
 * make the view create, bind and measure rows on every splice (20 to 30 ms
 * a time for a 10,000-VM pool), where in this order they land below. */
static void
order_splices (FerryPool *self)
{
  SpliceOrder order = { self, g_hash_table_new_full (NULL, NULL, NULL, g_free) };
  GHashTableIter iter;
  gpointer host;

  g_hash_table_iter_init (&iter, self->host_by_ref);
  while (g_hash_table_iter_next (&iter, NULL, &host))
    {
      const char *name = ferry_host_get_name (host);

      g_hash_table_insert (order.host_keys, ferry_host_get_vms (host),
                           g_utf8_collate_key_for_filename (name != NULL ? name : "", -1));
    }
  /* Stable: lists of the same rank keep the order they came in. */
  g_ptr_array_sort_with_data (self->pending_order, compare_splice_order, &order);
  g_hash_table_unref (order.host_keys);
}

static void
sync_sort (FerryPool *self,
           Sync      *sync,
           gint64     deadline)
{
  while (sync->next < self->pending_order->len)
    {
      Pending *pending = g_ptr_array_index (self->pending_order, sync->next++);

      /* A stable sort: equal names keep the order they came in. */
      g_array_sort (pending->entries, compare_entries);
      if (out_of_time (deadline))
        return;
    }

  order_splices (self);
  sync->next = 0;
  sync->phase++;
}

/* Where @item goes among what the store holds from @from on: after the
 * items that sort before it or equal to it, like a stable sort of the old
 * items followed by the new ones. */
static guint
insertion_point (Pending  *pending,
                 guint     from,
                 gpointer  item)
{
  GListModel *model = G_LIST_MODEL (pending->store);
  guint lo = from;
  guint hi = g_list_model_get_n_items (model);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      g_autoptr(GObject) other = g_list_model_get_item (model, mid);

      if (pending->compare (other, item, NULL) <= 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Moves the sorted new items into their stores, in runs that each take
 * their place in the (sorted) store: every list stays sorted throughout,
 * and a view sees a few hundred items arrive at a time. */
static void
sync_splice (FerryPool *self,
             Sync      *sync,
             gint64     deadline)
{
  g_autoptr(GPtrArray) run = g_ptr_array_new ();

  while (sync->next < self->pending_order->len)
    {
      Pending *pending = g_ptr_array_index (self->pending_order, sync->next);
      guint n = pending->entries->len;

      while (pending->done < n)
        {
          guint max = pending->store == self->hosts || sync->spliced < TOP_ROWS ? SPLICE_MAX_TOP : SPLICE_MAX;
          PendingEntry *first = &g_array_index (pending->entries, PendingEntry, pending->done);
          guint n_store = g_list_model_get_n_items (G_LIST_MODEL (pending->store));
          guint position = n_store == 0 ? 0 : insertion_point (pending, sync->item, first->item);
          g_autoptr(GObject) next_old = position < n_store
                                        ? g_list_model_get_item (G_LIST_MODEL (pending->store), position)
                                        : NULL;

          g_ptr_array_set_size (run, 0);
          g_ptr_array_add (run, first->item);
          while (pending->done + run->len < n && run->len < max)
            {
              PendingEntry *entry = &g_array_index (pending->entries, PendingEntry, pending->done + run->len);

              /* The run ends where an old item comes between. */
              if (next_old != NULL && pending->compare (next_old, entry->item, NULL) <= 0)
                break;
              g_ptr_array_add (run, entry->item);
            }

          g_list_store_splice (pending->store, position, 0, run->pdata, run->len);
          pending->done += run->len;
          sync->spliced += run->len;
          sync->item = position + run->len;

          if (out_of_time (deadline))
            return;
        }

      sync->next++;
      sync->item = 0;
    }

  clear_pending (self);
  self->syncing = FALSE;
  g_clear_pointer (&sync->keys, g_hash_table_unref);
  sync->phase++;
}

/* Runs the sync until @deadline, or until @until. */
static void
sync_run (FerryPool *self,
          SyncPhase  until,
          gint64     deadline)
{
  Sync *sync = self->sync;

  while (sync->phase < until)
    {
      switch (sync->phase)
        {
        case SYNC_INDEX_VBDS:
          sync_index (self, sync, "vbd", deadline);
          break;
        case SYNC_INDEX_VIFS:
          sync_index (self, sync, "vif", deadline);
          break;
        case SYNC_OBJECTS:
          sync_objects (self, sync);
          break;
        case SYNC_VMS:
          sync_vms (self, sync, deadline);
          break;
        case SYNC_KEYS:
          sync_keys (self, sync, deadline);
          break;
        case SYNC_SORT:
          sync_sort (self, sync, deadline);
          break;
        case SYNC_SPLICE:
          sync_splice (self, sync, deadline);
          break;
        case SYNC_DONE:
        default:
          g_assert_not_reached ();
        }
      if (out_of_time (deadline))
        return;
    }
}

/* Stops a sync before its end.  With @keep, what it added so far goes
 * into the lists at once, so that every object the pool knows is in its
 * lists (the next load brings the rest); without, the caller empties
 * everything anyway.  Changes that waited are dropped: whatever comes next
 * starts with a full load. */
static void
sync_stop (FerryPool *self,
           gboolean   keep)
{
  if (self->sync == NULL)
    return;

  g_clear_handle_id (&self->sync_id, g_source_remove);
  if (keep && self->syncing)
    {
      if (self->sync->phase < SYNC_KEYS)
        {
          g_clear_pointer (&self->sync->refs, g_ptr_array_unref);
          self->sync->next = 0;
          self->sync->item = 0;
          self->sync->keys = g_hash_table_new_full (NULL, NULL, NULL, g_free);
          self->sync->phase = SYNC_KEYS;
        }
      sync_run (self, SYNC_DONE, G_MAXINT64);
    }
  clear_pending (self);
  self->syncing = FALSE;
  g_clear_pointer (&self->sync, sync_free);
  g_ptr_array_set_size (self->deferred, 0);
}

static void sync_done (FerryPool *self);

static gboolean
sync_step_cb (gpointer user_data)
{
  FerryPool *self = user_data;

  sync_run (self, SYNC_DONE, g_get_monotonic_time () + SLICE_US);
  if (self->sync->phase < SYNC_DONE)
    return G_SOURCE_CONTINUE;

  self->sync_id = 0;
  g_clear_pointer (&self->sync, sync_free);
  sync_done (self);
  return G_SOURCE_REMOVE;
}

static void
sync_start (FerryPool *self)
{
  /* A new load while one is still being applied: finish with the old one
   * first, so that the lists hold every object the pool knows. */
  sync_stop (self, TRUE);

  g_hash_table_remove_all (self->device_owner);
  self->sync = g_new0 (Sync, 1);
  self->sync->phase = SYNC_INDEX_VBDS;
  /* Below redrawing (GDK_PRIORITY_REDRAW): the window repaints between
   * slices. */
  self->sync_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, sync_step_cb, self, NULL);
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

  vm = ferry_record_get_ref (change->record, "VM");
  if (vm != NULL)
    {
      g_hash_table_replace (self->device_owner, g_strdup (change->ref), g_strdup (vm));
      g_hash_table_add (touched, g_strdup (vm));
    }
}

static void
apply_changes (FerryPool *self,
               GPtrArray *changes)
{
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean all_devices = FALSE;
  gboolean pool_changed = FALSE;
  gboolean hosts_changed = FALSE;
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < changes->len; i++)
    {
      XapiChange *change = g_ptr_array_index (changes, i);
      const char *k = change->klass;
      gboolean del = change->kind == XAPI_CHANGE_DEL || change->record == NULL;

      if (g_str_equal (k, "pool"))
        pool_changed = TRUE;
      else if (g_str_equal (k, "host"))
        {
          hosts_changed = TRUE;
          if (del)
            remove_host (self, change->ref);
          else
            upsert_host (self, change->ref, change->record);
        }
      else if (g_str_equal (k, "host_metrics"))
        refresh_host_of_metrics (self, change->ref);
      else if (g_str_equal (k, "vm"))
        {
          if (del)
            remove_vm (self, change->ref);
          else
            {
              upsert_vm (self, change->ref, change->record);
              g_hash_table_add (touched, g_strdup (change->ref));
            }
        }
      else if (g_str_equal (k, "sr") || g_str_equal (k, "network"))
        {
          gboolean is_sr = g_str_equal (k, "sr");
          gboolean known = g_hash_table_contains (is_sr ? self->sr_by_ref : self->network_by_ref, change->ref);

          if (del && is_sr)
            remove_sr (self, change->ref);
          else if (del)
            remove_network (self, change->ref);
          else if (is_sr)
            upsert_sr (self, change->ref, change->record);
          else
            upsert_network (self, change->ref, change->record);
          /* Disks and VIFs point at these objects: only their coming and
           * going matters to them. */
          if (del || !known)
            all_devices = TRUE;
        }
      else if (g_str_equal (k, "vbd") || g_str_equal (k, "vif"))
        note_device (self, touched, change, del);
      else if (g_str_equal (k, "vdi"))
        {
          g_autoptr(GPtrArray) vbds = NULL;

          if (del)
            {
              /* Its VBDs change too, or are already gone; a dangling one
               * is dropped when its VM is looked at again. */
              continue;
            }
          vbds = xapi_record_get_ref_set (change->record, "VBDs");
          for (guint j = 0; j < vbds->len; j++)
            touch_owner (self, touched, g_ptr_array_index (vbds, j));
        }
    }

  if (pool_changed)
    apply_pool_record (self);
  if (hosts_changed)
    update_host_addresses (self);

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

/* ---- identity -------------------------------------------------------------- */

static gboolean
is_ip_literal (const char *host)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  return address != NULL;
}

/* After HOST_IS_SLAVE sent us elsewhere, or after we reconnected through
 * another address: is this still the pool we meant? */
static gboolean
verify_identity (FerryPool  *self,
                 GError    **error)
{
  const char *pool_ref = xapi_cache_get_pool_ref (self->cache);
  JsonObject *record = ferry_pool_lookup (self, "pool", pool_ref);
  const char *uuid = xapi_record_get_string (record, "uuid");

  if (self->uuid != NULL && *self->uuid != '\0' && *uuid != '\0' && g_strcmp0 (self->uuid, uuid) != 0)
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_WRONG_POOL,
                   _("%s now leads to another pool (%s) than the one connected before."),
                   self->master_url, xapi_record_get_string (record, "name_label"));
      return FALSE;
    }

  if ((self->uuid == NULL || *self->uuid == '\0') && self->redirected_from != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (self->redirected_from, G_URI_FLAGS_NONE, NULL);
      const char *asked = uri != NULL ? g_uri_get_host (uri) : NULL;
      GHashTable *hosts = xapi_cache_get_table (self->cache, "host");
      gboolean member = FALSE;
      GHashTableIter iter;
      gpointer value;

      if (asked == NULL || hosts == NULL)
        return TRUE;

      g_hash_table_iter_init (&iter, hosts);
      while (!member && g_hash_table_iter_next (&iter, NULL, &value))
        member = g_ascii_strcasecmp (xapi_record_get_string (value, "address"), asked) == 0
                 || g_ascii_strcasecmp (xapi_record_get_string (value, "hostname"), asked) == 0;

      /* A name we cannot compare without resolving it is let through: the
       * master's certificate was still checked on the way. */
      if (!member && is_ip_literal (asked))
        {
          g_set_error (error, XAPI_ERROR, XAPI_ERROR_WRONG_POOL,
                       _("%s sent Ferry to a master whose pool does not include it."), asked);
          return FALSE;
        }
    }

  return TRUE;
}

/* Candidate addresses for reconnecting: where the master was, what the user
 * gave, then every other member (a new master may have been elected). */
static void
remember_members (FerryPool *self)
{
  g_autoptr(GUri) base = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
  GHashTable *hosts = self->cache != NULL ? xapi_cache_get_table (self->cache, "host") : NULL;
  GHashTableIter iter;
  gpointer value;

  g_ptr_array_set_size (self->member_urls, 0);
  if (self->master_url != NULL)
    g_ptr_array_add (self->member_urls, g_strdup (self->master_url));
  if (g_strcmp0 (self->master_url, self->url) != 0)
    g_ptr_array_add (self->member_urls, g_strdup (self->url));

  if (base == NULL || hosts == NULL)
    return;

  g_hash_table_iter_init (&iter, hosts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char *address = xapi_record_get_string (value, "address");
      g_autofree char *url = NULL;
      gboolean known = FALSE;

      if (*address == '\0')
        continue;

      url = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (base), NULL, address,
                        g_uri_get_port (base), "", NULL, NULL);
      for (guint i = 0; i < self->member_urls->len && !known; i++)
        known = g_str_equal (g_ptr_array_index (self->member_urls, i), url);
      if (!known)
        g_ptr_array_add (self->member_urls, g_steal_pointer (&url));
    }
}

/* ---- where a redirect may lead --------------------------------------------- */

static void
push_known_hosts (FerryPool *self)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GUri) uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);

  if (self->connection == NULL)
    return;

  /* The address the user typed is theirs to send the password to. */
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    g_ptr_array_add (all, (gpointer) g_uri_get_host (uri));
  for (guint i = 0; i < self->host_addresses->len; i++)
    g_ptr_array_add (all, g_ptr_array_index (self->host_addresses, i));
  for (guint i = 0; i < self->trusted_redirects->len; i++)
    g_ptr_array_add (all, g_ptr_array_index (self->trusted_redirects, i));
  g_ptr_array_add (all, NULL);

  xapi_connection_set_known_hosts (self->connection, (const char * const *) all->pdata);
}

/* The pool's members as the cache has them now: a new master elected among
 * them may be followed without asking. */
static void
update_host_addresses (FerryPool *self)
{
  GHashTable *hosts = self->cache != NULL ? xapi_cache_get_table (self->cache, "host") : NULL;
  GHashTableIter iter;
  gpointer value;

  if (hosts == NULL)
    return;

  g_ptr_array_set_size (self->host_addresses, 0);
  g_hash_table_iter_init (&iter, hosts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char *address = xapi_record_get_string (value, "address");

      if (*address != '\0')
        g_ptr_array_add (self->host_addresses, g_strdup (address));
    }
  push_known_hosts (self);
}

void
ferry_pool_trust_redirect (FerryPool  *self,
                           const char *address)
{
  g_return_if_fail (FERRY_IS_POOL (self));
  g_return_if_fail (address != NULL);

  for (guint i = 0; i < self->trusted_redirects->len; i++)
    if (g_str_equal (g_ptr_array_index (self->trusted_redirects, i), address))
      return;
  g_ptr_array_add (self->trusted_redirects, g_strdup (address));
  push_known_hosts (self);
}

/* ---- connection life cycle ------------------------------------------------ */

static gboolean
release_later_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* We are often inside one of the cache's or the connection's own signals
 * here: let them finish their emission before they go. */
static void
release_later (gpointer object)
{
  g_idle_add (release_later_cb, object);
}

static void
drop_connection (FerryPool *self)
{
  g_clear_handle_id (&self->failover_id, g_source_remove);
  sync_stop (self, TRUE);

  if (self->cache != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->cache, self);
      xapi_cache_stop (self->cache);
      release_later (g_steal_pointer (&self->cache));
    }
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      release_later (g_steal_pointer (&self->connection));
    }
}

static void
complete_connect (FerryPool    *self,
                  const GError *error)
{
  g_autoptr(GTask) task = NULL;

  if (self->connect_task == NULL)
    return;

  /* A connect that got in after its caller cancelled is not a success:
   * on_connect_cancelled_idle, already on its way, takes it down again and
   * completes the task with G_IO_ERROR_CANCELLED. */
  if (error == NULL && g_cancellable_is_cancelled (g_task_get_cancellable (self->connect_task)))
    return;

  task = g_steal_pointer (&self->connect_task);
  /* Never called from within the "cancelled" emission (the handler only
   * queues an idle), so disconnecting here cannot deadlock. */
  g_cancellable_disconnect (g_task_get_cancellable (task), self->connect_cancel_id);
  self->connect_cancel_id = 0;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
is_permanent (const GError *error)
{
  if (g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_UNKNOWN)
      || g_error_matches (error, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_CHANGED)
      || g_error_matches (error, XAPI_ERROR, XAPI_ERROR_WRONG_POOL)
      || g_error_matches (error, XAPI_ERROR, XAPI_ERROR_REDIRECT_REFUSED))
    return TRUE;

  return xapi_error_has_code (error, "SESSION_AUTHENTICATION_FAILED");
}

static gboolean
on_retry_timeout (gpointer user_data)
{
  FerryPool *self = user_data;

  self->retry_id = 0;
  start_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
handle_failure (FerryPool    *self,
                const GError *error)
{
  g_autofree char *message = ferry_error_to_message (error);

  drop_connection (self);
  set_error_text (self, message);

  if (is_permanent (error) || (!self->has_been_ready && !self->retry_forever))
    {
      g_debug ("Pool %s failed: %s", self->url, error->message);
      self->stopped = TRUE;
      set_state (self, FERRY_POOL_STATE_FAILED);
      complete_connect (self, error);
      return;
    }

  g_debug ("Pool %s: %s; retrying in %u s", self->url, error->message, self->backoff);
  set_state (self, FERRY_POOL_STATE_RECONNECTING);
  complete_connect (self, error);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add_seconds (self->backoff, on_retry_timeout, self);
  self->backoff = MIN (self->backoff * 2, BACKOFF_MAX_SECONDS);
}

void
ferry_pool_set_failed (FerryPool    *self,
                       const GError *error)
{
  g_return_if_fail (FERRY_IS_POOL (self));
  handle_failure (self, error);
}

static void
on_cache_loaded (FerryPool *self)
{
  g_autoptr(GError) error = NULL;

  if (!verify_identity (self, &error))
    {
      handle_failure (self, error);
      return;
    }

  /* The rest once the models hold everything: sync_done(). */
  sync_start (self);
}

static void
sync_done (FerryPool *self)
{
  g_autoptr(GPtrArray) deferred = NULL;
  XapiCache *cache = self->cache;

  apply_pool_record (self);
  remember_members (self);
  update_host_addresses (self);
  xapi_connection_set_pool_uuid (self->connection, self->uuid);

  self->has_been_ready = TRUE;
  self->backoff = BACKOFF_MIN_SECONDS;
  g_clear_handle_id (&self->failover_id, g_source_remove);
  set_error_text (self, NULL);

  g_object_ref (self);
  deferred = g_steal_pointer (&self->deferred);
  self->deferred = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  set_state (self, FERRY_POOL_STATE_READY);
  g_signal_emit (self, signals[SIGNAL_OBJECTS_RESET], 0);
  complete_connect (self, NULL);

  /* The changes that came during the sync, in order, unless someone
   * dropped the connection or a new load started meanwhile. */
  for (guint i = 0; i < deferred->len && self->cache == cache && self->sync == NULL; i++)
    {
      GPtrArray *changes = g_ptr_array_index (deferred, i);

      apply_changes (self, changes);
      g_signal_emit (self, signals[SIGNAL_OBJECTS_CHANGED], 0, changes);
    }
  g_object_unref (self);
}

/* After a reload the cache emits "reset" then "ready"; "ready" alone is
 * enough to bring everything in line. */
static void
on_cache_ready (XapiCache *cache,
                FerryPool *self)
{
  on_cache_loaded (self);
}

static void
on_cache_changed (XapiCache *cache,
                  GPtrArray *changes,
                  FerryPool *self)
{
  if (self->sync != NULL)
    {
      g_ptr_array_add (self->deferred, g_ptr_array_ref (changes));
      return;
    }

  g_object_ref (self);
  apply_changes (self, changes);
  g_signal_emit (self, signals[SIGNAL_OBJECTS_CHANGED], 0, changes);
  g_object_unref (self);
}

static gboolean
on_failover_timeout (gpointer user_data)
{
  FerryPool *self = user_data;
  g_autoptr(GError) error = NULL;
  const GError *cache_error;

  self->failover_id = 0;

  cache_error = self->cache != NULL ? xapi_cache_get_error (self->cache) : NULL;
  error = cache_error != NULL ? g_error_copy (cache_error)
                              : g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                                             _("The pool master stopped answering."));
  self->attempt++;
  handle_failure (self, error);

  return G_SOURCE_REMOVE;
}

static void
on_cache_state (XapiCache  *cache,
                GParamSpec *pspec,
                FerryPool  *self)
{
  switch (xapi_cache_get_state (cache))
    {
    case XAPI_CACHE_STATE_LOADING:
      set_state (self, self->has_been_ready ? FERRY_POOL_STATE_RECONNECTING : FERRY_POOL_STATE_LOADING);
      break;

    case XAPI_CACHE_STATE_READY:
      /* "ready" does the work. */
      break;

    case XAPI_CACHE_STATE_RECONNECTING:
      {
        const GError *error = xapi_cache_get_error (cache);

        if (error != NULL)
          {
            g_autofree char *message = ferry_error_to_message (error);

            set_error_text (self, message);
          }
        set_state (self, FERRY_POOL_STATE_RECONNECTING);
        if (self->failover_id == 0)
          self->failover_id = g_timeout_add_seconds (FAILOVER_AFTER_SECONDS, on_failover_timeout, self);
      }
      break;

    case XAPI_CACHE_STATE_FAILED:
      {
        const GError *cache_error = xapi_cache_get_error (cache);
        g_autoptr(GError) error = cache_error != NULL
                                  ? g_error_copy (cache_error)
                                  : g_error_new (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                                                 _("Lost the connection to the pool."));

        self->attempt++;
        handle_failure (self, error);
      }
      break;

    case XAPI_CACHE_STATE_IDLE:
    default:
      break;
    }
}

static void
on_connection_url (XapiConnection *connection,
                   GParamSpec     *pspec,
                   FerryPool      *self)
{
  set_master_url (self, xapi_connection_get_url (connection));
}

static void
on_login (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(FerryPool) self = user_data;
  XapiConnection *connection = XAPI_CONNECTION (source);
  g_autoptr(GError) error = NULL;

  if (!xapi_connection_login_finish (connection, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || connection != self->connection)
        return;
      self->attempt++;
      handle_failure (self, error);
      return;
    }

  if (connection != self->connection)
    return;

  set_master_url (self, xapi_connection_get_url (connection));
  ferry_set_string (&self->redirected_from, xapi_connection_get_redirected_from (connection));

  self->cache = xapi_cache_new (connection, cache_classes);
  xapi_cache_set_fields (self->cache, ferry_cache_fields ());
  g_signal_connect (self->cache, "ready", G_CALLBACK (on_cache_ready), self);
  g_signal_connect (self->cache, "changed", G_CALLBACK (on_cache_changed), self);
  g_signal_connect (self->cache, "notify::state", G_CALLBACK (on_cache_state), self);

  set_state (self, self->has_been_ready ? FERRY_POOL_STATE_RECONNECTING : FERRY_POOL_STATE_LOADING);
  xapi_cache_start (self->cache);
}

static void
start_attempt (FerryPool *self)
{
  const char *url = self->url;

  drop_connection (self);
  if (self->stopped)
    return;

  if (self->member_urls->len > 0)
    url = g_ptr_array_index (self->member_urls, self->attempt % self->member_urls->len);

  g_debug ("Pool %s: connecting to %s", self->url, url);

  self->connection = xapi_connection_new (url);
  xapi_connection_set_originator (self->connection, "ferry");
  if (self->fingerprint != NULL)
    xapi_connection_set_pinned_fingerprint (self->connection, self->fingerprint);
  /* Reconnecting: a supporter's redirect must lead back to this pool. */
  xapi_connection_set_pool_uuid (self->connection, self->uuid);
  push_known_hosts (self);
  g_signal_connect (self->connection, "notify::url", G_CALLBACK (on_connection_url), self);

  set_state (self, self->has_been_ready ? FERRY_POOL_STATE_RECONNECTING : FERRY_POOL_STATE_CONNECTING);
  xapi_connection_login_async (self->connection, self->username, self->password,
                               self->cancellable, on_login, g_object_ref (self));
}

/* ---- GObject ---------------------------------------------------------------- */

static void
detach_all (FerryPool *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->host_by_ref);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ferry_host_detach (value);
  g_hash_table_iter_init (&iter, self->vm_by_ref);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ferry_vm_detach (value);
}

static void
ferry_pool_dispose (GObject *object)
{
  FerryPool *self = FERRY_POOL (object);

  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  sync_stop (self, FALSE);
  drop_connection (self);

  if (self->connect_task != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("The connection was abandoned."));
      complete_connect (self, error);
    }

  if (self->host_by_ref != NULL)
    detach_all (self);

  G_OBJECT_CLASS (ferry_pool_parent_class)->dispose (object);
}

static void
ferry_pool_finalize (GObject *object)
{
  FerryPool *self = FERRY_POOL (object);

  g_free (self->url);
  g_free (self->username);
  if (self->password != NULL)
    {
      /* Do not leave the password lying in freed memory (explicit_bzero:
       * a memset before a free may be optimised away). */
      explicit_bzero (self->password, strlen (self->password));
      g_free (self->password);
    }
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
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

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
  self->hosts = g_list_store_new (FERRY_TYPE_HOST);
  self->vms = g_list_store_new (FERRY_TYPE_VM);
  self->srs = g_list_store_new (FERRY_TYPE_SR);
  self->networks = g_list_store_new (FERRY_TYPE_NETWORK);
  self->host_by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->vm_by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sr_by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->network_by_ref = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->device_owner = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, pending_free);
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

static gboolean
on_connect_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  FerryPool *self = g_task_get_source_object (task);

  /* Still this connect: give it up the way ferry_pool_disconnect() gives
   * any connect up, which leaves nothing listed and completes the task
   * with G_IO_ERROR_CANCELLED. */
  if (self->connect_task == task)
    ferry_pool_disconnect (self);

  return G_SOURCE_REMOVE;
}

/* May run in whichever thread cancels: it only queues the work for the
 * pool's own context. */
static void
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, on_connect_cancelled_idle, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[ferry] pool connect cancelled");
  g_source_attach (source, g_task_get_context (task));
}

void
ferry_pool_connect_async (FerryPool           *self,
                          const char          *password,
                          const char          *fingerprint,
                          gboolean             retry_forever,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (FERRY_IS_POOL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_pool_connect_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->connect_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Already connecting to %s."), self->url);
      return;
    }

  if (password != NULL)
    {
      if (self->password != NULL)
        explicit_bzero (self->password, strlen (self->password));
      g_free (self->password);
      self->password = g_strdup (password);
    }
  ferry_set_string (&self->fingerprint, fingerprint);
  self->retry_forever = retry_forever;
  self->stopped = FALSE;
  self->attempt = 0;
  self->backoff = BACKOFF_MIN_SECONDS;
  g_clear_handle_id (&self->retry_id, g_source_remove);

  self->connect_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    self->connect_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_connect_cancelled),
                                                     self->connect_task, NULL);
  start_attempt (self);
}

gboolean
ferry_pool_connect_finish (FerryPool     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_logout (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  xapi_connection_logout_finish (XAPI_CONNECTION (source), result, NULL);
}

void
ferry_pool_set_connecting (FerryPool *self)
{
  g_return_if_fail (FERRY_IS_POOL (self));

  if (self->state == FERRY_POOL_STATE_DISCONNECTED)
    set_state (self, FERRY_POOL_STATE_CONNECTING);
}

void
ferry_pool_disconnect (FerryPool *self)
{
  g_return_if_fail (FERRY_IS_POOL (self));

  self->stopped = TRUE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  /* Everything goes below: no point in putting a half-applied load in. */
  sync_stop (self, FALSE);

  if (self->connection != NULL && xapi_connection_is_logged_in (self->connection))
    xapi_connection_logout_async (self->connection, NULL, on_logout, NULL);
  drop_connection (self);

  if (self->connect_task != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("The connection was abandoned."));
      complete_connect (self, error);
    }

  detach_all (self);
  g_hash_table_remove_all (self->vm_by_ref);
  g_hash_table_remove_all (self->host_by_ref);
  g_hash_table_remove_all (self->sr_by_ref);
  g_hash_table_remove_all (self->network_by_ref);
  g_list_store_remove_all (self->vms);
  g_list_store_remove_all (self->hosts);
  g_list_store_remove_all (self->srs);
  g_list_store_remove_all (self->networks);

  set_state (self, FERRY_POOL_STATE_DISCONNECTED);
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

typedef const char *(*NameFunc) (gpointer item);

/* uuid first (exact), then a unique name; ambiguous names find nothing. */
static gpointer
find_in (GListModel *model,
         const char *key,
         NameFunc    get_uuid,
         NameFunc    get_name)
{
  guint n = g_list_model_get_n_items (model);
  gpointer found = NULL;
  guint matches = 0;

  if (key == NULL || *key == '\0')
    return NULL;

  for (guint i = 0; i < n; i++)
    {
      GObject *item = ferry_store_peek (model, i);

      if (g_strcmp0 (get_uuid (item), key) == 0)
        return item;  /* (transfer none) */
    }

  for (guint i = 0; i < n; i++)
    {
      GObject *item = ferry_store_peek (model, i);

      if (g_strcmp0 (get_name (item), key) == 0)
        {
          found = item;
          matches++;
        }
    }

  return matches == 1 ? found : NULL;  /* (transfer none) */
}

FerryHost *
ferry_pool_find_host (FerryPool  *self,
                      const char *uuid_or_unique_name)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return find_in (G_LIST_MODEL (self->hosts), uuid_or_unique_name,
                  (NameFunc) ferry_host_get_uuid, (NameFunc) ferry_host_get_name);
}

FerryVm *
ferry_pool_find_vm (FerryPool  *self,
                    const char *uuid_or_unique_name)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return find_in (G_LIST_MODEL (self->vms), uuid_or_unique_name,
                  (NameFunc) ferry_vm_get_uuid, (NameFunc) ferry_vm_get_name);
}

FerrySr *
ferry_pool_find_sr (FerryPool  *self,
                    const char *uuid_or_unique_name)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return find_in (G_LIST_MODEL (self->srs), uuid_or_unique_name,
                  (NameFunc) ferry_sr_get_uuid, (NameFunc) ferry_sr_get_name);
}

FerryNetwork *
ferry_pool_find_network (FerryPool  *self,
                         const char *uuid_or_unique_name)
{
  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  return find_in (G_LIST_MODEL (self->networks), uuid_or_unique_name,
                  (NameFunc) ferry_network_get_uuid, (NameFunc) ferry_network_get_name);
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
  g_autoptr(GPtrArray) pifs = NULL;

  g_return_val_if_fail (FERRY_IS_POOL (self), NULL);
  g_return_val_if_fail (FERRY_IS_HOST (host), NULL);

  pifs = xapi_record_get_ref_set (ferry_pool_lookup (self, "host", ferry_host_get_ref (host)), "PIFs");
  for (guint i = 0; i < pifs->len; i++)
    {
      JsonObject *pif = ferry_pool_lookup (self, "pif", g_ptr_array_index (pifs, i));

      if (pif != NULL && xapi_record_get_bool (pif, "management"))
        return ferry_pool_get_network_by_ref (self, ferry_record_get_ref (pif, "network"));
    }

  return NULL;
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
