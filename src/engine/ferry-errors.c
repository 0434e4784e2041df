/* ferry-errors.c: the engine's error domain, and errors as plain sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

#include "xapi-error.h"

#include "ferry-errors-private.h"

/* What travels with a FERRY_ERROR besides its sentence.  Errors the engine
 * raises itself carry nothing (their message is the whole story); those
 * translated from the protocol layer keep what a front end acts on and what
 * "Details" shows, through g_error_copy() and GTask. */
typedef struct
{
  char  *fix;       /* the suggested fix, translated */
  char  *details;   /* the raw words, for "Details" */
  char  *pool_code; /* the pool's own error code, and its parameters */
  char **pool_params;
  char  *fingerprint;
  char  *address;
} FerryErrorPrivate;

static void
ferry_error_private_init (FerryErrorPrivate *priv)
{
  memset (priv, 0, sizeof *priv);
}

static void
ferry_error_private_copy (const FerryErrorPrivate *src,
                          FerryErrorPrivate       *dest)
{
  dest->fix = g_strdup (src->fix);
  dest->details = g_strdup (src->details);
  dest->pool_code = g_strdup (src->pool_code);
  dest->pool_params = g_strdupv (src->pool_params);
  dest->fingerprint = g_strdup (src->fingerprint);
  dest->address = g_strdup (src->address);
}

static void
ferry_error_private_clear (FerryErrorPrivate *priv)
{
  g_clear_pointer (&priv->fix, g_free);
  g_clear_pointer (&priv->details, g_free);
  g_clear_pointer (&priv->pool_code, g_free);
  g_clear_pointer (&priv->pool_params, g_strfreev);
  g_clear_pointer (&priv->fingerprint, g_free);
  g_clear_pointer (&priv->address, g_free);
}

G_DEFINE_EXTENDED_ERROR (FerryError, ferry_error)

static FerryErrorPrivate *
get_private_if_ours (const GError *error)
{
  if (error == NULL || error->domain != FERRY_ERROR)
    return NULL;

  return ferry_error_get_private (error);
}

const char *
ferry_error_get_fingerprint (const GError *error)
{
  FerryErrorPrivate *priv = get_private_if_ours (error);

  return priv != NULL ? priv->fingerprint : NULL;
}

const char *
ferry_error_get_address (const GError *error)
{
  FerryErrorPrivate *priv = get_private_if_ours (error);

  return priv != NULL ? priv->address : NULL;
}
char *
ferry_error_code_explain (const char              *code,
                          const char * const      *params,
                          const FerryErrorContext *context,
                          char                   **suggested_fix,
                          char                   **details)
{
  const ErrorEntry *e;
  char             *sentence = NULL;
  char             *fix = NULL;

  g_return_val_if_fail (code != NULL, NULL);

  if (suggested_fix != NULL)
    *suggested_fix = NULL;
  if (details != NULL)
    *details = ferry_error_details_of (code, params, context);

  sentence = ferry_error_named_sentence (code, params, context, &fix);
  if (sentence != NULL)
    {
      if (suggested_fix != NULL)
        *suggested_fix = fix;
      else
        g_free (fix);
      return sentence;
    }
  g_free (fix);

  e = ferry_error_find_entry (code);
  if (e == NULL)
    {
      g_autofree char *joined = params != NULL && ferry_error_n_params (params) > 0
                                ? g_strjoinv (", ", (char **) params)
                                : NULL;

      if (joined != NULL)
        /* Translators: an error code the pool sent that Ferry does not know, and its details */
        return g_strdup_printf (_("The pool refused the operation: %s (%s)."), code, joined);
      return g_strdup_printf (_("The pool refused the operation: %s."), code);
    }

  sentence = ferry_error_expand (_(e->sentence), params);
  if (sentence == NULL)
    sentence = g_strdup (_(e->plain != NULL ? e->plain : e->sentence));

  if (suggested_fix != NULL && e->fix != NULL)
    *suggested_fix = g_strdup (_(e->fix));

  return sentence;
}

char *
ferry_error_code_to_sentence (const char         *code,
                              const char * const *params,
                              char              **suggested_fix)
{
  return ferry_error_code_explain (code, params, NULL, suggested_fix, NULL);
}

