/* ferry-pool-private.h: what the parts of FerryPool share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FerryPool is one object in five files, one job each, and the data goes
 * one way through them:
 *
 *   ferry-pool-link.c    the link: connect, log in again, reconnect with a
 *                        back-off, fail over to another member, check it is
 *                        still the same pool; owns the XapiConnection and the
 *                        XapiCache, and hands every complete load and every
 *                        batch of changes to the loader
 *   ferry-pool-loader.c  a whole (re)load brought into the lists a slice at a
 *                        time, with the cache's changes held back meanwhile
 *   ferry-pool-models.c  typed records (xapi-record.h) to the engine's
 *                        objects (FerryHost, FerryVm, FerrySr, FerryNetwork)
 *                        and their sorted lists
 *   ferry-pool-find.c    looking objects up by ref, uuid or name
 *   ferry-pool.c         the GObject, its properties, signals and getters
 *                        (it knows its objects' types, not their code)
 *
 * Not installed, not for the window or ferryctl.  The rest of the engine
 * uses only the first part (ferry_pool_new(), ferry_pool_lookup(), …); the
 * structure and the rest are for the pool's own files.
 */

#pragma once

#include "xapi-cache.h"
#include "xapi-connection.h"

#include "ferry-pool.h"
#include "ferry-util-private.h"

G_BEGIN_DECLS

/* ---- for the rest of the engine ------------------------------------------------ */

/* (transfer full) */
FerryPool      *ferry_pool_new (const char *url,
                                const char *username);
/* (transfer none) The pool's connection and cache, NULL while it has none:
 * for the engine (and its tests), never for the front ends. */
XapiConnection *ferry_pool_get_connection (FerryPool *self);
XapiCache      *ferry_pool_get_cache (FerryPool *self);
/* Logs in and loads; completes when READY (or on the first error).  Once it
 * has been READY the pool reconnects by itself (RECONNECTING). */
