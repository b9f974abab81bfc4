#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# livefix user watch with the kernel's real process-event connector: the
# test program (tests/user/prog.c, built here with a Build-ID of its own so
# that no other run of it on this machine is touched) is installed with
# value.patch and started again and again: each new process is patched
# (lf_value returns 42, not 41) and listed as applied with its stop time;
# one started before the watcher is patched as the watcher starts, one
# mapping the installed library when that patch is installed is patched at
# the install, and a program that dlopen()s the library 2 s after its exec
# is patched then (the watcher sees the library's open: fanotify);
# a patched process that forks: the child is recorded as inherited from
# its parent (the fork event), its record goes when it exits;
# a traced one is retried, then refused, left running; programs that exit
# at once make no error; once the file on disk is replaced by the fixed
# build the patch is retired, a process started from it is left alone and
# the refused one needs a restart. Bad input: not root, no connector (a
# network namespace of its own), damaged patch files, a patch for another
# file, uninstalling what is not installed. Needs root and a kernel with
# CONFIG_PROC_EVENTS. Ends with "N passed, N failed, N skipped".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/user
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
W=$(mktemp -d /tmp/livefix-watch-test-XXXXXX)
export LIVEFIX_USER_STATE_DIR=$W/state LIVEFIX_USER_INSTALL_DIR=$W/installed
PIDS=() WATCHER=
. "$HERE/checks.sh"

cleanup() {
	[ -n "$WATCHER" ] && kill "$WATCHER" 2>/dev/null
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT



if [ "$(id -u)" -ne 0 ]; then
	echo "skip user watch: needs root"; echo "watch: 0 passed, 0 failed, 1 skipped"; exit 0
fi

# The program, its UNITS line, value.patch built for it; the fixed build
# (value.patch applied to the source); a launcher that runs a program
# traced from its exec (another tracer: the watcher cannot attach).
mkdir -p "$W/src" "$W/fixed"
cp "$HERE/prog.c" "$W/src/prog.c"
cp "$HERE/prog.c" "$W/fixed/prog.c"
CFLAGS=(-O2 -g -fPIE -pthread -Wall)
ID=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
(cd "$W/src" && gcc "${CFLAGS[@]}" -c prog.c -o prog.o &&
	gcc -pie -pthread -Wl,--build-id=0x"$ID" -o prog prog.o) &&
(cd "$W/fixed" && patch -s -p1 <"$HERE/value.patch" && gcc "${CFLAGS[@]}" -c prog.c -o prog.o &&
	gcc -pie -pthread -o prog prog.o) &&
cat >"$W/traced.c" <<'EOF' &&
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	pid_t pid = fork();
	int st;

	(void)argc;
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == pid && WIFSTOPPED(st))
		ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st));
	return 0;
}
EOF
gcc -O2 -o "$W/traced" "$W/traced.c" ||
	{ echo "cannot build the test programs"; echo "watch: 0 passed, 1 failed"; exit 1; }
# an installed library: a patch for liblf.so, found in the maps of a
# program that links it
mkdir -p "$W/lib"
cat >"$W/lib/lib.c" <<'EOF' &&
__attribute__((noinline)) int lf_lib_value(int x)
{
	return 2 * x + 1;
}
EOF
cat >"$W/lib.patch" <<'EOF' &&
--- a/lib.c
+++ b/lib.c
@@ -1,4 +1,4 @@
 __attribute__((noinline)) int lf_lib_value(int x)
 {
-	return 2 * x + 1;
+	return 2 * x + 2;
 }
EOF
# libprog (and libfork, the same program: it forks on SIGUSR1) links the
# library; dlprog opens it with dlopen() long after its exec
(cd "$W/lib" && gcc -O2 -g -fPIC -Wall -c lib.c -o lib.o && gcc -shared -o liblf.so lib.o &&
	gcc -O2 -Wall -o libprog "$HERE/libfork.c" -L. -llf -Wl,-rpath,"$W/lib" &&
	cp libprog libfork &&
	gcc -O2 -Wall -o dlprog "$HERE/dlprog.c" -ldl) ||
	{ echo "cannot build the test library"; echo "watch: 0 passed, 1 failed"; exit 1; }
