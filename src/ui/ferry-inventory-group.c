/* ferry-inventory-group.c: a heading node of the inventory tree
 *
 * A pool's VMs that run nowhere (halted or suspended) used to follow its
 * hosts directly, where they read as if they belonged to the last host.
 * They now sit under a node of their own.  The node is a plain object of
 * the window, not of the engine: it only carries the pool it belongs to and
 * the list of VMs the tree shows under it, and says when their number
 * changes, so that the view can hide the heading of an empty group.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-inventory"

#include "config.h"

#include "ferry-inventory-group.h"

struct _FerryInventoryGroup
{
  GObject     parent_instance;

  FerryPool  *pool; /* weak */
  GListModel *vms;
  guint       n_vms;
};

G_DEFINE_FINAL_TYPE (FerryInventoryGroup, ferry_inventory_group, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_POOL,
  PROP_VMS,
  PROP_N_VMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vms_changed_cb (FerryInventoryGroup *self,
                guint                position,
                guint                removed,
                guint                added,
                GListModel          *vms)
{
  guint n = g_list_model_get_n_items (vms);

  if (n == self->n_vms)
    return;
  self->n_vms = n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_VMS]);
}

static void
ferry_inventory_group_dispose (GObject *object)
{
  FerryInventoryGroup *self = FERRY_INVENTORY_GROUP (object);

  if (self->vms != NULL)
    g_signal_handlers_disconnect_by_func (self->vms, vms_changed_cb, self);
  g_clear_object (&self->vms);
  g_clear_weak_pointer (&self->pool);

  G_OBJECT_CLASS (ferry_inventory_group_parent_class)->dispose (object);
}

static void
ferry_inventory_group_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  FerryInventoryGroup *self = FERRY_INVENTORY_GROUP (object);

  switch (prop_id)
    {
    case PROP_POOL:
      g_value_set_object (value, self->pool);
      break;
    case PROP_VMS:
      g_value_set_object (value, self->vms);
      break;
    case PROP_N_VMS:
      g_value_set_uint (value, self->n_vms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_inventory_group_class_init (FerryInventoryGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_inventory_group_dispose;
  object_class->get_property = ferry_inventory_group_get_property;

  properties[PROP_POOL] =
    g_param_spec_object ("pool", NULL, NULL, FERRY_TYPE_POOL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VMS] =
    g_param_spec_object ("vms", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_VMS] =
    g_param_spec_uint ("n-vms", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_inventory_group_init (FerryInventoryGroup *self)
{
}

FerryInventoryGroup *
ferry_inventory_group_new (FerryPool  *pool,
                           GListModel *vms)
{
  FerryInventoryGroup *self;

  g_return_val_if_fail (FERRY_IS_POOL (pool), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (vms), NULL);

  self = g_object_new (FERRY_TYPE_INVENTORY_GROUP, NULL);
  g_set_weak_pointer (&self->pool, pool);
  self->vms = g_object_ref (vms);
  self->n_vms = g_list_model_get_n_items (vms);
  g_signal_connect_swapped (vms, "items-changed", G_CALLBACK (vms_changed_cb), self);

  return self;
}

FerryPool *
ferry_inventory_group_get_pool (FerryInventoryGroup *self)
{
  g_return_val_if_fail (FERRY_IS_INVENTORY_GROUP (self), NULL);

  return self->pool;
}

GListModel *
ferry_inventory_group_get_vms (FerryInventoryGroup *self)
{
  g_return_val_if_fail (FERRY_IS_INVENTORY_GROUP (self), NULL);

  return self->vms;
}

guint
ferry_inventory_group_get_n_vms (FerryInventoryGroup *self)
{
  g_return_val_if_fail (FERRY_IS_INVENTORY_GROUP (self), 0);

  return self->n_vms;
}
