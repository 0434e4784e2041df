#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# ferryctl end to end: the real executable against the real ferry-sim over
# HTTP(S) on loopback, with the keyring of the test wrapper.  One group of
# tests per run (argv[1]), each with its own simulator, so that meson can run
# the groups in parallel.  Output is TAP.
#
# Every wait is bounded: ferryctl runs under a timeout, the simulator must say
# "ready" within a minute, and polls give up after generous limits.

import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

FERRYCTL = os.environ.get('FERRYCTL')
FERRY_SIM = os.environ.get('FERRY_SIM')

RUN_TIMEOUT = 90          # one ferryctl command, at most
SIM_START_TIMEOUT = 60

UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
FINGERPRINT_RE = re.compile(r'(?:[0-9A-F]{2}:){31}[0-9A-F]{2}')

PROMPT = 'OK to migrate without shared storage? [y/N] '

# A password no file, path or name in the tree could contain by chance.
UNIQUE_PASSWORD = 'Qv7-zr2k-Wp9x-unguessable'


class Failure(Exception):
    pass


def check(condition, message, *results):
    if not condition:
        details = [message]
        for r in results:
            details.append(str(r))
        raise Failure('\n'.join(details))


class Result:
    def __init__(self, args, rc, out, err, seconds):
        self.args, self.rc, self.out, self.err, self.seconds = args, rc, out, err, seconds

    def __str__(self):
        return ('$ ferryctl %s\n  exit %s after %.1f s\n  stdout: %s\n  stderr: %s' %
                (' '.join(self.args), self.rc, self.seconds,
                 self.out.strip().replace('\n', '\n          ')[:4000],
                 self.err.strip().replace('\n', '\n          ')[:4000]))


