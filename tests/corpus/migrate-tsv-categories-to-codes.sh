#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/migrate-tsv-categories-to-codes.sh — ONE-OFF MIGRATION of
# stable-corpus report.tsv files written before livefix printed outcome
# codes (before "refused [CODE]: ..." reason lines, docs/codes.md): their
# refusals were sorted into categories by matching the reason text. This
# rewrites each refused row's outcome and category columns to the code
# livefix now gives that build (build --json's "code"): of the reason lines
# joined by " | ", the first whose code no live patch could get past, else
# the first that names a code. It is the only place left that reads message
# text; the runners and summarize.sh read codes only. Rows already in
# codes are left alone, so running it twice changes nothing.
#
# usage: migrate-tsv-categories-to-codes.sh REPORT.tsv...   (rewritten in place)
# Exit status: 0 done, 1 a refused row whose reason names no code (printed;
# the file is left unchanged), 2 usage.
set -u
[ $# -gt 0 ] || { echo "usage: $0 REPORT.tsv..." >&2; exit 2; }
rc=0
for f in "$@"; do
	[ "$(head -1 "$f" | cut -f5,6,9)" = "outcome	category	reason" ] ||
		{ echo "$0: '$f' is not a stable-corpus report.tsv" >&2; exit 2; }
	awk -F'\t' -v OFS='\t' -v file="$f" '
	# The code of one old reason line (the messages as they were until the
	# codes came), or "" when it names none.
	function code_of(r) {
		r = tolower(r)
		if (r ~ /^refused \[[a-z0-9-]+\]/) { sub(/^refused \[/, "", r); sub(/\].*/, "", r); return r }
		if (r ~ /no functional change/) return "no-change"
		if (r ~ /data layout change|type\(s\) changed layout/) return "data-layout"
		if (r ~ /creates this source file/) return "new-file"
		if (r ~ /is still unpatched|transition reverted/) return "on-stack"
		if (r ~ /does not call .__fentry__./) return "no-fentry"
		if (r ~ /live patch cannot replace|assembly is not live patched|is included by arch\//) return "unpatchable-code"
		if (r ~ /header change affects more than/) return "header-limit"
		if (r ~ /jump label|static key|static_key/) return "unsupported-section"
		if (r ~ /changes the crc of|symbol crc\(s\) changed/) return "export-crc"
		if (r ~ /init code has already run/) return "init-code"
		if (r ~ /initial value or size changed/) return "changed-data"
		if (r ~ /section group/) return "section-group"
		if (r ~ /only c source files/) return "non-c-file"
		return ""
	}
	NR == 1 { print; next }
	$5 ~ /^refused:/ {
		n = split($9, lines, / \| /); c = ""; first = ""
		for (i = 1; i <= n && c == ""; i++) {
			l = code_of(lines[i])
			if (l ~ /^(no-change|data-layout|changed-data|export-crc|no-fentry|init-code|section-group|unpatchable-code|non-c-file)$/) c = l
			else if (first == "") first = l
		}
		if (c == "") c = first
		if (c == "") { printf "%s: %s: no code for reason: %s\n", file, $1, $9 > "/dev/stderr"; bad = 1 }
		else { $5 = "refused:" c; $6 = c }
	}
	{ print }
	END { exit bad }' "$f" >"$f.new"
	if [ $? -eq 0 ]; then mv "$f.new" "$f"; else rm -f "$f.new"; rc=1; fi
done
exit $rc
