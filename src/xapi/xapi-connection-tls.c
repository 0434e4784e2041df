/* xapi-connection-tls.c: a connection's certificate checks (fingerprints,
 * pinning, what a supporter announced)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-connection-private.h"

#include "xapi-error.h"
#include "xapi-util.h"

static gboolean
fingerprint_in_list (const char *list,
                     const char *fingerprint)
{
  g_auto(GStrv) items = NULL;
  guint i;

  if (list == NULL || fingerprint == NULL)
    return FALSE;

  items = g_strsplit_set (list, ", ;\t\n", -1);
  for (i = 0; items[i] != NULL; i++)
    if (*items[i] != '\0' && xapi_fingerprint_equal (items[i], fingerprint))
      return TRUE;

  return FALSE;
}

static gboolean
has_pinned (XapiConnection *self)
{
  return self->pinned != NULL && *self->pinned != '\0';
}

static gboolean
on_cert_cancel (gpointer user_data)
{
  XapiPost *post = user_data;

  g_cancellable_cancel (post->cancellable);

  return G_SOURCE_REMOVE;
}

void
xapi_connection_record_peer_fingerprint (XapiConnection *self,
                                         const char     *fingerprint)
{
  if (fingerprint != NULL)
    xapi_connection_set_string (self, &self->peer_fingerprint, fingerprint, PROP_PEER_FINGERPRINT);
}

/* Is a pinned fingerprint meant for this host?  The pin belongs to the host
 * the user connected to; a master we were sent to by HOST_IS_SLAVE may well
 * have another certificate, and is checked against what its supporter
 * announced instead. */
static gboolean
pin_applies_to (XapiConnection *self,
                const char     *base_url)
{
  return has_pinned (self) &&
         (g_strcmp0 (base_url, self->initial_url) == 0 ||
          !g_hash_table_contains (self->announced, base_url));
}

static const char *
announced_for (XapiConnection *self,
               const char     *base_url)
{
  const char *announced = g_hash_table_lookup (self->announced, base_url);

  return announced != NULL && *announced != '\0' ? announced : NULL;
}

static GError *
certificate_changed_error (const char *host,
                           const char *fingerprint)
{
  g_autofree char *message =
    g_strdup_printf ("The certificate of %s has changed since you trusted it. "
                     "This happens when the host is reinstalled or its certificate is "
                     "renewed, but it can also mean that someone is intercepting the "
                     "connection (new fingerprint %s).",
                     host, fingerprint != NULL ? fingerprint : "unknown");

  return xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_CHANGED, fingerprint, message);
}

static GError *
certificate_unknown_error (const char *host,
                           const char *fingerprint)
{
  g_autofree char *message =
    g_strdup_printf ("The certificate of %s is not trusted: it is self-signed or "
                     "signed by an unknown authority. Its SHA-256 fingerprint is %s.",
                     host, fingerprint != NULL ? fingerprint : "unknown");

  return xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_UNKNOWN, fingerprint, message);
}

/* Emitted during the handshake of a new connection whose certificate the
 * system does not trust. */
static gboolean
on_accept_certificate (SoupMessage         *msg,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       gpointer             user_data)
{
  XapiPost        *post = user_data;
  XapiConnection  *self = post->self;
  g_autofree char *fingerprint = xapi_certificate_get_fingerprint (certificate);
  const char      *announced;

  post->cert_checked = TRUE;
  xapi_connection_record_peer_fingerprint (self, fingerprint);

  if (fingerprint == NULL)
    {
      g_clear_error (&post->cert_error);
      post->cert_error = certificate_unknown_error (post->host, NULL);
      return FALSE;
    }

  if (fingerprint_in_list (self->pinned, fingerprint))
    return TRUE;

  announced = announced_for (self, post->base_url);
  if (announced != NULL && xapi_fingerprint_equal (announced, fingerprint))
    return TRUE;

  g_clear_error (&post->cert_error);
  /* A host whose certificate this connection already accepted (a master
   * its supporter vouched for, say) and that now shows another one has
   * changed it: it is no stranger. */
  if (pin_applies_to (self, post->base_url) || g_hash_table_contains (self->accepted, post->base_url))
    post->cert_error = certificate_changed_error (post->host, fingerprint);
  else
    post->cert_error = certificate_unknown_error (post->host, fingerprint);

  return FALSE;
}

/* Emitted for new connections only.  A certificate that validated normally
 * never reaches accept-certificate; record it here, and refuse it if the
 * user pinned another one for this host. */
static void
on_network_event (SoupMessage       *msg,
                  GSocketClientEvent event,
                  GIOStream         *connection,
                  gpointer           user_data)
{
  XapiPost        *post = user_data;
  XapiConnection  *self = post->self;
  GTlsCertificate *certificate = NULL;
  g_autofree char *fingerprint = NULL;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED)
    return;

  if (G_IS_TLS_CONNECTION (connection))
    certificate = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (connection));
  if (certificate == NULL)
    certificate = soup_message_get_tls_peer_certificate (msg);

  fingerprint = xapi_certificate_get_fingerprint (certificate);
  xapi_connection_record_peer_fingerprint (self, fingerprint);

  if (fingerprint == NULL)
    return;

  if (!post->cert_checked && pin_applies_to (self, post->base_url) &&
      !fingerprint_in_list (self->pinned, fingerprint))
    {
      g_clear_error (&post->cert_error);
      post->cert_error = certificate_changed_error (post->host, fingerprint);
      /* Not from inside libsoup's connection callback: from the main loop,
       * before the request is written. */
      if (post->cert_cancel_source == NULL)
        {
          post->cert_cancel_source = g_idle_source_new ();
          g_source_set_priority (post->cert_cancel_source, G_PRIORITY_HIGH);
          g_source_set_callback (post->cert_cancel_source, on_cert_cancel, post, NULL);
          g_source_attach (post->cert_cancel_source, g_main_context_get_thread_default ());
        }
      return;
    }

  /* The handshake went through: this host's certificate was taken.  Another
   * one shown later on this connection is a change (see
   * on_accept_certificate). */
  g_hash_table_replace (self->accepted, g_strdup (post->base_url), g_strdup (fingerprint));
}

/* Checks the certificates @post's message meets against the pinned and
 * announced fingerprints. */
void
xapi_post_check_certificates (XapiPost *post)
{
  g_signal_connect (post->msg, "accept-certificate", G_CALLBACK (on_accept_certificate), post);
  g_signal_connect (post->msg, "network-event", G_CALLBACK (on_network_event), post);
}

void
xapi_connection_set_pinned_fingerprint (XapiConnection *self,
                                        const char     *fingerprint)
{
  g_return_if_fail (XAPI_IS_CONNECTION (self));

  if (fingerprint != NULL && *fingerprint == '\0')
    fingerprint = NULL;
  xapi_connection_set_string (self, &self->pinned, fingerprint, PROP_PINNED_FINGERPRINT);
}

const char *
xapi_connection_get_pinned_fingerprint (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->pinned;
}

const char *
xapi_connection_get_peer_fingerprint (XapiConnection *self)
{
  g_return_val_if_fail (XAPI_IS_CONNECTION (self), NULL);

  return self->peer_fingerprint;
}
