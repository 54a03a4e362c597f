#!/usr/bin/python3
# learn-conf-low.py - choose sc-join's ocr.conf_low (rules/join.yaml) from
# pages whose quality is known, instead of setting it by eye.
#
#   learn-conf-low.py OCR.jsonl LABELS.tsv
#   learn-conf-low.py --night DIR      (a generated night: DIR/ocr.jsonl, DIR/truth.jsonl)
#
# OCR.jsonl holds sc-ocr's page records; LABELS.tsv lines "PATH<TAB>poor" or
# "PATH<TAB>clean" (PATH as in src.path): a poor page is one an officer would
# not trust a value read from (a fax, a photograph, a bad scan). A document is
# flagged when its lowest page confidence is below conf_low, so a page is
# scored by ocr.conf. The threshold kept is the one that best separates the
# two (largest true-positive rate minus false-positive rate, Youden's J), put
# in the middle of the widest gap among the thresholds that reach it. It
# prints the threshold, what it does on these pages, and the pack line.
import argparse
import json
import os
import sys


def night_labels(d):
    """path -> "poor"/"clean" from a gen-night.py night rendered with --images."""
    low = {}
    for line in open(os.path.join(d, "truth.jsonl")):
        t = json.loads(line)
        if t.get("low_doc"):
            low[t["id"]] = t["low_doc"].replace("_", "-")
    out = {}
    for line in open(os.path.join(d, "ocr.jsonl")):
        path = json.loads(line)["src"]["path"]
        name = os.path.basename(path)[:-len(".png")]
        night, number, dtype = name.split("-", 2)   # N41-0007-bill-of-lading
        out[path] = "poor" if low.get(night + "-" + number) == dtype else "clean"
    return out


def page_confs(path):
    """src.path -> the lowest ocr.conf of its pages (a page with no text: 0)."""
    conf = {}
    for n, line in enumerate(open(path), 1):
        try:
            r = json.loads(line)
            p = r["src"]["path"]
            c = float(r.get("ocr", {}).get("conf") or 0)
        except (ValueError, KeyError, TypeError) as e:
            sys.exit("learn-conf-low: %s:%d: not a page record of sc-ocr (%s)" % (path, n, e))
        conf[p] = min(c, conf.get(p, 101.0))
    return conf


def choose(poor, clean):
    """(threshold, tpr, fpr): flag conf < threshold."""
    cuts = sorted(set(poor + clean))
    best, best_gap, pick = -2.0, -1.0, None
    for lo, hi in zip([0.0] + cuts, cuts + [100.0]):
        t = (lo + hi) / 2
        tpr = sum(c < t for c in poor) / len(poor)
        fpr = sum(c < t for c in clean) / len(clean)
        j, gap = tpr - fpr, hi - lo
        if j > best + 1e-12 or (abs(j - best) <= 1e-12 and gap > best_gap):
            best, best_gap, pick = j, gap, (round(t, 1), tpr, fpr)
    return pick


def main():
    ap = argparse.ArgumentParser(description="Choose sc-join's ocr.conf_low from pages of known quality.")
    ap.add_argument("ocr", nargs="?", help="sc-ocr page records")
    ap.add_argument("labels", nargs="?", help="PATH<TAB>poor|clean per page")
    ap.add_argument("--night", metavar="DIR", help="a night of scripts/gen-night.py --images, read by sc-ocr")
    a = ap.parse_args()
    if a.night:
        labels, confs = night_labels(a.night), page_confs(os.path.join(a.night, "ocr.jsonl"))
    elif a.ocr and a.labels:
        labels = {}
        for n, line in enumerate(open(a.labels), 1):
            f = line.rstrip("\n").split("\t")
            if len(f) != 2 or f[1] not in ("poor", "clean"):
                sys.exit("learn-conf-low: %s:%d: want PATH<TAB>poor|clean" % (a.labels, n))
            labels[f[0]] = f[1]
        confs = page_confs(a.ocr)
    else:
        ap.error("OCR.jsonl LABELS.tsv, or --night DIR")
    missing = [p for p in labels if p not in confs]
    if missing:
        sys.exit("learn-conf-low: %d labelled pages have no OCR record (first: %s)" % (len(missing), missing[0]))
    poor = [confs[p] for p, l in labels.items() if l == "poor"]
    clean = [confs[p] for p, l in labels.items() if l == "clean"]
    if not poor or not clean:
        sys.exit("learn-conf-low: need pages of both kinds (poor %d, clean %d)" % (len(poor), len(clean)))
    t, tpr, fpr = choose(poor, clean)
    print("pages: %d poor (confidence %.1f-%.1f), %d clean (%.1f-%.1f)" %
          (len(poor), min(poor), max(poor), len(clean), min(clean), max(clean)))
    print("conf_low %.1f: flags %d of %d poor pages (%.2f), %d of %d clean (%.3f)" %
          (t, round(tpr * len(poor)), len(poor), tpr, round(fpr * len(clean)), len(clean), fpr))
    print("  ocr:         {conf_low: %g}" % t)


if __name__ == "__main__":
    main()
