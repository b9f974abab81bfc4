#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The README's first commands on a new machine: `make demo` / `make check`
# install the Debian packages before anything is compiled. Checked with a
# package list of our own (LIVEFIX_PACKAGES): a user who is not root gets
# one line naming what to install, not a compiler error; root with nothing
# missing gets silence.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

D=$(mktemp -d /tmp/livefix-deps-XXXXXX)
trap 'rm -rf "$D"' EXIT
# A copy readable by an unprivileged user: the Makefile and scripts/ only,
# so a compile that ran anyway would fail loudly.
mkdir -p "$D/tree/scripts"
cp "$ROOT/Makefile" "$D/tree/" && cp "$ROOT"/scripts/* "$D/tree/scripts/"
printf '# test list\nlivefix-no-such-package\ncoreutils\n' >"$D/missing.txt"
printf 'coreutils\ndpkg\n' >"$D/present.txt"
chmod -R a+rX "$D"

if [ "$(id -u)" -ne 0 ] || ! command -v runuser >/dev/null; then
	echo "skip unprivileged make demo: needs root and runuser"; skipped=$((skipped + 2))
else
	for goal in demo check; do
		out=$(cd "$D/tree" && runuser -u nobody -- env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS LIVEFIX_PACKAGES="$D/missing.txt" \
			make -s "$goal" 2>&1); rc=$?
		mine=$(grep -Ev '^make(\[[0-9]+\])?: \*\*\*' <<<"$out")
		if [ "$rc" -ne 0 ] && [ "$(wc -l <<<"$mine")" -eq 1 ] &&
			grep -q '^livefix: missing Debian packages: livefix-no-such-package; run this as root' <<<"$mine"; then
			ok "make $goal as nobody names the missing package in one line"
		else
			bad "make $goal as nobody" "expected a failure with one line 'livefix: missing Debian packages: livefix-no-such-package; ...', saw (exit $rc): $out"
		fi
	done
fi

out=$(LIVEFIX_PACKAGES="$D/present.txt" "$ROOT/scripts/install-deps.sh" 2>&1); rc=$?
[ "$rc" -eq 0 ] && [ -z "$out" ] && ok "nothing missing: silent, exit 0" ||
	bad "nothing missing" "expected exit 0 and no output, saw (exit $rc): $out"

# Every command the tests call by name comes from a package of the list
# (Debian's: not a copy that happens to be on this machine's PATH).
for cmd in man qemu-system-x86_64 busybox cpio zstd stress-ng gcc-12 systemd-analyze; do
	pkg=$(dpkg-query -S "bin/$cmd" 2>/dev/null | grep -E ": /(usr/)?s?bin/$cmd\$" | head -1 | cut -d: -f1)
	if [ -n "$pkg" ] && grep -qx "$pkg" "$ROOT/scripts/packages.txt"; then ok "$cmd comes from $pkg, listed"
	else bad "$cmd's package" "expected it in scripts/packages.txt, saw package '${pkg:-none}'"; fi
done

echo "deps: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
