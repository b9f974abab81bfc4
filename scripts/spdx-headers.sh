#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/spdx-headers.sh — puts the SPDX license line (GPL-2.0-only, the
# LICENSE file) at the top of every livefix source file that lacks one, as
# the kernel does: "// SPDX-..." in .c files, "/* SPDX-... */" in .h files,
# "# SPDX-..." in scripts and the Makefile (after a "#!" line). Idempotent:
# a file that names SPDX-License-Identifier in its first 3 lines is left
# alone, so it can be run again after a merge.
#
# Not touched: the test fixtures compiled at test time (tests/unit/fixtures:
# their line numbers are part of what the tests check), patches, data.
#
# usage: scripts/spdx-headers.sh        (from anywhere in the repository)
set -eu
cd "$(dirname "$0")/.."
ID="SPDX-License-Identifier: GPL-2.0-only"
has_spdx() { head -3 "$1" | grep -q 'SPDX-License-Identifier'; }
prepend() { # FILE LINE
	{ printf '%s\n' "$2"; cat "$1"; } >"$1.spdx" && cat "$1.spdx" >"$1" && rm "$1.spdx"
}
after_shebang() { # FILE LINE
	if head -1 "$1" | grep -q '^#!'; then
		{ head -1 "$1"; printf '%s\n' "$2"; tail -n +2 "$1"; } >"$1.spdx" && cat "$1.spdx" >"$1" && rm "$1.spdx"
	else
		prepend "$1" "$2"
	fi
}
n=0
while IFS= read -r f; do
	[ -f "$f" ] && ! has_spdx "$f" || continue
	case $f in
	tests/unit/fixtures/*) continue ;;
	*.c) prepend "$f" "// $ID" ;;
	*.h) prepend "$f" "/* $ID */" ;;
	*.sh|*.py|*.bash|Makefile|.ci/run|tests/corpus/selftest/fake-livefix) after_shebang "$f" "# $ID" ;;
	*) continue ;;
	esac
	n=$((n + 1))
done < <(git ls-files)
echo "spdx-headers: $n file(s) given an SPDX line"
