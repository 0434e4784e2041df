/* ferry-job-queue.c: a job's place in the storage-migration queue
 *
 * A storage migration waits for a slot of its source host (see
 * ferry-manager-queue.c); while it waits the user may hold it (paused) or
 * take it out.  Its phase (waiting, paused, sending) changes only through
 * ferry_job_set_phase(), which refuses a move the life cycle does not have.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-job-private.h"
#include "ferry-job.h"

static gboolean
phase_may_follow (FerryJobPhase from,
                  FerryJobPhase to)
{
  switch (to)
    {
    case FERRY_JOB_PHASE_IDLE:
      return TRUE;
    case FERRY_JOB_PHASE_WAITING:
      return from == FERRY_JOB_PHASE_IDLE || from == FERRY_JOB_PHASE_PAUSED;
    case FERRY_JOB_PHASE_PAUSED:
      return from == FERRY_JOB_PHASE_WAITING;
    case FERRY_JOB_PHASE_SENDING:
      return from == FERRY_JOB_PHASE_IDLE || from == FERRY_JOB_PHASE_WAITING;
    default:
      return FALSE;
    }
}

void
ferry_job_set_phase (FerryJob     *self,
                     FerryJobPhase phase)
{
  if (self->phase == phase)
    return;

  g_return_if_fail (phase_may_follow (self->phase, phase));
  self->phase = phase;
}

void
ferry_job_leave_queue (FerryJob *self)
{
  gpointer owner = ferry_job_get_owner (self);
  gboolean was = ferry_job_is_waiting (self) || self->in_slot;

  if (ferry_job_is_waiting (self))
    ferry_job_set_phase (self, FERRY_JOB_PHASE_IDLE);
  self->in_slot = FALSE;
  g_clear_handle_id (&self->retry_id, g_source_remove);

  if (was && owner != NULL && self->hooks->release != NULL)
    self->hooks->release (owner, self);
}

gboolean
ferry_job_is_waiting (FerryJob *self)
{
  return self->phase == FERRY_JOB_PHASE_WAITING || self->phase == FERRY_JOB_PHASE_PAUSED;
}

gboolean
ferry_job_is_in_slot (FerryJob *self)
{
  return self->in_slot;
}

gint64
ferry_job_get_not_before (FerryJob *self)
{
  return self->not_before;
}

gboolean
ferry_job_get_paused (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);

  /* Only a job that still waits for its slot is held. */
  return self->phase == FERRY_JOB_PHASE_PAUSED && self->state == FERRY_JOB_STATE_QUEUED;
}

gboolean
ferry_job_get_in_queue (FerryJob *self)
{
  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);

  return ferry_job_is_waiting (self) && self->state == FERRY_JOB_STATE_QUEUED;
}

gboolean
ferry_job_set_paused (FerryJob *self,
                      gboolean  paused)
{
  gpointer owner;

  g_return_val_if_fail (FERRY_IS_JOB (self), FALSE);

  /* Nothing that was sent to the pool can be held back. */
  if (!ferry_job_get_in_queue (self))
    return FALSE;
  if (ferry_job_get_paused (self) == !!paused)
    return TRUE;

  ferry_job_set_phase (self, paused ? FERRY_JOB_PHASE_PAUSED : FERRY_JOB_PHASE_WAITING);
  ferry_job_notify (self, FERRY_JOB_PROP_PAUSED);

  /* Resumed, it takes its place in the queue again: a slot may be free. */
  owner = ferry_job_get_owner (self);
  if (!paused && owner != NULL && self->hooks->enqueue != NULL)
    self->hooks->enqueue (owner, self);

  return TRUE;
}
