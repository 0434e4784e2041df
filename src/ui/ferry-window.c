/* ferry-window.c: the main window
 *
 * The window binds the engine's models to the inventory and the jobs panel,
 * and turns what the user does (a drop, the context menu, "Migrate to…")
 * into engine jobs.  It follows the jobs it started: storage motion asks
 * "OK to migrate without shared storage?", once for all the VMs of a drop
 * that need it (the others go at once), one question at a time; failures become
 * toasts.  (The application tells of their ends in desktop notifications,
 * with or without a window.)  Closing the window declines the questions it
 * did not get to ask: nothing the user has not agreed to is sent while
 * Ferry carries on in the background.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-add-pool-dialog.h"
#include "ferry-evacuate-dialog.h"
#include "ferry-host-picker.h"
#include "ferry-migrate-dialog.h"
#include "ferry-ui-util.h"
#include "ferry-window-private.h"

G_DEFINE_FINAL_TYPE (FerryWindow, ferry_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_MANAGER,
  PROP_SETTINGS,
  PROP_DEMO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/*
 * Toasts and notifications
 */

void
ferry_window_show_toast_full (FerryWindow *self,
                              const char  *text,
                              guint        timeout,
                              const char  *button_label,
                              const char  *action_name)
{
  g_autofree char *markup = NULL;
  AdwToast        *toast;

  /* AdwToast titles are Pango markup; our sentences are plain text. */
  markup = ferry_escape_markup (text);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, timeout);
  if (button_label != NULL)
    {
      adw_toast_set_button_label (toast, button_label);
      adw_toast_set_action_name (toast, action_name);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
ferry_window_show_toast (FerryWindow *self,
                         const char  *text)
{
  g_return_if_fail (FERRY_IS_WINDOW (self));

  ferry_window_show_toast_full (self, text, 5, NULL, NULL);
}

/*
 * Signal handlers
 */

static void
inventory_migrate_cb (FerryWindow        *self,
                      GPtrArray          *vms,
                      FerryHost          *target,
                      FerryInventoryView *view)
{
  ferry_window_migrate (self, vms, target);
}

static void
inventory_message_cb (FerryWindow        *self,
                      const char         *text,
                      FerryInventoryView *view)
{
  ferry_window_show_toast (self, text);
}

static void
inventory_selection_changed_cb (FerryWindow        *self,
                                FerryInventoryView *view)
{
  g_autoptr(GPtrArray) vms = ferry_inventory_view_get_selected_vms (self->inventory);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.migrate", vms->len > 0);
}

static void
search_changed_cb (FerryWindow    *self,
                   GtkSearchEntry *entry)
{
  ferry_inventory_view_set_search (self->inventory, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
stop_search_cb (FerryWindow    *self,
                GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->inventory));
}

static void
update_pools (FerryWindow *self)
{
  guint            n = g_list_model_get_n_items (self->pools);
  g_autofree char *subtitle = NULL;

  /* No crossfade into the inventory: the first pool arrives as its load
   * starts, and with the cairo renderer every frame of a crossfade paints
   * both pages in full into fresh surfaces (40 to 150 ms a frame here, while
   * the download runs on the other core).  Back to the empty page, nothing
   * is loading and the crossfade stays. */
  if (n > 0)
    gtk_stack_set_visible_child_full (self->main_stack, "inventory", GTK_STACK_TRANSITION_TYPE_NONE);
  else
    gtk_stack_set_visible_child_name (self->main_stack, "empty");
  if (n > 0)
    subtitle = g_strdup_printf (ngettext ("%u pool", "%u pools", n), n);
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");
}

static void
pools_items_changed_cb (FerryWindow *self,
                        guint        position,
                        guint        removed,
                        guint        added,
                        GListModel  *model)
{
  update_pools (self);
}

static void
pool_connected_cb (FerryWindow        *self,
                   FerryPool          *pool,
                   FerryAddPoolDialog *dialog)
{
  g_autofree char *text = NULL;
  g_autofree char *given = ferry_server_canonical_url (ferry_pool_get_url (pool));
  g_autofree char *master = ferry_server_canonical_url (ferry_pool_get_master_url (pool));

  if (given != NULL && master != NULL && g_strcmp0 (given, master) != 0)
    /* HOST_IS_SLAVE was followed: say where we ended up. */
    text = g_strdup_printf (_("Connected to pool %s through its master at %s (%s is a pool member)"),
                            ferry_pool_get_name (pool), master, given);
  else
    text = g_strdup_printf (_("Connected to pool %s"), ferry_pool_get_name (pool));
  ferry_window_show_toast (self, text);
}

/*
 * Actions
 */

static void
add_pool_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  GtkWidget   *dialog;

  dialog = ferry_add_pool_dialog_new (GTK_WINDOW (self), self->manager, !self->demo);
  g_signal_connect_object (dialog, "connected", G_CALLBACK (pool_connected_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
host_chosen_cb (FerryWindow     *self,
                FerryHost       *host,
                FerryHostPicker *picker)
{
  ferry_window_migrate (self, ferry_host_picker_get_vms (picker), host);
}

/* (transfer full) the selected VMs; NULL, and a toast that says so, if
 * there are none. */
static GPtrArray *
selected_vms_or_say (FerryWindow *self)
{
  g_autoptr(GPtrArray) vms = ferry_inventory_view_get_selected_vms (self->inventory);

  if (vms->len == 0)
    {
      ferry_window_show_toast (self, _("Select one or more VMs first"));
      return NULL;
    }
  return g_steal_pointer (&vms);
}

/* (transfer none) the host an action names by its uuid; NULL, and a toast
 * that says so, once it is gone. */
static FerryHost *
named_host_or_say (FerryWindow *self,
                   GVariant    *parameter)
{
  FerryHost *host = ferry_manager_find_host (self->manager, g_variant_get_string (parameter, NULL));

  if (host == NULL)
    ferry_window_show_toast (self, _("That host is no longer there"));
  return host;
}

static void
migrate_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  g_autoptr(GPtrArray) vms = selected_vms_or_say (self);
  GtkWidget *picker;

  if (vms == NULL)
    return;

  picker = ferry_host_picker_new (GTK_WINDOW (self), self->manager, vms);
  g_signal_connect_object (picker, "host-chosen", G_CALLBACK (host_chosen_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (picker));
}

static void
migrate_to_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  FerryHost   *host = named_host_or_say (self, parameter);
  g_autoptr(GPtrArray) vms = NULL;

  if (host == NULL)
    return;
  vms = selected_vms_or_say (self);
  if (vms == NULL)
    return;
  ferry_window_migrate (self, vms, host);
}

static void
disconnect_pool_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  FerryPool   *pool = ferry_manager_find_pool (self->manager, g_variant_get_string (parameter, NULL));

  if (pool != NULL)
    ferry_manager_disconnect (self->manager, pool);
}

static void
forget_pool_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  FerryWindow      *self = FERRY_WINDOW (widget);
  const char       *url = g_variant_get_string (parameter, NULL);
  FerryServerStore *store = ferry_manager_get_store (self->manager);
  FerryPool        *pool = ferry_manager_find_pool (self->manager, url);
  g_autofree char  *text = NULL;

  /* Forgetting drops the saved password and the pinned certificate too, so
   * adding the pool again asks about its certificate afresh. */
  text = g_strdup_printf (_("Forgot pool %s"), pool ? ferry_pool_get_name (pool) : url);
  if (store != NULL)
    ferry_server_store_remove (store, url);
  if (pool != NULL)
    ferry_manager_disconnect (self->manager, pool);
  ferry_window_show_toast (self, text);
}

