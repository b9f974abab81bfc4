#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BENCH=baseline (on demand only, never by default: hours on a loaded
# 2-core machine): the full-rebuild baseline a live patch avoids. Copies the
# prepared tree (the cache's src/ stays untouched), `make vmlinux` with
# -ffunction-sections -fdata-sections (as kpatch-build's full build does),
# then the incremental rebuild after touching fs/proc/version.c (one
# compile + the vmlinux relink). Ratios against the warm demo build.
. "$(dirname "$0")/lib.sh"
SRC=$(cache_root)/$KVER/src
[ -d "$SRC" ] || { say "no prepared tree at $SRC"; exit 1; }
TMP=$(mktemp -d "${BASELINE_DIR:-${TMPDIR:-/tmp}}/livefix-bench-baseline-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
J=${JOBS:-$(nproc)}
CC=gcc-12
sec=$RESULTS_DIR/baseline.md.tmp
say "copying $SRC"; cp -a "$SRC" "$TMP/src"
mk() { make -C "$TMP/src" -j"$J" CC="$CC" KERNELRELEASE="$KVER" \
	KCFLAGS="-ffunction-sections -fdata-sections" vmlinux >"$TMP/make.log" 2>&1; }
l0=$(loadavg); t0=$(now); started=$(date -u '+%Y-%m-%d %H:%M')
mk || { say "make vmlinux failed: $(tail -5 "$TMP/make.log")"; exit 1; }
full=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'); l1=$(loadavg)
: >"$TMP/inc"
for i in 1 2 3; do
	touch "$TMP/src/fs/proc/version.c"; t0=$(now)
	mk || break
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f\n", b - a }' >>"$TMP/inc"
done
warm=$(sed -n 's/^| demo ([^|]*| [^|]* | \([0-9.]*\) .*/\1/p' "$RESULTS_DIR/build.md" 2>/dev/null)
{
echo "## baseline"
echo
echo "Run $started–$(date -u '+%H:%M UTC'), -j$J, load $l0 at start, $l1 after the full build."
echo "\`make vmlinux CC=$CC KCFLAGS=\"-ffunction-sections -fdata-sections\"\` on a copy of the prepared tree:"
echo
echo "- full rebuild: **$full s** (measured once)"
echo "- after touching fs/proc/version.c (one compile + relink): $(stats "$TMP/inc") s"
[ -n "$warm" ] && echo "- ratio full rebuild / warm livefix build of the demo ($warm s): $(ratio "$full" "$warm")"
[ -n "$warm" ] && echo "- ratio incremental relink / warm livefix build: $(ratio "$(median "$TMP/inc")" "$warm")"
} >"$sec"
mv "$sec" "$RESULTS_DIR/baseline.md"
