#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A module object whose run-pre check fails, on trixie's kernel
# (KVER_TRIXIE): tests/vm/verify/nls-iso8859-1.patch built by the test
# binary to expect the patched code (LIVEFIX_TEST_EXPECT_FROM=patched),
# loaded while nls_iso8859_1 is not. Each try to load nls_iso8859_1 is
# refused by the check in its pre_patch, which sets back to zero what klp
# wrote for it (no release does, 6.12 included: livefix-forget.c), so the
# next try is checked again instead of failing on "invalid relocation
# target", and nls_iso8859_1 loads once the patch is gone.
# Skipped with a message when trixie's inputs are not cached and cannot be
# fetched. The first argument (make check's 6.1 KVER) is not used.
# Ends with "N passed, N failed".
set -u
KVER=${KVER_TRIXIE:-6.12.107+deb13-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/vm/lib.sh"
LF=$ROOT/livefix
LFT=$ROOT/build/livefix-test

trixie_ready_or_skip "$KVER" "$LF" || exit 0
OUT=$(mktemp -d /tmp/livefix-vmverify612-XXXXXX)
trap 'rm -rf "$OUT"' EXIT

if (cd "$ROOT" && LIVEFIX_TEST_EXPECT_FROM=patched "$LFT" build -k "$KVER" -n nls-wrong \
	-o "$OUT" tests/vm/verify/nls-iso8859-1.patch) >"$OUT/build.log" 2>&1; then
	t_pass "build nls-wrong (expects the patched code)"
else
	t_fail "build nls-wrong" "a module" "$(tail -5 "$OUT/build.log")"
	t_summary; exit 1
fi

cat >"$OUT/guest.sh" <<'GUEST'
#!/bin/sh
livefix load /root/livepatch-nls-wrong.ko >/dev/null 2>&1; echo "rc-load=$?"
for i in 1 2; do modprobe nls_iso8859-1 >/dev/null 2>&1; echo "rc-coming-$i=$?"; done
echo "refused=$(dmesg | grep -c 'livepatch_nls_wrong: .*nls_iso8859_1:char2uni,0: differs')"
echo "zeroed=$(dmesg | grep -c 'livepatch_nls_wrong: nls_iso8859_1: [0-9]* fields of its livepatch relocations set back to zero')"
echo "invalid=$(dmesg | grep -ci 'invalid relocation target')"
livefix unload livepatch-nls-wrong >/dev/null 2>&1; echo "rc-unload=$?"
modprobe nls_iso8859-1 >/dev/null 2>&1; echo "rc-after=$?"
exit 0
GUEST
out=$("$ROOT/tests/vm/vm.sh" --kver "$KVER" --add "$LF:/usr/bin/livefix" \
	--add "$OUT/livepatch-nls-wrong.ko:/root/" --with-module nls_iso8859-1 "$OUT/guest.sh" 2>&1)
rc=$?
t_eq "guest: the run ends cleanly (no oops, warning)" 0 "$rc"
t_eq "the patch loads (its module object is not loaded)" "rc-load=0" "$(grep '^rc-load=' <<<"$out")"
t_eq "nls_iso8859_1 refused when it comes (1)" "rc-coming-1=1" "$(grep '^rc-coming-1=' <<<"$out")"
t_eq "nls_iso8859_1 refused when it comes (2)" "rc-coming-2=1" "$(grep '^rc-coming-2=' <<<"$out")"
refused=$(sed -n 's/^refused=//p' <<<"$out") zeroed=$(sed -n 's/^zeroed=//p' <<<"$out")
# (busybox's modprobe may try a module twice: count the kernel's tries)
t_eq "checked at every try (2 or more)" yes "$([ "${refused:-0}" -ge 2 ] && echo yes || echo "no: refused=$refused")"
t_eq "klp's writes set back at every try" "zeroed=$refused" "zeroed=$zeroed"
t_eq "no invalid relocation target" "invalid=0" "$(grep '^invalid=' <<<"$out")"
t_eq "the patch unloads" "rc-unload=0" "$(grep '^rc-unload=' <<<"$out")"
t_eq "nls_iso8859_1 loads once the patch is gone" "rc-after=0" "$(grep '^rc-after=' <<<"$out")"
[ "$T_FAILED" -eq 0 ] || echo "$out" | tail -20
t_summary
