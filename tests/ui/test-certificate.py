#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An HTTPS pool with a self-signed certificate: Ferry shows the SHA-256
fingerprint before it connects and pins it once trusted.  When the host's
certificate is later replaced, Ferry refuses loudly, in the open window as
after a restart; forgetting the pool lets
the user trust the new one on purpose."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402

# The pinned certificate must outlive the app: a real settings backend.
ENV = {"GSETTINGS_BACKEND": "keyfile"}


def fingerprint_label(app):
    for node in app.find_all(lambda n: n.getRole() == ft.pyatspi.ROLE_LABEL):
        text = re.sub(r"[\s:]", "", node.name or "")
        if len(text) == 64 and re.fullmatch(r"[0-9A-F]+", text):
            return node
    return None


def inside(inner, outer):
    a = inner.queryComponent().getExtents(ft.pyatspi.WINDOW_COORDS)
    b = outer.queryComponent().getExtents(ft.pyatspi.WINDOW_COORDS)
    return (a.width > 0 and a.x >= b.x and a.y >= b.y
            and a.x + a.width <= b.x + b.width and a.y + a.height <= b.y + b.height)


def open_window_change(tap, sim):
    """The certificate is replaced while Ferry shows the pool, added through
    a member host: the next connection to its master is refused as a changed
    certificate (it used to say "not trusted", as if the master were a
    stranger), the whole sentence with the new fingerprint shows in the
    pool's row, and the pool's hosts and VMs grey out."""
    member = "https://127.0.1.2:" + sim.pools["Lyon"].rsplit(":", 1)[1]
    app = ft.App()
    try:
        app.add_pool(member, "root", "ferry")
        tap.ok(app.find_text("^Trust This Certificate\\?$") is not None, "a member's certificate is shown too")
        app.press(app.button("Trust and Connect"))
        tap.ok(app.row("Pool Lyon, connected") is not None, "once trusted, the pool connects through its master")
        open_window_checks(tap, app, sim)
        tap.ok(app.close() == 0, "Ferry closes cleanly")
    finally:
        app.stop()


def open_window_checks(tap, app, sim):
    changed = sim.control({"command": "change_certificate"})["fingerprint"]
    sim.control({"command": "drop_connections", "count": 2}, pool="Lyon")
    sim.control({"command": "expire_sessions"}, pool="Lyon")
    refused = ft.wait_for(lambda: (lambda r: r if r and "certificate" in r.name.lower() else None)(
        app.row("Pool Lyon, ", timeout=1)), timeout=90)
    tap.ok(refused is not None and "has changed" in refused.name and "not trusted" not in refused.name,
           "with the window open, the replaced certificate is refused as changed")
    if refused is not None:
        tap.diag("row: " + refused.name)
    status = app.find_text(re.escape(changed), root=app.main_frame(), timeout=10)
    tap.ok(status is not None and "has changed since it was trusted" in status.name,
           "the pool's row shows the error with the new fingerprint")
    if status is not None:
        tap.diag("status: " + status.name)
        tap.ok(inside(status, refused) and inside(status, app.main_frame()),
               "in full inside the row: it wraps, nothing is cut off")
    for name in ("Host lyon-1, ", "VM web-01, "):
        row = app.row(name, timeout=10)
        tap.ok(row is not None and "not connected" in (row.description or "").lower(),
               "%s… is greyed out and says that its pool is not connected" % name)
    ft.screenshot("certificate-changed-open-window")

    # Narrower, the sentence wraps on more lines and still shows in full.
    if status is not None and refused is not None:
        width = status.queryComponent().getExtents(ft.pyatspi.WINDOW_COORDS).width
        ft.xdotool("windowsize", app.wid, 560, 700)
        narrower = ft.wait_for(lambda: status.queryComponent().getExtents(ft.pyatspi.WINDOW_COORDS).width < width,
                               timeout=15)
        tap.ok(narrower and ft.wait_for(lambda: inside(status, refused) and inside(status, app.main_frame()),
                                        timeout=15),
               "in a narrower window, the error still shows in full")
        ft.screenshot("certificate-changed-narrow")


