#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# livefix user on a threaded PIE program of our own (tests/user/prog.c):
# built here, patched while its worker threads call the patched function
# in a tight loop; the patched behaviour while applied, the original after
# revert; each refusal and bad input leaves the process running with its
# text unchanged. Ends with "N passed, N failed, N skipped".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/user
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
# The test binary (make's build/livefix-test): livefix plus its test switches.
LFT=${LIVEFIX_TEST_BIN:-$ROOT/build/livefix-test}
W=$(mktemp -d /tmp/livefix-user-test-XXXXXX)
export LIVEFIX_USER_STATE_DIR=$W/state
PIDS=()
. "$HERE/checks.sh"

cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT



# The program's tree and build, with the compile command recorded as a
# compiler wrapper would (UNITS: DIR TAB SOURCE TAB ARGS...).
mkdir -p "$W/src" "$W/src2"
cp "$HERE/prog.c" "$W/src/prog.c"
CFLAGS=(-O2 -g -fPIE -pthread -Wall)
(cd "$W/src" && gcc "${CFLAGS[@]}" -c prog.c -o prog.o && gcc -pie -pthread -o prog prog.o) ||
	{ echo "cannot build the test program"; echo "0 passed, 1 failed"; exit 1; }
printf '%s\t%s\t' "$W/src" prog.c >"$W/units"
printf '%s\t' gcc "${CFLAGS[@]}" -c prog.c -o prog.o | sed 's/\t$//' >>"$W/units"
echo >>"$W/units"
# another binary of the same source (another Build-ID and code)
cp "$HERE/prog.c" "$W/src2/prog.c"
(cd "$W/src2" && gcc -O1 -g -fPIE -pthread -c prog.c -o prog.o && gcc -pie -pthread -o prog prog.o)

# start DIR [ARGS]: runs the program; $STARTED is its pid once its state
# is there
start() {
	local dir=$1 bin=${BIN:-$W/src/prog} i
	shift
	mkdir -p "$dir"
	"$bin" "$dir" "$@" >/dev/null 2>&1 &
	STARTED=$!
	PIDS+=($STARTED)
	disown "$STARTED"
	for i in $(seq 100); do [ -s "$dir/state" ] && break; sleep 0.05; done
}
stop() { kill -9 "$1" 2>/dev/null; }

# field DIR KEY: KEY's value in a state written after this call
field() { state_field "$1" "$2"; }

expect_field() { # name dir key want
	local got
	got=$(field "$2" "$3")
	if [ "$got" = "$4" ]; then pass "$1"; else fail "$1" "expected $3=$4, saw '$got'"; fi
}

expect_unchanged() { # name pid text_before
	if ! kill -0 "$2" 2>/dev/null; then
		fail "$1: process still running" "process $2 is gone"
	elif [ "$(text "$2")" != "$3" ]; then
		fail "$1: text unchanged" "the text of process $2 changed"
	else
		pass "$1: process running, text unchanged"
	fi
}

build() { # patch [binary]
	"$LIVEFIX" user build -b "${2:-$W/src/prog}" -u "$W/units" -s "$W/src" -w "$W/work-$1" \
		-o "$W/$1.lfu" "$HERE/$1.patch"
}

# --- build
run "build value.patch" 0 "changed function: lf_value" build value
run "build refuses a function that never returns" 3 "lf_work_forever' changed but never returns" build noreturn
run "build refuses a function shorter than the jump" 3 "function 'lf_tiny' is 1 byte, shorter than the 5-byte jump" build tiny
run "build refuses changed data" 3 "variable 'lf_limit'.*initial value" build data
run "build refuses a data layout change" 3 "data layout change: struct lf_pair" build layout
run "build refuses new thread-local storage" 3 "new thread-local storage" build tls
run "build refuses another binary" 3 "cannot reproduce the running binary" build value "$W/src2/prog"
# a source compiled by several recorded commands (a static and a shared
# library, two programs): the one whose object the binary links is taken,
# wherever it is in UNITS; two that fit equally and not wholly: refused,
# both named
units_with() { # OUT FLAGS...: a command for prog.c with each FLAGS, writing prog-N.o
	local out=$1 n=0
	shift
	: >"$out"
	for flags in "$@"; do
		printf '%s\t%s\t' "$W/src" prog.c >>"$out"
		# shellcheck disable=SC2086
		printf '%s\t' gcc $flags -g -fPIE -pthread -Wall -c prog.c -o "prog-$n.o" | sed 's/\t$//' >>"$out"
		echo >>"$out"
		n=$((n + 1))
	done
}
units_with "$W/units-two" -O1
cat "$W/units" >>"$W/units-two"
run "build with two recorded commands for prog.c: the one whose object the binary links" 0 \
	"prog.c: compiled by 2 recorded commands; the one writing 'prog.o' built .*prog's object" \
	"$LIVEFIX" user build -b "$W/src/prog" -u "$W/units-two" -s "$W/src" -w "$W/work-two" \
	-o "$W/two.lfu" "$HERE/value.patch"
