#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A pool's life: added through a member host's address over plain HTTP
(Ferry asks before it sends the password to the master the member names,
follows HOST_IS_SLAVE there once allowed, and says so), lost (it shows "Reconnecting…"),
back (it reconnects by itself), and quitting while a migration runs (Ferry
asks first; the migration goes on without it)."""

import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402


def xapi(url, method, *params):
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1}).encode()
    req = urllib.request.Request(url + "/jsonrpc", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        reply = json.loads(resp.read().decode())
    if "error" in reply:
        raise RuntimeError(str(reply["error"]))
    return reply["result"]


def resident_host(url, vm_name):
    session = xapi(url, "session.login_with_password", "root", "ferry", "1.0", "ferry-test")
    vm = xapi(url, "VM.get_by_name_label", session, vm_name)[0]
    host = xapi(url, "VM.get_resident_on", session, vm)
    return xapi(url, "host.get_name_label", session, host)


def label_x(app, row, text):
    label = app.find(lambda n: n.getRole() == ft.pyatspi.ROLE_LABEL and n.name == text, root=row, timeout=5)
    if label is None:
        return None
    return label.queryComponent().getExtents(ft.pyatspi.WINDOW_COORDS).x


def row_y(row):
    return row.queryComponent().getExtents(ft.pyatspi.WINDOW_COORDS).y


def halted_group(tap, app, pool, vm, last_host):
    """@vm, halted, sits under a "Halted and suspended" heading of its own
    after @pool's hosts, one level deeper, not as if it ran on @last_host."""
    group = app.row("Halted and suspended VMs of %s, 1 VM" % pool, timeout=30)
    halted = app.row("VM %s, halted" % vm, timeout=30)
    host = app.row("Host %s, " % last_host, timeout=30) if last_host else None
    tap.ok(group is not None and halted is not None,
           "%s: the halted %s is listed with a heading, \"Halted and suspended\", 1 VM" % (pool, vm))
    if group is None or halted is None:
        return
    tap.ok((host is None or row_y(host) < row_y(group)) and row_y(group) < row_y(halted),
           "%s: the heading comes after the hosts, %s under it" % (pool, vm))
    gx = label_x(app, group, "Halted and suspended")
    vx = label_x(app, halted, vm)
    tap.ok(gx is not None and vx is not None and vx > gx, "%s: %s is indented under the heading" % (pool, vm))
    tap.ok((group.description or "") == "", "%s: the heading of a connected pool is not greyed out" % pool)


