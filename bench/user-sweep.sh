#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench BENCH=user-sweep: `livefix user apply --all` over a
# postgresql-15 cluster with N backends (N = 10, 100: pgbench -c N -S),
# the patch of a library every process of the cluster maps
# (tests/user/lib.c, LD_PRELOAD) and, when the package's rebuild is there,
# of the server's pgsql_version(). Per process: how long its threads were
# stopped; the whole sweep; the clients' latency (pgbench's per-transaction
# log) in the sweep against the 5 s before. Writes its own section of
# bench/RESULTS.md ("## userspace: PostgreSQL sweep").
. "$(dirname "$0")/lib.sh"
need_livefix
LIVEFIX=$ROOT/livefix
PGW=$(mktemp -d /tmp/livefix-bench-sweep-XXXXXX)
export LIVEFIX_USER_STATE_DIR=$PGW/state
. "$ROOT/tests/user/pg_cluster.sh"
BG=()
trap 'for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done; pg_stop; wait; rm -rf "$PGW"' EXIT
SECTION="## userspace: PostgreSQL sweep"

# pct FILE P: the P-th percentile of FILE's numbers
pct() { sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit }
	i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; printf "%.3g\n", v[i] }'; }

# The patches: NAME FILE
L=$PGW/lib
mkdir -p "$L" && chmod 755 "$L" && cp "$ROOT/tests/user/lib.c" "$L/"
(cd "$L" && gcc -O2 -g -fPIC -Wall -c lib.c -o lib.o &&
	gcc -shared -Wl,-soname,libsweep.so -o libsweep.so lib.o) || exit 1
printf '%s\tlib.c\tgcc\t-O2\t-g\t-fPIC\t-Wall\t-c\tlib.c\t-o\tlib.o\n' "$L" >"$L/units"
"$LIVEFIX" -q user build -n lib -b "$L/libsweep.so" -u "$L/units" -s "$L" -w "$L/work" \
	-o "$PGW/lib.lfu" "$ROOT/tests/user/lib.patch" || exit 1
PATCHES=(lib)
pgnote="pgsql_version: not measured, the package's rebuild is not in the cache (\`make user-postgres\` makes it)"
# PG_INPUTS="--binary B --units U --source S": a rebuild made otherwise
if [ -z "${PG_INPUTS:-}" ] && [ -f /var/cache/livefix/user/postgresql-15_15.18-0+deb12u1/rebuild.done ] &&
	out=$("$LIVEFIX" user rebuild "$PGBIN/postgres" 2>&1); then
	PG_INPUTS=$(grep -E '^--(binary|units|source|target) ' <<<"$out" | tr '\n' ' ')
fi
if [ -n "${PG_INPUTS:-}" ] &&
	"$LIVEFIX" -q user build $PG_INPUTS \
		-n pgversion -w "$PGW/work" -o "$PGW/pgversion.lfu" "$ROOT/tests/user/pg-version.patch"; then
	PATCHES+=(pgversion)
	pgnote=""
fi

