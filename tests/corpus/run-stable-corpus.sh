#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/run-stable-corpus.sh — run livefix over a corpus of real
# stable fixes, one patch per changed file (e.g. /work/shared/corpus/
# stable-6.1.170-3_6.1.176-1/, see its README.md and index.tsv), and say for
# each class a/b patch what livefix made of it.            (make stable-corpus)
#
# usage: run-stable-corpus.sh [-o OUTDIR] CORPUS_DIR [KVER] [JOBS]
#   KVER    default 6.1.0-47-amd64; JOBS parallel builds (default 1)
#   OUTDIR  default build/stable-<basename of CORPUS_DIR>; also STABLE_OUT=
# Environment:
#   LIMIT=N        only the first N class a/b patches (after ONLY)
#   ONLY=id,id     only these ids (0007 or 7) or ranges (1-300): a long run
#                  split in parts, summed by tests/corpus/summarize.sh
#   EXPECT=id=outcome,...  these ids must have exactly this outcome (e.g.
#                  0002=applied,0009=refused:no-change): a
#                  regression test of known results (make check's subset)
#   PART=k/N       only the k-th of N equal slices of the class a/b patches
#                  (PART=next/N: the first slice not in RESULTS yet), for a
#                  corpus too long for one sitting (6.12's 2225 patches,
#                  ~11 h): its report.tsv/.md are kept in RESULTS as
#                  part-K-of-N.tsv/.md (a part run again replaces its own),
#                  and the figures of every part there are printed after
#                  the part's (summarize.sh); the last line then counts all
#                  of them. OUTDIR defaults to build/stable-<corpus>-part-K-of-N
#   RESULTS=DIR    where parts accumulate (default bench/stable-corpus-SERIES,
#                  SERIES the kernel's, e.g. 6.12)
#   RESUME=1       keep the builds an interrupted run into the same OUTDIR
#                  finished; build only the others (the VM runs are redone)
#   BATCH=N        patch modules per boot (default 10); a patch whose smoke
#                  workload fails in a batch is run again alone; a boot with an oops,
#                  panic, timeout or a missing result is rerun one per boot
#   VM_TIMEOUT     seconds per boot (default 120 + 60 per patch)
#   LOAD_TIMEOUT   livefix load --timeout in the guest (default 30)
#   LIVEFIX, LIVEFIX_VM_SH   the binaries used (default ./livefix, tests/vm/vm.sh)
#
# Outcome of each patch:
#   applied             built; in the VM (target modules loaded first) livefix
#                       load completed the transition, a smoke workload
#                       (fork/exec, files in /tmp, ping + TCP on loopback) ran,
#                       livefix unload worked; no oops/warning in the log
#   refused:CODE        livefix build exit 3 with a reason; CODE is livefix's
#                       outcome code for it (docs/codes.md: no-change,
#                       data-layout, changed-data, export-crc, no-fentry,
#                       init-code, header-limit, new-file, ...: the "code"
#                       of its build --json), the full reason is in the report
#   skipped:not-in-config  livefix build exit 1 with code not-in-config
#                       for the patch's own file: this kernel's config does
#                       not compile it, there is nothing to patch here
#   refused:compile-failed  livefix build exit 1 with code compile-failed
#                       after the companion search (below) added all it
#                       found, when gcc's errors name a type, function or
#                       macro that the built patches change and that no
#                       other corpus patch adds (needed-headers.py
#                       --unprovided): the rest of the upstream commit is
#                       not in the corpus; the reason names them. A
#                       compile failure naming nothing of the patches, or
#                       something another corpus patch adds, stays wrong
#   refused:on-stack    livefix load reverted the transition ("failed
#                       [on-stack]": a task stays in a patched function, a
#                       kthread's loop) and left the system unchanged
#   wrong:WHAT          anything else: build exit 1/4 (build-exitN), a refusal
#                       without a reason, load failure, transition timeout,
#                       unload failure, smoke failure, oops, panic, timeout
# Writes OUTDIR/report.tsv and OUTDIR/report.md, logs in OUTDIR/logs; the last
# line is "stable-corpus: N passed, N failed" (failed = wrong outcomes).
# Exit status: 0 no wrong outcome (or corpus absent), 1 some, 2 usage.
set -u
ME=stable-corpus
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/corpus/lib.sh
. "$HERE/lib.sh"

OUT=${STABLE_OUT:-}
corpus_options "$@"
set -- "${OPERANDS[@]}"
if [ $# -lt 1 ] || [ $# -gt 3 ]; then corpus_usage >&2; exit 2; fi
CORPUS=$1
KVER=${2:-6.1.0-47-amd64}
JOBS=${3:-1}
[ -n "$JOBS" ] || JOBS=1
BATCH=${BATCH:-10}
LIMIT=${LIMIT:-}
ONLY=${ONLY:-}
EXPECT=${EXPECT:-}
PART=${PART:-}
export LOAD_TIMEOUT=${LOAD_TIMEOUT:-30}
for v in JOBS BATCH; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "$ME: $v must be a positive number, not '${!v}'" >&2; exit 2; }
done
[ -z "$LIMIT" ] || [[ $LIMIT =~ ^[0-9]+$ ]] || { echo "$ME: LIMIT must be a number, not '$LIMIT'" >&2; exit 2; }

