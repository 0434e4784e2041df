/* ferry-engine-types.c: GTypes of the shared enums
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ferry-engine-types.h"

GType
ferry_pool_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { FERRY_POOL_STATE_DISCONNECTED, "FERRY_POOL_STATE_DISCONNECTED", "disconnected" },
        { FERRY_POOL_STATE_CONNECTING, "FERRY_POOL_STATE_CONNECTING", "connecting" },
        { FERRY_POOL_STATE_LOADING, "FERRY_POOL_STATE_LOADING", "loading" },
        { FERRY_POOL_STATE_READY, "FERRY_POOL_STATE_READY", "ready" },
        { FERRY_POOL_STATE_RECONNECTING, "FERRY_POOL_STATE_RECONNECTING", "reconnecting" },
        { FERRY_POOL_STATE_FAILED, "FERRY_POOL_STATE_FAILED", "failed" },
        { 0, NULL, NULL },
      };
      GType id = g_enum_register_static (g_intern_static_string ("FerryPoolState"), values);

      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

GType
ferry_job_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { FERRY_JOB_STATE_QUEUED, "FERRY_JOB_STATE_QUEUED", "queued" },
        { FERRY_JOB_STATE_CHECKING, "FERRY_JOB_STATE_CHECKING", "checking" },
        { FERRY_JOB_STATE_AWAITING_CONFIRMATION, "FERRY_JOB_STATE_AWAITING_CONFIRMATION",
          "awaiting-confirmation" },
        { FERRY_JOB_STATE_RUNNING, "FERRY_JOB_STATE_RUNNING", "running" },
        { FERRY_JOB_STATE_CANCELLING, "FERRY_JOB_STATE_CANCELLING", "cancelling" },
        { FERRY_JOB_STATE_SUCCEEDED, "FERRY_JOB_STATE_SUCCEEDED", "succeeded" },
        { FERRY_JOB_STATE_FAILED, "FERRY_JOB_STATE_FAILED", "failed" },
        { FERRY_JOB_STATE_CANCELLED, "FERRY_JOB_STATE_CANCELLED", "cancelled" },
        { FERRY_JOB_STATE_UNKNOWN, "FERRY_JOB_STATE_UNKNOWN", "unknown" },
        { 0, NULL, NULL },
      };
      GType id = g_enum_register_static (g_intern_static_string ("FerryJobState"), values);

      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

GType
ferry_migration_kind_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { FERRY_MIGRATION_PLAIN, "FERRY_MIGRATION_PLAIN", "plain" },
        { FERRY_MIGRATION_STORAGE, "FERRY_MIGRATION_STORAGE", "storage" },
        { FERRY_MIGRATION_HOME_HOST, "FERRY_MIGRATION_HOME_HOST", "home-host" },
        { 0, NULL, NULL },
      };
      GType id = g_enum_register_static (g_intern_static_string ("FerryMigrationKind"), values);

      g_once_init_leave (&type_id, id);
    }

  return type_id;
}
