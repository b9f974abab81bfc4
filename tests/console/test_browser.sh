#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The console in a real browser (browser.mjs): Debian's chromium driven by
# puppeteer-core, pinned in package.json/package-lock.json and installed
# with `npm ci` (once; node_modules/ is kept); it also promotes a patch
# from canary to production in a real repository. Screenshots are kept in
# tests/console/artifacts/. Skipped, with the reason, only where chromium
# or node cannot run (not the case in CI: scripts/packages.txt has both),
# or where the npm registry cannot be reached to install puppeteer-core (a
# network or TLS error: e.g. a new root without the network's CA).
set -u
. "$(dirname "$0")/lib.sh"
HERE=$ROOT/tests/console
ARTIFACTS=${ARTIFACTS:-$HERE/artifacts}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

if ! "$CHROMIUM" --version >/dev/null 2>&1; then
	echo "skip browser test: $CHROMIUM cannot run (apt-get install chromium)"
	echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "skip browser test: node and npm are needed (apt-get install nodejs)"
	echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
if ! [ -d "$HERE/node_modules/puppeteer-core" ]; then
	(cd "$HERE" && npm ci --prefer-offline --no-audit --no-fund >/dev/null 2>"$HERE/npm-ci.log") || {
		# npm's own codes for a registry it cannot reach or trust
		unreachable='E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH)|SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)|CERT_'
		if grep -Eq "errno ($unreachable)|code ($unreachable)" "$HERE/npm-ci.log"; then
			echo "skip browser test: the npm registry cannot be reached to install puppeteer-core:"
			grep -m1 -E 'request to|reason' "$HERE/npm-ci.log"
			echo "0 passed, 0 failed, 1 skipped"; exit 0
		fi
		echo "FAIL npm ci (tests/console/npm-ci.log):"; tail -5 "$HERE/npm-ci.log"
		echo "0 passed, 1 failed"; exit 1; }
fi
WORK=$(mktemp -d /tmp/livefix-console-browser-XXXXXX)
trap 'console_stop; rm -rf "$WORK"' EXIT
# The patch page's channels come from a real repository (reprepro, gpg:
# scripts/packages.txt), where the browser promotes the patch.
make_repository "$WORK" || { echo "FAIL scripts/repo.sh could not make the repository"; echo "0 passed, 1 failed"; exit 1; }
console_start "$WORK" --repository "$REPO" --repo-tool "$REPO_SH" || { echo "0 passed, 1 failed"; exit 1; }
seed_fleet || { echo "FAIL seeding the fleet"; echo "0 passed, 1 failed"; exit 1; }
rm -rf "$ARTIFACTS"
(cd "$HERE" && REPO="$REPO" node browser.mjs "$URL" "$ARTIFACTS" "$ADMIN_PASSWORD")
