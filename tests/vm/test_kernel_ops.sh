#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# VM test of load / list / info / unload on the real Debian kernel, with two
# small live patch modules built here against the kernel's headers:
#   livepatch-sample  replaces cmdline_proc_show (/proc/cmdline shows it)
#   livepatch-stall   replaces hrtimer_nanosleep, so its transition cannot
#                     finish while a task sleeps: load must report that task
#                     with its kernel stack, revert and remove the module.
# usage: test_kernel_ops.sh [KVER]   (LIVEFIX=path to the binary to test,
#        HEADERS=linux-headers dir, KCC=compiler the kernel was built with)
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
CACHE=${LIVEFIX_CACHE:-/var/cache/livefix}
HEADERS=${HEADERS:-$CACHE/$KVER/root/usr/src/linux-headers-$KVER}
KCC=${KCC:-gcc-12}
OUT=$(mktemp -d /tmp/livefix-kernel-ops-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
. "$ROOT/tests/vm/lib.sh"

fail() { echo "FAIL kernel-ops: $*"; echo "vm kernel-ops: 0 passed, 1 failed"; exit 1; }
[ -x "$LIVEFIX" ] || fail "no livefix binary at $LIVEFIX (run make)"
[ -d "$HEADERS" ] || fail "no kernel headers at $HEADERS (run livefix fetch)"

build_module() { # name func new-function [module_info]
	vm_klp_module "$OUT/$1" "livepatch-$1" "$2" "$3" "${4:-}" ||
		{ tail -20 "$OUT/$1/build.log"; fail "building $1 failed"; }
}

guest_script() {
	cat <<'GUEST'
#!/bin/sh
n=0
fail() { echo "FAIL $*"; echo "--- output:"; cat out err 2>/dev/null; exit 1; }
run() { # expected-status command...
	want=$1; shift
	"$@" >out 2>err; rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want"
	n=$((n + 1))
}
has() { # file text
	grep -qF -- "$2" "$1" || fail "no '$2' in $1 of the last command"
}

run 0 livefix list
has out "Loaded patch modules:"
has out "Installed patch modules:"

run 0 livefix info livepatch-sample.ko
has out "Patch information for livepatch-sample.ko:"
has out "livepatch:        Y"
has out "vermagic:         $(uname -r) "

run 0 livefix load livepatch-sample.ko
has out "loading patch module: livepatch-sample.ko"
has out "waiting (up to 15 seconds) for patch transition to complete..."
has out "transition complete ("
grep -q livefix_kernel_ops_sample /proc/cmdline || fail "patch not live"

run 1 livefix load livepatch-sample.ko
has err "'livepatch_sample' is already loaded"

run 0 livefix list
has out "livepatch_sample [enabled]"
run 0 livefix list --json
has out '"name":"livepatch_sample","enabled":true,"transition":false'
has out '"object":"vmlinux","function":"cmdline_proc_show","sympos":1'

run 0 livefix info livepatch_sample
has out "module file not found"
has out "vmlinux:cmdline_proc_show,1"

# A sleeping task pins hrtimer_nanosleep: the transition must stall.
sleep 1000 &
sleeper=$!
sleep 1
run 1 livefix load --timeout 2 livepatch-stall.ko
has err "failed [on-stack]: patch 'livepatch_stall' did not complete its transition within 2 seconds"
has err "sleep (pid $sleeper, tid $sleeper) is still unpatched"
has err "hrtimer_nanosleep"
has out "reverting patch module: livepatch_stall"
has out "unloading patch module: livepatch_stall"
[ -e /sys/kernel/livepatch/livepatch_stall ] && fail "stalled patch left in sysfs"
[ -e /sys/module/livepatch_stall ] && fail "stalled module left loaded"
kill $sleeper

run 0 livefix unload livepatch-sample.ko
has out "disabling patch module: livepatch_sample"
has out "transition complete ("
has out "unloading patch module: livepatch_sample"
grep -q livefix_kernel_ops_sample /proc/cmdline && fail "patch still live"

run 1 livefix unload livepatch_sample
has err "'livepatch_sample' is not loaded"

# --all goes newest first
run 0 livefix load livepatch-sample.ko
run 0 livefix load livepatch-stall.ko
run 0 livefix unload --all
first=$(grep -n "unloading patch module: livepatch_stall" out | cut -d: -f1)
second=$(grep -n "unloading patch module: livepatch_sample" out | cut -d: -f1)
[ -n "$first" ] && [ -n "$second" ] && [ "$first" -lt "$second" ] ||
	fail "unload --all did not go newest first"
run 0 livefix list
[ "$(cat out)" = "$(printf 'Loaded patch modules:\n\nInstalled patch modules:')" ] ||
	fail "patches left after unload --all"
echo "guest: $n commands as expected"
GUEST
}

build_module sample cmdline_proc_show '
static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "livefix_kernel_ops_sample");
	return 0;
}' 'MODULE_DESCRIPTION("livefix kernel-ops test patch");'
build_module stall hrtimer_nanosleep '
static long livepatch_hrtimer_nanosleep(ktime_t rqtp, const enum hrtimer_mode mode,
					const clockid_t clockid)
{
	return 0;
}'
guest_script >"$OUT/guest.sh"
if "$ROOT/tests/vm/vm.sh" --kver "$KVER" --add "$LIVEFIX:/usr/bin/livefix" \
	--add "$OUT/sample/livepatch-sample.ko:/root/livepatch-sample.ko" \
	--add "$OUT/stall/livepatch-stall.ko:/root/livepatch-stall.ko" \
	"$OUT/guest.sh"; then
	echo "ok kernel-ops"; echo "vm kernel-ops: 1 passed, 0 failed"
else
	echo "FAIL kernel-ops"; echo "vm kernel-ops: 0 passed, 1 failed"; exit 1
fi
