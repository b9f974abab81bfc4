#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make check: unit tests, then the VM tests that boot the real Debian
# kernel. Adds up every suite's "N passed, N failed" line into one.
set -u
KVER=$1; shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0 skipped=0
LOG=$(mktemp /tmp/livefix-check-XXXXXX)
trap 'rm -f "$LOG"' EXIT

count() { # name, command...
	local name=$1 out rc line p f s
	shift
	"$@" 2>&1 | tee "$LOG"; rc=${PIPESTATUS[0]}
	out=$(cat "$LOG")
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL $name: no summary line (exit $rc)"; failed=$((failed + 1)); return
	fi
	p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
	f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
	s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exit $rc"; failed=$((failed + 1))
	fi
}

# The kernel's packages in the cache (fetched once; a few minutes on a new
# machine): the unit tests that compile against the real kernel and all the
# VM tests use them.
"$ROOT/livefix" fetch -k "$KVER" >/dev/null || echo "warning: livefix fetch -k $KVER failed"
count unit "$ROOT/tests/run-unit.sh" "$@"
count unit-sanitize make -C "$ROOT" --no-print-directory -s unit SANITIZE=1
count badinput "$ROOT/tests/badinput/run.sh" "$KVER"
count deps "$ROOT/tests/test_deps.sh"
count folders "$ROOT/tests/test_folders.sh"
count user "$ROOT/tests/user/run.sh"
count user-watch "$ROOT/tests/user/watch.sh"
count user-headers "$ROOT/tests/user/headers.sh"
count install "$ROOT/tests/test_install.sh"
# The web console (livefix-console): HTTP-level and real-browser tests.
count console "$ROOT/tests/console/run.sh"
count deb "$ROOT/tests/test_deb.sh"
count package "$ROOT/tests/package/test_package.sh" "$KVER"
count repo "$ROOT/tests/repo/test_repo.sh"
count ansible "$ROOT/tests/fleet/test_ansible.sh"
count needed-headers "$ROOT/tests/corpus/selftest/test_needed_headers.sh"
count corpus-summary "$ROOT/tests/corpus/selftest/test_summarize.sh"
count corpus-parts "$ROOT/tests/corpus/selftest/test_parts.sh"
count corpus-build-json "$ROOT/tests/corpus/selftest/test_build_json.sh"
# the cumulative update build on two groups of 6.1.170-3 -> 6.1.176-1
# (one applied, one refused): module, info, report.json and its schema
count update-build "$ROOT/tests/update/test_update_build.sh" "$KVER"
# A representative subset of the real stable corpus (the whole of it is
# `make stable-corpus`): fixes applied live in vmlinux and in a module, a
# .c fix built with the header patches it needs, a header fix, refusals
# (changed data, data layout, no functional change), and the cases that
# found bugs (0025 .LC label, 0043 objconfig and the target's exports).
# Headers beyond --max-units: a member added to a struct (0106) is refused
# as the data layout change one compiled includer shows; flexible arrays
# wrapped in __DECLARE_FLEX_ARRAY, the same layout (0006), for the limit;
# two inline functions changed (0089) build the 6 of amdgpu_ring.h's 348
# includers that use them; an inline function only the vDSO uses (0005)
# is refused (no live patch replaces the vDSO). 0132 (hyperv_drm) calls
# exports of hv_vmbus, which cannot load here: its patch must not depend
# on hv_vmbus. Sources kbuild builds from another directory's kbuild file:
# tools/lib/bpf/relo_core.c by kernel/bpf's rule (1210), virt/kvm's by
# arch/x86/kvm (1221, module kvm). 1180 needs 3 files of its commit to
# compile, the last named only by a call through a retyped member.
# Skipped with a message where ../shared is absent.
STABLE_CORPUS=${STABLE_CORPUS:-$ROOT/../shared/corpus/stable-6.1.170-3_6.1.176-1}
STABLE_EXPECT=0002=applied,0007=applied,0009=refused:no-change
STABLE_EXPECT+=,0013=refused:data-layout,0016=applied,0025=applied
STABLE_EXPECT+=,0026=refused:changed-data,0032=refused:no-change,0043=applied
STABLE_EXPECT+=,0006=refused:header-limit,0089=applied,0106=refused:data-layout
STABLE_EXPECT+=,0005=refused:unpatchable-code,0132=applied
STABLE_EXPECT+=,1210=applied,1221=applied,1180=refused:data-layout
STABLE_OUT=$(mktemp -d /tmp/livefix-check-stable-XXXXXX)
count stable-subset env ONLY="$(sed 's/=[a-z:-]*//g' <<<"$STABLE_EXPECT")" EXPECT="$STABLE_EXPECT" \
	"$ROOT/tests/corpus/run-stable-corpus.sh" -o "$STABLE_OUT" "$STABLE_CORPUS" "$KVER" 2
rm -rf "$STABLE_OUT"
# kpatch's integration corpus (make corpus CORPUS=...): its builds, its two
# refusals with their codes, each patch loaded and unloaded in the test
# machine, combined and stacked; a change to refusal or diff logic cannot
# pass unseen. Skipped with a message where ../shared is absent.
KPATCH_CORPUS=${KPATCH_CORPUS:-$ROOT/../shared/corpus/kpatch-integration}
KPATCH_OUT=$(mktemp -d /tmp/livefix-check-kpatch-XXXXXX)
count kpatch-corpus "$ROOT/tests/corpus/run-kpatch-corpus.sh" -o "$KPATCH_OUT" "$KPATCH_CORPUS" "$KVER"
rm -rf "$KPATCH_OUT"
for t in "$ROOT"/tests/vm/test_*.sh; do
	count "$(basename "$t")" "$t" "$KVER"
done
echo
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
