# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# tests/vm/lib.sh — helpers for VM tests (bash). Source it:
#   . "$(dirname "$0")/lib.sh"
#   vm_locate "$KVER" || { t_skip_all "kernel $KVER not found"; exit 0; }
#   out=$(vm_run --with-module xfs script.sh) ...
#   t_eq "uname" "$KVER" "$out"
#   t_summary          # prints "N passed, N failed[, N skipped]", returns 0/1

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_SH=$VM_DIR/vm.sh

# livefix's per-version cache: $LIVEFIX_CACHE, else /var/cache/livefix for
# root, else ${XDG_CACHE_HOME:-$HOME/.cache}/livefix.
vm_cachedir() {
	if [ -n "${LIVEFIX_CACHE:-}" ]; then echo "$LIVEFIX_CACHE"
	elif [ "$(id -u)" = 0 ]; then echo /var/cache/livefix
	else echo "${XDG_CACHE_HOME:-$HOME/.cache}/livefix"
	fi
}

# vm_locate KVER: find the kernel image and module tree of KVER; sets VM_KVER,
# VM_KERNEL, VM_MODROOT. Looks in $LIVEFIX_VM_ROOT (a root holding boot/ and
# lib/modules/), then in the cache (<cache>/KVER/root).
vm_locate() {
	local r
	VM_KVER=$1
	for r in ${LIVEFIX_VM_ROOT:+"$LIVEFIX_VM_ROOT"} "$(vm_cachedir)/$1/root"; do
		if [ -r "$r/boot/vmlinuz-$1" ] && [ -d "$r/lib/modules/$1" ]; then
			VM_KERNEL=$r/boot/vmlinuz-$1 VM_MODROOT=$r
			return 0
		fi
	done
	return 1
}

# vm_run [vm.sh options] SCRIPT: vm.sh on the located kernel.
vm_run() {
	"$VM_SH" --kver "$VM_KVER" --kernel "$VM_KERNEL" --modules-root "$VM_MODROOT" "$@"
}

# The --add argument that gives a guest script tests/vm/guest/livepatch.sh
# as /root/livepatch.sh (lp_load, lp_unload, lp_runpre, lp_patched).
vm_guest_lib() { echo "$(dirname "${BASH_SOURCE[0]}")/guest/livepatch.sh:/root/livepatch.sh"; }

T_PASSED=0 T_FAILED=0 T_SKIPPED=0
t_pass() { T_PASSED=$((T_PASSED + 1)); echo "ok   $1"; }
# t_fail NAME EXPECTED SEEN
t_fail() {
	T_FAILED=$((T_FAILED + 1))
	echo "FAIL $1"
	printf '  expected: %s\n' "$2"
	printf '  seen:     %s\n' "$3"
}
t_skip() { T_SKIPPED=$((T_SKIPPED + 1)); echo "skip $1${2:+: $2}"; }
# t_eq NAME EXPECTED SEEN
t_eq() { if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "$2" "$3"; fi; }
# t_match NAME REGEX SEEN (grep -E on any line)
t_match() {
	if printf '%s\n' "$3" | grep -qE -- "$2"; then t_pass "$1"
	else t_fail "$1" "a line matching /$2/" "$3"
	fi
}
t_summary() {
	if [ "$T_SKIPPED" -gt 0 ]; then
		echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	else
		echo "$T_PASSED passed, $T_FAILED failed"
	fi
	[ "$T_FAILED" -eq 0 ]
}

# vm_klp_module DIR NAME FUNC NEW-FUNCTION [MODULE_INFO...]: a live patch
# module NAME written in DIR (NAME.c, Kbuild) and built there against
# $HEADERS with $KCC, as test_kernel_ops.sh and test_operate.sh make theirs
# by hand: it replaces vmlinux's FUNC with livepatch_FUNC, which the C of
# NEW-FUNCTION defines; MODULE_INFO is C lines at its end (a description,
# livefix's metadata). make's output in DIR/build.log; returns its status.
vm_klp_module() {
	mkdir -p "$1"
	cat >"$1/$2.c" <<MODULE_EOF
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include <linux/hrtimer.h>
$4
static struct klp_func funcs[] = {
	{ .old_name = "$3", .new_func = livepatch_$3, },
	{ }
};
static struct klp_object objs[] = { { .funcs = funcs, }, { } };
static struct klp_patch patch = { .mod = THIS_MODULE, .objs = objs, };

static int livepatch_init(void) { return klp_enable_patch(&patch); }
static void livepatch_exit(void) { }
module_init(livepatch_init);
module_exit(livepatch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
${5:-}
MODULE_EOF
	echo "obj-m := $2.o" >"$1/Kbuild"
	make -C "$HEADERS" M="$1" CC="$KCC" modules >"$1/build.log" 2>&1
}

# A trixie kernel's tests need its build root (entered through a private
# mount namespace: not possible where / is no mount point, a plain chroot)
# and its inputs. Prints the skip lines and fails when either is missing.
# usage: trixie_ready_or_skip KVER LIVEFIX || exit 0
trixie_ready_or_skip() {
	local kver=$1 lf=$2 log
	if ! unshare -m sh -c 'mount --make-rprivate /' 2>/dev/null; then
		echo "skip: this machine cannot make a private mount namespace (/ is not a mount point: a chroot?), so the build root of $kver cannot be entered"
		echo "0 passed, 0 failed, 1 skipped"
		return 1
	fi
	log=$(mktemp /tmp/livefix-trixie-fetch.XXXXXX)
	if ! "$lf" fetch -k "$kver" >"$log" 2>&1; then
		echo "skip: the inputs of $kver are not cached and cannot be fetched:"
		tail -3 "$log" | sed 's/^/      /'
		rm -f "$log"
		echo "0 passed, 0 failed, 1 skipped"
		return 1
	fi
	rm -f "$log"
}
