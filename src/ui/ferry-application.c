/* ferry-application.c: the Ferry application
 *
 * The application owns the engine (one FerryManager for all windows), the
 * settings, and the start-up work: reconnecting saved pools, or with --demo
 * starting the simulator and connecting to it.
 *
 * It also follows the migrations for the user: their ends become desktop
 * notifications while no Ferry window is in front, and closing the window
 * while some run or wait does not end Ferry: it carries on in the background
 * (starting the queued ones) until none is left.  Quitting for real is
 * app.quit, which asks first when that would leave migrations behind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-application.h"
#include "ferry-demo.h"
#include "ferry-preferences-window.h"
#include "ferry-ui-util.h"
#include "ferry-window.h"

struct _FerryApplication
{
  AdwApplication    parent_instance;

  GSettings        *settings;
  FerryServerStore *store;
  FerryManager     *manager;
  FerryDemo        *demo;
  GCancellable     *cancellable;

  gboolean          demo_mode;
  gboolean          started;

  /* Following migrations, see "Following migrations" below. */
  gboolean          held;     /* one g_application_hold() while jobs are active */
  gboolean          quitting; /* windows closing for app.quit, not to the background */
  GtkWindow        *quit_dialog;
};

G_DEFINE_FINAL_TYPE (FerryApplication, ferry_application, ADW_TYPE_APPLICATION)

static FerryWindow *
get_window (FerryApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (FERRY_IS_WINDOW (window))
    return FERRY_WINDOW (window);
  return NULL;
}

static void
toast (FerryApplication *self,
       const char       *text)
{
  FerryWindow *window = get_window (self);

  if (window != NULL)
    ferry_window_show_toast (window, text);
  else
    g_message ("%s", text);
}

static void
demo_pool_connected_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(FerryApplication) self = user_data;
  g_autoptr(FerryPool) pool = NULL;
  g_autoptr(GError) error = NULL;

  pool = ferry_manager_connect_finish (FERRY_MANAGER (object), result, &error);
  if (pool == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *sentence = ferry_error_to_message (error);
      g_autofree char *text = g_strdup_printf (_("Could not connect to the demo pool: %s"), sentence);

      toast (self, text);
    }
}

static void
start_demo (FerryApplication *self)
{
  g_autoptr(GError) error = NULL;
  guint n_pools;

  self->demo = ferry_demo_start (&error);
  if (self->demo == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not start the demo: %s"), error->message);

      toast (self, text);
      return;
    }

  n_pools = ferry_demo_get_n_pools (self->demo);
  for (guint i = 0; i < n_pools; i++)
    {
      g_autofree char *url = ferry_demo_get_url (self->demo, i);

      /* Not remembered: the demo's pools vanish with this process. */
      ferry_manager_connect_async (self->manager, url,
                                   ferry_demo_get_username (self->demo, i),
                                   ferry_demo_get_password (self->demo, i),
                                   NULL, FALSE,
                                   self->cancellable,
                                   demo_pool_connected_cb,
                                   g_object_ref (self));
    }
}

static void
saved_connected_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(FerryApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_connected = 0;

  if (!ferry_manager_connect_saved_finish (FERRY_MANAGER (object), result, &n_connected, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *sentence = ferry_error_to_message (error);

      toast (self, sentence);
    }
}

static void
start_connecting (FerryApplication *self)
{
  if (self->started)
    return;
  self->started = TRUE;

  if (self->demo_mode)
    start_demo (self);
  else
    ferry_manager_connect_saved_async (self->manager, self->cancellable,
                                       saved_connected_cb, g_object_ref (self));
}

/*
 * Following migrations
 *
 * Self-contained: the jobs model is watched from startup on; nothing else
 * in this file needs to know about it beyond setup_job_following().
 */

/* Running: on a pool now.  Waiting: will be sent by this process (queued,
 * being checked, or waiting for an "OK").  UNKNOWN is neither: the pool may
 * be gone for good, and waiting for it would keep Ferry alive forever. */
typedef enum
{
  JOB_ENDED,
  JOB_RUNNING,
  JOB_WAITING,
} JobActivity;

static JobActivity
job_activity (FerryJob *job)
{
  FerryJobState state = ferry_job_get_state (job);

  if (!ferry_job_state_is_active (state))
    return JOB_ENDED;
  if (state == FERRY_JOB_STATE_RUNNING || state == FERRY_JOB_STATE_CANCELLING)
    return JOB_RUNNING;
  return JOB_WAITING;
}

static void
count_active_jobs (FerryApplication *self,
                   guint            *n_running,
                   guint            *n_waiting)
{
  GListModel *jobs = ferry_manager_get_jobs (self->manager);
  guint       n = g_list_model_get_n_items (jobs);

  *n_running = 0;
  *n_waiting = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (jobs, i);
      JobActivity activity = job_activity (job);

      if (activity == JOB_RUNNING)
        (*n_running)++;
      else if (activity == JOB_WAITING)
        (*n_waiting)++;
    }
}

