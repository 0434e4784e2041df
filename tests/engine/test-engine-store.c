/* test-engine-store.c: saved servers, the keyring, connecting
 *
 * Runs inside the test wrapper's private D-Bus session, against its real
 * (unlocked) gnome-keyring; GSettings is the memory backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "engine-fixture.h"

#define PASSWORD "s3cret-Pässwörd"

static GAsyncResult *
wait_slot (EngineSlot *slot)
{
  if (!engine_wait_until (engine_slot_filled, slot, 60))
    g_error ("No answer within 60 s");
  return slot->result;
}

static FerryServerStore *
new_store (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  /* The memory backend lives as long as the process: start empty. */
  g_settings_reset (settings, "servers");
  return ferry_server_store_new (settings);
}

static void
store_password (FerryServerStore *store,
                const char       *url,
                const char       *user,
                const char       *password)
{
  EngineSlot slot = { NULL };
  g_autoptr(GError) error = NULL;

  ferry_server_store_store_password_async (store, url, user, password, NULL, engine_slot_fill, &slot);
  g_assert_true (ferry_server_store_store_password_finish (store, wait_slot (&slot), &error));
  g_assert_no_error (error);
  g_object_unref (slot.result);
}

static char *
lookup_password (FerryServerStore *store,
                 const char       *url,
                 const char       *user)
{
  EngineSlot slot = { NULL };
  g_autoptr(GError) error = NULL;
  char *password;

  ferry_server_store_lookup_password_async (store, url, user, NULL, engine_slot_fill, &slot);
  password = ferry_server_store_lookup_password_finish (store, wait_slot (&slot), &error);
  g_assert_no_error (error);
  g_object_unref (slot.result);

  return password;
}

/* Every value of every key of our schema, printed. */
static char *
dump_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, FALSE);

      g_string_append_printf (text, "%s=%s\n", keys[i], printed);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- without a pool ------------------------------------------------------------ */

static void
test_canonical_url (void)
{
  const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "host", "https://host" },
    { "Lyon.Example.ORG/", "https://lyon.example.org" },
    { "https://lyon.example.org:443/", "https://lyon.example.org" },
    { "http://10.0.0.1:8080", "http://10.0.0.1:8080" },
    { "  https://10.0.0.1:4443  ", "https://10.0.0.1:4443" },
    { "HTTPS://[fe80::1]:8443/", "https://[fe80::1]:8443" },
    { "ftp://host", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = ferry_server_canonical_url (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static guint changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  changes++;
}

static gboolean
password_gone (gpointer data)
{
  g_autofree char *password = lookup_password (data, "https://lyon.example.org", "root");

  return password == NULL;
}

static void
test_save_lookup_remove (void)
{
  g_autoptr(FerryServerStore) store = new_store ();
  g_autoptr(FerryServerStore) other = NULL;
  g_autofree char *password = NULL;
  g_autofree char *wrong_user = NULL;
  g_autofree char *dump = NULL;
  FerryServer     *server;

  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), NULL);
  changes = 0;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  ferry_server_store_save (store, "Lyon.Example.org/", "root", NULL, "Lyon");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_cmpuint (changes, >=, 1);

  server = ferry_server_store_lookup (store, "https://lyon.example.org");
  g_assert_nonnull (server);
  g_assert_true (ferry_server_store_lookup (store, "lyon.example.org:443") == server);
  g_assert_cmpstr (ferry_server_get_url (server), ==, "https://lyon.example.org");
  g_assert_cmpstr (ferry_server_get_username (server), ==, "root");
  g_assert_null (ferry_server_get_fingerprint (server));
  g_assert_cmpstr (ferry_server_get_label (server), ==, "Lyon");

  /* Updated in place: the same object, new details. */
  ferry_server_store_set_fingerprint (store, "lyon.example.org", "AB:CD:EF");
  g_assert_true (ferry_server_store_lookup (store, "lyon.example.org") == server);
  g_assert_cmpstr (ferry_server_get_fingerprint (server), ==, "AB:CD:EF");
  ferry_server_store_save (store, "lyon.example.org", "root", NULL, NULL);
  g_assert_cmpstr (ferry_server_get_fingerprint (server), ==, "AB:CD:EF");
  g_assert_cmpstr (ferry_server_get_label (server), ==, "Lyon");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  /* Another store on the same settings sees the same list. */
  other = ferry_server_store_new (ferry_server_store_get_settings (store));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 1);

  /* The keyring. */
  g_assert_null (lookup_password (store, "https://lyon.example.org", "root"));
  store_password (store, "lyon.example.org", "root", PASSWORD);
  password = lookup_password (store, "https://lyon.example.org/", "root");
  g_assert_cmpstr (password, ==, PASSWORD);
  wrong_user = lookup_password (store, "https://lyon.example.org", "admin");
  g_assert_null (wrong_user);

  /* Never in GSettings. */
  dump = dump_settings (ferry_server_store_get_settings (store));
  g_test_message ("%s", dump);
  g_assert_nonnull (strstr (dump, "lyon.example.org"));
  g_assert_null (strstr (dump, PASSWORD));
  g_assert_null (strstr (dump, "s3cret"));

  ferry_server_store_remove (store, "https://lyon.example.org");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_null (ferry_server_store_lookup (store, "lyon.example.org"));
  /* The password goes too (asynchronously). */
  g_assert_true (engine_wait_until (password_gone, store, 30));

  g_signal_handlers_disconnect_by_func (store, on_items_changed, NULL);
}

