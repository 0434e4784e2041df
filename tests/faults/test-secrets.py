#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The password never leaks: not into ferryctl's argv or environment (read
# from /proc while a migration runs), not into what it prints with
# G_MESSAGES_DEBUG=all, not into GSettings (a keyfile backend here, so that
# there is a file to read) nor into any file under the test's HOME and XDG
# directories.  The password is distinctive and random, so that a hit is
# never a coincidence; the simulator's scenario sets it.

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import json
import urllib.request

FERRYCTL = os.environ.get('FERRYCTL')
FERRY_SIM = os.environ.get('FERRY_SIM')
PASSWORD = 'Fy-' + secrets.token_hex(12) + '-pw'
TIMEOUT = 120

results = []


def ok(good, name, detail=''):
    results.append((good, name, detail))
    return good


def finish():
    print('1..%d' % len(results))
    for i, (good, name, detail) in enumerate(results, 1):
        print('%s %d %s' % ('ok' if good else 'not ok', i, name))
        if not good and detail:
            for line in str(detail)[:4000].splitlines():
                print('# ' + line)
    sys.exit(0 if all(r[0] for r in results) else 1)


def scenario():
    return {'pools': [{
        'name': 'Vault', 'username': 'root', 'password': PASSWORD,
        'hosts': [{'name': 'v-1', 'memory_gib': 64}, {'name': 'v-2', 'memory_gib': 64}],
        'srs': [{'name': 'Vault NFS', 'type': 'nfs', 'shared': True, 'size_gib': 500, 'default': True}],
        'vms': [{'name': 'vault-vm', 'host': 'v-1', 'memory_gib': 2, 'vcpus': 1,
                 'disks': [{'sr': 'Vault NFS', 'size_gib': 8, 'used_gib': 2}]}],
    }]}


def control(url, command):
    req = urllib.request.Request(url + '/sim/control', data=json.dumps(command).encode(),
                                 headers={'Content-Type': 'application/json'}, method='POST')
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def proc_read(pid, what):
    try:
        with open('/proc/%d/%s' % (pid, what), 'rb') as f:
            return f.read()
    except OSError:
        return None


def scan_tree(root, needle):
    found = []
    n = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                with open(path, 'rb') as f:
                    data = f.read()
            except OSError:
                continue
            n += 1
            if needle in data:
                found.append(path)
    return n, found


