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
#   D  a patch for a build the canary does not run (P2's module with
#      another build's id of 6.1.0-47-amd64) published and promoted: the
#      canary's postinst fails the load (wrong-kernel), the role rolls it
#      back to P1 (from apt's cache: the suite no longer publishes P1),
#      the rollout stops after it, the other hosts untouched
#   E  bad input, each on a real host: a repository whose Release was
#      changed after signing, an unsigned one, one whose .deb was changed
#      after signing; then an unreachable canary (a closed loopback
#      port), a patch package for another kernel (6.12's, for a host
#      running 6.1), a host already at a newer patch (loaded by hand)
# D and E check each failed host's reason in the role's output and in the
# fleet report (JSON and Markdown), and that nothing is half-installed:
# dpkg --audit empty, `livefix status --json` and the package as before.
# The client loops must see no failed request. Times per wave and from
# publication to the fleet report go to bench/RESULTS.md.
#   tests/fleet/run.sh KVER     (root; installs postgresql-client,
#                                mmdebstrap and qemu-utils when missing)
# FLEET_SKIP="B C" leaves those phases out (with A: P1 is installed with
# apt-get instead), FLEET_A_WAVES='["100%"]' rolls A out to all hosts at
# once: shorter runs of D and E on a loaded machine; the default runs
# everything, in waves.
set -euo pipefail
KVER=${1:-6.1.0-47-amd64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${FLEET_HOSTS:-3}
MEM=${FLEET_MEM:-768}
W=$(mktemp -d /tmp/livefix-fleet-XXXXXX)
run_start=$(date +%s)
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
say "building livefix's package and patches P1, P2, P3, P2 for another build, one for another kernel"
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
# P3: newer than P2 (E loads it by hand on a host; never packaged).
"$LF" build -k "$KVER" -n fleet-p3 -o "$W/p3" --effective-version 6.1.170-3+fleet3 \
	--cve CVE-2026-10001 --cve CVE-2026-10002 --cve CVE-2026-10003 \
	"$ROOT/examples/proc-version.patch" >"$W/build3.log" 2>&1
# P2 as built for another build of the same release: its module records
# another kernel build id (what a patch built against a rebuilt
# 6.1.0-47-amd64 carries); the package cannot tell, the load refuses it.
mkdir -p "$W/p2x"
python3 -c '
import re, sys
data = open(sys.argv[1], "rb").read()
m = re.search(rb"livefix_build_id=([0-9a-f]{40})\0", data)
open(sys.argv[2], "wb").write(data[:m.start(1)] + m.group(1)[::-1] + data[m.end(1):])
' "$W/p2/livepatch-fleet-p2.ko" "$W/p2x/livepatch-fleet-p2.ko"
mkdir -p "$W/debx" "$W/debk2"
"$LF" package -o "$W/debx" --version "$V2+otherbuild" "$W/p2x/livepatch-fleet-p2.ko" >/dev/null
P2X=$(ls "$W"/debx/livefix-patch-*.deb)
# A patch package for another kernel: 6.12's (its inputs are in the cache
# once `livefix fetch -k` ran for it; without them E's case fails, saying so).
K2=${FLEET_OTHER_KVER:-6.12.107+deb13-amd64} PK2=""
if "$LF" build -k "$K2" -n fleet-other -o "$W/pk2" --effective-version 6.12.107-1+fleet \
	"$ROOT/examples/proc-version.patch" >"$W/buildk2.log" 2>&1; then
	"$LF" package -o "$W/debk2" "$W/pk2/livepatch-fleet-other.ko" >/dev/null
	PK2=$(ls "$W"/debk2/livefix-patch-*.deb)
fi
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
boot_s=$(($(date +%s) - boot_start))
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
	(cd "$ROOT/ansible" && ansible-playbook -i "$inv" -e livefix_report_dir="$RDIR" "$@" rollout.yml) >"$W/$log" 2>&1
}
# The report of the rollouts that wrote their outcomes to $RDIR.
RDIR=$W/report
report() { # [inventory]
	(cd "$ROOT/ansible" && ansible-playbook -i "${1:-$inv}" -e livefix_report_dir="$RDIR" report.yml) >"$W/report.log" 2>&1
}
host_json() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); h={x['host']: x for x in r['hosts']}; print(json.dumps(h[sys.argv[2]]))" "$RDIR/fleet-report.json" "fleet$1"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))" "$(host_json "$1")" "$2"; }
# per wave: from its first host's start to its last host's end (the role's
# records); waves are host 1, then 50 % of the rest, then the rest
wave_times() {
	python3 - "$RDIR/hosts" "$N" <<'PY'
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

# What bad input must leave as it was on a host: its live patches (livefix
# status --json) and its livefix packages (those dpkg knows as installed
# in any state).
snap() { # i
	on "$1" "livefix status --json; dpkg-query -W -f='\${db:Status-Abbrev} \${Package} \${Version}\n' 'livefix*' | awk 'substr(\$0, 2, 1) != \"n\"'"
}
nothing_changed() { # what, i, snapshot file before
	local now audit
	now=$(snap "$2" || true) audit=$(on "$2" 'dpkg --audit 2>&1; true' || echo "fleet$2 did not answer")
	if [ -z "$audit" ] && [ "$now" = "$(cat "$3")" ]; then
		ok "$1: nothing changed on fleet$2 (dpkg --audit empty; livefix status --json and packages as before)"
	else bad "$1: fleet$2 changed" "dpkg --audit: '$audit'; before: $(cat "$3"); now: $now"; fi
}
# The failed host's reason: in the role's output (its "not patched" line),
# and in the fleet report's JSON and Markdown row.
reason_given() { # what, i, rollout log, ERE the reason matches
	local r md
	r=$(field "$2" reason || true) md=$(grep "^| fleet$2 |" "$RDIR/fleet-report.md" || true)
	if grep -Eq -- "livefix: fleet$2 not patched: .*($4)" "$W/$3" && [ "$(field "$2" rollout)" = failed ] &&
		grep -Eq -- "$4" <<<"$r" && grep -Eq -- "^\| fleet$2 \| failed \|.*($4)" <<<"$md"; then
		ok "$1: fleet$2 failed with its reason in the role's output and the report (JSON, Markdown): $r"
	else
		bad "$1: reason" "expected /$4/ in the role's output, the report's reason and its Markdown row; saw: $(grep -E 'not patched|fatal' "$W/$3" | head -3); JSON: $(host_json "$2"); MD: $md"
	fi
}

skip() { [[ " ${FLEET_SKIP:-} " == *" $1 "* ]] && say "$1: left out (FLEET_SKIP)"; }

# ---- A: P1
say "A: P1 published and rolled out"
t_pub=$(date +%s.%N)
"$ROOT/scripts/repo.sh" add "$REPO" canary "$P1" >/dev/null
"$ROOT/scripts/repo.sh" promote "$REPO" canary production "$PKG" >/dev/null
if skip A; then
	# D and E start from P1 installed from the repository: apt-get on
	# each host at once, without the role (whose rollout is A's check).
	a_pids=()
	for i in $(seq 1 "$N"); do
		on "$i" "mkdir -p /etc/apt/keyrings && cat >/etc/apt/keyrings/livefix-repo.gpg" <"$REPO/livefix-repo.gpg"
		on "$i" "printf 'Types: deb\nURIs: http://10.0.2.2:$HTTP\nSuites: production\nComponents: main\nSigned-By: /etc/apt/keyrings/livefix-repo.gpg\n' >/etc/apt/sources.list.d/livefix.sources &&
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends livefix $PKG" >"$W/A-apt$i.log" 2>&1 &
		a_pids+=($!)
	done
	for p in "${a_pids[@]}"; do wait "$p" || true; done
	for i in $(seq 1 "$N"); do
		on "$i" 'livefix status --json' | python3 -c 'import json,sys; sys.exit(not any(p["name"] == "livepatch_fleet_p1" and p["state"] == "enabled" for p in json.load(sys.stdin)["patches"]))' &&
			ok "A left out: P1 installed with apt-get on fleet$i" || bad "A left out: fleet$i" "$(tail -5 "$W/A-apt$i.log")"
	done
	A_WAVES="left out" A_PUB=-
else
rollout A.log ${FLEET_A_WAVES:+-e "{\"livefix_waves\": $FLEET_A_WAVES}"} || bad "A: rollout" "$(grep -E 'fatal|FAILED|msg' "$W/A.log" | head -5)"
report; t_rep=$(date +%s.%N)
all_at "A (P1)" livepatch_fleet_p1 6.1.170-3+fleet1
A_WAVES=$(wave_times) A_PUB=$(python3 -c "print(round($t_rep - $t_pub))")
on 1 cat /proc/version | grep -q version_proc_show && ok "A: the patch is live on fleet1 (/proc/version)" ||
	bad "A: /proc/version" "$(on 1 cat /proc/version)"
fi

# ---- B: P2 upgrades P1
if ! skip B; then
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

fi

# ---- C: rollback to P1
if ! skip C; then
say "C: repository and fleet rolled back to P1"
t_pub=$(date +%s.%N)
"$ROOT/scripts/repo.sh" rollback "$REPO" production "$PKG" >/dev/null
rollout C.log -e livefix_patch_version="$V1" || bad "C: rollout" "$(grep -E 'fatal|FAILED|msg' "$W/C.log" | head -5)"
report; t_rep=$(date +%s.%N)
C_WAVES=$(wave_times) C_PUB=$(python3 -c "print(round($t_rep - $t_pub))")
all_at "C (rollback)" livepatch_fleet_p1 6.1.170-3+fleet1
for i in $(seq 1 "$N"); do on "$i" "dpkg-query -W -f='\${Version}' $PKG"; echo; done >"$W/C.versions"
[ "$(sort -u "$W/C.versions")" = "$V1" ] && ok "C: every host's package is back at $V1" || bad "C: versions" "$(cat "$W/C.versions")"
fi

# ---- D: a canary that cannot take the patch: built for another build
say "D: P2 for another build of $KVER published; the canary fails, is rolled back"
RDIR=$W/report-D
for i in $(seq 1 "$N"); do snap "$i" >"$W/D.before$i" || true; done
"$ROOT/scripts/repo.sh" add "$REPO" canary "$P2X" >/dev/null
"$ROOT/scripts/repo.sh" promote "$REPO" canary production "$PKG" >/dev/null
if rollout D.log; then bad "D: rollout" "expected the playbook to fail, it succeeded"
else ok "D: the rollout failed"; fi
report
[ "$(field 1 rollout)" = failed ] && [ "$(field 1 effective_version)" = 6.1.170-3+fleet1 ] &&
	[ "$(field 1 package_now)" = "$V1" ] &&
	ok "D: fleet1 failed and was rolled back to P1 ($V1, from apt's cache)" || bad "D: fleet1" "$(host_json 1)"
reason_given "D (another build)" 1 D.log 'refused \[wrong-kernel\].*built for kernel build'
nothing_changed "D: fleet1 rolled back" 1 "$W/D.before1"
for i in $(seq 2 "$N"); do on "$i" "dpkg-query -W -f='\${Version}' $PKG"; echo; done >"$W/D.versions"
[ "$(sort -u "$W/D.versions")" = "$V1" ] && [ "$(ls "$RDIR/hosts")" = fleet1.json ] &&
	[ "$(field 2 rollout)" = "not reached" ] &&
	ok "D: the rollout stopped after the canary: hosts 2..$N not reached, at $V1" || bad "D: other hosts" "$(cat "$W/D.versions"); $(host_json 2)"
for i in $(seq 2 "$N"); do nothing_changed "D: not reached" "$i" "$W/D.before$i"; done

# ---- E: bad input
say "E: tampered and unsigned repositories (fleet1-3 at once)"
# The genuine P2 published again, then three copies of the repository,
# each served on a port of its own and given to one host.
"$ROOT/scripts/repo.sh" add "$REPO" canary "$P2" >/dev/null
"$ROOT/scripts/repo.sh" promote "$REPO" canary production "$PKG" >/dev/null
serve() { # name: a copy of the repository, served; sets url
	local port
	cp -a "$REPO" "$W/$1"
	port=$(free_port)
	python3 -m http.server --bind 127.0.0.1 --directory "$W/$1" "$port" >"$W/$1.http.log" 2>&1 &
	pids+=($!)
	url=http://10.0.2.2:$port
}
serve repo-release; url1=$url
for f in "$W"/repo-release/dists/production/{InRelease,Release}; do
	sed -i 's/^Description: .*/Description: changed after signing/' "$f"
done
serve repo-unsigned; url2=$url
rm -f "$W"/repo-unsigned/dists/*/InRelease "$W"/repo-unsigned/dists/*/Release.gpg
serve repo-deb; url3=$url
python3 -c '
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(-64, 2); b = f.read(1); f.seek(-64, 2); f.write(bytes([b[0] ^ 0xff]))
' "$(find "$W/repo-deb/pool" -name "${PKG}_${V2#*:}_amd64.deb")"
# rollout.yml on one host alone, in the background: its pid in bad_pids.
bad_pids=()
bad_rollout() { # log, host, extra args...
	local log=$1 host=$2; shift 2
	rollout "$log" -l "$host" "$@" &
	bad_pids+=($!)
}
bad_wait() { local p; for p in "${bad_pids[@]}"; do wait "$p" || true; done; bad_pids=(); }
RDIR=$W/report-E1
mkdir -p "$RDIR/hosts" # before the runs at once write their outcomes there
for i in 1 2 3; do snap "$i" >"$W/E.before$i" || true; done
# fleet3 had the genuine P2 in apt's cache since B: apt would install that
# one (its hash is the signed one) and never fetch the changed file
on 3 'apt-get clean' >/dev/null 2>&1 || bad "E: apt-get clean on fleet3" "could not empty apt's cache"
bad_rollout E-release.log fleet1 -e livefix_repo_url="$url1"
bad_rollout E-unsigned.log fleet2 -e livefix_repo_url="$url2"
bad_rollout E-deb.log fleet3 -e livefix_repo_url="$url3"
bad_wait
report
reason_given "E: Release changed after signing" 1 E-release.log 'GPG error.*BADSIG'
nothing_changed "E: Release changed after signing" 1 "$W/E.before1"
reason_given "E: unsigned repository" 2 E-unsigned.log "E: The repository .* is not signed"
nothing_changed "E: unsigned repository" 2 "$W/E.before2"
reason_given "E: .deb changed after signing" 3 E-deb.log 'E: Failed to fetch .*(Hash Sum mismatch|unexpected size)'
nothing_changed "E: .deb changed after signing" 3 "$W/E.before3"

say "E: an unreachable canary"
RDIR=$W/report-E2
mkdir -p "$RDIR/hosts"
inv2=$W/inventory-unreachable.ini
# A port held bound and never listened on: a connection to it is refused
# for as long as the holder runs (a port found free and let go may be
# taken meanwhile by another program's forwarding: then ssh saw a broken
# pipe instead of the refusal).
exec {holder}< <(python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True); time.sleep(86400)')
pids+=($!)
read -r closed_port <&"$holder"
{ echo "[fleet]"; echo "fleet0 ansible_host=127.0.0.1 ansible_port=$closed_port"; sed 1d "$inv"; } >"$inv2"
for i in 1 2 3; do snap "$i" >"$W/E.before$i" || true; done
(cd "$ROOT/ansible" && ansible-playbook -i "$inv2" -e livefix_report_dir="$RDIR" rollout.yml) >"$W/E-unreachable.log" 2>&1 &&
	bad "E: unreachable canary" "expected the playbook to fail, it succeeded"
# Ansible says either what ssh said (refused) or, when it was writing the
# module to ssh as ssh gave up, that the data could not be sent: both name
# the host as unreachable over ssh.
unreachable_why='(Connection refused|Data could not be sent to remote host.*reached over ssh)'
if grep -Eq "fatal: \[fleet0\]: UNREACHABLE!.*$unreachable_why" "$W/E-unreachable.log" &&
	! grep -q '\[fleet[1-9]\]' "$W/E-unreachable.log"; then
	ok "E: unreachable canary: the role's output says why ($(grep -Eo "$unreachable_why" "$W/E-unreachable.log" | head -1)), no other host reached"
else bad "E: unreachable canary" "expected fleet0 UNREACHABLE (refused, or data not sent over ssh) and no task on fleet1..3: $(grep -E 'fatal|\[fleet' "$W/E-unreachable.log" | head -4)"; fi
for i in 1 2 3; do nothing_changed "E: unreachable canary" "$i" "$W/E.before$i"; done

say "E: a patch package for another kernel (fleet1), a host at a newer patch (fleet2)"
if [ -n "$PK2" ]; then
	"$ROOT/scripts/repo.sh" add "$REPO" canary "$PK2" >/dev/null
	"$ROOT/scripts/repo.sh" promote "$REPO" canary production "$(dpkg-deb -f "$PK2" Package)" >/dev/null
fi
on 2 'cat >/root/livepatch-fleet-p3.ko' <"$W/p3/livepatch-fleet-p3.ko"
on 2 "livefix install -k $KVER /root/livepatch-fleet-p3.ko && livefix load /var/lib/livefix/$KVER/livepatch-fleet-p3.ko" >"$W/E-p3.log" 2>&1 ||
	bad "E: P3 loaded by hand on fleet2" "$(cat "$W/E-p3.log")"
for i in 1 2; do snap "$i" >"$W/E.before$i" || true; done
bad_rollout E-kernel.log fleet1 -e livefix_kernel_release="$K2"
bad_rollout E-newer.log fleet2
bad_wait
report "$inv2"
if [ -n "$PK2" ]; then
	reason_given "E: patch package for another kernel" 1 E-kernel.log \
		"refused \[wrong-kernel\]: this patch is for Linux $(sed 's/[.+]/\\&/g' <<<"$K2"), the running kernel is $KVER"
else bad "E: patch package for another kernel" "no patch for $K2 could be built (livefix fetch -k $K2 first): $(tail -2 "$W/buildk2.log")"; fi
nothing_changed "E: patch package for another kernel" 1 "$W/E.before1"
reason_given "E: host already at a newer patch" 2 E-newer.log 'refused \[newer-patch\].*6\.1\.170-3\+fleet3'
nothing_changed "E: host already at a newer patch" 2 "$W/E.before2"
r0=$(field 0 reason || true)
[ "$(field 0 reachable)" = False ] && [[ $r0 =~ ^unreachable:.*$unreachable_why ]] &&
	grep -q "^| fleet0 | not reached |.*unreachable" "$RDIR/fleet-report.md" &&
	ok "E: the report gives the unreachable host's reason (JSON, Markdown): $r0" || bad "E: unreachable in the report" "$(host_json 0)"

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
| A: P1 to an unpatched fleet${FLEET_A_WAVES:+ (waves $FLEET_A_WAVES)} | $A_WAVES | $A_PUB s |
| B: P2 upgrades P1 | ${B_WAVES:-left out} | ${B_PUB:--} s |
| C: rolled back to P1 (rollout of the repository's rollback; the report) | ${C_WAVES:-left out} | ${C_PUB:--} s |

The whole run: $(($(date +%s) - run_start)) s (boot $boot_s s).
MD
[ -n "${FLEET_BENCH_OUT:-}" ] && cat "$W/bench.md" >>"$FLEET_BENCH_OUT"
cat "$W/bench.md"
finish
