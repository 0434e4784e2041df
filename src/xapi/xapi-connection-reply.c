/* xapi-connection-reply.c: a JSON-RPC reply's result or error, decoded in
 * a worker thread when it is large
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "xapi-connection-private.h"

#include <string.h>

#include "xapi-error.h"
#include "xapi-json-private.h"
#include "xapi-util-private.h"

/* Turns a JSON-RPC reply (1.0 or 2.0) into its result, or a GError.
 * Runs in a worker thread for large replies: touches nothing shared. */
JsonNode *
xapi_decode_reply (const char *data,
                   gsize       len,
                   gint64      id,
                   const char *host,
                   GError    **error)
{
  return xapi_decode_reply_filtered (data, len, id, host, 0, NULL, error);
}

void
xapi_reply_filter_copy (XapiReplyFilter       *dst,
                        const XapiReplyFilter *src)
{
  static const XapiReplyFilter none = { 0, NULL, NULL };

  *dst = src != NULL ? *src : none;
  if (dst->keep != NULL)
    g_hash_table_ref (dst->keep);
}

void
xapi_reply_filter_clear (XapiReplyFilter *filter)
{
  g_clear_pointer (&filter->keep, g_hash_table_unref);
}

static JsonNode *
decode_reply (const char            *data,
              gsize                  len,
              gint64                 id,
              const char            *host,
              const XapiReplyFilter *filter,
              gboolean               consume,
              GError               **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *reason = NULL;
  JsonObject      *object;
  JsonNode        *id_node, *error_node, *result_node;
  gboolean         id_ok = FALSE;

  root = xapi_json_parse_reply (data, len, filter->record_depth, filter->keep, consume,
                                filter->events, &reason);
  if (root == NULL)
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                   "The reply from %s is not a valid JSON-RPC response: %s.", host, reason);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                   "The reply from %s is not a valid JSON-RPC response: it is not an object.",
                   host);
      return NULL;
    }
  object = json_node_get_object (root);

  id_node = json_object_get_member (object, "id");
  if (id_node != NULL && JSON_NODE_TYPE (id_node) == JSON_NODE_VALUE)
    {
      GType type = json_node_get_value_type (id_node);

      if (type == G_TYPE_INT64)
        id_ok = json_node_get_int (id_node) == id;
      else if (type == G_TYPE_DOUBLE)
        id_ok = json_node_get_double (id_node) == (double) id;
      else if (type == G_TYPE_STRING)
        {
          char buf[32];

          g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, id);
          id_ok = g_strcmp0 (json_node_get_string (id_node), buf) == 0;
        }
    }
  if (!id_ok)
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                   "The reply from %s does not answer our request (wrong or missing id).", host);
      return NULL;
    }

  error_node = json_object_get_member (object, "error");
  if (error_node != NULL && !JSON_NODE_HOLDS_NULL (error_node))
    {
      g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *code = NULL;
      JsonArray       *data_array = NULL;
      guint            first = 0, i, n;

      if (JSON_NODE_HOLDS_ARRAY (error_node))
        {
          /* 1.0: ["CODE", "param", ...] */
          JsonArray *array = json_node_get_array (error_node);
          JsonNode  *code_node = json_array_get_length (array) > 0 ? json_array_get_element (array, 0) : NULL;

          if (code_node != NULL && JSON_NODE_TYPE (code_node) == JSON_NODE_VALUE &&
              json_node_get_value_type (code_node) == G_TYPE_STRING)
            code = g_strdup (json_node_get_string (code_node));
          data_array = array;
          first = 1;
        }
      else if (JSON_NODE_HOLDS_OBJECT (error_node))
        {
          /* 2.0: {"code": 1, "message": "CODE", "data": ["param", ...]} */
          JsonObject *error_object = json_node_get_object (error_node);
          JsonNode   *message_node = json_object_get_member (error_object, "message");
          JsonNode   *data_node = json_object_get_member (error_object, "data");

          if (message_node != NULL && JSON_NODE_TYPE (message_node) == JSON_NODE_VALUE &&
              json_node_get_value_type (message_node) == G_TYPE_STRING)
            code = g_strdup (json_node_get_string (message_node));
          if (data_node != NULL && JSON_NODE_HOLDS_ARRAY (data_node))
            data_array = json_node_get_array (data_node);
        }
      else if (JSON_NODE_TYPE (error_node) == JSON_NODE_VALUE &&
               json_node_get_value_type (error_node) == G_TYPE_STRING)
        code = g_strdup (json_node_get_string (error_node));

      if (code == NULL || *code == '\0')
        {
          g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                       "The reply from %s carries an error in a form we do not understand.",
                       host);
          return NULL;
        }

      n = data_array != NULL ? json_array_get_length (data_array) : 0;
      for (i = first; i < n; i++)
        g_ptr_array_add (params, xapi_json_node_to_param (json_array_get_element (data_array, i)));
      g_ptr_array_add (params, NULL);

      g_propagate_error (error, xapi_error_new_failure (code, (const char * const *) params->pdata));
      return NULL;
    }

  result_node = json_object_get_member (object, "result");
  if (result_node == NULL)
    {
      g_set_error (error, XAPI_ERROR, XAPI_ERROR_MALFORMED,
                   "The reply from %s has neither a result nor an error.", host);
      return NULL;
    }

  /* A shallow copy: containers are shared, not duplicated, and the copy has
   * no parent, so the rest of the reply can go. */
  return json_node_copy (result_node);
}

