/* engine-fixture.c: ferry-sim, a manager and bounded waits for the engine tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <libsoup/soup.h>

#include "engine-fixture.h"

/* Generous: the tests run two at a time on two cores, under sanitizers. */
#define START_TIMEOUT_S 60
#define CONTROL_TIMEOUT_S 60

struct _EngineSim
{
  GSubprocess      *process;
  GDataInputStream *output;
  GHashTable       *pools; /* name -> URL */
  char             *first_url;
  SoupSession      *session;
};

/* ---- waiting ---------------------------------------------------------------- */

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
engine_wait_until (gboolean (*check) (gpointer data),
                   gpointer data,
                   guint    timeout_s)
{
  gint64   deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  /* Wakes the loop now and then, so that the deadline is seen even when
   * nothing else happens. */
  guint    tick = g_timeout_add (50, on_tick, NULL);
  gboolean ok;

  while (!(ok = check (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  return ok;
}

static gboolean
on_spin_done (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
engine_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_spin_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- the simulator ------------------------------------------------------------ */

typedef struct
{
  char    *line;
  GError  *error;
  gboolean done;
} LineRead;

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

static gboolean
line_read (gpointer data)
{
  return ((LineRead *) data)->done;
}

/* A test that aborts must not leave its simulator behind (the test
 * harness would wait for it forever). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

EngineSim *
engine_sim_start (const char * const *extra_args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *exe = g_getenv ("FERRY_SIM");
  gint64      deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;
  EngineSim  *sim;

  if (exe == NULL || !g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("FERRY_SIM is not the ferry-sim executable (%s)", exe != NULL ? exe : "unset");

  g_ptr_array_add (argv, (char *) exe);
  g_ptr_array_add (argv, (char *) "--port=0");
  g_ptr_array_add (argv, (char *) "--enable-control");
  g_ptr_array_add (argv, (char *) "--quiet");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  sim = g_new0 (EngineSim, 1);
  sim->pools = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sim->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  sim->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim->process));

  for (;;)
    {
      LineRead read = { 0 };
      g_auto(GStrv) words = NULL;
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0)
        g_error ("ferry-sim did not get ready in %d s", START_TIMEOUT_S);

      g_data_input_stream_read_line_async (sim->output, G_PRIORITY_DEFAULT, NULL, on_line, &read);
      if (!engine_wait_until (line_read, &read, (guint) (left / G_USEC_PER_SEC) + 1))
        g_error ("ferry-sim did not get ready in %d s", START_TIMEOUT_S);
      g_assert_no_error (read.error);
      if (read.line == NULL)
        g_error ("ferry-sim ended before it was ready");

      words = g_strsplit (g_strstrip (read.line), " ", 3);
      if (g_strv_length (words) == 3 && g_str_equal (words[0], "pool"))
        {
          g_hash_table_replace (sim->pools, g_strdup (words[1]), g_strdup (words[2]));
          if (sim->first_url == NULL)
            sim->first_url = g_strdup (words[2]);
        }
      g_free (read.line);
      if (g_str_equal (words[0], "ready"))
        break;
    }

  sim->session = soup_session_new_with_options ("timeout", CONTROL_TIMEOUT_S, NULL);

  return sim;
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

void
engine_sim_stop (EngineSim *sim)
{
  gboolean exited = FALSE;

  if (sim == NULL)
    return;

  g_subprocess_send_signal (sim->process, SIGTERM);
  g_subprocess_wait_async (sim->process, NULL, on_waited, &exited);
  if (!engine_wait_until (flag_set, &exited, 20))
    {
      g_subprocess_force_exit (sim->process);
      engine_wait_until (flag_set, &exited, 20);
    }

  g_clear_object (&sim->session);
  g_clear_object (&sim->output);
  g_clear_object (&sim->process);
  g_hash_table_unref (sim->pools);
  g_free (sim->first_url);
  g_free (sim);
}

const char *
engine_sim_url (EngineSim  *sim,
                const char *pool)
{
  const char *url = g_hash_table_lookup (sim->pools, pool);

  if (url == NULL)
    g_error ("ferry-sim has no pool %s", pool);
  return url;
}

JsonObject *
engine_sim_control (EngineSim  *sim,
                    const char *json)
{
  g_autofree char *url = g_strconcat (sim->first_url, "/sim/control", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (sim->session, msg, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), (gssize) g_bytes_get_size (reply), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  if (soup_message_get_status (msg) != 200 || !json_object_get_boolean_member_with_default (object, "ok", FALSE))
    g_error ("ferry-sim refused %s: %s", json, engine_json_string (object, "error"));

  return json_object_ref (object);
}

JsonArray *
engine_sim_calls (EngineSim  *sim,
                  const char *pool,
                  const char *prefix,
                  gboolean    clear)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, "calls");
  json_builder_set_member_name (builder, "pool");
  json_builder_add_string_value (builder, pool);
  if (prefix != NULL)
    {
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, prefix);
    }
  json_builder_set_member_name (builder, "clear");
  json_builder_add_boolean_value (builder, clear);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  reply = engine_sim_control (sim, text);
  return json_array_ref (json_object_get_array_member (reply, "calls"));
}

JsonArray *
engine_sim_single_call (EngineSim  *sim,
                        const char *pool,
                        const char *method)
{
  g_autoptr(JsonArray) calls = engine_sim_calls (sim, pool, method, FALSE);
  JsonArray *found = NULL;

  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *call = json_array_get_object_element (calls, i);

      if (!g_str_equal (engine_json_string (call, "method"), method))
        continue;
      if (found != NULL)
        g_error ("%s received %s more than once", pool, method);
      found = json_object_get_array_member (call, "params");
    }

  if (found == NULL)
    g_error ("%s did not receive %s", pool, method);

  return json_array_ref (found);
}

const char *
engine_json_string (JsonObject *object,
                    const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

/* ---- engine shortcuts ------------------------------------------------------------ */

typedef struct
{
  GAsyncResult *result;
} ResultSlot;

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ((ResultSlot *) user_data)->result = g_object_ref (result);
}

static gboolean
result_ready (gpointer data)
{
  return ((ResultSlot *) data)->result != NULL;
}

FerryPool *
engine_try_connect (FerryManager *manager,
                    const char   *url,
                    const char   *fingerprint,
                    GError      **error)
{
  ResultSlot slot = { NULL };
  FerryPool *result;

  ferry_manager_connect_async (manager, url, "root", "ferry", fingerprint, FALSE, NULL, on_result, &slot);
  if (!engine_wait_until (result_ready, &slot, 60))
    g_error ("Could not connect to %s within 60 s", url);

  result = ferry_manager_connect_finish (manager, slot.result, error);
  g_object_unref (slot.result);
  return result;
}

FerryPool *
engine_connect (FerryManager *manager,
                EngineSim    *sim,
                const char   *pool)
{
  g_autoptr(GError) error = NULL;
  FerryPool *result;

  result = engine_try_connect (manager, engine_sim_url (sim, pool), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpint (ferry_pool_get_state (result), ==, FERRY_POOL_STATE_READY);

  /* The manager keeps it. */
  g_object_unref (result);
  return result;
}

static gboolean
job_settled (gpointer data)
{
  FerryJob *job = data;

  return ferry_job_is_finished (job) ||
         ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION;
}

FerryJobState
engine_wait_job (FerryJob *job,
                 guint     timeout_s)
{
  if (!engine_wait_until (job_settled, job, timeout_s))
    g_error ("Job for %s still %s after %u s", ferry_job_get_vm_name (job),
             ferry_job_state_to_string (ferry_job_get_state (job)), timeout_s);

  return ferry_job_get_state (job);
}

typedef struct
{
  FerryJob     *job;
  FerryJobState state;
} StateWait;

static gboolean
job_in_state (gpointer data)
{
  StateWait *wait = data;

  return ferry_job_get_state (wait->job) == wait->state || ferry_job_is_finished (wait->job);
}

gboolean
engine_wait_job_state (FerryJob     *job,
                       FerryJobState state,
                       guint         timeout_s)
{
  StateWait wait = { job, state };

  engine_wait_until (job_in_state, &wait, timeout_s);
  return ferry_job_get_state (job) == state;
}

FerryVm *
engine_vm (FerryPool  *pool,
           const char *name)
{
  FerryVm *vm = ferry_pool_find_vm (pool, name);

  if (vm == NULL)
    g_error ("No VM %s in %s", name, ferry_pool_get_name (pool));
  return vm;
}

FerryHost *
engine_host (FerryPool  *pool,
             const char *name)
{
  FerryHost *host = ferry_pool_find_host (pool, name);

  if (host == NULL)
    g_error ("No host %s in %s", name, ferry_pool_get_name (pool));
  return host;
}

FerrySr *
engine_sr (FerryPool  *pool,
           const char *name)
{
  FerrySr *sr = ferry_pool_find_sr (pool, name);

  if (sr == NULL)
    g_error ("No SR %s in %s", name, ferry_pool_get_name (pool));
  return sr;
}

FerryNetwork *
engine_network (FerryPool  *pool,
                const char *name)
{
  FerryNetwork *network = ferry_pool_find_network (pool, name);

  if (network == NULL)
    g_error ("No network %s in %s", name, ferry_pool_get_name (pool));
  return network;
}

/* ---- the shared fixture ------------------------------------------------------- */

void
engine_fixture_setup_sim (EngineFixture *f,
                          gconstpointer  extra_args)
{
  f->sim = engine_sim_start (extra_args);
  f->manager = ferry_manager_new (NULL);
}

void
engine_fixture_setup (EngineFixture *f,
                      gconstpointer  extra_args)
{
  engine_fixture_setup_sim (f, extra_args);
  f->lyon = engine_connect (f->manager, f->sim, "Lyon");
  f->paris = engine_connect (f->manager, f->sim, "Paris");
}

void
engine_fixture_teardown (EngineFixture *f,
                         gconstpointer  data)
{
  g_clear_object (&f->manager);
  /* Lets the pools' logouts and closes go out before the simulator goes. */
  engine_spin (100);
  engine_sim_stop (f->sim);
}

/* ---- results of _async calls ------------------------------------------------- */

void
engine_slot_fill (GObject      *source,
                  GAsyncResult *result,
                  gpointer      slot)
{
  ((EngineSlot *) slot)->result = g_object_ref (result);
}

gboolean
engine_slot_filled (gpointer slot)
{
  return ((EngineSlot *) slot)->result != NULL;
}

guint
engine_sim_count_calls (EngineSim  *sim,
                        const char *pool,
                        const char *prefix)
{
  g_autoptr(JsonArray) calls = engine_sim_calls (sim, pool, prefix, FALSE);

  return json_array_get_length (calls);
}

gboolean
engine_vm_on_host (gpointer on_host)
{
  EngineOnHost *on = on_host;

  return ferry_vm_get_resident_on (on->vm) == on->host;
}

gboolean
engine_vm_in_state (gpointer power_wait)
{
  EnginePowerWait *wait = power_wait;

  return g_strcmp0 (ferry_vm_get_power_state (wait->vm), wait->state) == 0;
}

void
engine_assert_no_migration_sent (EngineSim  *sim,
                                 const char *pool)
{
  g_assert_cmpuint (engine_sim_count_calls (sim, pool, "Async.VM.migrate_send"), ==, 0);
  g_assert_cmpuint (engine_sim_count_calls (sim, pool, "VM.migrate_send"), ==, 0);
  g_assert_cmpuint (engine_sim_count_calls (sim, pool, "Async.VM.pool_migrate"), ==, 0);
  g_assert_cmpuint (engine_sim_count_calls (sim, pool, "VM.pool_migrate"), ==, 0);
}
