#!/usr/bin/python3
# eval-parse.py - per-field precision, recall and F1 of sc-parse against the
# ground truth of a corpus made by scripts/gen-docs.py --out DIR.
#
#   eval-parse.py DIR                 run sc-ocr --words (cached in DIR/ocr.jsonl)
#                                     and sc-parse, then score DIR/truth.jsonl
#   eval-parse.py DIR --parsed FILE   score an sc-parse output already made
#   eval-parse.py --real DIR --split dev --parsed FILE [--ocr FILE]
#                                     score against a folder of real documents
#                                     with a truth JSON each (shared/data/docs/
#                                     receipts or invoices, split.tsv), as its
#                                     README scores them; with --ocr also the
#                                     ceiling: the share of truth values that
#                                     are in the OCR text at all
#
# A field counts as found when the value equals the truth (numbers within
# 0.5 %, names without case and punctuation, lists as sets). Precision is
# over the fields the parser reported that the truth labels for that
# document; fields the truth does not label are not scored.
import argparse
import json
import os
import re
import subprocess
import sys

FIELDS = ["doc_no", "invoice_no", "date", "seller", "buyer", "declarant", "bl_no", "customs_no",
          "pre_entry_no", "contract_no", "total", "currency", "incoterm", "origin", "port_loading",
          "port_discharge", "vessel", "voyage", "packages", "gross_kg", "net_kg", "containers", "seals",
          "buyer_id"]


def norm_text(s):
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", str(s).lower())


def same(field, want, got):
    if got is None:
        return False
    if isinstance(want, list):
        if not isinstance(got, list):
            got = [got]
        return sorted(norm_text(x) for x in want) == sorted(norm_text(x) for x in got)
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            g = float(got)
        except (TypeError, ValueError):
            return False
        return abs(g - want) <= max(0.011, 0.005 * abs(want))
    return norm_text(want) == norm_text(got)


def predicted(parse, field):
    f = parse.get("fields", {})
    if field == "buyer_id":
        return (f.get("buyer") or {}).get("id")
    v = f.get(field)
    return None if v is None else v.get("value")


def run(dirpath, sc_bin):
    truth = [json.loads(l) for l in open(os.path.join(dirpath, "truth.jsonl"))]
    ocr = os.path.join(dirpath, "ocr.jsonl")
    if not os.path.exists(ocr):
        eng = [os.path.join(dirpath, t["file"]) for t in truth if t["type"] != "customs_declaration"]
        chi = [os.path.join(dirpath, t["file"]) for t in truth if t["type"] == "customs_declaration"]
        with open(ocr + ".tmp", "w") as out:
            if eng:
                subprocess.run([os.path.join(sc_bin, "sc-ocr"), "--words", "-j", "2"] + eng, stdout=out, check=False)
            if chi:
                subprocess.run([os.path.join(sc_bin, "sc-ocr"), "--words", "-j", "2", "-l", "chi_sim+eng"] + chi,
                               stdout=out, check=False)
        os.replace(ocr + ".tmp", ocr)
    parsed = os.path.join(dirpath, "parsed.jsonl")
    with open(parsed, "w") as out:
        subprocess.run([os.path.join(sc_bin, "sc-parse"), ocr], stdout=out, check=False)
    return parsed


ITEM_KEYS = ["description", "hs", "qty", "unit", "unit_price", "amount", "net_kg", "gross_kg", "packages"]


def item_same(key, want, got):
    """An item cell: descriptions when half their words agree, HS codes at
    the digits printed (the shorter, at least six), the rest as fields."""
    if got is None:
        return False
    if key == "description":
        return dice(want, got) >= 0.5
    if key == "hs":
        a, b = re.sub(r"\D", "", str(want)), re.sub(r"\D", "", str(got))
        n = min(len(a), len(b))
        return n >= 6 and a[:n] == b[:n]
    return same(key, want, got)


