/* test-engine-cancel.c: cancelling while the connection logs in again, and
 * while a plan is being re-made
 *
 * A pool that expired our session answers SESSION_INVALID; the call waits
 * for a new login, which ferry-sim holds back ("delay").  A cancel then
 * ends the wait at once, and nothing the job meant to send goes out once
 * the login is back.  A re-plan (a change under Advanced) asks both pools
 * again; a cancel meanwhile ends the job and the re-plan, and sends
 * nothing more.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "engine-fixture.h"
#include "ferry-pool-private.h"
#include "xapi-connection.h"
#include "xapi-util.h"

typedef EngineFixture     Fixture;

static const char * const fast[] = { "--bandwidth=20000", NULL };

/* How long ferry-sim holds the re-login back: far longer than a cancel
 * may take, so that "before the login came back" is a fact, not a race. */
#define LOGIN_HELD_S 20

/* ---- waiting for the simulator ------------------------------------------------- */

typedef struct
{
  EngineSim  *sim;
  const char *pool;
  const char *prefix;
  guint       count;
} CallsWait;

static gboolean
calls_arrived (gpointer data)
{
  CallsWait *wait = data;

  return engine_sim_count_calls (wait->sim, wait->pool, wait->prefix) >= wait->count;
}

/* How many calls ferry-sim holds back ("delay"); such a call shows among
 * the calls only once answered.  Asked at most every 200 ms: a wait runs
 * its check at every turn of the main loop. */
static gint64
calls_held (EngineSim *sim)
{
  static gint64 asked_at;
  static gint64 held;
  gint64        now = g_get_monotonic_time ();

  if (now - asked_at >= 200 * 1000)
    {
      g_autoptr(JsonObject) stats = engine_sim_control (sim, "{\"command\": \"stats\"}");

      held = json_object_get_int_member (stats, "held");
      asked_at = now;
    }
  return held;
}

static gboolean
call_held (gpointer data)
{
  return calls_held (data) >= 1;
}

static gboolean
nothing_held (gpointer data)
{
  return calls_held (data) == 0;
}

/* The pool's sessions expire and its next login is held back: the cache's
 * event.from meets SESSION_INVALID and the connection starts logging in
 * again.  Returns once the login is held in the simulator. */
static void
expire_and_hold_login (EngineSim  *sim,
                       const char *pool)
{
  g_autofree char *delay = g_strdup_printf ("{\"command\": \"delay\", \"pool\": \"%s\", \"seconds\": %d,"
                                            " \"count\": 1, \"method\": \"session.login_with_password\"}",
                                            pool, LOGIN_HELD_S);
  g_autofree char *expire = g_strdup_printf ("{\"command\": \"expire_sessions\", \"pool\": \"%s\"}", pool);

  json_object_unref (engine_sim_control (sim, delay));
  json_object_unref (engine_sim_control (sim, expire));
  g_assert_true (engine_wait_until (call_held, sim, 30));
}

/* Whether the connection got its new session yet. */
typedef struct
{
  XapiConnection *connection;
  char           *before;
} SessionWatch;

static void
session_watch_init (SessionWatch *watch,
                    FerryPool    *pool)
{
  watch->connection = ferry_pool_get_connection (pool);
  g_assert_nonnull (watch->connection);
  watch->before = g_strdup (xapi_connection_get_session_ref (watch->connection));
  g_assert_nonnull (watch->before);
}

static gboolean
session_renewed (gpointer data)
{
  SessionWatch *watch = data;
  const char   *now = xapi_connection_get_session_ref (watch->connection);

  return now != NULL && g_strcmp0 (now, watch->before) != 0;
}

static gboolean
job_finished (gpointer data)
{
  return ferry_job_is_finished (data);
}

/* ---- a call ------------------------------------------------------------------- */

/* A call waiting for the re-login is let go as soon as its caller cancels,
 * and is not sent once the new session exists. */
