#!/usr/bin/python3
# gen-decl-real.py - declarations that look like real ones, for the sc-risk
# benchmark: thousands of distinct parties with names of realistic length and
# spelling (legal forms, cities, initials, punctuation), two to four items with
# free-text descriptions, one to three containers, every field the default
# pack reads. gen-decl-real.py N [SEED] > decl.jsonl; deterministic per N, SEED.
# All names and goods are invented from word lists written here.
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 11)

cores = ["Harbour", "Meridian", "Blue Ridge", "Golden Gate", "Silver Leaf", "Evergreen", "Sunrise", "Pacific Rim",
         "Northstar", "Red Lotus", "Jade River", "Orchid", "Atlas", "Pioneer", "Summit", "Crescent", "Falcon",
         "Oak Valley", "Grand Canal", "Lion City", "Eastern Star", "Long Bridge", "Delta", "Granite", "Maple",
         "Coral Bay", "Hanseatic", "Nordlicht", "Sol Naciente", "Estrella", "Anatolia", "Bosphorus", "Ganges",
         "Mekong", "Yangtze", "Zhongshan", "Huaxin", "Xinghai", "Tianli", "Baolong", "Minh Phat", "Thanh Cong",
         "Sri Lakshmi", "Shree Ganesh", "Al Noor", "Al Baraka", "Dar Es Salaam", "Kilimanjaro", "Andes", "Patagonia",
         "Rio Verde", "Costa Azul", "Vltava", "Danube", "Baltic", "Carpathian", "Alpine", "Rhein", "Elbe", "Loire"]
trades = ["Trading", "Import & Export", "Industrial", "Electronics", "Textiles", "Garments", "Footwear", "Timber",
          "Furniture", "Foods", "Agro", "Steel", "Metals", "Chemicals", "Pharma", "Logistics", "Machinery",
          "Components", "Home Goods", "Packaging", "Plastics", "Auto Parts", "Tools", "Lighting", "Ceramics"]
forms = ["Co., Ltd.", "Co. Ltd", "Ltd", "Limited", "LLC", "L.L.C.", "Inc.", "Corp.", "GmbH", "GmbH & Co. KG", "AG",
         "S.A.", "S.A. de C.V.", "S.R.L.", "SARL", "S.p.A.", "B.V.", "N.V.", "Pvt. Ltd.", "Private Limited", "JSC",
         "Sdn. Bhd.", "Pte. Ltd.", "A.S.", "Sp. z o.o.", "OOO", "Kft.", "Oy", "AB", "ApS", "Tic. Ltd. Sti."]
cities = ["Shenzhen", "Ningbo", "Guangzhou", "Xiamen", "Qingdao", "Hanoi", "Ho Chi Minh City", "Dhaka", "Chittagong",
          "Mumbai", "Chennai", "Izmir", "Istanbul", "Hamburg", "Bremen", "Rotterdam", "Antwerp", "Santos", "Durban",
          "Mombasa", "Karachi", "Jakarta", "Penang", "Bangkok", "Manila", "Busan", "Osaka", "Valencia", "Genoa"]
countries = ["CN", "CN", "CN", "VN", "BD", "IN", "TR", "DE", "NL", "BR", "ZA", "KE", "PK", "ID", "MY", "TH", "PH",
             "KR", "JP", "ES", "IT", "US", "MX", "PL"]
goods = [  # hs, description stems, unit, unit price, kg per unit
    ("851712", ["smartphones", "mobile phones", "cellular telephones"], "pcs", 180, 0.19),
    ("847130", ["laptop computers", "notebook PCs", "portable computers"], "pcs", 420, 2.1),
    ("610910", ["cotton t-shirts", "knitted T-shirts of cotton", "men's cotton tees"], "pcs", 4.5, 0.2),
    ("620342", ["cotton trousers", "men's trousers of cotton denim", "work trousers"], "pcs", 9.8, 0.5),
    ("640399", ["leather shoes", "men's leather footwear", "ladies leather boots"], "pair", 22, 0.9),
    ("940360", ["wooden office furniture", "wooden desks", "wooden bookshelves"], "pcs", 85, 30),
    ("440710", ["sawn pine timber", "coniferous sawn wood, pine", "kiln dried pine boards"], "m3", 260, 520),
    ("090111", ["green coffee beans", "arabica coffee, not roasted", "robusta green coffee"], "kg", 3.1, 1),
    ("720839", ["hot-rolled steel coils", "hot rolled coil, non-alloy steel"], "kg", 0.62, 1),
    ("300490", ["medicaments in doses", "packaged medicines, tablets"], "kg", 95, 1),
    ("940540", ["LED lamps", "LED floodlights", "electric lamps and lighting fittings"], "pcs", 6.5, 0.4),
    ("392690", ["plastic household articles", "articles of plastics, storage boxes"], "kg", 2.4, 1),
    ("870899", ["motor vehicle parts", "brake pads for passenger cars", "automotive spare parts"], "kg", 7.5, 1),
    ("691200", ["ceramic tableware", "stoneware dinner sets"], "kg", 1.8, 1),
]
adjectives = ["assorted colours", "new", "brand new, in retail boxes", "as per invoice", "model 2026",
              "export packing", "grade A", "sizes S-XXL", "100% cotton", "for retail sale", "on pallets"]