char *
ferry_error_explain (const GError            *error,
                     const FerryErrorContext *context,
                     char                   **suggested_fix,
                     char                   **details)
{
  g_autofree char *detail = NULL;
  const char      *fix = NULL;
  char            *sentence = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (suggested_fix != NULL)
    *suggested_fix = NULL;
  if (details != NULL)
    *details = NULL;

  if (error->domain == XAPI_ERROR)
    {
      /* The library's own words, for whoever reads the hosts' logs. */
      if (details != NULL && error->code != XAPI_ERROR_FAILURE)
        *details = g_strdup (error->message);

      switch ((XapiErrorEnum) error->code)
        {
        case XAPI_ERROR_FAILURE:
          {
            const char *code = xapi_error_get_code (error);

            if (code != NULL)
              return ferry_error_code_explain (code, xapi_error_get_params (error),
                                               context, suggested_fix, details);
            sentence = g_strdup (error->message);
          }
          break;

        case XAPI_ERROR_CONNECTION:
          detail = ferry_error_without_final_period (error->message);
          sentence = g_strdup_printf (_("Could not reach the host (%s)."), detail);
          fix = _("Check that the host is on and reachable from this computer.");
          break;

        case XAPI_ERROR_TIMEOUT:
          sentence = g_strdup (_("The host did not answer in time."));
          fix = _("Check the network, then try again.");
          break;

        case XAPI_ERROR_HTTP:
          detail = ferry_error_without_final_period (error->message);
          sentence = g_strdup_printf (_("The host gave an unexpected answer (%s)."), detail);
          fix = _("Check that the address is the one of a XenServer or XCP-ng host.");
          break;

        case XAPI_ERROR_MALFORMED:
          /* The detail names the host and where in the reply it went wrong:
           * what whoever looks into it needs first. */
          detail = ferry_error_without_final_period (error->message);
          sentence = g_strdup_printf (_("The host’s answer could not be understood (%s)."), detail);
          fix = _("Check that the address is the one of a XenServer or XCP-ng host.");
          break;

        case XAPI_ERROR_TOO_LARGE:
          detail = ferry_error_without_final_period (error->message);
          sentence = g_strdup_printf (_("The host’s answer was refused (%s)."), detail);
          fix = _("Check that the address is the one of a XenServer or XCP-ng host.");
          break;

        case XAPI_ERROR_TLS:
          detail = ferry_error_without_final_period (error->message);
          sentence = g_strdup_printf (_("No secure connection to the host could be set up (%s)."), detail);
          fix = _("Check that the address is the one of a XenServer or XCP-ng host, and that nothing on the way intercepts the connection.");
          break;

        case XAPI_ERROR_CERTIFICATE_UNKNOWN:
          {
            const char *fp = xapi_error_get_fingerprint (error);

            if (fp != NULL)
              sentence = g_strdup_printf (_("The host’s certificate is not trusted (SHA-256 fingerprint %s)."), fp);
            else
              sentence = g_strdup (_("The host’s certificate is not trusted."));
            fix = _("Compare the fingerprint with the one shown on the host’s console, and trust it only if they match.");
          }
          break;

        case XAPI_ERROR_CERTIFICATE_CHANGED:
          {
            const char *fp = xapi_error_get_fingerprint (error);

            if (fp != NULL)
              sentence = g_strdup_printf (_("The host’s certificate has changed since it was trusted (now %s)."), fp);
            else
              sentence = g_strdup (_("The host’s certificate has changed since it was trusted."));
            fix = _("If the certificate was renewed on purpose, check the new fingerprint and trust it again; otherwise do not connect.");
          }
          break;

        case XAPI_ERROR_REDIRECT_REFUSED:
          {
            const char *address = xapi_error_get_address (error);

            /* TRANSLATORS: %s is an IP address or host name */
            sentence = g_strdup_printf (_("The host says the pool’s master is now at %s, which is not a known host of this pool, so Ferry did not send the password there over an unencrypted connection."),
                                        address != NULL ? address : _("an unknown address"));
            fix = _("Check that this address belongs to the pool before you let Ferry follow it, or connect with HTTPS.");
          }
          break;

        case XAPI_ERROR_WRONG_POOL:
          sentence = g_strdup (_("The host now belongs to another pool than the one Ferry knew."));
          fix = _("Check the address, and remove and add the server again if the pool was rebuilt.");
          break;

        default:
          sentence = g_strdup (error->message);
          break;
        }
    }
  else if (error->domain == FERRY_ERROR)
    {
      FerryErrorPrivate *priv = ferry_error_get_private (error);

      /* The pool's own code: named anew with what this caller knows. */
      if (priv->pool_code != NULL)
        return ferry_error_code_explain (priv->pool_code, (const char * const *) priv->pool_params,
                                         context, suggested_fix, details);
      sentence = g_strdup (error->message);
      fix = priv->fix;
      if (details != NULL)
        *details = g_strdup (priv->details);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      sentence = g_strdup (_("The operation was cancelled."));
    }
  else
    {
      /* Engine and other errors already carry a plain sentence. */
      sentence = g_strdup (error->message);
    }

  if (suggested_fix != NULL && fix != NULL)
    *suggested_fix = g_strdup (fix);

  return sentence;
}