static void
test_call_during_relogin (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonArray) params = xapi_params_new ("web-01", NULL);
  SessionWatch watch = { NULL };
  CallsWait    sent = { f->sim, "Lyon", "VM.get_by_name_label", 1 };
  EngineSlot   slot = { NULL };

  session_watch_init (&watch, f->lyon);
  expire_and_hold_login (f->sim, "Lyon");

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  xapi_connection_call_async (watch.connection, "VM.get_by_name_label", params, cancellable,
                              engine_slot_fill, &slot);
  /* Refused with SESSION_INVALID: it now waits for the login. */
  g_assert_true (engine_wait_until (calls_arrived, &sent, 30));
  engine_spin (200);
  g_assert_null (slot.result);

  g_cancellable_cancel (cancellable);
  g_assert_true (engine_wait_until (engine_slot_filled, &slot, 10));
  g_assert_false (session_renewed (&watch));
  node = xapi_connection_call_finish (watch.connection, slot.result, &error);
  g_assert_null (node);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&slot.result);

  /* The login comes back; the call does not go out again. */
  g_assert_true (engine_wait_until (session_renewed, &watch, LOGIN_HELD_S + 30));
  engine_spin (1000);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "VM.get_by_name_label"), ==, 1);
  g_free (watch.before);
}

/* Cancelled in the very turn the new session arrives, before the waiting
 * calls are sent again. */
static void
cancel_on_session (XapiConnection *connection,
                   GParamSpec     *pspec,
                   GCancellable   *cancellable)
{
  if (xapi_connection_get_session_ref (connection) != NULL)
    g_cancellable_cancel (cancellable);
}

static void
test_call_cancelled_as_login_returns (Fixture      *f,
                                      gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonArray) params = xapi_params_new ("web-01", NULL);
  SessionWatch watch = { NULL };
  CallsWait    sent = { f->sim, "Lyon", "VM.get_by_name_label", 1 };
  EngineSlot   slot = { NULL };
  gulong       id;

  session_watch_init (&watch, f->lyon);
  expire_and_hold_login (f->sim, "Lyon");

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  xapi_connection_call_async (watch.connection, "VM.get_by_name_label", params, cancellable,
                              engine_slot_fill, &slot);
  g_assert_true (engine_wait_until (calls_arrived, &sent, 30));
  id = g_signal_connect (watch.connection, "notify::session-ref", G_CALLBACK (cancel_on_session), cancellable);

  g_assert_true (engine_wait_until (engine_slot_filled, &slot, LOGIN_HELD_S + 30));
  g_signal_handler_disconnect (watch.connection, id);
  node = xapi_connection_call_finish (watch.connection, slot.result, &error);
  g_assert_null (node);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&slot.result);

  engine_spin (1000);
  g_assert_true (session_renewed (&watch));
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "VM.get_by_name_label"), ==, 1);
  g_free (watch.before);
}

/* ---- a job ---------------------------------------------------------------------- */

/* The migration request met SESSION_INVALID, so the pool never took it:
 * while it waits for the login, cancelling withdraws it. */
static void
check_cancelled_during_relogin (Fixture      *f,
                                FerryJob     *job,
                                FerryVm      *vm,
                                FerryHost    *source,
                                SessionWatch *watch)
{
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  ferry_job_cancel (job);

  g_assert_true (engine_wait_until (job_finished, job, 10));
  g_assert_false (session_renewed (watch));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_null (ferry_job_get_error (job));
  g_assert_null (ferry_job_get_error_code (job));
  g_assert_null (ferry_job_get_task_ref (job));
  g_assert_cmpstr (ferry_job_state_to_string (ferry_job_get_state (job)), ==, "Cancelled");

  /* The login comes back: no migration goes out, none is cancelled. */
  g_assert_true (engine_wait_until (session_renewed, watch, LOGIN_HELD_S + 30));
  engine_spin (1500);
  engine_assert_no_migration_sent (f->sim, "Lyon");
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "task.cancel"), ==, 0);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_true (ferry_vm_get_resident_on (vm) == source);
  g_assert_null (ferry_vm_get_job (vm));
}

