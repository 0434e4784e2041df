#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A 64-host, 10,000-VM pool stays usable: it loads, the tree scrolls without
stalls (rows are recycled), and the search box finds one VM among 10,000."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

# Generous: a loaded CI machine is slow, but a stall of seconds is a bug.
STEP_LIMIT = 3.0


def main(tap):
    sim = ft.Sim(scenario="large:1:64:10000")
    try:
        name, url = next(iter(sim.pools.items()))
        app = ft.App()
        try:
            t0 = time.monotonic()
            app.add_pool(url, "root", "ferry")
            pool = app.row("Pool %s, connected" % name, timeout=300)
            tap.ok(pool is not None, "the large pool connects")
            tap.diag("connected after %.1f s" % (time.monotonic() - t0))
            if pool is None:
                return
            tap.ok("64 hosts, 10000 VMs" in ft.clean_name(app.find_text("64 hosts", timeout=10).name),
                   "it counts 64 hosts and 10000 VMs")
            ft.screenshot("large-pool")

            # Scroll with the wheel; after each step the app must answer.
            x, y = app.center(pool)
            ft.xdotool("mousemove", x, y + 200)
            worst = 0.0
            for _ in range(30):
                t = time.monotonic()
                ft.xdotool("click", "5")
                app.main_frame().name          # a round trip through the app
                worst = max(worst, time.monotonic() - t)
            tap.diag("slowest scroll step: %.3f s" % worst)
            tap.ok(worst < STEP_LIMIT, "scrolling 30 steps never stalls (slowest %.2f s)" % worst)

            # Search for one VM among 10,000.
            t = time.monotonic()
            app.focus_window("Ferry")
            ft.xdotool("key", "ctrl+f")
            time.sleep(0.3)
            ft.xdotool("type", "--delay", "40", "vm-1-09999")
            found = app.row("VM vm-1-09999, running on ", timeout=30)
            tap.ok(found is not None, "the search box finds vm-1-09999")
            tap.diag("found after %.1f s" % (time.monotonic() - t))
            others = app.find_all(lambda n: ft.clean_name(n.name).startswith("VM vm-1-0999")
                                  and not ft.clean_name(n.name).startswith("VM vm-1-09999"),
                                  root=app.main_frame())
            tap.ok(len(others) == 0, "and hides the others")
            ft.screenshot("large-search")
            tap.ok(app.close(timeout=120) == 0, "Ferry closes cleanly")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
