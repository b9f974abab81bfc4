#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A fix in a function ftrace cannot redirect, patched through its callers
# (src/diff/callers.c, docs/design.md "Functions ftrace cannot redirect"),
# on the real Debian kernel:
#  1. host: tests/vm/callers/msgctl-stat.patch changes ipc/msg.c's
#     copy_msqid_to_user(), `static inline` (notrace): its out-of-line copy
#     in the running vmlinux has no `call __fentry__`. The module registers
#     its caller ksys_msgctl.constprop.0 as the only klp_func and carries
#     the new helper as a local copy;
#  2. guest: msgctl(IPC_STAT) returns 0 in the reserved word __unused5
#     before the load, 0x6c766678 while the patch is loaded (the replaced
#     caller calls the copy), 0 again after unload; the patch is gone from
#     /sys/kernel/livepatch, no warning in the kernel log (vm.sh);
#  3. host: a change to __do_sys_newuname, which its callers reach by a
#     tail call (jmp), is refused [no-fentry-callers], naming the caller;
#  4. a global function without fentry: mm/mmap.c's vma_expand(), which the
#     running vmlinux refers to only by calls from mmap_region() (its own
#     unit), is patched through that caller; the module loads in the guest,
#     processes map memory (mmap_region runs), it unloads. kernel/trace's
#     tracing_map_init() is called from trace_events_hist.c, another unit:
#     that unit is compiled and its caller, without fentry either and
#     reached through an ops table, is refused [no-fentry], named;
#  5. callers in another unit: kernel/trace/ftrace.c's ftrace_module_init()
#     (no fentry, global, not exported) is called from load_module() in
#     kernel/module/main.c: that unit is compiled and load_module replaced
#     to call the new copy (a global symbol of the module), the only
#     klp_func; in the guest the run-pre check covers both, and a module
#     loaded while the patch is on logs the new line, not before or after;
#  6. the same with a change to kernel/module/main.c in the patch, diffed
#     before ftrace.c's copy is known: every unit is diffed again with it,
#     and show_initstate and load_module are the klp_funcs (host only).
# Ends with "N passed, N failed".
set -u
. "$(dirname "$0")/callers/setup.sh" vmcallers "${1:-}"

# --- host: the module
callers_build_guest_module msgctl-stat msgctl-stat.patch
KO=$OUT/livepatch-msgctl-stat.ko
t_match "build: the caller is replaced, naming the helper" \
	"'ksys_msgctl.constprop.0' replaced: it calls 'copy_msqid_to_user.constprop.0', which has no fentry" \
	"$(cat "$OUT/build.log")"
t_eq "module: the caller is its only klp_func" "vmlinux:ksys_msgctl.constprop.0,0" \
	"$(modinfo -F livefix_functions "$KO")"
t_match "module: the helper is a local copy" "^[0-9a-f]+ t __livefix_copy_0_copy_msqid_to_user.constprop.0$" \
	"$(nm "$KO")"
gcc -O2 -Wall -o "$OUT/msgstat" "$DIR/msgstat.c" || t_fail "compile msgstat.c" "a program" "gcc failed"

callers_build vma vma-expand-global.patch
t_eq "global: vma_expand's patch builds" 0 "$?"
t_match "global: its caller mmap_region replaced" \
	"'mmap_region' replaced: it calls 'vma_expand', which has no fentry" "$(cat "$OUT/vma.log")"
t_eq "global: the caller is the only klp_func" "vmlinux:mmap_region,0" \
	"$(modinfo -F livefix_functions "$OUT/livepatch-vma.ko" 2>&1)"
callers_build tracing tracing-map-other-unit.patch
t_eq "other unit, no fentry there either: refused (exit 3)" 3 "$?"
t_match "other unit: its unit compiled" \
	"Building original and patched kernel/trace/trace_events_hist.c \(it calls 'tracing_map_init'\)" \
	"$(cat "$OUT/tracing.log")"
t_match "other unit: the caller and the address use named" \
	"refused \[no-fentry\]: kernel/trace/trace_events_hist.o: function 'tracing_map_init' .* its caller 'event_hist_trigger_parse' has no fentry either, and its address is taken, in '.data.trigger_hist_cmd'" \
	"$(cat "$OUT/tracing.log")"
callers_build fmi ftrace-module-init-other-unit.patch
t_eq "other unit: ftrace_module_init's patch builds" 0 "$?"
t_match "other unit: kernel/module/main.c compiled for its caller" \
	"Building original and patched kernel/module/main.c \(it calls 'ftrace_module_init'\)" \
	"$(cat "$OUT/fmi.log")"
t_match "other unit: load_module replaced" \
	"'load_module' replaced: it calls 'ftrace_module_init', which has no fentry" \
	"$(cat "$OUT/fmi.log")"
t_eq "other unit: load_module is the only klp_func" "vmlinux:load_module,0" \
	"$(modinfo -F livefix_functions "$OUT/livepatch-fmi.ko" 2>&1)"
