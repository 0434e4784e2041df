/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsim-model.h: building consistent XAPI objects (hosts, SRs, networks, VMs) in a pool */

#pragma once

#include "fsim-db.h"

G_BEGIN_DECLS

#define FSIM_GIB ((gint64) 1024 * 1024 * 1024)
#define FSIM_MIB ((gint64) 1024 * 1024)

typedef struct _FsimPool FsimPool;

/* One simulated pool: its database plus what the server needs to route
 * requests to it.  Hosts are never destroyed, so their objects are stable. */
struct _FsimPool
{
  gpointer    server; /* FsimServer, owner */
  guint       index;  /* P in 127.0.P.H, from 1 */
  char       *name;
  char       *username;
  char       *password;
  FsimDb     *db;
  FsimObject *pool;
  GPtrArray  *hosts;     /* FsimObject, host H at index H-1 */
  GPtrArray  *addresses; /* char *, "127.0.P.H", parallel to hosts */
  GList      *waiters;   /* blocked event.from calls */
  GList      *faults;    /* pending injected faults */
  GPtrArray  *calls;     /* JsonNode objects {"method", "params"} */
  guint64     requests;
  gboolean    events_lost;        /* the next event.from fails with EVENTS_LOST */
  int         stuck_calls;        /* control "stuck_events": this many event.from
                                     calls answered at once, empty, with the token
                                     given (-1: until switched off) */
  gint64      stuck_until;        /* ... or all of them until this monotonic time */
  GHashTable *redirects;          /* host ref -> FsimPool *: hosts that now answer
                                     for another pool (control "redirect") */
  GHashTable *redirect_addresses; /* host ref -> char *: hosts that send
                                     clients to an arbitrary address
                                     (control "redirect" with "to_address") */
};

typedef struct
{
  const char *name;
  FsimObject *sr;
  gint64      virtual_size;
  gint64      physical_utilisation;
} FsimDiskSpec;

typedef struct
{
  FsimObject *network;
  const char *mac; /* NULL: generated */
} FsimVifSpec;

typedef struct
{
  const char   *name;
  const char   *uuid; /* NULL: generated */
  const char   *description;
  const char   *power_state; /* "Running", "Halted", ... */
  FsimObject   *host;        /* resident host when running */
  gint64        memory;
  gint64        vcpus;
  FsimDiskSpec *disks;
  guint         n_disks;
  FsimVifSpec  *vifs;
  guint         n_vifs;
  gboolean      cd_drive;
} FsimVmSpec;

FsimPool   *fsim_pool_new (gpointer server, guint index, const char *name,
                           FsimDbChangedFunc changed);
void        fsim_pool_free (FsimPool *pool);
FsimObject *fsim_pool_master (FsimPool *pool);
const char *fsim_pool_master_address (FsimPool *pool);

FsimObject *fsim_model_add_host (FsimPool *pool, const char *name, gint64 memory_total,
                                 guint cpu_count);
FsimObject *fsim_model_add_network (FsimPool *pool, const char *name, const char *description,
                                    const char *bridge, const char *device, gboolean management);
FsimObject *fsim_model_add_sr (FsimPool *pool, const char *name, const char *type,
                               gboolean shared, gint64 size, FsimObject *host);
FsimObject *fsim_model_add_vdi (FsimPool *pool, FsimObject *sr, const char *name,
                                gint64 virtual_size, gint64 physical_utilisation,
                                const char *uuid);
FsimObject *fsim_model_add_vm (FsimPool *pool, const FsimVmSpec *spec);
FsimObject *fsim_model_add_template (FsimPool *pool, const char *name, gboolean is_default);
FsimObject *fsim_model_add_snapshot (FsimPool *pool, FsimObject *vm, const char *name);
FsimObject *fsim_model_add_vbd (FsimPool *pool, FsimObject *vm, FsimObject *vdi,
                                guint position);
FsimObject *fsim_model_add_vif (FsimPool *pool, FsimObject *vm, FsimObject *network,
                                const char *mac, guint position);
void        fsim_model_destroy_vm (FsimPool *pool, FsimObject *vm, gboolean with_disks);
void        fsim_model_destroy_vdi (FsimPool *pool, FsimObject *vdi);
void        fsim_model_set_power_state (FsimPool *pool, FsimObject *vm, const char *state,
                                        FsimObject *host);
void        fsim_model_set_vm_host (FsimPool *pool, FsimObject *vm, FsimObject *host);
void        fsim_model_refresh_vm_operations (FsimObject *vm);
void        fsim_model_refresh_memory (FsimPool *pool);
void        fsim_model_refresh_sr (FsimPool *pool, FsimObject *sr);
gint64      fsim_model_vm_memory (FsimObject *vm);
gboolean    fsim_model_sr_attached_to (FsimPool *pool, FsimObject *sr, FsimObject *host);
FsimObject *fsim_model_host_pif_on (FsimPool *pool, FsimObject *host, FsimObject *network);
FsimObject *fsim_model_management_network (FsimPool *pool, FsimObject *host);
FsimObject *fsim_model_suspend_sr (FsimPool *pool, FsimObject *host);
FsimObject *fsim_model_find_by_name (FsimPool *pool, const char *cls, const char *name_or_uuid);
char       *fsim_model_random_mac (GRand *rand);

G_END_DECLS
