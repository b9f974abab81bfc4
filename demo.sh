#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make demo: the seed's Figure 4 flow on a real Debian kernel booted in qemu.
# Builds a live patch from examples/proc-version.patch, boots the test
# machine and shows /proc/version before, while patched, and after.
set -eu
KVER=${1:-6.1.0-47-amd64}
cd "$(dirname "$0")"
OUT=${LIVEFIX_DEMO_OUT:-build/demo}

scripts/install-deps.sh
make -s livefix
mkdir -p "$OUT"

echo "== livefix build -k $KVER examples/proc-version.patch"
./livefix build -k "$KVER" -o "$OUT" examples/proc-version.patch

echo
echo "== booting Debian $KVER in qemu (TCG) and applying the patch live"
exec tests/vm/vm.sh --kver "$KVER" \
	--add ./livefix:/usr/bin/livefix \
	--add "$OUT/livepatch-proc-version.ko:/root/livepatch-proc-version.ko" \
	tests/vm/guest-demo.sh
