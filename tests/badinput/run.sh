#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Bad-input tests (docs/bad-input.md): each case checks the exit status,
# a one-line reason on stderr, that no half-written output is left, and
# that the cache still builds a module afterwards. Host-side only: `load`
# runs against a fake /sys (LIVEFIX_SYSFS_ROOT), so nothing is inserted.
#   tests/badinput/run.sh [KVER]      LIVEFIX=binary (default ./livefix),
#                                     LIVEFIX_TEST_BIN=test binary (build/livefix-test)
# Ends with "N passed, N failed, N skipped".
set -u
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LF=${LIVEFIX:-$ROOT/livefix}
# The test binary (make's build/livefix-test): the same livefix, plus the
# test switches (LIVEFIX_KERNEL_RELEASE) the production one ignores.
LFT=${LIVEFIX_TEST_BIN:-$ROOT/build/livefix-test}
EX=$ROOT/examples/proc-version.patch
T=$(mktemp -d "${TMPDIR:-/tmp}/livefix-badinput-XXXXXX")
MOUNTS=()
cleanup() {
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "skip $1: $2"; skipped=$((skipped + 1)); }

# expect NAME RC REGEX CMD...: exit status RC, stderr's reason matches REGEX
# (the first "error:" line; a failed compile adds the compiler's lines).
expect() {
	local name=$1 want=$2 re=$3 rc errs
	shift 3
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	errs=$(grep -c 'error:' "$T/err")
	if [ "$rc" -ne "$want" ]; then
		bad "$name" "exit $rc, expected $want: $(tail -2 "$T/err" | tr '\n' ' ')"
	elif ! grep -qE "$re" "$T/err"; then
		bad "$name" "reason does not match /$re/: $(tail -2 "$T/err" | tr '\n' ' ')"
	elif [ "$errs" -lt 1 ] || [ "$errs" -gt 4 ]; then
		bad "$name" "$errs error lines"
	else
		ok "$name (exit $rc: $(grep -m1 'error:' "$T/err" | cut -c1-110))"
	fi
}
# nothing_in NAME DIR: the directory is absent or empty (no partial output)
nothing_in() {
	if [ -n "$(ls -A "$2" 2>/dev/null)" ]; then
		bad "$1" "left behind in $2: $(ls -A "$2" | tr '\n' ' ')"
	else
		ok "$1"
	fi
}
build() { "$LF" build -k "$KVER" "$@"; }
# cache_ok NAME: a good build still works (and gives a loadable-looking module)
cache_ok() {
	rm -rf "$T/good"
	if build -o "$T/good" "$EX" >"$T/good.log" 2>&1 && "$LF" info "$T/good/livepatch-proc-version.ko" \
		| grep -q 'vmlinux:version_proc_show'; then
		ok "$1"
	else
		bad "$1" "$(tail -2 "$T/good.log" | tr '\n' ' ')"
	fi
}

CACHE=${LIVEFIX_CACHE:-/var/cache/livefix}/$KVER
SRC=$CACHE/src
if [ ! -d "$SRC" ]; then
	skip "all build cases" "no prepared cache at $CACHE (livefix fetch -k $KVER)"
	echo "badinput: $passed passed, $failed failed, $skipped skipped"
	exit 0
fi

# ---- patches
sed 's/^ static int version_proc_show.*/ static int no_such_function(void)/; s/^ {$/ {{/' "$EX" >"$T/noapply.patch"
: >"$T/empty.patch"
f=arch/x86/platform/ce4100/ce4100.c
{ echo "--- a/$f"; echo "+++ b/$f"; echo "@@ -1,1 +1,2 @@"; echo "+/* x */"; head -1 "$SRC/$f" | sed 's/^/ /'; } >"$T/notbuilt.patch"
cat >"$T/binary.patch" <<'P'
diff --git a/fs/proc/logo.bin b/fs/proc/logo.bin
new file mode 100644
index 0000000000000000000000000000000000000000..3f8a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c
GIT binary patch
literal 12
TcmZ?wbhEHbRA6LaU|;|M2~Pqo

literal 0
HcmV?d00001

P
cat "$EX" "$T/binary.patch" >"$T/mixed.patch"
cat >"$T/newfile.patch" <<'P'
diff -uN a/fs/proc/livefix_new.c b/fs/proc/livefix_new.c
--- a/fs/proc/livefix_new.c	1970-01-01 00:00:00.000000000 +0000
+++ b/fs/proc/livefix_new.c	2026-11-27 00:00:00.000000000 +0000
@@ -0,0 +1,2 @@
+// SPDX-License-Identifier: GPL-2.0
+int livefix_new(void) { return 0; }
P
{ echo "--- a/../../etc/passwd"; echo "+++ b/../../etc/passwd"; echo "@@ -1 +1 @@"; echo "-x"; echo "+y"; } >"$T/escape.patch"

