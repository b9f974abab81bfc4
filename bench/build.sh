#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BENCH=build: `livefix build` wall time, warm cache (one untimed warm-up,
# then the median of $RUNS runs) for the demo patch and a few larger real
# fixes from ../shared/corpus; then once with a cold cache (inputs
# downloaded, no prepared source tree) unless BENCH_COLD=0. Each build is
# killed after BUILD_TIMEOUT seconds (default 1800).
. "$(dirname "$0")/lib.sh"
need_livefix
CACHE=$(cache_root)/$KVER
[ -f "$CACHE/.stamp-prepared" ] || { say "no prepared cache at $CACHE: run 'livefix fetch -k $KVER' first"; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/livefix-bench-build-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
sec=$RESULTS_DIR/build.md.tmp

PATCHES="demo:$ROOT/examples/proc-version.patch"
CORPUS=$SHARED/corpus/kpatch-integration
for p in shadow-newpid new-function; do
	if [ -f "$CORPUS/$p.patch" ]; then PATCHES="$PATCHES $p:$CORPUS/$p.patch"
	else say "skipping $p: $CORPUS/$p.patch absent (../shared not here)"; SKIPPED="${SKIPPED:-} $p"; fi
done

# one_build NAME PATCH LOGFILE: prints the wall seconds; the build's own
# "time:" line is in LOGFILE.
one_build() {
	local t0 t1
	t0=$(now)
	(cd "$ROOT" && timeout "${BUILD_TIMEOUT:-1800}" ./livefix build -k "$KVER" -n "bench-$1" -o "$TMP/out" "$2") >"$3" 2>&1 ||
		{ say "build of $1 failed: $(tail -3 "$3")"; return 1; }
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
# phase LOG NAME: the seconds of a phase in livefix's "time:" line.
phase() { sed -n "s/.*time:.* $2 \([0-9.]*\) s.*/\1/p" "$1" | tail -1; }

{
echo "## build"
echo
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), load at start $(loadavg). Command:"
echo "\`./livefix build -k $KVER -n NAME -o DIR PATCH\`, cache $CACHE."
echo "Warm cache = prepared tree and the unit's recorded kernel command (one"
echo "untimed warm-up build first), $RUNS timed runs; wall seconds, median (min–max)."
echo "The phase columns are medians of livefix's own \`time:\` line."
echo
echo "| patch | changed functions | wall s | compile s | diff s | link s | load avg during |"
echo "|---|---|---|---|---|---|---|"
} >"$sec"

declare -A WARM
for pp in $PATCHES; do
	name=${pp%%:*} patch=${pp#*:}
	say "build $name: warm-up"
	one_build "$name" "$patch" "$TMP/warmup.log" >/dev/null || { echo "| $name | build failed | | | | | |" >>"$sec"; continue; }
	: >"$TMP/wall" ; : >"$TMP/compile"; : >"$TMP/diff"; : >"$TMP/link"; : >"$TMP/loads"
	for i in $(seq "$RUNS"); do
		echo "$(cut -d' ' -f1 /proc/loadavg)" >>"$TMP/loads"
		w=$(one_build "$name" "$patch" "$TMP/run.log") || break
		echo "$w" >>"$TMP/wall"
		for ph in compile diff link; do phase "$TMP/run.log" $ph >>"$TMP/$ph"; done
		say "build $name run $i: $w s (load $(loadavg))"
	done
	nf=$(grep -c 'changed function\|new function' "$TMP/run.log")
	WARM[$name]=$(median "$TMP/wall")
	echo "| $name ($(basename "$patch")) | $nf | $(stats "$TMP/wall") | $(median "$TMP/compile") | $(median "$TMP/diff") | $(median "$TMP/link") | $(sort -g "$TMP/loads" | sed -n '1p;$p' | paste -sd- ) |" >>"$sec"
done
[ -n "${SKIPPED:-}" ] && { echo; echo "Skipped (../shared absent):${SKIPPED}."; } >>"$sec"

# Cold cache: a copy of the cache without src/ (and without the recorded
# unit commands, the logs and the configured/prepared stamps), i.e. the
# state right after the download. Big read-only inputs are hard-linked.
if [ "${BENCH_COLD:-1}" = 1 ]; then
	COLD=$TMP/cache
	mkdir -p "$COLD/$KVER"
	for f in "$CACHE"/.stamp-fetched "$CACHE"/.stamp-headers-include "$CACHE"/.stamp-headers-tree "$CACHE"/inputs; do
		[ -e "$f" ] && cp -a "$f" "$COLD/$KVER/"
	done
	for d in debs root vmlinux dbg-modules; do
		[ -e "$CACHE/$d" ] && cp -al "$CACHE/$d" "$COLD/$KVER/"
	done
	say "cold build of demo (prepares the source tree; load $(loadavg))"
	l0=$(loadavg)
	w=$(LIVEFIX_CACHE=$COLD one_build demo "$ROOT/examples/proc-version.patch" "$TMP/cold.log")
	l1=$(loadavg)
	{
	echo
	if [ -n "$w" ]; then
		echo "Cold cache (packages downloaded, source not extracted or prepared; copy of the"
		echo "cache minus src/, cmds/, log/ and the configured/prepared stamps in a temporary"
		echo "LIVEFIX_CACHE), demo patch, measured once: **$w s** (warm: ${WARM[demo]:-n/a} s,"
		echo "ratio cold/warm $(ratio "$w" "${WARM[demo]:-0}")); load $l0 before, $l1 after."
		echo "livefix's own phases: \`$(grep 'time:' "$TMP/cold.log" | tail -1 | sed 's/^.*time: //')\`."
		echo "The download itself (~1.1 GB of packages) is not measured: it depends on the mirror."
	else
		echo "Cold cache build failed: $(tail -3 "$TMP/cold.log")"
	fi
	} >>"$sec"
else
	echo >>"$sec"; echo "Cold cache: skipped (BENCH_COLD=0)." >>"$sec"
fi
{
echo
echo "Full-rebuild baseline (\`make vmlinux\` of the prepared tree with"
echo "-ffunction-sections -fdata-sections): see the baseline section."
} >>"$sec"
mv "$sec" "$RESULTS_DIR/build.md"
say "build done"