def main(tap):
    sim = ft.Sim(bandwidth=20000)
    port = sim.pools["Lyon"].rsplit(":", 1)[1]
    member = "http://127.0.1.2:" + port
    try:
        app = ft.App()
        try:
            dialog = app.add_pool(member, "root", "ferry")
            question = app.find_text(r"^Send Your Password to Another Host\?$", timeout=30)
            tap.ok(question is not None, "over plain HTTP, Ferry asks before following the member to its master")
            body = app.find_text(r"says the pool’s master is now at 127\.0\.1\.1\. Send your password there\?",
                                 timeout=5)
            tap.ok(body is not None, "naming the address the member gave")
            ft.screenshot("redirect-question")
            app.press(app.button("Cancel", root=ft.wait_for(lambda: app.frame("Send Your Password to Another Host?"))))
            refused = app.find_text("did not let Ferry send your password", root=dialog, timeout=10)
            tap.ok(refused is not None, "declined, the Add Pool dialog says it did not connect")
            tap.ok(app.row("Pool Lyon, connected", timeout=2) is None, "and no pool appears")
            app.press(app.button("Connect", root=dialog))
            tap.ok(app.find_text(r"^Send Your Password to Another Host\?$", timeout=30) is not None,
                   "connecting again asks again")
            app.press(app.button("Send and Connect"))
            tap.ok(app.row("Pool Lyon, connected") is not None, "once allowed, a member host's address connects to its pool")
            toast = app.find_text("through its master", timeout=10)
            tap.ok(toast is not None, "Ferry says it followed the member to the pool master")
            if toast is not None:
                tap.diag("toast: " + toast.name)
            halted_group(tap, app, "Lyon", "backup", "lyon-3")
            ft.screenshot("halted-group")

            # A VM stopped by hand leaves its host for the heading, and
            # started again, goes back under a host.
            sim.control({"command": "set_power_state", "vm": "monitoring", "state": "Halted"})
            tap.ok(app.row("Halted and suspended VMs of Lyon, 2 VMs", timeout=30) is not None
                   and app.row("VM monitoring, halted", timeout=10) is not None,
                   "a VM that stops moves under the heading, which counts it")
            sim.control({"command": "set_power_state", "vm": "monitoring", "state": "Running",
                         "host": "lyon-2"}, pool="Lyon")
            tap.ok(app.row("VM monitoring, running on lyon-2", timeout=30) is not None
                   and app.row("Halted and suspended VMs of Lyon, 1 VM", timeout=10) is not None,
                   "started again on lyon-2, it leaves the heading for that host")

            # The link breaks: the next calls are dropped, as when a switch
            # dies, and the sessions end.  (Restarting the simulator would
            # not do: it would be another pool, with another uuid, which
            # Ferry rightly refuses to take for this one.)
            # The first login that follows is held back for a while, so that
            # the reconnecting state lasts long enough to be seen however
            # slowly the accessibility tree is read.
            sim.control({"command": "delay", "seconds": 15, "count": 1,
                         "method": "session.login_with_password"}, pool="Lyon")
            sim.control({"command": "drop_connections", "count": 2}, pool="Lyon")
            sim.control({"command": "expire_sessions"}, pool="Lyon")
            lost = app.row("Pool Lyon, Reconnecting", timeout=60)
            tap.ok(lost is not None, "a lost pool shows that it is reconnecting")
            if lost is not None:
                tap.diag("row: " + lost.name)
            ft.screenshot("reconnecting")
            back = app.row("Pool Lyon, connected", timeout=120)
            tap.ok(back is not None, "and comes back by itself")
            host = app.row("Host lyon-1, ")
            tap.ok(host is not None and ft.wait_for(lambda: "not connected" not in (host.description or "").lower(),
                                                    timeout=30),
                   "its hosts are no longer greyed out")

            # A second pool: its halted VM has its own heading too, found
            # with the search (the tree is taller than the window).
            app.add_pool(sim.pools["Paris"], "root", "ferry")
            tap.ok(app.row("Pool Paris, connected") is not None, "a second pool connects")
            app.focus_window("Ferry")
            ft.xdotool("key", "ctrl+f")
            time.sleep(0.3)
            ft.xdotool("type", "--delay", "40", "legacy")
            halted_group(tap, app, "Paris", "legacy-erp", None)
            tap.ok(ft.wait_for(lambda: app.row("Halted and suspended VMs of Lyon", timeout=1) is None, timeout=15),
                   "a search that matches none of Lyon's halted VMs hides its heading")
            ft.screenshot("halted-group-search")
            ft.xdotool("key", "Escape")
            tap.ok(app.row("Halted and suspended VMs of Lyon, 1 VM", timeout=15) is not None,
                   "Escape brings the heading back")

            # A storage migration slow enough to still run when we close.
            sim.control({"command": "set_bandwidth", "mbps": 20})
            app.drag(app.row("VM db-01, running on lyon-1"), app.row("Host lyon-3, "))
            heading = app.find_text(r"^OK to migrate without shared storage\?$")
            tap.ok(heading is not None, "the storage migration asks first")
            app.press(app.button("OK"))
            running = app.find_named("Migration of db-01 from lyon-1 to lyon-3: Migrating", prefix=True, timeout=60)
            tap.ok(running is not None, "the migration runs")

            # Quitting while it runs asks first (closing the window would
            # leave Ferry following it in the background: see test-background.py).
            app.press_quit()
            question = ft.wait_for(lambda: app.frame(ft.App.QUIT_QUESTION), timeout=15)
            tap.ok(question is not None, "quitting while it runs asks first")
            body = app.find_text(r"continues on its pool", timeout=5)
            tap.ok(body is not None, "and explains that the migration continues on the pool")
            ft.screenshot("quit-while-running")
            if question is not None:
                app.press(app.button("Cancel", root=question))
            tap.ok(ft.wait_for(lambda: app.frame(ft.App.QUIT_QUESTION) is None, timeout=15)
                   and app.proc.poll() is None and app.main_frame() is not None, "Cancel keeps the window")

            status = app.quit()
            tap.ok(status == 0, "Quit closes Ferry, cleanly (exit status %r, no leaks under ASan)" % status)
        finally:
            app.stop()

        sim.control({"command": "set_bandwidth", "mbps": 100000})
        arrived = ft.wait_for(lambda: resident_host(sim.pools["Lyon"], "db-01") == "lyon-3", timeout=120)
        tap.ok(arrived, "the migration went on without Ferry and db-01 arrived on lyon-3")
    finally:
        sim.stop()


ft.run(main)
