/* fuzz-rpc-response.c: the JSON-RPC reply decoder on any HTTP body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * xapi_decode_reply() is what turns the body of every XAPI answer into a
 * result or a GError (a XAPI failure with its code and parameters, or a
 * malformed reply).  Besides surviving any body, it must keep its promises:
 * exactly one of result and error; errors only in XAPI_ERROR with codes
 * FAILURE or MALFORMED; a failure always has a non-empty code and
 * parameters that are valid UTF-8 strings (they end up in dialogs); a
 * message that is valid UTF-8 and names the host; a result that is the
 * reply's "result" member, detached from the rest of the reply.
 */

#include <json-glib/json-glib.h>
#include <string.h>

#include "fuzz-common.h"
#include "xapi-error.h"
#include "xapi-private.h"

/* Ferry numbers its requests from 1; replies to other ids must be refused. */
#define REQUEST_ID 1
#define HOST "pool-master.example"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

static void
check_failure (const GError *error)
{
  const char *code = xapi_error_get_code (error);
  const char * const *params = xapi_error_get_params (error);
  guint n = 0;

  FUZZ_CHECK (code != NULL && *code != '\0');
  FUZZ_CHECK (g_utf8_validate (code, -1, NULL));
  FUZZ_CHECK (xapi_error_has_code (error, code));
  FUZZ_CHECK (params != NULL);
  for (n = 0; params[n] != NULL; n++)
    {
      FUZZ_CHECK (g_utf8_validate (params[n], -1, NULL));
      FUZZ_CHECK (g_strcmp0 (xapi_error_get_param (error, n), params[n]) == 0);
    }
  FUZZ_CHECK (xapi_error_get_param (error, n) == NULL);
  FUZZ_CHECK (xapi_error_get_param (error, n + 1) == NULL);
}

/* The same reply, decoded independently: its "result" member. */
static JsonNode *
expected_result (const char *data,
                 size_t      size)
{
  g_autofree char *reason = NULL;
  g_autoptr(JsonNode) root = xapi_json_parse (data, size, &reason);
  JsonNode *member;

  FUZZ_CHECK (root != NULL);
  FUZZ_CHECK (JSON_NODE_HOLDS_OBJECT (root));
  member = json_object_get_member (json_node_get_object (root), "result");
  FUZZ_CHECK (member != NULL);

  return json_node_copy (member);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *body = (const char *) data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;

  result = xapi_decode_reply (body, size, REQUEST_ID, HOST, &error);
  if (result == NULL)
    {
      FUZZ_CHECK (error != NULL);
      FUZZ_CHECK (error->domain == XAPI_ERROR);
      FUZZ_CHECK (error->code == XAPI_ERROR_FAILURE || error->code == XAPI_ERROR_MALFORMED);
      FUZZ_CHECK (error->message != NULL);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      if (error->code == XAPI_ERROR_FAILURE)
        check_failure (error);
      else
        {
          FUZZ_CHECK (strstr (error->message, HOST) != NULL);
          FUZZ_CHECK (xapi_error_get_code (error) == NULL);
          FUZZ_CHECK (xapi_error_get_params (error) == NULL);
        }
      return 0;
    }

  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (json_node_get_parent (result) == NULL);
  {
    g_autoptr(JsonNode) expected = expected_result (body, size);

    FUZZ_CHECK (json_node_equal (result, expected));
  }

  /* A NULL GError** is allowed by GLib convention. */
  {
    g_autoptr(JsonNode) again = xapi_decode_reply (body, size, REQUEST_ID, HOST, NULL);

    FUZZ_CHECK (again != NULL);
  }

  return 0;
}
