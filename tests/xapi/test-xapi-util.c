/* test-xapi-util.c: the error domain, reply decoding, typed records and helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "xapi-error.h"
#include "xapi-json.h"
#include "xapi-connection-private.h"
#include "xapi-json-private.h"
#include "xapi-record.h"
#include "xapi-util.h"

static void
test_error_failure (void)
{
  const char *params[] = { "OpaqueRef:vm", "OpaqueRef:sr", NULL };
  g_autoptr(GError) error = xapi_error_new_failure ("VM_REQUIRES_SR", params);
  g_autoptr(GError) copy = NULL;
  g_autoptr(GError) bare = xapi_error_new_failure ("EVENTS_LOST", NULL);

  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_FAILURE);
  g_assert_cmpstr (error->message, ==, "VM_REQUIRES_SR: OpaqueRef:vm, OpaqueRef:sr");
  g_assert_cmpstr (xapi_error_get_code (error), ==, "VM_REQUIRES_SR");
  g_assert_cmpstr (xapi_error_get_param (error, 0), ==, "OpaqueRef:vm");
  g_assert_cmpstr (xapi_error_get_param (error, 1), ==, "OpaqueRef:sr");
  g_assert_null (xapi_error_get_param (error, 2));
  g_assert_null (xapi_error_get_param (error, 7));
  g_assert_true (xapi_error_has_code (error, "VM_REQUIRES_SR"));
  g_assert_false (xapi_error_has_code (error, "HOST_IS_SLAVE"));

  /* The code and params survive g_error_copy() (what GTask and the engine
   * do with errors). */
  copy = g_error_copy (error);
  g_assert_cmpstr (xapi_error_get_code (copy), ==, "VM_REQUIRES_SR");
  g_assert_cmpstr (xapi_error_get_param (copy, 1), ==, "OpaqueRef:sr");

  g_assert_cmpstr (bare->message, ==, "EVENTS_LOST");
  g_assert_nonnull (xapi_error_get_params (bare));
  g_assert_null (xapi_error_get_params (bare)[0]);
}

static void
test_error_other_domains (void)
{
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_autoptr(GError) cert = xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_UNKNOWN,
                                                       "AB:CD", "untrusted");
  g_autoptr(GError) http = xapi_error_new_http (502, "bad gateway");
  g_autoptr(GError) plain = g_error_new (XAPI_ERROR, XAPI_ERROR_TIMEOUT, "slow");

  g_assert_null (xapi_error_get_code (io));
  g_assert_null (xapi_error_get_params (io));
  g_assert_null (xapi_error_get_fingerprint (io));
  g_assert_null (xapi_error_get_code (NULL));
  g_assert_false (xapi_error_has_code (io, "X"));

  g_assert_error (cert, XAPI_ERROR, XAPI_ERROR_CERTIFICATE_UNKNOWN);
  g_assert_cmpstr (xapi_error_get_fingerprint (cert), ==, "AB:CD");
  g_assert_null (xapi_error_get_code (cert));

  g_assert_cmpuint (xapi_error_get_http_status (http), ==, 502);
  g_assert_null (xapi_error_get_fingerprint (plain));
  g_assert_cmpuint (xapi_error_get_http_status (plain), ==, 0);
}

static void
test_error_huge_param (void)
{
  g_autofree char *huge = g_strnfill (1000000, 'x');
  const char      *params[] = { huge, NULL };
  g_autoptr(GError) error = xapi_error_new_failure ("INTERNAL_ERROR", params);

  /* The message stays readable; the parameter is whole. */
  g_assert_cmpuint (strlen (error->message), <, 400);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (xapi_error_get_param (error, 0)), ==, 1000000);
}

static JsonNode *
decode (const char *text,
        gint64      id,
        GError    **error)
{
  return xapi_decode_reply (text, strlen (text), id, "host.example", error);
}

static void
test_decode_results (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) v1 = decode ("{\"result\": \"OpaqueRef:s\", \"error\": null, \"id\": 3}", 3, &error);
  g_autoptr(JsonNode) v2 = NULL;
  g_autoptr(JsonNode) id_string = NULL;
  g_autoptr(JsonNode) object = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (v1), ==, "OpaqueRef:s");

  v2 = decode ("{\"jsonrpc\": \"2.0\", \"result\": \"\", \"id\": 4}", 4, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (v2), ==, "");

  id_string = decode ("{\"jsonrpc\": \"2.0\", \"result\": 1, \"id\": \"5\"}", 5, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (id_string), ==, 1);

  object = decode ("{\"jsonrpc\": \"2.0\", \"result\": {\"OpaqueRef:a\": {\"uuid\": \"u\"}}, \"id\": 6}",
                   6, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (object));
  g_assert_null (json_node_get_parent (object));
}

static void
test_decode_error_shapes (void)
{
  struct
  {
    const char *text;
    const char *code;
    const char *params[4];
  } cases[] = {
    /* 1.0: an array */
    { "{\"result\": null, \"error\": [\"HOST_IS_SLAVE\", \"10.0.0.1\"], \"id\": 1}",
      "HOST_IS_SLAVE",
      { "10.0.0.1", NULL } },
    { "{\"result\": null, \"error\": [\"EVENTS_LOST\"], \"id\": 1}",
      "EVENTS_LOST",
      { NULL } },
    /* 2.0: an object */
    { "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": 1, \"message\": \"SESSION_INVALID\", "
      "\"data\": [\"OpaqueRef:x\"]}, \"id\": 1}",
      "SESSION_INVALID",
      { "OpaqueRef:x", NULL } },
    { "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": 1, \"message\": \"EVENTS_LOST\", "
      "\"data\": []}, \"id\": 1}",
      "EVENTS_LOST",
      { NULL } },
    /* data missing or not an array: no params (as Xen Orchestra reads it) */
    { "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": 1, \"message\": \"X\"}, \"id\": 1}",
      "X",
      { NULL } },
    { "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": 1, \"message\": \"X\", \"data\": \"y\"}, \"id\": 1}",
      "X",
      { NULL } },
    /* params of other types become strings */
    { "{\"error\": [\"TOO_MANY_STORAGE_MIGRATES\", 3, true, null, 1.5, {\"a\": 1}], \"id\": 1}",
      "TOO_MANY_STORAGE_MIGRATES",
      { "3", "true", "", "1.5" } },
    /* a bare string */
    { "{\"error\": \"INTERNAL_ERROR\", \"id\": 1}", "INTERNAL_ERROR", { NULL } },
  };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = decode (cases[i].text, 1, &error);

      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_null (node);
      g_assert_error (error, XAPI_ERROR, XAPI_ERROR_FAILURE);
      g_assert_cmpstr (xapi_error_get_code (error), ==, cases[i].code);
      for (j = 0; j < G_N_ELEMENTS (cases[i].params) && cases[i].params[j] != NULL; j++)
        g_assert_cmpstr (xapi_error_get_param (error, j), ==, cases[i].params[j]);
    }
}

