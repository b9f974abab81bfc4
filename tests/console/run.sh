#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The console's tests (make console-test; part of make check): over HTTP
# with curl, promotion through a real repository (scripts/repo.sh), then
# in a real browser. Its unit test, tests/unit/test_console.c, runs with
# the other unit tests. Ends "console: N passed, N failed, N skipped".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 skipped=0
for t in "$HERE/test_http.sh" "$HERE/test_promote.sh" "$HERE/test_browser.sh"; do
	echo "== $(basename "$t")"
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL $t: exited $rc without a summary line"; failed=$((failed + 1)); continue
	fi
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && { echo "FAIL $t: exit $rc"; failed=$((failed + 1)); }
done
echo "console: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
