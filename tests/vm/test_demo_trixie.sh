#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The second pinned kernel, trixie's (KVER_TRIXIE in the Makefile): the demo
# patch built for it from this bookworm host (its inputs through a private
# apt configuration, its compiler in a build root of trixie), then loaded,
# seen in /proc/version and unloaded in the test machine booting it.
# Skipped with a message when its inputs are not cached and cannot be
# fetched, or where its build root cannot be entered. The first argument
# (make check's 6.1 KVER) is not used.
# usage: test_demo_trixie.sh        (ends with "N passed, N failed")
set -u
KVER=${KVER_TRIXIE:-6.12.107+deb13-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
LIVEFIX=${LIVEFIX:-$ROOT/livefix}

trixie_ready_or_skip "$KVER" "$LIVEFIX" || exit 0
OUT=$(mktemp -d /tmp/livefix-trixie-demo-XXXXXX)
trap 'rm -rf "$OUT"' EXIT

if "$LIVEFIX" build -k "$KVER" -o "$OUT" "$ROOT/examples/proc-version.patch" >"$OUT/build.log" 2>&1; then
	t_pass "build of the demo patch for $KVER"
else
	t_fail "build of the demo patch for $KVER" "exit 0" "exit $?: $(tail -5 "$OUT/build.log")"
	t_summary
	exit 1
fi
seen=$(cd "$ROOT" && tests/vm/vm.sh --kver "$KVER" \
	--add "$LIVEFIX:/usr/bin/livefix" \
	--add "$OUT/livepatch-proc-version.ko:/root/livepatch-proc-version.ko" \
	tests/vm/guest-demo.sh 2>&1)
t_match "loaded, seen in /proc/version, unloaded on $KVER" \
	"demo: /proc/version was patched live and restored" "$seen"
t_summary
