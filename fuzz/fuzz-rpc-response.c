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
 * reply's "result" member, detached from the rest of the reply.  The
 * filtered variant the cache uses for event.from agrees with it.
 */

#include <json-glib/json-glib.h>
#include <string.h>

#include "fuzz-common.h"
#include "fuzz-json-tree.h"
#include "xapi-error.h"
#include "xapi-connection-private.h"
#include "xapi-json-private.h"

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
  const char         *code = xapi_error_get_code (error);
  const char * const *params = xapi_error_get_params (error);
  guint               n = 0;

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

/* The record field filter the cache uses for event.from (snapshot fields
 * at depth 5).  At depth 3 or more it cannot touch "id", "result", "error"
 * or the error's "message", so: a result becomes the full result minus the
 * unkept members (the result itself is at depth 2), and an error stays the
 * same kind of error with the same XAPI code.  The depth (3 to 6) and the
 * kept names (what event records carry, plus the input's first byte as a
 * name) are derived from the input. */
static void
check_filtered (const char   *body,
                size_t        size,
                JsonNode     *result,
                const GError *error)
{
  static const char * const kept[] = {
    "uuid",
    "name_label",
    "power_state",
    "resident_on",
    "class",
    "ref",
    "operation",
    "snapshot",
  };
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) filtered_error = NULL;
  g_autoptr(JsonNode) filtered = NULL;
  char  first[2] = { size > 0 ? body[0] : 'x', '\0' };
  guint record_depth = 3 + (guint) size % 4;

  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    g_hash_table_add (keep, (gpointer) kept[i]);
  g_hash_table_add (keep, first);

  filtered = xapi_decode_reply_filtered (body, size, REQUEST_ID, HOST, record_depth, keep,
                                         &filtered_error);
  if (result != NULL)
    {
      g_autoptr(JsonNode) expected = deep_copy (result);

      FUZZ_CHECK (filtered != NULL);
      remove_unkept (expected, 2, record_depth, keep);
      FUZZ_CHECK (json_node_equal (filtered, expected));
      return;
    }
  /* Dropped strings are not checked for valid UTF-8, nothing else: only
   * then may the filtered decode get further than the plain one. */
  if (!g_utf8_validate_len (body, size, NULL))
    return;
  FUZZ_CHECK (filtered == NULL);
  FUZZ_CHECK (filtered_error->domain == error->domain && filtered_error->code == error->code);
  FUZZ_CHECK (g_strcmp0 (xapi_error_get_code (filtered_error), xapi_error_get_code (error)) == 0);
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
      check_filtered (body, size, NULL, error);
      return 0;
    }

  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (json_node_get_parent (result) == NULL);
  {
    g_autoptr(JsonNode) expected = expected_result (body, size);

    FUZZ_CHECK (json_node_equal (result, expected));
  }

  check_filtered (body, size, result, NULL);

  /* A NULL GError** is allowed by GLib convention. */
  {
    g_autoptr(JsonNode) again = xapi_decode_reply (body, size, REQUEST_ID, HOST, NULL);

    FUZZ_CHECK (again != NULL);
  }

  return 0;
}
