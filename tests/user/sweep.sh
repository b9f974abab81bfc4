# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/user/run.sh (its W, LIVEFIX, LFT, run, pass, fail,
# PIDS): `livefix user apply --all` on a shared library of our own
# (tests/user/lib.c) mapped by several processes (tests/user/libprog.c):
# a mapping of the library replaced on disk ("(deleted)"), a process
# forked after its parent was patched, one that exits mid-sweep, one that
# refuses (a thread inside the function), a Build-ID no process maps.

# Run alone, W would be empty and the files below would land under /lib.
if [ -z "${W:-}" ] || [ ! -d "$W" ]; then
	echo "sweep.sh: sourced by tests/user/run.sh (W, its work directory, is not set): run that" >&2
	exit 2
fi
L=$W/lib
mkdir -p "$L/src" "$L/other" "$L/none"
cp "$HERE/lib.c" "$L/src/lib.c"
LIBFLAGS=(-O2 -g -fPIC -Wall)
(cd "$L/src" && gcc "${LIBFLAGS[@]}" -c lib.c -o lib.o &&
	gcc -shared -Wl,-soname,libsweep.so -o libsweep.so lib.o &&
	gcc -O2 -g -pthread -Wall "$HERE/libprog.c" -L. -lsweep -Wl,-rpath,"$L/src" -o "$L/libprog") ||
	fail "build the library and its program" "gcc failed"
printf '%s\t%s\t' "$L/src" lib.c >"$L/units"
printf '%s\t' gcc "${LIBFLAGS[@]}" -c lib.c -o lib.o | sed 's/\t$//' >>"$L/units"
echo >>"$L/units"
# other builds of the same source, other Build-IDs: other code (-O1);
# the same code under another soname (a patch builds for it; nothing maps it)
(cd "$L/other" && gcc -O1 -g -fPIC -c "$HERE/lib.c" -o lib.o &&
	gcc -shared -Wl,-soname,libsweep.so -o libsweep.so lib.o)
gcc -shared -Wl,-soname,libnone.so -o "$L/none/libsweep.so" "$L/src/lib.o"
run "build a patch for a shared library" 0 "changed function: lfl_value" \
	"$LIVEFIX" user build -b "$L/src/libsweep.so" -u "$L/units" -s "$L/src" -w "$L/work" \
	-o "$L/lib.lfu" "$HERE/lib.patch"
run "build a patch for a build no process maps" 0 "changed function: lfl_value" \
	"$LIVEFIX" user build -n none -b "$L/none/libsweep.so" -u "$L/units" -s "$L/src" \
	-w "$L/work-none" -o "$L/none.lfu" "$HERE/lib.patch"

# lstart NAME [--hold]: a libprog; $STARTED its pid
lstart() {
	local d=$L/run-$1 i
	mkdir -p "$d/child"
	shift
	"$L/libprog" "$d" "$@" >/dev/null 2>&1 &
	STARTED=$!
	PIDS+=($STARTED)
	disown "$STARTED"
	for i in $(seq 100); do [ -s "$d/state" ] && break; sleep 0.05; done
}
lfield() { field "$L/run-$1" "$2"; }
lexpect() { # test-name run-name key want
	local got
	got=$(lfield "$2" "$3")
	if [ "$got" = "$4" ]; then pass "$1"; else fail "$1" "expected $3=$4, saw '$got'"; fi
}
# ltext PID: a digest of the library's executable mapping in the process
ltext() {
	python3 - "$1" <<'PY'
import hashlib, sys
pid = sys.argv[1]
for line in open(f"/proc/{pid}/maps"):
    f = line.split()
    if "x" in f[1] and len(f) > 5 and "libsweep.so" in f[5]:
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        with open(f"/proc/{pid}/mem", "rb") as m:
            m.seek(lo)
            print(hashlib.sha256(m.read(hi - lo)).hexdigest())
        break
PY
}

lstart a; PA=$STARTED
lstart b; PB=$STARTED
lstart c; PC=$STARTED
lstart hold --hold; PH=$STARTED
lexpect "library: original lfl_value before" a value 61
# the library replaced on disk by another build: a, b, c, hold map the
# old file ("(deleted)"); d, started after, maps the new one
cp "$L/other/libsweep.so" "$L/src/libsweep.so.new" && mv "$L/src/libsweep.so.new" "$L/src/libsweep.so"
if grep -q "libsweep.so (deleted)" "/proc/$PA/maps"; then
	pass "library replaced on disk: the processes map '(deleted)'"
else
	fail "library replaced on disk: the processes map '(deleted)'" "$(grep libsweep "/proc/$PA/maps")"
