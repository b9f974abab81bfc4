# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the VM tests' guest scripts (/root/livepatch.sh in the guest,
# added with lib.sh's vm_guest_lib): load, unload and inspect a live patch,
# printing the lines the host-side checks look for. A LABEL, when given,
# starts each line, for a guest that tries more than one patch.

# lp_load KO [LABEL]: livefix load; on failure "LABEL load failed:" and
# livefix's output. Returns load's status.
lp_load() {
	livefix load "$1" >/tmp/lp-out 2>&1 && return 0
	echo "${2:+$2 }load failed:"
	cat /tmp/lp-out
	return 1
}

# lp_unload NAME [LABEL]: livefix unload; "LABEL unload failed:" with its
# output, and "LABEL still in /sys/kernel/livepatch" when the patch stays.
lp_unload() {
	livefix unload "$1" >/tmp/lp-out 2>&1 || { echo "${2:+$2 }unload failed:"; cat /tmp/lp-out; }
	[ -d "/sys/kernel/livepatch/$(echo "$1" | tr - _)" ] &&
		echo "${2:+$2 }still in /sys/kernel/livepatch"
	return 0
}

# lp_runpre [LABEL]: the kernel log's last run-pre line, as
# "LABEL run-pre: ...".
lp_runpre() {
	dmesg | grep 'run-pre check passed' | tail -1 | sed "s/^\[[^]]*\] */${1:+$1 }run-pre: /"
}

# lp_patched NAME OBJECT...: "OBJECT patched: 1" or 0 for each object.
lp_patched() {
	lp_dir=/sys/kernel/livepatch/$(echo "$1" | tr - _)
	shift
	for lp_o in "$@"; do
		echo "$lp_o patched: $(cat "$lp_dir/$lp_o/patched")"
	done
}
