/* ferry-cli-output.c: what ferryctl prints and where: JSON on stdout,
 * the terminal's width, names for power and job states
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ferry-cli.h"

void
ferry_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  /* JSON is UTF-8 whatever the locale says: bypass g_print()'s conversion. */
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Terminal */

gboolean
ferry_cli_stdin_is_tty (void)
{
  return isatty (STDIN_FILENO);
}

gboolean
ferry_cli_stderr_is_tty (void)
{
  return isatty (STDERR_FILENO);
}

guint
ferry_cli_terminal_columns (void)
{
  struct winsize size;
  const char    *columns;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;

  columns = g_getenv ("COLUMNS");
  if (columns != NULL && atoi (columns) > 0)
    return atoi (columns);

  return 80;
}

const char *
ferry_cli_power_state_label (const char *power_state)
{
  if (power_state == NULL)
    return _("Unknown");
  if (g_str_equal (power_state, "Running"))
    return _("Running");
  if (g_str_equal (power_state, "Halted"))
    return _("Halted");
  if (g_str_equal (power_state, "Suspended"))
    return _("Suspended");
  if (g_str_equal (power_state, "Paused"))
    return _("Paused");
  return power_state;
}

const char *
ferry_cli_job_state_id (FerryJobState state)
{
  switch (state)
    {
    case FERRY_JOB_STATE_QUEUED:
      return "queued";
    case FERRY_JOB_STATE_CHECKING:
      return "checking";
    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
      return "awaiting-confirmation";
    case FERRY_JOB_STATE_RUNNING:
      return "running";
    case FERRY_JOB_STATE_CANCELLING:
      return "cancelling";
    case FERRY_JOB_STATE_SUCCEEDED:
      return "succeeded";
    case FERRY_JOB_STATE_FAILED:
      return "failed";
    case FERRY_JOB_STATE_CANCELLED:
      return "cancelled";
    case FERRY_JOB_STATE_UNKNOWN:
      return "outcome-unknown";
    default:
      return "unknown";
    }
}

void
ferry_cli_json_add_string (JsonBuilder *builder,
                           const char  *member,
                           const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
ferry_cli_json_add_boolean (JsonBuilder *builder,
                            const char  *member,
                            gboolean     value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
}

void
ferry_cli_json_add_int (JsonBuilder *builder,
                        const char  *member,
                        gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

void
ferry_cli_json_add_double (JsonBuilder *builder,
                           const char  *member,
                           double       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_double_value (builder, value);
}

void
ferry_cli_json_begin_array (JsonBuilder *builder,
                            const char  *member)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
}

JsonBuilder *
ferry_cli_json_list_new (const char *member)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  ferry_cli_json_begin_array (builder, member);
  return builder;
}

void
ferry_cli_json_list_print (JsonBuilder *builder)
{
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  ferry_cli_print_json (builder);
}
