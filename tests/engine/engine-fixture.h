/* engine-fixture.h: ferry-sim, a manager and bounded waits for the engine tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

typedef struct _EngineSim EngineSim;

/* Starts $FERRY_SIM --port 0 --enable-control --quiet @extra_args (may be
 * NULL) and waits (bounded) for its "ready" line.  Aborts the test if the
 * simulator does not start. */
EngineSim                *engine_sim_start (const char                *const *extra_args);
void                      engine_sim_stop (EngineSim *sim);
/* The master URL it printed for @pool. */
const char               *engine_sim_url (EngineSim  *sim,
                                          const char *pool);
/* POST /sim/control with @json (a whole command object).  Aborts the test
 * if the simulator refuses it.  The reply, (transfer full). */
JsonObject               *engine_sim_control (EngineSim  *sim,
                                              const char *json);
/* The XAPI calls @pool received whose method starts with @prefix, as
 * {"method", "params"} objects (transfer full); @clear forgets them. */
JsonArray                *engine_sim_calls (EngineSim  *sim,
                                            const char *pool,
                                            const char *prefix,
                                            gboolean    clear);
/* The params of the one call with exactly @method (aborts if there is not
 * exactly one). */
JsonArray                *engine_sim_single_call (EngineSim  *sim,
                                                  const char *pool,
                                                  const char *method);

/* Runs the default main context until @check returns TRUE (then TRUE) or
 * @timeout_s passes (then FALSE). */
gboolean                  engine_wait_until (gboolean (*check) (gpointer data),
                                             gpointer data,
                                             guint    timeout_s);
void                      engine_spin (guint ms);

/* Connects to @url as root/ferry, trusting @fingerprint if not NULL, and
 * waits for the answer: the pool (a new reference) or NULL and @error. */
FerryPool                *engine_try_connect (FerryManager *manager,
                                              const char   *url,
                                              const char   *fingerprint,
                                              GError      **error);
/* Connects @pool of @sim (root/ferry) and waits until READY. */
FerryPool                *engine_connect (FerryManager *manager,
                                          EngineSim    *sim,
                                          const char   *pool);
/* Until the job is finished or awaits confirmation; returns its state. */
FerryJobState             engine_wait_job (FerryJob *job,
                                           guint     timeout_s);
/* Until the job reaches @state (or finishes); returns whether it did. */
gboolean                  engine_wait_job_state (FerryJob     *job,
                                                 FerryJobState state,
                                                 guint         timeout_s);

/* Shortcuts that abort the test when the object is missing. */
FerryVm                  *engine_vm (FerryPool  *pool,
                                     const char *name);
FerryHost                *engine_host (FerryPool  *pool,
                                       const char *name);
FerrySr                  *engine_sr (FerryPool  *pool,
                                     const char *name);
FerryNetwork             *engine_network (FerryPool  *pool,
                                          const char *name);

/* The fixture most engine tests share (g_test_add with EngineFixture):
 * ferry-sim started with the test's data as its extra arguments, a manager,
 * and the simulator's Lyon and Paris connected (borrowed: the manager
 * holds them).  _setup_sim connects nothing: the test does when it wants. */
typedef struct
{
  EngineSim    *sim;
  FerryManager *manager;
  FerryPool    *lyon;
  FerryPool    *paris;
} EngineFixture;

void engine_fixture_setup (EngineFixture *f,
                           gconstpointer  extra_args);
void engine_fixture_setup_sim (EngineFixture *f,
                               gconstpointer  extra_args);
void engine_fixture_teardown (EngineFixture *f,
                              gconstpointer  data);

/* Where an _async call's callback leaves its result, for a bounded wait
 * with engine_wait_until (engine_slot_filled, &slot, ...): pass
 * engine_slot_fill as the callback and &slot as its data. */
typedef struct
{
  GAsyncResult *result; /* (transfer full) once filled */
} EngineSlot;

void     engine_slot_fill (GObject      *source,
                           GAsyncResult *result,
                           gpointer      slot);
gboolean engine_slot_filled (gpointer slot);

/* How many calls @pool received whose method starts with @prefix. */
guint    engine_sim_count_calls (EngineSim  *sim,
                                 const char *pool,
                                 const char *prefix);

/* For engine_wait_until (engine_vm_on_host, &on, ...): until @vm is
 * resident on @host. */
typedef struct
{
  FerryVm   *vm;
  FerryHost *host;
} EngineOnHost;

gboolean engine_vm_on_host (gpointer on_host);

/* For engine_wait_until (engine_vm_in_state, &wait, ...): until @vm's
 * power state is @state ("Running", "Halted", …). */
typedef struct
{
  FerryVm    *vm;
  const char *state;
} EnginePowerWait;

gboolean    engine_vm_in_state (gpointer power_wait);

/* Asserts that @pool received no VM.migrate_send nor VM.pool_migrate call,
 * Async or not. */
void        engine_assert_no_migration_sent (EngineSim  *sim,
                                             const char *pool);

/* A JSON object member as a string ("" if absent). */
const char *engine_json_string (JsonObject *object,
                                const char *member);

G_END_DECLS
