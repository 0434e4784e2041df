/* xapi-error.h: the error domain of the XAPI client library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define XAPI_ERROR (xapi_error_quark ())

/**
 * XapiErrorEnum:
 * @XAPI_ERROR_FAILURE: the server answered with a XAPI failure; the wire code
 *   (e.g. "VM_REQUIRES_SR") and its parameters are kept with the error, see
 *   xapi_error_get_code() and xapi_error_get_params()
 * @XAPI_ERROR_CONNECTION: the host could not be reached, or the connection
 *   dropped before a complete reply arrived
 * @XAPI_ERROR_TIMEOUT: the host did not answer in time
 * @XAPI_ERROR_HTTP: the host answered with a non-2xx HTTP status
 * @XAPI_ERROR_MALFORMED: the reply was not a valid JSON-RPC response
 * @XAPI_ERROR_CERTIFICATE_UNKNOWN: the host presented a certificate that is
 *   neither trusted by the system nor pinned; its SHA-256 fingerprint is
 *   kept with the error (xapi_error_get_fingerprint())
 * @XAPI_ERROR_CERTIFICATE_CHANGED: the host presented a certificate other
 *   than the pinned one
 * @XAPI_ERROR_WRONG_POOL: a redirect led to a host of another pool
 * @XAPI_ERROR_REDIRECT_REFUSED: HOST_IS_SLAVE named, over plain HTTP, an
 *   address that is not a known host of the pool, and the login (with the
 *   password) was not sent there; the address is kept with the error
 *   (xapi_error_get_address())
 * @XAPI_ERROR_TLS: no secure connection could be set up (a TLS handshake
 *   or protocol failure, as opposed to a certificate that is not trusted)
 * @XAPI_ERROR_TOO_LARGE: the reply was longer than anything XAPI sends
 *   and was refused without being read to its end
 */
typedef enum
{
  XAPI_ERROR_FAILURE,
  XAPI_ERROR_CONNECTION,
  XAPI_ERROR_TIMEOUT,
  XAPI_ERROR_HTTP,
  XAPI_ERROR_MALFORMED,
  XAPI_ERROR_CERTIFICATE_UNKNOWN,
  XAPI_ERROR_CERTIFICATE_CHANGED,
  XAPI_ERROR_WRONG_POOL,
  XAPI_ERROR_REDIRECT_REFUSED,
  XAPI_ERROR_TLS,
  XAPI_ERROR_TOO_LARGE,
} XapiErrorEnum;

/* Whether @error says the host answered, but with something that is not a
 * usable reply (malformed, too large, an HTTP error): asking again at once
 * is unlikely to help, unlike after silence or a lost connection. */
gboolean            xapi_error_is_bad_answer (const GError *error);

GQuark              xapi_error_quark (void);

/* (transfer full) */
GError             *xapi_error_new_failure (const char         *code,
                                            const char             *const *params);
GError             *xapi_error_new_certificate (XapiErrorEnum code,
                                                const char   *fingerprint,
                                                const char   *message);

/* For XAPI_ERROR_FAILURE: the wire code and its parameters; NULL otherwise. (transfer none) */
const char         *xapi_error_get_code (const GError *error);
const char * const *xapi_error_get_params (const GError *error);
const char         *xapi_error_get_param (const GError *error,
                                          guint         index);
gboolean            xapi_error_has_code (const GError *error,
                                         const char   *code);

/* For the certificate errors: "AB:CD:..." (SHA-256, upper-case hex). (transfer none) */
const char         *xapi_error_get_fingerprint (const GError *error);

/* For XAPI_ERROR_REDIRECT_REFUSED: the address HOST_IS_SLAVE named, as
 * sent (a bare IPv4 or IPv6 literal, or a name). (transfer full) */
GError             *xapi_error_new_redirect_refused (const char *address,
                                                     const char *message);
/* (transfer none) */
const char         *xapi_error_get_address (const GError *error);

/* For XAPI_ERROR_HTTP: the HTTP status the host answered with; 0 otherwise. */
guint               xapi_error_get_http_status (const GError *error);
/* (transfer full) */
GError             *xapi_error_new_http (guint       status,
                                         const char *message);

G_END_DECLS