/*
 * Evacuating a host
 */

/* One toast for the whole evacuation, from its items: the jobs' own
 * failures are told by the Migrations panel, one click away. */
static void
evacuation_ran_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  FerryEvacuation *evacuation = FERRY_EVACUATION (source);
  g_autoptr(FerryWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  FerryHost           *host = ferry_evacuation_get_host (evacuation);
  GPtrArray           *items = ferry_evacuation_get_items (evacuation);
  FerryEvacuationItem *stuck = NULL;
  g_autofree char     *text = NULL;
  guint                moved = 0;

  ferry_evacuation_run_finish (evacuation, result, &error);
  /* Closed meanwhile: the pool carries on, there is no one to tell. */
  if (self->manager == NULL)
    return;

  for (guint i = 0; i < items->len; i++)
    {
      FerryEvacuationItem *item = g_ptr_array_index (items, i);

      if (item->job != NULL && ferry_job_get_state (item->job) == FERRY_JOB_STATE_SUCCEEDED)
        moved++;
      else if (stuck == NULL)
        stuck = item;
    }

  if (stuck == NULL)
    /* Translators: after an evacuation, "lyon-1 is empty" */
    text = g_strdup_printf (_("%s is empty"), ferry_host_get_name (host));
  else
    {
      const char *why = stuck->reason;

      if (why == NULL && stuck->job != NULL && ferry_job_get_state (stuck->job) == FERRY_JOB_STATE_UNKNOWN)
        why = _("the outcome is unknown");
      if (why == NULL && stuck->job != NULL)
        why = ferry_job_get_error (stuck->job);
      if (why == NULL && error != NULL)
        why = error->message;
      if (why == NULL)
        why = _("it did not start");
      /* Translators: "2 of 3 VMs moved; db-01 could not move: <why>" */
      text = g_strdup_printf (ngettext ("%u of %u VM moved; %s could not move: %s",
                                        "%u of %u VMs moved; %s could not move: %s", items->len),
                              moved, items->len, ferry_vm_get_name (stuck->vm), why);
    }
  ferry_window_show_toast_full (self, text, stuck == NULL ? 5 : 10,
                                stuck == NULL ? NULL : _("_Details"), "win.show-migrations");
}

