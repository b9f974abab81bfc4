#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench BENCH=user-redis: Debian's redis-server 5:7.0.15-1~deb12u7,
# run under prctl(PR_SET_MDWE) as its systemd unit's
# MemoryDenyWriteExecute=true restricts it, serving redis-benchmark on
# loopback while deb12u10's fixes (all five CVE patches in one patch, as
# tests/user/redis.sh builds them) are applied and reverted in a loop.
# Measured: the threads-stopped time of each apply and revert (as livefix
# prints it), the client latency p50/p99/p99.9 before, during and after,
# and failed requests (requests not completed + error replies the server
# counted). Writes its own section of bench/RESULTS.md.
. "$(dirname "$0")/lib.sh"
LIVEFIX=$ROOT/livefix
N=${REDIS_REQUESTS:-200000}
CLIENTS=${REDIS_CLIENTS:-50}
PAUSE=${REDIS_PAUSE:-0.2}
PORT=${REDIS_PORT:-17650}
FIXED=5:7.0.15-1~deb12u10
W=$(mktemp -d /tmp/livefix-bench-redis-XXXXXX)
export LIVEFIX_USER_STATE_DIR=$W/state
PID=
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null; rm -rf "$W"' EXIT

# The patch: rebuild (cached), the fixed version's new Debian patches.
out=$("$LIVEFIX" user rebuild -j2 /usr/bin/redis-server 2>&1) || { say "$out"; exit 1; }
BIN=$(sed -n 's/^--binary //p' <<<"$out")
UNITS=$(sed -n 's/^--units //p' <<<"$out")
SRC=$(sed -n 's/^--source //p' <<<"$out")
out=$("$LIVEFIX" user source -V "$FIXED" /usr/bin/redis-server 2>&1) || { say "$out"; exit 1; }
FIXED_TREE=$(sed -n 's/^source: //p' <<<"$out")
mapfile -t NEW < <(grep -vxF -f "$SRC/debian/patches/series" "$FIXED_TREE/debian/patches/series" |
	sed "s|^|$FIXED_TREE/debian/patches/|")
"$LIVEFIX" -q user build --binary "$BIN" --units "$UNITS" --source "$SRC" -n deb12u10 \
	-o "$W/deb12u10.lfu" -w "$W/work" "${NEW[@]}" || exit 1
FUNCS=$(strings -a "$W/deb12u10.lfu" | grep -c "^func ")

gcc -O2 -Wall -o "$W/mdwe_exec" "$ROOT/tests/user/mdwe_exec.c" || exit 1
"$W/mdwe_exec" /usr/bin/redis-server --port "$PORT" --bind 127.0.0.1 --save '' \
	--appendonly no --dir "$W" --logfile "$W/redis.log" &
PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done

errors() { redis-cli -p "$PORT" info stats | sed -n 's/^total_error_replies:\([0-9]*\).*/\1/p'; }
# bench PHASE: redis-benchmark SET and GET, N requests each
bench() {
	redis-benchmark -p "$PORT" -c "$CLIENTS" -n "$N" -t set,get -r 100000 -d 64 2>&1 |
		tr '\r' '\n' >"$W/$1.txt"
}
# row PHASE TEST: "| PHASE | TEST | completed | rps | p50 | p99 | p99.9 |"
row() {
	awk -v phase="$1" -v test="$2" -v n="$N" '
		$0 ~ "^====== " test " ======" { on = 1; next }
		/^====== / { on = 0 }
		!on { next }
		/requests completed in/ { done = $1 }
		/^[0-9.]+% <= / { p = $1 + 0; if (p >= 99.9 && !p999) p999 = $3 }
		/throughput summary:/ { rps = $3 }
		/avg +min +p50/ { getline; p50 = $3; p99 = $5 }
		END { printf "| %s | %s | %s of %s | %.0f | %s | %s | %s |\n", phase, test, done, n, rps, p50, p99, p999 }
	' "$W/$1.txt"
}

