#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/selftest/run.sh [KVER] — self-test of the corpus runners
# without the real differ: real livepatch modules built from the kernel's
# samples/livepatch/livepatch-sample.c (kbuild against the cached headers),
# a fake livefix (fake-livefix: "build" hands them out or refuses, "load"/
# "unload" drive /sys/kernel/livepatch in the guest), small fake corpora,
# and real boots. Checks each runner's summary line. ~2 minutes.
set -u
KVER=${1:-6.1.0-47-amd64}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
C=$(corpus_cachedir)/$KVER
SAMPLE=$C/src/samples/livepatch/livepatch-sample.c
HDR=$C/root/usr/src/linux-headers-$KVER
[ -r "$SAMPLE" ] && [ -d "$HDR" ] || { echo "selftest: no prepared cache for $KVER: skipped"; echo "selftest: 0 passed, 0 failed"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/livefix-corpus-selftest.XXXXXX")
trap 'rm -rf "$W"' EXIT
passed=0 failed=0
check() { # NAME EXPECTED-SUMMARY OUTPUT-FILE
	local got; got=$(tail -1 "$3")
	if [[ $got == *"$2" ]]; then echo "ok $1"; passed=$((passed + 1))
	else echo "FAIL $1: expected '$2', saw '$got'"; tail -20 "$3" | sed 's/^/    | /'; failed=$((failed + 1)); fi
}
# Modules: the sample with its marker text and target function changed.
mk() { # DIR NAME MARKER FUNCTION [warn]
	local e=(-e "")
	[ -z "${5:-}" ] || e=(-e 's/seq_printf(m, "%s\\n", "this has been live patched");/WARN_ON(1); seq_printf(m, "x\\n");/')
	sed "${e[@]}" -e "s/this has been live patched/$3/" -e "s/\"cmdline_proc_show\"/\"$4\"/" "$SAMPLE" >"$1/livepatch-$2.c"
	echo "obj-m += livepatch-$2.o" >>"$1/Kbuild"
}
mkdir -p "$W/k" "$W/s"
mk "$W/k" cmdline livefix-fake-cmdline cmdline_proc_show
mk "$W/k" version livefix-fake-version version_proc_show
mk "$W/k" xfsmod livefix-fake-xfsmod meminfo_proc_show
sed -e 's/this has been live patched/livefix-fake-cmdline livefix-fake-version livefix-fake-xfsmod/' \
    -e '0,/{ }/s/{ }/{ .old_name = "version_proc_show", .new_func = livepatch_cmdline_proc_show, },\n\t{ .old_name = "meminfo_proc_show", .new_func = livepatch_cmdline_proc_show, },\n\t{ }/' \
    "$SAMPLE" >"$W/k/livepatch-combined.c"
echo "obj-m += livepatch-combined.o" >>"$W/k/Kbuild"
for id in 0002 0006 0010; do mk "$W/s" "stable-$id" "fake-$id" cmdline_proc_show; done
mk "$W/s" stable-0009 x version_proc_show warn
for d in k s; do
	make -s -C "$HDR" M="$W/$d" CC=gcc-12 modules >"$W/$d.log" 2>&1 || { echo "FAIL selftest: kbuild of the sample modules failed"; tail "$W/$d.log"; echo "selftest: 0 passed, 1 failed"; exit 1; }
done
# The kpatch-style corpus.
K=$W/kc; mkdir -p "$K"
p() { printf -- '--- a/%s\n+++ b/%s\n@@ -1 +1 @@\n-x\n+y\n' "$1" "$1"; }
p fs/proc/cmdline.c >"$K/cmdline.patch"; p fs/proc/version.c >"$K/version.patch"; p fs/xfs/xfs_stats.c >"$K/xfsmod.patch"
p arch/x86/kvm/x86.c >"$K/warn-detect-FAIL.patch"; p drivers/base/core.c >"$K/symvers-disagreement-FAIL.patch"
printf '#!/bin/bash\n\ngrep -q livefix-fake-cmdline /proc/cmdline\n' >"$K/cmdline-LOADED.test"
printf '#!/bin/bash\nset -o errexit\nsudo true\n[[ -r /proc/version ]]\ngrep -q livefix-fake-version /proc/version\n' >"$K/version-LOADED.test"
printf '#!/bin/bash\nset -o errexit\nsudo modprobe xfs\ngrep -q livefix-fake-xfsmod /proc/meminfo\n' >"$K/xfsmod-LOADED.test"
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/k "$HERE/../run-kpatch-corpus.sh" -o "$W/kout" "$K" "$KVER" >"$W/k.out" 2>&1
check "kpatch runner, all good" "corpus: 7 passed, 0 failed" "$W/k.out"
cp "$K/cmdline.patch" "$K/builds-anyway-FAIL.patch"; cp "$K/cmdline.patch" "$K/broken.patch"
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/k "$HERE/../run-kpatch-corpus.sh" -o "$W/kout2" "$K" "$KVER" >"$W/k2.out" 2>&1
check "kpatch runner, failures found" "corpus: 5 passed, 4 failed" "$W/k2.out"
"$HERE/../run-kpatch-corpus.sh" "$W/absent" >"$W/k3.out" 2>&1
check "kpatch runner, absent corpus" "corpus: 0 passed, 0 failed" "$W/k3.out"
# The stable-style corpus.
S=$W/sc; mkdir -p "$S/patches"
printf 'id\tfile\tclass\ttarget\tlines_changed\tnotes\n' >"$S/index.tsv"
add() { printf '%s\t%s\t%s\t%s\t1\tn\n' "$1" "$2" "$3" "$4" >>"$S/index.tsv"; [ "$3" = d ] || p "$2" >"$S/patches/$1-$(tr / - <<<"$2")-$5.patch"; }
add 0001 Makefile d - x; add 0002 fs/proc/cmdline.c a vmlinux ok; add 0003 include/linux/x.h b vmlinux+5mod header
add 0004 fs/proc/meminfo.c a vmlinux data; add 0005 arch/x86/kvm/x86.c a kvm init; add 0006 fs/xfs/xfs_stats.c a xfs ok
add 0007 fs/proc/x.c a vmlinux broken; add 0008 fs/proc/y.c a vmlinux noreason; add 0009 fs/proc/version.c a vmlinux warn
add 0010 crypto/pcrypt.c a vmlinux,pcrypt ok; add 0011 drivers/foo/bar.c a nosuchmod,vmlinux env
add 0012 fs/proc/z.c a vmlinux notbuilt
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/s BATCH=4 "$HERE/../run-stable-corpus.sh" -o "$W/sout" "$S" "$KVER" 2 >"$W/s.out" 2>&1
check "stable runner (oops rerun, categories)" "stable-corpus: 7 passed, 4 failed" "$W/s.out"
# outcomes from the build's --json code: a refusal's, and not-in-config's
for want in "0004	.*	refused:changed-data	changed-data" "0012	.*	skipped:not-in-config	not-in-config"; do
	if grep -qE "^$want" "$W/sout/report.tsv"; then echo "ok report.tsv: $want"; passed=$((passed + 1))
	else echo "FAIL report.tsv: expected a line matching '$want', saw: $(grep -E "^${want%%	*}" "$W/sout/report.tsv")"; failed=$((failed + 1)); fi
done
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/s ONLY=2,0006,10 "$HERE/../run-stable-corpus.sh" -o "$W/sout2" "$S" "$KVER" >"$W/s2.out" 2>&1
check "stable runner, ONLY" "stable-corpus: 3 passed, 0 failed" "$W/s2.out"
rm "$W/sout2/work/0006.rc"
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/s FAKE_BUILD_LOG=$W/resume.builds RESUME=1 ONLY=2,0006,10 \
	"$HERE/../run-stable-corpus.sh" -o "$W/sout2" "$S" "$KVER" >"$W/s5.out" 2>&1
check "stable runner, RESUME" "stable-corpus: 3 passed, 0 failed" "$W/s5.out"
if [ "$(cat "$W/resume.builds" 2>/dev/null)" = stable-0006 ]; then echo "ok RESUME rebuilds only the unfinished build"; passed=$((passed + 1))
else echo "FAIL RESUME: expected only stable-0006 built again, saw: $(paste -sd' ' "$W/resume.builds" 2>/dev/null)"; failed=$((failed + 1)); fi
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/s LIMIT=3 "$HERE/../run-stable-corpus.sh" -o "$W/sout3" "$S" "$KVER" >"$W/s3.out" 2>&1
check "stable runner, LIMIT" "stable-corpus: 3 passed, 0 failed" "$W/s3.out"
# A commit whose units need each other beyond what gcc names: the last
# round builds the patch with every patch of its target module.
S=$W/sc2; mkdir -p "$S/patches"
printf 'id\tfile\tclass\ttarget\tlines_changed\tnotes\n' >"$S/index.tsv"
add 0001 drivers/foo/m1.c a foomod needsmate; add 0002 drivers/foo/m2.h b foomod,foomod_pci modmate
add 0003 drivers/bar/b.h b barmod notmate
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/s ONLY=1 EXPECT=0001=refused:export-crc "$HERE/../run-stable-corpus.sh" -o "$W/sout4" "$S" "$KVER" >"$W/s4.out" 2>&1
check "stable runner, whole-module round" "stable-corpus: 1 passed, 0 failed" "$W/s4.out"
if grep -q 'built with patch(es) 0002 (alone' "$W/sout4/report.tsv"; then echo "ok whole-module round names its patches"; passed=$((passed + 1))
else echo "FAIL whole-module round: expected 'built with patch(es) 0002 (alone...' in report.tsv, saw: $(cut -f9 "$W/sout4/report.tsv" | tail -1)"; failed=$((failed + 1)); fi
# A unit that does not compile for a type the patch uses: refused with
# the type named when no corpus patch adds it (the commit's other files
# are not in the corpus), wrong when one does (the companion search
# missed it: here, a header no include graph reaches)
printf '0004\tdrivers/baz/baz.c\ta\tvmlinux\t1\tn\n0005\tdrivers/baz/baz2.c\ta\tvmlinux\t1\tn\n0006\tinclude/baz/other.h\tb\tvmlinux\t1\tn\n' >>"$S/index.tsv"
printf -- '--- a/drivers/baz/baz.c\n+++ b/drivers/baz/baz.c\n@@ -1 +1 @@\n-\treturn sizeof(struct baz_old_err);\n+\treturn sizeof(struct baz_moved_err);\n' \
	>"$S/patches/0004-drivers-baz-baz.c-incomplete.patch"
printf -- '--- a/drivers/baz/baz2.c\n+++ b/drivers/baz/baz2.c\n@@ -1 +1 @@\n-\treturn sizeof(struct baz_old_err);\n+\treturn sizeof(struct baz_other_err);\n' \
	>"$S/patches/0005-drivers-baz-baz2.c-missed.patch"
printf -- '--- a/include/baz/other.h\n+++ b/include/baz/other.h\n@@ -1 +1,2 @@\n x\n+struct baz_other_err { int e; };\n' \
	>"$S/patches/0006-include-baz-other.h-notmate.patch"
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/s ONLY=4,5 \
	"$HERE/../run-stable-corpus.sh" -o "$W/sout6" "$S" "$KVER" >"$W/s6.out" 2>&1
check "stable runner, a compile failure only the missing rest of the commit cures" "stable-corpus: 1 passed, 1 failed" "$W/s6.out"
for want in "0004	.*	refused:compile-failed	compile-failed	.*name baz_moved_err, which these patches change and no other corpus patch provides" \
	"0005	.*	wrong:build-exit1	"; do
	if grep -qE "^$want" "$W/sout6/report.tsv"; then echo "ok report.tsv: ${want:0:60}"; passed=$((passed + 1))
	else echo "FAIL report.tsv: expected a line matching '$want', saw: $(grep -E "^${want%%	*}" "$W/sout6/report.tsv" 2>/dev/null)"; failed=$((failed + 1)); fi
done
# A header refused beyond --max-units whose layout probe did not compile
# alone: built again with the probe's own .c patch, it shows the layout.
add 0007 include/linux/perfx.h b vmlinux probehdr; add 0008 drivers/foo/probe.c a vmlinux probemate
LIVEFIX=$HERE/fake-livefix FAKE_KO_DIR=$W/s ONLY=7 EXPECT=0007=refused:data-layout "$HERE/../run-stable-corpus.sh" -o "$W/sout7" "$S" "$KVER" >"$W/s7.out" 2>&1
check "stable runner, a layout probe's own patch" "stable-corpus: 1 passed, 0 failed" "$W/s7.out"
if grep -q 'built with patch(es) 0008 (alone' "$W/sout7/report.tsv"; then echo "ok the probe's patch is named"; passed=$((passed + 1))
else echo "FAIL probe round: expected 'built with patch(es) 0008 (alone...' in report.tsv, saw: $(cut -f9 "$W/sout7/report.tsv" | tail -1)"; failed=$((failed + 1)); fi
echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
