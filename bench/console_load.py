#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# The console under a fleet's load (bench/console.sh): N simulated hosts
# each report once a period (a minute, compressed to PERIOD seconds: host i
# reports at i/N of each period, so the rate is steady at N/PERIOD a
# second), for ROUNDS periods, while BROWSERS logged-in administrators
# browse the pages one after another (from the end of the first period). Prints a JSON summary: latencies of
# reports and pages, and the status of every report.
#   console_load.py URL TOKENS PASSWORD HOSTS ROUNDS PERIOD BROWSERS
import http.client
import json
import queue
import random
import re
import sys
import threading
import time
import urllib.parse

url, tokens_file, password = sys.argv[1:4]
hosts, rounds, period, browsers = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
netloc = urllib.parse.urlparse(url).netloc
tokens = [line.rstrip("\n").split("\t") for line in open(tokens_file)][:hosts]

PATCHES = [("livepatch-net-%d" % i, ["CVE-2026-%05d" % (20000 + 2 * i), "CVE-2026-%05d" % (20001 + 2 * i)])
           for i in range(8)]
DIFF = "--- a/net/core/sock.c\n+++ b/net/core/sock.c\n@@ -1,3 +1,3 @@\n-\tkfree(sk);\n+\tsk_free_rcu(sk);\n"


def body(i, name, seq):
    """Host i's report: one of two kernels, 0 to 3 of the patches."""
    release = "6.1.0-47-amd64" if i % 3 else "6.1.0-48-amd64"
    debver = "6.1.170-3" if i % 3 else "6.1.180-1"
    patches = []
    for j in range(i % 4):
        pname, cves = PATCHES[(i + j) % len(PATCHES)]
        patches.append({"name": pname, "state": "enabled" if (i + j) % 7 else "not-loaded",
                        "loaded": bool((i + j) % 7), "installed": True,
                        "installed_file": None, "module_file": None,
                        "description": "net: fix %s" % pname, "cves": cves,
                        "effective_version": "6.1.176-%d" % (j + 1), "target_kernel": release,
                        "built": "2026-05-10T10:00:00Z", "replace": False,
                        "functions": [{"object": "vmlinux", "function": "sock_free", "sympos": 0}],
                        "source_patch": DIFF})
    status = {"schema_version": 1,
              "kernel": {"release": release, "version": "#1 SMP Debian %s" % debver,
                         "debian_version": debver, "effective_version": debver,
                         "effective_from": None, "livepatch_supported": True},
              "patches": patches, "user_patches": [],
              "transition": None}
    return json.dumps({"report_version": 1, "host": name, "seq": seq, "status": status}).encode()


def post(i, seq):
    name, token = tokens[i]
    data = body(i, name, seq)
    t0 = time.perf_counter()
    c = http.client.HTTPConnection(netloc, timeout=30)
    c.request("POST", "/api/v1/reports", data, {"Authorization": "Bearer " + token,
                                                 "Content-Type": "application/json",
                                                 "Connection": "close"})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, time.perf_counter() - t0


report_lat, statuses, lock = [], {}, threading.Lock()
work = queue.Queue()
done = threading.Event()


def reporter():
    while True:
        item = work.get()
        if item is None:
            return
        due, i, seq = item
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            status, lat = post(i, seq)
        except Exception as e:  # a lost report is counted, not hidden
            status, lat = "error: %s" % e, 0
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            if lat:
                report_lat.append(lat)


def login():
    c = http.client.HTTPConnection(netloc, timeout=30)
    c.request("GET", "/login")
    r = c.getresponse()
    page = r.read().decode()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "name": "admin", "password": password})
    c.request("POST", "/login", form, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    return c, r.getheader("Set-Cookie").split(";")[0]


page_lat = {}


def browser(seed):
    rnd = random.Random(seed)
    # Browsing starts once every host has reported once: before, a CVE or
    # patch page could name what no host has reported yet (404).
    time.sleep(max(0, start + period - time.monotonic()))
    c, cookie = login()
    pages = [("overview", lambda: "/"), ("host", lambda: "/hosts/%d" % rnd.randint(1, hosts)),
             ("cves", lambda: "/cves"), ("cve", lambda: "/cves/CVE-2026-%05d" % rnd.randint(20000, 20015)),
             ("patch", lambda: "/patches/livepatch-net-%d" % rnd.randint(0, 7)),
             ("api-hosts", lambda: "/api/v1/hosts")]
    while not done.is_set():
        for kind, path in pages:
            t0 = time.perf_counter()
            c.request("GET", path(), headers={"Cookie": cookie})
            r = c.getresponse()
            r.read()
            lat = time.perf_counter() - t0
            with lock:
                page_lat.setdefault(kind, []).append(lat)
                if r.status != 200:
                    statuses["page %d" % r.status] = statuses.get("page %d" % r.status, 0) + 1


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))] * 1000 if v else float("nan")


workers = [threading.Thread(target=reporter) for _ in range(32)]
for w in workers:
    w.start()
start = time.monotonic() + 1
seq0 = int(time.time() * 1000)
for r in range(rounds):
    for i in range(hosts):
        work.put((start + r * period + i * period / hosts, i, seq0 + r))
for _ in workers:
    work.put(None)
views = [threading.Thread(target=browser, args=(b,)) for b in range(browsers)]
for v in views:
    v.start()
for w in workers:
    w.join()
elapsed = time.monotonic() - start
done.set()
for v in views:
    v.join()
all_pages = [x for v in page_lat.values() for x in v]
print(json.dumps({
    "reports_sent": hosts * rounds, "statuses": {str(k): v for k, v in statuses.items()},
    "elapsed_s": round(elapsed, 1),
    "report_ms": {"p50": pct(report_lat, 50), "p99": pct(report_lat, 99), "max": pct(report_lat, 100)},
    "page_ms": {"all": {"n": len(all_pages), "p50": pct(all_pages, 50), "p99": pct(all_pages, 99),
                        "max": pct(all_pages, 100)},
                **{k: {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99)} for k, v in sorted(page_lat.items())}},
}))
