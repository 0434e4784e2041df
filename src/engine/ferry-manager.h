/* ferry-manager.h: the facade the window and ferryctl use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ferry-engine-types.h"

G_BEGIN_DECLS

#define FERRY_TYPE_MANAGER (ferry_manager_get_type ())

G_DECLARE_FINAL_TYPE (FerryManager, ferry_manager, FERRY, MANAGER, GObject)

/* How ferry_manager_connect_saved_full_async() connects the saved servers.
 * All zero (or no options at all) is the window's way: every pool stays in
 * the pools model whatever happens and reconnects by itself. */
typedef struct
{
  /* Give up on the servers that have not got in after this many seconds
   * (0: no limit); their outcome says timed_out. */
  guint    timeout_seconds;
  /* One try each: a pool that does not get in leaves the pools model. */
  gboolean once;
  /* When a supporter sends the login over plain HTTP to a master not known
   * to be in the pool (FERRY_ERROR_REDIRECT_REFUSED), trust that address
   * (ferry_manager_trust_redirect()) and log in again, once; @following
   * (may be NULL) is told just before. */
  gboolean follow_master;
  void (*following) (const char *url,
                     const char *address,
                     gpointer    user_data);
  gpointer user_data;
} FerryConnectSavedOptions;

/* What became of one saved server. */
typedef struct
{
  char      *url;
  char      *username;
  FerryPool *pool;      /* READY, or NULL */
  GError    *error;     /* why not: a FERRY_ERROR, FERRY_ERROR_NOT_FOUND when the keyring keeps no
                         * password, or the keyring's own error when it could not be read */
  gboolean   timed_out; /* given up after timeout_seconds (@error is then G_IO_ERROR_CANCELLED) */
} FerrySavedOutcome;

/* (transfer full) @store: NULL means nothing is saved.
 * ferry_manager_get_store(): (transfer none). */
FerryManager        *ferry_manager_new (FerryServerStore *store);
FerryServerStore    *ferry_manager_get_store (FerryManager *self);

/* (transfer none) FerryPool items, in connection order. */
GListModel          *ferry_manager_get_pools (FerryManager *self);
/* (transfer none) FerryJob items, newest last, finished ones included. */
GListModel          *ferry_manager_get_jobs (FerryManager *self);

/* Logs in (following HOST_IS_SLAVE), starts the cache, completes once the
 * pool is READY.  Fails with a FERRY_ERROR: certificate problems with
 * FERRY_ERROR_CERTIFICATE_UNKNOWN (see ferry_error_get_fingerprint()) or
 * FERRY_ERROR_CERTIFICATE_CHANGED, a refused password with
 * FERRY_ERROR_AUTHENTICATION_FAILED.  With @remember the server and its
 * password are saved after a successful login.  Connecting the same URL
 * twice returns the existing pool. */
