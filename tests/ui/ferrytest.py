# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for Ferry's end-to-end UI tests.

The tests drive the real `ferry` against a real `ferry-sim` over HTTP(S) on
loopback, the way a person would: AT-SPI to read and press things, xdotool for
the pointer and the keyboard.  They run under Xvfb without a window manager
(every toplevel opens at 0,0) inside tests/ci-wrapper.sh (a private D-Bus
session with an unlocked gnome-keyring and private XDG directories).
See the recipes in the project's testing notes.

Output is TAP.  Every wait is bounded; the bounds are generous because a busy
CI machine must not make a test fail.
"""

import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import pyatspi

FERRY = os.environ.get("FERRY")
FERRY_SIM = os.environ.get("FERRY_SIM")
SCREENSHOT_DIR = os.environ.get("FERRY_SCREENSHOT_DIR")

WAIT = 30.0          # seconds: how long we wait for anything to show up


class Tap:
    """A minimal TAP producer: `ok()` per check, the plan at the end."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc), flush=True)
        return cond

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line, flush=True)

    def bail(self, text):
        print("Bail out! " + text, flush=True)
        sys.exit(1)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


def wait_for(func, timeout=WAIT, interval=0.2, what=None):
    """Polls func() until it returns something truthy; returns it, or None."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = func()
        except TimeoutError:        # run()'s alarm: the test is out of time
            raise
        except Exception:           # AT-SPI objects vanish while we look at them
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def clean_name(name):
    """The accessible name as a person would read it.  GTK 4.8 builds a
    button's name from its mnemonic label *and* its text ("C_onnect Connect"),
    so drop the mnemonic marks and the repetition."""
    name = (name or "").replace("_", "")
    half = len(name) // 2
    if len(name) % 2 == 1 and name[half] == " " and name[:half] == name[half + 1:]:
        return name[:half]
    return name


def screenshot(name):
    if not SCREENSHOT_DIR:
        return
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    subprocess.run(["import", "-window", "root", os.path.join(SCREENSHOT_DIR, name + ".png")],
                   check=False, timeout=30)


def xdotool(*args):
    return subprocess.run(["xdotool"] + [str(a) for a in args], check=True, timeout=30,
                          capture_output=True, text=True).stdout


class Sim:
    """ferry-sim as a separate process: `pool NAME URL` lines, then `ready`."""

    def __init__(self, *args, scenario="demo", bandwidth=None):
        cmd = [FERRY_SIM, "--scenario", scenario, "--enable-control"]
        if bandwidth is not None:
            cmd += ["--bandwidth", str(bandwidth)]
        cmd += list(args)
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.pools = {}
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            line = line.strip()
            if line == "ready":
                break
            m = re.match(r"pool (.*) (\S+)$", line)
            if m:
                self.pools[m.group(1)] = m.group(2)
        if not self.pools:
            self.stop()
            raise RuntimeError("ferry-sim did not start")
        self.stderr.seek(0)
        m = re.search(r"SHA-256 ([0-9A-F:]{95})", self.stderr.read())
        self.fingerprint = m.group(1) if m else None

    def control(self, command, pool=None):
        body = dict(command)
        url = self.pools[pool] if pool else next(iter(self.pools.values()))
        if pool:
            body["pool"] = pool
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        req = urllib.request.Request(url + "/sim/control", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=30, context=ctx) as resp:
            return json.loads(resp.read().decode())

    def calls(self, pool, prefix=None):
        cmd = {"command": "calls"}
        if prefix:
            cmd["method"] = prefix
        return [c["method"] for c in self.control(cmd, pool=pool).get("calls", [])]

    def xapi(self, pool, method, *params):
        """A plain JSON-RPC call to the simulator, in a session of its own,
        for facts the window does not show."""
        url = self.pools[pool] + "/jsonrpc"
        ctx = ssl._create_unverified_context() if url.startswith("https:") else None

        def call(m, p):
            body = json.dumps({"jsonrpc": "2.0", "method": m, "params": list(p), "id": 1}).encode()
            req = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30, context=ctx) as r:
                return json.loads(r.read().decode())["result"]

        session = call("session.login_with_password", ["root", "ferry", "1.0", "ferry-test"])
        try:
            return call(method, [session] + list(params))
        finally:
            call("session.logout", [session])

    def vm_host(self, name, pool="Lyon"):
        """The name of the host the VM @name is resident on."""
        refs = self.xapi(pool, "VM.get_by_name_label", name)
        return self.xapi(pool, "host.get_name_label", self.xapi(pool, "VM.get_resident_on", refs[0]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Notifications:
    """fake-notifications.py on the session bus: what Ferry notified, and a
    click on one of them."""

    def __init__(self):
        self.out = tempfile.NamedTemporaryFile(mode="r", suffix=".txt")
        self.proc = subprocess.Popen(["/usr/bin/python3",
                                      os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "fake-notifications.py"), self.out.name],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            self.stop()
            raise RuntimeError("the notification server did not start")

    def all(self):
        """[(summary, body, id)] in the order they came."""
        with open(self.out.name) as f:
            return [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]

    def find(self, summary, body=None, after=0, timeout=WAIT):
        """The first notification after the first @after whose summary is
        @summary (and whose body contains @body), waiting up to @timeout."""
        def look():
            for n in self.all()[after:]:
                if n[0] == summary and (body is None or body in n[1]):
                    return n
            return None
        return wait_for(look, timeout=timeout)

    def click(self, notification):
        self.proc.stdin.write("click %s\n" % notification[2])
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.out.close()


class App:
    """The ferry window, seen through AT-SPI."""

    # GTK 4.8's AT-SPI bridge sometimes builds a reference to an accessible
    # that has already lost its D-Bus path (a widget destroyed while the
    # registry asks about it) and hits this GLib assertion.  It happens only
    # with an assistive technology attached, inside GTK, and is harmless to
    # Ferry (see _frames_without_root() for what it does to the test's view).
    # The second assertion is the same event one frame further up.
    KNOWN_GTK_CRITICALS = ("g_variant_is_object_path: assertion 'string != NULL' failed",
                           "g_variant_new_object_path: assertion 'g_variant_is_object_path (object_path)' failed")

    def __init__(self, *args, env=None):
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        # Criticals are not fatal in the app (see KNOWN_GTK_CRITICALS);
        # instead every other critical makes close() report a failure.
        debug = [d for d in full_env.get("G_DEBUG", "").split(",") if d and d != "fatal-criticals"]
        full_env["G_DEBUG"] = ",".join(debug)
        self.criticals = []
        self._known_frames = []
        self.proc = subprocess.Popen([FERRY] + list(args), env=full_env, stderr=subprocess.PIPE, text=True,
                                     errors="replace")
        threading.Thread(target=self._watch_stderr, daemon=True).start()
        # The window must exist before the first AT-SPI call (testing notes:
        # an early call can make the app fail to open the display).
        out = subprocess.run(["timeout", str(int(WAIT)), "xdotool", "search", "--sync", "--onlyvisible",
                              "--name", "^Ferry$"], capture_output=True, text=True)
        ids = out.stdout.split()
        if not ids:
            self.stop()
            raise RuntimeError("the Ferry window did not appear")
        self.wid = ids[0]
        self.app = wait_for(self._find_app, what="ferry on the accessibility bus")
        if self.app is None:
            self.stop()
            raise RuntimeError("ferry is not on the accessibility bus")

    def _watch_stderr(self):
        for line in self.proc.stderr:
            sys.stderr.write(line)
            if "-CRITICAL **" in line and not any(k in line for k in self.KNOWN_GTK_CRITICALS):
                self.criticals.append(line.strip())

    def _find_app(self):
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            a = desktop.getChildAtIndex(i)
            if a is not None and a.name == "ferry":
                return a
        return None

    # -- finding things ---------------------------------------------------

    def frames(self):
        try:
            frames = [self.app.getChildAtIndex(i) for i in range(self.app.childCount)]
        except Exception:
            if self.proc.poll() is not None:
                raise
            return self._frames_without_root()
        for f in frames:
            if f is not None and f not in self._known_frames:
                self._known_frames.append(f)
        return frames

    def _frames_without_root(self):
        """GTK 4.8 can send the accessibility registry a broken reference
        while a dialog is destroyed (the critical in KNOWN_GTK_CRITICALS);
        libatspi then drops Ferry's application root, although Ferry and its
        windows are alive.  Look for a new root, else go on with the windows
        already seen that still answer."""
        app = self._find_app()
        if app is not None:
            try:
                frames = [app.getChildAtIndex(i) for i in range(app.childCount)]
                self.app = app
                return frames
            except Exception:
                pass
        alive = []
        for f in self._known_frames:
            try:
                if not f.getState().contains(pyatspi.STATE_DEFUNCT) and f.childCount > 0:
                    alive.append(f)
            except Exception:
                pass
        self._known_frames = alive
        return list(alive)

    def frame(self, name):
        for f in self.frames():
            if f is not None and f.name == name:
                return f
        return None

    def main_frame(self):
        return self.frame("Ferry")

    @staticmethod
    def _walk(node, pred, out, first):
        """Depth-first search that tolerates nodes vanishing under it (the
        tree changes while we look: rows are recycled, dialogs close)."""
        try:
            count = node.childCount
        except Exception:
            return False
        for i in range(count):
            try:
                child = node.getChildAtIndex(i)
                hit = child is not None and pred(child)
            except Exception:
                continue
            if child is None:
                continue
            if hit:
                out.append(child)
                if first:
                    return True
            if App._walk(child, pred, out, first) and first:
                return True
        return False

    def find(self, pred, root=None, timeout=WAIT):
        def look():
            roots = [root] if root is not None else self.frames()
            for r in roots:
                if r is None:
                    continue
                out = []
                if App._walk(r, pred, out, True):
                    return out[0]
            return None
        return wait_for(look, timeout=timeout)

    def find_all(self, pred, root=None):
        out = []
        roots = [root] if root is not None else self.frames()
        for r in roots:
            if r is not None:
                App._walk(r, pred, out, False)
        return out

    def find_named(self, name, role=None, root=None, timeout=WAIT, prefix=False):
        def pred(n):
            if role is not None and n.getRole() != role:
                return False
            text = clean_name(n.name)
            return text.startswith(name) if prefix else text == name
        return self.find(pred, root=root, timeout=timeout)

    def find_text(self, pattern, root=None, timeout=WAIT):
        """A label whose text matches the regular expression @pattern."""
        rx = re.compile(pattern)
        return self.find(lambda n: n.getRole() == pyatspi.ROLE_LABEL and rx.search(n.name or ""),
                         root=root, timeout=timeout)

    def button(self, name, root=None, timeout=WAIT):
        return self.find_named(name, role=pyatspi.ROLE_PUSH_BUTTON, root=root, timeout=timeout)

    def press(self, node):
        action = node.queryAction()
        for i in range(action.nActions):
            if action.getName(i) in ("click", "activate", "press"):
                return action.doAction(i)
        return action.doAction(0)

    def focus_window(self, title):
        """Gives the keyboard to the toplevel called @title (there is no
        window manager to do it)."""
        out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^%s$" % re.escape(title)],
                             capture_output=True, text=True, timeout=30).stdout.split()
        if out:
            subprocess.run(["xdotool", "windowfocus", "--sync", out[-1]], timeout=30, check=False)
            time.sleep(0.2)
        return bool(out)

    def tab_to(self, node, limit=40):
        """Presses Tab until @node has the keyboard focus, like a keyboard user."""
        for _ in range(limit):
            try:
                if node.getState().contains(pyatspi.STATE_FOCUSED):
                    return True
            except Exception:
                return False
            xdotool("key", "Tab")
            time.sleep(0.15)
        return False

    def set_text(self, node, text):
        node.queryEditableText().setTextContents(text)

    def text_entries(self, root):
        return self.find_all(lambda n: n.getRole() in (pyatspi.ROLE_TEXT, pyatspi.ROLE_PASSWORD_TEXT,
                                                      pyatspi.ROLE_ENTRY), root=root)

    # -- coordinates and the pointer --------------------------------------

    def center(self, node):
        """Screen coordinates of @node's centre (see the testing notes: extents
        are relative to the CSD frame, which sits inside the X window)."""
        geo = {}
        for line in xdotool("getwindowgeometry", "--shell", self.wid).splitlines():
            k, _, v = line.partition("=")
            geo[k] = int(v)
        f = self.main_frame().queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        ox = geo["X"] + (geo["WIDTH"] - f.width) // 2
        oy = geo["Y"] + (geo["HEIGHT"] - f.height) // 2
        e = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        return ox + e.x + e.width // 2, oy + e.y + e.height // 2

    def drag(self, source, target, hover=None):
        """A real pointer drag from @source to @target (the recipe that works
        with GTK 4.8 under Xvfb: small steps past the threshold, a move onto
        the target, one more move inside it, a pause, release).  @hover is
        called while the pointer rests over the target, before release."""
        sx, sy = self.center(source)
        return self.drag_from(sx, sy, target, hover=hover)

    def drag_from(self, sx, sy, target, hover=None):
        """The same drag, from the screen point @sx, @sy (which may be in
        another application's window) to @target."""
        tx, ty = self.center(target)
        xdotool("mousemove", sx, sy)
        time.sleep(0.15)
        xdotool("mousedown", 1)
        for d in (5, 10, 20, 40):
            xdotool("mousemove", sx + d, sy)
            time.sleep(0.06)
        xdotool("mousemove", tx, ty)
        time.sleep(0.15)
        xdotool("mousemove", tx + 5, ty + 2)
        time.sleep(0.3)
        result = None
        if hover is not None:
            result = hover()
        xdotool("mouseup", 1)
        time.sleep(0.3)
        return result

    # -- Ferry-specific steps --------------------------------------------

    def row(self, name, prefix=True, timeout=WAIT):
        """An inventory row by its accessible name ("VM web-01, running on lyon-1")."""
        return self.find_named(name, root=self.main_frame(), timeout=timeout, prefix=prefix)

    def add_pool(self, url, user, password, remember=False, expect_certificate=False, tap=None):
        """Fills the Add Pool dialog like a person and presses Connect.
        Returns the dialog frame (still open if connecting failed)."""
        self.press(self.button("Add Pool", root=self.main_frame()))
        dialog = wait_for(lambda: self.frame("Add Pool"))
        if dialog is None:
            raise RuntimeError("the Add Pool dialog did not open")
        entries = wait_for(lambda: self.text_entries(dialog) if len(self.text_entries(dialog)) >= 3 else None)
        if entries is None:
            raise RuntimeError("the Add Pool dialog has no entries")
        address, username, pw = entries[0], entries[1], entries[2]
        self.set_text(address, url)
        self.set_text(username, user)
        self.set_text(pw, password)
        switch = self.find(lambda n: n.getRole() in (pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_SWITCH,
                                                      pyatspi.ROLE_CHECK_BOX) and clean_name(n.name) == "Remember",
                           root=dialog, timeout=5)
        if switch is not None:
            def checked():
                return switch.getState().contains(pyatspi.STATE_CHECKED)
            if checked() != remember:
                self.press(switch)
                if wait_for(lambda: checked() == remember, timeout=5) is None and remember:
                    raise RuntimeError("the Remember switch did not turn on")
        self.press(self.button("Connect", root=dialog))
        return dialog

    QUIT_QUESTION = "Quit Ferry?"

    def close(self, timeout=60):
        """Ends Ferry like a person who wants it gone: Quit (Ctrl+Q), answering
        "Quit" if Ferry asks because migrations run or wait, and returns
        Ferry's exit status.  Under AddressSanitizer a leak makes it non-zero,
        so tests that end this way also check for leaks."""
        return self.quit(timeout=timeout)

    def press_quit(self):
        """Ctrl+Q in the main window (app.quit): Ferry quits, or asks first."""
        # The main window itself: a drag leaves an unmapped-looking X window
        # called "Ferry" behind, which focus_window() could pick.
        subprocess.run(["xdotool", "windowfocus", "--sync", self.wid], timeout=30, check=False)
        time.sleep(0.2)
        xdotool("key", "ctrl+q")

    def quit(self, timeout=60, answer="Quit"):
        """Ctrl+Q in the main window; if Ferry asks, presses @answer.  Returns
        the exit status, or None if Ferry still runs after @timeout."""
        self.press_quit()
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            question = self.frame(self.QUIT_QUESTION)
            if question is not None:
                button = self.button(answer, root=question, timeout=5)
                if button is not None:
                    self.press(button)
                    if answer != "Quit":
                        return None
            time.sleep(0.3)
        return self.wait_exit(max(1, deadline - time.monotonic()))

    def close_window(self):
        """Presses the window's Close button.  With no migration running or
        waiting Ferry then exits; else it carries on in the background."""
        self.press(self.button("Close", root=self.main_frame()))

    def wait_exit(self, timeout=60):
        """Ferry's exit status once it has exited by itself (criticals other
        than the known ones make it non-zero), or None after @timeout."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        time.sleep(0.2)   # let the stderr reader see the last lines
        if self.criticals:
            print("# criticals from ferry: %s" % "; ".join(self.criticals))
            return status or 1
        return status

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def require_display(tap):
    if not os.environ.get("DISPLAY"):
        print("1..0 # SKIP no X display (run the tests under xvfb-run)")
        sys.exit(0)
    if not FERRY or not FERRY_SIM:
        tap.bail("FERRY and FERRY_SIM must be set")


def run(main):
    """Runs main(tap) with a hard timeout of its own and TAP output."""
    tap = Tap()
    require_display(tap)

    def on_alarm(signum, frame):
        raise TimeoutError("the test ran out of time")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(os.environ.get("FERRY_TEST_TIMEOUT", "170")))
    try:
        main(tap)
    except Exception as e:                     # report, then fail
        import traceback
        tap.ok(False, "no exception: %s" % e)
        tap.diag(traceback.format_exc())
    finally:
        signal.alarm(0)
    sys.exit(tap.done())
