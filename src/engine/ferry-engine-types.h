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
} FerryJobState;

typedef enum
{
  FERRY_MIGRATION_PLAIN,          /* XenMotion: VM.pool_migrate, only RAM moves */
  FERRY_MIGRATION_STORAGE,        /* Storage XenMotion: migrate_receive + migrate_send */
} FerryMigrationKind;

G_END_DECLS
