#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BENCH=footprint: disk used per kernel version in the cache (du of each
# part) and peak RSS of a warm `livefix build` of the demo patch (whole
# process tree as /usr/bin/time -v reports it: the largest single process,
# usually the compiler or the linker).
. "$(dirname "$0")/lib.sh"
need_livefix
[ -x /usr/bin/time ] || { say "/usr/bin/time missing: apt-get install time (scripts/packages.txt)"; exit 1; }
CR=$(cache_root)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/livefix-bench-fp-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
sec=$RESULTS_DIR/footprint.md.tmp
{
echo "## footprint"
echo
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), load at start $(loadavg)."
echo
echo "Disk per kernel version in the cache ($CR), \`du -sh\`:"
echo
echo "| kernel | part | size | what |"
echo "|---|---|---|---|"
for d in "$CR"/*/; do
	k=$(basename "$d")
	for p in debs src vmlinux root dbg-modules cmds log; do
		[ -e "$d/$p" ] || continue
		case $p in
		debs) w="downloaded packages (source, headers, image, -dbg, kbuild)" ;;
		src) w="extracted and prepared source tree" ;;
		vmlinux) w="vmlinux with debug info (from the -dbg package)" ;;
		root) w="unpacked image and headers packages" ;;
		dbg-modules) w="debug modules extracted on demand" ;;
		cmds) w="recorded kernel compile commands" ;;
		log) w="logs" ;;
		esac
		echo "| $k | $p | $(du -sh "$d/$p" | cut -f1) | $w |"
	done
	echo "| $k | **total** | **$(du -sh "$d" | cut -f1)** | |"
done
echo
} >"$sec"
for b in demo:examples/proc-version.patch; do
	name=${b%%:*} patch=${b#*:}
	(cd "$ROOT" && ./livefix build -k "$KVER" -n "bench-fp" -o "$TMP" "$patch") >/dev/null 2>&1 # warm-up
	: >"$TMP/rss"; : >"$TMP/self"
	for i in 1 2 3; do
		l=$(cut -d' ' -f1 /proc/loadavg)
		(cd "$ROOT" && /usr/bin/time -v ./livefix build -k "$KVER" -n "bench-fp" -o "$TMP" "$patch") >"$TMP/log" 2>&1 ||
			{ say "build failed: $(tail -3 "$TMP/log")"; break; }
		awk -F: '/Maximum resident set size/ { printf "%.0f\n", $2 / 1024 }' "$TMP/log" >>"$TMP/rss"
	done
	echo "Peak RSS of \`/usr/bin/time -v ./livefix build -k $KVER $patch\` (warm cache, 3 runs):" \
		"**$(stats "$TMP/rss") MiB** (the largest process of the tree: \`time\` reports the"\
		"maximum over livefix and its waited-for children — gcc, ld, make)." >>"$sec"
done
mv "$sec" "$RESULTS_DIR/footprint.md"
say "footprint done"
