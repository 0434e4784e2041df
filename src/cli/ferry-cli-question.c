/* ferry-cli-question.c: a [y/N] question on the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "ferry-cli-format.h"
#include "ferry-cli-question.h"

struct _FerryCliQuestion
{
  GString           *answer;
  guint              watch;
  FerryCliAnswerFunc callback;
  gpointer           user_data;
};

static gboolean
on_stdin_ready (int          fd,
                GIOCondition condition,
                gpointer     user_data)
{
  FerryCliQuestion *self = user_data;
  char              buffer[256];
  gboolean          yes = FALSE;
  gssize            n;

  n = read (fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;

  if (n > 0)
    {
      const char *newline;

      g_string_append_len (self->answer, buffer, n);
      newline = strchr (self->answer->str, '\n');
      if (newline == NULL)
        return G_SOURCE_CONTINUE;
      g_string_truncate (self->answer, newline - self->answer->str);
      yes = ferry_cli_answer_is_yes (self->answer->str);
    }
  else
    /* End of input (Ctrl+D) answers the question with its default, no. */
    g_printerr ("\n");

  /* Closed before the callback runs: it may stop or look at the question. */
  self->watch = 0;
  self->callback (yes, self->user_data);

  return G_SOURCE_REMOVE;
}

FerryCliQuestion *
ferry_cli_question_new (const char        *prompt,
                        FerryCliAnswerFunc callback,
                        gpointer           user_data)
{
  FerryCliQuestion *self;

  g_return_val_if_fail (prompt != NULL, NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  self = g_new0 (FerryCliQuestion, 1);
  self->answer = g_string_new (NULL);
  self->callback = callback;
  self->user_data = user_data;

  g_printerr ("%s", prompt);
  fflush (stderr);
  self->watch = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin_ready, self);

  return self; /* (transfer full) */
}

gboolean
ferry_cli_question_is_open (FerryCliQuestion *self)
{
  return self != NULL && self->watch != 0;
}

void
ferry_cli_question_stop (FerryCliQuestion *self)
{
  if (self != NULL)
    g_clear_handle_id (&self->watch, g_source_remove);
}

void
ferry_cli_question_free (FerryCliQuestion *self)
{
  if (self == NULL)
    return;

  ferry_cli_question_stop (self);
  g_string_free (self->answer, TRUE);
  g_free (self);
}
