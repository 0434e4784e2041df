/* ferry-util-private.h: small helpers the engine's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not installed, not for the window or ferryctl.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Replaces a string and says whether it changed. */
gboolean ferry_set_string (char      **field,
                           const char *value);
/* Each sets a field of @object to @value and, if that changed it, notifies
 * @pspec; says whether it did.  The objects' updates from the pool's
 * records are made of these. */
gboolean ferry_update_string (gpointer    object,
                              char      **field,
                              const char *value,
                              GParamSpec *pspec);
gboolean ferry_update_boolean (gpointer    object,
                               gboolean   *field,
                               gboolean    value,
                               GParamSpec *pspec);
gboolean ferry_update_uint64 (gpointer    object,
                              guint64    *field,
                              guint64     value,
                              GParamSpec *pspec);
/* A natural-order comparison of names ("lyon-2" before "lyon-10"). */
int      ferry_compare_names (const char *a,
                              const char *b);
/* Wipes @password and frees it (NULL is fine): explicit_bzero(), because a
 * memset() before a free may be optimised away.  Every secret the engine
 * holds goes this way. */
void     ferry_password_free (char *password);
/* (transfer none) The item at @position of a GListStore, which holds a
 * reference to every item it lists: for loops that look and do not keep.
 * Borrowing is explicit so that no g_autoptr drops a reference that a
 * caller then goes on using. */
gpointer ferry_store_peek (GListModel *store,
                           guint       position);
/* (transfer none) The object behind a weak reference, or NULL once it is
 * gone.  The engine lives on one thread, so nothing can drop the last
 * strong reference between the look and the return. */
gpointer ferry_weak_ref_peek (GWeakRef *ref);

G_END_DECLS
