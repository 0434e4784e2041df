/* ferry-object.c: what a pool's hosts, VMs, SRs and networks have in common
 *
 * Every object of a pool is known by its XAPI reference, carries a uuid and
 * a name from its record, and points back at its pool without keeping it
 * alive (the pool owns its objects).  The subclasses add what their records
 * say besides.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xapi-record.h"

#include "ferry-object-private.h"
#include "ferry-util-private.h"

typedef struct
{
  GWeakRef pool;
  char    *ref;
  char    *uuid;
  char    *name;
} FerryObjectPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (FerryObject, ferry_object, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_REF,
  PROP_UUID,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ferry_object_finalize (GObject *object)
{
  FerryObjectPrivate *priv = ferry_object_get_instance_private (FERRY_OBJECT (object));

  g_weak_ref_clear (&priv->pool);
  g_free (priv->ref);
  g_free (priv->uuid);
  g_free (priv->name);

  G_OBJECT_CLASS (ferry_object_parent_class)->finalize (object);
}

static void
ferry_object_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FerryObjectPrivate *priv = ferry_object_get_instance_private (FERRY_OBJECT (object));

  switch (prop_id)
    {
    case PROP_REF:
      g_value_set_string (value, priv->ref);
      break;
    case PROP_UUID:
      g_value_set_string (value, priv->uuid);
      break;
    case PROP_NAME:
      g_value_set_string (value, priv->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_object_class_init (FerryObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ferry_object_finalize;
  object_class->get_property = ferry_object_get_property;

  properties[PROP_REF] = g_param_spec_string ("ref", NULL, NULL, NULL, flags);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_object_init (FerryObject *self)
{
  FerryObjectPrivate *priv = ferry_object_get_instance_private (self);

  g_weak_ref_init (&priv->pool, NULL);
}

gpointer
ferry_object_new (GType       type,
                  FerryPool  *pool,
                  const char *ref)
{
  FerryObject        *self = g_object_new (type, NULL);
  FerryObjectPrivate *priv = ferry_object_get_instance_private (self);

  g_weak_ref_set (&priv->pool, pool);
  priv->ref = g_strdup (ref);

  return self; /* (transfer full) */
}

gboolean
ferry_object_update (FerryObject  *self,
                     FerryPool    *pool,
                     gconstpointer record)
{
  FerryObjectPrivate *priv = ferry_object_get_instance_private (self);
  const XapiRecord   *header = record;
  gboolean            name_changed;

  g_object_freeze_notify (G_OBJECT (self));

  ferry_update_string (self, &priv->uuid, xapi_str (header->uuid), properties[PROP_UUID]);
  name_changed = ferry_update_string (self, &priv->name, xapi_str (header->name_label), properties[PROP_NAME]);
  FERRY_OBJECT_GET_CLASS (self)->update (self, pool, record);

  g_object_thaw_notify (G_OBJECT (self));

  return name_changed;
}

int
ferry_object_compare (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  return ferry_compare_names (ferry_object_get_name ((FerryObject *) a),
                              ferry_object_get_name ((FerryObject *) b));
}

gpointer
ferry_object_find (GListModel * const *models,
                   guint               n_models,
                   const char         *key)
{
  gpointer found = NULL;
  guint    matches = 0;

  if (key == NULL || *key == '\0')
    return NULL;

  /* A uuid anywhere wins over any name, so the first uuid ends the search;
   * names are only counted until then. */
  for (guint m = 0; m < n_models; m++)
    {
      guint n = g_list_model_get_n_items (models[m]);

      for (guint i = 0; i < n; i++)
        {
          FerryObject *item = ferry_store_peek (models[m], i);

          if (g_strcmp0 (ferry_object_get_uuid (item), key) == 0)
            return item; /* (transfer none) */
          if (g_strcmp0 (ferry_object_get_name (item), key) == 0)
            {
              found = item;
              matches++;
            }
        }
    }

  return matches == 1 ? found : NULL; /* (transfer none) */
}

const char *
ferry_object_get_ref (FerryObject *self)
{
  FerryObjectPrivate *priv;

  g_return_val_if_fail (FERRY_IS_OBJECT (self), NULL);

  priv = ferry_object_get_instance_private (self);
  return priv->ref;
}

const char *
ferry_object_get_uuid (FerryObject *self)
{
  FerryObjectPrivate *priv;

  g_return_val_if_fail (FERRY_IS_OBJECT (self), NULL);

  priv = ferry_object_get_instance_private (self);
  return priv->uuid;
}

const char *
ferry_object_get_name (FerryObject *self)
{
  FerryObjectPrivate *priv;

  g_return_val_if_fail (FERRY_IS_OBJECT (self), NULL);

  priv = ferry_object_get_instance_private (self);
  return priv->name;
}

FerryPool *
ferry_object_get_pool (FerryObject *self)
{
  FerryObjectPrivate *priv;

  g_return_val_if_fail (FERRY_IS_OBJECT (self), NULL);

  priv = ferry_object_get_instance_private (self);

  /* The pool owns its objects, so while anyone can call this the pool is
   * alive or already gone; a borrowed pointer is safe in the first case. */
  return ferry_weak_ref_peek (&priv->pool); /* (transfer none) */
}