expect "patch that does not apply" 1 'failed \[bad-patch\]: patch does not apply' build -o "$T/o1" "$T/noapply.patch"
nothing_in "  no output" "$T/o1"
expect "empty patch" 1 'touches no file' build -o "$T/o2" "$T/empty.patch"
nothing_in "  no output" "$T/o2"
expect "patch to a file not compiled" 1 'failed \[not-in-config\]: arch/x86/platform/ce4100/ce4100.c is not compiled in this kernel' build -o "$T/o3" "$T/notbuilt.patch"
nothing_in "  no output" "$T/o3"
expect "fetch --debug-modules of a module the kernel lacks" 2 "no module 'no_such_mod'" \
	"$LF" fetch -k "$KVER" --debug-modules no_such_mod
expect "patch creating a new .c file" 3 'refused \[new-file\]: .*creates this source file' build -o "$T/o4" "$T/newfile.patch"
expect "binary file in the patch" 3 'refused \[non-c-file\]: .*binary file' build -o "$T/o4" "$T/binary.patch"
expect "source and binary file in one patch" 3 'binary file' build -o "$T/o4" "$T/mixed.patch"
nothing_in "  no output" "$T/o4"
expect "patch outside the source tree" 1 'outside the kernel source' build -o "$T/o5" "$T/escape.patch"
expect "missing patch file" 1 'cannot read|No such file' build -o "$T/o5" "$T/nonexistent.patch"
nothing_in "  no output" "$T/o5"
expect "no patch given" 2 'no patch' build -o "$T/o5"
# a kernel of another release (trixie's, compiled in its build root) where
# no private mount namespace is granted (CAP_SYS_ADMIN dropped, as in an
# unprivileged container): one reason naming the step, exit 4, nothing written
TRIXIE=${KVER_TRIXIE:-6.12.107+deb13-amd64}
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
   [ ! -d "${LIVEFIX_CACHE:-/var/cache/livefix}/$TRIXIE/buildroot" ]; then
	skip "build root without a private mount namespace" "needs root, setpriv and $TRIXIE's cached build root"
else
	expect "build root without a private mount namespace" 4 \
		"failed \[build-root\]: cannot enter the build root .*unshare\(CLONE_NEWNS\)\) failed: Operation not permitted" \
		setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$LF" build -k "$TRIXIE" -o "$T/o7" "$EX"
	nothing_in "build root refused: no output" "$T/o7"
fi
# a whole update (build --update VERSION --plan): one line, nothing written,
# and no cache directory for a version the archive lacks
expect "update to an older version" 2 'not newer than the running kernel' \
	"$LF" build --update 6.1.164-1 --plan -k "$KVER" -o "$T/o6"
expect "update of another series" 2 'of series 6.12, but kernel' \
	"$LF" build --update 6.12.1-1 --plan -k "$KVER" -o "$T/o6"
expect "update not in the archive" 4 'linux-source-6.1 6.1.999-1 is not in the archive' \
	"$LF" build --update 6.1.999-1 --plan -k "$KVER" -o "$T/o6"
# the cumulative build (build --update VERSION without --plan): the same
# lines, nothing written (no report, no logs, no module)
expect "cumulative update to an older version" 2 'not newer than the running kernel' \
	"$LF" build --update 6.1.164-1 -k "$KVER" -o "$T/o6" --limit 1
expect "cumulative update of another series" 2 'of series 6.12, but kernel' \
	"$LF" build --update 6.12.1-1 -k "$KVER" -o "$T/o6"
expect "cumulative update not in the archive" 4 'linux-source-6.1 6.1.999-1 is not in the archive' \
	"$LF" build --update 6.1.999-1 -k "$KVER" -o "$T/o6"
expect "cumulative update: --limit 0" 2 "invalid --limit '0'" \
	"$LF" build --update 6.1.176-1 -k "$KVER" -o "$T/o6" --limit 0
expect "cumulative update: --jobs not a number" 2 "invalid --jobs 'x'" \
	"$LF" build --update 6.1.176-1 -k "$KVER" -o "$T/o6" -j x
expect "--only without --update" 2 'goes without patches' \
	"$LF" build -k "$KVER" -o "$T/o6" --only net/
expect "--plan with --limit" 2 'goes without patches' \
	"$LF" build --update 6.1.176-1 --plan --limit 2 -k "$KVER" -o "$T/o6"