static void
test_decode_malformed (void)
{
  const char *cases[] = {
    "",
    "<html><body>Internal Server Error</body></html>",
    "{\"jsonrpc\": \"2.0\", \"result\": \"OpaqueRef:", /* truncated */
    "[1, 2, 3]",                                       /* not an object */
    "\"just a string\"",
    "{\"jsonrpc\": \"2.0\", \"result\": 1, \"id\": 99}", /* wrong id */
    "{\"jsonrpc\": \"2.0\", \"result\": 1}",             /* no id */
    "{\"jsonrpc\": \"2.0\", \"result\": 1, \"id\": null}",
    "{\"jsonrpc\": \"2.0\", \"result\": 1, \"id\": [1]}",
    "{\"jsonrpc\": \"2.0\", \"id\": 1}", /* neither result nor error */
    "{\"error\": [], \"id\": 1}",        /* error without a code */
    "{\"error\": [42], \"id\": 1}",
    "{\"error\": {\"code\": 1}, \"id\": 1}",
    "{\"error\": {\"code\": 1, \"message\": 7}, \"id\": 1}",
    "{\"error\": true, \"id\": 1}",
    "\xff\xfe{}",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = decode (cases[i], 1, &error);

      g_test_message ("case %u", i);
      g_assert_null (node);
      g_assert_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "host.example"));
    }
}

static void
test_decode_deep_nesting (void)
{
  /* json-glib recurses per level; this would overflow the stack. */
  gsize    n = 2000000;
  GString *text = g_string_sized_new (2 * n + 64);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gsize i;

  g_string_append (text, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": ");
  for (i = 0; i < n; i++)
    g_string_append_c (text, '[');
  for (i = 0; i < n; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');

  node = xapi_decode_reply (text->str, text->len, 1, "h", &error);
  g_assert_null (node);
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED);
  g_string_free (text, TRUE);

  /* Brackets inside strings do not count. */
  g_assert_true (xapi_json_depth_ok ("[\"[[[[[[[[\\\"[[[[\"]", 19, 3));
  g_assert_false (xapi_json_depth_ok ("[[[[]]]]", 8, 3));
}

static void
test_decode_huge_string (void)
{
  gsize    n = 50 * 1024 * 1024;
  GString *text = g_string_sized_new (n + 64);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_string_append (text, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": \"");
  g_string_set_size (text, text->len + n);
  memset (text->str + text->len - n, 'a', n);
  g_string_append (text, "\"}");

  /* Kept: the limit, and an ellipsis that says so. */
  node = xapi_decode_reply (text->str, text->len, 1, "h", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (json_node_get_string (node)), ==, XAPI_JSON_MAX_STRING + strlen ("…"));
  g_assert_true (g_str_has_suffix (json_node_get_string (node), "aaa…"));
  g_string_free (text, TRUE);
}

/* Decoding what a server sends: one broken string is repaired, a long
 * name is cut at 64 KiB on a character boundary, whether it has escapes
 * or not, and neither costs the reply. */
static void
test_decode_repairs (void)
{
  static const char invalid[] =
    "{\"id\": 1, \"result\": [{\"name_label\": \"ok\"}, {\"name_label\": \"b\xff\xfe d\"}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;

  node = xapi_decode_reply (invalid, strlen (invalid), 1, "h", &error);
  g_assert_no_error (error);
  array = json_node_get_array (node);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "name_label"),
                   ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "name_label"),
                   ==, "b\xef\xbf\xbd\xef\xbf\xbd d");
  g_clear_pointer (&node, json_node_unref);

  for (guint escaped = 0; escaped < 2; escaped++)
    {
      g_autoptr(GString) text = g_string_new ("{\"id\": 1, \"result\": {\"name_label\": \"");
      const char *name;

      /* 'é' is two bytes: the limit falls in the middle of one. */
      g_string_append (text, "x");
      for (guint i = 0; i < XAPI_JSON_MAX_NAME; i++)
        g_string_append (text, escaped ? "\\u00e9" : "é");
      g_string_append (text, "\", \"other\": \"");
      for (guint i = 0; i < XAPI_JSON_MAX_NAME; i++)
        g_string_append (text, "é");
      g_string_append (text, "\"}}");

      node = xapi_decode_reply (text->str, text->len, 1, "h", &error);
      g_assert_no_error (error);
      name = json_object_get_string_member (json_node_get_object (node), "name_label");
      g_assert_true (g_utf8_validate (name, -1, NULL));
      g_assert_cmpuint (strlen (name), ==, XAPI_JSON_MAX_NAME - 1 + strlen ("…"));
      g_assert_true (g_str_has_suffix (name, "é…"));
      /* Other strings have a limit of their own. */
      g_assert_cmpuint (strlen (json_object_get_string_member (json_node_get_object (node), "other")),
                        ==, 2 * XAPI_JSON_MAX_NAME);
      g_clear_pointer (&node, json_node_unref);
    }

  /* The strict decoder still refuses what it always refused. */
  {
    g_autofree char *reason = NULL;

    node = xapi_json_decode (invalid, strlen (invalid), 8, &reason);
    g_assert_null (node);
    g_assert_true (g_str_has_prefix (reason, "a string is not valid UTF-8 (at byte "));
  }
}

/* A malformed reply says where, so that it can be found in a capture. */
static void
test_decode_offset (void)
{
  static const char nan_reply[] = "{\"id\": 1, \"result\": NaN}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = xapi_decode_reply (nan_reply, strlen (nan_reply), 1, "host.example", &error);
  g_assert_null (node);
  g_assert_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "host.example"));
  g_assert_nonnull (strstr (error->message, "at byte 20"));
}

