/* ferry-host.c: a host of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-host-private.h"
#include "ferry-pool-private.h"
#include "ferry-util-private.h"

struct _FerryHost
{
  FerryObject parent_instance;

  char       *address;
  char       *metrics_ref;
  char       *suspend_sr_ref;
  gboolean    enabled;
  gboolean    live;
  gboolean    is_master;
  guint64     memory_total;
  guint64     memory_free;
  GListStore *vms;
};

G_DEFINE_FINAL_TYPE (FerryHost, ferry_host, FERRY_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ADDRESS,
  PROP_ENABLED,
  PROP_LIVE,
  PROP_IS_MASTER,
  PROP_MEMORY_TOTAL,
  PROP_MEMORY_FREE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ferry_host_finalize (GObject *object)
{
  FerryHost *self = FERRY_HOST (object);

  g_free (self->address);
  g_free (self->metrics_ref);
  g_free (self->suspend_sr_ref);
  g_clear_object (&self->vms);

  G_OBJECT_CLASS (ferry_host_parent_class)->finalize (object);
}

static void
ferry_host_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FerryHost *self = FERRY_HOST (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    case PROP_IS_MASTER:
      g_value_set_boolean (value, self->is_master);
      break;
    case PROP_MEMORY_TOTAL:
      g_value_set_uint64 (value, self->memory_total);
      break;
    case PROP_MEMORY_FREE:
      g_value_set_uint64 (value, self->memory_free);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_host_update (FerryObject  *object,
                   FerryPool    *pool,
                   gconstpointer data)
{
  FerryHost             *self = FERRY_HOST (object);
  const XapiHost        *record = data;
  const XapiHostMetrics *metrics = ferry_pool_lookup (pool, XAPI_CLASS_HOST_METRICS, record->metrics);
  gboolean               is_master = g_strcmp0 (ferry_host_get_ref (self), pool->master_ref) == 0;
  gboolean               enabled = record->enabled;
  /* Without metrics (not loaded yet) a host counts as live: XAPI's own
   * HOST_NOT_LIVE check still applies when the migration is sent. */
  gboolean               live = metrics != NULL ? metrics->live : TRUE;
  guint64                total = metrics != NULL ? (guint64) MAX (metrics->memory_total, 0) : 0;
  guint64                free_mem = metrics != NULL ? (guint64) MAX (metrics->memory_free, 0) : 0;

  ferry_update_string (self, &self->address, xapi_str (record->address), properties[PROP_ADDRESS]);
  ferry_set_string (&self->metrics_ref, record->metrics);
  ferry_set_string (&self->suspend_sr_ref, record->suspend_image_sr);

  ferry_update_boolean (self, &self->enabled, enabled, properties[PROP_ENABLED]);
  ferry_update_boolean (self, &self->live, live, properties[PROP_LIVE]);
  ferry_update_boolean (self, &self->is_master, is_master, properties[PROP_IS_MASTER]);
  ferry_update_uint64 (self, &self->memory_total, total, properties[PROP_MEMORY_TOTAL]);
  ferry_update_uint64 (self, &self->memory_free, free_mem, properties[PROP_MEMORY_FREE]);
}

static void
ferry_host_class_init (FerryHostClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  FerryObjectClass *ferry_object_class = FERRY_OBJECT_CLASS (klass);
  GParamFlags       flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ferry_host_finalize;
  object_class->get_property = ferry_host_get_property;
  ferry_object_class->update = ferry_host_update;

  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, FALSE, flags);
  properties[PROP_LIVE] = g_param_spec_boolean ("live", NULL, NULL, FALSE, flags);
  properties[PROP_IS_MASTER] = g_param_spec_boolean ("is-master", NULL, NULL, FALSE, flags);
  properties[PROP_MEMORY_TOTAL] = g_param_spec_uint64 ("memory-total", NULL, NULL,
                                                       0, G_MAXUINT64, 0, flags);
  properties[PROP_MEMORY_FREE] = g_param_spec_uint64 ("memory-free", NULL, NULL,
                                                      0, G_MAXUINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_host_init (FerryHost *self)
{
  self->vms = g_list_store_new (ferry_vm_get_type ());
}

const char *
ferry_host_get_metrics_ref (FerryHost *self)
{
  return self->metrics_ref;
}

GListStore *
ferry_host_get_vm_store (FerryHost *self)
{
  return self->vms;
}

void
ferry_host_detach (FerryHost *self)
{
  g_list_store_remove_all (self->vms);
}

const char *
ferry_host_get_address (FerryHost *self)
{
  g_return_val_if_fail (FERRY_IS_HOST (self), NULL);
  return self->address;
}

gboolean
ferry_host_get_enabled (FerryHost *self)
{
  g_return_val_if_fail (FERRY_IS_HOST (self), FALSE);
  return self->enabled;
}

gboolean
ferry_host_get_live (FerryHost *self)
{
  g_return_val_if_fail (FERRY_IS_HOST (self), FALSE);
  return self->live;
}

gboolean
ferry_host_get_is_master (FerryHost *self)
{
  g_return_val_if_fail (FERRY_IS_HOST (self), FALSE);
  return self->is_master;
}

guint64
ferry_host_get_memory_total (FerryHost *self)
{
  g_return_val_if_fail (FERRY_IS_HOST (self), 0);
  return self->memory_total;
}

guint64
ferry_host_get_memory_free (FerryHost *self)
{
  g_return_val_if_fail (FERRY_IS_HOST (self), 0);
  return self->memory_free;
}

GListModel *
ferry_host_get_vms (FerryHost *self)
{
  g_return_val_if_fail (FERRY_IS_HOST (self), NULL);
  return G_LIST_MODEL (self->vms);
}

FerrySr *
ferry_host_get_suspend_image_sr (FerryHost *self)
{
  FerryPool *pool;

  g_return_val_if_fail (FERRY_IS_HOST (self), NULL);

  pool = ferry_host_get_pool (self);
  /* (transfer none): the pool keeps its SRs. */
  return pool != NULL ? ferry_pool_get_sr_by_ref (pool, self->suspend_sr_ref) : NULL;
}
