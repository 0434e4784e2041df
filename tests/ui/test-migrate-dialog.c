/* test-migrate-dialog.c: what the confirmation dialog sends back
 *
 * The real engine against the simulator's demo pools (in-process, over
 * HTTP on loopback), and a real FerryMigrateDialog for a storage migration:
 * untouched it changes nothing; a choice under "Advanced" becomes the
 * override the engine uses for VM.migrate_send, and the dialog's text
 * follows it (after the pool checked the new plan); Cancel sends nothing.
 * Several VMs are asked about in one dialog: OK starts them all, Cancel
 * declines them all.  With FERRY_SCREENSHOT_DIR set, the dialog is saved
 * as PNG before and after choices under "Advanced".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <locale.h>

#include "sim/fsim-server.h"

#include "ferry-migrate-dialog.h"

#define WAIT_SECONDS 60

typedef struct
{
  FsimServer   *sim;
  FerryManager *manager;
  FerryPool    *pool;
  FerryPool    *paris;
} Fixture;

static gboolean
timed_out_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @cond (re-evaluated each turn) holds. */
#define SPIN_UNTIL(cond)                                                            \
  G_STMT_START                                                                      \
  {                                                                                 \
    gboolean timed_out_ = FALSE;                                                    \
    guint    id_ = g_timeout_add_seconds (WAIT_SECONDS, timed_out_cb, &timed_out_); \
    while (!(cond) && !timed_out_)                                                  \
      g_main_context_iteration (NULL, TRUE);                                        \
    if (!timed_out_)                                                                \
      g_source_remove (id_);                                                        \
    g_assert_true (cond);                                                           \
  }                                                                                 \
  G_STMT_END

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;

  FerryPool *pool = ferry_manager_connect_finish (FERRY_MANAGER (object), result, &error);

  g_assert_no_error (error);
  if (fixture->pool == NULL)
    fixture->pool = pool;
  else
    fixture->paris = pool;
}

static void
fixture_setup (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  fixture->sim = fsim_server_new ("demo", &error);
  g_assert_no_error (error);
  fsim_server_set_quiet (fixture->sim, TRUE);
  fsim_server_set_bandwidth (fixture->sim, 100000);
  g_assert_true (fsim_server_start (fixture->sim, 0, &error));
  g_assert_no_error (error);

  fixture->manager = ferry_manager_new (NULL);
  url = fsim_server_get_pool_url (fixture->sim, (guint) fsim_server_find_pool (fixture->sim, "Lyon"));
  ferry_manager_connect_async (fixture->manager, url, "root", "ferry", NULL, FALSE, NULL, connected_cb, fixture);
  SPIN_UNTIL (fixture->pool != NULL);
}

static void
fixture_teardown (Fixture      *fixture,
                  gconstpointer data)
{
  g_clear_object (&fixture->pool);
  g_clear_object (&fixture->paris);
  g_clear_object (&fixture->manager);
  fsim_server_stop (fixture->sim);
  g_clear_object (&fixture->sim);
}

static guint
count_calls (Fixture    *fixture,
             const char *method)
{
  g_autoptr(JsonObject) command = json_object_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (command, "command", "calls");
  json_object_set_string_member (command, "pool", "Lyon");
  json_object_set_string_member (command, "method", method);
  reply = fsim_server_control (fixture->sim, command, &error);
  g_assert_no_error (error);
  return json_array_get_length (json_object_get_array_member (json_node_get_object (reply), "calls"));
}

/* The vdi_map of the last VM.migrate_send: (session, vm, dest, live,
 * vdi_map, vif_map, options). */
