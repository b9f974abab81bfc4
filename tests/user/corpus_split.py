#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# The userspace corpus's patches (tests/user/corpus.sh), as the kernel
# corpus has them: the change between two Debian source trees split into
# one patch per changed file; the index names the changed headers each .c
# file includes (the runner adds them when the .c file does not compile
# alone, as the kernel corpus does).
#
#   corpus_split.py OLD_TREE NEW_TREE OUTDIR
#
# Writes OUTDIR/patches/NNNN-<file>.patch (diff -u, a/ b/ paths as for
# patch -p1) and OUTDIR/index.tsv: id, file, class, headers, patch.
#   class c       a .c file whose code changed (tokens, comments and
#                 whitespace aside): a case of its own
#   class header  a header whose code changed: a case of its own
#   class format  only whitespace or comments changed (openssl 3.0.18
#                 reformatted its tree): no function-level change
#   class new     a .c file or header the new version adds
# Only C sources and headers of the program count: debian/, .pc/, tests,
# fuzzers, demos and documents are left out.
import os
import re
import subprocess
import sys

SKIP_DIRS = {"debian", ".pc", "test", "tests", "fuzz", "demos", "doc", "util"}


def sources(tree):
    found = set()
    for dirpath, dirs, files in os.walk(tree):
        rel = os.path.relpath(dirpath, tree)
        if rel == ".":
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        else:
            dirs[:] = [d for d in dirs if d not in (".pc",)]
        for f in files:
            if f.endswith((".c", ".h")):
                found.add(os.path.normpath(os.path.join(rel, f)))
    return found


def tokens(path):
    text = open(path, "rb").read().decode("latin-1")
    text = text.replace("\\\n", " ")  # a line continuation moved
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r"\s+", "", text)


def include_name(header):
    """What an #include of header names: the path under include/, else
    the file's name (a quoted include from its own directory)."""
    parts = header.split("/")
    if "include" in parts:
        return "/".join(parts[parts.index("include") + 1:])
    return parts[-1]


def includes(tree, cfile, header):
    name = re.escape(include_name(header))
    pattern = re.compile(r'^\s*#\s*include\s*[<"]([^">]*/)?' + name + r'[">]', re.M)
    text = open(os.path.join(tree, cfile), "rb").read().decode("latin-1")
    return bool(pattern.search(text))


def unified(old, new, f):
    was = os.path.join(old, f)
    if not os.path.exists(was):  # a new file: created by the patch
        was = "/dev/null"
    out = subprocess.run(["diff", "-u", "--label", "a/" + f if was != "/dev/null" else was,
                          "--label", "b/" + f, was, os.path.join(new, f)], capture_output=True)
    return out.stdout


def main():
    old, new, outdir = sys.argv[1:4]
    os.makedirs(os.path.join(outdir, "patches"), exist_ok=True)
    before, after = sources(old), sources(new)
    changed, fmt, added = [], [], []
    for f in sorted(after):
        if f not in before:
            added.append(f)
        elif open(os.path.join(old, f), "rb").read() != open(os.path.join(new, f), "rb").read():
            (changed if tokens(os.path.join(old, f)) != tokens(os.path.join(new, f)) else fmt).append(f)
    cfiles = [f for f in changed if f.endswith(".c")]
    headers = [f for f in changed if f.endswith(".h")]
    users = {h: [c for c in cfiles if includes(new, c, h)] for h in headers}
    rows = []
    for c in cfiles:
        hs = [h for h in headers if c in users[h]]
        rows.append((c, "c", hs))
    rows += [(h, "header", []) for h in headers]
    rows += [(f, "new", []) for f in added]
    rows += [(f, "format", []) for f in fmt]
    with open(os.path.join(outdir, "index.tsv"), "w") as idx:
        idx.write("id\tfile\tclass\theaders\tpatch\n")
        for n, (f, cls, hs) in enumerate(rows, 1):
            name = "%04d-%s.patch" % (n, f.replace("/", "_"))
            path = os.path.join(outdir, "patches", name)
            with open(path, "wb") as p:
                p.write(unified(old, new, f))
            idx.write("%04d\t%s\t%s\t%s\t%s\n" % (n, f, cls, ",".join(hs) or "-", path))


main()
