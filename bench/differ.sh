#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BENCH=differ: diff_objects() alone (bench/differ_bench.c linked with
# build/liblivefix.a), time and peak RSS, on
#  - four of the largest kernel objects, compiled orig and with a one-line
#    change by `livefix build --keep-workdir` (the kernel's own command);
#  - generated units of 1k, 2k, 5k, 10k and 20k functions (bench/gen_funcs.py),
#    compiled like the kernel does (-O2 -ffunction-sections -fdata-sections
#    -mfentry -pg -mrecord-mcount -fno-pic -mcmodel=kernel), one changed.
# $RUNS timed runs in one process after one warm-up (page cache); peak RSS
# from /usr/bin/time -v on a single separate run.
. "$(dirname "$0")/lib.sh"
need_livefix
[ -f "$ROOT/build/liblivefix.a" ] || { say "build/liblivefix.a missing (make)"; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/livefix-bench-differ-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
SRC=$(cache_root)/$KVER/src
DB=$TMP/differ_bench
gcc -O2 -g -std=c11 -D_GNU_SOURCE -I"$ROOT/src" -o "$DB" "$BENCH_DIR/differ_bench.c" \
	"$ROOT/build/liblivefix.a" -lelf -lz || exit 1
sec=$RESULTS_DIR/differ.md.tmp
KFLAGS="-O2 -ffunction-sections -fdata-sections -mfentry -pg -mrecord-mcount -fno-pic -mcmodel=kernel"

# measure LABEL ORIG PATCHED [ORIG_NOLINE PATCHED_NOLINE]: appends a table row.
measure() {
	local label=$1 o=$2 p=$3 on=${4:-} pn=${5:-} nf size l0 rss
	nf=$(nm --defined-only "$o" | grep -c ' [tTwW] ')
	size=$(stat -c %s "$o")
	l0=$(cut -d' ' -f1 /proc/loadavg)
	/usr/bin/time -v "$DB" "$o" "$p" "$TMP/out.o" 1 $on $pn >"$TMP/one" 2>"$TMP/time" ||
		{ say "differ failed on $label: $(tail -3 "$TMP/time")"; echo "| $label | failed | | | | | | | | |" >>"$sec"; return; }
	rss=$(awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$TMP/time")
	"$DB" "$o" "$p" "$TMP/out.o" $((RUNS + 1)) $on $pn >"$TMP/runs" 2>/dev/null
	sed 1d "$TMP/runs" | awk '{ print $4 }' >"$TMP/wall"
	sed 1d "$TMP/runs" | awk '{ print $6 }' >"$TMP/cpu"
	local emitted wall cpu perfn ir="n/a" irf="n/a"
	# instruction count of diff_objects() and its callees: load-independent
	if [ "${BENCH_INSNS:-1}" = 1 ] && command -v valgrind >/dev/null; then
		ir=$(valgrind --tool=callgrind --toggle-collect=diff_objects --callgrind-out-file=/dev/null \
			"$DB" "$o" "$p" "$TMP/out.o" 1 $on $pn 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
		if [ -n "$ir" ]; then
			irf=$(awk -v i="$ir" -v n="$nf" 'BEGIN { printf "%.0f", i / n }')
			ir=$(awk -v i="$ir" 'BEGIN { printf "%.1f", i / 1e6 }')
		else ir="n/a"; fi
	fi
	emitted=$(awk 'NR == 1 { print $8 "+" $12 }' "$TMP/one")
	[ -z "$emitted" ] && emitted="?"
	grep -q no_change "$TMP/one" && emitted="no change"
	wall=$(median "$TMP/wall") cpu=$(median "$TMP/cpu")
	perfn=$(awk -v c="$cpu" -v n="$nf" 'BEGIN { printf "%.2f", c * 1e6 / n }')
	echo "| $label | $nf | $((size / 1024)) | $emitted | $ir | $irf | $(stats "$TMP/wall") | $(stats "$TMP/cpu") | $perfn | $rss | $l0 |" >>"$sec"
	say "differ $label: $nf functions, cpu $cpu s, $rss MiB (load $(loadavg))"
}

{
echo "## differ"
echo
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), load at start $(loadavg). \`bench/differ_bench ORIG PATCHED OUT N\`"
echo "calls diff_objects() from build/liblivefix.a (the symbol resolver is a stub:"
echo "kallsyms lookups are not in these figures) with the -noline pair when the"
echo "build made one; one warm-up run, then $RUNS runs: seconds median (min–max)."
echo "Functions = defined function symbols in the original object; emitted ="
echo "changed+new functions; µs/function = median CPU time / functions; peak RSS"
echo "from \`/usr/bin/time -v\` of a single run (includes the ~13 MiB of the process)."
echo "Instructions: executed by diff_objects() and its callees in one run, counted"
echo "by valgrind (callgrind --toggle-collect=diff_objects): independent of the load."
echo "Valgrind swaps memcmp/memcpy for byte-wise loops, so the counts overstate the"
echo "native ones (60M counted vs ~4 ms native for 1k functions): use them for ratios."
echo
echo "| object | functions | size KiB | emitted | instructions (M) | instructions/function | wall s | CPU s | µs/function (CPU) | peak RSS MiB | load (1 min) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
} >"$sec"

# A one-line change in a function of each big object: file, line after which
# a line is inserted, the line.
TARGETS=(
	"kernel/sched/core.c|^SYSCALL_DEFINE0(sched_yield)|2|	if (current->pid == 0x7fffffff) return -EINVAL;"
	"mm/page_alloc.c|^void __free_pages(struct page \*page, unsigned int order)|1|	if (!page) return;"
	"fs/ext4/super.c|^static int ext4_statfs(struct dentry \*dentry, struct kstatfs \*buf)\$|6|	if (!buf) return -EINVAL;"
	"net/ipv4/tcp.c|^int tcp_ioctl(struct sock \*sk, int cmd, unsigned long arg)|4|	if (cmd == 0x7fffffff) return -EINVAL;"
)
if [ "${BENCH_DIFFER_KERNEL:-1}" = 1 ] && [ -d "$SRC" ]; then
for t in "${TARGETS[@]}"; do
	IFS='|' read -r file re off line <<<"$t"
	obj=${file%.c}.o
	n=$(grep -n "$re" "$SRC/$file" | head -1 | cut -d: -f1)
	[ -n "$n" ] || { say "anchor not found in $file"; continue; }
	mkdir -p "$TMP/p/a/$(dirname "$file")" "$TMP/p/b/$(dirname "$file")"
	cp "$SRC/$file" "$TMP/p/a/$file"
	awk -v at=$((n + off)) -v l="$line" '{ print } NR == at { print l }' "$SRC/$file" >"$TMP/p/b/$file"
	(cd "$TMP/p" && diff -u "a/$file" "b/$file") >"$TMP/one-line.patch"
	rm -rf "$TMP/p"
	say "compiling $obj orig/patched (livefix build --keep-workdir; load $(loadavg))"
	(cd "$ROOT" && TMPDIR=$TMP ./livefix build --keep-workdir -k "$KVER" -n bench-differ -o "$TMP/out" "$TMP/one-line.patch") >"$TMP/build.log" 2>&1
	wd=$(sed -n 's/.*work directory kept: //p' "$TMP/build.log")
	stem=$wd/objs/${obj%.o}
	if [ ! -f "$stem.orig.o" ] || [ ! -f "$stem.patched.o" ]; then
		say "no kept objects for $obj: $(tail -3 "$TMP/build.log")"
		echo "| $obj | build failed | | | | | | | | | |" >>"$sec"
		continue
	fi
	if [ -f "$stem.orig-noline.o" ] && [ -f "$stem.patched-noline.o" ]; then
		measure "$obj" "$stem.orig.o" "$stem.patched.o" "$stem.orig-noline.o" "$stem.patched-noline.o"
	else
		measure "$obj" "$stem.orig.o" "$stem.patched.o"
	fi
	rm -rf "$wd"
done
fi

for n in ${BENCH_GEN_SIZES:-1000 2000 5000 10000 20000}; do
	say "generating and compiling $n functions (load $(loadavg))"
	python3 "$BENCH_DIR/gen_funcs.py" "$n" "$TMP/g.c"
	python3 "$BENCH_DIR/gen_funcs.py" "$n" "$TMP/gp.c" patched
	gcc $KFLAGS -c "$TMP/g.c" -o "$TMP/g$n.orig.o" && gcc $KFLAGS -c "$TMP/gp.c" -o "$TMP/g$n.patched.o" ||
		{ echo "| generated $n | compile failed | | | | | | | | | |" >>"$sec"; continue; }
	measure "generated, $n functions" "$TMP/g$n.orig.o" "$TMP/g$n.patched.o"
	rm -f "$TMP/g$n".*.o
done
# Scaling over the generated units: CPU and RSS ratios between sizes.
awk -F'|' '$2 ~ /generated, [0-9]+ functions/ {
	n = $3 + 0; ir = $6 + 0; split($9, c, " "); rss = $11 + 0
	if (pn) printf "- %d → %d functions (×%.1f): instructions ×%.2f, CPU time ×%.2f, peak RSS %d → %d MiB\n",
		pn, n, n / pn, (pir > 0 ? ir / pir : 0), c[1] / pc, prss, rss
	pn = n; pir = ir; pc = c[1]; prss = rss }' "$sec" >"$TMP/scaling"
{
echo
echo "Scaling over the generated units (linear = instruction ratio close to the function ratio):"
echo
cat "$TMP/scaling"
} >>"$sec"
mv "$sec" "$RESULTS_DIR/differ.md"
say "differ done"
