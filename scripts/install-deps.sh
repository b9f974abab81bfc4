#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian packages in scripts/packages.txt that are missing,
# before anything is compiled: `make demo` and `make check` run it first, so
# both work as the first commands on a brand-new machine. Does nothing when
# all are present. Not root and something missing: one line naming what to
# install, exit 4 (the environment status of livefix).
# LIVEFIX_PACKAGES=FILE reads another list (tests/test_deps.sh).
set -eu
LIST=${LIVEFIX_PACKAGES:-"$(dirname "$0")/packages.txt"}

missing=""
for p in $(grep -v '^#' "$LIST"); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# npm is part of NodeSource's nodejs (CI's machines) and a package of its
# own beside Debian's nodejs (a brand-new machine); the two conflict, so it
# is asked for only where nodejs came without it.
if ! command -v npm >/dev/null && dpkg-query -W -f='${Status}' nodejs 2>/dev/null | grep -q "ok installed"; then
	missing="$missing npm"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "livefix: missing Debian packages:$missing; run this as root, or first: apt-get install$missing" >&2
	exit 4
fi
echo "livefix: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
if ! command -v npm >/dev/null; then
	echo "livefix: installing: npm (Debian's nodejs comes without it)"
	apt-get install -y -q --no-install-recommends npm
fi