/* Random damage to well-formed replies: every outcome is a result or an
 * error, never a crash (run under the sanitizers in CI). */
static void
test_decode_random_damage (void)
{
  const char *samples[] = {
    ("{\"jsonrpc\": \"2.0\", \"result\": {\"events\": [{\"id\": \"12\", \"timestamp\": \"0.0\", "
     "\"class\": \"vm\", \"operation\": \"mod\", \"ref\": \"OpaqueRef:a\", \"snapshot\": "
     "{\"uuid\": \"u\", \"name_label\": \"web \\u00e9\\n\", \"VBDs\": [\"OpaqueRef:b\"], "
     "\"memory_static_max\": 4294967296, \"other_config\": {\"k\": \"v\"}}}], "
     "\"valid_ref_counts\": {\"vm\": 1}, \"token\": \"00000000000000000012,00000000000000000000\"}, \"id\": 1}"),
    "{\"result\": null, \"error\": [\"HOST_IS_SLAVE\", \"10.0.0.1\"], \"id\": 1}",
    ("{\"jsonrpc\": \"2.0\", \"error\": {\"code\": 1, \"message\": \"VM_REQUIRES_SR\", "
     "\"data\": [\"OpaqueRef:v\", \"OpaqueRef:s\"]}, \"id\": 1}"),
  };
  const char junk[] = "{}[]\",:\\0123456789.eE-+tfnul \x01\xc3\xa9\xff";
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  guint round;

  for (round = 0; round < 20000; round++)
    {
      const char      *sample = samples[round % G_N_ELEMENTS (samples)];
      g_autofree char *text = g_strdup (sample);
      gsize            len = strlen (text);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      guint flips = g_rand_int_range (rand, 1, 6);
      guint i;

      for (i = 0; i < flips; i++)
        text[g_rand_int_range (rand, 0, len)] = junk[g_rand_int_range (rand, 0, sizeof junk - 1)];
      if (g_rand_boolean (rand))
        len = g_rand_int_range (rand, 0, len + 1);

      node = xapi_decode_reply (text, len, 1, "h", &error);
      g_assert_true ((node == NULL) != (error == NULL));
      if (error != NULL)
        g_assert_true (error->domain == XAPI_ERROR);
      else
        {
          /* Whatever came back can be read as the cache reads it: each
           * event's snapshot as a typed record. */
          JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          JsonNode   *events = object != NULL ? json_object_get_member (object, "events") : NULL;
          JsonArray  *array = events != NULL && JSON_NODE_HOLDS_ARRAY (events) ? json_node_get_array (events) : NULL;

          (void) xapi_record_get_string (object, "token");
          for (guint k = 0; array != NULL && k < json_array_get_length (array); k++)
            {
              JsonNode *event = json_array_get_element (array, k);
              JsonNode *snapshot = JSON_NODE_HOLDS_OBJECT (event)
                                   ? json_object_get_member (json_node_get_object (event), "snapshot")
                                   : NULL;
              g_autoptr(XapiVm) vm = xapi_record_new_from_json (XAPI_CLASS_VM, "OpaqueRef:x", snapshot);

              g_assert_true ((vm != NULL) == (snapshot != NULL && JSON_NODE_HOLDS_OBJECT (snapshot)));
            }
        }
    }
}

/* The one string-keyed reader, for what is no record of a followed class
 * (an event's envelope, host.migrate_receive's answer): "" for anything
 * but a string. */
static void
test_record_string (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"name_label\": \"vm1\", \"number_as_name\": 5,"
                                               " \"nul\": null, \"VBDs\": [\"OpaqueRef:a\"], \"map\": {}}",
                                               NULL);
  JsonObject *r = json_node_get_object (node);

  g_assert_cmpstr (xapi_record_get_string (r, "name_label"), ==, "vm1");
  g_assert_cmpstr (xapi_record_get_string (r, "number_as_name"), ==, "");
  g_assert_cmpstr (xapi_record_get_string (r, "missing"), ==, "");
  g_assert_cmpstr (xapi_record_get_string (r, "nul"), ==, "");
  g_assert_cmpstr (xapi_record_get_string (r, "VBDs"), ==, "");
  g_assert_cmpstr (xapi_record_get_string (r, "map"), ==, "");
  g_assert_cmpstr (xapi_record_get_string (r, NULL), ==, "");
  g_assert_cmpstr (xapi_record_get_string (NULL, "name_label"), ==, "");
}

static void
test_params (void)
{
  g_autoptr(JsonArray) params = xapi_params_new ("a", "b", NULL);
  JsonObject *options = json_object_new ();
  const char *set[] = { "x", "y", NULL };
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  json_object_set_string_member (options, "live", "true");
  xapi_params_add_bool (params, TRUE);
  xapi_params_add_double (params, 60.0);
  xapi_params_add_strv (params, set);
  xapi_params_add_strv (params, NULL);
  xapi_params_add_object (params, options);
  xapi_params_add_object (params, NULL);
  xapi_params_add_string (params, NULL);

  node = json_node_init_array (json_node_alloc (), params);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==,
                   "[\"a\",\"b\",true,60.0,[\"x\",\"y\"],[],{\"live\":\"true\"},{},\"\"]");
}

