#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Checks an API response against docs/console.openapi.json: every property
# the document lists for the response's schema is present with a value of
# the documented type, and the response has none it does not list (so the
# document and the server cannot drift apart unseen).
#   check_openapi.py OPENAPI PATH-TEMPLATE RESPONSE.json
# Prints nothing and exits 0 when it conforms, else the differences.
import json
import sys

doc = json.load(open(sys.argv[1]))
template, value = sys.argv[2], json.load(open(sys.argv[3]))
schemas = doc["components"]["schemas"]
problems = []
TYPES = {"string": str, "integer": int, "array": list, "object": dict, "boolean": bool, "null": type(None)}


def resolve(s):
    while "$ref" in s and s["$ref"].startswith("#/"):
        s = schemas[s["$ref"].split("/")[-1]]
    return s


def properties(s):
    s = resolve(s)
    props = dict(s.get("properties", {}))
    for part in s.get("allOf", []):
        props.update(properties(part))
    return props


def check(s, v, where):
    s = resolve(s)
    if "oneOf" in s:
        return
    t = s.get("type")
    if t:
        allowed = t if isinstance(t, list) else [t]
        if not any(isinstance(v, TYPES[a]) and not (a == "integer" and isinstance(v, bool)) for a in allowed):
            problems.append("%s: %r is not %s" % (where, v, t))
            return
    if "enum" in s and v not in s["enum"]:
        problems.append("%s: %r not in %s" % (where, v, s["enum"]))
    if isinstance(v, dict):
        props = properties(s)
        if props:
            for k in v:
                if k not in props:
                    problems.append("%s: undocumented property %s" % (where, k))
            for k, ps in props.items():
                if k in v:
                    check(ps, v[k], "%s.%s" % (where, k))
    if isinstance(v, list) and "items" in s:
        for i, item in enumerate(v):
            check(s["items"], item, "%s[%d]" % (where, i))


schema = doc["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
check(schema, value, template)
print("\n".join(problems))
sys.exit(1 if problems else 0)
