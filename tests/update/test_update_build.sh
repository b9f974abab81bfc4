#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make check's fast test of the cumulative update build (livefix build
# --update, docs/update.md) on the real 6.1.170-3 -> 6.1.176-1 trees, two
# groups of it (--only): hid-roccat.c (CVE-2026-43111's fix, applied) and
# video_detect.c (refused: changed-data), the other groups not selected
# but the update's new .c units refused (new-file). Checks the module and
# what it says of itself (livefix info), report.json against its schema,
# the report's outcomes, and that a second build takes the objects and
# each group's verdict from the cache and makes the same module, and that
# a SIGTERM during the cumulative build leaves nothing behind; that the
# debug modules two groups want come out in one pass over the -dbg
# package. Skipped when the update's source trees are not cached
# (the first --update --plan fetches them; two 139 MB downloads).
# usage: test_update_build.sh [KVER]
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LF=${LIVEFIX:-$ROOT/livefix}
CACHE=${LIVEFIX_CACHE:-/var/cache/livefix}
D=$(mktemp -d /tmp/livefix-test-update-XXXXXX)
trap 'rm -rf "$D"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
summary() { echo "update-build: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit; }

for v in 6.1.170-3 6.1.176-1; do
	if [ ! -d "$CACHE/source-6.1-$v/tree" ] || [ ! -d "$CACHE/$KVER" ]; then
		echo "skip update-build: $CACHE/source-6.1-$v/tree or $CACHE/$KVER not cached " \
		     "(livefix build --update 6.1.176-1 --plan -k $KVER fetches them)"
		skipped=1
		summary
	fi
done

ONLY=drivers/hid/hid-roccat.c,drivers/acpi/video_detect.c
nice -n 10 "$LF" build --update 6.1.176-1 -k "$KVER" -o "$D/out" --only "$ONLY" -j 2 \
	>"$D/log" 2>&1
rc=$?
KO=$D/out/livepatch-update-6-1-176-1.ko
[ "$rc" -eq 0 ] && [ -f "$KO" ] && ok "built one module (exit 0)" ||
	bad "build" "expected exit 0 and $KO, saw exit $rc: $(tail -5 "$D/log")"
grep -q 'group .*(drivers/acpi/video_detect.c): refused \[changed-data\]' "$D/log" &&
	ok "a refused group is left out with its code" ||
	bad "refused group" "expected video_detect.c refused [changed-data], saw: $(grep 'group ' "$D/log")"

info=$("$LF" info "$KO" 2>&1)
for want in 'hid_roccat:roccat_report_event' 'effective: *6.1.176-1' \
	'cves: .*CVE-2026-43111' 'cves unfixed: .*CVE-2026-43117'; do
	grep -qE "$want" <<<"$info" && ok "info: $want" || bad "info" "expected /$want/ in: $info"
done
grep -E '^cves:' <<<"$info" | grep -q 'CVE-2026-43117' &&
	bad "info" "CVE-2026-43117 (btrfs, not built here) listed as fixed" || ok "info: an unbuilt fix is not listed fixed"

python3 - "$ROOT/docs/update-report.schema.json" "$D/out/report.json" >"$D/py" 2>&1 <<'PY'
import json, sys
import jsonschema
schema, r = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.validate(r, schema)
files = {f["path"]: f for f in r["files"]}
cves = {c["id"]: c for c in r["cves"]}
checks = [
    ("hid-roccat.c applied with roccat_report_event",
     files["drivers/hid/hid-roccat.c"]["outcome"] == "applied" and
     [f["function"] for f in files["drivers/hid/hid-roccat.c"]["functions"]] == ["roccat_report_event"]),
    ("video_detect.c refused changed-data",
     files["drivers/acpi/video_detect.c"]["outcome"] == "refused" and
     files["drivers/acpi/video_detect.c"]["code"] == "changed-data"),
    ("a new .c unit refused new-file",
     files["drivers/infiniband/core/iter.c"]["outcome"] == "refused" and
     files["drivers/infiniband/core/iter.c"]["code"] == "new-file"),
    ("CVE-2026-43111 fully live-patched", cves["CVE-2026-43111"]["status"] == "fully"),
    ("502 CVEs", r["totals"]["cves"] == 502 and len(r["cves"]) == 502),
    ("every file has an outcome", r["totals"]["files"] == len(r["files"]) == 1204),
]
for name, good in checks:
    print(("ok   " if good else "FAIL ") + name)
PY
if grep -q '^Traceback\|ValidationError' "$D/py"; then
	bad "report.json" "$(tail -3 "$D/py")"
else
	ok "report.json valid against docs/update-report.schema.json"
	while read -r line; do
		case $line in ok*) ok "report: ${line#ok   }" ;; *) bad "report" "${line#FAIL }" ;; esac
	done <"$D/py"
fi

ls "$D"/out/logs/group-*.log >/dev/null 2>&1 && [ "$(ls "$D"/out/logs | wc -l)" -eq 2 ] &&
	ok "one log per group tried in DIR/logs" || bad "logs" "expected 2 group logs, saw: $(ls "$D/out/logs" 2>&1)"

# the objects of the first build are kept, and the second build takes
# each group's verdict alone from the cache: it judges nothing again
ls "$CACHE/$KVER"/objects/drivers/hid/hid-roccat.*.orig.o >/dev/null 2>&1 &&
	ok "original object kept in the cache" || bad "object cache" "no $CACHE/$KVER/objects/drivers/hid/hid-roccat.*.orig.o"