static void
test_task_result (void)
{
  struct
  {
    const char *in, *out;
  } cases[] = {
    { "<value>OpaqueRef:1234</value>", "OpaqueRef:1234" },
    { "<value><string>OpaqueRef:abc</string></value>", "OpaqueRef:abc" },
    { "<value></value>", "" },
    { "<value/>", "" },
    { "<value><string/></value>", "" },
    { "", "" },
    { "  <value>a &amp; b &lt;c&gt; &#65;</value>\n", "a & b <c> A" },
    { "plain", "plain" },
    { "<value>", "<value>" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = xapi_parse_task_result (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }

  {
    g_autofree char *out = xapi_parse_task_result (NULL);

    g_assert_cmpstr (out, ==, "");
  }
}

static void
test_null_ref (void)
{
  g_assert_true (xapi_is_null_ref (NULL));
  g_assert_true (xapi_is_null_ref (""));
  g_assert_true (xapi_is_null_ref ("OpaqueRef:NULL"));
  g_assert_false (xapi_is_null_ref ("OpaqueRef:5d1f3c3a-0000-0000-0000-000000000000"));
}

static void
test_fingerprints (void)
{
  const char *canonical =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
  g_autofree char *from_lower = xapi_fingerprint_normalize (
    "sha-256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  g_autofree char *short_one = xapi_fingerprint_normalize ("AB:CD");
  g_autofree char *garbage = xapi_fingerprint_normalize ("not a fingerprint at all");

  g_assert_cmpstr (from_lower, ==, canonical);
  g_assert_null (short_one);
  g_assert_null (garbage);
  g_assert_true (xapi_fingerprint_equal (canonical, from_lower));
  g_assert_false (xapi_fingerprint_equal (canonical, NULL));
  g_assert_false (xapi_fingerprint_equal ("AB:CD", "AB:CD"));
}

/* ---- The record field filter of the decoder ------------------------------ */

/* Removes, in place, the members of objects at @record_depth (the root is at
 * depth 1) that are not in @keep: what the filtered decoder should produce. */
static void
strip_members (JsonNode   *node,
               guint       depth,
               guint       record_depth,
               GHashTable *keep)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (object);

      for (GList *l = names; l != NULL; l = l->next)
        {
          if (depth == record_depth && !g_hash_table_contains (keep, l->data))
            json_object_remove_member (object, l->data);
          else
            strip_members (json_object_get_member (object, l->data), depth + 1, record_depth, keep);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        strip_members (json_array_get_element (array, i), depth + 1, record_depth, keep);
    }
}

/* Decodes @text (@len bytes) both ways.  The filtered decoder must accept
 * whatever the plain one accepts and give its tree minus the dropped
 * members; it may accept more (it does not check dropped strings' UTF-8). */
static gboolean
check_filtered (const char *text,
                gsize       len,
                guint       max_depth,
                guint       record_depth,
                GHashTable *keep)
{
  g_autofree char *reason = NULL;
  g_autofree char *filtered_reason = NULL;
  g_autoptr(JsonNode) plain = xapi_json_decode (text, len, max_depth, &reason);
  g_autoptr(JsonNode) filtered = xapi_json_decode_filtered (text, len, max_depth, record_depth,
                                                            keep, &filtered_reason);

  g_assert_true ((filtered == NULL) != (filtered_reason == NULL));
  if (filtered_reason != NULL)
    g_assert_true (g_utf8_validate (filtered_reason, -1, NULL));
  if (plain == NULL)
    return filtered != NULL;

  g_assert_nonnull (filtered);
  strip_members (plain, 1, record_depth, keep);
  g_assert_true (json_node_equal (plain, filtered));
  return TRUE;
}

static void
test_json_filtered (void)
{
  const char *event_reply =
    "{\"jsonrpc\": \"2.0\", \"id\": 7, \"result\": {\"events\": ["
    "{\"id\": \"1\", \"class\": \"vm\", \"operation\": \"add\", \"ref\": \"OpaqueRef:a\","
    " \"snapshot\": {\"uuid\": \"u1\", \"name_label\": \"web \\u00e9\\n\", \"VBDs\": [\"OpaqueRef:b\"],"
    "  \"platform\": {\"acpi\": \"1\", \"nested\": [[], {}, [{\"x\": [1, -2.5e3, true, null]}]]},"
    "  \"memory_static_max\": 4294967296, \"blobs\": {}, \"tags\": [], \"empty\": \"\","
    "  \"esc\": \"a\\\"b\\\\c\\/\\b\\f\\r\\t\\ud83d\\ude00\", \"other_config\": {\"k\": \"v\"}}},"
    "{\"id\": \"2\", \"class\": \"vm\", \"operation\": \"del\", \"ref\": \"OpaqueRef:c\"},"
    "{\"id\": \"3\", \"class\": \"host\", \"operation\": \"mod\", \"ref\": \"OpaqueRef:d\","
    " \"snapshot\": {}}"
    "], \"valid_ref_counts\": {\"vm\": 1}, \"token\": \"42\"}}";
  const char *bad[] = {
    /* Each is broken inside a dropped value (record depth 2, keep "k"). */
    "{\"r\": {\"d\": \"unterminated}}",
    "{\"r\": {\"d\": [1, 2}}}",
    "{\"r\": {\"d\": {\"a\": 1]}}",
    "{\"r\": {\"d\": [1, 2,]}}",
    "{\"r\": {\"d\": {\"a\" 1}}}",
    "{\"r\": {\"d\": {\"a\": 1,}}}",
    "{\"r\": {\"d\": {1: 1}}}",
    "{\"r\": {\"d\": \"bad \\x escape\"}}",
    "{\"r\": {\"d\": \"cut \\u12\"}}",
    "{\"r\": {\"d\": \"ctl \x01\"}}",
    "{\"r\": {\"d\": 01}}",
    "{\"r\": {\"d\": -}}",
    "{\"r\": {\"d\": 1.}}",
    "{\"r\": {\"d\": 1e}}",
    "{\"r\": {\"d\": tru}}",
    "{\"r\": {\"d\": nul}}",
    "{\"r\": {\"d\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}",
    "{\"r\": {\"d\": [1 2]}}",
    "{\"r\": {\"d\": 1,}}",
    "{\"r\": {\"d\": 1, \"k\": 2,}}",
    "{\"r\": {\"d\": 1}",
    "{\"r\": {\"d\": [",
    "{\"r\": {\"d\": ",
    "{\"r\": {\"d\": {}} x",
  };
  const char junk[] = "{}[]\",:\\0123456789.eE-+tfnul \x01\xc3\xa9\xff";
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) keep_k = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261126);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *reason = NULL;
  JsonObject      *snapshot;
  gsize            len = strlen (event_reply);
  guint            round, i;

  g_hash_table_add (keep, (gpointer) "uuid");
  g_hash_table_add (keep, (gpointer) "name_label");
  g_hash_table_add (keep, (gpointer) "VBDs");
  g_hash_table_add (keep, (gpointer) "other_config");
  g_hash_table_add (keep_k, (gpointer) "k");

  /* The snapshots (depth 5) keep only the listed members; the events
   * (depth 4) and everything else are untouched. */
  node = xapi_json_decode_filtered (event_reply, len, 64, 5, keep, &reason);
  g_assert_null (reason);
  g_assert_nonnull (node);
  snapshot = json_object_get_object_member (
    json_array_get_object_element (
      json_object_get_array_member (json_object_get_object_member (json_node_get_object (node),
                                                                   "result"),
                                    "events"),
      0),
    "snapshot");
  g_assert_cmpuint (json_object_get_size (snapshot), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (snapshot, "name_label"), ==, "web \xc3\xa9\n");
  g_assert_false (json_object_has_member (snapshot, "platform"));
  g_assert_true (check_filtered (event_reply, len, 64, 5, keep));
  /* Other depths, and a filter that keeps nothing. */
  for (i = 1; i <= 7; i++)
    {
      g_assert_true (check_filtered (event_reply, len, 64, i, keep));
      g_assert_true (check_filtered (event_reply, len, 64, i, keep_k));
    }
  /* Depth limits are the same as without the filter. */
  for (i = 1; i <= 12; i++)
    check_filtered (event_reply, len, i, 5, keep);

  /* Broken dropped values are refused, with a reason. */
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *why = NULL;
      g_autoptr(JsonNode) none = xapi_json_decode_filtered (bad[i], strlen (bad[i]), 32, 2,
                                                            keep_k, &why);

      g_test_message ("%s: %s", bad[i], why);
      g_assert_null (none);
      g_assert_nonnull (why);
    }

  /* Randomly damaged and truncated replies never crash, and whatever the
   * plain decoder accepts the filtered one gives back minus the dropped
   * members. */
  for (round = 0; round < 20000; round++)
    {
      g_autofree char *text = g_strdup (event_reply);
      gsize            n = len;
      guint            flips = g_rand_int_range (rand, 1, 4);

      for (i = 0; i < flips; i++)
        text[g_rand_int_range (rand, 0, n)] = junk[g_rand_int_range (rand, 0, sizeof junk - 1)];
      if (g_rand_int_range (rand, 0, 4) == 0)
        n = g_rand_int_range (rand, 0, n + 1);
      check_filtered (text, n, g_rand_int_range (rand, 1, 12), g_rand_int_range (rand, 1, 7),
                      g_rand_boolean (rand) ? keep : keep_k);
    }
}

