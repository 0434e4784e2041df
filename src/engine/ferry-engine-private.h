/* ferry-engine-private.h: what the engine's objects tell each other
 *
 * Not installed, not for the window or ferryctl.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "xapi-cache.h"
#include "xapi-connection.h"
#include "xapi-error.h"
#include "xapi-util.h"

#include "ferry-engine.h"

/* The planner's, the jobs' and the batches' declarations for the rest of
 * the engine are in headers of their own. */
#include "ferry-precheck-private.h"
#include "ferry-plan-private.h"
#include "ferry-job-private.h"
#include "ferry-batch-private.h"

G_BEGIN_DECLS

/* Replaces a string and says whether it changed. */
gboolean    ferry_set_string           (char       **field,
                                        const char  *value);
/* A natural-order comparison of names ("lyon-2" before "lyon-10"). */
int         ferry_compare_names        (const char  *a,
                                        const char  *b);
/* "4 GiB" */
char       *ferry_format_size          (guint64      bytes);
/* (transfer none) The item at @position of a GListStore, which holds a
 * reference to every item it lists: for loops that look and do not keep.
 * Borrowing is explicit so that no g_autoptr drops a reference that a
 * caller then goes on using. */
gpointer    ferry_store_peek           (GListModel  *store,
                                        guint        position);
/* (transfer none) The object behind a weak reference, or NULL once it is
 * gone.  The engine lives on one thread, so nothing can drop the last
 * strong reference between the look and the return. */
gpointer    ferry_weak_ref_peek        (GWeakRef    *ref);

/* ---- errors ------------------------------------------------------------- */

/* (transfer full) @error as it leaves the engine: a XAPI_ERROR becomes the
 * FERRY_ERROR with its sentence, suggested fix, details, fingerprint or
 * address (and the pool's code, so that ferry_error_explain() can still
 * name its objects); any other error is copied as it is. */
GError       *ferry_error_from_xapi         (const GError *error);
/* The same in place, for the _finish() functions the front ends call. */
void          ferry_error_translate         (GError      **error);

/* ---- model objects ---------------------------------------------------- */

FerryHost    *ferry_host_new                (FerryPool    *pool,
                                             const char   *ref);
/* Each update reads the record, notifies the properties that changed, and
 * returns TRUE if the name changed (the lists re-sort then). */
gboolean      ferry_host_update             (FerryHost    *self,
                                             const XapiHost *record,
                                             const XapiHostMetrics *metrics,
                                             gboolean      is_master);
const char   *ferry_host_get_metrics_ref    (FerryHost    *self);
GListStore   *ferry_host_get_vm_store       (FerryHost    *self);
void          ferry_host_detach             (FerryHost    *self);

FerryVm      *ferry_vm_new                  (FerryPool    *pool,
                                             const char   *ref);
gboolean      ferry_vm_update               (FerryVm      *self,
                                             const XapiVm *record,
                                             FerryHost    *resident_on);
void          ferry_vm_set_disk_size        (FerryVm      *self,
                                             guint64       size);
void          ferry_vm_set_job              (FerryVm      *self,
                                             FerryJob     *job);
void          ferry_vm_invalidate_devices   (FerryVm      *self);
guint64       ferry_vm_get_memory_needed    (FerryVm      *self);
void          ferry_vm_detach               (FerryVm      *self);

FerrySr      *ferry_sr_new                  (FerryPool    *pool,
                                             const char   *ref);
gboolean      ferry_sr_update               (FerrySr      *self,
                                             const XapiSr *record);

FerryNetwork *ferry_network_new             (FerryPool    *pool,
                                             const char   *ref);
gboolean      ferry_network_update          (FerryNetwork *self,
                                             const XapiNetwork *record);

/* ---- pool ------------------------------------------------------------- */

FerryPool    *ferry_pool_new                (const char          *url,
                                             const char          *username);
/* (transfer none) The pool's connection and cache, NULL while it has none:
 * for the engine (and its tests), never for the front ends. */
XapiConnection *ferry_pool_get_connection   (FerryPool           *self);
XapiCache    *ferry_pool_get_cache          (FerryPool           *self);
/* Logs in and loads; completes when READY (or on the first error).  Once it
 * has been READY the pool reconnects by itself (RECONNECTING). */
void          ferry_pool_connect_async      (FerryPool           *self,
                                             const char          *password,
                                             const char          *fingerprint,
                                             gboolean             retry_forever,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      ferry_pool_connect_finish     (FerryPool           *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void          ferry_pool_disconnect         (FerryPool           *self);
/* Shows CONNECTING before the connection starts (while the keyring is read). */
void          ferry_pool_set_connecting     (FerryPool           *self);
const char   *ferry_pool_get_fingerprint    (FerryPool           *self);
/* Lets a login that HOST_IS_SLAVE sends to @address over plain HTTP go
 * there, although @address is not a known host of the pool (the user
 * agreed; see ferry_manager_trust_redirect()). */
void          ferry_pool_trust_redirect     (FerryPool           *self,
                                             const char          *address);
/* Sets "state" FAILED/RECONNECTING and "error" from @error. */
void          ferry_pool_set_failed         (FerryPool           *self,
                                             const GError        *error);
/* The network of @host's management PIF, or NULL. */
FerryNetwork *ferry_pool_get_management_network (FerryPool       *self,
                                                 FerryHost       *host);
/* A typed record from the current cache (XapiVm*, … as @klass says), or
 * NULL (borrowed). */
gpointer      ferry_pool_lookup             (FerryPool           *self,
                                             XapiClass            klass,
                                             const char          *ref);
/* Signals (internal):
 *   "objects-changed" (GPtrArray *changes): a cache batch, after the models
 *                                           were updated
 *   "objects-reset"   ():                   the cache was (re)loaded; look
 *                                           everything up again */

G_END_DECLS
