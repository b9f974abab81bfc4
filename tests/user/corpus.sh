#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/user/corpus.sh — livefix user over real Debian updates, one patch per
# changed file as the kernel corpus has them (tests/user/corpus_split.py),
# each built against the running program's rebuild and applied to real
# servers under a client load on loopback, then reverted.  (make user-corpus)
#
# usage: tests/user/corpus.sh [-o OUTDIR] [PART...]
#   PART   redis, openssl, postgresql (default: all three, in that order)
#     redis       redis-server 5:7.0.15-1~deb12u7 (installed, rebuilt by
#                 `livefix user rebuild`) → deb12u10: each patch applied by
#                 --pid to a redis-server under SET/GET requests
#     openssl     libssl3 3.0.17-1~deb12u2 → 3.0.20-1~deb12u2: the 3.0.17
#                 libraries unpacked from their .deb (apt-get download),
#                 rebuilt (`user rebuild -P openssl=3.0.17-1~deb12u2`),
#                 each patch applied by Build-ID (--all) to two
#                 `openssl s_server` under TLS 1.2/1.3 handshakes and
#                 to tests/user/ossl_effect.c (built here, run with the
#                 same libraries), which answers the effect checks
#     postgresql  postgresql-15 15.18 → 15.20 (bookworm-security): skipped,
#                 said in one line, when the source cannot be fetched
#   OUTDIR default build/user-corpus: report.tsv, report.md, logs/
# Environment:
#   ONLY=REGEX   only the files matching it;  LIMIT=N  the first N per part
#   JOBS=N       the rebuilds' compile jobs (default 2)
#   LIVEFIX      the binary (default ./livefix)
#   RESUME=1     keep OUTDIR's report.tsv and run only the cases it lacks (a
#                long run split in parts: ONLY='^ssl/', then the rest)
# Outcome of each patch (class c: its code changed; class header: a changed
# header, its own case; class format, whitespace and comments only, and
# files outside the patched object are listed, not run):
#   applied          built; applied to every server process, each replaced
#                    function redirected (the object's text differs, `user
#                    list --json` names the functions), every server still
#                    answering, 0 failed requests, reverted with the text
#                    byte for byte as before; for the files with an effect
#                    check (a CVE's reproducer: redis's rdb.c, zipmap.c;
#                    openssl's ocb128.c and the AES-OCB and AES-SIV
#                    providers), the process
#                    behaves unfixed before, fixed while patched and
#                    unfixed again after the revert
#   refused:CODE     build or apply refused with a precise code (docs/
#                    codes.md), the servers unchanged and answering; a .c
#                    file that compiles only with the new version's headers
#                    is built again with them (header changes, docs/
#                    userspace.md); then, while a build fails to compile,
#                    again with the update's patches the failure names (a
#                    changed includer a header case needs, a header adding
#                    an undeclared name)
#   wrong:WHAT       anything else: applied but a server broke or a request
#                    failed or the text was not restored, or an error with
#                    no precise code (failed [build-failed] / [load-failed])
# Last line: "user-corpus: N passed, N failed" (failed = wrong outcomes).
# Needs root (ptrace, the rebuilds' build roots), loopback only.
set -u
ME=user-corpus
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
CACHE=/var/cache/livefix/user
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) sed -n '2,/^set -u/{/^set -u/d;/SPDX/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-o) OUT=$2; shift 2 ;;
	*) break ;;
	esac
done
OUT=${OUT:-$ROOT/build/user-corpus}
PARTS=${*:-redis openssl postgresql}
JOBS=${JOBS:-2}
ONLY=${ONLY:-}
LIMIT=${LIMIT:-}
RESUME=${RESUME:-}
if [ "$RESUME" = 1 ] && [ -s "$OUT/report.tsv" ]; then
	grep -v -P '^[^\t]*\t-\t' "$OUT/report.tsv" >"$OUT/report.tsv.kept" # not the setup lines
	mv "$OUT/report.tsv.kept" "$OUT/report.tsv"
else
	rm -rf "$OUT/logs" "$OUT/work" "$OUT/report.tsv"
	mkdir -p "$OUT"
	printf 'part\tid\tfile\tclass\toutcome\tfunctions\tnote\n' >"$OUT/report.tsv"
fi
mkdir -p "$OUT/logs" "$OUT/work"
W=$(mktemp -d /tmp/livefix-user-corpus-XXXXXX)
export LIVEFIX_USER_STATE_DIR=$W/state
passed=0 failed=0 PIDS=()
declare -A COUNT=() SKIPPED=()

