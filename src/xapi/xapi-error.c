/* xapi-error.c: the error domain of the XAPI client library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-error.h"

#include <string.h>

/* XAPI failures are a code plus a list of strings; callers (the engine)
 * switch on the code and quote the parameters, so they travel with the
 * GError instead of being flattened into its message.  An extended error
 * domain keeps them alive through g_error_copy() and GTask. */
typedef struct
{
  char  *code;
  char **params;
  char  *fingerprint;
  char  *address;
  guint  http_status;
} XapiErrorPrivate;

static void
xapi_error_private_init (XapiErrorPrivate *priv)
{
  priv->code = NULL;
  priv->params = NULL;
  priv->fingerprint = NULL;
  priv->address = NULL;
  priv->http_status = 0;
}

static void
xapi_error_private_copy (const XapiErrorPrivate *src,
                         XapiErrorPrivate       *dest)
{
  dest->code = g_strdup (src->code);
  dest->params = g_strdupv (src->params);
  dest->fingerprint = g_strdup (src->fingerprint);
  dest->address = g_strdup (src->address);
  dest->http_status = src->http_status;
}

static void
xapi_error_private_clear (XapiErrorPrivate *priv)
{
  g_clear_pointer (&priv->code, g_free);
  g_clear_pointer (&priv->params, g_strfreev);
  g_clear_pointer (&priv->fingerprint, g_free);
  g_clear_pointer (&priv->address, g_free);
}

G_DEFINE_EXTENDED_ERROR (XapiError, xapi_error)

/* Parameters can be anything the server sends, including megabytes of
 * text; the message stays readable and bounded, the full values stay in
 * the parameters. */
#define MAX_PARAM_IN_MESSAGE 200

GError *
xapi_error_new_failure (const char         *code,
                        const char * const *params)
{
  g_autoptr(GString) message = NULL;
  XapiErrorPrivate *priv;
  GError           *error;
  guint             i;

  if (code == NULL || *code == '\0')
    code = "UNKNOWN_ERROR";

  message = g_string_new (code);
  for (i = 0; params != NULL && params[i] != NULL; i++)
    {
      gsize len = strlen (params[i]);

      g_string_append (message, i == 0 ? ": " : ", ");
      if (len > MAX_PARAM_IN_MESSAGE)
        {
          const char *end = g_utf8_find_prev_char (params[i], params[i] + MAX_PARAM_IN_MESSAGE);

          g_string_append_len (message, params[i], end != NULL ? end - params[i] : 0);
          g_string_append (message, "…");
        }
      else
        g_string_append_len (message, params[i], len);
    }

  error = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_FAILURE, message->str);
  priv = xapi_error_get_private (error);
  priv->code = g_strdup (code);
  priv->params = params != NULL ? g_strdupv ((char **) params) : g_new0 (char *, 1);

  return error;
}

GError *
xapi_error_new_certificate (XapiErrorEnum code,
                            const char   *fingerprint,
                            const char   *message)
{
  XapiErrorPrivate *priv;
  GError           *error;

  g_return_val_if_fail (code == XAPI_ERROR_CERTIFICATE_UNKNOWN ||
                          code == XAPI_ERROR_CERTIFICATE_CHANGED,
                        NULL);

  error = g_error_new_literal (XAPI_ERROR, code,
                               message != NULL ? message : "The host's certificate is not trusted");
  priv = xapi_error_get_private (error);
  priv->fingerprint = g_strdup (fingerprint);

  return error;
}

GError *
xapi_error_new_http (guint       status,
                     const char *message)
{
  XapiErrorPrivate *priv;
  GError           *error;

  error = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_HTTP,
                               message != NULL ? message : "Unexpected HTTP status");
  priv = xapi_error_get_private (error);
  priv->http_status = status;

  return error;
}

GError *
xapi_error_new_redirect_refused (const char *address,
                                 const char *message)
{
  XapiErrorPrivate *priv;
  GError           *error;

  error = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_REDIRECT_REFUSED,
                               message != NULL ? message : "A redirect to an unknown host was refused");
  priv = xapi_error_get_private (error);
  priv->address = g_strdup (address);

  return error;
}

static XapiErrorPrivate *
get_private_if_ours (const GError *error)
{
  if (error == NULL || error->domain != XAPI_ERROR)
    return NULL;

  return xapi_error_get_private (error);
}

const char *
xapi_error_get_code (const GError *error)
{
  XapiErrorPrivate *priv = get_private_if_ours (error);

  if (priv == NULL || error->code != XAPI_ERROR_FAILURE)
    return NULL;

  return priv->code;
}

const char * const *
xapi_error_get_params (const GError *error)
{
  XapiErrorPrivate *priv = get_private_if_ours (error);

  if (priv == NULL || error->code != XAPI_ERROR_FAILURE)
    return NULL;

  return (const char * const *) priv->params;
}

const char *
xapi_error_get_param (const GError *error,
                      guint         index)
{
  const char * const *params = xapi_error_get_params (error);
  guint               i;

  if (params == NULL)
    return NULL;

  for (i = 0; i < index; i++)
    if (params[i] == NULL)
      return NULL;

  return params[index];
}

gboolean
xapi_error_has_code (const GError *error,
                     const char   *code)
{
  const char *mine = xapi_error_get_code (error);

  return mine != NULL && code != NULL && strcmp (mine, code) == 0;
}

const char *
xapi_error_get_fingerprint (const GError *error)
{
  XapiErrorPrivate *priv = get_private_if_ours (error);

  if (priv == NULL)
    return NULL;

  return priv->fingerprint;
}

guint
xapi_error_get_http_status (const GError *error)
{
  XapiErrorPrivate *priv = get_private_if_ours (error);

  if (priv == NULL || error->code != XAPI_ERROR_HTTP)
    return 0;

  return priv->http_status;
}

const char *
xapi_error_get_address (const GError *error)
{
  XapiErrorPrivate *priv = get_private_if_ours (error);

  if (priv == NULL || error->code != XAPI_ERROR_REDIRECT_REFUSED)
    return NULL;

  return priv->address;
}

gboolean
xapi_error_is_bad_answer (const GError *error)
{
  return g_error_matches (error, XAPI_ERROR, XAPI_ERROR_MALFORMED) ||
         g_error_matches (error, XAPI_ERROR, XAPI_ERROR_TOO_LARGE) ||
         g_error_matches (error, XAPI_ERROR, XAPI_ERROR_HTTP) ||
         g_error_matches (error, XAPI_ERROR, XAPI_ERROR_TLS);
}
