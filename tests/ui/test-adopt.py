#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A migration another client starts while the window is open (here
`ferryctl migrate` in a terminal) shows up in the jobs panel at once, with
both hosts named; the VM's row shows its rate or time left; and the
notification at its end names the host it went to."""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FERRYCTL = os.environ.get("FERRYCTL")

# The promise: the job is there within two seconds.
ADOPT_SECONDS = 2.0


def main(tap):
    if not FERRYCTL or not os.access(FERRYCTL, os.X_OK):
        tap.bail("FERRYCTL must be set")
    out = tempfile.NamedTemporaryFile(mode="r", suffix=".txt")
    daemon = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "fake-notifications.py"), out.name],
                              stdout=subprocess.PIPE, text=True)
    other = None
    sim = None
    try:
        tap.ok(daemon.stdout.readline().strip() == "ready", "a notification server runs on the session bus")
        # db-01 moves 10 GiB of disks and 8 GiB of memory: at 150 MiB/s that
        # lasts two minutes, until the test speeds it up.
        sim = ft.Sim(bandwidth=150)
        app = ft.App()
        try:
            app.add_pool(sim.pools["Lyon"], "root", "ferry")
            tap.ok(app.row("Pool Lyon, connected") is not None, "the pool is connected")
            tap.ok(app.row("VM db-01, running on lyon-1") is not None, "db-01 runs on lyon-1")

            # Someone else, in a terminal.
            r = subprocess.run([FERRYCTL, "migrate", "db-01", "lyon-2", "--yes", "--detach",
                                "--server", sim.pools["Lyon"], "--user", "root", "--password-stdin"],
                               input="ferry\n", capture_output=True, text=True, timeout=120)
            started = time.monotonic()
            tap.ok(r.returncode == 0 and r.stdout.startswith("OpaqueRef:"),
                   "ferryctl started the migration (%s)" % (r.stdout.strip() or r.stderr.strip()))

            # A look through the accessibility tree takes a while by itself
            # (more so under a sanitizer): the time counted is when the look
            # that found the job began, so that only Ferry's delay counts.
            job = None
            took = None
            deadline = started + 30
            while job is None and time.monotonic() < deadline:
                look_began = time.monotonic()
                job = app.find_named("Migration of db-01 from lyon-1 to lyon-2", prefix=True, timeout=0)
                if job is not None:
                    took = max(0.0, look_began - started)
                else:
                    time.sleep(0.05)
            tap.ok(job is not None, "the migration appears in the jobs panel, from lyon-1 to lyon-2")
            if job is not None:
                tap.diag("the job was there %.2f s after ferryctl returned" % took)
            tap.ok(job is not None and took < ADOPT_SECONDS,
                   "within %.0f s" % ADOPT_SECONDS)
            if job is not None:
                tap.diag("job: " + job.name)
                tap.ok("started elsewhere" in job.name, "marked as started elsewhere")

            # The row: progress, rate and time left, as the panel says them.
            def row_with_rate():
                row = app.row("VM db-01, running on lyon-1, migrating to lyon-2", timeout=1)
                if row is not None and ("/s" in row.name or " left" in row.name):
                    return row
                return None
            row = ft.wait_for(row_with_rate, timeout=60)
            tap.ok(row is not None, "db-01's row shows the rate or the time left")
            if row is not None:
                tap.diag("row: " + row.name)
            ft.screenshot("adopted-running")

            # Ferry goes to the background; the migration ends meanwhile.
            other = subprocess.Popen(["xmessage", "-geometry", "+700+600", "elsewhere"])
            ids = ft.wait_for(lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "xmessage"],
                                                     capture_output=True, text=True).stdout.split(), timeout=20)
            if ids:
                subprocess.run(["xdotool", "windowfocus", "--sync", ids[0]], timeout=30, check=False)
            sim.control({"command": "set_bandwidth", "mbps": 5000})
            tap.ok(app.row("VM db-01, running on lyon-2", timeout=90) is not None, "db-01 moved to lyon-2")

            def notified():
                with open(out.name) as f:
                    return any("db-01 moved to lyon-2" in line for line in f)
            tap.ok(ft.wait_for(notified, timeout=30), "the notification names the host db-01 went to")
            with open(out.name) as f:
                text = f.read()
                tap.diag("notifications: " + text.strip().replace("\n", " | "))
                tap.ok("another" not in text, "and makes no guess")

            other.terminate()
            other.wait(10)
            other = None
            tap.ok(app.close() == 0, "Ferry closes cleanly")
        finally:
            app.stop()
    finally:
        if other is not None:
            other.terminate()
        if sim is not None:
            sim.stop()
        daemon.terminate()
        daemon.wait(10)


ft.run(main)
