/* ferry-cli-format.h: text helpers for ferryctl (sizes, rates, progress, tables)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

/* Sizes, rates and durations are worded by the engine's ferry-format.h,
 * as in the window. */

/* One line, at most @columns wide (at least the percentage):
 * "[#########-----------]  45 %  112.4 MB/s  2 min left", the rate and the
 * time left each in a field of fixed width.  (transfer full) */
char    *ferry_cli_format_progress (double fraction,
                                    double bytes_per_second,
                                    double eta_seconds,
                                    guint  columns);
/* 0..10: which tenth of the way @fraction has reached. */
guint    ferry_cli_progress_decile (double fraction);

/* "key=value" -> key and value (both newly allocated: (out) (transfer
 * full)).  FALSE when there is no '=' or the key is empty. */
gboolean ferry_cli_parse_key_value (const char *argument,
                                    char      **key,
                                    char      **value);

/* Whether a line typed at a [y/N] question means yes ("y", "yes", any case,
 * surrounding blanks ignored, or the translated forms). */
gboolean ferry_cli_answer_is_yes (const char *line);

/* Display width of a UTF-8 string in terminal cells (wide characters count 2). */
guint    ferry_cli_text_width (const char *text);

/* Server text as it may be shown on a terminal: control characters (which
 * could move the cursor, clear the screen or end a line) are written as
 * visible escapes, and what would be wider than @max_width columns is cut
 * and ends with "…", so that a value always stays on one line.  The cap
 * leaves room for a whole SHA-256 fingerprint (95 columns).
 * ferry_cli_display_text() returns a new string: (transfer full). */
#define FERRY_CLI_MAX_FIELD_WIDTH 120
char                         *ferry_cli_display_text (const char *text,
                                                      guint       max_width);

typedef struct _FerryCliTable FerryCliTable;

/* A table of left-aligned text columns, printed with two spaces between
 * columns and trailing blanks trimmed.  (transfer full) */
FerryCliTable                *ferry_cli_table_new (guint n_columns);
void                          ferry_cli_table_free (FerryCliTable *table);
/* Takes @n_columns strings (NULL prints as empty). */
void                          ferry_cli_table_add_row (FerryCliTable *table,
                                                       ...);
void                          ferry_cli_table_add_rowv (FerryCliTable      *table,
                                                        const char                          *const *cells);
guint                         ferry_cli_table_get_n_rows (FerryCliTable *table);
/* Appends the rows to @out, each line prefixed by @indent spaces. */
void                          ferry_cli_table_render (FerryCliTable *table,
                                                      guint          indent,
                                                      GString       *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryCliTable, ferry_cli_table_free)

G_END_DECLS