# measure PATCH N: one row of each table
measure() {
	local name=$1 n=$2 t0 t1 out
	PG_PRELOAD=$([ "$name" = lib ] && echo "$L/libsweep.so") pg_start 150 || { say "cluster failed"; return 1; }
	rm -f "$PGW"/tx*
	(cd "$PGW" && exec "$PGBIN/pgbench" -S -c "$n" -j 2 -T 25 -l --log-prefix=tx >"$PGW/pgbench.log" 2>&1) &
	BG=($!)
	sleep 12
	t0=$(date +%s%6N)
	out=$("$LIVEFIX" user apply --all "$PGW/$name.lfu" 2>/dev/null)
	t1=$(date +%s%6N)
	wait "${BG[@]}"; BG=()
	# one line per process ("process PID (comm): applied in ..."); the
	# apply's own log line says the same stop again
	grep '^process ' <<<"$out" | grep -oE 'threads stopped [0-9.]+' | awk '{ print $3 }' >"$PGW/stop"
	grep -oE 'applied in [0-9.]+' <<<"$out" | awk '{ print $3 }' >"$PGW/each"
	cat "$PGW"/tx* | awk -v a="$t0" -v b="$t1" '{ end = $5 * 1000000 + $6
		if (end >= a && end - $3 <= b) print $3 / 1000 > "'"$PGW/lat-in"'"
		else if (end >= a - 5000000 && end < a) print $3 / 1000 > "'"$PGW/lat-before"'" }'
	echo "| $name | $n | $(grep -c '^process' <<<"$out") | $(grep -oE '[0-9]+ applied' <<<"$out" | head -1 | cut -d' ' -f1) | $(grep -oE '[0-9.]+ ms$' <<<"$out" | cut -d' ' -f1) | $(stats "$PGW/stop") | $(pct "$PGW/stop" 90) | $(stats "$PGW/each") |" >>"$PGW/rows-sweep"
	echo "| $name | $n | $(wc -l <"$PGW/lat-before") | $(median "$PGW/lat-before") | $(pct "$PGW/lat-before" 99) | $(sort -g "$PGW/lat-before" | tail -1) | $(wc -l <"$PGW/lat-in") | $(median "$PGW/lat-in") | $(pct "$PGW/lat-in" 99) | $(sort -g "$PGW/lat-in" | tail -1) | $(grep -oE 'failed transactions: [0-9]+' "$PGW/pgbench.log" | grep -oE '[0-9]+$') |" >>"$PGW/rows-lat"
	rm -f "$PGW/lat-in" "$PGW/lat-before"
	pg_stop
}

load_before=$(loadavg)
for name in "${PATCHES[@]}"; do
	for n in 10 100; do
		say "user-sweep: $name, $n clients (load $(loadavg))"
		measure "$name" "$n"
	done
done
{
	echo "$SECTION"
	echo
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), livefix $(git -C "$ROOT" rev-parse --short HEAD),"
	echo "load $load_before before, $(loadavg) after. Command: \`make bench BENCH=user-sweep\`"
	echo "(bench/user-sweep.sh): a postgresql-15 15.18 cluster (tests/user/pg_cluster.sh,"
	echo "max_connections 150) under \`pgbench -S -c N -j 2 -T 25\` on loopback; 12 s in,"
	echo "\`livefix user apply --all\` of lib.patch (tests/user/lib.c, a library every"
	echo "process of the cluster maps by LD_PRELOAD) or pg-version.patch (the server's"
	echo "pgsql_version(), built against the package's rebuild). Processes: those the"
	echo "sweep found (backends, the postmaster, the auxiliary processes; pgbench's"
	echo "connections are all open). Stopped: per process, from the first"
	echo "PTRACE_INTERRUPT to the resume, as livefix reports it, median (min–max)."
	echo "${pgnote:+$pgnote.}"
	echo
	echo "| patch | clients | processes | applied | whole sweep, ms | stopped per process, ms | p90 ms | one process's apply, wall ms |"
	echo "|---|---|---|---|---|---|---|---|"
	cat "$PGW/rows-sweep"
	echo
	echo "Client latency (pgbench's per-transaction log, ms): the transactions that"
	echo "ended in the 5 s before the sweep, and those in flight during it."
	echo
	echo "| patch | clients | before: n | p50 | p99 | max | during: n | p50 | p99 | max | failed tx |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	cat "$PGW/rows-lat"
} >"$RESULTS_DIR/user-sweep.md"
out=$BENCH_DIR/RESULTS.md
awk -v s="$SECTION" '/^## / { skip = ($0 == s) } !skip' "$out" >"$out.tmp"
{ cat "$out.tmp"; echo; cat "$RESULTS_DIR/user-sweep.md"; } | cat -s >"$out"
rm -f "$out.tmp"
cat "$RESULTS_DIR/user-sweep.md"
