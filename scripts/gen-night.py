#!/usr/bin/python3
# gen-night.py - a generated night at the border: N consignments, each with its
# electronic declaration (a CSV row per item, for sc-import -m generic), its
# invoice and bill of lading, and for some a wood sample and a container scan.
# Some declarations carry a planted discrepancy of one kind; the documents show
# the truth. For sc-join | sc-risk measurements (scripts/eval-night.py), the
# demo (scripts/demo.d/60-join.sh) and tests/bench/join.sh.
#
#   gen-night.py --out DIR [--n N] [--seed S]      truth records: DIR/edecl.csv,
#                DIR/docs.jsonl (documents as sc-parse reports them, values
#                from the truth), DIR/pages.jsonl (the pages' OCR confidence),
#                DIR/wood.jsonl, DIR/scan.jsonl, DIR/truth.jsonl (the kind of each)
#   gen-night.py --out DIR --images [--dpi D]      also DIR/img/*.png, the documents
#                rendered (scripts/gen-docs.py) for sc-ocr | sc-parse
#   gen-night.py --bench N --seed S                N consignments of records on stdout
#                (edecl as sc-import writes it, docs, wood, scan), for speed
#
# Kinds: clean, undervalue (declared total below the invoice's), weight (gross
# weight off the B/L's), packages, hs (an invoice HS code not declared),
# container (a container on the B/L not declared), wood (a sample names a CITES
# species, or is referred, while declared goods are not timber), scan (the scan
# contradicts the declaration), ocr (a document read with low confidence: from
# images, one of its documents is a poor copy, a standard-mode fax or a phone
# photograph, degraded but legible to a person).
# Wood and scan readings are records of the shape sc-wood and sc-scan write,
# drawn here (not read from images). Seeds of measurements are never the demo's.
import argparse
import csv
import importlib.util
import io
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("gendocs", os.path.join(HERE, "gen-docs.py"))
gd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gd)

KINDS = ["undervalue", "weight", "packages", "hs", "container", "wood", "scan", "ocr"]
CITES_WOOD = [("Dalbergia nigra", "I"), ("Swietenia macrophylla", "II"), ("Pterocarpus santalinus", "II")]
PLAIN_WOOD = ["Pinus sylvestris", "Quercus robur", "Picea abies", "Fagus sylvatica"]
OTHER_HS = ["940360", "610910", "640399", "854140", "392690", "730890"]
COLUMNS = ["id", "date", "importer_name", "exporter_name", "exporter_country", "origin", "currency", "incoterm",
           "port_loading", "port_discharge", "gross_kg", "total_net_kg", "total_value", "packages", "bl_no",
           "invoice_no", "containers", "hs", "description", "qty", "unit", "value", "net_kg"]


def kind_of(i, n_kinds=len(KINDS)):
    """A third clean, the rest spread evenly over the kinds."""
    k = i % (n_kinds + 4)
    return KINDS[k] if k < n_kinds else "clean"


def consignment(seed, i):
    rng = random.Random("night:%d:%d" % (seed, i))
    kind = kind_of(i)
    pin = {"n_cont": 2} if kind == "container" else {}
    c = gd.make_consignment(rng, "N%d-%04d" % (seed, i), pin)
    # the declaration as filed: the truth, but for the planted kind
    d = {"total": c["total"], "gross_kg": c["gross_kg"], "net_kg": c["net_kg"], "packages": c["packages"],
         "containers": list(c["containers"]),
         "items": [{"hs": it["hs"][:6], "description": it["description"], "qty": it["qty"],
                    "unit": it["unit"].lower(), "value": it["amount"], "net_kg": it["net_kg"]} for it in c["items"]]}
    plant = {}
    if kind == "undervalue":
        f = round(rng.uniform(0.55, 0.85), 3)
        d["total"] = round(c["total"] * f, 2)
        for it in d["items"]:
            it["value"] = round(it["value"] * f, 2)
        plant = {"factor": f}
    elif kind == "weight":
        f = round(rng.choice([rng.uniform(0.6, 0.85), rng.uniform(1.15, 1.4)]), 3)
        d["gross_kg"] = round(c["gross_kg"] * f, 2)
        plant = {"factor": f}
    elif kind == "packages":
        delta = max(2, int(c["packages"] * rng.uniform(0.1, 0.3)))
        d["packages"] = c["packages"] + rng.choice([-1, 1]) * delta if c["packages"] > delta else c["packages"] + delta
        plant = {"delta": d["packages"] - c["packages"]}
    elif kind == "hs":
        k = rng.randrange(len(d["items"]))
        have = {it["hs"] for it in d["items"]}
        d["items"][k]["hs"] = rng.choice([h for h in OTHER_HS if h not in have])
        plant = {"invoice_hs": c["items"][k]["hs"][:6], "declared_hs": d["items"][k]["hs"]}
    elif kind == "container":
        gone = d["containers"].pop()
        plant = {"undeclared": gone}
    wood = scan = None
    if kind == "wood":
        if rng.random() < 0.7:
            taxon, app = rng.choice(CITES_WOOD)
            wood = {"taxon": taxon, "appendix": app, "refer": False}
        else:
            wood = {"taxon": rng.choice(PLAIN_WOOD), "appendix": None, "refer": True}
    elif rng.random() < 0.3:
        wood = {"taxon": rng.choice(PLAIN_WOOD), "appendix": None, "refer": False}
    if kind == "scan":
        scan = {"consistent": False, "empty": rng.random() < 0.5}
    elif rng.random() < 0.5:
        scan = {"consistent": True, "empty": False}
    conf_low = kind == "ocr"
    return rng, kind, c, d, plant, wood, scan, conf_low


