#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BENCH=apply: in the test machine (tests/vm/vm.sh, qemu TCG), bench/probe
# reads /proc/meminfo in a tight loop, recording each read's latency, while
# `livefix load` and then `livefix unload` of a patch of meminfo_proc_show
# (tests/vm/patches/proc-meminfo.patch) run; phases are marked by
# CLOCK_MONOTONIC timestamps. Repeated $APPLY_CYCLES times (default 3) in one
# boot; reports transition times and per-phase latency percentiles.
. "$(dirname "$0")/lib.sh"
need_livefix
. "$ROOT/tests/vm/lib.sh"
vm_locate "$KVER" || { say "kernel $KVER not in the cache: skipped"; exit 0; }
CYCLES=${APPLY_CYCLES:-3}
PHASE_S=${APPLY_PHASE_S:-3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/livefix-bench-apply-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
sec=$RESULTS_DIR/apply.md.tmp

gcc -O2 -Wall -static -o "$TMP/probe" "$BENCH_DIR/probe.c" || exit 1
(cd "$ROOT" && ./livefix build -k "$KVER" -n bench-meminfo -o "$TMP" tests/vm/patches/proc-meminfo.patch) \
	>"$TMP/build.log" 2>&1 || { say "build failed: $(tail -3 "$TMP/build.log")"; exit 1; }

cat >"$TMP/guest.sh" <<GUEST
#!/bin/sh
P=/root/probe
for c in \$(seq $CYCLES); do
	\$P run /root/samples & PID=\$!
	sleep $PHASE_S
	t1=\$(\$P mark); livefix load -t 120 /root/livepatch-bench-meminfo.ko >/root/load.log 2>&1; rl=\$?; t2=\$(\$P mark)
	sleep $PHASE_S
	t3=\$(\$P mark); livefix unload livepatch-bench-meminfo >/root/unload.log 2>&1; ru=\$?; t4=\$(\$P mark)
	sleep $PHASE_S
	kill -TERM \$PID; wait \$PID; rp=\$?
	echo "APPLY cycle \$c load_exit \$rl unload_exit \$ru probe_exit \$rp"
	[ \$rl = 0 ] || cat /root/load.log
	[ \$ru = 0 ] || cat /root/unload.log
	\$P report /root/samples \$t1 \$t2 \$t3 \$t4
done
GUEST
say "booting the test machine ($CYCLES cycles; load $(loadavg))"
l0=$(loadavg)
t0=$(now)
"$VM_SH" --kver "$KVER" --timeout 900 --add "$ROOT/livefix:/usr/bin/livefix" \
	--add "$TMP/probe:/root/probe" --add "$TMP/livepatch-bench-meminfo.ko:/root/livepatch-bench-meminfo.ko" \
	"$TMP/guest.sh" >"$TMP/out" 2>"$TMP/err"
rc=$?
l1=$(loadavg)
wall=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
cp "$TMP/out" "$RESULTS_DIR/apply-raw.txt"
say "vm.sh exit $rc; $(grep -c '^APPLY cycle' "$TMP/out") cycles"
[ $rc = 0 ] || say "vm.sh stderr: $(tail -5 "$TMP/err")"

# Aggregate: medians over the cycles of each figure.
agg() { # PHASE FIELD -> "median (min–max)"
	awk -v ph="$1" -v f="$2" '$2 == "phase" && $3 == ph { for (i = 4; i < NF; i++) if ($i == f) print $(i + 1) }' "$TMP/out" >"$TMP/v"
	stats "$TMP/v"
}
sum() { awk -v ph="$1" -v f="$2" '$2 == "phase" && $3 == ph { for (i = 4; i < NF; i++) if ($i == f) s += $(i + 1) } END { print s + 0 }' "$TMP/out"; }
{
echo "## apply"
echo
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'); host load $l0 before the boot, $l1 after."
echo "Test machine: \`tests/vm/vm.sh\` (qemu **TCG**, 2 vCPUs, 1 GiB), kernel $KVER;"
echo "$CYCLES cycles in one boot (vm.sh exit $rc, $wall s wall including the boot). Each cycle: \`bench/probe\`"
echo "(static, reads /proc/meminfo in a loop) runs alone ${PHASE_S} s, during \`livefix load\`"
echo "of livepatch-bench-meminfo.ko (tests/vm/patches/proc-meminfo.patch, patches"
echo "meminfo_proc_show), ${PHASE_S} s patched, during \`livefix unload\`, ${PHASE_S} s after."
echo "Figures: median over the cycles (min–max). TCG emulates every instruction:"
echo "absolute latencies are far above real hardware; compare the phases."
echo
echo "Transition time (\`livefix load\` / \`unload\` wall time in the guest, which waits"
echo "for the livepatch transition to finish), ms:"
echo
awk '$2 == "transition" { print $4 }' "$TMP/out" >"$TMP/v"; echo "- load: $(stats "$TMP/v")"
awk '$2 == "transition" { print $6 }' "$TMP/out" >"$TMP/v"; echo "- unload: $(stats "$TMP/v")"
echo
echo "| phase | reads (all cycles) | failed | reads seeing the patch | p50 µs | p99 µs | p99.9 µs | max µs |"
echo "|---|---|---|---|---|---|---|---|"
for ph in before load patched unload after; do
	echo "| $ph | $(sum $ph reads) | $(sum $ph failed) | $(sum $ph patched) | $(agg $ph p50_us) | $(agg $ph p99_us) | $(agg $ph p999_us) | $(agg $ph max_us) |"
done
echo
fails=$(awk '$2 == "cycle" && ($5 != 0 || $7 != 0 || $9 != 0)' "$TMP/out" | wc -l)
echo "Failed operations: $(awk '$2 == "phase" { s += $7 } END { print s + 0 }' "$TMP/out") failed reads;"
echo "$fails cycle(s) with a failed \`livefix load\`/\`unload\`/probe (must be 0)."
echo "Raw guest output: bench/results/apply-raw.txt."
} >"$sec"
mv "$sec" "$RESULTS_DIR/apply.md"
say "apply done"
[ $rc = 0 ] && [ "$fails" = 0 ]
