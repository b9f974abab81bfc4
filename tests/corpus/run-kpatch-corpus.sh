#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/corpus/run-kpatch-corpus.sh — judge a kpatch-style integration corpus
# (e.g. /work/shared/corpus/kpatch-integration/, see its README.md) with
# livefix on the real Debian kernel booted in qemu.            (make corpus)
#
# usage: run-kpatch-corpus.sh [-o OUTDIR] CORPUS_DIR [KVER]
#   KVER     default 6.1.0-47-amd64 (the Makefile's pinned kernel)
#   OUTDIR   default build/corpus-<basename of CORPUS_DIR>; also CORPUS_OUT=
#
# How each file is judged (the corpus README's rules):
#   NAME-FAIL.patch   livefix build exits 3 (refused), writes no module, and
#                     prints a reason with its outcome code (docs/codes.md;
#                     recorded in REPORT.md); two must give a given code
#   NAME.patch        builds (livepatch-NAME.ko); then in one boot: the
#                     target modules are loaded (modprobe), NAME-LOADED.test
#                     (if any) exits non-zero, livefix load completes the
#                     transition, the test exits 0, livefix unload, the test
#                     exits non-zero again; if the patch targets modules, the
#                     same again with the modules loaded after the patch.
#   combined          every NAME.patch in one module (-n combined): all
#                     LOADED tests pass at once
#   stacked           every NAME.patch built with --no-replace, loaded one
#                     after another: all live together (enabled, transition
#                     complete), and every test passes whose functions no
#                     later patch replaces again (without atomic replace the
#                     kernel runs the newest version of a function: a test of
#                     an earlier patch to the same function cannot pass)
# Every boot fails on "Call Trace|BUG:|WARNING:|Oops" in the kernel log.
# The tests (written for bash + sudo) run with the guest's sh, with a sudo
# shim; tests with bash-only syntax are noted in the report.
#
# Environment: LIVEFIX (host binary, default ./livefix), LIVEFIX_VM_SH,
#   VM_TIMEOUT (seconds per boot, default 600), LOAD_TIMEOUT (livefix load
#   --timeout in the guest, default 30), TEST_TIMEOUT (per test run, 120).
# Output: one line per item, "ok NAME" or "FAIL NAME: expected ..., saw ...";
# OUTDIR/REPORT.md, logs in OUTDIR/logs; last line "corpus: N passed, N failed".
# Exit status: 0 all passed (or corpus absent), 1 a failure, 2 usage.
set -u
ME=corpus
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/corpus/lib.sh
. "$HERE/lib.sh"

