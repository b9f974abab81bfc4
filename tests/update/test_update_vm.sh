#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make update-test (long, not in make check): a cumulative update module
# (livefix build --update, docs/update.md) in the test machine, on the
# pinned 6.1.170-3 kernel. While stress-ng runs (CPU, memory, fork, file
# I/O, loopback sockets), with half of the module's target modules loaded
# before it and the other half after it: the module loads, the transition
# completes (its time printed), every target object says patched; then the
# smoke workloads of the main subsystems (processes, memory, ext4 and xfs
# on loop devices, TCP and UDP over loopback, netfilter with a counting
# nftables rule); no oops or warning in dmesg (vm.sh fails the run on one)
# and no taint but the live patch's own (K livepatch, O out-of-tree, E
# unsigned: what loading a module livefix built sets); a clean unload.
#
# usage: tests/update/test_update_vm.sh [KVER]
#   UPDATE_KO=FILE   the module to test (e.g. a whole update's); without it
#                    one is built with --only "$UPDATE_ONLY" (default
#                    net/ipv6/,net/ipv4/udp_tunnel_core.c) --limit
#                    "$UPDATE_LIMIT" (default 6)
# Ends with "update: N passed, N failed[, N skipped]".
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/vm/lib.sh"
LF=${LIVEFIX:-$ROOT/livefix}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/livefix-update-vm-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
summary() { echo -n "update: "; t_summary; exit; }

if ! vm_locate "$KVER"; then
	t_skip "update in the test machine" "kernel $KVER not in the cache"; summary
fi
for tool in stress-ng mkfs.ext4 mkfs.xfs nft; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "update in the test machine" "$tool not installed (scripts/packages.txt)"; summary
	fi
done

KO=${UPDATE_KO:-}
if [ -z "$KO" ]; then
	nice -n 19 "$LF" build --update 6.1.176-1 -k "$KVER" -o "$OUT/build" -j 2 \
		--only "${UPDATE_ONLY:-net/ipv6/,net/ipv4/udp_tunnel_core.c}" \
		--limit "${UPDATE_LIMIT:-6}" >"$OUT/build.log" 2>&1
	KO=$(ls "$OUT"/build/livepatch-update-*.ko 2>/dev/null | head -1)
	[ -n "$KO" ] && t_pass "built a cumulative module (subset)" ||
		{ t_fail "build" "a livepatch-update-*.ko" "$(tail -5 "$OUT/build.log")"; summary; }
fi
NAME=$(basename "$KO" .ko | tr - _)
info=$("$LF" info "$KO" 2>&1)
# the module's target objects (its "patched functions: OBJ:FUNC" lines)
funcs=$(awk '/^patched functions:/ { on = 1; next } /^[^ ]/ { on = 0 } on' <<<"$info")
mapfile -t objs < <(sed -n 's/^  \([^:]*\):.*/\1/p' <<<"$funcs" | sort -u | grep -vx vmlinux)
before=() after=()
for i in "${!objs[@]}"; do
	if [ $((i % 2)) -eq 0 ]; then before+=("${objs[$i]}"); else after+=("${objs[$i]}"); fi
done
echo "module $NAME: $(grep -c '^  ' <<<"$funcs") functions replaced; targets loaded before: ${before[*]:-none}; after: ${after[*]:-none}"
adds=(--add "$LF:/usr/bin/livefix" --add "$KO:/root/update.ko")
# the programs themselves (mkfs.ext4 is a link to mke2fs, which reads its name)
for tool in stress-ng mkfs.ext4 mkfs.xfs nft; do adds+=(--add "$(readlink -f "$(command -v "$tool")"):/usr/bin/$tool"); done
adds+=(--add "$(command -v nice):/usr/bin/nice")
mods=()
# Every crypto module, as a host has them: the kernel loads algorithms on
# request ("crypto-stdrng", "crypto-ctr(aes)"), and a self-test whose
# algorithm cannot be loaded fails and warns ("alg: ecdh-nist-p256: test
# failed on vector 2, err=-14" when ecdh_generic, which bluetooth needs,
# finds no RNG): the test machine's warning, not the patch's (3.6 MB).
crypto=$(find "$VM_MODROOT/lib/modules/$KVER/kernel/crypto" "$VM_MODROOT/lib/modules/$KVER/kernel/arch/x86/crypto" -name '*.ko*' \
	-printf '%f\n' 2>/dev/null | sed 's/\.ko.*//' | grep -vx tcrypt)
for m in "${objs[@]}" ext4 xfs loop nf_tables $crypto; do mods+=(--with-module "$m"); done

cat >"$OUT/guest.sh" <<GUEST
#!/bin/sh
say() { echo "UPDATE \$*"; }
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
mkdir -p /root/work && cd /root/work
/usr/bin/nice -n 10 /usr/bin/stress-ng --cpu 1 --vm 1 --vm-bytes 48M --fork 1 --hdd 1 \\
	--hdd-bytes 4M --sock 1 --timeout 0 >/root/stress-ng.log 2>&1 &
SPID=\$!
sleep 2
modprobe drbg
for m in ${before[*]}; do modprobe \$m && say "target \$m loaded before"; done
t0=\$(cut -d' ' -f1 /proc/uptime)
if livefix load -t 300 /root/update.ko >/root/load.log 2>&1; then
	t1=\$(cut -d' ' -f1 /proc/uptime)
	say "loaded; transition \$(echo "\$t0 \$t1" | awk '{printf "%.1f", \$2 - \$1}') s"
else
	say "load FAILED"; tail -20 /root/load.log
