#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# livefix test VM: guest init (PID 1), installed as /init by tests/vm/vm.sh.
#
# Serial ports (the host side, vm.sh, reads each into its own file):
#   ttyS0  console: kernel messages and the markers below (for diagnosis)
#   ttyS1  the script's stdout        ttyS2  the script's stderr
#   ttyS3  status: "begin <uptime>", then "oops <dmesg line>"..., "exit <status>"
# Keeping the script's output on ports of its own means no kernel noise can
# get into it. The console also gets a sentinel line "LIVEFIX-VM-EXIT <status>",
# which vm.sh falls back on if ttyS3 is unusable.
#
# POSIX sh (busybox ash). PID 1 must never exit: that would panic the kernel.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
# The script's output is read back from a serial port, not watched on a
# terminal: tools must not draw progress lines into it.
CI=true
export PATH HOME CI

con=/dev/console
say() { echo "livefix-vm: $*" >"$con"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
# Optional: debugfs and tracefs (kernels without them still run the script).
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname livefix-vm

# Raw, no echo, no \n -> \r\n on the output ports: bytes reach the host as
# written. termios of a serial port is kept across closes, so once is enough.
for p in 1 2 3; do
	stty -F /dev/ttyS$p raw -echo 2>/dev/null || say "warning: stty ttyS$p failed"
done

# Settings passed by vm.sh (LIVEFIX_VM_KVER ...), if any.
[ -r /livefix-vm/env ] && . /livefix-vm/env

# The marker carries the guest's uptime: the boot-to-script time.
read -r up _ </proc/uptime
say "begin script (uptime ${up}s)"
echo "begin $up" >/dev/ttyS3
cd /root || cd /
sh /livefix-vm/script </dev/null >/dev/ttyS1 2>/dev/ttyS2
rc=$?
read -r up _ </proc/uptime
say "end script (exit $rc, uptime ${up}s)"

# Kernel log check: every warning, BUG, oops or call trace goes to the host.
dmesg | grep -E 'Call Trace|BUG:|WARNING:|Oops' >/tmp/.livefix-vm-oops
{
	sed 's/^/oops /' /tmp/.livefix-vm-oops
	echo "exit $rc"
} >/dev/ttyS3
echo "LIVEFIX-VM-EXIT $rc" >"$con"

sync
poweroff -f
# Not reached; if poweroff ever fails, wait for the host's timeout.
while :; do sleep 3600; done
