#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test machine for `make demo`: the kpatch workflow users
# know, with livefix.
set -e
run() { echo "# $*"; "$@"; }
cd /root
run cat /proc/version
run livefix load livepatch-proc-version.ko
run cat /proc/version
grep -q '^In version_proc_show' /proc/version || { echo "demo: the patch is not visible in /proc/version"; exit 1; }
run livefix list
run livefix info livepatch-proc-version.ko
run livefix unload livepatch-proc-version
run cat /proc/version
grep -q '^In version_proc_show' /proc/version && { echo "demo: /proc/version not restored"; exit 1; }
echo "demo: /proc/version was patched live and restored"