OUT=${CORPUS_OUT:-}
corpus_options "$@"
set -- "${OPERANDS[@]}"
[ $# -ge 1 ] && [ $# -le 2 ] || { corpus_usage >&2; exit 2; }
CORPUS=$1
KVER=${2:-6.1.0-47-amd64}
[ -n "$KVER" ] || KVER=6.1.0-47-amd64
VM_TIMEOUT=${VM_TIMEOUT:-600}
export LOAD_TIMEOUT=${LOAD_TIMEOUT:-30} TEST_TIMEOUT=${TEST_TIMEOUT:-120}

if [ ! -d "$CORPUS" ]; then
	echo "$ME: corpus directory '$CORPUS' not found: skipped"
	echo "$ME: 0 passed, 0 failed"
	exit 0
fi
CORPUS=$(cd "$CORPUS" && pwd)
corpus_outdir "$REPO_ROOT/build/corpus-$(basename "$CORPUS")"
# Only what this script writes is cleared.
rm -rf "$OUT/modules" "$OUT/noreplace" "$OUT/combined" "$OUT/logs" "$OUT/REPORT.md"
mkdir -p "$OUT/modules" "$OUT/noreplace" "$OUT/combined" "$OUT/logs"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/livefix-corpus.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

passed=0 failed=0
ROWS=() NOTES=()
ok() { # NAME DETAIL
	passed=$((passed + 1))
	echo "ok $1"
	ROWS+=("| $(md_cell "$1") | ok | $(md_cell "$2") |")
}
nok() { # NAME MESSAGE [LOG]
	failed=$((failed + 1))
	echo "FAIL $1: $2"
	[ -z "${3:-}" ] || tail_indent "$3" 20
	ROWS+=("| $(md_cell "$1") | **FAIL** | $(md_cell "$2")${3:+ (log: ${3#"$OUT"/})} |")
}

# ---------------------------------------------------------------- the corpus
FAILS=() GOODS=()
for f in "$CORPUS"/*.patch; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .patch)
	case $n in *-FAIL) FAILS+=("$n") ;; *) GOODS+=("$n") ;; esac
done
if [ ${#FAILS[@]} -eq 0 ] && [ ${#GOODS[@]} -eq 0 ]; then
	echo "$ME: no *.patch in $CORPUS: skipped"
	echo "$ME: 0 passed, 0 failed"
	exit 0
fi
echo "$ME: $CORPUS: ${#GOODS[@]} patches, ${#FAILS[@]} -FAIL patches, kernel $KVER, output $OUT"

# Tests with syntax busybox sh does not take (they were written for bash).
for t in "$CORPUS"/*-LOADED.test; do
	[ -e "$t" ] || continue
	if ! busybox sh -n "$t" 2>"$TMP/syntax"; then
		NOTES+=("$(basename "$t"): not valid for busybox sh ($(head -1 "$TMP/syntax")); it runs with sh anyway")
	elif grep -nE '\[\[|\bfunction\b|\$\{[^}]*//|<<<|\bdeclare\b|\blocal -a\b|\$\(<' "$t" >"$TMP/bashisms"; then
		NOTES+=("$(basename "$t"): bash-only syntax: $(head -1 "$TMP/bashisms")")
	fi
done

if [ ! -x "$LIVEFIX" ]; then
	nok setup "expected an executable livefix at $LIVEFIX (make livefix), saw none"
	echo "$ME: $passed passed, $failed failed"
	exit 1
fi
[ -x "$VM_SH" ] || { nok setup "expected the test-machine harness $VM_SH, saw none"; echo "$ME: $passed passed, $failed failed"; exit 1; }

# lf_build LOG OUTDIR ARGS...: livefix build, its messages in LOG and its
# --json document beside it (LOG's .json: what the runner acts on, lib.sh
# build_json); sets BRC and BSECS.
lf_build() {
	local log=$1 dir=$2 t0
	shift 2
	t0=$(now)
	"$LIVEFIX" build --json -k "$KVER" -o "$dir" "$@" >"${log%.log}.json" 2>"$log"
	BRC=$?
	BSECS=$(elapsed "$t0")
}

# ---------------------------------------------------------------- 1. -FAIL patches
# The corpus README names the reason two of them must give; others need any
# code. symvers-disagreement-FAIL is no-change, not export-crc: its CRCs change
# only because genksyms sees types that were opaque to it (an added
# #include), no interface changes, and barrier() compiles to nothing
# (docs/codes.md, "Notes on some codes").
expected_code() {
	case $1 in
	warn-detect-FAIL) echo no-change ;;
	symvers-disagreement-FAIL) echo no-change ;;
	*) echo '' ;;
	esac
}
declare -A REASON=()
for n in "${FAILS[@]}"; do
	log=$OUT/logs/$n.build.log
	dir=$TMP/fail-$n
	mkdir -p "$dir"
	lf_build "$log" "$dir" -n "$n" "$CORPUS/$n.patch"
	reason=$(reason_of "$log")
	REASON[$n]=$reason
	code=$(build_json "${log%.log}.json" code)
	kos=$(find "$dir" -name '*.ko' -printf '%f ' 2>/dev/null)
	want=$(expected_code "$n")
	if [ "$BRC" -ne 3 ]; then
		nok "$n" "expected livefix build to refuse it (exit 3), saw exit $BRC${reason:+: $reason}" "$log"
	elif [ -n "$kos" ]; then
		nok "$n" "expected no module written, saw $kos" "$log"
	elif [ -z "$code" ]; then
		nok "$n" "expected a refusal with its code ('livefix: error: refused [CODE]: ...'), saw${reason:+: $reason}${reason:- none}" "$log"
	elif [ -n "$want" ] && [ "$code" != "$want" ]; then
		nok "$n" "expected refused [$want], saw refused [$code]: $reason" "$log"
	else
		ok "$n" "refused [$code] in ${BSECS}s: $reason"
	fi
