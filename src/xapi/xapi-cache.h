/* xapi-cache.h: a live copy of a pool's objects, kept current by event.from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xapi-connection.h"
#include "xapi-record.h"

G_BEGIN_DECLS

typedef enum
{
  XAPI_CACHE_STATE_IDLE,
  XAPI_CACHE_STATE_LOADING,      /* bootstrapping */
  XAPI_CACHE_STATE_READY,        /* complete and following events */
  XAPI_CACHE_STATE_RECONNECTING, /* lost the connection, retrying with backoff */
  XAPI_CACHE_STATE_FAILED,       /* gave up (e.g. authentication failed) */
} XapiCacheState;

typedef enum
{
  XAPI_CHANGE_ADD,
  XAPI_CHANGE_MOD,
  XAPI_CHANGE_DEL,
} XapiChangeKind;

typedef struct
{
  XapiClass      klass;
  char          *ref;
  XapiChangeKind kind;
  gpointer       record; /* the new typed record (XapiVm*, …; see
                          * xapi-record.h), NULL for XAPI_CHANGE_DEL */
} XapiChange;

#define XAPI_TYPE_CHANGE (xapi_change_get_type ())

GType       xapi_change_get_type (void) G_GNUC_CONST;
/* (transfer full) */
XapiChange *xapi_change_copy (const XapiChange *change);
void        xapi_change_free (XapiChange *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XapiChange, xapi_change_free)

#define XAPI_TYPE_CACHE_STATE (xapi_cache_state_get_type ())
GType xapi_cache_state_get_type (void) G_GNUC_CONST;

#define XAPI_TYPE_CACHE (xapi_cache_get_type ())

G_DECLARE_FINAL_TYPE (XapiCache, xapi_cache, XAPI, CACHE, GObject)

/* @classes: class names to follow, e.g. {"pool", "host", "vm", NULL}
 * ("pool" is always followed, for xapi_cache_get_pool_ref()); only classes
 * with a typed record (xapi-record.h) can be followed.  Each object is kept
 * as its typed record: only the fields of its struct are decoded, the rest
 * of every snapshot is stepped over while the reply is read.
 * The connection must be logged in before xapi_cache_start().
 *
 * How it works: the first load is one event.from (classes, "", …), which
 * returns every object as "add"; that reply is decoded, and the tables are
 * built, in a worker thread, then swapped in on the main context.  It then
 * long-polls event.from (classes, token, 60 s).  EVENTS_LOST,
 * EVENT_FROM_TOKEN_PARSE_FAILURE and every reconnection reload everything
 * ("reset" then "ready").  Transport errors (connection, timeout, HTTP,
 * malformed replies) move to RECONNECTING and retry with backoff (1 s, 2 s,
 * 4 s … 30 s) for ever, keeping the old data meanwhile; only an
 * authentication failure (SESSION_AUTHENTICATION_FAILED), a certificate
 * error or a reconnection that lands on another pool (XAPI_ERROR_WRONG_POOL)
 * move to FAILED.  Old tables are freed in small slices on the main context
 * so that replacing 10 000 VMs never blocks it.
 *
 * Bounded calls: whatever a server answers, the cache sends at most one
 * event.from every 200 ms, so never more than 5 calls a second to a
 * pool; a change after a quiet spell still comes at once, changes that
 * follow it closely come together with the next call.  An EVENTS_LOST (or bad token) reloads at
 * once, but a second one before a poll went well waits like an error
 * (RECONNECTING, with the backoff above).
 *
 * A stream that does not advance: XAPI holds a quiet event.from open until
 * its timeout.  A reply with no events that comes back within 2 s (often
 * with the very token that was sent) is "idle"; the next poll then waits,
 * from 200 ms doubling up to 5 s while idle replies go on.  After three idle
 * replies in a row the cache is "stalled" (xapi_cache_is_stalled(),
 * notify::stalled): its changes may be late or never come, and whoever
 * follows something urgent through it (a migration's task) should ask the
 * server directly, sparingly, until "stalled" goes back to FALSE.  It does
 * so as soon as a reply carries events or a poll stays open for 2 s (the
 * server waits again), and on xapi_cache_stop().  A reload does not clear
 * it.  Being stalled is independent of "state": the cache stays READY.
 *
 * Note: on glibc the library turns off malloc's fast bins once per process
 * (mallopt (M_MXFAST, 0)); with them, freeing a large pool's records made
 * single free() calls take over 100 ms.  It also keeps threads created
 * afterwards on the main heap (mallopt (M_ARENA_MAX, 1)): other heaps grow
 * by mprotect() calls that stall the main thread (see xapi-util.c). (transfer full) */
XapiCache     *xapi_cache_new (XapiConnection     *connection,
                               const char     *const *classes);
void           xapi_cache_start (XapiCache *self);
void           xapi_cache_stop (XapiCache *self);

XapiCacheState xapi_cache_get_state (XapiCache *self);
/* The last error that moved the cache to RECONNECTING or FAILED, or NULL. (transfer none) */
const GError  *xapi_cache_get_error (XapiCache *self);

/* The record (XapiVm*, … as @klass says), or NULL.  Borrowed; valid until
 * the next "changed" emission touching that ref (take a reference with
 * xapi_record_ref() to keep it longer). (transfer none) */
gpointer       xapi_cache_lookup (XapiCache  *self,
                                  XapiClass   klass,
                                  const char *ref);
/* ref -> record; borrowed, do not modify.  NULL for a class not followed. (transfer none) */
GHashTable    *xapi_cache_get_table (XapiCache *self,
                                     XapiClass  klass);
/* The ref of the object with this uuid, or NULL. (transfer none) */
const char    *xapi_cache_find_by_uuid (XapiCache  *self,
                                        XapiClass   klass,
                                        const char *uuid);
/* The ref of the pool object (a pool has exactly one). (transfer none) */
const char    *xapi_cache_get_pool_ref (XapiCache *self);
/* TRUE once the first load is in place (stays TRUE while reconnecting). */
gboolean       xapi_cache_is_loaded (XapiCache *self);
/* TRUE while the event stream does not advance (see above). */
gboolean       xapi_cache_is_stalled (XapiCache *self);

/* Signals:
 *   "ready"   ()                       the first complete load (and after each
 *                                      full resync) is in place
 *   "changed" (GPtrArray *changes)     a batch of XapiChange*, applied already;
 *                                      emitted on the main context, at most a
 *                                      few times a second under load (every
 *                                      50 ms at most); several events for one
 *                                      object in a batch are merged into one
 *                                      change.  Full loads are not reported
 *                                      as changes: see "ready"/"reset"
 *   "reset"   ()                       the cache was reloaded from scratch
 *                                      (EVENTS_LOST, bad token, reconnect);
 *                                      users should rebuild what they derived
 *   notify::state, notify::error, notify::stalled
 *
 * Properties: "connection" (construct-only), "state" (XapiCacheState),
 * "error" (GError boxed, read-only), "stalled" (boolean, read-only). */

G_END_DECLS
