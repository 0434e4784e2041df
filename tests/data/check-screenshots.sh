#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every screenshot the AppStream metadata points at (raw files of this
# repository) is a PNG kept in data/screenshots/, so the URLs work once the
# tree is published.  Output: TAP.
#
# Usage: check-screenshots.sh METAINFO SRCDIR

metainfo=$1 srcdir=$2
prefix='https://raw.githubusercontent.com/xenferry/ferry/main/'
n=0
failed=0
urls=$(sed -n 's:.*<image[^>]*>\(.*\)</image>.*:\1:p' "$metainfo")
if [ -z "$urls" ]; then
  echo "1..1"
  echo "not ok 1 - the metainfo has screenshots"
  exit 1
fi
for url in $urls; do
  n=$((n + 1))
  path=${url#"$prefix"}
  if [ "$path" != "$url" ] && [ -s "$srcdir/$path" ] &&
     [ "$(head -c 8 "$srcdir/$path" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; then
    echo "ok $n - $path"
  else
    failed=1
    echo "not ok $n - $url is a PNG in this repository"
  fi
done
echo "1..$n"
exit $failed