cleanup() {
	exec 2>/dev/null
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# record PART ID FILE CLASS OUTCOME FUNCS NOTE
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$OUT/report.tsv"
	COUNT[$1:${5%%:*}]=$((${COUNT[$1:${5%%:*}]:-0} + 1))
	case $5 in
	wrong*) failed=$((failed + 1)); echo "FAIL $1 $2 $3: $5 ${7:+($7)}" ;;
	*) passed=$((passed + 1)); echo "ok   $1 $2 $3: $5${6:+ ($6)}" ;;
	esac
}
setup_fail() { # PART WHY: a part that could not start is one wrong outcome
	record "$1" - - - "wrong:setup" - "$2"
}

# text PID OBJECT: digest of OBJECT's executable mapping in PID
text() {
	python3 - "$1" "$2" <<'PY'
import hashlib, os, sys
pid, obj = sys.argv[1], os.path.realpath(sys.argv[2])
h = hashlib.sha256()
for line in open(f"/proc/{pid}/maps"):
    f = line.split()
    if len(f) >= 6 and "x" in f[1] and os.path.realpath(f[5]) == obj:
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        with open(f"/proc/{pid}/mem", "rb") as m:
            m.seek(lo)
            h.update(m.read(hi - lo))
print(h.hexdigest())
PY
}

# listed PID NAME: the functions `user list --json` says NAME replaced in PID
listed() {
	"$LIVEFIX" user list --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(",".join(sorted(f for p in d["user_patches"] if p["pid"] == int(sys.argv[1]) and p["name"] == sys.argv[2] for f in p["functions"])))' "$1" "$2"
}

# code_of LOG: the precise code of a refusal or failure, "" when none or
# only the generic one
code_of() {
	local c
	c=$(grep -o -m1 -E '(refused|failed) \[[a-z0-9-]+\]' "$1" | sed -E 's/.*\[(.*)\]/\1/')
	case $c in build-failed|load-failed) echo "" ;; *) echo "$c" ;; esac
}

# ------------------------------------------------------------------ cases
# run_part PART INDEX SPLIT_DIR: each case built and judged; the part sets
#   BIN UNITS SRC TARGET (user build's inputs), OBJECT (the file mapped),
#   SERVER_PIDS, LOAD_KIND LOAD_PORT, answers (a function: 0 when every
#   server answers), APPLY_MODE (pid or all)
build_case() { # NAME LOG PATCH...
	local name=$1 log=$2
	shift 2
	nice -n 19 "$LIVEFIX" user build --binary "$BIN" ${TARGET:+--target "$TARGET"} \
		--units "$UNITS" --source "$SRC" -n "$name" -o "$W/$name.lfu" \
		-w "$W/work-$name" "$@" >"$log" 2>&1
	local rc=$?
	rm -rf "$W/work-$name"
	return $rc
}

load_start() {
	python3 "$HERE/corpus_load.py" "$LOAD_KIND" "$LOAD_PORT" >"$W/load.out" 2>&1 &
	LOAD_PID=$!
	sleep 0.3
}
load_stop() { # sets LOAD_REQUESTS and LOAD_LOST (the failures, "" when none)
	kill -TERM "$LOAD_PID" 2>/dev/null
	wait "$LOAD_PID" 2>/dev/null
	LOAD_LOST=$(awk 'NR == 1 && $4 != 0 { bad = 1 } bad' "$W/load.out")
	LOAD_REQUESTS=$(awk 'NR == 1 { print $2 }' "$W/load.out")
	[ -n "$LOAD_REQUESTS" ] || LOAD_LOST="the client load printed nothing: $(head -3 "$W/load.out")"
}

