# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the userspace test scripts (run.sh, watch.sh, redis.sh,
# postgres.sh): the counts and the checks that print what a failing test
# expected and saw. Each script ends with its own closing line.
passed=0 failed=0 skipped=0

pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; shift; printf '     %s\n' "$@"; failed=$((failed + 1)); }
skip() { echo "skip $1"; skipped=$((skipped + 1)); }

# run NAME EXPECTED_STATUS PATTERN command...: the command's status and a
# line of its output matching PATTERN
run() {
	local name=$1 want=$2 pattern=$3 out rc
	shift 3
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "expected exit $want, saw $rc:" "$out"
	elif ! grep -qE -- "$pattern" <<<"$out"; then
		fail "$name" "expected output matching '$pattern', saw:" "$out"
	else
		pass "$name"
	fi
}
