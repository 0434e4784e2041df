/* ferry-reveal-model.h: a list model that lets new rows in a few per frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FERRY_TYPE_REVEAL_MODEL (ferry_reveal_model_get_type ())

G_DECLARE_FINAL_TYPE (FerryRevealModel, ferry_reveal_model, FERRY, REVEAL_MODEL, GObject)

/* Shows a prefix of @model: every change within what it shows is passed on
 * at once, while items that join at or beyond the end of it wait to be
 * revealed (ferry_reveal_model_step(), or the frame clock of the widget set
 * with ferry_reveal_model_set_widget()).  Once it shows
 * FERRY_REVEAL_MODEL_ALL_FROM items, everything else is passed on at once.
 * (transfer full) */
FerryRevealModel *ferry_reveal_model_new (GListModel *model);

/* A list view (GTK 4.8) keeps widgets for about 200 rows from its top. */
#define FERRY_REVEAL_MODEL_ALL_FROM 208

/* Reveals the items in waiting on @widget's frames, a few per frame; NULL
 * stops that (they then wait for ferry_reveal_model_step()). */
void     ferry_reveal_model_set_widget (FerryRevealModel *self,
                                        GtkWidget        *widget);
/* Reveals as many of the waiting items as one frame does; TRUE while some
 * still wait afterwards. */
gboolean ferry_reveal_model_step (FerryRevealModel *self);
/* Reveals every waiting item. */
void     ferry_reveal_model_reveal_all (FerryRevealModel *self);
/* The items of the model below that are not shown yet. */
guint    ferry_reveal_model_get_n_waiting (FerryRevealModel *self);

G_END_DECLS
