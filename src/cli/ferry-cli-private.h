/* ferry-cli-private.h: what the files of ferryctl's shared part share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What ferry-cli.h declares lives in five files, one job each:
 *
 *   ferry-cli.c           FerryCli, the options every command takes, errors
 *                         and exit statuses, SIGTERM/SIGHUP, waiting on the
 *                         main context, the saved servers' store
 *   ferry-cli-password.c  a password read from standard input or asked on
 *                         the terminal without echo
 *   ferry-cli-connect.c   connecting the one-off --server or every saved
 *                         server, and saying why a connection failed
 *   ferry-cli-resolve.c   a VM, host, SR or network by uuid or unique name
 *   ferry-cli-output.c    JSON on stdout, the terminal, state names
 *
 * Not for the subcommands: they use ferry-cli.h.
 */

#pragma once

#include "ferry-cli.h"

G_BEGIN_DECLS

/* Once a timeout has cancelled an operation, how long it may take to wind
 * down before ferryctl gives up on it. */
#define FERRY_CLI_CANCEL_GRACE_SECONDS 10

/* Exits with the stop status when SIGTERM or SIGHUP came while connecting. */
void ferry_cli_exit_if_stopped_connecting (FerryCli *self);

G_END_DECLS
