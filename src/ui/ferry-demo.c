/* ferry-demo.c: the simulated pools behind `ferry --demo`
 *
 * The demo must work on a machine without Xen, from the build tree or an
 * installed copy.  It runs the ferry-sim executable that was built and
 * installed with ferry (next to this binary, in the build tree's
 * src/sim, or on PATH), on loopback with a random port, and reads the pools
 * it announces ("pool NAME URL" lines, then "ready").  The simulator dies with
 * this object, and with this process (it is killed on dispose, and it reads
 * nothing from us, so a crash leaves it orphaned only until its stdout pipe
 * breaks on the next line it prints).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-demo"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-demo.h"

#define DEMO_USERNAME "root"
#define DEMO_PASSWORD "ferry"
#define DEMO_START_TIMEOUT_SECONDS 60

struct _FerryDemo
{
  GObject      parent_instance;

  GSubprocess  *process;
  GPtrArray    *urls;
  GCancellable *drain_cancellable;
};

G_DEFINE_FINAL_TYPE (FerryDemo, ferry_demo, G_TYPE_OBJECT)

typedef struct
{
  FerryDemo        *demo;
  GDataInputStream *lines;
  guint             timeout_id;
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  g_clear_object (&data->demo);
  g_clear_object (&data->lines);
  g_free (data);
}

static void
ferry_demo_dispose (GObject *object)
{
  FerryDemo *self = FERRY_DEMO (object);

  g_cancellable_cancel (self->drain_cancellable);
  g_clear_object (&self->drain_cancellable);
  if (self->process != NULL)
    g_subprocess_force_exit (self->process);
  g_clear_object (&self->process);

  G_OBJECT_CLASS (ferry_demo_parent_class)->dispose (object);
}

static void
ferry_demo_finalize (GObject *object)
{
  FerryDemo *self = FERRY_DEMO (object);

  g_clear_pointer (&self->urls, g_ptr_array_unref);

  G_OBJECT_CLASS (ferry_demo_parent_class)->finalize (object);
}

static void
ferry_demo_class_init (FerryDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_demo_dispose;
  object_class->finalize = ferry_demo_finalize;
}

static void
ferry_demo_init (FerryDemo *self)
{
  self->urls = g_ptr_array_new_with_free_func (g_free);
  self->drain_cancellable = g_cancellable_new ();
}

/* After "ready" the simulator may still log; its stdout must keep flowing or
 * it would block on a full pipe.  The drain holds the stream, not the demo. */
static void drain_next (GDataInputStream *lines,
                        GCancellable     *cancellable);

static void
drain_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GCancellable) cancellable = user_data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  if (line != NULL && !g_cancellable_is_cancelled (cancellable))
    drain_next (G_DATA_INPUT_STREAM (object), cancellable);
}

static void
drain_next (GDataInputStream *lines,
            GCancellable     *cancellable)
{
  g_data_input_stream_read_line_async (lines, G_PRIORITY_LOW, cancellable,
                                       drain_cb, g_object_ref (cancellable));
}

static char *
find_simulator (void)
{
  const char *env = g_getenv ("FERRY_SIM");
  g_autofree char *self_path = NULL;
  g_autofree char *dir = NULL;
  const char *candidates[3];

  if (env != NULL && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (env);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path != NULL)
    {
      dir = g_path_get_dirname (self_path);
      candidates[0] = "ferry-sim";
      candidates[1] = "../sim/ferry-sim";   /* the build tree */
      candidates[2] = NULL;
      for (guint i = 0; candidates[i] != NULL; i++)
        {
          g_autofree char *path = g_build_filename (dir, candidates[i], NULL);

          if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
            return g_canonicalize_filename (path, NULL);
        }
    }

  return g_find_program_in_path ("ferry-sim");
}

static void read_next_line (GTask *task);

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StartData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (line == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                               _("The simulator stopped before it was ready."));
      return;
    }

  g_strstrip (line);
  if (g_str_equal (line, "ready"))
    {
      if (data->demo->urls->len == 0)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                                 _("The simulator announced no pools."));
      else
        {
          drain_next (data->lines, data->demo->drain_cancellable);
          g_task_return_pointer (task, g_object_ref (data->demo), g_object_unref);
        }
      return;
    }

  if (g_str_has_prefix (line, "pool "))
    {
      /* "pool NAME URL": the name may contain spaces, the URL cannot. */
      const char *url = strrchr (line, ' ');

      if (url != NULL && g_str_has_prefix (url + 1, "http"))
        g_ptr_array_add (data->demo->urls, g_strdup (url + 1));
    }

  read_next_line (task);
}

static void
read_next_line (GTask *task)
{
  StartData *data = g_task_get_task_data (task);

  g_data_input_stream_read_line_async (data->lines, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task),
                                       line_read_cb, g_object_ref (task));
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  StartData *data = g_task_get_task_data (task);

  data->timeout_id = 0;
  if (data->demo->process != NULL)
    g_subprocess_force_exit (data->demo->process);
  return G_SOURCE_REMOVE;
}

void
ferry_demo_start_async (GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sim = NULL;
  StartData *data;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_demo_start_async);

  sim = find_simulator ();
  if (sim == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _("The ferry-sim simulator was not found next to ferry or on the PATH."));
      return;
    }

  data = g_new0 (StartData, 1);
  data->demo = g_object_new (FERRY_TYPE_DEMO, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);

  data->demo->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                          sim, "--scenario", "demo", NULL);
  if (data->demo->process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (data->demo->process));
  /* A simulator that never says "ready" must not leave the window waiting
   * forever: killing it ends the read with "stopped before it was ready". */
  data->timeout_id = g_timeout_add_seconds (DEMO_START_TIMEOUT_SECONDS, start_timeout_cb, task);
  read_next_line (task);
}

FerryDemo *
ferry_demo_start_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
ferry_demo_get_urls (FerryDemo *self)
{
  g_return_val_if_fail (FERRY_IS_DEMO (self), NULL);

  return self->urls;
}

const char *
ferry_demo_get_username (FerryDemo *self)
{
  return DEMO_USERNAME;
}

const char *
ferry_demo_get_password (FerryDemo *self)
{
  return DEMO_PASSWORD;
}

const char *
ferry_demo_get_fingerprint (FerryDemo *self)
{
  return NULL;
}
