#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Text dragged in from another application onto a host does nothing: not a
VM's name, not even its uuid.  The text comes from a real drag out of a
second X client (a small GTK 4 program), with the real pointer.  Only a drag
of Ferry's own VM rows can start a migration, which the end checks too."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferrytest as ft  # noqa: E402


HERE = os.path.dirname(os.path.abspath(__file__))
MOVING = ("VM.pool_migrate", "VM.migrate_send", "VM.assert_can_migrate", "host.migrate_receive")


def vm_uuid(url, name):
    def xapi(method, *params):
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1}).encode()
        req = urllib.request.Request(url + "/jsonrpc", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            reply = json.loads(resp.read().decode())
        if "error" in reply:
            raise RuntimeError(str(reply["error"]))
        return reply["result"]

    session = xapi("session.login_with_password", "root", "ferry", "1.0", "ferry-test")
    return xapi("VM.get_uuid", session, xapi("VM.get_by_name_label", session, name)[0])


class TextSource:
    """Another application offering @text as a plain-text drag."""

    def __init__(self, text, title):
        env = dict(os.environ)
        env["GTK_A11Y"] = "none"          # stay off Ferry's accessibility view
        env["GDK_BACKEND"] = "x11"
        self.lines = []
        self.proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "text-drag-source.py"), text, title],
                                     stdout=subprocess.PIPE, text=True, env=env)
        threading.Thread(target=self._read, daemon=True).start()
        if ft.wait_for(lambda: any(line.startswith("READY") for line in self.lines)) is None:
            self.stop()
            raise RuntimeError("the text drag source did not start")
        out = subprocess.run(["timeout", str(int(ft.WAIT)), "xdotool", "search", "--sync", "--onlyvisible",
                              "--name", "^%s$" % title], capture_output=True, text=True)
        ids = out.stdout.split()
        if not ids:
            self.stop()
            raise RuntimeError("the text drag source has no window")
        self.wid = ids[0]

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def move_beside(self, wid):
        """Without a window manager every toplevel opens at 0,0, on top of
        Ferry: move this one to free screen space below or right of it."""
        ferry = geometry(wid)
        if ferry["X"] + ferry["WIDTH"] + 260 <= 1280:
            x, y = ferry["X"] + ferry["WIDTH"] + 10, 100
        else:
            x, y = 40, ferry["Y"] + ferry["HEIGHT"] + 10
        ft.xdotool("windowmove", "--sync", self.wid, x, y)

    def center(self):
        g = geometry(self.wid)
        return g["X"] + g["WIDTH"] // 2, g["Y"] + g["HEIGHT"] // 2

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def geometry(wid):
    g = {}
    for line in ft.xdotool("getwindowgeometry", "--shell", wid).splitlines():
        k, _, v = line.partition("=")
        g[k] = int(v)
    return g


def migration_jobs(app):
    return app.find_all(lambda n: ft.clean_name(n.name).startswith("Migration of"), root=app.main_frame())


def main(tap):
    sim = ft.Sim(bandwidth=20000)
    try:
        app = ft.App()
        try:
            app.add_pool(sim.pools["Lyon"], "root", "ferry")
            tap.ok(app.row("Pool Lyon, connected") is not None, "the pool is connected")
            tap.ok(app.row("VM web-01, running on lyon-1") is not None, "web-01 runs on lyon-1")
            uuid = vm_uuid(sim.pools["Lyon"], "web-01")
            sim.control({"command": "calls", "clear": True}, pool="Lyon")

            # web-01's disk is on shared storage: a drop Ferry took for it
            # would migrate it at once, without a question.
            for n, (what, text) in enumerate((("its name", "web-01"), ("its uuid", uuid))):
                source = TextSource(text, "Text Source %d" % n)
                try:
                    source.move_beside(app.wid)
                    sx, sy = source.center()
                    host = app.row("Host lyon-3, ")
                    tap.ok(host is not None, "lyon-3 is on screen")
                    hover = {}

                    def look(n=n):
                        row = app.row("Host lyon-3, ", timeout=5)
                        hover["name"] = row.name if row else ""
                        ft.screenshot("foreign-text-over-host-%d" % n)

                    app.drag_from(sx, sy, host, hover=look)
                    ended = ft.wait_for(lambda: "DRAG-END" in source.lines, timeout=15)
                    tap.diag("the other application saw: " + ", ".join(source.lines))
                    tap.ok("DRAG-BEGIN" in source.lines and ended,
                           "a real drag of %s (%r) went from another application to lyon-3" % (what, text))
                    tap.ok(any(line.startswith("DRAG-CANCEL") for line in source.lines),
                           "Ferry refused the text (the drag ended with no taker)")
                    tap.diag("while over it, lyon-3 said: %r" % hover.get("name"))
                    tap.ok("can take" not in (hover.get("name") or ""),
                           "while the text was over it, lyon-3 did not offer to take it")
                finally:
                    source.stop()

            # Nothing may follow, now or a little later: give the engine time
            # to send a call it wrongly queued, then look.
            time.sleep(2.0)
            calls = sim.calls("Lyon")
            tap.diag("calls after the foreign drops: " + ", ".join(calls))
            tap.ok(not any(c.endswith(m) for c in calls for m in MOVING),
                   "nothing was sent to move or check a VM (no pool_migrate, migrate_send, assert_can_migrate)")
            tap.ok(not migration_jobs(app), "no job appeared")
            frames = [f.name for f in app.frames() if f is not None]
            tap.ok(frames == ["Ferry"], "no dialog opened (windows: %r)" % frames)
            tap.ok(app.row("VM web-01, running on lyon-1", timeout=5) is not None, "web-01 is still on lyon-1")
            ft.screenshot("foreign-text-dropped")

            # The same gesture from one of Ferry's own rows works.
            app.drag(app.row("VM web-01, running on lyon-1"), app.row("Host lyon-2, "))
            tap.ok(app.row("VM web-01, running on lyon-2", timeout=60) is not None,
                   "a drag of Ferry's own web-01 row onto lyon-2 migrates it")
            calls = sim.calls("Lyon")
            tap.ok(sum(1 for c in calls if c.endswith("VM.pool_migrate")) == 1,
                   "with exactly one VM.pool_migrate: the foreign drops added none")
            jobs = [ft.clean_name(j.name) for j in migration_jobs(app)]
            tap.diag("jobs: %r" % jobs)
            tap.ok(jobs and all("to lyon-2" in j for j in jobs), "and the only job is that migration")
            ft.screenshot("own-drag-done")
            tap.ok(app.close() == 0, "Ferry closes cleanly (exit status 0, no leaks under ASan)")
        finally:
            app.stop()
    finally:
        sim.stop()


ft.run(main)
