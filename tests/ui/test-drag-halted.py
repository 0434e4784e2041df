#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drag a halted VM with the real pointer from the "Halted and suspended"
group onto another host whose local storage must take its disk: the same
question as for a running VM, and after OK the pool shows the VM, still
halted, with its disk on that host's local SR.  A suspended VM gets the same
question, which lists its memory image too."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

HEADING = "OK to migrate without shared storage?"


def disk_srs(sim, pool, name):
    """The SR names of the disks of the VM @name, as the pool says."""
    vm = sim.xapi(pool, "VM.get_by_name_label", name)[0]
    srs = []
    for vbd in sim.xapi(pool, "VM.get_VBDs", vm):
        if sim.xapi(pool, "VBD.get_type", vbd) != "Disk":
            continue
        vdi = sim.xapi(pool, "VBD.get_VDI", vbd)
        srs.append(sim.xapi(pool, "SR.get_name_label", sim.xapi(pool, "VDI.get_SR", vdi)))
    return srs


def dialog_frame(app):
    for f in app.frames():
        if f is not None and ft.pyatspi.findDescendant(f, lambda n: n is not None and n.name == HEADING):
            return f
    return None


def main(tap):
    sim = ft.Sim(bandwidth=20000)
    try:
        app = ft.App()
        try:
            app.add_pool(sim.pools["Paris"], "root", "ferry")
            # The first login is slow under ASan.
            tap.ok(app.row("Pool Paris, connected", timeout=120) is not None, "the pool is connected")
            tap.ok(disk_srs(sim, "Paris", "legacy-erp") == ["Local storage paris-2"],
                   "legacy-erp's disk is on paris-2's local storage")
            group = app.row("Halted and suspended VMs of Paris", timeout=30)
            src = app.row("VM legacy-erp, halted")
            dst = app.row("Host paris-1, ")
            tap.ok(group is not None and src is not None and dst is not None,
                   "legacy-erp (under “Halted and suspended”) and paris-1 are on screen")

            sim.control({"command": "calls", "clear": True}, pool="Paris")
            app.drag(src, dst)
            heading = app.find_text("^" + HEADING.replace("?", "\\?") + "$", timeout=30)
            tap.ok(heading is not None, "the drop asks: " + HEADING)
            dialog = dialog_frame(app)
            body = app.find_text(r"legacy-erp.* is halted and will move to paris-1", root=dialog, timeout=10) \
                if dialog else None
            tap.ok(body is not None, "the dialog says the halted VM moves to paris-1 and stays halted")
            if body is not None:
                tap.diag("body: " + body.name)
            disk = app.find_text(r"Copied to Local storage paris-1", root=dialog, timeout=10) if dialog else None
            tap.ok(disk is not None, "and that its disk is copied to paris-1's local storage")
            ft.screenshot("halted-confirmation")
            calls = sim.calls("Paris")
            tap.diag("calls before OK: " + ", ".join(calls))
            tap.ok(not any(c.endswith("VM.migrate_send") for c in calls), "nothing moved before OK")

            app.press(app.button("OK", root=dialog))
            moved = ft.wait_for(lambda: disk_srs(sim, "Paris", "legacy-erp") == ["Local storage paris-1"],
                                timeout=120)
            tap.ok(moved, "after OK the pool shows legacy-erp's disk on paris-1's local storage")
            sends = sim.control({"command": "calls", "method": "Async.VM.migrate_send"}, pool="Paris")["calls"]
            tap.ok(len(sends) == 1 and sends[0]["params"][3] is False,
                   "Ferry called VM.migrate_send once, with live = false")
            vm = sim.xapi("Paris", "VM.get_by_name_label", "legacy-erp")[0]
            tap.ok(sim.xapi("Paris", "VM.get_power_state", vm) == "Halted"
                   and sim.xapi("Paris", "VM.get_resident_on", vm) == "OpaqueRef:NULL",
                   "and it is still halted, on no host")
            job = app.find_named("Migration of legacy-erp", prefix=True, timeout=30)
            done = ft.wait_for(lambda: job is not None and "Done" in (job.name or ""), timeout=30)
            tap.ok(done, "the jobs panel shows the finished move")
            if job is not None:
                tap.diag("job: " + job.name)
            tap.ok(app.row("VM legacy-erp, halted", timeout=10) is not None, "the row still says halted")
            time.sleep(0.5)
            ft.screenshot("halted-moved")

            # A suspended VM: the same question, and its memory image listed.
            sim.control({"command": "set_power_state", "vm": "ci-worker", "state": "Suspended"})
            src = app.row("VM ci-worker, suspended", timeout=30)
            tap.ok(src is not None, "ci-worker, suspended, is listed")
            sim.control({"command": "calls", "clear": True}, pool="Paris")
            app.drag(src, app.row("Host paris-2, "))
            heading = app.find_text("^" + HEADING.replace("?", "\\?") + "$", timeout=30)
            dialog = dialog_frame(app) if heading is not None else None
            image = app.find_text(r"^Memory image, up to", root=dialog, timeout=10) if dialog else None
            tap.ok(image is not None, "the question lists the suspended VM's memory image")
            warning = app.find_text(r"paris-2 does not see this SR", root=dialog, timeout=5) if dialog else None
            tap.ok(warning is not None, "and says paris-2 does not see where it stays")
            ft.screenshot("suspended-confirmation")
            if dialog is not None:
                app.press(app.button("Cancel", root=dialog))
            tap.ok(ft.wait_for(lambda: dialog_frame(app) is None, timeout=10), "Cancel closes it")
            tap.ok(not any(c.endswith("VM.migrate_send") for c in sim.calls("Paris")), "and nothing moved")
            tap.ok(app.close() == 0, "Ferry closes cleanly (exit status 0, no leaks under ASan)")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