apply_case() { # PART ID FILE CLASS NAME FUNCS LOG
	local part=$1 id=$2 file=$3 class=$4 name=$5 funcs=$6 log=$7 p rc before=() after ok=1
	local why="" lost code
	local seen_before="" seen_during="" seen_after=""
	for p in "${SERVER_PIDS[@]}"; do before+=("$(text "$p" "$OBJECT")"); done
	if has_effect "$file"; then
		seen_before=$(effect "$file") && why+="fixed already before the patch ($seen_before); "
	fi
	load_start
	if [ "$APPLY_MODE" = all ]; then
		"$LIVEFIX" user apply --all "$W/$name.lfu" >>"$log" 2>&1; rc=$?
	else
		"$LIVEFIX" user apply --pid "${SERVER_PIDS[0]}" "$W/$name.lfu" >>"$log" 2>&1; rc=$?
	fi
	if [ $rc -ne 0 ]; then
		code=$(code_of "$log")
		load_stop
		lost=$LOAD_LOST
		for i in "${!SERVER_PIDS[@]}"; do
			[ "$(text "${SERVER_PIDS[$i]}" "$OBJECT")" = "${before[$i]}" ] || why+="text of ${SERVER_PIDS[$i]} changed; "
		done
		answers || why+="a server no longer answers; "
		[ -z "$lost" ] || why+="requests failed: $(echo $lost); "
		if [ -n "$code" ] && [ -z "$why" ]; then
			record "$part" "$id" "$file" "$class" "refused:$code" "$funcs" "apply: $(grep -m1 -o 'refused \[.*' "$log" | cut -c1-160)"
		else
			record "$part" "$id" "$file" "$class" "wrong:apply-exit$rc" "$funcs" "${why}code '${code}'; see logs/$id.log"
		fi
		return
	fi
	for i in "${!SERVER_PIDS[@]}"; do
		p=${SERVER_PIDS[$i]}
		[ "$(text "$p" "$OBJECT")" != "${before[$i]}" ] || why+="text of $p unchanged while applied; "
		[ "$(listed "$p" "$name")" = "$(tr ',' '\n' <<<"$funcs" | sort | paste -sd, -)" ] ||
			why+="user list names '$(listed "$p" "$name")' in $p, the build '$funcs'; "
	done
	sleep 0.5
	answers || why+="a server no longer answers while patched; "
	if has_effect "$file"; then
		seen_during=$(effect "$file") || why+="not fixed while patched ($seen_during); "
	fi
	for p in "${SERVER_PIDS[@]}"; do
		"$LIVEFIX" user revert --pid "$p" "$name" >>"$log" 2>&1 || { ok=0; why+="revert in $p failed; "; }
	done
	load_stop
	lost=$LOAD_LOST
	for i in "${!SERVER_PIDS[@]}"; do
		after=$(text "${SERVER_PIDS[$i]}" "$OBJECT")
		[ "$after" = "${before[$i]}" ] || why+="text of ${SERVER_PIDS[$i]} not restored; "
	done
	answers || why+="a server no longer answers after revert; "
	if has_effect "$file"; then
		seen_after=$(effect "$file") && why+="still fixed after revert ($seen_after); "
	fi
	[ -z "$lost" ] || why+="requests failed: $(echo $lost); "
	if [ -z "$why" ] && [ $ok = 1 ]; then
		local stops
		# the apply's and revert's own lines (--all's summary lines,
		# "process PID (comm): applied in ...", say the same stops again)
		stops=$(grep -v '^process ' "$log" | grep -o 'threads stopped [0-9.]* ms' | awk '{ print $3 }' | paste -sd/ -)
		record "$part" "$id" "$file" "$class" applied "$funcs" "${#SERVER_PIDS[@]} process(es) (threads stopped ${stops:-?} ms at apply/revert), $LOAD_REQUESTS requests, 0 failed${seen_during:+; effect: $seen_before / $seen_during / $seen_after}"
	else
		record "$part" "$id" "$file" "$class" "wrong:applied-broke" "$funcs" "$why"
	fi
}

# The index's patch of a file the update changes, or nothing.
patch_of_file() { awk -F'\t' -v f="$1" '$2 == f { print $5 }' "$INDEX"; }

# companions LOG OWN: the index's patches a compile failure in LOG asks
# for, one a line: the failing unit's own (a header whose change the
# update's .c files answer: a prototype changed with its definition), and
# each header patch adding a name gcc calls undeclared or implicitly
# declared (an error code added two headers away)
companions() {
	local log=$1 own=$2 unit p name
	unit=$(grep -m1 -oE 'compiling [^ ]*/patched/[^ ]+ failed' "$log" |
		sed -E 's|^compiling [^ ]*/patched/||; s| failed$||')
	p=$(patch_of_file "$unit")
	[ -n "$p" ] && [ "$p" != "$own" ] && echo "$p"
	grep -oE "[‘'][A-Za-z_][A-Za-z0-9_]*[’'] undeclared|implicit declaration of function [‘'][A-Za-z_][A-Za-z0-9_]*[’']" "$log" |
		grep -oE "[‘'][A-Za-z_0-9]+[’']" | tr -d "‘’'" | sort -u | while read -r name; do
		awk -F'\t' '$3 == "header" { print $5 }' "$INDEX" | while read -r p; do
			[ "$p" != "$own" ] && grep -qE "^\+.*\b$name\b" "$p" && echo "$p"
		done
	done
}