/* Escapes that JSON allows but a C string cannot hold become U+FFFD, also
 * a \u0000 right after a lone high surrogate (found by fuzz-json-decode). */
static void
test_json_escapes (void)
{
  static const struct
  {
    const char *json;
    const char *text;
  } cases[] = {
    { "\"a\\u0000b\"", "a\xef\xbf\xbd"
                       "b" },
    { "\"\\ud800\\u0000\"", "\xef\xbf\xbd\xef\xbf\xbd" },
    { "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
    { "\"\\udc00x\"", "\xef\xbf\xbdx" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reason = NULL;
      g_autoptr(JsonNode) node = xapi_json_decode (cases[i].json, strlen (cases[i].json), 16, &reason);

      g_assert_null (reason);
      g_assert_nonnull (node);
      g_assert_cmpstr (json_node_get_string (node), ==, cases[i].text);
    }
}

/* The consuming decoder (big replies as read from the network) gives the
 * same tree as the filtered one, on an input large enough that it gives
 * pages back and writes into what it has read, and refuses the same
 * damaged inputs. */
#define CONSUMING_EVENT                                                                    \
  "{\"id\": \"%u\", \"class\": \"vm\", \"operation\": \"add\", \"ref\": \"OpaqueRef:%u\"," \
  " \"snapshot\": {\"uuid\": \"u%u\", \"name_label\": \"web \\u00e9\\n \xc3\xa9 %u\","     \
  " \"VBDs\": [\"OpaqueRef:b\", \"OpaqueRef:c\"], \"platform\": {\"acpi\": \"1\"},"        \
  " \"memory_static_max\": %u, \"other_config\": {\"k\": \"v \\\"q\\\"\", \"n\": 1.5}}}"

static void
take_element (JsonNode *element,
              gpointer  user_data)
{
  g_ptr_array_add (user_data, element);
}

static void
test_json_consuming (void)
{
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) text = g_string_new ("{\"jsonrpc\": \"2.0\", \"id\": 7, \"result\": {\"events\": [");
  g_autoptr(JsonNode) expected = NULL;
  g_autofree char *pristine = NULL;
  g_autofree char *reason = NULL;
  guint            i;

  g_hash_table_add (keep, (gpointer) "uuid");
  g_hash_table_add (keep, (gpointer) "name_label");
  g_hash_table_add (keep, (gpointer) "VBDs");
  g_hash_table_add (keep, (gpointer) "other_config");
  for (i = 0; text->len < 12 * 1024 * 1024; i++)
    {
      if (i > 0)
        g_string_append (text, ",\n");
      g_string_append_printf (text, CONSUMING_EVENT, i, i, i, i, i * 4096);
    }
  g_string_append (text, "], \"token\": \"42\"}}");

  pristine = g_memdup2 (text->str, text->len);
  expected = xapi_json_decode_filtered (text->str, text->len, 64, 5, keep, &reason);
  g_assert_null (reason);
  /* Only the consuming decoder touches its input. */
  g_assert_cmpmem (text->str, text->len, pristine, text->len);
  g_assert_nonnull (expected);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (json_node_get_object (expected), "result"), "events")),
                    ==, i);

  /* Whole, cut short, damaged near the end (after pages went back), and
   * with the events handed out one by one. */
  for (guint round = 0; round < 4; round++)
    {
      g_autofree char *copy = g_memdup2 (text->str, text->len + 1);
      g_autofree char *why = NULL;
      gsize            len = round == 1 ? text->len - 3 : text->len;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GPtrArray) taken = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

      if (round == 2)
        copy[text->len - 30] = '}';
      node = xapi_json_decode_consuming (copy, len, 64, 5, keep,
                                         round == 3 ? take_element : NULL, taken, &why);
      g_test_message ("round %u: %s", round, why != NULL ? why : "decoded");
      if (round == 0)
        {
          g_assert_null (why);
          g_assert_true (json_node_equal (node, expected));
        }
      else if (round == 3)
        {
          JsonArray *events = json_object_get_array_member (
            json_object_get_object_member (json_node_get_object (expected), "result"), "events");

          g_assert_null (why);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                              json_object_get_object_member (json_node_get_object (node), "result"), "events")),
                            ==, 0);
          g_assert_cmpuint (taken->len, ==, json_array_get_length (events));
          for (guint k = 0; k < taken->len; k++)
            g_assert_true (json_node_equal (g_ptr_array_index (taken, k),
                                            json_array_get_element (events, k)));
        }
      else
        {
          g_assert_null (node);
          g_assert_nonnull (why);
        }
    }
}