t_match "other unit: the copy is global, for the other unit's caller" \
	"^[0-9a-f]+ T __livefix_copy_0_ftrace_module_init$" "$(nm "$OUT/livepatch-fmi.ko" 2>&1)"
callers_build fmiw ftrace-module-init-with-caller.patch
t_eq "own unit first: the patch changing main.c and ftrace.c builds" 0 "$?"
t_match "own unit first: every unit diffed again once the copy is known" \
	"Diffing every unit again: a unit of the patch calls a copy another one carries" \
	"$(cat "$OUT/fmiw.log")"
t_eq "own unit first: its change and its caller of the copy are the klp_funcs" \
	"vmlinux:show_initstate,0,vmlinux:load_module,0" \
	"$(modinfo -F livefix_functions "$OUT/livepatch-fmiw.ko" 2>&1)"

# --- guest: before, while loaded, after
cat >"$OUT/guest.sh" <<'GUEST'
#!/bin/sh
. /root/livepatch.sh
echo "before: $(/root/msgstat)"
lp_load /root/livepatch-msgctl-stat.ko
echo "loaded: $(/root/msgstat)"
ls /sys/kernel/livepatch/livepatch_msgctl_stat/vmlinux/ | sed 's/^/klp: /'
lp_unload livepatch-msgctl-stat
echo "after: $(/root/msgstat)"
if lp_load /root/livepatch-vma.ko vma; then
	i=0; while [ $i -lt 20 ]; do ls -lR /proc/self/ >/dev/null 2>&1; i=$((i + 1)); done
	echo "vma: $(cat /sys/kernel/livepatch/livepatch_vma/enabled)"
	lp_unload livepatch-vma vma
fi
recorded() { dmesg | grep -c "call sites of module 'nls_iso8859_1' recorded"; }
modprobe nls_iso8859-1 && rmmod nls_iso8859-1
echo "fmi before: $(recorded)"
if lp_load /root/livepatch-fmi.ko fmi; then
	lp_runpre fmi
	modprobe nls_iso8859-1 && rmmod nls_iso8859-1
	echo "fmi loaded: $(recorded)"
	lp_unload livepatch-fmi fmi
fi
modprobe nls_iso8859-1 && rmmod nls_iso8859-1
echo "fmi after: $(recorded)"
exit 0
GUEST
adds=(--add "$LF:/usr/bin/livefix" --add "$KO:/root/" --add "$OUT/msgstat:/root/msgstat" --add "$(vm_guest_lib)")
[ -f "$OUT/livepatch-vma.ko" ] && adds+=(--add "$OUT/livepatch-vma.ko:/root/")
[ -f "$OUT/livepatch-fmi.ko" ] && adds+=(--add "$OUT/livepatch-fmi.ko:/root/")
# load_module's patch links ~300 klp references at load: ~40 s under TCG
out=$(vm_run --timeout 900 --with-module nls_iso8859-1 "${adds[@]}" "$OUT/guest.sh" 2>&1)
rc=$?
t_eq "guest: the run ends cleanly (no oops, warning)" 0 "$rc"
t_match "guest: before the load, __unused5 is 0" "^before: unused5=0$" "$out"
t_match "guest: while loaded, the copy's mark shows" "^loaded: unused5=6c766678$" "$out"
t_match "guest: klp redirects the caller only" "^klp: ksys_msgctl.constprop.0,[01]$" "$out"
t_eq "guest: no klp_func for the helper" "" "$(grep '^klp: copy_msqid' <<<"$out")"
t_match "guest: after unload, __unused5 is 0 again" "^after: unused5=0$" "$out"
t_eq "guest: load, unload and the patch gone" "" \
	"$(grep -E 'failed|still in' <<<"$out")"
t_match "guest: the vma_expand patch enabled while processes map memory" "^vma: 1$" "$out"
t_match "guest: run-pre checks load_module and the copy's original" \
	"^fmi run-pre: .*run-pre check passed: 2 function\(s\) in vmlinux" "$out"
t_match "guest: before the load, a module load logs no new line" "^fmi before: 0$" "$out"
t_match "guest: while loaded, load_module calls the copy: the new line" "^fmi loaded: 1$" "$out"
t_match "guest: after unload, the old code again" "^fmi after: 1$" "$out"
t_eq "guest: the ftrace_module_init patch loads, unloads, gone" "" \
	"$(grep -E '^fmi .*(failed|still in)' <<<"$out")"

# --- host: a tail-called function without fentry is refused
callers_build newuname newuname-tailcall.patch
t_eq "tail call: refused (exit 3)" 3 "$?"
t_match "tail call: the code, the function and its tail-calling caller named" \
	"refused \[no-fentry-callers\]: kernel/sys.o: function '__do_sys_newuname' .* tail-called \(jmp\).* in '__(x64|ia32)_sys_newuname'" \
	"$(cat "$OUT/newuname.log")"
t_eq "tail call: no module written" "" "$(ls "$OUT"/livepatch-newuname.ko 2>/dev/null)"

callers_summary "$out"
