#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several VMs dropped together ask once: two VMs on local storage and one
on shared storage dragged onto lyon-3 give one question about the two (the
third goes without asking); the question's text follows a choice under
Advanced; OK starts both, and none stays waiting for an answer."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

HEADING = "OK to migrate 2 VMs without shared storage?"
ANY_HEADING = r"^OK to migrate .*without shared storage\?$"


def dialogs(app):
    found = []
    for f in app.frames():
        if f is None:
            continue
        if ft.pyatspi.findDescendant(f, lambda n: n is not None and n.name is not None
                                     and n.name.startswith("OK to migrate")):
            found.append(f)
    return found


def ctrl_click(app, node):
    x, y = app.center(node)
    ft.xdotool("mousemove", x, y)
    time.sleep(0.1)
    ft.xdotool("keydown", "ctrl")
    ft.xdotool("click", 1)
    ft.xdotool("keyup", "ctrl")
    time.sleep(0.2)


def click(app, node):
    x, y = app.center(node)
    ft.xdotool("mousemove", x, y)
    time.sleep(0.1)
    ft.xdotool("click", 1)
    time.sleep(0.2)


def main(tap):
    sim = ft.Sim(bandwidth=20000)
    try:
        app = ft.App()
        try:
            app.add_pool(sim.pools["Lyon"], "root", "ferry")
            tap.ok(app.row("Pool Lyon, connected") is not None, "the pool is connected")

            # db-01 (local storage of lyon-1), mail (local storage of lyon-2)
            # and web-02 (shared NFS), selected together and dropped on lyon-3.
            click(app, app.row("VM db-01, running on lyon-1"))
            ctrl_click(app, app.row("VM mail, running on lyon-2"))
            ctrl_click(app, app.row("VM web-02, running on lyon-2"))
            sim.control({"command": "calls", "clear": True}, pool="Lyon")
            app.drag(app.row("VM mail, running on lyon-2"), app.row("Host lyon-3, "))

            heading = app.find_text("^" + HEADING.replace("?", "\\?") + "$", timeout=60)
            tap.ok(heading is not None, "one question for the two: " + HEADING)
            time.sleep(1.0)
            tap.ok(len(dialogs(app)) == 1, "and only one dialog (found %d)" % len(dialogs(app)))
            tap.ok(app.row("VM web-02, running on lyon-3", timeout=60) is not None,
                   "web-02 (shared storage) went without asking")
            dialog = dialogs(app)[0] if dialogs(app) else None
            for name, host in (("db-01", "lyon-1"), ("mail", "lyon-2")):
                tap.ok(dialog is not None and app.find_text(r"^%s$" % name, root=dialog, timeout=5) is not None
                       and app.find_text(r"^From %s$" % host, root=dialog, timeout=5) is not None,
                       "the question lists %s, from %s" % (name, host))
            tap.ok(dialog is not None and app.find_text(r"^Disk “mail 0”, 50 GiB$", root=dialog, timeout=5) is not None,
                   "and what moves: mail's disk")
            ft.screenshot("drop-several-confirmation")

            expander = app.find_named("Advanced", root=dialog, timeout=5) if dialog else None
            tap.ok(expander is not None, "the dialog has an Advanced section")
            if expander is not None:
                app.press(expander)
                time.sleep(1.0)
                ft.screenshot("drop-several-advanced")

            app.press(app.button("OK", root=dialog))
            tap.ok(ft.wait_for(lambda: not dialogs(app), timeout=10), "OK closes it")
            for name in ("db-01", "mail"):
                tap.ok(app.row("VM %s, running on lyon-3" % name, timeout=120) is not None,
                       "after OK %s arrives on lyon-3" % name)
            sends = [c for c in sim.calls("Lyon") if c.endswith("VM.migrate_send")]
            tap.ok(len(sends) == 2, "two VM.migrate_send (%d)" % len(sends))
            tap.ok(app.find_text(r"Waiting for confirmation", root=app.main_frame(), timeout=2) is None,
                   "no migration is left waiting for confirmation")
            tap.ok(app.close() == 0, "Ferry closes cleanly (exit status 0, no leaks under ASan)")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
