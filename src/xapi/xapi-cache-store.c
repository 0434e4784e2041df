/* xapi-cache-store.c: a cache's tables: building them, changing them, freeing
 * them in slices, the "changed" batches and the lookups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-cache-private.h"

#include "xapi-util-private.h"

/* 50 ms: a migration task's progress, which XAPI may update ten times a
 * second, then reaches the job at once instead of waiting for the next
 * slot (measured by bench/run-steady-state: 98 ms late at 100 ms). */
#define FLUSH_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)

/* Freeing old tables on the main context: slices of this much work, with
 * pauses in between so that the main thread also sleeps (a thread that
 * never sleeps loses its turn to others on a busy machine). */
#define FREE_SLICE_US (4 * G_TIME_SPAN_MILLISECOND)
#define FREE_PAUSE_MS 10

/* ---- XapiChange --------------------------------------------------------- */

static XapiChange *
xapi_change_new (XapiClass      klass,
                 const char    *ref,
                 XapiChangeKind kind,
                 gpointer       record)
{
  XapiChange *change = g_new0 (XapiChange, 1);

  change->klass = klass;
  change->ref = g_strdup (ref);
  change->kind = kind;
  change->record = record != NULL ? xapi_record_ref (record) : NULL;

  return change;
}

XapiChange *
xapi_change_copy (const XapiChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);

  return xapi_change_new (change->klass, change->ref, change->kind, change->record);
}

void
xapi_change_free (XapiChange *change)
{
  if (change == NULL)
    return;

  g_free (change->ref);
  g_clear_pointer (&change->record, xapi_record_unref);
  g_free (change);
}

G_DEFINE_BOXED_TYPE (XapiChange, xapi_change, xapi_change_copy, xapi_change_free)

/* ---- The tables ---------------------------------------------------------- */

XapiCacheData *
xapi_cache_data_new (guint32 followed)
{
  XapiCacheData *data = g_new0 (XapiCacheData, 1);

  for (int i = 0; i < XAPI_N_CLASSES; i++)
    if (followed & (1u << i))
      {
        data->tables[i] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, xapi_record_unref);
        data->uuids[i] = g_hash_table_new (g_str_hash, g_str_equal);
      }

  return data;
}

void
xapi_cache_data_free (XapiCacheData *data)
{
  if (data == NULL)
    return;

  /* The uuid indexes first: their keys belong to the records. */
  for (int i = 0; i < XAPI_N_CLASSES; i++)
    {
      g_clear_pointer (&data->uuids[i], g_hash_table_unref);
      g_clear_pointer (&data->tables[i], g_hash_table_unref);
    }
  g_free (data->pool_ref);
  g_free (data->pool_uuid);
  g_free (data->token);
  g_free (data);
}

static gpointer
free_thread (gpointer data)
{
  xapi_cache_data_free (data);
  return NULL;
}

/* For data that no other thread has seen (an obsolete load): freeing tens of
 * thousands of records is not a job for the main context. */
void
xapi_cache_data_free_in_thread (XapiCacheData *data)
{
  if (data != NULL)
    xapi_run_in_background (free_thread, data);
}

/* Stores @record (of @klass) under @ref, or removes @ref if @record is
 * NULL, keeping the uuid index in step. */
void
xapi_cache_tables_set (XapiCacheData *data,
                       XapiClass      klass,
                       const char    *ref,
                       XapiRecord    *record)
{
  GHashTable *table = data->tables[klass];
  GHashTable *index = data->uuids[klass];
  XapiRecord *old;

  if (table == NULL)
    return;

  old = g_hash_table_lookup (table, ref);
  if (old != NULL && old->uuid != NULL && g_hash_table_lookup (index, old->uuid) == old)
    g_hash_table_remove (index, old->uuid);

  if (record == NULL)
    {
      g_hash_table_remove (table, ref);
      return;
    }

  /* Replace, not insert: the key is the new record's own ref. */
  g_hash_table_replace (table, record->ref, xapi_record_ref (record));
  if (record->uuid != NULL && *record->uuid != '\0')
    g_hash_table_replace (index, record->uuid, record);
}

/* ---- The cache object ---------------------------------------------------- */

struct _XapiCachePending
{
  XapiClass   klass;
  char       *ref;
  XapiRecord *record; /* NULL: deleted */
};

void
xapi_cache_pending_free (XapiCachePending *pending)
{
  g_free (pending->ref);
  g_clear_pointer (&pending->record, xapi_record_unref);
  g_free (pending);
}

/* ---- Freeing old tables in slices ---------------------------------------- */