class Env:
    """Environment for ferryctl: the wrapper's keyring and a private,
    persistent GSettings keyfile (the suite default is the memory backend,
    which would forget "server add" when the process ends)."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix='ferryctl-test-')
        self.config = os.path.join(self.tmp, 'config')
        self.cache = os.path.join(self.tmp, 'cache')
        os.makedirs(self.config)
        os.makedirs(self.cache)
        self.env = dict(os.environ)
        self.env.update({
            'GSETTINGS_BACKEND': 'keyfile',
            'XDG_CONFIG_HOME': self.config,
            'XDG_CACHE_HOME': self.cache,
            'LC_ALL': 'C.UTF-8',
            # Loopback needs no proxy.  GIO's libproxy module throws C++
            # exceptions in a worker thread, which an ASan build of ferryctl
            # cannot intercept (libstdc++ is loaded after ASan starts).
            'GIO_USE_PROXY_RESOLVER': 'dummy',
        })
        # LeakSanitizer's tracer crashes on the thread-local storage of
        # dlopen'ed modules (glib-networking's TLS backend) unless told not
        # to follow __tls_get_addr; leak checking itself stays on.
        lsan = self.env.get('LSAN_OPTIONS', '')
        if 'intercept_tls_get_addr' not in lsan:
            self.env['LSAN_OPTIONS'] = (lsan + ':' if lsan else '') + 'intercept_tls_get_addr=0'
        self.env.pop('COLUMNS', None)
        self.outputs = []   # everything ferryctl printed, for the secret check

    def run(self, *args, input=None, timeout=RUN_TIMEOUT):
        start = time.monotonic()
        try:
            p = subprocess.run([FERRYCTL, *args], input=input, capture_output=True, text=True,
                               timeout=timeout, env=self.env, stdin=None if input is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise Failure('ferryctl %s did not finish within %d s (stdout %r, stderr %r)' %
                          (' '.join(args), timeout, e.stdout, e.stderr))
        r = Result(args, p.returncode, p.stdout, p.stderr, time.monotonic() - start)
        self.outputs.append(p.stdout + p.stderr)
        return r

    def keyfile_text(self):
        path = os.path.join(self.config, 'glib-2.0', 'settings', 'keyfile')
        try:
            with open(path, encoding='utf-8') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class Sim:
    def __init__(self, tmp, *args, scenario='demo'):
        self.log_path = os.path.join(tmp, 'sim-%d.log' % id(self))
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen([FERRY_SIM, '--scenario', scenario, '--enable-control', *args],
                                     stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        self.pools = {}
        # Raw reads: a buffered readline() would hide lines from select().
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + SIM_START_TIMEOUT
        buf = b''
        ready = False
        while not ready:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise Failure('ferry-sim did not become ready within %d s' % SIM_START_TIMEOUT)
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                continue
            chunk = os.read(fd, 4096)
            if chunk == b'':
                self.stop()
                raise Failure('ferry-sim exited before "ready":\n' + self.log_text())
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                line = line.decode().strip()
                if line == 'ready':
                    ready = True
                    break
                m = re.match(r'^pool (\S+) (\S+)$', line)
                if m:
                    self.pools[m.group(1)] = m.group(2)
        self.https = any(u.startswith('https:') for u in self.pools.values())
        self.fingerprint = None
        if self.https:
            # The simulator prints its certificate's fingerprint on stderr.
            for _ in range(50):
                m = re.search(r'certificate SHA-256 (' + FINGERPRINT_RE.pattern + ')', self.log_text())
                if m:
                    self.fingerprint = m.group(1)
                    break
                time.sleep(0.1)

    def log_text(self):
        self.log.flush()
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def url(self, pool):
        return self.pools[pool]

    def control(self, command, pool=None):
        url = self.pools[pool or next(iter(self.pools))] + '/sim/control'
        context = ssl._create_unverified_context() if url.startswith('https:') else None
        req = urllib.request.Request(url, data=json.dumps(command).encode(), method='POST',
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=30, context=context) as r:
            reply = json.loads(r.read().decode())
        check(reply.get('ok') is True, 'control %r failed: %r' % (command, reply))
        return reply

    def calls(self, pool, clear=False):
        return self.control({'command': 'calls', 'pool': pool, 'clear': clear})['calls']

    def methods(self, pool, clear=False):
        return [c['method'] for c in self.calls(pool, clear)]

    def xapi(self, pool, method, *params):
        """A plain JSON-RPC call, for facts ferryctl does not print."""
        url = self.pools[pool] + '/jsonrpc'
        context = ssl._create_unverified_context() if url.startswith('https:') else None

        def call(m, p):
            body = json.dumps({'jsonrpc': '2.0', 'method': m, 'params': list(p), 'id': 1}).encode()
            req = urllib.request.Request(url, data=body, method='POST',
                                         headers={'Content-Type': 'application/json'})
            with urllib.request.urlopen(req, timeout=30, context=context) as r:
                reply = json.loads(r.read().decode())
            check('result' in reply, '%s failed: %r' % (m, reply))
            return reply['result']

        session = call('session.login_with_password', ['root', self.password, '1.0', 'ferryctl-test'])
        try:
            return call(method, [session, *params])
        finally:
            call('session.logout', [session])

    password = 'ferry'

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def one_off(sim, pool):
    return ['--server', sim.url(pool), '--user', 'root', '--password-stdin']


def list_json(env, sim=None, pool='Lyon', saved=False):
    if saved:
        r = env.run('list', '--json')
    else:
        r = env.run('list', '--json', *one_off(sim, pool), input=sim.password + '\n')
    check(r.rc == 0, 'list --json failed', r)
    try:
        return json.loads(r.out)
    except ValueError as e:
        raise Failure('list --json is not JSON: %s\n%s' % (e, r))


def all_pools_json(env, sim):
    """Both demo pools through the one-off form (one pool per run)."""
    pools = []
    for name in sorted(sim.pools):
        pools += list_json(env, sim, name)['pools']
    return pools


def find_vm(pools, name):
    found = [(p, v) for p in pools for v in p['vms'] if v['name_label'] == name]
    check(len(found) == 1, 'expected one VM %s, found %d' % (name, len(found)))
    return found[0]


def host_uuid(pools, name):
    found = [h['uuid'] for p in pools for h in p['hosts'] if h['name_label'] == name]
    check(len(found) == 1, 'expected one host %s' % name)
    return found[0]


def host_name(pools, uuid):
    for p in pools:
        for h in p['hosts']:
            if h['uuid'] == uuid:
                return h['name_label']
    return None


def sr_name(pools, uuid):
    for p in pools:
        for s in p['srs']:
            if s['uuid'] == uuid:
                return s['name_label']
    return None


def wait_for(predicate, what, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure('timed out after %d s waiting for %s' % (timeout, what))
        time.sleep(interval)


def keyring_lookup(url, user):
    import gi
    gi.require_version('Secret', '1')
    from gi.repository import Secret
    schema = Secret.Schema.new('io.github.xenferry.Ferry.Password', Secret.SchemaFlags.NONE,
                               {'url': Secret.SchemaAttributeType.STRING,
                                'username': Secret.SchemaAttributeType.STRING})
    return Secret.password_lookup_sync(schema, {'url': url, 'username': user}, None)


def have_private_keyring():
    # The 'ci' test setup runs every test in a private D-Bus session with an
    # unlocked gnome-keyring; never touch a developer's own keyring.
    return bool(os.environ.get('CI_DBUS_CONFIG')) and bool(os.environ.get('DBUS_SESSION_BUS_ADDRESS'))


def migrate_send_calls(methods):
    return [m for m in methods if m.endswith('VM.migrate_send')]


def expected_in(expected, output):
    if isinstance(expected, re.Pattern):
        return expected.search(output.decode(errors='replace')) is not None
    return expected.encode() in output


def run_on_pty(env, args, answers=(), timeout=RUN_TIMEOUT, columns=100):
    """Runs ferryctl with stdin, stdout and stderr on a pseudo-terminal.
    @answers: (text or compiled regex to wait for, text to type, or a
    function that returns it) pairs, in order.  Returns (exit status, everything the terminal showed)."""
    import fcntl
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(FERRYCTL, [FERRYCTL, *args], env.env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 30, columns, 0, 0))
    output = b''
    pending = list(answers)
    deadline = time.monotonic() + timeout
    status = None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                raise Failure('ferryctl %s on a terminal did not finish within %d s; it showed:\n%s' %
                              (' '.join(args), timeout, output.decode(errors='replace')))
            ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b''
                if chunk == b'':
                    break
                output += chunk
                while pending and expected_in(pending[0][0], output):
                    typed = pending.pop(0)[1]
                    # A callable does what must happen at that point first,
                    # then says what to type.
                    os.write(fd, (typed() if callable(typed) else typed).encode())
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    text = output.decode(errors='replace')
    env.outputs.append(text)
    check(not pending, 'ferryctl never showed %r; it showed:\n%s' % (pending[0][0] if pending else '', text))
    return os.waitstatus_to_exitcode(status), text


# ---------------------------------------------------------------------------
# Tests.  Each group gets (env, sim) and registers its tests in order.

GROUPS = {}


def test(group, needs_keyring=False):
    def register(func):
        GROUPS.setdefault(group, []).append((func, needs_keyring))
        return func
    return register


# --- basics: version, help, usage errors, connection errors -----------------


@test('basics')
def version_and_help(env, sim):
    r = env.run('--version')
    check(r.rc == 0 and re.match(r'^ferryctl \d+\.\d+', r.out), '--version', r)

    for args in (['--help'], ['help']):
        r = env.run(*args)
        check(r.rc == 0, 'help exits 0', r)
        for command in ('server add', 'server list', 'server remove', 'list', 'migrate',
                        'vm.migrate_pool', 'tasks', 'cancel'):
            check(command in r.out, 'help lists %r' % command, r)
        check('Exit status' in r.out, 'help documents exit statuses', r)

    r = env.run('help', 'migrate')
    check(r.rc == 0, 'help migrate', r)
    for text in ('ferryctl migrate', 'VM HOST', '--sr', '--network', '--migration-network', '--copy',
                 '--compress', '--force', '--yes', '--detach', '--server', '--password-stdin',
                 PROMPT.strip()):
        check(text in r.out, 'help migrate mentions %r' % text, r)

    r = env.run('migrate', '--help')
    check(r.rc == 0 and '--detach' in r.out, 'migrate --help', r)
    r = env.run('server', '--help')
    check(r.rc == 0 and 'server add URL' in r.out, 'server --help', r)
    r = env.run('vm.migrate_pool', '--help')
    check(r.rc == 0 and 'target_host_id=' in r.out, 'vm.migrate_pool --help', r)


@test('basics')
def usage_errors_exit_2(env, sim):
    cases = [
        [],
        ['frobnicate'],
        ['--server', 'x', 'list'],
        ['list', '--bogus'],
        ['list', 'extra'],
        ['tasks', 'extra'],
        ['migrate'],
        ['migrate', 'only-a-vm'],
        ['migrate', 'a', 'b', 'c'],
        ['server'],
        ['server', 'frob'],
        ['server', 'add'],
        ['server', 'add', 'http://127.0.0.1:9'],
        ['server', 'add', 'ftp://example.com', '--user', 'root'],
        ['server', 'list', 'extra'],
        ['server', 'remove'],
        ['server', 'remove', 'https://never-added.example.com'],
        ['cancel'],
        ['vm.migrate_pool'],
        ['vm.migrate_pool', 'id=x'],
        ['vm.migrate_pool', 'id=x', 'target_host_id=y', 'bogus=1'],
        ['vm.migrate_pool', 'id=x', 'target_host_id=y', 'target_host_id=z'],
        ['vm.migrate_pool', 'id=', 'target_host_id=y'],
        ['vm.migrate_pool', 'not-key-value'],
        ['list', '--server', 'http://127.0.0.1:9'],                  # no --user
        ['list', '--user', 'root'],                                  # --user without --server
        ['list', '--server', 'http://127.0.0.1:9', '--user', 'root', '--timeout', '0'],
        ['help', 'frobnicate'],
    ]
    for args in cases:
        r = env.run(*args)
        check(r.rc == 2, 'usage error must exit 2', r)
        check(r.err.strip() != '', 'usage error explains itself on stderr', r)
        check('Traceback' not in r.err and 'CRITICAL' not in r.err and 'WARNING' not in r.err,
              'no warnings on a usage error', r)

    # The password must come from stdin or a terminal: stdin here is empty.
    r = env.run('list', *one_off(sim, 'Lyon'), input='')
    check(r.rc == 2 and 'password' in r.err.lower(), 'empty --password-stdin', r)
    r = env.run('list', '--server', sim.url('Lyon'), '--user', 'root')
    check(r.rc == 2 and '--password-stdin' in r.err, 'no password and no terminal', r)


@test('basics')
def nothing_saved(env, sim):
    r = env.run('list')
    check(r.rc == 1 and 'server add' in r.err, 'list with no saved server says how to add one', r)
    r = env.run('server', 'list')
    check(r.rc == 0 and r.out == '', 'server list with nothing saved prints nothing on stdout', r)
    r = env.run('server', 'list', '--json')
    check(r.rc == 0 and json.loads(r.out) == {'servers': []}, 'server list --json with nothing saved', r)


@test('basics')
def wrong_password(env, sim):
    r = env.run('list', *one_off(sim, 'Lyon'), input='not-the-password\n')
    check(r.rc == 1, 'wrong password exits 1', r)
    lines = [l for l in r.err.splitlines() if l.strip()]
    check(len(lines) == 1, 'one sentence on stderr', r)
    check('password' in r.err.lower(), 'the sentence speaks of the password', r)
    check(r.out == '', 'nothing on stdout', r)
    check(r.seconds < 30, 'answers quickly', r)

    r = env.run('list', '--server', sim.url('Lyon'), '--user', 'nobody', '--password-stdin', input='ferry\n')
    check(r.rc == 1 and r.out == '', 'unknown user exits 1', r)


@test('basics')
def unreachable_and_silent_hosts(env, sim):
    # Nothing listens there: refused at once.
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    r = env.run('list', '--server', 'http://127.0.0.1:%d' % port, '--user', 'root', '--password-stdin',
                input='ferry\n')
    check(r.rc == 1 and 'http://127.0.0.1:%d' % port in r.err, 'unreachable host exits 1 naming it', r)
    check(len([l for l in r.err.splitlines() if l.strip()]) == 1, 'one sentence', r)
    check(r.seconds < 30, 'refused connection fails fast', r)

    # Something accepts the connection and never answers: the timeout ends it.
    silent = socket.socket()
    silent.bind(('127.0.0.1', 0))
    silent.listen(8)
    accepted = []

    def accept_forever():
        try:
            while True:
                accepted.append(silent.accept()[0])
        except OSError:
            pass

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        url = 'http://127.0.0.1:%d' % silent.getsockname()[1]
        r = env.run('list', '--server', url, '--user', 'root', '--password-stdin', '--timeout', '2',
                    input='ferry\n', timeout=60)
        check(r.rc == 1, 'silent host exits 1', r)
        check('2 seconds' in r.err, 'says it waited 2 seconds', r)
        check(r.seconds < 20, 'bounded by --timeout (plus a grace period)', r)
    finally:
        silent.close()
        for c in accepted:
            c.close()


@test('basics')
def follow_master_only_when_asked(env, sim):
    # A supporter's address over plain HTTP, on a first login: the pool's
    # hosts are not known yet, so the password does not follow HOST_IS_SLAVE
    # unless --follow-master says so.  lyon-2 first names Paris's master, so
    # that whether a login arrived there can be told apart.
    supporter = sim.url('Lyon').replace('127.0.1.1', '127.0.1.2')
    paris_master = sim.url('Paris').split('//', 1)[1].rsplit(':', 1)[0]
    check(supporter != sim.url('Lyon'), 'the supporter URL differs from the master one')
    sim.control({'command': 'redirect', 'pool': 'Lyon', 'host': 'lyon-2', 'to_pool': 'Paris'})
    try:
        sim.calls('Paris', clear=True)
        r = env.run('list', '--server', supporter, '--user', 'root', '--password-stdin', input='ferry\n')
        check(r.rc == 1, 'a redirect to an unknown host: exit 1', r)
        check(r.out == '', 'nothing on stdout', r)
        check(paris_master in r.err, 'the sentence names the address', r)
        check('not a known host of this pool' in r.err, 'and says why it did not follow', r)
        check('--follow-master' in r.err, 'and how to go on', r)
        check('session.login_with_password' not in sim.methods('Paris'),
              'no login (no password) reached the address it named')
    finally:
        sim.control({'command': 'redirect', 'pool': 'Lyon', 'host': 'lyon-2'})

    r = env.run('list', '--server', supporter, '--user', 'root', '--password-stdin', input='ferry\n')
    check(r.rc == 1 and '127.0.1.1' in r.err, 'without the flag, even to the real master: refused', r)
    r = env.run('list', '--server', supporter, '--user', 'root', '--password-stdin', '--follow-master',
                input='ferry\n')
    check(r.rc == 0 and 'Pool Lyon' in r.out, 'with --follow-master it follows to the master', r)
    check('127.0.1.1' in r.err, 'saying where it sent the login', r)

    r = env.run('list', '--help')
    check(r.rc == 0 and '--follow-master' in r.out, 'list --help documents --follow-master', r)
    r = env.run('server', 'add', '--help')
    check(r.rc == 0 and '--follow-master' in r.out, 'server add --help documents --follow-master', r)


# --- servers: add / list / remove, certificates, keyring --------------------


@test('servers', needs_keyring=True)
def unknown_certificate_is_refused(env, sim):
    check(sim.fingerprint is not None, 'the simulator printed its fingerprint:\n' + sim.log_text())
    url = sim.url('Lyon')
    r = env.run('server', 'add', url, '--user', 'root', '--password-stdin', input='ferry\n')
    check(r.rc == 1, 'unknown certificate: exit 1', r)
    check(sim.fingerprint in r.err, 'prints the SHA-256 fingerprint the host presents', r)
    check('--trust-certificate' in r.err, 'tells how to go on', r)
    r = env.run('server', 'list', '--json')
    check(json.loads(r.out) == {'servers': []}, 'nothing was saved', r)
    check(keyring_lookup(url, 'root') is None, 'no password in the keyring')

    # The one-off form refuses it the same way, and takes --trust-certificate or --fingerprint.
    r = env.run('list', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 1 and sim.fingerprint in r.err, 'one-off: unknown certificate refused', r)
    r = env.run('list', *one_off(sim, 'Lyon'), '--trust-certificate', input='ferry\n')
    check(r.rc == 0 and 'Pool Lyon' in r.out, 'one-off with --trust-certificate', r)
    r = env.run('list', *one_off(sim, 'Lyon'), '--fingerprint', sim.fingerprint, input='ferry\n')
    check(r.rc == 0 and 'Pool Lyon' in r.out, 'one-off with the right --fingerprint', r)
    wrong = ':'.join(['AB'] * 32)
    r = env.run('list', *one_off(sim, 'Lyon'), '--fingerprint', wrong, input='ferry\n')
    check(r.rc == 1 and 'CHANGED' in r.err, 'one-off with another --fingerprint is refused loudly', r)
    r = env.run('server', 'list', '--json')
    check(json.loads(r.out) == {'servers': []}, 'the one-off form saved nothing', r)


@test('servers', needs_keyring=True)
def add_trusts_and_saves(env, sim):
    url = sim.url('Lyon')
    r = env.run('server', 'add', url, '--user', 'root', '--password-stdin', '--trust-certificate',
                input='ferry\n')
    check(r.rc == 0, 'server add --trust-certificate', r)
    check('Lyon' in r.out and sim.fingerprint in r.out, 'says what was saved and pinned', r)

    r = env.run('server', 'list', '--json')
    servers = json.loads(r.out)['servers']
    check(servers == [{'url': url, 'username': 'root', 'fingerprint': sim.fingerprint, 'label': 'Lyon'}],
          'server list --json', r)
    r = env.run('server', 'list')
    check(r.rc == 0, 'server list', r)
    lines = r.out.splitlines()
    check(len(lines) == 2 and lines[0].startswith('URL'), 'a header and one server', r)
    for text in (url, 'root', 'Lyon', sim.fingerprint):
        check(text in lines[1], 'server list shows %s' % text, r)
    check(keyring_lookup(url, 'root') == 'ferry', 'the password is in the keyring')
    check(url in env.keyfile_text(), 'the server is in the settings')

    r = env.run('server', 'add', sim.url('Paris'), '--user', 'root', '--password-stdin', '--trust-certificate',
                input='ferry\n')
    check(r.rc == 0, 'second server', r)

    # Saved servers need no password on the command line.
    r = env.run('list')
    check(r.rc == 0 and 'Pool Lyon' in r.out and 'Pool Paris' in r.out, 'list over saved servers', r)
    data = list_json(env, saved=True)
    check(sorted(p['name_label'] for p in data['pools']) == ['Lyon', 'Paris'], 'both pools in --json')


@test('servers', needs_keyring=True)
def changed_certificate_is_refused(env, sim):
    url = sim.url('Lyon')
    pinned = sim.fingerprint
    reply = sim.control({'command': 'change_certificate'})
    new = reply['fingerprint']
    check(new != pinned, 'the simulator changed its certificate')

    # One simulator, one certificate: both saved servers changed.
    r = env.run('list')
    check(r.rc == 1, 'list with a changed certificate exits 1', r)
    check(url in r.err and sim.url('Paris') in r.err, 'names the servers whose certificate changed', r)
    check('CHANGED' in r.err and new in r.err, 'loudly, with the new fingerprint', r)
    check(r.out == '', 'lists nothing it cannot trust', r)

    r = env.run('server', 'add', url, '--user', 'root', '--password-stdin', '--trust-certificate',
                input='ferry\n')
    check(r.rc == 1 and 'CHANGED' in r.err, 'server add does not accept a changed certificate', r)
    check(new in r.err, 'shows the new fingerprint', r)
    r = env.run('server', 'list', '--json')
    saved = {s['url']: s for s in json.loads(r.out)['servers']}
    check(saved[url]['fingerprint'] == pinned, 'the pinned fingerprint is unchanged', r)


@test('servers', needs_keyring=True)
def remove_forgets_server_and_password(env, sim):
    url = sim.url('Lyon')
    check(keyring_lookup(url, 'root') == 'ferry', 'password saved before removal')
    r = env.run('server', 'remove', url)
    check(r.rc == 0 and url in r.out, 'server remove', r)
    r = env.run('server', 'list', '--json')
    urls = [s['url'] for s in json.loads(r.out)['servers']]
    check(urls == [sim.url('Paris')], 'only Paris is left', r)
    check(keyring_lookup(url, 'root') is None, 'the password left the keyring')
    r = env.run('server', 'remove', url)
    check(r.rc == 2, 'removing it again is a usage error', r)


# --- list: text and JSON -----------------------------------------------------

DEMO_VMS = {
    'Lyon': {'web-01', 'web-02', 'db-01', 'mail', 'build-runner', 'monitoring', 'dns-01', 'proxy', 'backup'},
    'Paris': {'app-paris-01', 'db-paris', 'ci-worker', 'legacy-erp'},
}
DEMO_HOSTS = {'Lyon': {'lyon-1', 'lyon-2', 'lyon-3'}, 'Paris': {'paris-1', 'paris-2'}}


def validate_list_json(data):
    check(isinstance(data, dict) and list(data) == ['pools'], 'one object with "pools"', data)
    for pool in data['pools']:
        check(set(pool) == {'uuid', 'name_label', 'master', 'default_SR', 'hosts', 'srs', 'networks', 'vms'},
              'pool members', pool.keys())
        check(UUID_RE.match(pool['uuid']), 'pool uuid')
        hosts = {h['uuid']: h for h in pool['hosts']}
        srs = {s['uuid']: s for s in pool['srs']}
        for h in pool['hosts']:
            check(set(h) == {'uuid', 'name_label', 'address'} and UUID_RE.match(h['uuid']), 'host shape', h)
            check(isinstance(h['address'], str) and h['address'], 'host address', h)
        for s in pool['srs']:
            check(set(s) == {'uuid', 'name_label', 'shared'} and isinstance(s['shared'], bool), 'SR shape', s)
        for n in pool['networks']:
            check(set(n) == {'uuid', 'name_label'} and UUID_RE.match(n['uuid']), 'network shape', n)
        check(pool['master'] in hosts, 'master is the uuid of one of its hosts', pool['master'])
        check(pool['default_SR'] is None or pool['default_SR'] in srs, 'default_SR is an SR uuid or null')
        for v in pool['vms']:
            check(set(v) == {'uuid', 'name_label', 'power_state', 'resident_on', 'affinity', 'disks'}, 'VM members', v)
            check(UUID_RE.match(v['uuid']), 'VM uuid', v)
            if v['power_state'] in ('Halted', 'Suspended'):
                check(v['resident_on'] is None, 'a halted or suspended VM is resident nowhere', v)
            else:
                check(v['resident_on'] in hosts, 'resident_on is a host uuid', v)
            check(v['affinity'] is None or v['affinity'] in hosts, 'affinity is a host uuid or null', v)
            for d in v['disks']:
                check(set(d) == {'vdi', 'sr', 'virtual_size'}, 'disk members', d)
                check(UUID_RE.match(d['vdi']) and d['sr'] in srs, 'disk references are uuids', d)
                check(isinstance(d['virtual_size'], int) and d['virtual_size'] > 0, 'virtual_size is a number', d)


@test('list')
def list_json_shape(env, sim):
    r = env.run('list', '--json', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'list --json', r)
    data = json.loads(r.out)      # exactly one JSON document, nothing else on stdout
    validate_list_json(data)
    check(len(data['pools']) == 1, 'the one-off form lists its one pool')

    pools = all_pools_json(env, sim)
    validate_list_json({'pools': pools})
    by_name = {p['name_label']: p for p in pools}
    check(set(by_name) == {'Lyon', 'Paris'}, 'both pools', by_name.keys())
    for name, pool in by_name.items():
        check({v['name_label'] for v in pool['vms']} == DEMO_VMS[name],
              'VMs of %s (no templates, snapshots or control domains)' % name,
              sorted(v['name_label'] for v in pool['vms']))
        check({h['name_label'] for h in pool['hosts']} == DEMO_HOSTS[name], 'hosts of %s' % name)
        check({n['name_label'] for n in pool['networks']} >=
              {'Pool-wide network associated with eth0', 'DMZ'}, 'networks of %s' % name)
        check(host_name(pools, pool['master']) == name.lower() + '-1', 'master of %s' % name)
    check(sr_name(pools, by_name['Lyon']['default_SR']) == 'Lyon NFS', 'Lyon default SR')
    check(sr_name(pools, by_name['Paris']['default_SR']) == 'Local storage paris-1', 'Paris default SR')
    nfs = [s for s in by_name['Lyon']['srs'] if s['name_label'] == 'Lyon NFS']
    check(len(nfs) == 1 and nfs[0]['shared'] is True, 'Lyon NFS is shared')
    local = [s for s in by_name['Paris']['srs'] if s['name_label'] == 'Local storage paris-2']
    check(len(local) == 1 and local[0]['shared'] is False, 'local SR is not shared')

    _, backup = find_vm(pools, 'backup')
    check(backup['power_state'] == 'Halted' and backup['resident_on'] is None, 'backup is halted')
    _, db = find_vm(pools, 'db-01')
    check(db['power_state'] == 'Running' and host_name(pools, db['resident_on']) == 'lyon-1', 'db-01 on lyon-1')
    check(sorted(d['virtual_size'] for d in db['disks']) == [16 << 30, 64 << 30], 'db-01 disk sizes', db)
    check({sr_name(pools, d['sr']) for d in db['disks']} == {'Local storage lyon-1'}, 'db-01 disks SR', db)


@test('list')
def list_text(env, sim):
    r = env.run('list', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'list', r)
    out = r.out
    for text in ['Pool Lyon', 'Host lyon-1', 'Host lyon-2', 'Host lyon-3', 'Lyon NFS', 'default', 'DMZ',
                 'Local storage lyon-1', 'Not running'] + sorted(DEMO_VMS['Lyon']):
        check(text in out, 'list shows %r' % text, r)
    for text in ('Debian Bookworm 12', 'web-template', 'web-01 before upgrade', 'Control domain'):
        check(text not in out, 'list hides %r' % text, r)

    lines = out.splitlines()
    # The VMs of a pool line up: their power state starts in one column.
    columns = set()
    for line in lines:
        m = re.match(r'^    (\S.*?\S)\s+(Running|Halted)\s', line)
        if m:
            columns.add(line.index(m.group(2), len(m.group(1)) + 4))
    check(len(columns) == 1, 'VM columns are aligned', r)
    backup = [l for l in lines if l.strip().startswith('backup ')]
    check(len(backup) == 1 and 'Halted' in backup[0], 'backup shown as halted', r)
    web = [l for l in lines if l.strip().startswith('web-01 ')]
    check(len(web) == 1 and 'Running' in web[0] and re.search(r' 2 GiB(\s|$)', web[0]),
          'web-01 with state and memory, worded as in the window ("2 GiB")', r)
    # A VM appears under the host it runs on.
    host = None
    for line in lines:
        if line.startswith('  Host '):
            host = line.split()[1]
        elif line.strip().startswith('db-01 '):
            check(host == 'lyon-1', 'db-01 is listed under lyon-1', r)


@test('list', needs_keyring=True)
def list_saved_matches_one_off(env, sim):
    for name in ('Lyon', 'Paris'):
        r = env.run('server', 'add', sim.url(name), '--user', 'root', '--password-stdin', input='ferry\n')
        check(r.rc == 0, 'server add (http, no certificate)', r)
    saved = list_json(env, saved=True)['pools']
    validate_list_json({'pools': saved})
    one = all_pools_json(env, sim)

    def key(pools):
        return sorted((p['uuid'], sorted(v['uuid'] for v in p['vms']), sorted(h['uuid'] for h in p['hosts']))
                      for p in pools)
    check(key(saved) == key(one), 'saved servers and the one-off form list the same objects')


@test('list', needs_keyring=True)
def list_with_one_server_down(env, sim):
    # A saved server that does not answer (and has no password in the
    # keyring): the others are still listed, the exit status says 1.
    r = env.run('server', 'list', '--json')
    servers = json.loads(r.out)['servers']
    check(len(servers) == 2, 'two servers saved by the test above', r)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        dead = 'http://127.0.0.1:%d' % s.getsockname()[1]
    entries = [(x['url'], x['username'], x['fingerprint'] or '', x['label'] or '') for x in servers]
    entries.append((dead, 'root', '', ''))
    value = '[' + ', '.join('(%s)' % ', '.join("'%s'" % f for f in e) for e in entries) + ']'
    p = subprocess.run(['gsettings', 'set', 'io.github.xenferry.Ferry', 'servers', value],
                       env=env.env, capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, 'gsettings set: %s' % p.stderr)

    r = env.run('list')
    check(r.rc == 1, 'a missing pool makes the exit status 1', r)
    check('Pool Lyon' in r.out and 'Pool Paris' in r.out, 'the reachable pools are listed', r)
    check(dead in r.err and 'password' in r.err.lower(), 'the dead server is named, with the reason', r)
    r = env.run('list', '--json')
    check(r.rc == 1 and len(json.loads(r.out)['pools']) == 2, 'list --json still prints one object', r)
    r = env.run('server', 'remove', dead)
    check(r.rc == 0, 'remove the dead server', r)


@test('list', needs_keyring=True)
def saved_supporter_needs_follow_master(env, sim):
    # Saved by a supporter's address over plain HTTP: every run starts with a
    # first login there, so following it to the master takes --follow-master
    # each time (the password is read again from the keyring for it).
    supporter = sim.url('Lyon').replace('127.0.1.1', '127.0.1.2')
    r = env.run('server', 'add', supporter, '--user', 'root', '--password-stdin', input='ferry\n')
    check(r.rc == 1 and '127.0.1.1' in r.err and '--follow-master' in r.err,
          'server add refuses to follow without the flag', r)
    r = env.run('server', 'list', '--json')
    check(supporter not in [x['url'] for x in json.loads(r.out)['servers']], 'and saves nothing', r)
    check(keyring_lookup(supporter, 'root') is None, 'no password in the keyring')

    r = env.run('server', 'add', supporter, '--user', 'root', '--password-stdin', '--follow-master',
                input='ferry\n')
    check(r.rc == 0 and 'Lyon' in r.out, 'server add --follow-master saves it', r)
    try:
        r = env.run('list')
        check(r.rc == 1, 'a saved supporter is refused without the flag: exit 1', r)
        check(supporter in r.err and '--follow-master' in r.err, 'naming it and the flag', r)
        r = env.run('list', '--follow-master')
        check(r.rc == 0 and r.out.count('Pool Lyon') == 2, 'list --follow-master connects it too', r)
    finally:
        r = env.run('server', 'remove', supporter)
        check(r.rc == 0, 'remove the supporter', r)


def keyring_store(url, user, password):
    import gi
    gi.require_version('Secret', '1')
    from gi.repository import Secret
    schema = Secret.Schema.new('io.github.xenferry.Ferry.Password', Secret.SchemaFlags.NONE,
                               {'url': Secret.SchemaAttributeType.STRING,
                                'username': Secret.SchemaAttributeType.STRING})
    check(Secret.password_store_sync(schema, {'url': url, 'username': user}, Secret.COLLECTION_DEFAULT,
                                     'ferryctl test', password, None), 'stored a password in the keyring')


@test('list', needs_keyring=True)
def saved_without_user_name(env, sim):
    # A saved server with an empty user name (an older or hand-edited list),
    # with a password in the keyring: XAPI logs no one in without a user
    # name, so ferryctl says so, naming the server, and the password is not
    # sent.  The other saved servers are listed as usual.
    r = env.run('server', 'list', '--json')
    servers = json.loads(r.out)['servers']
    check(len(servers) == 2, 'Lyon and Paris saved by the tests above', r)
    nameless = sim.url('Paris').replace('127.0.2.1', '127.0.2.2')
    keyring_store(nameless, '', 'ferry')
    entries = [(x['url'], x['username'], x['fingerprint'] or '', x['label'] or '') for x in servers]
    entries.append((nameless, '', '', 'Paris'))
    value = '[' + ', '.join('(%s)' % ', '.join("'%s'" % f for f in e) for e in entries) + ']'
    p = subprocess.run(['gsettings', 'set', 'io.github.xenferry.Ferry', 'servers', value],
                       env=env.env, capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, 'gsettings set: %s' % p.stderr)
    try:
        sim.calls('Paris', clear=True)
        r = env.run('list')
        check(r.rc == 1, 'a server that cannot be connected makes the exit status 1', r)
        check('Pool Lyon' in r.out and 'Pool Paris' in r.out, 'the other saved servers are listed', r)
        check(nameless in r.err and 'without a user name' in r.err, 'names the server and says why', r)
        check('password was not sent' in r.err, 'and that its password was not sent', r)
        logins = [c['params'] for c in sim.calls('Paris') if c['method'] == 'session.login_with_password']
        check(logins and all(params[0] == 'root' for params in logins),
              'no login without a user name went out: %r' % logins, r)
    finally:
        r = env.run('server', 'remove', nameless)
        check(r.rc == 0, 'remove the server without a user name', r)
    check(keyring_lookup(nameless, '') is None, 'its password left the keyring')


def pool_requests(sim, pool):
    stats = sim.control({'command': 'stats'})
    return [p for p in stats['pools'] if p['name'] == pool][0]['requests']


@test('list')
def stop_signal_while_connecting(env, sim):
    for signum in (signal.SIGTERM, signal.SIGHUP):
        # The pool takes its time to answer the login.
        sim.control({'command': 'delay', 'pool': 'Lyon', 'seconds': 20, 'count': 1,
                     'method': 'session.login_with_password'})
        before = pool_requests(sim, 'Lyon')
        run = Running(env, 'list', *one_off(sim, 'Lyon'), input='ferry\n')
        # Counted as it arrives (the delayed call is recorded when answered).
        wait_for(lambda: pool_requests(sim, 'Lyon') > before, 'the login to reach the pool', interval=0.05)
        sent = time.monotonic()
        run.proc.send_signal(signum)
        rc = run.wait()
        seconds = time.monotonic() - sent
        check(rc == 128 + signum, '%s: exit status 128 + signal, got %d' % (signum.name, rc), run)
        check(seconds < 1.0, '%s: ended within a second (%.2f s)' % (signum.name, seconds), run)
        check('stopped while connecting' in run.stderr(), '%s: says so' % signum.name, run)


# --- migrate -------------------------------------------------------------------


@test('migrate')
def plain_migration(env, sim):
    sim.calls('Lyon', clear=True)
    r = env.run('migrate', 'web-01', 'lyon-2', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'plain migration exits 0', r)
    check('web-01' in r.out and 'lyon-2' in r.out, 'says where the VM is now', r)
    methods = sim.methods('Lyon')
    check(any(m.endswith('VM.pool_migrate') for m in methods), 'VM.pool_migrate was called', methods)
    check(not migrate_send_calls(methods), 'no storage motion for shared storage', methods)
    pools = list_json(env, sim, 'Lyon')['pools']
    _, vm = find_vm(pools, 'web-01')
    check(host_name(pools, vm['resident_on']) == 'lyon-2', 'web-01 runs on lyon-2 now', vm)


@test('migrate')
def storage_motion_without_terminal_sends_nothing(env, sim):
    sim.calls('Lyon', clear=True)
    r = env.run('migrate', 'db-01', 'lyon-2', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 3, 'no terminal and no --yes: exit 3', r)
    check('Nothing was sent' in r.err and '--yes' in r.err, 'says why and how', r)
    check(PROMPT not in r.err, 'does not ask without a terminal', r)
    methods = sim.methods('Lyon')
    check(not migrate_send_calls(methods), 'no migrate_send', methods)
    check(not any(m.endswith('VM.pool_migrate') for m in methods), 'no pool_migrate either', methods)
    pools = list_json(env, sim, 'Lyon')['pools']
    _, vm = find_vm(pools, 'db-01')
    check(host_name(pools, vm['resident_on']) == 'lyon-1', 'db-01 has not moved', vm)


@test('migrate')
def storage_motion_with_yes(env, sim):
    sim.calls('Lyon', clear=True)
    r = env.run('migrate', 'db-01', 'lyon-2', '--yes', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'storage motion with --yes', r)
    check('Confirmed with --yes' in r.err, 'says it was confirmed by --yes', r)
    check(migrate_send_calls(sim.methods('Lyon')), 'migrate_send was called')
    pools = list_json(env, sim, 'Lyon')['pools']
    _, vm = find_vm(pools, 'db-01')
    check(host_name(pools, vm['resident_on']) == 'lyon-2', 'db-01 runs on lyon-2 now', vm)


@test('migrate', needs_keyring=True)
def cross_pool_with_yes(env, sim):
    for name in ('Lyon', 'Paris'):
        r = env.run('server', 'add', sim.url(name), '--user', 'root', '--password-stdin', input='ferry\n')
        check(r.rc == 0, 'server add', r)
    before = list_json(env, saved=True)['pools']
    pool, vm = find_vm(before, 'web-02')
    check(pool['name_label'] == 'Lyon', 'web-02 starts in Lyon')

    r = env.run('migrate', 'web-02', 'paris-1', '--yes')
    check(r.rc == 0, 'cross-pool migration with --yes', r)
    after = list_json(env, saved=True)['pools']
    pool, moved = find_vm(after, 'web-02')
    check(pool['name_label'] == 'Paris', 'web-02 is in Paris now', pool['name_label'])
    check(moved['uuid'] == vm['uuid'], 'same uuid')
    check(host_name(after, moved['resident_on']) == 'paris-1', 'on paris-1', moved)
    # No default given for the disks: they went to Paris' default SR.
    check({sr_name(after, d['sr']) for d in moved['disks']} == {'Local storage paris-1'}, 'disks on the default SR')

    # Overrides: an SR and a network of the target pool, by name.
    r = env.run('migrate', 'monitoring', 'paris-2', '--sr', 'Local storage paris-2', '--network', 'DMZ',
                '--migration-network', 'Pool-wide network associated with eth0', '--yes')
    check(r.rc == 0, 'migration with --sr and --network', r)
    after = list_json(env, saved=True)['pools']
    pool, moved = find_vm(after, 'monitoring')
    check(pool['name_label'] == 'Paris', 'monitoring moved to Paris')
    check({sr_name(after, d['sr']) for d in moved['disks']} == {'Local storage paris-2'}, 'disks on the SR given')

    # The xo-cli form: uuids, key=value, no confirmation asked.
    pool, dns = find_vm(after, 'dns-01')
    check(pool['name_label'] == 'Lyon', 'dns-01 starts in Lyon')
    r = env.run('vm.migrate_pool', 'id=' + dns['uuid'], 'target_host_id=' + host_uuid(after, 'paris-2'))
    check(r.rc == 0, 'vm.migrate_pool', r)
    check(PROMPT not in r.err, 'vm.migrate_pool does not ask', r)
    after = list_json(env, saved=True)['pools']
    pool, moved = find_vm(after, 'dns-01')
    check(pool['name_label'] == 'Paris' and host_name(after, moved['resident_on']) == 'paris-2',
          'dns-01 is on paris-2')



@test('migrate', needs_keyring=True)
def copy_of_a_halted_vm(env, sim):
    # XAPI copies a halted VM to another pool without --force: a halted
    # copy with a new uuid appears there, the original stays where it was.
    for name in ('Lyon', 'Paris'):
        r = env.run('server', 'add', sim.url(name), '--user', 'root', '--password-stdin', input='ferry\n')
        check(r.rc == 0 or 'already' in r.err, 'server add', r)
    before = list_json(env, saved=True)['pools']
    pool, original = find_vm(before, 'backup')
    check(pool['name_label'] == 'Lyon' and original['power_state'] == 'Halted', 'backup is halted in Lyon', original)
    sim.calls('Lyon', clear=True)

    r = env.run('migrate', 'backup', 'paris-1', '--copy', '--yes')
    check(r.rc == 0, '--copy of a halted VM exits 0', r)
    calls = [c for c in sim.calls('Lyon') if c['method'].endswith('VM.migrate_send')]
    check(len(calls) == 1 and calls[0]['params'][6].get('copy') == 'true', 'one migrate_send with copy=true', calls)

    after = list_json(env, saved=True)['pools']
    found = [(p['name_label'], v) for p in after for v in p['vms'] if v['name_label'] == 'backup']
    lyon = [v for p, v in found if p == 'Lyon']
    paris = [v for p, v in found if p == 'Paris']
    check(len(lyon) == 1 and lyon[0]['uuid'] == original['uuid'], 'the original is still in Lyon', found)
    check(len(paris) == 1 and paris[0]['uuid'] != original['uuid'], 'a copy with a new uuid is in Paris', found)
    check(paris[0]['power_state'] == 'Halted', 'the copy is halted', paris[0])
    expected = 'A halted copy of backup (uuid %s) was made on paris-1; backup stays in the pool Lyon.' % paris[0]['uuid']
    check(expected in r.out, 'says exactly what happened', r)
    check('is now on' not in r.out, 'does not claim the VM moved', r)


@test('migrate')
def migrate_errors(env, sim):
    r = env.run('migrate', 'no-such-vm', 'lyon-2', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 2 and 'no-such-vm' in r.err, 'unknown VM: exit 2', r)
    r = env.run('migrate', 'mail', 'no-such-host', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 2 and 'no-such-host' in r.err, 'unknown host: exit 2', r)
    r = env.run('migrate', 'mail', 'lyon-1', '--sr', 'Atlantis', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 2 and 'Atlantis' in r.err, 'unknown SR: exit 2', r)
    r = env.run('migrate', 'mail', 'lyon-1', '--network', 'Atlantis', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 2 and 'Atlantis' in r.err, 'unknown network: exit 2', r)
    r = env.run('vm.migrate_pool', 'id=no-such-vm', 'target_host_id=lyon-2', *one_off(sim, 'Lyon'),
                input='ferry\n')
    check(r.rc == 2, 'vm.migrate_pool with an unknown VM: exit 2', r)

    # A paused VM stays where it is (XAPI moves running, halted and
    # suspended ones); it runs again afterwards, where it was.
    vm = sim.xapi('Lyon', 'VM.get_by_name_label', 'mail')[0]
    home = sim.xapi('Lyon', 'host.get_name_label', sim.xapi('Lyon', 'VM.get_resident_on', vm))
    sim.control({'command': 'set_power_state', 'vm': 'mail', 'state': 'Paused'})
    sim.calls('Lyon', clear=True)
    r = env.run('migrate', 'mail', 'lyon-3' if home != 'lyon-3' else 'lyon-2', '--yes', *one_off(sim, 'Lyon'),
                input='ferry\n')
    sim.control({'command': 'set_power_state', 'vm': 'mail', 'state': 'Running', 'host': home})
    check(r.rc == 1, 'a paused VM cannot be moved: exit 1', r)
    check('mail' in r.err and 'paused' in r.err and len(r.err.strip()) > 20, 'explained in a sentence', r)
    methods = sim.methods('Lyon')
    check(not migrate_send_calls(methods) and not any(m.endswith('pool_migrate') for m in methods),
          'nothing sent for a failed pre-check', methods)


@test('migrate')
def halted_vm_moves(env, sim):
    # On shared storage: lyon-2 becomes backup's home host, nothing copied.
    sim.calls('Lyon', clear=True)
    r = env.run('migrate', 'backup', 'lyon-2', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'a halted VM on shared storage moves: exit 0', r)
    check('backup now has lyon-2 as its home host.' in r.out, 'says what changed', r)
    check(PROMPT not in r.err, 'nothing to confirm', r)
    calls = sim.calls('Lyon')
    affinity = [c for c in calls if c['method'] == 'VM.set_affinity']
    lyon2 = sim.xapi('Lyon', 'host.get_by_name_label', 'lyon-2')[0]
    vm = sim.xapi('Lyon', 'VM.get_by_name_label', 'backup')[0]
    check(len(affinity) == 1 and affinity[0]['params'][1:] == [vm, lyon2], 'one VM.set_affinity(backup, lyon-2)', calls)
    check(not any('migrate' in c['method'] for c in calls), 'nothing migrated or copied', calls)
    check(sim.xapi('Lyon', 'VM.get_affinity', vm) == lyon2, 'the pool says lyon-2 is its home host')
    pools = list_json(env, sim, 'Lyon')['pools']
    _, listed = find_vm(pools, 'backup')
    check(host_name(pools, listed['affinity']) == 'lyon-2', 'list --json says so too', listed)
    check(sim.xapi('Lyon', 'VM.get_power_state', vm) == 'Halted', 'still halted')

    # On paris-2's local disk, to paris-1: the same question as for a
    # running VM, then migrate_send with live = false.
    sim.calls('Paris', clear=True)
    r = env.run('migrate', 'legacy-erp', 'paris-1', *one_off(sim, 'Paris'), input='ferry\n')
    check(r.rc == 3 and 'Nothing was sent' in r.err, 'storage motion without --yes: exit 3, nothing sent', r)
    check('is halted and will move to paris-1' in r.err, 'the plan says what happens to the halted VM', r)
    check(not migrate_send_calls(sim.methods('Paris')), 'no migrate_send')
    r = env.run('migrate', 'legacy-erp', 'paris-1', '--yes', *one_off(sim, 'Paris'), input='ferry\n')
    check(r.rc == 0, 'with --yes: exit 0', r)
    check('legacy-erp has moved to paris-1; it is still halted.' in r.out, 'says where it is, and that it is halted', r)
    sends = [c for c in sim.calls('Paris') if c['method'].endswith('VM.migrate_send')]
    check(len(sends) == 1 and sends[0]['params'][3] is False, 'one migrate_send, live = false', sends)
    pools = list_json(env, sim, 'Paris')['pools']
    _, moved = find_vm(pools, 'legacy-erp')
    check(moved['power_state'] == 'Halted' and moved['resident_on'] is None, 'halted, on no host', moved)
    check({sr_name(pools, d['sr']) for d in moved['disks']} == {'Local storage paris-1'},
          'its disk is on paris-1\'s local SR', moved)


@test('migrate')
def progress_without_terminal(env, sim):
    # Slow enough for several progress reports, quick enough for a test.
    sim.control({'command': 'set_bandwidth', 'mbps': 8000})
    r = env.run('migrate', 'build-runner', 'lyon-1', '--yes', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'migration', r)
    progress = re.findall(r'^Progress: (\d+) %', r.err, re.M)
    check(progress, 'progress lines without a terminal', r)
    values = [int(p) for p in progress]
    check(values == sorted(set(values)), 'one line per 10 %, increasing', r)
    check(all(v % 10 == 0 for v in values), 'in steps of 10 %', r)
    # Worded as in the window; what is not known yet is left out.
    lines = re.findall(r'^Progress: .*$', r.err, re.M)
    rate, left = r'[\d.]+ [kMG]?B/s', r'(less than 1 min|(\d+ h ?)?(\d+ min)?) left'
    check(all(re.match(r'^Progress: \d+ %%( \((%s|%s|%s, %s)\))?$' % (rate, left, rate, left), l) for l in lines),
          'progress lines say "Progress: 40 % (112.4 MB/s, 2 min left)"', r)
    check('ETA' not in r.err, 'no "ETA" left', r)
    check('\r' not in r.err and '\033[' not in r.err, 'no terminal control codes in a log', r)


@test('migrate')
def failure_is_explained(env, sim):
    sim.control({'command': 'set_bandwidth', 'mbps': 100000})
    sim.control({'command': 'fail_migration', 'vm': 'proxy', 'at': 0.5,
                 'error': ['SR_BACKEND_FAILURE_44', '', 'There is insufficient space', '']})
    r = env.run('migrate', 'proxy', 'lyon-3', '--yes', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 1, 'a failed migration exits 1', r)
    check(re.search(r'migration of proxy failed: \S+( \S+){3,}', r.err), 'explained in a plain sentence', r)
    check(r.out == '', 'nothing on stdout', r)
    pools = list_json(env, sim, 'Lyon')['pools']
    check(host_name(pools, find_vm(pools, 'proxy')[1]['resident_on']) == 'lyon-2', 'proxy stayed on lyon-2')


# --- signals and a stuck event stream ----------------------------------------

class Running:
    """ferryctl started in the background, its stderr collected as it comes."""

    def __init__(self, env, *args, input=None):
        self.args = args
        self.proc = subprocess.Popen([FERRYCTL, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env.env)
        self.err = ''
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if input is not None:
            self.proc.stdin.write(input)
        self.proc.stdin.close()
        self.env = env

    def _read(self):
        for line in self.proc.stderr:
            with self.lock:
                self.err += line

    def stderr(self):
        with self.lock:
            return self.err

    def wait(self, timeout=RUN_TIMEOUT):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure('ferryctl %s did not end within %d s; stderr: %s' %
                          (' '.join(self.args), timeout, self.stderr()))
        self.reader.join(timeout=10)
        out = self.proc.stdout.read()
        self.env.outputs.append(out + self.stderr())
        return rc

    def __str__(self):
        return '$ ferryctl %s\n  stderr: %s' % (' '.join(self.args), self.stderr().strip()[:4000])


def pending_migration_task(sim, pool):
    """(ref, record) of the one pending migration task of @pool, or None."""
    tasks = sim.xapi(pool, 'task.get_all_records')
    pending = [(ref, t) for ref, t in tasks.items() if t['status'] == 'pending']
    check(len(pending) <= 1, 'at most one migration runs', pending)
    return pending[0] if pending else None


def another_host(pools, vm_name, hosts=('lyon-1', 'lyon-2', 'lyon-3')):
    _, vm = find_vm(pools, vm_name)
    here = host_name(pools, vm['resident_on'])
    return [h for h in hosts if h != here][0]


def vm_is_on(env, sim, vm_name, host):
    pools = list_json(env, sim, 'Lyon')['pools']
    return host_name(pools, find_vm(pools, vm_name)[1]['resident_on']) == host


def start_slow_migration(env, sim, vm_name):
    """A migration at 50 MB/s (minutes), once its task has moved: by then
    ferryctl holds the task's reference (the pool answered it long before
    the first half percent)."""
    target = another_host(list_json(env, sim, 'Lyon')['pools'], vm_name)
    sim.control({'command': 'set_bandwidth', 'mbps': 50})
    run = Running(env, 'migrate', vm_name, target, '--yes', *one_off(sim, 'Lyon'), input='ferry\n')
    task = wait_for(lambda: (lambda t: t if t and t[1]['progress'] >= 0.005 else None)(
        pending_migration_task(sim, 'Lyon')), 'the migration of %s to move' % vm_name, interval=0.1)
    return run, target, task[0]


@test('migrate')
def stop_signals_leave_the_migration_to_the_pool(env, sim):
    # web-01 on shared storage, mail with its disk on a local SR.
    for signum, vm_name in ((signal.SIGTERM, 'web-01'), (signal.SIGHUP, 'mail')):
        run, target, task = start_slow_migration(env, sim, vm_name)
        sent = time.monotonic()
        run.proc.send_signal(signum)
        rc = run.wait()
        seconds = time.monotonic() - sent
        check(rc == 128 + signum, '%s: exit status 128 + signal, got %d' % (signum.name, rc), run)
        check(seconds < 1.0, '%s: ended within a second (%.2f s)' % (signum.name, seconds), run)
        check('stopped; the migration of %s goes on in the pool (task %s)' % (vm_name, task) in run.stderr()
              and 'ferryctl tasks' in run.stderr(), '%s: says the migration goes on, naming the task'
              % signum.name, run)
        # The pool carries it to its end without ferryctl.
        check(pending_migration_task(sim, 'Lyon') is not None, 'the task still runs after ferryctl left')
        sim.control({'command': 'set_bandwidth', 'mbps': 100000})
        wait_for(lambda: vm_is_on(env, sim, vm_name, target), '%s to reach %s' % (vm_name, target))


@test('migrate')
def sigint_once_still_asks_for_a_second(env, sim):
    run, target, task = start_slow_migration(env, sim, 'proxy')
    run.proc.send_signal(signal.SIGINT)
    wait_for(lambda: 'Ctrl+C again' in run.stderr(), 'the two-step message', interval=0.05)
    check(run.proc.poll() is None or 'cancelled' in run.stderr(), 'one SIGINT does not just leave', run)
    rc = run.wait()
    check(rc == 130, 'the cancelled migration exits 130, got %d' % rc, run)
    sim.control({'command': 'set_bandwidth', 'mbps': 100000})
    check(not vm_is_on(env, sim, 'proxy', target), 'proxy stayed where it was')


@test('migrate')
def stuck_event_stream_stays_polite(env, sim):
    # A pool whose event.from answers at once with nothing, for a while:
    # ferryctl neither floods it nor gives up, and the migration ends.
    sim.control({'command': 'set_bandwidth', 'mbps': 1000})
    target = another_host(list_json(env, sim, 'Lyon')['pools'], 'web-01')
    sim.control({'command': 'stuck_events', 'pool': 'Lyon', 'seconds': 10})
    run = Running(env, 'migrate', 'web-01', target, *one_off(sim, 'Lyon'), input='ferry\n')
    wait_for(lambda: 'Migrating' in run.stderr() or run.proc.poll() is not None, 'the migration to start',
             interval=0.05)
    sim.calls('Lyon', clear=True)
    start = time.monotonic()
    time.sleep(4)       # the interval measured, all of it inside the stuck time
    calls = sim.methods('Lyon', clear=True)
    rate = len(calls) / (time.monotonic() - start)
    check(rate <= 20, '%.1f calls/s to the pool while its event stream is stuck' % rate, calls[:50])
    rc = run.wait()
    check(rc == 0, 'the migration ends well', run)
    check(vm_is_on(env, sim, 'web-01', target), 'web-01 is on %s' % target)


@test('migrate')
def failure_names_things(env, sim):
    # As XAPI reports it: references of the VM and both hosts, and its own message.
    vm = sim.xapi('Lyon', 'VM.get_by_name_label', 'proxy')[0]
    source = sim.xapi('Lyon', 'host.get_by_name_label', 'lyon-2')[0]
    target = sim.xapi('Lyon', 'host.get_by_name_label', 'lyon-3')[0]
    sim.control({'command': 'set_bandwidth', 'mbps': 100000})
    sim.control({'command': 'fail_migration', 'vm': 'proxy', 'at': 0.5,
                 'error': ['VM_MIGRATE_FAILED', vm, source, target, 'Storage mirror failed']})
    r = env.run('migrate', 'proxy', 'lyon-3', '--yes', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 1, 'a failed migration exits 1', r)
    check('The migration of \u201cproxy\u201d from lyon-2 to lyon-3 failed: Storage mirror failed.' in r.err,
          'the sentence names the VM and both hosts', r)
    check('/var/log/xensource.log on lyon-2 and lyon-3' in r.err, 'with a next step', r)
    check(re.search(r'^Details: VM_MIGRATE_FAILED \(vm: proxy, source: lyon-2, destination: lyon-3, '
                    r'msg: Storage mirror failed\)$', r.err, re.M), 'the code under "Details:"', r)
    check('OpaqueRef' not in r.err, 'no reference shown', r)
    check(r.out == '', 'nothing on stdout', r)


@test('migrate')
def cpu_refusal_needs_force(env, sim):
    # The pool refuses proxy's CPU on lyon-1: ferryctl says so before asking
    # anything and sends nothing; --force sends the migration with force=true.
    sim.control({'command': 'set_bandwidth', 'mbps': 100000})
    sim.control({'command': 'incompatible_cpu', 'vm': 'proxy', 'host': 'lyon-1'})
    sim.calls('Lyon', clear=True)
    r = env.run('migrate', 'proxy', 'lyon-1', '--yes', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 1, 'a refused CPU exits 1', r)
    check('--force' in r.err and 'Nothing was sent' in r.err, 'says nothing was sent and how to go on', r)
    check('Confirmed with --yes' not in r.err, 'does not confirm a refused plan', r)
    check(not migrate_send_calls(sim.methods('Lyon')), 'no migrate_send')

    r = env.run('migrate', 'proxy', 'lyon-1', '--yes', '--force', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'with --force it goes', r)
    sends = [c for c in sim.calls('Lyon') if c['method'].endswith('VM.migrate_send')]
    check(len(sends) == 1 and sends[0]['params'][6].get('force') == 'true', 'force=true was sent', sends)
    pools = list_json(env, sim, 'Lyon')['pools']
    check(host_name(pools, find_vm(pools, 'proxy')[1]['resident_on']) == 'lyon-1', 'proxy is on lyon-1')


# --- terminal: confirmation prompt, progress bar, password prompt ------------


@test('tty', needs_keyring=True)
def confirmation_on_a_terminal(env, sim):
    for name in ('Lyon', 'Paris'):
        r = env.run('server', 'add', sim.url(name), '--user', 'root', '--password-stdin', input='ferry\n')
        check(r.rc == 0, 'server add', r)

    sim.calls('Lyon', clear=True)
    rc, text = run_on_pty(env, ['migrate', 'mail', 'paris-1'], answers=[(PROMPT, 'n\n')])
    check(rc == 3, 'answering n exits 3, got %d:\n%s' % (rc, text))
    check(PROMPT in text, 'asks exactly the question')
    check(text.index('mail') < text.index(PROMPT), 'the plan comes before the question:\n' + text)
    check('Nothing was sent' in text, 'says nothing was sent:\n' + text)
    check(not migrate_send_calls(sim.methods('Lyon')), 'no migrate_send after "n"')

    rc, text = run_on_pty(env, ['migrate', 'mail', 'paris-1'], answers=[(PROMPT, '\n')])
    check(rc == 3, 'the default answer is no:\n' + text)
    check(not migrate_send_calls(sim.methods('Lyon')), 'no migrate_send after Enter')

    sim.control({'command': 'set_bandwidth', 'mbps': 8000})
    rc, text = run_on_pty(env, ['migrate', 'mail', 'paris-1'], answers=[(PROMPT, 'y\n')])
    check(rc == 0, 'answering y migrates, got %d:\n%s' % (rc, text))
    check(migrate_send_calls(sim.methods('Lyon')), 'migrate_send after "y"')
    check(re.search(r'\r\[[#-]+\] +\d+ %', text), 'a progress bar redrawn in place:\n' + text)
    bars = [l.split('\033[K')[0] for l in text.replace('\r\n', '\n').split('\r') if l.startswith('[')]
    check(all(len(l) < 100 for l in bars), 'the bar fits the terminal')
    # The rate and the time left are worded as in the window, each in a field
    # of its own width, so that the bar keeps its width while it fills.
    tails = [re.match(r'^\[[#-]+\] +\d+ %( +[\d.]+ [kMG]?B/s)?( +(less than 1 min|(\d+ h ?)?(\d+ min)?) left)?$', l)
             for l in bars]
    check(all(tails), 'every progress line says "… MB/s  … left" or leaves them out:\n' + '\n'.join(bars))
    check(len({l.index(']') for l in bars}) == 1, 'the bar keeps its width:\n' + '\n'.join(bars))
    check('ETA' not in text, 'no "ETA" left:\n' + text)
    pools = list_json(env, saved=True)['pools']
    pool, _ = find_vm(pools, 'mail')
    check(pool['name_label'] == 'Paris', 'mail moved to Paris')


@test('tty', needs_keyring=True)
def interrupt_cancels(env, sim):
    # Saved servers from the test above; a slow storage migration.
    sim.control({'command': 'set_bandwidth', 'mbps': 20})
    sim.calls('Lyon', clear=True)
    # Ctrl+C once the data flows (at least 1 %), so that a task exists to cancel.
    rc, text = run_on_pty(env, ['migrate', 'build-runner', 'lyon-1', '--yes'],
                          answers=[(re.compile(r'\] +[1-9]\d* %'), '\x03')])
    check(rc == 130, 'Ctrl+C cancels and exits 130, got %d:\n%s' % (rc, text))
    check('cancelled' in text, 'says the migration was cancelled:\n' + text)
    methods = sim.methods('Lyon')
    check('task.cancel' in methods, 'task.cancel was sent', methods)
    pools = list_json(env, saved=True)['pools']
    check(host_name(pools, find_vm(pools, 'build-runner')[1]['resident_on']) == 'lyon-3', 'build-runner stayed')
    sim.control({'command': 'set_bandwidth', 'mbps': 100000})


@test('tty', needs_keyring=True)
def interrupt_while_the_request_waits_for_a_login(env, sim):
    # The pool forgets ferryctl's session while the question is open, and
    # holds the new login back.  After "y" the pool refuses the migration
    # for that session and ferryctl waits for the login; a Ctrl+C then
    # withdraws it.  ferryctl must say so rather than "the pool does not
    # allow cancelling", end at once, and send nothing once the login is back.
    sim.control({'command': 'set_bandwidth', 'mbps': 100000})
    pools = list_json(env, saved=True)['pools']
    source = host_name(pools, find_vm(pools, 'db-01')[1]['resident_on'])
    target = next(h for h in ('lyon-1', 'lyon-2', 'lyon-3') if h != source)

    def held():
        return sim.control({'command': 'stats'})['held']

    def expire_and_hold_login():
        sim.control({'command': 'delay', 'pool': 'Lyon', 'seconds': 20, 'count': 1,
                     'method': 'session.login_with_password'})
        sim.control({'command': 'expire_sessions', 'pool': 'Lyon'})
        wait_for(lambda: held() == 1, 'the new login to be held')
        sim.calls('Lyon', clear=True)
        return 'y\n'

    def once_refused():
        wait_for(lambda: migrate_send_calls(sim.methods('Lyon')), 'the migration to meet the expired session')
        sim.calls('Lyon', clear=True)
        marks['sent'] = time.monotonic()
        return '\x03'

    marks = {}
    rc, text = run_on_pty(env, ['migrate', 'db-01', target],
                          answers=[(PROMPT, expire_and_hold_login), (re.compile(r'\] +0 %'), once_refused)])
    seconds = time.monotonic() - marks.get('sent', 0)
    check(rc == 130, 'Ctrl+C cancels and exits 130, got %d:\n%s' % (rc, text))
    check(seconds < 15, 'without waiting for the held login (%.1f s)' % seconds)
    check('cancelled' in text, 'says the migration was cancelled:\n' + text)
    check('does not allow cancelling' not in text, 'does not say the pool refuses to cancel:\n' + text)
    wait_for(lambda: held() == 0, 'the held login to end')
    methods = sim.methods('Lyon')
    check(not migrate_send_calls(methods) and 'task.cancel' not in methods,
          'nothing was sent once the login was back', methods)
    pools = list_json(env, saved=True)['pools']
    check(host_name(pools, find_vm(pools, 'db-01')[1]['resident_on']) == source, 'db-01 stayed on ' + source)


@test('tty')
def password_prompt_without_echo(env, sim):
    rc, text = run_on_pty(env, ['list', '--server', sim.url('Lyon'), '--user', 'root'],
                          answers=[('Password for root at ', 'ferry\n')])
    check(rc == 0 and 'Pool Lyon' in text, 'asked for the password on the terminal:\n' + text)
    after_prompt = text.split('Password for root at ', 1)[1]
    check('ferry' not in after_prompt.split('Pool Lyon')[0], 'the password was not echoed:\n' + text)


# --- tasks and cancel ---------------------------------------------------------


@test('tasks')
def detach_tasks_cancel(env, sim):
    sim.control({'command': 'set_bandwidth', 'mbps': 20})      # 20 GiB at 20 MB/s: minutes
    r = env.run('migrate', 'db-01', 'lyon-2', '--yes', '--detach', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'migrate --detach', r)
    ref = r.out.strip()
    check(re.match(r'^OpaqueRef:\S+$', ref), 'prints the task reference alone on stdout', r)

    r = env.run('tasks', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'tasks', r)
    row = [l for l in r.out.splitlines() if ref in l]
    check(len(row) == 1 and 'db-01' in row[0] and '%' in row[0], 'tasks shows the migration', r)

    r = env.run('tasks', '--json', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'tasks --json', r)
    tasks = json.loads(r.out)['tasks']
    mine = [t for t in tasks if t['task'] == ref]
    check(len(mine) == 1, 'the task is listed once', r)
    t = mine[0]
    for key in ('task', 'vm', 'vm_uuid', 'from', 'to', 'state', 'progress'):
        check(key in t, 'tasks --json has %r' % key, t)
    check(t['vm'] == 'db-01' and t['state'] in ('running', 'cancelling'), 'task fields', t)
    check(0 <= t['progress'] <= 1, 'progress is a fraction', t)

    r = env.run('cancel', ref, *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'cancel', r)

    def gone():
        r = env.run('tasks', '--json', *one_off(sim, 'Lyon'), input='ferry\n')
        return not [t for t in json.loads(r.out)['tasks'] if t['task'] == ref]
    wait_for(gone, 'the cancelled task to go away')
    pools = list_json(env, sim, 'Lyon')['pools']
    pool, vm = find_vm(pools, 'db-01')
    check(host_name(pools, vm['resident_on']) == 'lyon-1', 'db-01 stayed where it was')

    r = env.run('cancel', ref, *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 2, 'cancelling a finished task is a usage error', r)
    r = env.run('cancel', 'OpaqueRef:no-such-task', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 2, 'unknown task: exit 2', r)


@test('tasks')
def cancel_by_uuid(env, sim):
    sim.control({'command': 'set_bandwidth', 'mbps': 20})
    r = env.run('migrate', 'mail', 'lyon-3', '--yes', '--detach', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'migrate --detach', r)
    ref = r.out.strip()
    uuid = sim.xapi('Lyon', 'task.get_uuid', ref)
    check(UUID_RE.match(uuid), 'task uuid')
    r = env.run('cancel', uuid, *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'cancel by uuid', r)


@test('tasks')
def adopted_task_in_final_phase(env, sim):
    # A migration started by another client, already at 90 %.
    sim.control({'command': 'set_bandwidth', 'mbps': 1})
    reply = sim.control({'command': 'add_task', 'vm': 'web-02', 'target_host': 'paris-1', 'progress': 0.9})
    ref = reply['task']
    r = env.run('tasks', '--json', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'tasks', r)
    mine = [t for t in json.loads(r.out)['tasks'] if t['task'] == ref]
    check(len(mine) == 1 and mine[0]['vm'] == 'web-02', 'the adopted migration is listed', r)
    check(mine[0].get('adopted') is True, 'and marked as adopted', r)

    # Past the point of no return the pool no longer allows cancel: move it
    # there quickly, then hold it there.
    sim.control({'command': 'set_bandwidth', 'mbps': 100})
    wait_for(lambda: sim.xapi('Lyon', 'task.get_progress', ref) >= 0.955, 'the task to pass 95 %',
             interval=0.05)
    sim.control({'command': 'set_bandwidth', 'mbps': 0.01})
    allowed = sim.xapi('Lyon', 'task.get_allowed_operations', ref)
    check('cancel' not in allowed, 'the pool forbids cancel now', allowed)
    r = env.run('cancel', ref, *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 1, 'cancel in the final phase exits 1', r)
    check('final phase' in r.err, 'with the reason', r)
    sim.control({'command': 'set_bandwidth', 'mbps': 100000})

    def moved():
        pools = list_json(env, sim, 'Paris')['pools']
        return any(v['name_label'] == 'web-02' for p in pools for v in p['vms'])
    wait_for(moved, 'web-02 to reach Paris')


@test('tasks')
def plain_detach(env, sim):
    sim.control({'command': 'set_bandwidth', 'mbps': 1000})
    r = env.run('migrate', 'dns-01', 'lyon-3', '--detach', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0 and re.match(r'^OpaqueRef:\S+$', r.out.strip()), 'plain migration --detach', r)

    def moved():
        pools = list_json(env, sim, 'Lyon')['pools']
        return host_name(pools, find_vm(pools, 'dns-01')[1]['resident_on']) == 'lyon-3'
    wait_for(moved, 'dns-01 to reach lyon-3')


@test('tasks')
def stop_signal_while_cancel_waits(env, sim):
    sim.control({'command': 'set_bandwidth', 'mbps': 20})
    r = env.run('migrate', 'db-01', another_host(list_json(env, sim, 'Lyon')['pools'], 'db-01'), '--yes',
                '--detach', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'migrate --detach', r)
    ref = r.out.strip()
    # The pool takes its time to answer the cancel.
    sim.control({'command': 'delay', 'pool': 'Lyon', 'seconds': 30, 'count': 1, 'method': 'task.cancel'})
    run = Running(env, 'cancel', ref, *one_off(sim, 'Lyon'), input='ferry\n')
    wait_for(lambda: sim.control({'command': 'stats'})['held'] == 1, 'the cancel to reach the pool',
             interval=0.05)
    sent = time.monotonic()
    run.proc.send_signal(signal.SIGTERM)
    rc = run.wait()
    seconds = time.monotonic() - sent
    check(rc == 128 + signal.SIGTERM, 'exit status 143, got %d' % rc, run)
    check(seconds < 1.0, 'ended within a second (%.2f s)' % seconds, run)
    check('stopped; the pool was asked to cancel the migration of db-01 (task %s)' % ref in run.stderr()
          and 'ferryctl tasks' in run.stderr(), 'says what goes on', run)
    sim.control({'command': 'set_bandwidth', 'mbps': 100000})

def tasks_name_both_hosts(env, sim):
    # Another client moves web-01 inside Lyon: the route is the pool's
    # fact (the VM's host and scheduled host), not a guess.
    sim.control({'command': 'set_bandwidth', 'mbps': 1})
    reply = sim.control({'command': 'add_task', 'vm': 'web-01', 'target_host': 'lyon-2',
                         'kind': 'pool_migrate'})
    ref = reply['task']
    try:
        r = env.run('tasks', *one_off(sim, 'Lyon'), input='ferry\n')
        check(r.rc == 0, 'tasks', r)
        row = [l for l in r.out.splitlines() if ref in l]
        check(len(row) == 1 and 'web-01' in row[0], 'tasks lists the migration', r)
        check('from lyon-1 to lyon-2' in row[0], 'with both hosts named', r)
        check('another' not in r.out, 'and no guess', r)
        r = env.run('tasks', '--json', *one_off(sim, 'Lyon'), input='ferry\n')
        mine = [t for t in json.loads(r.out)['tasks'] if t['task'] == ref]
        check(len(mine) == 1 and mine[0]['from'] == 'lyon-1' and mine[0]['to'] == 'lyon-2',
              'tasks --json says from lyon-1 to lyon-2', r)
    finally:
        sim.control({'command': 'set_bandwidth', 'mbps': 100000})

    def moved():
        pools = list_json(env, sim, 'Lyon')['pools']
        return host_name(pools, find_vm(pools, 'web-01')[1]['resident_on']) == 'lyon-2'
    wait_for(moved, 'web-01 to reach lyon-2')


# --- secrets: the password stays out of argv, environment, files, output -----

SECRET_SCENARIO = {
    'pools': [
        {'name': 'Alpha', 'username': 'root', 'password': UNIQUE_PASSWORD,
         'hosts': [{'name': 'alpha-1', 'memory_gib': 64, 'cpus': 16},
                   {'name': 'alpha-2', 'memory_gib': 64, 'cpus': 16}],
         'networks': [{'name': 'Management', 'device': 'eth0', 'bridge': 'xenbr0', 'management': True}],
         'srs': [{'name': 'Alpha NFS', 'type': 'nfs', 'shared': True, 'size_gib': 1024, 'default': True},
                 {'name': 'Local alpha-1', 'type': 'lvm', 'host': 'alpha-1', 'size_gib': 500},
                 {'name': 'Local alpha-2', 'type': 'lvm', 'host': 'alpha-2', 'size_gib': 500}],
         'vms': [{'name': 'twin', 'host': 'alpha-1', 'memory_gib': 1, 'vcpus': 1,
                  'disks': [{'sr': 'Alpha NFS', 'size_gib': 4}],
                  'vifs': [{'network': 'Management'}]},
                 {'name': 'big', 'host': 'alpha-1', 'memory_gib': 2, 'vcpus': 1,
                  'disks': [{'sr': 'Local alpha-1', 'size_gib': 200}],
                  'vifs': [{'network': 'Management'}]}]},
        {'name': 'Beta', 'username': 'root', 'password': UNIQUE_PASSWORD,
         'hosts': [{'name': 'beta-1', 'memory_gib': 64, 'cpus': 16}],
         'networks': [{'name': 'Management', 'device': 'eth0', 'bridge': 'xenbr0', 'management': True}],
         'srs': [{'name': 'Local beta-1', 'type': 'lvm', 'host': 'beta-1', 'size_gib': 500, 'default': True}],
         'vms': [{'name': 'twin', 'host': 'beta-1', 'memory_gib': 1, 'vcpus': 1,
                  'disks': [{'sr': 'Local beta-1', 'size_gib': 4}],
                  'vifs': [{'network': 'Management'}]}]},
    ]
}


def process_texts(pid):
    texts = {}
    for name in ('cmdline', 'environ'):
        try:
            with open('/proc/%d/%s' % (pid, name), 'rb') as f:
                texts[name] = f.read()
        except OSError:
            pass
    return texts


@test('secrets', needs_keyring=True)
def password_stays_secret(env, sim):
    secret = UNIQUE_PASSWORD.encode()
    url = sim.url('Alpha')
    r = env.run('server', 'add', url, '--user', 'root', '--password-stdin', input=UNIQUE_PASSWORD + '\n')
    check(r.rc == 0, 'server add', r)
    r = env.run('server', 'add', sim.url('Beta'), '--user', 'root', '--password-stdin',
                input=UNIQUE_PASSWORD + '\n')
    check(r.rc == 0, 'server add', r)
    check(keyring_lookup(url, 'root') == UNIQUE_PASSWORD, 'the keyring holds it')

    # A long migration, in the one-off form, so that the password passed
    # through this very process; look at it while it runs.
    sim.control({'command': 'set_bandwidth', 'mbps': 50})
    p = subprocess.Popen([FERRYCTL, 'migrate', 'big', 'alpha-2', '--yes', '--server', url, '--user', 'root',
                          '--password-stdin'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env.env)
    try:
        p.stdin.write(secret + b'\n')
        p.stdin.close()
        p.stdin = None
        wait_for(lambda: p.poll() is not None or migrate_send_calls(sim.methods('Alpha')),
                 'the migration to start')
        texts = process_texts(p.pid)
        check(p.poll() is None, 'ferryctl is still migrating (it exited with %r)' % p.poll())
        check('cmdline' in texts and texts['cmdline'], 'read /proc/PID/cmdline')
        for name, data in texts.items():
            check(secret not in data, 'the password is not in /proc/PID/%s' % name)
        for thread in os.listdir('/proc/%d/task' % p.pid):
            with open('/proc/%d/task/%s/comm' % (p.pid, thread), 'rb') as f:
                check(secret not in f.read(), 'nor in a thread name')
    finally:
        p.kill()
        out, err = p.communicate(timeout=30)
    env.outputs.append((out + err).decode(errors='replace'))

    # Ambiguous names are refused with the candidates (uses the saved servers).
    r = env.run('migrate', 'twin', 'alpha-2')
    check(r.rc == 2, 'ambiguous VM name: exit 2', r)
    uuids = re.findall(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', r.err)
    check(len(set(uuids)) == 2 and 'Alpha' in r.err and 'Beta' in r.err, 'lists both candidates', r)
    r = env.run('list', '--json')
    check(r.rc == 0, 'list', r)

    # Now every file ferryctl, the settings and the keyring could have
    # written: nothing holds the password in clear.
    roots = {env.tmp}
    for var in ('XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR', 'HOME'):
        if os.environ.get(var):
            roots.add(os.environ[var])
    scanned = 0
    for root in roots:
        for dirpath, _, files in os.walk(root):
            for name in files:
                path = os.path.join(dirpath, name)
                if path == sim.scenario_path:
                    continue
                try:
                    if not os.path.isfile(path) or os.path.islink(path):
                        continue
                    with open(path, 'rb') as f:
                        data = f.read()
                except OSError:
                    continue
                scanned += 1
                check(secret not in data, 'the password is written in %s' % path)
    check(scanned > 0 and url in env.keyfile_text(), 'the scan covered the saved settings')
    for text in env.outputs:
        check(UNIQUE_PASSWORD not in text, 'ferryctl printed the password:\n' + text)


# --- robust: a hostile server --------------------------------------------------

# What a malformed reply to the first load must be called: its own cause,
# never "no answer within N seconds".
MALFORMED_KINDS = [
    ('nan', ['not valid JSON', 'at byte']),
    ('empty', ['the reply is empty']),
    ('deep_nesting', ['nested too deeply', 'at byte']),
    ('wrong_content_length', ['not valid JSON', 'at byte']),
    ('truncated', ['cut short']),
    ('not_json', ['not valid JSON', 'at byte 0']),
    ('wrong_types', ['something other than an event batch']),
    ('html500', ['HTTP status 500']),
]


def run_measured(env, args, input=None, timeout=RUN_TIMEOUT):
    """Runs ferryctl; returns the Result and its peak resident set in MiB
    (from wait4(), which the kernel keeps for exactly that child)."""
    start = time.monotonic()
    p = subprocess.Popen([FERRYCTL, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env.env)
    out = []
    err = []

    def drain(stream, into):
        into.append(stream.read())

    readers = [threading.Thread(target=drain, args=(p.stdout, out), daemon=True),
               threading.Thread(target=drain, args=(p.stderr, err), daemon=True)]
    for t in readers:
        t.start()
    if input is not None:
        p.stdin.write(input.encode())
    p.stdin.close()
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid != 0:
            break
        if time.monotonic() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            raise Failure('ferryctl %s did not finish within %d s' % (' '.join(args), timeout))
        time.sleep(0.05)
    p.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join(timeout=30)
    r = Result(args, p.returncode, out[0].decode('utf-8', 'replace') if out else '',
               err[0].decode('utf-8', 'replace') if err else '', time.monotonic() - start)
    env.outputs.append(r.out + r.err)
    return r, usage.ru_maxrss / 1024.0


@test('robust')
def malformed_replies_are_named(env, sim):
    url = sim.url('Lyon')
    for kind, phrases in MALFORMED_KINDS:
        sim.calls('Lyon', clear=True)
        sim.control({'command': 'malformed', 'pool': 'Lyon', 'kind': kind, 'method': 'event.from',
                     'count': 2})
        r = env.run('list', *one_off(sim, 'Lyon'), input='ferry\n')
        calls = sim.methods('Lyon')
        check(r.rc == 1, '%s: list fails' % kind, r)
        for phrase in phrases:
            check(phrase in r.err, '%s: the error says %r' % (kind, phrase), r)
        check('127.0.1.1' in r.err and url in r.err, '%s: the error names the host' % kind, r)
        check('within' not in r.err, '%s: not reported as silence' % kind, r)
        check(len([l for l in r.err.splitlines() if l.strip()]) == 1, '%s: one sentence' % kind, r)
        # Asked once, and once more: not five times with a back-off.
        check(calls.count('event.from') == 2, '%s: event.from asked twice, not %d times (%r)' %
              (kind, calls.count('event.from'), calls), r)
    # Nothing left over: the next list works.
    r = env.run('list', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'list works again', r)


@test('robust')
def huge_and_endless_replies_are_refused(env, sim):
    for kind, extra in (('huge', {'megabytes': 1024}), ('endless', {'seconds': 60})):
        command = {'command': 'malformed', 'pool': 'Lyon', 'kind': kind, 'method': 'event.from',
                   'count': 2}
        command.update(extra)
        sim.calls('Lyon', clear=True)
        sim.control(command)
        r, peak = run_measured(env, ['list', *one_off(sim, 'Lyon')], input='ferry\n')
        check(r.rc == 1, '%s: list fails' % kind, r)
        check('larger than 192 MiB' in r.err and '127.0.1.1' in r.err,
              '%s: says the reply was too large, and from where' % kind, r)
        check(peak < 300, '%s: peak RSS %.0f MiB, not under 300 MiB' % (kind, peak), r)
        check(sim.methods('Lyon').count('event.from') == 2, '%s: asked twice' % kind, r)


@test('robust')
def invalid_utf8_name_is_repaired(env, sim):
    sim.control({'command': 'bad_record', 'pool': 'Lyon', 'vm': 'web-01', 'kind': 'invalid_utf8'})
    r = env.run('list', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'one broken name does not sink the list', r)
    check('web-01\ufffd\ufffd end' in r.out, 'the name is shown repaired', r)
    for name in DEMO_VMS['Lyon']:
        if name != 'web-01':
            check(name in r.out, 'the other VMs are listed (%s)' % name, r)
    pools = list_json(env, sim)['pools']
    check(find_vm(pools, 'web-01\ufffd\ufffd end') is not None, 'list --json has the repaired name')


@test('robust')
def wrong_type_and_dangling_ref_do_not_sink_the_list(env, sim):
    sim.control({'command': 'bad_record', 'pool': 'Lyon', 'vm': 'mail', 'kind': 'wrong_type'})
    sim.control({'command': 'bad_record', 'pool': 'Lyon', 'vm': 'proxy', 'field': 'resident_on',
                 'kind': 'dangling_ref'})
    r = env.run('list', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'a name of the wrong type and a dangling host do not sink the list', r)
    check('proxy' in r.out, 'the VM on no known host is still listed', r)
    for name in ('web-02', 'dns-01', 'backup'):
        check(name in r.out, 'the other VMs are listed (%s)' % name, r)
    pools = list_json(env, sim)['pools']
    check(len(pools[0]['vms']) == len(DEMO_VMS['Lyon']), 'every VM is in list --json', pools)


@test('robust')
def huge_name_is_cut(env, sim):
    sim.control({'command': 'bad_record', 'pool': 'Lyon', 'vm': 'db-01', 'kind': 'huge',
                 'megabytes': 100})
    r, peak = run_measured(env, ['list', *one_off(sim, 'Lyon')], input='ferry\n')
    check(r.rc == 0, 'a 100 MB name does not sink the list', r)
    lines = r.out.splitlines()
    named = [l for l in lines if 'NNNN' in l]
    check(len(named) == 1, 'the name is on one line', r)
    check('N…' in named[0] and len(named[0]) < 200, 'cut with an ellipsis', named[0][:300])
    check(max(len(l) for l in lines) < 300, 'no line is longer than a terminal line or two', r)
    # The reply itself is 100 MB; what is kept of the name is 64 KiB.
    check(peak < 300, 'peak RSS %.0f MiB, not under 300 MiB' % peak, r)
    pools = list_json(env, sim)['pools']
    names = [v['name_label'] for p in pools for v in p['vms'] if v['name_label'].startswith('NNNN')]
    check(len(names) == 1 and len(names[0].encode()) <= 64 * 1024 + 3 and names[0].endswith('…'),
          'the name was cut to 64 KiB while decoding (%d bytes)' % (len(names[0].encode()) if names else -1))

# --- truth: what ferryctl says against where the VM really is ----------------

def sim_vm_host(sim, pool, name):
    """The host the simulator has the VM on, by name; None when not there."""
    refs = sim.xapi(pool, 'VM.get_by_name_label', name)
    if not refs:
        return None
    host = sim.xapi(pool, 'VM.get_resident_on', refs[0])
    return sim.xapi(pool, 'host.get_name_label', host)


def sim_vm_busy(sim, pool, name):
    refs = sim.xapi(pool, 'VM.get_by_name_label', name)
    return bool(refs) and bool(sim.xapi(pool, 'VM.get_current_operations', refs[0]))


@test('truth')
def task_lies_success(env, sim):
    before = sim_vm_host(sim, 'Lyon', 'web-01')
    check(before != 'lyon-3', 'web-01 starts elsewhere', before)
    sim.control({'command': 'task_lie', 'vm': 'web-01', 'at': 0.1})
    r = env.run('migrate', 'web-01', 'lyon-3', '--yes', *one_off(sim, 'Lyon'), input='ferry\n')
    # Asked right away: the migration goes on well after the lie, so a
    # ferryctl that believed it would be back while the VM was still away.
    now = sim_vm_host(sim, 'Lyon', 'web-01')
    check(r.rc == 0, 'exits 0 once the VM is there', r)
    check('web-01 is now on lyon-3' in r.out, 'says where the VM is', r)
    check(now == 'lyon-3', 'the VM is on lyon-3 when ferryctl says so (it is on %s)' % now, r)


@test('truth')
def task_vanishes(env, sim):
    before = sim_vm_host(sim, 'Lyon', 'web-02')
    check(before != 'lyon-3', 'web-02 starts elsewhere', before)
    sim.control({'command': 'task_vanish', 'vm': 'web-02', 'at': 0.2})
    r = env.run('migrate', 'web-02', 'lyon-3', '--yes', *one_off(sim, 'Lyon'), input='ferry\n')
    now = sim_vm_host(sim, 'Lyon', 'web-02')
    check(r.rc == 0, 'a vanished task is not a failure when the VM arrives', r)
    check('lost track' not in r.err and 'failed' not in r.err, 'no failure is claimed', r)
    check(now == 'lyon-3', 'web-02 is on lyon-3 (it is on %s)' % now, r)


@test('truth')
def password_changed_mid_migration(env, sim):
    result = {}

    def run():
        result['r'] = env.run('migrate', 'monitoring', 'lyon-1', '--yes', *one_off(sim, 'Lyon'), input='ferry\n')

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for(lambda: sim_vm_busy(sim, 'Lyon', 'monitoring') or 'r' in result, 'the migration to start', timeout=60)
        check('r' not in result, 'ferryctl still waits while the migration runs', result.get('r'))
        # Slow, so that it cannot end before the pool is lost.
        sim.control({'command': 'set_bandwidth', 'mbps': 5})
        sim.control({'command': 'set_password', 'pool': 'Lyon', 'password': 'changed'})
        sim.password = 'changed'
        sim.control({'command': 'expire_sessions', 'pool': 'Lyon'})
        start = time.monotonic()
        thread.join(RUN_TIMEOUT)
        r = result.get('r')
        check(r is not None, 'ferryctl ends once the pool is lost')
        check(r.rc == 1, 'an unknown outcome exits 1', r)
        check('the outcome is unknown: Lost contact with Lyon' in r.err, 'says the outcome is unknown, and why', r)
        check('may still be running' in r.err, 'says what is known', r)
        check('is now on' not in r.out, 'claims no success', r)
        check(time.monotonic() - start < 60, 'within a bounded time', r)
        check(sim_vm_busy(sim, 'Lyon', 'monitoring'), 'the migration does still run on the pool')
    finally:
        thread.join(RUN_TIMEOUT)
        sim.control({'command': 'set_password', 'pool': 'Lyon', 'password': 'ferry'})
        sim.password = 'ferry'
        sim.control({'command': 'set_bandwidth', 'mbps': 100000})


# --- evacuate: every running VM of a host, planned, asked once ------------------

def evacuate_json(r):
    try:
        return json.loads(r.out)
    except ValueError as e:
        raise Failure('evacuate --json is not JSON: %s\n%s' % (e, r))


MIGRATION_METHODS = ('VM.pool_migrate', 'VM.migrate_send', 'host.migrate_receive', 'VM.assert_can_migrate')


def migration_calls(methods):
    return [m for m in methods if m.endswith(MIGRATION_METHODS)]


def scenario_sim(env, name, pool, *args):
    path = os.path.join(env.tmp, name + '.json')
    with open(path, 'w') as f:
        json.dump({'pools': [pool]}, f)
    return Sim(env.tmp, *args, scenario=path)


def small_pool(name, hosts, vms, local_hosts=()):
    """A pool with a shared default SR, local SRs on @local_hosts and @vms
    given as (name, host, memory_gib, 'shared' or 'local')."""
    srs = [{'name': name + ' NFS', 'type': 'nfs', 'shared': True, 'size_gib': 4096, 'default': True}]
    srs += [{'name': 'Local storage ' + h, 'type': 'lvm', 'host': h, 'size_gib': 900} for h in local_hosts]
    return {
        'name': name,
        'hosts': [{'name': h, 'memory_gib': gib, 'cpus': 16} for h, gib in hosts],
        'networks': [{'name': 'Management', 'device': 'eth0', 'bridge': 'xenbr0', 'management': True}],
        'srs': srs,
        'vms': [{'name': vm, 'host': host, 'memory_gib': gib, 'vcpus': 1,
                 'disks': [{'sr': name + ' NFS' if where == 'shared' else 'Local storage ' + host,
                            'size_gib': 8, 'used_gib': 2}],
                 'vifs': [{'network': 'Management'}]}
                for vm, host, gib, where in vms],
    }


@test('evacuate')
def evacuate_without_terminal_sends_nothing(env, sim):
    sim.calls('Lyon', clear=True)
    r = env.run('evacuate', 'lyon-1', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 3, 'no terminal and no --yes: exit 3', r)
    check('Nothing was sent' in r.err and '--yes' in r.err, 'says why and how', r)
    check('OK to evacuate' not in r.err, 'does not ask without a terminal', r)
    # The plan names the VMs, their targets and what moves.
    check(re.search(r'db-01 → lyon-[23]: with storage', r.out), 'db-01 moves with its storage', r)
    check('Local storage lyon-1 → Lyon NFS' in r.out, 'names the SRs its disks go between', r)
    for vm in ('web-01', 'dns-01'):
        check(re.search(vm + r' → lyon-[23]: plain migration', r.out), vm + ' moves plainly', r)
    check('Total: 3 VMs to move (2 plain, 1 with storage)' in r.out, 'totals', r)
    methods = sim.methods('Lyon')
    check(not migration_calls(methods), 'no migration call', methods)
    check(not any(m.startswith('host.') and m.endswith(('disable', 'enable')) for m in methods),
          'the host was not touched', methods)
    for vm in ('db-01', 'web-01', 'dns-01'):
        check(sim_vm_host(sim, 'Lyon', vm) == 'lyon-1', vm + ' has not moved')


@test('evacuate')
def evacuate_json_shape(env, sim):
    r = env.run('evacuate', 'lyon-1', '--json', '--to', 'lyon-3', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 3, 'still not confirmed: exit 3', r)
    data = evacuate_json(r)
    check(data['host'] == 'lyon-1' and UUID_RE.match(data['host_uuid']) and data['pool'] == 'Lyon', 'the host', data)
    check(data['disabled'] is False and data['exit_status'] == 3, 'not disabled, status 3', data)
    vms = {v['vm']: v for v in data['vms']}
    check(set(vms) == {'db-01', 'web-01', 'dns-01'}, 'the three running VMs of lyon-1', data)
    for v in data['vms']:
        check(set(v) >= {'vm', 'vm_uuid', 'to', 'to_uuid', 'kind', 'bytes_to_copy', 'disks', 'reason', 'state',
                         'error', 'error_details'}, 'members of a VM', v)
        check(v['to'] == 'lyon-3', '--to keeps every VM on lyon-3', v)
        check(v['state'] == 'planned' and v['reason'] is None, 'planned, nothing sent', v)
    check(vms['db-01']['kind'] == 'storage' and vms['web-01']['kind'] == 'plain' and vms['dns-01']['kind'] == 'plain',
          'kinds', data)
    check({(d['from_sr'], d['to_sr'], d['moves']) for d in vms['db-01']['disks']} ==
          {('Local storage lyon-1', 'Lyon NFS', True)}, 'db-01 disks move to the shared SR', vms['db-01'])
    check(data['totals'] == {'vms': 3, 'plain': 2, 'storage': 1, 'cannot_move': 0,
                             'bytes_to_copy': sum(v['bytes_to_copy'] for v in data['vms'])}, 'totals', data)
    check(not migration_calls(sim.methods('Lyon')), 'nothing sent')


@test('evacuate')
def evacuate_with_disable_empties_the_host(env, sim):
    sim.calls('Lyon', clear=True)
    r = env.run('evacuate', 'lyon-1', '--yes', '--disable', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0, 'evacuated: exit 0', r)
    check('Confirmed with --yes' in r.err, 'confirmed once by --yes', r)
    check('lyon-1 will be disabled first (host.disable)' in r.out, 'the plan says the host is disabled', r)
    check('lyon-1 is disabled' in r.err and 'host-enable lyon-1' in r.err, 'says it is disabled and how to undo', r)
    check('lyon-1 holds no running VM now.' in r.out, 'says the host is empty', r)
    methods = [m for m in sim.methods('Lyon') if not m.startswith('event.')]
    check('host.disable' in methods, 'host.disable was sent', methods)
    first_migration = min(i for i, m in enumerate(methods) if m.endswith(MIGRATION_METHODS))
    check(methods.index('host.disable') < first_migration, 'host.disable before any migration call', methods)
    sends = [m for m in methods if m.endswith('VM.migrate_send')]
    plains = [m for m in methods if m.endswith('VM.pool_migrate')]
    check(len(sends) == 1 and len(plains) == 2, 'one storage migration (db-01), two plain ones', methods)
    for vm in ('db-01', 'web-01', 'dns-01'):
        where = sim_vm_host(sim, 'Lyon', vm)
        check(where in ('lyon-2', 'lyon-3'), '%s left lyon-1 (it is on %s)' % (vm, where))
        check(re.search(r'%s: now on %s' % (vm, where), r.out), 'the report says where %s is' % vm, r)
    host = sim.xapi('Lyon', 'host.get_by_name_label', 'lyon-1')[0]
    check(sim.xapi('Lyon', 'host.get_enabled', host) is False, 'lyon-1 is disabled')

    # Nothing left: a second run has nothing to do, and says so.
    r = env.run('evacuate', 'lyon-1', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0 and 'lyon-1 holds no running VM.' in r.out, 'an empty host: exit 0 without asking', r)

    r = env.run('host-enable', 'lyon-1', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 0 and 'lyon-1 is enabled' in r.out, 'host-enable', r)
    check(sim.xapi('Lyon', 'host.get_enabled', host) is True, 'lyon-1 is enabled again')


@test('evacuate')
def vm_that_fits_nowhere_is_reported(env, sim):
    pool = small_pool('Big', [('big-1', 128), ('big-2', 64), ('big-3', 64)],
                      [('huge', 'big-1', 100, 'shared'), ('small-a', 'big-1', 2, 'shared'),
                       ('small-b', 'big-1', 2, 'local')], local_hosts=('big-1', 'big-2', 'big-3'))
    big = scenario_sim(env, 'big', pool, '--bandwidth', '100000')
    try:
        big.calls('Big', clear=True)
        r = env.run('evacuate', 'big-1', '--yes', *one_off(big, 'Big'), input='ferry\n')
        check(r.rc == 1, 'a VM stays: exit 1', r)
        check(re.search(r'Cannot move:\n  huge: big-2: .*[Nn]ot enough free memory.*; big-3: .*[Nn]ot enough free memory',
                        r.out), 'the plan says why huge cannot move, host by host', r)
        check('Total: 2 VMs to move (1 plain, 1 with storage)' in r.out and '1 VM cannot move' in r.out, 'totals', r)
        check(re.search(r'  huge: not moved: ', r.out), 'the report names huge', r)
        check('big-1 still holds 1 running VM: huge.' in r.out, 'and what the host still holds', r)
        for vm in ('small-a', 'small-b'):
            where = sim_vm_host(big, 'Big', vm)
            check(where in ('big-2', 'big-3'), '%s moved (it is on %s)' % (vm, where))
        check(sim_vm_host(big, 'Big', 'huge') == 'big-1', 'huge stayed')
        methods = big.methods('Big')
        check(len([m for m in methods if m.endswith('VM.migrate_send')]) == 1, 'one storage migration', methods)
        check(len([m for m in methods if m.endswith('VM.pool_migrate')]) == 1, 'one plain migration', methods)

        # --to a host that cannot take anything: every VM is reported, nothing is sent.
        source = sim_vm_host(big, 'Big', 'small-a')
        other = 'big-3' if source == 'big-2' else 'big-2'
        big.xapi('Big', 'host.disable', big.xapi('Big', 'host.get_by_name_label', other)[0])
        big.calls('Big', clear=True)
        r = env.run('evacuate', source, '--to', other, '--yes', '--json', *one_off(big, 'Big'), input='ferry\n')
        check(r.rc == 1, 'nothing can move: exit 1', r)
        data = evacuate_json(r)
        check(data['vms'] and all(v['state'] == 'cannot-move' and v['to'] is None and other in v['reason']
                                  and 'disabled' in v['reason'] for v in data['vms']),
              'every VM cannot move, because %s is disabled' % other, data)
        check(data['totals']['cannot_move'] == len(data['vms']), 'totals', data)
        check(not migration_calls(big.methods('Big')), 'nothing sent', big.methods('Big'))
    finally:
        big.stop()


EVACUATE_PROMPT = re.compile(r'OK to evacuate lyon-2 as shown\? \[y/N\] ')


@test('evacuate')
def asked_once_on_a_terminal(env, sim):
    before = {vm: sim_vm_host(sim, 'Lyon', vm) for vm in ('web-02', 'mail', 'proxy')}
    check(set(before.values()) == {'lyon-2'}, 'web-02, mail and proxy start on lyon-2', before)
    login = ('Password for root at ', 'ferry\n')
    sim.calls('Lyon', clear=True)
    rc, text = run_on_pty(env, ['evacuate', 'lyon-2', '--server', sim.url('Lyon'), '--user', 'root'],
                          answers=[login, (EVACUATE_PROMPT, 'n\n')])
    check(rc == 3 and 'Nothing was sent' in text, 'answering n exits 3:\n' + text)
    check('CRITICAL' not in text and 'WARNING' not in text, 'no GLib warning:\n' + text)
    check(not migration_calls(sim.methods('Lyon')), 'nothing sent after "n"')

    rc, text = run_on_pty(env, ['evacuate', 'lyon-2', '--server', sim.url('Lyon'), '--user', 'root'],
                          answers=[login, (EVACUATE_PROMPT, 'y\n')])
    check(rc == 0, 'answering y evacuates, got %d:\n%s' % (rc, text))
    check(len(EVACUATE_PROMPT.findall(text)) == 1, 'one question for the whole plan:\n' + text)
    check('CRITICAL' not in text and 'WARNING' not in text, 'no GLib warning:\n' + text)
    check('without shared storage' not in text, 'no question per storage migration:\n' + text)
    check(text.index('Total:') < EVACUATE_PROMPT.search(text).start(), 'the plan comes before the question')
    for vm in before:
        check(sim_vm_host(sim, 'Lyon', vm) in ('lyon-1', 'lyon-3'), vm + ' left lyon-2')


@test('evacuate')
def failed_migration_is_reported(env, sim):
    on_3 = [vm for vm in ('build-runner', 'monitoring') if sim_vm_host(sim, 'Lyon', vm) == 'lyon-3']
    check(on_3 == ['build-runner', 'monitoring'], 'build-runner and monitoring start on lyon-3', on_3)
    sim.control({'command': 'fail_migration', 'vm': 'monitoring', 'at': 0.3,
                 'error': ['INTERNAL_ERROR', 'simulated failure']})
    r = env.run('evacuate', 'lyon-3', '--yes', '--json', *one_off(sim, 'Lyon'), input='ferry\n')
    check(r.rc == 1, 'a failed migration: exit 1', r)
    data = evacuate_json(r)
    vms = {v['vm']: v for v in data['vms']}
    check(vms['monitoring']['state'] == 'failed' and vms['monitoring']['error'], 'monitoring failed, with why', data)
    check('INTERNAL_ERROR' in (vms['monitoring']['error_details'] or ''), 'the pool code in the details', data)
    others = [v for name, v in vms.items() if name != 'monitoring']
    check(others and all(v['state'] == 'succeeded' for v in others), 'the others moved', data)
    check(data['exit_status'] == 1, 'the exit status in the JSON', data)
    check(sim_vm_host(sim, 'Lyon', 'monitoring') == 'lyon-3', 'monitoring is back on lyon-3')
    for v in others:
        check(sim_vm_host(sim, 'Lyon', v['vm']) == v['to'], '%s is on %s' % (v['vm'], v['to']))


@test('evacuate')
def pool_migration_network_is_used(env, sim):
    # DMZ, not the management network each target would use by default.
    pool = sim.xapi('Lyon', 'pool.get_all')[0]
    dmz = sim.xapi('Lyon', 'network.get_by_name_label', 'DMZ')[0]
    sim.xapi('Lyon', 'pool.add_to_other_config', pool, 'xo:migrationNetwork', sim.xapi('Lyon', 'network.get_uuid', dmz))
    try:
        source = sim_vm_host(sim, 'Lyon', 'web-02')
        sim.calls('Lyon', clear=True)
        r = env.run('evacuate', source, '--yes', '--json', *one_off(sim, 'Lyon'), input='ferry\n')
        data = evacuate_json(r)
        check(data['migration_network'] == 'DMZ', 'the pool’s migration network', data)
        plains = [c for c in sim.calls('Lyon') if c['method'].endswith('VM.pool_migrate')]
        receives = [c for c in sim.calls('Lyon') if c['method'].endswith('host.migrate_receive')]
        check(plains, 'plain migrations were sent', r)
        for c in plains:
            check(c['params'][3].get('network') == dmz, 'pool_migrate over DMZ', c)
        for c in receives:
            check(c['params'][2] == dmz, 'migrate_receive on DMZ', c)
        # DMZ has no IP on the hosts: a storage migration over it is refused,
        # and says so; plain ones go.
        for v in data['vms']:
            if v['kind'] == 'plain':
                check(v['state'] == 'succeeded', v['vm'] + ' moved', data)
        check(r.rc == (0 if all(v['kind'] == 'plain' for v in data['vms']) else 1), 'exit status', r)
    finally:
        sim.xapi('Lyon', 'pool.remove_from_other_config', pool, 'xo:migrationNetwork')


def max_overlap(log):
    """The most tasks whose progress changed within one another's span."""
    spans = {}
    for mark in log:
        start, end = spans.get(mark['task'], (mark['time_us'], mark['time_us']))
        spans[mark['task']] = (min(start, mark['time_us']), max(end, mark['time_us']))
    events = sorted([(s, 1) for s, _ in spans.values()] + [(e, -1) for _, e in spans.values()],
                    key=lambda x: (x[0], -x[1]))
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best, len(spans)


