#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make fuzz: runs each libFuzzer harness for SECONDS on a corpus seeded by
# fuzz/make-seeds.sh, prints libFuzzer's final stats, and keeps crashes in
# build-fuzz/crashes/ (each one becomes a regression test: see
# docs/bad-input.md).   fuzz/run.sh SECONDS HARNESS...
set -u
SECONDS_EACH=$1; shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build-fuzz
mkdir -p "$B/seeds" "$B/corpus" "$B/crashes" "$B/logs"
[ -n "$(ls -A "$B/seeds" 2>/dev/null)" ] || "$ROOT/fuzz/make-seeds.sh" "$B/seeds"
passed=0 failed=0
for h in "$@"; do
	name=$(basename "$h"); name=${name#fuzz_}
	mkdir -p "$B/corpus/$name"
	log=$B/logs/$name.log
	echo "== fuzz $name for ${SECONDS_EACH}s"
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	"$h" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=20 \
		-rss_limit_mb=2560 -max_len=300000 -artifact_prefix="$B/crashes/$name-" \
		"$B/corpus/$name" "$B/seeds/$name" >"$log" 2>&1
	rc=$?
	grep -E '^#[0-9]+.*(DONE|INITED)' "$log" | tail -2
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log"
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL fuzz $name (exit $rc): $(grep -m1 -E 'ERROR|runtime error' "$log")"
		ls -t "$B"/crashes/"$name"-* 2>/dev/null | head -3
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