fi
for m in ${after[*]}; do modprobe \$m && say "target \$m loaded after"; done
# every object whose module the machine could load is patched; one it
# could not load (no such device: hv_*, ccp_crypto, intel_uncore; or a
# dependency that fails the same way) is named, not counted
unpatched=0 absent=0
for o in ${objs[*]}; do
	if [ ! -d /sys/module/\$o ]; then
		absent=\$((absent + 1)); echo "object \$o: not loaded in this machine"; continue
	fi
	p=\$(cat /sys/kernel/livepatch/$NAME/\$o/patched 2>/dev/null)
	[ "\$p" = 1 ] || { unpatched=\$((unpatched + 1)); echo "object \$o: patched=\$p"; }
done
say "objects unpatched=\$unpatched (not loadable here: \$absent)"
dmesg | grep 'refusing to load module' | sed 's/^/UPDATE klp: /'
livefix uname 2>&1 | sed 's/^/UPDATE uname: /'
kill -0 \$SPID 2>/dev/null && say "stress alive after load" || say "stress DIED"

# smoke workloads (modules that are built in are there already)
for m in loop ext4 xfs nf_tables; do modprobe \$m 2>/dev/null; done
n=0; i=0; while [ \$i -lt 200 ]; do /bin/true && n=\$((n + 1)); i=\$((i + 1)); done
say "smoke processes \$n/200"
/usr/bin/stress-ng --vm 1 --vm-bytes 64M --vm-ops 2000 -t 20 >/root/vm.log 2>&1 &&
	say "smoke memory ok" || { say "smoke memory FAILED"; tail -5 /root/vm.log; }
for fs in ext4 xfs; do
	dd if=/dev/zero of=/root/\$fs.img bs=1M count=320 2>/dev/null
	mkfs.\$fs -q /root/\$fs.img >/root/mkfs.log 2>&1 || mkfs.\$fs /root/\$fs.img >/root/mkfs.log 2>&1
	mkdir -p /mnt/\$fs
	if mount -o loop /root/\$fs.img /mnt/\$fs 2>/root/mount.log; then
		dd if=/dev/urandom of=/root/data bs=1k count=512 2>/dev/null
		cp /root/data /mnt/\$fs/data && sync && umount /mnt/\$fs &&
			mount -o loop /root/\$fs.img /mnt/\$fs && cmp /root/data /mnt/\$fs/data &&
			umount /mnt/\$fs && say "smoke \$fs ok" || say "smoke \$fs FAILED"
	else
		say "smoke \$fs FAILED (mount)"; cat /root/mkfs.log /root/mount.log
	fi
done
/usr/bin/stress-ng --sock 1 --sock-port 6000 --sock-ops 2000 -t 20 >/root/tcp.log 2>&1 &&
	say "smoke tcp ok" || { say "smoke tcp FAILED"; tail -5 /root/tcp.log; }
nft add table inet lf && nft add chain inet lf out '{ type filter hook output priority 0; }' &&
	nft add rule inet lf out udp dport 9009 counter
/usr/bin/stress-ng --udp 1 --udp-port 9009 --udp-ops 2000 -t 20 >/root/udp.log 2>&1 &&
	say "smoke udp ok" || { say "smoke udp FAILED"; tail -5 /root/udp.log; }
pk=\$(nft list chain inet lf out 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "\${pk:-0}" -gt 0 ] && say "smoke netfilter ok (\$pk packets counted)" || say "smoke netfilter FAILED"
nft delete table inet lf

kill -0 \$SPID 2>/dev/null && say "stress alive to the end" || say "stress DIED"
kill -INT \$SPID 2>/dev/null; sleep 1; kill -9 \$SPID 2>/dev/null
if livefix unload -t 300 $NAME >/root/unload.log 2>&1 && [ ! -e /sys/kernel/livepatch/$NAME ] &&
	! grep -q "^$NAME " /proc/modules; then
	say "unloaded clean"
else
	say "unload FAILED"; tail -10 /root/unload.log
fi
for m in ${after[*]} ${before[*]}; do rmmod \$m 2>/dev/null; done
# K livepatch (32768), O out-of-tree (4096), E unsigned (8192): the patch's own
t=\$(cat /proc/sys/kernel/tainted)
say "taint \$t other=\$((t & ~(32768 | 4096 | 8192)))"
say "oops \$(dmesg | grep -cE 'Call Trace|BUG:|WARNING:|Oops|general protection')"
GUEST

echo "== cumulative update in the test machine (timeout 1500 s)"
t0=$(date +%s)
vm_run --timeout 1500 --memory 1536 "${mods[@]}" "${adds[@]}" \
	--console-log "$OUT/console.log" "$OUT/guest.sh" >"$OUT/guest.log" 2>&1
rc=$?
grep -E '^UPDATE|^object|FAIL' "$OUT/guest.log"
echo "host: vm.sh exit $rc, $(( $(date +%s) - t0 )) s wall"
g=$(cat "$OUT/guest.log")
t_match "module loaded, transition completed" "^UPDATE loaded; transition [0-9.]+ s" "$g"
t_match "every target object patched (modules loaded before and after)" "^UPDATE objects unpatched=0" "$g"
t_match "stress-ng alive through the load" "^UPDATE stress alive after load" "$g"
t_match "smoke: processes" "^UPDATE smoke processes 200/200" "$g"
for s in memory ext4 xfs tcp udp netfilter; do t_match "smoke: $s" "^UPDATE smoke $s ok" "$g"; done
t_match "stress-ng alive to the end" "^UPDATE stress alive to the end" "$g"
t_match "clean unload" "^UPDATE unloaded clean" "$g"
t_match "no taint but the live patch's" "^UPDATE taint [0-9]+ other=0" "$g"
t_match "no oops or warning in dmesg" "^UPDATE oops 0" "$g"
t_eq "vm.sh exit status (120: a warning in the kernel log)" 0 "$rc"
[ "$rc" -ne 0 ] && tail -20 "$OUT/guest.log"
summary
