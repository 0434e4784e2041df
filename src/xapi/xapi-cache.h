/* xapi-cache.h: a live copy of a pool's objects, kept current by event.from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xapi-connection.h"

G_BEGIN_DECLS

typedef enum
{
  XAPI_CACHE_STATE_IDLE,
  XAPI_CACHE_STATE_LOADING,       /* bootstrapping */
  XAPI_CACHE_STATE_READY,         /* complete and following events */
  XAPI_CACHE_STATE_RECONNECTING,  /* lost the connection, retrying with backoff */
  XAPI_CACHE_STATE_FAILED,        /* gave up (e.g. authentication failed) */
} XapiCacheState;

typedef enum
{
  XAPI_CHANGE_ADD,
  XAPI_CHANGE_MOD,
  XAPI_CHANGE_DEL,
} XapiChangeKind;

typedef struct
{
  char           *klass;   /* lower-case class, as in events: "vm", "host", ... */
  char           *ref;
  XapiChangeKind  kind;
  JsonObject     *record;  /* new record, NULL for XAPI_CHANGE_DEL */
} XapiChange;

#define XAPI_TYPE_CACHE (xapi_cache_get_type ())

G_DECLARE_FINAL_TYPE (XapiCache, xapi_cache, XAPI, CACHE, GObject)

/* @classes: lower-case class names to follow, e.g. {"pool", "host", "vm", NULL}.
 * The connection must be logged in before xapi_cache_start(). */
XapiCache      *xapi_cache_new            (XapiConnection     *connection,
                                           const char * const *classes);
XapiConnection *xapi_cache_get_connection (XapiCache          *self);

void            xapi_cache_start          (XapiCache          *self);
void            xapi_cache_stop           (XapiCache          *self);

XapiCacheState  xapi_cache_get_state      (XapiCache          *self);
/* The last error that moved the cache to RECONNECTING or FAILED, or NULL. */
const GError   *xapi_cache_get_error      (XapiCache          *self);

/* Borrowed; valid until the next "changed" emission touching that ref. */
JsonObject     *xapi_cache_lookup         (XapiCache          *self,
                                           const char         *klass,
                                           const char         *ref);
/* ref -> JsonObject*; borrowed, do not modify. */
GHashTable     *xapi_cache_get_table      (XapiCache          *self,
                                           const char         *klass);
/* The ref of the object with this uuid, or NULL. */
const char     *xapi_cache_find_by_uuid   (XapiCache          *self,
                                           const char         *klass,
                                           const char         *uuid);
/* The ref of the pool object (a pool has exactly one). */
const char     *xapi_cache_get_pool_ref   (XapiCache          *self);

/* Signals:
 *   "ready"   ()                       the first complete load (and after each
 *                                      full resync) is in place
 *   "changed" (GPtrArray *changes)     a batch of XapiChange*, applied already;
 *                                      emitted on the main context, at most a
 *                                      few times a second under load
 *   "reset"   ()                       the cache was reloaded from scratch
 *                                      (EVENTS_LOST, bad token, reconnect);
 *                                      users should rebuild what they derived
 *   notify::state
 */

G_END_DECLS
