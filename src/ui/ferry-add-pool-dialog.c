/* ferry-add-pool-dialog.c: connect to a new pool
 *
 * Connecting can take a while (an unreachable host only fails after a
 * timeout), so the dialog never blocks: it shows a spinner, keeps Cancel
 * working, and puts every error in plain words right above the form, where
 * the user is looking.  An unknown certificate is shown with its fingerprint
 * and, once trusted, the connection is retried with that fingerprint pinned.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-add-pool"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-add-pool-dialog.h"
#include "ferry-certificate-dialog.h"
#include "ferry-ui-util.h"

struct _FerryAddPoolDialog
{
  AdwWindow     parent_instance;

  GtkWidget    *cancel_button;
  GtkWidget    *connect_button;
  GtkWidget    *spinner;
  GtkWidget    *error_box;
  GtkLabel     *error_label;
  GtkWidget    *form;
  AdwEntryRow  *address_row;
  AdwEntryRow  *user_row;
  AdwEntryRow  *password_row;
  GtkWidget    *remember_row;
  GtkSwitch    *remember_switch;

  FerryManager *manager;
  GCancellable *cancellable;
  char         *url;         /* canonical, of the attempt in progress */
  char         *fingerprint; /* the one the user trusted for @url */
};

enum
{
  SIGNAL_CONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FerryAddPoolDialog, ferry_add_pool_dialog, ADW_TYPE_WINDOW)

static void start_connect (FerryAddPoolDialog *self);

static void
set_busy (FerryAddPoolDialog *self,
          gboolean            busy)
{
  gtk_widget_set_sensitive (self->form, !busy);
  gtk_widget_set_sensitive (self->connect_button, !busy);
  gtk_widget_set_visible (self->connect_button, !busy);
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
}

static void
show_error (FerryAddPoolDialog *self,
            const char         *text)
{
  gtk_label_set_text (self->error_label, text ? text : "");
  /* Shown at once: a sliding GtkRevealer trips GTK 4.8's size checks when
   * the label wraps. */
  gtk_widget_set_visible (self->error_box, text != NULL);
  if (text != NULL)
    /* Screen readers announce the new error, as sighted users see it. */
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->form),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
certificate_response_cb (FerryAddPoolDialog *self,
                         const char         *response,
                         GtkWidget          *dialog)
{
  if (g_strcmp0 (response, "trust") == 0)
    {
      g_free (self->fingerprint);
      self->fingerprint = g_strdup (ferry_certificate_dialog_get_fingerprint (FERRY_CERTIFICATE_DIALOG (dialog)));
      start_connect (self);
      return;
    }

  set_busy (self, FALSE);
  if (ferry_certificate_dialog_get_changed (FERRY_CERTIFICATE_DIALOG (dialog)))
    show_error (self, _("Not connected: the host's certificate is not the one you trusted before."));
  else
    show_error (self, _("Not connected: you did not trust the host's certificate."));
}

static void
redirect_response_cb (FerryAddPoolDialog *self,
                      const char         *response,
                      GtkWidget          *dialog)
{
  const char *address = g_object_get_data (G_OBJECT (dialog), "ferry-redirect-address");

  if (g_strcmp0 (response, "follow") == 0 && address != NULL)
    {
      ferry_manager_trust_redirect (self->manager, self->url, address);
      start_connect (self);
      return;
    }

  set_busy (self, FALSE);
  show_error (self, _("Not connected: you did not let Ferry send your password to the address the host named."));
}

/* Over plain HTTP a supporter (or whoever answers in its place) named a
 * master that is not a known host of the pool: the engine did not send the
 * password there; the user decides. */
