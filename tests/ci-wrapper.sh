#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one test inside a private D-Bus session with an unlocked
# gnome-keyring and private XDG directories, so that tests never touch the
# user's keyring or settings and never reach a password prompt.

T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-test.XXXXXX") || exit 99
export XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config" XDG_CACHE_HOME="$T/cache" XDG_RUNTIME_DIR="$T/run"
export HOME="$T/home"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
CONF=
[ -n "$CI_DBUS_CONFIG" ] && CONF="--config-file=$CI_DBUS_CONFIG"
exec 3>&1
dbus-run-session $CONF -- sh -c '
  printf %s ci | gnome-keyring-daemon --replace --daemonize --unlock --components=secrets >/dev/null 2>&1
  gdbus wait --session --timeout 10 org.freedesktop.secrets
  exec "$@" >&3 3>&-' sh "$@" 1>&2
rc=$?
rm -rf "$T"
exit $rc
