# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/guest-lib.sh — helpers for the corpus runners' guest scripts.
# POSIX sh (busybox ash in the test machine); sourced by the generated
# guest scripts as /root/guest-lib.sh. Prints machine-readable lines:
#   step <what> ok|FAIL <detail>      (kpatch corpus)
#   result <id> <outcome> <detail>     (stable corpus)
# The kernel log is checked around every step ("Call Trace|BUG:|WARNING:|Oops").

OOPS_RE='Call Trace|BUG:|WARNING:|Oops'
LOAD_TIMEOUT=${LOAD_TIMEOUT:-30}
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
G_FAILED=0

# The corpus tests were written for bash with sudo: in the guest, root runs
# them with sh, and "sudo CMD" just runs CMD.
install_sudo_shim() {
	mkdir -p /usr/local/bin
	printf '#!/bin/sh\nexec "$@"\n' >/usr/local/bin/sudo
	chmod 755 /usr/local/bin/sudo
}

oops_count() { dmesg | grep -cE "$OOPS_RE"; }
# oops_since N: the kernel log's oops lines after the first N ones.
oops_since() { dmesg | grep -E "$OOPS_RE" | tail -n +"$(($1 + 1))" | head -5; }

step_ok() { echo "step $1 ok"; }
step_fail() { # what detail...
	w=$1; shift
	echo "step $w FAIL $*"
	G_FAILED=1
}

# lp_sysfs NAME: /sys/kernel/livepatch directory of patch module NAME.
lp_sysfs() { echo "/sys/kernel/livepatch/$(echo "$1" | tr - _)"; }

# lf_load KO: livefix load, output in /tmp/lf.out; returns its status.
lf_load() {
	livefix load --timeout "$LOAD_TIMEOUT" "$1" >/tmp/lf.out 2>&1
}
lf_unload() {
	livefix unload "$1" >/tmp/lf.out 2>&1
}
lf_out() { tail -n "${1:-8}" /tmp/lf.out | tr '\n' ' ' | cut -c1-600; }

# run_test FILE: the corpus test with sh, its output in /tmp/test.out.
run_test() {
	timeout "$TEST_TIMEOUT" sh "$1" >/tmp/test.out 2>&1
}
test_out() { tail -n 5 /tmp/test.out | tr '\n' ' ' | cut -c1-300; }

# expect_test WHAT FILE zero|nonzero
expect_test() {
	run_test "$2"; rc=$?
	if [ "$3" = zero ] && [ "$rc" -ne 0 ]; then
		step_fail "$1" "expected $2 to exit 0, saw exit $rc: $(test_out)"
	elif [ "$3" = nonzero ] && [ "$rc" -eq 0 ]; then
		step_fail "$1" "expected $2 to exit non-zero, saw exit 0: $(test_out)"
	else
		step_ok "$1"
	fi
}

# modprobe_all WHAT MODS...: load each module; fails the step if one fails.
modprobe_all() {
	w=$1; shift
	for m in "$@"; do
		if ! modprobe "$m" >/tmp/mp.out 2>&1; then
			step_fail "$w" "expected modprobe $m to succeed, saw: $(tr '\n' ' ' </tmp/mp.out)"
			return 1
		fi
	done
	[ $# -eq 0 ] || step_ok "$w"
	return 0
}

# The smoke workload: processes, files, loopback network. Prints what
# failed on stdout, returns non-zero if something did.
smoke() {
	sm_bad=
	# processes: fork + exec, a pipeline, a background job, a subshell
	i=0
	while [ $i -lt 5 ]; do
		/bin/true || sm_bad="$sm_bad exec"
		i=$((i + 1))
	done
	[ "$(echo abc | tr a-c x-z | wc -c)" -eq 4 ] || sm_bad="$sm_bad pipe"
	sleep 0 & wait $! || sm_bad="$sm_bad bg"
	[ "$(sh -c 'echo $((6 * 7))')" = 42 ] || sm_bad="$sm_bad sh-c"
	# files in /tmp
	d=/tmp/smoke.$$
	mkdir -p "$d" || sm_bad="$sm_bad mkdir"
	dd if=/dev/urandom of="$d/a" bs=1024 count=256 2>/dev/null || sm_bad="$sm_bad write"
	cp "$d/a" "$d/b" && cmp -s "$d/a" "$d/b" || sm_bad="$sm_bad copy"
	echo hello >"$d/c" && [ "$(cat "$d/c")" = hello ] || sm_bad="$sm_bad read"
	mv "$d/c" "$d/e" && ln -s e "$d/f" && [ "$(cat "$d/f")" = hello ] || sm_bad="$sm_bad rename"
	rm -rf "$d" && [ ! -e "$d" ] || sm_bad="$sm_bad delete"
	cat /proc/meminfo /proc/self/status /proc/version >/dev/null || sm_bad="$sm_bad proc"
	sync
	# loopback network
	ip link set lo up 2>/dev/null
	if command -v ping >/dev/null 2>&1; then
		ping -c1 -W 3 127.0.0.1 >/dev/null 2>&1 || sm_bad="$sm_bad ping"
	fi
	if command -v nc >/dev/null 2>&1; then
		# a port of its own each time: $$ is the same for every smoke of a
		# boot, and a rebind of the last port can meet its TIME_WAIT
		sm_runs=$((${sm_runs:-0} + 1))
		port=$((20000 + ($$ * 7 + sm_runs * 101) % 10000))
		# generous timeouts: a guest under TCG on a busy host is slow
		timeout 30 nc -l -p "$port" >/tmp/smoke.nc 2>/dev/null &
		ncpid=$!
		# connect once the listener is up (LISTEN, 0A, in /proc/net/tcp or
		# tcp6): on a loaded host a fixed wait loses the race
		sm_port=$(printf ':%04X' "$port") sm_try=0
		while [ $sm_try -lt 50 ] && ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
			awk -v p="$sm_port" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'; do
			sleep 0.1; sm_try=$((sm_try + 1))
		done
		echo livefix-smoke | timeout 20 nc -w 5 127.0.0.1 "$port" 2>/dev/null
		wait "$ncpid" 2>/dev/null
		grep -q livefix-smoke /tmp/smoke.nc 2>/dev/null || sm_bad="$sm_bad tcp"
		rm -f /tmp/smoke.nc
	fi
	[ -z "$sm_bad" ] && return 0
	echo "$sm_bad"
	return 1
}
