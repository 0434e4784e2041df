/* ferry-server.c: one saved server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ferry-server-private.h"
#include "ferry-util-private.h"

struct _FerryServer
{
  GObject parent_instance;

  char   *url;
  char   *username;
  char   *fingerprint;
  char   *label;
};

G_DEFINE_FINAL_TYPE (FerryServer, ferry_server, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_URL,
  PROP_USERNAME,
  PROP_FINGERPRINT,
  PROP_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ferry_server_finalize (GObject *object)
{
  FerryServer *self = FERRY_SERVER (object);

  g_free (self->url);
  g_free (self->username);
  g_free (self->fingerprint);
  g_free (self->label);

  G_OBJECT_CLASS (ferry_server_parent_class)->finalize (object);
}

static void
ferry_server_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FerryServer *self = FERRY_SERVER (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_server_class_init (FerryServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ferry_server_finalize;
  object_class->get_property = ferry_server_get_property;

  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, flags);
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ferry_server_init (FerryServer *self)
{
}

static const char *
nonempty (const char *s)
{
  return s != NULL && *s != '\0' ? s : NULL;
}

FerryServer *
ferry_server_new (const char *url,
                  const char *username,
                  const char *fingerprint,
                  const char *label)
{
  FerryServer *self = g_object_new (FERRY_TYPE_SERVER, NULL);

  self->url = g_strdup (url);
  self->username = g_strdup (username);
  self->fingerprint = g_strdup (nonempty (fingerprint));
  self->label = g_strdup (nonempty (label));

  return self;
}

void
ferry_server_update (FerryServer *self,
                     const char  *username,
                     const char  *fingerprint,
                     const char  *label)
{
  g_object_freeze_notify (G_OBJECT (self));
  ferry_update_string (self, &self->username, username, properties[PROP_USERNAME]);
  ferry_update_string (self, &self->fingerprint, nonempty (fingerprint), properties[PROP_FINGERPRINT]);
  ferry_update_string (self, &self->label, nonempty (label), properties[PROP_LABEL]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
ferry_server_get_url (FerryServer *self)
{
  g_return_val_if_fail (FERRY_IS_SERVER (self), NULL);
  return self->url;
}

const char *
ferry_server_get_username (FerryServer *self)
{
  g_return_val_if_fail (FERRY_IS_SERVER (self), NULL);
  return self->username;
}

const char *
ferry_server_get_fingerprint (FerryServer *self)
{
  g_return_val_if_fail (FERRY_IS_SERVER (self), NULL);
  return self->fingerprint;
}

const char *
ferry_server_get_label (FerryServer *self)
{
  g_return_val_if_fail (FERRY_IS_SERVER (self), NULL);
  return self->label;
}

char *
ferry_server_canonical_url (const char *text)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *with_scheme = NULL;
  g_autofree char *host = NULL;
  const char      *scheme;
  int              port;

  if (text == NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    return NULL;

  if (strstr (stripped, "://") == NULL)
    with_scheme = g_strconcat ("https://", stripped, NULL);
  else
    with_scheme = g_strdup (stripped);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return NULL;

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  /* The default port says nothing; dropping it makes "host:443" and
   * "host" the same server. */
  if ((port == 443 && g_ascii_strcasecmp (scheme, "https") == 0) ||
      (port == 80 && g_ascii_strcasecmp (scheme, "http") == 0))
    port = -1;

  {
    g_autofree char *lower_scheme = g_ascii_strdown (scheme, -1);

    return g_uri_join (G_URI_FLAGS_NONE, lower_scheme, NULL, host, port, "", NULL, NULL);
  }
}
