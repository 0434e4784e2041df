/* ferry-plan-describe.c: a plan in words
 *
 * What the question and `ferryctl migrate` say of a plan: where the disks
 * and the memory go, why, and how long it should take.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "ferry-host.h"
#include "ferry-format.h"
#include "ferry-network.h"
#include "ferry-plan-private.h"
#include "ferry-plan.h"
#include "ferry-pool.h"
#include "ferry-sr.h"
#include "ferry-util-private.h"
#include "ferry-vm.h"

/* Appends one sentence to @text, after a space if it is not the first. */
static void add_sentence (GString    *text,
                          const char *format,
                          ...) G_GNUC_PRINTF (2, 3);

static void
add_sentence (GString    *text,
              const char *format,
              ...)
{
  va_list args;

  if (text->len > 0)
    g_string_append_c (text, ' ');
  va_start (args, format);
  g_string_append_vprintf (text, format, args);
  va_end (args);
}

/* As planned: the VM's state may change (or its record go) since. */
static gboolean
is_suspended (FerryPlan *self)
{
  return self->suspended;
}

/* A halted or suspended VM (not a copy): a new home host, or a move with
 * its disks. */
static char *
summarize_not_running (FerryPlan *self)
{
  const char *vm_name = ferry_vm_get_name (self->vm);
  const char *target_name = ferry_host_get_name (self->target);
  FerryPool  *target_pool = ferry_host_get_pool (self->target);
  const char *pool_name = target_pool != NULL ? ferry_pool_get_name (target_pool) : "?";
  gboolean    suspended = is_suspended (self);

  if (self->kind == FERRY_MIGRATION_HOME_HOST)
    return g_strdup_printf (suspended
                              ? _("“%s” is suspended: %s becomes its home host, where it resumes; its disks stay where they are.")
                              : _("“%s” is halted: %s becomes its home host, where it starts next; its disks stay where they are."),
                            vm_name, target_name);

  if (self->cross_pool)
    return g_strdup_printf (suspended
                              ? _("“%s” is suspended and will move to %s in the pool “%s”; its disks and memory image are copied, and it stays suspended.")
                              : _("“%s” is halted and will move to %s in the pool “%s”; its disks are copied, and it stays halted."),
                            vm_name, target_name, pool_name);

  if (suspended && self->suspend_moves)
    return g_strdup_printf (_("“%s” is suspended and will move to %s; its disks and memory image are copied, and it stays suspended."),
                            vm_name, target_name);
  return g_strdup_printf (suspended
                            ? _("“%s” is suspended and will move to %s; its disks are copied, and it stays suspended.")
                            : _("“%s” is halted and will move to %s; its disks are copied, and it stays halted."),
                          vm_name, target_name);
}

/* ferry_plan_describe() for a halted or suspended VM that gets a new home
 * host: nothing is copied. */
static void
describe_home_host (FerryPlan *self,
                    GString   *text)
{
  FerryHost  *home = self->home;
  const char *vm_name = ferry_vm_get_name (self->vm);
  const char *target_name = ferry_host_get_name (self->target);

  add_sentence (text, is_suspended (self) ? _("“%s” is suspended: %s will be its home host, so that it resumes there.") : _("“%s” is halted: %s will be its home host, so that it starts there next time."),
                vm_name, target_name);
  if (home != NULL)
    add_sentence (text, _("Its home host was %s."), ferry_host_get_name (home));

  for (guint i = 0; i < self->disks->len; i++)
    {
      FerryPlanDisk   *pd = g_ptr_array_index (self->disks, i);
      g_autofree char *size = ferry_format_size (pd->virtual_size);

      add_sentence (text, _("The disk “%s” (%s) stays on “%s”."),
                    pd->name, size, pd->to != NULL ? ferry_sr_get_name (pd->to) : "?");
    }

  add_sentence (text, "%s", _("Nothing is copied."));
}

char *
ferry_plan_summarize (FerryPlan *self)
{
  FerryHost  *source;
  FerryPool  *target_pool;
  const char *vm_name;
  const char *target_name;

  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);

  vm_name = ferry_vm_get_name (self->vm);
  target_name = ferry_host_get_name (self->target);
  source = ferry_vm_get_resident_on (self->vm);
  target_pool = ferry_host_get_pool (self->target);

  if (self->options->copy)
    {
      if (source != NULL)
        return g_strdup_printf (_("A halted copy of “%s” will be made on %s; “%s” stays on %s."),
                                vm_name, target_name, vm_name, ferry_host_get_name (source));
      return g_strdup_printf (_("A halted copy of “%s” will be made on %s; “%s” stays in the pool “%s”."),
                              vm_name, target_name, vm_name,
                              ferry_vm_get_pool (self->vm) != NULL ? ferry_pool_get_name (ferry_vm_get_pool (self->vm)) : "?");
    }

  if (!self->live)
    return summarize_not_running (self);

  if (self->kind == FERRY_MIGRATION_PLAIN)
    return g_strdup_printf (_("“%s” will move from %s to %s while it keeps running; its disks stay where they are."),
                            vm_name, source != NULL ? ferry_host_get_name (source) : "?", target_name);

  if (self->cross_pool && target_pool != NULL)
    return g_strdup_printf (_("“%s” will move from %s to %s in the pool “%s”; its disks are copied while it keeps running."),
                            vm_name, source != NULL ? ferry_host_get_name (source) : "?", target_name,
                            ferry_pool_get_name (target_pool));
  return g_strdup_printf (_("“%s” will move from %s to %s; its disks are copied while it keeps running."),
                          vm_name, source != NULL ? ferry_host_get_name (source) : "?", target_name);
}