JsonNode *
xapi_decode_reply_filtered (const char *data,
                            gsize       len,
                            gint64      id,
                            const char *host,
                            guint       record_depth,
                            GHashTable *keep,
                            GError    **error)
{
  XapiReplyFilter filter = { record_depth, keep, NULL };

  return decode_reply (data, len, id, host, &filter, FALSE, error);
}

typedef struct
{
  XapiBody       *body;
  gint64          id;
  char           *host;
  XapiReplyFilter filter;
} DecodeJob;

static void
decode_job_free (DecodeJob *job)
{
  g_clear_pointer (&job->body, xapi_body_free);
  xapi_reply_filter_clear (&job->filter);
  g_free (job->host);
  g_free (job);
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DecodeJob *job = task_data;
  GError    *error = NULL;
  g_autoptr(XapiBody) body = g_steal_pointer (&job->body);
  JsonNode *result;

  /* Nobody reads the body after this: its memory goes back while the
   * tree grows. */
  result = decode_reply ((const char *) body->data, body->len, job->id, job->host, &job->filter,
                         TRUE, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) json_node_unref);
  else
    g_task_return_error (task, error);
}

static void
post_finish_with_decoded (GTask    *task,
                          JsonNode *result,
                          GError   *error)
{
  XapiPost *post = g_task_get_task_data (task);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GError *mapped = xapi_post_transport_error (post, error);

      g_error_free (error);
      error = mapped;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) json_node_unref);
}

static void
on_decoded (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError   *error = NULL;
  JsonNode *node = g_task_propagate_pointer (G_TASK (result), &error);

  post_finish_with_decoded (task, node, error);
}

void
xapi_post_decode (GTask *task)
{
  XapiPost *post = g_task_get_task_data (task);

  post->phase = PHASE_PARSING;
  /* The server answered in time; decoding is our business. */
  xapi_post_stop_timer (post);

  if (post->cert_error != NULL)
    {
      g_task_return_error (task, g_error_copy (post->cert_error));
      g_object_unref (task);
      return;
    }

  if (post->body_len > THREADED_PARSE_THRESHOLD)
    {
      DecodeJob *job = g_new0 (DecodeJob, 1);
      GTask     *decode_task = g_task_new (NULL, post->cancellable, on_decoded, task);

      job->body = g_steal_pointer (&post->body);
      job->id = post->id;
      job->host = g_strdup (post->host);
      xapi_reply_filter_copy (&job->filter, &post->filter);
      g_task_set_source_tag (decode_task, xapi_post_decode);
      g_task_set_task_data (decode_task, job, (GDestroyNotify) decode_job_free);
      xapi_task_run_in_background (decode_task, decode_thread);
      g_object_unref (decode_task);
    }
  else
    {
      GError   *error = NULL;
      JsonNode *node = xapi_decode_reply_filtered ((const char *) post->body->data, post->body->len,
                                                   post->id, post->host,
                                                   post->filter.record_depth, post->filter.keep,
                                                   &error);

      post_finish_with_decoded (task, node, error);
      g_object_unref (task);
    }
}

gboolean
xapi_content_type_is_json (const char *content_type)
{
  const char *slash;

  /* A missing Content-Type is tolerated: the body still has to be a valid
   * JSON-RPC reply to our id.  XML-RPC (text/xml) or an HTML error page
   * is not. */
  if (content_type == NULL)
    return TRUE;

  slash = strchr (content_type, '/');
  return g_ascii_strcasecmp (content_type, "application/json") == 0 ||
         (slash != NULL && (g_ascii_strcasecmp (slash, "/json") == 0 ||
                            g_str_has_suffix (content_type, "+json")));
}
