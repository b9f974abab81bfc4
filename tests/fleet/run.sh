#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make fleet-test: the fleet, end to end, on real test hosts. Three qemu
# (TCG) machines boot the pinned kernel with a real bookworm root
# (tests/fleet/image.sh: systemd, sshd, redis-server, postgresql under
# their Debian units), reachable by ssh, redis and postgres on loopback
# ports only (qemu user networking, hostfwd to 127.0.0.1). From this
# machine: livefix's package and two cumulative patches (P1, P2) are built
# and published in the signed repository (scripts/repo.sh, served on
# 127.0.0.1, which the guests see as 10.0.2.2), and the Ansible role rolls
# them out (ansible/rollout.yml) while a client loop per host runs redis
# PING and a postgres query. Phases, each checked:
#   A  P1 published to canary, promoted, rolled out: all hosts patched
#   B  P2 (cumulative) rolled out: all upgraded, P1 gone
#   C  the repository rolled back to P1, the fleet rolled back: all at P1
#   D  the canary made to fail (module loading disabled on it: its kernel
#      refuses the patch), P2 promoted again: the rollout stops after the
#      canary, which is rolled back to P1, the other hosts untouched
# and the client loops saw no failed request. Times per wave and from
# publication to the fleet report go to bench/RESULTS.md.
#   tests/fleet/run.sh KVER     (root; installs postgresql-client,
#                                mmdebstrap and qemu-utils when missing)
set -euo pipefail
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${FLEET_HOSTS:-3}
MEM=${FLEET_MEM:-768}
W=$(mktemp -d /tmp/livefix-fleet-XXXXXX)
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
say() { echo "fleet: $(date -u +%T) $*"; }
pids=()
cleanup() {
	local p
	touch "$W/stop"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for f in "$W"/vm*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	wait 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
finish() { echo "fleet: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

[ "$(id -u)" = 0 ] || { echo "fleet-test: root needed" >&2; exit 4; }
for p in postgresql-client redis-tools ansible-core reprepro; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p" >/dev/null
done
IMG=$("$ROOT/tests/fleet/image.sh" "$KVER")
FLEETDIR=$(dirname "$IMG")
KEY=$FLEETDIR/id_ed25519

# ---- packages and repository
say "building livefix's package and patches P1, P2"
make -C "$ROOT" -s livefix
"$ROOT/scripts/deb.sh" "$W/deb" >/dev/null
LF=$ROOT/livefix
for i in 1 2; do
	cves=(--cve CVE-2026-10001); [ $i = 2 ] && cves+=(--cve CVE-2026-10002)
	"$LF" build -k "$KVER" -n "fleet-p$i" -o "$W/p$i" --effective-version "6.1.170-3+fleet$i" \
		"${cves[@]}" "$ROOT/examples/proc-version.patch" >"$W/build$i.log" 2>&1
	"$LF" package -o "$W/deb" "$W/p$i/livepatch-fleet-p$i.ko" >/dev/null
done
P1=$(ls "$W"/deb/livefix-patch-*fleet1*.deb) P2=$(ls "$W"/deb/livefix-patch-*fleet2*.deb)
V1=$(dpkg-deb -f "$P1" Version) V2=$(dpkg-deb -f "$P2" Version) PKG=$(dpkg-deb -f "$P1" Package)
REPO=$W/repo
"$ROOT/scripts/repo.sh" init "$REPO" >/dev/null
"$ROOT/scripts/repo.sh" add "$REPO" canary "$W"/deb/livefix_*_amd64.deb >/dev/null
"$ROOT/scripts/repo.sh" promote "$REPO" canary production livefix >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$REPO" "$HTTP" >"$W/http.log" 2>&1 &
pids+=($!)

# ---- the hosts
say "booting $N hosts (1 vCPU, $MEM MiB each, TCG)"
inv=$W/inventory.ini
{
	echo "[fleet]"
	for i in $(seq 1 "$N"); do
		ssh_p=$(free_port) redis_p=$(free_port) pg_p=$(free_port)
		echo "$ssh_p $redis_p $pg_p" >"$W/vm$i.ports"
		qemu-img create -q -f qcow2 -F qcow2 -b "$IMG" "$W/vm$i.qcow2"
		qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m "$MEM" -display none \
			-kernel "$FLEETDIR/vmlinuz-$KVER" -initrd "$FLEETDIR/initrd.img-$KVER" \
			-append "root=/dev/vda rw console=ttyS0 systemd.hostname=fleet$i quiet" \
			-drive "file=$W/vm$i.qcow2,if=virtio" \
			-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$ssh_p-:22,hostfwd=tcp:127.0.0.1:$redis_p-:6379,hostfwd=tcp:127.0.0.1:$pg_p-:5432" \
			-device virtio-net-pci,netdev=n0 -serial "file:$W/vm$i.console" \
			-daemonize -pidfile "$W/vm$i.pid"
		echo "fleet$i ansible_host=127.0.0.1 ansible_port=$ssh_p"
	done
	echo "[fleet:vars]"
	echo "ansible_user=root"
	echo "ansible_ssh_private_key_file=$KEY"
	echo "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=30'"
	echo "livefix_repo_url=http://10.0.2.2:$HTTP"
	echo "livefix_repo_suite=production"
	echo "livefix_repo_key=$REPO/livefix-repo.gpg"
} >"$inv"
SSH=(ssh -i "$KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=20 -o BatchMode=yes -o LogLevel=ERROR)
on() { local i=$1; shift; "${SSH[@]}" -p "$(cut -d' ' -f1 <"$W/vm$i.ports")" root@127.0.0.1 "$@"; }
boot_start=$(date +%s)
for i in $(seq 1 "$N"); do
	until on "$i" 'systemctl is-active -q redis-server postgresql@15-main ssh' 2>/dev/null; do
		if [ $(($(date +%s) - boot_start)) -gt "${FLEET_BOOT_TIMEOUT:-900}" ]; then
			bad "host $i boots" "no ssh with redis and postgres active after ${FLEET_BOOT_TIMEOUT:-900} s; console: $(tail -5 "$W/vm$i.console")"
			finish
		fi
		sleep 10
	done
done
ok "$N hosts booted Linux $(on 1 uname -r) with systemd, sshd, redis-server, postgresql ($(($(date +%s) - boot_start)) s)"

# ---- client loops: redis PING and a postgres query against each host
client_loop() { # i
	local i=$1 rp pp okc=0 bad_r=0 bad_p=0 n=0
	read -r _ rp pp <"$W/vm$i.ports"
	while [ ! -e "$W/stop" ] && [ $n -lt 100000 ]; do
		n=$((n + 1))
		[ "$(timeout 10 redis-cli -h 127.0.0.1 -p "$rp" ping 2>/dev/null)" = PONG ] || bad_r=$((bad_r + 1))
		[ "$(timeout 10 psql -h 127.0.0.1 -p "$pp" -U postgres -tAc 'select 1' 2>/dev/null)" = 1 ] || bad_p=$((bad_p + 1))
		okc=$n
		echo "$okc $bad_r $bad_p" >"$W/client$i.count"
		sleep 0.5
	done
}
for i in $(seq 1 "$N"); do client_loop "$i" & pids+=($!); done

export ANSIBLE_CONFIG=$ROOT/ansible/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_TIMEOUT=60
rollout() { # log, extra args...
	local log=$1; shift
	(cd "$ROOT/ansible" && ansible-playbook -i "$inv" -e livefix_report_dir="$W/report" "$@" rollout.yml) >"$W/$log" 2>&1
}
report() { (cd "$ROOT/ansible" && ansible-playbook -i "$inv" -e livefix_report_dir="$W/report" report.yml) >"$W/report.log" 2>&1; }
host_json() { python3 -c "import json; r=json.load(open('$W/report/fleet-report.json')); h={x['host']: x for x in r['hosts']}; print(json.dumps(h['fleet$1']))"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))" "$(host_json "$1")" "$2"; }
# per wave: from its first host's start to its last host's end (the role's
# records); waves are host 1, then 50 % of the rest, then the rest
wave_times() {
	python3 - "$W/report/hosts" "$N" <<'PY'
import json, math, os, sys
d, n = sys.argv[1], int(sys.argv[2])
rec = {f[:-5]: json.load(open(os.path.join(d, f))) for f in os.listdir(d)}
hosts = [f"fleet{i}" for i in range(1, n + 1)]
w2 = max(1, math.ceil((n - 1) * 0.5)) if n > 1 else 0
waves = [hosts[:1], hosts[1:1 + w2], hosts[1 + w2:]]
out = []
for w in waves:
    r = [rec[h] for h in w if h in rec]
    if r:
        out.append("%.0f s (%s)" % (max(x["finished"] for x in r) - min(x["started"] for x in r), ", ".join(w)))
print("; ".join(out))
PY
}
all_at() { # phase, module, effective version
	local i ok_all=1
	for i in $(seq 1 "$N"); do
		[ "$(field "$i" rollout)" = patched ] && [ "$(field "$i" effective_version)" = "$3" ] &&
			field "$i" patches | grep -q "$2" || { ok_all=0; bad "$1: fleet$i" "expected patched with $2 at $3, saw $(host_json "$i")"; }
	done
	[ $ok_all = 1 ] && ok "$1: all $N hosts report $2, effective version $3"
}

# ---- A: P1
say "A: P1 published and rolled out"
t_pub=$(date +%s.%N)
"$ROOT/scripts/repo.sh" add "$REPO" canary "$P1" >/dev/null
"$ROOT/scripts/repo.sh" promote "$REPO" canary production "$PKG" >/dev/null
rollout A.log || bad "A: rollout" "$(grep -E 'fatal|FAILED|msg' "$W/A.log" | head -5)"
report; t_rep=$(date +%s.%N)
all_at "A (P1)" livepatch_fleet_p1 6.1.170-3+fleet1
A_WAVES=$(wave_times) A_PUB=$(python3 -c "print(round($t_rep - $t_pub))")
on 1 cat /proc/version | grep -q version_proc_show && ok "A: the patch is live on fleet1 (/proc/version)" ||
	bad "A: /proc/version" "$(on 1 cat /proc/version)"

# ---- B: P2 upgrades P1
say "B: P2 (cumulative) published and rolled out"
t_pub=$(date +%s.%N)
"$ROOT/scripts/repo.sh" add "$REPO" canary "$P2" >/dev/null
"$ROOT/scripts/repo.sh" promote "$REPO" canary production "$PKG" >/dev/null
rollout B.log || bad "B: rollout" "$(grep -E 'fatal|FAILED|msg' "$W/B.log" | head -5)"
report; t_rep=$(date +%s.%N)
all_at "B (P2)" livepatch_fleet_p2 6.1.170-3+fleet2
B_WAVES=$(wave_times) B_PUB=$(python3 -c "print(round($t_rep - $t_pub))")
left=$(for i in $(seq 1 "$N"); do on "$i" "ls /var/lib/livefix/$KVER/"; done | grep -c fleet-p1 || true)
[ "$left" = 0 ] && ok "B: P1 uninstalled everywhere" || bad "B: P1 left" "$left hosts still have it installed"

# ---- C: rollback to P1
say "C: repository and fleet rolled back to P1"
"$ROOT/scripts/repo.sh" rollback "$REPO" production "$PKG" >/dev/null
rollout C.log -e livefix_patch_version="$V1" || bad "C: rollout" "$(grep -E 'fatal|FAILED|msg' "$W/C.log" | head -5)"
report
all_at "C (rollback)" livepatch_fleet_p1 6.1.170-3+fleet1
for i in $(seq 1 "$N"); do on "$i" "dpkg-query -W -f='\${Version}' $PKG"; echo; done >"$W/C.versions"
[ "$(sort -u "$W/C.versions")" = "$V1" ] && ok "C: every host's package is back at $V1" || bad "C: versions" "$(cat "$W/C.versions")"

# ---- D: a canary that cannot take the patch
say "D: fleet1 made to fail; P2 promoted again"
on 1 'sysctl -q kernel.modules_disabled=1'
"$ROOT/scripts/repo.sh" promote "$REPO" canary production "$PKG" >/dev/null
if rollout D.log; then bad "D: rollout" "expected the playbook to fail, it succeeded"
else ok "D: the rollout failed"; fi
report
[ "$(field 1 rollout)" = failed ] && [ "$(field 1 effective_version)" = 6.1.170-3+fleet1 ] &&
	ok "D: fleet1 failed, rolled back to P1 (reason: $(field 1 reason))" || bad "D: fleet1" "$(host_json 1)"
for i in $(seq 2 "$N"); do on "$i" "dpkg-query -W -f='\${Version}' $PKG"; echo; done >"$W/D.versions"
[ "$(sort -u "$W/D.versions")" = "$V1" ] && ok "D: the rollout stopped after the canary: hosts 2..$N untouched at $V1" ||
	bad "D: other hosts" "$(cat "$W/D.versions")"
grep -q 'livepatch_fleet_p1' <(on 1 'livefix status --json') && ok "D: P1 still applied on fleet1" || bad "D: fleet1 P1" "$(on 1 'livefix status')"

# ---- the client loops
touch "$W/stop"; sleep 2
for i in $(seq 1 "$N"); do
	read -r n br bp <"$W/client$i.count"
	[ "$br" = 0 ] && [ "$bp" = 0 ] && ok "fleet$i: $n redis PINGs and $n postgres queries, 0 failed" ||
		bad "fleet$i clients" "$br of $n redis and $bp of $n postgres requests failed"
done
cp "$W/report/fleet-report.md" "$W/report/fleet-report.json" "${FLEET_REPORT_OUT:-$ROOT/build}/" 2>/dev/null || true

cat >"$W/bench.md" <<MD

## Fleet rollout (make fleet-test), $(date -u +%Y-%m-%d)

$N qemu TCG hosts (1 vCPU, $MEM MiB each) on this 2-core machine (load
$(cut -d' ' -f1-3 /proc/loadavg) at the end), Ansible over ssh on loopback.
Per wave (serial 1, 50 %, 100 %; from the wave's first host's start to its
last host's end, the role's records):

| rollout | waves | publish (add + promote) to fleet report |
|---|---|---|
| A: P1 to an unpatched fleet | $A_WAVES | $A_PUB s |
| B: P2 upgrades P1 | $B_WAVES | $B_PUB s |
MD
[ -n "${FLEET_BENCH_OUT:-}" ] && cat "$W/bench.md" >>"$FLEET_BENCH_OUT"
cat "$W/bench.md"
finish