/* (transfer none) the most recently used main window, or NULL when Ferry
 * runs in the background (a Preferences window alone is not one). */
static GtkWindow *
find_ferry_window (FerryApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (FERRY_IS_WINDOW (l->data))
      return GTK_WINDOW (l->data);
  return NULL;
}

/* The end of a migration, unless the user is looking at Ferry. */
static void
notify_job_end (FerryApplication *self,
                FerryJob         *job)
{
  GtkWindow    *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  FerryJobState state = ferry_job_get_state (job);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;
  g_autofree char *route = NULL;
  const char      *body = NULL;

  if (window != NULL && gtk_window_is_active (window))
    return;
  /* The jobs of a drop or an evacuation are told about together, once
   * they have all ended (notify_batch_end()); one that ends later (its
   * outcome was unknown) is news of its own. */
  if (ferry_batch_get_for_job (job) != NULL && !ferry_batch_get_ended (ferry_batch_get_for_job (job)))
    return;

  if (state == FERRY_JOB_STATE_SUCCEEDED)
    {
      title = g_strdup_printf (_("%s moved to %s"),
                               ferry_job_get_vm_name (job), ferry_job_get_target_name (job));
      route = ferry_job_dup_route (job);
      body = route;
    }
  else if (state == FERRY_JOB_STATE_FAILED || state == FERRY_JOB_STATE_UNKNOWN)
    {
      title = g_strdup_printf (state == FERRY_JOB_STATE_FAILED ? _("Migration of %s failed")
                                                               : _("Outcome of the migration of %s is unknown"),
                               ferry_job_get_vm_name (job));
      body = ferry_job_get_error (job);
    }
  else
    /* Not ended, or cancelled as the user asked: nothing to tell. */
    return;

  notification = g_notification_new (title);
  if (body != NULL)
    g_notification_set_body (notification, body);
  id = g_strdup_printf ("job-%s", ferry_job_get_id (job));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* One notification for a drop or an evacuation whose jobs have all ended,
 * in place of one per job: what moved, what failed and why, what was
 * cancelled, and whose outcome is unknown (neither done nor failed). */
static void
notify_batch_end (FerryApplication *self,
                  FerryBatch       *batch)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GString) body = NULL;
  g_autofree char *title = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *id = NULL;
  g_auto(GStrv) problems = NULL;

  if (window != NULL && gtk_window_is_active (window))
    return;

  /* Translators: the title of the notification at the end of several
   * migrations, "Evacuation of lyon-1 ended" */
  title = g_strdup_printf (_("%s ended"), ferry_batch_get_title (batch));
  summary = ferry_batch_dup_summary (batch);
  problems = ferry_batch_dup_problems (batch);
  body = g_string_new (summary);
  for (guint i = 0; problems[i] != NULL; i++)
    g_string_append_printf (body, "\n%s", problems[i]);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body->str);
  id = g_strdup_printf ("batch-%p", (void *) batch);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
batch_ended_cb (FerryApplication *self,
                FerryBatch       *batch,
                FerryManager     *manager)
{
  notify_batch_end (self, batch);
}

/* Said once, when the last window closes while migrations run or wait:
 * which ones Ferry keeps following, and that it ends by itself after. */