def csv_rows(c, d):
    rows = []
    for it in d["items"]:
        rows.append({"id": c["id"], "date": c["decl_date"], "importer_name": c["buyer"]["name"],
                     "exporter_name": c["seller"]["name"], "exporter_country": c["seller"]["country"],
                     "origin": c["origin"], "currency": c["currency"], "incoterm": c["incoterm"],
                     "port_loading": c["port_loading"], "port_discharge": c["port_discharge"],
                     "gross_kg": d["gross_kg"], "total_net_kg": d["net_kg"], "total_value": d["total"],
                     "packages": d["packages"], "bl_no": c["bl_no"], "invoice_no": c["invoice_no"],
                     "containers": " ".join(d["containers"]), "hs": it["hs"], "description": it["description"],
                     "qty": it["qty"], "unit": it["unit"], "value": it["value"], "net_kg": it["net_kg"]})
    return rows


def edecl_record(c, d, line):
    """The record sc-import -m generic makes of the rows (for --bench)."""
    decl = {"v": 1, "id": c["id"], "date": c["decl_date"], "importer": {"name": c["buyer"]["name"]},
            "exporter": {"name": c["seller"]["name"], "country": c["seller"]["country"]}, "origin": c["origin"],
            "port_loading": c["port_loading"], "port_discharge": c["port_discharge"], "incoterm": c["incoterm"],
            "currency": c["currency"], "gross_kg": d["gross_kg"], "total_value": d["total"], "net_kg": d["net_kg"],
            "packages": d["packages"], "bl_no": c["bl_no"], "invoice_no": c["invoice_no"],
            "containers": d["containers"],
            "items": [dict(it, origin=c["origin"], currency=c["currency"]) for it in d["items"]]}
    return {"id": c["id"], "src": {"path": "edecl.csv", "line": line}, "decl": decl}


def doc_record(c, dtype, path, conf):
    t = gd.doc_truth(c, dtype)
    fields = {k: {"value": v, "conf": conf} for k, v in t["fields"].items()}
    items = [{"description": it["description"], "hs": it["hs"], "qty": it["qty"], "unit": it["unit"].lower(),
              "unit_price": it["unit_price"], "amount": it["amount"]} for it in t["items"]] \
        if dtype == "invoice" else []
    src = {"path": path, "page": 1, "pages": 1}
    return {"id": "%s:%s" % (c["id"], dtype), "src": src,
            "parse": {"v": 1, "type": dtype, "type_conf": 0.99, "fields": fields, "items": items,
                      "documents": [src]}}


def wood_record(c, w, i):
    top = [{"taxon": w["taxon"], "score": 0.93 if not w["refer"] else 0.41,
            "cites": {"listing": w["taxon"], "appendix": w["appendix"]} if w["appendix"] else None}]
    reasons = [{"code": "low-score", "msg": "the best score is below 0.6"}] if w["refer"] else []
    return {"id": "wood-%s" % c["id"], "src": {"path": "samples/%s.jpg" % c["id"]}, "decl": {"id": c["id"]},
            "wood": {"v": 1, "top": top, "refer": w["refer"], "reasons": reasons}}


def scan_record(c, d, s):
    if s["consistent"]:
        body = {"empty": False, "fill": 0.62, "density": 0.41, "anomalies": [], "consistent": True,
                "refer": False, "reasons": []}
    elif s["empty"]:
        body = {"empty": True, "fill": 0.01, "density": 0.02, "anomalies": [], "consistent": False, "refer": True,
                "reasons": [{"code": "declared-goods-empty", "msg": "goods are declared but the container is empty"}]}
    else:
        body = {"empty": False, "fill": 0.7, "density": 0.93,
                "anomalies": [{"bbox": [812, 140, 96, 120], "score": 0.88, "kind": "dense"}], "consistent": False,
                "refer": True, "reasons": [{"code": "dense-block", "msg": "a dense block the declared goods do not explain"}]}
    cont = d["containers"][0] if d["containers"] else c["containers"][0]
    return {"id": "scan-%s" % cont, "src": {"path": "scans/%s.png" % cont},
            "decl": {"id": c["id"], "containers": [cont]}, "scan": dict({"v": 1}, **body)}


