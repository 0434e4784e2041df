/* ferry-preferences-window.c: Ferry's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-preferences-window.h"
#include "ferry-ui-util.h"

struct _FerryPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GtkWidget           *compress_switch;
  GtkWidget           *concurrency_group;
  GtkListBox          *concurrency_list;
  GtkWidget           *servers_group;
  GtkListBox          *servers_list;

  GSettings           *settings;
  FerryManager        *manager;
  FerryServerStore    *store;
};

G_DEFINE_FINAL_TYPE (FerryPreferencesWindow, ferry_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
forget_clicked_cb (FerryPreferencesWindow *self,
                   GtkButton              *button)
{
  const char *url = g_object_get_data (G_OBJECT (button), "url");
  FerryPool  *pool;

  if (self->store == NULL || url == NULL)
    return;

  /* As "Forget Pool" in the pool's menu: not saved, not pinned, not shown. */
  pool = ferry_manager_find_pool (self->manager, url);
  ferry_server_store_remove (self->store, url);
  if (pool != NULL)
    ferry_manager_disconnect (self->manager, pool);
}

/* "AB:CD:EF:…:12:34", short enough for a subtitle yet enough to recognise. */
static char *
short_fingerprint (const char *fingerprint)
{
  size_t len;

  if (fingerprint == NULL)
    return g_strdup (_("no pinned certificate (trusted by the system)"));
  len = strlen (fingerprint);
  if (len <= 24)
    return g_strdup (fingerprint);
  /* Translators: an abbreviated certificate fingerprint */
  return g_strdup_printf (_("certificate %.11s…%s"), fingerprint, fingerprint + len - 11);
}

static GtkWidget *
create_server_row (gpointer item,
                   gpointer user_data)
{
  FerryPreferencesWindow *self = user_data;
  FerryServer            *server = item;
  const char             *label = ferry_server_get_label (server);
  g_autofree char        *fingerprint = short_fingerprint (ferry_server_get_fingerprint (server));
  g_autofree char        *subtitle = NULL;
  g_autofree char        *a11y = NULL;
  GtkWidget              *row;
  GtkWidget              *button;

  /* Translators: "https://xcp-1 as root, certificate AB:CD…" */
  subtitle = g_strdup_printf (_("%s as %s, %s"), ferry_server_get_url (server),
                              ferry_server_get_username (server), fingerprint);
  row = ferry_info_row_new (label ? label : ferry_server_get_url (server), subtitle);
  if (ferry_server_get_fingerprint (server) != NULL)
    gtk_widget_set_tooltip_text (row, ferry_server_get_fingerprint (server));

  button = gtk_button_new_with_mnemonic (_("_Forget"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "destructive-action");
  a11y = g_strdup_printf (_("Forget %s"), label ? label : ferry_server_get_url (server));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_object_set_data_full (G_OBJECT (button), "url", g_strdup (ferry_server_get_url (server)), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (forget_clicked_cb), self, G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
update_servers_visibility (FerryPreferencesWindow *self)
{
  guint n = self->store ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;

  gtk_widget_set_visible (GTK_WIDGET (self->servers_list), n > 0);
  if (self->store == NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->servers_group),
                                           _("Nothing is saved in the demo."));
  else if (n == 0)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->servers_group),
                                           _("No saved pools. Turn on “Remember” when you add a pool "
                                             "to reconnect to it at start-up."));
}

static void
servers_changed_cb (FerryPreferencesWindow *self,
                    guint                   position,
                    guint                   removed,
                    guint                   added,
                    GListModel             *model)
{
  update_servers_visibility (self);
}

/*
 * Storage migrations per host, for each connected pool
 */

static void
update_pool_row (GtkWidget *row,
                 FerryPool *pool)
{
  FerryPreferencesWindow *self = g_object_get_data (G_OBJECT (row), "ferry-preferences");
  GtkSpinButton          *spin = g_object_get_data (G_OBJECT (row), "ferry-spin");
  g_autofree char        *a11y = NULL;
  const char             *name = ferry_pool_get_name (pool);
  gboolean                known = ferry_pool_get_uuid (pool) != NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name != NULL ? name : ferry_pool_get_url (pool));
  /* The value is kept by the pool's uuid, known once it is connected. */
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), known ? NULL : _("Not connected"));
  gtk_widget_set_sensitive (GTK_WIDGET (spin), known);
  if (known)
    {
      g_object_set_data (G_OBJECT (row), "ferry-updating", GINT_TO_POINTER (1));
      gtk_spin_button_set_value (spin, ferry_manager_get_pool_concurrency (self->manager, pool));
      g_object_set_data (G_OBJECT (row), "ferry-updating", NULL);
    }
  /* Translators: accessible name of a number field, "Storage migrations per host in Lyon" */
  a11y = g_strdup_printf (_("Storage migrations per host in %s"), name != NULL ? name : ferry_pool_get_url (pool));
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

