#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# VM test: a live patch for a module that calls an export of a module its
# target depends on. The patch changes vfat's vfat_fill_super, which calls
# fat_fill_super (exported by fat; vfat depends on fat). livefix makes that
# call a klp symbol of fat in vfat's .klp.rela sections, so in the real
# kernel:
#  - the patch module has no dependency: loading it does not load fat;
#  - loading vfat afterwards (which loads fat) applies the patch, whose
#    call to fat_fill_super klp resolved: mounting a vfat image works and
#    logs the patch's marker;
#  - vfat can be removed and loaded again under the patch, twice: klp's
#    writes for it are set back to zero when it goes, and the patch
#    applies to the new vfat;
#  - unloading the patch restores the original (no marker on a new mount).
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp -d /tmp/livefix-vmtest-deps-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
passed=0 failed=0
ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

MOD=livepatch-vfat-dep
# vfat_fill_super's source by release: 6.12's takes a fs_context
PATCH=tests/vm/module-deps/vfat-dependency.patch
series=$(echo "$KVER" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
[ -e "$ROOT/tests/vm/module-deps/vfat-dependency-$series.patch" ] &&
	PATCH=tests/vm/module-deps/vfat-dependency-$series.patch
if ! (cd "$ROOT" && ./livefix build -k "$KVER" -n vfat-dep -o "$OUT" "$PATCH") >"$OUT/build.log" 2>&1; then
	fail "build: expected livefix build to succeed, saw:"; tail -20 "$OUT/build.log"
	echo "vm module deps: $passed passed, $failed failed"; exit 1
fi
if grep -q "'fat_fill_super' from fat resolved by livepatch when vfat loads" "$OUT/build.log"; then
	ok "build: fat_fill_super resolved through vfat's dependency on fat"
else
	fail "build: expected the line \"'fat_fill_super' from fat resolved by livepatch when vfat loads\", saw:"
	grep -i fat_fill_super "$OUT/build.log"
fi
deps=$(modinfo -F depends "$OUT/$MOD.ko")
if [ -z "$deps" ]; then ok "build: the patch module depends on no module"
else fail "build: expected no depends= in $MOD.ko, saw '$deps'"; fi

cat >"$OUT/guest.sh" <<'GUEST'
#!/bin/sh
st=0
say() { echo "$1"; case $1 in FAIL*) st=1 ;; esac; }
loaded() { grep -q "^$1 " /proc/modules; }
marker() { dmesg | grep -c 'livefix-vfat-dep: vfat_fill_super patched'; }
try_mount() { # -> 0 when /mnt is a vfat mount of the image
	mount -t vfat /dev/loop0 /mnt 2>/tmp/mount.err && grep -q ' /mnt vfat ' /proc/mounts
}
loaded fat && say "FAIL before: expected fat not loaded, saw it in /proc/modules"
livefix load /root/livepatch-vfat-dep.ko >/tmp/load.out 2>&1 ||
	{ say "FAIL load: livefix load exited $?: $(cat /tmp/load.out)"; exit 1; }
if loaded fat; then say "FAIL load: expected fat still not loaded (no dependency), saw it loaded"
else say "ok load: the patch is live and fat is not loaded"; fi
modprobe loop && modprobe nls_cp437 && modprobe nls_ascii && modprobe vfat ||
	{ say "FAIL modprobe loop/nls/vfat"; exit 1; }
loaded fat && say "ok vfat loaded with fat" || say "FAIL expected fat loaded with vfat"
dd if=/dev/zero of=/tmp/fat.img bs=1024 count=4096 2>/dev/null
mkdosfs /tmp/fat.img >/dev/null && losetup /dev/loop0 /tmp/fat.img ||
	{ say "FAIL setting up the vfat image"; exit 1; }
mkdir -p /mnt
if try_mount; then
	echo hello >/mnt/f.txt && [ "$(cat /mnt/f.txt)" = hello ] &&
		say "ok mount with the patch: files work" || say "FAIL a file on the patched mount"
	umount /mnt
else
	say "FAIL mount with the patch: expected success, saw: $(cat /tmp/mount.err)"
fi
n=$(marker)
[ "$n" = 1 ] && say "ok the patched vfat_fill_super ran (marker logged once)" ||
	say "FAIL expected the patch's marker once in dmesg, saw it $n times"
# vfat goes and comes back twice under the patch: klp's writes for it are
# set back to zero when it goes (by the patch module before Linux 6.3, by
# the kernel since), so it loads again, and the patch applies to it again.
zeroed() { dmesg | grep -c 'livepatch_vfat_dep: vfat: [0-9]* fields of its livepatch relocations set back to zero'; }
kernel_clears=$(uname -r | awk -F. '{ print ($1 > 6 || ($1 == 6 && $2 >= 3)) }')
for i in 1 2; do
	rmmod vfat || say "FAIL cycle $i: rmmod vfat"
	if [ "$kernel_clears" = 1 ]; then want=0; else want=$i; fi
	[ "$(zeroed)" = "$want" ] && say "ok cycle $i: vfat gone, relocations set back ($want by the patch)" ||
		say "FAIL cycle $i: expected the patch to set back vfat's relocations $want times, saw $(zeroed)"
	if modprobe vfat 2>/tmp/modprobe.err; then say "ok cycle $i: vfat loads again under the patch"
	else say "FAIL cycle $i: modprobe vfat: $(cat /tmp/modprobe.err); dmesg: $(dmesg | tail -3)"; fi
	if try_mount; then umount /mnt; else say "FAIL cycle $i: mount: $(cat /tmp/mount.err)"; fi
	n=$(marker)
	[ "$n" = $((i + 1)) ] && say "ok cycle $i: the patch applies to the new vfat (marker $n)" ||
		say "FAIL cycle $i: expected the marker $((i + 1)) times, saw $n"
done
dmesg | grep -qi 'invalid relocation target' &&
	say "FAIL expected no 'invalid relocation target' in dmesg, saw: $(dmesg | grep -i 'invalid relocation target' | head -2)"
livefix unload livepatch-vfat-dep >/tmp/unload.out 2>&1 ||
	say "FAIL unload: livefix unload exited $?: $(cat /tmp/unload.out)"
if try_mount; then
	umount /mnt
	[ "$(marker)" = 3 ] && say "ok after unload: mount works, original function (no new marker)" ||
		say "FAIL after unload: expected no new marker, saw $(marker)"
else
	say "FAIL mount after unload: $(cat /tmp/mount.err)"
fi
exit $st
GUEST
"$ROOT/tests/vm/vm.sh" --kver "$KVER" --add "$ROOT/livefix:/usr/bin/livefix" \
	--add "$OUT/$MOD.ko:/root/$MOD.ko" --with-module vfat --with-module loop \
	--with-module nls_cp437 --with-module nls_ascii "$OUT/guest.sh" >"$OUT/guest.out" 2>&1
rc=$?
cat "$OUT/guest.out"
p=$(grep -c '^ok ' "$OUT/guest.out") f=$(grep -c '^FAIL' "$OUT/guest.out")
passed=$((passed + p)) failed=$((failed + f))
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	fail "guest: vm.sh exited $rc (see above)"
elif [ "$p" -lt 11 ] && [ "$f" -eq 0 ]; then
	fail "guest: expected 11 ok lines, saw $p"
fi
echo "vm module deps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
