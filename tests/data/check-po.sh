#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Translation checks: every file in po/POTFILES.in exists (xgettext stops at
# the first missing one), every source file with translatable strings is
# listed there, and every catalogue in po/LINGUAS compiles with
# `msgfmt --check`.  Untranslated or fuzzy messages are reported, not failed.
# Output: TAP.
#
# Usage: check-po.sh SRCDIR

srcdir=$1
n=0
failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-po.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

ok () { n=$((n + 1)); echo "ok $n - $1"; }
fail () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }

sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$srcdir/po/POTFILES.in" >"$T/potfiles"
missing=
while read -r f; do
  [ -f "$srcdir/$f" ] || missing="$missing $f"
done <"$T/potfiles"
if [ -z "$missing" ]; then ok "every file in POTFILES.in exists"; else fail "every file in POTFILES.in exists"; echo "# missing:$missing"; fi

# Sources with _("…"), N_("…"), C_("…") or translatable="yes" must be listed.
unlisted=
for f in $(cd "$srcdir" && ls src/engine/*.c src/cli/*.c src/ui/*.c src/ui/*.ui src/ui/*/*.ui 2>/dev/null); do
  if grep -qE '(^|[^A-Za-z0-9_])[NC]?_ *\(|translatable="yes"' "$srcdir/$f" && ! grep -qxF "$f" "$T/potfiles"; then
    unlisted="$unlisted $f"
  fi
done
if [ -z "$unlisted" ]; then ok "every source with translatable strings is in POTFILES.in"; else fail "every source with translatable strings is in POTFILES.in"; echo "# not listed:$unlisted"; fi

for lang in $(sed 's/#.*//' "$srcdir/po/LINGUAS"); do
  if msgfmt --check --statistics -o /dev/null "$srcdir/po/$lang.po" >"$T/msgfmt.log" 2>&1; then
    ok "$lang.po compiles with msgfmt --check"
  else
    fail "$lang.po compiles with msgfmt --check"
  fi
  sed 's/^/# /' "$T/msgfmt.log"
done

echo "1..$n"
exit $failed