denied_variants = ["Kestrel Dynamics GmbH", "KESTREL DYNAMICS G.M.B.H.", "Obsidian Maritime Limited",
                   "Golden Lantern Logistics Co., Ltd.", "Borealis Shadow Trading L.L.C."]


def party_name(r):
    core = r.choice(cores)
    if r.random() < 0.3:
        core = r.choice(cities) + " " + core
    if r.random() < 0.15:
        core = "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(r.randint(2, 3))) + " " + core
    name = core + " " + r.choice(trades) + " " + r.choice(forms)
    return name.upper() if r.random() < 0.2 else name


def parties(k, seed):
    r = random.Random(seed)
    out, seen = [], set()
    while len(out) < k:
        nm = party_name(r)
        if nm in seen:
            continue
        seen.add(nm)
        c = r.choice(countries)
        out.append({"id": "%s%09d" % (c, r.randint(0, 999999999)), "name": nm, "country": c,
                    "address": "%d %s Road, %s" % (r.randint(1, 999), r.choice(cores), r.choice(cities))})
    return out


importers, exporters, declarants = parties(4000, 1), parties(6000, 2), parties(300, 3)


def pick(lst):
    # parties recur, as they do: a few large traders and a long tail
    return lst[min(int(rng.paretovariate(1.1)) - 1, len(lst) - 1) if rng.random() < 0.6 else rng.randrange(len(lst))]


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
    for _ in range(rng.choice([2, 2, 3, 4])):
        hs, descs, unit, price, kg = rng.choice(goods)
        desc = rng.choice(descs)
        if rng.random() < 0.7:
            desc += ", " + rng.choice(adjectives)
        qty = rng.randint(5, 2000)
        p = price * rng.uniform(0.7, 1.3) if rng.random() > 0.03 else price * 0.1
        net = round(qty * kg * rng.uniform(0.9, 1.1), 1)
        items.append({"hs": hs + "%02d" % rng.randint(0, 99) if rng.random() < 0.5 else hs, "description": desc,
                      "origin": rng.choice(countries), "qty": qty, "unit": unit, "net_kg": net,
                      "gross_kg": round(net * 1.08, 1), "value": round(qty * p, 2), "currency": "USD"})
    conts = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        owner = rng.choice(["CSQU", "MSCU", "MAEU", "TGHU", "OOLU", "HLXU"]) + "%06d" % rng.randint(0, 999999)
        conts.append(owner + (check_digit(owner) if rng.random() > 0.02 else "0"))
    imp, exp = dict(pick(importers)), dict(pick(exporters))
    if rng.random() < 0.003:
        exp["name"] = rng.choice(denied_variants)
    net = round(sum(it["net_kg"] for it in items), 1)
    origin = rng.choice(countries)
    d = {"v": 1, "id": "R-%08d" % i, "date": "2026-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)),
         "office": "XAP0%d" % rng.randint(1, 4), "importer": imp, "exporter": exp,
         "declarant": pick(declarants), "seller": exp if rng.random() < 0.8 else pick(exporters),
         "origin": origin, "dispatch": origin if rng.random() < 0.9 else rng.choice(countries),
         "port_loading": rng.choice(["CNSHA", "CNNGB", "VNSGN", "BDCGP", "INNSA", "TRIZM", "DEHAM"]),
         "port_discharge": "XAPRT", "transport": "sea", "containers": conts,
         "bl_no": "%s%09d" % (rng.choice(["MEDU", "MAEU", "COSU", "HLCU"]), rng.randint(0, 999999999)),
         "invoice_no": "INV/%d/%05d" % (2026, rng.randint(0, 99999)), "incoterm": rng.choice(["FOB", "CIF", "CFR", "EXW"]),
         "currency": "USD", "total_value": round(sum(it["value"] for it in items), 2),
         "gross_kg": round(net * 1.08, 1), "net_kg": net, "packages": rng.randint(1, 400), "items": items}
    print(json.dumps({"id": d["id"], "src": {"path": "edecl/%d.csv" % (i // 10000)}, "decl": d},
                     separators=(",", ":"), ensure_ascii=False))
