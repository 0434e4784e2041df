/* ferry-manager-private.h: what the parts of FerryManager share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FerryManager is one object in four files, one job each:
 *
 *   ferry-manager.c          the GObject, finding things, starting a
 *                            migration, batches, choices remembered for a
 *                            pair of pools
 *   ferry-manager-connect.c  the pools list, connecting a server and the
 *                            saved ones, disconnecting
 *   ferry-manager-queue.c    the queue of storage migrations: slots, limits
 *                            per host and per pool, back-offs
 *   ferry-manager-adopt.c    migrations found running on a pool become jobs
 *
 * Not installed; only the manager's own files include it.
 */

#pragma once

#include "xapi-cache.h"

#include "ferry-manager.h"
#include "ferry-errors-private.h"
#include "ferry-util-private.h"
#include "ferry-server-store.h"
#include "ferry-pool-private.h"
#include "ferry-host.h"
#include "ferry-vm.h"
#include "ferry-sr.h"
#include "ferry-network.h"
#include "ferry-plan.h"
#include "ferry-job.h"
#include "ferry-job-private.h"
#include "ferry-batch.h"
#include "ferry-batch-private.h"
#include "ferry-precheck-private.h"

G_BEGIN_DECLS

#define DEFAULT_PER_HOST 3
/* XAPI runs at most this many storage migrations per sending host. */
#define MAX_POOL_CONCURRENCY 3

struct _FerryManager
{
  GObject           parent_instance;

  FerryServerStore *store;
  GListStore       *pools;
  GListStore       *jobs;
  guint             per_host;
  GHashTable       *rates; /* "source url|target url" -> double* bytes/s */
  guint             kick_id;
  guint             wake_id; /* the next back-off to end */
  /* canonical URL -> GPtrArray of addresses its login may be redirected
   * to over plain HTTP, as the user agreed for this run */
  GHashTable       *trusted_redirects;
  guint             unclaimed_id; /* the next look at tasks no VM names yet */

  /* Steering the queue (ferry-manager-queue.c). */
  GHashTable       *concurrency;     /* pool uuid -> GUINT_TO_POINTER, when nothing is saved */
  guint             concurrency_all; /* for every pool in this run, or 0 */
  GPtrArray        *batches;         /* FerryBatch */
  GHashTable       *choices;         /* pool pair key -> GVariant a{ss}, when nothing is saved */
};

/* ---- ferry-manager-queue.c ------------------------------------------------------ */

/* What every job of the manager calls back (the queue's side of a job). */
extern const FerryJobHooks ferry_manager_job_hooks;

/* Looks at the queue from an idle source (once however often asked). */
void                       ferry_manager_kick_queue_soon (FerryManager *self);
/* (transfer full) The key of the rate measured between two pools. */
char                      *ferry_manager_rate_key (FerryPool *source,
                                                   FerryPool *target);
/* The store's "changed::pool-concurrency" (connected swapped). */
void                       ferry_manager_pool_concurrency_changed_cb (FerryManager *self,
                                                                      const char   *key,
                                                                      GSettings    *settings);
/* (transfer none) The store's settings if their schema has @key, else NULL. */
GSettings                 *ferry_manager_settings_with_key (FerryManager *self,
                                                            const char   *key);
/* (transfer floating) @dict (a{s*}) with @key set to @value (or removed if
 * NULL). */
GVariant                  *ferry_manager_dict_with (GVariant   *dict,
                                                    const char *key,
                                                    GVariant   *value);

/* ---- ferry-manager-adopt.c ------------------------------------------------------ */

/* A full load: adopts every running migration nobody here follows. */
void                       ferry_manager_adopt_tasks (FerryManager *self,
                                                      FerryPool    *pool);
/* The pool's "objects-changed" and "objects-reset". */
void                       ferry_manager_on_pool_changed (FerryPool    *pool,
                                                          GPtrArray    *changes,
                                                          FerryManager *self);
void                       ferry_manager_on_pool_reset (FerryPool    *pool,
                                                        FerryManager *self);

/* ---- ferry-manager-connect.c ---------------------------------------------------- */

/* (transfer none) The listed pool of @canonical URL, or NULL. */
FerryPool                 *ferry_manager_find_pool_by_url (FerryManager *self,
                                                           const char   *canonical);

G_END_DECLS