units_with "$W/units-tie" "-O1 -DLF_UNUSED_A" "-O1 -DLF_UNUSED_B"
run "build with two recorded commands that fit the binary equally, neither wholly: refused" 3 \
	"refused \[cannot-reproduce\]: .*prog.c is compiled by 2 recorded commands, and the ones writing 'prog-0.o' and 'prog-1.o' fit .* equally" \
	"$LIVEFIX" user build -b "$W/src/prog" -u "$W/units-tie" -s "$W/src" -w "$W/work-tie" \
	-o "$W/tie.lfu" "$HERE/value.patch"
run "build spin.patch" 0 "changed function: lf_spin" build spin
# lf_scaled's tail call: "eb xx" in the program, "e9 + relocation" in the
# rebuild with -ffunction-sections (run-pre matches jumps by destination)
if objdump -d --disassemble=lf_scaled "$W/src/prog" | grep -qE '	eb [0-9a-f]{2} +	jmp .*<lf_half>'; then
	pass "the program's lf_scaled ends in a 2-byte jmp to lf_half"
else
	fail "the program's lf_scaled ends in a 2-byte jmp to lf_half" \
		"$(objdump -d --disassemble=lf_scaled "$W/src/prog" | tail -3)"
fi
run "build scaled.patch (the 2-byte jmp matches the rebuild's 5-byte one)" 0 \
	"changed function: lf_scaled" build scaled

# --- apply and revert under load
start "$W/run"; PID=$STARTED
before=$(text "$PID")
expect_field "before: original lf_value" "$W/run" value 41
run "apply while 3 threads call lf_value" 0 "applied 'value' to process $PID .*threads stopped" \
	"$LIVEFIX" user apply --pid "$PID" "$W/value.lfu"
expect_field "applied: patched lf_value" "$W/run" value 42
expect_field "applied: patched lf_message (new data, libc import, the binary's own symbols)" \
	"$W/run" message "patched(gen=7,busy=1)"
run "list shows the patch" 0 "$PID +prog +value +.*lf_value" "$LIVEFIX" user list
run "list --json" 0 "\"pid\":$PID,\"process\":\"prog\",\"name\":\"value\"" "$LIVEFIX" user list --json
run "status --json has it" 0 "\"user_patches\":\[\{\"pid\":$PID,\"process\":\"prog\",\"name\":\"value\"" \
	"$LIVEFIX" status --json
run "apply again: already applied" 0 "already applied" "$LIVEFIX" user apply --pid "$PID" "$W/value.lfu"
"$LIVEFIX" -q user build -n other -b "$W/src/prog" -u "$W/units" -s "$W/src" -w "$W/work-other" \
	-o "$W/other.lfu" "$HERE/value.patch"
run "another patch of the same functions" 3 "function 'lf_value' is already replaced by patch 'value'" \
	"$LIVEFIX" user apply --pid "$PID" "$W/other.lfu"
run "revert" 0 "reverted 'value' in process $PID" "$LIVEFIX" user revert --pid "$PID" value
expect_field "reverted: original lf_value" "$W/run" value 41
if [ "$(text "$PID")" = "$before" ]; then pass "reverted: text as before"; else fail "reverted: text as before" "the text differs"; fi
run "revert again: not applied" 1 "is not applied to process" "$LIVEFIX" user revert --pid "$PID" value
expect_field "before: original lf_scaled" "$W/run" scaled 30
run "apply scaled.patch (a tail call shorter than in the rebuild)" 0 "applied 'scaled'" \
	"$LIVEFIX" user apply --pid "$PID" "$W/scaled.lfu"
