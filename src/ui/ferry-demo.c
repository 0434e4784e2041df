/* ferry-demo.c: the simulated pools behind `ferry --demo`
 *
 * The demo has to work on a machine without Xen and without anything else
 * running, so the simulator's demo scenario (two pools, a dozen VMs) runs
 * inside this process, on loopback addresses with a free port, answering
 * from the window's main loop.  Ferry then talks to it over real HTTP
 * exactly as it talks to a real pool.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-demo"

#include "config.h"

#include "sim/fsim-server.h"

#include "ferry-demo.h"

struct _FerryDemo
{
  GObject     parent_instance;

  FsimServer *sim;
};

G_DEFINE_FINAL_TYPE (FerryDemo, ferry_demo, G_TYPE_OBJECT)

static void
ferry_demo_dispose (GObject *object)
{
  FerryDemo *self = FERRY_DEMO (object);

  if (self->sim != NULL)
    fsim_server_stop (self->sim);
  g_clear_object (&self->sim);

  G_OBJECT_CLASS (ferry_demo_parent_class)->dispose (object);
}

static void
ferry_demo_class_init (FerryDemoClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ferry_demo_dispose;
}

static void
ferry_demo_init (FerryDemo *self)
{
}

FerryDemo *
ferry_demo_start (GError **error)
{
  g_autoptr(FerryDemo) self = g_object_new (FERRY_TYPE_DEMO, NULL);

  self->sim = fsim_server_new ("demo", error);
  if (self->sim == NULL)
    return NULL;

  /* Slow enough to watch a migration progress, fast enough not to bore:
   * the demo's disks are tens of GiB. */
  fsim_server_set_bandwidth (self->sim, 400);
  fsim_server_set_quiet (self->sim, TRUE);
  if (!fsim_server_start (self->sim, 0, error))
    return NULL;

  return g_steal_pointer (&self);
}

guint
ferry_demo_get_n_pools (FerryDemo *self)
{
  g_return_val_if_fail (FERRY_IS_DEMO (self), 0);

  return fsim_server_get_n_pools (self->sim);
}

char *
ferry_demo_get_url (FerryDemo *self,
                    guint      pool)
{
  g_return_val_if_fail (FERRY_IS_DEMO (self), NULL);

  return fsim_server_get_pool_url (self->sim, pool);
}

const char *
ferry_demo_get_username (FerryDemo *self,
                         guint      pool)
{
  g_return_val_if_fail (FERRY_IS_DEMO (self), NULL);

  return fsim_server_get_username (self->sim, pool);
}

const char *
ferry_demo_get_password (FerryDemo *self,
                         guint      pool)
{
  g_return_val_if_fail (FERRY_IS_DEMO (self), NULL);

  return fsim_server_get_password (self->sim, pool);
}
