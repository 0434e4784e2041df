/* ferry-reveal-model.c: a list model that lets new rows in a few per frame
 *
 * A pool's first load reaches the tree in slices a few milliseconds long,
 * each adding rows at its end.  A list view makes, binds, measures and
 * paints a widget for every row among its first couple of hundred, in the
 * frame after they arrive; when frames come late (a busy machine) one
 * frame takes the rows of several slices, and the first screenful costs
 * most of all.  Between the tree and the selection this model passes every
 * change on at once, except rows that join at the end of what it shows:
 * those it lets in a few per frame until a screenful is there, more per
 * frame up to FERRY_REVEAL_MODEL_ALL_FROM rows, and all at once after that,
 * where the view makes no widget for them.  What it shows is always a
 * prefix of the model below, so the view never shows a row out of place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-reveal"

#include "config.h"

#include "ferry-reveal-model.h"

/* A screenful and a little more, a few rows a frame; then a list view's
 * widgets, more rows a frame. */
#define FIRST_ROWS 24
#define FIRST_STEP 4
#define NEAR_STEP 12

struct _FerryRevealModel
{
  GObject     parent_instance;

  GListModel *model;
  guint       n_shown; /* the first n_shown items of model */
  GtkWidget  *widget;  /* weak */
  guint       tick_id;
};

static void ferry_reveal_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FerryRevealModel, ferry_reveal_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ferry_reveal_model_list_model_init))

static GType
ferry_reveal_model_get_item_type (GListModel *list)
{
  FerryRevealModel *self = FERRY_REVEAL_MODEL (list);

  return g_list_model_get_item_type (self->model);
}

static guint
ferry_reveal_model_get_n_items (GListModel *list)
{
  return FERRY_REVEAL_MODEL (list)->n_shown;
}

static gpointer
ferry_reveal_model_get_item (GListModel *list,
                             guint       position)
{
  FerryRevealModel *self = FERRY_REVEAL_MODEL (list);

  if (position >= self->n_shown)
    return NULL;
  return g_list_model_get_item (self->model, position);
}

static void
ferry_reveal_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ferry_reveal_model_get_item_type;
  iface->get_n_items = ferry_reveal_model_get_n_items;
  iface->get_item = ferry_reveal_model_get_item;
}

guint
ferry_reveal_model_get_n_waiting (FerryRevealModel *self)
{
  g_return_val_if_fail (FERRY_IS_REVEAL_MODEL (self), 0);

  return g_list_model_get_n_items (self->model) - self->n_shown;
}

/* How many more items the next frame shows. */
static guint
frame_budget (FerryRevealModel *self)
{
  if (self->n_shown < FIRST_ROWS)
    return FIRST_STEP;
  if (self->n_shown < FERRY_REVEAL_MODEL_ALL_FROM)
    return NEAR_STEP;
  return G_MAXUINT;
}

/* Shows up to @n more items, at the end. */
static void
reveal (FerryRevealModel *self,
        guint             n)
{
  guint position = self->n_shown;

  n = MIN (n, ferry_reveal_model_get_n_waiting (self));
  if (n == 0)
    return;
  self->n_shown += n;
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, n);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  FerryRevealModel *self = user_data;

  if (ferry_reveal_model_step (self))
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
remove_tick (FerryRevealModel *self)
{
  if (self->tick_id != 0 && self->widget != NULL)
    gtk_widget_remove_tick_callback (self->widget, self->tick_id);
  self->tick_id = 0;
}

/* Items wait: have the next frames reveal them. */
static void
queue_reveal (FerryRevealModel *self)
{
  if (self->tick_id != 0 || self->widget == NULL || ferry_reveal_model_get_n_waiting (self) == 0)
    return;
  self->tick_id = gtk_widget_add_tick_callback (self->widget, tick_cb, self, NULL);
}

static void
model_items_changed_cb (FerryRevealModel *self,
                        guint             position,
                        guint             removed,
                        guint             added,
                        GListModel       *model)
{
  guint shown_added;

  /* Beyond what is shown: nothing shown changes, the items only wait. */
  if (position >= self->n_shown)
    {
      if (self->n_shown >= FERRY_REVEAL_MODEL_ALL_FROM)
        reveal (self, G_MAXUINT);
      else
        queue_reveal (self);
      return;
    }

  if (position + removed < self->n_shown)
    {
      /* Within: shown items follow the new ones, which show at once. */
      shown_added = added;
      self->n_shown = self->n_shown - removed + added;
    }
  else
    {
      /* Across the end: every shown item from @position on goes; as many
       * new ones take their place, and the rest wait. */
      guint shown_removed = self->n_shown - position;

      shown_added = MIN (added, shown_removed);
      self->n_shown = position + shown_added;
      removed = shown_removed;
    }

  /* Past the first rows the waiting ones join this change, at its end. */
  if (self->n_shown >= FERRY_REVEAL_MODEL_ALL_FROM && position + shown_added == self->n_shown)
    {
      guint more = ferry_reveal_model_get_n_waiting (self);

      shown_added += more;
      self->n_shown += more;
    }

  if (removed > 0 || shown_added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, shown_added);

  if (self->n_shown >= FERRY_REVEAL_MODEL_ALL_FROM)
    reveal (self, G_MAXUINT);
  else
    queue_reveal (self);
}

gboolean
ferry_reveal_model_step (FerryRevealModel *self)
{
  g_return_val_if_fail (FERRY_IS_REVEAL_MODEL (self), FALSE);

  reveal (self, frame_budget (self));
  return ferry_reveal_model_get_n_waiting (self) > 0;
}

void
ferry_reveal_model_reveal_all (FerryRevealModel *self)
{
  g_return_if_fail (FERRY_IS_REVEAL_MODEL (self));

  reveal (self, G_MAXUINT);
}

void
ferry_reveal_model_set_widget (FerryRevealModel *self,
                               GtkWidget        *widget)
{
  g_return_if_fail (FERRY_IS_REVEAL_MODEL (self));
  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));

  if (self->widget == widget)
    return;
  remove_tick (self);
  g_set_weak_pointer (&self->widget, widget);
  queue_reveal (self);
}

static void
ferry_reveal_model_dispose (GObject *object)
{
  FerryRevealModel *self = FERRY_REVEAL_MODEL (object);

  remove_tick (self);
  g_clear_weak_pointer (&self->widget);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, model_items_changed_cb, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (ferry_reveal_model_parent_class)->dispose (object);
}

static void
ferry_reveal_model_class_init (FerryRevealModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_reveal_model_dispose;
}

static void
ferry_reveal_model_init (FerryRevealModel *self)
{
}

FerryRevealModel *
ferry_reveal_model_new (GListModel *model)
{
  FerryRevealModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  self = g_object_new (FERRY_TYPE_REVEAL_MODEL, NULL);
  self->model = g_object_ref (model);
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (model_items_changed_cb), self);
  /* What the model holds already shows the way later items would. */
  queue_reveal (self);
  return self;
}
