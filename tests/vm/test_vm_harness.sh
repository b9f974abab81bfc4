#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Tests of the test machine itself (tests/vm/vm.sh) on the pinned kernel:
# exact output, exit status, stderr kept apart, uname, /sys/kernel/livepatch,
# a kernel module loaded with modprobe, a dynamic executable with its
# libraries, the dmesg check, and the panic / timeout statuses.
# usage: test_vm_harness.sh [KVER]      (ends with "N passed, N failed")
set -u
KVER=${1:-6.1.0-47-amd64}
. "$(dirname "$0")/lib.sh"

if ! vm_locate "$KVER"; then
	echo "skip: kernel $KVER not found (no boot/vmlinuz-$KVER and lib/modules/$KVER"
	echo "      under \$LIVEFIX_VM_ROOT, or $(vm_cachedir)/$KVER/root)"
	echo "0 passed, 0 failed, 11 skipped"
	exit 0
fi
echo "kernel: $VM_KERNEL"
T=$(mktemp -d /tmp/livefix-vmharness-XXXXXX)
# Runs that fail on purpose keep a directory for diagnosis (named on stderr):
# forget() removes those of output $1.
forget() { sed -n 's,.*(console log: \(.*\)/console\.log)$,\1,p' <<<"$1" | xargs -r rm -rf; }
trap 'rm -rf "$T"' EXIT

# 1. Output comes back byte for byte (odd whitespace, backslashes, empty
#    lines, no final newline), stderr stays out of stdout, status 3 is kept.
#    The expected output is the same script run by busybox sh on the host.
cat >"$T/out.sh" <<'EOF'
printf 'line one\n\n  two\tspaced  \nback\\slash $HOME * ?\n'
echo "to stderr" >&2
i=0; while [ $i -lt 300 ]; do printf '%03d ' $i; i=$((i + 1)); done; echo
printf 'no newline at the end'
exit 3
EOF
want=$(busybox sh "$T/out.sh" 2>/dev/null; echo x)
seen=$(vm_run "$T/out.sh" 2>"$T/out.err"; echo "rc=$?"; echo x)
t_eq "output is exact" "${want%x}" "${seen%rc=*}"
t_eq "exit status 3 propagates" "rc=3" "$(printf '%s' "$seen" | grep -o 'rc=[0-9]*$')"
t_eq "stderr comes back on stderr" "to stderr" "$(cat "$T/out.err")"

# 2. The guest: kernel release, livepatch support, a module with its
#    dependencies (xfs needs libcrc32c, which has a softdep on crc32c), and a
#    dynamic executable added with --add (kmod: libzstd, liblzma, libcrypto).
cat >"$T/guest.sh" <<'EOF'
echo "uname=$(uname -r)"
[ -d /sys/kernel/livepatch ] && echo "livepatch=yes"
modprobe xfs && echo "modprobe=ok"
echo "modules=$(cut -d' ' -f1 /proc/modules | grep -x -e xfs -e libcrc32c | sort | tr '\n' ' ')"
echo "kmod=$(/root/kmod --version | head -1)"
EOF
seen=$(vm_run --with-module xfs --add "$(command -v kmod)" "$T/guest.sh" 2>&1)
t_eq "uname -r in the guest" "uname=$KVER" "$(grep '^uname=' <<<"$seen")"
t_eq "/sys/kernel/livepatch exists" "livepatch=yes" "$(grep '^livepatch=' <<<"$seen")"
t_eq "modprobe xfs loads xfs and libcrc32c" "modprobe=ok modules=libcrc32c xfs " \
	"$(grep -e '^modprobe=' -e '^modules=' <<<"$seen" | tr '\n' ' ' | sed 's/ $//')"
t_eq "dynamic executable runs with its libraries" "kmod=$(kmod --version | head -1)" \
	"$(grep '^kmod=' <<<"$seen")"

# 3. A WARNING in the kernel log fails a passing script (status 120), and
#    the line is shown. The script comes from stdin here ("-").
seen=$(echo 'echo "WARNING: livefix harness test" >/dev/kmsg' | vm_run - 2>&1; echo "rc=$?")
t_eq "kernel WARNING gives status 120" "rc=120" "$(grep -o 'rc=[0-9]*$' <<<"$seen")"
t_match "kernel WARNING line is shown" 'WARNING: livefix harness test' "$seen"
forget "$seen"

# 4. A kernel panic and a timeout have their own statuses (121, 124).
seen=$(echo 'echo c >/proc/sysrq-trigger' | vm_run - 2>&1; echo "rc=$?")
t_eq "kernel panic gives status 121" "rc=121" "$(grep -o 'rc=[0-9]*$' <<<"$seen")"
t_match "kernel panic: the kernel's last words are shown" '\| .*(sysrq|SysRq)' "$seen"
forget "$seen"
# A guest that dies before its script begins (no init to run here) is
# booted once more, and said so; twice dead is a panic, with its context.
seen=$(echo 'echo never runs' | vm_run --append "rdinit=/livefix-no-such-init init=/livefix-no-such-init" - 2>&1; echo "rc=$?")
t_eq "panic before the script: status 121 after a second boot" "rc=121" "$(grep -o 'rc=[0-9]*$' <<<"$seen")"
t_eq "panic before the script: booted once more, and said so" "1" \
	"$(grep -c 'stopped before the script began.*booting once more' <<<"$seen")"
t_match "panic before the script: the kernel's last words are shown" '^  \| \[ *[0-9.]+\] Kernel panic - not syncing: VFS' "$seen"
forget "$seen"
seen=$(echo 'sleep 600' | vm_run --timeout 15 - 2>&1; echo "rc=$?")
t_eq "timeout gives status 124" "rc=124" "$(grep -o 'rc=[0-9]*$' <<<"$seen")"
forget "$seen"
t_summary
