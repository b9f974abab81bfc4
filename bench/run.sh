#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench [BENCH=build|differ|apply|footprint|runpre|baseline]: run one
# benchmark, or (no BENCH) all but baseline, then assemble bench/RESULTS.md
# from bench/results/*.md (a benchmark not run keeps its last section).
. "$(dirname "$0")/lib.sh"
ALL="build differ apply footprint runpre"
WHICH=${1:-$ALL}
rc=0
for b in $WHICH; do
	case $b in
	build|differ|apply|footprint|runpre|baseline|user|user-redis|user-sweep|console) ;;
	*) say "unknown benchmark '$b' (build differ apply footprint runpre baseline user user-redis user-sweep console)"; exit 2 ;;
	esac
	say "=== $b (load $(loadavg)) ==="
	"$BENCH_DIR/$b.sh" || { say "$b failed (exit $?)"; rc=1; }
done
"$BENCH_DIR/assemble.sh"
exit $rc
