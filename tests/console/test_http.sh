#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The console over HTTP (curl): reports stored, every bad report refused
# with its status, logged, and nothing stored; login, sessions, CSRF;
# escaping; host states and CVE standings derived from the reports.
# Ends "N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/livefix-console-http-XXXXXX)
trap 'console_stop; rm -rf "$WORK"' EXIT
passed=0 failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
# check NAME EXPECTED SEEN
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected '$2', saw '$3'"; fi; }
# contains NAME FILE TEXT / lacks NAME FILE TEXT
contains() { if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1" "expected '$3' in $(head -c 300 "$2")"; fi; }
lacks() { if grep -qF -- "$3" "$2"; then bad "$1" "did not expect '$3'"; else ok "$1"; fi; }

console_start "$WORK" --stale-after 600 || { echo "0 passed, 1 failed"; exit 1; }
T1=$(add_host web-1) T2=$(add_host db-1) T3=$(add_host app-stalled)
T4=$(add_host 'web-<script>alert(1)</script>') T5=$(add_host new-kernel)
T6=$(add_host this-machine)
add_host never-reported >/dev/null
check "add-host refuses a name taken" 1 "$("$CONSOLE" add-host --db "$DB" web-1 >/dev/null 2>&1; echo $?)"
check "add-host refuses a control character" 2 "$("$CONSOLE" add-host --db "$DB" $'a\tb' >/dev/null 2>&1; echo $?)"

# --- reports that are stored -----------------------------------------
"$MAKE_REPORT" web-1 100 >"$WORK/r1.json"
check "a valid report is stored (201)" 201 "$(post_report "$T1" "$WORK/r1.json")"
check "the store holds it" 1 "$(stored_reports)"
"$MAKE_REPORT" web-1 101 'description=<script>alert("d")</script> & more' >"$WORK/r1b.json"
check "a newer report of the same host (201)" 201 "$(post_report "$T1" "$WORK/r1b.json")"
"$MAKE_REPORT" db-1 100 nopatch=1 >"$WORK/r2.json"
check "db-1 without the patch (201)" 201 "$(post_report "$T2" "$WORK/r2.json")"
"$MAKE_REPORT" app-stalled 100 transition=livepatch-net-fix state=transition >"$WORK/r3.json"
check "a host with a stalled transition (201)" 201 "$(post_report "$T3" "$WORK/r3.json")"
"$MAKE_REPORT" 'web-<script>alert(1)</script>' 100 nopatch=1 >"$WORK/r4.json"
check "a host named <script> (201)" 201 "$(post_report "$T4" "$WORK/r4.json")"
"$MAKE_REPORT" new-kernel 100 nopatch=1 release=6.1.0-48-amd64 debver=6.1.180-1 >"$WORK/r5.json"
check "a host on a newer kernel (201)" 201 "$(post_report "$T5" "$WORK/r5.json")"
printf '%s\n' "$T6" >"$WORK/token"
out=$("$LIVEFIX" report --server "$URL" --token-file "$WORK/token" --host this-machine 2>&1)
check "livefix report sends this machine's status (exit 0)" "0" "$?"
check "and the console stored it" 7 "$(stored_reports)"
# https:// through curl, behind a TLS reverse proxy (tls_proxy.py)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/tls.key" -out "$WORK/tls.crt" -days 1 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
python3 "$ROOT/tests/console/tls_proxy.py" "$WORK/tls.crt" "$WORK/tls.key" "${URL##*:}" >"$WORK/tls.port" 2>/dev/null &
TLS_PID=$!
for i in $(seq 100); do grep -q port "$WORK/tls.port" && break; sleep 0.05; done
TLS_URL=https://127.0.0.1:$(grep -o '[0-9]*' "$WORK/tls.port")
out=$(CURL_CA_BUNDLE="$WORK/tls.crt" "$LIVEFIX" report --server "$TLS_URL/" --token-file "$WORK/token" --host this-machine 2>&1)
check "livefix report over https (curl, a TLS proxy): exit 0" "0 8" "$? $(stored_reports)"
out=$("$LIVEFIX" report --server "$TLS_URL" --token-file "$WORK/token" --host this-machine 2>&1); rc=$?
check "over https with a certificate not trusted: exit 1" 1 "$rc"
kill "$TLS_PID" 2>/dev/null; wait "$TLS_PID" 2>/dev/null
out=$("$LIVEFIX" report --server "$URL" --token-file "$WORK/token" --host web-1 2>&1); rc=$?
check "livefix report with another host's name: exit 1" 1 "$rc"
case $out in *"HTTP 403"*) ok "livefix report names the refusal";; *) bad "livefix report names the refusal" "$out";; esac
check "livefix report with no server: usage (2)" 2 "$("$LIVEFIX" report --token-file "$WORK/token" >/dev/null 2>&1; echo $?)"
printf 'nonsense\n' >"$WORK/badtoken"
check "livefix report with an unreadable token: exit 4" 4 "$("$LIVEFIX" report --server "$URL" --token-file "$WORK/badtoken" >/dev/null 2>&1; echo $?)"

