#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The header patches of a corpus that a failed `.c` patch build needs.

A stable update changes a header and its users in one upstream commit; the
corpus splits that commit into one patch per file. When a `.c` patch does
not compile alone, the identifiers the compiler could not find are looked
up in the corpus's header patches: a header patch is needed when one of its
added lines names such an identifier (or, for a name gcc says is defined
twice or with another type, one of its changed lines: the definition that
moved out of that header) and, where the kernel's include graph
is known, the unit includes that header (directly or not). A failed
compile-time assertion (BUILD_BUG_ON, static_assert) names what it tests,
not the change that would satisfy it: a header patch the unit includes is
needed when a line of that header in the kernel's tree names both a tested
name and one the patch changes (a member sized by a macro the patch changes).

A header the commit creates is in no graph of the old tree: it is
needed, with the header patch that adds an #include of it, when it
declares a missing name and that header is one the unit includes. Where
gcc finds a value of another type on a line of the unit ("makes pointer
from integer"), the members that line reads name the header patch that
retypes one of them, its functions ("from incompatible pointer type" on a
table's entry) the header patch that changes one's prototype; a cleanup
that is no function, the __free() or guard class its declaration names.

A type the unit needs whole ("invalid application of 'sizeof' to
incomplete type 'struct x'", "field 'f' has incomplete type": the type of
f's declaration) counts as a name that could not be found: a struct the
commit moves to another header. The includes the corpus patches of the
failed units add count with the include graph.

usage: needed-headers.py CORPUS_DIR ID BUILD_LOG [INCLUDE_GRAPH [BUILD_JSON]]
       needed-headers.py --unprovided CORPUS_DIR BUILD_LOG PATCH...
Prints the needed header patches' paths, one per line, in corpus order
(nothing when none is found). BUILD_LOG holds gcc's messages (what could
not be found); BUILD_JSON, the build's `livefix build --json` document,
says which units did not compile (its compile-failed reasons' objects);
so do BUILD_LOG's warnings about layout probes that did not compile with
the patched headers (a header change refused beyond --max-units).
INCLUDE_GRAPH is livefix's cached <cache>/<KVER>/include-graph: lines
"path<TAB>included path ..." (see docs/design.md), to which every unit's
forced includes are added.
With --unprovided: the names gcc's errors give that the built PATCHes
change and that no other corpus patch adds, one per line (nothing when
there is none, or when another corpus patch adds one of them): a failure
only the rest of the commit, missing from the corpus, would cure.
"""
import json
import os
import re
import subprocess
import sys

# gcc's messages that name what a missing header change would provide
MISSING = [
    re.compile(r"[‘'](\w+)[’'] undeclared"),
    re.compile(r"implicit declaration of function [‘'](\w+)[’']"),
    re.compile(r"has no member named [‘'](\w+)[’']"),
    re.compile(r"unknown type name [‘'](\w+)[’']"),
    re.compile(r"storage size of [‘'](\w+)[’'] isn[’']t known"),
    re.compile(r"too (?:many|few) arguments to function [‘'](\w+)[’']"),
    re.compile(r"incompatible type for argument \d+ of [‘'](\w+)[’']"),
    re.compile(r"[‘'](\w+)[’'] has no member named"),
    re.compile(r"[‘'](\w+)[’'] declared as"),
    re.compile(r"passing argument \d+ of [‘'](\w+)[’']"),
    # a call through a retyped function pointer member:
    # "passing argument 2 of ‘((struct x_ops *)ops)->msg_data’": the member
    re.compile(r"passing argument \d+ of [‘'][^’']*(?:->|\.)(\w+)[’']"),
    # the same member given another number of parameters: "too many
    # arguments to function ‘icsk->icsk_af_ops->syn_recv_sock’" (6.12
    # 2627 syncookies.c, 2631 tcp_fastopen.c; inet_connection_sock.h 2313)
    re.compile(r"too (?:many|few) arguments to function [‘'][^’']*(?:->|\.)(\w+)[’']"),
    re.compile(r"request for member [‘'](\w+)[’']"),
    # a function-like macro the commit gives other parameters
    re.compile(r"macro [“\"‘'](\w+)[”\"’'] (?:requires|passed) \d+ argument"),
]
# a type name gcc does not know where a declaration expects one ("expected
# declaration specifiers or ‘...’ before ‘cxl_event_t’"): only a specific
# name (with a '_'), not a keyword or "u64"
EXPECTED_BEFORE = re.compile(r"error: expected .* before [‘'](\w+)[’']")
# a type the unit uses whole (sizeof, a member, a variable) where only a
# declaration or nothing is seen: "invalid application of ‘sizeof’ to
# incomplete type ‘struct x’", "invalid use of undefined type ‘const struct
# x’", "dereferencing pointer to incomplete type", "array type has
# incomplete element type": a struct the commit moved to another header
INCOMPLETE = re.compile(r"incomplete|undefined type")
QUOTED_TYPE = re.compile(r"[‘'](?:(?:const|volatile) )*(?:struct|union|enum) (\w+)[’']")
# the same, naming the variable, field or parameter instead of its type
# ("field ‘prot_err’ has incomplete type", "storage size of ‘e’ isn’t
# known"): its type is read from its declaration (the unit's source in the
# tree or the corpus patch of that file)
INCOMPLETE_VARIABLE = [
    re.compile(r"^\s*(?:livefix: error:\s*)?([\w./-]+):\d+:\d+: error: field [‘'](\w+)[’'] has incomplete type"),
    re.compile(r"^\s*(?:livefix: error:\s*)?([\w./-]+):\d+:\d+: error: storage size of [‘'](\w+)[’'] isn[’']t known"),
    re.compile(r"^\s*(?:livefix: error:\s*)?([\w./-]+):\d+:\d+: error: parameter \d+ \([‘'](\w+)[’']\) has incomplete type"),
]
# names defined both by the unit's headers and by a header the update adds:
# the header patch needed is the one that removes the old definition
MOVED = [
    re.compile(r"conflicting types for [‘'](\w+)[’']"),
    re.compile(r"redefinition of [‘'](?:struct |union |enum )?(\w+)[’']"),
    re.compile(r"redeclaration of [‘'](?:enumerator )?[‘']?(\w+)[’']"),
    re.compile(r"[‘'](\w+)[’'] redeclared as different kind of symbol"),
    re.compile(r"(?:non-)?static declaration of [‘'](\w+)[’'] follows"),
    re.compile(r"[“\"‘'](\w+)[”\"’'] redefined"),
]
# errors that name no identifier: a function pointer member whose type a
# header changes ("initialization of 'u16 (*)(u8 *)' from incompatible
# pointer type"), a function the header makes return a value ("void value
# not ignored"); the names are then those the .c patch itself changes
UNNAMED = re.compile(r"from incompatible pointer type|makes (?:pointer|integer) from|void value not ignored")
# a compile-time assertion that the change of a header the unit includes
# would satisfy: "BUILD_BUG_ON failed: sizeof(cxl_nvd->dev_id) < 21 || ...",
# where the header patch changes what the member's declaration uses
# ("u8 dev_id[CXL_DEV_ID_LEN];"), not a name the message gives
ASSERTION = re.compile(r"(?:BUILD_BUG_ON failed|static assertion failed): (.*)")
IDENTIFIER = re.compile(r"\b[A-Za-z_]\w{2,}\b")
NOT_NAMES = {"sizeof", "typeof", "__typeof__", "offsetof", "struct", "union", "enum",
             "unsigned", "int", "long", "char", "const"}
# a guard or class of include/linux/cleanup.h that a header defines
# (DEFINE_LOCK_GUARD_0(console_lock, ...), DEFINE_GUARD(x, ...),
# DEFINE_CLASS(x, ...)): gcc names the type and functions the macro makes
# ("unknown type name ‘class_console_lock_t’"), the header names x
CLEANUP_CLASS = re.compile(r"class_(\w+?)_(?:t|constructor|destructor|lock_ptr|lock_err)")
# an error gcc places in a header's own lines, naming nothing the unit
# lacks: a macro of the header that the unit's patched use needs in its
# patched form ("virtio.h:187:38: error: invalid type argument of ‘->’"
# where the header's patch parenthesises the macro's parameter, 6.12
# 1818 virtio_mmio.c and 2298 virtio.h): the header patch whose hunks
# cover that line is needed
ERROR_AT = re.compile(r"([\w./+-]+\.h):(\d+):\d+: error:")
# a value of another type at a place in the unit ("passing argument 1 of
# ‘put_pid’ makes pointer from integer", "assignment to ‘pid_t’ from
# ‘struct pid *’"): the members that line of the patched unit reads are
# what a header patch may retype (6.12 2956 request_key_auth.c, whose
# rka->pid 2206 request_key_auth-type.h makes a struct pid *)
CONVERSION_AT = re.compile(r"([\w./+-]+\.c):(\d+):\d+: error: .*(?:makes (?:pointer|integer) "
                           r"from|incompatible (?:pointer )?type)")
MEMBER_READ = re.compile(r"(?:->|\.)\s*([A-Za-z_]\w*)")
# a member gcc names that a header patch made a pointer ("‘levdatum->level’
# is a pointer; did you mean to use ‘->’?", 6.12 2974 mls.c and 2976
# policydb.h)
MEMBER_IS_POINTER = re.compile(r"[‘'][^’']*(?:->|\.)(\w+)[’'] is a pointer")
# a cleanup that names no function: a DEFINE_FREE() or guard class the
# unit uses and a header patch adds ("cleanup argument not a function"
# where the patched line says __free(snd_card_unref), 6.12 2981
# control.c and 2353 sound/core.h)
CLEANUP_AT = re.compile(r"([\w./+-]+\.c):(\d+):\d+: error: cleanup argument not a function")
CLEANUP_USE = re.compile(r"\b(?:__free|guard|scoped_guard|scoped_cond_guard|CLASS)\s*\(\s*(\w+)")
# a header the corpus adds: "fatal error: rdma/iter.h: No such file or directory"
MISSING_FILE = re.compile(r"fatal error: ([\w./-]+\.h): No such file or directory")


FORCED_INCLUDES = ["include/linux/compiler_types.h", "include/linux/kconfig.h",
                   "include/linux/compiler-version.h"]


def missing_identifiers(log_path):
    """(missing names, moved names, header paths, whether some error names
    nothing, the names a failed compile-time assertion tests, the (file,
    variable) pairs whose type is incomplete, the (header, line) places
    of errors) from gcc's errors."""
    names, moved, files, asserted, variables, places = set(), set(), set(), set(), set(), set()
    unnamed = False
    with open(log_path, errors="replace") as log:
        for line in log:
            if "error" not in line:
                continue
            unnamed = unnamed or bool(UNNAMED.search(line))
            for expr in ASSERTION.findall(line):
                asserted.update(set(IDENTIFIER.findall(expr)) - NOT_NAMES)
            for rx in MISSING:
                names.update(rx.findall(line))
            names.update(n for n in EXPECTED_BEFORE.findall(line)
                         if SPECIFIC.fullmatch(n) or re.fullmatch(r"[a-z]\w+_t", n))
            if INCOMPLETE.search(line):
                names.update(QUOTED_TYPE.findall(line))
            for rx in INCOMPLETE_VARIABLE:
                variables.update(rx.findall(line))
            for rx in MOVED:
                moved.update(rx.findall(line))
            files.update(MISSING_FILE.findall(line))
            places.update((path, int(n)) for path, n in ERROR_AT.findall(line))
    names.update(m.group(1) for n in list(names) for m in [CLEANUP_CLASS.fullmatch(n)] if m)
    return names, moved, files, unnamed, asserted, variables, places


def error_places(log_path, rx):
    """The (unit, line) places of gcc's errors that rx matches."""
    with open(log_path, errors="replace") as log:
        return {(path, int(n)) for line in log for path, n in rx.findall(line)}


def conversion_places(log_path):
    """The (unit, line) places of gcc's type-conversion errors."""
    return error_places(log_path, CONVERSION_AT)


def pointer_members(log_path):
    """The members gcc says are pointers now."""
    with open(log_path, errors="replace") as log:
        return {m for line in log for m in MEMBER_IS_POINTER.findall(line)}


def patched_line(corpus, tree, unit, number, before=0):
    """Line number of unit as its corpus patch leaves it, with the before
    lines above it ("" when the tree or the patch is missing or does not
    apply)."""
    patches = patches_of_files(corpus, {unit})
    if not tree or not patches:
        return ""
    run = subprocess.run(["patch", "-s", "-p1", "-r", "-", "--no-backup-if-mismatch", "-o", "-",
                          os.path.join(tree, unit), patches[0]],
                         capture_output=True, text=True, errors="replace")
    lines = run.stdout.splitlines() if run.returncode == 0 else []
    return "\n".join(lines[max(number - 1 - before, 0):number]) if 0 < number <= len(lines) else ""


def declares_member(patch_path, members):
    """Whether one of the patch's changed statements declares one of the
    members ("struct pid *pid;", "u8 id[8];")."""
    if not members:
        return False
    rx = re.compile(r"\b(?:%s)\s*(?:\[[^]]*\]\s*)*(?::\s*\w+\s*)?;" % "|".join(map(re.escape, members)))
    return any(rx.search(stmt) for stmt in changed_statements(patch_path, "+-"))


HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? ")


def covers_place(header, patch_path, places):
    """Whether one of the places (path, line) is in header at a line that
    one of the patch's hunks spans in the original (its context too: gcc
    places a macro's error at the line of its body the expansion failed
    in, the changed line may be the next one)."""
    lines = [n for path, n in places if path == header or path.endswith("/" + header)]
    if not lines:
        return False
    with open(patch_path, errors="replace") as p:
        for line in p:
            m = HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) or 1)
                if any(start <= n < start + max(count, 1) for n in lines):
                    return True
    return False


def provides_file(header, files):
    return any(header == f or header.endswith("/" + f) for f in files)


def corpus_headers(corpus):
    """(id, header path, patch path) of every class b patch, in corpus order."""
    out = []
    with open(os.path.join(corpus, "index.tsv")) as index:
        for line in index:
            f = line.rstrip("\n").split("\t")
            if len(f) < 3 or f[0] == "id" or f[2] != "b":
                continue
            patches = [p for p in os.listdir(os.path.join(corpus, "patches"))
                       if p.startswith(f[0] + "-") and p.endswith(".patch")]
            if len(patches) == 1:
                out.append((f[0], f[1], os.path.join(corpus, "patches", patches[0])))
    return out


def statement_ends(text):
    text = text.strip()
    return not text or text.startswith("#") or text.endswith((";", "{", "}", "*/"))


def changed_statements(patch_path, signs):
    """The statements a patch changes on the sides in signs ("+", "+-"), as
    joined text: a prototype split over lines counts as one, so a changed
    parameter on its second line still names the function."""
    with open(patch_path, errors="replace") as p:
        lines = [l.rstrip("\n") for l in p]
    out = []
    for sign in signs:
        stmt, changed = [], False
        for line in lines + ["@@"]:
            if line.startswith(("+++", "---", "@@", "diff ")):
                if changed:
                    out.append(" ".join(stmt))
                stmt, changed = [], False
                continue
            if line[:1] not in (sign, " "):
                continue
            stmt.append(line[1:])
            changed = changed or line[:1] == sign
            if statement_ends(line[1:]):
                if changed:
                    out.append(" ".join(stmt))
                stmt, changed = [], False
    return out


def word_pattern(names):
    if not names:
        return None
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\b")


def source_of(corpus, patch_id):
    with open(os.path.join(corpus, "index.tsv")) as index:
        for line in index:
            f = line.split("\t")
            if f[0] == patch_id:
                return f[1]
    return None


def read_graph(graph_path):
    """path -> the files it includes directly."""
    edges = {}
    with open(graph_path, errors="replace") as g:
        for line in g:
            if line.startswith("#"):
                continue
            path, _, incs = line.rstrip("\n").partition("\t")
            edges[path] = incs.split()
    return edges


def include_closure(edges, sources):
    """Every file the sources include, directly or through other headers,
    with what kbuild's -include options bring into every unit."""
    seen, todo = set(), list(sources) + FORCED_INCLUDES
    while todo:
        for inc in edges.get(todo.pop(), ()):
            if inc not in seen:
                seen.add(inc)
                todo.append(inc)
    return seen | set(FORCED_INCLUDES)


def failed_units(json_path):
    """The units that did not compile (the objects of the build's
    compile-failed reasons, docs/build.schema.json): what they include is
    where the missing names must come from (not only what the patch's own
    file includes: a header patch's failure is in its includers)."""
    try:
        with open(json_path) as f:
            doc = json.load(f)
    except (OSError, ValueError, TypeError):
        return set()
    return {r["object"] for r in (doc.get("refusals") or []) + (doc.get("errors") or [])
            if r.get("code") == "compile-failed" and r.get("object")}


# a header change refused beyond --max-units compiles includers only to look
# for a data layout change; one that does not compile is only warned about
PROBE_FAILED = re.compile(r"^livefix: warning: \S+: (\S+\.c) does not compile with the patched headers")


def failed_probes(log_path):
    """The layout probes the build log says did not compile with the
    patched headers: failed units too, the refusal being only the limit's
    while they do not (tests/corpus/run-stable-corpus.sh adds what they
    need and builds again)."""
    with open(log_path, errors="replace") as log:
        return {m.group(1) for m in map(PROBE_FAILED.match, log) if m}


ADDED_INCLUDE = re.compile(r'^\+\s*#\s*include\s*[<"]([^>"]+)[>"]')


def added_includes(patch_path, edges, patched_file=None):
    """The tree paths of the headers a patch adds #include lines for
    (<x.h> as include/x.h or arch/x86/include/x.h, whichever the graph
    knows; "x.h" also beside patched_file, the file the patch changes)."""
    found = set()
    if not patch_path:
        return found
    here = os.path.dirname(patched_file) + "/" if patched_file else None
    with open(patch_path, errors="replace") as p:
        for line in p:
            m = ADDED_INCLUDE.match(line)
            if not m:
                continue
            prefixes = ("include/", "arch/x86/include/", "include/uapi/")
            if here and line.split("include", 1)[1].lstrip().startswith('"'):
                prefixes = (here,) + prefixes
            for prefix in prefixes:
                if os.path.normpath(prefix + m.group(1)) in edges:
                    found.add(os.path.normpath(prefix + m.group(1)))
                    break
    return found


def included_paths(patch_path, patched_file):
    """The tree paths an #include line the patch adds could name, known
    to the graph or not (a header the commit creates): <x.h> under
    include/, arch/x86/include/ and include/uapi/, "x.h" beside
    patched_file too."""
    out = []
    with open(patch_path, errors="replace") as p:
        for line in p:
            m = ADDED_INCLUDE.match(line)
            if not m:
                continue
            prefixes = ["include/", "arch/x86/include/", "include/uapi/"]
            if line.split("include", 1)[1].lstrip().startswith('"'):
                prefixes.insert(0, os.path.dirname(patched_file) + "/")
            out += [os.path.normpath(prefix + m.group(1)) for prefix in prefixes]
    return out


def mentions(tree, path, names):
    """Whether the tree's file path names one of names (a specific one:
    "extent_buffer", not "page")."""
    specific = word_pattern({n for n in names if SPECIFIC.fullmatch(n)})
    try:
        with open(os.path.join(tree, path), errors="replace") as f:
            return bool(specific and specific.search(f.read()))
    except OSError:
        return False


def patch_of(corpus, patch_id):
    d = os.path.join(corpus, "patches")
    found = [p for p in os.listdir(d) if p.startswith(patch_id + "-") and p.endswith(".patch")]
    return os.path.join(d, found[0]) if len(found) == 1 else None


# long, specific names only: "mpdu_info_get_peerid", not "u16" or "data"
SPECIFIC = re.compile(r"\b[A-Za-z]\w*_\w{3,}\b")


def changed_names(patch_path):
    """The specific identifiers on a patch's changed lines."""
    if not patch_path:
        return set()
    names = set()
    for stmt in changed_statements(patch_path, "+-"):
        names.update(SPECIFIC.findall(stmt))
    return names


def name_tails(name):
    """name's ends after each '_' that are still specific (10 characters
    or more): "dev_ready_to_probe" -> "ready_to_probe"."""
    return [name[i + 1:] for i, c in enumerate(name) if c == "_" and len(name) - i - 1 >= 10]


def declares_with(tree, header, asserted, changed):
    """True when a line of the tree's header declares a name the failed
    assertion tests (a member or variable: the name, then '[', ';', ':' or
    '=', not a parameter) and names one the header's patch changes: the
    declaration the patch changes through a macro or type
    ("u8 dev_id[CXL_DEV_ID_LEN];")."""
    if not tree or not asserted or not changed:
        return False
    tested = re.compile(r"\b(" + "|".join(sorted(map(re.escape, asserted))) + r")\s*[\[;:=]")
    changes = word_pattern(changed)
    try:
        with open(os.path.join(tree, header), errors="replace") as h:
            return any(tested.search(l) and changes.search(l) for l in h)
    except OSError:
        return False


def hunk_changes(patch_path):
    """The old-file line numbers (1-based) a patch's hunks remove, or
    insert before."""
    at, out = 0, []
    with open(patch_path, errors="replace") as p:
        for line in p:
            m = re.match(r"@@ -(\d+)", line)
            if m:
                at = int(m.group(1))
            elif line.startswith(("+++", "---", "diff ")):
                continue
            elif line.startswith("-"):
                out.append(at)
                at += 1
            elif line.startswith("+"):
                out.append(at)
            elif at:
                at += 1
    return out


def statements_changed_in_tree(tree, header, patch_path):
    """The whole statements of the tree's header that the patch's hunks
    change, joined: a declaration whose first lines are outside the hunk's
    context ("struct sock *(*syn_recv_sock)(...," three lines above the
    changed parameter: 6.12 2313 inet_connection_sock.h)."""
    try:
        with open(os.path.join(tree, header), errors="replace") as h:
            lines = [l.rstrip("\n") for l in h]
    except OSError:
        return []
    out = []
    for n in sorted(set(hunk_changes(patch_path))):
        first = last = min(max(n, 1), len(lines)) - 1
        while first > 0 and not statement_ends(lines[first - 1]):
            first -= 1
        while last < len(lines) - 1 and not statement_ends(lines[last]):
            last += 1
        if lines:
            out.append(" ".join(lines[first:last + 1]))
    return out


def patches_of_files(corpus, files):
    """The corpus patches of these source files (the patched versions of
    the units that failed are what gcc compiled)."""
    out = []
    with open(os.path.join(corpus, "index.tsv")) as index:
        for line in index:
            f = line.rstrip("\n").split("\t")
            if len(f) >= 3 and f[0] != "id" and f[1] in files:
                patch = patch_of(corpus, f[0])
                if patch:
                    out.append(patch)
    return out


def declared_types(corpus, tree, variables):
    """The struct, union or enum (or typedef'd) names the variables of
    "field 'x' has incomplete type" are declared with: in the file's text
    in the tree and the lines its corpus patch adds."""
    types = set()
    for path, var in variables:
        path = path[2:] if path.startswith("./") else path
        lines = []
        if tree:
            try:
                with open(os.path.join(tree, path), errors="replace") as f:
                    lines = f.readlines()
            except OSError:
                pass
        for patch in patches_of_files(corpus, {path}):
            lines += changed_statements(patch, "+")
        tail = r"[\s*]+" + re.escape(var) + r"\s*[\[;=,)]"
        tagged = re.compile(r"\b(?:struct|union|enum)\s+(\w+)" + tail)
        typedefd = re.compile(r"\b(\w+)" + tail)
        for line in lines:
            types.update(tagged.findall(line))
            types.update(t for t in typedefd.findall(line) if SPECIFIC.fullmatch(t))
    return types


def unprovided(argv):
    """--unprovided CORPUS BUILD_LOG PATCH...: the names gcc's errors give
    that the built patches' changed lines name (a type, function or macro of
    the commit) and that no other corpus patch adds: the commit's other
    files are not in the corpus, so the build cannot succeed; prints them
    (nothing when a name is unknown to the patches, or some corpus patch
    not built adds it: then the companion search missed it)."""
    corpus, log, built = argv[2], argv[3], set(argv[4:])
    names, moved, _, _, _, variables, _ = missing_identifiers(log)
    names |= moved | declared_types(corpus, None, variables)
    changed = " ".join(l for p in built for l in changed_statements(p, "+-"))
    ours = {n for n in names if re.search(r"\b" + re.escape(n) + r"\b", changed)}
    if not ours:
        return 0
    others = [os.path.join(corpus, "patches", p) for p in os.listdir(os.path.join(corpus, "patches"))
              if p.endswith(".patch") and os.path.join(corpus, "patches", p) not in built]
    for patch in others:
        added = " ".join(changed_statements(patch, "+"))
        if any(re.search(r"\b" + re.escape(n) + r"\b", added) for n in ours):
            return 0
    print("\n".join(sorted(ours)))
    return 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "--unprovided":
        return unprovided(argv)
    if len(argv) not in (4, 5, 6):
        sys.stderr.write(__doc__)
        return 2
    corpus, patch_id, log = argv[1], argv[2], argv[3]
    names, moved, files, unnamed, asserted, variables, places = missing_identifiers(log)
    if unnamed:
        moved |= changed_names(patch_of(corpus, patch_id))
    # the kernel's source tree beside the include graph (<cache>/<KVER>/src)
    tree = os.path.join(os.path.dirname(argv[4]), "src") if len(argv) >= 5 else None
    names |= declared_types(corpus, tree, variables)
    if tree:
        names |= {c for unit, n in error_places(log, CLEANUP_AT)
                  # gcc places it at the declaration's last line
                  for c in CLEANUP_USE.findall(patched_line(corpus, tree, unit, n, 3))}
    # the patched lines where gcc finds a value of another type
    conversion_lines = [patched_line(corpus, tree, unit, n) for unit, n in conversion_places(log)]
    if not names and not moved and not files and not asserted and not places and \
            not conversion_lines and not pointer_members(log):
        return 0
    closure = None
    if len(argv) >= 5 and os.path.exists(argv[4]):
        units = failed_units(argv[5]) if len(argv) == 6 else set()
        units |= failed_probes(log)
        source = source_of(corpus, patch_id)
        if source:
            units.add(source)
        edges = read_graph(argv[4])
        closure = include_closure(edges, units) if units else None
        # headers the patch itself, or the corpus patch of a unit that
        # failed, adds #include lines for: not in the graph of the
        # original tree (0819 fork.c: randomize_kstack.h; 6.12 0312
        # cper_cxl.h, whose includers' patches include cxl/event.h)
        added = set()
        # ("netns.h" beside the file: 6.12 2030 pnfs_nfs.c, whose struct
        # nfs_net members come from 2023 netns.h)
        added |= added_includes(patch_of(corpus, patch_id), edges, source)
        for unit in units:
            for patch in patches_of_files(corpus, {unit}):
                added |= added_includes(patch, edges, unit)
        if closure is not None and added:
            closure |= added | include_closure(edges, added)
    candidates, header_of = [], {}
    for _, header, patch in corpus_headers(corpus):
        header_of[patch] = header
        if provides_file(header, files) or covers_place(header, patch, places):
            print(patch)  # a new header, not in the graph of the old tree; an error's place
        elif closure is None or header in closure:
            candidates.append(patch)
    name_words = {n: word_pattern([n]) for n in names}
    moved_words = word_pattern(moved)
    added = {patch: changed_statements(patch, "+") for patch in candidates}
    found_names, printed = set(), set()
    for patch in candidates:
        hits = {n for n, rx in name_words.items() if any(rx.search(l) for l in added[patch])}
        if hits or (moved_words and any(moved_words.search(l)
                                        for l in changed_statements(patch, "+-"))) or (
                asserted and closure is not None and
                declares_with(tree, header_of[patch], asserted, changed_names(patch))):
            print(patch)
            printed.add(patch)
            found_names |= hits
    # an #include a header patch adds, of a file that names what is
    # missing: the unit's patch stops including a header that gave it
    # that file, the header patch includes it itself (6.12 1873 fs.c drops
    # "ctree.h"; 1851 accessors.h then includes "extent_io.h", which
    # defines struct extent_buffer)
    for patch in candidates:
        if patch not in printed and tree and closure is not None and names and any(
                mentions(tree, inc, names)
                for inc in added_includes(patch, edges, header_of[patch])):
            print(patch)
            printed.add(patch)
    # a header the commit creates (not in the graph), declaring what is
    # missing, that a header of the unit's closure now includes: both
    # (6.12 2942 ima_appraise.c calls arch_get_secureboot(), from 2279's
    # new secure_boot.h, which 2945 integrity.h includes)
    patch_at = {header: patch for patch, header in header_of.items()}
    for patch in candidates:
        if patch in printed or not names:
            continue
        for path in included_paths(patch, header_of[patch]):
            new = patch_at.get(path)
            if new and new not in printed and any(
                    rx.search(l) for rx in name_words.values()
                    for l in changed_statements(new, "+")):
                print(patch)
                print(new)
                printed |= {patch, new}
                break
    # the members read where a value has another type now
    members = {m for line in conversion_lines for m in MEMBER_READ.findall(line)}
    members |= pointer_members(log)
    # a function whose prototype a header patch changes, named on the
    # line of an initialization from an incompatible pointer type (6.12
    # 2974: policydb.c's read_f[] entry cond_read_bool, 2970 conditional.h)
    retyped = {w for line in conversion_lines for w in SPECIFIC.findall(line)}
    retyped_words = word_pattern(retyped)
    for patch in candidates:
        if patch not in printed and closure is not None and (
                declares_member(patch, members) or (retyped and any(
                    retyped_words.search(l) for l in changed_statements(patch, "+-")))):
            print(patch)
            printed.add(patch)
    # a name on a line of the changed statement outside the hunk: the
    # member whose parameter the header patch changes, two lines below it
    rest = names - found_names
    for patch in candidates:
        if patch in printed or not tree or not rest:
            continue
        statements = " ".join(statements_changed_in_tree(tree, header_of[patch], patch))
        hits = {n for n in rest if name_words[n].search(statements)}
        if hits:
            print(patch)
            printed.add(patch)
            found_names |= hits
    # a name made by token pasting ("dev_ready_to_probe" from
    # __create_dev_flag_accessors(ready_to_probe, ...)): its tail
    tail_words = word_pattern({t for n in names - found_names for t in name_tails(n)})
    for patch in candidates:
        if patch not in printed and tail_words and any(
                tail_words.search(l) for l in added[patch]):
            print(patch)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
