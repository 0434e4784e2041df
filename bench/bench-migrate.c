/* bench-migrate.c: XAPI calls per migration and job-queue throughput of Ferry's engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives the engine the way ferryctl and the window do (ferry_manager_migrate(),
 * then ferry_job_confirm() with the plan's defaults when it asks, as
 * "ferryctl migrate --yes" does) against a running ferry-sim, and counts the
 * XAPI calls the simulated pools received with the simulator's "calls"
 * control command.  Prints one JSON object per line; bench/run-migrate turns
 * them into tables next to the peer's.  It reports figures and never judges
 * them: a slow machine gives slow figures, not a failure.
 *
 *   bench-migrate kinds CONTROL_URL URL_A URL_B PREFIX REPS   (password on stdin)
 *   bench-migrate queue CONTROL_URL URL_Q PREFIX N
 *
 * The pools and hosts are those of the scenario bench/run-migrate writes:
 * pools "A" (hosts a-1, a-2), "B" (b-1, b-2) and "Q" (q-1, q-2); VMs
 * PREFIX plain-N, PREFIX storage-N and PREFIX cross-N on a-1, PREFIX NNN on q-1.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "ferry-engine.h"

/* After a migration ends, calls that belong to it may still come (the next
 * event.from that sees the task go, a task.destroy): both clients get the
 * same grace before the calls are read. */
#define SETTLE_MS 500
#define CONNECT_TIMEOUT_S 120
#define MIGRATION_TIMEOUT_S 300
#define QUEUE_TIMEOUT_S 1800

typedef struct
{
  SoupSession *session;
  char        *url;
} Control;

static JsonObject *
control_run (Control    *control,
             const char *json)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", control->url);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (control->session, msg, NULL, &error);
  if (reply == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), (gssize) g_bytes_get_size (reply), &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_printerr ("bench-migrate: control %s: %s\n", json, error != NULL ? error->message : "not an object");
      exit (1);
    }
  object = json_node_get_object (json_parser_get_root (parser));
  if (soup_message_get_status (msg) != 200 || !json_object_get_boolean_member_with_default (object, "ok", FALSE))
    {
      g_printerr ("bench-migrate: the simulator refused %s\n", json);
      exit (1);
    }
  return json_object_ref (object);
}

/* The calls @pool received since the last time, forgotten by the simulator. */
static JsonArray *
control_take_calls (Control    *control,
                    const char *pool)
{
  g_autofree char *command = g_strdup_printf ("{\"command\": \"calls\", \"pool\": \"%s\", \"clear\": true}", pool);
  g_autoptr(JsonObject) reply = control_run (control, command);

  return json_array_ref (json_object_get_array_member (reply, "calls"));
}

