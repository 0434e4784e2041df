/* ferry-batch.c: the jobs of one drop or one evacuation, and how they ended
 *
 * A batch only watches its jobs: it neither starts nor queues them.  It
 * ends when none of them can still change on its own account, which is
 * when each has ended or its outcome is unknown (an UNKNOWN job keeps
 * watching, but nobody should wait for it to hear the rest).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-batch-private.h"
#include "ferry-batch.h"
#include "ferry-job.h"

struct _FerryBatch
{
  GObject    parent_instance;

  char      *title;
  GPtrArray *jobs; /* FerryJob, owned */
  gboolean   ended;
};

G_DEFINE_FINAL_TYPE (FerryBatch, ferry_batch, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ENDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The job points back at its batch without a reference: the batch holds
 * the job, and clears the pointer when it goes. */
static GQuark      batch_quark;

static gboolean
job_is_over (FerryJob *job)
{
  return ferry_job_is_finished (job) || ferry_job_get_state (job) == FERRY_JOB_STATE_UNKNOWN;
}

static void
check_ended (FerryBatch *self)
{
  if (self->ended)
    return;

  for (guint i = 0; i < self->jobs->len; i++)
    if (!job_is_over (g_ptr_array_index (self->jobs, i)))
      return;

  self->ended = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDED]);
}

static void
job_state_cb (FerryBatch *self,
              GParamSpec *pspec,
              FerryJob   *job)
{
  check_ended (self);
}

static void
ferry_batch_dispose (GObject *object)
{
  FerryBatch *self = FERRY_BATCH (object);

  if (self->jobs != NULL)
    {
      for (guint i = 0; i < self->jobs->len; i++)
        {
          FerryJob *job = g_ptr_array_index (self->jobs, i);

          g_signal_handlers_disconnect_by_data (job, self);
          if (g_object_get_qdata (G_OBJECT (job), batch_quark) == self)
            g_object_set_qdata (G_OBJECT (job), batch_quark, NULL);
        }
      g_clear_pointer (&self->jobs, g_ptr_array_unref);
    }

  G_OBJECT_CLASS (ferry_batch_parent_class)->dispose (object);
}

static void
ferry_batch_finalize (GObject *object)
{
  FerryBatch *self = FERRY_BATCH (object);

  g_free (self->title);

  G_OBJECT_CLASS (ferry_batch_parent_class)->finalize (object);
}

