#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# livefix user build with header changes (docs/userspace.md, "Header
# changes"): a small tree of our own (tests/user/hdrprog: app/ links
# main.c, value.c and area.c; tools/other.c is another program of the same
# tree; lib/util/wrap.h reaches calc.h by a path relative to itself), built
# here as a package's build would, its compile commands
# recorded in a UNITS file. Each patch changes a header only; the units
# including it that the program links are compiled and diffed:
#   calc.patch      an inline function of include/hp/calc.h, which
#                   include/hp/api.h includes as "calc.h" (beside itself):
#                   hp_value replaced, the running program's value changes
#                   while applied and comes back after the revert
#   macro.patch     a macro the inline function uses: the same
#   newhdr.patch    a new header in a new directory, which value.c's
#                   change includes
#   layout.patch    a member added to struct hp_shape: refused [data-layout]
#   additive.patch  a new inline function nothing calls: refused [no-change]
#   nap.patch       (a .c change) hp_nap, in which a thread of the program
#                   sleeps: calc.patch is applied and reverted while that
#                   thread sleeps inside nap's code, its stack unwound
#                   through it by the patch's CFI (user/stack_cfi.c)
# Then the same tree with 45 more units (app/gen/), beyond the limit of
# units compiled whole: only those naming what the change modifies are;
# with --max-units 2, the 3 of them the program links are refused; and
# directive.patch, a conditional around the function (nothing to narrow
# by), reaches all 50, refused before compiling any.
# calc.h's inline function has sizeof(__FILE__) in its code, so a copy
# compiled under another name than the build's would not be the program's
# code ("cannot reproduce the running binary").
# Ends with "user-headers: N passed, N failed, N skipped".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/user
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
W=$(mktemp -d /tmp/livefix-user-headers-XXXXXX)
export LIVEFIX_USER_STATE_DIR=$W/state
PIDS=()
. "$HERE/checks.sh"

cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

CFLAGS=(-O2 -g -fPIE -Wall -I../include -I../lib)
# unit DIR SOURCE OBJECT FLAGS...: compiles it in DIR, records the command
unit() {
	local dir=$1 src=$2 obj=$3
	shift 3
	(cd "$W/tree/$dir" && gcc "$@" -c "$src" -o "$obj") || return 1
	printf '%s\t%s\t' "$W/tree/$dir" "$src" >>"$W/units"
	printf '%s\t' gcc "$@" -c "$src" -o "$obj" | sed 's/\t$//' >>"$W/units"
	echo >>"$W/units"
}

build_tree() {
	mkdir -p "$W/tree"
	cp -r "$HERE/hdrprog/include" "$HERE/hdrprog/lib" "$HERE/hdrprog/app" "$HERE/hdrprog/tools" \
		"$W/tree/"
	: >"$W/units"
	for u in main value area wrapped nap; do unit app $u.c $u.o "${CFLAGS[@]}" || return 1; done
	(cd "$W/tree/app" && gcc -pie -pthread -o hdrprog main.o value.o area.o wrapped.o nap.o) ||
		return 1
	unit tools other.c other.o -O2 -g -Wall || return 1
	(cd "$W/tree/tools" && gcc -o other other.o)
}
if ! build_tree; then
	echo "cannot build the test program"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
BIN=$W/tree/app/hdrprog

build() { # PATCH [UNITS BINARY]: user build of tests/user/hdrprog/PATCH.patch
	"$LIVEFIX" user build -b "${3:-$BIN}" -u "${2:-$W/units}" -s "$W/tree" \
		-w "$W/work-$1-$RANDOM" -o "$W/$1.lfu" "$HERE/hdrprog/$1.patch"
}

run "calc.patch: the inline function's caller replaced" 0 "changed function: hp_value" build calc
run "calc.patch: the caller through lib/util/wrap.h (\"../../include/hp/calc.h\") replaced" 0 \
	"changed function: hp_wrap_value" build calc
run "calc.patch: main.c and area.c include calc.h and are unchanged" 0 \
	"no functional change in app/area.c" build calc
