/* ferry-pool-loader.c: a whole (re)load of a pool brought into its lists, a slice at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ferry-pool-private.h"
#include "ferry-host-private.h"
#include "ferry-vm-private.h"
#include "ferry-object.h"

/* While the whole pool is (re)loaded, new items are gathered per store and
 * spliced in afterwards, in order and in a few large pieces (sync_splice()).
 * Inserting a large pool's 10,000 VMs one at a time made every list view
 * bound to the store react 10,000 times, which froze the window for most of
 * a minute. */
typedef struct
{
  char    *key;  /* collation key of the name: sorting is by it */
  gpointer item; /* a FerryObject, owned by Pending.items */
} PendingEntry;

typedef struct
{
  GListStore      *store;
  GPtrArray       *items; /* in the order they came */
  GCompareDataFunc compare;
  GArray          *entries; /* PendingEntry, sorted (sync_sort()) */
  guint            done;    /* entries already in the store */
  guint            from;    /* where in the store the next run may go, at the earliest */
} Pending;

void
ferry_pool_pending_free (gpointer data)
{
  Pending *pending = data;

  g_ptr_array_unref (pending->items);
  g_clear_pointer (&pending->entries, g_array_unref);
  g_free (pending);
}

void
ferry_pool_store_insert (FerryPool       *self,
                         GListStore      *store,
                         gpointer         item,
                         GCompareDataFunc compare)
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
#define SYNC_NUDGE_MS 50
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

/* One step of SYNC_SPLICE: @pending's entries up to @upto go in. */
typedef struct
{
  Pending *pending;
  guint    upto;
} SpliceStep;

struct _Sync
{
  SyncPhase   phase;
  GPtrArray  *refs;    /* (element-type GRefString) what the phase goes through */
  guint       next;    /* in refs, pending_order, or steps */
  guint       item;    /* in the current Pending, for SYNC_KEYS */
  guint       spliced; /* items spliced so far, in the order of the steps */
  GHashTable *keys;    /* item -> collation key: a VM is in two lists */
  GArray     *steps;   /* SpliceStep, in order (plan_splices()) */
};

static void
sync_free (Sync *sync)
{
  g_clear_pointer (&sync->refs, g_ptr_array_unref);
  g_clear_pointer (&sync->keys, g_hash_table_unref);
  g_clear_pointer (&sync->steps, g_array_unref);
  g_free (sync);
}

/* The refs of a class now: the cache's tables may change between slices.
 * A table's keys are its records' own refs, interned strings: holding a
 * reference keeps one alive.  (A copy of each took 20 ms in one go for the
 * 20,000 to 30,000 VBDs of a 10,000-VM pool.) */
static GPtrArray *
snapshot_refs (FerryPool *self,
               XapiClass  klass)
{
  GHashTable *table = xapi_cache_get_table (self->cache, klass);
  GPtrArray  *refs = g_ptr_array_new_full (table != NULL ? g_hash_table_size (table) : 0,
                                          (GDestroyNotify) g_ref_string_release);
  GHashTableIter iter;
  gpointer       key;

  if (table == NULL)
    return refs;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (refs, g_ref_string_acquire (key));
  return refs;
}

/* The order of ferry_compare_names(), with each key computed once. */
static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const PendingEntry *ea = a;
  const PendingEntry *eb = b;
  int                 res = strcmp (ea->key, eb->key);

  return res != 0 ? res : g_strcmp0 (ferry_object_get_name (ea->item), ferry_object_get_name (eb->item));
}

static gboolean
out_of_time (gint64 deadline)
{
  return g_get_monotonic_time () >= deadline;
}

static void sync_done (FerryPool *self);

/* Which VM a VBD or VIF belongs to, also after it is deleted (a "del"
 * event carries no record). */
