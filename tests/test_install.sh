#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make install` into a scratch DESTDIR: every file in place with the right
# mode, the systemd unit verified by systemd-analyze against that root, the
# man pages readable, the completion script valid bash.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$(mktemp -d /tmp/livefix-install-XXXXXX)
trap 'rm -rf "$D"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

if ! make -C "$ROOT" -s --no-print-directory install PREFIX=/usr DESTDIR="$D" >"$D.log" 2>&1; then
	bad "make install" "expected exit 0, saw: $(tail -3 "$D.log")"
	echo "install: $passed passed, $failed failed"; exit 1
fi
rm -f "$D.log"
ok "make install"

check_file() { # path mode
	local m
	m=$(stat -c %a "$D$1" 2>/dev/null) || { bad "$1" "expected the file, saw none"; return; }
	[ "$m" = "$2" ] && ok "$1 ($2)" || bad "$1" "expected mode $2, saw $m"
}
check_file /usr/bin/livefix 755
check_file /usr/share/man/man1/livefix.1 644
check_file /usr/share/bash-completion/completions/livefix 644
check_file /usr/lib/systemd/system/livefix.service 644
check_file /usr/lib/systemd/system/livefix-user-watch.service 644
for h in kpatch-macros.h kpatch-syscall.h livefix-macros.h; do
	check_file /usr/share/livefix/include/$h 644
done

if "$D/usr/bin/livefix" --version | grep -q '^livefix '; then ok "installed binary runs"
else bad "installed binary runs" "expected 'livefix VERSION', saw '$("$D/usr/bin/livefix" --version 2>&1)'"; fi

if command -v systemd-analyze >/dev/null; then
	for u in livefix.service livefix-user-watch.service; do
		out=$(systemd-analyze verify --man=no --root="$D" "$D/usr/lib/systemd/system/$u" 2>&1)
		[ -z "$out" ] && ok "systemd-analyze verify $u" ||
			bad "systemd-analyze verify $u" "expected no complaint, saw: $out"
	done
else
	echo "skip systemd-analyze verify: systemd-analyze not installed"; skipped=$((skipped + 1))
fi

out=$(MANWIDTH=80 man -l "$D/usr/share/man/man1/livefix.1" 2>&1 | head -3)
grep -q 'livefix' <<<"$out" && ok "man page renders" || bad "man page renders" "saw: $out"
bash -n "$D/usr/share/bash-completion/completions/livefix" && ok "completion is valid bash" ||
	bad "completion" "bash -n failed"

echo "install: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