@test('evacuate')
def storage_migrations_wait_for_a_slot(env, sim):
    vms = [('local-%d' % i, 'st-1', 1, 'local') for i in range(1, 6)]
    pool = small_pool('Store', [('st-1', 64), ('st-2', 64), ('st-3', 64)], vms, local_hosts=('st-1',))
    # Slow enough that the five storage migrations would overlap if let.
    store = scenario_sim(env, 'store', pool, '--bandwidth', '1000')
    try:
        store.control({'command': 'progress_log', 'clear': True})
        store.calls('Store', clear=True)
        r = env.run('evacuate', 'st-1', '--yes', *one_off(store, 'Store'), input='ferry\n')
        check(r.rc == 0, 'evacuated', r)
        check('Total: 5 VMs to move (0 plain, 5 with storage)' in r.out, 'five storage migrations', r)
        check('queued, waiting for a free migration slot' in r.err, 'some waited in the queue', r)
        sends = [m for m in store.methods('Store') if m.endswith('VM.migrate_send')]
        # The pool refuses a fourth at once (TOO_MANY_STORAGE_MIGRATES):
        # one call each means the queue never tried.
        check(len(sends) == 5, 'one migrate_send per VM, none refused (%d)' % len(sends), sends)
        overlap, n = max_overlap(store.control({'command': 'progress_log'})['log'])
        check(n == 5, 'five tasks ran', n)
        check(2 <= overlap <= 3, 'at most 3 at a time from one host, and more than one (%d)' % overlap)
        for vm, _, _, _ in vms:
            check(sim_vm_host(store, 'Store', vm) in ('st-2', 'st-3'), vm + ' left st-1')
    finally:
        store.stop()


