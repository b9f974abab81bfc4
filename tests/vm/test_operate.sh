#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# VM test of operating live patches on a host (install, boot-time load,
# uname, show, upgrade, remove, status, a stalled transition), on the real
# Debian kernel, with small live patch modules built here against the
# kernel's headers and carrying livefix's metadata by hand:
#   livepatch-op-a      cmdline_proc_show, effective 6.1.176-1, CVE-2026-1001
#   livepatch-op-b      version_proc_show, effective 6.1.178-1, CVE-2026-1002
#   livepatch-op-stall  hrtimer_nanosleep: cannot finish while `sleep` runs
# The guest has no disk, so "reboot" is two boots with the same prepared
# /var/lib/livefix (made on the host with `livefix install`); each boot's
# first step is `livefix load --all`, what livefix.service runs. A third
# boot has livefix.skip on the kernel command line.
# usage: test_operate.sh [KVER]   (LIVEFIX, HEADERS, KCC as test_kernel_ops.sh)
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
CACHE=${LIVEFIX_CACHE:-/var/cache/livefix}
HEADERS=${HEADERS:-$CACHE/$KVER/root/usr/src/linux-headers-$KVER}
KCC=${KCC:-gcc-12}
OUT=$(mktemp -d /tmp/livefix-operate-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
. "$ROOT/tests/vm/lib.sh"

abort() { echo "FAIL operate: $*"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$LIVEFIX" ] || abort "no livefix binary at $LIVEFIX (run make)"
[ -d "$HEADERS" ] || abort "no kernel headers at $HEADERS (run livefix fetch)"

# write_module NAME FUNC NEW-FUNCTION-SOURCE EFFECTIVE CVE BUILT
write_module() {
	vm_klp_module "$OUT/$1" "$1" "$2" "$3" "MODULE_DESCRIPTION(\"Operate test: $2\");
MODULE_INFO(livefix_version, \"test\");
MODULE_INFO(livefix_kernel, \"$KVER\");
MODULE_INFO(livefix_functions, \"vmlinux:$2,0\");
MODULE_INFO(livefix_effective_version, \"$4\");
MODULE_INFO(livefix_cves, \"$5\");
MODULE_INFO(livefix_built, \"$6\");" ||
		{ tail -20 "$OUT/$1/build.log"; abort "building $1 failed"; }
}

write_module livepatch-op-a cmdline_proc_show '
static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "livefix_operate_a");
	return 0;
}' 6.1.176-1 CVE-2026-1001 2026-11-01T00:00:00Z
write_module livepatch-op-b version_proc_show '
static int livepatch_version_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "livefix_operate_b");
	return 0;
}' 6.1.178-1 CVE-2026-1002 2026-11-02T00:00:00Z
write_module livepatch-op-stall hrtimer_nanosleep '
static long livepatch_hrtimer_nanosleep(ktime_t rqtp, const enum hrtimer_mode mode,
					const clockid_t clockid)
{
	return 0;
}' 6.1.177-1 CVE-2026-1003 2026-11-03T00:00:00Z

# The prepared /var/lib/livefix: installed on the host, as on a real host.
mkdir -p "$OUT/lib" "$OUT/updates"
LIVEFIX_LIB_DIR=$OUT/lib "$LIVEFIX" install "$OUT/livepatch-op-a/livepatch-op-a.ko" \
	>"$OUT/install.out" 2>&1 || { cat "$OUT/install.out"; abort "livefix install failed"; }
t_eq "host: install message" "installing livepatch-op-a.ko ($KVER)" "$(cat "$OUT/install.out")"
t_eq "host: installed file mode" "600" "$(stat -c %a "$OUT/lib/$KVER/livepatch-op-a.ko")"
t_eq "host: install dir mode" "700" "$(stat -c %a "$OUT/lib/$KVER")"
t_eq "host: install order" "livepatch-op-a.ko" "$(cat "$OUT/lib/$KVER/install-order")"
cp "$OUT/livepatch-op-b/livepatch-op-b.ko" "$OUT/updates/"

# Guest helpers: the same ok/FAIL lines as lib.sh, counted on the host.
guest_prelude() {
	cat <<'GUEST'
#!/bin/sh
check() { # name expected seen
	if [ "$2" = "$3" ]; then echo "ok   $1"
	else printf 'FAIL %s\n  expected: %s\n  seen:     %s\n' "$1" "$2" "$3"; fi
}
has() { # name text command...  (text in stdout+stderr of the command)
	name=$1 text=$2; shift 2
	seen=$("$@" 2>&1)
	case "$seen" in *"$text"*) echo "ok   $name" ;;
	*) printf 'FAIL %s\n  expected: output containing %s\n  seen:     %s\n' "$name" "$text" "$seen" ;; esac
}
status_of() { "$@" >/dev/null 2>&1; echo $?; }
# The boot step, as livefix.service runs it.
livefix load --all >/tmp/boot.out 2>&1; boot_rc=$?
deb=$(sed 's/.*Debian \([^ ]*\).*/\1/' /proc/sys/kernel/version)
GUEST
}

boot1() {
	guest_prelude
	cat <<'GUEST'
check "boot: load --all status" 0 "$boot_rc"
has "boot: load --all loaded it" "loading patch module: livepatch-op-a.ko" cat /tmp/boot.out
has "boot: patch live" livefix_operate_a cat /proc/cmdline
check "uname -e" 6.1.176-1 "$(livefix uname -e)"
check "uname" "$(sed 's/Debian [^ ]*/Debian 6.1.176-1/' /proc/sys/kernel/version)" "$(livefix uname)"
check "uname -r" "$(uname -r)" "$(livefix uname -r)"
check "uname -a" "$(uname -a | sed 's/Debian [^ ]*/Debian 6.1.176-1/')" "$(livefix uname -a)"
check "show" "Installed updates:
[livepatch_op_a] Operate test: cmdline_proc_show (CVE-2026-1001)

Effective kernel version is 6.1.176-1" "$(livefix show)"
has "status --json patch" '"name":"livepatch_op_a","state":"enabled","loaded":true,"installed":true' livefix status --json
has "status --json kernel" "\"debian_version\":\"$deb\",\"effective_version\":\"6.1.176-1\",\"effective_from\":\"livepatch_op_a\",\"livepatch_supported\":true" livefix status --json
has "status --json no transition" '"transition":null}' livefix status --json
# livefix report: the status in the console's envelope (docs/console.md);
# these modules were not built by livefix build: no source patch kept.
has "report --dry-run: envelope" '{"report_version":1,"host":"guest-1","seq":' livefix report --dry-run --host guest-1
has "report --dry-run: the patch" '"name":"livepatch_op_a","state":"enabled","loaded":true,"installed":true' livefix report --dry-run --host guest-1
has "report --dry-run: no source patch in the module" '"source_patch":null}' livefix report --dry-run --host guest-1
has "status --vex" '{"vulnerability":{"name":"CVE-2026-1001"},"products":[{"@id":"pkg:deb/debian/linux-image-'"$(uname -r)"'-unsigned@'"$deb"'?arch=amd64"}],"status":"fixed","status_notes":"live patched by livepatch-op-a"}' livefix status --vex
check "load --all again: nothing to do" 0 "$(status_of livefix load --all)"

# upgrade from a directory of updates
check "show --available" "Available updates:
[livepatch_op_b] Operate test: version_proc_show (CVE-2026-1002)

Effective kernel version is 6.1.176-1" "$(livefix show --available /root/updates)"
check "upgrade without -y refused" 2 "$(status_of livefix upgrade /root/updates)"
check "upgrade -y" "The following steps will be taken:
Install [livepatch_op_b] Operate test: version_proc_show (CVE-2026-1002)
Installing [livepatch_op_b] Operate test: version_proc_show (CVE-2026-1002)
Your kernel is fully up to date.
Effective kernel version is 6.1.178-1" "$(livefix upgrade -y /root/updates)"
has "upgraded patch live" livefix_operate_b cat /proc/version
check "uname -e after upgrade" 6.1.178-1 "$(livefix uname -e)"

# A stalled transition: reverted, with the blocking task named.
sleep 1000 &
sleeper=$!
sleep 1
livefix load --timeout 2 /root/livepatch-op-stall.ko >/tmp/o 2>/tmp/e; rc=$?
check "stalled load fails" 1 "$rc"
has "stall: blocking task named" "sleep (pid $sleeper, tid $sleeper) is still unpatched" cat /tmp/e
has "stall: its stack" hrtimer_nanosleep cat /tmp/e
has "stall: its code" "livefix: error: failed [on-stack]: patch 'livepatch_op_stall'" cat /tmp/e
has "stall: reverted" "reverting patch module: livepatch_op_stall" cat /tmp/o
check "stall: module gone" no "$([ -e /sys/module/livepatch_op_stall ] && echo yes || echo no)"
# Left in transition (--no-revert): status shows the stalled task.
livefix load --timeout 2 --no-revert /root/livepatch-op-stall.ko >/dev/null 2>/tmp/e
has "no-revert: its code" "livefix: error: failed [transition-stall]: patch 'livepatch_op_stall'" cat /tmp/e
has "status: transition" '"transition":{"patch":"livepatch_op_stall","target":"patched","stalled_tasks":[{"pid":'"$sleeper"',"tid":'"$sleeper"',"comm":"sleep","state":"unpatched","stack":[' livefix status --json
has "status plain: transition" "livepatch_op_stall, to the patched state; 1 task not switched yet" livefix status
has "show: in transition" "[livepatch_op_stall] Operate test: hrtimer_nanosleep (CVE-2026-1003) (in transition)" livefix show
check "uname ignores a patch in transition" 6.1.178-1 "$(livefix uname -e)"
kill $sleeper; wait $sleeper 2>/dev/null
# Busy-wait (up to 20 s of uptime): a `sleep` here would itself sit in
# hrtimer_nanosleep, the function this patch replaces.
end=$(( $(cut -d. -f1 /proc/uptime) + 20 ))
while [ "$(cat /sys/kernel/livepatch/livepatch_op_stall/transition 2>/dev/null)" = 1 ] &&
	[ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do :; done
check "transition completes once the task is gone" 0 "$(cat /sys/kernel/livepatch/livepatch_op_stall/transition)"

# remove --all: newest first, back to the kernel's own version.
livefix remove --all -y >/tmp/o 2>&1; rc=$?
check "remove --all" 0 "$rc"
has "remove: steps" "Remove [livepatch_op_stall]" cat /tmp/o
first=$(grep -n "Removing \[livepatch_op_stall\]" /tmp/o | cut -d: -f1)
last=$(grep -n "Removing \[livepatch_op_a\]" /tmp/o | cut -d: -f1)
check "remove: newest first" yes "$([ -n "$first" ] && [ -n "$last" ] && [ "$first" -lt "$last" ] && echo yes || echo no)"
has "remove: effective version" "Effective kernel version is $deb" cat /tmp/o
check "uname -e after remove" "$deb" "$(livefix uname -e)"
has "status: installed, not loaded" '"name":"livepatch_op_a","state":"not-loaded","loaded":false,"installed":true' livefix status --json

# --force: the stalled transition forced through after the warning.
sleep 1000 &
sleeper=$!
sleep 1
livefix load --timeout 2 --force /root/livepatch-op-stall.ko >/tmp/o 2>/tmp/e; rc=$?
check "force: load succeeds" 0 "$rc"
has "force: stall reported first" "sleep (pid $sleeper, tid $sleeper) is still unpatched" cat /tmp/e
has "force: warning" "warning: forcing the transition of 'livepatch_op_stall'" cat /tmp/e
has "force: done" "transition forced (" cat /tmp/o
check "force: transition over" 0 "$(cat /sys/kernel/livepatch/livepatch_op_stall/transition)"
has "force: kernel log" "forcing remaining tasks to the patched state" dmesg
check "force: patch (not itself forced out) unloads" 0 "$(status_of livefix unload livepatch_op_stall)"
kill $sleeper
GUEST
}

boot2() { # the reboot: the same /var/lib/livefix, loaded again at boot
	guest_prelude
	cat <<'GUEST'
check "reboot: load --all status" 0 "$boot_rc"
has "reboot: patch live again" livefix_operate_a cat /proc/cmdline
check "reboot: uname -e" 6.1.176-1 "$(livefix uname -e)"
GUEST
}

boot3() { # livefix.skip on the kernel command line
	guest_prelude
	cat <<'GUEST'
check "skip: load --all status" 0 "$boot_rc"
has "skip: message" "livefix.skip on the kernel command line: not loading installed patches" cat /tmp/boot.out
check "skip: not loaded" no "$([ -e /sys/kernel/livepatch/livepatch_op_a ] && echo yes || echo no)"
check "skip: uname -e" "$deb" "$(livefix uname -e)"
has "skip: status" '"state":"not-loaded"' livefix status --json
GUEST
}

# run_boot NAME SCRIPT-FUNCTION [vm.sh options]
run_boot() {
	local name=$1 fn=$2 rc
	shift 2
	"$fn" >"$OUT/$name.sh"
	"$ROOT/tests/vm/vm.sh" --kver "$KVER" --add "$LIVEFIX:/usr/bin/livefix" \
		--add "$OUT/lib/$KVER:/var/lib/livefix/" \
		--add "$OUT/livepatch-op-stall/livepatch-op-stall.ko:/root/livepatch-op-stall.ko" \
		--add "$OUT/updates:/root/" \
		"$@" "$OUT/$name.sh" >"$OUT/$name.out" 2>"$OUT/$name.err"
	rc=$?
	cat "$OUT/$name.out"
	T_PASSED=$((T_PASSED + $(grep -c '^ok ' "$OUT/$name.out")))
	T_FAILED=$((T_FAILED + $(grep -c '^FAIL ' "$OUT/$name.out")))
	if [ "$rc" -ne 0 ]; then
		t_fail "$name: vm.sh" "exit 0" "exit $rc: $(tail -5 "$OUT/$name.err")"
	fi
}

run_boot boot1 boot1
run_boot boot2 boot2
run_boot boot3 boot3 --append livefix.skip
t_summary
