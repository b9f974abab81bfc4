#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Promoting a patch through the fleet's channels from the console, over
# HTTP (curl), against a real signed repository made by scripts/repo.sh
# (reprepro, gpg) in a temporary directory: the patch page shows what each
# suite publishes; an administrator's POST (session, CSRF token) runs the
# repository tool, production then publishes the patch (reprepro says so,
# history.log too), the console records who and when; what cannot be
# promoted is refused with its status and nothing changes. A console
# without --repository shows no button and its API says why.
# Ends "N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/livefix-console-promote-XXXXXX)
trap 'console_stop; rm -rf "$WORK"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected '$2', saw '$3'"; fi; }
contains() { if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1" "expected '$3' in $(head -c 400 "$2")"; fi; }
lacks() { if grep -qF -- "$3" "$2"; then bad "$1" "did not expect '$3'"; else ok "$1"; fi; }
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
for tool in reprepro gpg dpkg-deb; do
	command -v $tool >/dev/null || { echo "skip promotion tests: $tool not installed"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
done
PATCH=livepatch-net-fix PKG=livefix-patch-6.1.0-47-amd64 V1=6.1.176-1+lf20260510.100000
# published SUITE: the version the repository publishes there, by reprepro.
published() { reprepro -b "$REPO" list "$1" "$PKG" | awk '{print $3}'; }
# promote_form JAR FROM [CSRF]: the form's POST; prints the status.
promote_form() {
	curl -s -o "$WORK/reply" -w '%{http_code}' -b "$1" --data-urlencode "csrf=${3:-$CSRF}" \
		--data-urlencode "from=$2" "$URL/patches/$PATCH/promote"
}
# promote_api JAR BODY [CSRF]: the API's POST; prints the status.
promote_api() {
	curl -s -o "$WORK/reply" -w '%{http_code}' -b "$1" -H "X-CSRF-Token: ${3-$CSRF}" \
		-H 'Content-Type: application/json' --data-binary "$2" "$URL/api/v1/patches/$PATCH/promote"
}
promotions() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from promotions").fetchone()[0])' "$DB"; }

# --- no repository configured: no button, the API says why ------------
mkdir -p "$WORK/a" "$WORK/b"
console_start "$WORK/a" || { echo "0 passed, 1 failed"; exit 1; }
WORK=$WORK/a seed_fleet || bad "seed the fleet" "a report was refused"
login "$WORK/ja" >/dev/null
curl -s -b "$WORK/ja" "$URL/patches/$PATCH" >"$WORK/p0.html"
contains "without --repository: the patch page says so" "$WORK/p0.html" 'No repository configured'
lacks "without --repository: no Promote button" "$WORK/p0.html" 'Promote to'
curl -s -b "$WORK/ja" "$URL/api/v1/session" >"$WORK/session.json"
CSRF=$(jq_ "$WORK/session.json" 'd["csrf"]')
check "GET /api/v1/session: the admin and a CSRF token" "admin 64" \
	"$(jq_ "$WORK/session.json" 'd["admin"]') ${#CSRF}"
check "without --repository: POST promote is 501" 501 "$(promote_api "$WORK/ja" '{"from":"canary"}')"
contains "... saying what to configure" "$WORK/reply" 'start the console with --repository DIR'
check "without --repository: the form's POST is 501 too" 501 "$(promote_form "$WORK/ja" canary)"
curl -s -b "$WORK/ja" "$URL/api/v1/patches/$PATCH" >"$WORK/api0.json"
check "the patch's API: repository false, the reason" "False True" \
	"$(jq_ "$WORK/api0.json" 'd["channels"]["repository"], "--repository" in d["channels"]["error"]' | tr -d '(),')"
console_stop

# --- a real repository: canary publishes the patch --------------------
make_repository "$WORK/b" || { bad "scripts/repo.sh init, add" "failed"; echo "$passed passed, $failed failed"; exit 1; }
console_start "$WORK/b" --repository "$REPO" --repo-tool "$REPO_SH" || { echo "0 passed, 1 failed"; exit 1; }
WORK=$WORK/b seed_fleet || bad "seed the fleet" "a report was refused"
login "$WORK/jb" >/dev/null
CSRF=$(curl -s -b "$WORK/jb" "$URL/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
curl -s -b "$WORK/jb" "$URL/patches/$PATCH" >"$WORK/p1.html"
contains "patch page: canary publishes the patch's version" "$WORK/p1.html" "<td>canary</td><td>$V1</td><td>$PATCH (this patch)"
contains "patch page: production publishes nothing" "$WORK/p1.html" '<td>production</td><td>nothing</td>'
contains "patch page: a Promote to production button" "$WORK/p1.html" 'id="promote-canary">Promote to production'
contains "patch page: no promotion yet" "$WORK/p1.html" 'None made from this console.'
curl -s -b "$WORK/jb" "$URL/api/v1/patches/$PATCH" >"$WORK/api.json"
check "the patch's API: its channels" "canary $V1 production production None None" \
	"$(jq_ "$WORK/api.json" '" ".join(str(x) for s in d["channels"]["suites"] for x in (s["suite"], s["version"], s["promote_to"]))')"
out=$(python3 "$ROOT/tests/console/check_openapi.py" "$ROOT/docs/console.openapi.json" '/api/v1/patches/{name}' "$WORK/api.json" 2>&1)
[ -z "$out" ] && ok "the patch's API as the OpenAPI document says" || bad "OpenAPI" "$out"

# refused: nothing published, nothing recorded
check "promote without a session: 401" 401 "$(promote_form /dev/null canary)"
check "promote without the CSRF token: 403" 403 "$(promote_form "$WORK/jb" canary 0000)"
check "the API without X-CSRF-Token: 403" 403 "$(promote_api "$WORK/jb" '{"from":"canary"}' '')"
check "the API with a body that is not {from}: 400" 400 "$(promote_api "$WORK/jb" '{"from":"canary","to":"x"}')"
check "from a suite that does not exist: 422" 422 "$(promote_form "$WORK/jb" "staging'; rm -rf /")"
check "from the last suite: 422" 422 "$(promote_form "$WORK/jb" production)"
contains "... saying there is none after it" "$WORK/reply" 'production is the last suite'
check "a patch no host reports: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jb" --data-urlencode "csrf=$CSRF" --data from=canary "$URL/patches/livepatch-other/promote")"
check "after the refusals production still publishes nothing, nothing recorded" " 0" "$(published production) $(promotions)"

# promoted from the page's form
check "the form's POST promotes: 303 back to the patch" 303 "$(promote_form "$WORK/jb" canary)"
check "reprepro: production publishes $V1" "$V1" "$(published production)"
grep -q " promote production $PKG $V1\$" "$REPO/history.log" && ok "the repository's history.log has it" ||
	bad "history.log" "$(cat "$REPO/history.log")"
curl -s -b "$WORK/jb" "$URL/patches/$PATCH" >"$WORK/p2.html"
contains "patch page: production publishes the patch now" "$WORK/p2.html" "<td>production</td><td>$V1</td><td>$PATCH (this patch)"
lacks "patch page: nothing left to promote" "$WORK/p2.html" 'Promote to'
contains "patch page: the promotion, by admin" "$WORK/p2.html" "</td><td>admin</td><td>canary</td><td>production</td><td>$PKG</td><td>$V1</td>"
grep -q "admin promoted $PATCH ($PKG $V1) from canary to production" "$LOG" && ok "the promotion is logged" ||
	bad "log" "$(tail -3 "$LOG")"
check "promoting it again: 409, already there" 409 "$(promote_form "$WORK/jb" canary)"
contains "... saying so" "$WORK/reply" "production publishes $PKG $V1 already"

# canary moves on to another patch: this one is no longer canary's
"$REPO_SH" add "$REPO" canary "$(patch_deb "$WORK" livepatch-net-fix-2 6.1.176-1+lf20260511.100000)" >/dev/null
check "canary publishes another patch: promoting this one is 409" 409 "$(promote_api "$WORK/jb" '{"from":"canary"}')"
contains "... naming the patch canary carries" "$WORK/reply" 'which carries livepatch-net-fix-2, not livepatch-net-fix'
check "production unchanged, one promotion recorded" "$V1 1" "$(published production) $(promotions)"
# back to this patch (a newer build of it), promoted through the API
V2=6.1.176-1+lf20260512.100000
"$REPO_SH" add "$REPO" canary "$(patch_deb "$WORK" $PATCH $V2)" >/dev/null
check "the API's POST promotes: 201" 201 "$(promote_api "$WORK/jb" '{"from":"canary"}')"
check "... answering what it did" "True $V2 canary production admin" \
	"$(jq_ "$WORK/reply" 'd["promoted"], d["version"], d["from"], d["to"], d["by"]' | tr -d "(),'")"
check "reprepro: production publishes $V2" "$V2" "$(published production)"
curl -s -b "$WORK/jb" "$URL/api/v1/patches/$PATCH" >"$WORK/api2.json"
check "the API's history: both promotions, newest first, by admin" "$V2 $V1 admin" \
	"$(jq_ "$WORK/api2.json" '" ".join([p["version"] for p in d["channels"]["promotions"]] + [d["channels"]["promotions"][0]["by"]])')"
console_stop

# --- the tool fails: its reason, nothing recorded ---------------------
mkdir -p "$WORK/c"
console_start "$WORK/c" --repository "$REPO" --repo-tool "$WORK/no-such-tool" || { echo "0 passed, 1 failed"; exit 1; }
WORK=$WORK/c seed_fleet || bad "seed the fleet" "a report was refused"
login "$WORK/jc" >/dev/null
CSRF=$(curl -s -b "$WORK/jc" "$URL/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
"$REPO_SH" add "$REPO" canary "$(patch_deb "$WORK" $PATCH 6.1.176-1+lf20260513.100000)" >/dev/null
check "a repository tool that is not there: 500" 500 "$(promote_api "$WORK/jc" '{"from":"canary"}')"
contains "... naming it" "$WORK/reply" "the repository tool $WORK/no-such-tool was not found"
check "production unchanged, nothing recorded" "$V2 0" "$(published production) $(promotions)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
