/* ferry-migrate-dialog-private.h: what the parts of FerryMigrateDialog share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FerryMigrateDialog is one object in three files:
 *
 *   ferry-migrate-dialog.c           the GObject, the rendering of the
 *                                    question, re-planning and the responses
 *   ferry-migrate-dialog-summary.c   the list of what will happen, drawn
 *                                    from the jobs' plans
 *   ferry-migrate-dialog-advanced.c  the Advanced section: its rows, the
 *                                    overrides they make, and the choices
 *                                    remembered for a pair of pools
 *
 * Not installed; only the dialog's own files include it.
 */

#pragma once

#include "ferry-migrate-dialog.h"

G_BEGIN_DECLS

/* Wide enough for an SR name and its free space in a drop-down's list
 * and for the list's sentences on one or two lines. */
#define CONTENT_WIDTH 520
/* The list and the Advanced section scroll beyond this height, so that
 * the dialog and its buttons stay on a 768-pixel screen. */
#define CONTENT_MAX_HEIGHT 540

typedef struct
{
  char        *ref; /* vdi_ref or vif_ref */
  AdwComboRow *row;
} Choice;

typedef struct
{
  FerryJob            *job;
  FerryMigrateOptions *base;  /* the job's options before the dialog */
  GError              *error; /* the new choices cannot be planned */
} Item;

struct _FerryMigrateDialog
{
  AdwMessageDialog     parent_instance;

  GPtrArray           *items; /* Item */
  FerryHost           *target;
  gboolean             cross_pool;

  GListModel          *srs;      /* SRs the target host can use */
  GListModel          *networks; /* networks of the target pool */
  GListModel          *transfer; /* networks the target host has a PIF on */

  GtkWidget           *status_label;
  GtkWidget           *scrolled;
  GtkWidget           *plan_box; /* drawn again from every new plan */

  AdwComboRow         *all_disks_row;
  GtkSwitch           *per_disk_switch;
  gboolean             initially_per_disk;
  GtkWidget           *per_disk_group;
  GtkWidget           *storage_group;
  GtkWidget           *networks_group;
  GArray              *disk_choices; /* Choice */
  GArray              *vif_choices;  /* Choice */
  AdwComboRow         *all_vifs_row;
  AdwComboRow         *transfer_row;
  GtkSwitch           *compress_switch;
  GtkSwitch           *copy_switch;
  GtkSwitch           *force_switch;
  GtkWidget           *force_row;

  FerryMigrateOptions *remembered; /* the pool pair's choices from last time */

  GCancellable        *cancellable;
  guint                generation;
  guint                pending;
  guint                render_id;
};

static inline Item *
item_at (FerryMigrateDialog *self,
         guint               i)
{
  return g_ptr_array_index (self->items, i);
}

static inline gboolean
item_waiting (Item *item)
{
  return ferry_job_get_state (item->job) == FERRY_JOB_STATE_AWAITING_CONFIRMATION;
}

static inline gboolean
single (FerryMigrateDialog *self)
{
  return self->items->len == 1;
}

static inline FerryPlan *
first_plan (FerryMigrateDialog *self)
{
  return ferry_job_get_plan (item_at (self, 0)->job);
}

/* ferry-migrate-dialog.c */
void                 ferry_migrate_dialog_options_changed (FerryMigrateDialog *self);
void                 ferry_migrate_dialog_schedule_render (FerryMigrateDialog *self);
void                 ferry_migrate_dialog_fit_content (FerryMigrateDialog *self);
gboolean             ferry_migrate_dialog_needs_force (FerryMigrateDialog *self);

/* ferry-migrate-dialog-summary.c */
/* (transfer floating) one group of the list for @plan. */
GtkWidget           *ferry_migrate_dialog_vm_group (FerryMigrateDialog *self,
                                                    FerryPlan          *plan);
/* (transfer floating) the transfer network and the amount to copy. */
GtkWidget           *ferry_migrate_dialog_transfer_group (FerryMigrateDialog *self);

/* ferry-migrate-dialog-advanced.c */
/* (transfer floating) the Advanced expander. */
GtkWidget           *ferry_migrate_dialog_build_advanced (FerryMigrateDialog *self);
/* (transfer full) @item's options with what was touched under Advanced. */
FerryMigrateOptions *ferry_migrate_dialog_options_for (FerryMigrateDialog *self,
                                                       Item               *item,
                                                       gboolean           *changed);
void                 ferry_migrate_dialog_mark_remembered (FerryMigrateDialog *self);

G_END_DECLS
