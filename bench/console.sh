#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench BENCH=console: the web console under a fleet's load. HOSTS
# (1,000) simulated hosts report once a minute, the minute compressed to
# PERIOD (10) seconds, so 6 times the real rate (100 reports/s instead of
# 16.7), for ROUNDS (6) minutes, while BROWSERS (2) administrators browse
# the pages back to back (bench/console_load.py, Python on loopback).
# Records p50/p99 of report and page latency, and checks that every report
# sent was stored (the store's row count).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/console/lib.sh"
HOSTS=${HOSTS:-1000} ROUNDS=${ROUNDS:-6} PERIOD=${PERIOD:-10} BROWSERS=${BROWSERS:-2}
[ -x "$CONSOLE" ] || { say "build ./livefix-console first (make livefix-console)"; exit 1; }
WORK=$(mktemp -d /tmp/livefix-bench-console-XXXXXX)
trap 'console_stop; rm -rf "$WORK"' EXIT
console_start "$WORK" --stale-after 86400 --verbose || exit 1
say "registering $HOSTS hosts"
for i in $(seq "$HOSTS"); do
	printf 'host-%04d\t%s\n' "$i" "$("$CONSOLE" add-host --db "$DB" "$(printf 'host-%04d' "$i")")"
done >"$WORK/tokens"
load_start=$(loadavg)
say "load: $HOSTS hosts x $ROUNDS rounds of $PERIOD s, $BROWSERS browsers (load $load_start)"
python3 "$BENCH_DIR/console_load.py" "$URL" "$WORK/tokens" "$ADMIN_PASSWORD" \
	"$HOSTS" "$ROUNDS" "$PERIOD" "$BROWSERS" >"$WORK/out.json" || { say "load generator failed"; exit 1; }
load_end=$(loadavg)
stored=$(stored_reports)
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$CONSOLE_PID/status")
db_size=$(du -k "$DB" "$DB-wal" 2>/dev/null | awk '{ s += $1 } END { print s }')
refusals=$(grep ' POST /api/v1/reports [0-9]' "$LOG" | grep -vc ' 201 ok ')
# The console's own time per request (--verbose logs it): without the
# client's, nor the connection's.
grep ' POST /api/v1/reports 201 ' "$LOG" | grep -o '([0-9.]* ms)$' | tr -d '(ms)' >"$WORK/server-reports"
grep ' GET /[^ ]* 200 ' "$LOG" | grep -v ' GET /login ' | grep -o '([0-9.]* ms)$' | tr -d '(ms)' >"$WORK/server-pages"
cat "$WORK/out.json" >&2
python3 - "$WORK/out.json" "$stored" "$HOSTS" "$ROUNDS" "$PERIOD" "$BROWSERS" "$load_start" "$load_end" \
	"$rss" "$db_size" "$refusals" "$WORK/server-reports" "$WORK/server-pages" >"$RESULTS_DIR/console.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
stored, hosts, rounds = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
period, browsers = float(sys.argv[5]), int(sys.argv[6])
load_start, load_end, rss, db_kib, refusals = sys.argv[7], sys.argv[8], int(sys.argv[9]), int(sys.argv[10]), int(sys.argv[11])
def server(path):
    v = sorted(float(x) for x in open(path) if x.strip())
    pick = lambda p: v[min(len(v) - 1, int(p / 100.0 * len(v)))] if v else float("nan")
    return len(v), pick(50), pick(99), pick(100)
import datetime
sent = d["reports_sent"]
ok = d["statuses"].get("201", 0)
print("## console\n")
print("Run %s, load %s at start, %s at the end." % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), load_start, load_end))
print()
print("`make bench BENCH=console` (bench/console.sh, bench/console_load.py): one `livefix-console serve`")
print("on loopback with a fresh store; %d hosts registered, each reporting once a minute, the" % hosts)
print("minute compressed to %g s (%.3g times the real rate: %.0f reports/s), for %d minutes;" % (period, 60 / period, hosts / period, rounds))
print("each report ~2 KB (0 to 3 patches with CVEs and a diff), one connection per report, as")
print("`livefix report` sends it. Meanwhile %d logged-in administrators fetch the overview, a" % browsers)
print("host, the CVE list, a CVE, a patch and /api/v1/hosts, back to back, from the end of the")
print("first minute (once every host has reported). Python's http.client")
print("drives both, so latencies include the client's own time.")
print()
print("| | n | p50 | p99 | max |")
print("|---|---|---|---|---|")
r = d["report_ms"]
print("| report (POST /api/v1/reports) | %d | %.1f ms | %.1f ms | %.1f ms |" % (sent, r["p50"], r["p99"], r["max"]))
for k, v in d["page_ms"].items():
    if k == "all":
        continue
    print("| page %s | %d | %.1f ms | %.1f ms | |" % (k, v["n"], v["p50"], v["p99"]))
a = d["page_ms"]["all"]
print("| **all pages** | %d | %.1f ms | **%.1f ms** | %.1f ms |" % (a["n"], a["p50"], a["p99"], a["max"]))
print("| report, the console's own time (its log) | %d | %.1f ms | %.1f ms | %.1f ms |" % server(sys.argv[12]))
print("| page, the console's own time (its log) | %d | %.1f ms | %.1f ms | %.1f ms |" % server(sys.argv[13]))
print()
print("The machine is shared (2 CPUs; the load average above counts the other")
print("sessions' work): latencies are upper bounds, the console's own time the")
print("steadier figure. The console ran with its default 4 threads.")
print()
print("Every report stored: **%s** — %d sent, %d answered 201, %d rows in the store's `reports` table"
      % ("yes" if stored == sent == ok else "NO", sent, ok, stored))
print("(other statuses: %s; refusals logged: %d). %d reports in %.1f s; the console's peak RSS %d MiB, store %d MiB."
      % ({k: v for k, v in d["statuses"].items() if k != "201"} or "none", refusals, sent, d["elapsed_s"], rss // 1024, db_kib // 1024))
PY
cat "$RESULTS_DIR/console.md"
[ "$stored" = "$((HOSTS * ROUNDS))" ]