static void
notify_background (FerryApplication *self)
{
  GListModel *jobs = ferry_manager_get_jobs (self->manager);
  guint       n = g_list_model_get_n_items (jobs);
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *body = NULL;
  g_autofree char *title = NULL;
  guint            n_running = 0;
  guint            n_waiting = 0;
  guint            n_named = 0;

  count_active_jobs (self, &n_running, &n_waiting);
  if (n_running + n_waiting == 0)
    return;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (jobs, i);
      JobActivity      activity = job_activity (job);
      g_autofree char *item = NULL;

      if (activity == JOB_RUNNING)
        /* Translators: in a list of migrations, a VM and the host it moves to */
        item = g_strdup_printf (_("%s to %s"), ferry_job_get_vm_name (job), ferry_job_get_target_name (job));
      else if (activity == JOB_WAITING)
        /* Translators: in a list of migrations, one that has not started yet */
        item = g_strdup_printf (_("%s to %s (queued)"), ferry_job_get_vm_name (job),
                                ferry_job_get_target_name (job));
      if (item == NULL)
        continue;
      /* A notification has room for a few. */
      if (n_named == 3)
        break;
      if (n_named > 0)
        /* Translators: the separator in a list of migrations */
        g_string_append (list, _(", "));
      g_string_append (list, item);
      n_named++;
    }

  if (n_running + n_waiting > n_named)
    {
      guint more = n_running + n_waiting - n_named;

      g_string_append_c (list, ' ');
      /* Translators: after a list of three migrations */
      g_string_append_printf (list, ngettext ("and %u more", "and %u more", more), more);
    }
  /* Translators: %s is a list of migrations, "web-01 to lyon-2, db-01 to lyon-3 (queued)" */
  body = g_strdup_printf (_("%s. Ferry quits once they have ended."), list->str);

  title = g_strdup_printf (ngettext ("Ferry keeps following %u migration",
                                     "Ferry keeps following %u migrations",
                                     n_running + n_waiting),
                           n_running + n_waiting);
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  /* Clicking it activates Ferry, which shows the window again. */
  g_application_send_notification (G_APPLICATION (self), "background", notification);
}

/* Holds the application while any migration runs or waits, so that closing
 * the window does not end it; lets it go once none is left. */
static void
update_hold (FerryApplication *self)
{
  guint n_running = 0;
  guint n_waiting = 0;

  count_active_jobs (self, &n_running, &n_waiting);
  if (n_running + n_waiting > 0 && !self->held)
    {
      self->held = TRUE;
      g_application_hold (G_APPLICATION (self));
    }
  else if (n_running + n_waiting == 0 && self->held)
    {
      self->held = FALSE;
      /* No longer true; the notifications of the ends stay. */
      g_application_withdraw_notification (G_APPLICATION (self), "background");
      g_application_release (G_APPLICATION (self));
    }
}

static void
job_state_changed_cb (FerryApplication *self,
                      GParamSpec       *pspec,
                      FerryJob         *job)
{
  /* First the notification, then the hold: the last end is told before
   * a Ferry in the background goes. */
  notify_job_end (self, job);
  update_hold (self);
}

/* A move across pools started elsewhere learns its target host when the
 * VM shows up in the destination pool, which may come after the task's
 * end: the notification (same id) is replaced with the right name. */
static void
job_target_changed_cb (FerryApplication *self,
                       GParamSpec       *pspec,
                       FerryJob         *job)
{
  if (ferry_job_get_state (job) == FERRY_JOB_STATE_SUCCEEDED)
    notify_job_end (self, job);
}

static void
jobs_items_changed_cb (FerryApplication *self,
                       guint             position,
                       guint             removed,
                       guint             added,
                       GListModel       *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (model, i);

      g_signal_connect_object (job, "notify::state", G_CALLBACK (job_state_changed_cb),
                               self, G_CONNECT_SWAPPED);
      if (ferry_job_get_adopted (job))
        g_signal_connect_object (job, "notify::target-name", G_CALLBACK (job_target_changed_cb),
                                 self, G_CONNECT_SWAPPED);
    }
  update_hold (self);
}

