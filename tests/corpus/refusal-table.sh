#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/refusal-table.sh — docs/corpus.md's refusal table, made from a
# stable-corpus run's codes: one row per refusal code (most patches first)
# with its meaning and whether it is live-patchable in principle, both from
# docs/codes.md, the table of src/common/codes.c.
#
# usage: refusal-table.sh REPORT.tsv...   (as summarize.sh; later reports win)
# Exit status: 0, or summarize.sh's 2 for a report it cannot read.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CODES=$HERE/../../docs/codes.md
summary=$("$HERE/summarize.sh" "$@")
[ $? -ne 2 ] || exit 2
echo "| code | patches | meaning | live-patchable in principle? |"
echo "|---|---|---|---|"
sed -n 's/^ *refused:\([a-z0-9-]*\) *\([0-9]*\)$/\2 \1/p' <<<"$summary" | sort -k1,1nr -k2 |
while read -r n code; do
	# | `code` | outcome | command | meaning | patchable | action |
	awk -F' \\| ' -v c="| \`$code\`" -v n="$n" -v code="$code" \
		'index($0, c) == 1 { printf "| `%s` | %s | %s | %s |\n", code, n, $4, $5 }' "$CODES"
done
