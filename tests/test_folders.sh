#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The folder layout of src/ (docs/layout.md), checked from the sources:
#  - each folder includes only the folders its row below allows, and every
#    allowed folder comes earlier in the table, so dependencies point one
#    way (cli -> pipeline -> stages -> ksym/elf -> common) and cannot loop;
#  - a folder missing from the table fails (a new folder takes a row);
#  - one file forks, execs and waits for children: src/common/run.c.
# Then the same checks are run on a copy of src/ with a violation of each
# kind put in, and must fail there.
#   tests/test_folders.sh [SRC]   (SRC: a src/ tree; default the project's)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# folder: the folders its files may include (besides its own). Lowest first.
TABLE='
common:
x86:
elf: common
ksym: common elf
special: common elf
inputs: common
patch: common inputs
compile: common elf ksym special inputs patch
diff: common elf ksym special x86
headers: common inputs patch compile diff
verify: common elf special x86
module: common elf ksym inputs
kernel: common elf ksym verify
update: common inputs patch compile diff headers kernel
package: common elf ksym kernel
user: common x86 elf ksym special patch compile diff headers verify
pipeline: common x86 elf ksym special inputs patch compile diff headers verify module kernel update
console: common x86 elf ksym special inputs patch compile diff headers verify module kernel update package user pipeline
cli: common x86 elf ksym special inputs patch compile diff headers verify module kernel update package user pipeline
'
# The one file that forks, execs and waits; and the calls it alone makes.
SPAWN_FILE=common/run.c
SPAWN_CALLS='\b(fork|vfork|clone|execve|execvp|execv|execvpe|execl|execlp|execle|fexecve|posix_spawnp?|waitpid|waitid|wait3|wait4|wait|system|popen)[[:space:]]*\('
# Waiting for a thread livefix traces (ptrace) is not waiting for a child
# it started: user/process.c stops the threads of a running program.
SPAWN_EXCEPT='^user/process\.c:[0-9]+:.*\bwaitpid[[:space:]]*\('

# "folder/file.c:N: code" for every line of C in $1, with comments and
# string literals blanked (a message saying "wait (...)" calls nothing).
code_lines() {
	(cd "$1" && find . -name '*.[ch]' | sed 's#^\./##' | sort | while read -r f; do
		perl -ne 'BEGIN { $c = 0 }
			s/\\./_/g; s/"[^"]*"/""/g; s/'"'"'[^'"'"']*'"'"'/0/g;
			if ($c) { if (s#^.*?\*/##) { $c = 0 } else { $_ = "\n" } }
			s#/\*.*?\*/# #g; if (s#/\*.*$##) { $c = 1 } s#//.*$##;
			print "$ARGV:$.: $_"' "$f"; done)
}

allowed() { # folder -> its row, "-" when it has none
	local row
	row=$(grep -E "^$1:" <<<"$TABLE") || { echo -; return; }
	echo "${row#*:}"
}

# Prints one line per violation in the tree $1; returns their number.
violations() {
	local src=$1 n=0 dir folder inc target seen
	# the table itself: every allowed folder has a row earlier
	seen=" "
	while IFS=: read -r folder row; do
		[ -z "$folder" ] && continue
		for target in $row; do
			case "$seen" in *" $target "*) ;; *)
				echo "table: $folder may include $target, which comes later (a loop)"
				n=$((n + 1)) ;;
			esac
		done
		seen="$seen$folder "
	done <<<"$TABLE"
	for dir in "$src"/*/; do
		folder=$(basename "$dir")
		row=$(allowed "$folder")
		if [ "$row" = - ]; then
			echo "src/$folder: not in the table of tests/test_folders.sh (and docs/layout.md)"
			n=$((n + 1)); continue
		fi
		while IFS=: read -r file line inc; do
			[ -z "$file" ] && continue
			target=${inc#*\"}; target=${target%%/*}
			[ "$target" = "$folder" ] && continue
			case " $row " in *" $target "*) continue ;; esac
			echo "src/$folder/$file:$line: includes $target/, which $folder/ may not (allowed:${row:- nothing})"
			n=$((n + 1))
		done < <(cd "$dir" && grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[a-z0-9_]+/' -- *.c *.h 2>/dev/null)
	done
	while IFS= read -r hit; do
		[ -z "$hit" ] && continue
		case "$hit" in "$SPAWN_FILE":*) continue ;; esac
		grep -qE "$SPAWN_EXCEPT" <<<"$hit" && continue
		echo "src/${hit%%: *}: starts or waits for a process outside src/$SPAWN_FILE:${hit#*: }"
		n=$((n + 1))
	done < <(code_lines "$src" | grep -E "^[^ ]+: .*$SPAWN_CALLS")
	return "$n"
}

passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

SRC=${1:-$ROOT/src}
out=$(violations "$SRC")
if [ -z "$out" ]; then
	ok "src/: every include points one way, one file spawns processes"
else
	bad "src/" "expected no violation, saw:
$out"
fi

# The check must be able to fail: a copy with one violation of each kind.
T=$(mktemp -d /tmp/livefix-folders-XXXXXX)
trap 'rm -rf "$T"' EXIT
cp -r "$SRC" "$T/src"
printf '#include "cli/cmds.h"\n' >>"$T/src/ksym/symvers.c"
printf 'static void f(void) { (void)fork(); }\n' >>"$T/src/diff/insn.c"
mkdir "$T/src/newfolder" && : >"$T/src/newfolder/x.c"
out=$(violations "$T/src")
for want in "src/ksym/symvers.c:[0-9]+: includes cli/" "src/diff/insn.c:[0-9]+: starts or waits" \
	    "src/newfolder: not in the table"; do
	if grep -qE "$want" <<<"$out"; then ok "a planted violation is found: $want"
	else bad "planted violation" "expected a line matching '$want', saw:
$out"; fi
done
TABLE="low: cli
$TABLE"
out=$(violations "$T/src")
grep -q "table: low may include cli, which comes later" <<<"$out" &&
	ok "a table row that would make a loop is found" ||
	bad "table loop" "expected 'table: low may include cli, which comes later', saw: $out"

echo "folders: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