# retry_with_companions NAME LOG LAST PATCH EXTRA...: while the last build
# (its output in the file LAST) fails to compile and asks for patches of
# the update not in it yet (companions), builds again with them too (up
# to 8 rounds); its status. The last build's output in $W/last-build.log
# (empty when none ran).
retry_with_companions() {
	local name=$1 log=$2 cur=$3 patch=$4 p rc=1 round added
	shift 4
	local extra=("$@")
	: >"$W/last-build.log"
	for round in 1 2 3 4 5 6 7 8; do
		[ "$(code_of "$cur")" = compile-failed ] || break
		added=()
		for p in $(companions "$cur" "$patch"); do
			case " ${extra[*]} ${added[*]} " in *" $p "*) ;; *) added+=("$p") ;; esac
		done
		[ ${#added[@]} -gt 0 ] || break
		extra+=("${added[@]}")
		echo "# again with $(basename -a "${added[@]}" | paste -sd, -) (round $round): the failure above needs them" >>"$log"
		build_case "$name" "$W/last-build.log" "$patch" "${extra[@]}"; rc=$?
		cat "$W/last-build.log" >>"$log"
		cur=$W/last-build.log
		[ $rc -eq 0 ] && break
	done
	return $rc
}

run_case() { # PART ID FILE CLASS HEADERS PATCH
	local part=$1 id=$2 file=$3 class=$4 headers=$5 patch=$6 log="$OUT/logs/$1-$2.log"
	local name="$part-$id" rc code funcs extra=() h last=""
	build_case "$name" "$log" "$patch"; rc=$?
	if [ $rc -ne 0 ] && [ "$(code_of "$log")" = compile-failed ] && [ "$headers" != - ]; then
		# as the kernel corpus: a .c file that needs the new version's
		# headers is built again with them
		for h in ${headers//,/ }; do
			extra+=("$(awk -F'\t' -v f="$h" '$2 == f { print $5 }' "$INDEX")")
		done
		echo "# again with the headers it includes: $headers" >>"$log"
		build_case "$name" "$log.2" "$patch" "${extra[@]}"; rc=$?
		last=$(cat "$log.2")
		cat "$log.2" >>"$log" && rm -f "$log.2"
	fi
	if [ $rc -ne 0 ]; then
		# then with what the failure names: the changed includers a
		# header's change needs, the header adding an undeclared name
		printf '%s\n' "${last:-$(cat "$log")}" >"$W/first-build.log"
		retry_with_companions "$name" "$log" "$W/first-build.log" "$patch" "${extra[@]}"; rc=$?
		[ -s "$W/last-build.log" ] && last=$(cat "$W/last-build.log")
	fi
	funcs=$(sed -n 's/^changed function: //p' "$log" | sort -u | paste -sd, -)
	if [ $rc -ne 0 ]; then
		# the last build's code (the retry's, when there was one)
		code=$(code_of <(printf '%s\n' "${last:-$(cat "$log")}"))
		if [ -n "$code" ] && [ "$code" != compile-failed ]; then
			record "$part" "$id" "$file" "$class" "refused:$code" "$funcs" "build: $(printf '%s\n' "${last:-$(cat "$log")}" | grep -m1 -o -E '(refused|failed) \[.*' | cut -c1-160)"
		else
			record "$part" "$id" "$file" "$class" "wrong:build-exit$rc" "$funcs" "code '$code': $(grep -m1 'error' "$log" | cut -c1-160)"
		fi
		return
	fi
	apply_case "$part" "$id" "$file" "$class" "$name" "$funcs" "$log"
}

# run_cases PART: the index's class c and header cases (a target filter
# in_target FILE decides which belong to the patched object)
run_cases() {
	local part=$1 n=0 id file class headers patch
	while IFS=$'\t' read -r id file class headers patch; do
		[ "$id" = id ] && continue
		case $class in
		format) COUNT[$part:format]=$((${COUNT[$part:format]:-0} + 1)); continue ;;
		c|header|new) ;;
		*) continue ;;
		esac
		[ -z "$ONLY" ] || [[ $file =~ $ONLY ]] || continue
		if ! in_target "$file"; then
			COUNT[$part:elsewhere]=$((${COUNT[$part:elsewhere]:-0} + 1))
			continue
		fi
		[ -z "$LIMIT" ] || [ "$n" -lt "$LIMIT" ] || break
		awk -F'\t' -v p="$part" -v i="$id" '$1 == p && $2 == i { f = 1 } END { exit !f }' \
			"$OUT/report.tsv" && continue # RESUME=1: judged before
		n=$((n + 1))
		run_case "$part" "$id" "$file" "$class" "$headers" "$patch"
	done <"$INDEX"
}

