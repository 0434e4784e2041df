#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Everything a drag does, without a mouse: "Migrate to…" (Ctrl+M) with the
host picker, and a VM's context menu opened with the Menu key."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402


def select_row(app, row):
    x, y = app.center(row)
    ft.xdotool("mousemove", x, y)
    time.sleep(0.3)
    ft.xdotool("click", 1)
    time.sleep(0.3)


def main(tap):
    sim = ft.Sim(bandwidth=20000)
    try:
        app = ft.App()
        try:
            app.add_pool(sim.pools["Lyon"], "root", "ferry")
            tap.ok(app.row("Pool Lyon, connected") is not None, "the pool is connected")

            # The search box, from the keyboard.
            app.focus_window("Ferry")
            ft.xdotool("key", "ctrl+f")
            time.sleep(0.3)
            ft.xdotool("type", "--delay", "40", "web")
            tap.ok(ft.wait_for(lambda: app.row("VM mail, ", timeout=1) is None, timeout=15)
                   and app.row("VM web-01, running on lyon-1", timeout=5) is not None,
                   "Ctrl+F and typing filters the tree down to the matching VMs")
            ft.xdotool("type", "--delay", "40", "zzz")
            tap.ok(app.find_text("No host or VM name contains “webzzz”", timeout=15) is not None,
                   "a search without matches says so")
            ft.screenshot("search-no-matches")
            ft.xdotool("key", "Escape")
            tap.ok(app.row("VM mail, running on lyon-2", timeout=15) is not None, "Escape brings every VM back")

            # Migrate to… with the host picker.
            select_row(app, app.row("VM web-02, running on lyon-2"))
            ft.xdotool("key", "ctrl+m")
            picker = ft.wait_for(lambda: app.frame("Migrate web-02"))
            tap.ok(picker is not None, "Ctrl+M opens the host picker for the selected VM")
            own = app.find_named("Host lyon-2, cannot take it", prefix=True, root=picker, timeout=10)
            tap.ok(own is not None, "the host it runs on says why it cannot take it")
            target = app.find_named("Host lyon-3, ", prefix=True, root=picker, timeout=10)
            tap.ok(target is not None, "lyon-3 is offered")
            ft.screenshot("host-picker")
            app.focus_window("Migrate web-02")
            tap.ok(target is not None and app.tab_to(target), "Tab reaches lyon-3 in the picker")
            ft.xdotool("key", "Return")
            tap.ok(app.row("VM web-02, running on lyon-3", timeout=60) is not None,
                   "choosing lyon-3 moves web-02 there")
            calls = sim.calls("Lyon")
            tap.ok(any(c.endswith("VM.pool_migrate") for c in calls), "with VM.pool_migrate")

            # The context menu, opened from the keyboard.
            select_row(app, app.row("VM dns-01, running on lyon-1"))
            ft.xdotool("key", "Menu")
            item = app.find(lambda n: n.getRole() == ft.pyatspi.ROLE_MENU_ITEM and n.name == "Move to lyon-3",
                            timeout=15)
            tap.ok(item is not None, "the Menu key opens the VM's menu with the hosts that can take it")
            ft.screenshot("context-menu")
            if item is not None:
                app.press(item)
            tap.ok(app.row("VM dns-01, running on lyon-3", timeout=60) is not None,
                   "choosing a host there moves the VM")

            # A selection of three VMs (all on lyon-3 now), dragged at once.
            select_row(app, app.row("VM web-02, running on lyon-3"))
            for name in ("VM monitoring, running on lyon-3", "VM dns-01, running on lyon-3"):
                x, y = app.center(app.row(name))
                ft.xdotool("mousemove", x, y)
                time.sleep(0.2)
                ft.xdotool("keydown", "ctrl", "click", "1", "keyup", "ctrl")
                time.sleep(0.3)
            hover = {}
            app.drag(app.row("VM web-02, running on lyon-3"), app.row("Host lyon-2, "),
                     hover=lambda: ft.screenshot("drag-selection"))
            for vm in ("web-02", "monitoring", "dns-01"):
                tap.ok(app.row("VM %s, running on lyon-2" % vm, timeout=60) is not None,
                       "dragging the selection moved %s too" % vm)
            tap.ok(app.close() == 0, "Ferry closes cleanly (exit status 0, no leaks under ASan)")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
