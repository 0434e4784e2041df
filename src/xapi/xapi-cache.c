/* xapi-cache.c: a live copy of a pool's objects, kept current by event.from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-cache-private.h"

#include <string.h>

#include "xapi-error.h"
#include "xapi-util-private.h"
#include "xapi-util.h"

GType
xapi_cache_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { XAPI_CACHE_STATE_IDLE, "XAPI_CACHE_STATE_IDLE", "idle" },
        { XAPI_CACHE_STATE_LOADING, "XAPI_CACHE_STATE_LOADING", "loading" },
        { XAPI_CACHE_STATE_READY, "XAPI_CACHE_STATE_READY", "ready" },
        { XAPI_CACHE_STATE_RECONNECTING, "XAPI_CACHE_STATE_RECONNECTING", "reconnecting" },
        { XAPI_CACHE_STATE_FAILED, "XAPI_CACHE_STATE_FAILED", "failed" },
        { 0, NULL, NULL },
      };
      GType id = g_enum_register_static (g_intern_static_string ("XapiCacheState"), values);

      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

G_DEFINE_FINAL_TYPE (XapiCache, xapi_cache, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CONNECTION,
  PROP_STATE,
  PROP_ERROR,
  PROP_STALLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint              xapi_cache_signals[N_SIGNALS];

void
xapi_cache_set_state (XapiCache     *self,
                      XapiCacheState state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
xapi_cache_set_error (XapiCache    *self,
                      const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

void
xapi_cache_set_stalled (XapiCache *self,
                        gboolean   stalled)
{
  if (self->stalled == stalled)
    return;

  self->stalled = stalled;
  g_debug ("xapi-cache: the event stream of %s %s", xapi_connection_get_url (self->connection),
           stalled ? "does not advance" : "advances again");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALLED]);
}

/* ---- Public API ------------------------------------------------------------ */

XapiCache *
xapi_cache_new (XapiConnection     *connection,
                const char * const *classes)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  XapiCache *self;
  guint      i;

  g_return_val_if_fail (XAPI_IS_CONNECTION (connection), NULL);

  self = g_object_new (XAPI_TYPE_CACHE, "connection", connection, NULL);

  self->followed = 1u << XAPI_CLASS_POOL;
  g_ptr_array_add (list, g_strdup ("pool"));
  for (i = 0; classes != NULL && classes[i] != NULL; i++)
    {
      XapiClass klass = xapi_class_from_name (classes[i]);

      if (klass == XAPI_CLASS_NONE)
        {
          g_warning ("xapi-cache: no record type for class \"%s\"; not followed", classes[i]);
          continue;
        }
      if ((self->followed & (1u << klass)) != 0)
        continue;
      self->followed |= 1u << klass;
      g_ptr_array_add (list, g_strdup (xapi_class_get_name (klass)));
    }
  g_ptr_array_add (list, NULL);
  self->classes = (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);

  /* What the records of the followed classes keep is all that is decoded
   * of their snapshots. */
  self->keep = g_hash_table_new (g_str_hash, g_str_equal);
  for (int k = 0; k < XAPI_N_CLASSES; k++)
    if ((self->followed & (1u << k)) != 0)
      {
        guint            n;
        const XapiField *fields = xapi_class_get_fields ((XapiClass) k, &n);

        for (i = 0; i < n; i++)
          g_hash_table_add (self->keep, (gpointer) fields[i].name);
      }

  return self;
}

/* Drops whatever event.from is under way or due: its results belong to
 * the old generation. */
static void
stop_calls (XapiCache *self)
{
  self->generation++;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  xapi_clear_source (&self->retry_source);
  xapi_clear_source (&self->pace_source);
  xapi_clear_source (&self->waiting_source);
}

void
xapi_cache_start (XapiCache *self)
{
  g_return_if_fail (XAPI_IS_CACHE (self));

  if (self->state != XAPI_CACHE_STATE_IDLE && self->state != XAPI_CACHE_STATE_FAILED)
    return;

  self->generation++;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->backoff = 0;
  self->lost_streak = 0;
  self->idle_streak = 0;
  self->bad_answers = 0;

  xapi_cache_set_error (self, NULL);
  xapi_cache_set_state (self, XAPI_CACHE_STATE_LOADING);
  xapi_cache_load (self);
}

void
xapi_cache_stop (XapiCache *self)
{
  g_return_if_fail (XAPI_IS_CACHE (self));

  stop_calls (self);
  xapi_cache_discard_pending (self);

  xapi_cache_set_stalled (self, FALSE);
  xapi_cache_set_state (self, XAPI_CACHE_STATE_IDLE);
}

XapiCacheState
xapi_cache_get_state (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), XAPI_CACHE_STATE_IDLE);

  return self->state;
}

const GError *
xapi_cache_get_error (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), NULL);

  return self->error;
}

gboolean
xapi_cache_is_stalled (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), FALSE);

  return self->stalled;
}

gboolean
xapi_cache_is_loaded (XapiCache *self)
{
  g_return_val_if_fail (XAPI_IS_CACHE (self), FALSE);

  return self->loaded;
}

/* ---- GObject --------------------------------------------------------------- */

static void
xapi_cache_dispose (GObject *object)
{
  XapiCache *self = XAPI_CACHE (object);

  stop_calls (self);
  if (self->pending != NULL)
    xapi_cache_discard_pending (self);
  xapi_clear_source (&self->graveyard_source);
  g_queue_clear_full (&self->graveyard, (GDestroyNotify) g_hash_table_unref);
  g_clear_pointer (&self->data, xapi_cache_data_free);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (xapi_cache_parent_class)->dispose (object);
}

static void
xapi_cache_finalize (GObject *object)
{
  XapiCache *self = XAPI_CACHE (object);

  g_strfreev (self->classes);
  g_clear_pointer (&self->keep, g_hash_table_unref);
  g_clear_error (&self->error);
  g_free (self->first_pool_uuid);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->pending_index, g_hash_table_unref);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (xapi_cache_parent_class)->finalize (object);
}

static void
xapi_cache_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  XapiCache *self = XAPI_CACHE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_STALLED:
      g_value_set_boolean (value, self->stalled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xapi_cache_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  XapiCache *self = XAPI_CACHE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xapi_cache_class_init (XapiCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xapi_cache_dispose;
  object_class->finalize = xapi_cache_finalize;
  object_class->get_property = xapi_cache_get_property;
  object_class->set_property = xapi_cache_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, XAPI_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, XAPI_TYPE_CACHE_STATE, XAPI_CACHE_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STALLED] =
    g_param_spec_boolean ("stalled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  xapi_cache_signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  xapi_cache_signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  xapi_cache_signals[SIGNAL_RESET] =
    g_signal_new ("reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  xapi_tune_allocator ();
}

static void
xapi_cache_init (XapiCache *self)
{
  self->state = XAPI_CACHE_STATE_IDLE;
  self->context = g_main_context_ref_thread_default ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) xapi_cache_pending_free);
  self->pending_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->graveyard);
}
