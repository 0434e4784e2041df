#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The jobs panel: a migration already running on the pool when Ferry
connects shows up there, and a running migration can be cancelled from it
(task.cancel reaches the pool, and the VM stays where it was)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402


def main(tap):
    # Slow: migrations must still run while we look at them.
    sim = ft.Sim(bandwidth=40)
    try:
        # Someone else started a migration before Ferry connects.
        reply = sim.control({"command": "add_task", "vm": "web-02", "target_host": "lyon-3"})
        tap.ok(reply.get("ok"), "a migration is running on the pool before Ferry connects")

        app = ft.App()
        try:
            app.add_pool(sim.pools["Lyon"], "root", "ferry")
            tap.ok(app.row("Pool Lyon, connected") is not None, "the pool is connected")
            adopted = app.find_named("Migration of web-02 from lyon-2 to lyon-3", prefix=True, timeout=30)
            tap.ok(adopted is not None, "the running migration appears in the jobs panel")
            if adopted is not None:
                tap.diag("job: " + adopted.name)
                tap.ok("started elsewhere" in adopted.name, "marked as started elsewhere")

            # A storage migration of our own, cancelled while it runs.
            app.drag(app.row("VM db-01, running on lyon-1"), app.row("Host lyon-2, "))
            tap.ok(app.find_text(r"^OK to migrate without shared storage\?$") is not None, "asked first")
            app.press(app.button("OK"))
            running = app.find_named("Migration of db-01 from lyon-1 to lyon-2: Migrating", prefix=True,
                                     timeout=60)
            tap.ok(running is not None, "db-01 is migrating")
            row = app.row("VM db-01, running on lyon-1, migrating to lyon-2", timeout=30)
            tap.ok(row is not None, "its row in the tree shows the migration too")
            ft.screenshot("jobs-running")

            cancel = ft.wait_for(lambda: (lambda b: b if b is not None and
                                          b.getState().contains(ft.pyatspi.STATE_SENSITIVE) else None)(
                app.button("Cancel migration of db-01", timeout=1)), timeout=30)
            tap.ok(cancel is not None, "its Cancel button is enabled while XAPI allows it")
            if cancel is not None:
                app.press(cancel)
            done = app.find_named("Migration of db-01 from lyon-1 to lyon-2: Cancelled", prefix=True, timeout=60)
            tap.ok(done is not None, "Cancel stops it")
            calls = sim.calls("Lyon", "task.cancel")
            tap.ok(len(calls) >= 1, "with task.cancel sent to the pool")
            tap.ok(app.row("VM db-01, running on lyon-1", timeout=10) is not None, "db-01 stays on lyon-1")
            time.sleep(0.5)
            ft.screenshot("jobs-cancelled")

            # A migration the pool fails half-way: the plain sentence and its fix.
            sim.control({"command": "set_bandwidth", "mbps": 2000})
            sim.control({"command": "fail_migration", "vm": "web-01", "at": 0.5,
                         "error": ["HOST_NOT_ENOUGH_FREE_MEMORY", "8589934592", "1073741824"]})
            app.drag(app.row("VM web-01, running on lyon-1"), app.row("Host lyon-2, "))
            toast = app.find_text(r"^Could not migrate web-01 to lyon-2$", timeout=60)
            tap.ok(toast is not None, "a failed migration is reported at once")
            if toast is not None:
                tap.diag("toast: " + toast.name)
            # The toast lasts 10 s: its button first, while the toast is surely there.
            details = app.button("Details", root=app.main_frame(), timeout=10)
            tap.ok(details is not None, "the toast offers the details")
            if details is not None:
                app.press(details)
                def focused_job():
                    node = app.find(lambda n: n.getState().contains(ft.pyatspi.STATE_FOCUSED)
                                    and n.getRole() != ft.pyatspi.ROLE_FRAME, root=app.main_frame(), timeout=1)
                    if node is None:
                        return None
                    tap.diag("focused: [%s] %r" % (node.getRoleName(), node.name))
                    names = [node.name or ""] + [node.getChildAtIndex(i).name or "" for i in range(node.childCount)]
                    return any("Migration of web-01" in n for n in names)
                tap.ok(ft.wait_for(focused_job, timeout=10), "Details takes the focus to the failed migration")
            failed = app.find_named("Migration of web-01 from lyon-1 to lyon-2: Failed", prefix=True, timeout=30)
            tap.ok(failed is not None, "the jobs panel shows it failed")
            if failed is not None:
                tap.diag("job: " + failed.name)
                tap.ok("HOST_NOT_ENOUGH_FREE_MEMORY" not in failed.name and "memory" in failed.name.lower(),
                       "with a plain sentence, not the XAPI code")
                tap.ok("lyon-2 does not have enough free memory for \u201cweb-01\u201d" in failed.name,
                       "naming the host and the VM")
                tap.ok("OpaqueRef" not in failed.name, "and no reference")
            ft.screenshot("job-failed")
            # The code stays one click away, for whoever reads the hosts' logs.
            label = app.find_named("Error details", root=app.main_frame(), timeout=10)
            tap.ok(label is not None, "the failed job has an \"Error details\" expander")
            if label is not None:
                # A click on its title, as a person would open it.
                x, y = app.center(label)
                ft.xdotool("mousemove", x, y)
                time.sleep(0.15)
                ft.xdotool("click", 1)
                code = app.find_text(r"^HOST_NOT_ENOUGH_FREE_MEMORY \(needed: 8589934592, available: 1073741824\)$",
                                     timeout=10)
                tap.ok(code is not None, "which shows the code and its parameters")
                ft.screenshot("job-failed-details")
            tap.ok(app.row("VM web-01, running on lyon-1", timeout=10) is not None, "web-01 stays on lyon-1")
            tap.ok(app.close() == 0, "Ferry closes cleanly")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