run "calc.patch: another program's unit is left out" 0 \
	"includers left out, not linked into .*hdrprog \(their functions are not the binary's\): 1 of 5 \(tools/other.c\)" build calc
run "macro.patch: the macro's user replaced" 0 "changed function: hp_value" build macro
run "newhdr.patch: a header in a directory the patch creates, included by the patched value.c" 0 \
	"changed function: hp_value" build newhdr
run "layout.patch: refused" 3 \
	"refused \[data-layout\]: app/area.c: data layout change: struct hp_shape \(\.\./include/hp/shape\.h\)" \
	build layout
run "additive.patch: nothing calls the new function" 3 "refused \[no-change\]" build additive

# the running program: value=31 (hp_value(10)), 41 with calc.patch, 32 with macro.patch
field() { state_field "$W/run" "$1"; }
expect() { # NAME KEY WANT
	local got
	got=$(field "$2")
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "expected $2=$3, saw '$got'"; fi
}
mkdir -p "$W/run"
"$BIN" "$W/run" >/dev/null 2>&1 &
PID=$!
PIDS+=("$PID")
disown "$PID"
for i in $(seq 100); do [ -s "$W/run/state" ] && break; sleep 0.05; done
expect "unpatched: value" value 31
if [ -f "$W/calc.lfu" ] && [ -f "$W/macro.lfu" ]; then
	run "apply calc.lfu" 0 "applied 'calc' to process $PID" "$LIVEFIX" user apply --pid "$PID" "$W/calc.lfu"
	expect "calc applied: hp_value(10) = 3 * 10 + 1 + 10" value 41
	expect "calc applied: area unchanged" area 20
	expect "calc applied: hp_wrap_value(10) through wrap.h" wrapped 141
	run "revert calc" 0 "reverted 'calc' in process $PID" "$LIVEFIX" user revert --pid "$PID" calc
	expect "calc reverted: value" value 31
	expect "calc reverted: wrapped" wrapped 131
	run "apply macro.lfu" 0 "applied 'macro' to process $PID" "$LIVEFIX" user apply --pid "$PID" "$W/macro.lfu"
	expect "macro applied: HP_OFFSET 2" value 32
	run "revert macro" 0 "reverted 'macro' in process $PID" "$LIVEFIX" user revert --pid "$PID" macro
	expect "macro reverted: value" value 31
	# a thread inside a patch's code: nap.patch replaces hp_nap(), in
	# which the sleeper thread sleeps; calc's apply and revert unwind
	# its stack through nap's code (the patch's CFI, user/stack_cfi.c)
	run "build nap.patch" 0 "changed function: hp_nap" build nap
	# hp_nap is replaced while the sleeper is out of it (nap-off), then
	# the sleeper calls it again
	touch "$W/run/nap-off"
	sleep 0.2
	run "apply nap.lfu" 0 "applied 'nap' to process $PID" "$LIVEFIX" user apply --pid "$PID" "$W/nap.lfu"
	naps0=$(field naps)
	rm -f "$W/run/nap-off"
	for i in $(seq 100); do [ "$(field naps)" -ge $((naps0 + 1000)) ] && break; sleep 0.05; done
	if [ "$(field naps)" -ge $((naps0 + 1000)) ]; then
		pass "nap applied: the sleeper thread runs the patch's hp_nap"
	else
		fail "nap applied: the sleeper thread runs the patch's hp_nap" \
			"expected naps to grow by 1000 from $naps0, saw $(field naps)"
	fi
	if grep -qE '^cfi 0x[0-9a-f]+ [1-9]' "$W/state/$PID-nap"; then
		pass "nap's record names its code's CFI"
	else
		fail "nap's record names its code's CFI" "$(cat "$W/state/$PID-nap" 2>&1)"
	fi
	run "apply calc.lfu while the sleeper sleeps inside nap's code" 0 \
		"applied 'calc' to process $PID" "$LIVEFIX" user apply --pid "$PID" "$W/calc.lfu"
	expect "calc applied over nap: value" value 41
	run "revert calc while the sleeper sleeps inside nap's code" 0 \
		"reverted 'calc' in process $PID" "$LIVEFIX" user revert --pid "$PID" calc
	touch "$W/run/nap-off"
	run "revert nap, the sleeper out of it" 0 "reverted 'nap' in process $PID" \
		"$LIVEFIX" user revert --pid "$PID" nap
	expect "all reverted: value" value 31
