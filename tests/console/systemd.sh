#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make console-systemd-test: the console and the report timer under a real
# systemd. One qemu (TCG) machine boots the fleet's bookworm image
# (tests/fleet/image.sh, cached in /var/cache/livefix/fleet; systemd as
# PID 1) with the pinned kernel; the livefix and livefix-console packages
# that `make deb` builds are installed with dpkg (the console's libraries,
# which the image lacks, downloaded here by apt-get download). Checked:
#   - livefix-console.service is started by its package, active, runs as
#     its dynamic user with its store in /var/lib/livefix-console, and
#     answers on loopback;
#   - the documented administration commands (systemd-run as that user)
#     add an administrator and the host;
#   - livefix-report.timer, once the token and the console's URL are in
#     place, runs livefix-report.service, whose report reaches the console:
#     the host appears in its API (/api/v1/hosts, through an ssh tunnel,
#     logged in as that administrator) with the guest's kernel;
#   - under the unit (a drop-in naming the repository in its
#     StateDirectory), an administrator's API call promotes a patch from
#     canary to production: the repository tool, reprepro and gpg run in
#     the sandbox, production publishes it, signed;
#   - systemd-analyze verify finds nothing to say of the packages' units,
#     and systemd-analyze security rates the console's unit OK or better.
# Ends "console-systemd: N passed, N failed".
#   tests/console/systemd.sh [KVER]     (root)
set -uo pipefail
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/console/lib.sh"
W=$(mktemp -d /tmp/livefix-console-systemd-XXXXXX)
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
say() { echo "console-systemd: $(date -u +%T) $*"; }
tunnel=
cleanup() {
	[ -n "$tunnel" ] && kill "$tunnel" 2>/dev/null
	[ -f "$W/vm.pid" ] && kill "$(cat "$W/vm.pid")" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
finish() { echo "console-systemd: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
[ "$(id -u)" = 0 ] || { echo "console-systemd-test: root needed (the image, qemu)" >&2; exit 4; }

IMG=$("$ROOT/tests/fleet/image.sh" "$KVER") || { bad "the fleet's image" "tests/fleet/image.sh failed"; finish; }
FLEETDIR=$(dirname "$IMG")
KEY=$FLEETDIR/id_ed25519

say "building the packages (make deb)"
"$ROOT/scripts/deb.sh" "$W/deb" >"$W/deb.log" 2>&1 || { bad "make deb" "$(tail -5 "$W/deb.log")"; finish; }
mkdir -p "$W/debs"
cp "$W"/deb/livefix_*_amd64.deb "$W"/deb/livefix-console_*_amd64.deb "$W/debs/"
# The console's libraries the image does not hold (its other
# dependencies, libc, libssl, libcrypt, libgnutls, are in it).
(cd "$W/debs" && apt-get download -q libmicrohttpd12 libjansson4 libsqlite3-0 >"$W/download.log" 2>&1) ||
	{ bad "apt-get download the console's libraries" "$(tail -3 "$W/download.log")"; finish; }
ok "packages built: $(cd "$W/debs" && ls | tr '\n' ' ')"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SSH_PORT=$(free_port)
say "booting one host (1 vCPU, 1024 MiB, TCG)"
qemu-img create -q -f qcow2 -F qcow2 -b "$IMG" "$W/vm.qcow2"
qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1024 -display none \
	-kernel "$FLEETDIR/vmlinuz-$KVER" -initrd "$FLEETDIR/initrd.img-$KVER" \
	-append "root=/dev/vda rw console=ttyS0 systemd.hostname=console-host quiet" \
	-drive "file=$W/vm.qcow2,if=virtio" \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22" \
	-device virtio-net-pci,netdev=n0 -serial "file:$W/vm.console" \
	-daemonize -pidfile "$W/vm.pid" || { bad "qemu starts" "see above"; finish; }
SSH_OPTS=(-i "$KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=20
	-o BatchMode=yes -o LogLevel=ERROR)
on() { ssh "${SSH_OPTS[@]}" -p "$SSH_PORT" root@127.0.0.1 "$@"; }
boot_start=$(date +%s)
until [ "$(on 'systemctl is-system-running' 2>/dev/null)" = running ] ||
	[ "$(on 'systemctl is-system-running' 2>/dev/null)" = degraded ]; do
	if [ $(($(date +%s) - boot_start)) -gt "${BOOT_TIMEOUT:-900}" ]; then
		bad "the host boots" "systemd not up after ${BOOT_TIMEOUT:-900} s; console: $(tail -5 "$W/vm.console")"
		finish
	fi
	sleep 5
done
ok "booted with systemd as PID 1: $(on 'ps -o comm= -p 1; uname -r' | tr '\n' ' ')($(($(date +%s) - boot_start)) s)"

# ---- install
scp "${SSH_OPTS[@]}" -P "$SSH_PORT" -q "$W"/debs/*.deb root@127.0.0.1:/root/ ||
	{ bad "copy the packages" "scp failed"; finish; }
if on 'dpkg -i /root/*.deb' >"$W/dpkg.log" 2>&1; then ok "dpkg -i livefix, livefix-console and the libraries"
else bad "dpkg -i" "$(tail -5 "$W/dpkg.log")"; finish; fi

# ---- the console's unit, started by its package
active=$(on 'systemctl is-active livefix-console.service')
[ "$active" = active ] && ok "livefix-console.service is active (started by its postinst)" ||
	bad "livefix-console.service" "expected active, saw $active: $(on 'journalctl -u livefix-console --no-pager | tail -5')"
[ "$(on 'systemctl is-enabled livefix-console.service')" = enabled ] && ok "livefix-console.service is enabled" ||
	bad "enabled" "$(on 'systemctl is-enabled livefix-console.service')"
# Its dynamic user: a UID systemd allocated (61184-65519; the image has
# no nss-systemd to name it), owning the store.
who=$(on 'ps -o uid=,comm= -p $(systemctl show -p MainPID --value livefix-console.service); stat -c %u /var/lib/private/livefix-console/console.db' | tr '\n' ' ')
read -r uid comm owner <<<"$who"
[ "$comm" = livefix-console ] && [ "${uid:-0}" -ge 61184 ] && [ "$uid" -le 65519 ] && [ "$owner" = "$uid" ] &&
	ok "it runs as its dynamic user (UID $uid), which owns the store" ||
	bad "its user" "expected livefix-console under a dynamic UID owning the store, saw '$who'"
on 'test -s /var/lib/private/livefix-console/console.db && test -L /var/lib/livefix-console' &&
	ok "its store in its StateDirectory (/var/lib/private/livefix-console/console.db)" ||
	bad "its store" "$(on 'ls -la /var/lib/private/livefix-console /var/lib/livefix-console 2>&1')"
code=$(on "python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:8080/login\").status)'" 2>&1)
[ "$code" = 200 ] && ok "it answers on the guest's loopback (GET /login: 200)" || bad "GET /login" "saw $code"

# ---- administration as the service's user (docs/console.md)
as_console='systemd-run --quiet --pipe --wait -p DynamicUser=yes -p User=livefix-console -p StateDirectory=livefix-console /usr/bin/livefix-console'
if printf '%s\n' "$ADMIN_PASSWORD" | on "$as_console add-admin --db /var/lib/livefix-console/console.db admin" >"$W/admin.log" 2>&1
then ok "add-admin through systemd-run as the dynamic user"; else bad "add-admin" "$(cat "$W/admin.log")"; fi
TOKEN=$(on "$as_console add-host --db /var/lib/livefix-console/console.db console-host" 2>"$W/host.log")
[ ${#TOKEN} = 64 ] && ok "add-host console-host: its token" || bad "add-host" "saw '$TOKEN' $(cat "$W/host.log")"

# ---- the report timer
on "install -d -m 0755 /etc/livefix && umask 077 && echo $TOKEN >/etc/livefix/console.token &&
	echo LIVEFIX_CONSOLE=http://127.0.0.1:8080 >/etc/default/livefix-report"
[ "$(on 'systemctl is-enabled livefix-report.timer')" = enabled ] && ok "livefix-report.timer is enabled by its package" ||
	bad "the timer enabled" "$(on 'systemctl is-enabled livefix-report.timer')"
on 'systemctl start livefix-report.timer'
# Past OnBootSec, the timer fires at once, within RandomizedDelaySec (60 s).
t0=$(date +%s) result=
while [ $(($(date +%s) - t0)) -lt 240 ]; do
	result=$(on 'systemctl show -p Result --value -p ExecMainStatus livefix-report.service; journalctl -q -u livefix-report.service --no-pager | tail -1' | tr '\n' ' ')
	on 'journalctl -q -u livefix-report.service --no-pager' 2>/dev/null | grep -q 'report sent' && break
	sleep 5
done
on 'journalctl -q -u livefix-report.service --no-pager' >"$W/report.journal" 2>&1
grep -q 'report sent to http://127.0.0.1:8080' "$W/report.journal" &&
	ok "the timer ran livefix-report.service: 'report sent' ($(($(date +%s) - t0)) s)" ||
	bad "the timer's report" "saw: $result $(tail -5 "$W/report.journal")"
[ "$(on 'systemctl show -p Result --value livefix-report.service')" = success ] &&
	ok "livefix-report.service: Result=success" || bad "report Result" "$result"

# ---- the host in the console's API, from here through an ssh tunnel
PORT=$(free_port)
ssh "${SSH_OPTS[@]}" -p "$SSH_PORT" -N -L "127.0.0.1:$PORT:127.0.0.1:8080" root@127.0.0.1 &
tunnel=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -s -o /dev/null "$URL/login" && break; sleep 0.2; done
code=$(login "$W/jar")
[ "$code" = 303 ] && ok "logged in as admin through the tunnel" || bad "login" "expected 303, saw $code"
curl -s -b "$W/jar" "$URL/api/v1/hosts" >"$W/hosts.json"
seen=$(python3 -c 'import json,sys; h=[x for x in json.load(open(sys.argv[1]))["hosts"] if x["name"]=="console-host"]; print(h[0]["release"], h[0]["reports"]) if h else print("absent")' "$W/hosts.json" 2>&1)
[ "$seen" = "$KVER 1" ] && ok "the console's API shows console-host: kernel $KVER, 1 report" ||
	bad "the host in the API" "expected '$KVER 1', saw '$seen': $(head -c 300 "$W/hosts.json")"

# ---- a promotion under the unit: the repository tool, reprepro and gpg
# run as the service's user, inside its sandbox, and sign. The tools the
# image lacks (reprepro, gpg-agent and what they need) are downloaded
# here: apt-get computes them against the guest's own dpkg status.
say "promotion under the unit"
on 'cat /var/lib/dpkg/status' >"$W/guest-status"
need=$(apt-get -s -o Debug::NoLocking=1 -o Dir::State::status="$W/guest-status" \
	install --no-install-recommends reprepro gpg-agent 2>"$W/sim.log" | awk '/^Inst /{print $2}')
mkdir -p "$W/tools"
if [ -n "$need" ] && (cd "$W/tools" && apt-get download -q $need >"$W/download2.log" 2>&1) &&
	on 'rm -f /root/*.deb' && scp "${SSH_OPTS[@]}" -P "$SSH_PORT" -q "$W"/tools/*.deb root@127.0.0.1:/root/ &&
	on 'dpkg -i /root/*.deb' >"$W/dpkg2.log" 2>&1; then
	ok "reprepro and gpg-agent installed ($(wc -w <<<"$need") packages)"
else
	bad "install reprepro, gpg-agent" "need: $need; $(tail -3 "$W/sim.log" "$W/download2.log" "$W/dpkg2.log" 2>/dev/null)"
fi
DEB=$(patch_deb "$W" livepatch-net-fix 6.1.176-1+lf20260510.100000)
on 'install -d -m 0755 /srv/debs' && scp "${SSH_OPTS[@]}" -P "$SSH_PORT" -q "$DEB" root@127.0.0.1:/srv/debs/ &&
	on 'chmod 0644 /srv/debs/*.deb'
as_console_user='systemd-run --quiet --pipe --wait -p DynamicUser=yes -p User=livefix-console -p StateDirectory=livefix-console'
GREPO=/var/lib/livefix-console/repo
if on "$as_console_user /usr/lib/livefix-console/livefix-repo init $GREPO && $as_console_user /usr/lib/livefix-console/livefix-repo add $GREPO canary /srv/debs/$(basename "$DEB")" >"$W/repo.log" 2>&1
then ok "the repository made as the service's user in its StateDirectory, the patch in canary"
else bad "livefix-repo init, add" "$(tail -3 "$W/repo.log")"; fi
# The drop-in the unit's comment shows, the repository inside the
# StateDirectory: nothing else to make writable.
on "mkdir -p /etc/systemd/system/livefix-console.service.d && printf '[Service]\nExecStart=\nExecStart=/usr/bin/livefix-console serve --db /var/lib/livefix-console/console.db --listen 127.0.0.1:8080 --repository $GREPO\n' >/etc/systemd/system/livefix-console.service.d/repository.conf && systemctl daemon-reload && systemctl restart livefix-console.service"
for _ in $(seq 30); do curl -s -o /dev/null "$URL/login" && break; sleep 1; done
code=$(login "$W/jar")
# A host that applies the patch (a report like the console tests' own).
TOKEN2=$(on "$as_console add-host --db /var/lib/livefix-console/console.db web-1" 2>/dev/null)
WORK=$W "$MAKE_REPORT" web-1 100 >"$W/web-1.json"
WORK=$W post_report "$TOKEN2" "$W/web-1.json" >"$W/post.status"
CSRF=$(curl -s -b "$W/jar" "$URL/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])' 2>/dev/null)
status=$(curl -s -o "$W/promote.json" -w '%{http_code}' -b "$W/jar" -H "X-CSRF-Token: $CSRF" \
	-H 'Content-Type: application/json' --data '{"from":"canary"}' "$URL/api/v1/patches/livepatch-net-fix/promote")
[ "$status" = 201 ] && ok "POST promote under the unit: 201" ||
	bad "promote under the unit" "expected 201, saw $status: $(cat "$W/promote.json"); $(on 'journalctl -q -u livefix-console --no-pager | tail -5')"
prod=$(on "reprepro -b /var/lib/private/livefix-console/repo list production" 2>&1)
grep -q 'livefix-patch-6.1.0-47-amd64 6.1.176-1+lf20260510.100000' <<<"$prod" &&
	ok "reprepro: production publishes the patch, signed ($(on 'ls /var/lib/private/livefix-console/repo/dists/production/' | tr '\n' ' '))" ||
	bad "production after the promotion" "$prod"
on 'journalctl -q -u livefix-console --no-pager' | grep -q 'admin promoted livepatch-net-fix' &&
	ok "the journal records who promoted it" || bad "journal" "$(on 'journalctl -q -u livefix-console --no-pager | tail -3')"

# ---- systemd-analyze on the installed units
units='/lib/systemd/system/livefix-console.service /lib/systemd/system/livefix-report.service /lib/systemd/system/livefix-report.timer /lib/systemd/system/livefix.service'
out=$(on "systemd-analyze verify --man=no $units" 2>&1)
[ -z "$out" ] && ok "systemd-analyze verify: nothing to say of the four units" || bad "systemd-analyze verify" "$out"
for u in livefix-console.service livefix-report.service; do
	on "systemd-analyze security --no-pager $u" >"$W/security-$u.txt" 2>&1; rc=$?
	line=$(grep 'Overall exposure level' "$W/security-$u.txt" | sed 's/^→ //')
	[ "$rc" = 0 ] && [ -n "$line" ] && ok "systemd-analyze security $u: ${line#*: }" ||
		bad "systemd-analyze security $u" "exit $rc: $(tail -3 "$W/security-$u.txt")"
done
# The console holds no privilege: its rating must stay OK or better
# (exposure <= 2.0 of 10).
on 'systemd-analyze security --no-pager --threshold=20 livefix-console.service' >/dev/null 2>&1 &&
	ok "livefix-console.service: exposure within 2.0 (systemd-analyze security --threshold=20)" ||
	bad "console exposure" "$(grep 'Overall' "$W/security-livefix-console.service.txt")"
finish