/* ---- typed events ---------------------------------------------------------- */

static void
take_typed (int         klass,
            const char *ref,
            gpointer    record,
            gpointer    user_data)
{
  GPtrArray *seen = user_data;

  g_assert_cmpint (klass, >=, 0);
  g_assert_cmpint (klass, <, XAPI_N_CLASSES);
  g_ptr_array_add (seen, g_strdup_printf ("%s %s", xapi_class_get_name (klass), ref));
  g_ptr_array_add (seen, record); /* NULL for a del */
}

static void
free_seen (GPtrArray *seen)
{
  for (guint i = 0; i < seen->len; i += 2)
    {
      g_free (seen->pdata[i]);
      if (seen->pdata[i + 1] != NULL)
        xapi_record_unref (seen->pdata[i + 1]);
    }
  g_ptr_array_unref (seen);
}

/* An event.from reply decoded straight into typed records: every member
 * order, wrong types read as xapi_record_new_from_json() reads them, what is not an event
 * of a followed class left out. */
static void
test_typed_events (void)
{
  static const char reply[] =
    "{\"id\": 7, \"result\": {\"events\": ["
    " {\"id\": \"1\", \"snapshot\": {\"uuid\": \"u-1\", \"name_label\": \"web \\u00e9t\\u00e9\","
    "   \"power_state\": \"Running\", \"resident_on\": \"OpaqueRef:h1\","
    "   \"VBDs\": [\"OpaqueRef:b1\", 3, \"OpaqueRef:b2\"],"
    "   \"current_operations\": {\"OpaqueRef:t1\": \"migrate_send\", \"OpaqueRef:t1\": 5, \"k\": \"v\", \"k\": \"w\"},"
    "   \"memory_static_max\": \"4294967296\", \"VCPUs_max\": 2.5, \"is_a_template\": \"true\","
    "   \"other\": {\"deep\": [[[]]]}}, \"class\": \"VM\", \"ref\": \"OpaqueRef:v1\", \"operation\": \"add\"},"
    " {\"class\": \"vm\", \"operation\": \"mod\", \"ref\": \"OpaqueRef:v2\", \"snapshot\": {\"uuid\": \"u-2\","
    "   \"power_state\": \"Crashed\", \"resident_on\": \"OpaqueRef:NULL\", \"VBDs\": \"not a set\","
    "   \"current_operations\": [], \"name_label\": null}},"
    " {\"class\": \"task\", \"ref\": \"OpaqueRef:t1\", \"operation\": \"mod\", \"snapshot\": {\"uuid\": \"u-3\","
    "   \"status\": \"pending\", \"progress\": 0.25, \"allowed_operations\": [\"cancel\", \"destroy\", 1],"
    "   \"error_info\": [], \"other_config\": {\"ferry:job\": \"j-1 Target\"}, \"result\": \"\"}},"
    " {\"class\": \"host\", \"ref\": \"OpaqueRef:h1\", \"operation\": \"mod\", \"snapshot\": {\"uuid\": \"u-4\"},"
    "   \"class\": \"vm\"},"
    " {\"class\": \"vbd\", \"ref\": \"OpaqueRef:b1\", \"operation\": \"del\"},"
    " {\"class\": \"vm_metrics\", \"ref\": \"OpaqueRef:m1\", \"operation\": \"add\", \"snapshot\": {}},"
    " {\"class\": \"pool\", \"ref\": \"\", \"operation\": \"add\", \"snapshot\": {\"uuid\": \"u-6\"}},"
    " {\"class\": \"pool\", \"ref\": \"OpaqueRef:p1\", \"operation\": \"add\", \"snapshot\": [1, 2]},"
    " {\"class\": \"sr\", \"ref\": \"OpaqueRef:s1\", \"operation\": \"add\", \"snapshot\": {\"uuid\": \"u-7\","
    "   \"shared\": true}, \"snapshot\": {\"uuid\": \"u-8\", \"physical_size\": -5, \"shared\": 1}},"
    " \"not an event\", 42, null, [],"
    " {\"class\": \"pif\", \"ref\": \"OpaqueRef:i1\", \"operation\": \"add\", \"snapshot\": {\"uuid\": \"u-9\"}}"
    "], \"valid_ref_counts\": {\"VM\": 2}, \"token\": \"42,0\"}}";
  static const char * const expected[] = {
    "vm OpaqueRef:v1",
    "vm OpaqueRef:v2",
    "task OpaqueRef:t1",
    "vm OpaqueRef:h1",
    "vbd OpaqueRef:b1",
    "sr OpaqueRef:s1",
  };
  g_autofree char *copy = g_strdup (reply);
  g_autofree char *reason = NULL;
  GPtrArray       *seen = g_ptr_array_new ();
  XapiJsonEvents   events = { ((1u << XAPI_N_CLASSES) - 1) & ~(1u << XAPI_CLASS_PIF), take_typed, seen };
  g_autoptr(JsonNode) root = NULL;
  const XapiVm   *vm;
  const XapiTask *task;
  const XapiSr   *sr;

  root = xapi_json_decode_repairing (copy, strlen (reply),
                                     &(XapiJsonDecodeOptions) { .consume = TRUE,
                                                                .max_depth = 64,
                                                                .record_depth = 5,
                                                                .events = &events,
                                                                .name_limit = XAPI_JSON_MAX_NAME,
                                                                .string_limit = XAPI_JSON_MAX_STRING },
                                     NULL, &reason);
  g_assert_null (reason);
  g_assert_nonnull (root);
  /* The rest of the reply is there, the events array empty. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (root),
                                                                                 "result"),
                                                  "token"),
                   ==, "42,0");

  g_assert_cmpuint (seen->len, ==, 2 * G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (seen->pdata[2 * i], ==, expected[i]);

  vm = seen->pdata[1];
  g_assert_cmpint (vm->record.klass, ==, XAPI_CLASS_VM);
  g_assert_cmpstr (vm->record.ref, ==, "OpaqueRef:v1");
  g_assert_cmpstr (vm->record.uuid, ==, "u-1");
  g_assert_cmpstr (vm->record.name_label, ==, "web été");
  g_assert_cmpint (vm->power_state, ==, XAPI_VM_POWER_STATE_RUNNING);
  g_assert_cmpstr (vm->resident_on, ==, "OpaqueRef:h1");
  g_assert_cmpuint (xapi_strv_length (vm->VBDs), ==, 2);
  g_assert_cmpstr (vm->VBDs[1], ==, "OpaqueRef:b2");
  g_assert_null (xapi_map_lookup (vm->current_operations, "OpaqueRef:t1"));
  g_assert_cmpstr (xapi_map_lookup (vm->current_operations, "k"), ==, "w");
  g_assert_cmpuint (xapi_map_size (vm->current_operations), ==, 1);
  g_assert_cmpint (vm->memory_static_max, ==, G_GINT64_CONSTANT (4294967296));
  g_assert_cmpint (vm->VCPUs_max, ==, 2);
  g_assert_true (vm->is_a_template);

  vm = seen->pdata[3];
  g_assert_cmpint (vm->power_state, ==, XAPI_VM_POWER_STATE_UNKNOWN);
  g_assert_cmpstr (xapi_vm_power_state_to_string (vm->power_state), ==, "");
  g_assert_null (vm->resident_on);
  g_assert_null (vm->VBDs);
  g_assert_null (vm->current_operations);
  g_assert_null (vm->record.name_label);

  task = seen->pdata[5];
  g_assert_cmpint (task->status, ==, XAPI_TASK_STATUS_PENDING);
  g_assert_cmpfloat (task->progress, ==, 0.25);
  g_assert_cmpuint (task->allowed_operations, ==, XAPI_TASK_OP_CANCEL | XAPI_TASK_OP_DESTROY);
  g_assert_cmpstr (xapi_map_lookup (task->other_config, "ferry:job"), ==, "j-1 Target");
  g_assert_cmpstr (task->result, ==, "");
  g_assert_null (task->error_info);

  /* The class that counts is the last one given, whatever came first. */
  vm = seen->pdata[7];
  g_assert_cmpint (vm->record.klass, ==, XAPI_CLASS_VM);
  g_assert_cmpstr (vm->record.uuid, ==, "u-4");
  g_assert_null (seen->pdata[9]);

  /* Of two snapshots, the last. */
  sr = seen->pdata[11];
  g_assert_cmpstr (sr->record.uuid, ==, "u-8");
  g_assert_cmpint (sr->physical_size, ==, -5);
  g_assert_false (sr->shared);

  /* Interned: one string for every copy of a reference. */
  g_assert_true (((const XapiVm *) seen->pdata[1])->resident_on == ((XapiRecord *) seen->pdata[7])->ref);

  free_seen (seen);

  /* A snapshot nested deeper than allowed sinks the reply, as it would
   * any decoder. */
  {
    static const char deep[] =
      "{\"result\": {\"events\": [{\"class\": \"vm\", \"ref\": \"OpaqueRef:x\", \"operation\": \"add\","
      " \"snapshot\": {\"VBDs\": [[1]]}}], \"token\": \"1\"}}";
    g_autofree char      *deep_copy = g_strdup (deep);
    g_autofree char      *deep_reason = NULL;
    GPtrArray            *none = g_ptr_array_new ();
    XapiJsonEvents        to_none = { (1u << XAPI_N_CLASSES) - 1, take_typed, none };
    XapiJsonDecodeOptions how = { .consume = TRUE,
                                  .max_depth = 6,
                                  .record_depth = 5,
                                  .events = &to_none,
                                  .name_limit = XAPI_JSON_MAX_NAME,
                                  .string_limit = XAPI_JSON_MAX_STRING };
    g_autoptr(JsonNode) refused = xapi_json_decode_repairing (deep_copy, strlen (deep), &how, NULL, &deep_reason);

    g_assert_null (refused);
    g_assert_nonnull (strstr (deep_reason, "nested too deeply"));
    g_assert_cmpuint (none->len, ==, 0);
    free_seen (none);
  }
}

