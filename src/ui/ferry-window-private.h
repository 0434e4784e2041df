/* ferry-window-private.h: what the parts of FerryWindow share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FerryWindow is one object in two files:
 *
 *   ferry-window.c       the GObject, its template, actions, evacuation
 *                        and closing
 *   ferry-window-jobs.c  the jobs the window started: one "OK to migrate
 *                        without shared storage?" per drop, one question at
 *                        a time; toasts when one fails; the choices made
 *                        under Advanced, remembered once a move succeeded
 *
 * Not installed; only the window's own files include it.
 */

#pragma once

#include "ferry-inventory-view.h"
#include "ferry-jobs-panel.h"
#include "ferry-window.h"

G_BEGIN_DECLS

struct _FerryWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkToggleButton     *search_button;
  GtkSearchBar        *search_bar;
  GtkSearchEntry      *search_entry;
  GtkStack            *main_stack;
  FerryInventoryView  *inventory;
  FerryJobsPanel      *jobs_panel;

  FerryManager        *manager;
  GSettings           *settings;
  gboolean             demo;
  GListModel          *pools;
  GListModel          *jobs;

  /* Jobs this window started: it asks for their confirmation and reports
   * their failure.  FerryJob → itself, one reference. */
  GHashTable          *own_jobs;
  /* The last state each job was handled in, so that a state seen both
   * right after ferry_manager_migrate() and through notify::state is
   * handled once: FerryJob (a reference) → its FerryJobState + 1. */
  GHashTable          *handled_states;
  /* The jobs of one drop (or one "Migrate to…"), until their question is
   * asked: FerryJob → the GPtrArray of the drop's FerryJobs (a reference;
   * the array holds the jobs). */
  GHashTable          *batches;
  /* Storage and networks chosen under Advanced for a move across pools,
   * remembered for the pair of pools once the move succeeded:
   * FerryJob (a reference) → its KeptChoices. */
  GHashTable          *kept_choices;
  /* Questions waiting for the confirmation dialog, oldest first: each a
   * GPtrArray of the FerryJobs one dialog asks about. */
  GQueue               confirm_queue;
  GtkWindow           *confirm_dialog;

  /* Evacuation plans being made; cancelled with the window. */
  GCancellable        *cancellable;
};

/* ferry-window.c */
/* Shows @text (plain text) for @timeout seconds, with a button for
 * @action_name if @button_label is not NULL. */
void ferry_window_show_toast_full (FerryWindow *self,
                                   const char  *text,
                                   guint        timeout,
                                   const char  *button_label,
                                   const char  *action_name);

/* ferry-window-jobs.c */
/* Follows the jobs of the manager's list (connected to its items-changed). */
void ferry_window_jobs_changed_cb (FerryWindow *self,
                                   guint        position,
                                   guint        removed,
                                   guint        added,
                                   GListModel  *model);
void ferry_window_kept_choices_free (gpointer data);

G_END_DECLS
