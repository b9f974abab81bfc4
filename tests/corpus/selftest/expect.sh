# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/selftest/expect.sh — sourced by the small selftests of the
# corpus tools: a scratch directory $W (removed at exit), and
#   expect NAME EXPECTED SEEN   one check, printed "ok" or "FAIL" with both
#   expect_summary              "N passed, N failed"; false when one failed
W=$(mktemp -d "${TMPDIR:-/tmp}/livefix-selftest.XXXXXX")
trap 'rm -rf "$W"' EXIT
passed=0 failed=0
expect() {
	if [ "$2" = "$3" ]; then echo "ok   $1"; passed=$((passed + 1))
	else echo "FAIL $1: expected '$2', saw '$3'"; failed=$((failed + 1)); fi
}
expect_summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
