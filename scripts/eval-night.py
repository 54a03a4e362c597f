#!/usr/bin/python3
# eval-night.py - the lane decision of a generated night (scripts/gen-night.py)
# against its truth: per planted kind, recall and precision of "stopped for a
# check (yellow or red) by the kind's rule", and the lanes per kind.
#   eval-night.py TRUTH.jsonl RISK.jsonl [LABEL [DOCS-TRUTH.jsonl DOCS-READ.jsonl]]
# RISK.jsonl is sc-join | sc-risk output; consignments are matched by id.
# With the documents as generated and as sc-parse read them from the images,
# every wrong decision is put down to reading (a field of one of the
# consignment's documents read otherwise than printed, or not at all) or to
# linking and the rules (every field read as printed).
# A scan contradiction is the scan kind's whether JOIN-SCAN or a SCAN-* rule
# routes it (JOIN-SCAN is the fallback for what no SCAN-* rule takes). A poor
# copy is the ocr kind's whether JOIN-OCR-LOW stops it (read, at low
# confidence) or JOIN-DOC-MISSING (no document could be read from it); with
# EVAL_STRICT_OCR=1 only the first counts.
import json
import os
import sys

RULE = {"undervalue": "JOIN-UNDERVALUE", "weight": "JOIN-WEIGHT", "packages": "JOIN-PACKAGES", "hs": "JOIN-HS",
        "container": "JOIN-CONTAINER", "wood": "JOIN-WOOD", "scan": "JOIN-SCAN", "ocr": "JOIN-OCR-LOW"}


# the fields the check of each kind reads; a wrong decision is put down to
# reading when one of these was read otherwise than printed (or its document
# not at all)
NEED = {"undervalue": ["invoice.total", "invoice.items"], "weight": ["bill_of_lading.gross_kg"],
        "packages": ["bill_of_lading.packages"], "hs": ["invoice.items"], "container": ["bill_of_lading.containers"],
        "wood": [], "scan": [], "ocr": ["invoice: not read", "bill_of_lading: not read"]}


def rule_hit(kind, hits):
    if kind == "scan":
        return any(h == "JOIN-SCAN" or h.startswith("SCAN-") for h in hits)
    if kind == "ocr" and not STRICT_OCR:
        # a copy so poor that no document came out of it links to nothing: the
        # consignment is stopped because its document is missing (unreadable)
        return "JOIN-OCR-LOW" in hits or "JOIN-DOC-MISSING" in hits
    return RULE[kind] in hits


def base(path):
    return os.path.basename(path or "")


def misread(truth_docs, read_docs):
    """consignment id -> the fields its documents were read wrong in (name of the image: ID-TYPE.png)."""
    want = {}
    for l in open(truth_docs):
        r = json.loads(l)
        want[base(r["src"]["path"])] = r
    got = {}
    for l in open(read_docs):
        r = json.loads(l)
        for s in r.get("parse", {}).get("documents", [r.get("src", {})]):
            got[base(s.get("path"))] = r
    out = {}
    for name, t in want.items():
        cid = name.rsplit("-", 3)[0] if "bill-of-lading" in name else name.rsplit("-", 1)[0]
        r = got.get(name)
        bad = out.setdefault(cid, [])
        if not r or "parse" not in r:
            bad.append("%s: not read" % t["parse"]["type"])
            continue
        tf, rf = t["parse"]["fields"], r["parse"].get("fields", {})
        wrong = [k for k, v in tf.items() if rf.get(k, {}).get("value") != v["value"]]
        if len(wrong) > 0.75 * len(tf):
            bad.append("%s: not read" % t["parse"]["type"])   # a quarter of its fields or less
        bad += ["%s.%s" % (t["parse"]["type"], k) for k in wrong]
        ti = [(i.get("hs", "")[:6], i.get("amount")) for i in t["parse"].get("items", [])]
        ri = [((i.get("hs") or "")[:6], i.get("amount")) for i in r["parse"].get("items", [])]
        if ti != ri:
            bad.append("%s.items" % t["parse"]["type"])
    return out
LANES = ["green", "blue", "yellow", "red"]
STRICT_OCR = os.environ.get("EVAL_STRICT_OCR") == "1"


