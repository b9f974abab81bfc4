#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fields of a `livefix build --json` document (docs/build.schema.json), for
the corpus runners: what they act on comes from these fields, never from
the wording of a message.

usage: build-json.py FILE QUERY [CODE]
  code             the build's outcome code ("" when built)
  codes            every reason's code, one a line, in order
  objects CODE     the object each reason (refusal or error) with CODE
                   names, one a line, in order, without repeats
  symbols CODE     the same for the symbols they name
  functions        the functions the build patches: "a,b; new: c"
  modules          the patched objects other than vmlinux, one a line
  replaced         "object:function" for each function it replaces
  reason           every reason's message, joined with " | "
A missing or unreadable FILE (a build that never started) prints nothing.
"""
import json
import os
import sys


def reasons(doc):
    return (doc.get("refusals") or []) + (doc.get("errors") or [])


def named(doc, field, code):
    seen = []
    for r in reasons(doc):
        v = r.get(field)
        if r.get("code") == code and v and v not in seen:
            seen.append(v)
    return seen


def functions(doc):
    changed, new = [], []
    for o in doc.get("objects") or []:
        changed += o.get("changed") or []
        new += o.get("new") or []
    parts = []
    if changed:
        parts.append(",".join(changed))
    if new:
        parts.append("new: " + ",".join(new))
    return ["; ".join(parts)] if parts else []


QUERIES = {
    "code": lambda d, _: [d.get("code") or ""],
    "codes": lambda d, _: [r.get("code") for r in reasons(d) if r.get("code")],
    "objects": lambda d, c: named(d, "object", c),
    "symbols": lambda d, c: named(d, "symbol", c),
    "functions": lambda d, _: functions(d),
    "modules": lambda d, _: [o["object"] for o in d.get("objects") or []
                             if o.get("object") != "vmlinux"],
    "replaced": lambda d, _: [o["object"] + ":" + f for o in d.get("objects") or []
                              for f in o.get("changed") or []],
    "reason": lambda d, _: [" | ".join(r.get("message") or "" for r in reasons(d))]
    if reasons(d) else [],
}


def main(argv):
    if len(argv) not in (3, 4) or argv[2] not in QUERIES:
        sys.stderr.write(__doc__)
        return 2
    try:
        with open(argv[1]) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return 0
    try:
        for line in QUERIES[argv[2]](doc, argv[3] if len(argv) == 4 else None):
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # a reader that stops at its first match (grep -q): not an error;
        # stdout to /dev/null so that the exit's flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
