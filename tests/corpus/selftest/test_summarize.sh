#!/bin/bash
# tests/corpus/selftest/test_summarize.sh — summarize.sh on small reports:
# parts summed, a rerun's outcome replaces the earlier one, wrong outcomes
# counted and named, bad input refused.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
S=$HERE/../summarize.sh
# shellcheck source=tests/corpus/selftest/expect.sh
. "$HERE/expect.sh"
H='id	patch	class	target	outcome	category	build_seconds	functions	reason'
row() { printf '%s\tp\t%s\tvmlinux\t%s\t\t1\t\t\n' "$@"; }
{ echo "$H"; row 0001 a applied; row 0002 b refused:header; row 0003 a wrong:build-exit1; } >"$W/part1.tsv"
{ echo "$H"; row 0004 a applied; row 0005 a refused:data-layout; } >"$W/part2.tsv"
{ echo "$H"; row 0003 a applied; } >"$W/rerun.tsv"
out=$("$S" "$W/part1.tsv" "$W/part2.tsv"); rc=$?
expect "two parts: a wrong outcome fails" "stable-corpus: 4 passed, 1 failed" "$(tail -1 <<<"$out")"
expect "two parts: exit 1" 1 "$rc"
expect "the wrong one is named" "wrong: 0003(wrong:build-exit1)" "$(grep '^wrong:' <<<"$out")"
out=$("$S" "$W/part1.tsv" "$W/part2.tsv" "$W/rerun.tsv"); rc=$?
expect "a rerun replaces the earlier outcome" "applied live: 3; refused with a reason: 2; wrong: 0" \
	"$(grep '^applied live' <<<"$out")"
expect "all passed: exit 0" 0 "$rc"
"$S" /etc/hostname >/dev/null 2>&1
expect "not a report: exit 2" 2 $?
"$S" >/dev/null 2>&1
expect "no report: exit 2" 2 $?
expect_summary
