#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An HTTPS pool with a self-signed certificate: Ferry shows the SHA-256
fingerprint before it connects, and connects once the user trusts it."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402


def main(tap):
    sim = ft.Sim("--https")
    try:
        url = sim.pools["Lyon"]
        tap.ok(url.startswith("https://") and sim.fingerprint is not None,
               "the simulator serves HTTPS with a self-signed certificate")
        app = ft.App()
        try:
            app.add_pool(url, "root", "ferry", remember=False)
            heading = app.find_text("^Trust This Certificate\\?$")
            tap.ok(heading is not None, "an unknown certificate is shown before connecting")

            def fingerprint_label():
                for node in app.find_all(lambda n: n.getRole() == ft.pyatspi.ROLE_LABEL):
                    text = re.sub(r"[\s:]", "", node.name or "")
                    if len(text) == 64 and re.fullmatch(r"[0-9A-F]+", text):
                        return node
                return None

            label = ft.wait_for(fingerprint_label, timeout=10)
            tap.ok(label is not None, "the dialog shows a SHA-256 fingerprint")
            if label is not None:
                shown = re.sub(r"[\s:]", "", label.name)
                tap.ok(shown == sim.fingerprint.replace(":", ""), "it is the host's real fingerprint")
            ft.screenshot("certificate")

            app.press(app.button("Trust and Connect"))
            tap.ok(app.row("Pool Lyon, connected") is not None, "once trusted, Ferry connects")
            tap.ok(ft.wait_for(lambda: app.frame("Add Pool") is None, timeout=10), "and the dialog closes")
            tap.ok(app.close() == 0, "Ferry closes cleanly (exit status 0, no leaks under ASan)")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