# --- reports refused: status, log line, nothing stored ---------------
before=$(stored_reports)
# refuse NAME STATUS LOGTEXT TOKEN FILE [curl options]
refuse() {
	local name=$1 want=$2 logtext=$3 token=$4 file=$5 got lines
	shift 5
	lines=$(wc -l <"$LOG")
	got=$(post_report "$token" "$file" "$@")
	check "$name: HTTP $want" "$want" "$got"
	if tail -n +$((lines + 1)) "$LOG" | grep -qF -- "$logtext"; then ok "$name: logged"
	else bad "$name: logged" "no '$logtext' in the log: $(tail -n +$((lines + 1)) "$LOG")"; fi
	check "$name: nothing stored" "$before" "$(stored_reports)"
}
refuse "replayed report" 409 "replayed report from host web-1" "$T1" "$WORK/r1b.json"
"$MAKE_REPORT" web-1 50 >"$WORK/old.json"
refuse "older seq" 409 "seq 50 is not above" "$T1" "$WORK/old.json"
refuse "no token" 401 "without a valid host token" "" "$WORK/r1.json"
refuse "wrong token" 401 "without a valid host token" "$(printf '%064d' 7)" "$WORK/r1.json"
refuse "token that is not hex" 401 "without a valid host token" "'; DROP TABLE hosts;--" "$WORK/r1.json"
"$MAKE_REPORT" web-1 200 >"$WORK/forged.json"
refuse "forged host (db-1's token, web-1's name)" 403 "sent with the token of db-1" "$T2" "$WORK/forged.json"
printf '{"report_version":1,"host":"web-1","seq":300,' >"$WORK/malformed.json"
refuse "malformed JSON" 400 "not JSON" "$T1" "$WORK/malformed.json"
printf '{"report_version":1,"host":"web-1","host":"db-1","seq":301,"status":{}}' >"$WORK/dup.json"
refuse "duplicate keys" 400 "not JSON" "$T1" "$WORK/dup.json"
printf '{"report_version":1,"host":"web-1","seq":302,"status":{"schema_version":1}}\0' >"$WORK/nul.json"
refuse "a NUL byte" 400 "NUL byte" "$T1" "$WORK/nul.json"
head -c 300000 /dev/zero | tr '\0' ' ' >"$WORK/big.json"
refuse "oversized (Content-Length)" 413 "request body over" "$T1" "$WORK/big.json"
refuse "oversized (chunked)" 413 "request body over" "$T1" "$WORK/big.json" -H 'Transfer-Encoding: chunked'
"$MAKE_REPORT" web-1 399 >"$WORK/text.json"
CT=text/plain refuse "not application/json" 415 "not application/json" "$T1" "$WORK/text.json"
"$MAKE_REPORT" web-1 400 "patch=x'); DROP TABLE reports;--" >"$WORK/sqli.json"
refuse "SQL injection in a patch name" 422 "is not a valid value" "$T1" "$WORK/sqli.json"
"$MAKE_REPORT" web-1 401 "release=6.1' OR '1'='1" >"$WORK/sqli2.json"
refuse "SQL injection in the kernel release" 422 "kernel: \"release\" is not a valid value" "$T1" "$WORK/sqli2.json"
"$MAKE_REPORT" web-1 402 'patch=<script>alert(1)</script>' >"$WORK/xss.json"
refuse "script injection in a patch name" 422 "is not a valid value" "$T1" "$WORK/xss.json"
"$MAKE_REPORT" web-1 403 'cves=<img src=x onerror=alert(1)>' >"$WORK/xss2.json"
refuse "script injection in a CVE id" 422 "cves[0] is not a CVE id" "$T1" "$WORK/xss2.json"
"$MAKE_REPORT" web-1 404 'debver=1.0<script>' >"$WORK/xss3.json"
refuse "script injection in a Debian version" 422 "debian_version\" is not a valid value" "$T1" "$WORK/xss3.json"
"$MAKE_REPORT" web-1 405 state=running >"$WORK/state.json"
refuse "a patch state outside the schema" 422 "\"state\" is not a valid value" "$T1" "$WORK/state.json"
"$MAKE_REPORT" web-1 409 "description=$(head -c 5000 /dev/zero | tr '\0' x)" >"$WORK/longtext.json"
refuse "a description over 4,096 bytes" 422 "\"description\" is not a valid value" "$T1" "$WORK/longtext.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["seq"]=410; d["status"]["patches"]*=257; print(json.dumps(d))' "$WORK/r1.json" >"$WORK/many.json"
refuse "more than 256 patches" 422 "more than 256 patches" "$T1" "$WORK/many.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["seq"]=406; del d["status"]["kernel"]; print(json.dumps(d))' "$WORK/r1.json" >"$WORK/nokernel.json"
refuse "no kernel object" 422 "missing \"kernel\"" "$T1" "$WORK/nokernel.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["seq"]=407; d["command"]="reboot"; print(json.dumps(d))' "$WORK/r1.json" >"$WORK/extra.json"
refuse "an unknown envelope member" 422 "unknown member \"command\"" "$T1" "$WORK/extra.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["seq"]=-5; print(json.dumps(d))' "$WORK/r1.json" >"$WORK/neg.json"
refuse "a negative seq" 422 "seq is not a positive integer" "$T1" "$WORK/neg.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["seq"]=408; d["status"]["schema_version"]=2; print(json.dumps(d))' "$WORK/r1.json" >"$WORK/schema.json"
refuse "another schema version" 422 "schema_version is not 1" "$T1" "$WORK/schema.json"
# The same new report sent 8 times at once (the server's threads race):
# one is stored, the others are replays.
"$MAKE_REPORT" new-kernel 500 nopatch=1 release=6.1.0-48-amd64 debver=6.1.180-1 >"$WORK/race.json"
racers=()
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $T5" \
		-H 'Content-Type: application/json' --data-binary "@$WORK/race.json" "$URL/api/v1/reports" \
		>"$WORK/race.$i" &
	racers+=($!)