/* ---- with pools ------------------------------------------------------------------ */

static FerryPool *
connect_pool (FerryManager *manager,
              const char   *url,
              const char   *password,
              const char   *fingerprint,
              gboolean      remember,
              GError      **error)
{
  EngineSlot slot = { NULL };
  FerryPool *pool;

  ferry_manager_connect_async (manager, url, "root", password, fingerprint, remember, NULL, engine_slot_fill, &slot);
  pool = ferry_manager_connect_finish (manager, wait_slot (&slot), error);
  g_object_unref (slot.result);

  return pool;
}

static void
test_remember (void)
{
  g_autoptr(FerryServerStore) store = new_store ();
  g_autoptr(FerryManager) manager = ferry_manager_new (store);
  g_autoptr(FerryManager) later = NULL;
  g_autoptr(FerryPool) pool = NULL;
  g_autoptr(FerryPool) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *dump = NULL;
  EngineSim       *sim = engine_sim_start (NULL);
  const char      *url = engine_sim_url (sim, "Lyon");
  EngineSlot       slot = { NULL };
  FerryServer     *server;
  FerryPool       *saved;
  guint            n = 99;

  pool = connect_pool (manager, url, "ferry", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ferry_pool_get_name (pool), ==, "Lyon");
  g_assert_nonnull (ferry_pool_get_uuid (pool));

  /* The same URL again: the same pool. */
  again = connect_pool (manager, url, "ferry", NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (again == pool);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (manager)), ==, 1);
  g_assert_true (ferry_manager_find_pool (manager, "Lyon") == pool);
  g_assert_true (ferry_manager_find_pool (manager, ferry_pool_get_uuid (pool)) == pool);
  g_assert_true (ferry_manager_find_pool (manager, url) == pool);

  server = ferry_server_store_lookup (store, url);
  g_assert_nonnull (server);
  g_assert_cmpstr (ferry_server_get_username (server), ==, "root");
  g_assert_cmpstr (ferry_server_get_label (server), ==, "Lyon");
  password = lookup_password (store, url, "root");
  g_assert_cmpstr (password, ==, "ferry");
  dump = dump_settings (ferry_server_store_get_settings (store));
  g_assert_null (strstr (dump, "'ferry'"));

  /* A later run: everything saved comes back by itself. */
  later = ferry_manager_new (store);
  ferry_manager_connect_saved_async (later, NULL, engine_slot_fill, &slot);
  /* Listed at once, connecting. */
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (later)), ==, 1);
  saved = g_list_model_get_item (ferry_manager_get_pools (later), 0);
  g_assert_cmpint (ferry_pool_get_state (saved), ==, FERRY_POOL_STATE_CONNECTING);
  g_object_unref (saved);
  g_assert_true (ferry_manager_connect_saved_finish (later, wait_slot (&slot), &n, &error));
  g_assert_no_error (error);
  g_clear_object (&slot.result);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (later)), ==, 1);
  saved = g_list_model_get_item (ferry_manager_get_pools (later), 0);
  g_assert_cmpint (ferry_pool_get_state (saved), ==, FERRY_POOL_STATE_READY);
  g_assert_cmpstr (ferry_pool_get_name (saved), ==, "Lyon");
  g_assert_cmpuint (g_list_model_get_n_items (ferry_pool_get_vms (saved)), ==, 9);
  g_object_unref (saved);

  g_clear_object (&later);
  g_clear_object (&pool);
  g_clear_object (&again);
  g_clear_object (&manager);
  ferry_server_store_remove (store, url);
  engine_spin (300);
  engine_sim_stop (sim);
}

