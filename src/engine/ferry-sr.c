/* ferry-sr.c: a storage repository of a pool, updated in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xapi-record.h"

#include "ferry-sr.h"
#include "ferry-host.h"
#include "ferry-pool-private.h"
#include "ferry-util-private.h"

struct _FerrySr
{
  FerryObject parent_instance;

  char       *type;
  char       *content_type;
  gboolean    shared;
  guint64     size;
  guint64     free;
};

G_DEFINE_FINAL_TYPE (FerrySr, ferry_sr, FERRY_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SHARED,
  PROP_TYPE,
  PROP_SIZE,
  PROP_FREE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ferry_sr_finalize (GObject *object)
{
  FerrySr *self = FERRY_SR (object);

  g_free (self->type);
  g_free (self->content_type);

  G_OBJECT_CLASS (ferry_sr_parent_class)->finalize (object);
}

static void
ferry_sr_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  FerrySr *self = FERRY_SR (object);

  switch (prop_id)
    {
    case PROP_SHARED:
      g_value_set_boolean (value, self->shared);
      break;
    case PROP_TYPE:
      g_value_set_string (value, self->type);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case PROP_FREE:
      g_value_set_uint64 (value, self->free);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_sr_update (FerryObject  *object,
                 FerryPool    *pool,
                 gconstpointer data)
{
  FerrySr      *self = FERRY_SR (object);
  const XapiSr *record = data;
  gboolean      shared = record->shared;
  gint64        size = MAX (record->physical_size, 0);
  gint64        used = MAX (record->physical_utilisation, 0);
  guint64       free_space = size > used ? (guint64) (size - used) : 0;

  ferry_update_string (self, &self->type, xapi_str (record->type), properties[PROP_TYPE]);
  ferry_set_string (&self->content_type, xapi_str (record->content_type));
  ferry_update_boolean (self, &self->shared, shared, properties[PROP_SHARED]);
  ferry_update_uint64 (self, &self->size, (guint64) size, properties[PROP_SIZE]);
  ferry_update_uint64 (self, &self->free, free_space, properties[PROP_FREE]);
}

static void
ferry_sr_class_init (FerrySrClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  FerryObjectClass *ferry_object_class = FERRY_OBJECT_CLASS (klass);
  GParamFlags       flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ferry_sr_finalize;
  object_class->get_property = ferry_sr_get_property;
  ferry_object_class->update = ferry_sr_update;

  properties[PROP_SHARED] = g_param_spec_boolean ("shared", NULL, NULL, FALSE, flags);
  properties[PROP_TYPE] = g_param_spec_string ("type", NULL, NULL, NULL, flags);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_FREE] = g_param_spec_uint64 ("free", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_sr_init (FerrySr *self)
{
}

gboolean
ferry_sr_get_shared (FerrySr *self)
{
  g_return_val_if_fail (FERRY_IS_SR (self), FALSE);
  return self->shared;
}

const char *
ferry_sr_get_sr_type (FerrySr *self)
{
  g_return_val_if_fail (FERRY_IS_SR (self), NULL);
  return self->type;
}

const char *
ferry_sr_get_content_type (FerrySr *self)
{
  g_return_val_if_fail (FERRY_IS_SR (self), NULL);
  return self->content_type;
}

guint64
ferry_sr_get_size (FerrySr *self)
{
  g_return_val_if_fail (FERRY_IS_SR (self), 0);
  return self->size;
}

guint64
ferry_sr_get_free (FerrySr *self)
{
  g_return_val_if_fail (FERRY_IS_SR (self), 0);
  return self->free;
}

gboolean
ferry_sr_is_attached_to (FerrySr   *self,
                         FerryHost *host)
{
  FerryPool    *pool;
  const XapiSr *record;
  const char   *host_ref;

  g_return_val_if_fail (FERRY_IS_SR (self), FALSE);
  g_return_val_if_fail (FERRY_IS_HOST (host), FALSE);

  pool = ferry_sr_get_pool (self);
  if (pool == NULL || ferry_host_get_pool (host) != pool)
    return FALSE;

  host_ref = ferry_host_get_ref (host);
  record = ferry_pool_lookup (pool, XAPI_CLASS_SR, ferry_sr_get_ref (self));
  for (guint i = 0; record != NULL && record->PBDs != NULL && record->PBDs[i] != NULL; i++)
    {
      const XapiPbd *pbd = ferry_pool_lookup (pool, XAPI_CLASS_PBD, record->PBDs[i]);

      if (pbd != NULL &&
          g_strcmp0 (xapi_str (pbd->host), host_ref) == 0 &&
          pbd->currently_attached)
        return TRUE;
    }

  return FALSE;
}
