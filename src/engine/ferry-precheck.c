/* ferry-precheck.c: what can be told from the cache before asking XAPI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-errors.h"
#include "ferry-format.h"
#include "ferry-host.h"
#include "ferry-plan.h"
#include "ferry-pool.h"
#include "ferry-precheck-private.h"
#include "ferry-sr.h"
#include "ferry-util-private.h"
#include "ferry-vm-private.h"

static gboolean
refuse (char       **short_reason,
        const char **code,
        GError     **error,
        const char  *code_value,
        char        *reason,
        char        *sentence)
{
  if (short_reason != NULL)
    *short_reason = reason;
  else
    g_free (reason);
  if (code != NULL)
    *code = code_value;
  if (error != NULL)
    *error = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_PRECHECK, sentence);
  g_free (sentence);

  return FALSE;
}

gboolean
ferry_precheck (FerryVm     *vm,
                FerryHost   *target,
                gboolean     vm_busy,
                char       **short_reason,
                const char **code,
                GError     **error)
{
  return ferry_precheck_with_options (vm, target, NULL, vm_busy, short_reason, code, error);
}

/* Whether a VM that is not running already has @target for home host, and
 * every disk on storage @target sees: then there is nothing to move (unless
 * the user asks for storage motion or an SR). */
static gboolean
already_home (FerryVm                   *vm,
              FerryHost                 *target,
              const FerryMigrateOptions *options)
{
  GPtrArray *disks;

  if (ferry_vm_get_resident_on (vm) != NULL || ferry_vm_get_affinity (vm) != target ||
      ferry_migrate_options_get_storage_motion (options) || ferry_migrate_options_has_sr_override (options))
    return FALSE;

  disks = ferry_vm_get_disks (vm);
  for (guint i = 0; i < disks->len; i++)
    {
      FerryDisk *disk = g_ptr_array_index (disks, i);

      if (disk->sr == NULL || !ferry_sr_is_attached_to (disk->sr, target))
        return FALSE;
    }

  return TRUE;
}

gboolean
ferry_precheck_with_options (FerryVm                   *vm,
                             FerryHost                 *target,
                             const FerryMigrateOptions *options,
                             gboolean                   vm_busy,
                             char                     **short_reason,
                             const char               **code,
                             GError                   **error)
{
  FerryPool  *vm_pool;
  FerryPool  *target_pool;
  const char *state;
  const char *vm_name;
  const char *host_name;
  guint64     needed;
  guint64     available;

  g_return_val_if_fail (FERRY_IS_VM (vm), FALSE);
  g_return_val_if_fail (FERRY_IS_HOST (target), FALSE);

  if (short_reason != NULL)
    *short_reason = NULL;
  if (code != NULL)
    *code = NULL;

  vm_pool = ferry_vm_get_pool (vm);
  target_pool = ferry_host_get_pool (target);
  vm_name = ferry_vm_get_name (vm);
  host_name = ferry_host_get_name (target);

  if (vm_pool == NULL || target_pool == NULL ||
      ferry_pool_get_state (vm_pool) != FERRY_POOL_STATE_READY ||
      ferry_pool_get_state (target_pool) != FERRY_POOL_STATE_READY)
    return refuse (short_reason, code, error, NULL,
                   g_strdup (_("Pool not connected")),
                   g_strdup (_("The pool of the VM or of the target host is not connected. Wait until it is connected again.")));

  if (ferry_vm_get_resident_on (vm) == target)
    return refuse (short_reason, code, error, NULL,
                   g_strdup (_("Already on this host")),
                   g_strdup_printf (_("“%s” is already on %s."), vm_name, host_name));

  if (vm_pool == target_pool && already_home (vm, target, options))
    return refuse (short_reason, code, error, NULL,
                   g_strdup (_("Already its home host")),
                   g_strdup_printf (_("%s is already the home host of “%s”, and it sees all its disks."),
                                    host_name, vm_name));

  if (vm_busy)
    return refuse (short_reason, code, error, "OTHER_OPERATION_IN_PROGRESS",
                   g_strdup (_("Already being migrated")),
                   g_strdup_printf (_("“%s” is already being migrated. Wait for that migration to end."), vm_name));

  /* XAPI moves a VM with VM.migrate_send when it is running, halted or
   * suspended (xapi.md §5.4); a paused one stays where it is. */
  state = ferry_vm_get_power_state (vm);
  if (g_strcmp0 (state, "Running") != 0 && g_strcmp0 (state, "Halted") != 0 &&
      g_strcmp0 (state, "Suspended") != 0)
    {
      const char *reason;
      char       *sentence;

      if (g_strcmp0 (state, "Paused") == 0)
        {
          reason = _("The VM is paused");
          sentence = g_strdup_printf (_("“%s” is paused, and a paused VM cannot be moved. Unpause it, or shut it down, then move it."),
                                      vm_name);
        }
      else
        {
          reason = _("The VM is not running");
          sentence = g_strdup_printf (_("“%s” is neither running, halted nor suspended, so it cannot be moved now."),
                                      vm_name);
        }

      return refuse (short_reason, code, error, "VM_BAD_POWER_STATE", g_strdup (reason), sentence);
    }

  if (!ferry_host_get_enabled (target))
    return refuse (short_reason, code, error, "HOST_DISABLED",
                   g_strdup (_("Host is disabled")),
                   g_strdup_printf (_("%s is disabled (maintenance mode). Enable it, or pick another host."),
                                    host_name));

  if (!ferry_host_get_live (target))
    return refuse (short_reason, code, error, "HOST_NOT_LIVE",
                   g_strdup (_("Host is not running")),
                   g_strdup_printf (_("%s is not running. Start it, or pick another host."), host_name));

  /* Only when the host's metrics are known: an unknown free memory is not
   * a reason to refuse, XAPI checks again anyway. */
  /* A VM that is not running (and a halted copy) takes no memory on the
   * host until it is started. */
  needed = ferry_vm_get_memory_needed (vm);
  available = ferry_host_get_memory_free (target);
  if (ferry_host_get_memory_total (target) > 0 && needed > available && g_strcmp0 (state, "Running") == 0)
    {
      g_autofree char   *need_text = ferry_format_size (needed);
      g_autofree char   *free_text = ferry_format_size (available);
      g_autofree char   *need_bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, needed);
      g_autofree char   *free_bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, available);
      const char * const params[] = { need_bytes, free_bytes, NULL };
      /* The same words as when XAPI itself refuses. */
      FerryErrorContext  context = { .vm_name = vm_name, .target_host_name = host_name };
      g_autofree char   *fix = NULL;
      g_autofree char   *sentence = ferry_error_code_explain ("HOST_NOT_ENOUGH_FREE_MEMORY", params, &context,
                                                              &fix, NULL);

      return refuse (short_reason, code, error, "HOST_NOT_ENOUGH_FREE_MEMORY",
                     g_strdup_printf (_("Not enough free memory (needs %s, %s free)"), need_text, free_text),
                     fix != NULL ? g_strconcat (sentence, " ", fix, NULL) : g_strdup (sentence));
    }

  return TRUE;
}
