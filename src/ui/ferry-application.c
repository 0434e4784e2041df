/* ferry-application.c: the Ferry application
 *
 * The application owns the engine (one FerryManager for all windows), the
 * settings, and the start-up work: reconnecting saved pools, or with --demo
 * starting the simulator and connecting to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-application.h"
#include "ferry-demo.h"
#include "ferry-preferences-window.h"
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

  if (!ferry_manager_connect_saved_finish (FERRY_MANAGER (object), result, &n_connected, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
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

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  FerryApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing the window asks first when migrations run; quit goes the same
   * way so that Ctrl+Q cannot skip the question. */
  if (windows != NULL)
    gtk_window_close (GTK_WINDOW (windows->data));
  else
    g_application_quit (G_APPLICATION (self));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  FerryApplication *self = user_data;
  static const char *developers[] = { "The Ferry authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
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
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  FerryApplication *self = user_data;
  GtkWidget *prefs;

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
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *migrate_accels[] = { "<Control>m", NULL };
  static const char *add_accels[] = { "<Control>n", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

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

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.migrate", migrate_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.add-pool", add_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

static void
ferry_application_activate (GApplication *app)
{
  FerryApplication *self = FERRY_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (ferry_window_new (self));
  gtk_window_present (window);

  start_connecting (self);
}

static void
ferry_application_shutdown (GApplication *app)
{
  FerryApplication *self = FERRY_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);

  G_APPLICATION_CLASS (ferry_application_parent_class)->shutdown (app);
}

static void
ferry_application_dispose (GObject *object)
{
  FerryApplication *self = FERRY_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
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
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
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

FerryManager *
ferry_application_get_manager (FerryApplication *self)
{
  g_return_val_if_fail (FERRY_IS_APPLICATION (self), NULL);

  return self->manager;
}

GSettings *
ferry_application_get_settings (FerryApplication *self)
{
  g_return_val_if_fail (FERRY_IS_APPLICATION (self), NULL);

  return self->settings;
}

gboolean
ferry_application_get_demo (FerryApplication *self)
{
  g_return_val_if_fail (FERRY_IS_APPLICATION (self), FALSE);

  return self->demo_mode;
}