# ------------------------------------------------------------------ redis
# The effects checked (the reproducers of tests/user/redis.sh whose fix is
# in one file): effect FILE prints what the server did and succeeds when
# it behaved as fixed
has_effect() { [ "$(type -t "effect_${1//[\/.]/_}")" = function ]; }
effect() { "effect_${1//[\/.]/_}"; }
# rdb.c, CVE-2026-66373: a stream whose two consumers share one NACK
effect_src_rdb_c() {
	local a
	printf '\x0f\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x25\x25\x00\x00\x00\x0a\x00\x01\x01\x00\x01\x01\x01\x85\x66\x69\x65\x6c\x64\x06\x00\x01\x02\x01\x00\x01\x00\x01\x85\x76\x61\x6c\x75\x65\x06\x04\x01\xff\x01\x01\x00\x01\x07\x6d\x79\x67\x72\x6f\x75\x70\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x4a\x79\x89\x8f\x9f\x01\x00\x00\x01\x02\x09\x63\x6f\x6e\x73\x75\x6d\x65\x72\x41\x4a\x79\x89\x8f\x9f\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x09\x63\x6f\x6e\x73\x75\x6d\x65\x72\x42\x54\x79\x89\x8f\x9f\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x09\x00\xf6\xea\x7b\x6c\xb8\xb8\xd8\xb4' >"$W/stream"
	redis-cli -p "$LOAD_PORT" debug set-skip-checksum-validation 1 >/dev/null
	a=$(redis-cli -p "$LOAD_PORT" -x restore "stream-$(date +%N)" 0 <"$W/stream" 2>&1)
	echo "RESTORE of a stream with a shared NACK: $a"
	[[ $a == *"Bad data format"* ]]
}
# zipmap.c, CVE-2026-25243: zipmap lengths < 254 encoded in 5 bytes
effect_src_zipmap_c() {
	local a b
	printf '\x09\x11\x01\xfe\x04\x00\x00\x00\x01\x00\xff\x00\x04\x00\x76\x61\x6c\x31\xff\x09\x00\xf9\xd5\xa4\xf7\x7d\x00\x3f\x1b' >"$W/zm1"
	printf '\x09\x0e\x01\x01\x6b\xfe\x04\x00\x00\x00\x00\x76\x61\x6c\x31\xff\x09\x00\xd0\xf9\xe4\x1d\xe4\xfb\x11\x4c' >"$W/zm2"
	a=$(redis-cli -p "$LOAD_PORT" -x restore "zm1-$(date +%N)" 0 <"$W/zm1" 2>&1)
	b=$(redis-cli -p "$LOAD_PORT" -x restore "zm2-$(date +%N)" 0 <"$W/zm2" 2>&1)
	echo "RESTORE of zipmaps with 5-byte short lengths: $a, $b"
	[[ $a == *"Bad data format"* && $b == *"Bad data format"* ]]
}

part_redis() {
	local old=5:7.0.15-1~deb12u7 new=5:7.0.15-1~deb12u10 out tree port=17480
	echo "== redis $old -> $new"
	if [ "$(dpkg-query -W -f='${Version}' redis-server 2>/dev/null)" != "$old" ]; then
		setup_fail redis "redis-server $old is not installed"; return
	fi
	out=$(nice -n 19 "$LIVEFIX" user rebuild -j"$JOBS" /usr/bin/redis-server 2>&1) ||
		{ setup_fail redis "user rebuild: $(tail -1 <<<"$out")"; return; }
	BIN=$(sed -n 's/^--binary //p' <<<"$out") UNITS=$(sed -n 's/^--units //p' <<<"$out")
	SRC=$(sed -n 's/^--source //p' <<<"$out") TARGET=$(sed -n 's/^--target //p' <<<"$out")
	out=$("$LIVEFIX" user source -V "$new" /usr/bin/redis-server 2>&1) ||
		{ setup_fail redis "user source -V $new: $(tail -1 <<<"$out")"; return; }
	tree=$(sed -n 's/^source: //p' <<<"$out")
	python3 "$HERE/corpus_split.py" "$CACHE/redis_$old/redis-7.0.15" "$tree" "$OUT/work/redis" ||
		{ setup_fail redis "corpus_split.py failed"; return; }
	INDEX=$OUT/work/redis/index.tsv
	mkdir -p "$W/redis"
	/usr/bin/redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$W/redis" --logfile "$W/redis/log" --enable-debug-command yes &
	SERVER_PIDS=($!) OBJECT=/usr/bin/redis-server APPLY_MODE=pid LOAD_KIND=redis LOAD_PORT=$port
	PIDS+=("${SERVER_PIDS[@]}")
	answers() { [ "$(redis-cli -p "$LOAD_PORT" ping 2>&1)" = PONG ]; }
	for _ in $(seq 100); do answers && break; sleep 0.05; done
	answers || { setup_fail redis "redis-server did not start: $(tail -2 "$W/redis/log")"; return; }
	in_target() { [[ $1 == src/* ]]; }
	run_cases redis
	kill "${SERVER_PIDS[@]}"
}

# ---------------------------------------------------------------- openssl
# The units of libssl.so.3 and libcrypto.so.3: Debian builds openssl twice
# (build_static, build_shared) and build_shared compiles the libraries'
# sources twice (libcrypto-lib-*.o for the .a, libcrypto-shlib-*.o for the
# .so); user build would pick, of a source's commands, the one whose object
# fits the binary (one more compile per command), but the corpus keeps
# only the commands whose objects the shared libraries link: that also
# says which library a file belongs to.
openssl_units() { # UNITS OUT_UNITS OUT_MAP
	python3 - "$@" <<'PY'
import os, re, sys
units, out, mapping = sys.argv[1:]
root, keep, where = None, [], {}
for line in open(units):
    f = line.rstrip("\n").split("\t")
    if line.startswith("%root"):
        root = f[1]; keep.append(line); continue
    if line.startswith("#") or len(f) < 3 or "/build_shared" not in f[0]:
        continue
    args = f[2:]
    obj = os.path.basename(args[args.index("-o") + 1]) if "-o" in args else ""
    lib = ("libssl" if obj.startswith("libssl-shlib-") else
           "libcrypto" if re.match(r"(libcrypto-shlib|libdefault-lib|libcommon-lib)-", obj) else None)
    if not lib:
        continue
    src = os.path.normpath(os.path.join(f[0], f[1]))
    tree = f[0].rsplit("/build_shared", 1)[0]
    rel = os.path.relpath(src, tree)
    if rel in where:
        continue
    where[rel] = lib
    keep.append(line)
open(out, "w").writelines(keep)
with open(mapping, "w") as m:
    for rel, lib in sorted(where.items()):
        m.write(f"{rel}\t{lib}\n")
PY
}

# ossl_ask REQUEST: the effect server's one-line answer
ossl_ask() {
	timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())' "$EFFECT_PORT" "$1" 2>&1 | tail -1
}
# cipher_aes_ocb.c, CVE-2026-45445: AES-OCB's IV ignored by EVP_Cipher()
effect_providers_implementations_ciphers_cipher_aes_ocb_c() {
	local a; a=$(ossl_ask ocb)
	echo "AES-128-OCB by EVP_Cipher: $a"
	[[ $a == fixed:* ]]
}
# ocb128.c, CVE-2025-69418: the low-level OCB calls' trailing bytes
effect_crypto_modes_ocb128_c() {
	local a; a=$(ossl_ask tail)
	echo "CRYPTO_ocb128_encrypt of 20 bytes in place: $a"
	[[ $a == fixed:* ]]
}
# cipher_aes_siv.c, CVE-2026-45446: AES-SIV's tag of an empty message
effect_providers_implementations_ciphers_cipher_aes_siv_c() {
	local a; a=$(ossl_ask siv)
	echo "AES-128-SIV, empty message: $a"
	[[ $a == fixed:* ]]
}

part_openssl() {
	local old=3.0.17-1~deb12u2 new=3.0.20-1~deb12u2 lib dir out lib_dir port=17490 i
	echo "== openssl (libssl3) $old -> $new"
	dir=$CACHE/openssl-${old%%-*}-lib
	lib_dir=$dir/root/usr/lib/x86_64-linux-gnu
	if [ ! -x "$dir/root/usr/bin/openssl" ]; then
		mkdir -p "$dir" && (cd "$dir" && apt-get download -q "libssl3=$old" "openssl=$old" &&
			for d in ./*.deb; do dpkg-deb -x "$d" root; done) >"$OUT/logs/openssl-download.log" 2>&1 ||
			{ setup_fail openssl "apt-get download libssl3=$old: $(tail -1 "$OUT/logs/openssl-download.log")"; return; }
	fi
	out=$("$LIVEFIX" user source -V "$new" /usr/lib/x86_64-linux-gnu/libssl.so.3 2>&1) ||
		{ setup_fail openssl "user source -V $new: $(tail -1 <<<"$out")"; return; }
	local newtree; newtree=$(sed -n 's/^source: //p' <<<"$out")
	for lib in libcrypto libssl; do
		out=$(nice -n 19 "$LIVEFIX" user rebuild -j"$JOBS" -P "openssl=$old" "$lib_dir/$lib.so.3" 2>&1) ||
			{ setup_fail openssl "user rebuild $lib: $(tail -3 <<<"$out")"; return; }
		declare -g "BIN_$lib=$(sed -n 's/^--binary //p' <<<"$out")"
		declare -g "TARGET_$lib=$(sed -n 's/^--target //p' <<<"$out")"
		SRC=$(sed -n 's/^--source //p' <<<"$out")
		UNITS=$(sed -n 's/^--units //p' <<<"$out")
	done
	openssl_units "$UNITS" "$OUT/work/openssl-units" "$OUT/work/openssl-where.tsv"
	UNITS=$OUT/work/openssl-units
	python3 "$HERE/corpus_split.py" "$CACHE/openssl_$old/openssl-${old%%-*}" "$newtree" "$OUT/work/openssl" ||
		{ setup_fail openssl "corpus_split.py failed"; return; }
	INDEX=$OUT/work/openssl/index.tsv
	# two TLS servers of the old libraries (the client load uses this
	# system's libssl, another Build-ID: only the servers are patched)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=localhost -keyout "$W/key.pem" -out "$W/cert.pem" >/dev/null 2>&1
	SERVER_PIDS=()
	for i in 0 1; do
		LD_LIBRARY_PATH=$lib_dir "$dir/root/usr/bin/openssl" s_server -quiet -www \
			-accept $((port + i)) -cert "$W/cert.pem" -key "$W/key.pem" >"$W/s_server$i.log" 2>&1 &
		SERVER_PIDS+=($!)
	done
	# the effect server: a third process of the same libraries, patched,
	# checked and reverted like the TLS servers
	gcc -O2 -Wall -o "$W/ossl_effect" "$HERE/ossl_effect.c" -Wl,--no-as-needed -lssl -lcrypto \
		>"$OUT/logs/ossl_effect-build.log" 2>&1 ||
		{ setup_fail openssl "cannot build ossl_effect.c: $(head -3 "$OUT/logs/ossl_effect-build.log")"; return; }
	EFFECT_PORT=$((port + 2))
	LD_LIBRARY_PATH=$lib_dir "$W/ossl_effect" $EFFECT_PORT >"$W/ossl_effect.log" 2>&1 &
	SERVER_PIDS+=($!)
	PIDS+=("${SERVER_PIDS[@]}")
	APPLY_MODE=all LOAD_KIND=tls LOAD_PORT=$port
	answers() {
		local p
		for p in $LOAD_PORT $((LOAD_PORT + 1)); do
			printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -quiet -connect 127.0.0.1:$p 2>/dev/null |
				grep -q '^HTTP/1.0 200 ok' || return 1
		done
		[ "$(ossl_ask ping)" = pong ]
	}
	for _ in $(seq 100); do answers && break; sleep 0.1; done
	answers || { setup_fail openssl "openssl s_server or ossl_effect did not start: $(cat "$W"/s_server*.log "$W/ossl_effect.log")"; return; }
	for i in 0 1 2; do
		grep -q "$lib_dir/libssl.so.3" "/proc/${SERVER_PIDS[$i]}/maps" ||
			{ setup_fail openssl "process ${SERVER_PIDS[$i]} (s_server, ossl_effect) does not map $lib_dir/libssl.so.3"; return; }
	done
	in_target() {
		local lib
		lib=$(awk -F'\t' -v f="$1" '$1 == f { print $2 }' "$OUT/work/openssl-where.tsv")
		case $1 in *.h) lib=libcrypto; [[ $1 == ssl/* || $1 == include/openssl/ssl* ]] && lib=libssl ;; esac
		[ -n "$lib" ] || return 1
		local b=BIN_$lib t=TARGET_$lib
		BIN=${!b} TARGET=${!t} OBJECT=$lib_dir/$lib.so.3
	}
	run_cases openssl
	kill "${SERVER_PIDS[@]}"
}

# ------------------------------------------------------------- postgresql
part_postgresql() {
	local old=15.18-0+deb12u1 new=15.20-0+deb12u1 out
	echo "== postgresql-15 $old -> $new"
	out=$("$LIVEFIX" user source -o "$W/pg-$new" -V "$new" /usr/lib/postgresql/15/bin/postgres 2>&1)
	if [ $? -ne 0 ]; then
		SKIPPED[postgresql]="skipped: the source of $new cannot be fetched here ($(grep -m1 -o 'Failed to fetch [^ ]*  *[0-9]* *[A-Za-z ]*[a-z]' <<<"$out" || tail -1 <<<"$out"))"
		echo "$ME: postgresql-15 ${SKIPPED[postgresql]}"
		return
	fi
	setup_fail postgresql "the source of $new is reachable now, but this runner has no postgresql cases yet"
}

T0=$(date +%s)
for part in $PARTS; do
	case $part in
	redis|openssl|postgresql) "part_$part" ;;
	*) echo "$ME: unknown part '$part' (redis, openssl, postgresql)" >&2; exit 2 ;;
	esac
done

# ------------------------------------------------------------------ report
# the parts run now and those a resumed report holds
SHOWN=$(for part in redis openssl postgresql; do
	[[ " $PARTS " == *" $part "* ]] || cut -f1 "$OUT/report.tsv" | grep -qx "$part" && echo "$part"
done)
summary() {
	local part=$1 a r w fl fc pct pcth
	if [ -n "${SKIPPED[$part]:-}" ]; then echo "$part: ${SKIPPED[$part]}"; return; fi
	a=$(awk -F'\t' -v p="$part" '$1 == p && $5 == "applied"' "$OUT/report.tsv" | wc -l)
	r=$(awk -F'\t' -v p="$part" '$1 == p && $5 ~ /^refused/' "$OUT/report.tsv" | wc -l)
	w=$(awk -F'\t' -v p="$part" '$1 == p && $5 ~ /^wrong/' "$OUT/report.tsv" | wc -l)
	# function-level changes: the .c cases whose code changed for the
	# compiler (not refused [no-change]); then with the header cases too
	fc=$(awk -F'\t' -v p="$part" '$1 == p && $2 != "-" && $4 == "c" && $5 != "refused:no-change"' "$OUT/report.tsv" | wc -l)
	fl=$(awk -F'\t' -v p="$part" '$1 == p && $2 != "-" && $5 != "refused:no-change"' "$OUT/report.tsv" | wc -l)
	pct=- pcth=-
	[ "$fc" -eq 0 ] || pct=$(( (100 * a) / fc ))%
	[ "$fl" -eq 0 ] || pcth=$(( (100 * a) / fl ))%
	echo "$part: $a applied, $r refused, $w wrong; applied $pct of $fc .c files with a function-level change ($pcth of $fl with the changed headers); format-only files ${COUNT[$part:format]:-0} and files outside the patched objects ${COUNT[$part:elsewhere]:-0} not run"
}
{
	echo "# livefix user corpus (make user-corpus)"
	echo
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(( $(date +%s) - T0 )) s, load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs."
	echo
	for part in $SHOWN; do echo "- $(summary "$part")"; done
	echo
	echo "| part | id | file | class | outcome | functions | note |"
	echo "|---|---|---|---|---|---|---|"
	tail -n +2 "$OUT/report.tsv" | awk -F'\t' '{ gsub(/\|/, "\\|"); printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
} >"$OUT/report.md"
echo
for part in $SHOWN; do summary "$part"; done
passed=$(tail -n +2 "$OUT/report.tsv" | awk -F'\t' '$5 !~ /^wrong/' | wc -l)
failed=$(tail -n +2 "$OUT/report.tsv" | awk -F'\t' '$5 ~ /^wrong/' | wc -l)
echo "report: $OUT/report.md"
echo "$ME: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