expect_field "applied: patched lf_scaled" "$W/run" scaled 50
run "revert scaled.patch" 0 "reverted 'scaled'" "$LIVEFIX" user revert --pid "$PID" scaled
expect_field "reverted: original lf_scaled" "$W/run" scaled 30
# The same jump going elsewhere (lf_half+2: harmless, only its result
# changes) is refused by run-pre.
start "$W/jmp"; JPID=$STARTED
python3 - "$JPID" "$(nm "$W/src/prog" | awk '$3 == "lf_scaled" {print $1}')" <<'PY'
import sys
pid, off = int(sys.argv[1]), int(sys.argv[2], 16)
exe = open(f"/proc/{pid}/maps").read().split("\n")[0]
base = int(exe.split("-")[0], 16)
with open(f"/proc/{pid}/mem", "r+b") as m:
    m.seek(base + off + 3)
    jmp = bytearray(m.read(2))
    assert jmp[0] == 0xeb, jmp
    jmp[1] = (jmp[1] + 2) & 0xff
    m.seek(base + off + 3)
    m.write(jmp)
PY
jbefore=$(text "$JPID")
run "a tail call going elsewhere: refused by run-pre" 3 \
	"run-pre: process $JPID: function 'lf_scaled' at \+0x3 holds a jump to 0x[0-9a-f]+, the patch expects one to 0x[0-9a-f]+" \
	"$LIVEFIX" user apply --pid "$JPID" "$W/scaled.lfu"
expect_unchanged "a tail call going elsewhere" "$JPID" "$jbefore"
stop "$JPID"
for i in 1 2 3 4 5; do
	"$LIVEFIX" -q user apply --pid "$PID" "$W/value.lfu" && "$LIVEFIX" -q user revert --pid "$PID" value || break
done
expect_field "5 apply/revert cycles: no torn call (errors=0)" "$W/run" errors 0

# --- --target: a running binary whose Build-ID differs from the rebuild's
# while every loaded section is the same (as postgresql-15's: the
# Build-ID also hashes debug information). Here the running copy is the
# program with its Build-ID note's last byte changed.
mkdir -p "$W/running"
objcopy --dump-section .note.gnu.build-id="$W/note" "$W/src/prog" "$W/running/scratch" &&
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-1] ^= 0xff; open(sys.argv[2], "wb").write(b)' \
		"$W/note" "$W/note2" &&
	objcopy --update-section .note.gnu.build-id="$W/note2" "$W/src/prog" "$W/running/prog"
RID=$(readelf -n "$W/running/prog" | awk '/Build ID/ { print $3 }')
run "build --target: another Build-ID, the same loaded image: the patch is for the target's" 0 \
	"has the loaded image of $W/running/prog: the patch is for Build-ID $RID" \
	"$LIVEFIX" user build -b "$W/src/prog" -t "$W/running/prog" -u "$W/units" -s "$W/src" \
	-w "$W/work-target" -o "$W/target.lfu" "$HERE/value.patch"
BIN=$W/running/prog start "$W/run-target"; TPID=$STARTED
run "the --target patch applies to the running copy" 0 "applied 'value' to process $TPID" \
	"$LIVEFIX" user apply --pid "$TPID" "$W/target.lfu"
expect_field "the running copy: patched lf_value" "$W/run-target" value 42
stop "$TPID"
run "build --target refuses a rebuild with another loaded image" 3 \
	"is not the loaded image of $W/running/prog .*: section " \
	"$LIVEFIX" user build -b "$W/src2/prog" -t "$W/running/prog" -u "$W/units" -s "$W/src" \
	-w "$W/work-target2" -o "$W/target2.lfu" "$HERE/value.patch"

# --- bad input: each leaves the process running, its text unchanged
BIN=$W/src2/prog start "$W/run2"
run "another binary (Build-ID)" 3 "build-id .* the patch 'value' is for build-id" \
	"$LIVEFIX" user apply --pid "$STARTED" "$W/value.lfu"
stop "$STARTED"
run "no such process" 1 "no process 999999999" "$LIVEFIX" user apply --pid 999999999 "$W/value.lfu"
run "not root" 4 "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$LIVEFIX" user apply --pid "$PID" "$W/value.lfu"
expect_unchanged "not root" "$PID" "$before"
"$W/src/prog" --trace "$PID" >"$W/tracer.out" 2>&1 &
TRACER=$!
PIDS+=($TRACER)
for i in $(seq 100); do grep -q tracing "$W/tracer.out" && break; sleep 0.02; done
run "another tracer attached" 4 "is traced by process $TRACER" \
	"$LIVEFIX" user apply --pid "$PID" "$W/value.lfu"
kill -9 "$TRACER"; wait "$TRACER" 2>/dev/null
expect_unchanged "another tracer" "$PID" "$before"
head -c -40 "$W/value.lfu" >"$W/truncated.lfu"
run "truncated patch file" 1 "is truncated or was modified" \
	"$LIVEFIX" user apply --pid "$PID" "$W/truncated.lfu"