static void
evacuate_response_cb (FerryEvacuateDialog *dialog,
                      const char          *response,
                      FerryWindow         *self)
{
  FerryEvacuation *evacuation = ferry_evacuate_dialog_get_evacuation (dialog);

  if (g_strcmp0 (response, "evacuate") != 0)
    return;

  ferry_evacuation_set_disable_host (evacuation, ferry_evacuate_dialog_get_disable_host (dialog));
  /* Not cancelled with the window: the migrations belong to the pool once
   * started, as with any other drop. */
  ferry_evacuation_run_async (evacuation, NULL, evacuation_ran_cb, g_object_ref (self));
}

static void
evacuation_planned_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  FerryEvacuation *evacuation = FERRY_EVACUATION (source);
  g_autoptr(FerryWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  FerryHost       *host = ferry_evacuation_get_host (evacuation);
  g_autofree char *text = NULL;
  GtkWidget       *dialog;
  gboolean         planned = ferry_evacuation_plan_finish (evacuation, result, &error);

  /* Closed meanwhile. */
  if (self->manager == NULL)
    return;
  if (!planned)
    {
      /* Translators: a host, and why its evacuation cannot be planned */
      text = g_strdup_printf (_("Cannot evacuate %s: %s"), ferry_host_get_name (host), error->message);
      ferry_window_show_toast (self, text);
      return;
    }
  if (ferry_evacuation_get_items (evacuation)->len == 0)
    {
      /* Its VMs stopped or left while the plan was made. */
      text = g_strdup_printf (_("%s has no running VMs"), ferry_host_get_name (host));
      ferry_window_show_toast (self, text);
      return;
    }

  dialog = ferry_evacuate_dialog_new (GTK_WINDOW (self), evacuation);
  g_signal_connect_object (dialog, "response", G_CALLBACK (evacuate_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
evacuate_host_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  FerryHost   *host = named_host_or_say (self, parameter);
  g_autoptr(FerryEvacuation) evacuation = NULL;

  if (host == NULL)
    return;

  /* Planning reads the pool's records, and may ask it about disks: never
   * on the main loop's time. */
  evacuation = ferry_evacuation_new (self->manager, host);
  ferry_evacuation_plan_async (evacuation, self->cancellable, evacuation_planned_cb, g_object_ref (self));
}

static void
show_migrations_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);

  ferry_jobs_panel_focus (self->jobs_panel);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/*
 * Closing
 */

static void
save_window_state (FerryWindow *self)
{
  int width = 0;
  int height = 0;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

/* A job of a closed window that comes to need an "OK" is declined: no one
 * is there to give it.  Connected without the window, which is gone. */
static void
decline_unasked_cb (FerryJob   *job,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  if (ferry_job_get_state (job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION)
    ferry_job_decline (job);
  if (ferry_job_is_finished (job))
    g_signal_handlers_disconnect_by_func (job, decline_unasked_cb, NULL);
}

static gboolean
ferry_window_close_request (GtkWindow *window)
{
  FerryWindow *self = FERRY_WINDOW (window);
  g_autoptr(GPtrArray) own = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer       key;

  /* The migrations carry on without the window (the application follows
   * them in the background); only the questions it was to ask go with it.
   * "OK to migrate without shared storage?" unanswered is a no. */
  if (self->confirm_dialog != NULL)
    gtk_window_destroy (g_steal_pointer (&self->confirm_dialog));
  g_queue_clear_full (&self->confirm_queue, (GDestroyNotify) g_ptr_array_unref);
  /* A copy: a declined job leaves own_jobs at once (handle_job_state()). */
  g_hash_table_iter_init (&iter, self->own_jobs);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!ferry_job_is_finished (key))
      g_ptr_array_add (own, g_object_ref (key));
  for (guint i = 0; i < own->len; i++)
    {
      FerryJob *job = g_ptr_array_index (own, i);

      g_signal_connect (job, "notify::state", G_CALLBACK (decline_unasked_cb), NULL);
      decline_unasked_cb (job, NULL, NULL);
    }

  save_window_state (self);
  return GTK_WINDOW_CLASS (ferry_window_parent_class)->close_request (window);
}

/*
 * GObject
 */

/* Not in constructed(): GtkWindow's "application" is an ordinary property,
 * set only after construction, and the window is set up once it has one. */
static void
ferry_window_setup (FerryWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  self->pools = g_object_ref (ferry_manager_get_pools (self->manager));
  self->jobs = g_object_ref (ferry_manager_get_jobs (self->manager));
  g_signal_connect_object (self->pools, "items-changed", G_CALLBACK (pools_items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->jobs, "items-changed", G_CALLBACK (ferry_window_jobs_changed_cb),
                           self, G_CONNECT_SWAPPED);
  ferry_window_jobs_changed_cb (self, 0, 0, g_list_model_get_n_items (self->jobs), self->jobs);

  ferry_inventory_view_set_manager (self->inventory, self->manager);
  ferry_jobs_panel_set_model (self->jobs_panel, self->jobs);
  ferry_jobs_panel_set_manager (self->jobs_panel, self->manager);
  update_pools (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.migrate", FALSE);
}

static void
ferry_window_dispose (GObject *object)
{
  FerryWindow *self = FERRY_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->confirm_queue, (GDestroyNotify) g_ptr_array_unref);
  g_clear_pointer (&self->own_jobs, g_hash_table_unref);
  g_clear_pointer (&self->batches, g_hash_table_unref);
  g_clear_pointer (&self->kept_choices, g_hash_table_unref);
  g_clear_pointer (&self->handled_states, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_WINDOW);
  g_clear_object (&self->pools);
  g_clear_object (&self->jobs);
  g_clear_object (&self->settings);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (ferry_window_parent_class)->dispose (object);
}

static void
ferry_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FerryWindow *self = FERRY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_DEMO:
      self->demo = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_window_class_init (FerryWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ferry_window_dispose;
  object_class->set_property = ferry_window_set_property;
  window_class->close_request = ferry_window_close_request;

  /* Given by the application, so that the window need not ask it. */
  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, FERRY_TYPE_MANAGER,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FERRY_TYPE_INVENTORY_VIEW);
  g_type_ensure (FERRY_TYPE_JOBS_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/xenferry/Ferry/ferry-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, inventory);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, jobs_panel);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, inventory_migrate_cb);
  gtk_widget_class_bind_template_callback (widget_class, inventory_message_cb);
  gtk_widget_class_bind_template_callback (widget_class, inventory_selection_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.add-pool", NULL, add_pool_action);
  gtk_widget_class_install_action (widget_class, "win.migrate", NULL, migrate_action);
  gtk_widget_class_install_action (widget_class, "win.migrate-to", "s", migrate_to_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.disconnect-pool", "s", disconnect_pool_action);
  gtk_widget_class_install_action (widget_class, "win.show-migrations", NULL, show_migrations_action);
  gtk_widget_class_install_action (widget_class, "win.forget-pool", "s", forget_pool_action);
  gtk_widget_class_install_action (widget_class, "win.evacuate-host", "s", evacuate_host_action);
}

static void
ferry_window_init (FerryWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->own_jobs = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->handled_states = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->batches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->kept_choices = g_hash_table_new_full (NULL, NULL, g_object_unref, ferry_window_kept_choices_free);
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->confirm_queue);
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
}

/* (transfer none): the application holds the window. */
FerryWindow *
ferry_window_new (GtkApplication *application,
                  FerryManager   *manager,
                  GSettings      *settings,
                  gboolean        demo)
{
  FerryWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (FERRY_IS_MANAGER (manager), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (FERRY_TYPE_WINDOW,
                       "application", application,
                       "manager", manager,
                       "settings", settings,
                       "demo", demo,
                       NULL);
  ferry_window_setup (self);
  return self;
}
