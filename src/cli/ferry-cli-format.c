/* ferry-cli-format.c: text helpers for ferryctl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ferry-format.h"

#include "ferry-cli-format.h"

guint
ferry_cli_progress_decile (double fraction)
{
  if (!(fraction > 0))
    return 0;
  if (fraction >= 1)
    return 10;

  /* The small epsilon keeps 0.3 (which is 0.29999… in binary) in the third tenth. */
  return (guint) floor (fraction * 10 + 1e-9);
}

/* @text padded with blanks to @width columns, on the left (@right_aligned)
 * or on the right.  (transfer full) */
static char *
pad_field (const char *text,
           guint       width,
           gboolean    right_aligned)
{
  GString *out = g_string_new (NULL);
  guint    text_width = ferry_cli_text_width (text);

  if (!right_aligned)
    g_string_append (out, text);
  for (guint i = text_width; i < width; i++)
    g_string_append_c (out, ' ');
  if (right_aligned)
    g_string_append (out, text);
  return g_string_free (out, FALSE);
}

typedef char *(*FormatFunc) (double value);

/* The widest a rate or a time left is worded, in this language: the
 * largest number of each unit before the next one, and the longest
 * durations under a day. */
static guint
widest (const double *values,
        gsize         n_values,
        FormatFunc    format)
{
  guint width = 0;

  for (gsize i = 0; i < n_values; i++)
    {
      g_autofree char *text = format (values[i]);

      width = MAX (width, ferry_cli_text_width (text));
    }
  return width;
}

static guint
rate_field_width (void)
{
  static const double rates[] = { 999, 999.9e3, 999.9e6, 999.9e9 };

  return widest (rates, G_N_ELEMENTS (rates), ferry_format_rate);
}

static guint
time_left_field_width (void)
{
  static const double durations[] = { 30, 59 * 60, 23 * 3600 + 59 * 60 };

  return widest (durations, G_N_ELEMENTS (durations), ferry_format_time_left);
}

char *
ferry_cli_format_progress (double fraction,
                           double bytes_per_second,
                           double eta_seconds,
                           guint  columns)
{
  g_autofree char *rate = NULL;
  g_autofree char *left = NULL;
  g_autofree char *tail = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  guint percent;
  guint tail_width;

  if (isnan (fraction) || fraction < 0)
    fraction = 0;
  if (fraction > 1)
    fraction = 1;
  percent = (guint) floor (fraction * 100 + 1e-9);

  rate = ferry_format_rate (bytes_per_second);
  left = ferry_format_time_left (eta_seconds);

  {
    /* The bar's width follows from the width of the text after it, and the
     * rate and the time left change length as they change ("9.8 MB/s",
     * "112.4 MB/s"; "2 min left", "less than 1 min left"): each gets a
     * field as wide as its widest wording, so that the bar does not jump
     * about while it fills.  What is not known yet leaves its field blank. */
    g_autofree char *rate_field = pad_field (rate, rate_field_width (), TRUE);
    g_autofree char *left_field = pad_field (left, time_left_field_width (), FALSE);

    /* TRANSLATORS: the text after the progress bar: percent done, rate and
     * time left, e.g. " 45 %  112.4 MB/s  2 min left" */
    tail = g_strdup_printf (_("%3u %%  %s  %s"), percent, rate_field, left_field);
    tail_width = ferry_cli_text_width (tail);
  }

  /* The bar takes what is left of the line once the numbers fit; on a
   * narrower terminal the bar goes first (and, with it, the need for fixed
   * fields), then the rate and the time left. */
  if (columns >= tail_width + 2 + 10)
    {
      guint bar_width = MIN (columns - tail_width - 2 - 1, 50);
      guint filled = (guint) floor (fraction * bar_width + 1e-9);

      g_string_append_c (line, '[');
      for (guint i = 0; i < bar_width; i++)
        g_string_append_c (line, i < filled ? '#' : '-');
      g_string_append (line, "] ");
      g_string_append (line, tail);
    }
  else
    {
      g_autofree char *plain = g_strdup_printf (_("%3u %%  %s  %s"), percent, rate, left);

      if (columns >= ferry_cli_text_width (plain))
        g_string_append (line, plain);
      else
        g_string_append_printf (line, "%3u %%", percent);
    }

  /* The padding holds the bar in place; at the end of the line it would
   * only be blanks for the terminal to keep. */
  while (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

gboolean
ferry_cli_parse_key_value (const char *argument,
                           char      **key,
                           char      **value)
{
  const char *eq;

  g_return_val_if_fail (argument != NULL, FALSE);

  eq = strchr (argument, '=');
  if (eq == NULL || eq == argument)
    return FALSE;

  if (key != NULL)
    *key = g_strndup (argument, eq - argument);
  if (value != NULL)
    *value = g_strdup (eq + 1);
  return TRUE;
}

gboolean
ferry_cli_answer_is_yes (const char *line)
{
  g_autofree char *stripped = NULL;
  g_autofree char *folded = NULL;

  if (line == NULL)
    return FALSE;

  stripped = g_strstrip (g_strdup (line));
  folded = g_utf8_casefold (stripped, -1);

  if (g_str_equal (folded, "y") || g_str_equal (folded, "yes"))
    return TRUE;

  {
    /* TRANSLATORS: the short answer meaning yes at a [y/N] question */
    g_autofree char *short_yes = g_utf8_casefold (C_("answer", "y"), -1);
    /* TRANSLATORS: the long answer meaning yes at a [y/N] question */
    g_autofree char *long_yes = g_utf8_casefold (C_("answer", "yes"), -1);

    return g_str_equal (folded, short_yes) || g_str_equal (folded, long_yes);
  }
}

guint
ferry_cli_text_width (const char *text)
{
  guint width = 0;

  if (text == NULL)
    return 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }

  return width;
}

char *
ferry_cli_display_text (const char *text,
                        guint       max_width)
{
  g_autofree char *valid = NULL;
  GString         *out;
  guint            width = 0;

  if (text == NULL)
    return g_strdup ("");
  /* Replies are repaired while they are decoded; this is for whatever
   * else reaches a terminal. */
  valid = g_utf8_make_valid (text, -1);
  out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      char     escape[16];
      guint    w;

      if (c == '\n')
        g_strlcpy (escape, "\\n", sizeof escape);
      else if (c == '\t')
        g_strlcpy (escape, "\\t", sizeof escape);
      else if (c == '\r')
        g_strlcpy (escape, "\\r", sizeof escape);
      else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        g_snprintf (escape, sizeof escape, "\\x%02x", c);
      else if (c == 0x2028 || c == 0x2029 || c == 0x202e || c == 0x2066 || c == 0x2067 ||
               c == 0x2068 || c == 0x2069 || c == 0x202a || c == 0x202b || c == 0x202c ||
               c == 0x202d)
        /* line and paragraph separators, and the bidirectional controls
         * that could make a name read as another */
        g_snprintf (escape, sizeof escape, "\\u%04x", c);
      else
        escape[0] = '\0';

      w = escape[0] != '\0' ? (guint) strlen (escape)
                            : (g_unichar_iszerowidth (c) ? 0 : (g_unichar_iswide (c) ? 2 : 1));
      if (width + w > max_width - 1 && max_width > 0)
        {
          /* Room for the ellipsis, unless the rest fits exactly. */
          const char *next = g_utf8_next_char (p);

          if (!(*next == '\0' && width + w <= max_width))
            {
              g_string_append (out, "…");
              break;
            }
        }
      if (escape[0] != '\0')
        g_string_append (out, escape);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      width += w;
    }

  return g_string_free (out, FALSE);
}

