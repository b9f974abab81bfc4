#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A module's own tracepoint in a patched function on trixie's kernel
# (KVER_TRIXIE), where objtool runs on the linked module: the unit object
# livefix compiles holds the compiler's jmp at the tracepoint's site, and
# the patch drops the site's __jump_table entry (its key, the module's
# unexported __tracepoint_nullb_zone_op, is read before klp relocates it)
# and writes the NOP objtool would (special/tracepoint.c).
#  1. host: tests/vm/tracepoint/null-zone-write-tracepoint-6.12.patch makes
#     null_blk's null_zone_write() fail a write to zone 1, after its
#     trace_nullb_zone_op(); the build warns that the tracepoint will not
#     fire from the patched function;
#  2. guest: null_blk (zoned, conventional zones) with the event
#     nullb:nullb_zone_op enabled. A write to zone 1 works and is traced
#     before the patch and after its unload; while it is loaded the write
#     fails (the patched code runs) and a write to zone 0 works and is not
#     traced (the site is the NOP: no jmp to the tracing code is left).
# Skipped with a message when trixie's inputs are not cached and cannot be
# fetched. The first argument (make check's 6.1 KVER) is not used.
# Ends with "N passed, N failed".
set -u
KVER=${KVER_TRIXIE:-6.12.107+deb13-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/vm/lib.sh"
LF=$ROOT/livefix
PATCH=$ROOT/tests/vm/tracepoint/null-zone-write-tracepoint-6.12.patch

trixie_ready_or_skip "$KVER" "$LF" || exit 0
OUT=$(mktemp -d /tmp/livefix-vmtrace612-XXXXXX)
trap 'rm -rf "$OUT"' EXIT

# --- host: the module
if (cd "$ROOT" && "$LF" build -k "$KVER" -n tp -o "$OUT" "$PATCH") >"$OUT/build.log" 2>&1; then
	t_pass "build null-zone-write-tracepoint-6.12"
else
	t_fail "build null-zone-write-tracepoint-6.12" "a module" "$(tail -5 "$OUT/build.log")"
	t_summary; exit 1
fi
KO=$OUT/livepatch-tp.ko
t_match "build: the tracepoint's site is dropped, with a warning" \
	"tracepoint nullb_zone_op in null_zone_write\(\) will not fire while the patch is loaded" \
	"$(cat "$OUT/build.log")"
t_eq "module: no jump entry keyed on the module's tracepoint" "" \
	"$(readelf -rW "$KO" | sed -n '/__jump_table/,/^$/p' | grep __tracepoint_nullb_zone_op)"

# --- guest: before, while loaded, after
cat >"$OUT/guest.sh" <<'GUEST'
#!/bin/sh
. /root/livepatch.sh
modprobe null_blk nr_devices=1 zoned=1 zone_size=4 zone_nr_conv=4 gb=1 ||
	echo "modprobe null_blk failed"
T=/sys/kernel/tracing
echo 1 >$T/events/nullb/nullb_zone_op/enable || echo "cannot enable nullb_zone_op"
# ZONE: "W N": W 1 when a 4 KiB write at the start of zone ZONE (4 MiB each)
# reached the device, else 0; N the nullb_zone_op events traced for zone ZONE
write() {
	echo >$T/trace
	dd if=/dev/zero of=/dev/nullb0 bs=4096 count=1 seek=$(($1 * 1024)) conv=fsync \
		2>/dev/null && w=1 || w=0
	echo "$w $(grep -c "zone_no=$1 " $T/trace)"
}
echo "before: zone 1 $(write 1)"
lp_load /root/livepatch-tp.ko
lp_patched livepatch-tp null_blk
lp_runpre
echo "loaded: zone 1 $(write 1) zone 0 $(write 0)"
lp_unload livepatch-tp
echo "after: zone 1 $(write 1)"
exit 0
GUEST
adds=(--add "$LF:/usr/bin/livefix" --add "$KO:/root/" --add "$(vm_guest_lib)")
out=$("$ROOT/tests/vm/vm.sh" --kver "$KVER" --timeout 900 --with-module null_blk \
	"${adds[@]}" "$OUT/guest.sh" 2>&1)
rc=$?
t_eq "guest: the run ends cleanly (no oops, warning)" 0 "$rc"
t_match "guest: before the patch, a write to zone 1 works and is traced" \
	"^before: zone 1 1 [1-9][0-9]*$" "$out"
t_match "guest: null_blk is patched" "^null_blk patched: 1$" "$out"
t_match "guest: run-pre checks null_zone_write" "^run-pre: .*run-pre check passed" "$out"
t_match "guest: while loaded, a write to zone 1 fails (the patched code runs), one to zone 0 works, neither traced (the site is a NOP)" \
	"^loaded: zone 1 0 0 zone 0 1 0$" "$out"
t_match "guest: after unload, a write to zone 1 works and is traced again" \
	"^after: zone 1 1 [1-9][0-9]*$" "$out"
t_eq "guest: load, unload and the patch gone" "" "$(grep -E 'failed|still in|cannot' <<<"$out")"

[ "$T_FAILED" = 0 ] || { echo "guest output:"; echo "$out"; }
t_summary
