#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A migration whose pool is lost for good (its password changed while the
migration ran): the jobs panel says the outcome is unknown and why, not
"Migrating" for ever, and the toast says Ferry cannot tell."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402


def main(tap):
    # Slow: the migration must still run when the pool is lost.
    sim = ft.Sim(bandwidth=20)
    try:
        app = ft.App()
        try:
            app.add_pool(sim.pools["Lyon"], "root", "ferry")
            tap.ok(app.row("Pool Lyon, connected") is not None, "the pool is connected")

            app.drag(app.row("VM monitoring, running on lyon-3"), app.row("Host lyon-1, "))
            running = app.find_named("Migration of monitoring from lyon-3 to lyon-1: Migrating", prefix=True,
                                     timeout=60)
            tap.ok(running is not None, "monitoring is migrating")

            sim.control({"command": "set_password", "pool": "Lyon", "password": "changed"})
            sim.control({"command": "expire_sessions", "pool": "Lyon"})

            toast = app.find_text(r"^Cannot tell whether monitoring moved to lyon-1$", timeout=60)
            tap.ok(toast is not None, "the toast says Ferry cannot tell")
            unknown = app.find_named("Migration of monitoring from lyon-3 to lyon-1: Outcome unknown", prefix=True,
                                     timeout=30)
            tap.ok(unknown is not None, "the jobs panel says the outcome is unknown")
            if unknown is not None:
                tap.diag("job: " + unknown.name)
                tap.ok("Lost contact with Lyon" in unknown.name and "may still be running" in unknown.name,
                       "with what is known")
            ft.screenshot("job-unknown")
            tap.ok(app.close() == 0, "Ferry closes cleanly")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
