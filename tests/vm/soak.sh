#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Soak: tests/vm/test_stress.sh with many cycles (make soak: 1,000; make
# check-long: 200), then its figures recorded in bench/RESULTS.md under
# "Patching under load" (machine, command, date), one row per run.
#   tests/vm/soak.sh KVER [CYCLES]
set -u
KVER=${1:-6.1.0-47-amd64}
CYCLES=${2:-1000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RES=$ROOT/bench/RESULTS.md
LOG=$(mktemp "${TMPDIR:-/tmp}/livefix-soak-XXXXXX")
trap 'rm -f "$LOG"' EXIT

t0=$(date +%s)
"$ROOT/tests/vm/test_stress.sh" "$KVER" "$CYCLES" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
wall=$(( $(date +%s) - t0 ))
fig=$(grep -E '^STRESS cycles=' "$LOG" | tail -1)
[ -n "$fig" ] || { echo "soak: no figures (exit $rc)"; exit 1; }
val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" ${fig#STRESS }"; }
ser=$(grep -q 'STRESS concurrent loads serialized' "$LOG" && echo yes || echo no)
machine="$(nproc) CPU $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), guest ${STRESS_SMP:-2} vCPU TCG (thread=${STRESS_TCG_THREAD:-single}), 1 GiB"
row="| $(date -u +%Y-%m-%d) | \`STRESS_SMP=${STRESS_SMP:-2} STRESS_TCG_THREAD=${STRESS_TCG_THREAD:-single} tests/vm/soak.sh $KVER $CYCLES\` | $(val cycles) | $(val completed) | $(val failed) | $(val oops) | $(val stress_alive) | $ser | $(val seconds) s guest / $wall s wall |"

mkdir -p "$(dirname "$RES")"
[ -f "$RES" ] || printf '# Benchmark results\n' >"$RES"
if ! grep -q '^## Patching under load' "$RES"; then
	cat >>"$RES" <<HDR

## Patching under load

tests/vm/test_stress.sh: in the test machine (Debian $KVER under qemu),
stress-ng runs \`--cpu 1 --vm 1 --vm-bytes 48M --fork 1 --hdd 1 --hdd-bytes 4M
--sock 1\` while /proc/meminfo and stat(2) are read in loops; each cycle
loads livepatch-stress-meminfo (meminfo_proc_show) and livepatch-stress-stat
(vfs_getattr_nosec with a harmless atomic counter), checks the meminfo patch
is live, unloads both and checks it is gone. Failed = a cycle where a load,
unload or check failed; oops = lines matching Call Trace/BUG:/WARNING:/Oops
in the guest's dmesg. Serialized = two \`livefix load\` started at once, the
second waited for the first (lock in /run/livefix). Machine: $machine.

| date | command | cycles | completed | failed | oops | stressors alive | loads serialized | time |
|---|---|---|---|---|---|---|---|---|
HDR
fi
# the row goes at the end of the section's table
python3 - "$RES" "$row" <<'PY'
import sys
path, row = sys.argv[1], sys.argv[2]
lines = open(path).read().split('\n')
start = next(i for i, l in enumerate(lines) if l.startswith('## Patching under load'))
end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith('## ')), len(lines))
last = max(i for i in range(start, end) if lines[i].startswith('|'))
lines.insert(last + 1, row)
open(path, 'w').write('\n'.join(lines))
PY
echo "soak: recorded in $RES: $row"
exit "$rc"
