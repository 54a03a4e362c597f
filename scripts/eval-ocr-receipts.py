#!/usr/bin/python3
"""eval-ocr-receipts.py - how much of a receipt's truth survives OCR.

For every receipt of ../shared/data/docs/receipts (or --data DIR) it asks
whether the true date and the true total appear verbatim in sc-ocr's text:
that is the most any parser can recover. Figures are given for the train and
the dev split separately (tune on train, report dev).

    scripts/eval-ocr-receipts.py [--data DIR] [--split train|dev|all]
        [--sample N] [--part K/N] [--cache DIR] [--jobs N] [-- sc-ocr options...]

OCR outputs are cached under --cache (default /work/cache/ocr/receipts, or
$SC_OCR_CACHE), keyed by the sc-ocr binary, its options and the image, so a
second run costs nothing. Run it under `nice`: it OCRs hundreds of images.

"Verbatim" ignores spaces (OCR splits "19/10/ 2018") and case (the labels of
SROIE write "27MAR2018" where the receipt prints "27 Mar 2018", which any date
reader takes): the date as printed (date_raw), and the total as printed without
its currency ("RM 9.00" -> 9.00). The figure with case kept, as measured before
case was folded, is printed beside it in brackets.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys


def squash(s):
    return re.sub(r"\s+", "", s or "")


def total_forms(truth):
    raw = truth.get("total_raw")
    if raw is None or truth.get("total") is None:
        return []
    raw = re.sub(r"^(RM|MYR|\$)\s*", "", raw.strip(), flags=re.I)
    return [squash(raw)] if squash(raw) else []


def date_forms(truth):
    raw = truth.get("date_raw")
    return [squash(raw)] if raw and truth.get("date") else []


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    # ../shared beside the repository (a worktree sits one level deeper)
    guesses = [os.path.join(here, "..", *[".."] * k, "shared", "data", "docs", "receipts") for k in (0, 1, 2)]
    ap.add_argument("--data", default=next((g for g in guesses if os.path.isdir(g)), guesses[0]))
    ap.add_argument("--split", default="all", choices=["train", "dev", "all"])
    ap.add_argument("--sample", type=int, default=0, help="every k-th receipt of each split, k chosen to give about N")
    ap.add_argument("--cache", default=os.environ.get("SC_OCR_CACHE", "/work/cache/ocr/receipts"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--part", default="", help="K/N: only the K-th of N interleaved parts of each split (to keep a run short)")
    ap.add_argument("--sc-ocr", default="sc-ocr")
    ap.add_argument("--misses", action="store_true", help="list the receipts whose date or total is missing")
    ap.add_argument("opts", nargs="*")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.data, "split.tsv")):
        print("receipts: %s not present, skipped" % a.data)
        return 0
    split = {}
    for line in open(os.path.join(a.data, "split.tsv")):
        f, s = line.split()
        split[f] = s
    names = {"train": sorted(f for f in split if split[f] == "train"),
             "dev": sorted(f for f in split if split[f] == "dev")}
    want = ["train", "dev"] if a.split == "all" else [a.split]
    if a.sample:
        for s in want:
            k = max(1, len(names[s]) // a.sample)
            names[s] = names[s][::k]
    if a.part:
        k, n = (int(x) for x in a.part.split("/"))
        for s in want:
            names[s] = names[s][k - 1::n]
    binary = subprocess.run(["sh", "-c", "command -v " + a.sc_ocr], capture_output=True, text=True).stdout.strip()
    h = hashlib.sha256(open(binary, "rb").read())
    h.update(("\0".join(a.opts)).encode())
    key = h.hexdigest()[:16]
    cdir = os.path.join(a.cache, key)
    os.makedirs(cdir, exist_ok=True)
    todo = [f for s in want for f in names[s] if not os.path.exists(os.path.join(cdir, f + ".json"))]
    if todo:
        paths = "\n".join(os.path.join(a.data, f) for f in todo) + "\n"
        out = subprocess.run([a.sc_ocr, "-j%d" % a.jobs] + a.opts + ["-T", "-"], input=paths,
                             capture_output=True, text=True)
        recs = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
        if len(recs) != len(todo):
            sys.stderr.write(out.stderr)
            print("receipts: sc-ocr gave %d records for %d images" % (len(recs), len(todo)), file=sys.stderr)
            return 1
        for f, r in zip(todo, recs):
            with open(os.path.join(cdir, f + ".json"), "w") as o:
                json.dump({"text": r.get("ocr", {}).get("text", ""), "errors": r.get("errors")}, o)
    print("receipts (%s): sc-ocr %s, truth values present verbatim in the OCR text" % (a.data, " ".join(a.opts) or "(defaults)"))
    for s in want:
        n = {"date": 0, "total": 0}
        hit = {"date": 0, "total": 0}
        exact = {"date": 0, "total": 0}
        miss = []
        for f in names[s]:
            truth = json.load(open(os.path.join(a.data, f[:-4] + ".json")))
            text = squash(json.load(open(os.path.join(cdir, f + ".json")))["text"])
            for field, forms in (("date", date_forms(truth)), ("total", total_forms(truth))):
                if not forms:
                    continue
                n[field] += 1
                exact[field] += any(x in text for x in forms)
                if any(x.lower() in text.lower() for x in forms):
                    hit[field] += 1
                else:
                    miss.append("%s %s %s" % (f, field, forms[0]))
        print("  %-5s %3d receipts: date %.3f (%d/%d) [%.3f]  total %.3f (%d/%d) [%.3f]" % (
            s, len(names[s]), hit["date"] / max(n["date"], 1), hit["date"], n["date"],
            exact["date"] / max(n["date"], 1),
            hit["total"] / max(n["total"], 1), hit["total"], n["total"],
            exact["total"] / max(n["total"], 1)))
        if a.misses:
            for m in miss:
                print("    miss", m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
