/* sim-fixture.h: runs ferry-sim for the XAPI library tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "xapi-connection.h"

G_BEGIN_DECLS

typedef struct _SimFixture SimFixture;

/* Spawns $FERRY_SIM --port 0 --enable-control @extra_args (NULL-terminated,
 * may be NULL), reads its "pool NAME URL" lines up to "ready" and keeps
 * draining its output.  Fails the test (g_error) if it does not start
 * within @timeout_s seconds. */
SimFixture                *sim_fixture_start (const char                *const *extra_args,
                                              guint               timeout_s);
void                       sim_fixture_stop (SimFixture *sim);

/* The master URL printed for pool @name. */
const char                *sim_fixture_pool_url (SimFixture *sim,
                                                 const char *name);
/* The URL of host 127.0.P.@host of the pool (1-based, like the address). */
char                      *sim_fixture_host_url (SimFixture *sim,
                                                 const char *pool,
                                                 guint       host);
/* Same scheme and port as the pool, another address. */
char                      *sim_fixture_url_for_address (SimFixture *sim,
                                                        const char *pool,
                                                        const char *address);

/* POST /sim/control with {"command": @command, ...@args members}.
 * @args_json is a JSON object text or NULL.  Returns the reply (or fails
 * the test). */
JsonNode                  *sim_fixture_control (SimFixture *sim,
                                                const char *command,
                                                const char *args_json);

/* Same, ignoring the reply. */
void                       sim_fixture_command (SimFixture *sim,
                                                const char *command,
                                                const char *args_json);

/* ---- Waiting for async results on the default main context -------------- */

/* Spins the default main context until *@done is TRUE or @timeout_s passes;
 * returns *@done. */
gboolean                   test_wait_for (gboolean *done,
                                          guint     timeout_s);
/* Spins until @result_slot is set by test_store_result. */
GAsyncResult              *test_wait_result (GAsyncResult **result_slot,
                                             guint          timeout_s);
void                       test_store_result (GObject      *source,
                                              GAsyncResult *result,
                                              gpointer      user_data);
/* Spins the default main context for @ms milliseconds. */
void                       test_spin (guint ms);

/* Synchronous wrappers (bounded waits) for the tests. */
gboolean                   test_login (XapiConnection *connection,
                                       const char     *username,
                                       const char     *password,
                                       GError        **error);
JsonNode                  *test_call (XapiConnection *connection,
                                      const char     *method,
                                      JsonArray      *params,
                                      GError        **error);

G_END_DECLS
