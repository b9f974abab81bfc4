#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A fix in an exported function ftrace cannot redirect, patched through its
# callers in modules (docs/design.md, "Callers in modules"), on the real
# Debian kernel:
#  1. host: tests/vm/callers/match-uint-modules.patch changes lib/parser.c's
#     match_uint() (lib/ is built without fentry; exported). No unit of
#     vmlinux calls it; the modules isofs and udf do: their -dbg objects
#     name the calling functions and units, fs/isofs/inode.c and
#     fs/udf/super.c are compiled with the kernel's module commands, and
#     the module's only klp_funcs are isofs:isofs_fill_super and
#     udf:udf_parse_options, calling a global copy of the new match_uint;
#  2. guest: isofs is loaded after the patch (klp patches it as it loads;
#     udf is never loaded: nothing to do for it). Mounting a 16 KiB loop
#     device as isofs with -o uid=7 parses the options, then fails to read
#     the volume descriptor (block 16), which isofs_fill_super logs ("bread
#     failed") before the patch is loaded and after it is unloaded; while
#     it is loaded the new match_uint refuses 7 and the mount fails at the
#     options, logging nothing; uid=8 still reaches the read.
# Ends with "N passed, N failed".
set -u
. "$(dirname "$0")/callers/setup.sh" vmcallmod "${1:-}"

# --- host: the module
callers_build_guest_module mu match-uint-modules.patch
KO=$OUT/livepatch-mu.ko
LOG=$(cat "$OUT/build.log")
t_match "build: the modules' calls read" "Reading the calls of 2 module\(s\) to 'match_uint'" "$LOG"
t_match "build: isofs's unit compiled" \
	"Building original and patched fs/isofs/inode.c \(it calls 'match_uint'\)" "$LOG"
t_match "build: udf's unit compiled" \
	"Building original and patched fs/udf/super.c \(it calls 'match_uint'\)" "$LOG"
t_match "build: udf's caller replaced" \
	"'udf_parse_options' replaced: it calls 'match_uint', which has no fentry" "$LOG"
t_eq "module: the modules' callers are its only klp_funcs" \
	"isofs:isofs_fill_super,0,udf:udf_parse_options,0" "$(modinfo -F livefix_functions "$KO")"
t_match "module: the copy is global, for the modules' callers" \
	"^[0-9a-f]+ T __livefix_copy_0_match_uint$" "$(nm "$KO" 2>&1)"

# --- guest: before, while loaded, after
cat >"$OUT/guest.sh" <<'GUEST'
#!/bin/sh
. /root/livepatch.sh
dd if=/dev/zero of=/root/small.img bs=1024 count=16 2>/dev/null
modprobe loop
losetup /dev/loop0 /root/small.img || echo "losetup failed"
mkdir -p /mnt/i
read_tried() { dmesg | grep -c 'isofs_fill_super: bread failed'; }
try() { # uid: how many reads isofs has tried after the mount
	mount -t iso9660 -o "uid=$1" /dev/loop0 /mnt/i 2>/dev/null && umount /mnt/i
	read_tried
}
lp_load /root/livepatch-mu.ko
modprobe isofs || echo "modprobe isofs failed"
ls /sys/kernel/livepatch/livepatch_mu/ | sed 's/^/klp object: /'
ls /sys/kernel/livepatch/livepatch_mu/isofs/ 2>/dev/null | sed 's/^/klp isofs: /'
lp_patched livepatch-mu isofs udf
lp_runpre
a=$(read_tried); b=$(try 7); c=$(try 8)
echo "loaded: uid=7 $((b - a)) uid=8 $((c - b))"
lp_unload livepatch-mu
a=$(read_tried); b=$(try 7)
echo "after: uid=7 $((b - a))"
exit 0
GUEST
adds=(--add "$LF:/usr/bin/livefix" --add "$KO:/root/" --add "$(vm_guest_lib)")
out=$(vm_run --timeout 900 --with-module isofs --with-module loop "${adds[@]}" "$OUT/guest.sh" 2>&1)
rc=$?
t_eq "guest: the run ends cleanly (no oops, warning)" 0 "$rc"
t_match "guest: isofs, loaded after the patch, is a patched object" \
	"^klp isofs: isofs_fill_super,[01]$" "$out"
t_match "guest: run-pre checks the caller in isofs as it loads" \
	"^run-pre: .*run-pre check passed: 1 function\(s\) in isofs" "$out"
t_match "guest: isofs is patched" "^isofs patched: 1$" "$out"
t_match "guest: udf, never loaded, is not (nothing to do)" "^udf patched: 0$" "$out"
t_match "guest: while loaded, uid=7 is refused before the read; uid=8 still reads" \
	"^loaded: uid=7 0 uid=8 1$" "$out"
t_match "guest: after unload, uid=7 reaches the read again" "^after: uid=7 1$" "$out"
t_eq "guest: load, unload and the patch gone" "" "$(grep -E 'failed:|still in' <<<"$out")"

callers_summary "$out"
