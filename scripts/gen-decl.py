#!/usr/bin/python3
# gen-decl.py - synthetic `decl` records (about 750 bytes each) for the
# sc-risk benchmark and determinism tests: gen-decl.py N [SEED] > decl.jsonl.
# Deterministic for a given N and SEED; parties, goods and prices are invented.
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
goods = [("851712", "mobile phones", "pcs", 180, 0.19), ("847130", "laptop computers", "pcs", 420, 2.1),
         ("610910", "cotton t-shirts", "pcs", 4.5, 0.2), ("620342", "cotton trousers", "pcs", 9.8, 0.5),
         ("640399", "leather shoes", "pair", 22, 0.9), ("940360", "wooden office furniture", "pcs", 85, 30),
         ("440710", "sawn pine timber", "m3", 260, 520), ("090111", "green coffee beans", "kg", 3.1, 1),
         ("720839", "hot-rolled steel coils", "kg", 0.62, 1), ("300490", "medicaments in doses", "kg", 95, 1),
         ("440799", "sawn timber of Swietenia mahogany", "m3", 540, 600), ("847130", "parts", "pcs", 420, 2.1)]
origins = ["CN", "VN", "BD", "DE", "US", "BR", "IN", "TR", "XA", "XB"]
names = ["Harbour Tools Ltd", "City Phones Trading", "Atelier Bois SARL", "Northwind Retail", "Sunrise Fashion",
         "Blue Pine Imports", "Delta Components Inc", "Orchid Foods Co.", "Meridian Steel AG"]
exporters = ["Shenzhen Bright Electronics Co., Ltd.", "Dhaka Knit Wear", "Madeiras do Sul Ltda", "Hanoi Garment JSC",
             "Anatolia Textiles", "Rhein Maschinen GmbH", "Pune Pharma Pvt Ltd"]
denied = ["Kestrel Dynamics GmbH", "Obsidian Maritime Ltd", "Golden Lantern Logistics"]


def check_digit(owner):
    vals, k = {}, 10
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if k % 11 == 0:
            k += 1
        vals[c] = k
        k += 1
    s = sum((vals[c] if c.isalpha() else int(c)) << i for i, c in enumerate(owner))
    return str(s % 11 % 10)


for i in range(n):
    items = []
    for _ in range(rng.choice([1, 1, 2])):
        hs, desc, unit, price, kg = rng.choice(goods)
        qty = rng.randint(5, 2000)
        p = price * rng.uniform(0.7, 1.3) if rng.random() > 0.03 else price * 0.1
        net = round(qty * kg * rng.uniform(0.9, 1.1), 1)
        items.append({"hs": hs, "description": desc, "origin": rng.choice(origins), "qty": qty, "unit": unit,
                      "net_kg": net, "gross_kg": round(net * 1.08, 1), "value": round(qty * p, 2), "currency": "USD"})
    owner = "CSQU" + "%06d" % rng.randint(0, 999999)
    cont = owner + (check_digit(owner) if rng.random() > 0.02 else "0")
    net = round(sum(it["net_kg"] for it in items), 1)
    d = {"v": 1, "id": "B-%07d" % i, "date": "2026-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)),
         "office": "XAP0%d" % rng.randint(1, 4),
         "importer": {"id": "IM-%04d" % rng.randint(1, 3000), "name": rng.choice(names), "country": "XA"},
         "exporter": {"name": rng.choice(denied if rng.random() < 0.005 else exporters), "country": rng.choice(origins)},
         "origin": rng.choice(origins), "dispatch": rng.choice(origins + ["XD"]), "port_loading": "CNSHA",
         "port_discharge": "XAPRT", "transport": "sea", "containers": [cont], "bl_no": "BL%08d" % rng.randint(0, 99999999),
         "invoice_no": "INV-%06d" % rng.randint(0, 999999), "incoterm": "FOB", "currency": "USD",
         "total_value": round(sum(it["value"] for it in items), 2), "gross_kg": round(net * 1.08, 1), "net_kg": net,
         "packages": rng.randint(1, 400), "items": items}
    print(json.dumps({"id": d["id"], "src": {"path": "gen/decl-%d.json" % (i // 1000)}, "decl": d},
                     separators=(",", ":")))
