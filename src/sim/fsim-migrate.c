/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-migrate.c: migrations (VM.pool_migrate, VM.migrate_send), their checks and tasks
 *
 * The checks follow xapi.md §5 in XAPI's order, because clients react to the
 * exact error code (VM_REQUIRES_SR turns a plain migration into a storage
 * migration, TOO_MANY_STORAGE_MIGRATES means "retry later", ...).
 *
 * A running migration moves simulated bytes at the server's bandwidth: the
 * disks that change SR first, then the memory of a running VM.  Nothing
 * changes in the pools until the end, except the task, VM.current_operations
 * and the memory reserved on the target host, so a failed or cancelled
 * migration leaves the VM where it was.
 */

#include "fsim-private.h"

#include <string.h>

#define TICK_MS 100
#define POINT_OF_NO_RETURN 0.95
#define MAX_STORAGE_MIGRATIONS 3
/* Fixed cost of a migration (set-up, last dirty pages, switch-over), counted
 * as bytes: 1.5 s at the default bandwidth, so the demo's plain migrations take
 * 2.5-5.5 s and its storage migrations 5-20 s. */
#define SWITCH_OVER_BYTES (1536.0 * 1024 * 1024)

/* What the next migration of a VM does wrong, set by a control command. */
typedef enum
{
  RULE_FAIL,   /* fails at "at" with "error" */
  RULE_LIE,    /* its task says success at "at", the migration goes on */
  RULE_VANISH, /* its task record is deleted at "at", the migration goes on */
} RuleKind;

typedef struct
{
  RuleKind kind;
  char    *vm_uuid;
  double   at;
  char   **error;
} FailRule;

typedef struct
{
  FsimServer *server;
  FsimPool   *pool;      /* source */
  FsimPool   *dest_pool; /* == pool intra-pool */
  char       *task_ref;
  char       *vm_ref;
  char       *source_host; /* sending host ref (for the limit) */
  char       *dest_host;
  char       *op; /* "pool_migrate" or "migrate_send" */
  gboolean    storage;
  gboolean    cross_pool;
  gboolean    copy;
  GHashTable *vdi_map; /* moving VDI ref -> destination SR ref */
  GHashTable *vif_map; /* VIF ref -> destination network ref (cross-pool) */
  double      total;
  double      disk_bytes;
  double      done;
  gint64      last_time;
  double      fail_at;
  char      **fail_error;
  double      lie_at; /* < 0: the task tells the truth */
  gboolean    lied;
  double      vanish_at; /* < 0: the task stays */
  gboolean    vanished;
  gboolean    cancelling;
  gboolean    sync_task; /* task made for a synchronous call: destroyed at the end */
  FsimCall   *sync_call; /* parked synchronous call */
} Migration;

struct _FsimMigrations
{
  GList      *running;
  GList      *fail_rules;
  GSource    *tick;
  GHashTable *incompatible; /* "vm-uuid host-uuid", from incompatible_cpu */
};

static void
fail_rule_free (gpointer data)
{
  FailRule *r = data;

  g_free (r->vm_uuid);
  g_strfreev (r->error);
  g_free (r);
}

static void
migration_free (Migration *m)
{
  g_free (m->task_ref);
  g_free (m->vm_ref);
  g_free (m->source_host);
  g_free (m->dest_host);
  g_free (m->op);
  g_clear_pointer (&m->vdi_map, g_hash_table_unref);
  g_clear_pointer (&m->vif_map, g_hash_table_unref);
  g_strfreev (m->fail_error);
  g_free (m);
}

FsimMigrations *
fsim_migrations_new (void)
{
  return g_new0 (FsimMigrations, 1);
}

void
fsim_migrations_free (FsimMigrations *ms)
{
  fsim_source_clear (&ms->tick);
  g_list_free_full (ms->running, (GDestroyNotify) migration_free);
  g_list_free_full (ms->fail_rules, fail_rule_free);
  g_clear_pointer (&ms->incompatible, g_hash_table_unref);
  g_free (ms);
}

void
fsim_migrate_shutdown (FsimServer *self)
{
  FsimMigrations *ms = fsim_server_get_migrations (self);

  if (ms == NULL)
    return;
  fsim_source_clear (&ms->tick);
  for (GList *l = ms->running; l != NULL; l = l->next)
    {
      Migration *m = l->data;

      if (m->sync_call != NULL)
        {
          FsimCall *call = g_steal_pointer (&m->sync_call);

          g_clear_object (&call->msg);
          fsim_call_finish (call);
        }
    }
}

/* ---- small helpers ---- */

static char *
lower (const char *s)
{
  return g_ascii_strdown (s, -1);
}

