/* ferry-object-private.h: how the pool makes and updates its objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not installed, not for the window or ferryctl.
 */

#pragma once

#include "ferry-object.h"

G_BEGIN_DECLS

/* (transfer full) A new object of @type (a FerryObject subclass) for the
 * XAPI object @ref of @pool. */
gpointer ferry_object_new (GType       type,
                           FerryPool  *pool,
                           const char *ref);
/* Reads @record (the XapiRecord at the head of the class's typed record),
 * notifies the properties that changed, and returns TRUE if the name
 * changed (the lists re-sort then). */
gboolean ferry_object_update (FerryObject  *self,
                              FerryPool    *pool,
                              gconstpointer record);
/* A GCompareDataFunc: the order of the pool's lists, by name. */
int      ferry_object_compare (gconstpointer a,
                               gconstpointer b,
                               gpointer      user_data);

/* (transfer none) In @models (GListStores of FerryObjects, in order), the
 * object whose uuid is @key, else the only one named @key: NULL if none or
 * several carry that name, and for an empty @key.  How the front ends' "VM
 * or host given by uuid or name" is found, in one pool or in all. */
gpointer ferry_object_find (GListModel * const *models,
                            guint               n_models,
                            const char         *key);

G_END_DECLS
