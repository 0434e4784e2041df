/* ferry-util.c: small helpers shared by the engine's objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ferry-util-private.h"

gboolean
ferry_set_string (char      **field,
                  const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);

  return TRUE;
}

gboolean
ferry_update_string (gpointer    object,
                     char      **field,
                     const char *value,
                     GParamSpec *pspec)
{
  if (!ferry_set_string (field, value))
    return FALSE;
  g_object_notify_by_pspec (G_OBJECT (object), pspec);
  return TRUE;
}

gboolean
ferry_update_boolean (gpointer    object,
                      gboolean   *field,
                      gboolean    value,
                      GParamSpec *pspec)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (object), pspec);
  return TRUE;
}

gboolean
ferry_update_uint64 (gpointer    object,
                     guint64    *field,
                     guint64     value,
                     GParamSpec *pspec)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (object), pspec);
  return TRUE;
}

int
ferry_compare_names (const char *a,
                     const char *b)
{
  g_autofree char *ka = g_utf8_collate_key_for_filename (a != NULL ? a : "", -1);
  g_autofree char *kb = g_utf8_collate_key_for_filename (b != NULL ? b : "", -1);
  int              res = strcmp (ka, kb);

  /* Equal keys for different strings (case, accents): keep a stable order. */
  return res != 0 ? res : g_strcmp0 (a, b);
}

void
ferry_password_free (char *password)
{
  if (password == NULL)
    return;
  explicit_bzero (password, strlen (password));
  g_free (password);
}

gpointer
ferry_store_peek (GListModel *store,
                  guint       position)
{
  gpointer item;

  g_return_val_if_fail (G_IS_LIST_STORE (store), NULL);

  item = g_list_model_get_item (store, position);
  if (item != NULL)
    g_object_unref (item); /* the store keeps its own */
  return item;
}

gpointer
ferry_weak_ref_peek (GWeakRef *ref)
{
  gpointer object = g_weak_ref_get (ref);

  if (object != NULL)
    g_object_unref (object); /* someone else holds it, or it was gone */
  return object;
}