printf '%s\t%s\t' "$W/lib" lib.c >"$W/lib-units"
printf '%s\t' gcc -O2 -g -fPIC -Wall -c lib.c -o lib.o | sed 's/\t$//' >>"$W/lib-units"
echo >>"$W/lib-units"
"$LIVEFIX" -q user build -b "$W/lib/liblf.so" -u "$W/lib-units" -s "$W/lib" -w "$W/work-lib" \
	-o "$W/lib.lfu" "$W/lib.patch" || { echo "cannot build lib.lfu"; echo "watch: 0 passed, 1 failed"; exit 1; }
printf '%s\t%s\t' "$W/src" prog.c >"$W/units"
printf '%s\t' gcc "${CFLAGS[@]}" -c prog.c -o prog.o | sed 's/\t$//' >>"$W/units"
echo >>"$W/units"
# value.patch with a CVE line: status --vex states it fixed while patched
printf 'Subject: lf_value is off by one\nCVE: CVE-2099-4242\n\n' | cat - "$HERE/value.patch" >"$W/value.patch"
cp "$HERE/scaled.patch" "$W/scaled.patch"
for p in value scaled; do
	"$LIVEFIX" -q user build -b "$W/src/prog" -u "$W/units" -s "$W/src" -w "$W/work-$p" \
		-o "$W/$p.lfu" "$W/$p.patch" || { echo "cannot build $p.lfu"; echo "watch: 0 passed, 1 failed"; exit 1; }
done