static void
ferry_batch_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FerryBatch *self = FERRY_BATCH (object);

  switch (prop_id)
    {
    case PROP_ENDED:
      g_value_set_boolean (value, self->ended);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ferry_batch_class_init (FerryBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_batch_dispose;
  object_class->finalize = ferry_batch_finalize;
  object_class->get_property = ferry_batch_get_property;

  properties[PROP_ENDED] = g_param_spec_boolean ("ended", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  batch_quark = g_quark_from_static_string ("ferry-batch");
}

static void
ferry_batch_init (FerryBatch *self)
{
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
}

/* For ferry_manager_add_batch(): a job belongs to one batch at most; a
 * job already in one stays there. */
FerryBatch *
ferry_batch_new (const char *title,
                 GPtrArray  *jobs)
{
  FerryBatch *self = g_object_new (FERRY_TYPE_BATCH, NULL);

  self->title = g_strdup (title);
  for (guint i = 0; i < jobs->len; i++)
    {
      FerryJob *job = g_ptr_array_index (jobs, i);

      if (ferry_batch_get_for_job (job) != NULL)
        continue;
      g_ptr_array_add (self->jobs, g_object_ref (job));
      g_object_set_qdata (G_OBJECT (job), batch_quark, self);
      g_signal_connect_object (job, "notify::state", G_CALLBACK (job_state_cb), self, G_CONNECT_SWAPPED);
    }

  return self; /* (transfer full) */
}

/* Ends the batch now if its jobs have all ended already. */
void
ferry_batch_check (FerryBatch *self)
{
  check_ended (self);
}

const char *
ferry_batch_get_title (FerryBatch *self)
{
  g_return_val_if_fail (FERRY_IS_BATCH (self), NULL);
  return self->title;
}

GPtrArray *
ferry_batch_get_jobs (FerryBatch *self)
{
  g_return_val_if_fail (FERRY_IS_BATCH (self), NULL);
  return self->jobs; /* (transfer none) */
}

gboolean
ferry_batch_get_ended (FerryBatch *self)
{
  g_return_val_if_fail (FERRY_IS_BATCH (self), FALSE);
  return self->ended;
}

void
ferry_batch_count (FerryBatch *self,
                   guint      *succeeded,
                   guint      *failed,
                   guint      *cancelled,
                   guint      *unknown)
{
  /* One count for each state; only the four ends are asked for. */
  guint counts[FERRY_JOB_STATE_UNKNOWN + 1] = { 0 };

  g_return_if_fail (FERRY_IS_BATCH (self));

  for (guint i = 0; i < self->jobs->len; i++)
    {
      FerryJobState state = ferry_job_get_state (g_ptr_array_index (self->jobs, i));

      if (state <= FERRY_JOB_STATE_UNKNOWN)
        counts[state]++;
    }

  if (succeeded != NULL)
    *succeeded = counts[FERRY_JOB_STATE_SUCCEEDED];
  if (failed != NULL)
    *failed = counts[FERRY_JOB_STATE_FAILED];
  if (cancelled != NULL)
    *cancelled = counts[FERRY_JOB_STATE_CANCELLED];
  if (unknown != NULL)
    *unknown = counts[FERRY_JOB_STATE_UNKNOWN];
}

char *
ferry_batch_dup_summary (FerryBatch *self)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint succeeded, failed, cancelled, unknown;

  g_return_val_if_fail (FERRY_IS_BATCH (self), NULL);

  ferry_batch_count (self, &succeeded, &failed, &cancelled, &unknown);

  /* Translators: parts of a batch summary, joined with ", ":
   * "3 done, 1 failed, 1 cancelled, 1 outcome unknown" */
  if (succeeded > 0 || (failed == 0 && cancelled == 0 && unknown == 0))
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u done", "%u done", succeeded), succeeded));
  if (failed > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u failed", "%u failed", failed), failed));
  if (cancelled > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u cancelled", "%u cancelled", cancelled), cancelled));
  /* Ferry cannot tell whether these moved: neither done nor failed. */
  if (unknown > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u outcome unknown", "%u outcomes unknown", unknown),
                                             unknown));
  g_ptr_array_add (parts, NULL);

  /* Translators: the separator between the parts of a batch summary */
  return g_strjoinv (_(", "), (char **) parts->pdata);
}

char **
ferry_batch_dup_problems (FerryBatch *self)
{
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();

  g_return_val_if_fail (FERRY_IS_BATCH (self), NULL);

  for (guint i = 0; i < self->jobs->len; i++)
    {
      FerryJob        *job = g_ptr_array_index (self->jobs, i);
      FerryJobState    state = ferry_job_get_state (job);
      const char      *error = ferry_job_get_error (job);
      g_autofree char *line = NULL;

      if (state == FERRY_JOB_STATE_FAILED)
        /* Translators: a failed migration in a batch summary, "db-01: <why>" */
        line = g_strdup_printf (_("%s: %s"), ferry_job_get_vm_name (job),
                                error != NULL ? error : _("the migration failed"));
      else if (state == FERRY_JOB_STATE_UNKNOWN)
        /* Translators: a migration whose outcome is unknown, in a batch summary, "db-01: outcome unknown (<why>)" */
        line = g_strdup_printf (_("%s: outcome unknown (%s)"), ferry_job_get_vm_name (job),
                                error != NULL ? error : _("Ferry cannot tell whether it moved"));
      if (line != NULL)
        g_strv_builder_add (lines, line);
    }

  return g_strv_builder_end (lines); /* (transfer full) */
}

FerryBatch *
ferry_batch_get_for_job (FerryJob *job)
{
  g_return_val_if_fail (FERRY_IS_JOB (job), NULL);

  if (batch_quark == 0)
    return NULL;
  return g_object_get_qdata (G_OBJECT (job), batch_quark); /* (transfer none) */
}
