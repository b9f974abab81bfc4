#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian packages in scripts/packages.txt that are missing.
# Used by `make demo`; does nothing when all are present.
set -eu
LIST="$(dirname "$0")/packages.txt"

missing=""
for p in $(grep -v '^#' "$LIST"); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "livefix: missing packages:$missing (run as root, or apt-get install them)" >&2
	exit 4
fi
echo "livefix: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
