/* ferry-cli-private.h: what the files of ferryctl's shared part share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
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