static void
test_saved_without_password (void)
{
  g_autoptr(FerryServerStore) store = new_store ();
  g_autoptr(FerryManager) manager = ferry_manager_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) pool = NULL;
  EngineSim *sim = engine_sim_start (NULL);
  EngineSlot slot = { NULL };
  guint      n = 99;

  ferry_server_store_save (store, engine_sim_url (sim, "Paris"), "root", NULL, "Paris");
  ferry_manager_connect_saved_async (manager, NULL, engine_slot_fill, &slot);
  g_assert_true (ferry_manager_connect_saved_finish (manager, wait_slot (&slot), &n, &error));
  g_clear_object (&slot.result);
  g_assert_cmpuint (n, ==, 0);

  /* Shown, with the reason, not retried. */
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (manager)), ==, 1);
  pool = g_list_model_get_item (ferry_manager_get_pools (manager), 0);
  g_assert_cmpint (ferry_pool_get_state (pool), ==, FERRY_POOL_STATE_FAILED);
  g_assert_nonnull (strstr (ferry_pool_get_error (pool), "No password"));

  g_clear_object (&pool);
  g_clear_object (&manager);
  engine_spin (100);
  engine_sim_stop (sim);
}

/* A saved server whose password the keyring does not keep can be removed
 * (it once crashed on an error that was never set). */
static void
test_remove_without_password (void)
{
  g_autoptr(FerryServerStore) store = new_store ();
  const char *url = "https://paris.example.com";

  ferry_server_store_save (store, url, "root", NULL, "Paris");
  g_assert_nonnull (ferry_server_store_lookup (store, url));
  ferry_server_store_remove (store, url);
  engine_spin (300);
  g_assert_null (ferry_server_store_lookup (store, url));
}

static void
test_wrong_password (void)
{
  g_autoptr(FerryServerStore) store = new_store ();
  g_autoptr(FerryManager) manager = ferry_manager_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) pool = NULL;
  g_autofree char *sentence = NULL;
  EngineSim       *sim = engine_sim_start (NULL);

  pool = connect_pool (manager, engine_sim_url (sim, "Lyon"), "wrong", NULL, TRUE, &error);
  g_assert_null (pool);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_AUTHENTICATION_FAILED);
  sentence = ferry_error_to_sentence (error, NULL);
  g_assert_cmpstr (sentence, ==, "The user name or password was refused.");

  /* Nothing kept: no pool, nothing saved. */
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (manager)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  g_clear_object (&manager);
  engine_spin (100);
  engine_sim_stop (sim);
}

/* A pool is in the manager's list from the moment it is asked for, so that
 * a window can show it load; one that does not get in (refused, given up)
 * leaves the list again. */