def main():
    truth = [json.loads(l) for l in open(sys.argv[1])]
    label = sys.argv[3] if len(sys.argv) > 3 else "night"
    ids = {t["id"] for t in truth}
    got, alone, alone_lanes = {}, 0, {}
    for l in open(sys.argv[2]):
        r = json.loads(l)
        if r.get("id") in ids:
            got[r["id"]] = r
        else:
            alone += 1
            ln = r.get("risk", {}).get("channel", "none")
            alone_lanes[ln] = alone_lanes.get(ln, 0) + 1
    stopped = {}
    for t in truth:
        r = got.get(t["id"], {})
        risk = r.get("risk", {})
        lane = risk.get("channel", "none")
        hits = {h["id"] for h in risk.get("hits", [])}
        stopped[t["id"]] = (lane, hits, lane in ("yellow", "red"))
    print("%s: %d consignments, %d records beside them (documents that linked to no declaration; lanes %s)" %
          (label, len(truth), alone, ", ".join("%s %d" % kv for kv in sorted(alone_lanes.items())) or "-"))
    print("  %-11s %4s %7s %9s %15s   %s" % ("kind", "n", "recall", "precision", "tp/fn/fp/tn", "lanes green/blue/yellow/red"))
    worst = 1.0
    wrongs = []
    summary = {}
    for kind, rule in RULE.items():
        pos = [t for t in truth if t["kind"] == kind]
        tp = sum(1 for t in pos if stopped[t["id"]][2] and rule_hit(kind, stopped[t["id"]][1]))
        flagged = [t for t in truth if stopped[t["id"]][2] and rule_hit(kind, stopped[t["id"]][1])]
        for t in pos:
            if not (stopped[t["id"]][2] and rule_hit(kind, stopped[t["id"]][1])):
                wrongs.append((t, "missed"))
        for t in flagged:
            if t["kind"] != kind:
                wrongs.append((t, "flagged %s" % kind))
        rec = tp / len(pos) if pos else float("nan")
        prec = tp / len(flagged) if flagged else float("nan")
        worst = min(worst, rec if pos else 1, prec if flagged else 0)
        lanes = [sum(1 for t in pos if stopped[t["id"]][0] == ln) for ln in LANES]
        wrong = {}
        for t in flagged:
            if t["kind"] != kind:
                wrong[t["kind"]] = wrong.get(t["kind"], 0) + 1
        fp = len(flagged) - tp
        conf = "%d/%d/%d/%d" % (tp, len(pos) - tp, fp, len(truth) - len(pos) - fp)
        summary[kind] = [rec, prec, "/".join(map(str, lanes)), conf]
        print("  %-11s %4d %7.3f %9.3f %15s   %s%s" % (kind, len(pos), rec, prec, conf, "/".join(map(str, lanes)),
                                                ("   also flagged: " + ", ".join("%s %d" % kv for kv in sorted(wrong.items())))
                                                if wrong else ""))
    clean = [t for t in truth if t["kind"] == "clean"]
    lanes = [sum(1 for t in clean if stopped[t["id"]][0] == ln) for ln in LANES]
    byjoin = sum(1 for t in clean if any(h.startswith("JOIN-") for h in stopped[t["id"]][1]))
    rnd = sum(1 for t in clean if stopped[t["id"]][0] == "yellow" and not stopped[t["id"]][1])
    print("  %-11s %4d   lanes %s; a JOIN rule hit %d; yellow by random selection alone %d" %
          ("clean", len(clean), "/".join(map(str, lanes)), byjoin, rnd))
    for t in clean:
        if stopped[t["id"]][2] and stopped[t["id"]][1]:
            wrongs.append((t, "clean stopped by " + ",".join(sorted(stopped[t["id"]][1]))))
    print("  worst recall or precision over the kinds: %.3f (aim 0.95)" % worst)
    # the documents planted as poor copies (ocr kind): how they were read, what stopped them
    copies = [t for t in truth if t.get("low_doc")]
    if copies:
        seen = {}
        for t in copies:
            r = got.get(t["id"], {})
            src = [s for s in r.get("join", {}).get("sources", []) if s.get("type") == t["low_doc"]]
            how = ("read, confidence %s%s" % (src[0].get("conf"), " (low)" if src[0].get("conf_low") else "")
                   if src else "no document came out of it")
            hits = ",".join(sorted(h for h in stopped[t["id"]][1] if h.startswith("JOIN-"))) or "no JOIN rule"
            key = (t.get("low_copy") or "copy", "read" if src else "unread",
                   "low" if src and src[0].get("conf_low") else "", hits)
            seen.setdefault(key, []).append(src[0].get("conf") if src else None)
        print("  poor copies (ocr kind), as read:")
        for (cp, rd, low, hits), confs in sorted(seen.items()):
            c = [x for x in confs if x is not None]
            print("    %-6s %-6s %3d  %s%s; stopped by %s" % (cp, rd, len(confs),
                  "confidence %s-%s" % (min(c), max(c)) if c else "no text or no fields",
                  " (below the pack's conf_low)" if low else "", hits))
    summary["clean"] = [None, None, "/".join(map(str, lanes))]
    if os.environ.get("EVAL_SUMMARY"):   # for a side-by-side table of two runs
        with open(os.environ["EVAL_SUMMARY"], "w") as f:
            json.dump(summary, f)
    if len(sys.argv) > 5:
        bad = misread(sys.argv[4], sys.argv[5])
        def need(t, w):
            k = w.split()[1] if w.startswith("flagged") else t["kind"]
            return [f for f in bad.get(t["id"], []) if f in NEED.get(k, []) or f.endswith("not read")]
        reading = [(t, w) for t, w in wrongs if need(t, w)]
        rules = [(t, w) for t, w in wrongs if not need(t, w)]
        print("  wrong decisions: %d; reading (a field the check needs read wrong, or its document not read) %d, "
              "linking or rules (those fields read as printed) %d" % (len(wrongs), len(reading), len(rules)))
        for t, w in rules:
            print("    linking or rules: %s (%s) %s; misread: %s" % (t["id"], t["kind"], w,
                                                                   ", ".join(bad.get(t["id"], [])[:6]) or "nothing"))
        fields = {}
        for t, w in reading:
            for f in need(t, w):
                fields[f] = fields.get(f, 0) + 1
        print("  reading errors by field: " + ", ".join("%s %d" % kv for kv in
                                                           sorted(fields.items(), key=lambda kv: (-kv[1], kv[0]))[:12]))


if __name__ == "__main__":
    main()