/* ---- waiting on the main context ---------------------------------------------- */

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default main context until @check says so or @timeout_s passed. */
static gboolean
wait_until (gboolean (*check) (gpointer data),
            gpointer data,
            guint    timeout_s)
{
  gint64   deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  guint    ticker = g_timeout_add (20, wake, NULL);
  gboolean done;

  while (!(done = check (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (ticker);
  return done;
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  wait_until (time_passed, &until, ms / 1000 + 2);
}

typedef struct
{
  GAsyncResult *result;
} Slot;

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ((Slot *) user_data)->result = g_object_ref (result);
}

static gboolean
slot_filled (gpointer data)
{
  return ((Slot *) data)->result != NULL;
}

static FerryPool *
connect_pool (FerryManager *manager,
              const char   *url,
              const char   *password)
{
  g_autoptr(GError) error = NULL;
  Slot       slot = { NULL };
  FerryPool *pool;

  ferry_manager_connect_async (manager, url, "root", password, NULL, FALSE, NULL, on_result, &slot);
  if (!wait_until (slot_filled, &slot, CONNECT_TIMEOUT_S))
    {
      g_printerr ("bench-migrate: %s did not connect in %d s\n", url, CONNECT_TIMEOUT_S);
      exit (1);
    }
  pool = ferry_manager_connect_finish (manager, slot.result, &error);
  g_object_unref (slot.result);
  if (pool == NULL)
    {
      g_printerr ("bench-migrate: %s: %s\n", url, error->message);
      exit (1);
    }
  return pool;
}

/* ---- counting calls ----------------------------------------------------------- */

typedef struct
{
  GHashTable *methods; /* method -> GUINT_TO_POINTER (count) */
  guint       total;
  guint       event_from;
  guint       migrate_send;
  GHashTable *sent_vms; /* VM refs of Async.VM.migrate_send / VM.migrate_send */
} Counts;

static void
counts_init (Counts *counts)
{
  counts->methods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  counts->sent_vms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  counts->total = counts->event_from = counts->migrate_send = 0;
}

static void
counts_clear (Counts *counts)
{
  g_clear_pointer (&counts->methods, g_hash_table_unref);
  g_clear_pointer (&counts->sent_vms, g_hash_table_unref);
}

static void
counts_add (Counts    *counts,
            JsonArray *calls)
{
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *call = json_array_get_object_element (calls, i);
      const char *method = json_object_get_string_member_with_default (call, "method", "?");
      guint       n = GPOINTER_TO_UINT (g_hash_table_lookup (counts->methods, method));

      g_hash_table_replace (counts->methods, g_strdup (method), GUINT_TO_POINTER (n + 1));
      counts->total++;
      if (g_str_equal (method, "event.from"))
        counts->event_from++;
      if (g_str_equal (method, "Async.VM.migrate_send") || g_str_equal (method, "VM.migrate_send"))
        {
          JsonArray *params = json_object_get_array_member (call, "params");

          counts->migrate_send++;
          /* params[0] is the session, params[1] the VM. */
          if (params != NULL && json_array_get_length (params) > 1)
            g_hash_table_add (counts->sent_vms, g_strdup (json_array_get_string_element (params, 1)));
        }
    }
}

static void
take_calls (Counts     *counts,
            Control    *control,
            const char *pool)
{
  g_autoptr(JsonArray) calls = control_take_calls (control, pool);

  counts_add (counts, calls);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
add_methods (JsonBuilder *builder,
             Counts      *counts)
{
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (counts->methods, NULL);
  guint                n = g_hash_table_size (counts->methods);

  qsort (keys, n, sizeof (gpointer), compare_strings);
  json_builder_set_member_name (builder, "methods");
  json_builder_begin_object (builder);
  for (guint i = 0; i < n; i++)
    {
      json_builder_set_member_name (builder, keys[i]);
      json_builder_add_int_value (builder, GPOINTER_TO_UINT (g_hash_table_lookup (counts->methods, keys[i])));
    }
  json_builder_end_object (builder);
}

static void
print_builder (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

static void
member_string (JsonBuilder *builder,
               const char  *name,
               const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
member_int (JsonBuilder *builder,
            const char  *name,
            gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
member_double (JsonBuilder *builder,
               const char  *name,
               double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

/* ---- one migration of each kind ----------------------------------------------- */

static gboolean
job_settled (gpointer data)
{
  FerryJob *job = data;

  return ferry_job_is_finished (job) || ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION;
}

static gboolean
job_finished (gpointer data)
{
  return ferry_job_is_finished (data);
}

static FerryVm *
find_vm (FerryPool  *pool,
         const char *name)
{
  FerryVm *vm = ferry_pool_find_vm (pool, name);

  if (vm == NULL)
    {
      g_printerr ("bench-migrate: no VM %s in pool %s\n", name, ferry_pool_get_name (pool));
      exit (1);
    }
  return vm;
}

static FerryHost *
find_host (FerryPool  *pool,
           const char *name)
{
  FerryHost *host = ferry_pool_find_host (pool, name);

  if (host == NULL)
    {
      g_printerr ("bench-migrate: no host %s in pool %s\n", name, ferry_pool_get_name (pool));
      exit (1);
    }
  return host;
}

/* Where @uuid ended: "host: SR, SR" (both clients print it, to show that
 * they made the same migration). */
static char *
placement (FerryManager *manager,
           const char   *uuid)
{
  FerryVm   *vm = ferry_manager_find_vm (manager, uuid);
  GString   *text;
  GPtrArray *disks;

  if (vm == NULL)
    return g_strdup ("?");
  text = g_string_new (ferry_vm_get_resident_on (vm) != NULL ? ferry_host_get_name (ferry_vm_get_resident_on (vm)) : "-");
  g_string_append (text, ":");
  disks = ferry_vm_get_disks (vm);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryDisk *disk = g_ptr_array_index (disks, i);

      g_string_append_printf (text, "%s%s", i > 0 ? ", " : " ", disk->sr != NULL ? ferry_sr_get_name (disk->sr) : "?");
    }
  return g_string_free (text, FALSE);
}

static void
migrate_one (FerryManager *manager,
             Control      *control,
             const char   *kind,
             guint         rep,
             FerryVm      *vm,
             FerryHost    *target)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(FerryJob) job = NULL;
  g_autofree char *uuid = g_strdup (ferry_vm_get_uuid (vm));
  g_autofree char *placed = NULL;
  Counts           counts;
  gint64           start, planned = -1, end;
  FerryJobState    state;

  /* Forget what came before (connecting, earlier migrations). */
  counts_init (&counts);
  json_array_unref (control_take_calls (control, "A"));
  json_array_unref (control_take_calls (control, "B"));

  start = g_get_monotonic_time ();
  job = g_object_ref (ferry_manager_migrate (manager, vm, target, NULL));
  wait_until (job_settled, job, MIGRATION_TIMEOUT_S);
  if (ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    {
      /* What "ferryctl migrate --yes" and the dialog's Migrate button do:
       * keep the plan's defaults. */
      planned = g_get_monotonic_time ();
      ferry_job_confirm (job, NULL);
    }
  wait_until (job_finished, job, MIGRATION_TIMEOUT_S);
  end = g_get_monotonic_time ();
  state = ferry_job_get_state (job);

  spin (SETTLE_MS);
  take_calls (&counts, control, "A");
  take_calls (&counts, control, "B");
  placed = placement (manager, uuid);

  json_builder_begin_object (builder);
  member_string (builder, "client", "ferry-engine " PACKAGE_VERSION);
  member_string (builder, "kind", kind);
  member_int (builder, "rep", rep);
  member_string (builder, "state", state == FERRY_JOB_STATE_SUCCEEDED ? "succeeded" : ferry_job_state_to_string (state));
  if (ferry_job_get_error (job) != NULL)
    member_string (builder, "error", ferry_job_get_error (job));
  member_int (builder, "wall_ms", (end - start) / 1000);
  member_int (builder, "plan_ms", planned >= 0 ? (planned - start) / 1000 : -1);
  member_int (builder, "calls", counts.total);
  member_int (builder, "event_from", counts.event_from);
  member_string (builder, "placed", placed);
  add_methods (builder, &counts);
  json_builder_end_object (builder);
  print_builder (builder);

  counts_clear (&counts);
}

static int
run_kinds (Control    *control,
           const char *url_a,
           const char *url_b,
           const char *prefix,
           guint       reps,
           const char *password)
{
  g_autoptr(FerryManager) manager = ferry_manager_new (NULL);
  g_autoptr(FerryPool) pool_a = connect_pool (manager, url_a, password);
  g_autoptr(FerryPool) pool_b = connect_pool (manager, url_b, password);
  FerryHost *a2 = find_host (pool_a, "a-2");
  FerryHost *b1 = find_host (pool_b, "b-1");

  /* Let the start-up calls (the first event.from after the snapshot) pass. */
  spin (1000);

  for (guint rep = 1; rep <= reps; rep++)
    {
      g_autofree char *plain = g_strdup_printf ("%splain-%u", prefix, rep);
      g_autofree char *storage = g_strdup_printf ("%sstorage-%u", prefix, rep);
      g_autofree char *cross = g_strdup_printf ("%scross-%u", prefix, rep);

      migrate_one (manager, control, "plain", rep, find_vm (pool_a, plain), a2);
      migrate_one (manager, control, "storage", rep, find_vm (pool_a, storage), a2);
      migrate_one (manager, control, "cross-pool", rep, find_vm (pool_a, cross), b1);
    }

  return 0;
}

/* ---- the job queue ------------------------------------------------------------ */

typedef struct
{
  GPtrArray  *jobs;
  GHashTable *ran; /* jobs seen RUNNING */
  guint       running;
  guint       max_running;
  guint       requeued; /* RUNNING -> QUEUED: the pool said "too many" */
} Watch;

static gboolean
is_running (FerryJob *job)
{
  FerryJobState state = ferry_job_get_state (job);

  return state == FERRY_JOB_STATE_RUNNING || state == FERRY_JOB_STATE_CANCELLING;
}

static void
on_job_state (FerryJob   *job,
              GParamSpec *pspec,
              gpointer    user_data)
{
  Watch        *watch = user_data;
  FerryJobState state = ferry_job_get_state (job);

  if (state == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    ferry_job_confirm (job, NULL);
  if (is_running (job))
    g_hash_table_add (watch->ran, job);
  else if (state == FERRY_JOB_STATE_QUEUED && g_hash_table_contains (watch->ran, job))
    watch->requeued++;

  watch->running = 0;
  for (guint i = 0; i < watch->jobs->len; i++)
    if (is_running (g_ptr_array_index (watch->jobs, i)))
      watch->running++;
  watch->max_running = MAX (watch->max_running, watch->running);
}

static gboolean
all_finished (gpointer data)
{
  Watch *watch = data;

  for (guint i = 0; i < watch->jobs->len; i++)
    if (!ferry_job_is_finished (g_ptr_array_index (watch->jobs, i)))
      return FALSE;
  return TRUE;
}

static int
run_queue (Control    *control,
           const char *url,
           const char *prefix,
           guint       n,
           const char *password)
{
  g_autoptr(FerryManager) manager = ferry_manager_new (NULL);
  g_autoptr(FerryPool) pool = connect_pool (manager, url, password);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func (g_object_unref);
  FerryHost  *target = find_host (pool, "q-2");
  GListModel *all_vms;
  Watch       watch = { NULL };
  Counts      counts;
  guint       succeeded = 0, on_target = 0, with_prefix = 0, refused = 0;
  gint64      start, end;
  double      seconds;
  gboolean    done;

  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s%03u", prefix, i);

      g_ptr_array_add (vms, g_object_ref (find_vm (pool, name)));
    }
  spin (1000);
  json_array_unref (control_take_calls (control, "Q"));

  watch.jobs = g_ptr_array_new_with_free_func (g_object_unref);
  watch.ran = g_hash_table_new (NULL, NULL);

  /* One drop of n VMs onto q-2, as the window handles it: a fast check from
   * the cache, then one job per VM; each asks for confirmation (storage
   * motion), which is given at once. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < vms->len; i++)
    {
      FerryVm         *vm = g_ptr_array_index (vms, i);
      g_autofree char *reason = NULL;
      FerryJob        *job;

      if (!ferry_manager_check_target (manager, vm, target, &reason))
        {
          g_printerr ("bench-migrate: %s refused: %s\n", ferry_vm_get_name (vm), reason);
          refused++;
          continue;
        }
      job = ferry_manager_migrate (manager, vm, target, NULL);
      if (job == NULL)
        continue;
      g_ptr_array_add (watch.jobs, g_object_ref (job));
      g_signal_connect (job, "notify::state", G_CALLBACK (on_job_state), &watch);
      on_job_state (job, NULL, &watch);
    }
  done = wait_until (all_finished, &watch, QUEUE_TIMEOUT_S);
  end = g_get_monotonic_time ();

  spin (SETTLE_MS);
  counts_init (&counts);
  take_calls (&counts, control, "Q");

  for (guint i = 0; i < watch.jobs->len; i++)
    {
      FerryJob *job = g_ptr_array_index (watch.jobs, i);

      g_signal_handlers_disconnect_by_data (job, &watch);
      if (ferry_job_get_state (job) == FERRY_JOB_STATE_SUCCEEDED)
        succeeded++;
      else if (ferry_job_is_finished (job))
        g_printerr ("bench-migrate: %s: %s\n", ferry_job_get_vm_name (job),
                    ferry_job_get_error (job) != NULL ? ferry_job_get_error (job) : "not done");
    }
  for (guint i = 0; i < vms->len; i++)
    if (ferry_vm_get_resident_on (g_ptr_array_index (vms, i)) == target)
      on_target++;
  /* No VM lost or doubled: the pool still has exactly n of them. */
  all_vms = ferry_pool_get_vms (pool);
  for (guint i = 0; i < g_list_model_get_n_items (all_vms); i++)
    {
      g_autoptr(FerryVm) vm = g_list_model_get_item (all_vms, i);

      if (g_str_has_prefix (ferry_vm_get_name (vm), prefix))
        with_prefix++;
    }

  seconds = (end - start) / (double) G_USEC_PER_SEC;
  json_builder_begin_object (builder);
  member_string (builder, "client", "ferry-engine " PACKAGE_VERSION);
  member_int (builder, "n", n);
  member_int (builder, "finished", done);
  member_int (builder, "refused", refused);
  member_int (builder, "succeeded", succeeded);
  member_int (builder, "on_target", on_target);
  member_int (builder, "vms_in_pool", with_prefix);
  member_int (builder, "wall_ms", (end - start) / 1000);
  member_double (builder, "per_minute", seconds > 0 ? n * 60.0 / seconds : 0);
  member_int (builder, "max_running", watch.max_running);
  member_int (builder, "requeued", watch.requeued);
  member_int (builder, "migrate_send", counts.migrate_send);
  member_int (builder, "distinct_vms_sent", g_hash_table_size (counts.sent_vms));
  member_int (builder, "calls", counts.total);
  member_int (builder, "event_from", counts.event_from);
  add_methods (builder, &counts);
  json_builder_end_object (builder);
  print_builder (builder);

  counts_clear (&counts);
  g_hash_table_unref (watch.ran);
  g_ptr_array_unref (watch.jobs);
  return 0;
}

static char *
read_password (void)
{
  GString *text = g_string_new (NULL);
  char     buf[256];
  size_t   n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len (text, buf, (gssize) n);
  if (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);
  return g_string_free (text, FALSE);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *password = NULL;
  Control          control = { NULL };
  int              status;

  if (argc == 7 && g_str_equal (argv[1], "kinds"))
    ;
  else if (argc == 6 && g_str_equal (argv[1], "queue"))
    ;
  else
    {
      g_printerr ("usage: bench-migrate kinds CONTROL_URL URL_A URL_B PREFIX REPS\n"
                  "       bench-migrate queue CONTROL_URL URL_Q PREFIX N\n"
                  "(password on stdin)\n");
      return 2;
    }

  password = read_password ();
  control.session = soup_session_new_with_options ("timeout", 60, NULL);
  control.url = g_strdup (argv[2]);

  if (g_str_equal (argv[1], "kinds"))
    status = run_kinds (&control, argv[3], argv[4], argv[5], (guint) g_ascii_strtoull (argv[6], NULL, 10), password);
  else
    status = run_queue (&control, argv[3], argv[4], (guint) g_ascii_strtoull (argv[5], NULL, 10), password);

  /* Let the pools log out and their sockets close before leaving. */
  spin (200);
  g_object_unref (control.session);
  g_free (control.url);
  return status;
}
