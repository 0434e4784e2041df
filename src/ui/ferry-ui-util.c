/* ferry-ui-util.c: small formatting helpers shared by the window's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ferry-ui-util.h"

char *
ferry_format_job_progress (FerryJob *job)
{
  FerryJobState state = ferry_job_get_state (job);
  g_autoptr(GPtrArray) parts = NULL;
  double rate = ferry_job_get_rate (job);
  double eta = ferry_job_get_eta (job);

  if (state != FERRY_JOB_STATE_RUNNING && state != FERRY_JOB_STATE_CANCELLING)
    return NULL;

  parts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (parts, g_strdup_printf ("%d%%", (int) (ferry_job_get_progress (job) * 100.0)));
  /* What is not known yet is left out, not named. */
  if (rate > 0 && !isinf (rate))
    g_ptr_array_add (parts, ferry_format_rate (rate));
  if (eta >= 0 && !isinf (eta))
    g_ptr_array_add (parts, ferry_format_time_left (eta));
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **) parts->pdata);
}

const char *
ferry_pool_state_label (FerryPoolState state)
{
  switch (state)
    {
    case FERRY_POOL_STATE_DISCONNECTED:
      return _("Disconnected");
    case FERRY_POOL_STATE_CONNECTING:
      return _("Connecting…");
    case FERRY_POOL_STATE_LOADING:
      return _("Loading…");
    case FERRY_POOL_STATE_READY:
      return _("Connected");
    case FERRY_POOL_STATE_RECONNECTING:
      return _("Reconnecting…");
    case FERRY_POOL_STATE_FAILED:
      return _("Not connected");
    default:
      return "";
    }
}

const char *
ferry_power_state_label (const char *power_state)
{
  if (g_strcmp0 (power_state, "Running") == 0)
    return _("running");
  if (g_strcmp0 (power_state, "Halted") == 0)
    return _("halted");
  if (g_strcmp0 (power_state, "Suspended") == 0)
    return _("suspended");
  if (g_strcmp0 (power_state, "Paused") == 0)
    return _("paused");
  return _("unknown state");
}

const char *
ferry_power_state_icon (const char *power_state)
{
  if (g_strcmp0 (power_state, "Running") == 0)
    return "media-playback-start-symbolic";
  if (g_strcmp0 (power_state, "Suspended") == 0 || g_strcmp0 (power_state, "Paused") == 0)
    return "media-playback-pause-symbolic";
  return "media-playback-stop-symbolic";
}

gboolean
ferry_job_state_is_active (FerryJobState state)
{
  switch (state)
    {
    case FERRY_JOB_STATE_QUEUED:
    case FERRY_JOB_STATE_CHECKING:
    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
    case FERRY_JOB_STATE_RUNNING:
    case FERRY_JOB_STATE_CANCELLING:
      return TRUE;
    case FERRY_JOB_STATE_SUCCEEDED:
    case FERRY_JOB_STATE_FAILED:
    case FERRY_JOB_STATE_CANCELLED:
    default:
      return FALSE;
    }
}

char *
ferry_escape_markup (const char *text)
{
  return g_markup_escape_text (text ? text : "", -1);
}

GtkWidget *
ferry_info_row_new (const char *title,
                    const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  /* VM and host names are plain text, underscores and all. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

void
ferry_message_dialog_add_answers (AdwMessageDialog     *dialog,
                                  const char           *response,
                                  const char           *label,
                                  AdwResponseAppearance appearance,
                                  const char           *default_response)
{
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (dialog, response, appearance);
  adw_message_dialog_set_default_response (dialog, default_response);
  adw_message_dialog_set_close_response (dialog, "cancel");
}

void
ferry_widget_dispose_template (GtkWidget *widget,
                               GType      widget_type)
{
  GtkWidget *child;

  gtk_widget_dispose_template (widget, widget_type);
  while ((child = gtk_widget_get_first_child (widget)) != NULL)
    gtk_widget_unparent (child);
}
