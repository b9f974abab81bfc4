#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# VM tests: each patch is built on the host with `livefix build`, then the
# real Debian kernel boots in qemu, and inside it the patch's effect must be
# absent before load, present while loaded, and gone after unload, with no
# "Call Trace", "BUG" or "WARNING" in the kernel log.
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp -d /tmp/livefix-vmtest-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
passed=0 failed=0

# name | patch | file read in the guest | text that shows the patch is live
CASES="proc-version|examples/proc-version.patch|/proc/version|In version_proc_show
proc-cmdline|tests/vm/patches/proc-cmdline.patch|/proc/cmdline|livefix_cmdline_patched
proc-meminfo|tests/vm/patches/proc-meminfo.patch|/proc/meminfo|LivefixPatched:"

guest_script() { # file marker module
	cat <<GUEST
#!/bin/sh
check() { # expect(0=absent,1=present) phase
	if grep -q "$2" "$1"; then seen=1; else seen=0; fi
	if [ "\$seen" != "\$3" ]; then
		echo "FAIL \$4: expected '$2' \$( [ \$3 = 1 ] && echo present || echo absent) in $1, saw:"
		cat "$1" | head -5; exit 1
	fi
	echo "ok \$4"
}
check "$1" "$2" 0 before-load
livefix load /root/$3.ko || { echo "FAIL: livefix load exited \$?"; exit 1; }
check "$1" "$2" 1 while-loaded
# livefix report sends the source patch the module keeps (docs/console.md).
livefix report --dry-run --host guest | grep -q '"source_patch":"[^"]' ||
	{ echo "FAIL: livefix report --dry-run carries no source_patch"; exit 1; }
echo "ok report-carries-the-diff"
livefix unload $3 || { echo "FAIL: livefix unload exited \$?"; exit 1; }
check "$1" "$2" 0 after-unload
[ -d /sys/kernel/livepatch/$(echo "$3" | tr - _) ] && { echo "FAIL: patch still in /sys/kernel/livepatch"; exit 1; }
exit 0
GUEST
}

while IFS='|' read -r name patch file marker; do
	echo "== $name"
	mod="livepatch-$name"
	if ! (cd "$ROOT" && ./livefix build -k "$KVER" -n "$name" -o "$OUT" "$patch") >"$OUT/$name.build.log" 2>&1; then
		echo "FAIL $name: livefix build failed:"; tail -20 "$OUT/$name.build.log"
		failed=$((failed + 1)); continue
	fi
	guest_script "$file" "$marker" "$mod" >"$OUT/$name.guest.sh"
	if "$ROOT/tests/vm/vm.sh" --kver "$KVER" --add "$ROOT/livefix:/usr/bin/livefix" \
		--add "$OUT/$mod.ko:/root/$mod.ko" "$OUT/$name.guest.sh"; then
		echo "ok $name"; passed=$((passed + 1))
	else
		echo "FAIL $name: the guest test failed (output above)"; failed=$((failed + 1))
	fi
done <<<"$CASES"
echo "vm patches: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
