#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Add a pool through the dialog like a person: the empty state, a wrong
password explained inside the dialog, the right one connecting, and the saved
pool coming back from the keyring when Ferry starts again."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402
import pyatspi  # noqa: E402

# The saved servers must survive a restart of the app: a real settings
# backend (a key file in the test's private XDG_CONFIG_HOME), not memory.
ENV = {"GSETTINGS_BACKEND": "keyfile"}


def main(tap):
    sim = ft.Sim(bandwidth=5000)
    try:
        url = sim.pools["Lyon"]
        app = ft.App(env=ENV)
        try:
            tap.ok(app.find_text("^No pools yet$") is not None, "the empty window says there are no pools yet")
            tap.ok(app.button("Add Pool", root=app.main_frame()) is not None, "it offers to add a pool")
            ft.screenshot("empty")

            dialog = app.add_pool(url, "root", "not-the-password", remember=True)
            tap.ok(dialog is not None, "the Add Pool dialog opens and takes the address, user and password")
            err = app.find_text(r"(?i)(password|user name|log in|authenticat).*\.$", root=dialog)
            tap.ok(err is not None, "a wrong password is explained inside the dialog")
            if err is not None:
                tap.diag("error shown: " + err.name)
            tap.ok(app.frame("Add Pool") is not None, "the dialog stays open after the error")
            ft.screenshot("add-pool-error")

            entries = app.text_entries(dialog)
            app.set_text(entries[2], "ferry")
            app.press(app.button("Connect", root=dialog))
            row = app.row("Pool Lyon, connected")
            tap.ok(row is not None, "with the right password the pool appears, connected")
            tap.ok(ft.wait_for(lambda: app.frame("Add Pool") is None, timeout=10), "the dialog closes")
            tap.ok(app.row("Host lyon-2, ") is not None, "its hosts are listed with their free memory")
            tap.ok(app.row("VM web-01, running on lyon-1") is not None, "its VMs are listed under their host")
            tap.ok(app.row("VM backup, halted") is not None, "a halted VM is listed too")
            time.sleep(1.0)
            ft.screenshot("inventory")
            tap.ok(app.close() == 0, "Ferry closes cleanly (exit status 0, no leaks under ASan)")
        finally:
            app.stop()

        # Ferry again, from scratch: the pool comes back by itself.
        app = ft.App(env=ENV)
        try:
            row = app.row("Pool Lyon, connected")
            tap.ok(row is not None, "after a restart the saved pool reconnects with the password from the keyring")
            tap.ok(app.frame("Add Pool") is None, "without asking for anything")
            logins = sim.calls("Lyon", "session.login_with_password")
            tap.ok(len(logins) >= 3, "it logged in again (%d logins in all)" % len(logins))
            ft.screenshot("restart")
            tap.ok(app.close() == 0, "and closes cleanly again")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
