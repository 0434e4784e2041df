/* ferry-plan.h: how a VM will move (kind, disks, networks), and the user's overrides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ferry-engine-types.h"

G_BEGIN_DECLS

/* FerryMigrateOptions: the user's overrides; everything unset means "default". */
#define FERRY_TYPE_MIGRATE_OPTIONS (ferry_migrate_options_get_type ())

GType                ferry_migrate_options_get_type (void) G_GNUC_CONST;
/* (transfer full) */
FerryMigrateOptions *ferry_migrate_options_new (void);
/* (transfer full) */
FerryMigrateOptions *ferry_migrate_options_copy (const FerryMigrateOptions *opts);
void                 ferry_migrate_options_free (FerryMigrateOptions *opts);

/* One SR for every disk (a per-disk SR wins over it). */
void                 ferry_migrate_options_set_sr (FerryMigrateOptions *opts,
                                                   FerrySr             *sr);
void                 ferry_migrate_options_set_disk_sr (FerryMigrateOptions *opts,
                                                        const char          *vdi_ref,
                                                        FerrySr             *sr);
/* One network for every VIF (a per-VIF network wins over it). */
void                 ferry_migrate_options_set_network (FerryMigrateOptions *opts,
                                                        FerryNetwork        *network);
void                 ferry_migrate_options_set_vif_network (FerryMigrateOptions *opts,
                                                            const char          *vif_ref,
                                                            FerryNetwork        *network);
void                 ferry_migrate_options_set_migration_network (FerryMigrateOptions *opts,
                                                                  FerryNetwork        *network);
void                 ferry_migrate_options_set_copy (FerryMigrateOptions *opts,
                                                     gboolean             copy);
void                 ferry_migrate_options_set_compress (FerryMigrateOptions *opts,
                                                         gboolean             compress);
void                 ferry_migrate_options_set_force (FerryMigrateOptions *opts,
                                                      gboolean             force);
/* Storage motion even where a plain migration would do (all disks stay
 * unless an SR is given).  An explicit SR already implies it. */
void                 ferry_migrate_options_set_storage_motion (FerryMigrateOptions *opts,
                                                               gboolean             storage_motion);

/* Getters (transfer none; NULL / FALSE when unset). */
FerrySr             *ferry_migrate_options_get_sr (const FerryMigrateOptions *opts);
FerrySr             *ferry_migrate_options_get_disk_sr (const FerryMigrateOptions *opts,
                                                        const char                *vdi_ref);
FerryNetwork        *ferry_migrate_options_get_network (const FerryMigrateOptions *opts);
FerryNetwork        *ferry_migrate_options_get_vif_network (const FerryMigrateOptions *opts,
                                                            const char                *vif_ref);
FerryNetwork        *ferry_migrate_options_get_migration_network (const FerryMigrateOptions *opts);
gboolean             ferry_migrate_options_get_copy (const FerryMigrateOptions *opts);
gboolean             ferry_migrate_options_get_force (const FerryMigrateOptions *opts);
/* Returns whether compress was set at all; *compress gets the value. */
gboolean             ferry_migrate_options_get_compress (const FerryMigrateOptions *opts,
                                                         gboolean                  *compress);
gboolean             ferry_migrate_options_get_storage_motion (const FerryMigrateOptions *opts);
/* TRUE if any SR (all disks or one disk) was given. */
gboolean             ferry_migrate_options_has_sr_override (const FerryMigrateOptions *opts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryMigrateOptions, ferry_migrate_options_free)

/* One disk in a plan. */
typedef struct
{
  char    *vdi_ref;
  char    *name;
  guint64  virtual_size;
  FerrySr *from; /* owned reference */
  FerrySr *to;   /* owned reference */
  gboolean moves;
  char    *why; /* how the destination was chosen, translated */
} FerryPlanDisk;

/* One VIF in a plan. */
typedef struct
{
  char         *vif_ref;
  char         *device;
  char         *mac;
  FerryNetwork *from; /* owned reference */
  FerryNetwork *to;   /* owned reference; NULL intra-pool (the VIF stays) */
  char         *why;
} FerryPlanVif;

#define FERRY_TYPE_PLAN_DISK (ferry_plan_disk_get_type ())
#define FERRY_TYPE_PLAN_VIF (ferry_plan_vif_get_type ())

GType          ferry_plan_disk_get_type (void) G_GNUC_CONST;
/* (transfer full) */
FerryPlanDisk *ferry_plan_disk_copy (const FerryPlanDisk *disk);
void           ferry_plan_disk_free (FerryPlanDisk *disk);
GType          ferry_plan_vif_get_type (void) G_GNUC_CONST;
/* (transfer full) */
FerryPlanVif  *ferry_plan_vif_copy (const FerryPlanVif *vif);
void           ferry_plan_vif_free (FerryPlanVif *vif);

#define FERRY_TYPE_PLAN (ferry_plan_get_type ())

G_DECLARE_FINAL_TYPE (FerryPlan, ferry_plan, FERRY, PLAN, GObject)

FerryMigrationKind   ferry_plan_get_kind (FerryPlan *self);
gboolean             ferry_plan_needs_confirmation (FerryPlan *self);
/* (transfer none) */
FerryVm             *ferry_plan_get_vm (FerryPlan *self);
/* (transfer none) */
FerryHost           *ferry_plan_get_target (FerryPlan *self);
/* The transfer network (storage motion: always set; plain: only if chosen). */
FerryNetwork        *ferry_plan_get_migration_network (FerryPlan *self);
/* (transfer none) How the migration network was chosen, translated. */
const char          *ferry_plan_get_migration_network_why (FerryPlan *self);
guint64              ferry_plan_get_bytes_to_copy (FerryPlan *self);
/* < 0 if unknown. */
double               ferry_plan_get_estimated_seconds (FerryPlan *self);
gboolean             ferry_plan_get_cross_pool (FerryPlan *self);
/* (transfer none) FerryPlanDisk / FerryPlanVif. */
GPtrArray           *ferry_plan_get_disks (FerryPlan *self);
GPtrArray           *ferry_plan_get_vifs (FerryPlan *self);
/* (transfer full) Several plain sentences: what will happen.  g_free() it. */
char                *ferry_plan_describe (FerryPlan *self);
/* (transfer full) One short sentence: who goes where (a copy: what is made where, and
 * that the original stays).  g_free() it. */
char                *ferry_plan_summarize (FerryPlan *self);
/* (transfer none) where a suspended VM's memory image goes (storage
 * motion of a suspended VM), else NULL. */
FerrySr             *ferry_plan_get_suspend_sr (FerryPlan *self);
/* (transfer none) Why there (XAPI's rule), translated; NULL without a suspend SR. */
const char          *ferry_plan_get_suspend_sr_why (FerryPlan *self);
/* Whether the memory image is copied (FALSE: it is on that SR already). */
gboolean             ferry_plan_get_suspend_moves (FerryPlan *self);
/* (transfer none) the overrides it was built from (never NULL). */
FerryMigrateOptions *ferry_plan_get_options (FerryPlan *self);

G_END_DECLS
