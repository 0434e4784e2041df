#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Closing the window while migrations run and another waits behind them
leaves Ferry following them in the background: it says so once in a
notification, starts the waiting one when the first is done, tells of each
end (a failure too), and exits by itself.  Launching ferry again, or clicking the
notification, shows the window with the same jobs."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

# One storage migration per source host, so that the second one waits.
ENV = {"GSETTINGS_BACKEND": "keyfile"}
MAIL = "Migration of mail from lyon-2 to lyon-3: "
PROXY = "Migration of proxy from lyon-2 to lyon-3: "
WEB = "Migration of web-01 from lyon-1 to lyon-2: "
KEEPS = "Ferry keeps following 3 migrations"


def ferry_windows():
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Ferry$"],
                         capture_output=True, text=True, timeout=30).stdout
    return set(out.split())


def migrate_with_ok(tap, app, vm, target):
    """A drop that needs storage motion, and the user's OK."""
    app.drag(app.row("VM %s, running on " % vm), app.row("Host %s, " % target))
    asked = app.find_text(r"^OK to migrate without shared storage\?$")
    tap.ok(asked is not None, "moving %s asks first" % vm)
    ok = app.button("OK")
    if ok is not None:
        app.press(ok)


def sends_of(sim, vm):
    """The Async.VM.migrate_send calls the pool received for @vm since the
    calls were last cleared."""
    ref = sim.xapi("Lyon", "VM.get_by_name_label", vm)[0]
    calls = sim.control({"command": "calls", "method": "Async.VM.migrate_send"}, pool="Lyon")["calls"]
    return [c for c in calls if len(c["params"]) > 1 and c["params"][1] == ref]


def shows_jobs(tap, app, how):
    """The window shows the jobs, running or queued."""
    tap.ok(app.find_named(MAIL + "Migrating", prefix=True, timeout=60) is not None,
           "%s, the window shows mail migrating" % how)
    tap.ok(app.find_named(PROXY + "Queued", prefix=True, timeout=10) is not None,
           "and proxy still queued behind it")
    tap.ok(app.find_named(WEB + "Migrating", prefix=True, timeout=10) is not None, "and web-01 migrating")


