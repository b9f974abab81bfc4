#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/summarize.sh — the figures of one stable-corpus run split in
# parts (make stable-corpus ONLY=1-300, then ONLY=301-600, ...): reads their
# report.tsv files and prints the outcomes by category, the share of
# applicable patches applied live, and "N passed, N failed" as one run would.
#
# usage: summarize.sh REPORT.tsv...
# A patch in several reports counts once, with its outcome in the last one
# given (a rerun after a fix replaces the earlier result). A refusal's
# category is the outcome code livefix printed (refused:CODE, docs/codes.md),
# as the runner recorded it; reports from before the codes are migrated once
# with migrate-tsv-categories-to-codes.sh.
# "Function-level" patches are those not refused for a reason no live patch
# can get past (lib.sh not_function_level): the coverage figure is the
# share of them applied live.
# Exit status: 0 no wrong outcome, 1 some, 2 usage or unreadable report.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/corpus/lib.sh
. "$HERE/lib.sh"
if [ $# -eq 0 ]; then
	echo "usage: $0 REPORT.tsv..." >&2
	exit 2
fi
for f in "$@"; do
	if [ ! -r "$f" ] || [ "$(head -1 "$f" | cut -f1,5,9)" != "id	outcome	reason" ]; then
		echo "$0: '$f' is not a stable-corpus report.tsv (header id ... outcome ... reason)" >&2
		exit 2
	fi
done
# id, class, outcome of each patch, the last report's
declare -A OUTCOME=() CLASS=()
for f in "$@"; do
	# "-" for an empty field: read would merge a run of tabs
	while IFS=$'\t' read -r id _p class _t outcome _rest; do
		OUTCOME[$id]=$outcome CLASS[$id]=$class
	done < <(awk -F'\t' -v OFS='\t' 'FNR > 1 { for (i = 1; i <= 9; i++) if ($i == "") $i = "-"; print }' "$f")
done
for id in "${!OUTCOME[@]}"; do
	o=${OUTCOME[$id]}
	if [[ $o == refused:* || $o == skipped:* ]] && ! code_is_known "${o#*:}"; then
		echo "$0: $id: '$o' is not an outcome code (docs/codes.md): a report from before" \
			"the codes (migrate-tsv-categories-to-codes.sh)" >&2
		exit 2
	fi
done
for id in "${!OUTCOME[@]}"; do
	o=${OUTCOME[$id]} fl=1
	# skipped:not-in-config: this kernel does not build the file
	if [[ $o == refused:* || $o == skipped:* ]] && not_function_level "${o#*:}"; then
		fl=0
	fi
	printf '%s\t%s\t%s\t%s\n' "$id" "${CLASS[$id]}" "$o" "$fl"
done | sort | awk -F'\t' -v nrep=$# '
{
	o = $3; n++
	count[o]++
	if ($2 == "a") na++; else nb++
	if (o ~ /^wrong:/) { wrong++; wrongs = wrongs " " $1 "(" o ")" }
	else if (o == "applied") applied++
	else refused++
	if ($4) { fl++; if (o != "applied") missed = missed " " $1 "(" o ")" }
}
END {
	printf "stable-corpus summary: %d patches (%d class a, %d class b) from %d report(s)\n", n, na, nb, nrep
	k = 0
	for (o in count) keys[++k] = o
	for (i = 1; i <= k; i++)       # insertion sort: a handful of outcomes
		for (j = i; j > 1 && keys[j - 1] > keys[j]; j--) { t = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = t }
	for (i = 1; i <= k; i++) printf "  %-40s %5d\n", keys[i], count[keys[i]]
	printf "applied live: %d; refused with a reason: %d; wrong: %d\n", applied, refused, wrong
	printf "function-level (live-patchable in principle): %d; applied live: %d (%.1f%%)\n",
		fl, applied, fl ? 100 * applied / fl : 0
	if (missed) printf "function-level, not applied:%s\n", missed
	if (wrong) printf "wrong:%s\n", wrongs
	printf "stable-corpus: %d passed, %d failed\n", applied + refused, wrong
	exit wrong ? 1 : 0
}'
