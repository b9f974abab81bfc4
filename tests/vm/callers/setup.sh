# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# tests/vm/callers/setup.sh — what test_callers.sh and test_callers_modules.sh
# share: the kernel located, a work directory removed at exit, and the
# builds of this folder's patches. Source it with the work directory's tag
# and the test's first argument (the kernel release, default 6.1.0-47-amd64):
#   . "$(dirname "$0")/callers/setup.sh" vmcallers "${1:-}"
# Sets KVER, ROOT, OUT, LF (the livefix to test), DIR (this folder).
KVER=${2:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$ROOT/tests/vm/lib.sh"
OUT=$(mktemp -d "/tmp/livefix-$1-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
LF=$ROOT/livefix
DIR=$ROOT/tests/vm/callers

vm_locate "$KVER" || { echo "kernel $KVER not in the cache"; t_summary; exit 1; }

# callers_build NAME PATCH [LOG]: livefix build of PATCH (in this folder) as
# NAME into $OUT, its output in $OUT/LOG.log (default NAME.log); livefix's
# exit status.
callers_build() {
	(cd "$ROOT" && "$LF" build -k "$KVER" -n "$1" -o "$OUT" "$DIR/$2") >"$OUT/${3:-$1}.log" 2>&1
}

# callers_build_guest_module NAME PATCH: the build the guest's part needs,
# its output in $OUT/build.log; when it fails, the test ends here (nothing
# after it can run).
callers_build_guest_module() {
	if callers_build "$1" "$2" build; then
		t_pass "build ${2%.patch}"
	else
		t_fail "build ${2%.patch}" "a module" "$(tail -5 "$OUT/build.log")"
		t_summary; exit 1
	fi
}

# callers_summary GUEST_OUTPUT: the counts, and the guest's output when a
# check failed (what it printed explains the failure); returns t_summary's
# status.
callers_summary() {
	[ "$T_FAILED" = 0 ] || { echo "guest output:"; echo "$1"; }
	t_summary
}