static void
sync_index (FerryPool *self,
            Sync      *sync,
            XapiClass  klass,
            gint64     deadline)
{
  if (sync->refs == NULL)
    {
      sync->refs = snapshot_refs (self, klass);
      sync->next = 0;
    }

  while (sync->next < sync->refs->len)
    {
      const char *ref = g_ptr_array_index (sync->refs, sync->next++);
      const char *vm = ferry_pool_device_vm (ferry_pool_lookup (self, klass, ref));

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
  GHashTable *table = xapi_cache_get_table (self->cache, XAPI_CLASS_VM);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer       key;

  self->syncing = TRUE;
  ferry_pool_apply_pool_record (self);
  ferry_pool_sync_class (self, XAPI_CLASS_SR);
  ferry_pool_sync_class (self, XAPI_CLASS_NETWORK);
  ferry_pool_sync_class (self, XAPI_CLASS_HOST);

  g_hash_table_iter_init (&iter, self->vm_by_ref);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (table == NULL || !g_hash_table_contains (table, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    ferry_pool_remove_vm (self, g_ptr_array_index (gone, i));

  sync->refs = snapshot_refs (self, XAPI_CLASS_VM);
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
      const char   *ref = g_ptr_array_index (sync->refs, sync->next++);
      const XapiVm *record = ferry_pool_lookup (self, XAPI_CLASS_VM, ref);
      FerryVm      *vm;

      /* Gone since the snapshot: its "del" is among the deferred changes. */
      if (record != NULL)
        ferry_pool_upsert_vm (self, ref, record);
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
              const char *name = ferry_object_get_name (entry.item);

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
  GHashTable *host_keys; /* a host's VM list -> the host's collation key */
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
  int         rank_a = splice_rank (user_data, *(Pending         *const *) a, &key_a);
  int         rank_b = splice_rank (user_data, *(Pending         *const *) b, &key_b);

  if (rank_a != rank_b)
    return rank_a - rank_b;
  return rank_a == 1 ? strcmp (key_a, key_b) : 0;
}

/* The lists in the order of a tree of the pool: its hosts, then each
 * host's VMs in the order of the hosts, then the pool's own lists. */
static void
order_splices (FerryPool *self)
{
  SpliceOrder    order = { self, g_hash_table_new_full (NULL, NULL, NULL, g_free) };
  GHashTableIter iter;
  gpointer       host;

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
add_step (Sync    *sync,
          Pending *pending,
          guint    upto)
{
  SpliceStep step = { pending, upto };

  g_array_append_val (sync->steps, step);
}

/* The splices follow a tree of the pool row by row: each new host, then
 * its VMs, then the next host, so that every splice of a first load adds
 * rows at the end of the tree.  A list view keeps row widgets for a couple
 * of hundred rows from the top, and rows inserted among them, or above
 * the visible ones, make it create, bind and measure rows and repaint the
 * whole list (all the hosts first, then each host's VMs beneath it, did
 * that for every splice until the top of the tree was complete); rows
 * added below the last of those cost the view hardly anything.  What a
 * reload brings to hosts that were already there follows, in the order of
 * the hosts, then the pool's own lists. */
static void
plan_splices (FerryPool *self,
              Sync      *sync)
{
  Pending    *hosts = g_hash_table_lookup (self->pending, self->hosts);
  GHashTable *planned = g_hash_table_new (NULL, NULL);

  order_splices (self);
  sync->steps = g_array_new (FALSE, FALSE, sizeof (SpliceStep));
  if (hosts != NULL)
    {
      for (guint i = 0; i < hosts->entries->len; i++)
        {
          FerryHost *host = g_array_index (hosts->entries, PendingEntry, i).item;
          Pending   *vms = g_hash_table_lookup (self->pending, ferry_host_get_vms (host));

          add_step (sync, hosts, i + 1);
          if (vms != NULL && g_hash_table_add (planned, vms))
            add_step (sync, vms, vms->entries->len);
        }
      g_hash_table_add (planned, hosts);
    }
  for (guint i = 0; i < self->pending_order->len; i++)
    {
      Pending *pending = g_ptr_array_index (self->pending_order, i);

      if (!g_hash_table_contains (planned, pending))
        add_step (sync, pending, pending->entries->len);
    }
  g_hash_table_unref (planned);
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

  plan_splices (self, sync);
  sync->next = 0;
  sync->phase++;
}

/* Where @item goes among what the store holds from @from on: after the
 * items that sort before it or equal to it, like a stable sort of the old
 * items followed by the new ones. */
static guint
insertion_point (Pending *pending,
                 guint    from,
                 gpointer item)
{
  GListModel *model = G_LIST_MODEL (pending->store);
  guint       lo = from;
  guint       hi = g_list_model_get_n_items (model);

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

  while (sync->next < sync->steps->len)
    {
      SpliceStep *step = &g_array_index (sync->steps, SpliceStep, sync->next);
      Pending    *pending = step->pending;
      guint       n = step->upto;

      while (pending->done < n)
        {
          guint         max = pending->store == self->hosts || sync->spliced < TOP_ROWS ? SPLICE_MAX_TOP : SPLICE_MAX;
          PendingEntry *first = &g_array_index (pending->entries, PendingEntry, pending->done);
          guint         n_store = g_list_model_get_n_items (G_LIST_MODEL (pending->store));
          guint         position = n_store == 0 ? 0 : insertion_point (pending, pending->from, first->item);
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
          pending->from = position + run->len;
          sync->spliced += run->len;

          if (out_of_time (deadline))
            return;
        }

      sync->next++;
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
          sync_index (self, sync, XAPI_CLASS_VBD, deadline);
          break;
        case SYNC_INDEX_VIFS:
          sync_index (self, sync, XAPI_CLASS_VIF, deadline);
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
void
ferry_pool_load_stop (FerryPool *self,
                      gboolean   keep)
{
  if (self->sync == NULL)
    return;

  g_clear_handle_id (&self->sync_id, g_source_remove);
  g_clear_handle_id (&self->sync_nudge_id, g_source_remove);
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

/* Runs one slice; TRUE once the load is applied (both sources are gone
 * then). */
static gboolean
sync_step (FerryPool *self)
{
  self->sync_last_step = g_get_monotonic_time ();
  sync_run (self, SYNC_DONE, self->sync_last_step + SLICE_US);
  if (self->sync->phase < SYNC_DONE)
    return FALSE;

  g_clear_handle_id (&self->sync_id, g_source_remove);
  g_clear_handle_id (&self->sync_nudge_id, g_source_remove);
  g_clear_pointer (&self->sync, sync_free);
  sync_done (self);
  return TRUE;
}

static gboolean
sync_step_cb (gpointer user_data)
{
  FerryPool *self = user_data;

  if (!sync_step (self))
    return G_SOURCE_CONTINUE;
  /* sync_step() removed this source already. */
  return G_SOURCE_REMOVE;
}

static gboolean
sync_nudge_cb (gpointer user_data)
{
  FerryPool *self = user_data;

  if (g_get_monotonic_time () - self->sync_last_step < SYNC_NUDGE_MS * 1000)
    return G_SOURCE_CONTINUE;
  if (!sync_step (self))
    return G_SOURCE_CONTINUE;
  return G_SOURCE_REMOVE;
}

void
ferry_pool_load_start (FerryPool *self)
{
  /* A new load while one is still being applied: finish with the old one
   * first, so that the lists hold every object the pool knows. */
  ferry_pool_load_stop (self, TRUE);

  g_hash_table_remove_all (self->device_owner);
  self->sync = g_new0 (Sync, 1);
  self->sync->phase = SYNC_INDEX_VBDS;
  self->sync_last_step = g_get_monotonic_time ();
  /* Below redrawing (GDK_PRIORITY_REDRAW): the window repaints between
   * slices.  But an idle source runs only when nothing else is ready, and
   * a window that cannot paint a frame within a frame's time (a busy or
   * slow machine, a spinner turning, a screen reader walking the widgets)
   * always has something ready: then a timer runs a slice too, whenever
   * none ran for SYNC_NUDGE_MS, so that a load always ends. */
  self->sync_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, sync_step_cb, self, NULL);
  self->sync_nudge_id = g_timeout_add (SYNC_NUDGE_MS, sync_nudge_cb, self);
}

static void
sync_done (FerryPool *self)
{
  g_autoptr(GPtrArray) deferred = NULL;
  XapiCache *cache = self->cache;

  ferry_pool_apply_pool_record (self);
  ferry_pool_link_loaded (self);

  g_object_ref (self);
  deferred = g_steal_pointer (&self->deferred);
  self->deferred = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  ferry_pool_change_state (self, FERRY_POOL_STATE_READY);
  ferry_pool_emit_objects_reset (self);
  ferry_pool_complete_connect (self, NULL);

  /* The changes that came during the sync, in order, unless someone
   * dropped the connection or a new load started meanwhile. */
  for (guint i = 0; i < deferred->len && self->cache == cache && self->sync == NULL; i++)
    {
      GPtrArray *changes = g_ptr_array_index (deferred, i);

      ferry_pool_apply_changes (self, changes);
      ferry_pool_emit_objects_changed (self, changes);
    }
  g_object_unref (self);
}

void
ferry_pool_load_on_cache_changed (XapiCache *cache,
                                  GPtrArray *changes,
                                  FerryPool *self)
{
  if (self->sync != NULL)
    {
      g_ptr_array_add (self->deferred, g_ptr_array_ref (changes));
      return;
    }

  g_object_ref (self);
  ferry_pool_apply_changes (self, changes);
  ferry_pool_emit_objects_changed (self, changes);
  g_object_unref (self);
}
