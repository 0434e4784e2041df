#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Certificate verification cannot be turned off silently.
#
# This is a STATIC check of the sources (src/), honest about being one: it
# reads the code for the ways a GLib/libsoup program can stop verifying
# TLS certificates and fails if one appears, or if an accept-certificate
# handler accepts anything without comparing a fingerprint the user pinned.
# The behaviour itself is tested end to end elsewhere: an unknown
# certificate is refused by the engine (tests/engine/test-engine-store.c,
# "unknown certificate"), by ferryctl without --trust-certificate
# (tests/cli/test-ferryctl.py, unknown_certificate_is_refused) and a changed
# one makes the pool fail and stay silent (tests/faults/test-faults.c,
# /faults/certificate-changed).

import os
import re
import sys

SRC = os.path.join(os.environ.get('G_TEST_SRCDIR', os.path.join(os.path.dirname(__file__), '..')), '..', 'src')
SRC = os.path.normpath(SRC)

# Each: a pattern, and why it would disable or weaken verification.
FORBIDDEN = [
    (r'G_TLS_CERTIFICATE_VALIDATE_NONE', 'validation flags that check nothing'),
    (r'validation[-_]flags', 'changing what a TLS client validates'),
    (r'ssl[-_]strict', 'libsoup 2 switch that accepted any certificate'),
    (r'ssl[-_]use[-_]system[-_]ca[-_]file', 'libsoup 2 switch for the trust store'),
    (r'tls[-_]database', 'replacing (or clearing) the system trust store'),
    (r'soup_session_set_tls_database', 'replacing (or clearing) the system trust store'),
    (r'g_tls_backend_get_default_database', 'a trust store of our own'),
    (r'GIO_USE_TLS|G_TLS_GNUTLS_PRIORITY', 'TLS backend settings changed from the code'),
]

# The only accept-certificate handlers allowed, with the file they live in.
# Each must compare the certificate with a pinned fingerprint before
# returning TRUE.
ALLOWED_HANDLERS = {('xapi/xapi-connection-tls.c', 'on_accept_certificate')}

results = []


def ok(good, name, detail=''):
    results.append((good, name, detail))


def sources():
    for root, _, files in os.walk(SRC):
        for name in sorted(files):
            if name.endswith(('.c', '.h')):
                path = os.path.join(root, name)
                with open(path, encoding='utf-8', errors='replace') as f:
                    yield os.path.relpath(path, SRC), f.read()


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


def function_body(text, name):
    m = re.search(r'^%s\s*\([^)]*\)\s*\{' % re.escape(name), text, flags=re.M)
    if m is None:
        return None
    depth, i = 1, m.end()
    while depth and i < len(text):
        depth += {'{': 1, '}': -1}.get(text[i], 0)
        i += 1
    return text[m.end():i - 1]


files = dict(sources())
ok(len(files) > 20, 'the sources were found', SRC)

hits = []
for rel, text in files.items():
    code = strip_comments(text)
    for pattern, why in FORBIDDEN:
        for m in re.finditer(pattern, code):
            line = code.count('\n', 0, m.start()) + 1
            hits.append('%s:%d: %s (%s)' % (rel, line, m.group(0), why))
ok(not hits, 'nothing switches certificate verification off or replaces the trust store', '\n'.join(hits))

handlers = []
for rel, text in files.items():
    code = strip_comments(text)
    for m in re.finditer(r'"accept-certificate"\s*,\s*G_CALLBACK\s*\(\s*(\w+)\s*\)', code):
        handlers.append((rel, m.group(1)))
    if re.search(r'"accept-certificate"', code) and not re.search(r'"accept-certificate"\s*,\s*G_CALLBACK', code):
        handlers.append((rel, '<connected in an unusual way>'))
ok(set(handlers) <= ALLOWED_HANDLERS,
   'accept-certificate is handled only where pinned fingerprints are compared',
   'handlers: %r' % handlers)

for rel, name in sorted(set(handlers) & ALLOWED_HANDLERS):
    body = function_body(strip_comments(files[rel]), name)
    if body is None:
        ok(False, '%s in %s is found' % (name, rel))
        continue
    lines = [l.strip() for l in body.splitlines() if l.strip()]
    bad = []
    for i, line in enumerate(lines):
        if line == 'return TRUE;':
            guard = lines[i - 1] if i > 0 else ''
            if not (guard.startswith('if (') and 'fingerprint' in guard):
                bad.append(guard + ' / ' + line)
    ok('return FALSE;' in lines, '%s refuses by default' % name, body)
    ok(not bad, '%s accepts only a certificate matching a fingerprint' % name, '\n'.join(bad))

print('1..%d' % len(results))
for i, (good, name, detail) in enumerate(results, 1):
    print('%s %d %s' % ('ok' if good else 'not ok', i, name))
    if not good and detail:
        for line in str(detail).splitlines():
            print('# ' + line)
sys.exit(0 if all(r[0] for r in results) else 1)