done

# ---------------------------------------------------------------- 2. builds
declare -A BUILT=() MODS=() FUNCS=() REPL=() BTIME=() NRBUILT=() BERR=()
for n in "${GOODS[@]}"; do
	log=$OUT/logs/$n.build.log
	lf_build "$log" "$OUT/modules" -n "$n" "$CORPUS/$n.patch"
	BTIME[$n]=$BSECS
	FUNCS[$n]=$(build_json "${log%.log}.json" functions)
	# Target modules: the objects the build patches, and the module
	# kbuild puts each patched file in.
	mods=$(
		build_json "${log%.log}.json" modules
		for f in $(patch_files "$CORPUS/$n.patch"); do module_of_source "$KVER" "$f"; done
	)
	MODS[$n]=$(printf '%s\n' "$mods" | tr - _ | awk 'NF && !seen[$0]++' | paste -sd' ' -)
	if [ "$BRC" -eq 0 ] && [ -s "$OUT/modules/livepatch-$n.ko" ]; then
		BUILT[$n]=1
	else
		BUILT[$n]=0
		BERR[$n]="expected livefix build to exit 0 and write livepatch-$n.ko, saw exit $BRC$( [ -s "$OUT/modules/livepatch-$n.ko" ] || echo ', no module')$(r=$(reason_of "$log"); [ -z "$r" ] || echo ": $r")"
	fi
	# The functions it replaces ("object:function"), for the stacked run.
	REPL[$n]=$(build_json "${log%.log}.json" replaced | sort -u | paste -sd' ' -)
	# The --no-replace build for the stacked run.
	lf_build "$OUT/logs/$n.noreplace.build.log" "$OUT/noreplace" -n "$n" --no-replace "$CORPUS/$n.patch"
	NRBUILT[$n]=$([ "$BRC" -eq 0 ] && [ -s "$OUT/noreplace/livepatch-$n.ko" ] && echo 1 || echo 0)
done

# ---------------------------------------------------------------- guest scripts
# gen_single NAME: the guest script of one patch's boot.
gen_single() {
	local n=$1 t='' lp=livepatch-$1
	[ -e "$CORPUS/$n-LOADED.test" ] && t=/root/tests/$n-LOADED.test
	cat <<EOF
. /root/guest-lib.sh
install_sudo_shim
KO=/root/mods/$lp.ko LP=$lp T=$t MODS="${MODS[$n]}"
# Target modules loaded before the patch.
modprobe_all modprobe-before \$MODS || exit 1
[ -z "\$T" ] || expect_test before-load "\$T" nonzero
lf_load "\$KO"; rc=\$?
if [ \$rc -ne 0 ]; then step_fail load "expected livefix load to complete the transition, saw exit \$rc: \$(lf_out)"; exit 1; fi
s=\$(lp_sysfs \$LP)
if [ "\$(cat \$s/enabled 2>/dev/null)" = 1 ] && [ "\$(cat \$s/transition 2>/dev/null)" = 0 ]; then step_ok load
else step_fail load "expected \$s enabled=1 transition=0, saw enabled=\$(cat \$s/enabled 2>&1) transition=\$(cat \$s/transition 2>&1)"; fi
[ -z "\$T" ] || expect_test while-loaded "\$T" zero
lf_unload \$LP; rc=\$?
if [ \$rc -ne 0 ]; then step_fail unload "expected livefix unload to exit 0, saw exit \$rc: \$(lf_out)"; exit 1; fi
if [ -d "\$s" ]; then step_fail unload "expected \$s gone, saw it still there"; else step_ok unload; fi
[ -z "\$T" ] || expect_test after-unload "\$T" nonzero
# Target modules loaded after the patch (only if they can be removed first).
if [ -n "\$MODS" ]; then
	gone=1
	for m in \$MODS; do rmmod \$m >/dev/null 2>&1 || gone=0; done
	if [ \$gone = 0 ]; then
		echo "note: cannot remove \$MODS: 'module loaded after the patch' not tested"
	else
		lf_load "\$KO"; rc=\$?
		if [ \$rc -ne 0 ]; then step_fail load-then-modprobe "expected livefix load (modules not loaded yet) to complete, saw exit \$rc: \$(lf_out)"; exit 1; fi
		modprobe_all modprobe-after \$MODS || exit 1
		[ -z "\$T" ] || expect_test after-modprobe-while-loaded "\$T" zero
		lf_unload \$LP; rc=\$?
		if [ \$rc -ne 0 ]; then step_fail unload-2 "expected livefix unload to exit 0, saw exit \$rc: \$(lf_out)"; exit 1; fi
		step_ok load-then-modprobe
		[ -z "\$T" ] || expect_test after-unload-2 "\$T" nonzero
	fi
fi
exit \$G_FAILED
EOF
}