done
wait "${racers[@]}"
cat "$WORK"/race.[1-8] >"$WORK/race.out"
check "8 copies at once: one stored (201), 7 replays (409)" "1 7" \
	"$(grep -c 201 "$WORK/race.out") $(grep -c 409 "$WORK/race.out")"
before=$((before + 1))
check "the store holds one of them" "$before" "$(stored_reports)"
lines=$(wc -l <"$LOG")
check "GET on the report route: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/reports")"
check "the hosts' tables survived" 6 "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from hosts where last_report is not null").fetchone()[0])' "$DB")"

# --- sessions, CSRF ---------------------------------------------------
check "a page without a session: redirect to /login (303)" 303 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")"
check "the API without a session: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/hosts")"
check "a host token is not a session" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T1" "$URL/api/v1/hosts")"
curl -s -D "$WORK/login.h" -c "$WORK/j0" "$URL/login" >"$WORK/login.html"
csrf=$(grep -o '[0-9a-f]\{64\}' "$WORK/login.html" | head -1)
check "login without its CSRF token: 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/j0" --data-urlencode name=admin --data-urlencode "password=$ADMIN_PASSWORD" "$URL/login")"
check "login with another CSRF token: 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/j0" --data "csrf=$(printf '%064d' 1)" --data-urlencode name=admin --data-urlencode "password=$ADMIN_PASSWORD" "$URL/login")"
check "a wrong password: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/j0" --data "csrf=$csrf" --data-urlencode name=admin --data-urlencode "password=wrong password" "$URL/login")"
check "an unknown administrator: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/j0" --data "csrf=$csrf" --data-urlencode "name=admin' --" --data-urlencode "password=x" "$URL/login")"
check "login: 303 to the overview" 303 "$(curl -s -D "$WORK/session.h" -o /dev/null -w '%{http_code}' -b "$WORK/j0" -c "$WORK/jar" --data "csrf=$csrf" --data-urlencode name=admin --data-urlencode "password=$ADMIN_PASSWORD" "$URL/login")"
contains "the session cookie is HttpOnly and SameSite=Strict" "$WORK/session.h" "HttpOnly; SameSite=Strict"
if tail -n +$((lines + 1)) "$LOG" | grep -q "401 wrong name or password"; then ok "a failed login is logged"; else bad "a failed login is logged" "$(tail -5 "$LOG")"; fi
curl -s -b "$WORK/jar" "$URL/" >"$WORK/overview.html"
contains "the overview after login" "$WORK/overview.html" '<h1>Fleet</h1>'
contains "the host named <script> shows as text" "$WORK/overview.html" 'web-&lt;script&gt;alert(1)&lt;/script&gt;'
lacks "no <script> element on the page" "$WORK/overview.html" '<script'
contains "web-1 is up to date" "$WORK/overview.html" '>web-1</a></td><td><span class="state up-to-date">'
contains "db-1 has a patch available (web-1's, same kernel)" "$WORK/overview.html" '>db-1</a></td><td><span class="state patch-available">'
contains "app-stalled is stalled" "$WORK/overview.html" '>app-stalled</a></td><td><span class="state stalled">'
contains "never-reported is not reporting" "$WORK/overview.html" '>never-reported</a></td><td><span class="state not-reporting">'
contains "the counts" "$WORK/overview.html" 'id="count-not-reporting"><b>1</b>'
contains "effective versions" "$WORK/overview.html" '<td>6.1.176-1</td><td>'
curl -s -D "$WORK/page.h" -b "$WORK/jar" "$URL/hosts/1" >"$WORK/host.html"
contains "host page: description escaped" "$WORK/host.html" '&lt;script&gt;alert(&quot;d&quot;)&lt;/script&gt; &amp; more'
lacks "host page: no <script> element" "$WORK/host.html" '<script'
contains "host page: the diff" "$WORK/host.html" '+	sk_free_rcu(sk);'
contains "host page: CVE links" "$WORK/host.html" 'href="/cves/CVE-2026-10001"'
contains "host page: history of 2 reports" "$WORK/host.html" '(2 reports)'
contains "pages carry a Content-Security-Policy" "$WORK/page.h" "Content-Security-Policy: default-src 'none'"
curl -s -b "$WORK/jar" "$URL/cves/CVE-2026-10001" >"$WORK/cve.html"
contains "CVE page: web-1 fixed live" "$WORK/cve.html" '>web-1</a></td><td><span class="state fixed-live">'
contains "CVE page: new-kernel fixed by reboot" "$WORK/cve.html" '>new-kernel</a></td><td><span class="state fixed-by-reboot">'
contains "CVE page: db-1 exposed" "$WORK/cve.html" '>db-1</a></td><td><span class="state exposed">'
curl -s -b "$WORK/jar" "$URL/api/v1/cves/CVE-2026-10001" >"$WORK/cve.json"
check "API: the CVE's counts" "1 1 4" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["fixed-live"], d["fixed-by-reboot"], d["exposed"])' "$WORK/cve.json")"
curl -s -b "$WORK/jar" "$URL/api/v1/hosts" >"$WORK/hosts.json"
check "API: the fleet's counts (new-kernel, this-machine: no patch for their kernels)" "3 2 1 1" "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; print(c["up-to-date"], c["patch-available"], c["stalled"], c["not-reporting"])' "$WORK/hosts.json")"
# The API's answers as docs/console.openapi.json describes them.
for api in "/api/v1/hosts" "/api/v1/hosts/{id} /api/v1/hosts/1" "/api/v1/cves" \
	"/api/v1/cves/{id} /api/v1/cves/CVE-2026-10001" "/api/v1/patches" \
	"/api/v1/patches/{name} /api/v1/patches/livepatch-net-fix"; do
	set -- $api
	curl -s -b "$WORK/jar" "$URL${2:-$1}" >"$WORK/api.json"
	out=$(python3 "$ROOT/tests/console/check_openapi.py" "$ROOT/docs/console.openapi.json" "$1" "$WORK/api.json" 2>&1)
	if [ -z "$out" ]; then ok "GET ${2:-$1} as the OpenAPI document says"; else bad "GET ${2:-$1} as the OpenAPI document says" "$out"; fi
