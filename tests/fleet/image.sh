#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The fleet's test host image: a real Debian bookworm root made by
# mmdebstrap, with systemd, sshd, redis-server and postgresql under their
# Debian units, the pinned kernel's modules and an initramfs made by
# initramfs-tools for it, and the fleet's ssh key for root. Cached (made
# once): <cache>/fleet/bookworm-KVER.qcow2 with the key beside it; each
# test host boots a copy-on-write overlay of it.
#   tests/fleet/image.sh KVER        prints the image's path
# Root only (mmdebstrap, chroot, mke2fs -d). Installs mmdebstrap and
# qemu-utils when missing (make fleet-test's tools, not make check's).
set -euo pipefail
KVER=${1:?usage: image.sh KVER}
CACHE=${LIVEFIX_CACHE:-/var/cache/livefix}
KROOT=$CACHE/$KVER/root
OUT=$CACHE/fleet
IMG=$OUT/bookworm-$KVER.qcow2
KEY=$OUT/id_ed25519
[ -f "$IMG" ] && [ -f "$KEY" ] && { echo "$IMG"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "image.sh: root needed (mmdebstrap, chroot)" >&2; exit 4; }
[ -r "$KROOT/boot/vmlinuz-$KVER" ] || { echo "image.sh: no kernel at $KROOT (livefix fetch -k $KVER)" >&2; exit 4; }
need=""
for p in mmdebstrap qemu-utils e2fsprogs openssh-client; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
[ -z "$need" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >&2

mkdir -p "$OUT"
W=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$W"' EXIT
[ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C livefix-fleet -f "$KEY"

# What each hook does is said in its comment in the shell it runs.
mmdebstrap --variant=minbase --components=main \
	--include=systemd,systemd-sysv,udev,dbus,openssh-server,redis-server,postgresql,python3,python3-apt,libelf1,libdw1,kmod,initramfs-tools,apt,gpg,iproute2,procps,ca-certificates,zstd \
	--customize-hook="mkdir -p \"\$1/lib/modules\" && cp -a '$KROOT/lib/modules/$KVER' \"\$1/lib/modules/\" && depmod -b \"\$1\" '$KVER'" \
	--customize-hook="cp '$KROOT/boot/vmlinuz-$KVER' '$KROOT/boot/config-$KVER' '$KROOT/boot/System.map-$KVER' \"\$1/boot/\"" \
	--customize-hook="chroot \"\$1\" mkinitramfs -o /boot/initrd.img-$KVER $KVER" \
	--customize-hook='echo "/dev/vda / ext4 defaults 0 1" >"$1/etc/fstab"' \
	--customize-hook='printf "[Match]\nName=en* eth*\n[Network]\nDHCP=yes\n" >"$1/etc/systemd/network/10-dhcp.network"; chroot "$1" systemctl enable systemd-networkd' \
	--customize-hook="mkdir -m 700 -p \"\$1/root/.ssh\" && cp '$KEY.pub' \"\$1/root/.ssh/authorized_keys\"" \
	--customize-hook='sed -i "s/^bind .*/bind 0.0.0.0/; s/^protected-mode yes/protected-mode no/" "$1/etc/redis/redis.conf"' \
	--customize-hook='c=$(ls -d "$1"/etc/postgresql/*/main); echo "listen_addresses = '"'*'"'" >>"$c/postgresql.conf"; echo "host all all 0.0.0.0/0 trust" >>"$c/pg_hba.conf"' \
	--customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer' \
	--customize-hook='rm -f "$1"/etc/ssh/ssh_host_*; chroot "$1" ssh-keygen -A' \
	--customize-hook='rm -f "$1/etc/apt/sources.list"; echo fleet >"$1/etc/hostname"' \
	--customize-hook="tar -C \"\$1/boot\" -cf '$W/boot.tar' vmlinuz-$KVER initrd.img-$KVER" \
	bookworm "$W/root" http://deb.debian.org/debian >&2
mke2fs -q -t ext4 -L fleetroot -d "$W/root" "$W/root.raw" 4G
qemu-img convert -O qcow2 "$W/root.raw" "$W/root.qcow2"
tar -C "$OUT" -xf "$W/boot.tar"
mv "$W/root.qcow2" "$IMG"
echo "$IMG"
