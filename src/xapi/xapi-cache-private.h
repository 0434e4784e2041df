/* xapi-cache-private.h: what the parts of XapiCache share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * XapiCache is one object in three files: xapi-cache.c (the object, its
 * state and its API), xapi-cache-loop.c (the event.from loop: loads, polls,
 * their pace, errors) and xapi-cache-store.c (the tables, the "changed"
 * batches, the lookups).
 */

#pragma once

#include "xapi-cache.h"

G_BEGIN_DECLS

/* Everything a full load produces.  Built in a worker thread from objects
 * nobody else has seen yet, then handed to the main context whole. */
typedef struct
{
  /* Per followed class (NULL for the others): ref -> XapiRecord*, keyed
   * by the record's own (interned) ref, and uuid -> XapiRecord*, keyed by
   * its uuid: neither holds a string of its own. */
  GHashTable *tables[XAPI_N_CLASSES];
  GHashTable *uuids[XAPI_N_CLASSES];
  char       *pool_ref;
  char       *pool_uuid;
  char       *token;
} XapiCacheData;

/* A call that goes out when the pacing lets it (call_load(), call_poll()). */
typedef void (*XapiCacheCall) (XapiCache *self);

struct _XapiCache
{
  GObject         parent_instance;

  XapiConnection *connection;
  char          **classes;  /* as sent in event.from */
  guint32         followed; /* bit (1 << XapiClass) of each */
  GHashTable     *keep;     /* every field name of the followed classes'
                             * records: the rest is stepped over */
  GMainContext   *context;

  XapiCacheState  state;
  GError         *error;

  XapiCacheData  *data;
  char           *first_pool_uuid;
  gboolean        loaded;

  GCancellable   *cancellable;
  guint           generation;
  GSource        *retry_source;
  guint           backoff;
  guint           lost_streak; /* EVENTS_LOST / bad token since the last good poll */

  gint64          last_call;   /* when the last event.from went out */
  GSource        *pace_source; /* the next event.from, held back */
  XapiCacheCall   paced_call;  /* and what it is */
  guint           idle_streak; /* idle replies in a row */
  gboolean        stalled;
  GSource        *waiting_source; /* fires when a poll has stayed open IDLE_REPLY_US */
  guint           bad_answers;    /* in a row, since the last load */

  GPtrArray      *pending;       /* XapiCachePending*, in arrival order */
  GHashTable     *pending_index; /* "class\nref" -> XapiCachePending* */
  GSource        *flush_source;
  gint64          last_flush;

  GQueue          graveyard; /* GHashTable* being freed slice by slice */
  GSource        *graveyard_source;
};

enum
{
  SIGNAL_READY,
  SIGNAL_CHANGED,
  SIGNAL_RESET,
  N_SIGNALS
};

extern guint xapi_cache_signals[N_SIGNALS];

/* One event of an event.from batch, checked: never trust the shape. */
typedef struct
{
  XapiClass   klass;
  const char *ref;
  gboolean    del;
  XapiRecord *record; /* (owned) the snapshot, typed; NULL for a del */
} XapiCacheEvent;

/* ---- The object (xapi-cache.c) ---- */

void                             xapi_cache_set_state (XapiCache     *self,
                                                       XapiCacheState state);
void                             xapi_cache_set_error (XapiCache    *self,
                                                       const GError *error);
void                             xapi_cache_set_stalled (XapiCache *self,
                                                         gboolean   stalled);

/* ---- The event.from loop (xapi-cache-loop.c) ---- */

/* A full load, or the next poll after @delay_ms, at the pace the loop
 * keeps. */
void                             xapi_cache_load (XapiCache *self);
void                             xapi_cache_poll (XapiCache *self,
                                                  guint      delay_ms);

/* ---- The tables (xapi-cache-store.c) ---- */

/* (transfer full): empty tables for the classes in @followed. */
XapiCacheData                   *xapi_cache_data_new (guint32 followed);
void                             xapi_cache_data_free (XapiCacheData *data);
void                             xapi_cache_data_free_in_thread (XapiCacheData *data);
void                             xapi_cache_tables_set (XapiCacheData *data,
                                                        XapiClass      klass,
                                                        const char    *ref,
                                                        XapiRecord    *record);
/* Frees @data's tables on the main context, a slice at a time. */
void                             xapi_cache_bury_data (XapiCache     *self,
                                                       XapiCacheData *data);

/* Pending changes: queued as events come, applied and announced in
 * "changed" batches. */
typedef struct _XapiCachePending XapiCachePending;
void                             xapi_cache_pending_free (XapiCachePending *pending);
void                             xapi_cache_discard_pending (XapiCache *self);
void                             xapi_cache_queue_event (XapiCache      *self,
                                                         XapiCacheEvent *event);
void                             xapi_cache_schedule_flush (XapiCache *self);

G_END_DECLS
