#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
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
{ echo "$H"; row 0001 a applied; row 0002 b refused:header-limit; row 0003 a wrong:build-exit1; } >"$W/part1.tsv"
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
# refusals counted by their recorded code, whatever the reason says; the
# function-level share from the codes' live-patchable column
{ echo "$H"; row 0001 a applied; row 0002 a applied; row 0003 a refused:header-limit
  printf '0004\tp\ta\tm\trefused:export-crc\texport-crc\t1\t\tx.h: data layout change of struct s\n'
  printf '0005\tp\tb\tm\trefused:data-layout\tdata-layout\t1\t\tx.c: the patch changes the CRC\n'
} >"$W/cat.tsv"
out=$("$S" "$W/cat.tsv")
expect "the recorded code counts, not the text" "refused:export-crc 1" "$(grep -o 'refused:export-crc *[0-9]*' <<<"$out" | tr -s ' ')"
expect "the recorded code counts (layout)" "refused:data-layout 1" "$(grep -o 'refused:data-layout *[0-9]*' <<<"$out" | tr -s ' ')"
expect "function-level share" "function-level (live-patchable in principle): 3; applied live: 2 (66.7%)" \
	"$(grep '^function-level (' <<<"$out")"
expect "what was not applied is named" "function-level, not applied: 0003(refused:header-limit)" \
	"$(grep '^function-level, not' <<<"$out")"
{ echo "$H"; row 0001 a refused:export-abi; } >"$W/old.tsv"
"$S" "$W/old.tsv" >/dev/null 2>&1
expect "a category that is no code (an unmigrated report): exit 2" 2 $?
"$S" /etc/hostname >/dev/null 2>&1
expect "not a report: exit 2" 2 $?
"$S" >/dev/null 2>&1
expect "no report: exit 2" 2 $?
expect_summary
