/* ferry-network.c: a network of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xapi-record.h"

#include "ferry-network.h"
#include "ferry-host.h"
#include "ferry-pool-private.h"
#include "ferry-util-private.h"

struct _FerryNetwork
{
  FerryObject parent_instance;

  char       *bridge;
};

G_DEFINE_FINAL_TYPE (FerryNetwork, ferry_network, FERRY_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BRIDGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ferry_network_finalize (GObject *object)
{
  FerryNetwork *self = FERRY_NETWORK (object);

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
    case PROP_BRIDGE:
      g_value_set_string (value, self->bridge);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_network_update (FerryObject  *object,
                      FerryPool    *pool,
                      gconstpointer data)
{
  FerryNetwork      *self = FERRY_NETWORK (object);
  const XapiNetwork *record = data;

  ferry_update_string (self, &self->bridge, xapi_str (record->bridge), properties[PROP_BRIDGE]);
}

static void
ferry_network_class_init (FerryNetworkClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  FerryObjectClass *ferry_object_class = FERRY_OBJECT_CLASS (klass);
  GParamFlags       flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ferry_network_finalize;
  object_class->get_property = ferry_network_get_property;
  ferry_object_class->update = ferry_network_update;

  properties[PROP_BRIDGE] = g_param_spec_string ("bridge", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_network_init (FerryNetwork *self)
{
}

const char *
ferry_network_get_bridge (FerryNetwork *self)
{
  g_return_val_if_fail (FERRY_IS_NETWORK (self), NULL);
  return self->bridge;
}

/* The PIF of @host on this network, from the cache, or NULL. */
static const XapiPif *
find_pif (FerryNetwork *self,
          FerryHost    *host)
{
  FerryPool      *pool = ferry_network_get_pool (self);
  const XapiHost *record;

  if (pool == NULL || ferry_host_get_pool (host) != pool)
    return NULL;

  record = ferry_pool_lookup (pool, XAPI_CLASS_HOST, ferry_host_get_ref (host));
  for (guint i = 0; record != NULL && record->PIFs != NULL && record->PIFs[i] != NULL; i++)
    {
      const XapiPif *pif = ferry_pool_lookup (pool, XAPI_CLASS_PIF, record->PIFs[i]);

      if (pif != NULL && g_strcmp0 (xapi_str (pif->network), ferry_network_get_ref (self)) == 0)
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