def set_pool_concurrency(env, uuid, n):
    """What Preferences saves for a pool, written the way GSettings does."""
    p = subprocess.run(['gsettings', 'set', 'io.github.xenferry.Ferry', 'pool-concurrency',
                        "{'%s': uint32 %d}" % (uuid, n)],
                       env=env.env, capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, 'gsettings set pool-concurrency: %s' % p.stderr)


@test('evacuate')
def concurrency_from_preferences_and_option(env, sim):
    vms = [('a-%d' % i, 'cc-1', 1, 'local') for i in range(1, 4)]
    vms += [('b-%d' % i, 'cc-2', 1, 'local') for i in range(1, 4)]
    pool = small_pool('Steer', [('cc-1', 64), ('cc-2', 64), ('cc-3', 64)], vms, local_hosts=('cc-1', 'cc-2'))
    steer = scenario_sim(env, 'steer', pool, '--bandwidth', '1000')
    try:
        for bad in ('0', '4', 'x'):
            r = env.run('evacuate', 'cc-1', '--concurrency', bad, *one_off(steer, 'Steer'), input='ferry\n')
            check(r.rc == 2 and '--concurrency' in r.err, '--concurrency %s is a usage error' % bad, r)
            r = env.run('migrate', 'a-1', 'cc-3', '--concurrency', bad, *one_off(steer, 'Steer'), input='ferry\n')
            check(r.rc == 2 and '--concurrency' in r.err, 'migrate --concurrency %s is a usage error' % bad, r)
        check(not migration_calls(steer.methods('Steer')), 'nothing sent on a usage error')
        for command in ('migrate', 'evacuate'):
            r = env.run('help', command)
            check(r.rc == 0 and '--concurrency=N' in r.out and '1 to 3' in r.out,
                  'help %s documents --concurrency' % command, r)
        r = env.run('help', 'migrate')
        check('chosen last time' in r.out and 'not used' in r.out,
              'help migrate says the window’s remembered choices are not used', r)

        # The pool's own value (Preferences): one at a time.
        uuid = steer.xapi('Steer', 'pool.get_uuid', steer.xapi('Steer', 'pool.get_all')[0])
        set_pool_concurrency(env, uuid, 1)
        steer.control({'command': 'progress_log', 'clear': True})
        r = env.run('evacuate', 'cc-1', '--to', 'cc-3', '--yes', *one_off(steer, 'Steer'), input='ferry\n')
        check(r.rc == 0, 'cc-1 evacuated', r)
        overlap, n = max_overlap(steer.control({'command': 'progress_log'})['log'])
        check(n == 3 and overlap == 1, 'the pool’s value from Preferences: one at a time (%d tasks, %d at once)'
              % (n, overlap))

        # --concurrency wins over it, for this run.
        steer.control({'command': 'progress_log', 'clear': True})
        steer.calls('Steer', clear=True)
        r = env.run('evacuate', 'cc-2', '--to', 'cc-3', '--yes', '--concurrency', '2', *one_off(steer, 'Steer'),
                    input='ferry\n')
        check(r.rc == 0, 'cc-2 evacuated', r)
        overlap, n = max_overlap(steer.control({'command': 'progress_log'})['log'])
        check(n == 3 and overlap == 2, '--concurrency 2: two at a time (%d tasks, %d at once)' % (n, overlap))
        sends = [m for m in steer.methods('Steer') if m.endswith('VM.migrate_send')]
        check(len(sends) == 3, 'one migrate_send per VM, none refused', sends)
        for vm, _, _, _ in vms:
            check(sim_vm_host(steer, 'Steer', vm) == 'cc-3', vm + ' is on cc-3')
    finally:
        steer.stop()