static JsonObject *
last_vdi_map (Fixture *fixture)
{
  g_autoptr(JsonObject) command = json_object_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray  *calls;
  JsonObject *call;
  JsonArray  *params;

  json_object_set_string_member (command, "command", "calls");
  json_object_set_string_member (command, "pool", "Lyon");
  json_object_set_string_member (command, "method", "Async.VM.migrate_send");
  reply = fsim_server_control (fixture->sim, command, &error);
  g_assert_no_error (error);
  calls = json_object_get_array_member (json_node_get_object (reply), "calls");
  if (json_array_get_length (calls) == 0)
    {
      g_clear_pointer (&reply, json_node_unref);
      json_object_set_string_member (command, "method", "VM.migrate_send");
      reply = fsim_server_control (fixture->sim, command, &error);
      g_assert_no_error (error);
      calls = json_object_get_array_member (json_node_get_object (reply), "calls");
    }
  g_assert_cmpuint (json_array_get_length (calls), >, 0);
  call = json_array_get_object_element (calls, json_array_get_length (calls) - 1);

  params = json_object_get_array_member (call, "params");
  g_assert_cmpuint (json_array_get_length (params), >=, 5);
  return json_object_ref (json_array_get_object_element (params, 4));
}

static FerryJob *
start_storage_job (Fixture    *fixture,
                   const char *vm_name,
                   const char *host_name)
{
  FerryVm   *vm = ferry_pool_find_vm (fixture->pool, vm_name);
  FerryHost *host = ferry_pool_find_host (fixture->pool, host_name);
  FerryJob  *job;

  g_assert_nonnull (vm);
  g_assert_nonnull (host);
  job = ferry_manager_migrate (fixture->manager, vm, host, NULL);
  g_assert_nonnull (job);
  SPIN_UNTIL (ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION ||
              ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  return job;
}

static AdwComboRow *
find_combo (GtkWidget  *widget,
            const char *title)
{
  if (ADW_IS_COMBO_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_COMBO_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      AdwComboRow *found = find_combo (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_expander (GtkWidget *widget)
{
  if (GTK_IS_EXPANDER (widget))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_expander (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The Advanced section (a collapsed GtkExpander keeps it out of the tree). */
static GtkWidget *
advanced (GtkWidget *dialog)
{
  GtkWidget *expander = find_expander (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog)));

  g_assert_true (GTK_IS_EXPANDER (expander));
  return gtk_expander_get_child (GTK_EXPANDER (expander));
}

/* Every label's text outside the Advanced section, and the body: what the
 * dialog says. */
static void
collect_text (GtkWidget *widget,
              GString   *text)
{
  if (GTK_IS_EXPANDER (widget))
    return;
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      g_string_append (text, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (text, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_text (child, text);
}

static char *
dialog_text (GtkWidget *dialog)
{
  GString *text = g_string_new (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)));

  g_string_append_c (text, '\n');
  collect_text (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog)), text);
  return g_string_free (text, FALSE);
}

static void
select_network (AdwComboRow  *row,
                FerryNetwork *network)
{
  GListModel *model = adw_combo_row_get_model (row);
  guint       n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryNetwork) candidate = g_list_model_get_item (model, i);

      if (candidate == network)
        {
          adw_combo_row_set_selected (row, i);
          return;
        }
    }
  g_assert_not_reached ();
}