# superseded NAME LATER...: true when a later patch replaces one of NAME's
# functions again.
superseded() {
	local n=$1 later f
	shift
	for later in "$@"; do
		for f in ${REPL[$n]:-}; do
			case " ${REPL[$later]:-} " in *" $f "*) return 0 ;; esac
		done
	done
	return 1
}

# gen_multi MODE NAME...: MODE combined: one module livepatch-combined;
# MODE stacked: the modules livepatch-NAME (--no-replace) one after another.
gen_multi() {
	local mode=$1 n mods=
	shift
	for n in "$@"; do mods="$mods ${MODS[$n]}"; done
	echo ". /root/guest-lib.sh"
	echo "install_sudo_shim"
	# shellcheck disable=SC2086
	echo "modprobe_all modprobe-before$(printf ' %s' $(printf '%s\n' $mods | awk 'NF && !seen[$0]++')) || exit 1"
	echo "TESTS=\"$(for n in "$@"; do [ -e "$CORPUS/$n-LOADED.test" ] && printf '%s ' "/root/tests/$n-LOADED.test"; done)\""
	echo 'for t in $TESTS; do expect_test "before-load:${t##*/}" "$t" nonzero; done'
	# While all are loaded, only tests whose functions no later patch
	# replaced again can pass (stacked: the newest version runs).
	local live_tests='' i=0 args=("$@")
	for n in "$@"; do
		i=$((i + 1))
		[ -e "$CORPUS/$n-LOADED.test" ] || continue
		if [ "$mode" = stacked ] && superseded "$n" "${args[@]:$i}"; then
			echo "echo 'note: $n-LOADED.test not run while all are loaded: a later patch replaces its functions again'"
		else
			live_tests="$live_tests /root/tests/$n-LOADED.test"
		fi
	done
	echo "LIVE_TESTS=\"$live_tests\""
	if [ "$mode" = combined ]; then
		echo 'LPS=livepatch-combined'
		echo 'lf_load /root/mods/livepatch-combined.ko; rc=$?'
		echo '[ $rc -eq 0 ] || { step_fail load "expected livefix load livepatch-combined.ko to complete, saw exit $rc: $(lf_out)"; exit 1; }'
		echo 'step_ok load'
	else
		echo "LPS=\"$(printf 'livepatch-%s ' "$@")\""
		echo 'for lp in $LPS; do'
		echo '	lf_load /root/mods/$lp.ko; rc=$?'
		echo '	[ $rc -eq 0 ] || { step_fail "load:$lp" "expected livefix load $lp.ko (after the others) to complete, saw exit $rc: $(lf_out)"; exit 1; }'
		echo '	step_ok "load:$lp"'
		echo 'done'
	fi
	cat <<'EOF'
for lp in $LPS; do
	s=$(lp_sysfs $lp)
	if [ "$(cat $s/enabled 2>/dev/null)" = 1 ] && [ "$(cat $s/transition 2>/dev/null)" = 0 ]; then step_ok "live:$lp"
	else step_fail "live:$lp" "expected $s enabled=1 transition=0 with all loaded, saw enabled=$(cat $s/enabled 2>&1) transition=$(cat $s/transition 2>&1)"; fi
done
livefix list >/tmp/list.out 2>&1 || step_fail list "livefix list exit $?: $(tr '\n' ' ' </tmp/list.out)"
for t in $LIVE_TESTS; do expect_test "while-loaded:${t##*/}" "$t" zero; done
REV=
for lp in $LPS; do REV="$lp $REV"; done
for lp in $REV; do
	lf_unload $lp; rc=$?
	[ $rc -eq 0 ] || { step_fail "unload:$lp" "expected livefix unload $lp to exit 0, saw exit $rc: $(lf_out)"; exit 1; }
	[ ! -d "$(lp_sysfs $lp)" ] || step_fail "unload:$lp" "expected $(lp_sysfs $lp) gone, saw it"
done
step_ok unload
for t in $TESTS; do expect_test "after-unload:${t##*/}" "$t" nonzero; done
exit $G_FAILED
EOF
}