# ---------------------------------------------------------------------------

SIM_ARGS = {
    'basics': [],
    'servers': ['--https'],
    'list': [],
    'migrate': ['--bandwidth', '100000'],
    'tty': ['--bandwidth', '100000'],
    'tasks': ['--bandwidth', '100000'],
    'secrets': ['--bandwidth', '100000'],
    'robust': [],

    'truth': ['--bandwidth', '250'],
    'evacuate': ['--bandwidth', '100000'],
}


def main():
    group = sys.argv[1] if len(sys.argv) > 1 else None
    if group not in GROUPS:
        print('usage: test-ferryctl.py {%s}' % ','.join(GROUPS), file=sys.stderr)
        return 2
    tests = GROUPS[group]
    if not FERRYCTL or not FERRY_SIM or not os.access(FERRYCTL, os.X_OK) or not os.access(FERRY_SIM, os.X_OK):
        print('1..0 # SKIP ferryctl or ferry-sim not built')
        return 0

    keyring = have_private_keyring()
    env = Env()
    sim = None
    failed = 0
    try:
        scenario = 'demo'
        scenario_path = None
        if group == 'secrets':
            scenario_path = os.path.join(env.tmp, 'scenario.json')
            with open(scenario_path, 'w') as f:
                json.dump(SECRET_SCENARIO, f)
            scenario = scenario_path
        try:
            sim = Sim(env.tmp, *SIM_ARGS[group], scenario=scenario)
            sim.scenario_path = scenario_path
            if group == 'secrets':
                sim.password = UNIQUE_PASSWORD
        except Failure as e:
            print('1..%d' % len(tests))
            for n, (func, _) in enumerate(tests, 1):
                print('not ok %d - %s' % (n, func.__name__))
            print('# ' + str(e).replace('\n', '\n# '))
            return 1

        print('1..%d' % len(tests))
        for n, (func, needs_keyring) in enumerate(tests, 1):
            name = func.__name__
            if needs_keyring and not keyring:
                print('ok %d - %s # SKIP needs the private keyring of the ci test setup' % (n, name))
                continue
            start = time.monotonic()
            try:
                func(env, sim)
                print('ok %d - %s (%.1f s)' % (n, name, time.monotonic() - start))
            except Exception as e:
                failed += 1
                print('not ok %d - %s' % (n, name))
                detail = str(e) if isinstance(e, Failure) else traceback.format_exc()
                print('# ' + detail.replace('\n', '\n# '))
                print('# --- ferry-sim log (tail) ---')
                print('# ' + '\n# '.join(sim.log_text().splitlines()[-30:]))
            sys.stdout.flush()
    finally:
        if sim is not None:
            sim.stop()
        env.cleanup()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
