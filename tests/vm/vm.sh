#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/vm/vm.sh — boot a Debian kernel in QEMU (TCG) with a busybox initramfs
# and run one shell script in it. Used by the VM tests and by `make demo`.
#
# usage: vm.sh --kver KVER [options] SCRIPT        (SCRIPT "-" = read stdin)
#   --kernel VMLINUZ       default <cache>/KVER/root/boot/vmlinuz-KVER
#   --modules-root DIR     a root holding [usr/]lib/modules/KVER, or that directory
#                          itself; default <cache>/KVER/root
#   --with-module NAME     put the kernel's module NAME and its dependencies in
#                          the guest (modules.dep made by depmod: modprobe NAME)
#   --add HOST[:GUEST]     copy a file or directory into the guest; GUEST
#                          defaults to /root/BASENAME (the script's cwd), a
#                          GUEST ending in / means GUEST/BASENAME. Dynamic ELF
#                          executables bring their interpreter and libraries.
#   --append "ARGS"        extra kernel command line
#   --timeout SEC          whole run, boot included (default 300)
#   --memory MB            guest memory (default 1024)
#   --smp N                guest CPUs (default 2)
#   --tcg-thread multi|single  QEMU's TCG threading: one host thread per
#                          guest CPU (multi, default), or all CPUs taking
#                          turns on one host thread (single: slower, but
#                          free of multi-threaded TCG's races with code the
#                          kernel rewrites, see tests/vm/test_stress.sh);
#                          default $LIVEFIX_VM_TCG_THREAD, else multi
#   --cpu MODEL            QEMU CPU model (default max; qemu64 also works)
#   --keep-console         stream the whole console (kernel log) to stderr
#   --console-log FILE     also save the console log to FILE
#   --no-fail-on-oops      a kernel WARNING/BUG/Oops in dmesg does not fail the run
#   -v, --verbose          print what is done and how long boot and script took
# <cache> is $LIVEFIX_CACHE, else /var/cache/livefix for root, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/livefix. Built initramfs layers are cached by
# content hash in $LIVEFIX_VM_CACHE (default ${TMPDIR:-/tmp}/livefix-vm-UID).
#
# The guest runs SCRIPT with /bin/sh (busybox) in /root, stdin /dev/null,
# LIVEFIX_VM_KVER set, /proc /sys /dev /tmp (and debugfs, tracefs) mounted.
# Note: busybox's shell runs its own applet for a name like "modprobe" even if
# an executable of that name comes first in PATH; use a full path for others.
# Its stdout and stderr come back on this script's stdout and stderr, live and
# byte-exact, each on a serial port of its own (no kernel messages in them).
# Then the guest's dmesg is checked for "Call Trace|BUG:|WARNING:|Oops";
# matching lines are printed on stderr.
#
# Exit status: SCRIPT's own status, or, when the harness itself failed:
#   120  SCRIPT passed but the kernel log has a warning/oops (--fail-on-oops)
#   121  kernel panic              122  boot failed: SCRIPT never started
#   123  guest stopped before SCRIPT finished (it rebooted or powered off)
#   124  timeout                   125  harness error (bad input, qemu failed)
#     2  usage error
# Each harness failure prints one line "vm.sh: <reason>" on stderr and keeps
# the run's files (console log included) in a directory it names; a panic
# also shows the console's last 30 lines before it. A guest that stops before
# SCRIPT begins (a crash while booting, nothing of the test run yet) is
# booted once more, with a line on stderr saying so.
#
# Only TCG is used, never KVM.

set -euo pipefail

ME=vm.sh
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Bump when the initramfs layout changes, to invalidate cached layers.
LAYOUT_VERSION=1

die_usage() { echo "$ME: $*" >&2; echo "usage: $ME --kver KVER [options] SCRIPT (see the head of $0)" >&2; exit 2; }
die() { echo "$ME: $*" >&2; exit 125; }
log() { [ "$verbose" = 1 ] && echo "$ME: $*" >&2; return 0; }

