# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# tests/corpus/lib.sh — host-side helpers shared by the corpus runners
# (run-kpatch-corpus.sh, run-stable-corpus.sh). Source it from bash.
#
# Settings read from the environment (all optional):
#   LIVEFIX         the livefix binary          (default: <repo>/livefix)
#   LIVEFIX_VM_SH   the test-machine harness    (default: tests/vm/vm.sh)
#   LIVEFIX_CACHE   livefix's cache root        (as livefix and vm.sh use it)

CORPUS_DIR_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CORPUS_DIR_LIB/../.." && pwd)
LIVEFIX=${LIVEFIX:-$REPO_ROOT/livefix}
VM_SH=${LIVEFIX_VM_SH:-$REPO_ROOT/tests/vm/vm.sh}
GUEST_LIB=$CORPUS_DIR_LIB/guest-lib.sh

# livefix's per-version cache root (same rule as livefix and tests/vm/lib.sh).
corpus_cachedir() {
	if [ -n "${LIVEFIX_CACHE:-}" ]; then echo "$LIVEFIX_CACHE"
	elif [ "$(id -u)" = 0 ]; then echo /var/cache/livefix
	else echo "${XDG_CACHE_HOME:-$HOME/.cache}/livefix"
	fi
}

now() { date +%s.%N; }
# elapsed T0 [T1]: seconds with one decimal
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.1f", b - a }'; }

# The runner's help: its header comment, from line 2 up to "set -u".
corpus_usage() { sed -n '2,/^set -u/{/^set -u/d;/SPDX-License-Identifier/d;s/^# \{0,1\}//;p}' "$0"; }

# corpus_options "$@": the options every runner takes: -h/--help (the
# help, exit 0), -o OUTDIR (sets OUT), --; another option exits 2 (as
# runners do, with $ME in the message). The operands are left in OPERANDS:
# follow with  set -- "${OPERANDS[@]}"
corpus_options() {
	while [ $# -gt 0 ]; do
		case $1 in
		-h|--help) corpus_usage; exit 0 ;;
		-o) [ $# -ge 2 ] || { echo "$ME: -o needs a directory" >&2; exit 2; }; OUT=$2; shift 2 ;;
		--) shift; break ;;
		-*) echo "$ME: unknown option $1" >&2; corpus_usage >&2; exit 2 ;;
		*) break ;;
		esac
	done
	# shellcheck disable=SC2034 # the runner's to read
	OPERANDS=("$@")
}

# corpus_outdir DEFAULT: OUT (when empty, DEFAULT) created and made
# absolute; exits 2 when it cannot be created.
corpus_outdir() {
	OUT=${OUT:-$1}
	mkdir -p "$OUT" || { echo "$ME: cannot create $OUT" >&2; exit 2; }
	OUT=$(cd "$OUT" && pwd)
}

# The files a patch touches (its "+++" paths without the a/ b/ prefix).
patch_files() {
	sed -n 's,^+++ [^/]*/\([^[:space:]]*\).*,\1,p' "$1" | grep -v '^dev/null$' | LC_ALL=C sort -u
}

# build_json FILE QUERY [CODE]: a field of a `livefix build --json` document
# (tests/corpus/build-json.py: code, codes, objects CODE, symbols CODE,
# functions, modules, reason); nothing when FILE is missing.
build_json() {
	"$REPO_ROOT/tests/corpus/build-json.py" "$@"
}

# The "livefix: error: ..." lines of a build log, prefix removed, one a line.
error_lines() {
	sed -n 's/^livefix: error: //p' "$1"
}
# The refusal reason of a build log: its error lines joined with " | ".
reason_of() {
	error_lines "$1" | awk 'NF { printf "%s%s", (n++ ? " | " : ""), $0 } END { if (n) print "" }'
}

# Whether CODE is an outcome code (docs/codes.md's table, the one place after
# src/common/codes.c that lists them).
code_is_known() {
	grep -q "^| \`$1\` | " "$REPO_ROOT/docs/codes.md"
}

# Whether a refusal CODE is for a change that is not function-level, so
# that no live patch (of any tool on the mainline livepatch model) could
# apply it: its "live-patchable in principle?" column in docs/codes.md says
# "no" (or there is nothing to patch). The denominator of the stable
# corpus's coverage leaves these out; the others (header-limit, new-file,
# on-stack, ...) are limits of livefix or of the consistency model and
# count against it.
not_function_level() {
	grep -qE "^\| \`$1\` \| [^|]* \| [^|]* \| [^|]* \| (no|nothing to patch)" \
		"$REPO_ROOT/docs/codes.md"
}

# Kbuild lines of a Makefile with continuations joined.
_kbuild_lines() {
	local d=$1 f
	for f in "$d/Kbuild" "$d/Makefile"; do
		[ -r "$f" ] && sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$f"
	done
}
# module_of_source KVER PATH.c: the loadable module a kernel source file is
# part of (kernel's modules.order + kbuild makefiles of the prepared source
# in the cache), or nothing when it is built in or unknown.
module_of_source() {
	local kver=$1 p=$2 cache order src dir base a rel m line
	cache=$(corpus_cachedir)/$kver
	order=$cache/root/lib/modules/$kver/modules.order
	src=$cache/src
	[ -r "$order" ] || return 0
	dir=$(dirname "$p"); base=$(basename "$p" .c)
	# A module of the file's own name in its directory.
	if grep -qxE "kernel/$dir/$base\\.ko(\\.[a-z]+)?" "$order"; then echo "$base"; return 0; fi
	# A composite object naming it: NAME-objs / NAME-y / NAME-$(CONFIG_X),
	# in its directory or one up to three levels above.
	a=$dir
	for _ in 1 2 3 4; do
		rel=${p#"$a"/}; rel=${rel%.c}.o
		if [ -d "$src/$a" ]; then
			while IFS= read -r line; do
				m=$(sed -nE 's/^[[:space:]]*([A-Za-z0-9_-]+)-(objs|y|m|\$\([A-Z0-9_]+\))[[:space:]]*[:+]?=.*/\1/p' <<<"$line")
				[ -n "$m" ] || continue
				# shellcheck disable=SC2076
				[[ " ${line#*=} " =~ [[:space:]]"$rel"[[:space:]] ]] || continue
				if grep -qxE "kernel/$a/$m\\.ko(\\.[a-z]+)?" "$order"; then echo "$m"; return 0; fi
			done < <(_kbuild_lines "$src/$a")
		fi
		[ "$a" = "${a%/*}" ] && break
		a=${a%/*}
	done
	return 0
}

# vm_status_text RC: what a tests/vm/vm.sh exit status means.
vm_status_text() {
	case $1 in
	0) echo "passed" ;;
	120) echo "kernel log has a warning/oops (Call Trace|BUG:|WARNING:|Oops)" ;;
	121) echo "kernel panic" ;;
	122) echo "boot failed" ;;
	123) echo "guest stopped before the script finished" ;;
	124) echo "timeout" ;;
	125) echo "test-machine harness error" ;;
	*) echo "guest script exit $1" ;;
	esac
}

# tail_indent FILE [N]: the last N lines of FILE, indented, for FAIL output.
tail_indent() {
	[ -r "$1" ] || return 0
	tail -n "${2:-15}" "$1" | sed 's/^/    | /'
}

# Markdown-safe cell: no pipes, no newlines.
md_cell() { printf '%s' "$*" | tr '\n|' ' /'; }