else
	fail "apply the header patches" "calc.lfu or macro.lfu was not built"
fi

# 45 more units including api.h, linked into a second program: beyond the
# limit, only the units naming hp_scale or HP_OFFSET are compiled
mkdir -p "$W/tree/app/gen"
GEN=()
for n in $(seq -w 0 44); do
	if [ "$n" = 00 ]; then body="return hp_scale(x) - 1;"; else body="return x + $((10#$n));"; fi
	printf '#include <hp/api.h>\nint hp_g%s(int x);\nint hp_g%s(int x)\n{\n\t%s\n}\n' \
		"$n" "$n" "$body" >"$W/tree/app/gen/g$n.c"
	GEN+=("gen/g$n.o")
done
cp "$W/units" "$W/units-small"
for n in $(seq -w 0 44); do
	unit app "gen/g$n.c" "gen/g$n.o" "${CFLAGS[@]}" || fail "compile gen/g$n.c" ""
done
(cd "$W/tree/app" && gcc -pie -pthread -o hdrmany main.o value.o area.o wrapped.o nap.o "${GEN[@]}")
out=$(build calc "$W/units" "$W/tree/app/hdrmany" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "include/hp/calc.h: 50 units include it, 4 name what its change modifies" <<<"$out" &&
	grep -q "changed function: hp_value" <<<"$out" && grep -q "changed function: hp_g00" <<<"$out" &&
	! grep -q "app/gen/g01.c" <<<"$out"; then
	pass "beyond the limit: the 4 units naming hp_scale compiled, hp_value and hp_g00 replaced"
else
	fail "beyond the limit: the 4 units naming hp_scale compiled, hp_value and hp_g00 replaced" \
		"expected exit 0, '50 units include it, 4 name ...', hp_value and hp_g00; saw exit $rc:" "$out"
fi

# two headers beyond the limit in one build, each narrowed by its own
# names: shape.h's member (hp_shape, which only area.c names) is found
# after calc.h's hp_scale was looked for in the same files
cat "$HERE/hdrprog/calc.patch" "$HERE/hdrprog/layout.patch" >"$W/calc-layout.patch"
run "calc.patch and layout.patch together, beyond the limit: area.c's layout change refused" 3 \
	"refused \[data-layout\]: app/area.c: data layout change: struct hp_shape" \
	"$LIVEFIX" user build -b "$W/tree/app/hdrmany" -u "$W/units" -s "$W/tree" -w "$W/work-two" \
	-o "$W/two.lfu" "$W/calc-layout.patch"
run "--max-units 2: 3 linked units are more" 3 \
	"refused \[header-limit\]: the header changes affect 3 units linked into .*hdrmany, more than --max-units \(2\)" \
	"$LIVEFIX" user build -b "$W/tree/app/hdrmany" -u "$W/units" -s "$W/tree" -w "$W/work-max2" \
	--max-units 2 -o "$W/max2.lfu" "$HERE/hdrprog/calc.patch"
run "directive.patch (a conditional: no names to narrow by), --max-units 2: refused before compiling" 3 \
	"refused \[header-limit\]: the header changes reach 50 units of the program's tree, more than 4 x --max-units \(2\)" \
	"$LIVEFIX" user build -b "$W/tree/app/hdrmany" -u "$W/units" -s "$W/tree" -w "$W/work-dir2" \
	--max-units 2 -o "$W/dir2.lfu" "$HERE/hdrprog/directive.patch"
run "--max-units 0: bad usage" 2 "invalid --max-units '0'" \
	"$LIVEFIX" user build -b "$W/tree/app/hdrmany" -u "$W/units" -s "$W/tree" --max-units 0 \
	"$HERE/hdrprog/calc.patch"

echo "user-headers: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