/* The record of @klass made of the JSON object @snapshot by both decoders
 * that Ferry reads records with: from a tree (X.get_record replies, a
 * followed task) and straight from an event.from reply (the cache).  Both
 * must make the same record of it. (transfer full) */
static gpointer
decode_record (XapiClass   klass,
               const char *snapshot)
{
  g_autofree char *reply = g_strdup_printf ("{\"result\": {\"events\": [{\"class\": \"%s\", \"ref\": \"OpaqueRef:r\","
                                            " \"operation\": \"add\", \"snapshot\": %s}], \"token\": \"1\"}}",
                                            xapi_class_get_name (klass), snapshot);
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (snapshot, &error);
  GPtrArray     *seen = g_ptr_array_new ();
  XapiJsonEvents events = { 1u << klass, take_typed, seen };
  g_autoptr(JsonNode) root = NULL;
  gpointer record;

  g_assert_no_error (error);
  record = xapi_record_new_from_json (klass, "OpaqueRef:r", node);
  g_assert_nonnull (record);

  root = xapi_json_decode_repairing (reply, strlen (reply),
                                     &(XapiJsonDecodeOptions) { .consume = TRUE,
                                                                .max_depth = 64,
                                                                .record_depth = 5,
                                                                .events = &events,
                                                                .name_limit = XAPI_JSON_MAX_NAME,
                                                                .string_limit = XAPI_JSON_MAX_STRING },
                                     NULL, &reason);
  g_assert_null (reason);
  g_assert_nonnull (root);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_true (xapi_record_equal (seen->pdata[1], record));
  free_seen (seen);

  return record;
}

/* Members of the wrong type read as the field's default; numbers written
 * as strings and "true" as what they say; sets and maps keep only their
 * strings. */
