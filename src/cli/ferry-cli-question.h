/* ferry-cli-question.h: a [y/N] question on the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FerryCliQuestion FerryCliQuestion;

/* Called once with the answer: TRUE for yes (see ferry_cli_answer_is_yes()),
 * FALSE for anything else and for the end of input (Ctrl+D). */
typedef void (*FerryCliAnswerFunc) (gboolean yes,
                                    gpointer user_data);

/* Prints @prompt on stderr and reads the answer from standard input while
 * the main loop keeps running, so that the pool connections stay alive
 * however long the user takes.  (transfer full) */
FerryCliQuestion *ferry_cli_question_new (const char        *prompt,
                                          FerryCliAnswerFunc callback,
                                          gpointer           user_data);
/* TRUE until @callback was called or the question was stopped. */
gboolean          ferry_cli_question_is_open (FerryCliQuestion *self);
/* Stops reading; @callback is not called any more.  May be called from
 * @callback, and more than once. */
void              ferry_cli_question_stop (FerryCliQuestion *self);
void              ferry_cli_question_free (FerryCliQuestion *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryCliQuestion, ferry_cli_question_free)

G_END_DECLS
