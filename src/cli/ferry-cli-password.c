/* ferry-cli-password.c: reading a password, from standard input or asked
 * without echo on the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ferry-cli.h"

#define MAX_PASSWORD_LENGTH 4096

/* Password reading.  The terminal is put back however the prompt ends,
 * including Ctrl+C, so that the shell never stays without echo. */

static struct termios        saved_termios;
static volatile sig_atomic_t termios_changed;

static void
restore_terminal_and_reraise (int signum)
{
  if (termios_changed)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Reads one line from @fd into @buffer with read(2), byte by byte, so that
 * nothing beyond the line is consumed and no copy of the secret lingers in a
 * stdio buffer.  Returns the length, or -1 on error / overflow. */
static gssize
read_secret_line (int       fd,
                  char     *buffer,
                  gsize     size,
                  gboolean *got_eof)
{
  gsize len = 0;

  *got_eof = FALSE;
  for (;;)
    {
      char   c;
      gssize n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        {
          *got_eof = TRUE;
          break;
        }
      if (c == '\n')
        break;
      if (len + 1 >= size)
        return -1;
      buffer[len++] = c;
    }

  if (len > 0 && buffer[len - 1] == '\r')
    len--;
  buffer[len] = '\0';
  return len;
}

char *
ferry_cli_read_password (FerryCli   *self,
                         const char *url,
                         const char *user,
                         GError    **error)
{
  char     buffer[MAX_PASSWORD_LENGTH];
  gboolean got_eof = FALSE;
  gssize   len;
  char    *password;

  if (self->password_stdin)
    {
      len = read_secret_line (STDIN_FILENO, buffer, sizeof buffer, &got_eof);
      if (len < 0)
        {
          explicit_bzero (buffer, sizeof buffer);
          g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_FAILED,
                       _("Could not read the password from standard input."));
          return NULL;
        }
      if (len == 0)
        {
          g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                       _("--password-stdin was given, but standard input held no password."));
          return NULL;
        }
    }
  else if (ferry_cli_stdin_is_tty ())
    {
      struct termios   quiet;
      struct sigaction action = { 0 };
      struct sigaction old_int, old_term, old_hup;
      gboolean         quieted = FALSE;

      /* Echo goes off before the prompt shows, so that nothing typed after
       * it can appear; and without flushing, so that nothing typed ahead is
       * lost. */
      if (tcgetattr (STDIN_FILENO, &saved_termios) == 0)
        {
          action.sa_handler = restore_terminal_and_reraise;
          sigemptyset (&action.sa_mask);
          sigaction (SIGINT, &action, &old_int);
          sigaction (SIGTERM, &action, &old_term);
          sigaction (SIGHUP, &action, &old_hup);

          quiet = saved_termios;
          quiet.c_lflag &= ~(ECHO);
          quiet.c_lflag |= ICANON;
          termios_changed = TRUE;
          quieted = tcsetattr (STDIN_FILENO, TCSANOW, &quiet) == 0;
        }

      /* TRANSLATORS: the password prompt; %s are the user name and the URL */
      g_printerr (_("Password for %s at %s: "), user, url);
      len = read_secret_line (STDIN_FILENO, buffer, sizeof buffer, &got_eof);

      if (termios_changed)
        {
          if (quieted)
            tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
          termios_changed = FALSE;
          sigaction (SIGINT, &old_int, NULL);
          sigaction (SIGTERM, &old_term, NULL);
          sigaction (SIGHUP, &old_hup, NULL);
        }

      g_printerr ("\n");

      if (len <= 0)
        {
          explicit_bzero (buffer, sizeof buffer);
          g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_FAILED,
                       _("No password was entered."));
          return NULL;
        }
    }
  else
    {
      g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                   _("A password is needed for %s: pass --password-stdin and write it to standard input, "
                     "or run ferryctl on a terminal to be asked."),
                   url);
      return NULL;
    }

  password = g_strndup (buffer, len);
  explicit_bzero (buffer, sizeof buffer);
  return password;
}

void
ferry_cli_password_free (char *password)
{
  if (password == NULL)
    return;

  explicit_bzero (password, strlen (password));
  g_free (password);
}
