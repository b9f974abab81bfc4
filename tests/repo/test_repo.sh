#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/repo.sh, the signed apt repository, seen by a real apt client
# with a private configuration (its own sources list with signed-by, lists,
# cache and an empty dpkg status: this machine's apt is never touched): a
# package added is in canary only; promoted, in production too; a newer
# version promoted, then rolled back, gives production the earlier one
# again. Bad input: a Release that was tampered with, a repository that is
# not signed, a key that is not the repository's: apt refuses each.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPO_SH=$ROOT/scripts/repo.sh
T=$(mktemp -d /tmp/livefix-test-repo-XXXXXX)
trap 'rm -rf "$T"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
finish() { echo "repo: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit; }
for tool in reprepro gpg apt-get; do
	command -v $tool >/dev/null || { echo "skip repo tests: $tool not installed"; skipped=$((skipped + 1)); finish; }
done

# Two versions of a small real package (the repository's contents do not
# matter here; tests/package builds the patch packages).
mkpkg() { # version
	local d=$T/pkg-$1
	mkdir -p "$d/DEBIAN" "$d/usr/share/doc/livefix-repo-probe"
	printf 'Package: livefix-repo-probe\nVersion: %s\nArchitecture: amd64\nMaintainer: livefix <root@localhost>\nSection: admin\nPriority: optional\nDescription: repository probe\n' "$1" >"$d/DEBIAN/control"
	echo "$1" >"$d/usr/share/doc/livefix-repo-probe/version"
	dpkg-deb --root-owner-group -b "$d" "$T/probe_$1.deb" >/dev/null
}
mkpkg 1.0-1; mkpkg 1.1-1
R=$T/repo
"$REPO_SH" init "$R" >"$T/log" 2>&1 && [ -s "$R/livefix-repo.gpg" ] &&
	ok "init: repository, signing key, public key for clients" || { bad "init" "$(cat "$T/log")"; finish; }

# A private apt client of suite $1 with key $2.
client() { # suite key -> prints the candidate version, or "none"; apt's output in $T/apt.log
	local c=$T/client-$1
	rm -rf "$c"; mkdir -p "$c/lists/partial" "$c/cache/archives/partial"
	: >"$c/status"
	echo "deb [signed-by=$2] file:$R $1 main" >"$c/sources.list"
	A=(-o Dir::Etc::SourceList="$c/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$c/lists" -o Dir::Cache="$c/cache" -o Dir::State::status="$c/status"
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o APT::Sandbox::User=root -o Debug::NoLocking=1 -o APT::Architecture=amd64)
	if ! apt-get "${A[@]}" update >"$T/apt.log" 2>&1 || grep -qE '^(W|E):' "$T/apt.log"; then
		echo "refused"; return
	fi
	local v
	v=$(apt-cache "${A[@]}" policy livefix-repo-probe 2>/dev/null | awk '/Candidate:/ {print $2}')
	echo "${v:-none}"
}
KEY=$R/livefix-repo.gpg
"$REPO_SH" add "$R" canary "$T/probe_1.0-1.deb" >"$T/log" 2>&1 || bad "add" "$(cat "$T/log")"
c=$(client canary "$KEY") p=$(client production "$KEY")
[ "$c" = 1.0-1 ] && [ "$p" = none ] && ok "add: apt sees 1.0-1 in canary, nothing in production" ||
	bad "after add" "expected canary 1.0-1, production none; saw $c, $p ($(cat "$T/apt.log"))"
"$REPO_SH" promote "$R" canary production >"$T/log" 2>&1 || bad "promote" "$(cat "$T/log")"
p=$(client production "$KEY")
[ "$p" = 1.0-1 ] && ok "promote: production publishes 1.0-1" || bad "after promote" "expected 1.0-1, saw $p"
"$REPO_SH" add "$R" canary "$T/probe_1.1-1.deb" >/dev/null 2>&1
c=$(client canary "$KEY") p=$(client production "$KEY")
[ "$c" = 1.1-1 ] && [ "$p" = 1.0-1 ] && ok "1.1-1 added: canary 1.1-1, production still 1.0-1" ||
	bad "second add" "saw canary $c, production $p"
"$REPO_SH" promote "$R" canary production livefix-repo-probe >/dev/null 2>&1
"$REPO_SH" rollback "$R" production livefix-repo-probe >"$T/log" 2>&1 || bad "rollback" "$(cat "$T/log")"
p=$(client production "$KEY")
[ "$p" = 1.0-1 ] && grep -q 'rolled back from 1.1-1' "$T/log" && ok "rollback: production publishes 1.0-1 again" ||
	bad "after rollback" "expected 1.0-1, saw $p; $(cat "$T/log")"
grep -q ' rollback production livefix-repo-probe 1.0-1$' "$R/history.log" && ok "history.log records the rollback" ||
	bad "history" "$(cat "$R/history.log")"

# bad input
out=$("$REPO_SH" promote "$R" canary staging 2>&1); rc=$?
[ "$rc" -eq 1 ] && grep -q "'staging' is not a suite" <<<"$out" && ok "promote to an unknown suite: exit 1, named" ||
	bad "unknown suite" "saw $rc: $out"
out=$("$REPO_SH" rollback "$R" production livefix-repo-probe 2>&1); rc=$?
[ "$rc" -eq 1 ] && grep -q 'no version of livefix-repo-probe older than 1.0-1' <<<"$out" &&
	ok "rollback with nothing older: exit 1, named" || bad "nothing older" "saw $rc: $out"
mkdir -m 700 "$T/other"
gpg --batch --quiet --homedir "$T/other" --passphrase '' --quick-gen-key "other <o@localhost>" ed25519 sign never 2>/dev/null
gpg --batch --homedir "$T/other" --export >"$T/other.gpg"
r=$(client production "$T/other.gpg")
[ "$r" = refused ] && grep -q 'NO_PUBKEY\|not signed\|signature' "$T/apt.log" && ok "another key: apt refuses the repository" ||
	bad "wrong key" "expected refused, saw $r: $(cat "$T/apt.log")"
cp -a "$R" "$T/saved"
sed -i 's/^Suite: production/Suite: production-tampered/' "$R/dists/production/InRelease"
sed -i 's/^Suite: production/Suite: production-tampered/' "$R/dists/production/Release"
r=$(client production "$KEY")
[ "$r" = refused ] && grep -qi 'BADSIG\|signature' "$T/apt.log" && ok "tampered Release: apt refuses it (bad signature)" ||
	bad "tampered" "expected refused, saw $r: $(cat "$T/apt.log")"
rm -rf "$R"; cp -a "$T/saved" "$R"
rm -f "$R/dists/production/InRelease" "$R/dists/production/Release.gpg"
r=$(client production "$KEY")
[ "$r" = refused ] && grep -q 'not signed' "$T/apt.log" && ok "unsigned repository: apt refuses it" ||
	bad "unsigned" "expected refused, saw $r: $(cat "$T/apt.log")"
finish