if [ ! -d "$CORPUS" ] || [ ! -r "$CORPUS/index.tsv" ]; then
	echo "$ME: corpus '$CORPUS' not found (no index.tsv): skipped"
	echo "$ME: 0 passed, 0 failed"
	exit 0
fi
CORPUS=$(cd "$CORPUS" && pwd)
# PART=k/N: the slice's ids as ONLY's range, the results folder, the part's
# own output directory.
PART_K= PART_N= RESULTS=${RESULTS:-}
if [ -n "$PART" ]; then
	[[ $PART =~ ^([0-9]+|next)/([1-9][0-9]*)$ ]] ||
		{ echo "$ME: PART must be k/N or next/N (1 <= k <= N), not '$PART'" >&2; exit 2; }
	[ -z "$ONLY" ] || { echo "$ME: PART and ONLY select patches both: give one" >&2; exit 2; }
	PART_K=${BASH_REMATCH[1]} PART_N=${BASH_REMATCH[2]}
	[ "$PART_K" = next ] || { [ "$PART_K" -ge 1 ] && [ "$PART_K" -le "$PART_N" ]; } ||
		{ echo "$ME: PART $PART: k must be 1 to $PART_N" >&2; exit 2; }
	RESULTS=${RESULTS:-$REPO_ROOT/bench/stable-corpus-$(printf '%s\n' "$KVER" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')}
	mkdir -p "$RESULTS" || { echo "$ME: cannot create $RESULTS" >&2; exit 2; }
	RESULTS=$(cd "$RESULTS" && pwd)
	if [ "$PART_K" = next ]; then
		PART_K=1
		while [ "$PART_K" -le "$PART_N" ] && [ -e "$RESULTS/part-$PART_K-of-$PART_N.tsv" ]; do
			PART_K=$((PART_K + 1))
		done
		if [ "$PART_K" -gt "$PART_N" ]; then
			echo "$ME: every part of $PART_N is in $RESULTS: nothing to do"
			exec "$HERE/summarize.sh" "$RESULTS"/part-*-of-"$PART_N".tsv
		fi
	fi
	mapfile -t AB < <(awk -F'\t' 'NR > 1 && ($3 == "a" || $3 == "b") { print $1 }' "$CORPUS/index.tsv")
	first=$(((PART_K - 1) * ${#AB[@]} / PART_N)) last=$((PART_K * ${#AB[@]} / PART_N - 1))
	if [ "$last" -lt "$first" ]; then
		echo "$ME: part $PART_K of $PART_N of ${#AB[@]} patches is empty"
		echo "$ME: 0 passed, 0 failed"
		exit 0
	fi
	ONLY="${AB[$first]}-${AB[$last]}"
	echo "$ME: part $PART_K of $PART_N: class a/b patches $((first + 1)) to $((last + 1)) of ${#AB[@]} (ids $ONLY)"
	corpus_outdir "$REPO_ROOT/build/stable-$(basename "$CORPUS")-part-$PART_K-of-$PART_N"
else
	corpus_outdir "$REPO_ROOT/build/stable-$(basename "$CORPUS")"
fi
# RESUME=1: the builds an interrupted run finished (work/ID.rc, written
# last) are kept and not redone; the VM runs are all done again.
if [ "${RESUME:-}" = 1 ]; then
	rm -f "$OUT/report.tsv" "$OUT/report.md"
else
	rm -rf "$OUT/modules" "$OUT/logs" "$OUT/work" "$OUT/report.tsv" "$OUT/report.md"
fi
mkdir -p "$OUT/modules" "$OUT/logs" "$OUT/work"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/livefix-stable.XXXXXX")
BGPIDS=()
cleanup() {
	local p
	for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T_START=$(now)

# ---------------------------------------------------------------- selection
declare -A want=() EXPECTED=()
for e in ${EXPECT//,/ }; do
	[[ $e =~ ^([0-9]+)=([a-z:-]+)$ ]] || { echo "$ME: EXPECT: not id=outcome: $e" >&2; exit 2; }
	EXPECTED[$(printf '%04d' "$((10#${BASH_REMATCH[1]}))")]=${BASH_REMATCH[2]}
done
if [ -n "$ONLY" ]; then
	for i in ${ONLY//,/ }; do
		if [[ $i =~ ^([0-9]+)-([0-9]+)$ ]]; then
			for ((j = 10#${BASH_REMATCH[1]}; j <= 10#${BASH_REMATCH[2]}; j++)); do
				want[$(printf '%04d' "$j")]=1
			done
			continue
		fi
		[[ $i =~ ^[0-9]+$ ]] || { echo "$ME: ONLY: not an id or a range: $i" >&2; exit 2; }
		want[$(printf '%04d' "$((10#$i))")]=1
	done
fi
IDS=()
declare -A FILE=() CLASS=() TARGET=() PATCH=()
while IFS=$'\t' read -r id file class target _lines _notes; do
	[ "$id" = id ] && continue
	case $class in a|b) ;; *) continue ;; esac
	[ -z "$ONLY" ] || [ -n "${want[$id]:-}" ] || continue
	[ -z "$LIMIT" ] || [ ${#IDS[@]} -lt "$LIMIT" ] || break
	p=("$CORPUS"/patches/"$id"-*.patch)
	IDS+=("$id")
	FILE[$id]=$file CLASS[$id]=$class TARGET[$id]=$target
	if [ ${#p[@]} -eq 1 ] && [ -e "${p[0]}" ]; then PATCH[$id]=${p[0]}; else PATCH[$id]=; fi
done <"$CORPUS/index.tsv"
if [ ${#IDS[@]} -eq 0 ]; then
	echo "$ME: no class a/b patch selected (ONLY='$ONLY' LIMIT='$LIMIT'): nothing to do"
	echo "$ME: 0 passed, 0 failed"
	exit 0
fi
echo "$ME: $CORPUS: ${#IDS[@]} patches (class a/b), kernel $KVER, $JOBS build job(s), $BATCH per boot, output $OUT"
if [ ! -x "$LIVEFIX" ]; then
	echo "FAIL setup: expected an executable livefix at $LIVEFIX (make livefix), saw none"
	echo "$ME: 0 passed, 1 failed"
	exit 1
fi

# Target modules that exist in the kernel's module tree (--with-module fails
# the whole boot on an unknown one).
ORDER=$(corpus_cachedir)/$KVER/root/lib/modules/$KVER/modules.order
module_known() {
	local n=${1//-/_}
	[ -r "$ORDER" ] || return 0
	tr - _ <"$ORDER" | grep -qE "/$n\\.ko(\\.[a-z]+)?\$"
}
declare -A MODS=() XNOTE=()
for id in "${IDS[@]}"; do
	m=()
	for t in ${TARGET[$id]//[,+]/ }; do
		case $t in vmlinux|-|[0-9]*mod) continue ;; esac
		if module_known "$t"; then m+=("${t//-/_}")
		else XNOTE[$id]+="target module $t not in the kernel's modules; "
		fi
	done
	MODS[$id]=${m[*]:-}
done

# A module build that needs the target's debug object (its local names are
# not unique) takes it out of the 855 MB -dbg package, about a minute each;
# one pass for all the run's target modules first is far cheaper.
prefetch_debug_modules() {
	local names t0
	names=$(for id in "${IDS[@]}"; do echo "${MODS[$id]}"; done | tr ' ' '\n' | sort -u | paste -sd, -)
	[ -n "$names" ] || return 0
	t0=$(now)
	if "$LIVEFIX" fetch -k "$KVER" --debug-modules "$names" >"$OUT/logs/debug-modules.log" 2>&1; then
		echo "$ME: debug objects of $(tr ',' '\n' <<<"$names" | wc -l) target module(s) ready in $(elapsed "$t0")s"
	else
		echo "$ME: note: taking the debug modules out first failed (builds take them one by one): $(tail -1 "$OUT/logs/debug-modules.log")"
	fi
}
prefetch_debug_modules

# ---------------------------------------------------------------- builds
# build_one ID: livefix build into modules/, results in work/ID.{rc,secs}.
# A stable update changes a header, its users and the functions they call
# in one upstream commit; the corpus splits it into one patch per file. A
# patch that does not build alone is built again together with the corpus
# patches the failure names, as that commit would be, round after round
# until a round names nothing new (each adds at least one patch; at most
# NAMED_ROUNDS_MAX, for a commit spread over a whole subsystem). What a
# failure names:
#  - a unit that does not compile: the header patches that provide what
#    gcc could not find (tests/corpus/needed-headers.py);
#  - a header whose includers no longer compile: their .c patches;
#  - a symbol that is "neither exported nor defined" in the running kernel:
#    the .c patch that adds that function (index.tsv: funcs-added);
#  - a header change refused beyond --max-units whose layout probes did not
#    compile with the patched headers: what those need, as for a unit (the
#    probe then shows a data layout change, or the limit stands).
# A failure that names none is built once with every patch of its target
# modules; the named rounds then go on from that build's failure.
# A commit's files can need each other in a chain: pn533.h needs nfc/core.c,
# whose change needs nfc.h, whose change needs llcp_core.c (three rounds, the
# old cap, were too few for it).
# work/ID.note says which patches were added.
NAMED_ROUNDS_MAX=8
GRAPH=$(corpus_cachedir)/$KVER/include-graph
# What a build's failure names comes from its `livefix build --json`
# document (logs/ID.build.json beside logs/ID.build.log): the units that
# did not compile, the symbols it could not resolve (lib.sh build_json).
sources_patches() { # BUILD_JSON: corpus patches of the units that failed
	local f
	build_json "$1" objects compile-failed | sort -u |
	while read -r f; do
		awk -F'\t' -v f="$f" '$2 == f && $3 == "a" { print $1 }' "$CORPUS/index.tsv" |
		while read -r i; do ls "$CORPUS"/patches/"$i"-*.patch 2>/dev/null; done
	done
}
adders_patches() { # BUILD_JSON: corpus .c patches adding the missing functions
	local sym
	build_json "$1" symbols unresolved-symbol |
	sort -u | while read -r sym; do
		awk -F'\t' -v s="$sym" '$3 == "a" && match($6, /funcs-added: [^;]*/) {
			n = split(substr($6, RSTART + 13, RLENGTH - 13), f, ",")
			for (i = 1; i <= n; i++) if (f[i] == s) print $1 }' "$CORPUS/index.tsv" |
		while read -r i; do ls "$CORPUS"/patches/"$i"-*.patch 2>/dev/null; done
	done
}
# A header change refused beyond --max-units first compiles up to three of
# its includers to look for a data layout change (the more fundamental
# reason); a probe that does not compile with the patched headers alone
# tells nothing, and the refusal is then only the limit's. Those probes
# failed as a unit of the commit would: what they need is found the same
# way (its header patches, their own .c patches).
failed_probes() { # BUILD_LOG: the layout probes that did not compile
	sed -n 's/^livefix: warning: [^ ]*: \([^ ]*\.c\) does not compile with the patched headers.*/\1/p' "$1" | sort -u
}
probe_refused() { # BUILD_LOG: refused for the limit, its layout unknown
	build_json "${1%.log}.json" codes | grep -qx header-limit && [ -n "$(failed_probes "$1")" ]
}
probes_patches() { # BUILD_LOG: corpus .c patches of the probes that failed
	local f
	failed_probes "$1" | while read -r f; do
		awk -F'\t' -v f="$f" '$2 == f && $3 == "a" { print $1 }' "$CORPUS/index.tsv" |
		while read -r i; do ls "$CORPUS"/patches/"$i"-*.patch 2>/dev/null; done
	done
}
companion_patches() { # ID BUILD_LOG: the patches its failure asks for
	local json=${2%.log}.json
	if build_json "$json" codes | grep -qx compile-failed; then
		"$REPO_ROOT/tests/corpus/needed-headers.py" "$CORPUS" "$1" "$2" "$GRAPH" "$json"
		sources_patches "$json"
	elif probe_refused "$2"; then
		"$REPO_ROOT/tests/corpus/needed-headers.py" "$CORPUS" "$1" "$2" "$GRAPH" "$json"
		probes_patches "$2"
	fi
	adders_patches "$json"
}
# module_patches ID: every class a/b corpus patch for a target module of ID
# (not vmlinux): the last resort for a commit whose files need each other in
# ways gcc's messages do not name (a type changed in one header, used in
# another unit). Nothing when there would be more than MODULE_GROUP_MAX.
MODULE_GROUP_MAX=40
module_patches() {
	local mods
	mods=$(tr ',+' '\n\n' <<<"${TARGET[$1]}" | grep -vxE 'vmlinux|-|' | paste -sd, -)
	[ -n "$mods" ] || return 0
	awk -F'\t' -v mods="$mods" -v max="$MODULE_GROUP_MAX" '
		BEGIN { n = split(mods, m, ","); for (i = 1; i <= n; i++) want[m[i]] = 1 }
		($3 == "a" || $3 == "b") {
			k = split($4, t, /[,+]/)
			for (i = 1; i <= k; i++) if (t[i] in want) { ids[++c] = $1; break }
		}
		END { if (c <= max) for (i = 1; i <= c; i++) print ids[i] }' "$CORPUS/index.tsv" |
	while read -r i; do ls "$CORPUS"/patches/"$i"-*.patch 2>/dev/null; done
}
# build_with ID LOG PATCH...: livefix build of these patches as stable-ID;
# its messages in LOG, its JSON document beside it (LOG's .json).
build_with() {
	local id=$1 log=$2
	shift 2
	"$LIVEFIX" build --json -k "$KVER" -n "stable-$id" -o "$OUT/modules" "$@" \
		>"${log%.log}.json" 2>"$log"
}
build_one() {
	local id=$1 log=$OUT/logs/$1.build.log t0 rc round=0 named_rounds=0 whole_module=0 unprovided
	local -a with=() more=()
	t0=$(now)
	build_with "$id" "$log" "${PATCH[$id]}"
	rc=$?
	while [ "$rc" != 0 ] && { [ "$rc" != 3 ] || probe_refused "$log"; }; do
		more=()
		[ "$named_rounds" -ge "$NAMED_ROUNDS_MAX" ] || mapfile -t more < <(companion_patches "$id" "$log" |
			grep -vxF -f <(printf '%s\n' "${PATCH[$id]}" "${with[@]}") | sort -u)
		[ ${#more[@]} -eq 0 ] || named_rounds=$((named_rounds + 1))
		# only for what another file of the commit can cure, so that a
		# livefix failure is never hidden behind a bigger build
		if [ ${#more[@]} -eq 0 ] && [ "$whole_module" = 0 ] &&
			build_json "${log%.log}.json" codes | grep -qxE 'compile-failed|unresolved-symbol'; then
			whole_module=1
			mapfile -t more < <(module_patches "$id" |
				grep -vxF -f <(printf '%s\n' "${PATCH[$id]}" "${with[@]}") | sort -u)
		fi
		[ ${#more[@]} -gt 0 ] || break
		[ "$round" -gt 0 ] || { mv "$log" "$OUT/logs/$id.alone.build.log"
			mv "${log%.log}.json" "$OUT/logs/$id.alone.build.json"; }
		with+=("${more[@]}")
		round=$((round + 1))
		build_with "$id" "$log" "${with[@]}" "${PATCH[$id]}"
		rc=$?
	done
	# a failure the corpus cannot cure: gcc names what the built patches
	# change and no other corpus patch provides (the commit's other files
	# are not in the corpus, or it was split in a way that cannot build)
	rm -f "$OUT/work/$id.unprovided"
	if [ "$rc" = 1 ] && build_json "${log%.log}.json" codes | grep -x compile-failed >/dev/null; then
		unprovided=$("$REPO_ROOT/tests/corpus/needed-headers.py" --unprovided "$CORPUS" "$log" \
			"${with[@]}" "${PATCH[$id]}" | paste -sd, -)
		[ -z "$unprovided" ] || echo "$unprovided" >"$OUT/work/$id.unprovided"
	fi
	[ ${#with[@]} -eq 0 ] ||
		echo "built with patch(es) $(for h in "${with[@]}"; do basename "$h" | cut -d- -f1; done | sort | paste -sd, -) (alone it did not build); " >"$OUT/work/$id.note"
	elapsed "$t0" >"$OUT/work/$id.secs"
	echo "$rc" >"$OUT/work/$id.rc"
}
nb=0
for id in "${IDS[@]}"; do
	if [ -z "${PATCH[$id]}" ]; then
		echo 2 >"$OUT/work/$id.rc"; echo 0 >"$OUT/work/$id.secs"
		echo "livefix: error: no (or more than one) patches/$id-*.patch in the corpus" >"$OUT/logs/$id.build.log"
		continue
	fi
	[ "${RESUME:-}" != 1 ] || [ ! -s "$OUT/work/$id.rc" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n 2>/dev/null || true; done
	build_one "$id" &
	BGPIDS+=($!)
	nb=$((nb + 1))
	[ $((nb % 10)) -ne 0 ] || echo "$ME: $nb/${#IDS[@]} builds started ($(elapsed "$T_START")s)"
done
wait
BGPIDS=()
T_BUILT=$(now)

declare -A OUTCOME=() CAT=() REASON=() SECS=() FUNCS=()
BUILT=()
for id in "${IDS[@]}"; do
	log=$OUT/logs/$id.build.log
	json=$OUT/logs/$id.build.json
	rc=$(cat "$OUT/work/$id.rc" 2>/dev/null || echo 1)
	SECS[$id]=$(cat "$OUT/work/$id.secs" 2>/dev/null || echo 0)
	FUNCS[$id]=$(build_json "$json" functions)
	REASON[$id]=$(build_json "$json" reason)
	[ -n "${REASON[$id]}" ] || REASON[$id]=$(reason_of "$log") # no build: the runner's line
	[ ! -s "$OUT/work/$id.note" ] || XNOTE[$id]+=$(cat "$OUT/work/$id.note")
	CAT[$id]=
	if [ "$rc" = 0 ] && [ -s "$OUT/modules/livepatch-stable-$id.ko" ]; then
		BUILT+=("$id")
	elif [ "$rc" = 0 ]; then
		OUTCOME[$id]=wrong:build-no-module
	elif [ "$rc" = 3 ] && [ -n "$(build_json "$json" code)" ]; then
		CAT[$id]=$(build_json "$json" code)
		OUTCOME[$id]=refused:${CAT[$id]}
	elif [ "$rc" = 1 ] && build_json "$json" objects not-in-config | grep -qxF "${FILE[$id]}"; then
		CAT[$id]=not-in-config
		OUTCOME[$id]=skipped:not-in-config
	elif [ "$rc" = 1 ] && [ -s "$OUT/work/$id.unprovided" ]; then
		CAT[$id]=compile-failed
		OUTCOME[$id]=refused:compile-failed
		XNOTE[$id]+="gcc's errors name $(cat "$OUT/work/$id.unprovided"), which these patches change and no other corpus patch provides: the upstream commit's other files are not in the corpus; "
	elif [ "$rc" = 3 ]; then
		OUTCOME[$id]=wrong:refused-without-reason
	else
		OUTCOME[$id]=wrong:build-exit$rc
	fi
done
echo "$ME: builds done in $(elapsed "$T_START")s: ${#BUILT[@]} built, $((${#IDS[@]} - ${#BUILT[@]})) not"

# ---------------------------------------------------------------- VM runs
# gen_guest ID...: the guest script for one boot over these patches.
gen_guest() {
	local id
	cat <<'EOF'
. /root/guest-lib.sh
ip link set lo up 2>/dev/null
BASE_OK=1
if ! smoke >/tmp/base.smoke; then BASE_OK=0; echo "note: baseline smoke failed:$(cat /tmp/base.smoke); smoke not judged"; fi
one() { # ID MODULE MODS...
	id=$1 lp=$2; shift 2
	note=
	o0=$(oops_count)
	for m in "$@"; do
		modprobe "$m" >/tmp/mp.out 2>&1 || note="${note}target $m not loaded (modprobe: $(tr '\n' ' ' </tmp/mp.out | cut -c1-120)); "
	done
	o1=$(oops_count)
	[ "$o1" -le "$o0" ] || note="${note}modprobe of the target logged: $(oops_since "$o0" | head -1 | cut -c1-160); "
	lf_load "/root/mods/$lp.ko"; rc=$?
	if [ $rc -ne 0 ]; then
		# a task that never leaves a patched function (a kthread's main
		# loop): livefix reverted the transition and unloaded, the
		# system unchanged: a refusal at load, with livefix's reason
		code=$(grep -o '^livefix: error: [a-z]* \[[a-z0-9-]*\]' /tmp/lf.out | head -1 | sed 's/.*\[//; s/\]//')
		if [ "$code" = on-stack ] && [ ! -d "$(lp_sysfs "$lp")" ] && [ "$(oops_count)" -le "$o1" ]; then
			echo "result $id refused:on-stack $(lf_out) ${note}"
			return
		fi
		w=load-exit$rc${code:+-$code}
		o2=$(oops_count)
		[ "$o2" -le "$o1" ] || w="$w+oops"
		echo "result $id wrong:$w $(lf_out) $(oops_since "$o1" | head -2 | tr '\n' ' ') ${note}"
		return
	fi
	s=$(lp_sysfs "$lp")
	st="enabled=$(cat "$s/enabled" 2>&1) transition=$(cat "$s/transition" 2>&1)"
	bad=
	[ "$st" = "enabled=1 transition=0" ] || bad="wrong:not-live $st"
	if [ -z "$bad" ] && [ "$BASE_OK" = 1 ] && ! smoke >/tmp/smoke.out; then bad="wrong:smoke($(tr -d '\n' </tmp/smoke.out | sed 's/^ //; s/ /,/g'))"; fi
	lf_unload "$lp"; rc=$?
	if [ $rc -ne 0 ]; then
		[ -n "$bad" ] || bad="wrong:unload-exit$rc $(lf_out)"
	elif [ -d "$s" ]; then
		[ -n "$bad" ] || bad="wrong:unload-still-in-sysfs"
	fi
	o2=$(oops_count)
	if [ "$o2" -gt "$o1" ]; then bad="wrong:oops ${bad:+$bad }$(oops_since "$o1" | head -2 | tr '\n' ' ')"; fi
	if [ -n "$bad" ]; then echo "result $id $bad ${note}"; else echo "result $id applied ${note}"; fi
}
EOF
	for id in "$@"; do
		# shellcheck disable=SC2086
		echo "one $id livepatch-stable-$id ${MODS[$id]}"
	done
	echo "exit 0"
}

# vm_batch TAG ID...: one boot; sets VMRC; results in $TMP/TAG.results.
vm_batch() {
	local tag=$1 id m args=() mods=() log=$OUT/logs/vm-$1.log
	shift
	args=(--kver "$KVER" --timeout "${VM_TIMEOUT:-$((120 + 60 * $#))}"
		--add "$LIVEFIX:/usr/bin/livefix" --add "$GUEST_LIB:/root/guest-lib.sh")
	for id in "$@"; do
		args+=(--add "$OUT/modules/livepatch-stable-$id.ko:/root/mods/livepatch-stable-$id.ko")
		for m in ${MODS[$id]}; do
			[[ " ${mods[*]:-} " == *" $m "* ]] || mods+=("$m")
		done
	done
	for m in "${mods[@]}"; do args+=(--with-module "$m"); done
	gen_guest "$@" >"$TMP/$tag.guest.sh"
	{ printf 'LOAD_TIMEOUT=%s\n' "$LOAD_TIMEOUT"; cat "$TMP/$tag.guest.sh"; } >"$TMP/$tag.run.sh"
	"$VM_SH" "${args[@]}" "$TMP/$tag.run.sh" >"$log" 2>&1
	VMRC=$?
	grep -E '^result [0-9]+ ' "$log" >"$TMP/$tag.results" || true
}
# result_of TAG ID: the guest's "result" line for ID, without the prefix.
result_of() { sed -n "s/^result $2 //p" "$TMP/$1.results" | head -1; }

# judge_single ID: one boot for one patch; sets OUTCOME/REASON.
judge_single() {
	local id=$1 r what
	vm_batch "$id" "$id"
	r=$(result_of "$id" "$id")
	what=${r%% *}
	if [ -z "$r" ]; then
		case $VMRC in
		121) OUTCOME[$id]=wrong:panic ;; 124) OUTCOME[$id]=wrong:timeout ;;
		123) OUTCOME[$id]=wrong:guest-stopped ;; 122) OUTCOME[$id]=wrong:boot-failed ;;
		125) OUTCOME[$id]=wrong:harness-error ;; *) OUTCOME[$id]=wrong:no-result-exit$VMRC ;;
		esac
		REASON[$id]="$(vm_status_text "$VMRC"); see logs/vm-$id.log: $(grep -m1 -E 'vm.sh:|Call Trace|BUG:|Oops' "$OUT/logs/vm-$id.log" | cut -c1-200)"
	elif [ "$what" = applied ] && [ "$VMRC" = 120 ] && [[ $r != *"modprobe of the target logged"* ]]; then
		OUTCOME[$id]=wrong:oops
		REASON[$id]="kernel log: $(grep -m1 -E 'Call Trace|BUG:|WARNING:|Oops' "$OUT/logs/vm-$id.log" | cut -c1-200)"
	else
		OUTCOME[$id]=$what
		REASON[$id]=${r#"$what"}; REASON[$id]=${REASON[$id]# }
	fi
}

T_VM0=$(now)
NBOOT=0
i=0
while [ $i -lt ${#BUILT[@]} ]; do
	batch=("${BUILT[@]:i:BATCH}")
	i=$((i + BATCH))
	tag=batch-${batch[0]}
	if [ ${#batch[@]} -eq 1 ]; then
		judge_single "${batch[0]}"; NBOOT=$((NBOOT + 1))
	else
		vm_batch "$tag" "${batch[@]}"; NBOOT=$((NBOOT + 1))
		rerun=0
		case $VMRC in 0|120) ;; *) rerun=1 ;; esac
		for id in "${batch[@]}"; do
			r=$(result_of "$tag" "$id")
			case $r in
			'') rerun=1 ;;
			wrong:*oops*) rerun=1 ;;
			esac
		done
		# 120 with every result clean: an oops the per-step checks did not
		# attribute (e.g. a target module's) -> rerun to attribute it.
		if [ "$VMRC" = 120 ] && ! grep -q 'modprobe of the target logged' "$TMP/$tag.results"; then rerun=1; fi
		if [ $rerun = 1 ]; then
			echo "$ME: boot of ${batch[*]} ended with '$(vm_status_text "$VMRC")' or an oops: rerunning one per boot"
			for id in "${batch[@]}"; do judge_single "$id"; NBOOT=$((NBOOT + 1)); done
		else
			for id in "${batch[@]}"; do
				r=$(result_of "$tag" "$id")
				OUTCOME[$id]=${r%% *}
				REASON[$id]=${r#"${OUTCOME[$id]}"}; REASON[$id]=${REASON[$id]# }
				# a smoke step that failed once in a long boot is run
				# again in a boot of its own: a broken kernel fails again
				if [[ ${OUTCOME[$id]} == wrong:smoke* ]]; then
					echo "$ME: $id: smoke failed in the batch (${OUTCOME[$id]}): rerunning it alone"
					judge_single "$id"; NBOOT=$((NBOOT + 1))
				fi
			done
		fi
	fi
	echo "$ME: $((i < ${#BUILT[@]} ? i : ${#BUILT[@]}))/${#BUILT[@]} built patches run in the VM ($(elapsed "$T_START")s)"
done
T_END=$(now)

# ---------------------------------------------------------------- results
passed=0 failed=0
declare -A COUNT=()
{
	printf 'id\tpatch\tclass\ttarget\toutcome\tcategory\tbuild_seconds\tfunctions\treason\n'
	for id in "${IDS[@]}"; do
		o=${OUTCOME[$id]:-wrong:not-judged}
		OUTCOME[$id]=$o
		r="${XNOTE[$id]:-}${REASON[$id]:-}"
		r=$(sed 's/[[:space:];]*$//' <<<"$r")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$(basename "${PATCH[$id]:-${FILE[$id]}}")" \
			"${CLASS[$id]}" "${TARGET[$id]}" "$o" "${CAT[$id]:-}" "${SECS[$id]}" "${FUNCS[$id]:-}" "$(tr '\t\n' '  ' <<<"$r")"
	done
} >"$OUT/report.tsv"
for id in "${IDS[@]}"; do
	o=${OUTCOME[$id]}
	want=${EXPECTED[$id]:-}
	COUNT[$o]=$((${COUNT[$o]:-0} + 1))
	if [ -n "$want" ] && [ "$o" != "$want" ]; then
		failed=$((failed + 1)); echo "FAIL $id ${FILE[$id]}: expected $want (EXPECT), saw $o: ${REASON[$id]:-}"
		continue
	fi
	case $o in
	wrong:*) failed=$((failed + 1)); echo "FAIL $id ${FILE[$id]}: expected applied or refused with a reason, saw $o: ${REASON[$id]:-}" ;;
	*) passed=$((passed + 1)); echo "ok $id ${FILE[$id]}: $o" ;;
	esac
done

# Time: measured, and extrapolated to the whole corpus (744 a + 156 b).
build_sum=$(for id in "${IDS[@]}"; do echo "${SECS[$id]}"; done | awk '{ s += $1 } END { printf "%.1f", s }')
n=${#IDS[@]}
total_ab=$(awk -F'\t' '$3 == "a" || $3 == "b"' "$CORPUS/index.tsv" | wc -l)
est=$(awk -v bs="$build_sum" -v n="$n" -v nb="${#BUILT[@]}" -v vm="$(elapsed "$T_VM0" "$T_END")" \
	-v jobs="$JOBS" -v all="$total_ab" 'BEGIN {
		perb = bs / n; pervm = (nb ? vm / nb : 0); frac = (n ? nb / n : 0)
		s = all * perb / jobs + all * frac * pervm
		printf "%.0f s (%.1f h): %.1f s build per patch / %d job(s), %.1f s VM per built patch, %.0f%% built", s, s / 3600, perb, jobs, pervm, frac * 100 }')

{
	echo "# Stable corpus run: $(basename "$CORPUS")"
	echo
	echo "- kernel \`$KVER\`, livefix \`$("$LIVEFIX" --version 2>/dev/null | head -1)\`, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- selection: ${#IDS[@]} class a/b patches${ONLY:+ (ONLY=$ONLY)}${LIMIT:+ (LIMIT=$LIMIT)}; $JOBS build job(s); $BATCH per boot"
	echo "- time: $(elapsed "$T_START" "$T_END") s total; builds $(elapsed "$T_START" "$T_BUILT") s wall ($build_sum s summed); VM $(elapsed "$T_VM0" "$T_END") s in $NBOOT boot(s)"
	echo "- estimated for all $total_ab class a/b patches: $est"
	echo "- **$passed passed, $failed failed** (failed = wrong outcomes; refusals with a reason pass)"
	echo
	echo "## Outcomes"
	echo
	echo "| outcome | class a | class b | total |"
	echo "|---|---|---|---|"
	for o in $(printf '%s\n' "${!COUNT[@]}" | LC_ALL=C sort); do
		ca=0 cb=0
		for id in "${IDS[@]}"; do
			[ "${OUTCOME[$id]}" = "$o" ] || continue
			if [ "${CLASS[$id]}" = a ]; then ca=$((ca + 1)); else cb=$((cb + 1)); fi
		done
		echo "| $o | $ca | $cb | ${COUNT[$o]} |"
	done
	echo
	echo "## Patches"
	echo
	echo "| id | file | class | target | outcome | build s | functions | reason / notes |"
	echo "|---|---|---|---|---|---|---|---|"
	for id in "${IDS[@]}"; do
		echo "| $id | $(md_cell "${FILE[$id]}") | ${CLASS[$id]} | $(md_cell "${TARGET[$id]}") | ${OUTCOME[$id]} | ${SECS[$id]} | $(md_cell "${FUNCS[$id]:-}") | $(md_cell "${XNOTE[$id]:-}${REASON[$id]:-}" | cut -c1-400) |"
	done
	echo
	echo "Logs: \`logs/ID.build.log\`, \`logs/vm-batch-ID.log\` / \`logs/vm-ID.log\`. Machine-readable: \`report.tsv\`."
} >"$OUT/report.md"
echo "$ME: estimated for all $total_ab class a/b patches: $est"
echo "report: $OUT/report.md, $OUT/report.tsv"
if [ -z "$PART" ]; then
	echo "$ME: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi
# The part joins the others in RESULTS; the figures of all of them last.
cp "$OUT/report.tsv" "$RESULTS/part-$PART_K-of-$PART_N.tsv"
cp "$OUT/report.md" "$RESULTS/part-$PART_K-of-$PART_N.md"
echo "$ME: part $PART_K of $PART_N: $passed passed, $failed failed"
echo "$ME: parts in $RESULTS: $(cd "$RESULTS" && ls part-*-of-"$PART_N".tsv | sed -E 's/^part-([0-9]+)-.*/\1/' | sort -n | paste -sd, -) of $PART_N"
"$HERE/summarize.sh" "$RESULTS"/part-*-of-"$PART_N".tsv