ls "$CACHE/$KVER"/patched-objects/drivers/hid/hid-roccat.*.patched.o >/dev/null 2>&1 &&
	ok "patched object kept in the cache" ||
	bad "object cache" "no $CACHE/$KVER/patched-objects/drivers/hid/hid-roccat.*.patched.o"
nice -n 10 "$LF" build --update 6.1.176-1 -k "$KVER" -o "$D/again" --only "$ONLY" -j 2 \
	>"$D/log2" 2>&1
rc=$?
grep -q 'Trying 0 groups alone.*, 2 judged before by this livefix' "$D/log2" &&
	ok "a rebuild takes both verdicts from the cache" ||
	bad "verdict cache" "expected 'Trying 0 groups alone ... 2 judged before', saw: $(grep 'Trying' "$D/log2")"
said() { "$LF" info "$1" 2>&1 | grep -E '^(cves|effective|description)|^  '; }
[ "$rc" -eq 0 ] && [ -n "$(said "$KO")" ] &&
	cmp -s <(said "$KO") <(said "$D/again/livepatch-update-6-1-176-1.ko") &&
	ok "the rebuild's module says the same of itself" ||
	bad "rebuild" "expected exit 0 and the same livefix info, saw exit $rc: $(tail -3 "$D/log2")"
grep -q '(drivers/acpi/video_detect.c): refused \[changed-data\]' "$D/log2" &&
	ok "the cached verdict keeps the refusal's code" ||
	bad "cached refusal" "expected video_detect.c refused [changed-data], saw: $(grep 'group ' "$D/log2")"

# stopped by SIGTERM while the cumulative build (a forked copy) works:
# nothing is left in TMPDIR, the copy's livefix-build-* dir included
mkdir -p "$D/tmp"
TMPDIR=$D/tmp nice -n 10 "$LF" build --update 6.1.176-1 -k "$KVER" -o "$D/stopped" \
	--only "$ONLY" -j 2 >"$D/log3" 2>&1 &
pid=$!
for _ in $(seq 600); do
	compgen -G "$D/tmp/livefix-update-*/livefix-build-*" >/dev/null && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
seen=$(compgen -G "$D/tmp/livefix-update-*/livefix-build-*")
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
left=$(ls -A "$D/tmp")
[ -n "$seen" ] && [ "$rc" -eq 143 ] && [ -z "$left" ] && [ ! -e "$D/stopped/report.json" ] &&
	ok "SIGTERM during the cumulative build leaves nothing in TMPDIR" ||
	bad "signal" "expected the cumulative build's dir seen ($seen), exit 143, an empty TMPDIR and no report; saw exit $rc, left: $left"

# The debug modules the trials want come out of the -dbg package in one
# pass for all the groups (a pass reads the whole package, about a
# minute), and the groups that wanted them are tried again after it. The
# units of erofs's dir.c and nilfs2's dat.c have local names their
# modules repeat, so each wants its module's debug object. A private
# cache: no debug module extracted and no verdict kept (a kept one is
# not tried again); the real one's other entries linked, but for a copy
# of root/, where each build points the headers' scripts/ at its own
# cache's tree (a link through to the real root/ would repoint the real
# cache's at this test's, gone after it).
P=$D/cache
mkdir -p "$P/$KVER/dbg-modules" "$P/$KVER/log"
for e in "$CACHE/$KVER"/*; do
	case ${e##*/} in
	dbg-modules* | log | update-verdicts-*) ;;
	root) cp -a "$e" "$P/$KVER/" ;;
	*) ln -s "$e" "$P/$KVER/" ;;
	esac
done
for v in 6.1.170-3 6.1.176-1; do
	mkdir -p "$P/source-6.1-$v"
	ln -s "$CACHE/source-6.1-$v"/* "$P/source-6.1-$v/"
done
DBG_ONLY=fs/erofs/dir.c,fs/nilfs2/dat.c
LIVEFIX_CACHE=$P nice -n 10 "$LF" build --update 6.1.176-1 -k "$KVER" -o "$D/dbg" \
	--only "$DBG_ONLY" -j 2 >"$D/log4" 2>&1
rc=$?
passes=$(grep -c '^Extracting [0-9]* debug module(s) from' "$D/log4")
[ "$rc" -eq 0 ] && [ "$passes" = 1 ] &&
	grep -q '^Extracting 2 debug module(s) from' "$D/log4" &&
	[ "$(grep -c 'debug module(s) wanted; tried again' "$D/log4")" = 2 ] &&
	ok "two groups' debug modules: one pass over the -dbg package" ||
	bad "debug modules" "expected exit 0, two groups waiting and one pass for 2 modules, saw exit $rc, $passes pass(es): $(grep -E 'debug module|^Extracting' "$D/log4")"
for f in fs/erofs/dir.c fs/nilfs2/dat.c; do
	grep -q "group .*($f): applied" "$D/log4" &&
		ok "tried again after the pass: $f applied" ||
		bad "after the pass" "expected $f applied, saw: $(grep 'group ' "$D/log4")"
done
ls "$P/$KVER"/dbg-modules/kernel/fs/erofs/erofs.ko "$P/$KVER"/dbg-modules/kernel/fs/nilfs2/nilfs2.ko \
	>/dev/null 2>&1 && ok "the extracted debug modules are in the cache" ||
	bad "debug module cache" "expected erofs.ko and nilfs2.ko under $P/$KVER/dbg-modules"
summary