/* Saves what @dialog shows as FERRY_SCREENSHOT_DIR/@name.png, if set. */
static void
screenshot (GtkWidget  *dialog,
            const char *name)
{
  const char *dir = g_getenv ("FERRY_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer     *renderer;
  int              width, height;
  gboolean         drawn = FALSE;

  if (dir == NULL)
    return;

  gtk_window_present (GTK_WINDOW (dialog));
  /* Let it lay out and draw (a picture, not an assertion, waits here). */
  g_timeout_add (1000, timed_out_cb, &drawn);
  while (!drawn)
    g_main_context_iteration (NULL, TRUE);

  paintable = gtk_widget_paintable_new (dialog);
  /* On a busy machine the dialog may not be mapped and drawn after that
   * second: then its paintable gives no render node yet.  Wait for one
   * (up to 30 s); the picture is not what the test asserts on. */
  for (guint tries = 0; node == NULL && tries < 30; tries++)
    {
      if (tries > 0)
        {
          drawn = FALSE;
          g_timeout_add (1000, timed_out_cb, &drawn);
          while (!drawn)
            g_main_context_iteration (NULL, TRUE);
        }
      width = gtk_widget_get_width (dialog);
      height = gtk_widget_get_height (dialog);
      if (!gtk_widget_get_mapped (dialog) || width <= 0 || height <= 0)
        continue;
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (node == NULL)
    {
      g_test_message ("%s: the dialog was not drawn within 30 s; no screenshot", name);
      return;
    }
  {
    int min_h, nat_h;
    gtk_widget_measure (dialog, GTK_ORIENTATION_VERTICAL, width, &min_h, &nat_h, NULL, NULL);
    g_test_message ("%s: %d×%d, needs %d (natural %d)", name, width, height, min_h, nat_h);
  }
  renderer = gtk_native_get_renderer (GTK_NATIVE (dialog));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  {
    g_autofree char *screen = g_strdup_printf ("%s/%s-screen.png", dir, name);
    const char      *argv[] = { "import", "-window", "root", screen, NULL };

    /* The whole screen too, as the X server shows it (best effort). */
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

static void
expand_advanced (GtkWidget *dialog)
{
  gtk_expander_set_expanded (GTK_EXPANDER (find_expander (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog)))),
                             TRUE);
}

static void
select_sr (AdwComboRow *row,
           FerrySr     *sr)
{
  GListModel *model = adw_combo_row_get_model (row);
  guint       n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerrySr) candidate = g_list_model_get_item (model, i);

      if (candidate == sr)
        {
          adw_combo_row_set_selected (row, i);
          return;
        }
    }
  g_assert_not_reached ();
}

static void
test_untouched (Fixture      *fixture,
                gconstpointer data)
{
  FerryJob  *job = start_storage_job (fixture, "db-01", "lyon-3");
  GtkWidget *dialog = ferry_migrate_dialog_new (NULL, job);
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_dialog_get_changed_options (FERRY_MIGRATE_DIALOG (dialog));

  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "OK to migrate without shared storage?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "db-01"));
  g_assert_null (options);

  /* Cancel declines: nothing that moves the VM is sent. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  SPIN_UNTIL (ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
  g_assert_cmpuint (count_calls (fixture, "Async.VM.migrate_send") + count_calls (fixture, "VM.migrate_send"), ==, 0);
  g_assert_true (ferry_vm_get_resident_on (ferry_pool_find_vm (fixture->pool, "db-01")) ==
                 ferry_pool_find_host (fixture->pool, "lyon-1"));
}

static void
test_chosen_sr (Fixture      *fixture,
                gconstpointer data)
{
  FerryJob    *job = start_storage_job (fixture, "db-01", "lyon-3");
  FerrySr     *local = ferry_pool_find_sr (fixture->pool, "Local storage lyon-3");
  GtkWidget   *dialog = ferry_migrate_dialog_new (NULL, job);
  AdwComboRow *all = find_combo (advanced (dialog), "Destination for all disks");
  g_autoptr(FerryMigrateOptions) options = NULL;
  g_autoptr(JsonObject) vdi_map = NULL;
  g_autoptr(GList) targets = NULL;

  g_assert_nonnull (local);
  g_assert_nonnull (all);
  select_sr (all, local);
  options = ferry_migrate_dialog_get_changed_options (FERRY_MIGRATE_DIALOG (dialog));
  g_assert_nonnull (options);
  g_assert_true (ferry_migrate_options_get_sr (options) == local);

  /* OK confirms with that choice; the copy goes where the user said. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  SPIN_UNTIL (ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_SUCCEEDED);

  vdi_map = last_vdi_map (fixture);
  targets = json_object_get_values (vdi_map);
  g_assert_cmpuint (g_list_length (targets), ==, 2);
  for (GList *l = targets; l != NULL; l = l->next)
    g_assert_cmpstr (json_node_get_string (l->data), ==, ferry_sr_get_ref (local));
}

static void
test_per_disk (Fixture      *fixture,
               gconstpointer data)
{
  FerryJob    *job = start_storage_job (fixture, "db-01", "lyon-2");
  FerrySr     *local = ferry_pool_find_sr (fixture->pool, "Local storage lyon-2");
  FerrySr     *nfs = ferry_pool_find_sr (fixture->pool, "Lyon NFS");
  GtkWidget   *dialog = ferry_migrate_dialog_new (NULL, job);
  AdwComboRow *data_disk = find_combo (advanced (dialog), "db-01 data");
  GtkWidget   *switch_widget;
  g_autoptr(FerryMigrateOptions) options = NULL;
  GPtrArray       *disks = ferry_plan_get_disks (ferry_job_get_plan (job));
  g_autofree char *data_ref = NULL;

  g_assert_nonnull (data_disk);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryPlanDisk *disk = g_ptr_array_index (disks, i);

      /* The default is the pool's default SR, the shared NFS one. */
      g_assert_true (disk->to == nfs);
      if (g_strcmp0 (disk->name, "db-01 data") == 0)
        data_ref = g_strdup (disk->vdi_ref); /* a choice re-plans: the plan's strings go */
    }
  g_assert_nonnull (data_ref);

  /* Per disk: only the data disk goes to lyon-2's local storage. */
  switch_widget = gtk_widget_get_ancestor (GTK_WIDGET (data_disk), ADW_TYPE_PREFERENCES_GROUP);
  g_assert_nonnull (switch_widget);
  g_assert_false (gtk_widget_get_visible (switch_widget));
  {
    AdwComboRow *all = find_combo (advanced (dialog), "Destination for all disks");
    GtkWidget   *row = gtk_widget_get_next_sibling (GTK_WIDGET (all));
    GtkWidget   *sw = row ? adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) : NULL;

    g_assert_true (GTK_IS_SWITCH (sw));
    gtk_switch_set_active (GTK_SWITCH (sw), TRUE);
  }
  g_assert_true (gtk_widget_get_visible (switch_widget));
  select_sr (data_disk, local);

  options = ferry_migrate_dialog_get_changed_options (FERRY_MIGRATE_DIALOG (dialog));
  g_assert_nonnull (options);
  g_assert_null (ferry_migrate_options_get_sr (options));
  g_assert_true (ferry_migrate_options_get_disk_sr (options, data_ref) == local);

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  SPIN_UNTIL (ferry_job_is_finished (job));
}