char *
ferry_error_to_sentence (const GError *error,
                         char        **suggested_fix)
{
  return ferry_error_explain (error, NULL, suggested_fix, NULL);
}

static char *
join_sentence (char *sentence,
               char *fix)
{
  char *message;

  if (fix == NULL)
    return sentence;

  message = g_strconcat (sentence, " ", fix, NULL);
  g_free (sentence);
  g_free (fix);

  return message;
}

char *
ferry_error_to_message (const GError *error)
{
  char *fix = NULL;
  char *sentence = ferry_error_to_sentence (error, &fix);

  return join_sentence (sentence, fix);
}

char *
ferry_error_code_to_message (const char         *code,
                             const char * const *params)
{
  char *fix = NULL;
  char *sentence = ferry_error_code_to_sentence (code, params, &fix);

  return join_sentence (sentence, fix);
}

char *
ferry_error_to_named_message (const GError            *error,
                              const FerryErrorContext *context,
                              char                   **details)
{
  char *fix = NULL;
  char *sentence = ferry_error_explain (error, context, &fix, details);

  return join_sentence (sentence, fix);
}

/* ---- leaving the engine --------------------------------------------------- */

static FerryError
code_for_xapi (const GError *error)
{
  switch ((XapiErrorEnum) error->code)
    {
    case XAPI_ERROR_FAILURE:
      return xapi_error_has_code (error, "SESSION_AUTHENTICATION_FAILED")
             ? FERRY_ERROR_AUTHENTICATION_FAILED
             : FERRY_ERROR_REFUSED;
    case XAPI_ERROR_CONNECTION:
      return FERRY_ERROR_CONNECTION;
    case XAPI_ERROR_TIMEOUT:
      return FERRY_ERROR_TIMEOUT;
    case XAPI_ERROR_HTTP:
      return FERRY_ERROR_HTTP;
    case XAPI_ERROR_MALFORMED:
      return FERRY_ERROR_MALFORMED;
    case XAPI_ERROR_CERTIFICATE_UNKNOWN:
      return FERRY_ERROR_CERTIFICATE_UNKNOWN;
    case XAPI_ERROR_CERTIFICATE_CHANGED:
      return FERRY_ERROR_CERTIFICATE_CHANGED;
    case XAPI_ERROR_WRONG_POOL:
      return FERRY_ERROR_WRONG_POOL;
    case XAPI_ERROR_REDIRECT_REFUSED:
      return FERRY_ERROR_REDIRECT_REFUSED;
    case XAPI_ERROR_TLS:
      return FERRY_ERROR_TLS;
    case XAPI_ERROR_TOO_LARGE:
      return FERRY_ERROR_TOO_LARGE;
    default:
      return FERRY_ERROR_FAILED;
    }
}

GError *
ferry_error_from_xapi (const GError *error)
{
  g_autofree char   *fix = NULL;
  g_autofree char   *details = NULL;
  g_autofree char   *sentence = NULL;
  FerryErrorPrivate *priv;
  GError            *translated;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != XAPI_ERROR)
    return g_error_copy (error);

  sentence = ferry_error_explain (error, NULL, &fix, &details);
  translated = g_error_new_literal (FERRY_ERROR, code_for_xapi (error), sentence);
  priv = ferry_error_get_private (translated);
  priv->fix = g_steal_pointer (&fix);
  priv->details = g_steal_pointer (&details);
  priv->pool_code = g_strdup (xapi_error_get_code (error));
  priv->pool_params = g_strdupv ((char **) xapi_error_get_params (error));
  priv->fingerprint = g_strdup (xapi_error_get_fingerprint (error));
  priv->address = g_strdup (xapi_error_get_address (error));

  return translated; /* (transfer full) */
}

void
ferry_error_translate (GError **error)
{
  GError *translated;

  if (error == NULL || *error == NULL || (*error)->domain != XAPI_ERROR)
    return;

  translated = ferry_error_from_xapi (*error);
  g_clear_error (error);
  *error = translated;
}