# ---------------------------------------------------------------- options
kver= kernel= modroot= append= timeout=300 memory=1024 smp=2 cpu=max tcg_thread=${LIVEFIX_VM_TCG_THREAD:-multi}
keep_console=0 console_copy= fail_on_oops=1 verbose=0 script=
modules=() adds=()
need() { [ $# -ge 2 ] || die_usage "$1 needs a value"; }
while [ $# -gt 0 ]; do
	case $1 in
	--kver) need "$@"; kver=$2; shift 2 ;;
	--kernel) need "$@"; kernel=$2; shift 2 ;;
	--modules-root) need "$@"; modroot=$2; shift 2 ;;
	--with-module) need "$@"; modules+=("$2"); shift 2 ;;
	--add) need "$@"; adds+=("$2"); shift 2 ;;
	--append) need "$@"; append=$2; shift 2 ;;
	--timeout) need "$@"; timeout=$2; shift 2 ;;
	--memory) need "$@"; memory=$2; shift 2 ;;
	--smp) need "$@"; smp=$2; shift 2 ;;
	--tcg-thread) need "$@"; tcg_thread=$2; shift 2 ;;
	--cpu) need "$@"; cpu=$2; shift 2 ;;
	--keep-console) keep_console=1; shift ;;
	--console-log) need "$@"; console_copy=$2; shift 2 ;;
	--fail-on-oops) fail_on_oops=1; shift ;;
	--no-fail-on-oops) fail_on_oops=0; shift ;;
	-v|--verbose) verbose=1; shift ;;
	-h|--help) sed -n '2,/^$/{/SPDX-License-Identifier/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	--) shift; break ;;
	-) break ;;
	-*) die_usage "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || die_usage "expected exactly one SCRIPT"
script=$1
[ -n "$kver" ] || die_usage "--kver is required"
for n in "$timeout" "$memory" "$smp"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die_usage "not a positive number: $n"
done
case $tcg_thread in multi|single) ;; *) die_usage "--tcg-thread: multi or single, not '$tcg_thread'" ;; esac

if [ -n "${LIVEFIX_CACHE:-}" ]; then cachedir=$LIVEFIX_CACHE
elif [ "$(id -u)" = 0 ]; then cachedir=/var/cache/livefix
else cachedir=${XDG_CACHE_HOME:-$HOME/.cache}/livefix
fi
: "${kernel:=$cachedir/$kver/root/boot/vmlinuz-$kver}"
: "${modroot:=$cachedir/$kver/root}"
# --modules-root may name the root (DIR/lib/modules/KVER, or
# DIR/usr/lib/modules/KVER for trixie's merged-/usr packages) or the tree itself.
if [ -d "$modroot/lib/modules/$kver" ]; then moddir=$modroot/lib/modules/$kver
elif [ -d "$modroot/usr/lib/modules/$kver" ]; then moddir=$modroot/usr/lib/modules/$kver
else moddir=$modroot
fi

[ -r "$kernel" ] || die "kernel not found: $kernel (use --kernel, or fill the cache)"
if [ "$script" = - ]; then script_text=$(cat; echo x); script_text=${script_text%x}
else [ -r "$script" ] || die "script not found: $script"
fi
for t in qemu-system-x86_64 cpio sha256sum busybox; do
	command -v "$t" >/dev/null || die "$t is missing (apt-get install qemu-system-x86 cpio busybox-static)"
done
busybox=$(command -v busybox)
# A dynamic busybox would need libraries in the guest; busybox-static does not.
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is not static (apt-get install busybox-static)"
fi

# Terminal progress only when stderr is a terminal and not in CI.
progress=0
if [ -t 2 ] && [ -z "${CI:-}" ] && [ "$keep_console" = 0 ]; then progress=1; fi
status() { [ "$progress" = 1 ] && printf '\r\033[K%s' "$ME: $*" >&2; return 0; }
status_done() { [ "$progress" = 1 ] && printf '\r\033[K' >&2; return 0; }

# ---------------------------------------------------------------- work dirs
vmcache=${LIVEFIX_VM_CACHE:-${TMPDIR:-/tmp}/livefix-vm-$(id -u)}
mkdir -p "$vmcache" || die "cannot create $vmcache"
[ -O "$vmcache" ] || die "$vmcache is not yours (set LIVEFIX_VM_CACHE)"
# Layers and module indexes unused for a week are dropped.
find "$vmcache" -mindepth 1 -maxdepth 1 -mtime +7 \( -name '*.cpio' -o -name 'modindex-*' \) \
	-exec rm -rf {} + 2>/dev/null || true