fi
lstart d; PD=$STARTED
dtext=$(ltext "$PD")
htext=$(ltext "$PH")
run "one process by --pid: the library found by Build-ID in a deleted mapping" 0 \
	"applied 'lib' to process $PB " "$LIVEFIX" user apply --pid "$PB" "$L/lib.lfu"
run "--pid on a process that maps another build: build-id refused" 3 \
	"process $PD .* maps no library with the patch's; the patch 'lib' is for build-id" \
	"$LIVEFIX" user apply --pid "$PD" "$L/lib.lfu"
out=$(LIVEFIX_TEST_SWEEP_KILL=$PC "$LFT" user apply --all "$L/lib.lfu" 2>&1); rc=$?
want=("process $PA \(libprog\): applied in [0-9.]+ ms, threads stopped [0-9.]+ ms \($L/src/libsweep.so, deleted on disk\)"
	"process $PB \(libprog\): already applied"
	"process $PC \(libprog\): exited"
	"process $PH \(libprog\): refused \[thread-in-function\]"
	"swept 'lib' .*: 4 processes in [0-9]+ scans?, 1 applied, 1 already applied, 0 inherited, 1 refused, 1 exited, 0 failed")
missing=()
for w in "${want[@]}"; do grep -qE -- "$w" <<<"$out" || missing+=("$w"); done
if [ "$rc" -ne 3 ] || [ ${#missing[@]} -ne 0 ]; then
	fail "sweep: applied / already / exited / refused, exit 3" "exit $rc; missing: ${missing[*]}" "$out"
else
	pass "sweep: applied / already / exited / refused, exit 3"
fi
if grep -q "process $PD " <<<"$out"; then
	fail "sweep: the process mapping another build is not touched" "$out"
else
	pass "sweep: the process mapping another build is not touched"
fi
lexpect "sweep: patched lfl_value in a (deleted mapping)" a value 62
lexpect "sweep: patched lfl_value in b" b value 62
lexpect "sweep: the other build's process keeps its code" d value 61
[ "$(ltext "$PD")" = "$dtext" ] && pass "sweep: the other build's text unchanged" ||
	fail "sweep: the other build's text unchanged" "it changed"
if kill -0 "$PH" 2>/dev/null && [ "$(ltext "$PH")" = "$htext" ]; then
	pass "sweep: the refusing process runs on, its text unchanged"
else
	fail "sweep: the refusing process runs on, its text unchanged" "gone or changed"
fi
# a fork of a patched process: it inherits the patch, the next sweep
# records it (and must not apply again over its jumps)
kill -USR1 "$PA"
for i in $(seq 100); do [ -s "$L/run-a/child/state" ] && break; sleep 0.05; done
CPA=$(pgrep -P "$PA" | head -1)
PIDS+=($CPA)
expect_field "fork of a patched process: patched lfl_value" "$L/run-a/child" value 62
run "sweep again: the fork inherited the patch" 3 \
	"process $CPA \(libprog\): inherited from process $PA" "$LIVEFIX" user apply --all "$L/lib.lfu"
run "the fork's record: list shows it, inherited from its parent" 0 "^$CPA +libprog +lib .*\\(inherited from $PA\\)" "$LIVEFIX" user list
run "the fork's patch reverts" 0 "reverted 'lib' in process $CPA" "$LIVEFIX" user revert --pid "$CPA" lib
expect_field "the fork reverted: original lfl_value" "$L/run-a/child" value 61
kill -9 "$PH"
# gone or a zombie: its maps read empty (test -s cannot tell: /proc's
# files have size 0 whatever they hold)
for i in $(seq 100); do grep -q . "/proc/$PH/maps" 2>/dev/null || break; sleep 0.05; done
run "sweep, the refusing process gone: the reverted fork applied again, exit 0" 0 \
	"swept 'lib' .*: 3 processes .*, 1 applied, 2 already applied, 0 inherited, 0 refused" \
	"$LIVEFIX" user apply --all "$L/lib.lfu"
expect_field "the fork patched again" "$L/run-a/child" value 62
run "sweep --json" 0 "\"processes\":\[\{\"pid\":[0-9]+,\"process\":\"libprog\",\"result\":\"already applied\",\"code\":null" \
	"$LIVEFIX" user apply --all --json "$L/lib.lfu"
run "a Build-ID no process maps: refused" 3 "refused \[build-id-mismatch\]: no process maps a file with build-id" \
	"$LIVEFIX" user apply --all "$L/none.lfu"
for r in a b child; do
	d=$L/run-$r; [ "$r" = child ] && d=$L/run-a/child
	expect_field "no torn call in $r (errors=0)" "$d" errors 0
done
