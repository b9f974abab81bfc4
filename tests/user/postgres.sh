#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make user-postgres: Debian's postgresql-15 (the installed 15.18-0+deb12u1)
# patched in every process of a running cluster under pgbench on loopback,
# with `livefix user apply --all`: the postmaster first, then every backend
# and auxiliary process; connections opened during the sweep (pgbench -C)
# are forks found by the re-scans or inheriting the patched postmaster.
# Two patches, each swept over a cluster under load:
#   lib        a shared library every process of the cluster maps
#              (tests/user/lib.c, LD_PRELOAD when the cluster starts)
#   pgversion  a function of the server, pgsql_version() (SQL version()),
#              built against `livefix user rebuild` of the package
#              (Build-ID as the installed binary, or its loaded image:
#              the patch is then keyed by the installed Build-ID)
# Ends with "N passed, N failed, N skipped".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/user
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
PGW=$(mktemp -d /tmp/livefix-user-pg-XXXXXX)
export LIVEFIX_USER_STATE_DIR=$PGW/state
. "$HERE/pg_cluster.sh"
BG=()
. "$HERE/checks.sh"

cleanup() {
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	pg_stop
	wait 2>/dev/null
	rm -rf "$PGW"
}
trap cleanup EXIT
[ -n "${PG_KEEP:-}" ] && trap - EXIT
finish() {
	echo
	echo "user-postgres: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

if [ ! -x "$PGBIN/postgres" ] || ! dpkg-query -W -f='${Version}' postgresql-15 | grep -q '^15\.18-0+deb12u1$'; then
	skip "postgresql-15 15.18-0+deb12u1 is not installed (apt install postgresql-15=15.18-0+deb12u1)"
	finish
fi

# --- sweep_cluster PATCH NAME ADDR_OF: a cluster under pgbench (20
# clients, and 2 more opening a connection per transaction: forks of the
# postmaster during the sweep), the sweep, every process checked
sweep_cluster() {
	local lfu=$1 name=$2 out rc first n summary addr log f t again
	pg_start 150 || { fail "$name: start a cluster" "$(tail -5 "$PGW/sock/server.log" "$PGW/initdb.log" 2>/dev/null)"; return; }
	PM=$(pg_postmaster)
	"$PGBIN/pgbench" -c 20 -j 2 -T 20 >"$PGW/bench.log" 2>&1 & BG+=($!)
	"$PGBIN/pgbench" -C -S -c 2 -j 1 -T 20 >"$PGW/churn.log" 2>&1 & BG+=($!)
	sleep 5
	out=$("$LIVEFIX" user apply --all "$lfu" 2>&1); rc=$?
	# the per-process result lines ("process P (name): ..."), not the
	# notes of forks seen inheriting the patch during the sweep
	first=$(grep -E '^process [0-9]+ \([^)]*\): ' <<<"$out" | head -1)
	if [ $rc -eq 0 ] && [[ $first == "process $PM (postgres): applied"* ]]; then
		pass "$name: sweep exit 0, the postmaster $PM patched first"
	else
		fail "$name: sweep exit 0, the postmaster $PM patched first" "exit $rc:" "$out"
	fi
	n=$(grep -cE '^process [0-9]+ .*: (applied|inherited)' <<<"$out")
	summary=$(grep '^swept' <<<"$out")
	if [ "$n" -ge 25 ] && ! grep -qE '^process .*: (refused|failed)' <<<"$out"; then
		pass "$name: $n processes patched, none refused ($summary)"
	else
		fail "$name: the backends patched, none refused" "$out"
	fi
	# every process of the cluster, also those forked since: the jump at
	# the function's entry, as in the postmaster (fork copies it)
	addr=$(awk '/^func / { print $3; exit }' "$LIVEFIX_USER_STATE_DIR/$PM-$name")
	missing=()
	check_all "$addr"; sleep 2; check_all "$addr"
	if [ ${#missing[@]} -eq 0 ]; then
		pass "$name: every process of the cluster runs the patched function (twice, 2 s apart)"
	else
		fail "$name: every process of the cluster runs the patched function" "${missing[@]}"
	fi
	[ "$name" = pgversion ] && check_version
	wait "${BG[@]}"; BG=()
	for log in bench churn; do
		f=$(grep -oE 'number of failed transactions: [0-9]+' "$PGW/$log.log" | grep -oE '[0-9]+$')
		t=$(grep -oE 'number of transactions actually processed: [0-9]+' "$PGW/$log.log" | grep -oE '[0-9]+$')
		if [ "${f:-x}" = 0 ] && [ "${t:-0}" -gt 0 ]; then
			pass "$name: pgbench ($log): $t transactions, 0 failed"
		else
			fail "$name: pgbench ($log): 0 failed transactions" "$(tail -12 "$PGW/$log.log")"
		fi
	done
	again=$("$LIVEFIX" user apply --all "$lfu" 2>&1); rc=$?
	if [ $rc -eq 0 ] && grep -qE "^swept .* 0 applied, [0-9]+ already applied, [0-9]+ inherited, 0 refused" <<<"$again"; then
		pass "$name: sweep again: nothing left to apply ($(grep '^swept' <<<"$again"))"
	else
		fail "$name: sweep again: nothing left to apply" "exit $rc:" "$again"
	fi
	pg_stop
}

# check_all ADDR: each process of the cluster holds at ADDR the jump its
# own record says (applied), or the postmaster's (a fork since: inherited)
check_all() {
	local line
	while read -r line; do missing+=("$line"); done < <(python3 - "$PM" "$1" \
		"$LIVEFIX_USER_STATE_DIR" "$name" $(pgrep -P "$PM") <<'PY'
import os, struct, sys
pm, addr, state, name, pids = int(sys.argv[1]), int(sys.argv[2], 16), sys.argv[3], sys.argv[4], sys.argv[5:]
def mem(pid):
    with open(f"/proc/{pid}/mem", "rb") as f:
        f.seek(addr)
        return f.read(5)
def recorded(pid):
    try:
        for line in open(f"{state}/{pid}-{name}"):
            f = line.split()
            if f[0] == "func" and int(f[2], 16) == addr:
                return b"\xe9" + struct.pack("<i", int(f[3], 16) - (addr + 5))
    except FileNotFoundError:
        return None
want_pm = recorded(pm)
if mem(pm) != want_pm:
    print(f"postmaster {pm}: {mem(pm).hex()}, its record says {want_pm and want_pm.hex()}")
for p in pids:
    try:
        have = mem(int(p))
    except OSError:
        continue  # exited meanwhile
    want = recorded(p) or want_pm
    if have != want:
        print(f"{p}: {have.hex()}, expected {want.hex()}")
PY
	)
}
check_version() {
	local v
	v=$("$PGBIN/psql" -Atc "select version()")
	[[ $v == "PostgreSQL 15.18"*"(livefix)" ]] && pass "pgversion: a new connection: version() patched ($v)" ||
		fail "pgversion: a new connection: version() patched" "$v"
}

# --- a library in every process of the cluster
L=$PGW/lib
mkdir -p "$L" && chmod 755 "$L"
cp "$HERE/lib.c" "$L/lib.c"
if (cd "$L" && gcc -O2 -g -fPIC -Wall -c lib.c -o lib.o &&
	gcc -shared -Wl,-soname,libsweep.so -o libsweep.so lib.o) &&
	printf '%s\tlib.c\tgcc\t-O2\t-g\t-fPIC\t-Wall\t-c\tlib.c\t-o\tlib.o\n' "$L" >"$L/units" &&
	"$LIVEFIX" -q user build -n lib -b "$L/libsweep.so" -u "$L/units" -s "$L" -w "$L/work" \
		-o "$PGW/lib.lfu" "$HERE/lib.patch"; then
	PG_PRELOAD=$L/libsweep.so sweep_cluster "$PGW/lib.lfu" lib
else
	fail "lib: build the library and its patch"
fi

# --- the server's own function: the package rebuilt with the installed
# binary's Build-ID (long the first time: the build root, the package)
# (PG_INPUTS="--binary B --units U --source S [--target T]": a rebuild
# made otherwise)
if [ -n "${PG_INPUTS:-}" ]; then
	opts=$PG_INPUTS
	skip "rebuild postgresql-15: PG_INPUTS given ($opts)"
else
	out=$(nice "$LIVEFIX" user rebuild -j2 "$PGBIN/postgres" 2>&1); rc=$?
	if [ $rc -ne 0 ]; then
		fail "rebuild postgresql-15 with the installed Build-ID" "exit $rc:" "$(tail -15 <<<"$out")"
		finish
	fi
	# the installed Build-ID, or another with every loaded section the
	# installed binary's (--target: the patch is for the installed one)
	pass "rebuild postgresql-15: $(grep -E '^rebuilt' <<<"$out" | tr '\n' ' ')"
	opts=$(grep -E '^--(binary|units|source|target) ' <<<"$out" | tr '\n' ' ')
fi
# shellcheck disable=SC2086
out=$("$LIVEFIX" user build $opts -n pgversion -w "$PGW/work" -o "$PGW/pgversion.lfu" \
	"$HERE/pg-version.patch" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "changed function: pgsql_version" <<<"$out"; then
	pass "pgversion: build: pgsql_version changed"
	sweep_cluster "$PGW/pgversion.lfu" pgversion
else
	fail "pgversion: build: pgsql_version changed" "exit $rc:" "$out"
fi
finish
