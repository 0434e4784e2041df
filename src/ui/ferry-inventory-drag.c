/* ferry-inventory-drag.c: what the inventory's rows and its view share about a drag
 *
 * A row starts a drag of the VMs it stands for and shows whether it can
 * take the VMs being dragged; the view knows the selection.  This object
 * sits between them, so that neither calls the other: the view makes it
 * from the manager and its selection, the rows call it and listen to
 * "changed".  (What a row cannot do alone, take a drop or open its menu,
 * it asks the view for with a signal of its own.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-inventory"

#include "config.h"

#include "ferry-inventory-drag.h"

struct _FerryInventoryDrag
{
  GObject            parent_instance;

  FerryManager      *manager;
  GtkSelectionModel *selection;
  GPtrArray         *vms; /* FerryVm, while a drag from here runs */
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FerryInventoryDrag, ferry_inventory_drag, G_TYPE_OBJECT)

/*
 * Selection
 */

static void
add_vm_at (FerryInventoryDrag *self,
           guint               position,
           GPtrArray          *vms)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  g_autoptr(GObject) item = NULL;

  if (row == NULL)
    return;
  item = gtk_tree_list_row_get_item (row);
  if (FERRY_IS_VM (item) && !g_ptr_array_find (vms, item, NULL))
    g_ptr_array_add (vms, g_object_ref (item));
}

GPtrArray *
ferry_inventory_drag_get_selected_vms (FerryInventoryDrag *self)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint         position;

  g_return_val_if_fail (FERRY_IS_INVENTORY_DRAG (self), NULL);

  selected = gtk_selection_model_get_selection (self->selection);
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    add_vm_at (self, position, vms);

  return g_steal_pointer (&vms);
}

GPtrArray *
ferry_inventory_drag_vms_for_row (FerryInventoryDrag *self,
                                  guint               position,
                                  GObject            *item)
{
  g_autoptr(GPtrArray) vms = NULL;

  g_return_val_if_fail (FERRY_IS_INVENTORY_DRAG (self), NULL);

  /* Dragging (or right-clicking) a selected VM acts on the whole selection;
   * an unselected one acts on itself alone, as in a file manager. */
  if (position != GTK_INVALID_LIST_POSITION &&
      gtk_selection_model_is_selected (self->selection, position))
    {
      vms = ferry_inventory_drag_get_selected_vms (self);
      if (vms->len > 0)
        return g_steal_pointer (&vms);
    }

  vms = g_ptr_array_new_with_free_func (g_object_unref);
  if (FERRY_IS_VM (item))
    g_ptr_array_add (vms, g_object_ref (item));
  return g_steal_pointer (&vms);
}

/*
 * Drag and drop
 */

FerryHost *
ferry_inventory_drag_target_host (GObject *item)
{
  if (FERRY_IS_HOST (item))
    return FERRY_HOST (item);
  if (FERRY_IS_POOL (item))
    return ferry_pool_get_master (FERRY_POOL (item));
  return NULL;
}

GPtrArray *
ferry_inventory_drag_get_vms (FerryInventoryDrag *self)
{
  g_return_val_if_fail (FERRY_IS_INVENTORY_DRAG (self), NULL);

  return self->vms;
}

void
ferry_inventory_drag_begin (FerryInventoryDrag *self,
                            GPtrArray          *vms)
{
  g_return_if_fail (FERRY_IS_INVENTORY_DRAG (self));

  g_clear_pointer (&self->vms, g_ptr_array_unref);
  self->vms = g_ptr_array_ref (vms);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
ferry_inventory_drag_end (FerryInventoryDrag *self)
{
  g_return_if_fail (FERRY_IS_INVENTORY_DRAG (self));

  if (self->vms == NULL)
    return;
  g_clear_pointer (&self->vms, g_ptr_array_unref);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/*
 * GObject
 */

FerryManager *
ferry_inventory_drag_get_manager (FerryInventoryDrag *self)
{
  g_return_val_if_fail (FERRY_IS_INVENTORY_DRAG (self), NULL);

  return self->manager;
}

static void
ferry_inventory_drag_dispose (GObject *object)
{
  FerryInventoryDrag *self = FERRY_INVENTORY_DRAG (object);

  g_clear_pointer (&self->vms, g_ptr_array_unref);
  g_clear_object (&self->selection);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (ferry_inventory_drag_parent_class)->dispose (object);
}

static void
ferry_inventory_drag_class_init (FerryInventoryDragClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_inventory_drag_dispose;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ferry_inventory_drag_init (FerryInventoryDrag *self)
{
}

FerryInventoryDrag *
ferry_inventory_drag_new (FerryManager      *manager,
                          GtkSelectionModel *selection)
{
  FerryInventoryDrag *self;

  g_return_val_if_fail (FERRY_IS_MANAGER (manager), NULL);
  g_return_val_if_fail (GTK_IS_SELECTION_MODEL (selection), NULL);

  self = g_object_new (FERRY_TYPE_INVENTORY_DRAG, NULL);
  self->manager = g_object_ref (manager);
  self->selection = g_object_ref (selection);
  return self;
}
