/* ferry-application.h: the Ferry application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_APPLICATION (ferry_application_get_type ())

G_DECLARE_FINAL_TYPE (FerryApplication, ferry_application, FERRY, APPLICATION, AdwApplication)

FerryApplication *ferry_application_new          (void);
/* (transfer none) */
FerryManager     *ferry_application_get_manager  (FerryApplication *self);
/* (transfer none) the application's settings (schema io.github.xenferry.Ferry) */
GSettings        *ferry_application_get_settings (FerryApplication *self);
/* TRUE when started with --demo (nothing is saved then). */
gboolean          ferry_application_get_demo     (FerryApplication *self);

G_END_DECLS
