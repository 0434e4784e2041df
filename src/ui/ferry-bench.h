/* ferry-bench.h: opt-in timing marks for bench/run-gui-load
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Prints timing marks on standard output while @pools (FerryPool items) load
 * into @tree (the inventory's rows), shown by @widget.  Only for the
 * benchmark: call it only when FERRY_BENCH is set.  Stops by itself when
 * @widget is finalized. */
void ferry_bench_watch (GtkWidget  *widget,
                        GListModel *pools,
                        GListModel *tree);

G_END_DECLS
