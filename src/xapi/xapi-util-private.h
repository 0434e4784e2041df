/* xapi-util-private.h: helpers of xapi-util.c for the rest of the library
 * (not installed API)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* TRUE if @node (which may be NULL) is a string value. */
gboolean xapi_node_is_string (JsonNode *node);

/* A number written as a string (all of it): TRUE and its value. */
gboolean xapi_parse_number_string (const char *s,
                                   double     *out_double,
                                   gint64     *out_int,
                                   gboolean   *is_int);
/* @d as a gint64, saturated; 0 for NaN and infinities. */
gint64   xapi_clamp_to_int64 (double d);

/* Destroys *@source, if any, and sets it to NULL. */
void     xapi_clear_source (GSource **source);
/* Attaches @source (taken) to @context, calling @func (@data), and returns
 * it: the one reference, kept to destroy it with xapi_clear_source(). */
GSource *xapi_source_attach (GSource      *source,
                             GSourceFunc   func,
                             gpointer      data,
                             GMainContext *context);

/* Runs @func (@task, …) in a new thread of its own (not GTask's shared
 * pool: a 10-second decode must not hold up other GTask users). */
void     xapi_task_run_in_background (GTask          *task,
                                      GTaskThreadFunc func);
/* Same for a plain function (freeing data nobody else has seen). */
void     xapi_run_in_background (GThreadFunc func,
                                 gpointer    data);

G_END_DECLS
