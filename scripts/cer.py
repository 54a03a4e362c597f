#!/usr/bin/python3
"""cer.py - character error rate of sc-ocr records against known text.

Usage: cer.py [--nospace] [--max X] TRUTH.txt [RECORDS.jsonl]
       cer.py --tsv TRUTH.txt TESSERACT.tsv   (the tesseract CLI's tsv output)
Reads sc-ocr records (standard input by default) and prints "cer N.NNNN chars
N" for their text against TRUTH.txt. The text is rebuilt from the line boxes in
visual order (rows top to bottom, left to right within a row), so that a table
that tesseract read column by column is judged on its characters, not on its
reading order; the tesseract CLI's output is rebuilt the same way from its TSV.
Runs of white space are folded to one space. With --max, exits 1 when CER > X.
"""
import json
import sys


NOSPACE = False


def fold(s):
    """White space folded; with --nospace (Chinese) dropped altogether."""
    return "".join(s.split()) if NOSPACE else " ".join(s.split())


def distance(a, b):
    """Levenshtein distance, two rows at a time."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(truth, text):
    t, h = fold(truth), fold(text)
    return distance(t, h) / max(1, len(t)), len(t)


def visual_order(lines):
    """lines: [(text, x, y, w, h)] -> text in rows, top to bottom, left to right."""
    rows = []
    for t in sorted(lines, key=lambda l: l[2] + l[4] / 2):
        cy = t[2] + t[4] / 2
        for row in rows:
            if abs(row["cy"] - cy) < 0.5 * max(row["h"], t[4]):
                row["items"].append(t)
                break
        else:
            rows.append({"cy": cy, "h": t[4], "items": [t]})
    return "\n".join(" ".join(i[0] for i in sorted(r["items"], key=lambda l: l[1])) for r in rows)


def from_records(src):
    pages = []
    for line in src:
        ocr = json.loads(line).get("ocr", {})
        lines = [(l["text"], *l["bbox"]) for l in ocr.get("lines", []) if l.get("bbox")]
        pages.append(visual_order(lines) if lines else ocr.get("text", ""))
    return "\n".join(pages)


def from_tsv(src):
    words, boxes = {}, {}
    for row in src:
        f = row.rstrip("\n").split("\t")
        if len(f) < 12 or not f[0].isdigit():
            continue
        key = tuple(f[1:5])
        if f[0] == "4":
            boxes[key] = tuple(int(v) for v in f[6:10])
        elif f[0] == "5" and f[11].strip():
            words.setdefault(key, []).append(f[11])
    return visual_order([(" ".join(w), *boxes[k]) for k, w in words.items() if k in boxes])


def main(argv):
    global NOSPACE
    tsv = False
    while len(argv) > 1 and argv[1] in ("--tsv", "--nospace"):
        tsv = tsv or argv[1] == "--tsv"
        NOSPACE = NOSPACE or argv[1] == "--nospace"
        argv = argv[:1] + argv[2:]
    limit = None
    if len(argv) > 2 and argv[1] == "--max":
        limit = float(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) < 2:
        sys.exit("usage: cer.py [--max X] TRUTH.txt [RECORDS.jsonl]")
    truth = open(argv[1], encoding="utf-8").read()
    src = open(argv[2], encoding="utf-8") if len(argv) > 2 else sys.stdin
    rate, n = cer(truth, from_tsv(src) if tsv else from_records(src))
    print("cer %.4f chars %d" % (rate, n))
    if limit is not None and rate > limit:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv)
