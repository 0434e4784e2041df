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

/* One call out: a job's, whose answer goes to @done unless the job moved
 * on, or one fired and forgotten (@job NULL), whose failure is only
 * logged. */
typedef struct
{
  FerryJob        *job;
  char            *method;
  JsonArray       *params;
  guint            generation;
  FerryJobCallDone done;
  GError          *error;
} Call;

static void
call_answered (Call         *call,
               JsonNode     *node,
               const GError *error)
{
  if (call->job == NULL)
    {
      if (error != NULL)
        g_debug ("%s failed: %s", call->method, error->message);
    }
  /* A job that moved on (cancelled, finished, restarted) ignores late
   * answers. */
  else if (call->generation == call->job->generation)
    call->done (call->job, node, error);

  g_clear_object (&call->job);
  g_free (call->method);
  g_clear_pointer (&call->params, json_array_unref);
  g_clear_error (&call->error);
  g_free (call);
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = xapi_connection_call_finish (XAPI_CONNECTION (source), result, &error);

  call_answered (user_data, node, error);
}

static gboolean
on_call_failed_idle (gpointer user_data)
{
  Call *call = user_data;

  call_answered (call, NULL, call->error);

  return G_SOURCE_REMOVE;
}

/* (transfer none) The pool's connection if it is logged in; otherwise
 * NULL, and @error says that the pool is not connected. */
XapiConnection *
ferry_job_pool_connection (FerryPool *pool,
                           GError   **error)
{
  XapiConnection *connection = pool != NULL ? ferry_pool_get_connection (pool) : NULL;

  if (connection != NULL && xapi_connection_is_logged_in (connection))
    return connection;

  g_set_error (error, FERRY_ERROR, FERRY_ERROR_NOT_CONNECTED, _("The pool “%s” is not connected."),
               pool != NULL ? ferry_pool_get_name (pool) : "?");
  return NULL;
}

static void
job_call (FerryJob        *self,
          FerryPool       *pool,
          const char      *method,
          JsonArray       *params,
          GCancellable    *cancellable,
          GCancellable    *withdraw,
          FerryJobCallDone done)
{
  Call           *call = g_new0 (Call, 1);
  XapiConnection *connection = ferry_job_pool_connection (pool, &call->error);

  call->job = g_object_ref (self);
  call->params = params;
  call->generation = self->generation;
  call->done = done;

  if (connection == NULL)
    {
      g_idle_add (on_call_failed_idle, call);
      return;
    }

  if (withdraw != NULL)
    xapi_connection_call_withdrawable_async (connection, method, params, withdraw, on_call_done, call);
  else
    xapi_connection_call_async (connection, method, params, cancellable, on_call_done, call);
}

/* Takes @params.  @cancellable: only for calls that change nothing on
 * the pool; a migration request is never abandoned half-way, its task ref
 * must come back (ferry_job_send_request()). */
void
ferry_job_call (FerryJob        *self,
                FerryPool       *pool,
                const char      *method,
                JsonArray       *params,
                GCancellable    *cancellable,
                FerryJobCallDone done)
{
  job_call (self, pool, method, params, cancellable, NULL, done);
}

void
ferry_job_send_request (FerryJob        *self,
                        FerryPool       *pool,
                        const char      *method,
                        JsonArray       *params,
                        FerryJobCallDone done)
{
  /* One per request: a cancel of an earlier one says nothing of this one. */
  g_clear_object (&self->withdraw);
  self->withdraw = g_cancellable_new ();
  job_call (self, pool, method, params, NULL, self->withdraw, done);
}

void
ferry_job_withdraw_request (FerryJob *self)
{
  if (self->withdraw != NULL)
    g_cancellable_cancel (self->withdraw);
}

/* For calls whose answer changes nothing for the job (task.destroy,
 * task.add_to_other_config, task.cancel). */
void
ferry_job_fire_and_forget (FerryPool  *pool,
                           const char *method,
                           JsonArray  *params)
{
  XapiConnection *connection = pool != NULL ? ferry_pool_get_connection (pool) : NULL;
  Call           *call;

  if (connection == NULL)
    {
      json_array_unref (params);
      return;
    }

  call = g_new0 (Call, 1);
  call->params = params;
  call->method = g_strdup (method);
  xapi_connection_call_async (connection, method, params, NULL, on_call_done, call);
}