def main(tap):
    sim = ft.Sim("--https")
    try:
        url = sim.pools["Lyon"]
        tap.ok(url.startswith("https://") and sim.fingerprint is not None,
               "the simulator serves HTTPS with a self-signed certificate")
        app = ft.App(env=ENV)
        try:
            app.add_pool(url, "root", "ferry", remember=True)
            heading = app.find_text("^Trust This Certificate\\?$")
            tap.ok(heading is not None, "an unknown certificate is shown before connecting")
            label = ft.wait_for(lambda: fingerprint_label(app), timeout=10)
            tap.ok(label is not None, "the dialog shows a SHA-256 fingerprint")
            if label is not None:
                shown = re.sub(r"[\s:]", "", label.name)
                tap.ok(shown == sim.fingerprint.replace(":", ""), "it is the host's real fingerprint")
            ft.screenshot("certificate")

            app.press(app.button("Trust and Connect"))
            tap.ok(app.row("Pool Lyon, connected") is not None, "once trusted, Ferry connects")
            tap.ok(ft.wait_for(lambda: app.frame("Add Pool") is None, timeout=10), "and the dialog closes")
            time.sleep(1.0)          # the keyring write is asynchronous
            tap.ok(app.close() == 0, "Ferry closes cleanly (exit status 0, no leaks under ASan)")
        finally:
            app.stop()

        new = sim.control({"command": "change_certificate"})["fingerprint"]
        tap.ok(new != sim.fingerprint, "the host's certificate is replaced")

        app = ft.App(env=ENV)
        try:
            row = app.row("Pool Lyon, ", timeout=60)
            refused = ft.wait_for(lambda: (lambda r: r if r and "certificate" in r.name.lower() else None)(
                app.row("Pool Lyon, ", timeout=1)), timeout=60)
            tap.ok(refused is not None, "the saved pool does not connect and says the certificate changed")
            if refused is not None:
                tap.diag("row: " + refused.name)

            # Adding it again is refused loudly, with the new fingerprint.
            app.add_pool(url, "root", "ferry", remember=True)
            loud = app.find_text("^Certificate Changed$", timeout=30)
            tap.ok(loud is not None, "adding it again is refused loudly: Certificate Changed")
            label = ft.wait_for(lambda: fingerprint_label(app), timeout=10)
            tap.ok(label is not None and re.sub(r"[\s:]", "", label.name) == new.replace(":", ""),
                   "showing the certificate the host presents now")
            tap.ok(app.button("Trust and Connect", timeout=2) is None, "with no way to trust it from there")
            ft.screenshot("certificate-changed")
            app.press(app.button("Close", root=ft.wait_for(lambda: app.frame("Certificate Changed"))))
            explained = app.find_text("not the one you trusted", root=app.frame("Add Pool"), timeout=10)
            tap.ok(explained is not None, "the Add Pool dialog says why it did not connect")
            app.press(app.button("Cancel", root=app.frame("Add Pool")))

            # Forget it on purpose, then trust the new certificate.
            pool = app.row("Pool Lyon, ")
            x, y = app.center(pool)
            ft.xdotool("mousemove", x, y)
            time.sleep(0.3)          # let the row see the pointer first
            ft.xdotool("click", 3)
            forget = app.find(lambda n: n.getRole() == ft.pyatspi.ROLE_MENU_ITEM
                              and ft.clean_name(n.name) == "Forget Pool", timeout=15)
            tap.ok(forget is not None, "the pool's menu offers to forget it")
            ft.screenshot("pool-menu")
            if forget is not None:
                app.press(forget)
            tap.ok(ft.wait_for(lambda: app.row("Pool Lyon, ", timeout=1) is None, timeout=30),
                   "forgotten, it leaves the window")
            app.add_pool(url, "root", "ferry", remember=True)
            tap.ok(app.find_text("^Trust This Certificate\\?$") is not None,
                   "adding it again asks about the new certificate")
            app.press(app.button("Trust and Connect"))
            tap.ok(app.row("Pool Lyon, connected") is not None, "and connects once it is trusted")
            tap.ok(app.close() == 0, "Ferry closes cleanly")
        finally:
            app.stop()

        open_window_change(tap, sim)
    finally:
        sim.stop()


ft.run(main)
