#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds and installs the build tree into a temporary DESTDIR and checks that it is a
# complete application: binaries, desktop entry, AppStream metadata, icons,
# settings schema, translations and man pages, that these files agree with
# each other and with the Flatpak manifest, and that the installed binaries
# run.  Output: TAP.
#
# Usage: check-install.sh MESON BUILDDIR SRCDIR APP_ID BINDIR DATADIR MANDIR LOCALEDIR [BIN:NAME | MISSING:NAME]...
#   BINDIR … LOCALEDIR are the absolute install paths (prefix included);
#   BIN:NAME is an executable this tree builds and installs, MISSING:NAME one it
#   does not build yet (its checks are reported as skipped).

set -u
meson=$1 builddir=$2 srcdir=$3 app_id=$4 bindir=$5 datadir=$6 mandir=$7 localedir=$8
shift 8

n=0
failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-install.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
D=$T/root

ok () { n=$((n + 1)); echo "ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
fail () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/# /' "$2" | head -40; }
check () { # check NAME LOG COMMAND...
  local name=$1 log=$2; shift 2
  if "$@" >"$log" 2>&1; then ok "$name"; else fail "$name" "$log"; fi
}
has_file () { if [ -s "$D$1" ]; then ok "installs $1"; else fail "installs $1"; fi; }

declare -A built=()
declare -A missing=()
for arg in "$@"; do
  case $arg in
    BIN:*) built[${arg#BIN:}]=1 ;;
    MISSING:*) missing[${arg#MISSING:}]=1 ;;
  esac
done

if ! "$meson" install -C "$builddir" --quiet --destdir "$D" >"$T/install.log" 2>&1; then
  fail "meson install --destdir" "$T/install.log"
  echo "1..$n"
  exit 1
fi
ok "meson install --destdir"

for b in ferry ferryctl; do
  if [ -n "${built[$b]:-}" ]; then
    if [ -x "$D$bindir/$b" ]; then ok "installs $bindir/$b"; else fail "installs $bindir/$b"; fi
  else
    skip "installs $bindir/$b" "$b is not built by this tree yet"
  fi
done

desktop=$datadir/applications/$app_id.desktop
metainfo=$datadir/metainfo/$app_id.metainfo.xml
icon=$datadir/icons/hicolor/scalable/apps/$app_id.svg
symbolic=$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg
schemas=$datadir/glib-2.0/schemas
for f in "$desktop" "$metainfo" "$icon" "$symbolic" "$schemas/$app_id.gschema.xml" \
         "$mandir/man1/ferry.1" "$mandir/man1/ferryctl.1"; do
  has_file "$f"
done

# Every language in LINGUAS is compiled and installed, and merged into the
# desktop entry and the metainfo.
for lang in $(sed 's/#.*//' "$srcdir/po/LINGUAS"); do
  has_file "$localedir/$lang/LC_MESSAGES/ferry.mo"
  if grep -q "^Comment\[$lang\]=" "$D$desktop"; then ok "desktop entry has a $lang comment"; else fail "desktop entry has a $lang comment"; fi
  if grep -q "<summary xml:lang=\"$lang\">" "$D$metainfo"; then ok "metainfo has a $lang summary"; else fail "metainfo has a $lang summary"; fi
done

# The files point at each other: the desktop entry starts an installed binary
# and names the installed icon, the metainfo launches the installed desktop
# entry, and Flatpak's command is an installed binary.
exec_bin=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$D$desktop" | head -1)
icon_name=$(sed -n 's/^Icon=//p' "$D$desktop" | head -1)
launchable=$(sed -n 's:.*<launchable type="desktop-id">\(.*\)</launchable>.*:\1:p' "$D$metainfo")
manifest_cmd=$(sed -n 's/^ *"command" *: *"\([^"]*\)".*/\1/p' "$srcdir/flatpak/$app_id.json" | head -1)
for pair in "desktop Exec:$exec_bin" "Flatpak command:$manifest_cmd"; do
  what=${pair%%:*} b=${pair#*:}
  if [ -n "${missing[$b]:-}" ]; then
    skip "$what ($b) is an installed binary" "$b is not built by this tree yet"
  elif [ -n "$b" ] && [ -x "$D$bindir/$b" ]; then
    ok "$what ($b) is an installed binary"
  else
    fail "$what ($b) is an installed binary"
  fi
done
if [ -s "$D$datadir/icons/hicolor/scalable/apps/$icon_name.svg" ]; then ok "desktop Icon ($icon_name) is installed"; else fail "desktop Icon ($icon_name) is installed"; fi
if [ "$launchable" = "$app_id.desktop" ]; then ok "metainfo launchable is the installed desktop entry"; else fail "metainfo launchable is the installed desktop entry ($launchable)"; fi

check "installed schemas compile (--strict)" "$T/schemas.log" glib-compile-schemas --strict "$D$schemas"

# Run what was installed, with the installed schema and data.
export GSETTINGS_SCHEMA_DIR="$D$schemas"
export XDG_DATA_DIRS="$D$datadir:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"

if [ -n "${built[ferryctl]:-}" ]; then
  check "installed ferryctl --help exits 0" "$T/ferryctl-help.log" "$D$bindir/ferryctl" --help
  if [ -s "$T/ferryctl-help.log" ]; then ok "installed ferryctl --help prints help"; else fail "installed ferryctl --help prints help"; fi
else
  skip "installed ferryctl --help exits 0" "ferryctl is not built by this tree yet"
fi

if [ -n "${built[ferry]:-}" ]; then
  check "installed ferry --help exits 0" "$T/ferry-help.log" "$D$bindir/ferry" --help
  if [ -n "${DISPLAY:-}" ] && command -v xdotool >/dev/null; then
    "$D$bindir/ferry" --demo >"$T/ferry-demo.log" 2>&1 &
    pid=$!
    if timeout 60 xdotool search --sync --onlyvisible --pid "$pid" >"$T/xdotool.log" 2>&1 \
       && kill -0 "$pid" 2>/dev/null; then
      ok "installed ferry --demo opens its window"
    else
      fail "installed ferry --demo opens its window" "$T/ferry-demo.log"
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  else
    skip "installed ferry --demo opens its window" "no X display"
  fi
else
  skip "installed ferry --help exits 0" "ferry is not built by this tree yet"
  skip "installed ferry --demo opens its window" "ferry is not built by this tree yet"
fi

echo "1..$n"
exit $failed