static void
test_listed_while_connecting (void)
{
  g_autoptr(FerryManager) manager = ferry_manager_new (NULL);
  GListModel *pools = ferry_manager_get_pools (manager);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) listed = NULL;
  g_autoptr(FerryPool) pool = NULL;
  EngineSim *sim = engine_sim_start (NULL);
  EngineSlot slot = { NULL };

  ferry_manager_connect_async (manager, engine_sim_url (sim, "Lyon"), "root", "ferry", NULL, FALSE, NULL,
                               engine_slot_fill, &slot);
  g_assert_cmpuint (g_list_model_get_n_items (pools), ==, 1);
  listed = g_list_model_get_item (pools, 0);
  g_assert_cmpint (ferry_pool_get_state (listed), ==, FERRY_POOL_STATE_CONNECTING);
  pool = ferry_manager_connect_finish (manager, wait_slot (&slot), &error);
  g_assert_no_error (error);
  g_clear_object (&slot.result);
  g_assert_true (pool == listed);
  g_assert_cmpint (ferry_pool_get_state (pool), ==, FERRY_POOL_STATE_READY);
  g_assert_cmpuint (g_list_model_get_n_items (pools), ==, 1);

  /* Refused: listed while it tried, gone after. */
  ferry_manager_connect_async (manager, engine_sim_url (sim, "Paris"), "root", "wrong", NULL, FALSE, NULL,
                               engine_slot_fill, &slot);
  g_assert_cmpuint (g_list_model_get_n_items (pools), ==, 2);
  g_assert_null (ferry_manager_connect_finish (manager, wait_slot (&slot), &error));
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_AUTHENTICATION_FAILED);
  g_clear_error (&error);
  g_clear_object (&slot.result);
  g_assert_cmpuint (g_list_model_get_n_items (pools), ==, 1);

  /* Given up by the caller: gone too. */
  ferry_manager_connect_async (manager, engine_sim_url (sim, "Paris"), "root", "ferry", NULL, FALSE, cancellable,
                               engine_slot_fill, &slot);
  g_assert_cmpuint (g_list_model_get_n_items (pools), ==, 2);
  g_cancellable_cancel (cancellable);
  g_assert_null (ferry_manager_connect_finish (manager, wait_slot (&slot), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&slot.result);
  g_assert_cmpuint (g_list_model_get_n_items (pools), ==, 1);
  g_clear_object (&listed);
  listed = g_list_model_get_item (pools, 0);
  g_assert_true (listed == pool);

  g_clear_object (&listed);
  g_clear_object (&pool);
  g_clear_object (&manager);
  engine_spin (100);
  engine_sim_stop (sim);
}

/* A supporter sends us to its master.  Over plain HTTP, on a first login
 * (the pool's hosts are not known yet), only once the user agreed. */
static void
test_supporter (void)
{
  g_autoptr(FerryManager) manager = ferry_manager_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) pool = NULL;
  g_autoptr(GUri) master = NULL;
  g_autofree char *supporter = NULL;
  EngineSim       *sim = engine_sim_start (NULL);
  const char      *url = engine_sim_url (sim, "Lyon");

  master = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_assert_cmpstr (g_uri_get_host (master), ==, "127.0.1.1");
  supporter = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (master), NULL, "127.0.1.2",
                          g_uri_get_port (master), "", NULL, NULL);

  pool = connect_pool (manager, supporter, "ferry", NULL, FALSE, &error);
  g_assert_null (pool);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_REDIRECT_REFUSED);
  g_assert_cmpstr (ferry_error_get_address (error), ==, "127.0.1.1");
  g_clear_error (&error);

  ferry_manager_trust_redirect (manager, supporter, "127.0.1.1");
  pool = connect_pool (manager, supporter, "ferry", NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ferry_pool_get_url (pool), ==, supporter);
  g_assert_cmpstr (ferry_pool_get_master_url (pool), ==, url);
  g_assert_cmpstr (ferry_pool_get_name (pool), ==, "Lyon");
  g_assert_true (ferry_host_get_is_master (ferry_pool_get_master (pool)));
  g_assert_cmpstr (ferry_host_get_name (ferry_pool_get_master (pool)), ==, "lyon-1");

  g_clear_object (&pool);
  g_clear_object (&manager);
  engine_spin (100);
  engine_sim_stop (sim);
}