/* Bug: after choosing an SR under Advanced the text still named the pool
 * default SR.  Now the choice re-plans, the pool checks the new plan, and
 * the list names the SR chosen; OK sends exactly that. */
static void
test_text_follows_choice (Fixture      *fixture,
                          gconstpointer data)
{
  FerryJob        *job = start_storage_job (fixture, "db-01", "lyon-3");
  FerrySr         *local = ferry_pool_find_sr (fixture->pool, "Local storage lyon-3");
  GtkWidget       *dialog = ferry_migrate_dialog_new (NULL, job);
  AdwComboRow     *all = find_combo (advanced (dialog), "Destination for all disks");
  g_autofree char *before = dialog_text (dialog);
  g_autofree char *after = NULL;
  g_autoptr(JsonObject) vdi_map = NULL;
  g_autoptr(GList) targets = NULL;
  guint asserts = count_calls (fixture, "VM.assert_can_migrate");

  g_assert_nonnull (strstr (before, "Copied to Lyon NFS (pool default SR)"));
  g_assert_null (strstr (before, "Local storage lyon-3"));
  g_assert_nonnull (strstr (before, "lyon-1"));
  g_assert_nonnull (strstr (before, "Transfer network"));
  screenshot (dialog, "migrate-dialog-default");

  select_sr (all, local);
  g_assert_true (ferry_migrate_dialog_get_checking (FERRY_MIGRATE_DIALOG (dialog)));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "ok"));
  SPIN_UNTIL (!ferry_migrate_dialog_get_checking (FERRY_MIGRATE_DIALOG (dialog)));
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "ok"));
  /* The pool was asked about the new plan. */
  g_assert_cmpuint (count_calls (fixture, "VM.assert_can_migrate"), ==, asserts + 1);

  after = dialog_text (dialog);
  g_assert_nonnull (strstr (after, "Copied to Local storage lyon-3 (chosen for all disks)"));
  g_assert_null (strstr (after, "Lyon NFS"));
  expand_advanced (dialog);
  screenshot (dialog, "migrate-dialog-advanced");

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  SPIN_UNTIL (ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_SUCCEEDED);
  vdi_map = last_vdi_map (fixture);
  targets = json_object_get_values (vdi_map);
  for (GList *l = targets; l != NULL; l = l->next)
    g_assert_cmpstr (json_node_get_string (l->data), ==, ferry_sr_get_ref (local));
}

