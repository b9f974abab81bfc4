#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Shared by the console's tests and bench: a console on a free loopback
# port with a fresh store in a temporary directory, stopped on exit.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONSOLE=${CONSOLE:-$ROOT/livefix-console}
LIVEFIX=${LIVEFIX:-$ROOT/livefix}
MAKE_REPORT=$ROOT/tests/console/make_report.py
ADMIN_PASSWORD='correct horse battery staple'

# console_start DIR [serve options...]: sets URL, DB, LOG, CONSOLE_PID.
console_start() {
	local dir=$1 port i
	shift
	DB=$dir/console.db LOG=$dir/console.log
	printf '%s\n' "$ADMIN_PASSWORD" | "$CONSOLE" add-admin --db "$DB" admin 2>/dev/null || return 1
	"$CONSOLE" serve --db "$DB" --listen 127.0.0.1:0 "$@" 2>"$LOG" &
	CONSOLE_PID=$!
	for i in $(seq 100); do
		port=$(grep -o '(port [0-9]*)' "$LOG" 2>/dev/null | grep -o '[0-9]*')
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "the console did not start:"; cat "$LOG"; return 1; }
	URL=http://127.0.0.1:$port
}

console_stop() {
	[ -n "${CONSOLE_PID:-}" ] && kill "$CONSOLE_PID" 2>/dev/null && wait "$CONSOLE_PID" 2>/dev/null
	CONSOLE_PID=
}

# add_host NAME: prints the host's token.
add_host() {
	"$CONSOLE" add-host --db "$DB" "$1"
}

# post_report TOKEN FILE [curl options...]: prints the HTTP status.
post_report() {
	local token=$1 file=$2
	shift 2
	curl -s -o "$WORK/reply" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
		-H "Content-Type: ${CT:-application/json}" --data-binary "@$file" "$@" "$URL/api/v1/reports"
}

# login JAR: logs the admin in, cookies in JAR; prints the final status.
login() {
	local jar=$1 csrf
	csrf=$(curl -s -c "$jar" "$URL/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')
	curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" \
		--data-urlencode name=admin --data-urlencode "password=$ADMIN_PASSWORD" "$URL/login"
}

# stored_reports: rows in the store's reports table.
stored_reports() {
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from reports").fetchone()[0])' "$DB"
}

# seed_fleet: hosts in every state, for the browser test: web-1 (the
# patch applied, a description with markup), db-1 (same kernel, without
# it: patch available, exposed), app-stalled (a stalled transition), a
# host named with markup, new-kernel (a newer kernel: fixed by reboot),
# never-reported (not reporting).
seed_fleet() {
	local t
	t=$(add_host web-1) && "$MAKE_REPORT" web-1 100 \
		'description=net: fix a use-after-free in sock_free <script>alert("d")</script>' >"$WORK/s.json" &&
		[ "$(post_report "$t" "$WORK/s.json")" = 201 ] || return 1
	t=$(add_host db-1) && "$MAKE_REPORT" db-1 100 nopatch=1 >"$WORK/s.json" &&
		[ "$(post_report "$t" "$WORK/s.json")" = 201 ] || return 1
	t=$(add_host app-stalled) && "$MAKE_REPORT" app-stalled 100 transition=livepatch-net-fix \
		state=transition >"$WORK/s.json" && [ "$(post_report "$t" "$WORK/s.json")" = 201 ] || return 1
	t=$(add_host 'web-<script>alert(1)</script>') &&
		"$MAKE_REPORT" 'web-<script>alert(1)</script>' 100 nopatch=1 >"$WORK/s.json" &&
		[ "$(post_report "$t" "$WORK/s.json")" = 201 ] || return 1
	t=$(add_host new-kernel) && "$MAKE_REPORT" new-kernel 100 nopatch=1 release=6.1.0-48-amd64 \
		debver=6.1.180-1 >"$WORK/s.json" && [ "$(post_report "$t" "$WORK/s.json")" = 201 ] || return 1
	add_host never-reported >/dev/null
}

# make_repository DIR: the fleet's signed repository (scripts/repo.sh,
# reprepro) in DIR/repo, canary publishing the patch package of
# livepatch-net-fix (seed_fleet's patch) for 6.1.0-47-amd64, production
# nothing; sets REPO. The package is a small real one with the control
# fields `livefix package` writes (tests/package builds real ones).
REPO_SH=$ROOT/scripts/repo.sh
make_repository() {
	REPO=$1/repo
	"$REPO_SH" init "$REPO" >/dev/null 2>&1 &&
		"$REPO_SH" add "$REPO" canary "$(patch_deb "$1" livepatch-net-fix 6.1.176-1+lf20260510.100000)" >/dev/null
}

# patch_deb DIR MODULE VERSION: prints the path of a livefix-patch package
# for 6.1.0-47-amd64 carrying MODULE at VERSION.
patch_deb() {
	local d=$1/deb-$2-$3 pkg=livefix-patch-6.1.0-47-amd64
	mkdir -p "$d/DEBIAN" "$d/usr/lib/livefix/packages/6.1.0-47-amd64"
	printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: livefix <root@localhost>\nSection: kernel\nPriority: optional\nLivefix-Kernel: 6.1.0-47-amd64\nLivefix-Module: %s\nLivefix-Effective-Version: 6.1.176-1\nLivefix-Cves: CVE-2026-10001, CVE-2026-10002\nDescription: live patch for Linux 6.1.0-47-amd64\n' \
		"$pkg" "$3" "$2" >"$d/DEBIAN/control"
	echo "$2" >"$d/usr/lib/livefix/packages/6.1.0-47-amd64/$2.ko"
	dpkg-deb --root-owner-group -b "$d" "$1/${pkg}_$3_amd64.deb" >/dev/null && echo "$1/${pkg}_$3_amd64.deb"
}
