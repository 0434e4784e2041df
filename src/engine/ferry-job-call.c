/* ferry-job-call.c: a job's XAPI calls
 *
 * Every call a job makes goes through ferry_job_call(), whose answer is
 * dropped when the job moved on meanwhile (its generation changed), or
 * ferry_job_fire_and_forget() for calls whose answer changes nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xapi-connection.h"

#include "ferry-errors.h"
#include "ferry-job-private.h"
#include "ferry-job.h"
#include "ferry-pool-private.h"

/* ---- XAPI calls ----------------------------------------------------------- */

typedef void (*FerryJobCallDone) (FerryJob     *self,
                                  JsonNode     *result,
                                  const GError *error);

typedef struct
{
  FerryJob        *job;
  JsonArray       *params;
  guint            generation;
  FerryJobCallDone done;
  GError          *error;
} Call;

static void
call_free (Call *call)
{
  g_object_unref (call->job);
  g_clear_pointer (&call->params, json_array_unref);
  g_clear_error (&call->error);
  g_free (call);
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);

  /* A job that moved on (cancelled, finished, restarted) ignores late
   * answers. */
  if (call->generation == call->job->generation)
    call->done (call->job, node, error);

  g_clear_pointer (&node, json_node_unref);
  call_free (call);
}

static gboolean
on_call_failed_idle (gpointer user_data)
{
  Call *call = user_data;

  if (call->generation == call->job->generation)
    call->done (call->job, NULL, call->error);
  call_free (call);

  return G_SOURCE_REMOVE;
}

/* Takes @params.  @cancellable: only for calls that change nothing on
 * the pool; a migration request is never abandoned half-way, its task ref
 * must come back. */
void
ferry_job_call (FerryJob        *self,
                FerryPool       *pool,
                const char      *method,
                JsonArray       *params,
                GCancellable    *cancellable,
                FerryJobCallDone done)
{
  Call           *call = g_new0 (Call, 1);
  XapiConnection *connection = pool != NULL ? ferry_pool_get_connection (pool) : NULL;

  call->job = g_object_ref (self);
  call->params = params;
  call->generation = self->generation;
  call->done = done;

  if (connection == NULL || !xapi_connection_is_logged_in (connection))
    {
      call->error = g_error_new (FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED,
                                 _("The pool “%s” is not connected."),
                                 pool != NULL ? ferry_pool_get_name (pool) : "?");
      g_idle_add (on_call_failed_idle, call);
      return;
    }

  xapi_connection_call_async (connection, method, params, cancellable, on_call_done, call);
}

typedef struct
{
  JsonArray *params;
  char      *method;
} FireAndForget;

static void
on_fire_and_forget (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  FireAndForget *data = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);

  if (error != NULL)
    g_debug ("%s failed: %s", data->method, error->message);

  g_clear_pointer (&node, json_node_unref);
  json_array_unref (data->params);
  g_free (data->method);
  g_free (data);
}

/* For calls whose answer changes nothing for the job (task.destroy,
 * task.add_to_other_config, task.cancel). */
void
ferry_job_fire_and_forget (FerryPool  *pool,
                           const char *method,
                           JsonArray  *params)
{
  XapiConnection *connection = pool != NULL ? ferry_pool_get_connection (pool) : NULL;
  FireAndForget  *data;

  if (connection == NULL)
    {
      json_array_unref (params);
      return;
    }

  data = g_new0 (FireAndForget, 1);
  data->params = params;
  data->method = g_strdup (method);
  xapi_connection_call_async (connection, method, params, NULL, on_fire_and_forget, data);
}