static void
test_record_lenient (void)
{
  XapiVm *vm = decode_record (
    XAPI_CLASS_VM,
    "{\"uuid\": 5, \"name_label\": \"vm1\", \"power_state\": 3, \"resident_on\": null,"
    " \"affinity\": [\"OpaqueRef:h\"], \"is_a_template\": true, \"is_a_snapshot\": \"TRUE\","
    " \"is_control_domain\": {\"k\": \"v\"}, \"memory_static_max\": 4294967296,"
    " \"memory_dynamic_max\": \"1024\", \"VCPUs_max\": 12.0, \"VCPUs_at_startup\": \"12abc\","
    " \"VBDs\": [\"OpaqueRef:a\", 7, \"OpaqueRef:b\", null], \"VIFs\": \"OpaqueRef:a\","
    " \"current_operations\": {\"k\": \"v\", \"n\": 3}}");
  XapiHostMetrics *metrics = decode_record (XAPI_CLASS_HOST_METRICS,
                                            "{\"live\": \"yes\", \"memory_total\": [1], \"memory_free\": 1e30}");
  XapiHost        *host = decode_record (XAPI_CLASS_HOST, "{\"enabled\": \"true\", \"PIFs\": {\"k\": \"v\"}}");
  static const struct
  {
    const char *snapshot;
    double      progress;
  } tasks[] = {
    { "{\"progress\": 0.25}", 0.25 },
    { "{\"progress\": \"0.5\"}", 0.5 },
    { "{\"progress\": \"1024\"}", 1024.0 },
    { "{\"progress\": 1024}", 1024.0 },
    { "{\"progress\": \"abc\"}", 0.0 },
    { "{\"progress\": \"vm1\", \"other_config\": [\"k\"]}", 0.0 },
  };
  g_autoptr(JsonNode) array = json_from_string ("[{}]", NULL);

  /* Strings and references. */
  g_assert_null (vm->record.uuid);
  g_assert_cmpstr (xapi_str (vm->record.uuid), ==, "");
  g_assert_cmpstr (vm->record.name_label, ==, "vm1");
  g_assert_null (vm->resident_on);
  g_assert_null (vm->affinity);
  g_assert_null (vm->scheduled_to_be_resident_on);
  g_assert_cmpint (vm->power_state, ==, XAPI_VM_POWER_STATE_UNKNOWN);

  /* Booleans. */
  g_assert_true (vm->is_a_template);
  g_assert_true (vm->is_a_snapshot);
  g_assert_false (vm->is_control_domain);
  g_assert_false (metrics->live);
  g_assert_true (host->enabled);

  /* Integers. */
  g_assert_cmpint (vm->memory_static_max, ==, G_GINT64_CONSTANT (4294967296));
  g_assert_cmpint (vm->memory_dynamic_max, ==, 1024);
  g_assert_cmpint (vm->VCPUs_max, ==, 12);
  g_assert_cmpint (vm->VCPUs_at_startup, ==, 0);
  g_assert_cmpint (metrics->memory_total, ==, 0);
  g_assert_cmpint (metrics->memory_free, ==, G_MAXINT64);

  /* Sets and maps. */
  g_assert_cmpuint (xapi_strv_length (vm->VBDs), ==, 2);
  g_assert_cmpstr (vm->VBDs[0], ==, "OpaqueRef:a");
  g_assert_cmpstr (vm->VBDs[1], ==, "OpaqueRef:b");
  g_assert_null (vm->VIFs);
  g_assert_null (vm->snapshots);
  g_assert_null (host->PIFs);
  g_assert_cmpuint (xapi_map_size (vm->current_operations), ==, 1);
  g_assert_cmpstr (xapi_map_lookup (vm->current_operations, "k"), ==, "v");
  g_assert_null (xapi_map_lookup (vm->current_operations, "n"));
  g_assert_null (xapi_map_lookup (vm->current_operations, "missing"));

  /* Floats. */
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      g_autoptr(XapiTask) task = decode_record (XAPI_CLASS_TASK, tasks[i].snapshot);

      g_assert_cmpfloat (task->progress, ==, tasks[i].progress);
      g_assert_null (task->other_config);
    }

  /* What is not an object, or of no class, is no record. */
  g_assert_null (xapi_record_new_from_json (XAPI_CLASS_VM, "OpaqueRef:r", NULL));
  g_assert_null (xapi_record_new_from_json (XAPI_CLASS_VM, "OpaqueRef:r", array));
  g_assert_null (xapi_record_new_from_json (XAPI_CLASS_NONE, "OpaqueRef:r",
                                            json_array_get_element (json_node_get_array (array), 0)));

  xapi_record_unref (vm);
  xapi_record_unref (metrics);
  xapi_record_unref (host);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xapi/error/failure", test_error_failure);
  g_test_add_func ("/xapi/error/other-domains", test_error_other_domains);
  g_test_add_func ("/xapi/error/huge-param", test_error_huge_param);
  g_test_add_func ("/xapi/decode/results", test_decode_results);
  g_test_add_func ("/xapi/decode/error-shapes", test_decode_error_shapes);
  g_test_add_func ("/xapi/decode/malformed", test_decode_malformed);
  g_test_add_func ("/xapi/decode/deep-nesting", test_decode_deep_nesting);
  g_test_add_func ("/xapi/decode/huge-string", test_decode_huge_string);
  g_test_add_func ("/xapi/decode/repairs", test_decode_repairs);
  g_test_add_func ("/xapi/decode/offset", test_decode_offset);
  g_test_add_func ("/xapi/decode/random-damage", test_decode_random_damage);
  g_test_add_func ("/xapi/util/record-string", test_record_string);
  g_test_add_func ("/xapi/util/params", test_params);
  g_test_add_func ("/xapi/util/task-result", test_task_result);
  g_test_add_func ("/xapi/util/null-ref", test_null_ref);
  g_test_add_func ("/xapi/util/fingerprints", test_fingerprints);
  g_test_add_func ("/xapi/util/json-filtered", test_json_filtered);
  g_test_add_func ("/xapi/util/json-escapes", test_json_escapes);
  g_test_add_func ("/xapi/util/json-consuming", test_json_consuming);
  g_test_add_func ("/xapi/util/typed-events", test_typed_events);
  g_test_add_func ("/xapi/record/lenient", test_record_lenient);

  return g_test_run ();
}