done
curl -s -b "$WORK/jar" "$URL/patches/livepatch-net-fix" >"$WORK/patch.html"
contains "patch page: where it is applied" "$WORK/patch.html" '1 of 2 hosts reporting it'
check "an unknown CVE: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar" "$URL/cves/CVE-1999-0001")"
check "a CVE path that is not a CVE id: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar" "$URL/cves/%3Cscript%3E")"
check "a host id that is not a number: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar" "$URL/hosts/1%20OR%201=1")"
check "logout without its CSRF token: 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar" -X POST "$URL/logout")"
lcsrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$WORK/overview.html" | grep -o '[0-9a-f]\{64\}')
check "logout with it: 303" 303 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar" --data "csrf=$lcsrf" "$URL/logout")"
check "the session is gone" 303 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar" "$URL/")"
check "nothing refused was stored" "$before" "$(stored_reports)"
# Guessing passwords: after 5 failed logins in a minute, an address is
# refused (429), the right password too, until the minute is over.
curl -s -c "$WORK/j9" "$URL/login" >"$WORK/login9.html"
csrf9=$(grep -o '[0-9a-f]\{64\}' "$WORK/login9.html" | head -1)
for i in 1 2 3 4 5; do
	curl -s -o /dev/null -b "$WORK/j9" --data "csrf=$csrf9" --data-urlencode name=admin \
		--data-urlencode "password=guess $i" "$URL/login"
done
lines=$(wc -l <"$LOG")
check "a 6th login within the minute: 429" 429 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/j9" --data "csrf=$csrf9" --data-urlencode name=admin --data-urlencode "password=$ADMIN_PASSWORD" "$URL/login")"
if tail -n +$((lines + 1)) "$LOG" | grep -q "429 too many failed logins from 127.0.0.1"; then ok "the throttled login is logged"; else bad "the throttled login is logged" "$(tail -2 "$LOG")"; fi
# Revoking a host: its token stops working, its reports go.
check "remove-host" 0 "$("$CONSOLE" remove-host --db "$DB" app-stalled >/dev/null 2>&1; echo $?)"
"$MAKE_REPORT" app-stalled 900 >"$WORK/revoked.json"
check "the removed host's token: 401" 401 "$(post_report "$T3" "$WORK/revoked.json")"
check "its reports are gone" "$((before - 1))" "$(stored_reports)"
check "remove-host of no such host: exit 1" 1 "$("$CONSOLE" remove-host --db "$DB" app-stalled >/dev/null 2>&1; echo $?)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