def score_items(truth, got):
    """Item-table F1 over cells: the parsed rows matched one to one with the
    truth rows (greedily, most agreeing cells first), a cell right when it
    agrees in its matched row; a parsed cell of a column the truth row has
    and a truth cell count once each. Per column and in all."""
    st = {k: [0, 0, 0] for k in ITEM_KEYS}
    rows = [0, 0, 0]   # documents with items, parsed row count right, truth rows
    for name, t in sorted(truth.items()):
        T = t.get("items") or []
        if not T:
            continue
        P = got.get(name, {}).get("items") or []
        rows[0] += 1
        rows[1] += len(P) == len(T)
        rows[2] += len(T)
        pairs = []
        for i, tr in enumerate(T):
            for j, pr in enumerate(P):
                agree = sum(item_same(k, tr[k], pr.get(k)) for k in ITEM_KEYS if k in tr)
                pairs.append((-agree, i, j))
        pairs.sort()
        ti, pj, match = set(), set(), {}
        for a, i, j in pairs:
            if i in ti or j in pj or a == 0:
                continue
            ti.add(i), pj.add(j)
            match[i] = j
        for i, tr in enumerate(T):
            pr = P[match[i]] if i in match else {}
            for k in ITEM_KEYS:
                if k not in tr:
                    continue
                g = pr.get(k)
                if g is not None and item_same(k, tr[k], g):
                    st[k][0] += 1
                else:
                    st[k][2] += 1
                    st[k][1] += g is not None
        for j, pr in enumerate(P):
            if j in pj:
                continue
            for k in ITEM_KEYS:   # a row the truth does not have: its cells are wrong
                if pr.get(k) is not None:
                    st[k][1] += 1
    if not rows[0]:
        return None
    print("items: %d documents with an item table (%d rows); row count right on %d (%.3f)" % (
        rows[0], rows[2], rows[1], rows[1] / rows[0]))
    print("%-14s %5s %6s %6s %6s" % ("item column", "n", "P", "R", "F1"))
    T3 = [0, 0, 0]
    for k in ITEM_KEYS:
        tp, fp, fn = st[k]
        n = tp + fn
        if not n:
            continue
        P_ = tp / (tp + fp) if tp + fp else 0.0
        R_ = tp / n
        print("%-14s %5d %6.3f %6.3f %6.3f" % (k, n, P_, R_, 2 * P_ * R_ / (P_ + R_) if P_ + R_ else 0.0))
        for x in range(3):
            T3[x] += st[k][x]
    P_ = T3[0] / (T3[0] + T3[1]) if T3[0] + T3[1] else 0
    R_ = T3[0] / (T3[0] + T3[2]) if T3[0] + T3[2] else 0
    F_ = 2 * P_ * R_ / (P_ + R_) if P_ + R_ else 0
    print("%-14s %5d %6.3f %6.3f %6.3f" % ("ITEMS (micro)", T3[0] + T3[2], P_, R_, F_))
    return F_


def score(dirpath, parsed_path, title):
    truth = {t["file"]: t for t in (json.loads(l) for l in open(os.path.join(dirpath, "truth.jsonl")))}
    got = {}
    for l in open(parsed_path):
        r = json.loads(l)
        p = r.get("parse")
        path = (r.get("src") or {}).get("path")
        if not p or not path:
            continue
        got.setdefault(os.path.basename(path), p)
    stats = {f: [0, 0, 0] for f in FIELDS}   # tp, fp, fn
    bylevel = {}                              # degradation level: tp, fp, fn
    types = [0, 0]
    for name, t in sorted(truth.items()):
        p = got.get(name, {"fields": {}, "type": None})
        types[0] += p.get("type") == t["type"]
        types[1] += 1
        want = dict(t["fields"])
        lv = bylevel.setdefault(str(t.get("degrade") or "none"), [0, 0, 0, 0])
        lv[3] += 1
        for f in FIELDS:
            if f not in want:
                continue
            g = predicted(p, f)
            if g is None:
                stats[f][2] += 1
                lv[2] += 1
            elif same(f, want[f], g):
                stats[f][0] += 1
                lv[0] += 1
            else:
                stats[f][1] += 1
                stats[f][2] += 1
                lv[1] += 1
                lv[2] += 1
    print("%s: %d documents, document type right on %d (%.3f)" % (title, types[1], types[0],
                                                                     types[0] / max(1, types[1])))
    print("%-14s %5s %6s %6s %6s" % ("field", "n", "P", "R", "F1"))
    T = [0, 0, 0]
    for f in FIELDS:
        tp, fp, fn = stats[f]
        n = tp + fn
        if n == 0:
            continue
        P = tp / (tp + fp) if tp + fp else 0.0
        R = tp / n
        F = 2 * P * R / (P + R) if P + R else 0.0
        print("%-14s %5d %6.3f %6.3f %6.3f" % (f, n, P, R, F))
        for k in range(3):
            T[k] += stats[f][k]
    P = T[0] / (T[0] + T[1]) if T[0] + T[1] else 0
    R = T[0] / (T[0] + T[2]) if T[0] + T[2] else 0
    F = 2 * P * R / (P + R) if P + R else 0
    print("%-14s %5d %6.3f %6.3f %6.3f" % ("ALL (micro)", T[0] + T[2], P, R, F))
    if len(bylevel) > 1:
        for name in ("none", "mild", "heavy"):
            if name not in bylevel:
                continue
            tp, fp, fn, nd = bylevel[name]
            p_ = tp / (tp + fp) if tp + fp else 0
            r_ = tp / (tp + fn) if tp + fn else 0
            print("  pages %-6s %3d documents %5d fields  P %.3f  R %.3f  F1 %.3f" % (
                name, nd, tp + fn, p_, r_, 2 * p_ * r_ / (p_ + r_) if p_ + r_ else 0))
    score_items(truth, got)
    return F


