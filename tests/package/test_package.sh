#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# livefix package: two real live patches built from examples/proc-version.patch
# (cumulative patch 1 and 2, effective versions +fix1 < +fix2) become
# livefix-patch-KVER packages; dpkg-deb shows their fields and files; in a
# scratch dpkg root (dpkg --root --force-script-chrootless: the maintainer
# scripts run with DPKG_ROOT, so they install into that root and never load
# into this machine's kernel) a root without the patch's kernel refuses it
# before anything is unpacked, 1 installs, 2 upgrades it (1 uninstalled),
# installing 1 again rolls back, and purging leaves nothing. The loading
# half of the scripts (this host's kernel) runs on the fleet's test hosts
# (make fleet-test). Bad input: a file that is not a live patch, a version
# that is not a Debian version.
#   tests/package/test_package.sh [KVER]
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LF=${LIVEFIX:-$ROOT/livefix}
T=$(mktemp -d /tmp/livefix-test-package-XXXXXX)
trap 'rm -rf "$T"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
finish() { echo "package: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit; }

# bad input first: it needs no kernel
mkdir -p "$T/o"
echo "not an ELF file" >"$T/junk.ko"
out=$("$LF" package -o "$T/o" "$T/junk.ko" 2>&1); rc=$?
[ "$rc" -eq 1 ] && grep -q 'not-livepatch' <<<"$out" && [ -z "$(ls -A "$T/o")" ] &&
	ok "a file that is not a module: exit 1 [not-livepatch], nothing written" ||
	bad "junk module" "expected exit 1, [not-livepatch], empty output dir; saw $rc: $out; $(ls -A "$T/o")"

CACHE=${LIVEFIX_CACHE:-/var/cache/livefix}/$KVER
if [ ! -d "$CACHE/src" ]; then
	echo "skip package builds: no prepared cache at $CACHE (livefix fetch -k $KVER)"
	skipped=$((skipped + 1)); finish
fi
build() { # name effective cve...
	local name=$1 eff=$2 args=(); shift 2
	for c in "$@"; do args+=(--cve "$c"); done
	"$LF" build -k "$KVER" -n "$name" -o "$T/$name" --effective-version "$eff" "${args[@]}" \
		"$ROOT/examples/proc-version.patch" >"$T/$name.log" 2>&1
}
if build pkg-a 6.1.170-3+fix1 CVE-2026-0001 && build pkg-b 6.1.170-3+fix2 CVE-2026-0001 CVE-2026-0002; then
	ok "two cumulative patches built"
else bad "livefix build" "saw: $(tail -3 "$T"/pkg-*.log)"; finish; fi

out=$("$LF" package --version 'x y' -o "$T/o" "$T/pkg-a/livepatch-pkg-a.ko" 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q 'not a Debian version' <<<"$out" && [ -z "$(ls -A "$T/o")" ] &&
	ok "--version 'x y': exit 2, nothing written" || bad "--version 'x y'" "expected exit 2, saw $rc: $out"

A=$("$LF" package -o "$T" "$T/pkg-a/livepatch-pkg-a.ko" 2>"$T/pa.log") &&
B=$("$LF" package -o "$T" "$T/pkg-b/livepatch-pkg-b.ko" 2>"$T/pb.log") ||
	{ bad "livefix package" "saw: $(cat "$T"/p[ab].log)"; finish; }
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$A" Package)" = "livefix-patch-$KVER" ] && ok "package name livefix-patch-$KVER" ||
	bad "package name" "saw $(field "$A" Package)"
va=$(field "$A" Version) vb=$(field "$B" Version)
[[ $va == 6.1.170-3+fix1+lf[0-9]*.[0-9]* ]] && [ "$(basename "$A")" = "livefix-patch-${KVER}_${va}_amd64.deb" ] &&
	ok "version from the effective version and build time ($va)" || bad "version" "saw $va, file $(basename "$A")"
dpkg --compare-versions "$va" lt "$vb" && ok "cumulative patch 2 sorts after 1 ($vb)" ||
	bad "version order" "expected $va < $vb"
[ "$(field "$B" Livefix-Cves)" = "CVE-2026-0001, CVE-2026-0002" ] && [ "$(field "$B" Livefix-Kernel)" = "$KVER" ] &&
	[ "$(field "$B" Pre-Depends)" = "livefix (>= 0.1.0)" ] && ok "Livefix-Cves, Livefix-Kernel, Pre-Depends" ||
	bad "fields" "saw: $(dpkg-deb -f "$B")"
files=$(dpkg-deb -c "$A" | awk '$1 !~ /^d/ {print $2, $6}')
[ "$files" = "root/root ./usr/lib/livefix/packages/$KVER/livepatch-pkg-a.ko" ] &&
	ok "holds only the module, owned by root" || bad "contents" "saw: $files"
dpkg-deb -e "$A" "$T/ctrl"
for s in preinst postinst prerm postrm; do
	sh -n "$T/ctrl/$s" && [ -x "$T/ctrl/$s" ] || bad "$s" "not an executable sh script"
done && ok "maintainer scripts are executable sh"
E=$("$LF" package --version 1:2.0-1 -o "$T/o" "$T/pkg-a/livepatch-pkg-a.ko" 2>&1) &&
	[ "$(basename "$E")" = "livefix-patch-${KVER}_2.0-1_amd64.deb" ] && ok "--version 1:2.0-1 (no epoch in the file name)" ||
	bad "--version 1:2.0-1" "saw: $E"

# A scratch dpkg root; its maintainer scripts use this tree's livefix.
R=$T/root
mkdir -p "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/info"
touch "$R/var/lib/dpkg/status"
export PATH="$(dirname "$LF"):$PATH"
dpkg_root() { dpkg --root="$R" --force-script-chrootless --force-depends "$@" >"$T/dpkg.log" 2>&1; }
state() { dpkg-query --root="$R" -W -f='${Status} ${Version}' "livefix-patch-$KVER" 2>/dev/null; }
left() { (cd "$R" && find . -type f ! -path './var/lib/dpkg/*' ! -name install-order | sort | tr '\n' ' '); }

if ! dpkg_root -i "$A" && grep -q "refused \[wrong-kernel\]: this patch is for Linux $KVER" "$T/dpkg.log" &&
	[ -z "$(left)" ] && ! state | grep -q 'ok installed'; then
	ok "a root without Linux $KVER: refused by preinst, nothing unpacked"
else bad "wrong kernel" "expected refusal and no file, saw: $(cat "$T/dpkg.log"); files: $(left); state: $(state)"; fi

mkdir -p "$R/lib/modules/$KVER"
I=./var/lib/livefix/$KVER S=./var/lib/livefix-packages/$KVER P=./usr/lib/livefix/packages/$KVER
expect_files() { # what, expected files
	local what=$1 want; shift
	want=""; [ $# -eq 0 ] || want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$(left)" = "$want" ] && ok "$what" || bad "$what" "expected files: $want; saw: $(left); dpkg: $(tail -3 "$T/dpkg.log")"
}
dpkg_root -i "$A"
[ "$(state)" = "install ok installed $va" ] || bad "install 1" "state: $(state)"
expect_files "install 1: installed for boot by livefix install" $P/livepatch-pkg-a.ko $I/livepatch-pkg-a.ko $S
[ "$(stat -c %a "$R/$I/livepatch-pkg-a.ko")" = 600 ] || bad "installed mode" "expected 600"
dpkg_root -i "$B"
[ "$(state)" = "install ok installed $vb" ] || bad "upgrade to 2" "state: $(state)"
expect_files "upgrade 1 -> 2: 2 installed, 1 uninstalled" $P/livepatch-pkg-b.ko $I/livepatch-pkg-b.ko $S
dpkg_root -i "$A"
[ "$(state)" = "install ok installed $va" ] || bad "rollback to 1" "state: $(state)"
expect_files "rollback 2 -> 1 (a downgrade): 1 installed, 2 uninstalled" $P/livepatch-pkg-a.ko $I/livepatch-pkg-a.ko $S
dpkg_root -P "livefix-patch-$KVER"
expect_files "purge: nothing left"
finish
