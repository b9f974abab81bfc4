# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the bench/ scripts (sourced). Each benchmark writes its
# section to bench/results/NAME.md; bench/run.sh assembles bench/RESULTS.md.
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
KVER=${KVER:-6.1.0-47-amd64}
RUNS=${RUNS:-5}
SHARED=${SHARED:-$ROOT/../shared}
RESULTS_DIR=$BENCH_DIR/results
mkdir -p "$RESULTS_DIR"

cache_root() {
	if [ -n "${LIVEFIX_CACHE:-}" ]; then echo "$LIVEFIX_CACHE"
	elif [ "$(id -u)" = 0 ]; then echo /var/cache/livefix
	else echo "${XDG_CACHE_HOME:-$HOME/.cache}/livefix"; fi
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
say() { echo "bench: $*" >&2; }

# stats FILE: "median (min–max, n=N)" of the numbers in FILE, one a line.
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "n/a"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s (%s–%s, n=%d)\n", f(m), f(v[1]), f(v[NR]), NR }
		function f(x) { return (x >= 1000 || x <= -1000) ? sprintf("%.0f", x) : sprintf("%.3g", x) }'
}
# median FILE: the bare median.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.6g\n", m }'
}
# ratio A B: A / B with 3 significant digits.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3g\n", a / b; else print "n/a" }'; }

# The livefix binary must exist (the Makefile's bench target depends on it).
need_livefix() {
	[ -x "$ROOT/livefix" ] || { say "build ./livefix first (make)"; exit 1; }
}