def write_night(a):
    os.makedirs(a.out, exist_ok=True)
    if a.images:
        os.makedirs(os.path.join(a.out, "img"), exist_ok=True)
    f_csv = open(os.path.join(a.out, "edecl.csv"), "w", newline="")
    w = csv.DictWriter(f_csv, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    outs = {k: open(os.path.join(a.out, k + ".jsonl"), "w") for k in ("docs", "pages", "wood", "scan", "truth")}
    for i in range(a.n):
        rng, kind, c, d, plant, wood, scan, conf_low = consignment(a.seed, i)
        for r in csv_rows(c, d):
            w.writerow(r)
        low_doc = rng.choice(["invoice", "bill_of_lading"]) if conf_low else None
        low_copy = None
        for dtype in ("invoice", "bill_of_lading"):
            name = "%s-%s.png" % (c["id"], dtype.replace("_", "-"))
            path = os.path.join(a.out, "img", name) if a.images else "night/" + name
            # page confidence as sc-ocr --words gave the rendered pages of a
            # training night (seed 41): poor copies 37-86, clean pages 90-94
            conf = round(rng.uniform(37, 86), 1) if dtype == low_doc else round(rng.uniform(90, 94.5), 1)
            rec = doc_record(c, dtype, path, round(conf / 100, 2))
            outs["docs"].write(json.dumps(rec, ensure_ascii=False) + "\n")
            outs["pages"].write(json.dumps({"id": rec["id"] + ":p1", "src": rec["src"],
                                            "ocr": {"v": 1, "conf": conf}}) + "\n")
            if a.images:
                t = gd.doc_truth(c, dtype)
                L = gd.layout_for(rng, dtype)
                pg = gd.render_pages(c, t, L, a.dpi)[0]
                img = pg.img
                if dtype == low_doc:
                    img, low_copy = poor_copy(img, rng, a.dpi)
                with open(path, "wb") as fp:
                    fp.write(gd.encode(img, "png", a.dpi))
        if wood:
            outs["wood"].write(json.dumps(wood_record(c, wood, i)) + "\n")
        if scan:
            outs["scan"].write(json.dumps(scan_record(c, d, scan)) + "\n")
        outs["truth"].write(json.dumps({"id": c["id"], "kind": kind, "plant": plant,
                                        "low_doc": low_doc, "low_copy": low_copy}) + "\n")
    f_csv.close()
    for f in outs.values():
        f.close()


def poor_copy(img, rng, dpi):
    """The copy a customs desk receives of a document read badly: a fax in
    standard mode (204 x 98 dpi, one bit a pixel, line noise, a lost scan line
    or two, stretched back by the receiver) or a phone photograph (tilted,
    lit from one side, soft, JPEG, 75 to 100 dpi). Degraded but legible to a
    person, as such copies are; what OCR makes of it is measured, not set."""
    import numpy as np
    from PIL import Image, ImageFilter
    w, h = img.size
    g = img.convert("L")
    nrng = np.random.default_rng(rng.randrange(2 ** 32))
    if rng.random() < 0.5:
        fw, fh = int(w * 204 / dpi), int(h * 98 / dpi)
        a = np.asarray(g.resize((fw, fh), Image.BILINEAR), dtype=np.float32)
        a = a + nrng.normal(0, rng.uniform(8, 20), a.shape)
        b = np.where(a < rng.uniform(115, 150), 0, 255).astype(np.uint8)
        for _ in range(rng.randint(0, 3)):
            r = rng.randrange(fh)
            b[r:r + 1, :] = 255
        return Image.fromarray(b).resize((w, h), Image.NEAREST), "fax"
    g = g.rotate(rng.uniform(-4, 4), resample=Image.BILINEAR, expand=False, fillcolor=235)
    g = g.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 1.8)))
    a = np.asarray(g, dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    side = rng.uniform(0.2, 0.45)
    a = a * (1 - side * (xx / w + yy / h) / 2) + nrng.normal(0, 5, a.shape)
    f = rng.uniform(0.5, 0.65)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).resize((int(w * f), int(h * f)), Image.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randint(35, 60))
    return Image.open(io.BytesIO(buf.getvalue())).convert("L"), "photo"


def bench(a):
    out = sys.stdout
    line = 1
    for i in range(a.bench):
        rng, kind, c, d, plant, wood, scan, conf_low = consignment(a.seed, i)
        line += len(d["items"])
        out.write(json.dumps(edecl_record(c, d, line), ensure_ascii=False) + "\n")
        for dtype in ("invoice", "bill_of_lading"):
            out.write(json.dumps(doc_record(c, dtype, "night/%s-%s.png" % (c["id"], dtype), 0.9),
                                 ensure_ascii=False) + "\n")
        if wood:
            out.write(json.dumps(wood_record(c, wood, i)) + "\n")
        if scan:
            out.write(json.dumps(scan_record(c, d, scan)) + "\n")


def main():
    ap = argparse.ArgumentParser(description="Generate a night of consignments with planted discrepancies.")
    ap.add_argument("--out", metavar="DIR")
    ap.add_argument("--n", type=int, default=240)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--images", action="store_true", help="render the documents too")
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--bench", type=int, metavar="N", help="N consignments of records on stdout")
    a = ap.parse_args()
    if a.bench:
        bench(a)
    elif a.out:
        write_night(a)
    else:
        ap.error("--out DIR or --bench N")


if __name__ == "__main__":
    main()
