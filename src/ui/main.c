/* main.c: the ferry executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ferry-application.h"
#include "ferry-engine.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FerryApplication) app = NULL;

  /* Before GTK starts threads of its own: see ferry_engine_init(). */
  ferry_engine_init ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ferry_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