/* Across pools: the interface's network chosen under Advanced is named. */
static void
test_network_follows_choice (Fixture      *fixture,
                             gconstpointer data)
{
  g_autofree char *url = fsim_server_get_pool_url (fixture->sim, (guint) fsim_server_find_pool (fixture->sim, "Paris"));
  FerryVm         *vm = ferry_pool_find_vm (fixture->pool, "mail");
  FerryHost       *host;
  FerryNetwork    *dmz = NULL;
  FerryJob        *job;
  GtkWidget       *dialog;
  AdwComboRow     *row;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GListModel      *networks;

  ferry_manager_connect_async (fixture->manager, url, "root", "ferry", NULL, FALSE, NULL, connected_cb, fixture);
  SPIN_UNTIL (fixture->paris != NULL);
  host = ferry_pool_find_host (fixture->paris, "paris-1");
  networks = ferry_pool_get_networks (fixture->paris);
  for (guint i = 0; i < g_list_model_get_n_items (networks) && dmz == NULL; i++)
    {
      g_autoptr(FerryNetwork) network = g_list_model_get_item (networks, i);

      if (g_strcmp0 (ferry_network_get_name (network), "DMZ") == 0)
        dmz = network;
    }
  g_assert_nonnull (dmz);

  job = ferry_manager_migrate (fixture->manager, vm, host, NULL);
  SPIN_UNTIL (ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION || ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  dialog = ferry_migrate_dialog_new (NULL, job);
  before = dialog_text (dialog);
  g_assert_nonnull (strstr (before, "in the pool “Paris”"));
  g_assert_nonnull (strstr (before, "Interface 0\nOn Pool-wide network associated with eth0"));

  row = find_combo (advanced (dialog), "Network of interface 0");
  g_assert_nonnull (row);
  select_network (row, dmz);
  SPIN_UNTIL (!ferry_migrate_dialog_get_checking (FERRY_MIGRATE_DIALOG (dialog)));
  after = dialog_text (dialog);
  g_assert_nonnull (strstr (after, "Interface 0\nOn DMZ (chosen for this interface)"));

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  SPIN_UNTIL (ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
}

static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The options of the last VM.migrate_send (the seventh parameter). */
static JsonObject *
last_send_options (Fixture *fixture)
{
  g_autoptr(JsonObject) command = json_object_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *calls;
  JsonArray *params;

  json_object_set_string_member (command, "command", "calls");
  json_object_set_string_member (command, "pool", "Lyon");
  json_object_set_string_member (command, "method", "Async.VM.migrate_send");
  reply = fsim_server_control (fixture->sim, command, &error);
  g_assert_no_error (error);
  calls = json_object_get_array_member (json_node_get_object (reply), "calls");
  g_assert_cmpuint (json_array_get_length (calls), >, 0);
  params = json_object_get_array_member (json_array_get_object_element (calls, json_array_get_length (calls) - 1),
                                         "params");
  return json_object_ref (json_array_get_object_element (params, 6));
}

/* The pool refuses the VM's CPU on the target: the question is asked with
 * that refusal and Force offered; OK waits for Force, and with it the
 * pool's check passes and the migration goes, with force=true. */
static void
test_force_offered (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr(JsonObject) command = json_object_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) options = NULL;
  g_autofree char *text = NULL;
  FerryJob        *job;
  GtkWidget       *dialog;
  GtkWidget       *row;
  GtkWidget       *sw;

  json_object_set_string_member (command, "command", "incompatible_cpu");
  json_object_set_string_member (command, "vm", "db-01");
  json_object_set_string_member (command, "host", "lyon-3");
  reply = fsim_server_control (fixture->sim, command, &error);
  g_assert_no_error (error);

  job = start_storage_job (fixture, "db-01", "lyon-3");
  g_assert_cmpstr (ferry_job_get_precheck_code (job), ==, "VM_INCOMPATIBLE_WITH_THIS_HOST");
  dialog = ferry_migrate_dialog_new (NULL, job);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "ok"));
  text = dialog_text (dialog);
  g_assert_nonnull (strstr (text, ferry_job_get_precheck_error (job)));
  expand_advanced (dialog);
  screenshot (dialog, "migrate-dialog-refused");

  row = find_row (advanced (dialog), "Force");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (row));
  sw = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row));
  g_assert_true (GTK_IS_SWITCH (sw));
  gtk_switch_set_active (GTK_SWITCH (sw), TRUE);
  SPIN_UNTIL (!ferry_migrate_dialog_get_checking (FERRY_MIGRATE_DIALOG (dialog)));
  g_assert_null (ferry_job_get_precheck_code (job));
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "ok"));

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  SPIN_UNTIL (ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_SUCCEEDED);
  options = last_send_options (fixture);
  g_assert_cmpstr (json_object_get_string_member (options, "force"), ==, "true");
}