# vm_judge SCRIPT LOG MODULE_DIR "MODULES" KO...: boot with the modules
# (--with-module) and patch modules; sets VM_OK (1/0) and VM_MSG.
vm_judge() {
	local script=$1 log=$2 mdir=$3 mods=$4 rc m t ko fails steps args=()
	shift 4
	args=(--kver "$KVER" --timeout "$VM_TIMEOUT" --add "$LIVEFIX:/usr/bin/livefix"
		--add "$GUEST_LIB:/root/guest-lib.sh")
	for ko in "$@"; do args+=(--add "$mdir/$ko:/root/mods/$ko"); done
	for t in "$CORPUS"/*-LOADED.test; do [ -e "$t" ] && args+=(--add "$t:/root/tests/$(basename "$t")"); done
	for m in $mods; do args+=(--with-module "$m"); done
	{ printf 'LOAD_TIMEOUT=%s TEST_TIMEOUT=%s\n' "$LOAD_TIMEOUT" "$TEST_TIMEOUT"; cat "$script"; } >"$script.run"
	"$VM_SH" "${args[@]}" "$script.run" >"$log" 2>&1
	rc=$?
	fails=$(grep -E '^step [^ ]+ FAIL ' "$log" | head -3 | sed -E 's/^step ([^ ]+) FAIL /\1: /')
	steps=$(grep -cE '^step [^ ]+ ok$' "$log")
	VM_OK=0
	if [ "$rc" -eq 0 ]; then
		VM_OK=1
		VM_MSG="$steps steps ok$(grep -q '^note:' "$log" && echo "; $(grep -m1 '^note:' "$log")")"
	elif [ -n "$fails" ]; then
		VM_MSG="$(head -1 <<<"$fails")$( [ "$rc" -ge 120 ] && echo " (and: $(vm_status_text "$rc"))")"
	else
		VM_MSG="expected the boot to pass, saw $(vm_status_text "$rc")$(oops=$(grep -m1 -E 'Call Trace|BUG:|WARNING:|Oops' "$log"); [ -z "$oops" ] || echo ": $oops")"
	fi
}
# uniq_words WORDS...: each word once, in order.
uniq_words() { printf '%s\n' "$@" | awk 'NF && !seen[$0]++' | paste -sd' ' -; }

# ---------------------------------------------------------------- 3. one boot per patch
for n in "${GOODS[@]}"; do
	if [ "${BUILT[$n]}" != 1 ]; then
		nok "$n" "${BERR[$n]}" "$OUT/logs/$n.build.log"
		continue
	fi
	gen_single "$n" >"$TMP/$n.guest.sh"
	vm_judge "$TMP/$n.guest.sh" "$OUT/logs/$n.vm.log" "$OUT/modules" "${MODS[$n]}" "livepatch-$n.ko"
	if [ "$VM_OK" = 1 ]; then
		ok "$n" "built in ${BTIME[$n]}s${MODS[$n]:+, modules: ${MODS[$n]}}; $VM_MSG"
	else
		nok "$n" "$VM_MSG" "$OUT/logs/$n.vm.log"
	fi
done

# ---------------------------------------------------------------- 4. combined, stacked
if [ ${#GOODS[@]} -gt 1 ]; then
	paths=()
	for n in "${GOODS[@]}"; do paths+=("$CORPUS/$n.patch"); done
	lf_build "$OUT/logs/combined.build.log" "$OUT/combined" -n combined "${paths[@]}"
	if [ "$BRC" -ne 0 ] || [ ! -s "$OUT/combined/livepatch-combined.ko" ]; then
		r=$(reason_of "$OUT/logs/combined.build.log")
		nok combined "expected all ${#GOODS[@]} patches to build into livepatch-combined.ko, saw exit $BRC${r:+: $r}" "$OUT/logs/combined.build.log"
	else
		bs=$BSECS
		gen_multi combined "${GOODS[@]}" >"$TMP/combined.guest.sh"
		# shellcheck disable=SC2046
		vm_judge "$TMP/combined.guest.sh" "$OUT/logs/combined.vm.log" "$OUT/combined" \
			"$(uniq_words $(for n in "${GOODS[@]}"; do echo "${MODS[$n]}"; done))" livepatch-combined.ko
		if [ "$VM_OK" = 1 ]; then ok combined "built in ${bs}s; $VM_MSG"
		else nok combined "$VM_MSG" "$OUT/logs/combined.vm.log"
		fi
	fi

	have=() missing=()
	for n in "${GOODS[@]}"; do
		if [ "${NRBUILT[$n]}" = 1 ]; then have+=("$n"); else missing+=("$n"); fi
	done
	if [ ${#have[@]} -lt 2 ]; then
		nok stacked "expected the --no-replace builds to succeed, saw failures: ${missing[*]}" "$OUT/logs/${missing[0]}.noreplace.build.log"
	else
		gen_multi stacked "${have[@]}" >"$TMP/stacked.guest.sh"
		kos=()
		for n in "${have[@]}"; do kos+=("livepatch-$n.ko"); done
		# shellcheck disable=SC2046
		vm_judge "$TMP/stacked.guest.sh" "$OUT/logs/stacked.vm.log" "$OUT/noreplace" \
			"$(uniq_words $(for n in "${have[@]}"; do echo "${MODS[$n]}"; done))" "${kos[@]}"
		if [ "$VM_OK" = 1 ] && [ ${#missing[@]} -eq 0 ]; then
			ok stacked "${#have[@]} --no-replace modules live together; $VM_MSG"
		elif [ "$VM_OK" = 1 ]; then
			nok stacked "expected all ${#GOODS[@]} --no-replace modules, saw build failures: ${missing[*]} (the other ${#have[@]} live together: $VM_MSG)" "$OUT/logs/${missing[0]}.noreplace.build.log"
		else
			nok stacked "$VM_MSG${missing[*]:+ (not built: ${missing[*]})}" "$OUT/logs/stacked.vm.log"
		fi
	fi
fi

# ---------------------------------------------------------------- report
{
	echo "# Corpus run: $(basename "$CORPUS")"
	echo
	echo "- corpus: \`$CORPUS\`"
	echo "- kernel: \`$KVER\`; livefix: \`$("$LIVEFIX" --version 2>/dev/null | head -1)\`; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- result: **$passed passed, $failed failed**"
	echo
	echo "| item | result | detail |"
	echo "|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	if [ ${#FAILS[@]} -gt 0 ]; then
		echo "## Refusal reasons"
		echo
		for n in "${FAILS[@]}"; do echo "- \`$n\`: ${REASON[$n]:-(none)}"; done
		echo
	fi
	echo "## Patches"
	echo
	echo "| patch | build s | target modules | patched functions |"
	echo "|---|---|---|---|"
	for n in "${GOODS[@]}"; do
		echo "| $n | ${BTIME[$n]} | ${MODS[$n]:-vmlinux} | $(md_cell "${FUNCS[$n]:-}") |"
	done
	echo
	if [ ${#NOTES[@]} -gt 0 ]; then
		echo "## Notes"
		echo
		printf -- '- %s\n' "${NOTES[@]}"
		echo
	fi
	echo "Logs: \`logs/NAME.build.log\`, \`logs/NAME.vm.log\` (guest output + vm.sh messages)."
} >"$OUT/REPORT.md"
for n in "${NOTES[@]}"; do echo "note: $n"; done
echo "report: $OUT/REPORT.md"
echo "$ME: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
