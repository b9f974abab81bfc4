#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make deb: builds livefix's Debian packages (livefix, livefix-console)
# with dpkg-buildpackage in a copy of the tree (its tracked and new files,
# nothing built), so the source tree is left as it was, then runs lintian
# on the result. The .deb, .buildinfo,
# .changes and lintian's output go to OUT (default build/deb, which make
# clean removes).
#   scripts/deb.sh [OUT]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/deb}
VERSION=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
WORK=$(mktemp -d /tmp/livefix-deb-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null || {
		echo "livefix: make deb needs $tool (apt-get install dpkg-dev debhelper lintian)" >&2
		exit 4
	}
done
SRC=$WORK/livefix-$VERSION
mkdir -p "$SRC" "$OUT"
(cd "$ROOT" && git ls-files -co --exclude-standard -z |
	tar --null -T - -cf -) | tar -xf - -C "$SRC"
(cd "$SRC" && dpkg-buildpackage -b -uc -us) >"$WORK/build.log" 2>&1 || {
	tail -30 "$WORK/build.log" >&2
	echo "livefix: dpkg-buildpackage failed (log above)" >&2
	exit 1
}
# The packages, their -dbgsym (the binaries' debug info) and the
# .changes that lists them.
cp "$WORK"/livefix*_"$VERSION"_*.deb "$WORK"/livefix_"$VERSION"_*.buildinfo \
	"$WORK"/livefix_"$VERSION"_*.changes "$OUT"/
# Lintian clean: every tag it gives fails the build, overrides (each one
# explained) live in debian/livefix.lintian-overrides.
if ! lintian --fail-on warning,error --info "$OUT"/livefix_"$VERSION"_*.changes \
	>"$OUT/lintian.txt" 2>&1; then
	cat "$OUT/lintian.txt" >&2
	echo "livefix: lintian found problems (above)" >&2
	exit 1
fi
ls "$OUT"/livefix_"$VERSION"_*.deb "$OUT"/livefix-console_"$VERSION"_*.deb
