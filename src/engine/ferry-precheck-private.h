/* ferry-precheck-private.h: the checks that need nothing but the cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not installed, not for the window or ferryctl.
 */

#pragma once

#include "ferry-engine-types.h"

G_BEGIN_DECLS

/* The checks that need nothing but the cache (power state, target host
 * enabled and live, free memory, already there).  On FALSE: *short_reason
 * (drag highlighting), @error (FERRY_ERROR_PRECHECK, the plain
 * sentence with its fix) and *code (the XAPI code it stands for, static)
 * are set; each out argument may be NULL.  @vm_busy: whether the VM has
 * a migration that has not ended (ferry_job_vm_is_busy()): the caller
 * knows the jobs, the checks need not. */
gboolean ferry_precheck (FerryVm     *vm,
                         FerryHost   *target,
                         gboolean     vm_busy,
                         char       **short_reason,
                         const char **code,
                         GError     **error);
/* The same, knowing the user's options: a copy to another pool is allowed
 * for a halted VM (and for any VM with force), as XAPI allows it. */
gboolean ferry_precheck_with_options (FerryVm                   *vm,
                                      FerryHost                 *target,
                                      const FerryMigrateOptions *options,
                                      gboolean                   vm_busy,
                                      char                     **short_reason,
                                      const char               **code,
                                      GError                   **error);

G_END_DECLS
