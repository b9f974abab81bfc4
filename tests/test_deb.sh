#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make deb: the package builds with dpkg-buildpackage in a copy of the tree
# (the tree is left as it was), lintian has nothing to say, it holds the
# binary, units, man pages, completion and macro headers (livefix-console,
# a package of its own, the console's binary, unit and man page), and dpkg
# unpacks it into a scratch root.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$(mktemp -d /tmp/livefix-test-deb-XXXXXX)
trap 'rm -rf "$D"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

before=$(cd "$ROOT" && git status --porcelain --ignored=no 2>/dev/null)
if "$ROOT/scripts/deb.sh" "$D/out" >"$D/log" 2>&1; then ok "make deb (dpkg-buildpackage, lintian)"
else bad "make deb" "expected exit 0, saw: $(tail -5 "$D/log")"
	echo "deb: $passed passed, $failed failed"; exit 1; fi
after=$(cd "$ROOT" && git status --porcelain --ignored=no 2>/dev/null)
[ "$before" = "$after" ] && ok "source tree unchanged by the build" ||
	bad "source tree unchanged" "expected no new or changed file, saw: $(diff <(echo "$before") <(echo "$after"))"
tags=$(grep -vE '^(running with root privileges|$)' "$D/out/lintian.txt")
[ -z "$tags" ] && ok "lintian: no tag" || bad "lintian" "expected no tag, saw: $tags"

DEB=$(ls "$D"/out/livefix_*_amd64.deb)
files=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in ./usr/bin/livefix ./lib/systemd/system/livefix.service \
	./lib/systemd/system/livefix-user-watch.service \
	./usr/share/man/man1/livefix.1.gz ./usr/share/man/man1/livefix-status.1.gz \
	./usr/share/bash-completion/completions/livefix \
	./usr/share/livefix/include/livefix-macros.h ./usr/share/livefix/include/kpatch-macros.h; do
	grep -qxF "$f" <<<"$files" && ok "package holds $f" || bad "package holds $f" "not in dpkg-deb -c"
done
dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./postinst 2>/dev/null | grep -q "deb-systemd-helper enable 'livefix.service'" &&
	ok "postinst enables livefix.service" || bad "postinst" "expected it to enable livefix.service"
for f in ./lib/systemd/system/livefix-report.service ./lib/systemd/system/livefix-report.timer; do
	grep -qxF "$f" <<<"$files" && ok "package holds $f" || bad "package holds $f" "not in dpkg-deb -c"
done
grep -q 'livefix-console' <<<"$files" && bad "livefix holds no console file" "saw: $(grep console <<<"$files")" ||
	ok "livefix holds no console file"

# The console, a package of its own.
CDEB=$(ls "$D"/out/livefix-console_*_amd64.deb 2>/dev/null)
cfiles=$(dpkg-deb -c "$CDEB" 2>/dev/null | awk '{print $6}')
for f in ./usr/bin/livefix-console ./lib/systemd/system/livefix-console.service \
	./usr/share/man/man1/livefix-console.1.gz ./usr/lib/livefix-console/livefix-repo; do
	grep -qxF "$f" <<<"$cfiles" && ok "livefix-console holds $f" || bad "livefix-console holds $f" "not in dpkg-deb -c"
done
dpkg-deb --ctrl-tarfile "$CDEB" | tar -xO ./postinst 2>/dev/null | grep -q "deb-systemd-helper enable 'livefix-console.service'" &&
	ok "livefix-console's postinst enables livefix-console.service" || bad "console postinst" "expected it to enable livefix-console.service"

# Unpacked into a scratch root (no maintainer scripts: they would act on
# this machine's systemd); the binary from the package runs.
mkdir -p "$D/root/var/lib/dpkg/updates" "$D/root/var/lib/dpkg/info"
touch "$D/root/var/lib/dpkg/status"
if dpkg --root="$D/root" --force-depends --force-script-chrootless --unpack "$DEB" >"$D/log" 2>&1 &&
	"$D/root/usr/bin/livefix" --version | grep -q '^livefix '; then ok "dpkg --unpack into a scratch root; its livefix runs"
else bad "dpkg --unpack" "saw: $(tail -3 "$D/log")"; fi

echo "deb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