static void
ask_redirect (FerryAddPoolDialog *self,
              const char         *address)
{
  g_autoptr(GUri) uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
  const char      *host = uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : self->url;
  g_autofree char *body = NULL;
  GtkWidget       *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Send Your Password to Another Host?"), NULL);
  /* TRANSLATORS: the first %s is the address the user entered, the others the one it names */
  body = g_strdup_printf (_("The host %s says the pool’s master is now at %s. Send your password there?\n\n"
                            "The connection is not encrypted: do this only if %s is a host of this pool."),
                          host, address, address);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  ferry_message_dialog_add_answers (ADW_MESSAGE_DIALOG (dialog), "follow", _("_Send and Connect"),
                                    ADW_RESPONSE_DESTRUCTIVE, "cancel");
  gtk_widget_add_css_class (dialog, "redirect-question");
  g_object_set_data_full (G_OBJECT (dialog), "ferry-redirect-address", g_strdup (address), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (redirect_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(FerryAddPoolDialog) self = user_data;
  g_autoptr(FerryPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

  pool = ferry_manager_connect_finish (FERRY_MANAGER (object), result, &error);
  /* Cancelled here, the dialog is going or trying again.  The pool is in
   * the window's list while it connects, though, and may be disconnected
   * from there: then say so, and let the user try again. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      (cancellable == NULL || g_cancellable_is_cancelled (cancellable) || cancellable != self->cancellable))
    return;

  if (pool != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_CONNECTED], 0, pool);
      /* Let the focused entry see its focus-out before it is destroyed. */
      gtk_window_set_focus (GTK_WINDOW (self), NULL);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  if (g_error_matches (error, FERRY_ERROR, FERRY_ERROR_CERTIFICATE_UNKNOWN) ||
      g_error_matches (error, FERRY_ERROR, FERRY_ERROR_CERTIFICATE_CHANGED))
    {
      gboolean    changed = error->code == FERRY_ERROR_CERTIFICATE_CHANGED;
      const char *fingerprint = ferry_error_get_fingerprint (error);
      GtkWidget  *dialog;

      if (fingerprint != NULL || changed)
        {
          dialog = ferry_certificate_dialog_new (GTK_WINDOW (self), self->url, fingerprint, changed);
          g_signal_connect_object (dialog, "response", G_CALLBACK (certificate_response_cb),
                                   self, G_CONNECT_SWAPPED);
          gtk_window_present (GTK_WINDOW (dialog));
          return;
        }
    }

  if (g_error_matches (error, FERRY_ERROR, FERRY_ERROR_REDIRECT_REFUSED) &&
      ferry_error_get_address (error) != NULL)
    {
      ask_redirect (self, ferry_error_get_address (error));
      return;
    }

  set_busy (self, FALSE);
  {
    g_autofree char *fix = NULL;
    g_autofree char *sentence = ferry_error_to_sentence (error, &fix);
    g_autofree char *text = NULL;

    if (fix != NULL)
      text = g_strdup_printf ("%s %s", sentence, fix);
    else
      text = g_steal_pointer (&sentence);
    show_error (self, text);
  }
}

static void
start_connect (FerryAddPoolDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  show_error (self, NULL);
  set_busy (self, TRUE);
  ferry_manager_connect_async (self->manager,
                               self->url,
                               gtk_editable_get_text (GTK_EDITABLE (self->user_row)),
                               gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                               self->fingerprint,
                               gtk_widget_get_sensitive (self->remember_row) &&
                                 gtk_switch_get_active (self->remember_switch),
                               self->cancellable,
                               connect_cb,
                               g_object_ref (self));
}

static void
connect_clicked_cb (FerryAddPoolDialog *self,
                    GtkButton          *button)
{
  const char      *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char      *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  g_autofree char *url = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (address));

  if (trimmed[0] == '\0')
    {
      show_error (self, _("Enter the address of a host of the pool, such as xcp-1.example.com."));
      gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
      return;
    }

  url = ferry_server_canonical_url (trimmed);
  if (url == NULL)
    {
      show_error (self, _("That is not a host address. Enter a name such as xcp-1.example.com, an IP address, "
                          "or an https:// address."));
      gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
      return;
    }

  if (user[0] == '\0')
    {
      show_error (self, _("Enter a user name, such as root."));
      gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
      return;
    }

  /* A fingerprint trusted for another address does not carry over; one
   * pinned earlier for this address does, so that a replaced certificate
   * is refused rather than offered as new. */
  if (g_strcmp0 (url, self->url) != 0)
    {
      FerryServerStore *store = ferry_manager_get_store (self->manager);
      FerryServer      *saved = store ? ferry_server_store_lookup (store, url) : NULL;

      g_free (self->fingerprint);
      self->fingerprint = saved ? g_strdup (ferry_server_get_fingerprint (saved)) : NULL;
    }
  g_free (self->url);
  self->url = g_steal_pointer (&url);

  start_connect (self);
}

static void
cancel_clicked_cb (FerryAddPoolDialog *self,
                   GtkButton          *button)
{
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
ferry_add_pool_dialog_close_request (GtkWindow *window)
{
  FerryAddPoolDialog *self = FERRY_ADD_POOL_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (ferry_add_pool_dialog_parent_class)->close_request (window);
}

static void
ferry_add_pool_dialog_dispose (GObject *object)
{
  FerryAddPoolDialog *self = FERRY_ADD_POOL_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_ADD_POOL_DIALOG);

  G_OBJECT_CLASS (ferry_add_pool_dialog_parent_class)->dispose (object);
}

static void
ferry_add_pool_dialog_finalize (GObject *object)
{
  FerryAddPoolDialog *self = FERRY_ADD_POOL_DIALOG (object);

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->fingerprint, g_free);

  G_OBJECT_CLASS (ferry_add_pool_dialog_parent_class)->finalize (object);
}

static void
ferry_add_pool_dialog_class_init (FerryAddPoolDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ferry_add_pool_dialog_dispose;
  object_class->finalize = ferry_add_pool_dialog_finalize;
  window_class->close_request = ferry_add_pool_dialog_close_request;

  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, FERRY_TYPE_POOL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/xenferry/Ferry/ferry-add-pool-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, form);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, remember_row);
  gtk_widget_class_bind_template_child (widget_class, FerryAddPoolDialog, remember_switch);
  gtk_widget_class_bind_template_callback (widget_class, connect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ferry_add_pool_dialog_init (FerryAddPoolDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ferry_add_pool_dialog_new (GtkWindow    *parent,
                           FerryManager *manager,
                           gboolean      can_remember)
{
  FerryAddPoolDialog *self;

  g_return_val_if_fail (FERRY_IS_MANAGER (manager), NULL);

  self = g_object_new (FERRY_TYPE_ADD_POOL_DIALOG, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);
  if (!can_remember)
    {
      gtk_switch_set_active (self->remember_switch, FALSE);
      gtk_widget_set_sensitive (self->remember_row, FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->remember_row),
                                   _("Nothing is saved in the demo"));
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
  return GTK_WIDGET (self);
}