void                 ferry_manager_connect_async (FerryManager       *self,
                                                  const char         *url,
                                                  const char         *username,
                                                  const char         *password,
                                                  const char         *fingerprint,
                                                  gboolean            remember,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
/* (transfer full) */
FerryPool           *ferry_manager_connect_finish (FerryManager *self,
                                                   GAsyncResult *result,
                                                   GError      **error);

/* For this run only, lets the login of the pool at @url follow HOST_IS_SLAVE
 * to @address over plain HTTP although @address is not a known host of that
 * pool: what to call once the user agreed, after a connection failed with
 * FERRY_ERROR_REDIRECT_REFUSED (the address is ferry_error_get_address()),
 * before connecting again.  Over plain HTTP the password then travels
 * readable to @address. */
void                 ferry_manager_trust_redirect (FerryManager *self,
                                                   const char   *url,
                                                   const char   *address);

/* Connects every saved server with its keyring password and pinned
 * fingerprint, all at once.  Each pool appears in the pools model at once;
 * servers whose pool is listed already are left alone.  Completes once every
 * server has got in or failed (a pool that reconnects by itself has failed
 * once). */
void                 ferry_manager_connect_saved_full_async (FerryManager                   *self,
                                                             const FerryConnectSavedOptions *options,
                                                             GCancellable                   *cancellable,
                                                             GAsyncReadyCallback             callback,
                                                             gpointer                        user_data);
/* (transfer full) FerrySavedOutcome items, in the order of the saved
 * servers; freeing the array frees them. */
GPtrArray           *ferry_manager_connect_saved_full_finish (FerryManager *self,
                                                              GAsyncResult *result,
                                                              GError      **error);
/* The same with no options. */
void                 ferry_manager_connect_saved_async (FerryManager       *self,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
/* Returns TRUE; *@n_connected (may be NULL) gets how many pools are READY. */
gboolean             ferry_manager_connect_saved_finish (FerryManager *self,
                                                         GAsyncResult *result,
                                                         guint        *n_connected,
                                                         GError      **error);

void                 ferry_manager_disconnect (FerryManager *self,
                                               FerryPool    *pool);

/* (transfer none) by name, uuid or URL; NULL if none or ambiguous. */
FerryPool           *ferry_manager_find_pool (FerryManager *self,
                                              const char   *name_or_uuid_or_url);
/* (transfer none) a VM / host by uuid or unique name across all pools. */
FerryVm             *ferry_manager_find_vm (FerryManager *self,
                                            const char   *uuid_or_name);
FerryHost           *ferry_manager_find_host (FerryManager *self,
                                              const char   *uuid_or_name);
/* (transfer none) a job by its id, its task's reference or its task's
 * uuid (as xe and Xen Orchestra show them); NULL if none. */
FerryJob            *ferry_manager_find_job (FerryManager *self,
                                             const char   *id_or_task);

/* (transfer none) The job is also appended to the jobs model. */
FerryJob            *ferry_manager_migrate (FerryManager        *self,
                                            FerryVm             *vm,
                                            FerryHost           *target,
                                            FerryMigrateOptions *options);

/* A fast answer from the cache only, for drag highlighting.  FALSE with a
 * short translated reason (g_free) if the drop cannot work. */
gboolean             ferry_manager_check_target (FerryManager *self,
                                                 FerryVm      *vm,
                                                 FerryHost    *target,
                                                 char        **reason);

void                 ferry_manager_set_storage_migrations_per_host (FerryManager *self,
                                                                    guint         n);
guint                ferry_manager_get_storage_migrations_per_host (FerryManager *self);

/* Steering the queue.  Storage migrations wait in the queue until their
 * source host has a free slot: at most the pool's concurrency of them
 * leave one host at once.  XAPI runs at most 3 per host (a fourth is
 * refused with TOO_MANY_STORAGE_MIGRATES), so a pool's value is 1 to 3.
 *
 * @n: 1 to 3 (clamped), or 0 for the default again.  Saved in the
 * "pool-concurrency" setting under the pool's uuid when the manager has a
 * store, else kept for this run. */
void                 ferry_manager_set_pool_concurrency (FerryManager *self,
                                                         FerryPool    *pool,
                                                         guint         n);
/* What the queue applies to @pool now: the override, else the pool's own
 * value, else the default (ferry_manager_set_storage_migrations_per_host(),
 * 3 unless told otherwise). */
guint                ferry_manager_get_pool_concurrency (FerryManager *self,
                                                         FerryPool    *pool);
/* For every pool, this run only, nothing saved (ferryctl --concurrency);
 * 1 to 3 (clamped), 0 lifts it. */
void                 ferry_manager_set_concurrency_override (FerryManager *self,
                                                             guint         n);
/* Takes a job that waits in the queue (QUEUED, nothing sent yet) out of
 * it: the job is CANCELLED and leaves the jobs model.  FALSE (and nothing
 * changes) for any other job.  To hold a queued job instead, see
 * ferry_job_set_paused(). */
gboolean             ferry_manager_remove_job (FerryManager *self,
                                               FerryJob     *job);

/* The jobs of one drop or one evacuation, told about together when they
 * have all ended ("batch-ended").  @title: translated, "Evacuation of
 * lyon-1".  Jobs already in a batch are left out; fewer than two jobs make
 * no batch (NULL): a single job is told about as itself.
 * (transfer none) the manager keeps the batch. */
FerryBatch          *ferry_manager_add_batch (FerryManager *self,
                                              const char   *title,
                                              GPtrArray    *jobs);

/* Choices remembered for a pair of pools: the SR for all disks, the
 * network for all interfaces and the migration network of @options (those
 * set), by uuid, in the "pool-pair-choices" setting (for this run without
 * a store).  Nothing else (no secrets, no per-disk choices). Options with
 * none of the three leave what was remembered. */
void                 ferry_manager_remember_choices (FerryManager              *self,
                                                     FerryPool                 *source,
                                                     FerryPool                 *target,
                                                     const FerryMigrateOptions *options);
/* (transfer full) the choices remembered from @source to @target's pool
 * that still exist and that @target can use (SR attached to it, migration
 * network with a PIF on it), or NULL if none.  Same pool: NULL. */
FerryMigrateOptions *ferry_manager_recall_choices (FerryManager *self,
                                                   FerryPool    *source,
                                                   FerryHost    *target);

G_END_DECLS
