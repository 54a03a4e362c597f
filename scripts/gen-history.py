#!/usr/bin/python3
# gen-history.py - a small inspection history in the generic import layout
# (rules/maps/generic.yaml), with planted signals for the learning tests and
# the demo: one importer that is mostly fraudulent, and one HS6 code that is
# risky only from one origin. Deterministic for a seed; writes CSV to stdout.
import argparse, csv, datetime, random, sys

ap = argparse.ArgumentParser()
ap.add_argument("--rows", type=int, default=2000)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--start", default="2020-01-01")
ap.add_argument("--days", type=int, default=300)
ap.add_argument("--first-id", type=int, default=100000)
a = ap.parse_args()
rnd = random.Random(a.seed)
start = datetime.date.fromisoformat(a.start)
importers = ["IMP%03d" % i for i in range(40)] + ["IMPBAD"]
declarants = ["DCL%02d" % i for i in range(8)]
goods = [("850440", "static converters"), ("940360", "wooden furniture"),
         ("610910", "cotton T-shirts"), ("392690", "plastic articles"), ("847130", "laptops")]
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["id", "date", "office", "importer_id", "declarant_id", "seller_id", "origin",
            "dispatch", "transport", "currency", "hs", "description", "qty", "unit", "net_kg",
            "value", "tax_rate", "outcome"])
rows = []
for i in range(a.rows):
    day = start + datetime.timedelta(days=rnd.randrange(a.days))
    imp = rnd.choice(importers)
    hs, desc = rnd.choice(goods)
    origin = rnd.choice(["CN", "VN", "DE", "XA"]) if hs == "610910" else rnd.choice(["CN", "VN", "DE", "US"])
    p = 0.08
    if imp == "IMPBAD":
        p = 0.85
    elif hs == "610910" and origin == "XA":
        p = 0.75
    kg = round(rnd.uniform(5, 2000), 1)
    rows.append([day.isoformat(), rnd.choice(["10", "20", "30"]), imp, rnd.choice(declarants),
                 "S%03d" % rnd.randrange(60), origin, origin, rnd.choice(["1", "4"]), "USD", hs,
                 desc, int(kg // 2) + 1, "PCE", kg, round(kg * rnd.uniform(8, 12), 2),
                 rnd.choice([0, 8, 13]), 1 if rnd.random() < p else 0])
rows.sort(key=lambda r: r[0])
for i, r in enumerate(rows):
    w.writerow([str(a.first_id + i)] + r)
