/* ferry-server-store.h: saved servers in GSettings, passwords in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ferry-server.h"

G_BEGIN_DECLS

#define FERRY_TYPE_SERVER_STORE (ferry_server_store_get_type ())

/* Implements GListModel of FerryServer, following the "servers" key. */
G_DECLARE_FINAL_TYPE (FerryServerStore, ferry_server_store, FERRY, SERVER_STORE, GObject)

/* (transfer full) @settings: of schema io.github.xenferry.Ferry; NULL means
 * g_settings_new (APP_ID).  ferry_server_store_get_settings(): (transfer none). */
FerryServerStore *ferry_server_store_new (GSettings *settings);
GSettings        *ferry_server_store_get_settings (FerryServerStore *self);

/* (transfer none) NULL if absent.  @url is canonicalised first. */
FerryServer      *ferry_server_store_lookup (FerryServerStore *self,
                                             const char       *url);
/* Adds or updates.  @fingerprint and @label may be NULL (for an update, NULL
 * keeps what was saved). */
void              ferry_server_store_save (FerryServerStore *self,
                                           const char       *url,
                                           const char       *username,
                                           const char       *fingerprint,
                                           const char       *label);
void              ferry_server_store_set_fingerprint (FerryServerStore *self,
                                                      const char       *url,
                                                      const char       *fingerprint);
void              ferry_server_store_set_label (FerryServerStore *self,
                                                const char       *url,
                                                const char       *label);
/* Also clears the saved password (asynchronously, fire and forget). */
void              ferry_server_store_remove (FerryServerStore *self,
                                             const char       *url);

void              ferry_server_store_store_password_async (FerryServerStore   *self,
                                                           const char         *url,
                                                           const char         *username,
                                                           const char         *password,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean          ferry_server_store_store_password_finish (FerryServerStore *self,
                                                            GAsyncResult     *result,
                                                            GError          **error);
void              ferry_server_store_lookup_password_async (FerryServerStore   *self,
                                                            const char         *url,
                                                            const char         *username,
                                                            GCancellable       *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer            user_data);
/* (transfer full) g_free() the result after explicit_bzero(); NULL without
 * error when no password is saved. */
char             *ferry_server_store_lookup_password_finish (FerryServerStore *self,
                                                             GAsyncResult     *result,
                                                             GError          **error);
void              ferry_server_store_clear_password_async (FerryServerStore   *self,
                                                           const char         *url,
                                                           const char         *username,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean          ferry_server_store_clear_password_finish (FerryServerStore *self,
                                                            GAsyncResult     *result,
                                                            GError          **error);

G_END_DECLS
