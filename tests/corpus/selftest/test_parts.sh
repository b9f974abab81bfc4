#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/selftest/test_parts.sh — run-stable-corpus.sh PART=k/N on a
# small index: the k-th of N equal slices of the class a/b patches (other
# classes left out), next/N the first slice not in RESULTS, bad PART
# refused. Stops before building (LIVEFIX names no program): the
# selection line is what it checks.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
R=$HERE/../run-stable-corpus.sh
# shellcheck source=tests/corpus/selftest/expect.sh
. "$HERE/expect.sh"
C=$W/corpus
mkdir -p "$C/patches" "$W/res"
{ printf 'id\tfile\tclass\ttarget\tlines_changed\tnotes\n'
  n=0
  for id in 0001 0002 0003 0004 0005 0006 0007 0008 0009 0010; do
	n=$((n + 1))
	case $n in 1|5) class=d ;; *) class=$([ $((n % 2)) = 0 ] && echo a || echo b) ;; esac
	printf '%s\tf%s.c\t%s\tvmlinux\t1\t\n' "$id" "$n" "$class"
	: >"$C/patches/$id-f$n.patch"
  done
} >"$C/index.tsv"
part() { # PART -> the runner's part line
	LIVEFIX=/nonexistent RESULTS=$W/res STABLE_OUT=$W/out PART=$1 "$R" "$C" 6.12.107+deb13-amd64 2>&1 |
		grep -m1 'part\|PART\|nothing'
}
# class a/b: 0002 0003 0004 0006 0007 0008 0009 0010 (8)
expect "part 1 of 3" "stable-corpus: part 1 of 3: class a/b patches 1 to 2 of 8 (ids 0002-0003)" "$(part 1/3)"
expect "part 2 of 3" "stable-corpus: part 2 of 3: class a/b patches 3 to 5 of 8 (ids 0004-0007)" "$(part 2/3)"
expect "part 3 of 3" "stable-corpus: part 3 of 3: class a/b patches 6 to 8 of 8 (ids 0008-0010)" "$(part 3/3)"
LIVEFIX=/nonexistent RESULTS=$W/res STABLE_OUT=$W/out PART=2/3 "$R" "$C" 6.12.107+deb13-amd64 2>&1 |
	grep -q "^stable-corpus: .*: 3 patches (class a/b)"
expect "part 2 of 3 selects its 3 patches" 0 $?
: >"$W/res/part-1-of-3.tsv"
expect "next: the first part not run" "stable-corpus: part 2 of 3: class a/b patches 3 to 5 of 8 (ids 0004-0007)" "$(part next/3)"
LIVEFIX=/nonexistent RESULTS=$W/res PART=4/3 "$R" "$C" >/dev/null 2>&1
expect "a part beyond N: exit 2" 2 $?
LIVEFIX=/nonexistent RESULTS=$W/res PART=1/3 ONLY=2 "$R" "$C" >/dev/null 2>&1
expect "PART with ONLY: exit 2" 2 $?
LIVEFIX=/nonexistent RESULTS=$W/res PART=x "$R" "$C" >/dev/null 2>&1
expect "PART not k/N: exit 2" 2 $?
LIVEFIX=/nonexistent PART=4/3 "$R" "$C" >/dev/null 2>&1
[ ! -e "$HERE/../../../bench/stable-corpus-6.1" ]
expect "a refused PART creates no results folder" 0 $?
expect_summary