# start DIR [launcher]: runs the program in the background; $STARTED is
# the pid of the program (the launcher's child, if any) once it writes
start() {
	local dir=$1 i
	mkdir -p "$dir"
	if [ $# -gt 1 ]; then
		"$2" "$W/src/prog" "$dir" >/dev/null 2>&1 &
	else
		"$W/src/prog" "$dir" >/dev/null 2>&1 &
	fi
	STARTED=$!
	PIDS+=($STARTED)
	disown "$STARTED"
	for i in $(seq 200); do [ -s "$dir/state" ] && break; sleep 0.05; done
	[ $# -gt 1 ] && STARTED=$(pgrep -P "$STARTED" -x prog)
	PIDS+=($STARTED)
}

# value DIR: lf_value(20) in a state written after this call
value() { state_field "$1" value; }

# entry PID: the process's entry of user list --json's "user_processes"
# (one line: pid, patch, status, code, stopped_ms)
entry() {
	"$LIVEFIX" user list --json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
for p in doc["user_processes"]:
    if p["pid"] == int(sys.argv[1]):
        print(p["pid"], p["patch"], p["status"], p["code"], p["stopped_ms"], p["running"])' "$1"
}

# wait_log PATTERN: the watcher's output has a line matching it (10 s)
wait_log() {
	local i
	for i in $(seq 200); do grep -qE -- "$1" "$W/watch.log" && return 0; sleep 0.05; done
	return 1
}

# start_lib DIR: the program linking liblf.so
start_lib() {
	mkdir -p "$1"
	"$W/lib/libprog" "$1" >/dev/null 2>&1 &
	STARTED=$!
	PIDS+=($STARTED)
	disown "$STARTED"
	for i in $(seq 200); do [ -s "$1/state" ] && break; sleep 0.05; done
}

# --- bad input
head -c -40 "$W/value.lfu" >"$W/truncated.lfu"
run "install a truncated patch file" 1 "failed \[damaged-patch-file\]: .*is truncated or was modified" \
	"$LIVEFIX" user install "$W/truncated.lfu"
run "install for a file of another Build-ID" 3 "refused \[build-id-mismatch\]: '/usr/bin/true' has build-id" \
	"$LIVEFIX" user install --file /usr/bin/true "$W/value.lfu"
run "uninstall what is not installed" 1 "failed \[not-installed\]: patch 'value' is not installed" \
	"$LIVEFIX" user uninstall value
run "watch without root" 4 "failed \[not-root\]: livefix user watch needs root" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$LIVEFIX" user watch
if unshare -n true 2>/dev/null; then
	run "watch without the connector (a network namespace of its own)" 4 \
		"failed \[no-proc-events\]: the kernel's process-event connector is unavailable" \
		unshare -n "$LIVEFIX" user watch
else
	skip "watch without the connector: cannot make a network namespace here"
fi
run "install value.patch" 0 "installed 'value' for processes started from $W/src/prog \(build-id $ID\)" \
	"$LIVEFIX" user install "$W/value.lfu"
run "install scaled.patch" 0 "installed 'scaled'" "$LIVEFIX" user install "$W/scaled.lfu"
# the installed copy damaged after the install: named, not watched
printf 'x' | dd of="$W/installed/scaled.lfu" bs=1 seek=200 conv=notrunc 2>/dev/null
run "list: all installed, active" 0 "\"name\":\"scaled\".*\"state\":\"active\".*\"name\":\"value\".*\"state\":\"active\"" \
	"$LIVEFIX" user list --json

# --- the watcher
# a process running before the watcher starts: no exec event will tell it
start "$W/run0"; PID0=$STARTED
v=$(value "$W/run0")
"$LIVEFIX" user watch >"$W/watch.log" 2>&1 &
WATCHER=$!
if wait_log "watching process starts for 1 installed patch: value$"; then
	pass "watcher started, watching 'value'"
else
	fail "watcher started, watching 'value'" "saw: $(cat "$W/watch.log")"
fi
wait_log "process $PID0 \\(prog\\): patch 'value' applied" || true
v0=$(value "$W/run0")
e=$(entry "$PID0")
if [ "$v" = 41 ] && [ "$v0" = 42 ] && grep -qE "^$PID0 value applied None [0-9.]+ True$" <<<"$e"; then
	pass "process $PID0, running before the watcher started: patched as the watcher starts (value 41, then 42)"
else
	fail "process $PID0, running before the watcher started: patched" "expected value 41 then 42, listed applied; saw '$v', '$v0', entry '$e', log:" "$(cat "$W/watch.log")"
fi
if grep -qE "failed \[damaged-patch-file\]: .*scaled.lfu' is truncated or was modified" "$W/watch.log" &&
	grep -q "installed patch 'scaled' is not watched" "$W/watch.log"; then
	pass "watcher: the damaged installed patch named with its code, not watched"
else
	fail "watcher: the damaged installed patch" "saw: $(cat "$W/watch.log")"
fi
lines=$(wc -l <"$W/watch.log")
sleep 2.5
if [ "$(wc -l <"$W/watch.log")" -eq "$lines" ]; then pass "watcher: quiet while nothing it patches starts"
else fail "watcher: quiet" "saw: $(tail -n +$((lines + 1)) "$W/watch.log")"; fi

for i in 1 2 3 4 5; do
	start "$W/run$i"; PID=$STARTED
	# the connector's event is asynchronous: on a loaded machine the
	# program may write its first states before the watcher gets to it, so
	# the value is read once the watcher said it applied the patch
	wait_log "process $PID \\(prog\\): patch 'value' applied" || true
	v=$(value "$W/run$i")
	e=$(entry "$PID")
	if [ "$v" = 42 ] && grep -qE "^$PID value applied None [0-9]+(\.[0-9]+)? True$" <<<"$e" &&
		[ "$(grep -c "process $PID " "$W/watch.log")" -eq 1 ] &&
		grep -qE "process $PID \(prog\): patch 'value' applied, [0-9]+ functions? replaced, threads stopped [0-9.]+ ms" "$W/watch.log"; then
		pass "start $i: process $PID patched as it starts (value 42), listed applied with its stop time, one log line"
	else
		fail "start $i: process $PID patched" "expected value 42, 'applied' with stopped_ms, one log line; saw value '$v', entry '$e', log:" "$(cat "$W/watch.log")"
	fi
done

# a patched process that execs itself again (as /proc/self/exe: its comm
# becomes "exe"): the old image's record goes,
# the new image is patched again (not "already applied": same pid, same
# start time)
mkdir -p "$W/reexec"
"$W/src/prog" "$W/reexec" --reexec >/dev/null 2>&1 &
RPID=$!
PIDS+=($RPID)
disown "$RPID"
for i in $(seq 200); do
	[ "$(grep -c "process $RPID ([a-z]*): patch 'value' applied" "$W/watch.log")" -ge 2 ] && break
	sleep 0.05
done
v=$(value "$W/reexec")
n=$(grep -c "process $RPID ([a-z]*): patch 'value' applied" "$W/watch.log")
e=$(entry "$RPID")
if [ "$n" -eq 2 ] && [ "$v" = 42 ] && [ "$(wc -l <<<"$e")" -eq 1 ] && grep -q " applied " <<<"$e" &&
	! tr '\0' ' ' <"/proc/$RPID/cmdline" | grep -q -- --reexec; then
	pass "a patched process that execs itself: its new image patched again (value 42, one record)"
else
	fail "a patched process that execs itself" "expected 2 'applied' lines, value 42, one record; saw $n, value '$v', entry '$e'"
fi

run "status --vex: the CVE fixed in the process the watcher patched" 0 \
	"\"vulnerability\":\\{\"name\":\"CVE-2099-4242\"\\},\"products\":\\[\\{\"@id\":\"pkg:generic/prog\\?build-id=$ID\"\\}\\],\"status\":\"fixed\",\"status_notes\":\"live patched by userspace patch value in process $PID \\(prog\\)\"" \
	"$LIVEFIX" status --vex

# a process mapping the library when its patch is installed while the
# watcher runs: swept at the install (one pass over /proc). The file is
# replaced by a copy first (as a reinstall of the package does: the same
# Build-ID), so the process maps "liblf.so (deleted)": its Build-ID is
# read through /proc/PID/map_files
start_lib "$W/libearly"; EPID=$STARTED
v=$(value "$W/libearly")
cp "$W/lib/liblf.so" "$W/lib/liblf.so.new" && mv "$W/lib/liblf.so.new" "$W/lib/liblf.so"
grep -q "liblf.so (deleted)" "/proc/$EPID/maps" &&
	pass "library: process $EPID maps liblf.so (deleted) after the copy" ||
	fail "library: process $EPID maps liblf.so (deleted)" "saw: $(grep liblf "/proc/$EPID/maps")"
run "install lib.patch (a shared library) while watching" 0 \
	"installed 'lib' for processes started from $W/lib/liblf.so" "$LIVEFIX" user install "$W/lib.lfu"
if wait_log "watching process starts for 2 installed patches: lib, value$" &&
	wait_log "process $EPID \\(libprog\\): patch 'lib' applied"; then
	v1=$(value "$W/libearly")
	if [ "$v" = 41 ] && [ "$v1" = 42 ]; then
		pass "library: process $EPID, running when the patch was installed, patched by the watcher (value 41, then 42)"
	else
		fail "library: process $EPID running at the install (value 41, then 42)" "saw '$v', '$v1'"
	fi
else
	fail "library: process $EPID running at the install, patched" "saw: $(cat "$W/watch.log")"
fi
if [ "$(grep -c "patch 'value' applied" "$W/watch.log")" -eq 8 ]; then
	pass "the install swept for 'lib' only: the processes patched with 'value' not tried again"
else
	fail "the install swept for 'lib' only" "expected 8 lines 'value' applied (run0..5, reexec twice); saw:" "$(cat "$W/watch.log")"
fi

# the installed library: found in the maps once the loader mapped it, and
# patched there (the engine finds a patch's object among the mappings by
# its Build-ID: user/mapped.c).
start_lib "$W/librun"; LPID=$STARTED
if wait_log "process $LPID \(libprog\): patch 'lib' applied"; then
	v=$(value "$W/librun")
	[ "$v" = 42 ] && pass "library: process $LPID patched once liblf.so was mapped (value 42)" ||
		fail "library: process $LPID patched (value 42)" "value '$v'"
else
	fail "library: process $LPID patched once liblf.so was mapped" "saw: $(cat "$W/watch.log")"
fi

# dlopen() 2 s after the exec: the loader's open of liblf.so (fanotify)
# tells the watcher to look at the process's maps then
mkdir -p "$W/dlrun"
"$W/lib/dlprog" "$W/dlrun" "$W/lib/liblf.so" 2000 >/dev/null 2>&1 &
DPID=$!
PIDS+=($DPID)
disown "$DPID"
for i in $(seq 200); do [ -s "$W/dlrun/state" ] && break; sleep 0.05; done
if wait_log "process $DPID \\(dlprog\\): patch 'lib' applied"; then
	v=$(value "$W/dlrun")
	if [ "$v" = 42 ]; then
		pass "library opened by dlopen() 2 s after the exec: process $DPID patched (value 42)"
	else
		fail "library opened by dlopen() 2 s after the exec (value 42)" "value '$v'"
	fi
else
	fail "library opened by dlopen() 2 s after the exec: process $DPID patched" "saw: $(cat "$W/watch.log")"
fi

# a patched process forks (after its patch): the child runs the patch
# (fork copied it) and gets the parent's record, as inherited, from the
# fork event alone; it goes when the child exits
mkdir -p "$W/forkrun"
"$W/lib/libfork" "$W/forkrun" >/dev/null 2>&1 &
FPPID=$!
PIDS+=($FPPID)
disown "$FPPID"
if wait_log "process $FPPID \\(libfork\\): patch 'lib' applied"; then
	kill -USR1 "$FPPID"
	for i in $(seq 200); do [ -s "$W/forkrun/child/state" ] && break; sleep 0.05; done
	FCPID=$(pgrep -P "$FPPID" -x libfork)
	PIDS+=($FCPID)
	wait_log "process $FCPID \\(libfork\\): patch 'lib' inherited from its parent $FPPID" || true
	v=$(value "$W/forkrun/child")
	e=$("$LIVEFIX" user list --json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
for p in doc["user_processes"]:
    if p["pid"] == int(sys.argv[1]):
        print(p["patch"], p["status"], p["inherited_from"], p["running"])
for p in doc["user_patches"]:
    if p["pid"] == int(sys.argv[1]):
        print(p["name"], p["inherited_from"], ",".join(p["functions"]))' "$FCPID")
	if [ -n "$FCPID" ] && [ "$v" = 42 ] && [ "$e" = "lib applied $FPPID True
lib $FPPID lf_lib_value" ]; then
		pass "fork of patched process $FPPID: child $FCPID runs the patch (value 42), listed applied, inherited_from $FPPID"
	else
		fail "fork of a patched process: the child's record" "expected child value 42, 'lib applied $FPPID True' and 'lib $FPPID lf_lib_value'; saw child '$FCPID', value '$v', list '$e', log:" "$(cat "$W/watch.log")"
	fi
	"$LIVEFIX" user list | grep -qE "^$FCPID +libfork +lib +lf_lib_value  \\(inherited from $FPPID\\)$" &&
		pass "list (text): the child shown inherited from its parent" ||
		fail "list (text): the child inherited" "saw: $("$LIVEFIX" user list)"
	kill "$FCPID"
	for i in $(seq 100); do [ -e "$W/state/$FCPID-lib" ] || break; sleep 0.05; done
	[ ! -e "$W/state/$FCPID-lib" ] && pass "the inherited record goes when the child exits" ||
		fail "the inherited record goes when the child exits" "still there: $W/state/$FCPID-lib"
else
	fail "fork of a patched process: the parent $FPPID patched first" "saw: $(cat "$W/watch.log")"
fi

# programs that exit right after their exec (prog without arguments)
lines=$(wc -l <"$W/watch.log")
for i in $(seq 40); do "$W/src/prog" 2>/dev/null; done
sleep 0.5
if kill -0 "$WATCHER" 2>/dev/null && ! tail -n +$((lines + 1)) "$W/watch.log" | grep -qE "error|warning"; then
	pass "40 programs exiting at once: no error, the watcher runs on"
else
	fail "40 programs exiting at once" "saw: $(cat "$W/watch.log")"
fi
start "$W/after"
wait_log "process $STARTED \\(prog\\): patch 'value' applied" || true
v=$(value "$W/after")
[ "$v" = 42 ] && pass "after them: the next process patched" || fail "after them: the next process patched" "value '$v'"

# a traced process: retried, then refused; left running unpatched
start "$W/trun" "$W/traced"; TPID=$STARTED
wait_log "process $TPID \(prog\): patch 'value' failed \[ptrace-denied\]: .* is traced by process [0-9]+.*; tried again later"
e=$(entry "$TPID")
grep -qE "^$TPID value retrying ptrace-denied None True$" <<<"$e" &&
	pass "traced process $TPID: listed retrying with its code" ||
	fail "traced process: retrying" "saw entry '$e', log:" "$(cat "$W/watch.log")"
if wait_log "process $TPID \(prog\): patch 'value' failed \[ptrace-denied\]: .*; left running unpatched"; then
	e=$(entry "$TPID")
	v=$(value "$W/trun")
	if grep -qE "^$TPID value refused ptrace-denied None True$" <<<"$e" && [ "$v" = 41 ]; then
		pass "traced process $TPID: refused after 3 attempts, running unpatched (value 41)"
	else
		fail "traced process: refused" "saw entry '$e', value '$v'"
	fi
else
	fail "traced process: refused after its retries" "saw: $(cat "$W/watch.log")"
fi

# the fixed build installed (a new file renamed over the old, as dpkg does)
cp "$W/fixed/prog" "$W/src/prog.new" && mv "$W/src/prog.new" "$W/src/prog"
start "$W/fixed-run"; FPID=$STARTED
if wait_log "patch 'value' retired: $W/src/prog has build-id [0-9a-f]+, the patch is for $ID"; then
	pass "watcher: patch retired once the file on disk carries the fix"
else
	fail "watcher: patch retired" "saw: $(cat "$W/watch.log")"
fi
v=$(value "$W/fixed-run")
e=$(entry "$FPID")
if [ "$v" = 42 ] && [ -z "$e" ] && ! grep -q "process $FPID " "$W/watch.log"; then
	pass "the fixed build's process $FPID left alone (its own value 42, no record)"
else
	fail "the fixed build's process left alone" "saw value '$v', entry '$e'"
fi
e=$(entry "$TPID")
grep -qE "^$TPID value needs-restart ptrace-denied None True$" <<<"$e" &&
	pass "the refused process $TPID now needs a restart" ||
	fail "the refused process needs a restart" "saw entry '$e'"
run "list: value retired" 0 "\"name\":\"value\".*\"state\":\"retired\"" "$LIVEFIX" user list --json
run "list (text): needs-restart and retired" 0 "needs-restart \[ptrace-denied\]" "$LIVEFIX" user list

# the registry read again on an uninstall (inotify): one line
run "uninstall while watching" 0 "uninstalled 'value'" "$LIVEFIX" user uninstall value
if wait_log "watching process starts for 1 installed patch: lib$" &&
	[ "$(grep -c "watching process starts" "$W/watch.log")" -eq 3 ] &&
	[ "$(grep -c "retired" "$W/watch.log")" -eq 1 ]; then
	pass "watcher: the uninstall seen at once, said in one line (the retirement said once)"
else
	fail "watcher: the uninstall seen" "saw: $(cat "$W/watch.log")"
fi

# stopped by SIGTERM, cleanly
kill "$WATCHER"
wait "$WATCHER"; rc=$?
WATCHER=
if [ $rc -eq 0 ] && tail -1 "$W/watch.log" | grep -q "stopped watching process starts"; then
	pass "watcher stops on SIGTERM (exit 0)"
else
	fail "watcher stops on SIGTERM" "exit $rc, saw: $(tail -3 "$W/watch.log")"
fi

echo
echo "watch: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