static char *
int_text (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static gboolean
option_true (JsonObject *options, const char *key)
{
  JsonNode *n = options != NULL ? json_object_get_member (options, key) : NULL;

  return n != NULL && json_node_get_value_type (n) == G_TYPE_STRING &&
         g_ascii_strcasecmp (json_node_get_string (n), "true") == 0;
}

static gboolean
is_running (FsimObject *vm)
{
  return g_strcmp0 (fsim_obj_get_string (vm, "power_state"), "Running") == 0;
}

static FsimObject *
lookup (FsimPool *pool, const char *ref)
{
  return ref != NULL ? fsim_db_lookup (pool->db, ref) : NULL;
}

static gint64
host_free_memory (FsimPool *pool, FsimObject *host)
{
  FsimObject *metrics = lookup (pool, fsim_obj_get_string (host, "metrics"));

  return metrics != NULL ? fsim_obj_get_int (metrics, "memory_free") : 0;
}

static gboolean
host_live (FsimPool *pool, FsimObject *host)
{
  FsimObject *metrics = lookup (pool, fsim_obj_get_string (host, "metrics"));

  return metrics != NULL && fsim_obj_get_bool (metrics, "live");
}

/* The VM's own disks: (VBD, VDI) pairs of non-empty, non-CD VBDs. */
static GPtrArray *
vm_disks (FsimPool *pool, FsimObject *vm)
{
  GPtrArray *vdis = g_ptr_array_new ();
  JsonArray *vbds = fsim_obj_get_array (vm, "VBDs");

  for (guint i = 0; vbds != NULL && i < json_array_get_length (vbds); i++)
    {
      FsimObject *vbd = lookup (pool, json_array_get_string_element (vbds, i));
      FsimObject *vdi;

      if (vbd == NULL || fsim_obj_get_bool (vbd, "empty") ||
          g_strcmp0 (fsim_obj_get_string (vbd, "type"), "CD") == 0)
        continue;
      vdi = lookup (pool, fsim_obj_get_string (vbd, "VDI"));
      if (vdi != NULL)
        g_ptr_array_add (vdis, vdi);
    }
  return vdis;
}

static gboolean
check_vm_movable (FsimCall *call, FsimObject *vm, const char *op)
{
  JsonObject *current = fsim_obj_get_map (vm, "current_operations");

  if (fsim_obj_get_bool (vm, "is_control_domain"))
    {
      fsim_call_error (call, "OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain", NULL);
      return FALSE;
    }
  if (fsim_obj_get_bool (vm, "is_a_snapshot"))
    {
      fsim_call_error (call, "VM_IS_SNAPSHOT", vm->ref, op, NULL);
      return FALSE;
    }
  if (fsim_obj_get_bool (vm, "is_a_template") &&
      (strcmp (op, "pool_migrate") == 0 || fsim_obj_get_bool (vm, "is_default_template")))
    {
      fsim_call_error (call, "VM_IS_TEMPLATE", vm->ref, op, NULL);
      return FALSE;
    }
  if (current != NULL && json_object_get_size (current) > 0)
    {
      GList      *members = json_object_get_members (current);
      const char *task = members->data;
      const char *other = json_object_get_string_member (current, task);

      fsim_call_error (call, "OTHER_OPERATION_IN_PROGRESS", "VM", vm->ref, other, task, NULL);
      g_list_free (members);
      return FALSE;
    }
  return TRUE;
}

/* VM_INCOMPATIBLE_WITH_THIS_HOST, if a test said so (incompatible_cpu). */
static gboolean
cpu_incompatible (FsimCall *call, FsimServer *server, FsimObject *vm, FsimObject *host)
{
  FsimMigrations  *ms = fsim_server_get_migrations (server);
  g_autofree char *key = NULL;

  if (ms->incompatible == NULL || host == NULL)
    return FALSE;
  key = g_strdup_printf ("%s %s", fsim_obj_uuid (vm), fsim_obj_uuid (host));
  if (!g_hash_table_contains (ms->incompatible, key))
    return FALSE;
  fsim_call_error (call, "VM_INCOMPATIBLE_WITH_THIS_HOST", vm->ref, host->ref,
                   "The VM's CPU features are not available on the host", NULL);
  return TRUE;
}

/* assert_can_boot_here on @host of @pool; @check_srs for pool_migrate. */
static gboolean
check_host (FsimCall *call, FsimPool *pool, FsimObject *vm, FsimObject *host, gboolean check_srs,
            gboolean check_networks)
{
  if (!host_live (pool, host))
    {
      fsim_call_error (call, "HOST_NOT_LIVE", NULL);
      return FALSE;
    }
  if (!fsim_obj_get_bool (host, "enabled"))
    {
      fsim_call_error (call, "HOST_DISABLED", host->ref, NULL);
      return FALSE;
    }
  if (check_srs)
    {
      JsonArray *vbds = fsim_obj_get_array (vm, "VBDs");

      for (guint i = 0; vbds != NULL && i < json_array_get_length (vbds); i++)
        {
          FsimObject *vbd = lookup (pool, json_array_get_string_element (vbds, i));
          FsimObject *vdi = vbd != NULL ? lookup (pool, fsim_obj_get_string (vbd, "VDI")) : NULL;
          FsimObject *sr = vdi != NULL ? lookup (pool, fsim_obj_get_string (vdi, "SR")) : NULL;

          if (sr != NULL && !fsim_model_sr_attached_to (pool, sr, host))
            {
              fsim_call_error (call, "VM_REQUIRES_SR", vm->ref, sr->ref, NULL);
              return FALSE;
            }
        }
    }
  if (check_networks)
    {
      JsonArray *vifs = fsim_obj_get_array (vm, "VIFs");

      for (guint i = 0; vifs != NULL && i < json_array_get_length (vifs); i++)
        {
          FsimObject *vif = lookup (pool, json_array_get_string_element (vifs, i));
          FsimObject *net = vif != NULL ? lookup (pool, fsim_obj_get_string (vif, "network")) : NULL;

          if (net != NULL && fsim_model_host_pif_on (pool, host, net) == NULL)
            {
              fsim_call_error (call, "VM_REQUIRES_NETWORK", vm->ref, net->ref, NULL);
              return FALSE;
            }
        }
    }
  if (is_running (vm) && g_strcmp0 (fsim_obj_get_string (vm, "resident_on"), host->ref) != 0)
    {
      gint64 needed = fsim_model_vm_memory (vm) + fsim_obj_get_int (vm, "memory_overhead");
      gint64 available = host_free_memory (pool, host);

      if (needed > available)
        {
          g_autofree char *n = int_text (needed);
          g_autofree char *a = int_text (available);

          fsim_call_error (call, "HOST_NOT_ENOUGH_FREE_MEMORY", n, a, NULL);
          return FALSE;
        }
    }
  return TRUE;
}

/* Memory needed on a host of another pool (the remote dry-run import). */
static gboolean
check_remote_memory (FsimCall *call, FsimPool *dest, FsimObject *vm, FsimObject *host)
{
  gint64 needed = fsim_model_vm_memory (vm) + fsim_obj_get_int (vm, "memory_overhead");
  gint64 available = host_free_memory (dest, host);

  if (is_running (vm) && needed > available)
    {
      g_autofree char *n = int_text (needed);
      g_autofree char *a = int_text (available);

      fsim_call_error (call, "HOST_NOT_ENOUGH_FREE_MEMORY", n, a, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- the plan of a migrate_send ---- */

typedef struct
{
  FsimObject *vm;
  FsimPool   *dest_pool;
  FsimObject *dest_host;
  gboolean    cross_pool;
  gboolean    copy;
  GHashTable *vdi_map; /* moving VDI -> SR (destination pool) */
  GHashTable *vif_map; /* VIF -> network (destination pool) */
} Plan;

static void
plan_clear (Plan *plan)
{
  g_clear_pointer (&plan->vdi_map, g_hash_table_unref);
  g_clear_pointer (&plan->vif_map, g_hash_table_unref);
}

static GHashTable *
new_map (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* The VIFs of the VM and of its snapshots. */
static GPtrArray *
all_vifs (FsimPool *pool, FsimObject *vm)
{
  GPtrArray *out = g_ptr_array_new ();
  g_autoptr(GPtrArray) vms = g_ptr_array_new ();
  JsonArray *snaps = fsim_obj_get_array (vm, "snapshots");

  g_ptr_array_add (vms, vm);
  for (guint i = 0; snaps != NULL && i < json_array_get_length (snaps); i++)
    {
      FsimObject *s = lookup (pool, json_array_get_string_element (snaps, i));

      if (s != NULL)
        g_ptr_array_add (vms, s);
    }
  for (guint v = 0; v < vms->len; v++)
    {
      JsonArray *vifs = fsim_obj_get_array (vms->pdata[v], "VIFs");

      for (guint i = 0; vifs != NULL && i < json_array_get_length (vifs); i++)
        {
          FsimObject *vif = lookup (pool, json_array_get_string_element (vifs, i));

          if (vif != NULL)
            g_ptr_array_add (out, vif);
        }
    }
  return out;
}

/* VM.assert_can_migrate, in XAPI's order (xapi.md §5.3).  Fills @plan. */
static gboolean
check_migrate_send (FsimCall *call, Plan *plan)
{
  FsimServer *server = call->server;
  FsimPool   *pool = call->pool;
  FsimObject *vm = fsim_call_param_ref (call, 0, "VM");
  JsonObject *dest = fsim_call_param_map (call, 1);
  JsonObject *vdi_map = fsim_call_param_map (call, 3);
  JsonObject *vif_map = fsim_call_param_map (call, 4);
  JsonObject *options = fsim_call_param_map (call, 5);
  const char *dest_host_ref;
  g_autoptr(GPtrArray) disks = NULL;
  const char *state;
  gboolean    force;

  if (vm == NULL)
    return FALSE;
  if (dest == NULL || vdi_map == NULL || vif_map == NULL || options == NULL)
    {
      fsim_call_error (call, "FIELD_TYPE_ERROR", dest == NULL ? "dest" : vdi_map == NULL ? "vdi_map"
                                                                       : vif_map == NULL ? "vif_map"
                                                                                         : "options",
                       NULL);
      return FALSE;
    }
  plan->vm = vm;
  if (!check_vm_movable (call, vm, "migrate_send"))
    return FALSE;
  state = fsim_obj_get_string (vm, "power_state");
  if (strcmp (state, "Paused") == 0)
    {
      g_autofree char *actual = lower (state);

      fsim_call_error (call, "VM_BAD_POWER_STATE", vm->ref, "halted,suspended,running", actual, NULL);
      return FALSE;
    }
  force = option_true (options, "force");
  plan->copy = option_true (options, "copy");

  /* where to: dest["host"] decides intra- or cross-pool */
  dest_host_ref = json_object_has_member (dest, "host") &&
                      json_node_get_value_type (json_object_get_member (dest, "host")) == G_TYPE_STRING
                  ? json_object_get_string_member (dest, "host")
                  : NULL;
  if (dest_host_ref == NULL)
    {
      fsim_call_error (call, "INTERNAL_ERROR", "Not_found: the destination map has no \"host\"", NULL);
      return FALSE;
    }
  plan->dest_host = fsim_ref_valid (pool->db, "host", dest_host_ref);
  if (plan->dest_host != NULL)
    plan->dest_pool = pool;
  else
    {
      const char *session = json_object_has_member (dest, "session_id")
                            ? json_object_get_string_member (dest, "session_id")
                            : NULL;

      plan->cross_pool = TRUE;
      plan->dest_pool = fsim_server_pool_of_host (server, dest_host_ref, &plan->dest_host);
      if (plan->dest_pool == NULL)
        {
          fsim_call_error (call, "CANNOT_CONTACT_HOST", dest_host_ref, NULL);
          return FALSE;
        }
      if (session == NULL || fsim_ref_valid (plan->dest_pool->db, "session", session) == NULL)
        {
          fsim_call_error (call, "SESSION_INVALID", session != NULL ? session : "", NULL);
          return FALSE;
        }
    }

  /* a CPU the destination host does not offer: only "force" goes on */
  if (!force && cpu_incompatible (call, server, vm, plan->dest_host))
    return FALSE;

  /* every disk of the VM must be in vdi_map, pointing at a destination SR */
  disks = vm_disks (pool, vm);
  plan->vdi_map = new_map ();
  for (guint i = 0; i < disks->len; i++)
    {
      FsimObject *vdi = disks->pdata[i];
      JsonNode   *target = json_object_get_member (vdi_map, vdi->ref);
      const char *sr_ref = target != NULL && json_node_get_value_type (target) == G_TYPE_STRING
                           ? json_node_get_string (target)
                           : NULL;
      FsimObject *sr;

      if (sr_ref == NULL)
        {
          fsim_call_error (call, "VDI_NOT_IN_MAP", vdi->ref, NULL);
          return FALSE;
        }
      sr = fsim_ref_valid (plan->dest_pool->db, "SR", sr_ref);
      if (sr == NULL)
        {
          fsim_call_error (call, "HANDLE_INVALID", "SR", sr_ref, NULL);
          return FALSE;
        }
      if (!fsim_model_sr_attached_to (plan->dest_pool, sr, plan->dest_host))
        {
          fsim_call_error (call, "VM_REQUIRES_SR", vm->ref, sr->ref, NULL);
          return FALSE;
        }
      if (plan->cross_pool || g_strcmp0 (fsim_obj_get_string (vdi, "SR"), sr->ref) != 0)
        g_hash_table_insert (plan->vdi_map, g_strdup (vdi->ref), g_strdup (sr->ref));
    }

  if (!plan->cross_pool)
    {
      if (plan->copy)
        {
          fsim_call_error (call, "OPERATION_NOT_ALLOWED",
                           "Copy mode is disallowed on intra pool storage migration, try efficient "
                           "alternatives, for example, VM.copy/clone.",
                           NULL);
          return FALSE;
        }
      if (!check_host (call, pool, vm, plan->dest_host, FALSE, TRUE))
        return FALSE;
      if (json_object_get_size (vif_map) > 0)
        {
          fsim_call_error (call, "OPERATION_NOT_ALLOWED",
                           "VIF mapping is not allowed for intra-pool migration -all VIFs must be on the same network",
                           NULL);
          return FALSE;
        }
      return TRUE;
    }

  /* cross-pool */
  if (plan->copy && !force && strcmp (state, "Halted") != 0)
    {
      g_autofree char *actual = lower (state);

      fsim_call_error (call, "VM_BAD_POWER_STATE", vm->ref, "halted", actual, NULL);
      return FALSE;
    }
  if (!fsim_obj_get_bool (plan->dest_host, "enabled"))
    {
      fsim_call_error (call, "HOST_DISABLED", plan->dest_host->ref, NULL);
      return FALSE;
    }
  {
    g_autoptr(GPtrArray) vifs = all_vifs (pool, vm);

    plan->vif_map = new_map ();
    for (guint i = 0; i < vifs->len; i++)
      {
        FsimObject *vif = vifs->pdata[i];
        JsonNode   *target = json_object_get_member (vif_map, vif->ref);
        const char *net_ref = target != NULL && json_node_get_value_type (target) == G_TYPE_STRING
                              ? json_node_get_string (target)
                              : NULL;

        /* a VIF left out is fine if another VIF with its MAC is mapped */
        for (guint j = 0; net_ref == NULL && j < vifs->len; j++)
          {
            FsimObject *other = vifs->pdata[j];
            JsonNode   *t = json_object_get_member (vif_map, other->ref);

            if (other != vif && t != NULL && json_node_get_value_type (t) == G_TYPE_STRING &&
                g_strcmp0 (fsim_obj_get_string (other, "MAC"), fsim_obj_get_string (vif, "MAC")) == 0)
              net_ref = json_node_get_string (t);
          }
        if (net_ref == NULL)
          {
            fsim_call_error (call, "VIF_NOT_IN_MAP", vif->ref, NULL);
            return FALSE;
          }
        if (fsim_ref_valid (plan->dest_pool->db, "network", net_ref) == NULL)
          {
            fsim_call_error (call, "HANDLE_INVALID", "network", net_ref, NULL);
            return FALSE;
          }
        g_hash_table_insert (plan->vif_map, g_strdup (vif->ref), g_strdup (net_ref));
      }
  }
  return check_remote_memory (call, plan->dest_pool, vm, plan->dest_host);
}

/* ---- running migrations ---- */

static gboolean tick_cb (gpointer data);

static Migration *
find_by_task (FsimMigrations *ms, const char *task_ref)
{
  for (GList *l = ms->running; l != NULL; l = l->next)
    {
      Migration *m = l->data;

      if (g_strcmp0 (m->task_ref, task_ref) == 0)
        return m;
    }
  return NULL;
}

static guint
storage_migrations_from (FsimMigrations *ms, const char *host_ref)
{
  guint n = 0;

  for (GList *l = ms->running; l != NULL; l = l->next)
    {
      Migration *m = l->data;

      if (m->storage && g_strcmp0 (m->source_host, host_ref) == 0)
        n++;
    }
  return n;
}

/* Whether @host sees the SR of every disk of @vm. */
static gboolean
host_sees_disks (FsimPool *pool, FsimObject *vm, FsimObject *host)
{
  g_autoptr(GPtrArray) disks = vm_disks (pool, vm);

  for (guint i = 0; i < disks->len; i++)
    {
      FsimObject *sr = lookup (pool, fsim_obj_get_string (disks->pdata[i], "SR"));

      if (sr != NULL && !fsim_model_sr_attached_to (pool, sr, host))
        return FALSE;
    }
  return TRUE;
}

/* The host that sends: the one the VM runs on, or for a VM that runs
 * nowhere a host that sees its SRs (xapi.md §5.4), the master if it does. */
static const char *
sending_host (FsimPool *pool, FsimObject *vm)
{
  FsimObject *host = lookup (pool, fsim_obj_get_string (vm, "resident_on"));

  if (host == NULL && !host_sees_disks (pool, vm, fsim_pool_master (pool)))
    for (guint i = 0; host == NULL && i < pool->hosts->len; i++)
      if (host_sees_disks (pool, vm, pool->hosts->pdata[i]))
        host = pool->hosts->pdata[i];
  if (host == NULL)
    host = fsim_pool_master (pool);
  return host->ref;
}

/* migrate_send's own step (xapi.md §5.4, 5): a suspended VM's memory image
 * goes where vdi_map says, else to the destination pool's suspend SR, the
 * destination host's, or the pool's default SR; with none, VDI_NOT_IN_MAP.
 * It joins @plan's map of moving VDIs when it changes SR (always across
 * pools). */
static gboolean
map_suspend_vdi (FsimCall *call, Plan *plan)
{
  JsonObject *vdi_map = fsim_call_param_map (call, 3);
  FsimObject *vdi = lookup (call->pool, fsim_obj_get_string (plan->vm, "suspend_VDI"));
  JsonNode   *given;
  FsimObject *sr;

  if (vdi == NULL || g_strcmp0 (fsim_obj_get_string (plan->vm, "power_state"), "Suspended") != 0)
    return TRUE;
  given = json_object_get_member (vdi_map, vdi->ref);
  if (given != NULL && json_node_get_value_type (given) == G_TYPE_STRING)
    {
      sr = fsim_ref_valid (plan->dest_pool->db, "SR", json_node_get_string (given));
      if (sr == NULL)
        {
          fsim_call_error (call, "HANDLE_INVALID", "SR", json_node_get_string (given), NULL);
          return FALSE;
        }
    }
  else
    sr = fsim_model_suspend_sr (plan->dest_pool, plan->dest_host);
  if (sr == NULL)
    {
      fsim_call_error (call, "VDI_NOT_IN_MAP", vdi->ref, NULL);
      return FALSE;
    }
  if (plan->cross_pool || g_strcmp0 (fsim_obj_get_string (vdi, "SR"), sr->ref) != 0)
    g_hash_table_insert (plan->vdi_map, g_strdup (vdi->ref), g_strdup (sr->ref));
  return TRUE;
}

/* The first rule of each kind for that VM applies to this migration. */
static void
take_fail_rule (FsimMigrations *ms, Migration *m, FsimObject *vm)
{
  gboolean taken[RULE_VANISH + 1] = {
    FALSE,
  };
  GList *l = ms->fail_rules;

  while (l != NULL)
    {
      GList    *next = l->next;
      FailRule *r = l->data;

      if (g_strcmp0 (r->vm_uuid, fsim_obj_uuid (vm)) == 0 && !taken[r->kind])
        {
          taken[r->kind] = TRUE;
          switch (r->kind)
            {
            case RULE_FAIL:
              m->fail_at = r->at;
              m->fail_error = g_strdupv (r->error);
              break;
            case RULE_LIE:
              m->lie_at = r->at;
              break;
            case RULE_VANISH:
              m->vanish_at = r->at;
              break;
            default:
              break;
            }
          ms->fail_rules = g_list_delete_link (ms->fail_rules, l);
          fail_rule_free (r);
        }
      l = next;
    }
}

static Migration *
migration_start (FsimServer *server, FsimPool *pool, FsimObject *vm, FsimObject *task, const char *op,
                 Plan *plan, FsimObject *dest_host)
{
  FsimMigrations *ms = fsim_server_get_migrations (server);
  Migration      *m = g_new0 (Migration, 1);
  GHashTableIter  iter;
  gpointer        key;

  m->server = server;
  m->pool = pool;
  m->dest_pool = plan != NULL ? plan->dest_pool : pool;
  m->task_ref = g_strdup (task->ref);
  m->vm_ref = g_strdup (vm->ref);
  m->source_host = g_strdup (sending_host (pool, vm));
  m->dest_host = g_strdup (dest_host->ref);
  m->op = g_strdup (op);
  m->storage = strcmp (op, "migrate_send") == 0;
  m->fail_at = -1;
  m->lie_at = -1;
  m->vanish_at = -1;
  if (plan != NULL)
    {
      m->cross_pool = plan->cross_pool;
      m->copy = plan->copy;
      m->vdi_map = g_steal_pointer (&plan->vdi_map);
      m->vif_map = g_steal_pointer (&plan->vif_map);
    }
  /* what has to travel: the disks that change SR, then the memory */
  if (m->vdi_map != NULL)
    {
      g_hash_table_iter_init (&iter, m->vdi_map);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          FsimObject *vdi = lookup (pool, key);

          if (vdi != NULL)
            m->disk_bytes += fsim_obj_get_int (vdi, "physical_utilisation");
        }
    }
  m->total = m->disk_bytes + (is_running (vm) ? (double) fsim_model_vm_memory (vm) + SWITCH_OVER_BYTES
                                              : SWITCH_OVER_BYTES / 6);
  m->last_time = g_get_monotonic_time ();
  take_fail_rule (ms, m, vm);

  fsim_obj_map_put (vm, "current_operations", task->ref, op);
  fsim_model_refresh_vm_operations (vm);
  if (!m->cross_pool && !m->copy && g_strcmp0 (fsim_obj_get_string (vm, "resident_on"), dest_host->ref) != 0 &&
      is_running (vm))
    {
      /* reserve the memory on the target, as XAPI does */
      fsim_obj_set_string (vm, "scheduled_to_be_resident_on", dest_host->ref);
      fsim_model_refresh_memory (pool);
    }
  fsim_obj_set (task, "allowed_operations", fsim_node_take_array (json_array_new ()));
  fsim_obj_set_add (task, "allowed_operations", "cancel");
  ms->running = g_list_append (ms->running, m);
  if (ms->tick == NULL)
    ms->tick = fsim_source_new (TICK_MS, tick_cb, server);
  return m;
}

static void
release_vm (Migration *m)
{
  FsimObject *vm = lookup (m->pool, m->vm_ref);

  if (vm == NULL)
    return;
  fsim_obj_map_remove (vm, "current_operations", m->task_ref);
  if (g_strcmp0 (fsim_obj_get_string (vm, "scheduled_to_be_resident_on"), "OpaqueRef:NULL") != 0)
    {
      fsim_obj_set_string (vm, "scheduled_to_be_resident_on", "OpaqueRef:NULL");
      fsim_model_refresh_memory (m->pool);
    }
  fsim_model_refresh_vm_operations (vm);
}

/* Fields that describe the VM itself (not its place in a database). */
static gboolean
portable_field (const char *name)
{
  static const char * const skip[] = {
    "uuid", "allowed_operations", "current_operations", "resident_on", "scheduled_to_be_resident_on",
    "affinity", "VBDs", "VIFs", "consoles", "crash_dumps", "VTPMs", "VUSBs", "metrics", "guest_metrics",
    "snapshots", "snapshot_of", "parent", "children", "suspend_VDI", "suspend_SR", "VGPUs",
    "attached_PCIs", "appliance", "protection_policy", "snapshot_schedule", "blobs", "domid",
    "power_state", "groups", "pending_guidances", NULL
  };

  return !g_strv_contains (skip, name);
}

/* A suspended VM's memory image, copied to a new VDI on @sr of @to. */
static FsimObject *
copy_suspend_vdi (FsimPool *to, FsimObject *sr, FsimObject *old, FsimObject *vm)
{
  FsimObject *copy = fsim_model_add_vdi (to, sr, fsim_obj_get_string (old, "name_label"),
                                         fsim_obj_get_int (old, "virtual_size"),
                                         fsim_obj_get_int (old, "physical_utilisation"), NULL);

  fsim_obj_set_string (copy, "name_description", fsim_obj_get_string (old, "name_description"));
  fsim_obj_set_string (copy, "type", "suspend");
  fsim_obj_set_string (vm, "suspend_VDI", copy->ref);
  fsim_obj_set_string (vm, "suspend_SR", sr->ref);
  return copy;
}

static FsimObject *
copy_vm_to (Migration *m, FsimObject *vm)
{
  FsimPool   *src = m->pool;
  FsimPool   *dst = m->dest_pool;
  FsimObject *host = lookup (dst, m->dest_host);
  g_autoptr(GPtrArray) disk_specs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) vif_specs = g_array_new (FALSE, TRUE, sizeof (FsimVifSpec));
  JsonArray               *vbds = fsim_obj_get_array (vm, "VBDs");
  JsonArray               *vifs = fsim_obj_get_array (vm, "VIFs");
  JsonArray               *snaps = fsim_obj_get_array (vm, "snapshots");
  g_autofree FsimDiskSpec *disks = NULL;
  FsimVmSpec               spec = { 0 };
  gboolean                 has_cd = FALSE;
  gboolean                 suspended;
  FsimObject              *copy;
  const FsimClassDef      *def = &fsim_classes[vm->cls];

  for (guint i = 0; vbds != NULL && i < json_array_get_length (vbds); i++)
    {
      FsimObject   *vbd = lookup (src, json_array_get_string_element (vbds, i));
      FsimObject   *vdi = vbd != NULL ? lookup (src, fsim_obj_get_string (vbd, "VDI")) : NULL;
      FsimDiskSpec *d;
      const char   *sr_ref;

      if (vbd != NULL && g_strcmp0 (fsim_obj_get_string (vbd, "type"), "CD") == 0)
        {
          has_cd = TRUE;
          continue;
        }
      if (vdi == NULL)
        continue;
      sr_ref = g_hash_table_lookup (m->vdi_map, vdi->ref);
      d = g_new0 (FsimDiskSpec, 1);
      d->sr = sr_ref != NULL ? lookup (dst, sr_ref) : NULL;
      if (d->sr == NULL)
        d->sr = lookup (dst, fsim_obj_get_string (dst->pool, "default_SR"));
      if (d->sr == NULL)
        {
          g_free (d);
          continue;
        }
      d->name = fsim_obj_get_string (vdi, "name_label");
      d->virtual_size = fsim_obj_get_int (vdi, "virtual_size");
      d->physical_utilisation = fsim_obj_get_int (vdi, "physical_utilisation");
      g_ptr_array_add (disk_specs, d);
    }
  disks = g_new0 (FsimDiskSpec, disk_specs->len + 1);
  for (guint i = 0; i < disk_specs->len; i++)
    disks[i] = *(FsimDiskSpec *) disk_specs->pdata[i];
  for (guint i = 0; vifs != NULL && i < json_array_get_length (vifs); i++)
    {
      FsimObject *vif = lookup (src, json_array_get_string_element (vifs, i));
      const char *net_ref = vif != NULL ? g_hash_table_lookup (m->vif_map, vif->ref) : NULL;
      FsimVifSpec v = { 0 };

      if (net_ref == NULL || (v.network = lookup (dst, net_ref)) == NULL)
        continue;
      v.mac = fsim_obj_get_string (vif, "MAC");
      g_array_append_val (vif_specs, v);
    }
  spec.name = fsim_obj_get_string (vm, "name_label");
  spec.uuid = m->copy ? NULL : fsim_obj_uuid (vm);
  spec.description = fsim_obj_get_string (vm, "name_description");
  suspended = !m->copy && g_strcmp0 (fsim_obj_get_string (vm, "power_state"), "Suspended") == 0;
  /* a suspended VM arrives halted, then gets its memory image below */
  spec.power_state = m->copy || suspended ? "Halted" : fsim_obj_get_string (vm, "power_state");
  spec.host = host;
  spec.memory = fsim_model_vm_memory (vm);
  spec.vcpus = fsim_obj_get_int (vm, "VCPUs_max");
  spec.disks = disks;
  spec.n_disks = disk_specs->len;
  spec.vifs = (FsimVifSpec *) vif_specs->data;
  spec.n_vifs = vif_specs->len;
  spec.cd_drive = has_cd;
  /* the VM keeps its uuid (another database, so no clash) unless copied */
  copy = fsim_model_add_vm (dst, &spec);
  for (guint f = 0; f < def->n_fields; f++)
    {
      const char *name = def->fields[f].name;

      if (portable_field (name))
        fsim_obj_set (copy, name, fsim_json_deep_copy (fsim_obj_get (vm, name)));
    }
  if (suspended)
    {
      FsimObject *image = lookup (src, fsim_obj_get_string (vm, "suspend_VDI"));
      const char *sr_ref = image != NULL ? g_hash_table_lookup (m->vdi_map, image->ref) : NULL;
      FsimObject *sr = sr_ref != NULL ? lookup (dst, sr_ref) : NULL;

      if (sr != NULL)
        copy_suspend_vdi (dst, sr, image, copy);
      fsim_model_set_power_state (dst, copy, "Suspended", NULL);
    }
  fsim_model_refresh_vm_operations (copy);
  for (guint i = 0; snaps != NULL && i < json_array_get_length (snaps); i++)
    {
      FsimObject *snap = lookup (src, json_array_get_string_element (snaps, i));

      if (snap != NULL)
        fsim_model_add_snapshot (dst, copy, fsim_obj_get_string (snap, "name_label"));
    }
  return copy;
}

/* Intra-pool: the memory image of a suspended VM moves like its disks. */
static void
move_suspend_vdi (Migration *m, FsimObject *vm)
{
  FsimObject *vdi = lookup (m->pool, fsim_obj_get_string (vm, "suspend_VDI"));
  const char *sr_ref = vdi != NULL ? g_hash_table_lookup (m->vdi_map, vdi->ref) : NULL;
  FsimObject *sr = sr_ref != NULL ? lookup (m->pool, sr_ref) : NULL;

  if (sr == NULL)
    return;
  copy_suspend_vdi (m->pool, sr, vdi, vm);
  fsim_model_destroy_vdi (m->pool, vdi);
}

/* Intra-pool: each moving disk is mirrored to a new VDI on its new SR. */
static void
move_disks (Migration *m, FsimObject *vm)
{
  FsimPool  *pool = m->pool;
  JsonArray *vbds = fsim_obj_get_array (vm, "VBDs");
  g_autoptr(GPtrArray) list = g_ptr_array_new ();

  for (guint i = 0; vbds != NULL && i < json_array_get_length (vbds); i++)
    g_ptr_array_add (list, lookup (pool, json_array_get_string_element (vbds, i)));
  for (guint i = 0; i < list->len; i++)
    {
      FsimObject *vbd = list->pdata[i];
      FsimObject *vdi = vbd != NULL ? lookup (pool, fsim_obj_get_string (vbd, "VDI")) : NULL;
      const char *sr_ref = vdi != NULL ? g_hash_table_lookup (m->vdi_map, vdi->ref) : NULL;
      FsimObject *sr = sr_ref != NULL ? lookup (pool, sr_ref) : NULL;
      FsimObject *copy;

      if (sr == NULL)
        continue;
      copy = fsim_model_add_vdi (pool, sr, fsim_obj_get_string (vdi, "name_label"),
                                 fsim_obj_get_int (vdi, "virtual_size"),
                                 fsim_obj_get_int (vdi, "physical_utilisation"), NULL);
      fsim_obj_set_string (copy, "name_description", fsim_obj_get_string (vdi, "name_description"));
      fsim_obj_set_string (vbd, "VDI", copy->ref);
      fsim_obj_set_add (copy, "VBDs", vbd->ref);
      fsim_obj_set_remove (vdi, "VBDs", vbd->ref);
      fsim_model_destroy_vdi (pool, vdi);
    }
  move_suspend_vdi (m, vm);
}

static void
migration_complete (Migration *m)
{
  FsimPool        *pool = m->pool;
  FsimObject      *vm = lookup (pool, m->vm_ref);
  FsimObject      *task = lookup (pool, m->task_ref);
  g_autofree char *result_ref = g_strdup (m->vm_ref);
  g_autoptr(JsonNode) result = NULL;

  release_vm (m);
  if (vm != NULL)
    {
      if (m->cross_pool)
        {
          FsimObject *copy = copy_vm_to (m, vm);

          g_free (result_ref);
          result_ref = g_strdup (copy->ref);
          if (!m->copy)
            fsim_model_destroy_vm (pool, vm, TRUE);
          fsim_model_refresh_memory (m->dest_pool);
        }
      else
        {
          if (m->vdi_map != NULL)
            move_disks (m, vm);
          /* a halted or suspended VM runs nowhere, before and after */
          if (is_running (vm))
            fsim_model_set_vm_host (pool, vm, lookup (pool, m->dest_host));
          fsim_model_refresh_vm_operations (vm);
        }
      fsim_model_refresh_memory (pool);
    }
  if (m->storage)
    result = json_node_init_string (json_node_alloc (), result_ref);
  if (m->sync_call != NULL)
    {
      FsimCall *call = g_steal_pointer (&m->sync_call);

      if (m->storage)
        fsim_call_result_string (call, result_ref);
      else
        fsim_call_result_void (call);
      fsim_call_finish (call);
    }
  if (task != NULL)
    {
      if (m->sync_task)
        fsim_db_destroy_object (pool->db, task);
      else
        fsim_task_succeed (pool, task, result);
    }
}

static void
migration_fail (Migration *m, const char * const *error, gboolean cancelled)
{
  FsimPool   *pool = m->pool;
  FsimObject *task = lookup (pool, m->task_ref);

  release_vm (m);
  if (m->sync_call != NULL)
    {
      FsimCall *call = g_steal_pointer (&m->sync_call);

      if (cancelled)
        fsim_call_error (call, "TASK_CANCELLED", m->task_ref, NULL);
      else
        fsim_call_error_strv (call, error);
      fsim_call_finish (call);
    }
  if (task != NULL)
    {
      if (m->sync_task)
        fsim_db_destroy_object (pool->db, task);
      else if (cancelled)
        fsim_task_cancelled (pool, task);
      else
        fsim_task_fail (pool, task, error);
    }
}

/* Returns TRUE when the migration is over. */
static gboolean
migration_step (Migration *m, gint64 now)
{
  FsimPool   *pool = m->pool;
  FsimObject *task = lookup (pool, m->task_ref);
  double      bytes_per_us = fsim_server_get_bandwidth (m->server) * 1024.0 * 1024.0 / G_USEC_PER_SEC;
  double      progress;

  /* A task deleted on purpose (task_vanish) does not stop the migration. */
  if ((task == NULL && !m->vanished) || lookup (pool, m->vm_ref) == NULL)
    {
      static const char * const gone[] = { "HANDLE_INVALID", "VM", "", NULL };

      migration_fail (m, gone, FALSE);
      return TRUE;
    }
  if (m->cancelling)
    {
      migration_fail (m, NULL, TRUE);
      return TRUE;
    }
  m->done += (now - m->last_time) * bytes_per_us;
  m->last_time = now;
  progress = m->total > 0 ? MIN (m->done / m->total, 1.0) : 1.0;
  if (m->fail_at >= 0 && progress >= m->fail_at)
    {
      if (task != NULL && !m->lied)
        fsim_task_set_progress (pool, task, m->fail_at);
      migration_fail (m, (const char * const *) m->fail_error, FALSE);
      return TRUE;
    }
  if (progress >= 1.0)
    {
      migration_complete (m);
      return TRUE;
    }
  if (task != NULL && m->vanish_at >= 0 && progress >= m->vanish_at)
    {
      /* The record goes (a "del" event); the VM keeps the operation. */
      fsim_db_destroy_object (pool->db, task);
      m->vanished = TRUE;
      return FALSE;
    }
  if (task == NULL)
    return FALSE;
  if (m->lie_at >= 0 && !m->lied && progress >= m->lie_at)
    {
      g_autoptr(JsonNode) garbage = json_node_init_string (json_node_alloc (), "OpaqueRef:NULL");

      /* Finished, says the task, with a result that means nothing; the
       * migration goes on and ends as it would have. */
      fsim_task_succeed (pool, task, garbage);
      m->lied = TRUE;
    }
  if (m->lied)
    return FALSE;
  fsim_task_set_progress (pool, task, progress);
  /* the last few percent (switching over) cannot be cancelled */
  if (progress >= POINT_OF_NO_RETURN && fsim_obj_set_contains (task, "allowed_operations", "cancel"))
    fsim_obj_set_remove (task, "allowed_operations", "cancel");
  return FALSE;
}

static gboolean
tick_cb (gpointer data)
{
  FsimServer     *server = data;
  FsimMigrations *ms = fsim_server_get_migrations (server);
  gint64          now = g_get_monotonic_time ();
  GList          *l = ms->running;

  while (l != NULL)
    {
      GList     *next = l->next;
      Migration *m = l->data;

      if (migration_step (m, now))
        {
          ms->running = g_list_delete_link (ms->running, l);
          migration_free (m);
        }
      l = next;
    }
  if (ms->running == NULL)
    {
      g_clear_pointer (&ms->tick, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

gboolean
fsim_migrate_cancel_task (FsimServer *self, FsimPool *pool, FsimObject *task)
{
  Migration *m = find_by_task (fsim_server_get_migrations (self), task->ref);

  if (m == NULL)
    {
      /* not ours to run: a plain pending task just ends cancelled */
      fsim_task_cancelled (pool, task);
      return TRUE;
    }
  m->cancelling = TRUE;
  fsim_obj_set_string (task, "status", "cancelling");
  fsim_obj_set_remove (task, "allowed_operations", "cancel");
  return TRUE;
}

/* For a synchronous call: a task of its own (XAPI runs every call in one),
 * and the HTTP reply waits for the end of the migration. */
static FsimObject *
task_for (FsimCall *call, const char *label, gboolean *sync_task)
{
  if (call->task != NULL)
    {
      call->task_running = TRUE;
      *sync_task = FALSE;
      return call->task;
    }
  *sync_task = TRUE;
  call->deferred = TRUE;
  return fsim_task_new (call->pool, call->host, label);
}

/* ---- the messages ---- */

void
fsim_migrate_pool_migrate (FsimCall *call)
{
  FsimPool   *pool = call->pool;
  FsimObject *vm = fsim_call_param_ref (call, 0, "VM");
  FsimObject *host;
  JsonObject *options;
  const char *network;
  FsimObject *task;
  Migration  *m;
  gboolean    sync_task;

  if (vm == NULL || (host = fsim_call_param_ref (call, 1, "host")) == NULL)
    return;
  options = fsim_call_param_map (call, 2);
  if (options == NULL)
    {
      fsim_call_error (call, "FIELD_TYPE_ERROR", "options", NULL);
      return;
    }
  network = json_object_has_member (options, "network") &&
                json_node_get_value_type (json_object_get_member (options, "network")) == G_TYPE_STRING
            ? json_object_get_string_member (options, "network")
            : NULL;
  if (network != NULL && fsim_ref_valid (pool->db, "network", network) == NULL)
    {
      fsim_call_error (call, "HANDLE_INVALID", "network", network, NULL);
      return;
    }
  if (fsim_obj_get_bool (vm, "is_a_template"))
    {
      fsim_call_error (call, "VM_IS_TEMPLATE", vm->ref, "pool_migrate", NULL);
      return;
    }
  if (!check_vm_movable (call, vm, "pool_migrate"))
    return;
  if (!is_running (vm))
    {
      g_autofree char *actual = lower (fsim_obj_get_string (vm, "power_state"));

      fsim_call_error (call, "VM_BAD_POWER_STATE", vm->ref, "running", actual, NULL);
      return;
    }
  if (!check_host (call, pool, vm, host, TRUE, TRUE))
    return;
  task = task_for (call, "VM.pool_migrate", &sync_task);
  m = migration_start (call->server, pool, vm, task, "pool_migrate", NULL, host);
  m->sync_task = sync_task;
  if (sync_task)
    m->sync_call = call;
}

void
fsim_migrate_assert_can_migrate (FsimCall *call)
{
  Plan plan = { 0 };

  if (check_migrate_send (call, &plan))
    fsim_call_result_void (call);
  plan_clear (&plan);
}

void
fsim_migrate_migrate_send (FsimCall *call)
{
  FsimMigrations *ms = fsim_server_get_migrations (call->server);
  Plan            plan = { 0 };
  FsimObject     *task;
  Migration      *m;
  gboolean        sync_task;

  if (!check_migrate_send (call, &plan) || !map_suspend_vdi (call, &plan))
    {
      plan_clear (&plan);
      return;
    }
  if (storage_migrations_from (ms, sending_host (call->pool, plan.vm)) >= MAX_STORAGE_MIGRATIONS)
    {
      g_autofree char *limit = g_strdup_printf ("%d", MAX_STORAGE_MIGRATIONS);

      fsim_call_error (call, "TOO_MANY_STORAGE_MIGRATES", limit, NULL);
      plan_clear (&plan);
      return;
    }
  task = task_for (call, "VM.migrate_send", &sync_task);
  m = migration_start (call->server, call->pool, plan.vm, task, "migrate_send", &plan, plan.dest_host);
  m->sync_task = sync_task;
  if (sync_task)
    m->sync_call = call;
  plan_clear (&plan);
}

void
fsim_migrate_assert_can_boot_here (FsimCall *call)
{
  FsimObject *vm = fsim_call_param_ref (call, 0, "VM");
  FsimObject *host;

  if (vm == NULL || (host = fsim_call_param_ref (call, 1, "host")) == NULL)
    return;
  if (check_host (call, call->pool, vm, host, TRUE, TRUE))
    fsim_call_result_void (call);
}

void
fsim_migrate_receive (FsimCall *call)
{
  FsimPool        *pool = call->pool;
  FsimObject      *host = fsim_call_param_ref (call, 0, "host");
  FsimObject      *network, *pif, *session;
  JsonObject      *map;
  const char      *ip;
  g_autofree char *sm = NULL;
  g_autofree char *xenops = NULL;
  g_autofree char *master = NULL;

  if (host == NULL || (network = fsim_call_param_ref (call, 1, "network")) == NULL)
    return;
  if (fsim_call_param_map (call, 2) == NULL)
    {
      fsim_call_error (call, "FIELD_TYPE_ERROR", "options", NULL);
      return;
    }
  pif = fsim_model_host_pif_on (pool, host, network);
  if (pif == NULL)
    {
      fsim_call_error (call, "HOST_CANNOT_ATTACH_NETWORK", host->ref, network->ref, NULL);
      return;
    }
  ip = fsim_obj_get_string (pif, "IP");
  if (ip[0] == '\0')
    {
      if (g_strcmp0 (fsim_obj_get_string (pif, "ip_configuration_mode"), "None") == 0)
        fsim_call_error (call, "PIF_HAS_NO_NETWORK_CONFIGURATION", pif->ref, NULL);
      else
        fsim_call_error (call, "INTERFACE_HAS_NO_IP", pif->ref, NULL);
      return;
    }
  /* a new session in this pool, cloning the caller's */
  session = fsim_db_create (pool->db, "session", NULL);
  fsim_obj_set_string (session, "this_host", host->ref);
  fsim_obj_set_string (session, "auth_user_name", pool->username);
  fsim_obj_set_bool (session, "is_local_superuser", TRUE);
  fsim_obj_set_string (session, "originator", "migrate_receive");
  sm = g_strdup_printf ("http://%s/services/SM?session_id=%s", ip, session->ref);
  xenops = g_strdup_printf ("http://%s/services/xenops?session_id=%s", ip, session->ref);
  master = g_strdup_printf ("http://%s", fsim_pool_master_address (pool));
  map = json_object_new ();
  json_object_set_string_member (map, "SM", sm);
  json_object_set_string_member (map, "host", host->ref);
  json_object_set_string_member (map, "xenops", xenops);
  json_object_set_string_member (map, "session_id", session->ref);
  json_object_set_string_member (map, "master", master);
  fsim_call_result_node (call, fsim_node_take_object (map));
}

/* ---- control ---- */

static FsimObject *
find_vm_anywhere (FsimServer *server, const char *name, FsimPool **pool)
{
  GPtrArray *pools = fsim_server_get_pools (server);

  for (guint i = 0; name != NULL && i < pools->len; i++)
    {
      FsimObject *vm = fsim_model_find_by_name (pools->pdata[i], "VM", name);

      if (vm != NULL)
        {
          if (pool != NULL)
            *pool = pools->pdata[i];
          return vm;
        }
    }
  return NULL;
}

static FsimObject *
find_host_anywhere (FsimServer *server, const char *name, FsimPool **pool)
{
  GPtrArray *pools = fsim_server_get_pools (server);

  for (guint i = 0; name != NULL && i < pools->len; i++)
    {
      FsimObject *host = fsim_model_find_by_name (pools->pdata[i], "host", name);

      if (host != NULL)
        {
          *pool = pools->pdata[i];
          return host;
        }
    }
  return NULL;
}

static const char *
cmd_string (JsonObject *cmd, const char *key)
{
  JsonNode *n = json_object_get_member (cmd, key);

  return n != NULL && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
}

static JsonNode *
ok_node (void)
{
  JsonObject *o = json_object_new ();

  json_object_set_boolean_member (o, "ok", TRUE);
  return fsim_node_take_object (o);
}

JsonNode *
fsim_migrate_control_fail (FsimServer *self, JsonObject *cmd, GError **error)
{
  FsimMigrations *ms = fsim_server_get_migrations (self);
  FsimObject     *vm = find_vm_anywhere (self, cmd_string (cmd, "vm"), NULL);
  JsonNode       *err = json_object_get_member (cmd, "error");
  JsonNode       *at = json_object_get_member (cmd, "at");
  FailRule       *rule;
  JsonArray      *list;
  GStrvBuilder   *builder;

  if (vm == NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "fail_migration: unknown VM %s",
                   cmd_string (cmd, "vm") != NULL ? cmd_string (cmd, "vm") : "(none)");
      return NULL;
    }
  if (err == NULL || !JSON_NODE_HOLDS_ARRAY (err) || json_array_get_length (json_node_get_array (err)) == 0)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "fail_migration: \"error\" must be [\"CODE\", params...]");
      return NULL;
    }
  list = json_node_get_array (err);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *e = json_array_get_element (list, i);

      g_strv_builder_add (builder, json_node_get_value_type (e) == G_TYPE_STRING ? json_node_get_string (e) : "");
    }
  rule = g_new0 (FailRule, 1);
  rule->vm_uuid = g_strdup (fsim_obj_uuid (vm));
  rule->at = at != NULL && JSON_NODE_HOLDS_VALUE (at) ? CLAMP (json_node_get_double (at), 0.0, 1.0) : 0.5;
  rule->error = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  ms->fail_rules = g_list_append (ms->fail_rules, rule);
  return ok_node ();
}

JsonNode *
fsim_migrate_control_incompatible_cpu (FsimServer *self, JsonObject *cmd, GError **error)
{
  FsimMigrations *ms = fsim_server_get_migrations (self);
  FsimPool       *vm_pool = NULL, *host_pool = NULL;
  FsimObject     *vm = find_vm_anywhere (self, cmd_string (cmd, "vm"), &vm_pool);
  FsimObject     *host = find_host_anywhere (self, cmd_string (cmd, "host"), &host_pool);

  if (vm == NULL || host == NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "incompatible_cpu: unknown %s",
                   vm == NULL ? "vm" : "host");
      return NULL;
    }
  if (ms->incompatible == NULL)
    ms->incompatible = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (ms->incompatible, g_strdup_printf ("%s %s", fsim_obj_uuid (vm), fsim_obj_uuid (host)));
  return ok_node ();
}

/* set_power_state: {"vm", "state", "host"?}: the VM is started, halted,
 * suspended or paused as if a client had asked (power operations are not
 * simulated otherwise); "host" is where it runs, or where it was suspended. */
JsonNode *
fsim_migrate_control_power_state (FsimServer *self, JsonObject *cmd, GError **error)
{
  static const char * const states[] = { "Running", "Halted", "Suspended", "Paused", NULL };
  FsimPool                 *pool = NULL, *host_pool = NULL;
  FsimObject               *vm = find_vm_anywhere (self, cmd_string (cmd, "vm"), &pool);
  const char               *state = cmd_string (cmd, "state");
  const char               *host_name = cmd_string (cmd, "host");
  FsimObject               *host = host_name != NULL ? find_host_anywhere (self, host_name, &host_pool) : NULL;

  if (vm == NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "set_power_state: unknown VM %s",
                   cmd_string (cmd, "vm") != NULL ? cmd_string (cmd, "vm") : "(none)");
      return NULL;
    }
  if (state == NULL || !g_strv_contains (states, state))
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL,
                   "set_power_state: \"state\" must be Running, Halted, Suspended or Paused");
      return NULL;
    }
  if (host_name != NULL && (host == NULL || host_pool != pool))
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "set_power_state: %s is no host of the VM's pool",
                   host_name);
      return NULL;
    }
  if (fsim_obj_get_map (vm, "current_operations") != NULL &&
      json_object_get_size (fsim_obj_get_map (vm, "current_operations")) > 0)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "set_power_state: the VM is being migrated");
      return NULL;
    }
  fsim_model_set_power_state (pool, vm, state, host);
  fsim_model_refresh_memory (pool);
  return ok_node ();
}

