/* ferry-engine-types.h: enums shared by the engine's objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  FERRY_POOL_STATE_DISCONNECTED,
  FERRY_POOL_STATE_CONNECTING,
  FERRY_POOL_STATE_LOADING,
  FERRY_POOL_STATE_READY,
  FERRY_POOL_STATE_RECONNECTING,
  FERRY_POOL_STATE_FAILED,
} FerryPoolState;

typedef enum
{
  FERRY_JOB_STATE_QUEUED,
  FERRY_JOB_STATE_CHECKING,
  FERRY_JOB_STATE_AWAITING_CONFIRMATION,
  FERRY_JOB_STATE_RUNNING,
  FERRY_JOB_STATE_CANCELLING,
  FERRY_JOB_STATE_SUCCEEDED,
  FERRY_JOB_STATE_FAILED,
  FERRY_JOB_STATE_CANCELLED,
  /* Ferry cannot tell whether the VM moved (its pool is out of reach, or
   * the task and the VM disagree); the job keeps watching and may still
   * become SUCCEEDED or FAILED. */
  FERRY_JOB_STATE_UNKNOWN,
} FerryJobState;

typedef enum
{
  FERRY_MIGRATION_PLAIN,     /* XenMotion: VM.pool_migrate, only RAM moves */
  FERRY_MIGRATION_STORAGE,   /* Storage XenMotion: migrate_receive + migrate_send */
  FERRY_MIGRATION_HOME_HOST, /* a halted or suspended VM on shared storage: VM.set_affinity */
} FerryMigrationKind;

/* The engine's objects refer to each other (a VM knows its host and its job,
 * a plan knows SRs and networks), so every header sees every name.  C11
 * allows the matching typedefs that G_DECLARE_FINAL_TYPE repeats. */
typedef struct _FerryServer         FerryServer;
typedef struct _FerryServerStore    FerryServerStore;
typedef struct _FerryPool           FerryPool;
typedef struct _FerryHost           FerryHost;
typedef struct _FerryVm             FerryVm;
typedef struct _FerrySr             FerrySr;
typedef struct _FerryNetwork        FerryNetwork;
typedef struct _FerryPlan           FerryPlan;
typedef struct _FerryJob            FerryJob;
typedef struct _FerryManager        FerryManager;
typedef struct _FerryMigrateOptions FerryMigrateOptions;
typedef struct _FerryBatch          FerryBatch;

/* The types of the objects that hold each other in a property or a list (a
 * VM's host and job, a host's VMs, a pool's lists), so that neither needs
 * the other's header: G_DECLARE_FINAL_TYPE repeats the same declaration. */
GType                               ferry_host_get_type (void);
GType                               ferry_vm_get_type (void);
GType                               ferry_sr_get_type (void);
GType                               ferry_network_get_type (void);
GType                               ferry_job_get_type (void);

G_END_DECLS

/* FERRY_TYPE_POOL_STATE, FERRY_TYPE_JOB_STATE, FERRY_TYPE_MIGRATION_KIND:
 * written by glib-mkenums from the enums above. */
#include "ferry-enum-types.h"
