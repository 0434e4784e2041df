/* ferry-certificate-dialog.c: trust a host's certificate on first use
 *
 * XAPI hosts ship self-signed certificates.  Rather than accepting anything
 * (as many clients do), Ferry shows the SHA-256 fingerprint once, lets the
 * user compare it with the host's, and pins it.  A pinned certificate that
 * changes is refused loudly: the user has to forget the pool on purpose.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-certificate"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-certificate-dialog.h"
#include "ferry-ui-util.h"

struct _FerryCertificateDialog
{
  AdwMessageDialog parent_instance;

  char            *fingerprint;
  gboolean         changed;
};

G_DEFINE_FINAL_TYPE (FerryCertificateDialog, ferry_certificate_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* "AB:CD:…" is 95 characters for SHA-256: two lines of 16 bytes read (and
 * compare) far better than one long line that wraps anywhere. */
static char *
format_fingerprint (const char *fingerprint)
{
  g_auto(GStrv) bytes = NULL;
  GString *out;

  if (fingerprint == NULL)
    return g_strdup (_("(not available)"));

  bytes = g_strsplit (fingerprint, ":", -1);
  out = g_string_new (NULL);
  for (guint i = 0; bytes[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, i % 16 == 0 ? '\n' : ':');
      g_string_append (out, bytes[i]);
    }
  return g_string_free (out, FALSE);
}

static void
ferry_certificate_dialog_finalize (GObject *object)
{
  FerryCertificateDialog *self = FERRY_CERTIFICATE_DIALOG (object);

  g_clear_pointer (&self->fingerprint, g_free);

  G_OBJECT_CLASS (ferry_certificate_dialog_parent_class)->finalize (object);
}

static void
ferry_certificate_dialog_class_init (FerryCertificateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ferry_certificate_dialog_finalize;
}

static void
ferry_certificate_dialog_init (FerryCertificateDialog *self)
{
}

GtkWidget *
ferry_certificate_dialog_new (GtkWindow  *parent,
                              const char *url,
                              const char *fingerprint,
                              gboolean    changed)
{
  FerryCertificateDialog *self;
  g_autofree char        *body = NULL;
  g_autofree char        *formatted = format_fingerprint (fingerprint);
  GtkWidget              *box;
  GtkWidget              *caption;
  GtkWidget              *label;

  self = g_object_new (FERRY_TYPE_CERTIFICATE_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->fingerprint = g_strdup (fingerprint);
  self->changed = changed;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self),
                                  changed ? _("Certificate Changed") : _("Trust This Certificate?"));
  body = g_strdup_printf (changed ? _("%s presented a different certificate from the one you trusted before, "
                                      "so Ferry did not connect. Someone may be intercepting the connection.\n\n"
                                      "If the host’s certificate was replaced on purpose, choose “Forget Pool” in "
                                      "the pool’s menu (or in Preferences), then add the pool again.")
                                  : _("%s presented a certificate that this computer does not know. "
                                      "Check that its fingerprint matches the one the host shows, for example with "
                                      "“openssl x509 -noout -fingerprint -sha256 -in /etc/xensource/xapi-ssl.pem” "
                                      "on the host. Ferry remembers it and refuses to connect if it ever changes."),
                          url);
  if (changed)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_image_set_pixel_size (GTK_IMAGE (icon), 48);
      gtk_widget_add_css_class (icon, "error");
      gtk_widget_set_margin_bottom (icon, 6);
      gtk_box_append (GTK_BOX (box), icon);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self), "close", _("_Close"));
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "close");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "close");
      gtk_widget_add_css_class (GTK_WIDGET (self), "certificate-changed");
    }
  else
    ferry_message_dialog_add_answers (ADW_MESSAGE_DIALOG (self), "trust", _("_Trust and Connect"),
                                      ADW_RESPONSE_SUGGESTED, "cancel");
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  caption = gtk_label_new (changed ? _("SHA-256 fingerprint it presented now")
                                   : _("SHA-256 fingerprint"));
  gtk_widget_add_css_class (caption, "caption-heading");
  gtk_box_append (GTK_BOX (box), caption);

  label = gtk_label_new (formatted);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "fingerprint");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("SHA-256 fingerprint"),
                                  -1);
  gtk_box_append (GTK_BOX (box), label);

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), box);

  return GTK_WIDGET (self);
}

const char *
ferry_certificate_dialog_get_fingerprint (FerryCertificateDialog *self)
{
  g_return_val_if_fail (FERRY_IS_CERTIFICATE_DIALOG (self), NULL);

  return self->fingerprint;
}

gboolean
ferry_certificate_dialog_get_changed (FerryCertificateDialog *self)
{
  g_return_val_if_fail (FERRY_IS_CERTIFICATE_DIALOG (self), FALSE);

  return self->changed;
}
