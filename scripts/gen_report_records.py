#!/usr/bin/python3
"""gen_report_records.py - synthetic toolchain records for sc-report's tests and
benchmark: a deterministic mix of what sc-ocr, sc-parse, sc-risk, sc-wood and
sc-scan write (DESIGN.md names), some with errors[].

usage: gen_report_records.py N [SEED] [wide] > records.jsonl
  wide: every declaration has its own importer and rule ids are many, to fill
  sc-report's keyed tables past their bounds
"""
import json
import random
import sys

IMPORTERS = [("KR%07d" % i, "Importer %d Co., Ltd." % i) for i in range(1, 400)]
HS = ["440799", "440349", "852351", "610910", "940360", "300490", "870323", "731815",
      "392690", "950300", "640399", "847130", "030617", "220421", "711319"]
RULES = [
    ("value-low", "Declared value below reference price"),
    ("origin-sanctioned", "Origin on the watch list"),
    ("hs-mismatch", "HS code unlike the description"),
    ("weight-gap", "Gross and net weight disagree"),
    ("new-importer", "Importer seen for the first time"),
    ("timber-cites", "Timber of a CITES-listed genus"),
    ("transship", "Transshipment through a hub of concern"),
    ("split-consignment", "Consignment split under a threshold"),
]
LANES = ["green"] * 70 + ["yellow"] * 18 + ["red"] * 7 + ["blue"] * 5
TAXA = [("Quercus robur", None), ("Dalbergia nigra", "I"), ("Dalbergia latifolia", "II"),
        ("Swietenia macrophylla", "II"), ("Tectona grandis", None), ("Pinus sylvestris", None)]
DOCS = ["invoice", "packing_list", "bill_of_lading", "declaration", "certificate_of_origin"]
FIELDS = ["doc_no", "date", "invoice_no", "bl_no", "seller", "buyer", "declarant", "total",
          "currency", "gross_kg", "net_kg", "packages", "origin", "incoterm", "containers",
          "port_loading", "port_discharge"]
KINDS = ["organic", "dense-block", "hidden-compartment", "undeclared-vehicle", "liquid"]


WIDE = False


def decl(rnd, n):
    imp = ("KRW%08d" % n, "Wide importer %d" % n) if WIDE else rnd.choice(IMPORTERS)
    items = []
    for _ in range(rnd.randint(1, 3)):
        items.append({"hs": rnd.choice(HS), "description": "goods", "origin": rnd.choice(["CN", "VN", "BR", "DE", "US"]),
                      "qty": rnd.randint(1, 900), "unit": "pcs", "net_kg": round(rnd.uniform(10, 9000), 1),
                      "value": round(rnd.uniform(100, 90000), 2), "currency": "USD"})
    return {"id": "D2026-%07d" % n, "date": "2026-11-%02d" % (1 + n % 26), "office": "KRPUS",
            "importer": {"id": imp[0], "name": imp[1], "country": "KR"},
            "exporter": {"name": "Exporter %d" % (n % 97), "country": items[0]["origin"]},
            "origin": items[0]["origin"], "port_loading": "CNSHA", "port_discharge": "KRPUS",
            "currency": "USD", "total_value": round(sum(i["value"] for i in items), 2),
            "gross_kg": round(sum(i["net_kg"] for i in items) * 1.08, 1), "items": items}


def risk_record(rnd, n):
    lane = rnd.choice(LANES)
    score = {"green": rnd.uniform(0, 0.35), "yellow": rnd.uniform(0.35, 0.7),
             "red": rnd.uniform(0.7, 1.0), "blue": rnd.uniform(0, 0.5)}[lane]
    hits = []
    if lane != "green" or rnd.random() < 0.1:
        for rid, title in rnd.sample(RULES, rnd.randint(1, 3)):
            if WIDE and rnd.random() < 0.5:
                rid = "%s-%d" % (rid, rnd.randint(1, 50000))
            hits.append({"id": rid, "title": title, "score": rnd.randint(10, 50),
                         "why": "%s on item %d" % (rid, rnd.randint(1, 3))})
    d = decl(rnd, n)
    return {"id": d["id"], "src": {"path": "history.csv", "page": 0}, "decl": d,
            "risk": {"v": 1, "pack": "default 1.0", "score": round(score * 100, 1), "channel": lane,
                     "random": rnd.random() < 0.01, "hits": hits, "model": "gbt-2026-11"}}