static void
saved_following (const char *url,
                 const char *address,
                 gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s -> %s", url, address));
}

/* The saved servers the way ferryctl connects them: one try each, a
 * supporter followed to its master once, a limit in time, and what became
 * of each server in the saved order; only the pools that got in stay. */
static void
test_saved_options (void)
{
  g_autoptr(FerryServerStore) store = new_store ();
  g_autoptr(FerryManager) manager = ferry_manager_new (store);
  g_autoptr(GPtrArray) followed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) outcomes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) master = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(FerryPool) listed = NULL;
  g_autofree char         *supporter = NULL;
  g_autofree char         *expected = NULL;
  FerryConnectSavedOptions options = { 0 };
  const FerrySavedOutcome *outcome;
  EngineSim               *sim = engine_sim_start (NULL);
  const char              *paris = engine_sim_url (sim, "Paris");
  const char              *nowhere = "http://127.0.0.1:9";
  EngineSlot               slot = { NULL };

  master = g_uri_parse (engine_sim_url (sim, "Lyon"), G_URI_FLAGS_NONE, NULL);
  supporter = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (master), NULL, "127.0.1.2",
                          g_uri_get_port (master), "", NULL, NULL);
  ferry_server_store_save (store, supporter, "root", NULL, "Lyon");
  store_password (store, supporter, "root", "ferry");
  ferry_server_store_save (store, paris, "root", NULL, "Paris");
  store_password (store, paris, "root", "ferry");
  ferry_server_store_save (store, nowhere, "root", NULL, NULL);

  /* Paris answers its login long after the limit. */
  reply = engine_sim_control (sim, "{\"command\": \"delay\", \"pool\": \"Paris\", \"seconds\": 30, \"count\": 1,"
                                   " \"method\": \"session.login_with_password\"}");

  options.timeout_seconds = 2;
  options.once = TRUE;
  options.follow_master = TRUE;
  options.following = saved_following;
  options.user_data = followed;
  ferry_manager_connect_saved_full_async (manager, &options, NULL, engine_slot_fill, &slot);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (manager)), ==, 3);
  outcomes = ferry_manager_connect_saved_full_finish (manager, wait_slot (&slot), &error);
  g_assert_no_error (error);
  g_clear_object (&slot.result);
  g_assert_cmpuint (outcomes->len, ==, 3);

  outcome = g_ptr_array_index (outcomes, 0);
  g_assert_cmpstr (outcome->url, ==, supporter);
  g_assert_no_error (outcome->error);
  g_assert_nonnull (outcome->pool);
  g_assert_cmpint (ferry_pool_get_state (outcome->pool), ==, FERRY_POOL_STATE_READY);
  g_assert_cmpstr (ferry_pool_get_name (outcome->pool), ==, "Lyon");
  expected = g_strdup_printf ("%s -> 127.0.1.1", supporter);
  g_assert_cmpuint (followed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (followed, 0), ==, expected);

  outcome = g_ptr_array_index (outcomes, 1);
  g_assert_cmpstr (outcome->url, ==, paris);
  g_assert_null (outcome->pool);
  g_assert_true (outcome->timed_out);
  g_assert_error (outcome->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  outcome = g_ptr_array_index (outcomes, 2);
  g_assert_cmpstr (outcome->url, ==, nowhere);
  g_assert_cmpstr (outcome->username, ==, "root");
  g_assert_null (outcome->pool);
  g_assert_false (outcome->timed_out);
  g_assert_error (outcome->error, FERRY_ERROR, FERRY_ERROR_NOT_FOUND);

  /* One try each: only the pool that got in is still listed. */
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (manager)), ==, 1);
  listed = g_list_model_get_item (ferry_manager_get_pools (manager), 0);
  g_assert_true (listed == ((FerrySavedOutcome *) g_ptr_array_index (outcomes, 0))->pool);

  ferry_server_store_remove (store, supporter);
  ferry_server_store_remove (store, paris);
  ferry_server_store_remove (store, nowhere);
  g_clear_pointer (&outcomes, g_ptr_array_unref);
  g_clear_object (&listed);
  g_clear_object (&manager);
  engine_spin (300);
  engine_sim_stop (sim);
}

