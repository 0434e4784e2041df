#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Quit (Ctrl+Q, or the main menu) while a migration runs and another waits asks first, and
says what will happen to each; Cancel keeps everything as it was; Quit ends
Ferry at once, the waiting migration is never sent, and the running one
finishes on the pool."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

ENV = {"GSETTINGS_BACKEND": "keyfile"}
MAIL = "Migration of mail from lyon-2 to lyon-3: "
PROXY = "Migration of proxy from lyon-2 to lyon-3: "


def migrate_with_ok(tap, app, vm, target):
    app.drag(app.row("VM %s, running on " % vm), app.row("Host %s, " % target))
    tap.ok(app.find_text(r"^OK to migrate without shared storage\?$") is not None, "moving %s asks first" % vm)
    ok = app.button("OK")
    if ok is not None:
        app.press(ok)


def main(tap):
    env = dict(os.environ, **ENV)
    # One storage migration per source host, so that the second one waits.
    subprocess.run(["gsettings", "set", "io.github.xenferry.Ferry", "storage-migrations-per-host", "1"],
                   env=env, check=True, timeout=30)
    sim = ft.Sim(bandwidth=30)
    app = None
    try:
        app = ft.App(env=ENV)
        app.add_pool(sim.pools["Lyon"], "root", "ferry")
        # Generous: under AddressSanitizer on a busy machine the first login is slow.
        tap.ok(app.row("Pool Lyon, connected", timeout=120) is not None, "the pool is connected")
        migrate_with_ok(tap, app, "mail", "lyon-3")
        tap.ok(app.find_named(MAIL + "Migrating", prefix=True, timeout=60) is not None, "mail is migrating")
        migrate_with_ok(tap, app, "proxy", "lyon-3")
        tap.ok(app.find_named(PROXY + "Queued", prefix=True, timeout=30) is not None, "proxy waits behind it")

        # Ctrl+Q asks, and says what quitting does to each.
        app.press_quit()
        question = app.frame(ft.App.QUIT_QUESTION) or ft.wait_for(lambda: app.frame(ft.App.QUIT_QUESTION))
        tap.ok(question is not None, "Ctrl+Q asks \u201cQuit Ferry?\u201d")
        if question is None:
            return
        texts = [n.name or "" for n in app.find_all(lambda n: n.getRole() == ft.pyatspi.ROLE_LABEL,
                                                     root=question)]
        tap.diag("dialog: " + " | ".join(texts))
        body = " ".join(texts)
        tap.ok("1 queued migration will not start." in body,
               "it says the queued migration will not start")
        tap.ok("1 running migration continues on its pool and appears again when Ferry next starts." in body,
               "and that the running one goes on, and is shown again at the next start")
        tap.ok("close the window instead" in body, "it names the way to keep following them")
        time.sleep(0.5)
        ft.screenshot("quit-dialog")

        app.press(app.button("Cancel", root=question))
        tap.ok(ft.wait_for(lambda: app.frame(ft.App.QUIT_QUESTION) is None, timeout=30), "Cancel closes the question")
        tap.ok(app.proc.poll() is None, "Ferry still runs")
        tap.ok(app.find_named(MAIL + "Migrating", prefix=True, timeout=10) is not None, "mail is still migrating")
        tap.ok(app.find_named(PROXY + "Queued", prefix=True, timeout=10) is not None, "proxy still waits")
        tap.ok(not sim.calls("Lyon", "task.cancel"), "nothing was cancelled on the pool")

        # Quit for real, from the main menu this time.
        # F10 opens the primary menu, as the menu button's click does.
        subprocess.run(["xdotool", "windowfocus", "--sync", app.wid], timeout=30, check=False)
        time.sleep(0.2)
        ft.xdotool("key", "F10")
        item = app.find(lambda n: n.getRole() == ft.pyatspi.ROLE_MENU_ITEM and ft.clean_name(n.name) == "Quit",
                        root=app.main_frame(), timeout=15)
        tap.ok(item is not None, "the main menu has Quit")
        if item is not None:
            app.press(item)
        question = ft.wait_for(lambda: app.frame(ft.App.QUIT_QUESTION), timeout=30)
        tap.ok(question is not None, "which asks the same question")
        if question is not None:
            app.press(app.button("Quit", root=question))
        status = app.wait_exit(60)
        tap.ok(status == 0, "Quit ends Ferry (status %r)" % status)
        tap.ok(not sim.calls("Lyon", "task.cancel"), "without cancelling the running migration")

        sim.control({"command": "set_bandwidth", "mbps": 3000})
        tap.ok(ft.wait_for(lambda: sim.vm_host("mail") == "lyon-3", timeout=120),
               "the running migration finishes on the pool: mail is on lyon-3")
        sends = [c for c in sim.calls("Lyon", "Async.VM.migrate_send")]
        tap.ok(len(sends) == 1, "the queued migration was never sent (%d migrate_send)" % len(sends))
        tap.ok(sim.vm_host("proxy") == "lyon-2", "proxy stays on lyon-2")
    finally:
        if app is not None:
            app.stop()
        sim.stop()


ft.run(main)