def main():
    if not FERRYCTL or not FERRY_SIM:
        print('1..0 # SKIP FERRYCTL or FERRY_SIM not set')
        return
    if not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        print('1..0 # SKIP no session bus with a keyring (run through the ci test setup)')
        return

    tmp = tempfile.mkdtemp(prefix='ferry-secrets-')
    home = os.path.join(tmp, 'home')
    dirs = {k: os.path.join(home, v) for k, v in
            {'XDG_CONFIG_HOME': '.config', 'XDG_CACHE_HOME': '.cache',
             'XDG_DATA_HOME': '.local/share', 'XDG_STATE_HOME': '.local/state'}.items()}
    for d in dirs.values():
        os.makedirs(d)
    env = dict(os.environ)
    env.update(dirs)
    env.update({'HOME': home, 'GSETTINGS_BACKEND': 'keyfile', 'G_MESSAGES_DEBUG': 'all',
                'LC_ALL': 'C.UTF-8', 'GIO_USE_PROXY_RESOLVER': 'dummy'})
    needle = PASSWORD.encode()

    path = os.path.join(tmp, 'vault.json')
    with open(path, 'w') as f:
        json.dump(scenario(), f)
    # About 12 s for the migration: time to look at ferryctl while it waits.
    sim = subprocess.Popen([FERRY_SIM, '--port=0', '--enable-control', '--quiet', '--bandwidth=300',
                            '--scenario=' + path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    outputs = []
    try:
        url = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = sim.stdout.readline()
            if not line or line.strip() == 'ready':
                break
            if line.startswith('pool Vault '):
                url = line.split()[2]
        if not ok(url is not None, 'the simulator started'):
            return

        # 1. server add, the password on stdin.
        p = subprocess.run([FERRYCTL, 'server', 'add', url, '--user', 'root', '--password-stdin'],
                           input=PASSWORD + '\n', capture_output=True, text=True, env=env, timeout=TIMEOUT)
        outputs.append(p.stdout + p.stderr)
        ok(p.returncode == 0, 'server add succeeds', p.stdout + p.stderr)

        # 2. a migration with the saved server, and one in the one-off form;
        #    look at the running process while it waits for the pool.
        runs = [([FERRYCTL, 'migrate', 'vault-vm', 'v-2'], None, 'saved server'),
                ([FERRYCTL, 'migrate', 'vault-vm', 'v-1', '--server', url, '--user', 'root',
                  '--password-stdin'], PASSWORD + '\n', 'one-off --password-stdin')]
        for argv, stdin, what in runs:
            control(url, {'command': 'calls', 'pool': 'Vault', 'clear': True})
            # Output to files: with every debug domain on it can outgrow a pipe.
            out_path = os.path.join(tmp, 'out-%d.txt' % len(outputs))
            with open(out_path, 'w+b') as out_file:
                proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out_file,
                                        stderr=subprocess.STDOUT, env=env)
            if stdin is not None:
                proc.stdin.write(stdin.encode())
            proc.stdin.close()
            seen = False
            looked = 0
            leaked_argv = leaked_env = False
            deadline = time.monotonic() + TIMEOUT
            while proc.poll() is None and time.monotonic() < deadline:
                calls = control(url, {'command': 'calls', 'pool': 'Vault', 'method': 'Async.VM.pool_migrate'})
                if calls['calls']:
                    seen = True
                cmdline = proc_read(proc.pid, 'cmdline')
                environ = proc_read(proc.pid, 'environ')
                if cmdline is not None and environ is not None and proc.poll() is None:
                    looked += 1
                    leaked_argv |= needle in cmdline
                    leaked_env |= needle in environ
                time.sleep(0.2)
            try:
                proc.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            with open(out_path, 'rb') as f:
                printed = f.read().decode(errors='replace')
            outputs.append(printed)
            ok(proc.returncode == 0, 'migration succeeds (%s)' % what, printed)
            ok(seen and looked >= 3,
               'argv and environment read while the migration ran (%s, %d looks)' % (what, looked))
            ok(not leaked_argv, 'password not in argv (%s)' % what)
            ok(not leaked_env, 'password not in the environment (%s)' % what)

        # 3. what ferryctl printed with every debug domain on.
        text = '\n'.join(outputs)
        ok('DEBUG' in text or 'debug' in text.lower(), 'debug messages were on (G_MESSAGES_DEBUG=all)', text)
        ok(PASSWORD not in text, 'password not in stdout/stderr with G_MESSAGES_DEBUG=all')

        # 4. GSettings (keyfile backend) and every file under HOME/XDG.
        keyfile = os.path.join(dirs['XDG_CONFIG_HOME'], 'glib-2.0', 'settings', 'keyfile')
        try:
            with open(keyfile, 'rb') as f:
                settings = f.read()
        except OSError:
            settings = b''
        ok(url.encode() in settings, 'the saved server is in the GSettings keyfile (the scan covers it)',
           settings.decode(errors='replace'))
        ok(needle not in settings, 'password not in GSettings')
        n, found = scan_tree(home, needle)
        ok(n >= 1, 'files under HOME/XDG were scanned (%d)' % n)
        ok(not found, 'password in no file under HOME and XDG dirs', '\n'.join(found))
        n, found = scan_tree(tmp, needle)
        ok(found == [path], 'only the scenario file (the test\'s own) holds it', '\n'.join(found))
    finally:
        sim.terminate()
        try:
            sim.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sim.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


main()
