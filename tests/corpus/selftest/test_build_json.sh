#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/selftest/test_build_json.sh — build-json.py, through which
# the corpus runners read a `livefix build --json` document: the fields
# they act on (code, units, symbols, functions) for a failed, a refused and
# a built build, nothing for a build that wrote no document, and quiet
# when its reader stops early.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BJ=$HERE/../build-json.py
# shellcheck source=tests/corpus/selftest/expect.sh
. "$HERE/expect.sh"
reason() { # CODE OBJECT SYMBOL MESSAGE
	printf '{"code":%s,"object":%s,"function":null,"symbol":%s,"message":"%s"}' "$1" "$2" "$3" "$4"
}
printf '{"schema_version":1,"outcome":"failed","exit_status":1,"code":"compile-failed","objects":[],"refusals":[],"errors":[%s,%s,%s,%s]}\n' \
	"$(reason '"compile-failed"' '"drivers/a.c"' null 'compiling drivers/a.c (patched) failed')" \
	"$(reason '"compile-failed"' '"drivers/a.c"' null 'compiling drivers/a.c (original) failed')" \
	"$(reason '"unresolved-symbol"' '"drivers/b.o"' '"new_helper"' 'x')" \
	"$(reason null null null 'a plain error line')" >"$W/failed.json"
expect "failed: its code" compile-failed "$("$BJ" "$W/failed.json" code)"
expect "failed: every reason's code" "compile-failed,compile-failed,unresolved-symbol" \
	"$("$BJ" "$W/failed.json" codes | paste -sd, -)"
expect "failed: the units that did not compile, once each" drivers/a.c \
	"$("$BJ" "$W/failed.json" objects compile-failed)"
expect "failed: the symbols not resolved" new_helper "$("$BJ" "$W/failed.json" symbols unresolved-symbol)"
expect "failed: the reason, every message" \
	"compiling drivers/a.c (patched) failed | compiling drivers/a.c (original) failed | x | a plain error line" \
	"$("$BJ" "$W/failed.json" reason)"
printf '{"code":"data-layout","objects":[{"object":"vmlinux","changed":["f"],"new":[]}],"refusals":[%s,%s],"errors":[]}\n' \
	"$(reason '"no-fentry"' '"k.o"' null 'y')" "$(reason '"data-layout"' '"k.o"' '"struct s"' 'z')" >"$W/refused.json"
expect "refused: the build's code, not its first refusal's" data-layout "$("$BJ" "$W/refused.json" code)"
printf '{"code":null,"objects":[{"object":"vmlinux","changed":["a","b"],"new":["c"]},{"object":"xfs","changed":["d"],"new":[]}],"refusals":[],"errors":[]}\n' >"$W/built.json"
expect "built: no code" "" "$("$BJ" "$W/built.json" code)"
expect "built: functions" "a,b,d; new: c" "$("$BJ" "$W/built.json" functions)"
expect "built: patched modules" xfs "$("$BJ" "$W/built.json" modules)"
python3 -c 'import json, sys; json.dump({"refusals": [{"code": "c%d" % i} for i in range(100000)]}, sys.stdout)' >"$W/many.json"
expect "no document: nothing" "" "$("$BJ" "$W/none.json" code)"
# grep -q stops reading at its first match: the rest is not an error
"$BJ" "$W/many.json" codes 2>"$W/many.err" | grep -q c1; st=("${PIPESTATUS[@]}")
expect "a reader that stops early: exit 0, nothing on stderr" "0 0 " "${st[*]} $(head -c 200 "$W/many.err")"
"$BJ" "$W/built.json" nonsense >/dev/null 2>&1; expect "an unknown query exits 2" 2 $?
expect_summary