nothing_in "  no output" "$T/o6"
nothing_in "  no cache directory for it" "${LIVEFIX_CACHE:-/var/cache/livefix}/source-6.1-6.1.999-1"
cache_ok "cache usable after bad patches"

# ---- build --json: one document on stdout whatever the outcome, valid
# against docs/build.schema.json, with the codes; the exit status unchanged
# json_expect NAME RC PYTHON-CONDITION CMD...: the document is "d"
json_expect() {
	local name=$1 want=$2 cond=$3 rc
	shift 3
	"$@" >"$T/json" 2>"$T/json.err"; rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name" "exit $rc, expected $want: $(tail -2 "$T/json.err" | tr '\n' ' ')"
	elif ! python3 - "$ROOT/docs/build.schema.json" "$T/json" "$cond" >"$T/json.why" 2>&1 <<'PY'
import json, sys
schema = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
if text.count("\n") != 1:
    sys.exit("expected one line of JSON on stdout, saw %d lines" % text.count("\n"))
d = json.loads(text)
try:
    import jsonschema
    jsonschema.validate(d, schema)
except ImportError:
    pass
if not eval(sys.argv[3]):
    sys.exit("expected %s, saw %s" % (sys.argv[3], text.strip()))
PY
	then
		bad "$name" "$(tail -1 "$T/json.why" | cut -c1-400)"
	else
		ok "$name"
	fi
}
json_expect "build --json: a patch that does not apply" 1 \
	'd["outcome"] == "failed" and d["code"] == "bad-patch" and d["module"] is None and any(e["code"] == "bad-patch" for e in d["errors"])' \
	build --json -o "$T/o6" "$T/noapply.patch"
json_expect "build --json: a refusal names its code and file" 3 \
	'd["outcome"] == "refused" and d["code"] == "new-file" and d["refusals"][0]["code"] == "new-file" and d["refusals"][0]["symbol"] == "fs/proc/livefix_new.c"' \
	build --json -o "$T/o6" "$T/newfile.patch"
json_expect "build --json: a usage error" 2 'd["outcome"] == "usage" and d["code"] == "usage"' \
	build --json --max-units 0 "$EX"
json_expect "build --json: built" 0 \
	'd["outcome"] == "built" and d["code"] is None and d["module"]["path"].endswith("/livepatch-proc-version.ko") and d["objects"] == [{"object": "vmlinux", "changed": ["version_proc_show"], "new": []}] and not d["refusals"]' \
	build --json -o "$T/o7" "$EX"
nothing_in "  no output after the failed --json builds" "$T/o6"

# ---- modules given to info and load
mkdir -p "$T/fake/sys/kernel/livepatch" "$T/fake/sys/module" "$T/fake/proc"
KO=$T/good/livepatch-proc-version.ko
head -c 4096 "$KO" >"$T/trunc.ko"
head -c $(( $(stat -c %s "$KO") * 9 / 10 )) "$KO" >"$T/trunc90.ko"
python3 - "$KO" "$T/corrupt.ko" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
for i in range(64, len(d), 97):
    d[i] ^= 0x5a
open(sys.argv[2], 'wb').write(d)
PY
head -c 512 /dev/urandom >"$T/junk.ko"
: >"$T/zero.ko"
for k in trunc trunc90 corrupt junk zero; do
	expect "info on a $k .ko" 1 "not (a kernel module|an ELF)|cannot|no .modinfo|truncated|corrupt" \
		"$LF" info "$T/$k.ko"
	expect "load of a $k .ko" 3 "not (a kernel module|an ELF)|cannot|no .modinfo|truncated|corrupt" \
		env LIVEFIX_SYSFS_ROOT="$T/fake" LIVEFIX_PROC_ROOT="$T/fake" LIVEFIX_KERNEL_RELEASE="$KVER" \
		"$LFT" load "$T/$k.ko"
done
expect "load of a module for another kernel" 3 "refused \[wrong-kernel\]: .*is built for kernel $KVER, but the running kernel is" \
	env LIVEFIX_SYSFS_ROOT="$T/fake" LIVEFIX_PROC_ROOT="$T/fake" LIVEFIX_KERNEL_RELEASE=6.1.0-99-amd64 \
	"$LFT" load "$KO"
expect "info on a missing file" 1 "no patch module" "$LF" info "$T/missing.ko"