run=$(mktemp -d "${TMPDIR:-/tmp}/livefix-vm-run.XXXXXX")
keep_run=0
qpid= tails=()
cleanup() {
	local p
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	for p in "${tails[@]}"; do kill "$p" 2>/dev/null; done
	[ "$keep_run" = 1 ] || rm -rf "$run"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A harness failure keeps the run directory for diagnosis.
fail() { # fail CODE REASON
	status_done
	keep_run=1
	echo "$ME: $2 (console log: $run/console.log)" >&2
	exit "$1"
}

hash_str() { sha256sum | cut -c1-32; }
# Pack directory $1 into the cpio archive $2 (owner root, stable order).
pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2.tmp.$$" &&
		mv -f "$2.tmp.$$" "$2"
}
# Use a cached layer: print its path if present (and mark it used).
cached() { [ -s "$vmcache/$1" ] && touch "$vmcache/$1" && echo "$vmcache/$1"; }

# ---------------------------------------------------------------- layer 1: base
# busybox with every applet as a symlink, the directory skeleton, /init.
build_base() {
	local key st f
	key=$( { echo "base $LAYOUT_VERSION"; sha256sum <"$busybox"; sha256sum <"$HERE/init.sh"; } | hash_str)
	cached "base-$key.cpio" && return
	log "building base layer"
	st=$run/base
	mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,etc,mnt,lib,lib64,livefix-vm}
	cp "$busybox" "$st/bin/busybox"
	# --list-full gives each applet's usual place (bin/ls, sbin/modprobe, ...).
	"$busybox" --list-full | while read -r f; do
		[ "$f" = bin/busybox ] || [ -e "$st/$f" ] || ln -s /bin/busybox "$st/$f"
	done
	ln -sf busybox "$st/bin/sh"
	cp "$HERE/init.sh" "$st/init"
	chmod 755 "$st/init"
	echo "root:x:0:0:root:/root:/bin/sh" >"$st/etc/passwd"
	echo "root:x:0:" >"$st/etc/group"
	pack "$st" "$vmcache/base-$key.cpio"
	echo "$vmcache/base-$key.cpio"
}