static GPtrArray *
two_storage_jobs (Fixture *fixture)
{
  GPtrArray *jobs = g_ptr_array_new ();

  /* Both on local storage of other hosts: both need an "OK". */
  g_ptr_array_add (jobs, start_storage_job (fixture, "db-01", "lyon-3"));
  g_ptr_array_add (jobs, start_storage_job (fixture, "mail", "lyon-3"));
  return jobs;
}

static void
test_several_ok (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr(GPtrArray) jobs = two_storage_jobs (fixture);
  GtkWidget       *dialog = ferry_migrate_dialog_new_for_jobs (NULL, jobs);
  g_autofree char *text = dialog_text (dialog);
  FerryHost       *lyon3 = ferry_pool_find_host (fixture->pool, "lyon-3");

  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "OK to migrate 2 VMs without shared storage?");
  /* Each VM with what moves. */
  g_assert_nonnull (strstr (text, "db-01"));
  g_assert_nonnull (strstr (text, "mail"));
  g_assert_nonnull (strstr (text, "db-01\nFrom lyon-1\n"));
  g_assert_nonnull (strstr (text, "mail\nFrom lyon-2\n"));
  g_assert_nonnull (strstr (text, "Disk “mail 0”, 50 GiB\nCopied to Lyon NFS (pool default SR)"));
  screenshot (dialog, "migrate-dialog-two-vms");

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  for (guint i = 0; i < jobs->len; i++)
    {
      FerryJob *job = g_ptr_array_index (jobs, i);

      SPIN_UNTIL (ferry_job_is_finished (job));
      g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_SUCCEEDED);
    }
  g_assert_cmpuint (count_calls (fixture, "Async.VM.migrate_send"), ==, 2);
  SPIN_UNTIL (ferry_vm_get_resident_on (ferry_pool_find_vm (fixture->pool, "db-01")) == lyon3 &&
              ferry_vm_get_resident_on (ferry_pool_find_vm (fixture->pool, "mail")) == lyon3);
}

static void
test_several_cancel (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr(GPtrArray) jobs = two_storage_jobs (fixture);
  GtkWidget *dialog = ferry_migrate_dialog_new_for_jobs (NULL, jobs);

  /* None stays "Waiting for confirmation". */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  for (guint i = 0; i < jobs->len; i++)
    {
      FerryJob *job = g_ptr_array_index (jobs, i);

      SPIN_UNTIL (ferry_job_is_finished (job));
      g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_CANCELLED);
    }
  g_assert_cmpuint (count_calls (fixture, "Async.VM.migrate_send") + count_calls (fixture, "VM.migrate_send"), ==, 0);
}

/* The description of the group of Advanced titled @title, or NULL if it
 * has none. */