/* The migration's first request reached @pool (which refused it for the
 * expired session) and the job runs, waiting for the login. */
static void
wait_request_refused (Fixture    *f,
                      FerryJob   *job,
                      const char *pool,
                      const char *method)
{
  CallsWait sent = { f->sim, pool, method, 1 };

  g_assert_true (engine_wait_until (calls_arrived, &sent, 30));
  engine_spin (200);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_RUNNING);
}

static void
test_plain_job_during_relogin (Fixture      *f,
                               gconstpointer data)
{
  FerryVm     *vm = engine_vm (f->lyon, "web-01");
  FerryHost   *source = ferry_vm_get_resident_on (vm);
  SessionWatch watch = { NULL };
  FerryJob    *job;

  session_watch_init (&watch, f->lyon);
  expire_and_hold_login (f->sim, "Lyon");

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (f->manager, vm, engine_host (f->lyon, "lyon-2"), NULL);
  wait_request_refused (f, job, "Lyon", "Async.VM.pool_migrate");

  check_cancelled_during_relogin (f, job, vm, source, &watch);
  g_free (watch.before);
}

static void
test_storage_job_during_relogin (Fixture      *f,
                                 gconstpointer data)
{
  FerryVm     *vm = engine_vm (f->lyon, "db-01");
  FerryHost   *source = ferry_vm_get_resident_on (vm);
  SessionWatch watch = { NULL };
  FerryJob    *job;

  job = ferry_manager_migrate (f->manager, vm, engine_host (f->lyon, "lyon-2"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);

  session_watch_init (&watch, f->lyon);
  expire_and_hold_login (f->sim, "Lyon");

  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  ferry_job_confirm (job, NULL);
  wait_request_refused (f, job, "Lyon", "Async.VM.migrate_send");

  check_cancelled_during_relogin (f, job, vm, source, &watch);
  g_free (watch.before);
}

/* Cross-pool, the target pool's answer (host.migrate_receive) was not kept:
 * the job asks Paris again, whose login is held. */
static void
test_receive_during_relogin (Fixture      *f,
                             gconstpointer data)
{
  FerryVm     *vm = engine_vm (f->lyon, "web-02");
  FerryHost   *source = ferry_vm_get_resident_on (vm);
  SessionWatch watch = { NULL };
  FerryJob    *job;

  job = ferry_manager_migrate (f->manager, vm, engine_host (f->paris, "paris-1"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);

  /* Paris's sessions go, and with them the answer of the pre-check. */
  session_watch_init (&watch, f->paris);
  expire_and_hold_login (f->sim, "Paris");

  engine_sim_calls (f->sim, "Paris", NULL, TRUE);
  ferry_job_confirm (job, NULL);
  wait_request_refused (f, job, "Paris", "host.migrate_receive");

  /* (Lyon may have refused the kept answer already: that sent nothing.) */
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  ferry_job_cancel (job);
  g_assert_true (engine_wait_until (job_finished, job, 10));
  g_assert_false (session_renewed (&watch));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_null (ferry_job_get_error (job));

  g_assert_true (engine_wait_until (session_renewed, &watch, LOGIN_HELD_S + 30));
  engine_spin (1500);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Paris", "host.migrate_receive"), ==, 1);
  engine_assert_no_migration_sent (f->sim, "Lyon");
  g_assert_true (ferry_vm_get_resident_on (vm) == source);
  g_free (watch.before);
}

/* ---- re-planning ------------------------------------------------------------------ */

typedef struct
{
  EngineSlot slot;
  gboolean   ok;
  GError    *error;
} Replanned;

static void
on_replanned (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Replanned *replanned = user_data;

  replanned->ok = ferry_job_replan_finish (FERRY_JOB (source), result, &replanned->error);
  replanned->slot.result = g_object_ref (result);
}

/* A storage migration across pools waits for its answer; a change of
 * plan is being checked by the pools (@held_pool answers @held_method
 * only after a long while) when the job is cancelled. */
static void
cancel_during_replan (Fixture    *f,
                      const char *held_pool,
                      const char *held_method)
{
  FerryVm   *vm = engine_vm (f->lyon, "web-02");
  FerryHost *source = ferry_vm_get_resident_on (vm);
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_options_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *delay = g_strdup_printf ("{\"command\": \"delay\", \"pool\": \"%s\", \"seconds\": %d,"
                                            " \"count\": 1, \"method\": \"%s\"}",
                                            held_pool, LOGIN_HELD_S, held_method);
  Replanned        replanned = { { NULL } };
  FerryJob        *job;

  job = ferry_manager_migrate (f->manager, vm, engine_host (f->paris, "paris-1"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);

  json_object_unref (engine_sim_control (f->sim, delay));
  engine_sim_calls (f->sim, "Lyon", NULL, TRUE);
  engine_sim_calls (f->sim, "Paris", NULL, TRUE);

  ferry_migrate_options_set_compress (options, TRUE);
  ferry_job_replan_async (job, options, cancellable, on_replanned, &replanned);
  g_assert_true (engine_wait_until (call_held, f->sim, 30));
  engine_spin (200);
  g_assert_null (replanned.slot.result);

  ferry_job_cancel (job);
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_null (ferry_job_get_error (job));
  /* The re-plan ends with the job, not when the pool answers. */
  g_assert_true (engine_wait_until (engine_slot_filled, &replanned.slot, 10));
  g_assert_false (replanned.ok);
  g_assert_error (replanned.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (ferry_job_get_precheck_error (job));

  /* The held answer goes out: nothing more is asked, nothing sent. */
  g_assert_true (engine_wait_until (nothing_held, f->sim, LOGIN_HELD_S + 30));
  engine_spin (1500);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, held_pool, held_method), ==, 1);
  g_assert_cmpuint (engine_sim_count_calls (f->sim, "Lyon", "VM.assert_can_migrate"),
                    ==, strcmp (held_method, "VM.assert_can_migrate") == 0 ? 1 : 0);
  engine_assert_no_migration_sent (f->sim, "Lyon");
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_true (ferry_vm_get_resident_on (vm) == source);
  g_assert_null (ferry_vm_get_job (vm));

  g_clear_error (&replanned.error);
  g_clear_object (&replanned.slot.result);
}

static void
test_replan_receive (Fixture      *f,
                     gconstpointer data)
{
  cancel_during_replan (f, "Paris", "host.migrate_receive");
}

static void
test_replan_assert (Fixture      *f,
                    gconstpointer data)
{
  cancel_during_replan (f, "Lyon", "VM.assert_can_migrate");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/cancel/call-during-relogin", Fixture, fast,
              engine_fixture_setup, test_call_during_relogin, engine_fixture_teardown);
  g_test_add ("/engine/cancel/call-cancelled-as-login-returns", Fixture, fast,
              engine_fixture_setup, test_call_cancelled_as_login_returns, engine_fixture_teardown);
  g_test_add ("/engine/cancel/plain-job-during-relogin", Fixture, fast,
              engine_fixture_setup, test_plain_job_during_relogin, engine_fixture_teardown);
  g_test_add ("/engine/cancel/storage-job-during-relogin", Fixture, fast,
              engine_fixture_setup, test_storage_job_during_relogin, engine_fixture_teardown);
  g_test_add ("/engine/cancel/receive-during-relogin", Fixture, fast,
              engine_fixture_setup, test_receive_during_relogin, engine_fixture_teardown);
  g_test_add ("/engine/cancel/replan-receive", Fixture, fast,
              engine_fixture_setup, test_replan_receive, engine_fixture_teardown);
  g_test_add ("/engine/cancel/replan-assert", Fixture, fast,
              engine_fixture_setup, test_replan_assert, engine_fixture_teardown);

  return g_test_run ();
}
