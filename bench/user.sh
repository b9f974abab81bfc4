#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench BENCH=user: how long livefix user stops a process's threads.
# The test program of tests/user (3 threads calling lf_value() in a tight
# loop, the main thread writing its state every 10 ms) is patched with
# value.patch and reverted RUNS_USER times; livefix prints the time its
# threads were stopped (from the first PTRACE_INTERRUPT to the resume,
# summed over the attempts of the consistency check). Writes its own
# section of bench/RESULTS.md ("## userspace"), kept by assemble.sh.
. "$(dirname "$0")/lib.sh"
N=${RUNS_USER:-30}
W=$(mktemp -d /tmp/livefix-bench-user-XXXXXX)
trap 'kill -9 $PID 2>/dev/null; rm -rf "$W"' EXIT
export LIVEFIX_USER_STATE_DIR=$W/state
LIVEFIX=$ROOT/livefix
mkdir -p "$W/src" "$W/run"
cp "$ROOT/tests/user/prog.c" "$W/src/"
(cd "$W/src" && gcc -O2 -g -fPIE -pthread -c prog.c -o prog.o && gcc -pie -pthread -o prog prog.o)
printf '%s\tprog.c\tgcc\t-O2\t-g\t-fPIE\t-pthread\t-c\tprog.c\t-o\tprog.o\n' "$W/src" >"$W/units"
"$LIVEFIX" -q user build -b "$W/src/prog" -u "$W/units" -s "$W/src" -w "$W/work" \
	-o "$W/value.lfu" "$ROOT/tests/user/value.patch" || exit 1
"$W/src/prog" "$W/run" >/dev/null 2>&1 &
PID=$!
sleep 0.5
load_before=$(loadavg)
for i in $(seq "$N"); do
	"$LIVEFIX" user apply --pid "$PID" "$W/value.lfu" 2>&1 | grep -oE 'stopped [0-9.]+' |
		cut -d' ' -f2 >>"$W/apply"
	"$LIVEFIX" user revert --pid "$PID" value 2>&1 | grep -oE 'stopped [0-9.]+' |
		cut -d' ' -f2 >>"$W/revert"
done
errors=$(grep -oE 'errors=[0-9]+' "$W/run/state" | cut -d= -f2)
{
	echo "## userspace"
	echo
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), livefix $(git -C "$ROOT" rev-parse --short HEAD),"
	echo "load $load_before before, $(loadavg) after. Command: \`make bench BENCH=user\`"
	echo "(bench/user.sh): tests/user's program, 3 threads calling the patched"
	echo "function in a tight loop, value.patch (3 functions, new data, a libc import)"
	echo "applied and reverted $N times. Milliseconds the threads were stopped, as"
	echo "livefix prints them, median (min–max):"
	echo
	echo "| operation | threads stopped, ms |"
	echo "|---|---|"
	echo "| user apply | $(stats "$W/apply") |"
	echo "| user revert | $(stats "$W/revert") |"
	echo
	echo "Calls that saw neither the original nor the patched result: ${errors:-?}."
} >"$RESULTS_DIR/user.md"
out=$BENCH_DIR/RESULTS.md
awk '/^## / { skip = ($0 == "## userspace") } !skip' "$out" >"$out.tmp"
{ cat "$out.tmp"; echo; cat "$RESULTS_DIR/user.md"; } | cat -s >"$out"
rm -f "$out.tmp"
cat "$RESULTS_DIR/user.md"
