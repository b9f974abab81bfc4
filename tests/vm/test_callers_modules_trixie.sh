#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_callers_modules.sh's case on trixie's kernel (KVER_TRIXIE), whose
# modules are all ".ko.xz" and whose exports are ".export_symbol" entries:
#  1. host: tests/vm/callers/match-hex-modules-6.12.patch changes
#     lib/parser.c's match_hex() (lib/ is built without fentry; exported;
#     6.12 has no module calling match_uint()). No unit of vmlinux calls it;
#     the modules nvme-fcloop and ib_srp do: the index of every module's
#     undefined names (read decompressed) finds them, their -dbg objects
#     name the callers, and the module's only klp_funcs are
#     nvme_fcloop:fcloop_parse_options and ib_srp:srp_parse_options,
#     calling a global copy of the new match_hex;
#  2. guest: nvme-fcloop is loaded before the patch (klp patches it when
#     the patch loads; ib_srp is never loaded). Adding a local port through
#     /sys/class/fcloop/ctl/add_local_port with fcaddr=7 (parsed by
#     match_hex) works before the patch and after its unload; while it is
#     loaded the new match_hex refuses 7 (the write fails) and 8 still works.
# Skipped with a message when trixie's inputs are not cached and cannot be
# fetched. The first argument (make check's 6.1 KVER) is not used.
# Ends with "N passed, N failed".
set -u
KVER=${KVER_TRIXIE:-6.12.107+deb13-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/vm/lib.sh"
LF=$ROOT/livefix
DIR=$ROOT/tests/vm/callers

trixie_ready_or_skip "$KVER" "$LF" || exit 0
OUT=$(mktemp -d /tmp/livefix-vmcallmod612-XXXXXX)
trap 'rm -rf "$OUT"' EXIT

# --- host: the module
if (cd "$ROOT" && "$LF" build -k "$KVER" -n mh -o "$OUT" "$DIR/match-hex-modules-6.12.patch") \
	>"$OUT/build.log" 2>&1; then
	t_pass "build match-hex-modules-6.12"
else
	t_fail "build match-hex-modules-6.12" "a module" "$(tail -5 "$OUT/build.log")"
	t_summary; exit 1
fi
KO=$OUT/livepatch-mh.ko
LOG=$(cat "$OUT/build.log")
t_match "build: the modules' calls read (their .ko.xz indexed)" \
	"Reading the calls of 2 module\(s\) to 'match_hex'" "$LOG"
t_match "build: nvme-fcloop's unit compiled" \
	"Building original and patched drivers/nvme/target/fcloop.c \(it calls 'match_hex'\)" "$LOG"
t_match "build: ib_srp's unit compiled" \
	"Building original and patched drivers/infiniband/ulp/srp/ib_srp.c \(it calls 'match_hex'\)" "$LOG"
t_eq "module: the modules' callers are its only klp_funcs" \
	"nvme_fcloop:fcloop_parse_options,0,ib_srp:srp_parse_options,0" \
	"$(modinfo -F livefix_functions "$KO")"
t_match "module: the copy is global, for the modules' callers" \
	"^[0-9a-f]+ T __livefix_copy_0_match_hex$" "$(nm "$KO" 2>&1)"

# --- guest: before, while loaded, after
cat >"$OUT/guest.sh" <<'GUEST'
#!/bin/sh
. /root/livepatch.sh
modprobe nvme-fcloop || echo "modprobe nvme-fcloop failed"
port() { # N fcaddr: 1 when local port N (its own names) was added with fcaddr, else 0
	echo "wwnn=0x10000000000000$((10 + $1)),wwpn=0x20000000000000$((10 + $1)),fcaddr=$2" \
		>/sys/class/fcloop/ctl/add_local_port 2>/dev/null && echo 1 || echo 0
}
echo "before: fcaddr=7 $(port 1 7)"
lp_load /root/livepatch-mh.ko
lp_patched livepatch-mh nvme_fcloop ib_srp
lp_runpre
echo "loaded: fcaddr=7 $(port 2 7) fcaddr=8 $(port 3 8)"
lp_unload livepatch-mh
echo "after: fcaddr=7 $(port 4 7)"
exit 0
GUEST
adds=(--add "$LF:/usr/bin/livefix" --add "$KO:/root/" --add "$(vm_guest_lib)")
# vm.sh finds trixie's kernel and its /usr/lib/modules in the cache itself
out=$("$ROOT/tests/vm/vm.sh" --kver "$KVER" --timeout 900 --with-module nvme-fcloop \
	"${adds[@]}" "$OUT/guest.sh" 2>&1)
rc=$?
t_eq "guest: the run ends cleanly (no oops, warning)" 0 "$rc"
t_match "guest: before the patch, fcaddr=7 is accepted" "^before: fcaddr=7 1$" "$out"
t_match "guest: nvme_fcloop, loaded before the patch, is patched" "^nvme_fcloop patched: 1$" "$out"
t_match "guest: ib_srp, never loaded, is not (nothing to do)" "^ib_srp patched: 0$" "$out"
t_match "guest: run-pre checks the caller in nvme_fcloop" \
	"^run-pre: .*run-pre check passed" "$out"
t_match "guest: while loaded, fcaddr=7 is refused; fcaddr=8 still works" \
	"^loaded: fcaddr=7 0 fcaddr=8 1$" "$out"
t_match "guest: after unload, fcaddr=7 is accepted again" "^after: fcaddr=7 1$" "$out"
t_eq "guest: load, unload and the patch gone" "" "$(grep -E 'failed|still in' <<<"$out")"

[ "$T_FAILED" = 0 ] || { echo "guest output:"; echo "$out"; }
t_summary