# ---- real documents (shared/data/docs), scored as their README says -------------

MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


def alnum_up(s):
    return re.sub(r"[^A-Z0-9]", "", str(s).upper())


def words(s):
    return re.findall(r"[A-Z0-9]+", str(s).upper())


def dice(a, b):
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    rest = list(wb)
    common = 0
    for w in wa:
        if w in rest:
            rest.remove(w)
            common += 1
    return 2.0 * common / (len(wa) + len(wb))


def to_num(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        return None


def real_same(kind, want, got):
    if kind == "num":
        g = to_num(got)
        return g is not None and abs(g - want) <= 0.005 * abs(want)
    if kind == "date":
        return str(got)[:10] == want
    if kind == "id":
        return alnum_up(got) != "" and alnum_up(got) == alnum_up(want)
    return dice(want, got) >= 0.5


# field -> (kind, the parse fields that may hold it)
REAL_FIELDS = {
    "receipts": [("date", "date", ["date"]), ("total", "num", ["total"])],
    "invoices": [("doc_no", "id", ["doc_no", "invoice_no"]), ("total", "num", ["total"]),
                 ("buyer", "name", ["buyer"]), ("date_from", "date", ["date_from"]),
                 ("date_to", "date", ["date_to"])],
}


def text_dates(text):
    """Every date the text could hold, both numeric orders."""
    out = set()
    for a, b, c in re.findall(r"(?<!\d)(\d{1,4})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{2,4})(?!\d)", text):
        a, b, c = int(a), int(b), int(c)
        cands = []
        if a > 31:
            cands.append((a, b, c))
        else:
            y = c + 2000 if c < 100 else c
            cands += [(y, b, a), (y, a, b)]
        for y, m, d in cands:
            out.add("%04d-%02d-%02d" % (y, m, d))
    for d, mon, y in re.findall(r"(?<!\d)(\d{1,2})\s?[\-. ]?\s?([A-Za-z]{3})[A-Za-z]*\.?[\-., ]\s?(\d{2,4})(?!\d)", text):
        m = MONTHS.get(mon.lower())
        if m:
            y = int(y)
            out.add("%04d-%02d-%02d" % (y + 2000 if y < 100 else y, m, int(d)))
    for mon, d, y in re.findall(r"([A-Za-z]{3})[A-Za-z]*\.?\s(\d{1,2}),?\s(\d{4})", text):
        m = MONTHS.get(mon.lower())
        if m:
            out.add("%04d-%02d-%02d" % (int(y), m, int(d)))
    return out


def text_nums(text):
    out = []
    for t in re.findall(r"\d[\d,.' ]*\d|\d", text):
        for cand in (t.replace(",", "").replace(" ", "").replace("'", ""), t.replace(".", "").replace(",", ".")):
            try:
                out.append(float(cand))
            except ValueError:
                pass
    return out


def in_text(kind, want, text, cache):
    if kind == "num":
        if "nums" not in cache:
            cache["nums"] = text_nums(text)
        return any(abs(v - want) <= 0.005 * abs(want) for v in cache["nums"])
    if kind == "date":
        if "dates" not in cache:
            cache["dates"] = text_dates(text)
        return want in cache["dates"]
    if kind == "id":
        if "ids" not in cache:
            cache["ids"] = set(alnum_up(w) for w in re.split(r"[\s:#]+", text))
        return alnum_up(want) in cache["ids"]
    if "words" not in cache:
        cache["words"] = set(words(text))
    w = words(want)
    return bool(w) and sum(x in cache["words"] for x in w) * 2 >= len(w)


def score_real(dirpath, split, parsed_path, ocr_path, title):
    kind = "receipts" if os.path.basename(os.path.normpath(dirpath)).startswith("receipt") else "invoices"
    files = [l.split("\t")[0] for l in open(os.path.join(dirpath, "split.tsv"))
             if l.strip() and (split is None or l.rstrip("\n").split("\t")[1] == split)]
    truth = {f: json.load(open(os.path.join(dirpath, os.path.splitext(f)[0] + ".json"))) for f in files}
    got = {}
    types = {}
    for l in open(parsed_path):
        r = json.loads(l)
        p = r.get("parse")
        if not p:
            continue
        names = set()
        path = (r.get("src") or {}).get("path")
        if path:
            names.add(os.path.basename(path))
        for d in p.get("documents") or []:
            if isinstance(d, dict):
                sp = d.get("path") or (d.get("src") or {}).get("path")
                if sp:
                    names.add(os.path.basename(sp))
        for n in names:
            types.setdefault(n, p.get("type"))
            fl = got.setdefault(n, {})
            for k, v in (p.get("fields") or {}).items():
                vals = v.get("value") if isinstance(v, dict) else None
                fl.setdefault(k, []).extend(vals if isinstance(vals, list) else [vals])
    texts = {}
    if ocr_path:
        for l in open(ocr_path):
            r = json.loads(l)
            path = (r.get("src") or {}).get("path")
            if path:
                texts[os.path.basename(path)] = texts.get(os.path.basename(path), "") + "\n" + \
                    ((r.get("ocr") or {}).get("text") or "")
    print("%s: %d documents (%s), type %s on %d" % (
        title, len(files), split or "all", kind[:-1],
        sum(1 for f in files if types.get(f) == kind[:-1])))
    print("%-10s %5s %6s %6s %6s %8s" % ("field", "n", "P", "R", "F1", "ceiling"))
    out = {}
    for name, k, keys in REAL_FIELDS[kind]:
        n = tp = pred = inside = 0
        for f in files:
            want = truth[f].get(name)
            if want is None:
                continue
            n += 1
            vals = []
            for key in keys:
                vals += [v for v in got.get(f, {}).get(key, []) if v is not None]
            if vals:
                pred += 1
                tp += any(real_same(k, want, v) for v in vals)
            if ocr_path:
                inside += in_text(k, want, texts.get(f, ""), texts.setdefault("#" + f, {}) if False else {})
        P = tp / pred if pred else 0.0
        R = tp / n if n else 0.0
        F = 2 * P * R / (P + R) if P + R else 0.0
        print("%-10s %5d %6.3f %6.3f %6.3f %8s" % (name, n, P, R, F, "%.3f" % (inside / n) if ocr_path and n else "-"))
        out[name] = (P, R)
    return out


def main():
    ap = argparse.ArgumentParser(description="Score sc-parse against gen-docs.py ground truth.")
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--real", help="a folder of real documents with truth JSON (shared/data/docs/...)")
    ap.add_argument("--split", default=None, help="train or dev (split.tsv); all when left out")
    ap.add_argument("--ocr", help="the sc-ocr records of --real (for the ceiling)")
    ap.add_argument("--parsed", help="sc-parse output to score (else run sc-ocr and sc-parse)")
    ap.add_argument("--bin", default=os.environ.get("SC_BIN", "bin"))
    ap.add_argument("--title", default=None)
    a = ap.parse_args()
    if a.real:
        if not a.parsed:
            ap.error("--real needs --parsed FILE")
        score_real(a.real, a.split, a.parsed, a.ocr, a.title or a.real)
        return
    if not a.dir:
        ap.error("a corpus folder or --real DIR")
    parsed = a.parsed or run(a.dir, a.bin)
    score(a.dir, parsed, a.title or a.dir)


if __name__ == "__main__":
    main()
