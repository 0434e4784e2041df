#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the Flatpak manifest: flatpak-builder must parse it without a single
# warning (unknown keys and wrong types are only warnings unless G_DEBUG makes
# them fatal), and it must describe this tree: our app id, the `ferry` command,
# only the sandbox holes Ferry needs, and a last module that builds this very
# source tree with meson.  A real build needs the GNOME runtime from Flathub,
# which a test machine does not have.
#
# Usage: check-manifest.py MANIFEST APP_ID SOURCE_ROOT [FLATPAK_BUILDER]
# Output: TAP.

import json
import os
import subprocess
import sys
import tempfile

manifest_path, app_id, source_root = sys.argv[1:4]
flatpak_builder = sys.argv[4] if len(sys.argv) > 4 else None

# Exactly what Ferry needs: XAPI over the network, X11 shared memory, a display
# and GL.  Secrets go through the Secret portal (libsecret's file backend inside
# Flatpak), notifications through the notification portal: no D-Bus holes.
EXPECTED_FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}
FORBIDDEN_PREFIXES = (
    '--filesystem', '--persist', '--talk-name', '--own-name', '--system-talk-name',
    '--socket=x11', '--socket=session-bus', '--socket=system-bus', '--socket=ssh-auth',
    '--device=all', '--allow=devel', '--env=',
)

results = []


def check(ok, name, diag=None):
    results.append((bool(ok), name, diag))


with open(manifest_path, encoding='utf-8') as f:
    try:
        m = json.load(f)
    except ValueError as e:
        print('1..1')
        print('not ok 1 - manifest is valid JSON')
        print('# ' + str(e))
        sys.exit(1)

check(True, 'manifest is valid JSON')

if flatpak_builder:
    with tempfile.TemporaryDirectory() as tmp:
        # --show-manifest leaves a .flatpak-builder/ in its working directory.
        env = dict(os.environ, G_DEBUG='fatal-warnings')
        p = subprocess.run([flatpak_builder, '--show-manifest', os.path.abspath(manifest_path)],
                           cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, 'flatpak-builder --show-manifest parses it with no warning',
              p.stderr.strip())

check(m.get('id', m.get('app-id')) == app_id, 'id is ' + app_id, 'id: %r' % m.get('id'))
check(os.path.basename(manifest_path) == app_id + '.json', 'file is named after the app id')
check(m.get('runtime') == 'org.gnome.Platform', 'runtime is org.gnome.Platform')
check(m.get('sdk') == 'org.gnome.Sdk', 'sdk is org.gnome.Sdk')
rv = m.get('runtime-version')
check(isinstance(rv, str) and rv.isdigit() and int(rv) >= 43,
      'runtime-version is a stable GNOME release with GTK >= 4.8 and libadwaita >= 1.2', repr(rv))
check(m.get('command') == 'ferry', 'command is ferry', repr(m.get('command')))

fa = m.get('finish-args', [])
check(isinstance(fa, list) and set(fa) == EXPECTED_FINISH_ARGS and len(fa) == len(set(fa)),
      'finish-args are exactly network, ipc, wayland, fallback-x11, dri',
      'got: %r' % fa)
bad = [a for a in fa if isinstance(a, str) and a.startswith(FORBIDDEN_PREFIXES)]
check(not bad, 'no filesystem, home, host, D-Bus name or device-wide access', 'forbidden: %r' % bad)

modules = m.get('modules', [])
check(isinstance(modules, list) and len(modules) > 0, 'there is at least one module')
last = modules[-1] if modules and isinstance(modules[-1], dict) else {}
check(last.get('name') == 'ferry', 'the last module is ferry', repr(last.get('name')))
check(last.get('buildsystem') == 'meson', 'it builds with meson', repr(last.get('buildsystem')))
check(last.get('builddir') is True, 'it builds out of tree (builddir: true)')
srcs = last.get('sources', [])
dirs = [s for s in srcs if isinstance(s, dict) and s.get('type') == 'dir']
here = os.path.dirname(os.path.abspath(manifest_path))
check(len(dirs) == 1 and len(srcs) == 1
      and os.path.realpath(os.path.join(here, dirs[0].get('path', ''))) == os.path.realpath(source_root),
      'its only source is this source tree', 'sources: %r' % srcs)
check(dirs and os.path.isfile(os.path.join(here, dirs[0].get('path', ''), 'meson.build')),
      'that tree has a meson.build')

print('1..%d' % len(results))
for i, (ok, name, diag) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
    if not ok and diag:
        for line in str(diag).splitlines():
            print('# ' + line)
sys.exit(0 if all(r[0] for r in results) else 1)