char *
ferry_plan_describe (FerryPlan *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  FerryHost       *source = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *total = NULL;
  const char      *vm_name;
  const char      *target_name;

  g_return_val_if_fail (FERRY_IS_PLAN (self), NULL);

  vm_name = ferry_vm_get_name (self->vm);
  target_name = ferry_host_get_name (self->target);
  source = ferry_vm_get_resident_on (self->vm);
  memory = ferry_format_size (ferry_vm_get_memory (self->vm));

  if (self->reason != NULL)
    add_sentence (text, "%s", self->reason);

  if (self->kind == FERRY_MIGRATION_HOME_HOST)
    {
      describe_home_host (self, text);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (self->kind == FERRY_MIGRATION_PLAIN)
    {
      if (source != NULL)
        add_sentence (text, _("“%s” will move from %s to %s while it keeps running."),
                      vm_name, ferry_host_get_name (source), target_name);
      else
        add_sentence (text, _("“%s” will move to %s while it keeps running."), vm_name, target_name);
      add_sentence (text, _("Its disks stay where they are; only its memory (%s) is copied."), memory);
    }
  else
    {
      FerryPool *target_pool = ferry_host_get_pool (self->target);

      if (self->options->copy)
        {
          g_autofree char *summary = ferry_plan_summarize (self);

          add_sentence (text, "%s", summary);
        }
      else if (!self->live)
        {
          g_autofree char *summary = summarize_not_running (self);

          add_sentence (text, "%s", summary);
        }
      else if (self->cross_pool && target_pool != NULL)
        add_sentence (text, _("“%s” will move to %s in the pool “%s”, without shared storage."),
                      vm_name, target_name, ferry_pool_get_name (target_pool));
      else
        add_sentence (text, _("“%s” will move to %s without shared storage."), vm_name, target_name);

      for (guint i = 0; i < self->disks->len; i++)
        {
          FerryPlanDisk   *pd = g_ptr_array_index (self->disks, i);
          g_autofree char *size = ferry_format_size (pd->virtual_size);

          if (pd->moves)
            add_sentence (text, _("The disk “%s” (%s) will be copied to “%s” (%s)."),
                          pd->name, size, pd->to != NULL ? ferry_sr_get_name (pd->to) : "?", pd->why);
          else
            add_sentence (text, _("The disk “%s” (%s) stays on “%s”."),
                          pd->name, size, pd->to != NULL ? ferry_sr_get_name (pd->to) : "?");
        }

      if (self->cross_pool)
        for (guint i = 0; i < self->vifs->len; i++)
          {
            FerryPlanVif *pv = g_ptr_array_index (self->vifs, i);

            add_sentence (text, _("Network interface %s will be on “%s” (%s)."),
                          pv->device, pv->to != NULL ? ferry_network_get_name (pv->to) : "?",
                          pv->why);
          }

      if (self->migration_network != NULL)
        {
          add_sentence (text, _("The data goes over the network “%s” (%s)."),
                        ferry_network_get_name (self->migration_network),
                        self->migration_network_why);
        }

      if (self->suspend_sr != NULL)
        {
          if (self->suspend_moves)
            add_sentence (text, _("Its memory image (up to %s) goes to “%s” (%s)."),
                          memory, ferry_sr_get_name (self->suspend_sr), self->suspend_sr_why);
          else
            add_sentence (text, _("Its memory image stays on “%s” (%s)."),
                          ferry_sr_get_name (self->suspend_sr), self->suspend_sr_why);
          /* XAPI's rule, not Ferry's choice: say what it means. */
          if (!ferry_sr_is_attached_to (self->suspend_sr, self->target))
            {
              add_sentence (text, _("%s does not see “%s”, so “%s” may not resume there."),
                            target_name, ferry_sr_get_name (self->suspend_sr), vm_name);
            }
        }

      if (!self->options->copy && self->live)
        {
          add_sentence (text, _("Then its memory (%s) moves; the VM keeps running the whole time."), memory);
        }
    }

  total = ferry_format_size (self->bytes_to_copy);
  if (self->estimated_seconds >= 0)
    {
      g_autofree char *duration = ferry_format_duration (self->estimated_seconds);

      add_sentence (text, _("%s to transfer, which should take %s."), total, duration);
    }
  else
    add_sentence (text, _("%s to transfer."), total);

  return g_string_free (g_steal_pointer (&text), FALSE);
}
