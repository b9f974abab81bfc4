#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make update-whole (long, hours cold: not in make check): the proof of
# issue #22 in one command. Builds the whole Debian update (livefix build
# --update, docs/update.md) twice, the second time on the first's caches
# (original and patched objects, verdicts, CRCs), compares the cumulative
# module's outcomes with the per-file stable corpus (compare-corpus.py:
# applied share, wrong outcomes), tests the module in the test machine
# (test_update_vm.sh: load under stress with target modules before and
# after, smoke workloads, clean unload), and writes the figures
# bench/RESULTS.md asks for in OUTDIR/figures.md.
#
# usage: tests/update/run-whole.sh [-o OUTDIR] [TARGET] [KVER] [JOBS]
#   TARGET default 6.1.176-1; KVER default 6.1.0-47-amd64 (6.1.170-3);
#   JOBS groups tried at once (default 2); OUTDIR default
#   build/update-whole-TARGET (build-1/, build-2/, logs, figures.md)
# Environment: CORPUS (default ../shared/corpus/stable-6.1.170-3_6.1.176-1,
#   for the comparison: skipped with a message where absent), LIVEFIX;
#   UPDATE_ONLY=PATH,... and UPDATE_LIMIT=N pass --only/--limit (a subset:
#   a quick run of this script itself, not the proof).
# Times are printed, never asserted (the first build is as cold as the
# caches it finds; it says how many verdicts were cached). Ends with
# "update-whole: N passed, N failed[, N skipped]"; exit 0 when none failed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/vm/lib.sh"
LF=${LIVEFIX:-$ROOT/livefix}
OUT=
if [ "${1:-}" = -o ]; then OUT=$2; shift 2; fi
TARGET=${1:-6.1.176-1}
KVER=${2:-6.1.0-47-amd64}
JOBS=${3:-2}
OUT=${OUT:-$ROOT/build/update-whole-$TARGET}
CORPUS=${CORPUS:-$ROOT/../shared/corpus/stable-6.1.170-3_6.1.176-1}
summary() { echo -n "update-whole: "; t_summary; exit; }

rm -rf "$OUT/build-1" "$OUT/build-2"
mkdir -p "$OUT" || exit 2

# One build: its log, and wall/CPU/peak RSS from GNU time in TIME_FILE.
whole_build() {
	local n=$1
	echo "== build $n: livefix build --update $TARGET -k $KVER -j $JOBS ($(date -u '+%F %T') UTC, load $(cut -d' ' -f1 /proc/loadavg))"
	/usr/bin/time -f '%e %U %S %M' -o "$OUT/time-$n" \
		"$LF" build --update "$TARGET" -k "$KVER" -o "$OUT/build-$n" -j "$JOBS" \
		${UPDATE_ONLY:+--only "$UPDATE_ONLY"} ${UPDATE_LIMIT:+--limit "$UPDATE_LIMIT"} \
		>"$OUT/build-$n.log" 2>&1
	local rc=$?
	grep -m1 'judged before' "$OUT/build-$n.log"
	tail -n 3 "$OUT/build-$n.log"
	t_eq "build $n: exit status" 0 "$rc"
	[ -f "$OUT/build-$n/report.json" ] ||
		{ t_fail "build $n: report.json" "a report" "none"; summary; }
}

# A figure of a report: totals.NAME, or a top-level NAME.
report_value() {
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
v = r["totals"].get(sys.argv[2], r.get(sys.argv[2]))
print("" if v is None else v)' "$1" "$2"
}

whole_build 1
whole_build 2
for k in groups groups_applied functions cves_fully module_size; do
	t_eq "warm build: the same $k as the first" \
		"$(report_value "$OUT/build-1/report.json" $k)" "$(report_value "$OUT/build-2/report.json" $k)"
done
KO=$(ls "$OUT"/build-2/livepatch-update-*.ko 2>/dev/null | head -1)
if [ -z "$KO" ]; then
	t_fail "a cumulative module" "livepatch-update-*.ko" \
		"none: $(report_value "$OUT/build-2/report.json" module_error)"
	summary
fi
t_pass "a cumulative module: $(basename "$KO")"

if [ -f "$CORPUS/index.tsv" ]; then
	python3 "$ROOT/tests/update/compare-corpus.py" "$OUT/build-2/report.json" "$CORPUS" \
		>"$OUT/compare.txt" 2>&1
	t_eq "no wrong outcome against the per-file corpus (compare-corpus.py)" 0 $?
	tail -n 6 "$OUT/compare.txt"
else
	t_skip "comparison with the per-file corpus" "$CORPUS/index.tsv not found"
fi

UPDATE_KO=$KO LIVEFIX=$LF "$ROOT/tests/update/test_update_vm.sh" "$KVER" >"$OUT/vm.log" 2>&1
grep -E '^(ok|FAIL|skip)|^update:' "$OUT/vm.log"
t_match "the module in the test machine (test_update_vm.sh)" "^update: [0-9]+ passed, 0 failed" \
	"$(cat "$OUT/vm.log")"

{
	echo "# Whole update $TARGET on $KVER ($(date -u '+%F %T') UTC, livefix $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
	echo
	echo "| build | wall s | user s | sys s | peak RSS KiB | verdicts cached |"
	echo "|---|---|---|---|---|---|"
	for n in 1 2; do
		read -r e u s m <"$OUT/time-$n"
		# the first "judged before" line: the later ones are the regroup's
		echo "| $n | $e | $u | $s | $m | $(sed -n 's/.*, \([0-9]*\) judged before.*/\1/p' "$OUT/build-$n.log" | head -n 1) |"
	done
	echo
	echo "- groups $(report_value "$OUT/build-2/report.json" groups), applied $(report_value "$OUT/build-2/report.json" groups_applied); functions $(report_value "$OUT/build-2/report.json" functions); module $(report_value "$OUT/build-2/report.json" module_size) bytes"
	echo "- the together step (build 2): $(grep 'time: inputs' "$OUT/build-2.log" | tail -1)"
	echo "- transition in the test machine: $(grep -o 'transition [0-9.]* s' "$OUT/vm.log" | head -1)"
	[ -f "$OUT/compare.txt" ] && grep -E '^(groups tried|files tried)' "$OUT/compare.txt" | sed 's/^/- /'
} >"$OUT/figures.md"
echo "figures: $OUT/figures.md"
summary
