/* ferry-host-picker.h: "Migrate to…": choose a host with the keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

#define FERRY_TYPE_HOST_PICKER (ferry_host_picker_get_type ())

G_DECLARE_FINAL_TYPE (FerryHostPicker, ferry_host_picker, FERRY, HOST_PICKER, AdwWindow)

/* Signals: "host-chosen" (FerryHost *host), then the picker closes.
 * @vms: the FerryVm to move (the picker keeps a reference to the array).
 * (transfer none): GTK keeps the window until it is destroyed. */
GtkWidget *ferry_host_picker_new (GtkWindow    *parent,
                                  FerryManager *manager,
                                  GPtrArray    *vms);
/* (transfer none) */
GPtrArray *ferry_host_picker_get_vms (FerryHostPicker *self);

G_END_DECLS