# ---------------------------------------------------------------- layer 2: modules
# The requested modules and their dependencies (softdeps included) under
# lib/modules/KVER, with a modules.dep so that modprobe works in the guest.
#
# Dependencies are resolved by the host's kmod on an index of the whole tree:
# depmod run once (cached, ~1.5 s) on a directory that symlinks to the tree,
# which may be read-only. Busybox modprobe, which the guest shell always runs
# for "modprobe" (its applets win over PATH), ignores softdeps; so in the
# guest's modules.dep each module's line lists everything kmod would load
# before it, softdeps included (e.g. xfs: libcrc32c and a crc32c provider).
mod_index() {
	local key idx tmp e
	key=$( {
		echo "index $LAYOUT_VERSION $kver $(readlink -f "$moddir")"
		(cd "$moddir" && find -L . -name '*.ko*' -printf '%P %s %T@\n' | LC_ALL=C sort)
		sha256sum <"$moddir/modules.order" 2>/dev/null || true
	} | hash_str)
	idx=$vmcache/modindex-$key
	if [ ! -s "$idx/lib/modules/$kver/modules.dep" ]; then
		log "indexing $moddir (depmod)"
		tmp=$(mktemp -d "$vmcache/.modindex.XXXXXX")
		mkdir -p "$tmp/lib/modules/$kver"
		for e in "$moddir"/*; do
			case ${e##*/} in
			modules.order|modules.builtin|modules.builtin.modinfo) cp "$e" "$tmp/lib/modules/$kver/" ;;
			modules.*|build|source) ;;
			*) [ -d "$e" ] && ln -s "$(readlink -f "$e")" "$tmp/lib/modules/$kver/${e##*/}" ;;
			esac
		done
		depmod -b "$tmp" "$kver" 2>"$run/depmod.err" ||
			{ rm -rf "$tmp"; die "depmod failed on $moddir: $(head -1 "$run/depmod.err")"; }
		mv -T "$tmp" "$idx" 2>/dev/null || rm -rf "$tmp"   # lost a race: fine
	fi
	touch "$idx"
	echo "$idx"
}
# Modules kmod loads for "modprobe $2" in root $1, in load order, as paths
# relative to lib/modules/KVER; nothing for built-in ones; fails if unknown.
load_order() {
	local out
	out=$(modprobe -d "$1" -S "$kver" --show-depends "$2" 2>&1) || { echo "$out" >&2; return 1; }
	printf '%s\n' "$out" | sed -n "s,^insmod $1/lib/modules/$kver/\([^ ]*\).*,\1,p"
}
build_modules() {
	local n rel idx key st dst deps line f
	declare -A want=()
	if [ ${#modules[@]} -eq 0 ]; then return 0; fi
	[ -d "$moddir" ] || die "modules not found: $moddir (use --modules-root)"
	for t in depmod modprobe; do command -v $t >/dev/null || die "$t is missing (apt-get install kmod)"; done
	idx=$(mod_index)
	for n in "${modules[@]}"; do
		rel=$(load_order "$idx" "$n" 2>"$run/modprobe.err") ||
			die "module $n not found in $moddir"
		for f in $rel; do want[$f]=1; done
	done
	key=$( {
		echo "modules $LAYOUT_VERSION $kver"
		for f in modules.order modules.builtin modules.builtin.modinfo; do
			[ -r "$moddir/$f" ] && sha256sum <"$moddir/$f"
		done
		for f in $(printf '%s\n' "${!want[@]}" | LC_ALL=C sort); do
			echo "$f $(sha256sum <"$moddir/$f")"
		done
	} | hash_str)
	cached "modules-$key.cpio" && return
	log "building modules layer: ${!want[*]}"
	st=$run/modules
	mkdir -p "$st/lib/modules/$kver"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -r "$moddir/$f" ] && cp "$moddir/$f" "$st/lib/modules/$kver/"
	done
	for rel in "${!want[@]}"; do
		dst=$st/lib/modules/$kver/${rel%.ko*}.ko
		mkdir -p "${dst%/*}"
		# Busybox insmod/modprobe want plain .ko files.
		case $rel in
		*.ko) cp "$moddir/$rel" "$dst" ;;
		*.ko.xz) xz -dc "$moddir/$rel" >"$dst" ;;
		*.ko.zst) zstd -qdc "$moddir/$rel" >"$dst" ;;
		*.ko.gz) gzip -dc "$moddir/$rel" >"$dst" ;;
		esac
	done
	depmod -b "$st" "$kver" 2>"$run/depmod.err" || die "depmod failed: $(head -1 "$run/depmod.err")"
	# Fold softdeps into modules.dep (see above). modules.dep lists a
	# module's dependencies in reverse load order.
	while IFS= read -r line; do
		rel=${line%%:*}
		n=${rel##*/}; n=${n%.ko}
		deps=$(load_order "$st" "$n" | grep -vxF "$rel" | tac | tr '\n' ' ')
		echo "$rel: ${deps% }"
	done <"$st/lib/modules/$kver/modules.dep" >"$run/modules.dep"
	sed 's/: $/:/' "$run/modules.dep" >"$st/lib/modules/$kver/modules.dep"
	pack "$st" "$vmcache/modules-$key.cpio"
	echo "$vmcache/modules-$key.cpio"
}

