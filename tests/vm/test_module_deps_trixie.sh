#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_module_deps.sh on trixie's kernel (KVER_TRIXIE), with its own
# source of vfat_fill_super (tests/vm/module-deps/vfat-dependency-6.12.patch):
# fat_fill_super resolved through vfat's dependency, and vfat removed and
# loaded twice under the patch, where the kernel itself sets back what klp
# wrote for it (Linux 6.3 and later: the patch module must not, or the
# kernel's own clearing would find zeros and warn).
# Skipped with a message when trixie's inputs are not cached and cannot be
# fetched. The first argument (make check's 6.1 KVER) is not used.
# Ends with "N passed, N failed" (test_module_deps.sh's "vm module deps: ...").
set -u
KVER=${KVER_TRIXIE:-6.12.107+deb13-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/vm/lib.sh"

trixie_ready_or_skip "$KVER" "$ROOT/livefix" || exit 0
exec "$ROOT/tests/vm/test_module_deps.sh" "$KVER"
