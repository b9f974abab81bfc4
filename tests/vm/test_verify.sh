#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run-pre verification and load-time checks on the real Debian kernel.
#  1. the normal patches pass their run-pre check (and work);
#  2. a module whose expected code comes from another source version (the
#     patched one, LIVEFIX_TEST_EXPECT_FROM=patched) is refused, the function
#     named, nothing patched, the module gone;
#     The same for a module object (nls_iso8859_1), checked in pre_patch;
#  3. a same-named static function (c_next, 3 in vmlinux) patched at the
#     wrong sympos on purpose (LIVEFIX_TEST_SYMPOS) is refused the same way;
#  4. a module recording another build id is refused by `livefix load`, and
#     loaded with --force (its run-pre check passes);
#  5. signing: --sign-key/--sign-cert produce a module whose PKCS#7
#     signature openssl verifies with the certificate; booted with
#     module.sig_enforce=1 the kernel refuses an unsigned module, and the
#     signed one for its (untrusted) key, after parsing its signature;
#  6. the cost: run-pre time in the kernel, `livefix load` with and without;
#  7. jumps matched by destination: c_next of arch/x86/kernel/cpu/proc.c
#     ends in a tail call to its neighbour c_start, a 2-byte jmp in the
#     running kernel and a 5-byte one in livefix's rebuild; its patch
#     (/proc/cpuinfo lists every other CPU) passes the check and applies, and the
#     same function from another source version is still refused.
#  8. sites the kernel rewrites: meminfo_proc_show holds a static_cpu_has()
#     alternative (jmp to .altinstr_aux, or the replacement the boot CPU
#     chose); its patch passes with the site matched against the forms the
#     kernel writes, and the same module with every form of such sites
#     corrupted (LIVEFIX_TEST_CORRUPT_FORMS) is refused, the site named.
#  9. retpoline sites: c_show of crypto/proc.c calls through a pointer
#     (call __x86_indirect_thunk_rdx, rewritten at boot unless retpolines
#     are on); its patch (/proc/crypto names marked) passes with the site matched against the
#     forms apply_retpolines() writes, and with its forms corrupted is
#     refused at that site. Booted with spectre_v2=off (guest 3) the kernel
#     has rewritten the site to "call *%rdx; nop3": the patch still loads,
#     and the corrupted module's refusal shows those bytes.
# Ends with "N passed, N failed".
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/vm/lib.sh"
OUT=$(mktemp -d /tmp/livefix-vmverify-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
LF=$ROOT/livefix
# Builds that break run-pre on purpose need the test switches, which only
# the test binary (make's build/livefix-test) reads.
LFT=$ROOT/build/livefix-test

vm_locate "$KVER" || { echo "kernel $KVER not in the cache"; t_summary; exit 1; }

build() { # name, [env...] --, patch
	local name=$1; shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	local bin=$LF
	[ ${#envs[@]} -gt 0 ] && bin=$LFT
	if ! (cd "$ROOT" && env "${envs[@]}" "$bin" build -k "$KVER" -n "$name" -o "$OUT" "$@") \
		>"$OUT/$name.build.log" 2>&1; then
		t_fail "build $name" "a module" "$(tail -5 "$OUT/$name.build.log")"
		return 1
	fi
}

# --- host: the modules
NORMAL=""
for p in examples/proc-version.patch tests/vm/patches/*.patch tests/vm/verify/proc-consoles.patch; do
	n=$(basename "$p" .patch)
	build "$n" -- "$p" && NORMAL="$NORMAL $n"
done
build wrongsrc LIVEFIX_TEST_EXPECT_FROM=patched -- examples/proc-version.patch
pos=$(modinfo -F livefix_functions "$OUT/livepatch-proc-consoles.ko" | sed 's/.*,//')
wrong=$([ "$pos" = 1 ] && echo 2 || echo 1)
build wrongpos "LIVEFIX_TEST_SYMPOS=c_next=$wrong" -- tests/vm/verify/proc-consoles.patch
build nocheck LIVEFIX_TEST_NO_RUN_PRE=1 -- examples/proc-version.patch
build nls -- tests/vm/verify/nls-iso8859-1.patch
build tailcall -- tests/vm/verify/cpuinfo-tailcall.patch
build tailcall-wrong LIVEFIX_TEST_EXPECT_FROM=patched -- tests/vm/verify/cpuinfo-tailcall.patch
build nls-wrong LIVEFIX_TEST_EXPECT_FROM=patched -- tests/vm/verify/nls-iso8859-1.patch
build badsite LIVEFIX_TEST_CORRUPT_FORMS=1 -- tests/vm/patches/proc-meminfo.patch
build thunk -- tests/vm/verify/crypto-retpoline.patch
build badthunk LIVEFIX_TEST_CORRUPT_FORMS=1 -- tests/vm/verify/crypto-retpoline.patch
# Another build of the same release: the recorded build id rewritten in place.
cp "$OUT/livepatch-proc-version.ko" "$OUT/livepatch-otherbuild.ko.tmp"
python3 - "$OUT/livepatch-otherbuild.ko.tmp" <<'EOF'
import re, sys
p = sys.argv[1]; b = open(p, 'rb').read()
b2 = re.sub(rb'livefix_build_id=[0-9a-f]+', lambda m: b'livefix_build_id=' + b'0' * (len(m.group(0)) - 17), b)
assert b2 != b
open(p, 'wb').write(b2)
EOF
mv "$OUT/livepatch-otherbuild.ko.tmp" "$OUT/livepatch-proc-version-otherbuild.ko"

# Signing key and certificate, as certs/Makefile makes them.
openssl req -new -nodes -utf8 -sha256 -days 2 -batch -x509 -subj "/CN=livefix test key/" \
	-newkey rsa:2048 -keyout "$OUT/key.pem" -out "$OUT/cert.pem" >/dev/null 2>&1
build signed -- --sign-key "$OUT/key.pem" --sign-cert "$OUT/cert.pem" examples/proc-version.patch

t_eq "modules record the kernel's build id" \
	"$(readelf -n "$(vm_cachedir)/$KVER/vmlinux" | awk '/Build ID/ {print $3}')" \
	"$(modinfo -F livefix_build_id "$OUT/livepatch-proc-version.ko")"
t_match "modules carry the run-pre check" "run-pre check passed" \
	"$(strings "$OUT/livepatch-proc-version.ko")"
t_match "running kernel: c_show (crypto/proc.c) calls a retpoline thunk" \
	"call +[0-9a-f]+ <__x86_indirect_thunk_r[a-z0-9]+>" \
	"$(objdump -d --disassemble=c_show "$(vm_cachedir)/$KVER/vmlinux" 2>/dev/null)"
# The case itself: the running kernel's c_next (of cpu/proc.c) tail-calls
# c_start with "eb xx", the rebuilt one with "e9 + relocation".
t_match "running kernel: c_next ends in a 2-byte jmp to c_start" \
	"eb [0-9a-f]{2} +	jmp +[0-9a-f]+ <c_start>" \
	"$(objdump -d --disassemble=c_next "$(vm_cachedir)/$KVER/vmlinux" 2>/dev/null)"

# --- host: the signature is well formed
if [ -f "$OUT/livepatch-signed.ko" ]; then
	t_eq "signed: signer" "livefix test key" "$(modinfo -F signer "$OUT/livepatch-signed.ko")"
	t_eq "signed: hash" "sha256" "$(modinfo -F sig_hashalgo "$OUT/livepatch-signed.ko")"
	python3 - "$OUT/livepatch-signed.ko" "$OUT" <<'EOF'
import struct, sys
ko, out = sys.argv[1], sys.argv[2]
b = open(ko, 'rb').read()
magic = b'~Module signature appended~\n'
assert b.endswith(magic)
info = b[-len(magic) - 12:-len(magic)]
sig_len = struct.unpack('>I', info[8:12])[0]
end = len(b) - len(magic) - 12
open(out + '/sig.p7s', 'wb').write(b[end - sig_len:end])
open(out + '/content.bin', 'wb').write(b[:end - sig_len])
EOF
	v=$(openssl cms -verify -binary -inform DER -in "$OUT/sig.p7s" -content "$OUT/content.bin" \
		-certfile "$OUT/cert.pem" -CAfile "$OUT/cert.pem" -purpose any -out /dev/null 2>&1)
	t_match "signed: openssl verifies the signature with the certificate" "Verification successful" "$v"
fi

# --- guest 1: verification at load
cat >"$OUT/guest1.sh" <<EOF
#!/bin/sh
for m in $NORMAL; do
	k=\$(echo livepatch-\$m | tr - _)
	if livefix load /root/livepatch-\$m.ko >/tmp/out 2>&1; then echo "load-\$m=ok"; else echo "load-\$m=fail"; cat /tmp/out; fi
	dmesg | grep -q "livefix: \$k: run-pre check passed" && echo "runpre-\$m=ok"
	livefix unload livepatch-\$m >/dev/null 2>&1 || echo "unload-\$m=fail"
done
for m in wrongsrc wrongpos; do
	livefix load /root/livepatch-\$m.ko >/tmp/out 2>&1; echo "rc-\$m=\$?"
	sed "s/^/out-\$m: /" /tmp/out
	echo "patches-\$m=\$(ls /sys/kernel/livepatch | wc -l)"
	echo "module-\$m=\$(grep -c "^livepatch_\$m " /proc/modules)"
done
echo "version-unchanged=\$(grep -c 'In version_proc_show' /proc/version)"
# A module object: checked by the pre_patch callback.
modprobe nls_iso8859-1
livefix load /root/livepatch-nls.ko >/tmp/out 2>&1; echo "rc-nls=\$?"
dmesg | grep -q "livefix: livepatch_nls: run-pre check passed: 1 function(s) in nls_iso8859_1" && echo "runpre-nls=ok"
livefix unload livepatch-nls >/dev/null 2>&1
livefix load /root/livepatch-nls-wrong.ko >/tmp/out 2>&1; echo "rc-nls-wrong=\$?"
sed "s/^/out-nls-wrong: /" /tmp/out
echo "patches-nls-wrong=\$(ls /sys/kernel/livepatch | wc -l)"
echo "module-nls-wrong=\$(grep -c "^livepatch_nls_wrong " /proc/modules)"
# The same patch loaded first: the module is checked when it comes up, and
# refused; klp's writes for it are set back, so the next try is checked
# again (not "Invalid relocation target"), and it loads once the patch goes.
rmmod nls_iso8859_1
livefix load /root/livepatch-nls-wrong.ko >/tmp/out 2>&1; echo "rc-nls-wrong-first=\$?"
for i in 1 2; do modprobe nls_iso8859-1 >/dev/null 2>&1; echo "rc-nls-coming-\$i=\$?"; done
echo "nls-coming-refused=\$(dmesg | grep -c 'livepatch_nls_wrong: .*nls_iso8859_1:char2uni,0: differs')"
echo "nls-coming-zeroed=\$(dmesg | grep -c 'livepatch_nls_wrong: nls_iso8859_1: [0-9]* fields of its livepatch relocations set back to zero')"
echo "nls-coming-invalid=\$(dmesg | grep -ci 'invalid relocation target')"
livefix unload livepatch-nls-wrong >/dev/null 2>&1
modprobe nls_iso8859-1 >/dev/null 2>&1; echo "rc-nls-after=\$?"
livefix load /root/livepatch-proc-version-otherbuild.ko >/tmp/out 2>&1; echo "rc-otherbuild=\$?"
sed "s/^/out-otherbuild: /" /tmp/out
livefix load --force /root/livepatch-proc-version-otherbuild.ko >/tmp/out 2>&1; echo "rc-otherbuild-force=\$?"
sed "s/^/out-otherbuild-force: /" /tmp/out
livefix unload livepatch-proc-version >/dev/null 2>&1
# A tail call encoded 2 bytes long in the running kernel, 5 in the rebuild.
echo "cpus-before=\$(grep -c ^processor /proc/cpuinfo)"
livefix load /root/livepatch-tailcall.ko >/tmp/out 2>&1; echo "rc-tailcall=\$?"
sed "s/^/out-tailcall: /" /tmp/out
echo "enabled-tailcall=\$(cat /sys/kernel/livepatch/livepatch_tailcall/enabled 2>&1)"
echo "cpus-patched=\$(grep -c ^processor /proc/cpuinfo)"
dmesg | grep "livepatch_tailcall: run-pre check passed" | sed "s/^/dmesg-tailcall: /"
livefix unload livepatch-tailcall >/dev/null 2>&1
echo "cpus-after=\$(grep -c ^processor /proc/cpuinfo)"
livefix load /root/livepatch-tailcall-wrong.ko >/tmp/out 2>&1; echo "rc-tailcall-wrong=\$?"
sed "s/^/out-tailcall-wrong: /" /tmp/out
echo "patches-tailcall-wrong=\$(ls /sys/kernel/livepatch | wc -l)"
# An alternative site: the forms the kernel writes pass, corrupted ones do not.
livefix load /root/livepatch-proc-meminfo.ko >/tmp/out 2>&1; echo "rc-altsite=\$?"
echo "meminfo-patched=\$(grep -c '^LivefixPatched:' /proc/meminfo)"
dmesg | grep "livepatch_proc_meminfo: run-pre check passed" | tail -1 | sed "s/^/dmesg-altsite: /"
livefix unload livepatch-proc-meminfo >/dev/null 2>&1
livefix load /root/livepatch-badsite.ko >/tmp/out 2>&1; echo "rc-badsite=\$?"
sed "s/^/out-badsite: /" /tmp/out
echo "meminfo-badsite=\$(grep -c '^LivefixPatched:' /proc/meminfo)"
echo "patches-badsite=\$(ls /sys/kernel/livepatch | wc -l)"
# A retpoline site: what apply_retpolines() wrote passes, corrupted forms do not.
dmesg | grep -m1 'Spectre V2' | sed 's/^/spectre: /'
livefix load /root/livepatch-thunk.ko >/tmp/out 2>&1; echo "rc-thunk=\$?"
sed "s/^/out-thunk: /" /tmp/out
echo "crypto-thunk=\$(grep -c '^name .*(livefix)' /proc/crypto)"
dmesg | grep "livepatch_thunk: run-pre check passed" | tail -1 | sed "s/^/dmesg-thunk: /"
livefix unload livepatch-thunk >/dev/null 2>&1
livefix load /root/livepatch-badthunk.ko >/tmp/out 2>&1; echo "rc-badthunk=\$?"
sed "s/^/out-badthunk: /" /tmp/out
echo "crypto-badthunk=\$(grep -c '^name .*(livefix)' /proc/crypto)"
echo "patches-badthunk=\$(ls /sys/kernel/livepatch | wc -l)"
# The cost: livefix load, with and without the check (centiseconds of uptime).
for round in 1 2 3; do
	for m in proc-version nocheck; do
		t0=\$(cut -d' ' -f1 /proc/uptime)
		livefix load /root/livepatch-\$m.ko >/dev/null 2>&1
		t1=\$(cut -d' ' -f1 /proc/uptime)
		echo "time-\$m=\$t0 \$t1"
		livefix unload livepatch-\$m >/dev/null 2>&1
	done
done
dmesg | grep "run-pre check passed" | sed 's/^/dmesg: /'
EOF
adds=(--add "$LF:/usr/bin/livefix")
for ko in "$OUT"/*.ko; do adds+=(--add "$ko:/root/"); done
out=$(vm_run --with-module nls_iso8859-1 "${adds[@]}" "$OUT/guest1.sh" 2>&1)
echo "$out" | grep -E "^(out-|rc-|dmesg|spectre)" | sed 's/^/  | /'
for m in $NORMAL; do
	t_match "$m: loads" "^load-$m=ok" "$out"
	t_match "$m: run-pre check passed" "^runpre-$m=ok" "$out"
done
for m in wrongsrc wrongpos; do
	t_eq "$m: refused (exit 3)" "rc-$m=3" "$(echo "$out" | grep "^rc-$m=")"
	t_eq "$m: /sys/kernel/livepatch empty" "patches-$m=0" "$(echo "$out" | grep "^patches-$m=")"
	t_eq "$m: module gone" "module-$m=0" "$(echo "$out" | grep "^module-$m=")"
done
t_match "wrongsrc: names the function, offset, bytes" \
	"^out-wrongsrc: .*kernel: vmlinux:version_proc_show,0: differs .* at offset 0x[0-9a-f]+: expected [0-9a-f ]+, found [0-9a-f ]+" "$out"
t_match "wrongpos: names the function at the wrong sympos" \
	"^out-wrongpos: .*kernel: vmlinux:c_next,$wrong: differs .* at offset 0x[0-9a-f]+" "$out"
t_eq "module object: loads" "rc-nls=0" "$(echo "$out" | grep '^rc-nls=')"
t_match "module object: run-pre check passed in pre_patch" "^runpre-nls=ok" "$out"
t_eq "module object, other source: refused (exit 3)" "rc-nls-wrong=3" "$(echo "$out" | grep '^rc-nls-wrong=')"
t_match "module object, other source: names the function" \
	"^out-nls-wrong: .*kernel: nls_iso8859_1:char2uni,0: differs .* at offset 0x[0-9a-f]+: expected" "$out"
t_eq "module object, other source: nothing patched" "patches-nls-wrong=0" "$(echo "$out" | grep '^patches-nls-wrong=')"
t_eq "module object, other source: module gone" "module-nls-wrong=0" "$(echo "$out" | grep '^module-nls-wrong=')"
t_eq "module object, patch first: the patch loads" "rc-nls-wrong-first=0" "$(echo "$out" | grep '^rc-nls-wrong-first=')"
t_eq "module object, patch first: refused when it comes (1)" "rc-nls-coming-1=1" "$(echo "$out" | grep '^rc-nls-coming-1=')"
t_eq "module object, patch first: refused when it comes (2)" "rc-nls-coming-2=1" "$(echo "$out" | grep '^rc-nls-coming-2=')"
# (busybox's modprobe may try a module twice: count the kernel's tries)
refused=$(echo "$out" | sed -n 's/^nls-coming-refused=//p')
zeroed=$(echo "$out" | sed -n 's/^nls-coming-zeroed=//p')
t_eq "module object, patch first: checked at every try (2 or more)" "yes" \
	"$([ "${refused:-0}" -ge 2 ] && echo yes || echo "no: nls-coming-refused=$refused")"
t_eq "module object, patch first: klp's writes set back at every try" "nls-coming-zeroed=$refused" \
	"nls-coming-zeroed=$zeroed"
t_eq "module object, patch first: no invalid relocation target" "nls-coming-invalid=0" \
	"$(echo "$out" | grep '^nls-coming-invalid=')"
t_eq "module object, patch first: loads once the patch is gone" "rc-nls-after=0" "$(echo "$out" | grep '^rc-nls-after=')"
t_eq "refused patches changed nothing" "version-unchanged=0" "$(echo "$out" | grep '^version-unchanged=')"
t_eq "other build: refused (exit 3)" "rc-otherbuild=3" "$(echo "$out" | grep '^rc-otherbuild=')"
t_match "other build: says why" "^out-otherbuild: .*kernel build 0+, but the running kernel is build" "$out"
t_eq "other build: --force loads it" "rc-otherbuild-force=0" "$(echo "$out" | grep '^rc-otherbuild-force=')"
t_eq "tail call: two CPUs listed before" "cpus-before=2" "$(echo "$out" | grep '^cpus-before=')"
t_eq "tail call: loads (the 2-byte jmp matches the 5-byte one)" "rc-tailcall=0" \
	"$(echo "$out" | grep '^rc-tailcall=')"
t_match "tail call: run-pre check passed, one jump matched" \
	"^dmesg-tailcall: .*run-pre check passed: 1 function\(s\) in vmlinux, .* 1 jumps" "$out"
t_eq "tail call: enabled" "enabled-tailcall=1" "$(echo "$out" | grep '^enabled-tailcall=')"
t_eq "tail call: applied (/proc/cpuinfo lists one CPU)" "cpus-patched=1" \
	"$(echo "$out" | grep '^cpus-patched=')"
t_eq "tail call: unloaded, two CPUs again" "cpus-after=2" "$(echo "$out" | grep '^cpus-after=')"
t_eq "tail call, other source: refused (exit 3)" "rc-tailcall-wrong=3" \
	"$(echo "$out" | grep '^rc-tailcall-wrong=')"
t_match "tail call, other source: names the function" \
	"^out-tailcall-wrong: .*kernel: vmlinux:c_next,[0-9]+: differs .* at offset 0x[0-9a-f]+" "$out"
t_eq "tail call, other source: nothing patched" "patches-tailcall-wrong=0" \
	"$(echo "$out" | grep '^patches-tailcall-wrong=')"
t_eq "alternative site: loads" "rc-altsite=0" "$(echo "$out" | grep '^rc-altsite=')"
t_eq "alternative site: applied (/proc/meminfo has LivefixPatched)" "meminfo-patched=1" \
	"$(echo "$out" | grep '^meminfo-patched=')"
t_match "alternative site: run-pre check passed with patchable sites" \
	"^dmesg-altsite: .*run-pre check passed: 1 function\(s\) in vmlinux, .* [1-9][0-9]* patchable sites" "$out"
t_eq "alternative site, corrupted forms: refused (exit 3)" "rc-badsite=3" \
	"$(echo "$out" | grep '^rc-badsite=')"
t_match "alternative site, corrupted forms: names function, offset and site kind" \
	"^out-badsite: .*kernel: vmlinux:meminfo_proc_show,0: differs .* at offset 0x813: alternative/paravirt site: none of its forms" "$out"
t_eq "alternative site, corrupted forms: nothing patched" "meminfo-badsite=0" \
	"$(echo "$out" | grep '^meminfo-badsite=')"
t_eq "alternative site, corrupted forms: no patch left" "patches-badsite=0" \
	"$(echo "$out" | grep '^patches-badsite=')"
t_eq "retpoline site: loads" "rc-thunk=0" "$(echo "$out" | grep '^rc-thunk=')"
t_match "retpoline site: applied (/proc/crypto names marked)" "^crypto-thunk=[1-9]" "$out"
t_match "retpoline site: run-pre check passed with patchable sites" \
	"^dmesg-thunk: .*run-pre check passed: 1 function\(s\) in vmlinux, .* [1-9][0-9]* patchable sites" "$out"
t_eq "retpoline site, corrupted forms: refused (exit 3)" "rc-badthunk=3" \
	"$(echo "$out" | grep '^rc-badthunk=')"
t_match "retpoline site, corrupted forms: names function, offset and site kind" \
	"^out-badthunk: .*kernel: vmlinux:c_show,0: differs .* at offset 0x[0-9a-f]+: retpoline/static call site: none of its forms" "$out"
t_eq "retpoline site, corrupted forms: nothing patched" "crypto-badthunk=0" \
	"$(echo "$out" | grep '^crypto-badthunk=')"
t_eq "retpoline site, corrupted forms: no patch left" "patches-badthunk=0" \
	"$(echo "$out" | grep '^patches-badthunk=')"
ms() { echo "$out" | grep "^time-$1=" | awk -F'[= ]' '{s += ($3 - $2) * 1000} END {if (NR) printf "%.0f", s / NR}'; }
echo "  cost: livefix load (mean of 3): $(ms proc-version) ms with the check, $(ms nocheck) ms without;" \
	"in the kernel: $(echo "$out" | grep -o 'run-pre check passed.*' | grep 'version_proc\|1 function' | grep -oE '[0-9]+ us' | tr '\n' ' ')"

# --- guest 3: spectre_v2=off, the retpoline site rewritten at boot
cat >"$OUT/guest3.sh" <<'EOF'
#!/bin/sh
dmesg | grep -m1 'Spectre V2' | sed 's/^/spectre: /'
livefix load /root/livepatch-thunk.ko >/tmp/out 2>&1; echo "rc-thunk=$?"
echo "crypto-thunk=$(grep -c '^name .*(livefix)' /proc/crypto)"
livefix unload livepatch-thunk >/dev/null 2>&1
livefix load /root/livepatch-badthunk.ko >/tmp/out 2>&1; echo "rc-badthunk=$?"
sed 's/^/out-badthunk: /' /tmp/out
EOF
out=$(vm_run --append "spectre_v2=off" --add "$LF:/usr/bin/livefix" \
	--add "$OUT/livepatch-thunk.ko:/root/" --add "$OUT/livepatch-badthunk.ko:/root/" \
	"$OUT/guest3.sh" 2>&1)
echo "$out" | grep -E "^(spectre|rc-|out-badthunk: .*differs)" | sed 's/^/  | /'
t_eq "retpolines off: the rewritten site loads" "rc-thunk=0" "$(echo "$out" | grep '^rc-thunk=')"
t_match "retpolines off: applied" "^crypto-thunk=[1-9]" "$out"
t_eq "retpolines off, corrupted forms: refused (exit 3)" "rc-badthunk=3" \
	"$(echo "$out" | grep '^rc-badthunk=')"
t_match "retpolines off: the site holds what patch_retpoline() wrote (call *%rdx; nop3)" \
	"^out-badthunk: .*c_show,0: differs .* retpoline/static call site: none of its forms .*found ff d2 0f 1f 00" "$out"

# --- guest 2: module.sig_enforce=1
if [ -f "$OUT/livepatch-signed.ko" ]; then
	cat >"$OUT/guest2.sh" <<'EOF'
#!/bin/sh
livefix load /root/livepatch-proc-version.ko >/tmp/out 2>&1; echo "rc-unsigned=$?"; sed 's/^/out-unsigned: /' /tmp/out
livefix load /root/livepatch-signed.ko >/tmp/out 2>&1; echo "rc-signed=$?"; sed 's/^/out-signed: /' /tmp/out
echo "patches=$(ls /sys/kernel/livepatch | wc -l)"
dmesg | grep -i "module" | tail -5 | sed 's/^/dmesg: /'
EOF
	out=$(vm_run --append "module.sig_enforce=1" --add "$LF:/usr/bin/livefix" \
		--add "$OUT/livepatch-proc-version.ko:/root/" --add "$OUT/livepatch-signed.ko:/root/" \
		"$OUT/guest2.sh" 2>&1)
	echo "$out" | sed 's/^/  | /'
	t_match "sig_enforce: unsigned module refused" "^rc-unsigned=[1-9]" "$out"
	t_match "sig_enforce: the kernel says: unsigned" "^dmesg: .*Loading of unsigned module is rejected" "$out"
	t_match "sig_enforce: signed module refused" "^rc-signed=[1-9]" "$out"
	# The kernel parsed the signature and looked its key up: well formed,
	# only not signed by a key the stock kernel trusts (Debian's).
	t_match "sig_enforce: the kernel says: signed, key not trusted" \
		"^dmesg: .*Loading of module with unavailable key is rejected" "$out"
	t_eq "sig_enforce: nothing patched" "patches=0" "$(echo "$out" | grep '^patches=')"
fi
t_summary
