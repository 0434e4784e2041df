#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""One inventory load into the real Ferry window, for bench/run-gui-load.

    gui-load.py BUILD URL saved|dialog      (prints one JSON line)

Runs inside tests/ci-wrapper.sh (a private D-Bus session with an unlocked
keyring and private XDG directories) under an X server.  `ferry` runs with
FERRY_BENCH=1 and prints timing marks on its standard output
(src/ui/ferry-bench.c); the figures come from them and from /proc:

  saved   the pool is saved first (`ferryctl server add`, settings and
          keyring), so Ferry connects it on start-up and the pool sits in the
          tree while it loads: what a user sees every morning.
  dialog  the pool is added through the Add Pool dialog, driven through the
          accessibility bus like the UI tests do: the first time.

The load starts when the pool starts its login (saved) or when Connect is
pressed (dialog), and ends with the first frame painted after the tree holds
a row for the pool, each host and each VM.  Both clocks are CLOCK_MONOTONIC.
The longest stall is counted from Connect (dialog) or from the inventory's
first frame (saved: the login starts while the window is built; the stalls
before that frame are reported apart, as startup_stall_ms), and again from the first host in
the pool's list on (apply_stall_ms: while the load is applied to the lists
and the tree, after the download).  stall_cpu_ms is the most CPU time the
main thread used within one stall: on a busy machine a stall can be mostly
waiting for a core; apply_cpu_ms is the same from the first host in the
pool's list on.  With FERRY_BENCH_MARKS_DIR set, the run's marks are kept
there (MODE-PID.marks); FERRY_BENCH_LINGER (seconds) keeps the window
running that long after the load, for the marks of the frames after it.
"""

import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ui"))
import ferrytest as ft  # noqa: E402

LIMIT = float(os.environ.get("FERRY_BENCH_TIMEOUT", "600"))   # seconds per load


def read_marks(path):
    marks = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[0] != "ferry-bench":
                continue
            fields = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
            marks.append((parts[1], fields))
    return marks


def first(marks, event):
    return next((m for e, m in marks if e == event), None)


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0


def start_ferry(marks_path, through_atspi):
    """Starts ferry with FERRY_BENCH=1, its marks going to @marks_path.  With
    @through_atspi it is the UI tests' ft.App (which talks to it over the
    accessibility bus); otherwise a bare process nobody asks anything."""
    env = {"FERRY_BENCH": "1"}
    with open(marks_path, "w") as marks:
        if through_atspi:
            # ft.App lets ferry inherit our standard output: lend it the file.
            sys.stdout.flush()
            saved = os.dup(1)
            os.dup2(marks.fileno(), 1)
            try:
                return ft.App(env=env)
            finally:
                os.dup2(saved, 1)
                os.close(saved)
        full_env = dict(os.environ, **env)
        full_env.pop("G_DEBUG", None)
        proc = subprocess.Popen([ft.FERRY], env=full_env, stdout=marks, stderr=subprocess.DEVNULL)
    app = ft.App.__new__(ft.App)      # only .proc and .stop() are used
    app.proc = proc
    return app


def add_through_dialog(app, url):
    """Fills the Add Pool dialog and presses Connect; returns when it was pressed."""
    app.press(app.button("Add Pool", root=app.main_frame()))
    dialog = ft.wait_for(lambda: app.frame("Add Pool"))
    entries = ft.wait_for(lambda: app.text_entries(dialog) if len(app.text_entries(dialog)) >= 3 else None)
    if entries is None:
        raise RuntimeError("the Add Pool dialog did not open")
    for entry, text in zip(entries, (url, "root", "ferry")):
        app.set_text(entry, text)
    connect = app.button("Connect", root=dialog)
    start = time.monotonic()
    app.press(connect)
    return int(start * 1e6)


def main():
    build, url, mode = sys.argv[1:4]
    # Another build's binary, for a before/after pair in the same session
    # (it must be named "ferry": that is its name on the accessibility bus).
    ft.FERRY = os.environ.get("FERRY_BENCH_BINARY") or os.path.join(build, "src", "ui", "ferry")
    os.environ.update(GSETTINGS_BACKEND="keyfile", GSETTINGS_SCHEMA_DIR=os.path.join(build, "data"))
    marks_path = os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "ferry-bench.marks")
    result = {"client": "ferry window (%s)" % ("saved pool" if mode == "saved" else "Add Pool")}

    if mode == "saved":
        subprocess.run([os.path.join(build, "src", "cli", "ferryctl"), "server", "add", url, "--user", "root",
                        "--password-stdin", "--trust-certificate", "--timeout", str(int(LIMIT))],
                       input="ferry\n", text=True, check=True, stdout=subprocess.DEVNULL)

    app = start_ferry(marks_path, mode == "dialog")
    try:
        start = add_through_dialog(app, url) if mode == "dialog" else None

        deadline = time.monotonic() + LIMIT
        while True:
            marks = read_marks(marks_path)
            if first(marks, "tree-shown") or first(marks, "pool-failed") or app.proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        # Marks a little past the end too, when asked: the frames that follow
        # the load are then seen for every build alike.
        time.sleep(float(os.environ.get("FERRY_BENCH_LINGER", "0")))
        peak = peak_rss_mib(app.proc.pid) if app.proc.poll() is None else 0
        now = int(time.monotonic() * 1e6)
    finally:
        app.stop()

    # The marks themselves, to read the run's stalls and frames one by one.
    keep = os.environ.get("FERRY_BENCH_MARKS_DIR")
    if keep:
        shutil.copy(marks_path, os.path.join(keep, "%s-%d.marks" % (mode, os.getpid())))
    marks = read_marks(marks_path)
    if start is None:
        connecting = first(marks, "pool-connecting")
        start = int(connecting["t_us"]) if connecting else None
    shown = first(marks, "tree-shown")
    complete = first(marks, "tree-complete")
    end = int(shown["t_us"]) if shown else now
    # A saved pool starts its login while the window is being built: the
    # stalls until the inventory's first frame are the window's making, and
    # are told apart (startup_stall_ms).  Through the dialog the window is
    # long up when Connect is pressed, and everything after counts.
    window = first(marks, "window-shown")
    up = max(start, int(window["t_us"])) if mode == "saved" and window and start is not None else start

    # A stall's CPU time (cpu_us) covers the tick's own 5 ms too: it counts
    # at most as long as the stall.
    def longest(since, until, key="late_us"):
        return max([min(int(m.get(key, 0)), int(m["late_us"]), int(m["t_us"]) - since)
                    for e, m in marks if e == "stall" and since is not None and since < int(m["t_us"]) <= until],
                   default=0) // 1000

    def ms(event):
        m = first(marks, event)
        return (int(m["t_us"]) - start) // 1000 if m and start is not None else None

    result.update(login_ms=ms("pool-loading"), cache_ms=ms("pool-ready"), tree_ms=ms("tree-complete"),
                  load_ms=ms("tree-shown"), peak_rss_mib=peak,
                  longest_stall_ms=longest(up, end),
                  # Of one stall, the most CPU time the main thread itself
                  # used: a stall far longer than its CPU time was spent
                  # waiting for a core (a busy machine), not working.
                  stall_cpu_ms=longest(up, end, "cpu_us"))
    filling = first(marks, "pool-filling")
    if filling:
        # While the load is applied to the lists and the tree: the part of
        # the load the window does, after the download.
        result.update(apply_stall_ms=longest(max(up, int(filling["t_us"])), end),
                      apply_cpu_ms=longest(max(up, int(filling["t_us"])), end, "cpu_us"))
    if up is not None and up > start:
        result.update(startup_stall_ms=longest(start, up), window_ms=(up - start) // 1000)
    if complete:
        result.update(hosts=int(complete["hosts"]), vms=int(complete["vms"]), rows=int(complete["rows"]))
    if not shown:
        # Still loading at the deadline: how long the main loop has been
        # busy since its last tick is the stall that is still going on.
        last = max([int(m["t_us"]) for e, m in marks] + [start or now])
        result["error"] = ("pool failed" if first(marks, "pool-failed")
                           else "not shown after %d s (no mark for the last %.1f s)" % (LIMIT, (now - last) / 1e6))
    print(json.dumps(result), flush=True)


main()