# ---- hostile files and directories (docs/security.md)
FAKE=(env LIVEFIX_SYSFS_ROOT="$T/fake" LIVEFIX_PROC_ROOT="$T/fake" LIVEFIX_RUN_DIR="$T/run")
cp "$KO" "$T/anyone.ko" && chmod 0666 "$T/anyone.ko"
expect "load of a module anyone can write" 4 "untrusted-file.*writable by others" "${FAKE[@]}" "$LF" load "$T/anyone.ko"
ln -sf "$KO" "$T/link.ko"
expect "load through a symbolic link" 1 "symbolic link" "${FAKE[@]}" "$LF" load "$T/link.ko"
mkfifo "$T/fifo.ko"
expect "load of a FIFO named .ko" 3 "not a regular file" timeout 10 "${FAKE[@]}" "$LF" load "$T/fifo.ko"
mkdir -p "$T/updates" && cp "$KO" "$T/updates/" && chmod 0777 "$T/updates"
expect "upgrade from a directory anyone can write" 4 "untrusted-file.*writable by others" \
	"${FAKE[@]}" "$LF" upgrade -y "$T/updates"
if [ "$(id -u)" -eq 0 ]; then
	chmod 0755 "$T/updates" && chown nobody "$T/updates"
	expect "upgrade from another user's directory" 4 "owned by another user" \
		"${FAKE[@]}" "$LF" upgrade -y "$T/updates"
fi
python3 - "$KO" "$T/crafted.ko" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
i = d.index(b'livefix_kernel=') + len(b'livefix_kernel=')
j = d.index(b'\0', i)
new = b'../../victim'
d = d[:i] + new + b'\0' * (j - i - len(new)) + d[j:] if len(new) <= j - i else d
open(sys.argv[2], 'wb').write(d)
PY
expect "install of a module whose livefix_kernel is ../../victim" 3 "invalid kernel release" \
	env LIVEFIX_LIB_DIR="$T/lib/a/b" "$LF" install "$T/crafted.ko"
if [ -e "$T/lib/victim" ] || [ -e "$T/victim" ]; then
	bad "  nothing made outside the lib dir" "$(ls -d "$T"/lib/victim "$T"/victim 2>/dev/null)"
else
	ok "  nothing made outside the lib dir"
fi
expect "build --cve that is not an id" 2 "not a CVE id" "$LF" build --cve 'CVE-2024-0001-like' "$EX"
mkdir -p "$T/foreign-cache" && chmod 0777 "$T/foreign-cache"
expect "build with a cache anyone can write" 4 "refusing the cache" \
	env LIVEFIX_CACHE="$T/foreign-cache" "$LF" build -k "$KVER" -o "$T/o6" "$EX"
nothing_in "  no output" "$T/o6"

# ---- test switches: only the test binary has them
rel=$(uname -r)
if [ "$(env LIVEFIX_KERNEL_RELEASE=9.9.9-test "$LF" uname -r)" = "$rel" ] &&
   [ "$(env LIVEFIX_KERNEL_RELEASE=9.9.9-test "$LFT" uname -r)" = 9.9.9-test ]; then
	ok "production livefix ignores LIVEFIX_KERNEL_RELEASE (the test binary does not)"
else
	bad "production livefix ignores LIVEFIX_KERNEL_RELEASE" \
		"$(env LIVEFIX_KERNEL_RELEASE=9.9.9-test "$LF" uname -r) / $(env LIVEFIX_KERNEL_RELEASE=9.9.9-test "$LFT" uname -r 2>&1)"
fi
if grep -qa 'LIVEFIX_TEST_\|LIVEFIX_KERNEL_RELEASE' "$LF"; then
	bad "production livefix holds no test switch" "$(grep -ao 'LIVEFIX_TEST_[A-Z_]*\|LIVEFIX_KERNEL_RELEASE' "$LF" | sort -u | tr '\n' ' ')"
elif ! grep -qa 'LIVEFIX_TEST_NO_RUN_PRE' "$LFT"; then
	bad "production livefix holds no test switch" "the test binary has none either: $LFT"
else
	ok "production livefix holds no test switch (LIVEFIX_TEST_*, LIVEFIX_KERNEL_RELEASE)"
fi

# ---- paths with spaces and shell metacharacters
D="$T/dir with space;\$(touch PWNED)'q\"&"
mkdir -p "$D"
cp "$EX" "$D/my patch \$(id) ;x.patch"
if build -o "$D/out dir|&" "$D/my patch \$(id) ;x.patch" >"$T/sp.log" 2>&1 &&
   [ -f "$D/out dir|&/livepatch-my-patch---id---x.ko" ] && [ ! -e PWNED ] && [ ! -e "$D/PWNED" ] &&
   [ ! -e "$SRC/PWNED" ]; then
	ok "patch path and -o dir with spaces and metacharacters"
