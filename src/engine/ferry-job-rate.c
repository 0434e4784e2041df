/* ferry-job-rate.c: how fast a job goes, and how long it has left
 *
 * The task's progress, times the bytes the plan copies, sampled at most
 * every RATE_SAMPLE_US, gives the rate and the time left.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-job-private.h"
#include "ferry-job.h"

/* Rate samples closer than this are merged. */
#define RATE_SAMPLE_US (500 * G_TIME_SPAN_MILLISECOND)

void
ferry_job_reset_measurements (FerryJob *self)
{
  self->sample_time = 0;
  self->sample_bytes = 0;
  ferry_job_set_double_prop (self, &self->progress, 0, FERRY_JOB_PROP_PROGRESS);
  ferry_job_set_double_prop (self, &self->rate, 0, FERRY_JOB_PROP_RATE);
  /* The time left is -1 (not known) or at least 0. */
  ferry_job_set_double_prop (self, &self->eta, -1, FERRY_JOB_PROP_ETA);
}

/* Rate and ETA are measured from the task's progress times the bytes to
 * copy; a moving average smooths XAPI's uneven progress steps. */
void
ferry_job_set_progress (FerryJob *self,
                        double    progress)
{
  gint64 now = g_get_monotonic_time ();
  double bytes;

  progress = CLAMP (progress, 0.0, 1.0);
  if (progress == self->progress)
    return;

  bytes = progress * (double) self->bytes_total;
  if (self->sample_time == 0 || progress < self->progress)
    {
      self->sample_time = now;
      self->sample_bytes = bytes;
    }
  else if (now - self->sample_time >= RATE_SAMPLE_US)
    {
      double seconds = (double) (now - self->sample_time) / G_USEC_PER_SEC;
      double instant = (bytes - self->sample_bytes) / seconds;
      double rate = self->rate > 0 ? 0.6 * self->rate + 0.4 * instant : instant;
      double eta = rate > 0 ? ((double) self->bytes_total - bytes) / rate : -1;

      self->sample_time = now;
      self->sample_bytes = bytes;
      ferry_job_set_double_prop (self, &self->rate, rate, FERRY_JOB_PROP_RATE);
      ferry_job_set_double_prop (self, &self->eta, eta, FERRY_JOB_PROP_ETA);
    }

  self->progress = progress;
  ferry_job_notify (self, FERRY_JOB_PROP_PROGRESS);
}
