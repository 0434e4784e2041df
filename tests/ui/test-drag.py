#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drag VMs onto hosts with the real pointer: a plain migration, a storage
migration declined (nothing sent) and confirmed, a halted VM given a new home
host, and a drop that cannot work explained."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

HEADING = "OK to migrate without shared storage?"


def confirmation(app):
    return app.find_text("^" + HEADING.replace("?", "\\?") + "$", timeout=30)


def dialog_frame(app, heading):
    for f in app.frames():
        if f is not None and ft.pyatspi.findDescendant(f, lambda n: n is not None and n.name == HEADING):
            return f
    return None


def main(tap):
    # Fast enough that the 80 GiB of db-01 copy in seconds, slow enough to
    # see progress in a screenshot.
    sim = ft.Sim(bandwidth=20000)
    try:
        app = ft.App()
        try:
            app.add_pool(sim.pools["Lyon"], "root", "ferry")
            # The first login is slow under ASan.
            tap.ok(app.row("Pool Lyon, connected", timeout=120) is not None, "the pool is connected")

            # 1. A plain migration: web-01's disk is on the shared NFS SR.
            src = app.row("VM web-01, running on lyon-1")
            dst = app.row("Host lyon-2, ")
            tap.ok(src is not None and dst is not None, "web-01 and lyon-2 are on screen")
            app.drag(src, dst)
            moved = app.row("VM web-01, running on lyon-2", timeout=60)
            tap.ok(moved is not None, "after the drop web-01 runs on lyon-2")
            calls = sim.calls("Lyon")
            tap.ok(any(c.endswith("VM.pool_migrate") for c in calls), "Ferry called VM.pool_migrate")
            tap.ok(not any("migrate_send" in c for c in calls), "and no storage migration")
            job = app.find_named("Migration of web-01 from lyon-1 to lyon-2: Done", prefix=True, timeout=30)
            tap.ok(job is not None, "the jobs panel shows the finished migration")
            ft.screenshot("plain-migration-done")

            # 2. Storage motion, declined: db-01 is on lyon-1's local disk.
            sim.control({"command": "calls", "clear": True}, pool="Lyon")
            app.drag(app.row("VM db-01, running on lyon-1"), app.row("Host lyon-3, "))
            heading = confirmation(app)
            tap.ok(heading is not None, "a drop needing storage motion asks: " + HEADING)
            dialog = dialog_frame(app, HEADING)
            body = app.find_text(r"(?i)GB|GiB", root=dialog, timeout=5) if dialog else None
            tap.ok(body is not None, "the dialog says how much will be copied")
            if body is not None:
                tap.diag("body: " + body.name)
            ft.screenshot("storage-confirmation")
            app.press(app.button("Cancel", root=dialog))
            tap.ok(ft.wait_for(lambda: dialog_frame(app, HEADING) is None, timeout=10), "Cancel closes it")
            time.sleep(2.0)
            calls = sim.calls("Lyon")
            tap.diag("calls before and after Cancel: " + ", ".join(calls))
            # host.migrate_receive (a token for the pre-check) may be there;
            # nothing that moves the VM may be.
            tap.ok(not any(c.endswith("VM.migrate_send") or c.endswith("VM.pool_migrate") for c in calls),
                   "declining sent nothing that moves the VM (no migrate_send)")
            tap.ok(app.row("VM db-01, running on lyon-1", timeout=5) is not None, "db-01 stays on lyon-1")

            # 3. The same, confirmed.
            app.drag(app.row("VM db-01, running on lyon-1"), app.row("Host lyon-3, "))
            tap.ok(confirmation(app) is not None, "asked again")
            dialog = dialog_frame(app, HEADING)
            app.press(app.button("OK", root=dialog))
            time.sleep(0.5)
            ft.screenshot("storage-migration-running")
            arrived = app.row("VM db-01, running on lyon-3", timeout=120)
            tap.ok(arrived is not None, "after OK db-01 arrives on lyon-3")
            calls = sim.calls("Lyon")
            tap.ok(any(c.endswith("VM.migrate_send") for c in calls), "Ferry called VM.migrate_send")

            # 4. A halted VM on shared storage: its home host changes, no
            # question asked, nothing copied.
            sim.control({"command": "calls", "clear": True}, pool="Lyon")
            app.drag(app.row("VM backup, halted"), app.row("Host lyon-2, "))
            job = app.find_named("Migration of backup to lyon-2: Done", prefix=True, timeout=30)
            tap.ok(job is not None, "after the drop the jobs panel shows backup's move as done")
            calls = sim.calls("Lyon")
            tap.diag("calls: " + ", ".join(calls))
            tap.ok(any(c.endswith("VM.set_affinity") for c in calls), "Ferry called VM.set_affinity")
            tap.ok(not any("migrate" in c for c in calls), "and nothing that copies or migrates")
            tap.ok(app.row("VM backup, halted", timeout=5) is not None, "backup is still halted")
            tap.ok(app.row("VM backup, halted, home host lyon-2", prefix=False, timeout=30) is not None,
                   "and its row names lyon-2 as its home host")

            # 5. A drop that cannot work: lyon-2 is already backup's home host.
            hover = {}

            def look_at_target():
                row = app.row("Host lyon-2, ", timeout=5)
                hover["name"] = row.name if row else ""
                hover["description"] = row.description if row else ""
                ft.screenshot("drag-refused-hover")

            app.drag(app.row("VM backup, halted"), app.row("Host lyon-2, "), hover=look_at_target)
            tap.diag("while dragging, lyon-2 said: %r / %r" % (hover.get("name"), hover.get("description")))
            tap.ok("home host" in (hover.get("description") or "").lower()
                   or "home host" in (hover.get("name") or "").lower(),
                   "while dragging, the host says why it cannot take the VM")
            toast = app.find_text(r"backup cannot move to lyon-2", timeout=15)
            tap.ok(toast is not None, "the refused drop is explained")
            if toast is not None:
                tap.diag("toast: " + toast.name)
            ft.screenshot("drag-refused")
            tap.ok(len(sim.calls("Lyon", "VM.set_affinity")) == 1, "and nothing more was sent")
            tap.ok(app.close() == 0, "Ferry closes cleanly (exit status 0, no leaks under ASan)")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
