#!/usr/bin/python3
# eval-night.py - the lane decision of a generated night (scripts/gen-night.py)
# against its truth: per planted kind, recall and precision of "stopped for a
# check (yellow or red) by the kind's rule", and the lanes per kind.
#   eval-night.py TRUTH.jsonl RISK.jsonl [LABEL]
# RISK.jsonl is sc-join | sc-risk output; consignments are matched by id.
import json
import sys

RULE = {"undervalue": "JOIN-UNDERVALUE", "weight": "JOIN-WEIGHT", "packages": "JOIN-PACKAGES", "hs": "JOIN-HS",
        "container": "JOIN-CONTAINER", "wood": "JOIN-WOOD", "scan": "JOIN-SCAN", "ocr": "JOIN-OCR-LOW"}
LANES = ["green", "blue", "yellow", "red"]


def main():
    truth = [json.loads(l) for l in open(sys.argv[1])]
    label = sys.argv[3] if len(sys.argv) > 3 else "night"
    got, alone = {}, 0
    for l in open(sys.argv[2]):
        r = json.loads(l)
        if r.get("join", {}).get("alone") and not r.get("decl", {}).get("items"):
            alone += 1
        if r.get("id") is not None:
            got[r["id"]] = r
    stopped = {}
    for t in truth:
        r = got.get(t["id"], {})
        risk = r.get("risk", {})
        lane = risk.get("channel", "none")
        hits = {h["id"] for h in risk.get("hits", [])}
        stopped[t["id"]] = (lane, hits, lane in ("yellow", "red"))
    print("%s: %d consignments, %d records alone beside them (documents that linked to nothing)" %
          (label, len(truth), alone))
    print("  %-11s %4s %7s %9s   %s" % ("kind", "n", "recall", "precision", "lanes green/blue/yellow/red"))
    worst = 1.0
    for kind, rule in RULE.items():
        pos = [t for t in truth if t["kind"] == kind]
        tp = sum(1 for t in pos if stopped[t["id"]][2] and rule in stopped[t["id"]][1])
        flagged = [t for t in truth if stopped[t["id"]][2] and rule in stopped[t["id"]][1]]
        rec = tp / len(pos) if pos else float("nan")
        prec = tp / len(flagged) if flagged else float("nan")
        worst = min(worst, rec if pos else 1, prec if flagged else 0)
        lanes = [sum(1 for t in pos if stopped[t["id"]][0] == ln) for ln in LANES]
        wrong = {}
        for t in flagged:
            if t["kind"] != kind:
                wrong[t["kind"]] = wrong.get(t["kind"], 0) + 1
        print("  %-11s %4d %7.3f %9.3f   %s%s" % (kind, len(pos), rec, prec, "/".join(map(str, lanes)),
                                                ("   also flagged: " + ", ".join("%s %d" % kv for kv in sorted(wrong.items())))
                                                if wrong else ""))
    clean = [t for t in truth if t["kind"] == "clean"]
    lanes = [sum(1 for t in clean if stopped[t["id"]][0] == ln) for ln in LANES]
    byjoin = sum(1 for t in clean if any(h.startswith("JOIN-") for h in stopped[t["id"]][1]))
    rnd = sum(1 for t in clean if stopped[t["id"]][0] == "yellow" and not stopped[t["id"]][1])
    print("  %-11s %4d   lanes %s; a JOIN rule hit %d; yellow by random selection alone %d" %
          ("clean", len(clean), "/".join(map(str, lanes)), byjoin, rnd))
    print("  worst recall or precision over the kinds: %.3f (aim 0.95)" % worst)


if __name__ == "__main__":
    main()