static void
window_removed_cb (FerryApplication *self,
                   GtkWindow        *window,
                   GtkApplication   *application)
{
  guint n_running = 0;
  guint n_waiting = 0;

  if (self->quitting || !FERRY_IS_WINDOW (window) || find_ferry_window (self) != NULL)
    return;

  count_active_jobs (self, &n_running, &n_waiting);
  if (n_running + n_waiting > 0)
    notify_background (self);
}

static void
setup_job_following (FerryApplication *self)
{
  GListModel *jobs = ferry_manager_get_jobs (self->manager);

  g_signal_connect_object (jobs, "items-changed", G_CALLBACK (jobs_items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  jobs_items_changed_cb (self, 0, 0, g_list_model_get_n_items (jobs), jobs);
  g_signal_connect_object (self->manager, "batch-ended", G_CALLBACK (batch_ended_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "window-removed", G_CALLBACK (window_removed_cb), self);
}

/*
 * Quitting
 */

static void
quit_now (FerryApplication *self)
{
  GListModel *jobs = ferry_manager_get_jobs (self->manager);
  g_autoptr(GList) windows = NULL;
  guint n = g_list_model_get_n_items (jobs);

  self->quitting = TRUE;

  /* What has not been sent never will be: said so, and certain. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryJob) job = g_list_model_get_item (jobs, i);

      if (job_activity (job) == JOB_WAITING)
        ferry_job_cancel (job);
    }
  g_application_withdraw_notification (G_APPLICATION (self), "background");

  /* Closed rather than destroyed, so that each window saves its size. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_application_quit (G_APPLICATION (self));
}

static gboolean
quit_idle (gpointer user_data)
{
  quit_now (FERRY_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

static void
quit_dialog_response_cb (FerryApplication *self,
                         const char       *response,
                         AdwMessageDialog *dialog)
{
  g_clear_weak_pointer (&self->quit_dialog);
  /* Not from inside the dialog's own response: it is transient for the
   * window that quitting closes, and still finishing its emission.  Not
   * at idle priority either: a window busy painting (a spinner on a slow
   * machine) would hold an idle source back for as long as it paints. */
  if (g_strcmp0 (response, "quit") == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT, quit_idle, g_object_ref (self), g_object_unref);
}

/* (transfer none) @window, or a new main window where it is NULL (Ferry runs
 * in the background), presented. */
static GtkWindow *
present_window (FerryApplication *self,
                GtkWindow        *window)
{
  if (window == NULL)
    window = GTK_WINDOW (ferry_window_new (GTK_APPLICATION (self), self->manager, self->settings,
                                           self->demo_mode));
  gtk_window_present (window);
  return window;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  FerryApplication *self = user_data;
  g_autoptr(GString) body = NULL;
  guint      n_running = 0;
  guint      n_waiting = 0;
  GtkWidget *dialog;

  count_active_jobs (self, &n_running, &n_waiting);
  if (n_running + n_waiting == 0)
    {
      quit_now (self);
      return;
    }

  if (self->quit_dialog != NULL)
    {
      gtk_window_present (self->quit_dialog);
      return;
    }

  body = g_string_new (NULL);
  if (n_waiting > 0)
    g_string_append_printf (body,
                            ngettext ("%u queued migration will not start.",
                                      "%u queued migrations will not start.",
                                      n_waiting),
                            n_waiting);
  if (n_running > 0)
    {
      if (body->len > 0)
        g_string_append_c (body, ' ');
      g_string_append_printf (body,
                              ngettext ("%u running migration continues on its pool and appears again "
                                        "when Ferry next starts.",
                                        "%u running migrations continue on their pools and appear again "
                                        "when Ferry next starts.",
                                        n_running),
                              n_running);
    }
  g_string_append (body, "\n\n");
  g_string_append (body, _("To keep following them, close the window instead."));

  /* Asked in the main window, shown again if Ferry is in the background. */
  dialog = adw_message_dialog_new (present_window (self, find_ferry_window (self)), _("Quit Ferry?"), body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "quit", _("_Quit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "quit", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (quit_dialog_response_cb),
                           self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->quit_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  FerryApplication  *self = user_data;
  static const char *developers[] = { "The Ferry authors", NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "modal", TRUE,
                         "application-icon", APP_ID,
                         "application-name", _("Ferry"),
                         "developer-name", _("The Ferry authors"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Move running virtual machines between the hosts and pools "
                                       "of XenServer and XCP-ng by drag and drop."),
                         "website", "https://github.com/xenferry/ferry",
                         "issue-url", "https://github.com/xenferry/ferry/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  FerryApplication *self = user_data;
  GtkWidget        *prefs;

  prefs = ferry_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                        self->settings,
                                        self->manager);
  gtk_window_present (GTK_WINDOW (prefs));
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_activated },
  { .name = "about", .activate = about_activated },
  { .name = "preferences", .activate = preferences_activated },
};

/* The shortcuts of the application's and the main window's actions. */
static const struct
{
  const char *action;
  const char *accels[2];
} app_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.migrate", { "<Control>m", NULL } },
  { "win.add-pool", { "<Control>n", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

static void
storage_limit_changed_cb (FerryApplication *self,
                          const char       *key,
                          GSettings        *settings)
{
  ferry_manager_set_storage_migrations_per_host (self->manager,
                                                 g_settings_get_uint (settings, key));
}

static gint
ferry_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  FerryApplication *self = FERRY_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("ferry %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_contains (options, "demo"))
    {
      /* The demo runs its own simulator inside this process; it must not hand
       * its work to a Ferry that is already running. */
      self->demo_mode = TRUE;
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }

  return -1;
}

static void
ferry_application_startup (GApplication *app)
{
  FerryApplication *self = FERRY_APPLICATION (app);

  G_APPLICATION_CLASS (ferry_application_parent_class)->startup (app);

  g_set_application_name (_("Ferry"));
  gtk_window_set_default_icon_name (APP_ID);

  self->settings = g_settings_new (APP_ID);
  /* The demo saves nothing: its pools vanish with the process. */
  if (!self->demo_mode)
    self->store = ferry_server_store_new (self->settings);
  self->manager = ferry_manager_new (self->store);
  ferry_manager_set_storage_migrations_per_host (self->manager,
                                                 g_settings_get_uint (self->settings,
                                                                      "storage-migrations-per-host"));
  g_signal_connect_object (self->settings, "changed::storage-migrations-per-host",
                           G_CALLBACK (storage_limit_changed_cb), self, G_CONNECT_SWAPPED);
  setup_job_following (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (app_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), app_accels[i].action, app_accels[i].accels);
}

static void
ferry_application_activate (GApplication *app)
{
  FerryApplication *self = FERRY_APPLICATION (app);

  present_window (self, gtk_application_get_active_window (GTK_APPLICATION (app)));
  start_connecting (self);
}

static void
ferry_application_shutdown (GApplication *app)
{
  FerryApplication *self = FERRY_APPLICATION (app);

  /* GtkApplication destroys the windows that are left: not a close to the
   * background. */
  self->quitting = TRUE;
  g_cancellable_cancel (self->cancellable);

  G_APPLICATION_CLASS (ferry_application_parent_class)->shutdown (app);
}

static void
ferry_application_dispose (GObject *object)
{
  FerryApplication *self = FERRY_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->quit_dialog);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  /* Last: the pools above talk to the demo simulator until they are gone. */
  g_clear_object (&self->demo);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ferry_application_parent_class)->dispose (object);
}

static void
ferry_application_class_init (FerryApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ferry_application_dispose;
  app_class->handle_local_options = ferry_application_handle_local_options;
  app_class->startup = ferry_application_startup;
  app_class->activate = ferry_application_activate;
  app_class->shutdown = ferry_application_shutdown;
}

static void
ferry_application_init (FerryApplication *self)
{
  static const GOptionEntry entries[] = {
    { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
      N_("Start two simulated demo pools and connect to them"), NULL },
    { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
      N_("Show the version and exit"), NULL },
    { NULL }
  };

  self->cancellable = g_cancellable_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Move running VMs between XenServer and XCP-ng hosts."));
}

FerryApplication *
ferry_application_new (void)
{
  return g_object_new (FERRY_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/xenferry/Ferry",
                       NULL);
}
