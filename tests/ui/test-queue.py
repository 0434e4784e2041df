#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Steering the queue from the window: one storage migration at a time for a
pool (Preferences), three VMs dropped together; the jobs panel pauses one
queued job and removes another; the paused one stays put while the first
ends, and goes once resumed.  At the end of the drop the panel shows a
summary, and one notification (not one per VM) tells what was done."""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

SCENARIO = {"pools": [{
    "name": "Steer", "username": "root", "password": "ferry",
    "hosts": [{"name": "s-1", "memory_gib": 64}, {"name": "s-2", "memory_gib": 64}],
    "networks": [{"name": "Management", "device": "eth0", "bridge": "xenbr0", "management": True}],
    "srs": [{"name": "Local s-1", "type": "lvm", "host": "s-1", "size_gib": 500},
            {"name": "Local s-2", "type": "lvm", "host": "s-2", "size_gib": 500, "default": True}],
    "vms": [{"name": name, "host": "s-1", "memory_gib": 1, "vcpus": 1,
             "disks": [{"sr": "Local s-1", "size_gib": 8, "used_gib": 2}],
             "vifs": [{"network": "Management"}]}
            for name in ("q-a", "q-b", "q-c")],
}]}


def click(app, node, ctrl=False):
    x, y = app.center(node)
    ft.xdotool("mousemove", x, y)
    time.sleep(0.1)
    if ctrl:
        ft.xdotool("keydown", "ctrl")
    ft.xdotool("click", 1)
    if ctrl:
        ft.xdotool("keyup", "ctrl")
    time.sleep(0.2)


def job(app, vm, state, timeout=60):
    return app.find_named("Migration of %s from s-1 to s-2: %s" % (vm, state), prefix=True, timeout=timeout)


def set_concurrency(app, tap):
    """Preferences: storage migrations per host in Steer, 1."""
    app.focus_window("Ferry")
    ft.xdotool("key", "ctrl+comma")
    prefs = ft.wait_for(lambda: app.frame("Preferences"), timeout=60)
    tap.ok(prefs is not None, "Preferences open")
    if prefs is None:
        return False
    spin = app.find_named("Storage migrations per host in Steer", root=prefs, timeout=30, prefix=True)
    tap.ok(spin is not None, "a number for the pool Steer")
    if spin is None:
        tap.diag("in Preferences: " + "; ".join("%s %r" % (n.getRoleName(), n.name)
                                                   for n in app.find_all(lambda n: True, root=prefs)))
        return False
    tap.ok(spin.queryValue().currentValue == 3, "3 by default, as XAPI allows")
    tap.ok(spin.queryValue().maximumValue == 3 and spin.queryValue().minimumValue == 1, "1 to 3")
    spin.queryValue().currentValue = 1
    ok = ft.wait_for(lambda: spin.queryValue().currentValue == 1, timeout=10) is not None
    tap.ok(ok, "set to 1")
    time.sleep(0.5)
    ft.screenshot("preferences-concurrency")
    app.focus_window("Preferences")
    ft.xdotool("key", "Escape")
    ft.wait_for(lambda: app.frame("Preferences") is None, timeout=10)
    return ok


def main(tap):
    out = tempfile.NamedTemporaryFile(mode="r", suffix=".txt")
    scenario = tempfile.NamedTemporaryFile(mode="w", suffix=".json")
    json.dump(SCENARIO, scenario)
    scenario.flush()
    daemon = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "fake-notifications.py"), out.name],
                              stdout=subprocess.PIPE, text=True)
    other = None
    sim = None
    try:
        tap.ok(daemon.stdout.readline().strip() == "ready", "a notification server runs on the session bus")
        # Slow at first: the queue must hold while we steer it.
        sim = ft.Sim(scenario=scenario.name, bandwidth=40)
        app = ft.App()
        try:
            app.add_pool(sim.pools["Steer"], "root", "ferry")
            tap.ok(app.row("Pool Steer, connected", timeout=120) is not None, "the pool is connected")
            set_concurrency(app, tap)

            click(app, app.row("VM q-a, running on s-1"))
            click(app, app.row("VM q-b, running on s-1"), ctrl=True)
            click(app, app.row("VM q-c, running on s-1"), ctrl=True)
            app.drag(app.row("VM q-c, running on s-1"), app.row("Host s-2, "))
            tap.ok(app.find_text(r"^OK to migrate 3 VMs without shared storage\?$", timeout=60) is not None,
                   "one question for the three")
            app.press(app.button("OK"))

            tap.ok(job(app, "q-a", "Migrating") is not None, "q-a migrates")
            tap.ok(job(app, "q-b", "Queued") is not None and job(app, "q-c", "Queued") is not None,
                   "q-b and q-c wait: one at a time from s-1")

            pause = app.button("Pause migration of q-b", timeout=30)
            tap.ok(pause is not None, "a queued job can be paused")
            if pause is not None:
                app.press(pause)
            tap.ok(job(app, "q-b", "Paused", timeout=30) is not None, "q-b is paused")
            tap.ok(app.find_text(r"^paused before moving to s-2$", timeout=30) is not None,
                   "and its row in the tree says so, not queued")
            tap.ok(app.find_text(r"^queued to move to s-2$", timeout=30) is not None,
                   "q-c's row still says queued")
            tap.ok(app.button("Resume migration of q-b", timeout=30) is not None, "and offers Resume")
            remove = app.button("Remove migration of q-c from the queue", timeout=30)
            tap.ok(remove is not None, "a queued job can be removed")
            if remove is not None:
                app.press(remove)
            gone = ft.wait_for(lambda: job(app, "q-c", "", timeout=1) is None, timeout=30)
            tap.ok(gone is not None, "q-c left the panel")
            tap.ok(app.button("Pause migration of q-a", timeout=2) is None, "a running job offers no Pause")
            time.sleep(0.5)
            ft.screenshot("queue-paused")

            # Ferry in the background from here: the end of the drop is a
            # notification.
            other = subprocess.Popen(["xmessage", "-geometry", "+700+600", "elsewhere"])
            ids = ft.wait_for(lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "xmessage"],
                                                     capture_output=True, text=True).stdout.split(), timeout=20)
            if ids:
                subprocess.run(["xdotool", "windowfocus", "--sync", ids[0]], timeout=30, check=False)

            sim.control({"command": "set_bandwidth", "mbps": 4000})
            tap.ok(job(app, "q-a", "Done", timeout=120) is not None, "q-a moved")
            time.sleep(3.0)
            tap.ok(job(app, "q-b", "Paused", timeout=5) is not None, "q-b is still paused after q-a ended")
            sends = sim.calls("Steer", "Async.VM.migrate_send")
            tap.ok(len(sends) == 1, "only q-a was sent to the pool (%d sends)" % len(sends))

            def notified(text):
                with open(out.name) as f:
                    return any(text in line for line in f)

            tap.ok(not notified("q-a moved to s-2"), "no notification of its own for q-a: it is part of the drop")

            app.press(app.button("Resume migration of q-b"))
            tap.ok(job(app, "q-b", "Done", timeout=120) is not None, "resumed, q-b moved")
            tap.ok(app.row("VM q-c, running on s-1", timeout=10) is not None, "q-c stayed on s-1")
            tap.ok(len(sim.calls("Steer", "Async.VM.migrate_send")) == 2, "q-c was never sent")

            summary = "Migration of 3 VMs to s-2 ended\t2 done, 1 cancelled"
            tap.ok(ft.wait_for(lambda: notified(summary), timeout=30), "one notification for the drop: " + summary)
            with open(out.name) as f:
                lines = [line for line in f if line.strip()]
            tap.diag("notifications: " + " | ".join(line.strip() for line in lines))
            tap.ok(len(lines) == 1, "and no other")

            tap.ok(app.find_text(r"^Migration of 3 VMs to s-2 ended$", timeout=10) is not None
                   and app.find_text(r"^2 done, 1 cancelled$", timeout=10) is not None,
                   "the panel shows the summary")
            other.terminate()
            other.wait(10)
            other = None
            subprocess.run(["xdotool", "windowfocus", "--sync", app.wid], timeout=30, check=False)
            time.sleep(0.5)
            ft.screenshot("queue-summary")
            dismiss = app.button("Dismiss the summary", timeout=10)
            tap.ok(dismiss is not None, "the summary can be dismissed")
            if dismiss is not None:
                app.press(dismiss)
            tap.ok(ft.wait_for(lambda: app.find_text(r"^2 done, 1 cancelled$", timeout=1) is None, timeout=10)
                   is not None, "and it is gone")
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
