/* ferry-cli.h: what every ferryctl command shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ferry-engine.h"

#include "ferry-cli-format.h"
#include "ferry-cli-question.h"

G_BEGIN_DECLS

/* Exit statuses, documented in "ferryctl --help". */
typedef enum
{
  FERRY_CLI_EXIT_OK = 0,
  FERRY_CLI_EXIT_FAILURE = 1,
  FERRY_CLI_EXIT_USAGE = 2,
  FERRY_CLI_EXIT_NOT_CONFIRMED = 3,
} FerryCliExit;

#define FERRY_CLI_ERROR (ferry_cli_error_quark ())

/* The code of a FERRY_CLI_ERROR is the exit status it leads to. */
typedef enum
{
  FERRY_CLI_ERROR_FAILED = FERRY_CLI_EXIT_FAILURE,
  FERRY_CLI_ERROR_USAGE = FERRY_CLI_EXIT_USAGE,
  FERRY_CLI_ERROR_NOT_CONFIRMED = FERRY_CLI_EXIT_NOT_CONFIRMED,
} FerryCliErrorEnum;

GQuark ferry_cli_error_quark (void);

typedef enum
{
  FERRY_CLI_OBJECT_VM,
  FERRY_CLI_OBJECT_HOST,
  FERRY_CLI_OBJECT_SR,
  FERRY_CLI_OBJECT_NETWORK,
} FerryCliObjectKind;

typedef struct
{
  /* The connection options every command takes (the one-off form). */
  char             *server;
  char             *user;
  gboolean          password_stdin;
  gboolean          trust_certificate;
  gboolean          follow_master; /* follow a plain HTTP redirect to an unknown host */
  char             *fingerprint;
  int               timeout; /* seconds, for connecting */

  FerryServerStore *store;   /* NULL until needed */
  FerryManager     *manager; /* NULL until connected */
  GPtrArray        *pools;   /* FerryPool connected by ferry_cli_connect(), in server order */

  /* Set by SIGINT / SIGTERM handlers installed while commands wait. */
  guint             interrupted;

  /* SIGTERM or SIGHUP received while watched (0: none). */
  int               stop_signal;
  guint             stop_watch[2];
} FerryCli;

/* (transfer full) */
FerryCli         *ferry_cli_new (void);
void              ferry_cli_free (FerryCli *self);

/* Adds --server, --user, --password-stdin, --trust-certificate,
 * --fingerprint and --timeout to @context, filling @self. */
void              ferry_cli_add_connection_options (FerryCli       *self,
                                                    GOptionContext *context);

/* A GOptionContext for "ferryctl @command", whose --help starts with
 * "ferryctl @command [OPTION…] @parameters".  (transfer full) */
GOptionContext   *ferry_cli_option_context_new (const char *command,
                                                const char *parameters,
                                                const char *summary);

/* Parses the options of one command.  On error (or a lone positional
 * argument count mismatch checked by the caller) prints the message and a
 * hint to stderr.  Returns FALSE with *exit_status set when the command
 * must stop here (--help gives 0, errors 2). */
gboolean          ferry_cli_parse_options (GOptionContext *context,
                                           int            *argc,
                                           char         ***argv,
                                           int            *exit_status);

/* A command's own @entries (NULL: none), then the connection options of
 * ferry_cli_add_connection_options(), in @context (from
 * ferry_cli_option_context_new()), parsed as ferry_cli_parse_options()
 * does.  Returns FALSE with *exit_status set when the command must stop
 * here. */
gboolean          ferry_cli_parse_command (FerryCli           *self,
                                           GOptionContext     *context,
                                           const GOptionEntry *entries,
                                           int                *argc,
                                           char             ***argv,
                                           int                *exit_status);

/* Whether @command got @n_args arguments, its own name included in @argc
 * (as the parse functions leave it); otherwise prints the usage error
 * @too_few or @too_many (NULL: @too_few either way) and sets
 * *@exit_status. */
gboolean          ferry_cli_check_arguments (const char *command,
                                             int         argc,
                                             int         n_args,
                                             const char *too_few,
                                             const char *too_many,
                                             int        *exit_status);

/* Prints "ferryctl: MESSAGE" (and, for usage errors, a hint to run
 * "ferryctl COMMAND --help") and returns the exit status for @error. */
int               ferry_cli_report_error (const GError *error,
                                          const char   *command);
int               ferry_cli_usage_error (const char *command,
                                         const char *format,
                                         ...) G_GNUC_PRINTF (2, 3);

/* The saved servers (GSettings + keyring).  Fails with a clear sentence when
 * the GSettings schema is not installed.  (transfer none): @self keeps it. */
FerryServerStore *ferry_cli_get_store (FerryCli *self,
                                       GError  **error);

/* Reads the password: one line from standard input with --password-stdin,
 * else asked without echo on the terminal.  Never from argv or the
 * environment.  (transfer full): free with ferry_cli_password_free(). */
char             *ferry_cli_read_password (FerryCli   *self,
                                           const char *url,
                                           const char *user,
                                           GError    **error);
void              ferry_cli_password_free (char *password);
/* g_auto(FerryCliPassword) wipes and frees a password at the end of a scope. */
typedef char     *FerryCliPassword;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (FerryCliPassword, ferry_cli_password_free, NULL)

/* Connects @url once, handling the certificate options (an unknown
 * certificate is refused with its fingerprint unless --trust-certificate or
 * --fingerprint says otherwise).  With @remember the server, its pinned
 * fingerprint and the password are saved.  Bounded by --timeout.
 * (transfer full) */