/* A saved server without a user name (an older or hand-edited list): XAPI
 * logs no one in without one, so it is refused with a sentence that names
 * it, before its password leaves the keyring; the window's way and
 * ferryctl's alike. */
static void
test_saved_empty_user (void)
{
  g_autoptr(FerryServerStore) store = new_store ();
  g_autoptr(FerryManager) manager = ferry_manager_new (store);
  g_autoptr(FerryManager) once = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) pool = NULL;
  g_autoptr(GPtrArray) outcomes = NULL;
  FerryConnectSavedOptions options = { 0 };
  const FerrySavedOutcome *outcome;
  EngineSim               *sim = engine_sim_start (NULL);
  const char              *url = engine_sim_url (sim, "Lyon");
  EngineSlot               slot = { NULL };
  guint                    n = 99;

  ferry_server_store_save (store, url, "", NULL, "Lyon");
  /* Were the password read and sent, the login would go out with it. */
  store_password (store, url, "", "ferry");
  engine_sim_calls (sim, "Lyon", NULL, TRUE);

  /* The window's way: listed as failed, with the reason, not retried. */
  ferry_manager_connect_saved_async (manager, NULL, engine_slot_fill, &slot);
  g_assert_true (ferry_manager_connect_saved_finish (manager, wait_slot (&slot), &n, &error));
  g_assert_no_error (error);
  g_clear_object (&slot.result);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (manager)), ==, 1);
  pool = g_list_model_get_item (ferry_manager_get_pools (manager), 0);
  g_assert_cmpint (ferry_pool_get_state (pool), ==, FERRY_POOL_STATE_FAILED);
  g_test_message ("%s", ferry_pool_get_error (pool));
  g_assert_cmpstr (ferry_pool_get_error (pool), ==,
                   "The server 127.0.1.1 is saved without a user name, and a pool lets no one log in "
                   "without one; its password was not sent. Connect to it again with its user name.");

  /* ferryctl's way: one try, the outcome says why, nothing stays listed. */
  once = ferry_manager_new (store);
  options.once = TRUE;
  options.timeout_seconds = 30;
  ferry_manager_connect_saved_full_async (once, &options, NULL, engine_slot_fill, &slot);
  outcomes = ferry_manager_connect_saved_full_finish (once, wait_slot (&slot), &error);
  g_assert_no_error (error);
  g_clear_object (&slot.result);
  g_assert_cmpuint (outcomes->len, ==, 1);
  outcome = g_ptr_array_index (outcomes, 0);
  g_assert_cmpstr (outcome->url, ==, url);
  g_assert_cmpstr (outcome->username, ==, "");
  g_assert_null (outcome->pool);
  g_assert_false (outcome->timed_out);
  g_assert_error (outcome->error, FERRY_ERROR, FERRY_ERROR_INVALID);
  g_assert_nonnull (strstr (outcome->error->message, "127.0.1.1"));
  g_assert_cmpuint (g_list_model_get_n_items (ferry_manager_get_pools (once)), ==, 0);

  /* No login went out, with that password or any other. */
  engine_spin (500);
  g_assert_cmpuint (engine_sim_count_calls (sim, "Lyon", "session."), ==, 0);

  ferry_server_store_remove (store, url);
  g_clear_pointer (&outcomes, g_ptr_array_unref);
  g_clear_object (&pool);
  g_clear_object (&once);
  g_clear_object (&manager);
  engine_spin (300);
  engine_sim_stop (sim);
}

/* An unknown certificate is refused with its fingerprint; once the user
 * accepts it, it is pinned and saved with the server. */