python3 - "$W/value.lfu" "$W/forged.lfu" "$W/forged-sum.lfu" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
body = data[:-16]
# a byte of the run-pre expectation changed: what a forger edits
i = body.find(b".livefix.user.prebytes")
pre = body.rfind(b"\x8d\x44\x3f\x01")  # lea 0x1(%rdi,%rdi,1),%eax: lf_value
body[pre + 3] ^= 0xff
open(sys.argv[2], "wb").write(body + data[-16:])
h = 0xcbf29ce484222325
for b in body:
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
open(sys.argv[3], "wb").write(body + b"LFUSUM01" + struct.pack("<Q", h))
PY
run "forged patch file" 1 "is truncated or was modified" \
	"$LIVEFIX" user apply --pid "$PID" "$W/forged.lfu"
run "forged patch file with its checksum recomputed: run-pre" 3 \
	"run-pre: process $PID: function 'lf_value' at \+0x3 holds 01, the patch expects fe" \
	"$LIVEFIX" user apply --pid "$PID" "$W/forged-sum.lfu"
expect_unchanged "damaged patch files" "$PID" "$before"
start "$W/spin" --spin; SPID=$STARTED
sbefore=$(text "$SPID")
run "a thread never leaves the function" 3 "thread [0-9]+ \(prog\) of process $SPID stays in 'lf_spin'" \
	"$LIVEFIX" user apply --pid "$SPID" "$W/spin.lfu"
expect_unchanged "on-stack refusal" "$SPID" "$sbefore"
stop "$SPID"
start "$W/kill"; KPID=$STARTED
run "the process exits mid-apply" 1 "process $KPID \(prog\) exited" \
	env LIVEFIX_TEST_KILL_AFTER_ATTACH=1 "$LFT" user apply --pid "$KPID" "$W/value.lfu"
if "$LIVEFIX" user list | grep -q "^$KPID "; then
	fail "nothing recorded for the process that exited" "$("$LIVEFIX" user list)"
else
	pass "nothing recorded for the process that exited"
fi

# --- MemoryDenyWriteExecute (prctl PR_SET_MDWE, kernels >= 6.3)
kver=$(uname -r)
if [ "$(printf '%s\n6.3\n' "${kver%%-*}" | sort -V | head -1)" != 6.3 ]; then
	skip "MDWE: kernel $kver has no PR_SET_MDWE (>= 6.3); the VM test under systemd's MemoryDenyWriteExecute covers it"
else
	start "$W/mdwe" --mdwe; MPID=$STARTED
	expect_field "MDWE in force in the target" "$W/mdwe" mdwe on
	run "apply under MDWE" 0 "applied 'value'" "$LIVEFIX" user apply --pid "$MPID" "$W/value.lfu"
	expect_field "MDWE: patched lf_value" "$W/mdwe" value 42
	run "revert under MDWE" 0 "reverted 'value'" "$LIVEFIX" user revert --pid "$MPID" value
	expect_field "MDWE: original lf_value" "$W/mdwe" value 41
	stop "$MPID"
fi
expect_field "no torn call in the whole run (errors=0)" "$W/run" errors 0

# --- the first input by package: a binary's Debian source, exact version,
# by apt with a private configuration (needs Debian's archive)
sys_sources=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sha256sum)
out=$("$LIVEFIX" user source -o "$W/deb" /usr/bin/patch 2>&1); rc=$?
ver=$(dpkg-query -W -f='${source:Version}' patch 2>/dev/null)
if [ $rc -ne 0 ] && grep -qE "Temporary failure resolving|Could not connect|Failed to fetch|Unable to connect" <<<"$out"; then
	skip "source by package: Debian's archive cannot be reached"
elif [ $rc -eq 0 ] && grep -q "package patch $ver, source patch $ver" <<<"$out" &&
	[ -f "$W/deb/patch_${ver#*:}.dsc" ] && [ -f "$W/deb/patch-${ver%%-*}/src/patch.c" ]; then
	pass "source by package: /usr/bin/patch -> patch $ver, its source unpacked"
else
	fail "source by package" "expected exit 0, 'package patch $ver', patch_${ver#*:}.dsc and the tree; saw exit $rc:" "$out"
fi
if [ "$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sha256sum)" = "$sys_sources" ]; then
	pass "source by package: the system's apt sources untouched"
else
	fail "source by package: the system's apt sources untouched" "they changed"
fi
run "source of a file no package owns" 1 "no Debian package owns '$W/src/prog'" \
	"$LIVEFIX" user source -o "$W/deb2" "$W/src/prog"

. "$HERE/sweep.sh"

echo
echo "user: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