struct _FerryCliTable
{
  guint      n_columns;
  GPtrArray *rows; /* of GStrv, n_columns each */
};

FerryCliTable *
ferry_cli_table_new (guint n_columns)
{
  FerryCliTable *table;

  g_return_val_if_fail (n_columns > 0, NULL);

  table = g_new0 (FerryCliTable, 1);
  table->n_columns = n_columns;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  return table;
}

void
ferry_cli_table_free (FerryCliTable *table)
{
  if (table == NULL)
    return;

  g_ptr_array_unref (table->rows);
  g_free (table);
}

void
ferry_cli_table_add_rowv (FerryCliTable      *table,
                          const char * const *cells)
{
  char **row;

  g_return_if_fail (table != NULL);

  row = g_new0 (char *, table->n_columns + 1);
  for (guint i = 0; i < table->n_columns; i++)
    row[i] = ferry_cli_display_text (cells[i], FERRY_CLI_MAX_FIELD_WIDTH);
  g_ptr_array_add (table->rows, row);
}

void
ferry_cli_table_add_row (FerryCliTable *table,
                         ...)
{
  g_autofree const char **cells = NULL;
  va_list                 args;

  g_return_if_fail (table != NULL);

  cells = g_new0 (const char *, table->n_columns + 1);
  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    cells[i] = va_arg (args, const char *);
  va_end (args);

  ferry_cli_table_add_rowv (table, cells);
}

guint
ferry_cli_table_get_n_rows (FerryCliTable *table)
{
  g_return_val_if_fail (table != NULL, 0);

  return table->rows->len;
}

void
ferry_cli_table_render (FerryCliTable *table,
                        guint          indent,
                        GString       *out)
{
  g_autofree guint *widths = NULL;

  g_return_if_fail (table != NULL);
  g_return_if_fail (out != NULL);

  widths = g_new0 (guint, table->n_columns);
  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], ferry_cli_text_width (row[c]));
    }

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);
      gsize  line_start = out->len;

      for (guint i = 0; i < indent; i++)
        g_string_append_c (out, ' ');

      for (guint c = 0; c < table->n_columns; c++)
        {
          g_string_append (out, row[c]);
          if (c + 1 < table->n_columns)
            {
              guint pad = widths[c] - ferry_cli_text_width (row[c]) + 2;

              for (guint i = 0; i < pad; i++)
                g_string_append_c (out, ' ');
            }
        }

      /* Empty last columns must not leave trailing blanks behind. */
      while (out->len > line_start && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append_c (out, '\n');
    }
}
