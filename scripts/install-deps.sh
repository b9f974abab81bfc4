#!/bin/sh
# Installs the Debian packages livefix needs to build, test and run its demo.
# Used by .ci/run and `make demo`; does nothing when all are present.
set -eu

PACKAGES="build-essential gcc-12 make libelf-dev zlib1g-dev patch
qemu-system-x86 busybox-static cpio kmod zstd xz-utils bc bison flex
libssl-dev rsync dwarves python3 file ca-certificates"

missing=""
for p in $PACKAGES; do
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
