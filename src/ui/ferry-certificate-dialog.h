/* ferry-certificate-dialog.h: trust a host's certificate on first use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FERRY_TYPE_CERTIFICATE_DIALOG (ferry_certificate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (FerryCertificateDialog, ferry_certificate_dialog, FERRY, CERTIFICATE_DIALOG, AdwMessageDialog)

/* Responses: "trust" and "cancel" for an unknown certificate; only "close"
 * when @changed (a pinned certificate was replaced: Ferry refuses).
 * (transfer none): GTK keeps the window until it is destroyed. */
GtkWidget  *ferry_certificate_dialog_new (GtkWindow  *parent,
                                          const char *url,
                                          const char *fingerprint,
                                          gboolean    changed);
/* (transfer none) */
const char *ferry_certificate_dialog_get_fingerprint (FerryCertificateDialog *self);
gboolean    ferry_certificate_dialog_get_changed (FerryCertificateDialog *self);

G_END_DECLS