# ---------------------------------------------------------------- layer 3: added files
# Each --add, plus the ELF interpreter and the libraries (from ldd) of every
# dynamic executable or library among them, at the same paths as on the host.
declare -A libs=()
collect_libs() { # collect_libs FILE: note the shared objects FILE needs
	local line p
	[ "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
	while read -r line; do
		case $line in
		*'=> not found'*) echo "$ME: warning: $1: ${line%% *} not found" >&2 ;;
		*'=> /'*) p=${line#*=> }; libs[${p%% (*}]=1 ;;
		/*) libs[${line%% (*}]=1 ;;
		esac
	done < <(ldd "$1" 2>/dev/null || true)
}
# Guest path for "--add HOST[:GUEST]" (HOST must not contain ':').
add_host() { echo "${1%%:*}"; }
add_guest() {
	local h=${1%%:*} g
	if [[ $1 == *:* ]]; then g=${1#*:}; else g=/root/; fi
	[[ $g == /* ]] || g=/root/$g
	[[ $g == */ ]] && g=$g$(basename "$h")
	echo "$g"
}
build_adds() {
	local a h g f key st l
	[ ${#adds[@]} -gt 0 ] || return 0
	for a in "${adds[@]}"; do
		h=$(add_host "$a")
		[ -e "$h" ] || die "--add: not found: $h"
		while IFS= read -r -d '' f; do
			[ -x "$f" ] || [[ $f == *.so* ]] && collect_libs "$f"
		done < <(find "$h" -type f -print0)
	done
	key=$( {
		echo "adds $LAYOUT_VERSION"
		for a in "${adds[@]}"; do
			h=$(add_host "$a")
			echo "add $(add_guest "$a")"
			(cd "$(dirname "$h")" && find "$(basename "$h")" -printf '%y %m %P %l\n' | LC_ALL=C sort &&
				find "$(basename "$h")" -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
		done
		for l in "${!libs[@]}"; do echo "lib $l $(sha256sum <"$l")"; done | LC_ALL=C sort
	} | hash_str)
	cached "adds-$key.cpio" && return
	log "building files layer (${#adds[@]} added, ${#libs[@]} libraries)"
	st=$run/adds
	mkdir -p "$st"
	for l in "${!libs[@]}"; do
		mkdir -p "$st$(dirname "$l")"
		cp -L "$l" "$st$l"
	done
	for a in "${adds[@]}"; do
		h=$(add_host "$a"); g=$(add_guest "$a")
		mkdir -p "$st$(dirname "$g")"
		rm -rf "${st:?}$g"
		cp -a "$h" "$st$g"
	done
	pack "$st" "$vmcache/adds-$key.cpio"
	echo "$vmcache/adds-$key.cpio"
}

# ---------------------------------------------------------------- layer 4: this run
build_run() {
	local st=$run/runlayer
	mkdir -p "$st/livefix-vm"
	if [ "$script" = - ]; then printf '%s' "$script_text" >"$st/livefix-vm/script"
	else cp "$script" "$st/livefix-vm/script"
	fi
	printf 'LIVEFIX_VM_KVER=%q\nexport LIVEFIX_VM_KVER\n' "$kver" >"$st/livefix-vm/env"
	pack "$st" "$run/run.cpio"
	echo "$run/run.cpio"
}

t0=$(date +%s%N)
status "building initramfs"
layers=("$(build_base)")
[ ${#modules[@]} -eq 0 ] || layers+=("$(build_modules)")
[ ${#adds[@]} -eq 0 ] || layers+=("$(build_adds)")
layers+=("$(build_run)")
# The kernel unpacks concatenated cpio archives one after the other.
cat "${layers[@]}" >"$run/initrd.cpio"
t1=$(date +%s%N)
log "initramfs: $(du -k "$run/initrd.cpio" | cut -f1) KiB in $(((t1 - t0) / 1000000)) ms"

# ---------------------------------------------------------------- boot
chr() { echo "-chardev file,id=$1,path=$run/$1.log,append=on -serial chardev:$1"; }
# shellcheck disable=SC2046 # chr's words are meant to be split
qemu_args=(-accel "tcg,thread=$tcg_thread" -machine q35 -cpu "$cpu" -m "$memory" -smp "$smp"
	-nodefaults -display none -no-reboot -monitor none
	$(chr console) $(chr out) $(chr err) $(chr status)
	-kernel "$kernel" -initrd "$run/initrd.cpio"
	-append "console=ttyS0 panic=-1 quiet $append")
log "qemu-system-x86_64 ${qemu_args[*]}"
began() { grep -q '^begin ' "$run/status.log"; }

# One boot of the guest, to its end or the deadline: sets qrc, timed_out,
# t_begin (when the script began) and t2 (when the guest stopped).
boot_guest() {
	local f p secs shown= deadline
	for f in console out err status; do : >"$run/$f.log"; done
	status "booting $kver"
	qemu-system-x86_64 "${qemu_args[@]}" </dev/null >"$run/qemu.log" 2>&1 &
	qpid=$!
	# The script's output, live: stdout and stderr each to its own side.
	tail -s 0.1 -c +1 -f --pid="$qpid" "$run/out.log" &
	tails+=($!)
	tail -s 0.1 -c +1 -f --pid="$qpid" "$run/err.log" >&2 &
	tails+=($!)
	if [ "$keep_console" = 1 ]; then
		tail -s 0.1 -c +1 -f --pid="$qpid" "$run/console.log" >&2 &
		tails+=($!)
	fi
	timed_out=0 t_begin=
	deadline=$(($(date +%s) + timeout))
	while kill -0 "$qpid" 2>/dev/null; do
		if [ -z "$t_begin" ] && began; then
			t_begin=$(date +%s%N)
			status_done
			progress=0
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			timed_out=1
			kill "$qpid" 2>/dev/null; sleep 1; kill -9 "$qpid" 2>/dev/null || true
			break
		fi
		secs=$((($(date +%s%N) - t1) / 1000000000))
		[ -n "$t_begin" ] || [ "$secs" = "$shown" ] || { status "booting $kver ${secs}s"; shown=$secs; }
		sleep 0.1
	done
	qrc=0
	wait "$qpid" || qrc=$?
	qpid=
	t2=$(date +%s%N)
	for p in "${tails[@]}"; do wait "$p" 2>/dev/null || true; done
	tails=()
	status_done
}

# The panic's message, without its timestamp (nor a message run on after it).
panic_line() {
	tr -d '\r' <"$run/console.log" | grep -m1 -a -o 'Kernel panic - not syncing[^[]*' || true
}
# The kernel's last words before a panic (quiet boots print little else),
# so that a log of the run alone tells what crashed.
panic_context() {
	tr -d '\r' <"$run/console.log" | grep -a -B 30 -m1 'Kernel panic - not syncing' | sed 's/^/  | /' >&2 || true
}

# A guest that dies before the script starts has run nothing of the test:
# under TCG a boot can crash on its own (multi-threaded TCG races with the
# code the kernel rewrites as it boots), so such a boot is tried once more,
# and said so. A timeout is not retried, nor is anything after the script began.
boot_guest
if ! began && [ "$timed_out" = 0 ] && ! grep -qa 'LIVEFIX-VM-EXIT' "$run/console.log"; then
	why=$(panic_line)
	echo "$ME: the guest stopped before the script began (${why:-no panic; qemu exit $qrc}); booting once more" >&2
	[ -z "$why" ] || panic_context
	keep_run=1
	cp "$run/console.log" "$run/console-first-boot.log"
	echo "$ME: the first boot's console log: $run/console-first-boot.log" >&2
	boot_guest
fi
[ -z "$console_copy" ] || cp "$run/console.log" "$console_copy" || true

# ---------------------------------------------------------------- result
# A short script may end between two polls: then boot ends about now.
[ -n "$t_begin" ] || ! began || t_begin=$t2
if [ -n "$t_begin" ]; then
	log "boot to script: $(((t_begin - t1) / 1000000)) ms (guest uptime $(sed -n 's/^begin //p' "$run/status.log")s); script and shutdown: $(((t2 - t_begin) / 1000000)) ms"
fi
rc=$(sed -n 's/^exit \([0-9]*\)$/\1/p' "$run/status.log" | tail -1)
# Fallback: the console sentinel, should ttyS3 have been unusable.
[ -n "$rc" ] || rc=$(sed -n 's/.*LIVEFIX-VM-EXIT \([0-9]*\).*/\1/p' "$run/console.log" | tail -1)
oops=$(sed -n 's/^oops //p' "$run/status.log")
if [ -n "$oops" ]; then
	echo "$ME: kernel log has warnings/oopses:" >&2
	printf '%s\n' "$oops" | sed 's/^/  /' >&2
fi
panic=$(panic_line)

if [ -n "$rc" ]; then
	if [ "$rc" = 0 ] && [ -n "$oops" ] && [ "$fail_on_oops" = 1 ]; then
		fail 120 "script passed but the kernel log has a warning/oops"
	fi
	exit "$rc"
fi
[ "$timed_out" = 0 ] || {
	if began; then fail 124 "timeout: script still running after ${timeout}s"
	else fail 124 "timeout: guest did not reach the script in ${timeout}s"
	fi
}
[ -z "$panic" ] || { panic_context; fail 121 "$panic"; }
[ "$qrc" = 0 ] || fail 125 "qemu failed (exit $qrc): $(head -1 "$run/qemu.log")"
began && fail 123 "guest stopped before the script finished"
fail 122 "boot failed: guest never started the script"
