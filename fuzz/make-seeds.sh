#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Seed corpus for the fuzz harnesses, made at run time (no binaries in git):
#   fuzz/make-seeds.sh OUTDIR [KVER]
# elf_diff:     object pairs compiled from tests/unit/fixtures/diff the way
#               kbuild compiles a unit, plus a real orig/patched pair from a
#               kept `livefix build` work directory when the cache is warm
# klp_convert:  the converter fixture, the pre-conversion and final module
#               of that build, and small real modules from the cache
# patch_header: the example and test patches
# symvers:      slices of the kernel's Module.symvers (or a synthetic one)
# header_change: a header of the prepared tree, NUL, diff -U0 of it and a
#               few edited copies (a macro added, changed, a member added)
set -u
OUT=$1 KVER=${2:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${LIVEFIX_CACHE:-/var/cache/livefix}/$KVER
TMP=$(mktemp -d "${TMPDIR:-/tmp}/livefix-seeds-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"/{elf_diff,klp_convert,patch_header,symvers,header_change}

KFLAGS=(-O2 -c -ffunction-sections -fdata-sections -fno-pic -mcmodel=kernel
	-mfentry -pg -mrecord-mcount -fno-stack-protector)
pack() { # out, first, second: the harnesses' pair format (u32 LE length of first)
	python3 - "$@" <<'PY'
import struct, sys
a = open(sys.argv[2], 'rb').read(); b = open(sys.argv[3], 'rb').read()
open(sys.argv[1], 'wb').write(struct.pack('<I', len(a)) + a + b)
PY
}

# object pairs from the differ's fixtures
FIX=$ROOT/tests/unit/fixtures/diff
for o in "$FIX"/*_orig.c; do
	n=$(basename "$o" _orig.c)
	gcc "${KFLAGS[@]}" -I"$FIX" -o "$TMP/$n-o.o" "$o" 2>/dev/null || continue
	for p in "$FIX/${n}"*_patched.c "$FIX/newfunc_patched.c"; do
		[ -f "$p" ] || continue
		m=$(basename "$p" .c)
		gcc "${KFLAGS[@]}" -I"$FIX" -o "$TMP/$m-p.o" "$p" 2>/dev/null || continue
		pack "$OUT/elf_diff/$n-$m" "$TMP/$n-o.o" "$TMP/$m-p.o"
	done
	pack "$OUT/elf_diff/$n-same" "$TMP/$n-o.o" "$TMP/$n-o.o"
done

# the converter's fixture
gcc -O2 -c -ffunction-sections -fdata-sections -fno-pic -mcmodel=kernel \
	-fno-stack-protector -o "$OUT/klp_convert/klp_module.o" \
	"$ROOT/tests/unit/fixtures/convert/klp_module.c" 2>/dev/null

# a real build's objects, when the cache is warm
if [ -x "$ROOT/livefix" ] && [ -d "$CACHE/src" ]; then
	log=$("$ROOT/livefix" build -k "$KVER" -o "$TMP/out" --keep-workdir \
		"$ROOT/examples/proc-version.patch" 2>&1)
	wd=$(sed -n 's/.*work directory kept: //p' <<<"$log" | tail -1)
	if [ -n "$wd" ] && [ -d "$wd" ]; then
		o=$(find "$wd" -name '*.o' -path '*orig*' ! -name '*noline*' | head -1)
		p=$(find "$wd" -name '*.o' -path '*patched*' ! -name '*noline*' | head -1)
		[ -n "$o" ] && [ -n "$p" ] && pack "$OUT/elf_diff/real-version" "$o" "$p"
		for ko in "$wd"/module/*.ko; do
			[ -f "$ko" ] && cp "$ko" "$OUT/klp_convert/prelink-$(basename "$ko")"
		done
		rm -rf "$wd"
	fi
	for ko in "$TMP"/out/*.ko; do
		[ -f "$ko" ] && cp "$ko" "$OUT/klp_convert/final-$(basename "$ko")"
	done
fi
for ko in "$CACHE"/root/lib/modules/"$KVER"/kernel/net/vmw_vsock/{vsock_loopback,vsock_diag}.ko; do
	[ -f "$ko" ] && cp "$ko" "$OUT/klp_convert/"
done

cp "$ROOT"/examples/*.patch "$ROOT"/tests/vm/patches/*.patch "$OUT/patch_header/" 2>/dev/null
printf 'From: A <a@b>\nSubject: [PATCH v2 1/3] fix it (CVE-2024-1234, CVE-2023-99999)\n\n---\n' \
	>"$OUT/patch_header/mail"

SV=$(find "$CACHE/root/usr/src" -maxdepth 2 -name Module.symvers 2>/dev/null | head -1)
if [ -n "$SV" ]; then
	head -n 50 "$SV" >"$OUT/symvers/head"
	grep -m 20 _GPL "$SV" >"$OUT/symvers/gpl"
	grep -m 20 -v vmlinux "$SV" >"$OUT/symvers/modules"
fi
printf '0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n0x0\tfoo\tdrivers/x\tEXPORT_SYMBOL_GPL\tNS\n' \
	>"$OUT/symvers/synthetic"
# header changes: "original NUL diff -U0" (the harness's format)
H=$CACHE/src/include/linux/kref.h
[ -f "$H" ] || H=$ROOT/include/livefix/livefix-macros.h
if [ -f "$H" ]; then
	sed '0,/^#define /s/^#define .*/&\n#define LIVEFIX_SEED_NEW 1/' "$H" >"$TMP/added.h"
	sed '0,/^#define /s/^#define .*/& + 1/' "$H" >"$TMP/changed.h"
	sed '0,/^struct [a-z_]* {/s//&\n\tint livefix_new;/' "$H" >"$TMP/member.h"
	for v in added changed member; do
		{ cat "$H"; printf '\0'; diff -U0 "$H" "$TMP/$v.h"; } >"$OUT/header_change/$v"
	done
fi
for d in "$OUT"/*/; do echo "seeds: $(basename "$d") $(ls "$d" | wc -l)"; done
