#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Ansible side of the fleet, without test hosts (those are make
# fleet-test's): the playbooks pass ansible-playbook --syntax-check and
# ansible-lint; the role's failure reason and taint check give what they
# should (tests/fleet/role-templates.yml); report.yml writes the fleet
# report for a fleet of this machine (ansible_connection=local: its real
# `livefix status --json`, read only) and a host that does not answer
# (ssh to a closed loopback port): reachable host with its kernel and the
# rollout outcome the role recorded, the other reported unreachable.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/livefix-test-ansible-XXXXXX)
trap 'rm -rf "$T"' EXIT
passed=0 failed=0 skipped=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
finish() { echo "ansible: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit; }
command -v ansible-playbook >/dev/null || { echo "skip: ansible-playbook not installed"; skipped=1; finish; }
export ANSIBLE_CONFIG=$ROOT/ansible/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP=$T/tmp ANSIBLE_HOME=$T/home
cd "$ROOT/ansible"

if ansible-playbook -i inventory.example.ini --syntax-check rollout.yml report.yml >"$T/log" 2>&1; then
	ok "ansible-playbook --syntax-check rollout.yml report.yml"
else bad "syntax-check" "$(tail -5 "$T/log")"; fi
if command -v ansible-lint >/dev/null; then
	if ansible-lint --nocolor rollout.yml report.yml roles/livefix >"$T/log" 2>&1; then ok "ansible-lint: no violation"
	else bad "ansible-lint" "$(grep -v '^$' "$T/log" | tail -12)"; fi
else echo "skip ansible-lint: not installed"; skipped=$((skipped + 1)); fi

if ansible-playbook -i localhost, "$ROOT/tests/fleet/role-templates.yml" >"$T/log" 2>&1; then
	ok "role templates: failure reasons (script refusal, apt signature, a download whose hash is not the signed one) and unexpected taint"
else bad "role templates" "$(grep -E 'FAILED|fatal|Assertion|msg' "$T/log" | head -6)"; fi

# The report: this machine as one host, a closed port as another.
mkdir -p "$T/report/hosts"
cat >"$T/inv.ini" <<INV
[fleet]
here ansible_connection=local ansible_python_interpreter=/usr/bin/python3
gone ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_common_args='-o ConnectTimeout=3 -o BatchMode=yes'
INV
echo '{"host":"here","outcome":"failed","reason":"livefix-patch-x: refused [newer-patch]: the host is already at 6.1.176-1","package_before":null,"package_now":null,"started":1.0,"finished":3.5}' \
	>"$T/report/hosts/here.json"
if PATH="$ROOT:$PATH" ansible-playbook -i "$T/inv.ini" -e livefix_report_dir="$T/report" report.yml >"$T/log" 2>&1 &&
	[ -s "$T/report/fleet-report.json" ] && [ -s "$T/report/fleet-report.md" ]; then
	ok "report.yml writes fleet-report.json and .md"
else bad "report.yml" "$(grep -E 'fatal|ERROR|msg' "$T/log" | head -6)"; finish; fi
check_json() { # what, python expression on r (the report)
	if python3 -c "import json,sys; r=json.load(open('$T/report/fleet-report.json')); h={x['host']: x for x in r['hosts']}; sys.exit(0 if ($2) else 1)"; then
		ok "$1"
	else bad "$1" "expected $2; report: $(cat "$T/report/fleet-report.json")"; fi
}
check_json "reachable host: its kernel (uname -r) and recorded outcome" \
	"h['here']['kernel'] == '$(uname -r)' and h['here']['rollout'] == 'failed' and 'newer-patch' in h['here']['reason'] and h['here']['rollout_seconds'] == 2.5"
check_json "host that does not answer: unreachable, with ssh's reason" \
	"not h['gone']['reachable'] and h['gone']['reason'].startswith('unreachable') and h['gone']['rollout'] == 'not reached'"
grep -q '^| gone | not reached |' "$T/report/fleet-report.md" && ok "fleet-report.md: one row per host" ||
	bad "fleet-report.md" "$(cat "$T/report/fleet-report.md")"
finish
