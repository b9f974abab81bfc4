#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# livefix user on Debian's real redis-server (issue #25), `make user-redis`:
# the running binary is bookworm's redis-server 5:7.0.15-1~deb12u7; its
# package is rebuilt as Debian built it (livefix user rebuild: the same
# Build-ID), and each Debian patch that 5:7.0.15-1~deb12u10 adds (one CVE
# fix each) is built against it, alone and all together, applied to a
# running server and reverted. Each fix with a reproducer: it fails on the
# server before, passes while patched, fails again after revert. Ends with
# "N passed, N failed". Needs root, loopback only; the first run makes the
# build root and rebuilds redis (a few minutes), later runs reuse both.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/user
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
RUNNING=5:7.0.15-1~deb12u7
FIXED=5:7.0.15-1~deb12u10
JOBS=${JOBS:-2}
W=$(mktemp -d /tmp/livefix-redis-test-XXXXXX)
export LIVEFIX_USER_STATE_DIR=$W/state
PIDS=()
. "$HERE/checks.sh"

cleanup() {
	exec 2>/dev/null # no "Killed" notices for the servers stopped here
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

finish() { echo; echo "user-redis: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

installed=$(dpkg-query -W -f='${Version}' redis-server 2>/dev/null)
if [ "$installed" != "$RUNNING" ]; then
	fail "redis-server $RUNNING installed" "saw '${installed:-none}'; install it with" \
		"apt-get install redis-server=$RUNNING redis-tools=$RUNNING"
	finish
fi

# --- 1. the running binary's package, rebuilt as Debian built it
out=$(nice "$LIVEFIX" user rebuild -j"$JOBS" /usr/bin/redis-server 2>&1); rc=$?
want_id=$(readelf -n /usr/bin/redis-server | awk '/Build ID/ { print $3 }')
BIN=$(sed -n 's/^--binary //p' <<<"$out")
UNITS=$(sed -n 's/^--units //p' <<<"$out")
SRC=$(sed -n 's/^--source //p' <<<"$out")
if [ $rc -eq 0 ] && grep -q "rebuilt: Build-ID $want_id, as the running binary" <<<"$out" &&
	[ "$(readelf -n "$BIN" | awk '/Build ID/ { print $3 }')" = "$want_id" ] &&
	readelf -S "$BIN" | grep -q '\.symtab' && head -1 "$UNITS" | grep -q '^%root'; then
	pass "rebuild: $(basename "$BIN") has the running Build-ID $want_id, unstripped; units recorded"
else
	fail "rebuild" "expected exit 0 and Build-ID $want_id, saw exit $rc:" "$out"
	finish
fi

# --- 2. the fixed version's source: the Debian patches it adds
out=$("$LIVEFIX" user source -V "$FIXED" /usr/bin/redis-server 2>&1); rc=$?
FIXED_TREE=$(sed -n 's/^source: //p' <<<"$out")
if [ $rc -ne 0 ] || [ ! -f "$FIXED_TREE/debian/patches/series" ]; then
	fail "source of $FIXED" "expected exit 0 and a tree, saw exit $rc:" "$out"
	finish
fi
mapfile -t NEW < <(grep -vxF -f "$SRC/debian/patches/series" "$FIXED_TREE/debian/patches/series")
if [ "${#NEW[@]}" -gt 0 ]; then
	pass "source of $FIXED: ${#NEW[@]} Debian patches over $RUNNING: ${NEW[*]}"
else
	fail "source of $FIXED" "expected patches that $RUNNING lacks, saw none"
	finish
fi
cve_of() { basename "$1" .patch; }

# --- 3. each fix built against the running binary, then all together
build() { # name patches...
	local name=$1
	shift
	"$LIVEFIX" user build --binary "$BIN" --units "$UNITS" --source "$SRC" -n "$name" \
		-o "$W/$name.lfu" -w "$W/work-$name" "$@" 2>&1
}
for p in "${NEW[@]}"; do
	name=$(cve_of "$p")
	out=$(build "$name" "$FIXED_TREE/debian/patches/$p"); rc=$?
	funcs=$(sed -n 's/^changed function: //p' <<<"$out" | paste -sd, -)
	if [ $rc -eq 0 ] && [ -s "$W/$name.lfu" ]; then
		pass "build $name: replaces $funcs"
	else
		fail "build $name" "expected exit 0 and $name.lfu, saw exit $rc:" "$out"
	fi
done
all=()
for p in "${NEW[@]}"; do all+=("$FIXED_TREE/debian/patches/$p"); done
out=$(build all "${all[@]}"); rc=$?
if [ $rc -eq 0 ] && [ -s "$W/all.lfu" ]; then
	pass "build all ${#NEW[@]} together: replaces $(sed -n 's/^changed function: //p' <<<"$out" | paste -sd, -)"
else
	fail "build all together" "expected exit 0, saw exit $rc:" "$out"
fi

# --- servers
PORT=17400
# server NAME [ARGS...]: a redis-server of its own on the next port; sets
# $SPID and $SPORT once it answers
server() {
	local name=$1
	shift
	PORT=$((PORT + 1))
	mkdir -p "$W/$name"
	${WRAP:-} /usr/bin/redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$W/$name" --logfile "$W/$name/log" --enable-debug-command yes "$@" &
	SPID=$! SPORT=$PORT
	PIDS+=("$SPID")
	for _ in $(seq 100); do
		redis-cli -p "$SPORT" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.05
	done
	echo "redis-server $name did not start: $(tail -3 "$W/$name/log")"
	return 1
}
rcli() { redis-cli -p "$1" "${@:2}" 2>&1; }

# --- 4. each patch applied to a running server, reverted, its text as before
server plain || finish
before=$(text "$SPID")
for p in "${NEW[@]}" all; do
	name=$(cve_of "$p")
	[ -s "$W/$name.lfu" ] || continue
	out=$("$LIVEFIX" user apply --pid "$SPID" "$W/$name.lfu" 2>&1); rc=$?
	ok=$(rcli "$SPORT" set k v)
	out2=$("$LIVEFIX" user revert --pid "$SPID" "$name" 2>&1); rc2=$?
	if [ $rc -eq 0 ] && [ "$ok" = OK ] && [ $rc2 -eq 0 ] && [ "$(text "$SPID")" = "$before" ]; then
		pass "apply and revert $name: $(grep -o 'threads stopped [0-9.]* ms' <<<"$out") / $(grep -o 'threads stopped [0-9.]* ms' <<<"$out2"); text as before"
	else
		fail "apply and revert $name" "apply exit $rc: $out" "SET: $ok" "revert exit $rc2: $out2"
	fi
done

# --- refusals on the real server, each with its code; the server running,
# its text unchanged
out=$(build aemain "$HERE/redis-aemain.patch"); rc=$?
if [ $rc -eq 0 ]; then
	before=$(text "$SPID")
	out=$("$LIVEFIX" user apply --pid "$SPID" "$W/aemain.lfu" 2>&1); rc=$?
	if [ $rc -eq 3 ] && grep -q "refused \[thread-in-function\]: thread $SPID (redis-server) of process $SPID stays in 'aeMain'" <<<"$out" &&
		[ "$(text "$SPID")" = "$before" ] && [ "$(rcli "$SPORT" ping)" = PONG ]; then
		pass "a change to aeMain (the event loop): refused [thread-in-function], the main thread named; text unchanged"
	else
		fail "a change to aeMain" "expected exit 3, refused [thread-in-function] naming the main thread; saw exit $rc:" "$out"
	fi
else
	fail "build the aeMain change" "expected exit 0, saw $rc:" "$out"
fi
sleep 1000 &
SLEEPER=$!
PIDS+=("$SLEEPER")
# the child is bash until it has exec'd sleep (its name then: a loaded
# machine showed "(redis.sh)")
for i in $(seq 100); do [ "$(cat /proc/$SLEEPER/comm 2>/dev/null)" = sleep ] && break; sleep 0.02; done
out=$("$LIVEFIX" user apply --pid "$SLEEPER" "$W/all.lfu" 2>&1); rc=$?
if [ $rc -eq 3 ] && grep -q "refused \[build-id-mismatch\]: process $SLEEPER (sleep) runs" <<<"$out"; then
	pass "the patch on another program (sleep): refused [build-id-mismatch]"
else
	fail "the patch on another program" "expected exit 3, refused [build-id-mismatch]; saw exit $rc:" "$out"
fi

# --- list and VEX: the CVEs of the patch applied, the package it fixes
"$LIVEFIX" user apply --pid "$SPID" "$W/all.lfu" >/dev/null 2>&1
list=$("$LIVEFIX" user list --json 2>&1)
vex=$("$LIVEFIX" status --vex 2>/dev/null)
"$LIVEFIX" user revert --pid "$SPID" all >/dev/null 2>&1
cves=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted(c for p in d["user_patches"] for c in p["cves"])))' <<<"$list")
want=$(for p in "${NEW[@]}"; do cve_of "$p"; done | sort | paste -sd' ')
if [ "$cves" = "$want" ]; then
	pass "user list --json: the applied patch fixes $cves"
