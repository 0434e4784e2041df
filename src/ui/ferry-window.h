/* ferry-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_WINDOW (ferry_window_get_type ())

G_DECLARE_FINAL_TYPE (FerryWindow, ferry_window, FERRY, WINDOW, AdwApplicationWindow)

/* @manager and @settings are the application's; @demo: started with
 * --demo (nothing is saved then).  (transfer none): the application
 * holds the window. */
FerryWindow *ferry_window_new (GtkApplication *application,
                               FerryManager   *manager,
                               GSettings      *settings,
                               gboolean        demo);
/* Shows @text (plain text, not markup) in a toast. */
void         ferry_window_show_toast (FerryWindow *self,
                                      const char  *text);
/* Moves @vms (FerryVm) to @target the way a drop does: refused ones are
 * explained in a toast, the others become jobs that the window follows
 * (confirmation for storage motion, a toast when one fails). */
void         ferry_window_migrate (FerryWindow *self,
                                   GPtrArray   *vms,
                                   FerryHost   *target);

G_END_DECLS