FerryPool   *ferry_cli_connect_one (FerryCli   *self,
                                    const char *url,
                                    const char *user,
                                    const char *password,
                                    const char *pinned,
                                    gboolean    remember,
                                    GError    **error);

/* Connects what the command line asks for: the one-off --server form
 * (nothing saved) or every saved server.  Pools that cannot be reached are
 * reported on stderr; *n_failed says how many.  Fails when no pool could be
 * connected at all. */
gboolean     ferry_cli_connect (FerryCli *self,
                                guint    *n_failed,
                                GError  **error);

/* SIGTERM and SIGHUP end ferryctl within a second, leaving what it started
 * to the pool (SIGINT keeps its own, two-step handling where a command has
 * one).  From this call on, until ferry_cli_free(), they only set
 * ->stop_signal and wake the main context: every wait loop checks it and
 * ends, saying what goes on without ferryctl.  Called once the password is
 * read (the prompt restores the terminal on these signals itself). */
void         ferry_cli_watch_stop_signals (FerryCli *self);
/* The exit status for a stop by @signum (128 + @signum, as a shell reports
 * a process killed by it). */
int          ferry_cli_stop_status (int signum);

/* Pools that are READY, in connection order.  (transfer full): the array
 * holds a reference to each pool. */
GPtrArray   *ferry_cli_get_ready_pools (FerryCli *self);

/* Finds a VM, host, SR or network by uuid or unique name, in @pool or (NULL)
 * in every connected pool.  Unknown or ambiguous names fail with
 * FERRY_CLI_ERROR_USAGE and a message listing the candidates.
 * (transfer full): a FerryVm, FerryHost, FerrySr or FerryNetwork. */
gpointer     ferry_cli_resolve (FerryCli          *self,
                                FerryCliObjectKind kind,
                                const char        *text,
                                FerryPool         *pool,
                                GError           **error);

/* Runs the default main context until @result is set (by
 * ferry_cli_async_ready), or until @timeout_seconds pass (0: no limit), in
 * which case @cancellable is cancelled and the loop keeps running until the
 * operation finishes.  Returns FALSE when the timeout fired. */
gboolean     ferry_cli_wait_result (FerryCli      *self,
                                    GAsyncResult **result,
                                    GCancellable  *cancellable,
                                    guint          timeout_seconds);
/* A GAsyncReadyCallback storing a reference to the result in *user_data. */
void         ferry_cli_async_ready (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      user_data);

/* Whether stdin / stderr are terminals; the width of the terminal on stderr. */
gboolean     ferry_cli_stdin_is_tty (void);
gboolean     ferry_cli_stderr_is_tty (void);
guint        ferry_cli_terminal_columns (void);

/* Prints what @builder built (an object) as indented JSON on stdout, with a
 * final newline. */
void         ferry_cli_print_json (JsonBuilder *builder);
/* Sets @member to @value, or to null when @value is NULL. */
void         ferry_cli_json_add_string (JsonBuilder *builder,
                                        const char  *member,
                                        const char  *value);
/* Sets @member to @value. */
void         ferry_cli_json_add_boolean (JsonBuilder *builder,
                                         const char  *member,
                                         gboolean     value);
void         ferry_cli_json_add_int (JsonBuilder *builder,
                                     const char  *member,
                                     gint64       value);
void         ferry_cli_json_add_double (JsonBuilder *builder,
                                        const char  *member,
                                        double       value);
/* Starts @member, an array; json_builder_end_array() ends it. */
void         ferry_cli_json_begin_array (JsonBuilder *builder,
                                         const char  *member);
/* The --json output of list, tasks and server list, {"@member": [...]}:
 * a builder inside the array, for its elements.  (transfer full) */
JsonBuilder *ferry_cli_json_list_new (const char *member);
/* Ends the array and the object, and prints them. */
void         ferry_cli_json_list_print (JsonBuilder *builder);

/* Human label for a XAPI power state ("Running" -> translated "Running").
 * (transfer none): a translation, or @power_state when it has none. */
const char  *ferry_cli_power_state_label (const char *power_state);
/* Stable machine names for job states in --json output ("running").
 * (transfer none): a static string. */
const char  *ferry_cli_job_state_id (FerryJobState state);

/* The subcommands; argv[0] is the command name. */
int          ferry_cli_cmd_server (FerryCli *self, int argc, char **argv);
int          ferry_cli_cmd_list (FerryCli *self, int argc, char **argv);
int          ferry_cli_cmd_migrate (FerryCli *self, int argc, char **argv);
int          ferry_cli_cmd_migrate_pool (FerryCli *self, int argc, char **argv);
int          ferry_cli_cmd_tasks (FerryCli *self, int argc, char **argv);
int          ferry_cli_cmd_cancel (FerryCli *self, int argc, char **argv);
int          ferry_cli_cmd_evacuate (FerryCli *self, int argc, char **argv);
int          ferry_cli_cmd_host_enable (FerryCli *self, int argc, char **argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FerryCli, ferry_cli_free)

/* After ferry_cli_connect(): --concurrency N (1 to 3) for every pool of
 * this run; not given (-1 or 0), each pool's value from Preferences, which
 * the one-off form (--server) reads too, without saving anything. */
void     ferry_cli_apply_concurrency (FerryCli *self,
                                      int       concurrency);
/* Whether @concurrency, as --concurrency gave it, is -1 (not given) or 1
 * to 3; otherwise prints the usage error of @command and sets *exit_status. */
gboolean ferry_cli_check_concurrency (const char *command,
                                      int         concurrency,
                                      int        *exit_status);

G_END_DECLS
