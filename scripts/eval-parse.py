#!/usr/bin/python3
# eval-parse.py - per-field precision, recall and F1 of sc-parse against the
# ground truth of a corpus made by scripts/gen-docs.py --out DIR.
#
#   eval-parse.py DIR                 run sc-ocr --words (cached in DIR/ocr.jsonl)
#                                     and sc-parse, then score DIR/truth.jsonl
#   eval-parse.py DIR --parsed FILE   score an sc-parse output already made
#
# A field counts as found when the value equals the truth (numbers within
# 0.5 %, names without case and punctuation, lists as sets). Precision is
# over the fields the parser reported that the truth labels for that
# document; fields the truth does not label are not scored.
import argparse
import json
import os
import re
import subprocess
import sys

FIELDS = ["doc_no", "invoice_no", "date", "seller", "buyer", "declarant", "bl_no", "customs_no",
          "pre_entry_no", "contract_no", "total", "currency", "incoterm", "origin", "port_loading",
          "port_discharge", "vessel", "voyage", "packages", "gross_kg", "net_kg", "containers", "seals",
          "buyer_id"]


def norm_text(s):
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", str(s).lower())


def same(field, want, got):
    if got is None:
        return False
    if isinstance(want, list):
        if not isinstance(got, list):
            got = [got]
        return sorted(norm_text(x) for x in want) == sorted(norm_text(x) for x in got)
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            g = float(got)
        except (TypeError, ValueError):
            return False
        return abs(g - want) <= max(0.011, 0.005 * abs(want))
    return norm_text(want) == norm_text(got)


def predicted(parse, field):
    f = parse.get("fields", {})
    if field == "buyer_id":
        return (f.get("buyer") or {}).get("id")
    v = f.get(field)
    return None if v is None else v.get("value")


def run(dirpath, sc_bin):
    truth = [json.loads(l) for l in open(os.path.join(dirpath, "truth.jsonl"))]
    ocr = os.path.join(dirpath, "ocr.jsonl")
    if not os.path.exists(ocr):
        eng = [os.path.join(dirpath, t["file"]) for t in truth if t["type"] != "customs_declaration"]
        chi = [os.path.join(dirpath, t["file"]) for t in truth if t["type"] == "customs_declaration"]
        with open(ocr + ".tmp", "w") as out:
            if eng:
                subprocess.run([os.path.join(sc_bin, "sc-ocr"), "--words", "-j", "2"] + eng, stdout=out, check=False)
            if chi:
                subprocess.run([os.path.join(sc_bin, "sc-ocr"), "--words", "-j", "2", "-l", "chi_sim+eng"] + chi,
                               stdout=out, check=False)
        os.replace(ocr + ".tmp", ocr)
    parsed = os.path.join(dirpath, "parsed.jsonl")
    with open(parsed, "w") as out:
        subprocess.run([os.path.join(sc_bin, "sc-parse"), ocr], stdout=out, check=False)
    return parsed


def score(dirpath, parsed_path, title):
    truth = {t["file"]: t for t in (json.loads(l) for l in open(os.path.join(dirpath, "truth.jsonl")))}
    got = {}
    for l in open(parsed_path):
        r = json.loads(l)
        p = r.get("parse")
        path = (r.get("src") or {}).get("path")
        if not p or not path:
            continue
        got.setdefault(os.path.basename(path), p)
    stats = {f: [0, 0, 0] for f in FIELDS}   # tp, fp, fn
    bylevel = {}                              # degradation level: tp, fp, fn
    types = [0, 0]
    for name, t in sorted(truth.items()):
        p = got.get(name, {"fields": {}, "type": None})
        types[0] += p.get("type") == t["type"]
        types[1] += 1
        want = dict(t["fields"])
        lv = bylevel.setdefault(str(t.get("degrade") or "none"), [0, 0, 0, 0])
        lv[3] += 1
        for f in FIELDS:
            if f not in want:
                continue
            g = predicted(p, f)
            if g is None:
                stats[f][2] += 1
                lv[2] += 1
            elif same(f, want[f], g):
                stats[f][0] += 1
                lv[0] += 1
            else:
                stats[f][1] += 1
                stats[f][2] += 1
                lv[1] += 1
                lv[2] += 1
    print("%s: %d documents, document type right on %d (%.3f)" % (title, types[1], types[0],
                                                                     types[0] / max(1, types[1])))
    print("%-14s %5s %6s %6s %6s" % ("field", "n", "P", "R", "F1"))
    T = [0, 0, 0]
    for f in FIELDS:
        tp, fp, fn = stats[f]
        n = tp + fn
        if n == 0:
            continue
        P = tp / (tp + fp) if tp + fp else 0.0
        R = tp / n
        F = 2 * P * R / (P + R) if P + R else 0.0
        print("%-14s %5d %6.3f %6.3f %6.3f" % (f, n, P, R, F))
        for k in range(3):
            T[k] += stats[f][k]
    P = T[0] / (T[0] + T[1]) if T[0] + T[1] else 0
    R = T[0] / (T[0] + T[2]) if T[0] + T[2] else 0
    F = 2 * P * R / (P + R) if P + R else 0
    print("%-14s %5d %6.3f %6.3f %6.3f" % ("ALL (micro)", T[0] + T[2], P, R, F))
    if len(bylevel) > 1:
        for name in ("none", "mild", "heavy"):
            if name not in bylevel:
                continue
            tp, fp, fn, nd = bylevel[name]
            p_ = tp / (tp + fp) if tp + fp else 0
            r_ = tp / (tp + fn) if tp + fn else 0
            print("  pages %-6s %3d documents %5d fields  P %.3f  R %.3f  F1 %.3f" % (
                name, nd, tp + fn, p_, r_, 2 * p_ * r_ / (p_ + r_) if p_ + r_ else 0))
    return F


def main():
    ap = argparse.ArgumentParser(description="Score sc-parse against gen-docs.py ground truth.")
    ap.add_argument("dir")
    ap.add_argument("--parsed", help="sc-parse output to score (else run sc-ocr and sc-parse)")
    ap.add_argument("--bin", default=os.environ.get("SC_BIN", "bin"))
    ap.add_argument("--title", default=None)
    a = ap.parse_args()
    parsed = a.parsed or run(a.dir, a.bin)
    score(a.dir, parsed, a.title or a.dir)


if __name__ == "__main__":
    main()