else
	fail "user list --json cves" "expected '$want', saw '$cves':" "$list"
fi
# the products: the package of the file the server runs (redis-tools'
# redis-check-rdb, which /usr/bin/redis-server links to) and its source
purl="pkg:deb/debian/redis@$RUNNING?arch=source"
stated=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted(s["vulnerability"]["name"] for s in d["statements"] if sys.argv[1] in [p["@id"] for p in s["products"]] and s["status"] == "fixed")))' "$purl" <<<"$vex" 2>&1)
if [ "$stated" = "$want" ]; then
	pass "status --vex: $want fixed in $purl"
else
	fail "status --vex" "expected '$want' fixed for $purl, saw '$stated':" "$vex"
fi

# --- 5. reproducers: each prints what it saw and succeeds when the server
# behaved as fixed (each run restores under keys of its own: $(date +%N))
# CVE-2026-25243: zipmap lengths < 254 encoded in 5 bytes pass the
# integrity check (upstream's corrupt-dump.tcl payloads)
repro_CVE-2026-25243() {
	local N
	N=$(date +%N)
	printf '\x09\x11\x01\xfe\x04\x00\x00\x00\x01\x00\xff\x00\x04\x00\x76\x61\x6c\x31\xff\x09\x00\xf9\xd5\xa4\xf7\x7d\x00\x3f\x1b' >"$W/zm1"
	printf '\x09\x0e\x01\x01\x6b\xfe\x04\x00\x00\x00\x00\x76\x61\x6c\x31\xff\x09\x00\xd0\xf9\xe4\x1d\xe4\xfb\x11\x4c' >"$W/zm2"
	local a b
	a=$(rcli "$1" -x restore "zm1-$N" 0 <"$W/zm1")
	b=$(rcli "$1" -x restore "zm2-$N" 0 <"$W/zm2")
	echo "RESTORE 5-byte small field: $a; small value: $b"
	[[ $a == *"Bad data format"* && $b == *"Bad data format"* ]]
}
# CVE-2026-66373: a stream whose two consumers share one NACK is loaded
# (then XACK frees it under the other: use after free)
repro_CVE-2026-66373() {
	local N
	N=$(date +%N)
	printf '\x0f\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x25\x25\x00\x00\x00\x0a\x00\x01\x01\x00\x01\x01\x01\x85\x66\x69\x65\x6c\x64\x06\x00\x01\x02\x01\x00\x01\x00\x01\x85\x76\x61\x6c\x75\x65\x06\x04\x01\xff\x01\x01\x00\x01\x07\x6d\x79\x67\x72\x6f\x75\x70\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x4a\x79\x89\x8f\x9f\x01\x00\x00\x01\x02\x09\x63\x6f\x6e\x73\x75\x6d\x65\x72\x41\x4a\x79\x89\x8f\x9f\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x09\x63\x6f\x6e\x73\x75\x6d\x65\x72\x42\x54\x79\x89\x8f\x9f\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x09\x00\xf6\xea\x7b\x6c\xb8\xb8\xd8\xb4' >"$W/stream"
	rcli "$1" debug set-skip-checksum-validation 1 >/dev/null
	local a
	a=$(rcli "$1" -x restore "stream-$N" 0 <"$W/stream")
	echo "RESTORE stream with a shared NACK: $a"
	[[ $a == *"Bad data format"* ]]
}
# CVE-2026-92925: a cluster bus PING whose hostname extension has no
# terminating NUL is processed (sdsnew reads past it); fixed: dropped
# with a warning. $2: the server's log.
repro_CVE-2026-92925() {
	local seen
	seen=$(python3 "$HERE/cluster_ping.py" $(($1 + 10000)))
	echo "cluster bus PING, hostname without NUL: $seen; warning logged: $(grep -c 'missing null terminator' "$2")"
	[ "$seen" = dropped ] && grep -q 'missing null terminator' "$2"
}
# CVE-2026-23631: a replica completes a full sync (frees the scripting
# engine) while a timed-out script still runs; fixed: the sync waits for
# the script. $1: replica port, $2: its log, $3: master port.
repro_CVE-2026-23631() {
	local synced_before synced_during busy i
	synced_before=$(grep -c 'MASTER <-> REPLICA sync: Finished with success' "$2")
	rcli "$1" eval 'while true do end' 0 >/dev/null &
	for i in $(seq 50); do rcli "$1" ping | grep -q BUSY && break; sleep 0.1; done
	local full0
	full0=$(rcli "$3" info stats | sed -n 's/^sync_full:\([0-9]*\).*/\1/p')
	head -c 1000000 /dev/zero | tr '\0' a >"$W/big"
	for i in 1 2 3 4 5; do rcli "$3" -x set "bigkey$i" <"$W/big" >/dev/null; done
	for i in $(seq 50); do
		[ "$(rcli "$3" info stats | sed -n 's/^sync_full:\([0-9]*\).*/\1/p')" -gt "$full0" ] && break
		sleep 0.1
	done
	sleep 1
	synced_during=$(grep -c 'MASTER <-> REPLICA sync: Finished with success' "$2")
	busy=$(rcli "$1" ping)
	rcli "$1" script kill >/dev/null
	wait $! 2>/dev/null
	for i in $(seq 50); do # the sync completes once the script is gone
		[ "$(grep -c 'MASTER <-> REPLICA sync: Finished with success' "$2")" -gt "$synced_during" ] && break
		sleep 0.1
	done
	echo "full syncs completed while the script ran: $((synced_during - synced_before)); replica during: ${busy%% *}; after kill: $(rcli "$1" ping)"
	[ "$synced_during" -eq "$synced_before" ] && [[ $busy == BUSY* ]] &&
		[ "$(rcli "$1" ping)" = PONG ]
}

