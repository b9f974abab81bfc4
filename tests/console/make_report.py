#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Prints a console report (docs/console.md) for the tests and the bench:
#   make_report.py HOST SEQ [KEY=VALUE...]
# keys: release, debver, effective, patch (name), state, cves (comma list),
# description, transition (patch name: a stalled transition), nopatch=1.
import json
import sys

host, seq = sys.argv[1], int(sys.argv[2])
opt = dict(a.split("=", 1) for a in sys.argv[3:])
release = opt.get("release", "6.1.0-47-amd64")
debver = opt.get("debver", "6.1.170-3")
patches = []
if not opt.get("nopatch"):
    name = opt.get("patch", "livepatch-net-fix")
    patches.append({
        "name": name, "state": opt.get("state", "enabled"),
        "loaded": opt.get("state", "enabled") != "not-loaded", "installed": True,
        "installed_file": "/var/lib/livefix/%s/%s.ko" % (release, name),
        "module_file": "/var/lib/livefix/%s/%s.ko" % (release, name),
        "description": opt.get("description", "net: fix a use-after-free in the socket code"),
        "cves": [c for c in opt.get("cves", "CVE-2026-10001,CVE-2026-10002").split(",") if c],
        "effective_version": opt.get("effective", "6.1.176-1"),
        "target_kernel": release, "built": "2026-05-10T10:00:00Z", "replace": False,
        "functions": [{"object": "vmlinux", "function": "sock_free", "sympos": 0}],
        "source_patch": "--- a/net/core/sock.c\n+++ b/net/core/sock.c\n@@ -1,3 +1,3 @@\n"
                        "-\tkfree(sk);\n+\tsk_free_rcu(sk);\n",
    })
transition = None
if opt.get("transition"):
    transition = {"patch": opt["transition"], "target": "patched", "stalled_tasks": [
        {"pid": 812, "tid": 812, "comm": "kworker/0:1", "state": "unpatched",
         "stack": ["[<0>] sock_free+0x12/0x40", "[<0>] worker_thread+0x1a0/0x3c0"]}]}
status = {
    "schema_version": 1,
    "kernel": {"release": release,
               "version": "#1 SMP PREEMPT_DYNAMIC Debian %s (2026-05-08)" % debver,
               "debian_version": debver,
               "effective_version": opt.get("effective", "6.1.176-1") if patches and patches[0]["state"] == "enabled" else debver,
               "effective_from": patches[0]["name"] if patches and patches[0]["state"] == "enabled" else None,
               "livepatch_supported": True},
    "patches": patches, "user_patches": [], "transition": transition,
}
print(json.dumps({"report_version": 1, "host": host, "seq": seq, "status": status}))