static const char *
group_description (GtkWidget  *widget,
                   const char *title)
{
  if (ADW_IS_PREFERENCES_GROUP (widget) &&
      g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0)
    {
      const char *description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (widget));

      return description != NULL && *description != '\0' ? description : NULL;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      const char *found = group_description (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static FerryNetwork *
find_network (FerryPool  *pool,
              const char *name)
{
  GListModel *networks = ferry_pool_get_networks (pool);

  for (guint i = 0; i < g_list_model_get_n_items (networks); i++)
    {
      g_autoptr(FerryNetwork) network = g_list_model_get_item (networks, i);

      if (g_strcmp0 (ferry_network_get_name (network), name) == 0)
        return network; /* the pool's list keeps it */
    }
  return NULL;
}

/* Networks chosen under Advanced for a move from Lyon to Paris are offered
 * again for the next move between the two pools, and the rows say so. */
static void
test_as_last_time (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *url = fsim_server_get_pool_url (fixture->sim, (guint) fsim_server_find_pool (fixture->sim, "Paris"));
  g_autoptr(FerryMigrateOptions) choices = NULL;
  g_autoptr(FerryMigrateOptions) recalled = NULL;
  g_autofree char *text = NULL;
  FerryNetwork    *dmz, *management;
  FerryHost       *paris_1, *lyon_3;
  FerryJob        *job;
  GtkWidget       *dialog;
  AdwComboRow     *row;

  ferry_manager_connect_async (fixture->manager, url, "root", "ferry", NULL, FALSE, NULL, connected_cb, fixture);
  SPIN_UNTIL (fixture->paris != NULL);
  paris_1 = ferry_pool_find_host (fixture->paris, "paris-1");
  lyon_3 = ferry_pool_find_host (fixture->pool, "lyon-3");
  dmz = find_network (fixture->paris, "DMZ");
  management = find_network (fixture->paris, "Pool-wide network associated with eth0");
  g_assert_nonnull (dmz);
  g_assert_nonnull (management);

  /* Nothing remembered yet. */
  g_assert_null (ferry_manager_recall_choices (fixture->manager, fixture->pool, paris_1));

  /* The first move: both interfaces on DMZ, the transfer on the management
   * network (DMZ has no address on the hosts), chosen. */
  job = ferry_manager_migrate (fixture->manager, ferry_pool_find_vm (fixture->pool, "dns-01"), paris_1, NULL);
  SPIN_UNTIL (ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION || ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  dialog = ferry_migrate_dialog_new (NULL, job);
  g_assert_null (ferry_migrate_dialog_dup_pool_choices (FERRY_MIGRATE_DIALOG (dialog)));
  select_network (find_combo (advanced (dialog), "Network of interface 0"), dmz);
  select_network (find_combo (advanced (dialog), "Network of interface 1"), dmz);
  select_network (find_combo (advanced (dialog), "Migration network"), dmz);
  select_network (find_combo (advanced (dialog), "Migration network"), management);
  SPIN_UNTIL (!ferry_migrate_dialog_get_checking (FERRY_MIGRATE_DIALOG (dialog)));
  choices = ferry_migrate_dialog_dup_pool_choices (FERRY_MIGRATE_DIALOG (dialog));
  g_assert_nonnull (choices);
  g_assert_true (ferry_migrate_options_get_network (choices) == dmz);
  g_assert_true (ferry_migrate_options_get_migration_network (choices) == management);
  g_assert_null (ferry_migrate_options_get_sr (choices)); /* untouched: not a choice */
  ferry_manager_remember_choices (fixture->manager, fixture->pool, fixture->paris, choices);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  SPIN_UNTIL (ferry_job_is_finished (job));

  /* Only between these two pools, in that direction. */
  g_assert_null (ferry_manager_recall_choices (fixture->manager, fixture->pool, lyon_3));
  g_assert_null (ferry_manager_recall_choices (fixture->manager, fixture->paris,
                                               ferry_pool_find_host (fixture->pool, "lyon-1")));

  /* The next move between Lyon and Paris starts from them. */
  recalled = ferry_manager_recall_choices (fixture->manager, fixture->pool, paris_1);
  g_assert_nonnull (recalled);
  g_assert_true (ferry_migrate_options_get_network (recalled) == dmz);
  g_assert_true (ferry_migrate_options_get_migration_network (recalled) == management);
  job = ferry_manager_migrate (fixture->manager, ferry_pool_find_vm (fixture->pool, "web-02"), paris_1, recalled);
  SPIN_UNTIL (ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION || ferry_job_is_finished (job));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  dialog = ferry_migrate_dialog_new (NULL, job);
  ferry_migrate_dialog_set_remembered (FERRY_MIGRATE_DIALOG (dialog), recalled);
  expand_advanced (dialog);
  SPIN_UNTIL ((g_free (text), text = dialog_text (dialog), strstr (text, "Interface 1\nOn DMZ (as last time)") != NULL));
  g_assert_nonnull (strstr (text, "Interface 0\nOn DMZ (as last time)"));
  g_assert_nonnull (strstr (text, "Transfer network\nPool-wide network associated with eth0 (as last time)"));
  for (guint i = 0; i < 3; i++)
    {
      const char *title = (const char *[]) { "Network of interface 0", "Network of interface 1", "Migration network" }[i];

      row = find_combo (advanced (dialog), title);
      g_assert_nonnull (row);
      g_assert_true (adw_combo_row_get_selected_item (row) == (i < 2 ? dmz : management));
    }
  g_assert_cmpstr (group_description (advanced (dialog), "Networks"), ==, "As last time to “Paris”");
  /* Nothing was remembered for the storage. */
  g_assert_null (group_description (advanced (dialog), "Storage"));
  /* Untouched, they are no new choice. */
  g_assert_null (ferry_migrate_dialog_dup_pool_choices (FERRY_MIGRATE_DIALOG (dialog)));
  screenshot (dialog, "migrate-dialog-as-last-time");

  /* Another choice is no longer "as last time". */
  select_network (find_combo (advanced (dialog), "Network of interface 0"), management);
  SPIN_UNTIL (!ferry_migrate_dialog_get_checking (FERRY_MIGRATE_DIALOG (dialog)));
  g_free (text);
  text = dialog_text (dialog);
  g_assert_nonnull (strstr (text, "Interface 0\nOn Pool-wide network associated with eth0 (chosen for this interface)"));
  g_assert_nonnull (strstr (text, "Interface 1\nOn DMZ (as last time)"));
  g_assert_cmpstr (group_description (advanced (dialog), "Networks"), ==, "As last time to “Paris”");
  select_network (find_combo (advanced (dialog), "Network of interface 1"), management);
  select_network (find_combo (advanced (dialog), "Migration network"), dmz);
  g_assert_null (group_description (advanced (dialog), "Networks"));

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  SPIN_UNTIL (ferry_job_is_finished (job));
  g_assert_cmpuint (count_calls (fixture, "Async.VM.migrate_send") + count_calls (fixture, "VM.migrate_send"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ui/migrate-dialog/untouched-and-cancel", Fixture, NULL,
              fixture_setup, test_untouched, fixture_teardown);
  g_test_add ("/ui/migrate-dialog/chosen-sr-is-sent", Fixture, NULL,
              fixture_setup, test_chosen_sr, fixture_teardown);
  g_test_add ("/ui/migrate-dialog/per-disk", Fixture, NULL,
              fixture_setup, test_per_disk, fixture_teardown);
  g_test_add ("/ui/migrate-dialog/text-follows-chosen-sr", Fixture, NULL,
              fixture_setup, test_text_follows_choice, fixture_teardown);
  g_test_add ("/ui/migrate-dialog/text-follows-chosen-network", Fixture, NULL,
              fixture_setup, test_network_follows_choice, fixture_teardown);
  g_test_add ("/ui/migrate-dialog/force-offered", Fixture, NULL,
              fixture_setup, test_force_offered, fixture_teardown);
  g_test_add ("/ui/migrate-dialog/several-vms-ok", Fixture, NULL,
              fixture_setup, test_several_ok, fixture_teardown);
  g_test_add ("/ui/migrate-dialog/several-vms-cancel", Fixture, NULL,
              fixture_setup, test_several_cancel, fixture_teardown);
  g_test_add ("/ui/migrate-dialog/as-last-time", Fixture, NULL,
              fixture_setup, test_as_last_time, fixture_teardown);

  return g_test_run ();
}