def main(tap):
    env = dict(os.environ, **ENV)
    subprocess.run(["gsettings", "set", "io.github.xenferry.Ferry", "storage-migrations-per-host", "1"],
                   env=env, check=True, timeout=30)
    notes = ft.Notifications()
    sim = None
    app = None
    try:
        # Slow enough to close the window three times before anything ends.
        sim = ft.Sim(bandwidth=10)
        app = ft.App(env=ENV)
        app.add_pool(sim.pools["Lyon"], "root", "ferry")
        # Generous: under AddressSanitizer on a busy machine the first login is slow.
        tap.ok(app.row("Pool Lyon, connected", timeout=240) is not None, "the pool is connected")

        migrate_with_ok(tap, app, "mail", "lyon-3")
        tap.ok(app.find_named(MAIL + "Migrating", prefix=True, timeout=60) is not None, "mail is migrating")
        migrate_with_ok(tap, app, "proxy", "lyon-3")
        tap.ok(app.find_named(PROXY + "Queued", prefix=True, timeout=30) is not None,
               "proxy waits behind it (one storage migration per host)")
        tap.ok(len(sends_of(sim, "mail")) == 1 and not sends_of(sim, "proxy"),
               "the pool was asked to move mail only")
        # And one that will fail half-way (shared storage: no question).
        sim.control({"command": "fail_migration", "vm": "web-01", "at": 0.5,
                     "error": ["HOST_NOT_ENOUGH_FREE_MEMORY", "8589934592", "1073741824"]})
        app.drag(app.row("VM web-01, running on lyon-1"), app.row("Host lyon-2, "))
        tap.ok(app.find_named(WEB + "Migrating", prefix=True, timeout=60) is not None, "web-01 is migrating")
        sim.control({"command": "calls", "clear": True}, pool="Lyon")

        # Closing the window: Ferry stays, and says so.
        old = ferry_windows()
        app.close_window()
        keeps = notes.find(KEEPS)
        tap.ok(keeps is not None, "closing the window, a notification says Ferry keeps following them")
        if keeps is not None:
            tap.diag("notification: %s | %s" % keeps[:2])
            tap.ok("mail to lyon-3" in keeps[1] and "proxy to lyon-3 (queued)" in keeps[1]
                   and "web-01 to lyon-2" in keeps[1], "naming the migrations, the queued one as such")
        tap.ok(ft.wait_for(lambda: app.main_frame() is None, timeout=30), "the window is gone")
        tap.ok(app.proc.poll() is None, "Ferry still runs")

        # Launching ferry again shows the same jobs in a new window.
        again = subprocess.run([ft.FERRY], env=dict(os.environ, **ENV), timeout=60,
                               capture_output=True, text=True)
        tap.ok(again.returncode == 0, "launching ferry again hands over to the running one and exits")
        new = ft.wait_for(lambda: ferry_windows() - old, timeout=60)
        tap.ok(bool(new), "a window opens")
        if new:
            app.wid = sorted(new)[0]
        shows_jobs(tap, app, "launched again")
        ft.screenshot("background-again")

        # And so does a click on the notification, after closing again.
        count = len(notes.all())
        old = ferry_windows()
        app.close_window()
        keeps = notes.find(KEEPS, after=count)
        tap.ok(keeps is not None, "closing it again, Ferry says so again")
        tap.ok(ft.wait_for(lambda: app.main_frame() is None, timeout=30), "the window is gone again")
        if keeps is not None:
            notes.click(keeps)
        new = ft.wait_for(lambda: ferry_windows() - old, timeout=60)
        tap.ok(bool(new), "clicking the notification opens a window")
        if new:
            app.wid = sorted(new)[0]
        shows_jobs(tap, app, "after the click")

        # Closed for the last time; the migrations go on without a window.
        count = len(notes.all())
        app.close_window()
        tap.ok(notes.find(KEEPS, after=count) is not None, "closed a third time, Ferry keeps following them")
        tap.ok(ft.wait_for(lambda: app.main_frame() is None, timeout=30), "with no window")
        sim.control({"command": "set_bandwidth", "mbps": 3000})

        tap.ok(notes.find("mail moved to lyon-3", "from lyon-2 to lyon-3", timeout=120) is not None,
               "the end of mail's migration is notified")
        tap.ok(notes.find("proxy moved to lyon-3", "from lyon-2 to lyon-3", timeout=120) is not None,
               "proxy started once mail was done, and its end is notified too")
        failed = notes.find("Migration of web-01 failed", timeout=120)
        tap.ok(failed is not None, "web-01's failure is notified")
        if failed is not None:
            tap.diag("failure: " + failed[1])
            tap.ok("lyon-2" in failed[1] and "memory" in failed[1], "with the plain sentence")
        status = app.wait_exit(60)
        tap.ok(status == 0, "Ferry exits by itself once nothing runs or waits (status %r)" % status)
        tap.ok(len(sends_of(sim, "proxy")) == 1 and not sends_of(sim, "mail"),
               "the pool was asked to move proxy after the window closed, once")
        tap.ok(sim.vm_host("mail") == "lyon-3" and sim.vm_host("proxy") == "lyon-3",
               "the pool has mail and proxy on lyon-3")
        tap.ok(sim.vm_host("web-01") == "lyon-1", "and web-01 still on lyon-1")
        with_windows = [n for n in notes.all() if n[0] == KEEPS]
        tap.ok(len(with_windows) == 3, "one notification per close, no more")
        tap.diag("notifications: " + " | ".join("%s: %s" % n[:2] for n in notes.all()))
    finally:
        if app is not None:
            app.stop()
        if sim is not None:
            sim.stop()
        notes.stop()


ft.run(main)
