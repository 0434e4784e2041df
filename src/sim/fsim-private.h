/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-private.h: what the parts of the simulator share (not installed, not for clients) */

#pragma once

#include <libsoup/soup.h>

#include "fsim-server.h"
#include "fsim-model.h"

G_BEGIN_DECLS

/* One JSON-RPC call being answered. */
typedef struct
{
  FsimServer        *server;
  FsimPool          *pool;    /* the pool of the address the request came to */
  FsimObject        *host;    /* the host of that address */
  SoupServerMessage *msg;     /* NULL once answered */
  char              *method;  /* as sent */
  char              *cls;     /* "VM" */
  char              *message; /* "get_record" */
  gboolean           async;   /* "Async." prefix */
  gboolean           v2;
  JsonNode          *id;
  JsonNode          *params_node;
  JsonArray         *params;  /* after the session, if the method takes one */
  const char        *session; /* the session ref, or NULL */
  /* outcome */
  GString           *result;       /* raw JSON text of the result */
  GPtrArray         *error;        /* XAPI error: code then params (char *) */
  gboolean           deferred;     /* answered later (event.from) */
  FsimObject        *task;         /* Async: the task */
  gboolean           task_running; /* Async: the handler keeps the task pending */
  gulong             finished_id;
  GSource           *timer; /* delayed or dropped call */
  gboolean           paused;
} FsimCall;

/* Answers the call now (sync) and frees it; for a parked call, unpauses it. */
void                           fsim_call_finish (FsimCall *call);
void                           fsim_call_free (FsimCall *call);
/* Keeps the HTTP request open until fsim_call_finish(). */
void                           fsim_call_park (FsimCall *call);

/* errors and results */
void                           fsim_call_error (FsimCall *call, const char *code, ...) G_GNUC_NULL_TERMINATED;
void                           fsim_call_error_strv (FsimCall *call, const char                           *const *error);
void                           fsim_call_result_void (FsimCall *call);
void                           fsim_call_result_string (FsimCall *call, const char *value);
void                           fsim_call_result_node (FsimCall *call, JsonNode *node);
guint                          fsim_call_n_params (FsimCall *call);
const char                    *fsim_call_param_string (FsimCall *call, guint i);
JsonObject                    *fsim_call_param_map (FsimCall *call, guint i);
FsimObject                    *fsim_call_param_ref (FsimCall *call, guint i, const char *cls);

/* server internals */
FsimPool                      *fsim_server_pool_of_host (FsimServer *self, const char *host_ref, FsimObject **host);
GPtrArray                     *fsim_server_get_pools (FsimServer *self);
char                          *fsim_server_host_base_url (FsimServer *self, FsimObject *host);

/* tasks */
FsimObject                    *fsim_task_new (FsimPool *pool, FsimObject *host, const char *name_label);
void                           fsim_task_set_progress (FsimPool *pool, FsimObject *task, double progress);
void                           fsim_task_succeed (FsimPool *pool, FsimObject *task, JsonNode *result);
void                           fsim_task_fail (FsimPool *pool, FsimObject *task, const char                           *const *error);
void                           fsim_task_cancelled (FsimPool *pool, FsimObject *task);
char                          *fsim_xmlrpc_value (JsonNode *node);

/* migrations (fsim-migrate.c) */
void                           fsim_migrate_pool_migrate (FsimCall *call);
void                           fsim_migrate_assert_can_migrate (FsimCall *call);
void                           fsim_migrate_migrate_send (FsimCall *call);
void                           fsim_migrate_receive (FsimCall *call);
void                           fsim_migrate_assert_can_boot_here (FsimCall *call);
gboolean                       fsim_migrate_cancel_task (FsimServer *self, FsimPool *pool, FsimObject *task);
JsonNode                      *fsim_migrate_control_fail (FsimServer *self, JsonObject *cmd, GError **error);
JsonNode                      *fsim_migrate_control_incompatible_cpu (FsimServer *self, JsonObject *cmd, GError **error);
JsonNode                      *fsim_migrate_control_power_state (FsimServer *self, JsonObject *cmd, GError **error);
JsonNode                      *fsim_migrate_control_add_task (FsimServer *self, JsonObject *cmd, GError **error);
JsonNode                      *fsim_migrate_control_task_rule (FsimServer *self, JsonObject *cmd, gboolean vanish,
                                                               GError **error);
void                           fsim_migrate_shutdown (FsimServer *self);

/* random realistic changes (fsim-mutate.c) */
JsonNode                      *fsim_mutate (FsimPool *pool, guint count, guint32 seed);

/* per-server migration state, owned by fsim-migrate.c */
typedef struct _FsimMigrations FsimMigrations;
FsimMigrations                *fsim_server_get_migrations (FsimServer *self);
FsimMigrations                *fsim_migrations_new (void);
void                           fsim_migrations_free (FsimMigrations *m);

G_END_DECLS