static void
pool_notify_cb (GtkWidget  *row,
                GParamSpec *pspec,
                FerryPool  *pool)
{
  update_pool_row (row, pool);
}

static void
concurrency_changed_cb (GtkSpinButton *spin,
                        GtkWidget     *row)
{
  FerryPreferencesWindow *self = g_object_get_data (G_OBJECT (row), "ferry-preferences");
  FerryPool              *pool = g_object_get_data (G_OBJECT (row), "ferry-pool");

  if (g_object_get_data (G_OBJECT (row), "ferry-updating") != NULL || ferry_pool_get_uuid (pool) == NULL)
    return;
  ferry_manager_set_pool_concurrency (self->manager, pool, (guint) gtk_spin_button_get_value_as_int (spin));
}

static GtkWidget *
create_pool_row (gpointer item,
                 gpointer user_data)
{
  FerryPreferencesWindow *self = user_data;
  FerryPool              *pool = item;
  /* The title and the subtitle follow the pool: update_pool_row(). */
  GtkWidget              *row = ferry_info_row_new (NULL, NULL);
  GtkWidget              *spin = gtk_spin_button_new_with_range (1, 3, 1);

  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  /* Not the row's activatable widget: that would label the field with the
   * row's title after its own name ("… in Lyon Lyon"); it has a name of its
   * own, set in update_pool_row(). */

  g_object_set_data (G_OBJECT (row), "ferry-preferences", self);
  g_object_set_data_full (G_OBJECT (row), "ferry-pool", g_object_ref (pool), g_object_unref);
  g_object_set_data (G_OBJECT (row), "ferry-spin", spin);
  update_pool_row (row, pool);
  g_signal_connect_object (pool, "notify", G_CALLBACK (pool_notify_cb), row, G_CONNECT_SWAPPED);
  g_signal_connect (spin, "value-changed", G_CALLBACK (concurrency_changed_cb), row);

  return row;
}

static void
update_concurrency_visibility (FerryPreferencesWindow *self)
{
  guint n = g_list_model_get_n_items (ferry_manager_get_pools (self->manager));

  gtk_widget_set_visible (GTK_WIDGET (self->concurrency_list), n > 0);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->concurrency_group),
                                         n > 0 ? _("How many migrations with disk copies may leave one host of "
                                                   "each pool at a time; the others wait in the queue. XAPI "
                                                   "runs at most 3.")
                                               : _("Connect to a pool to choose how many migrations with disk "
                                                   "copies may leave one of its hosts at a time."));
}

static void
pools_changed_cb (FerryPreferencesWindow *self,
                  guint                   position,
                  guint                   removed,
                  guint                   added,
                  GListModel             *model)
{
  update_concurrency_visibility (self);
}

static void
ferry_preferences_window_dispose (GObject *object)
{
  FerryPreferencesWindow *self = FERRY_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (ferry_preferences_window_parent_class)->dispose (object);
}

static void
ferry_preferences_window_class_init (FerryPreferencesWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/xenferry/Ferry/ferry-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryPreferencesWindow, concurrency_group);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferencesWindow, concurrency_list);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferencesWindow, compress_switch);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferencesWindow, servers_group);
  gtk_widget_class_bind_template_child (widget_class, FerryPreferencesWindow, servers_list);
}

static void
ferry_preferences_window_init (FerryPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ferry_preferences_window_new (GtkWindow    *parent,
                              GSettings    *settings,
                              FerryManager *manager)
{
  FerryPreferencesWindow *self;
  FerryServerStore       *store;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (FERRY_IS_MANAGER (manager), NULL);

  self = g_object_new (FERRY_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  self->manager = g_object_ref (manager);
  store = ferry_manager_get_store (manager);
  g_settings_bind (settings, "compress", self->compress_switch, "active", G_SETTINGS_BIND_DEFAULT);

  if (store != NULL)
    {
      self->store = g_object_ref (store);
      gtk_list_box_bind_model (self->servers_list, G_LIST_MODEL (store), create_server_row, self, NULL);
      g_signal_connect_object (store, "items-changed", G_CALLBACK (servers_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
  update_servers_visibility (self);

  gtk_list_box_bind_model (self->concurrency_list, ferry_manager_get_pools (manager), create_pool_row, self, NULL);
  g_signal_connect_object (ferry_manager_get_pools (manager), "items-changed", G_CALLBACK (pools_changed_cb),
                           self, G_CONNECT_SWAPPED);
  update_concurrency_visibility (self);

  return GTK_WIDGET (self);
}
