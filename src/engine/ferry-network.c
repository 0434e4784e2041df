/* ferry-network.c: a network of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-network-private.h"
#include "ferry-host.h"
#include "ferry-pool-private.h"
#include "ferry-util-private.h"

struct _FerryNetwork
{
  GObject  parent_instance;

  GWeakRef pool;
  char    *ref;
  char    *uuid;
  char    *name;
  char    *bridge;
};

G_DEFINE_FINAL_TYPE (FerryNetwork, ferry_network, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_REF,
  PROP_UUID,
  PROP_NAME,
  PROP_BRIDGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ferry_network_finalize (GObject *object)
{
  FerryNetwork *self = FERRY_NETWORK (object);

  g_weak_ref_clear (&self->pool);
  g_free (self->ref);
  g_free (self->uuid);
  g_free (self->name);
  g_free (self->bridge);

  G_OBJECT_CLASS (ferry_network_parent_class)->finalize (object);
}

static void
ferry_network_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FerryNetwork *self = FERRY_NETWORK (object);

  switch (prop_id)
    {
    case PROP_REF:
      g_value_set_string (value, self->ref);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_BRIDGE:
      g_value_set_string (value, self->bridge);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_network_class_init (FerryNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ferry_network_finalize;
  object_class->get_property = ferry_network_get_property;

  properties[PROP_REF] = g_param_spec_string ("ref", NULL, NULL, NULL, flags);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_BRIDGE] = g_param_spec_string ("bridge", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_network_init (FerryNetwork *self)
{
  g_weak_ref_init (&self->pool, NULL);
}

FerryNetwork *
ferry_network_new (FerryPool  *pool,
                   const char *ref)
{
  FerryNetwork *self = g_object_new (FERRY_TYPE_NETWORK, NULL);

  g_weak_ref_set (&self->pool, pool);
  self->ref = g_strdup (ref);

  return self;
}

gboolean
ferry_network_update (FerryNetwork      *self,
                      const XapiNetwork *record)
{
  gboolean name_changed;

  g_object_freeze_notify (G_OBJECT (self));

  ferry_update_string (self, &self->uuid, xapi_str (record->record.uuid), properties[PROP_UUID]);
  name_changed = ferry_update_string (self, &self->name, xapi_str (record->record.name_label), properties[PROP_NAME]);
  ferry_update_string (self, &self->bridge, xapi_str (record->bridge), properties[PROP_BRIDGE]);

  g_object_thaw_notify (G_OBJECT (self));

  return name_changed;
}

const char *
ferry_network_get_ref (FerryNetwork *self)
{
  g_return_val_if_fail (FERRY_IS_NETWORK (self), NULL);
  return self->ref;
}

const char *
ferry_network_get_uuid (FerryNetwork *self)
{
  g_return_val_if_fail (FERRY_IS_NETWORK (self), NULL);
  return self->uuid;
}

const char *
ferry_network_get_name (FerryNetwork *self)
{
  g_return_val_if_fail (FERRY_IS_NETWORK (self), NULL);
  return self->name;
}

const char *
ferry_network_get_bridge (FerryNetwork *self)
{
  g_return_val_if_fail (FERRY_IS_NETWORK (self), NULL);
  return self->bridge;
}

FerryPool *
ferry_network_get_pool (FerryNetwork *self)
{
  g_return_val_if_fail (FERRY_IS_NETWORK (self), NULL);

  return ferry_weak_ref_peek (&self->pool); /* (transfer none) */
}

/* The PIF of @host on this network, from the cache, or NULL. */
static const XapiPif *
find_pif (FerryNetwork *self,
          FerryHost    *host)
{
  g_autoptr(FerryPool) pool = g_weak_ref_get (&self->pool);
  const XapiHost *record;

  if (pool == NULL || ferry_host_get_pool (host) != pool)
    return NULL;

  record = ferry_pool_lookup (pool, XAPI_CLASS_HOST, ferry_host_get_ref (host));
  for (guint i = 0; record != NULL && record->PIFs != NULL && record->PIFs[i] != NULL; i++)
    {
      const XapiPif *pif = ferry_pool_lookup (pool, XAPI_CLASS_PIF, record->PIFs[i]);

      if (pif != NULL && g_strcmp0 (xapi_str (pif->network), self->ref) == 0)
        return pif;
    }

  return NULL;
}

gboolean
ferry_network_is_management_on (FerryNetwork *self,
                                FerryHost    *host)
{
  const XapiPif *pif;

  g_return_val_if_fail (FERRY_IS_NETWORK (self), FALSE);
  g_return_val_if_fail (FERRY_IS_HOST (host), FALSE);

  pif = find_pif (self, host);
  return pif != NULL && pif->management;
}

gboolean
ferry_network_has_pif_on (FerryNetwork *self,
                          FerryHost    *host)
{
  g_return_val_if_fail (FERRY_IS_NETWORK (self), FALSE);
  g_return_val_if_fail (FERRY_IS_HOST (host), FALSE);

  return find_pif (self, host) != NULL;
}