def ocr_record(rnd, n):
    conf = max(5, min(99, rnd.gauss(85, 12)))
    return {"id": "sha256:%016x:p%d" % (n * 2654435761 % (1 << 64), 1 + n % 3),
            "src": {"path": "scans/batch-%03d.pdf" % (n % 200), "page": 1 + n % 3, "pages": 3,
                    "sha256": "%064x" % (n * 11400714819323198485 % (1 << 256))},
            "ocr": {"v": 1, "text": "COMMERCIAL INVOICE No. INV-%d ..." % n, "conf": round(conf, 1),
                    "lang": "eng", "rotate": rnd.choice([0] * 12 + [90, 180, 270]),
                    "skew": round(rnd.uniform(-3, 3), 2),
                    "source": "pdf-text" if rnd.random() < 0.2 else "ocr"}}


def parse_record(rnd, n):
    t = rnd.choice(DOCS)
    fields = {}
    for f in FIELDS:
        if rnd.random() < 0.85:
            fields[f] = {"value": "%s-%d" % (f, n), "conf": round(rnd.uniform(0.5, 1), 2), "page": 1}
    checks = []
    if rnd.random() < 0.25:
        checks.append({"id": "total-matches", "ok": False,
                       "msg": "invoice total differs from the declared value by %d%%" % rnd.randint(3, 40)})
    if rnd.random() < 0.1:
        checks.append({"id": "weight-matches", "ok": False, "msg": "packing list gross weight differs"})
    checks.append({"id": "bl-matches", "ok": True})
    return {"id": "doc-%07d" % n, "src": {"path": "scans/batch-%03d.pdf" % (n % 200), "page": 1},
            "parse": {"v": 1, "type": t, "type_conf": round(rnd.uniform(0.6, 1), 2),
                      "fields": fields, "checks": checks}}


def wood_record(rnd, n):
    top = rnd.sample(TAXA, 3)
    scores = sorted([rnd.random() for _ in top], reverse=True)
    entries = []
    for (taxon, cites), s in zip(top, scores):
        e = {"taxon": taxon, "score": round(s, 3)}
        if cites:
            e["cites"] = cites
        entries.append(e)
    refer = scores[0] < 0.5 or any("cites" in e for e in entries[:2])
    reasons = []
    if scores[0] < 0.5:
        reasons.append("low confidence in the top candidate")
    if any("cites" in e for e in entries[:2]):
        reasons.append("CITES-listed candidate among the top two")
    return {"id": "wood-%06d" % n, "src": {"path": "samples/s%06d.jpg" % n},
            "wood": {"v": 1, "top": entries, "refer": refer, "reasons": reasons,
                     "quality": round(rnd.uniform(0.3, 1), 2)}}


def scan_record(rnd, n):
    an = []
    for _ in range(rnd.choice([0, 0, 0, 1, 1, 2])):
        an.append({"bbox": [rnd.randint(0, 900), rnd.randint(0, 300), 40, 30],
                   "score": round(rnd.uniform(0.3, 1), 3), "kind": rnd.choice(KINDS)})
    cons = rnd.random() > 0.1
    return {"id": "scan-%06d" % n, "src": {"path": "xray/c%06d.png" % n},
            "scan": {"v": 1, "empty": rnd.random() < 0.05, "fill": round(rnd.uniform(0, 1), 2),
                     "density": round(rnd.uniform(0.1, 2.5), 2), "anomalies": an,
                     "consistent": cons, "refer": bool(an) and (not cons or max(a["score"] for a in an) > 0.7)}}


ERRORS = [("sc-ocr", "pdf-encrypted", "cannot open: the PDF is encrypted"),
          ("sc-parse", "no-template", "no template matches this document"),
          ("sc-risk", "bad-value", "decl.total_value is not a number"),
          ("sc-wood", "too-small", "image smaller than 224x224")]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    global WIDE
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 2026)
    WIDE = len(sys.argv) > 3 and sys.argv[3] == "wide"
    makers = [risk_record] * 60 + [ocr_record] * 15 + [parse_record] * 10 + [wood_record] * 8 + [scan_record] * 7
    out = sys.stdout
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    for i in range(1, n + 1):
        rec = rnd.choice(makers)(rnd, i)
        if rnd.random() < 0.03:
            tool, code, msg = rnd.choice(ERRORS)
            rec["errors"] = [{"tool": tool, "code": code, "msg": msg}]
        out.write(dumps(rec))
        out.write("\n")


if __name__ == "__main__":
    main()
