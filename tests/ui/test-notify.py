#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A migration that ends while Ferry's window is in the background becomes a
desktop notification; one that ends while the user looks at Ferry does not."""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main(tap):
    out = tempfile.NamedTemporaryFile(mode="r", suffix=".txt")
    daemon = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "fake-notifications.py"), out.name],
                              stdout=subprocess.PIPE, text=True)
    other = None
    sim = None
    try:
        tap.ok(daemon.stdout.readline().strip() == "ready", "a notification server runs on the session bus")
        # Slow enough (2 GiB of memory at 300 MB/s) to put Ferry in the
        # background before the migration ends.
        sim = ft.Sim(bandwidth=300)
        app = ft.App()
        try:
            app.add_pool(sim.pools["Lyon"], "root", "ferry")
            tap.ok(app.row("Pool Lyon, connected") is not None, "the pool is connected")

            app.drag(app.row("VM web-01, running on lyon-1"), app.row("Host lyon-2, "))
            # Another window takes the focus, as when the user goes elsewhere.
            other = subprocess.Popen(["xmessage", "-geometry", "+700+600", "elsewhere"])
            ids = ft.wait_for(lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "xmessage"],
                                                     capture_output=True, text=True).stdout.split(), timeout=20)
            if ids:
                subprocess.run(["xdotool", "windowfocus", "--sync", ids[0]], timeout=30, check=False)
            tap.ok(app.row("VM web-01, running on lyon-2", timeout=90) is not None, "web-01 moved to lyon-2")

            def notified(text):
                with open(out.name) as f:
                    return any(text in line for line in f)

            tap.ok(ft.wait_for(lambda: notified("web-01 moved to lyon-2"), timeout=30),
                   "while Ferry was in the background, a notification said so")

            # Now the user looks at Ferry while the next one ends.
            other.terminate()
            other.wait(10)
            other = None
            subprocess.run(["xdotool", "windowfocus", "--sync", app.wid], timeout=30, check=False)
            time.sleep(0.5)
            app.drag(app.row("VM web-01, running on lyon-2"), app.row("Host lyon-3, "))
            tap.ok(app.row("VM web-01, running on lyon-3", timeout=90) is not None, "web-01 moved to lyon-3")
            time.sleep(2.0)
            tap.ok(not notified("web-01 moved to lyon-3"), "with Ferry in front, no notification")
            with open(out.name) as f:
                tap.diag("notifications: " + f.read().strip().replace("\n", " | "))
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