static gboolean
on_graveyard (gpointer user_data)
{
  XapiCache *self = user_data;
  gint64     deadline = g_get_monotonic_time () + FREE_SLICE_US;

  while (!g_queue_is_empty (&self->graveyard))
    {
      GHashTable    *table = g_queue_peek_head (&self->graveyard);
      GHashTableIter iter;

      /* One record can be large (a network lists every VIF on it): look
       * at the clock after each. */
      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, NULL, NULL))
        {
          g_hash_table_iter_remove (&iter);
          if (g_get_monotonic_time () > deadline)
            return G_SOURCE_CONTINUE;
        }

      g_hash_table_unref (g_queue_pop_head (&self->graveyard));
    }

  g_clear_pointer (&self->graveyard_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

void
xapi_cache_bury_data (XapiCache     *self,
                      XapiCacheData *data)
{
  if (data == NULL)
    return;

  /* The uuid indexes own nothing: they go at once, before the records
   * their keys belong to. */
  for (int i = 0; i < XAPI_N_CLASSES; i++)
    {
      g_clear_pointer (&data->uuids[i], g_hash_table_unref);
      if (data->tables[i] != NULL)
        g_queue_push_tail (&self->graveyard, g_steal_pointer (&data->tables[i]));
    }
  xapi_cache_data_free (data);

  if (self->graveyard_source == NULL && !g_queue_is_empty (&self->graveyard))
    {
      self->graveyard_source = g_timeout_source_new (FREE_PAUSE_MS);
      g_source_set_priority (self->graveyard_source, G_PRIORITY_LOW);
      g_source_set_callback (self->graveyard_source, on_graveyard, self, NULL);
      g_source_attach (self->graveyard_source, self->context);
    }
}

/* ---- Pending changes and "changed" --------------------------------------- */

void
xapi_cache_discard_pending (XapiCache *self)
{
  g_hash_table_remove_all (self->pending_index);
  g_ptr_array_set_size (self->pending, 0);
  xapi_clear_source (&self->flush_source);
}

static gboolean
on_flush (gpointer user_data)
{
  XapiCache *self = user_data;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  guint i;

  g_clear_pointer (&self->flush_source, g_source_unref);
  self->last_flush = g_get_monotonic_time ();

  pending = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) xapi_cache_pending_free);
  g_hash_table_remove_all (self->pending_index);

  if (self->data == NULL)
    return G_SOURCE_REMOVE;

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) xapi_change_free);
  for (i = 0; i < pending->len; i++)
    {
      XapiCachePending *p = g_ptr_array_index (pending, i);
      GHashTable       *table = self->data->tables[p->klass];
      gboolean          existed;

      if (table == NULL)
        continue;
      existed = g_hash_table_contains (table, p->ref);

      if (p->record == NULL && !existed)
        continue;

      xapi_cache_tables_set (self->data, p->klass, p->ref, p->record);

      if (p->klass == XAPI_CLASS_POOL)
        {
          if (p->record != NULL)
            {
              g_free (self->data->pool_ref);
              self->data->pool_ref = g_strdup (p->ref);
            }
          else if (g_strcmp0 (self->data->pool_ref, p->ref) == 0)
            g_clear_pointer (&self->data->pool_ref, g_free);
        }

      g_ptr_array_add (changes,
                       xapi_change_new (p->klass, p->ref,
                                        p->record == NULL ? XAPI_CHANGE_DEL : existed ? XAPI_CHANGE_MOD
                                                                                      : XAPI_CHANGE_ADD,
                                        p->record));
    }

  if (changes->len > 0)
    g_signal_emit (self, xapi_cache_signals[SIGNAL_CHANGED], 0, changes);

  return G_SOURCE_REMOVE;
}

void
xapi_cache_schedule_flush (XapiCache *self)
{
  gint64 now, delay;

  if (self->flush_source != NULL || self->pending->len == 0)
    return;

  /* Under a stream of events, batch them: at most one "changed" per
   * FLUSH_INTERVAL; a lone event goes out at once. */
  now = g_get_monotonic_time ();
  delay = self->last_flush + FLUSH_INTERVAL_US - now;
  if (delay < 0)
    delay = 0;

  self->flush_source = xapi_source_attach (g_timeout_source_new ((guint) (delay / 1000)), on_flush,
                                           self, self->context);
}

void
xapi_cache_queue_event (XapiCache      *self,
                        XapiCacheEvent *event)
{
  g_autofree char  *key = NULL;
  XapiCachePending *pending;

  key = g_strdup_printf ("%d\n%s", (int) event->klass, event->ref);
  pending = g_hash_table_lookup (self->pending_index, key);
  if (pending != NULL)
    {
      g_clear_pointer (&pending->record, xapi_record_unref);
      pending->record = g_steal_pointer (&event->record);
      return;
    }

  pending = g_new0 (XapiCachePending, 1);
  pending->klass = event->klass;
  pending->ref = g_strdup (event->ref);
  pending->record = g_steal_pointer (&event->record);
  g_ptr_array_add (self->pending, pending);
  g_hash_table_replace (self->pending_index, g_steal_pointer (&key), pending);
}

GHashTable *
xapi_cache_get_table (XapiCache *self,
                      XapiClass  klass)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  if (self->data == NULL || (int) klass < 0 || klass >= XAPI_N_CLASSES)
    return NULL;

  return self->data->tables[klass];
}

gpointer
xapi_cache_lookup (XapiCache  *self,
                   XapiClass   klass,
                   const char *ref)
{
  GHashTable *table = xapi_cache_get_table (self, klass);

  if (table == NULL || ref == NULL)
    return NULL;

  return g_hash_table_lookup (table, ref);
}

const char *
xapi_cache_find_by_uuid (XapiCache  *self,
                         XapiClass   klass,
                         const char *uuid)
{
  XapiRecord *record;

  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  if (self->data == NULL || (int) klass < 0 || klass >= XAPI_N_CLASSES || uuid == NULL ||
      self->data->uuids[klass] == NULL)
    return NULL;

  record = g_hash_table_lookup (self->data->uuids[klass], uuid);
  return record != NULL ? record->ref : NULL;
}

const char *
xapi_cache_get_pool_ref (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  return self->data != NULL ? self->data->pool_ref : NULL;
}