load_before=$(loadavg)
err0=$(errors)
bench before
: >"$W/apply" >"$W/revert" >"$W/apply.attempts" >"$W/revert.attempts"
: >"$W/apply.sleepers" >"$W/revert.sleepers"
# op KIND ARGS...: one apply or revert; its threads-stopped time and the
# attempts of the consistency check (1 when no thread was in the way)
op() {
	local kind=$1 out attempts
	shift
	out=$("$LIVEFIX" user "$kind" --pid "$PID" "$@" 2>&1)
	echo "$out" >>"$W/ops.log"
	grep -oE 'stopped [0-9.]+' <<<"$out" | cut -d' ' -f2 >>"$W/$kind"
	grep -oE 'ones [0-9.]+ ms more' <<<"$out" | cut -d' ' -f2 >>"$W/$kind.sleepers"
	attempts=$(grep -oE 'after [0-9]+ attempts' <<<"$out" | cut -d' ' -f2)
	echo "${attempts:-1}" >>"$W/$kind.attempts"
}
(
	while [ ! -e "$W/stop" ]; do
		op apply "$W/deb12u10.lfu"
		sleep "$PAUSE"
		op revert deb12u10
		sleep "$PAUSE"
	done
) &
LOOP=$!
bench during
touch "$W/stop"
wait "$LOOP"
bench after
err1=$(errors)
alive=$(redis-cli -p "$PORT" ping)
failed_ops=$(grep -c 'error' "$W/ops.log")
# the same without load: the stop itself, no client in the way
for _ in 1 2 3 4 5; do op apply "$W/deb12u10.lfu"; op revert deb12u10; done 2>/dev/null
tail -5 "$W/apply" >"$W/apply.idle"; tail -5 "$W/revert" >"$W/revert.idle"
head -n -5 "$W/apply" >"$W/a" && mv "$W/a" "$W/apply"
head -n -5 "$W/revert" >"$W/r" && mv "$W/r" "$W/revert"
head -n -5 "$W/apply.attempts" >"$W/a" && mv "$W/a" "$W/apply.attempts"
head -n -5 "$W/revert.attempts" >"$W/r" && mv "$W/r" "$W/revert.attempts"
head -n -5 "$W/apply.sleepers" >"$W/a" && mv "$W/a" "$W/apply.sleepers"
head -n -5 "$W/revert.sleepers" >"$W/r" && mv "$W/r" "$W/revert.sleepers"
completed=$(cat "$W"/{before,during,after}.txt | grep -c 'requests completed in')
{
	echo "## userspace: redis-server under load"
	echo
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), livefix $(git -C "$ROOT" rev-parse --short HEAD),"
	echo "load $load_before before, $(loadavg) after. Command: \`make bench BENCH=user-redis\`"
	echo "(bench/user-redis.sh): Debian's redis-server 5:7.0.15-1~deb12u7 under"
	echo "\`prctl(PR_SET_MDWE)\` (tests/user/mdwe_exec.c; its unit's MemoryDenyWriteExecute),"
	echo "\`redis-benchmark -c $CLIENTS -n $N -t set,get -r 100000 -d 64\` on loopback, three"
	echo "runs: before, during a loop that applies and reverts deb12u10's five CVE fixes"
	echo "($FUNCS functions, one patch) every ${PAUSE} s, after. The machine's 2 CPUs are shared"
	echo "by the server, the benchmark client, livefix and other work."
	echo
	echo "| operation | threads stopped, ms | the sleeping threads, ms more | attempts |"
	echo "|---|---|---|---|"
	echo "| user apply | $(stats "$W/apply") | $(stats "$W/apply.sleepers") | $(stats "$W/apply.attempts") |"
	echo "| user revert | $(stats "$W/revert") | $(stats "$W/revert.sleepers") | $(stats "$W/revert.attempts") |"
	echo
	echo "| phase | test | requests completed | requests/s | p50 ms | p99 ms | p99.9 ms |"
	echo "|---|---|---|---|---|---|---|"
	for phase in before during after; do
		row "$phase" SET
		row "$phase" GET
	done
	echo
	echo "Failed requests: $(( (6 - completed) * N + err1 - err0 )) (runs completed: $completed of 6;"
	echo "error replies counted by the server: $((err1 - err0))); apply/revert errors: $failed_ops;"
	echo "server after: $alive. The latency percentiles are redis-benchmark's own"
	echo "(HdrHistogram; p99.9 is its first bucket at or above 99.9 %)."
	echo
	echo "Threads stopped: from the interrupt of the first runnable thread (the"
	echo "serving one) to the resume, as livefix prints it. livefix stops the sleeping"
	echo "threads first (bio_*, jemalloc's): on a busy machine they take milliseconds to"
	echo "be scheduled into their stop, which passes while the server still serves; the"
	echo "third column is how much longer they were stopped. Attempts: the looks of the"
	echo "consistency check (1: no thread was inside a replaced function at the first"
	echo "stop). The same patch with no client: apply $(stats "$W/apply.idle"), revert"
	echo "$(stats "$W/revert.idle") ms."
} >"$RESULTS_DIR/user-redis.md"
out=$BENCH_DIR/RESULTS.md
awk '/^## / { skip = ($0 == "## userspace: redis-server under load") } !skip' "$out" >"$out.tmp"
{ cat "$out.tmp"; echo; cat "$RESULTS_DIR/user-redis.md"; } | cat -s >"$out"
rm -f "$out.tmp"
cat "$RESULTS_DIR/user-redis.md"