# --- 6. under MemoryDenyWriteExecute, as Debian's redis-server.service runs
# it: prctl(PR_SET_MDWE) (kernels >= 6.3), kept across exec
mdwe() {
	local kver wx out rc before
	kver=$(uname -r)
	if ! printf '%s\n' 6.3 "${kver%%-*}" | sort -CV; then
		fail "MDWE" "kernel $kver has no PR_SET_MDWE (>= 6.3): run the server under systemd's MemoryDenyWriteExecute instead"
		return
	fi
	gcc -O2 -Wall -o "$W/mdwe_exec" "$HERE/mdwe_exec.c" || { fail "MDWE" "cannot build mdwe_exec"; return; }
	wx=$("$W/mdwe_exec" python3 -c 'import mmap
try: mmap.mmap(-1, 4096, prot=7); print("allowed")
except OSError: print("refused")')
	WRAP=$W/mdwe_exec server mdwe || return
	before=$(text "$SPID")
	out=$("$LIVEFIX" user apply --pid "$SPID" "$W/all.lfu" 2>&1); rc=$?
	local fixed
	fixed=$(repro_CVE-2026-25243 "$SPORT")
	local out2 rc2
	out2=$("$LIVEFIX" user revert --pid "$SPID" all 2>&1); rc2=$?
	if [ "$wx" = refused ] && [ $rc -eq 0 ] && [[ $fixed == *"Bad data format"*"Bad data format"* ]] &&
		[ $rc2 -eq 0 ] && [ "$(text "$SPID")" = "$before" ] && [ "$(rcli "$SPORT" ping)" = PONG ]; then
		pass "MDWE (a W+X mapping refused under it): all fixes applied ($fixed), reverted, text as before"
	else
		fail "MDWE" "W+X under the wrapper: $wx" "apply exit $rc: $out" "$fixed" "revert exit $rc2: $out2"
	fi
}

# phase NAME REPRO ARGS...: one observation of a reproducer
phase() {
	local cve=$1 what=$2 want=$3 out
	shift 3
	out=$("repro_$cve" "$@"); local rc=$?
	if { [ "$want" = fixed ] && [ $rc -eq 0 ]; } || { [ "$want" = vulnerable ] && [ $rc -ne 0 ]; }; then
		pass "$cve $what: $want ($out)"
	else
		fail "$cve $what" "expected the server $want, saw: $out"
	fi
}

# reproduce CVE PID ARGS...: before, patched, after revert on one server
reproduce() {
	local cve=$1 pid=$2 out rc
	shift 2
	if [ ! -s "$W/$cve.lfu" ]; then
		fail "$cve reproducer" "no patch built"
		return
	fi
	phase "$cve" "before the patch" vulnerable "$@"
	out=$("$LIVEFIX" user apply --pid "$pid" "$W/$cve.lfu" 2>&1); rc=$?
	[ $rc -eq 0 ] || fail "$cve apply" "exit $rc: $out"
	phase "$cve" "patched" fixed "$@"
	out=$("$LIVEFIX" user revert --pid "$pid" "$cve" 2>&1); rc=$?
	[ $rc -eq 0 ] || fail "$cve revert" "exit $rc: $out"
	phase "$cve" "after revert" vulnerable "$@"
}

server r25243 && reproduce CVE-2026-25243 "$SPID" "$SPORT"
server r66373 && reproduce CVE-2026-66373 "$SPID" "$SPORT"
server r92925 --cluster-enabled yes --cluster-config-file "$W/nodes-92925.conf" &&
	reproduce CVE-2026-92925 "$SPID" "$SPORT" "$W/r92925/log"
if server master; then
	MPORT=$SPORT
	rcli "$MPORT" config set repl-diskless-sync yes >/dev/null
	rcli "$MPORT" config set repl-diskless-sync-delay 0 >/dev/null
	rcli "$MPORT" config set client-output-buffer-limit "replica 1k 1k 0" >/dev/null
	if server replica --repl-diskless-load swapdb --busy-reply-threshold 1 \
		--replicaof 127.0.0.1 "$MPORT"; then
		for _ in $(seq 100); do
			rcli "$SPORT" info replication | grep -q master_link_status:up && break
			sleep 0.1
		done
		reproduce CVE-2026-23631 "$SPID" "$SPORT" "$W/replica/log" "$MPORT"
	fi
fi
[ -s "$W/all.lfu" ] && mdwe
# CVE-2026-81934 (TLS pending data): no reproducer here — it needs a TLS
# connection closed by another's handler within one event-loop pass.
finish
