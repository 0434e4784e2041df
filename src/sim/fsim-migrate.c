/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-migrate.c: migrations (pool_migrate, migrate_send), their tasks and checks */

#include "fsim-private.h"

struct _FsimMigrations
{
  GList *running;
};

FsimMigrations *
fsim_migrations_new (void)
{
  return g_new0 (FsimMigrations, 1);
}

void
fsim_migrations_free (FsimMigrations *m)
{
  g_list_free (m->running);
  g_free (m);
}

void
fsim_migrate_pool_migrate (FsimCall *call)
{
  fsim_call_error (call, "NOT_IMPLEMENTED", call->method, NULL);
}

void
fsim_migrate_assert_can_migrate (FsimCall *call)
{
  fsim_call_error (call, "NOT_IMPLEMENTED", call->method, NULL);
}

void
fsim_migrate_migrate_send (FsimCall *call)
{
  fsim_call_error (call, "NOT_IMPLEMENTED", call->method, NULL);
}

void
fsim_migrate_receive (FsimCall *call)
{
  fsim_call_error (call, "NOT_IMPLEMENTED", call->method, NULL);
}

void
fsim_migrate_assert_can_boot_here (FsimCall *call)
{
  fsim_call_error (call, "NOT_IMPLEMENTED", call->method, NULL);
}

gboolean
fsim_migrate_cancel_task (FsimServer *self, FsimPool *pool, FsimObject *task)
{
  return FALSE;
}

JsonNode *
fsim_migrate_control_fail (FsimServer *self, JsonObject *cmd, GError **error)
{
  g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "not implemented yet");
  return NULL;
}

JsonNode *
fsim_migrate_control_add_task (FsimServer *self, JsonObject *cmd, GError **error)
{
  g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "not implemented yet");
  return NULL;
}

void
fsim_migrate_shutdown (FsimServer *self)
{
}