static void
test_certificate (void)
{
  static const char * const https[] = { "--https", NULL };
  g_autoptr(FerryServerStore) store = new_store ();
  g_autoptr(FerryManager) manager = ferry_manager_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) refused = NULL;
  g_autoptr(FerryPool) pool = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *sentence = NULL;
  EngineSim       *sim = engine_sim_start (https);
  const char      *url = engine_sim_url (sim, "Paris");
  FerryServer     *server;

  g_assert_true (g_str_has_prefix (url, "https://"));
  refused = connect_pool (manager, url, "ferry", NULL, TRUE, &error);
  g_assert_null (refused);
  g_assert_error (error, FERRY_ERROR, FERRY_ERROR_CERTIFICATE_UNKNOWN);
  fingerprint = g_strdup (ferry_error_get_fingerprint (error));
  g_assert_nonnull (fingerprint);
  sentence = ferry_error_to_sentence (error, NULL);
  g_assert_nonnull (strstr (sentence, fingerprint));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_clear_error (&error);

  pool = connect_pool (manager, url, "ferry", fingerprint, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ferry_pool_get_state (pool), ==, FERRY_POOL_STATE_READY);
  server = ferry_server_store_lookup (store, url);
  g_assert_nonnull (server);
  g_assert_cmpstr (ferry_server_get_fingerprint (server), ==, fingerprint);

  g_clear_object (&pool);
  g_clear_object (&manager);
  ferry_server_store_remove (store, url);
  engine_spin (300);
  engine_sim_stop (sim);
}

/* The "compress" preference applies when the caller says nothing. */
static void
test_compress_preference (void)
{
  g_autoptr(FerryServerStore) store = new_store ();
  g_autoptr(FerryManager) manager = ferry_manager_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(FerryPool) pool = NULL;
  g_autoptr(JsonArray) params = NULL;
  GSettings  *settings = ferry_server_store_get_settings (store);
  EngineSim  *sim = engine_sim_start (NULL);
  JsonObject *options;
  FerryJob   *job;

  g_settings_set_boolean (settings, "compress", TRUE);
  pool = connect_pool (manager, engine_sim_url (sim, "Lyon"), "ferry", NULL, FALSE, &error);
  g_assert_no_error (error);

  engine_sim_calls (sim, "Lyon", NULL, TRUE);
  job = ferry_manager_migrate (manager, engine_vm (pool, "dns-01"), engine_host (pool, "lyon-3"), NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_SUCCEEDED);
  params = engine_sim_single_call (sim, "Lyon", "Async.VM.pool_migrate");
  options = json_array_get_object_element (params, 3);
  g_assert_cmpstr (engine_json_string (options, "compress"), ==, "true");
  g_assert_cmpstr (engine_json_string (options, "force"), ==, "false");
  g_assert_cmpuint (json_object_get_size (options), ==, 2);

  g_settings_reset (settings, "compress");
  g_clear_object (&pool);
  g_clear_object (&manager);
  engine_spin (100);
  engine_sim_stop (sim);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/store/canonical-url", test_canonical_url);
  g_test_add_func ("/engine/store/save-lookup-remove", test_save_lookup_remove);
  g_test_add_func ("/engine/store/remember", test_remember);
  g_test_add_func ("/engine/store/saved-without-password", test_saved_without_password);
  g_test_add_func ("/engine/store/remove-without-password", test_remove_without_password);
  g_test_add_func ("/engine/store/wrong-password", test_wrong_password);
  g_test_add_func ("/engine/store/listed-while-connecting", test_listed_while_connecting);
  g_test_add_func ("/engine/store/supporter", test_supporter);
  g_test_add_func ("/engine/store/saved-options", test_saved_options);
  g_test_add_func ("/engine/store/saved-empty-user", test_saved_empty_user);
  g_test_add_func ("/engine/store/certificate", test_certificate);
  g_test_add_func ("/engine/store/compress-preference", test_compress_preference);

  return g_test_run ();
}
