/* ferry-ui-util.h: small formatting helpers shared by the window's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ferry-engine.h"

G_BEGIN_DECLS

/* The char * functions return (transfer full) strings, the const char *
 * ones (transfer none) static ones. */

/* Sizes, rates and durations are worded by the engine's ferry-format.h. */
/* A running job's progress, rate and time left, as far as known:
 * "42% · 580 MB/s · 1 min left" (the jobs panel and the VM's row
 * say it the same way).  NULL unless the job is running or cancelling. */
char       *ferry_format_job_progress (FerryJob *job);
/* A translated, human label for a pool state ("Connected", "Reconnecting…"). */
const char *ferry_pool_state_label (FerryPoolState state);
/* A translated, lower-case power state ("running", "halted", ...). */
const char *ferry_power_state_label (const char *power_state);
/* A symbolic icon name for a power state. */
const char *ferry_power_state_icon (const char *power_state);
/* TRUE for QUEUED, CHECKING, AWAITING_CONFIRMATION, RUNNING, CANCELLING. */
gboolean    ferry_job_state_is_active (FerryJobState state);
/* Escapes @text for use where libadwaita expects Pango markup (toasts). */
char       *ferry_escape_markup (const char *text);
/* (transfer floating) an action row that names something (a VM, a host, a
 * pool, an option): @title and @subtitle as plain text, no markup and no
 * mnemonic, as names are.  Either may be NULL, to be set later. */
GtkWidget  *ferry_info_row_new (const char *title,
                                const char *subtitle);
/* A question's two answers: "cancel" ("_Cancel", also what Escape and
 * closing say) and @response (@label, looking @appearance); Enter gives
 * @default_response. */
void        ferry_message_dialog_add_answers (AdwMessageDialog     *dialog,
                                              const char           *response,
                                              const char           *label,
                                              AdwResponseAppearance appearance,
                                              const char           *default_response);
/* Disposes the template of @widget (an instance of @widget_type) and then
 * unparents the children left: where @widget is a plain GtkWidget with a
 * layout manager, the template's root is its child but not a bound one,
 * and GTK leaves it to the widget. */
void        ferry_widget_dispose_template (GtkWidget *widget,
                                           GType      widget_type);

G_END_DECLS