/* task_lie / task_vanish: {"vm", "at"?} */
JsonNode *
fsim_migrate_control_task_rule (FsimServer *self, JsonObject *cmd, gboolean vanish, GError **error)
{
  FsimMigrations *ms = fsim_server_get_migrations (self);
  FsimObject     *vm = find_vm_anywhere (self, cmd_string (cmd, "vm"), NULL);
  JsonNode       *at = json_object_get_member (cmd, "at");
  FailRule       *rule;

  if (vm == NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "%s: unknown VM %s",
                   vanish ? "task_vanish" : "task_lie",
                   cmd_string (cmd, "vm") != NULL ? cmd_string (cmd, "vm") : "(none)");
      return NULL;
    }
  rule = g_new0 (FailRule, 1);
  rule->kind = vanish ? RULE_VANISH : RULE_LIE;
  rule->vm_uuid = g_strdup (fsim_obj_uuid (vm));
  rule->at = at != NULL && JSON_NODE_HOLDS_VALUE (at) ? CLAMP (json_node_get_double (at), 0.0, 0.99)
                                                      : (vanish ? 0.3 : 0.2);
  ms->fail_rules = g_list_append (ms->fail_rules, rule);
  return ok_node ();
}

/* A migration started "by another client": same defaults as xe (§5.9). */
JsonNode *
fsim_migrate_control_add_task (FsimServer *self, JsonObject *cmd, GError **error)
{
  FsimPool   *pool = NULL, *dest_pool = NULL;
  FsimObject *vm = find_vm_anywhere (self, cmd_string (cmd, "vm"), &pool);
  FsimObject *host = find_host_anywhere (self, cmd_string (cmd, "target_host"), &dest_pool);
  const char *kind = cmd_string (cmd, "kind");
  JsonNode   *progress_node = json_object_get_member (cmd, "progress");
  double      progress = progress_node != NULL && JSON_NODE_HOLDS_VALUE (progress_node)
                         ? CLAMP (json_node_get_double (progress_node), 0.0, 0.9)
                         : 0.0;
  Plan        plan = { 0 };
  FsimObject *task;
  Migration  *m;
  JsonObject *o;
  g_autoptr(GPtrArray) disks = NULL;

  if (vm == NULL || host == NULL)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "add_task: unknown %s", vm == NULL ? "vm" : "target_host");
      return NULL;
    }
  if (kind == NULL)
    kind = dest_pool == pool ? "pool_migrate" : "migrate_send";
  if (strcmp (kind, "pool_migrate") != 0 && strcmp (kind, "migrate_send") != 0)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL, "add_task: kind is pool_migrate or migrate_send");
      return NULL;
    }
  if ((strcmp (kind, "pool_migrate") == 0 && dest_pool != pool) || !is_running (vm) ||
      json_object_get_size (fsim_obj_get_map (vm, "current_operations")) > 0)
    {
      g_set_error (error, FSIM_ERROR, FSIM_ERROR_CONTROL,
                   "add_task: the VM must be running, idle, and pool_migrate stays in its pool");
      return NULL;
    }
  plan.vm = vm;
  plan.dest_pool = dest_pool;
  plan.dest_host = host;
  plan.cross_pool = dest_pool != pool;
  if (strcmp (kind, "migrate_send") == 0)
    {
      FsimObject *default_sr = lookup (dest_pool, fsim_obj_get_string (dest_pool->pool, "default_SR"));
      g_autoptr(GPtrArray) vifs = all_vifs (pool, vm);

      plan.vdi_map = new_map ();
      disks = vm_disks (pool, vm);
      for (guint i = 0; i < disks->len; i++)
        {
          FsimObject *vdi = disks->pdata[i];
          FsimObject *sr = lookup (pool, fsim_obj_get_string (vdi, "SR"));

          if (!plan.cross_pool && sr != NULL && fsim_model_sr_attached_to (pool, sr, host))
            continue;
          if (default_sr != NULL)
            g_hash_table_insert (plan.vdi_map, g_strdup (vdi->ref), g_strdup (default_sr->ref));
        }
      if (plan.cross_pool)
        {
          FsimObject *mgmt = fsim_model_management_network (dest_pool, host);

          plan.vif_map = new_map ();
          for (guint i = 0; i < vifs->len && mgmt != NULL; i++)
            g_hash_table_insert (plan.vif_map, g_strdup (((FsimObject *) vifs->pdata[i])->ref),
                                 g_strdup (mgmt->ref));
        }
    }
  task = fsim_task_new (pool, lookup (pool, sending_host (pool, vm)),
                        strcmp (kind, "migrate_send") == 0 ? "Async.VM.migrate_send" : "Async.VM.pool_migrate");
  fsim_obj_map_put (task, "other_config", "http:user_agent", "another client");
  m = migration_start (self, pool, vm, task, kind, &plan, host);
  plan_clear (&plan);
  m->done = progress * m->total;
  fsim_task_set_progress (pool, task, progress);
  o = json_object_new ();
  json_object_set_boolean_member (o, "ok", TRUE);
  json_object_set_string_member (o, "task", task->ref);
  return fsim_node_take_object (o);
}
