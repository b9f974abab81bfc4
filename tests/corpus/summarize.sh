#!/bin/bash
# tests/corpus/summarize.sh — the figures of one stable-corpus run split in
# parts (make stable-corpus ONLY=1-300, then ONLY=301-600, ...): reads their
# report.tsv files and prints the outcomes by category, the share of
# applicable patches applied live, and "N passed, N failed" as one run would.
#
# usage: summarize.sh REPORT.tsv...
# A patch in several reports counts once, with its outcome in the last one
# given (a rerun after a fix replaces the earlier result).
# Exit status: 0 no wrong outcome, 1 some, 2 usage or unreadable report.
set -u
if [ $# -eq 0 ]; then
	echo "usage: $0 REPORT.tsv..." >&2
	exit 2
fi
for f in "$@"; do
	if [ ! -r "$f" ] || [ "$(head -1 "$f" | cut -f1,5)" != "id	outcome" ]; then
		echo "$0: '$f' is not a stable-corpus report.tsv (header id ... outcome)" >&2
		exit 2
	fi
done
awk -F'\t' '
FNR == 1 { next }
{ outcome[$1] = $5; class[$1] = $3 }
END {
	for (id in outcome) {
		o = outcome[id]; n++
		count[o]++
		if (o ~ /^wrong:/) { wrong++; wrongs = wrongs " " id "(" o ")" }
		else if (o == "applied") applied++
		else refused++
		if (class[id] == "a") na++; else nb++
	}
	printf "stable-corpus summary: %d patches (%d class a, %d class b) from %d report(s)\n", n, na, nb, ARGC - 1
	k = 0
	for (o in count) keys[++k] = o
	for (i = 1; i <= k; i++)       # insertion sort: a handful of outcomes
		for (j = i; j > 1 && keys[j - 1] > keys[j]; j--) { t = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = t }
	for (i = 1; i <= k; i++) printf "  %-40s %5d\n", keys[i], count[keys[i]]
	printf "applied live: %d; refused with a reason: %d; wrong: %d\n", applied, refused, wrong
	if (wrong) printf "wrong:%s\n", wrongs
	printf "stable-corpus: %d passed, %d failed\n", applied + refused, wrong
	exit wrong ? 1 : 0
}' "$@"
