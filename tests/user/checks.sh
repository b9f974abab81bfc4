# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the userspace test scripts (run.sh, watch.sh, redis.sh,
# postgres.sh): the counts and the checks that print what a failing test
# expected and saw, and the digest of a process's code. Each script ends
# with its own closing line.
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

# text PID: a digest of the binary's executable mapping in the process (run.sh
# and redis.sh compare it before, while patched and after revert)
text() {
	local pid=$1 exe range
	exe=$(readlink "/proc/$pid/exe")
	range=$(awk -v exe="$exe" '$2 ~ /x/ && $6 == exe { print $1; exit }' "/proc/$pid/maps")
	python3 - "$pid" "$range" <<'PY'
import hashlib, sys
pid, rng = sys.argv[1], sys.argv[2]
lo, hi = (int(x, 16) for x in rng.split("-"))
with open(f"/proc/{pid}/mem", "rb") as m:
    m.seek(lo)
    print(hashlib.sha256(m.read(hi - lo)).hexdigest())
PY
}

# state_field DIR KEY: KEY's value in DIR/state ("seq=N key=value ..."),
# as written after this call (two writes later: the one under way may be
# older), for the test programs that write their state every 10 ms
state_field() {
	local dir=$1 key=$2 seq0 seq i
	seq0=$(grep -oE 'seq=[0-9]+' "$dir/state" | cut -d= -f2)
	for i in $(seq 200); do
		seq=$(grep -oE 'seq=[0-9]+' "$dir/state" 2>/dev/null | cut -d= -f2)
		[ -n "$seq" ] && [ "$seq" -gt $((seq0 + 1)) ] && break
		sleep 0.02
	done
	grep -oE "$key=[^ ]+" "$dir/state" | cut -d= -f2-
}
