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

/* @store may be NULL (the demo saves nothing). */
GtkWidget *ferry_preferences_window_new (GtkWindow        *parent,
                                         GSettings        *settings,
                                         FerryServerStore *store);

G_END_DECLS
