/* ferry-preferences-window.h: Ferry's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_PREFERENCES_WINDOW (ferry_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (FerryPreferencesWindow, ferry_preferences_window, FERRY, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* The saved pools come from @manager's store (none in the demo).
 * (transfer none): GTK keeps the window until it is destroyed. */
GtkWidget *ferry_preferences_window_new (GtkWindow    *parent,
                                         GSettings    *settings,
                                         FerryManager *manager);

G_END_DECLS