else
	bad "patch path and -o dir with spaces and metacharacters" "$(tail -2 "$T/sp.log" | tr '\n' ' ')"
fi

# ---- full disk (tmpfs), interrupted builds: need root for mount
if [ "$(id -u)" -ne 0 ]; then
	skip "full disk and interrupt cases" "not root"
else
	mkdir -p "$T/small" "$T/tinytmp" "$T/tmp"
	mount -t tmpfs -o size=100k tmpfs "$T/small" && MOUNTS+=("$T/small")
	mount -t tmpfs -o size=1m tmpfs "$T/tinytmp" && MOUNTS+=("$T/tinytmp")
	expect "full disk in the -o dir" 1 'No space left on device' build -o "$T/small/out" "$EX"
	nothing_in "  no output, no temp file" "$T/small"
	expect "full disk in TMPDIR (work dir)" 1 'No space left on device' \
		env TMPDIR="$T/tinytmp" "$LF" build -k "$KVER" -o "$T/o6" "$EX"
	nothing_in "  work dir removed" "$T/tinytmp"
	nothing_in "  no output" "$T/o6"
	cache_ok "cache usable after a full disk"

	# interrupted: SIGINT/SIGTERM while compiling and while linking; the
	# build dies of the signal (130/143), removes its work dir, writes nothing
	for sig in INT TERM; do
		for phase in "Building original" "Building patch module"; do
			name="SIG$sig during '${phase}'"
			# int.log too: the wait below must not see the last case's
			# phases before this job truncates it, or the signal reaches
			# the job while it is still this shell's fork, before its
			# exec, and that fork runs this script's EXIT trap (rm -rf $T)
			rm -rf "$T/o7" "$T/tmp"/* "$T/int.log"
			# a background job of a non-interactive shell ignores SIGINT otherwise
			# (set -m), and so does anything started from a shell that already
			# ignored it (nohup ... &): env --default-signal restores it
			set -m
			env --default-signal=INT,TERM TMPDIR="$T/tmp" \
				"$LF" build -k "$KVER" -o "$T/o7" "$EX" >"$T/int.log" 2>&1 &
			pid=$!
			set +m
			for _ in $(seq 200); do
				grep -q "$phase" "$T/int.log" 2>/dev/null && break
				sleep 0.05
			done
			kill -"$sig" "$pid"
			wait "$pid"; rc=$?
			want=$((128 + $(kill -l "$sig")))
			sleep 0.5 # the compiler's own temp files go as it dies
			if [ "$rc" -ne "$want" ]; then
				bad "$name" "exit $rc, expected $want"
			elif [ ! -d "$T/tmp" ] || ! grep -q "$phase" "$T/int.log" 2>/dev/null; then
				bad "$name" "the build never reached '$phase', or the test's $T/tmp is gone"
			elif [ -n "$(ls -A "$T/tmp")" ] || [ -n "$(ls -A "$T/o7" 2>/dev/null)" ]; then
				bad "$name" "left: $(ls -A "$T/tmp" "$T/o7" 2>/dev/null | tr '\n' ' ')"
			else
				ok "$name (exit $rc, nothing left)"
			fi
		done
	done
	cache_ok "cache usable after interrupted builds"
fi

# ---- two builds for the same kernel at once share the cache safely
rm -rf "$T/c1" "$T/c2" "$T/c3"
build -o "$T/c1" "$EX" >"$T/c1.log" 2>&1 & p1=$!
build -o "$T/c2" "$EX" >"$T/c2.log" 2>&1 & p2=$!
build -o "$T/c3" "$ROOT/tests/vm/patches/proc-meminfo.patch" >"$T/c3.log" 2>&1 & p3=$!
wait $p1; r1=$?; wait $p2; r2=$?; wait $p3; r3=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ $r3 -eq 0 ] &&
   "$LF" info "$T/c1/livepatch-proc-version.ko" | grep -q vmlinux:version_proc_show &&
   "$LF" info "$T/c2/livepatch-proc-version.ko" | grep -q vmlinux:version_proc_show &&
   "$LF" info "$T/c3/livepatch-proc-meminfo.ko" | grep -q vmlinux:meminfo_proc_show; then
	ok "three concurrent builds for one kernel"
else
	bad "three concurrent builds for one kernel" "exits $r1 $r2 $r3: $(tail -1 "$T/c1.log" "$T/c2.log" "$T/c3.log" | tr '\n' ' ')"
fi
cache_ok "cache usable after concurrent builds"

echo "badinput: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
