#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The figures of a cumulative update build (report.json of livefix build
--update) beside the per-file stable corpus's (bench/stable-corpus/*.tsv,
each file's patch built alone and VM-tested, 0 wrong):

- the applied share of function-level groups: applied / (applied + refused
  or failed with a code that is not beyond live patching, docs/codes.md's
  "no"/"nothing to patch" rows being beyond it), over the groups tried;
- each file tried in both: the same outcome (applied / not applied), or
  not. A file the update applies that the corpus refused for a reason no
  live patch can get past (other than no-change: a header that changes no
  function alone is applied with its group's users) is a WRONG outcome
  (printed, exit 1); a file the
  corpus applied that the update does not is coverage lost (printed with
  the update's code: a group is built with its other files).

usage: compare-corpus.py REPORT.json CORPUS_DIR [STABLE_TSV...]
  CORPUS_DIR: /work/shared/corpus/stable-6.1.170-3_6.1.176-1 (index.tsv);
  STABLE_TSV: default bench/stable-corpus/*.tsv (a later one wins)."""
import csv, glob, json, os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def beyond_codes():
    """The codes no live patch can get past (docs/codes.md)."""
    codes = set()
    for line in open(os.path.join(ROOT, "docs/codes.md")):
        m = re.match(r"^\| `([a-z-]+)` \| [^|]* \| [^|]* \| [^|]* \| (no|nothing to patch)", line)
        if m:
            codes.add(m.group(1))
    return codes


def corpus_outcomes(corpus_dir, tsvs):
    path_of = {}
    with open(os.path.join(corpus_dir, "index.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            path_of[row["id"]] = row["file"]
    out = {}
    for t in tsvs:
        with open(t) as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row.get("id") in path_of and row.get("outcome"):
                    out[path_of[row["id"]]] = row["outcome"]
    return out


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.load(open(sys.argv[1]))
    tsvs = sys.argv[3:] or sorted(glob.glob(os.path.join(ROOT, "bench/stable-corpus/*.tsv")),
                                  key=lambda p: (int(re.match(r"\d+", os.path.basename(p)).group()),
                                                 os.path.basename(p)))
    corpus = corpus_outcomes(sys.argv[2], tsvs)
    beyond = beyond_codes()
    groups = {}
    for f in report["files"]:
        # a group's files share its outcome, but for the files of it this
        # config does not build (or that are not code)
        if f["outcome"] in ("applied", "no change", "refused", "failed"):
            groups.setdefault(f["group"], (f["outcome"], f["code"]))
    tried = {g: oc for g, oc in groups.items()
             if oc[0] in ("applied", "no change", "refused", "failed") and
             not (oc[0] == "refused" and oc[1] == "new-file")}
    applied = sum(1 for o, _ in tried.values() if o == "applied")
    function_level = sum(1 for o, c in tried.values()
                         if o == "applied" or (o in ("refused", "failed") and c not in beyond))
    print(f"groups tried: {len(tried)}; applied {applied}; function-level {function_level}; "
          f"applied share {100.0 * applied / function_level if function_level else 0:.1f}%")
    same = lost = wrong = 0
    for f in report["files"]:
        o, code, path = f["outcome"], f["code"], f["path"]
        if f["group"] not in tried or path not in corpus:
            continue
        c = corpus[path]
        if (o == "applied") == (c == "applied"):
            same += 1
        elif o == "applied":
            ccode = c.split(":", 1)[1] if ":" in c else c
            # alone without effect (a header's new declarations), it is
            # applied with the group's other files: not wrong
            if ccode in beyond and ccode != "no-change":
                wrong += 1
                print(f"WRONG {path}: applied here, corpus {c}")
            else:
                print(f"more  {path}: applied here, corpus {c}")
        else:
            lost += 1
            print(f"lost  {path}: {o} [{code}] here, corpus applied")
    print(f"files tried in both: {same + lost + wrong} (+ more); same outcome {same}, "
          f"applied in the corpus only {lost}, wrong {wrong}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