void            ferry_pool_connect_async (FerryPool          *self,
                                          const char         *password,
                                          const char         *fingerprint,
                                          gboolean            retry_forever,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean        ferry_pool_connect_finish (FerryPool    *self,
                                           GAsyncResult *result,
                                           GError      **error);
void            ferry_pool_disconnect (FerryPool *self);
/* Shows CONNECTING before the connection starts (while the keyring is read). */
void            ferry_pool_set_connecting (FerryPool *self);
/* (transfer none) */
const char     *ferry_pool_get_fingerprint (FerryPool *self);
/* Lets a login that HOST_IS_SLAVE sends to @address over plain HTTP go
 * there, although @address is not a known host of the pool (the user
 * agreed; see ferry_manager_trust_redirect()). */
void            ferry_pool_trust_redirect (FerryPool  *self,
                                           const char *address);
/* Sets "state" FAILED/RECONNECTING and "error" from @error. */
void            ferry_pool_set_failed (FerryPool    *self,
                                       const GError *error);
/* The network of @host's management PIF, or NULL. */
FerryNetwork   *ferry_pool_get_management_network (FerryPool *self,
                                                   FerryHost *host);
/* A typed record from the current cache (XapiVm*, … as @klass says), or
 * NULL (borrowed). */
gpointer        ferry_pool_lookup (FerryPool  *self,
                                   XapiClass   klass,
                                   const char *ref);
/* Signals (internal):
 *   "objects-changed" (GPtrArray *changes): a cache batch, after the models
 *                                           were updated
 *   "objects-reset"   ():                   the cache was (re)loaded; look
 *                                           everything up again */

/* ---- the pool's own files -------------------------------------------------------- */

#define BACKOFF_MIN_SECONDS 2
#define BACKOFF_MAX_SECONDS 60

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
  char           *pool_name; /* name_label as XAPI has it */
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
  GHashTable     *device_owner;  /* VBD or VIF ref -> VM ref */
  gboolean        syncing;       /* new objects wait in Pending (ferry_pool_store_insert()) */
  GHashTable     *pending;       /* GListStore -> Pending, while syncing */
  GPtrArray      *pending_order; /* the same Pending, in the order they came */
  Sync           *sync;          /* the (re)load being applied, or NULL */
  guint           sync_id;
  guint           sync_nudge_id; /* see ferry_pool_load_start() */
  gint64          sync_last_step;
  GPtrArray      *deferred; /* change batches that came during it */
  char           *default_sr_ref;
  char           *suspend_sr_ref;
  char           *master_ref;

  GCancellable   *cancellable;
  GTask          *connect_task;
  gulong          connect_cancel_id; /* on the caller's cancellable */
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

/* ---- ferry-pool.c: state, notifications, signals ---------------------------- */

void        ferry_pool_change_state (FerryPool     *self,
                                     FerryPoolState state);
void        ferry_pool_set_error_text (FerryPool  *self,
                                       const char *text);
void        ferry_pool_set_master_url (FerryPool  *self,
                                       const char *url);
void        ferry_pool_set_name (FerryPool  *self,
                                 const char *name);
void        ferry_pool_set_uuid (FerryPool  *self,
                                 const char *uuid);
void        ferry_pool_emit_objects_changed (FerryPool *self,
                                             GPtrArray *changes);
void        ferry_pool_emit_objects_reset (FerryPool *self);

/* ---- ferry-pool-link.c -------------------------------------------------------- */

/* Drops the connection and the cache (freed later, outside their signals). */
void        ferry_pool_drop_connection (FerryPool *self);
/* A whole load is in the lists: the link takes note (members, addresses,
 * back-off), before the pool is READY. */
void        ferry_pool_link_loaded (FerryPool *self);
/* Completes a pending ferry_pool_connect_async() (@error NULL: success). */
void        ferry_pool_complete_connect (FerryPool    *self,
                                         const GError *error);
void        ferry_pool_update_host_addresses (FerryPool *self);

/* ---- ferry-pool-loader.c --------------------------------------------------------- */

/* Applies the cache's whole content to the lists, a slice at a time; the
 * pool is READY once done.  Stops a load still going first (keeping what
 * it added). */
void        ferry_pool_load_start (FerryPool *self);
/* Stops a load before its end; with @keep, what it added so far goes into
 * the lists at once. */
void        ferry_pool_load_stop (FerryPool *self,
                                  gboolean   keep);
/* The cache's "changed": applied now, or after the load being applied. */
void        ferry_pool_load_on_cache_changed (XapiCache *cache,
                                              GPtrArray *changes,
                                              FerryPool *self);
/* New items of a list: in at once, or gathered while a load is applied. */
void        ferry_pool_store_insert (FerryPool       *self,
                                     GListStore      *store,
                                     gpointer         item,
                                     GCompareDataFunc compare);
void        ferry_pool_pending_free (gpointer data);

/* ---- ferry-pool-models.c ------------------------------------------------------------ */

/* The pool's display name, from its record or its master's. */
void        ferry_pool_update_name (FerryPool *self);
/* Detaches every object from the pool (their weak pool pointers). */
void        ferry_pool_detach_all (FerryPool *self);

/* A host, SR or network (as @klass says) from its record: new, or updated
 * in place; then gone. */
void        ferry_pool_upsert (FerryPool    *self,
                               XapiClass     klass,
                               const char   *ref,
                               gconstpointer record);
void        ferry_pool_remove (FerryPool  *self,
                               XapiClass   klass,
                               const char *ref);
void        ferry_pool_upsert_vm (FerryPool    *self,
                                  const char   *ref,
                                  const XapiVm *record);
void        ferry_pool_remove_vm (FerryPool  *self,
                                  const char *ref);
/* Brings the hosts, SRs or networks in line with the whole cache. */
void        ferry_pool_sync_class (FerryPool *self,
                                   XapiClass  klass);
void        ferry_pool_apply_pool_record (FerryPool *self);
/* A batch of the cache's changes, into the objects and lists. */
void        ferry_pool_apply_changes (FerryPool *self,
                                      GPtrArray *changes);
/* (transfer none) The VM of a VBD or VIF record (NULL for anything else). */
const char *ferry_pool_device_vm (const XapiRecord *record);

G_END_DECLS
