#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A question the window did not get answered goes with it: closing the
window while it asks "OK to migrate without shared storage?" is a no, so
nothing runs or waits, Ferry exits, and that migration is never sent."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402


def main(tap):
    sim = ft.Sim()
    app = None
    try:
        app = ft.App()
        app.add_pool(sim.pools["Lyon"], "root", "ferry")
        # Generous: under AddressSanitizer on a busy machine the first login is slow.
        tap.ok(app.row("Pool Lyon, connected", timeout=240) is not None, "the pool is connected")
        app.drag(app.row("VM mail, running on "), app.row("Host lyon-3, "))
        asked = app.find_text(r"^OK to migrate without shared storage\?$")
        tap.ok(asked is not None, "moving mail asks first")
        if asked is None:
            return
        app.close_window()
        status = app.wait_exit(60)
        tap.ok(status == 0, "closing the window unanswered, Ferry exits (status %r)" % status)
        tap.ok(not sim.calls("Lyon", "Async.VM.migrate_send") and sim.vm_host("mail") == "lyon-2",
               "and the pool was not asked to move mail")
    finally:
        if app is not None:
            app.stop()
        sim.stop()


ft.run(main)
