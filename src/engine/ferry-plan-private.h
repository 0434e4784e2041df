/* ferry-plan-private.h: what the parts of FerryPlan share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plan is one object in four files:
 *
 *   ferry-plan.c           the GObject and the planner: which SR each disk
 *                          goes to, which network each VIF, and why
 *   ferry-plan-options.c   FerryMigrateOptions, the user's overrides
 *   ferry-plan-describe.c  the plan in words, for the question and ferryctl
 *   ferry-plan-wire.c      the plan as XAPI's arguments: the one place that
 *                          knows the shapes of VM.pool_migrate,
 *                          host.migrate_receive and VM.migrate_send
 *
 * Not installed, not for the window or ferryctl.  The structures are for
 * the plan's own files only.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ferry-engine-types.h"

G_BEGIN_DECLS

struct _FerryMigrateOptions
{
  FerrySr      *sr;
  GHashTable   *disk_srs; /* vdi ref -> FerrySr */
  FerryNetwork *network;
  GHashTable   *vif_networks; /* vif ref -> FerryNetwork */
  FerryNetwork *migration_network;
  gboolean      copy;
  gboolean      compress;
  gboolean      compress_set;
  gboolean      force;
  gboolean      storage_motion;
};

struct _FerryPlan
{
  GObject              parent_instance;

  FerryMigrationKind   kind;
  gboolean             cross_pool;
  FerryVm             *vm;
  FerryHost           *target;
  FerryNetwork        *migration_network;
  gboolean             migration_network_explicit;
  char                *migration_network_why;
  guint64              bytes_to_copy;
  double               estimated_seconds;
  GPtrArray           *disks;
  GPtrArray           *vifs;
  GHashTable          *snapshot_vifs; /* VIF ref -> target network ref */
  FerryMigrateOptions *options;
  char                *reason;
  gboolean             live;          /* the VM runs (its memory moves too) */
  gboolean             suspended;     /* it is suspended (else halted, if not live) */
  FerrySr             *suspend_sr;    /* a suspended VM's memory image goes there */
  gboolean             suspend_moves; /* and is copied (another SR or pool) */
  FerryHost           *home;          /* a VM that does not run: its home host then */
  char                *suspend_sr_why;
};

/* ---- ferry-plan.c ---------------------------------------------------------------- */

/* (transfer full) Builds a plan.  @unreachable_srs: SR refs XAPI said the target cannot see
 * (VM_REQUIRES_SR), may be NULL.  @force_storage: storage motion even when
 * every disk could stay. */
FerryPlan  *ferry_plan_build (FerryVm                   *vm,
                              FerryHost                 *target,
                              const FerryMigrateOptions *options,
                              GHashTable                *unreachable_srs,
                              gboolean                   force_storage,
                              double                     rate_hint,
                              GError                   **error);
/* (transfer none) Why storage motion was chosen (translated), or NULL for plain. */
const char *ferry_plan_get_reason (FerryPlan *self);
void        ferry_plan_set_reason (FerryPlan  *self,
                                   const char *reason);

/* ---- ferry-plan-wire.c ---------------------------------------------------------- */

/* (transfer full) The arguments of VM.pool_migrate after the session: the
 * VM, the target host, the options of @plan. */
JsonArray  *ferry_plan_wire_pool_migrate (FerryPlan  *plan,
                                          const char *vm_ref,
                                          const char *host_ref);
/* (transfer full) The arguments of host.migrate_receive after the session:
 * the target host, the plan's migration network, no options. */
JsonArray  *ferry_plan_wire_migrate_receive (FerryPlan  *plan,
                                             const char *host_ref);
/* (transfer none) host.migrate_receive's answer (the "dest" of the
 * migration), or NULL if @result is not an object. */
JsonObject *ferry_plan_wire_dest (JsonNode *result);
/* (transfer full) The arguments of VM.migrate_send (and of
 * VM.assert_can_migrate, which takes the same) after the session. */
JsonArray  *ferry_plan_wire_migrate_send (FerryPlan  *plan,
                                          const char *vm_ref,
                                          JsonObject *dest);

G_END_DECLS
