#!/usr/bin/python3
# gen-docs.py - render realistic trade documents (commercial invoice, packing
# list, bill of lading, customs declaration incl. the Chinese 进口货物报关单,
# certificate of origin) from ground-truth JSON, for sc-ocr | sc-parse tests,
# the demo batch and the per-field evaluation (scripts/eval-parse.py).
#
#   gen-docs.py --demo DIR            the demo batch: DIR/batch.zip, DIR/invoice.pdf,
#                                     DIR/packing-list.tif, DIR/truth.json
#   gen-docs.py --out DIR [--n N] [--seed S] [--split train|eval]
#               [--degrade none|mild|heavy|mix] [--dpi D]
#                                     a corpus: N consignments, their documents as
#                                     images, DIR/truth.jsonl (one line per document)
#   gen-docs.py --truth FILE.json --out DIR   render a given ground truth
#
# The train and eval splits are disjoint by construction: consignment i of split
# s under seed S draws from Random("s:S:i"). Tune on train; eval is for the
# table only. Uses /usr/bin/python3 with python3-pil and python3-numpy.
import argparse
import hashlib
import io
import json
import math
import os
import random
import sys
import zipfile

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTDIR = "/usr/share/fonts/truetype"
FONTS = {
    "sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "mono": ("dejavu/DejaVuSansMono.ttf", "dejavu/DejaVuSansMono-Bold.ttf"),
    "cond": ("dejavu/DejaVuSansCondensed.ttf", "dejavu/DejaVuSansCondensed-Bold.ttf"),
    "cjk": ("wqy/wqy-zenhei.ttc", "wqy/wqy-zenhei.ttc"),
}
A4_MM = (210.0, 297.0)

# ---------------------------------------------------------------- reference pools
# Fictional parties; real country codes, UN/LOCODEs and HS codes.
SELLERS = [
    ("Rheinwerk Maschinenbau GmbH", "Industriestrasse 14, 20457 Hamburg", "DE"),
    ("Bayern Praezision AG", "Leopoldstrasse 112, 80802 Muenchen", "DE"),
    ("Kansai Seiko Co., Ltd.", "3-7-2 Nakanoshima, Kita-ku, Osaka 530-0005", "JP"),
    ("Tokai Electronics Corporation", "1-12-4 Meieki, Nakamura-ku, Nagoya", "JP"),
    ("Pacific Harvest Foods Pty Ltd", "88 Collins Street, Melbourne VIC 3000", "AU"),
    ("Great Lakes Polymers Inc.", "4100 Lakeshore Drive, Chicago, IL 60611", "US"),
    ("Saigon Textile Joint Stock Company", "45 Nguyen Hue, District 1, Ho Chi Minh City", "VN"),
    ("Chateau Meridien SARL", "12 Quai des Chartrons, 33000 Bordeaux", "FR"),
    ("Oleificio Toscano S.p.A.", "Via Roma 27, 50123 Firenze", "IT"),
    ("Hanbit Auto Parts Co., Ltd.", "221 Haeundae-ro, Busan 48094", "KR"),
    ("Andes Agro Exportadora S.A.", "Av. Paulista 1578, Sao Paulo SP", "BR"),
    ("Waikato Dairy Cooperative Ltd", "17 Anglesea Street, Hamilton 3204", "NZ"),
]
BUYERS = [
    ("Shanghai Huaxin Industrial Co., Ltd.", "上海华信实业有限公司", "No. 888 Zhangjiang Road, Pudong, Shanghai", "310115"),
    ("Ningbo Haitong Trading Co., Ltd.", "宁波海通贸易有限公司", "128 Zhongshan East Road, Ningbo, Zhejiang", "330203"),
    ("Qingdao Blue Ocean Foods Co., Ltd.", "青岛蓝海食品有限公司", "66 Hong Kong Middle Road, Qingdao, Shandong", "370202"),
    ("Shenzhen Jinpeng Electronics Co., Ltd.", "深圳金鹏电子有限公司", "3002 Shennan Avenue, Futian, Shenzhen", "440304"),
    ("Tianjin Binhai Machinery Co., Ltd.", "天津滨海机械有限公司", "19 Huanghai Road, TEDA, Tianjin", "120116"),
    ("Xiamen Lianfa Import & Export Co., Ltd.", "厦门联发进出口有限公司", "8 Hubin South Road, Siming, Xiamen", "350203"),
]
DECLARANTS = [("上海捷通报关有限公司", "Shanghai Jietong Customs Brokerage Co., Ltd."),
              ("宁波顺达报关行有限公司", "Ningbo Shunda Customs Broker Co., Ltd."),
              ("青岛港通国际货运代理有限公司", "Qingdao Gangtong Int'l Forwarding Co., Ltd.")]
COUNTRIES = {  # alpha-2: (English, Chinese)
    "DE": ("Germany", "德国"), "JP": ("Japan", "日本"), "AU": ("Australia", "澳大利亚"),
    "US": ("United States", "美国"), "VN": ("Viet Nam", "越南"), "FR": ("France", "法国"),
    "IT": ("Italy", "意大利"), "KR": ("Korea, Republic of", "韩国"), "BR": ("Brazil", "巴西"),
    "NZ": ("New Zealand", "新西兰"), "CN": ("China", "中国"),
}
PORTS_FROM = {
    "DE": [("Hamburg", "DEHAM")], "JP": [("Osaka", "JPOSA"), ("Nagoya", "JPNGO"), ("Yokohama", "JPYOK")],
    "AU": [("Melbourne", "AUMEL")], "US": [("Los Angeles", "USLAX"), ("Long Beach", "USLGB")],
    "VN": [("Ho Chi Minh City", "VNSGN")], "FR": [("Le Havre", "FRLEH")], "IT": [("Genoa", "ITGOA")],
    "KR": [("Busan", "KRPUS")], "BR": [("Santos", "BRSSZ")], "NZ": [("Tauranga", "NZTRG")],
}
PORTS_CN = [("Shanghai", "CNSHA", "上海", "2248", "洋山海关"), ("Ningbo", "CNNGB", "宁波", "3104", "北仑海关"),
            ("Qingdao", "CNTAO", "青岛", "4218", "大港海关"), ("Shenzhen", "CNYTN", "深圳", "5316", "大鹏海关"),
            ("Tianjin", "CNTXG", "天津", "0202", "新港海关"), ("Xiamen", "CNXMN", "厦门", "3701", "东渡海关")]
CURRENCY = {"DE": "EUR", "FR": "EUR", "IT": "EUR", "JP": "JPY", "AU": "AUD", "US": "USD", "VN": "USD",
            "KR": "USD", "BR": "USD", "NZ": "USD"}
CUR_CN = {"USD": "美元", "EUR": "欧元", "JPY": "日元", "AUD": "澳大利亚元"}
GOODS = [  # description, Chinese, HS (10), unit EN, unit CN, unit price range, kg per unit
    ("Stainless steel ball bearings 6204-2RS", "不锈钢深沟球轴承", "8482100000", "PCS", "个", (1.2, 4.5), 0.11),
    ("Hydraulic excavator track rollers", "挖掘机液压支重轮", "8431499900", "SETS", "套", (85, 240), 38.0),
    ("Lithium-ion battery cells 3.7V 2600mAh", "锂离子电池电芯", "8507600090", "PCS", "个", (1.1, 2.9), 0.05),
    ("Frozen boneless beef, grade A", "冻去骨牛肉", "0202300090", "KGS", "千克", (4.8, 9.5), 1.0),
    ("Red wine, Bordeaux AOC, 750 ml bottles", "波尔多红葡萄酒", "2204210000", "BTLS", "瓶", (6, 28), 1.35),
    ("Cotton T-shirts, knitted, men's", "男式棉制针织T恤衫", "6109100021", "PCS", "件", (1.8, 4.2), 0.2),
    ("HDPE granules, injection grade", "高密度聚乙烯颗粒", "3901200001", "KGS", "千克", (0.9, 1.6), 1.0),
    ("Sawn oak timber, kiln dried, 27 mm", "烘干橡木锯材", "4407919000", "M3", "立方米", (520, 980), 720.0),
    ("Laptop computers, 14 inch", "笔记本电脑", "8471302000", "UNITS", "台", (310, 720), 2.1),
    ("Infant formula milk powder, 800 g tins", "婴幼儿配方奶粉", "1901101000", "TINS", "罐", (9, 16), 0.95),
    ("Automotive brake pads, ceramic", "汽车陶瓷刹车片", "8708301000", "SETS", "套", (6, 18), 1.4),
    ("Printed circuit boards, 6-layer", "六层印刷电路板", "8534009000", "PCS", "块", (2.5, 11), 0.08),
    ("Men's leather shoes", "男式皮鞋", "6403990090", "PAIRS", "双", (14, 45), 1.1),
    ("Extra virgin olive oil, 1 L bottles", "特级初榨橄榄油", "1509200000", "BTLS", "瓶", (4.5, 9), 1.05),
    ("Whole milk powder, 25 kg bags", "全脂奶粉", "0402210000", "KGS", "千克", (3.1, 4.4), 1.0),
    ("Soybeans, yellow, non-GM", "黄大豆", "1201900000", "KGS", "千克", (0.45, 0.62), 1.0),
]
VESSELS = ["MSC ARINA", "COSCO SHIPPING LEO", "EVER GIVEN", "ONE APUS", "MAERSK ESSEN", "CMA CGM MARCO POLO",
           "HMM ALGECIRAS", "YM WELLNESS", "OOCL HONG KONG", "HAPAG BERLIN EXPRESS"]
CARRIERS = [("MSCU", "MEDITERRANEAN SHIPPING COMPANY"), ("COSU", "COSCO SHIPPING LINES"),
            ("EGLV", "EVERGREEN MARINE"), ("ONEY", "OCEAN NETWORK EXPRESS"), ("MAEU", "MAERSK A/S"),
            ("CMDU", "CMA CGM"), ("HDMU", "HMM CO., LTD."), ("HLCU", "HAPAG-LLOYD AG")]
OWNERS = ["MSCU", "CSNU", "TGHU", "TCLU", "MRKU", "CMAU", "HMMU", "HLXU", "SEGU", "FCIU", "BMOU", "TRHU"]
INCOTERMS = ["CIF", "FOB", "CFR", "EXW", "DAP", "FCA", "CIP", "DDP"]
PACKAGES = [("CARTONS", "纸箱"), ("PALLETS", "托盘"), ("CASES", "木箱"), ("BAGS", "袋")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

# ---------------------------------------------------------------- check characters
ISO6346 = {c: v for c, v in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                [10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27,
                                 28, 29, 30, 31, 32, 34, 35, 36, 37, 38])}


def container_no(rng):
    owner = rng.choice(OWNERS)
    serial = "%06d" % rng.randrange(1000000)
    s = owner + serial
    total = sum((ISO6346[c] if c.isalpha() else int(c)) << i for i, c in enumerate(s))
    return s + str(total % 11 % 10)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(rng, region):
    org = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    w = [3, 7, 9, 10, 5, 8, 4, 2]
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * wi for c, wi in zip(org, w))
    c9 = 11 - s % 11
    org += "X" if c9 == 10 else "0" if c9 == 11 else str(c9)
    body = "91" + region + org
    s = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + USCC_CHARS[(31 - s % 31) % 31]


def iban(rng, country):
    lens = {"DE": 18, "FR": 23, "IT": 23}
    if country not in lens:
        return None
    if country == "IT":
        bban = rng.choice("ABCDEFGHIJ") + "".join(str(rng.randrange(10)) for _ in range(22))
    else:
        bban = "".join(str(rng.randrange(10)) for _ in range(lens[country]))
    num = "".join(str(int(c, 36)) for c in bban + country + "00")
    return "%s%02d%s" % (country, 98 - int(num) % 97, bban)


def group4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))

# ---------------------------------------------------------------- formatting
def fmt_amount(x, style="en", dec=2):
    s = "{:,.{d}f}".format(x, d=dec)
    if style == "eu":
        s = s.replace(",", "_").replace(".", ",").replace("_", ".")
    elif style == "plain":
        s = s.replace(",", "")
    return s


def fmt_date(iso, style):
    y, m, d = (int(p) for p in iso.split("-"))
    return {
        "iso": "%04d-%02d-%02d" % (y, m, d),
        "dmy": "%02d/%02d/%04d" % (d, m, y),
        "dmy.": "%02d.%02d.%04d" % (d, m, y),
        "long": "%d %s %d" % (d, MONTHS[m - 1], y),
        "us": "%s %d, %d" % (MONTHS[m - 1][:3] + ".", d, y),
        "dmon": "%02d-%s-%04d" % (d, MONTHS[m - 1][:3].upper(), y),
        "cn": "%04d年%02d月%02d日" % (y, m, d),
        "compact": "%04d%02d%02d" % (y, m, d),
    }[style]


def fmt_weight(kg, style):
    return {"kgs": fmt_amount(kg, "en", 3) + " KGS", "kg": fmt_amount(kg, "plain", 2) + " kg",
            "eu": fmt_amount(kg, "eu", 2) + " kg", "mt": "%.3f MT" % (kg / 1000.0)}[style]


def add_days(iso, n):
    import datetime
    return (datetime.date.fromisoformat(iso) + datetime.timedelta(days=n)).isoformat()

# ---------------------------------------------------------------- ground truth
def make_consignment(rng, cid, pin=None):
    """One consignment's ground truth: every value that any of its documents
    prints, in normalized form (what sc-parse should report). `pin` fixes some
    choices (seller, buyer, pod, currency, incoterm, goods, n_cont, date)."""
    pin = pin or {}
    pick = lambda key, pool, f: next(x for x in pool if f(x)) if key in pin else rng.choice(pool)
    s_name, s_addr, s_cc = pick("seller", SELLERS, lambda x: x[0] == pin["seller"])
    b_en, b_cn, b_addr, b_region = pick("buyer", BUYERS, lambda x: x[0] == pin["buyer"])
    d_cn, d_en = rng.choice(DECLARANTS)
    pol_name, pol = rng.choice(PORTS_FROM[s_cc])
    pod = pick("pod", PORTS_CN, lambda x: x[1] == pin["pod"])
    cur = CURRENCY[s_cc]
    if rng.random() < 0.3:
        cur = "USD"
    cur = pin.get("currency", cur)
    date = pin.get("date") or "2026-%02d-%02d" % (rng.randint(1, 10), rng.randint(1, 28))
    n_items = rng.choice([1, 2, 2, 3, 3, 4, 5])
    goods = rng.sample(GOODS, n_items)
    if "goods" in pin:
        goods = [g for name in pin["goods"] for g in GOODS if g[0] == name]
    items = []
    for g in goods:
        desc, desc_cn, hs, unit, unit_cn, (lo, hi), kgu = g
        price = round(rng.uniform(lo, hi), 2)
        # a line worth 4,000-60,000, in a round quantity
        qty = rng.uniform(4000, 60000) / price
        step = 10 ** max(0, int(math.log10(qty)) - 1)
        qty = max(1, int(round(qty / step) * step))
        if cur == "JPY":
            price = round(price * 150)
        amount = round(qty * price, 2)
        net = round(qty * kgu, 2)
        gross = round(net * rng.uniform(1.04, 1.12), 2)
        pk = max(1, int(net / rng.choice([18, 25, 40, 500])))
        items.append({"description": desc, "description_cn": desc_cn, "hs": hs, "qty": qty, "unit": unit,
                      "unit_cn": unit_cn, "unit_price": price, "amount": amount, "net_kg": net,
                      "gross_kg": gross, "packages": pk, "origin": s_cc})
    subtotal = round(sum(i["amount"] for i in items), 2)
    incoterm = pin.get("incoterm") or rng.choice(INCOTERMS)
    freight = insurance = 0.0
    if incoterm in ("CIF", "CFR", "CIP", "DAP", "DDP"):
        freight = round(subtotal * rng.uniform(0.02, 0.06), 2)
    if incoterm in ("CIF", "CIP", "DDP"):
        insurance = round(subtotal * 0.0011, 2)
    if cur == "JPY":
        freight, insurance = round(freight), round(insurance)
    total = round(subtotal + freight + insurance, 2)
    n_cont = pin.get("n_cont") or rng.choice([1, 1, 2, 2, 3])
    carrier = rng.choice(CARRIERS)
    pkg = rng.choice(PACKAGES)
    c = {
        "id": cid,
        "invoice_no": rng.choice(["INV", "CI", "EX", "RW"]) + "-%d-%05d" % (2026, rng.randrange(100000)),
        "contract_no": "PO%d%04d" % (2026, rng.randrange(10000)),
        "date": date,
        "ship_date": add_days(date, rng.randint(2, 9)),
        "coo_no": "CO%s%06d" % (s_cc, rng.randrange(10 ** 6)),
        "decl_date": None,
        "bl_no": carrier[0] + "%09d" % rng.randrange(10 ** 9),
        "carrier": carrier[1],
        "seller": {"name": s_name, "address": s_addr, "country": s_cc,
                   "iban": iban(rng, s_cc)},
        "buyer": {"name": b_en, "name_cn": b_cn, "address": b_addr, "country": "CN",
                  "uscc": uscc(rng, b_region)},
        "declarant": {"name": d_cn, "name_en": d_en, "uscc": uscc(rng, b_region)},
        "vessel": rng.choice(VESSELS), "voyage": "%03d%s" % (rng.randrange(1000), rng.choice("EWNS")),
        "port_loading": pol, "port_loading_name": pol_name,
        "port_discharge": pod[1], "port_discharge_name": pod[0], "port_cn": pod[2],
        "office_code": pod[3], "office_cn": pod[4],
        "origin": s_cc, "incoterm": incoterm, "currency": cur,
        "subtotal": subtotal, "freight": freight, "insurance": insurance, "total": total,
        "packages": sum(i["packages"] for i in items), "package_kind": pkg[0], "package_kind_cn": pkg[1],
        "gross_kg": round(sum(i["gross_kg"] for i in items), 2),
        "net_kg": round(sum(i["net_kg"] for i in items), 2),
        "containers": sorted(container_no(rng) for _ in range(n_cont)),
        "seals": ["%s%07d" % (rng.choice(["SL", "ML", "HS", ""]), rng.randrange(10 ** 7)) for _ in range(n_cont)],
        "pre_entry_no": "%s%d%09d" % (pod[3], 2026, rng.randrange(10 ** 9)),
        "customs_no": "%s%d%01d%08d" % (pod[3], 2026, 1, rng.randrange(10 ** 8)),
        "items": items,
    }
    c["decl_date"] = add_days(c["ship_date"], rng.randint(14, 30))
    c["arrival_date"] = add_days(c["ship_date"], rng.randint(12, 28))
    return c


def doc_truth(c, dtype, over=None, form="cn"):
    """The fields a document of this type shows, normalized (the evaluation's
    answer key). `over` holds planted disagreements: this document's own values."""
    o = over or {}
    g = lambda k: o.get(k, c[k])
    f = {}
    if dtype == "invoice":
        f = {"invoice_no": g("invoice_no"), "doc_no": g("invoice_no"), "date": g("date"),
             "seller": c["seller"]["name"], "buyer": c["buyer"]["name"], "currency": g("currency"),
             "total": g("total"), "incoterm": g("incoterm"), "origin": g("origin"),
             "port_loading": g("port_loading"), "port_discharge": g("port_discharge")}
        if c["freight"]:
            f["freight"] = c["freight"]
        if c["insurance"]:
            f["insurance"] = c["insurance"]
    elif dtype == "packing_list":
        f = {"invoice_no": g("invoice_no"), "date": g("date"), "seller": c["seller"]["name"],
             "buyer": c["buyer"]["name"], "packages": g("packages"), "gross_kg": g("gross_kg"),
             "net_kg": g("net_kg"), "containers": g("containers")}
    elif dtype == "bill_of_lading":
        f = {"bl_no": g("bl_no"), "doc_no": g("bl_no"), "date": g("ship_date"), "seller": c["seller"]["name"],
             "buyer": c["buyer"]["name"], "vessel": g("vessel"), "voyage": g("voyage"),
             "port_loading": g("port_loading"), "port_discharge": g("port_discharge"),
             "packages": g("packages"), "gross_kg": g("gross_kg"), "containers": g("containers"),
             "seals": g("seals"), "invoice_no": g("invoice_no")}
    elif dtype == "customs_declaration":
        f = {"doc_no": g("customs_no"), "customs_no": g("customs_no"), "pre_entry_no": g("pre_entry_no"),
             "date": g("decl_date"), "buyer": c["buyer"]["name_cn"], "buyer_id": c["buyer"]["uscc"],
             "seller": c["seller"]["name"], "declarant": c["declarant"]["name"],
             "bl_no": g("bl_no"), "contract_no": g("contract_no"), "incoterm": g("incoterm"),
             "currency": g("currency"), "total": g("total"), "packages": g("packages"),
             "gross_kg": g("gross_kg"), "net_kg": g("net_kg"), "origin": g("origin"),
             "port_loading": g("port_loading"), "containers": g("containers"), "vessel": g("vessel"),
             "voyage": g("voyage"), "invoice_no": g("invoice_no")}
        if form == "en":  # the English entry form: names in English, no pre-entry number
            f["buyer"] = c["buyer"]["name"]
            f["declarant"] = c["declarant"]["name_en"]
            for k in ("pre_entry_no", "contract_no"):
                f.pop(k, None)
    elif dtype == "certificate_of_origin":
        f = {"doc_no": g("coo_no"),
             "seller": c["seller"]["name"], "buyer": c["buyer"]["name"], "origin": g("origin"),
             "invoice_no": g("invoice_no"), "vessel": g("vessel"), "port_loading": g("port_loading"),
             "port_discharge": g("port_discharge"), "gross_kg": g("gross_kg")}
    items = [{k: it[k] for k in ("description", "hs", "qty", "unit", "unit_price", "amount", "net_kg", "gross_kg")}
             for it in o.get("items", c["items"])]
    return {"type": dtype, "fields": f, "items": items}

# ---------------------------------------------------------------- canvases
class Raster:
    """A page drawn with PIL, in millimetres from the top-left corner."""

    def __init__(self, dpi, family):
        self.dpi = dpi
        self.family = family
        self.img = Image.new("L", (round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)), 255)
        self.d = ImageDraw.Draw(self.img)
        self.cache = {}

    def px(self, mm):
        return mm / 25.4 * self.dpi

    def font(self, pt, bold, family=None):
        fam = family or self.family
        key = (fam, round(pt * 4), bold)
        if key not in self.cache:
            self.cache[key] = ImageFont.truetype(os.path.join(FONTDIR, FONTS[fam][1 if bold else 0]),
                                                 max(6, round(pt * self.dpi / 72.0)))
        return self.cache[key]

    def width(self, s, pt, bold=False, family=None):
        if any(ord(ch) > 0x2e7f for ch in s):
            family = "cjk"
        return self.d.textlength(s, font=self.font(pt, bold, family)) * 25.4 / self.dpi

    def text(self, x, y, s, pt=10, bold=False, align="left", family=None):
        if any(ord(ch) > 0x2e7f for ch in s):
            family = "cjk"
        if align == "right":
            x -= self.width(s, pt, bold, family)
        elif align == "center":
            x -= self.width(s, pt, bold, family) / 2
        self.d.text((self.px(x), self.px(y)), s, fill=0, font=self.font(pt, bold, family))

    def line(self, x1, y1, x2, y2, w=0.3):
        self.d.line([(self.px(x1), self.px(y1)), (self.px(x2), self.px(y2))], fill=0,
                    width=max(1, round(self.px(w))))

    def rect(self, x, y, w, h, lw=0.3):
        self.d.rectangle([self.px(x), self.px(y), self.px(x + w), self.px(y + h)], outline=0,
                         width=max(1, round(self.px(lw))))


HELV = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278] + [556] * 10 + \
    [278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
     722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556,
     556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556,
     500, 722, 500, 500, 500, 334, 260, 334, 584]
HELVB = [278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278] + [556] * 10 + \
    [333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
     722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556,
     611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611,
     556, 778, 556, 556, 500, 389, 280, 389, 584]


class PdfPage:
    """A page of a born-digital PDF with a real text layer (Helvetica, WinAnsi)."""

    def __init__(self):
        self.ops = []

    @staticmethod
    def width(s, pt, bold=False, family=None):
        t = HELVB if bold else HELV
        return sum(t[ord(ch) - 32] if 32 <= ord(ch) < 127 else 556 for ch in s) * pt / 1000.0 * 25.4 / 72

    def text(self, x, y, s, pt=10, bold=False, align="left", family=None):
        if align == "right":
            x -= self.width(s, pt, bold)
        elif align == "center":
            x -= self.width(s, pt, bold) / 2
        esc = s.encode("cp1252", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        X = x * 72 / 25.4
        Y = (A4_MM[1] - y) * 72 / 25.4 - pt * 0.9  # PIL draws from the top, PDF from the baseline
        self.ops.append(b"BT /%s %.1f Tf %.2f %.2f Td (%s) Tj ET" % (b"F2" if bold else b"F1", pt, X, Y, esc))

    def line(self, x1, y1, x2, y2, w=0.3):
        k = 72 / 25.4
        self.ops.append(b"%.2f w %.2f %.2f m %.2f %.2f l S" % (w * k, x1 * k, (A4_MM[1] - y1) * k,
                                                           x2 * k, (A4_MM[1] - y2) * k))

    def rect(self, x, y, w, h, lw=0.3):
        k = 72 / 25.4
        self.ops.append(b"%.2f w %.2f %.2f %.2f %.2f re S" % (lw * k, x * k, (A4_MM[1] - y - h) * k, w * k, h * k))


def write_pdf(pages, path, title):
    objs = []  # 1-based object bodies

    def add(body):
        objs.append(body)
        return len(objs)
    catalog = add(None)
    pages_id = add(None)
    f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    f2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for p in pages:
        stream = b"\n".join(p.ops)
        cid = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>"
                        % (pages_id, f1, f2, cid)))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info = add(b"<< /Title (%s) /Producer (smart-customs gen-docs.py) >>" % title.encode())
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, body in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, catalog, info, xref)
    with open(path, "wb") as fp:
        fp.write(out)

# ---------------------------------------------------------------- layouts
def wrap(cv, s, pt, width_mm, bold=False):
    words, lines, cur = s.split(), [], ""
    for w in words:
        t = (cur + " " + w).strip()
        if cur and cv.width(t, pt, bold) > width_mm:
            lines.append(cur)
            cur = w
        else:
            cur = t
    if cur:
        lines.append(cur)
    return lines


def block(cv, x, y, label, lines, pt=9.5, lpt=8, width=85, box=False):
    if box:
        cv.rect(x - 2, y - 1.5, width + 2, 6 + 4.6 * len(lines))
    cv.text(x, y, label, lpt, bold=True)
    yy = y + 4.8
    for ln in lines:
        cv.text(x, yy, ln, pt)
        yy += 4.6
    return yy + 2


def party_lines(p, cn=False):
    cc = COUNTRIES[p["country"]][0]
    return [p["name"], p["address"], cc.upper()]


def table(cv, x, y, cols, rows, pt=8.5, hpt=8, grid=True, row_h=6.2):
    """cols: [(header, width_mm, align)], rows: [[str]]; returns the y below."""
    total_w = sum(c[1] for c in cols)
    hdr_lines = max(len(c[0].split("\n")) for c in cols)
    hh = 4 * hdr_lines + 3
    if grid:
        cv.rect(x, y, total_w, hh + row_h * len(rows) + 1)
        cv.line(x, y + hh, x + total_w, y + hh)
    else:
        cv.line(x, y, x + total_w, y, 0.4)
        cv.line(x, y + hh, x + total_w, y + hh, 0.4)
    xx = x
    for head, w, al in cols:
        for k, hl in enumerate(head.split("\n")):
            tx = xx + 1.5 if al == "left" else xx + w - 1.5
            cv.text(tx, y + 1.5 + 4 * k, hl, hpt, bold=True, align="left" if al == "left" else "right")
        if grid and xx > x:
            cv.line(xx, y, xx, y + hh + row_h * len(rows) + 1)
        xx += w
    yy = y + hh + 1.5
    for r in rows:
        xx = x
        for (head, w, al), cell in zip(cols, r):
            # a cell's text is set smaller until it fits between the rules, as
            # word processors and invoicing software do ("shrink to fit"):
            # printed text does not run across a table's rules
            cpt = pt
            while cpt > 5 and cv.width(cell, cpt) > w - 3:
                cpt -= 0.5
            if al == "left":
                cv.text(xx + 1.5, yy, cell, cpt)
            else:
                cv.text(xx + w - 1.5, yy, cell, cpt, align="right")
            xx += w
        yy += row_h
    if not grid:
        cv.line(x, yy, x + total_w, yy, 0.4)
    return yy + 2


def money(c, x, style):
    dec = 0 if c["currency"] == "JPY" else 2
    return fmt_amount(x, style, dec)


# An invoice's words in the languages of --layouts many (general trade
# vocabulary, English as the templates always had it).
INV_WORDS = {
    "en": {"title0": "COMMERCIAL INVOICE", "title1": "INVOICE", "no": "Invoice No.:", "date": "Invoice Date:",
           "contract": "Contract No.:", "terms": "Terms of Delivery:", "origin": "Country of Origin:",
           "buyer": "Bill To / Buyer:", "pol": "Port of Loading:", "pod": "Port of Discharge:",
           "vessel": "Vessel / Voyage:", "pay": "Payment: T/T 30 days after B/L date", "seller1": "SELLER / EXPORTER",
           "buyer1": "BUYER / IMPORTER", "no1": "INVOICE NUMBER", "date1": "DATE", "cur1": "CURRENCY",
           "terms1": "INCOTERMS 2020", "from1": "FROM", "to1": "TO", "origin1": "ORIGIN OF GOODS",
           "ref1": "ORDER REF.", "cols": ["No.", "Description of Goods", "HS Code", "Quantity", "Unit", "Unit Price",
                                        "Amount"], "sub": "Subtotal:", "freight": "Freight:",
           "ins": "Insurance:", "total0": "TOTAL %s: ", "total1": "Total Amount:", "vat": "VAT summary",
           "vat_cols": ["Rate", "Net", "VAT", "Gross"]},
    "de": {"title0": "HANDELSRECHNUNG", "title1": "RECHNUNG", "no": "Rechnungsnummer:", "date": "Rechnungsdatum:",
           "contract": "Auftragsnummer:", "terms": "Lieferbedingungen:", "origin": "Ursprungsland:",
           "buyer": "Rechnungsempfänger / Käufer:", "pol": "Verladehafen:", "pod": "Bestimmungshafen:",
           "vessel": "Schiff / Reise:", "pay": "Zahlung: 30 Tage nach B/L-Datum", "seller1": "VERKÄUFER / EXPORTEUR",
           "buyer1": "KÄUFER / IMPORTEUR", "no1": "RECHNUNG NR.", "date1": "DATUM", "cur1": "WÄHRUNG",
           "terms1": "INCOTERMS 2020", "from1": "VON", "to1": "NACH", "origin1": "URSPRUNG DER WARE",
           "ref1": "BESTELLUNG", "cols": ["Pos.", "Warenbeschreibung", "Zolltarifnr.", "Menge", "Einheit",
                                        "Einzelpreis", "Betrag"], "sub": "Zwischensumme:", "freight": "Fracht:",
           "ins": "Versicherung:", "total0": "GESAMTBETRAG %s: ", "total1": "Gesamtbetrag:", "vat": "MwSt.-Übersicht",
           "vat_cols": ["Satz", "Netto", "MwSt.", "Brutto"]},
    "fr": {"title0": "FACTURE COMMERCIALE", "title1": "FACTURE", "no": "Facture N°:", "date": "Date de facture:",
           "contract": "N° de commande:", "terms": "Conditions de livraison:", "origin": "Pays d'origine:",
           "buyer": "Facturé à / Acheteur:", "pol": "Port de chargement:", "pod": "Port de déchargement:",
           "vessel": "Navire / Voyage:", "pay": "Paiement: 30 jours après la date du B/L",
           "seller1": "VENDEUR / EXPORTATEUR", "buyer1": "ACHETEUR / IMPORTATEUR", "no1": "NUMÉRO DE FACTURE",
           "date1": "DATE", "cur1": "DEVISE", "terms1": "INCOTERMS 2020", "from1": "DE", "to1": "À",
           "origin1": "ORIGINE DES MARCHANDISES", "ref1": "RÉF. COMMANDE",
           "cols": ["N°", "Désignation des marchandises", "Code SH", "Quantité", "Unité", "Prix unitaire",
                    "Montant"], "sub": "Sous-total:", "freight": "Fret:", "ins": "Assurance:",
           "total0": "TOTAL %s: ", "total1": "Montant total:", "vat": "Récapitulatif TVA",
           "vat_cols": ["Taux", "HT", "TVA", "TTC"]},
    "nl": {"title0": "HANDELSFACTUUR", "title1": "FACTUUR", "no": "Factuurnummer:", "date": "Factuurdatum:",
           "contract": "Ordernummer:", "terms": "Leveringsvoorwaarden:", "origin": "Land van oorsprong:",
           "buyer": "Factuuradres / Koper:", "pol": "Laadhaven:", "pod": "Loshaven:", "vessel": "Schip / Reis:",
           "pay": "Betaling: 30 dagen na B/L-datum", "seller1": "VERKOPER / EXPORTEUR", "buyer1": "KOPER / IMPORTEUR",
           "no1": "FACTUURNUMMER", "date1": "DATUM", "cur1": "VALUTA", "terms1": "INCOTERMS 2020", "from1": "VAN",
           "to1": "NAAR", "origin1": "OORSPRONG GOEDEREN", "ref1": "ORDERREF.",
           "cols": ["Nr.", "Omschrijving goederen", "GS-code", "Aantal", "Eenheid", "Stukprijs", "Bedrag"],
           "sub": "Subtotaal:", "freight": "Vracht:", "ins": "Verzekering:", "total0": "TOTAAL %s: ",
           "total1": "Totaalbedrag:", "vat": "BTW-overzicht", "vat_cols": ["Tarief", "Netto", "BTW", "Bruto"]},
    "es": {"title0": "FACTURA COMERCIAL", "title1": "FACTURA", "no": "Factura N.º:", "date": "Fecha de factura:",
           "contract": "N.º de pedido:", "terms": "Condiciones de entrega:", "origin": "País de origen:",
           "buyer": "Facturar a / Comprador:", "pol": "Puerto de carga:", "pod": "Puerto de descarga:",
           "vessel": "Buque / Viaje:", "pay": "Pago: 30 días después de la fecha del B/L",
           "seller1": "VENDEDOR / EXPORTADOR", "buyer1": "COMPRADOR / IMPORTADOR", "no1": "NÚMERO DE FACTURA",
           "date1": "FECHA", "cur1": "MONEDA", "terms1": "INCOTERMS 2020", "from1": "DE", "to1": "A",
           "origin1": "ORIGEN DE LA MERCANCÍA", "ref1": "REF. PEDIDO",
           "cols": ["N.º", "Descripción de la mercancía", "Código SA", "Cantidad", "Unidad", "Precio unitario",
                    "Importe"], "sub": "Subtotal:", "freight": "Flete:", "ins": "Seguro:", "total0": "TOTAL %s: ",
           "total1": "Importe total:", "vat": "Resumen de IVA", "vat_cols": ["Tipo", "Base", "IVA", "Total"]},
}


def render_invoice(cv, c, t, L):
    """Commercial invoice. L: layout dict (variant, date style, number style;
    with --layouts many also lang, glue: labels glued to their values, and
    taxsum: a VAT summary under the total)."""
    v, ns = L["variant"], L["num"]
    W = INV_WORDS[L.get("lang", "en")]
    glue = L.get("glue", False)
    s, b = c["seller"], c["buyer"]
    f = t["fields"]
    if v == 0:  # seller letterhead, title right, label: value pairs
        cv.text(15, 14, s["name"], 14, bold=True)
        cv.text(15, 21, s["address"] + ", " + COUNTRIES[s["country"]][0], 9)
        cv.text(195, 32, W["title0"], 16, bold=True, align="right")
        y = 44
        for lab, val in [(W["no"], f["invoice_no"]), (W["date"], fmt_date(f["date"], L["date"])),
                         (W["contract"], c["contract_no"]), (W["terms"],
                                                            f["incoterm"] + " " + c["port_discharge_name"]),
                         (W["origin"], COUNTRIES[f["origin"]][0])]:
            if glue:
                cv.text(120, y, lab.replace(" ", "") + val, 9)
            else:
                cv.text(120, y, lab, 9, bold=True)
                cv.text(156, y, val, 9)
            y += 5.2
        block(cv, 15, 44, W["buyer"], party_lines(b), width=90)
        y = 78
        cv.text(15, y, "%s %s, %s" % (W["pol"], c["port_loading_name"], COUNTRIES[s["country"]][0]), 9)
        cv.text(110, y, "%s %s, China" % (W["pod"], c["port_discharge_name"]), 9)
        cv.text(15, y + 5.2, "%s %s / %s" % (W["vessel"], c["vessel"], c["voyage"]), 9)
        cv.text(110, y + 5.2, W["pay"], 9)
        y += 14
    else:  # centred title, boxed parties, details grid: values under their header cells
        cv.text(105, 12, W["title1"], 18, bold=True, align="center")
        block(cv, 17, 26, W["seller1"], party_lines(s), box=True, width=82)
        block(cv, 111, 26, W["buyer1"], party_lines(b), box=True, width=82)
        y = 56
        grid = [(W["no1"], f["invoice_no"]), (W["date1"], fmt_date(f["date"], L["date"])),
                (W["cur1"], f["currency"]), (W["terms1"], f["incoterm"] + " " + c["port_discharge_name"]),
                (W["from1"], c["port_loading_name"]), (W["to1"], c["port_discharge_name"] + ", CHINA"),
                (W["origin1"], COUNTRIES[f["origin"]][0].upper()), (W["ref1"], c["contract_no"])]
        for k, (lab, val) in enumerate(grid):
            gx, gy = 15 + (k % 4) * 45, y + (k // 4) * 12
            cv.rect(gx, gy, 45, 12)
            if glue:  # the label and its value on one line, glued
                cv.text(gx + 1.5, gy + 4, lab.replace(" ", "") + ":" + val, 7)
            else:
                cv.text(gx + 1.5, gy + 1.2, lab, 6.5, bold=True)
                cv.text(gx + 1.5, gy + 6, val, 8.5)
        y += 30
    cur = f["currency"]
    C = W["cols"]
    cols = [(C[0], 9, "right"), (C[1], 66, "left"), (C[2], 22, "left"),
            (C[3], 20, "right"), (C[4], 13, "left"), (C[5] + "\n" + cur, 22, "right"),
            (C[6] + "\n" + cur, 28, "right")]
    rows = []
    for k, it in enumerate(t["items"], 1):
        hs = it["hs"][:8] if L["hs8"] else it["hs"]
        if L["hsdot"]:
            hs = hs[:4] + "." + hs[4:6] + "." + hs[6:]
        rows.append([str(k), it["description"][:40], hs, fmt_amount(it["qty"], ns, 0), it["unit"],
                     money(c, it["unit_price"], ns) if cur != "JPY" else fmt_amount(it["unit_price"], ns, 0),
                     money(c, it["amount"], ns)])
    y = table(cv, 15, y, cols, rows, grid=(v == 1))
    y += 2
    lines = [(W["sub"], c["subtotal"])]
    if c["freight"]:
        lines.append((W["freight"], c["freight"]))
    if c["insurance"]:
        lines.append((W["ins"], c["insurance"]))
    for lab, val in lines:
        cv.text(160, y, lab, 9, align="right")
        cv.text(195, y, money(c, val, ns), 9, align="right")
        y += 5.2
    cv.line(130, y, 195, y, 0.4)
    y += 1.5
    sym = {"USD": "US$", "EUR": "EUR", "JPY": "JPY", "AUD": "AUD"}[cur] if L["sym"] else cur
    cv.text(160, y, W["total0"] % ({"CIF": "CIF", "CFR": "CFR"}.get(f["incoterm"], "")).strip()
            if v == 0 else W["total1"], 10, bold=True, align="right")
    cv.text(195, y, "%s %s" % (sym, money(c, f["total"], ns)), 10, bold=True, align="right")
    y += 12
    if L.get("taxsum"):  # a VAT summary under the total (export: zero-rated)
        cv.text(120, y - 4, W["vat"], 8, bold=True)
        for k, (lab, val) in enumerate(zip(W["vat_cols"], ["0%", money(c, f["total"], ns), money(c, 0, ns),
                                                           money(c, f["total"], ns)])):
            cv.text(135 + k * 16, y + 0.5, lab, 7, align="right")
            cv.text(135 + k * 16, y + 4.5, val, 7, align="right")
        y += 10
    cv.text(15, y, "Total packages: %d %s" % (c["packages"], c["package_kind"]), 9)
    cv.text(15, y + 5, "Total net weight: %s   Total gross weight: %s" % (
        fmt_weight(c["net_kg"], L["wt"]), fmt_weight(c["gross_kg"], L["wt"])), 9)
    y += 14
    if s.get("iban"):
        cv.text(15, y, "Bank details: IBAN %s" % group4(s["iban"]), 9)
        y += 5
    cv.text(15, y, "We hereby certify that this invoice is true and correct.", 9)
    cv.text(140, y + 20, "For and on behalf of", 8)
    cv.text(140, y + 25, s["name"], 8, bold=True)
    cv.line(140, y + 38, 195, y + 38)
    cv.text(140, y + 39.5, "Authorized Signature", 7.5)


def render_packing(cv, c, t, L, page=None, npages=1):
    v, ns = L["variant"], L["num"]
    s, b = c["seller"], c["buyer"]
    f = t["fields"]
    items = t["items"]
    if page is not None:  # split the item table across pages
        per = max(1, math.ceil(len(items) / npages))
        items_p = items[page * per:(page + 1) * per]
    else:
        items_p = items
    first = page in (None, 0)
    last = page is None or page == npages - 1
    if v == 0:
        cv.text(105, 14, "PACKING LIST", 17, bold=True, align="center")
        if npages > 1:
            cv.text(195, 14, "Page %d of %d" % (page + 1, npages), 8, align="right")
        y = 26
        if first:
            block(cv, 15, y, "Shipper:", party_lines(s))
            block(cv, 15, y + 26, "Consignee:", party_lines(b))
            for k, (lab, val) in enumerate([("P/L Date:", fmt_date(f["date"], L["date"])),
                                            ("Invoice No.:", f["invoice_no"]), ("Order No.:", c["contract_no"]),
                                            ("Vessel:", c["vessel"] + " V." + c["voyage"]),
                                            ("From:", c["port_loading_name"]), ("To:", c["port_discharge_name"])]):
                cv.text(118, y + 5.2 * k, lab, 9, bold=True)
                cv.text(145, y + 5.2 * k, val, 9)
            y += 56
        else:
            cv.text(15, y, "Invoice No.: %s (continued)" % f["invoice_no"], 9)
            y += 10
    else:
        cv.text(15, 14, s["name"].upper(), 13, bold=True)
        cv.text(15, 20, s["address"], 8.5)
        cv.line(15, 25, 195, 25, 0.6)
        cv.text(15, 29, "PACKING LIST / WEIGHT NOTE", 14, bold=True)
        if npages > 1:
            cv.text(195, 29, "Page %d/%d" % (page + 1, npages), 8, align="right")
        y = 40
        if first:
            block(cv, 15, y, "SOLD TO", party_lines(b), box=True, width=88)
            cv.text(112, y, "INVOICE NO. " + f["invoice_no"], 9, bold=True)
            cv.text(112, y + 5.5, "DATE " + fmt_date(f["date"], L["date"]), 9)
            cv.text(112, y + 11, "SHIPPED PER " + c["vessel"], 9)
            cv.text(112, y + 16.5, "PORT OF LOADING " + c["port_loading_name"].upper(), 9)
            cv.text(112, y + 22, "PORT OF DISCHARGE " + c["port_discharge_name"].upper(), 9)
            y += 34
        else:
            cv.text(15, y, "INVOICE NO. %s - continued" % f["invoice_no"], 9)
            y += 10
    cols = [("Item", 10, "right"), ("Description", 62, "left"), ("Packages", 20, "right"),
            ("Quantity", 24, "right"), ("Unit", 14, "left"), ("Net Weight\n(kg)", 25, "right"),
            ("Gross Weight\n(kg)", 25, "right")]
    base = items.index(items_p[0]) if items_p else 0
    rows = [[str(base + k + 1), it["description"][:38], str(c["items"][base + k]["packages"]),
             fmt_amount(it["qty"], ns, 0), it["unit"], fmt_amount(it["net_kg"], ns, 2),
             fmt_amount(it["gross_kg"], ns, 2)] for k, it in enumerate(items_p)]
    y = table(cv, 15, y, cols, rows, grid=(v == 1))
    if last:
        y += 4
        cv.text(15, y, "TOTAL:", 10, bold=True)
        cv.text(45, y, "%d %s" % (f["packages"], c["package_kind"]), 10, bold=True)
        y += 7
        cv.text(15, y, "Total Net Weight:", 9.5, bold=True)
        cv.text(60, y, fmt_weight(f["net_kg"], L["wt"]), 9.5)
        cv.text(105, y, "Total Gross Weight:", 9.5, bold=True)
        cv.text(150, y, fmt_weight(f["gross_kg"], L["wt"]), 9.5)
        y += 10
        cv.text(15, y, "Container / Seal No.:", 9.5, bold=True)
        for k, (cn, sl) in enumerate(zip(f["containers"], c["seals"])):
            cv.text(60, y + 5 * k, "%s / %s" % (cn, sl), 9.5)
        y += 5 * len(f["containers"]) + 8
        cv.text(15, y, "Shipping marks: N/M", 9)


def render_bl(cv, c, t, L):
    if L.get("variant") == 1:
        return render_waybill(cv, c, t, L)
    f = t["fields"]
    s, b = c["seller"], c["buyer"]
    cv.rect(12, 10, 186, 270, 0.5)
    cv.line(105, 10, 105, 108)
    block(cv, 15, 12, "Shipper", party_lines(s), pt=9)
    cv.line(12, 40, 105, 40)
    block(cv, 15, 42, "Consignee", [b["name"], b["address"], "CHINA", "USCC " + b["uscc"]], pt=9)
    cv.line(12, 72, 105, 72)
    block(cv, 15, 74, "Notify Party", ["SAME AS CONSIGNEE"], pt=9)
    cv.text(108, 13, "BILL OF LADING", 16, bold=True)
    cv.text(108, 20, "FOR PORT-TO-PORT OR COMBINED TRANSPORT", 7)
    cv.text(108, 28, "B/L No.", 8, bold=True)
    cv.text(130, 28, f["bl_no"], 11, bold=True)
    cv.text(108, 36, c["carrier"], 11, bold=True)
    cv.text(108, 44, "Booking No.: BK%08d" % (int(hashlib.sha1(f["bl_no"].encode()).hexdigest(), 16) % 10 ** 8), 8)
    cv.line(12, 84, 198, 84)
    for k, (lab, val) in enumerate([("Vessel", f["vessel"]), ("Voyage No.", f["voyage"]),
                                    ("Port of Loading", c["port_loading_name"].upper() + ", " +
                                     COUNTRIES[s["country"]][0].upper()),
                                    ("Port of Discharge", c["port_discharge_name"].upper() + ", CHINA")]):
        x = 15 + (k % 2) * 93
        yy = 86 + (k // 2) * 11
        cv.text(x, yy, lab, 7.5, bold=True)
        cv.text(x, yy + 4.2, val, 9)
    cv.line(12, 108, 198, 108)
    cols = [("Container No. / Seal No.", 52, "left"), ("No. of Pkgs", 22, "right"),
            ("Description of Goods", 70, "left"), ("Gross Weight", 30, "right")]
    rows = []
    desc = [it["description"][:34] for it in t["items"]]
    for k, cn in enumerate(f["containers"]):
        rows.append(["%s / %s" % (cn, f["seals"][k]), "", desc[k] if k < len(desc) else "", ""])
    for d in desc[len(f["containers"]):]:
        rows.append(["", "", d, ""])
    rows.append(["", "%d %s" % (f["packages"], c["package_kind"]), "SAID TO CONTAIN", fmt_weight(f["gross_kg"], L["wt"])])
    rows.append(["", "", "INVOICE NO. " + f["invoice_no"], ""])
    rows.append(["", "", "FREIGHT %s" % ("PREPAID" if c["incoterm"] in ("CIF", "CFR", "CIP", "DAP", "DDP")
                                         else "COLLECT"), ""])
    y = table(cv, 14, 110, cols, rows, grid=False)
    y = max(y + 6, 200)
    cv.text(15, y, "SHIPPED on board in apparent good order and condition.", 8)
    cv.text(15, y + 12, "Place and Date of Issue:", 8, bold=True)
    cv.text(15, y + 17, "%s, %s" % (c["port_loading_name"].upper(), fmt_date(f["date"], L["date"])), 9)
    cv.text(110, y + 12, "Shipped on Board Date:", 8, bold=True)
    cv.text(110, y + 17, fmt_date(f["date"], L["date"]), 9)
    cv.text(110, y + 28, "Number of original B/Ls: THREE (3)", 8)
    cv.text(110, y + 45, "As Carrier: " + c["carrier"], 8)


def render_cn_decl(cv, c, t, L):
    """中华人民共和国海关进口货物报关单: the numbered boxes in a grid."""
    f = t["fields"]
    ns = "en"
    cv.text(105, 10, "中华人民共和国海关进口货物报关单", 15, bold=True, align="center")
    cv.text(12, 20, "预录入编号：" + f["pre_entry_no"], 8.5)
    cv.text(112, 20, "海关编号：" + f["customs_no"], 8.5)
    cv.text(178, 20, "页码/页数：1/1", 8)
    X0, W = 12, 186
    rows = [
        [("境内收货人", c["buyer"]["name_cn"] + " " + c["buyer"]["uscc"], 2), ("进境关别", c["office_cn"] + " " +
                                                                                 c["office_code"], 1),
         ("进口日期", fmt_date(c["arrival_date"], "compact"), 1), ("申报日期", fmt_date(f["date"], "compact"), 1),
         ("备案号", "", 1)],
        [("境外发货人", c["seller"]["name"], 2), ("运输方式", "水路运输", 1),
         ("运输工具名称及航次号", f["vessel"] + "/" + f["voyage"], 2), ("提运单号", f["bl_no"], 1)],
        [("消费使用单位", c["buyer"]["name_cn"], 2), ("监管方式", "一般贸易", 1), ("征免性质", "一般征税", 1),
         ("许可证号", "", 1), ("启运港", c["port_loading_name"], 1)],
        [("合同协议号", f["contract_no"], 2), ("贸易国（地区）", COUNTRIES[c["seller"]["country"]][1], 1),
         ("启运国（地区）", COUNTRIES[c["seller"]["country"]][1], 1), ("经停港", "", 1),
         ("入境口岸", c["port_cn"], 1)],
        [("包装种类", c["package_kind_cn"], 1), ("件数", str(f["packages"]), 1),
         ("毛重(千克)", fmt_amount(f["gross_kg"], "plain", 2), 1), ("净重(千克)", fmt_amount(f["net_kg"], "plain", 2), 1),
         ("成交方式", {"CFR": "C&F"}.get(f["incoterm"], f["incoterm"]), 1),
         ("运费", ("%s/%s/3" % (CUR_CN[f["currency"]], fmt_amount(c["freight"], "plain", 2))) if c["freight"] else "", 1)],
        [("保费", ("%s/%s/3" % (CUR_CN[f["currency"]], fmt_amount(c["insurance"], "plain", 2)))
          if c["insurance"] else "", 1), ("杂费", "", 1),
         ("随附单证", "发票 " + f["invoice_no"] + "；装箱单", 4)],
        [("标记唛码及备注", "集装箱号：" + "，".join(f["containers"]) + "  N/M", 6)],
    ]
    y = 24
    rh = 11
    for r in rows:
        units = sum(u for _, _, u in r)
        x = X0
        for lab, val, u in r:
            w = W * u / units
            cv.rect(x, y, w, rh)
            cv.text(x + 1.2, y + 1, lab, 7)
            pt = 8.5
            while pt > 5 and cv.width(val, pt) > w - 2.5:
                pt -= 0.5
            cv.text(x + 1.2, y + 5.3, val, pt)
            x += w
        y += rh
    # goods table
    cols = [("项号", 9), ("商品编号", 22), ("商品名称及规格型号", 49), ("数量及单位", 24), ("单价/总价/币制", 30),
            ("原产国(地区)", 17), ("最终目的国(地区)", 21), ("征免", 14)]
    cv.rect(X0, y, W, 8)
    x = X0
    for lab, w in cols:
        cv.text(x + 1, y + 2, lab, 6.8)
        x += w
    y += 8
    for k, it in enumerate(t["items"], 1):
        x = X0
        cells = [
            "%02d" % k, it["hs"], c["items"][k - 1]["description_cn"],
            "%s%s" % (fmt_amount(it["qty"], "plain", 0), c["items"][k - 1]["unit_cn"]),
            fmt_amount(it["unit_price"], "plain", 4 if c["currency"] != "JPY" else 0),
            "%s" % CUR_CN[c["currency"]] and COUNTRIES[it.get("origin", c["origin"])][1] if False else
            COUNTRIES[c["items"][k - 1]["origin"]][1], "中国", "照章征税"]
        cells2 = ["", "", it["description"][:30], "%s千克" % fmt_amount(it["net_kg"], "plain", 2),
                  fmt_amount(it["amount"], "plain", 2 if c["currency"] != "JPY" else 0), "", "", ""]
        cells3 = ["", "", "", "", CUR_CN[c["currency"]], "", "", ""]
        cv.rect(X0, y, W, 15)
        for (lab, w), a, b2, c3 in zip(cols, cells, cells2, cells3):
            cv.text(x + 1, y + 1, a, 7.5)
            if b2:
                cv.text(x + 1, y + 5.5, b2, 7)
            if c3:
                cv.text(x + 1, y + 10, c3, 7)
            x += w
        y += 15
    y += 4
    cv.text(12, y, "总价合计：%s %s" % (CUR_CN[f["currency"]], fmt_amount(f["total"], "en", 2)), 9, bold=True)
    y += 8
    cv.text(12, y, "报关人员：王明  报关人员证号：%08d" % (int(f["pre_entry_no"][-6:]) * 7 % 10 ** 8), 8)
    cv.text(12, y + 6, "申报单位：" + c["declarant"]["name"] + " " + c["declarant"]["uscc"], 8.5)
    cv.text(12, y + 12, "兹申明对以上内容承担如实申报、依法纳税之法律责任", 8)
    cv.text(140, y + 6, "海关批注及签章", 8)
    cv.rect(138, y + 3, 60, 24)


def render_waybill(cv, c, t, L):
    """A sea waybill: carrier letterhead, label: value lines, parties in boxes."""
    f = t["fields"]
    s, b = c["seller"], c["buyer"]
    cv.text(15, 12, c["carrier"], 13, bold=True)
    cv.text(195, 12, "SEA WAYBILL", 15, bold=True, align="right")
    cv.text(195, 19, "Non-negotiable", 8, align="right")
    cv.line(15, 24, 195, 24, 0.6)
    y = 30
    for lab, val in [("Waybill No.:", f["bl_no"]), ("Date of Issue:", fmt_date(f["date"], L["date"])),
                     ("Ocean Vessel:", f["vessel"]), ("Voyage:", f["voyage"]),
                     ("Port of Loading:", c["port_loading_name"]), ("Port of Discharge:", c["port_discharge_name"])]:
        cv.text(120, y, lab, 8.5, bold=True)
        cv.text(152, y, val, 9)
        y += 5.5
    block(cv, 17, 30, "Shipper", party_lines(s), box=True, width=90)
    block(cv, 17, 58, "Consignee", [b["name"], b["address"], "CHINA"], box=True, width=90)
    block(cv, 17, 86, "Notify Party", ["SAME AS CONSIGNEE"], box=True, width=90)
    cols = [("Marks & Nos / Container / Seal", 60, "left"), ("Packages", 24, "right"),
            ("Description of Goods", 66, "left"), ("Gross Weight", 30, "right")]
    rows = [["%s / %s" % (cn, f["seals"][k]), "", "", ""] for k, cn in enumerate(f["containers"])]
    rows.append(["", "%d %s" % (f["packages"], c["package_kind"]),
                 t["items"][0]["description"][:32] if t["items"] else "", fmt_weight(f["gross_kg"], L["wt"])])
    for it in t["items"][1:]:
        rows.append(["", "", it["description"][:32], ""])
    y = table(cv, 15, 104, cols, rows, grid=True)
    cv.text(15, y + 6, "Invoice No.: " + f["invoice_no"], 9)
    cv.text(15, y + 12, "Total packages: %d %s   Total gross weight: %s" % (
        f["packages"], c["package_kind"], fmt_weight(f["gross_kg"], L["wt"])), 9)
    cv.text(15, 250, "Freight " + ("prepaid" if c["incoterm"] in ("CIF", "CFR", "CIP", "DAP", "DDP") else "collect")
            + " as arranged. Signed for the carrier " + c["carrier"] + ".", 8)


def render_en_decl(cv, c, t, L):
    """An English import declaration (entry summary) with numbered boxes."""
    f = t["fields"]
    b, s = c["buyer"], c["seller"]
    cv.text(105, 12, "IMPORT DECLARATION", 15, bold=True, align="center")
    cv.text(105, 19, "Customs Entry Summary", 9, align="center")
    boxes = [
        ("1 Declaration No.", f["customs_no"]), ("2 Declaration Date", fmt_date(f["date"], L["date"])),
        ("3 Customs Office", "%s %s" % (c["port_discharge_name"], c["office_code"])),
        ("4 B/L No.", f["bl_no"]), ("5 Invoice No.", f["invoice_no"]),
        ("6 Country of Origin", COUNTRIES[f["origin"]][0]), ("7 Incoterms", f["incoterm"]),
        ("8 Currency", f["currency"]), ("9 Packages", "%d %s" % (f["packages"], c["package_kind"])),
        ("10 Gross Mass (kg)", fmt_amount(f["gross_kg"], "en", 2)),
        ("11 Net Mass (kg)", fmt_amount(f["net_kg"], "en", 2)),
        ("12 Vessel / Voyage", "%s / %s" % (f["vessel"], f["voyage"])),
        ("13 Port of Loading", c["port_loading_name"]), ("14 Total Invoice Value", money(c, f["total"], "en")),
        ("15 Containers", " ".join(f["containers"][:2])), ("", ""),
    ]
    y = 26
    for k, (lab, val) in enumerate(boxes):
        x = 15 + (k % 4) * 45
        yy = y + (k // 4) * 13
        cv.rect(x, yy, 45, 13)
        if lab:
            cv.text(x + 1.2, yy + 1, lab, 6.5, bold=True)
            pt = 8.5
            while pt > 5 and cv.width(val, pt) > 42:
                pt -= 0.5
            cv.text(x + 1.2, yy + 6.5, val, pt)
    y += 4 * 13 + 4
    block(cv, 17, y, "16 Importer", [b["name"], b["address"], "CHINA", "ID " + b["uscc"]], box=True, width=84)
    block(cv, 111, y, "17 Exporter", party_lines(s), box=True, width=82)
    y += 30
    block(cv, 17, y, "18 Declarant", [c["declarant"]["name_en"]], box=True, width=176)
    y += 16
    cols = [("Item", 10, "right"), ("Commodity Code", 26, "left"), ("Description of Goods", 50, "left"),
            ("Origin", 14, "left"), ("Quantity", 20, "right"), ("Unit", 12, "left"), ("Net Mass", 20, "right"),
            ("Value", 24, "right")]
    rows = [[str(k), it["hs"], it["description"][:30], f["origin"], fmt_amount(it["qty"], "en", 0), it["unit"],
             fmt_amount(it["net_kg"], "en", 2), money(c, it["amount"], "en")] for k, it in enumerate(t["items"], 1)]
    y = table(cv, 15, y, cols, rows, grid=True)
    cv.text(15, y + 8, "I declare that the particulars given in this declaration are true and complete.", 8)
    cv.text(140, y + 20, "Declarant signature", 8)


def render_decl(cv, c, t, L):
    return render_en_decl(cv, c, t, L) if L.get("form") == "en" else render_cn_decl(cv, c, t, L)


def render_coo(cv, c, t, L):
    f = t["fields"]
    s, b = c["seller"], c["buyer"]
    cv.rect(12, 10, 186, 270, 0.5)
    cv.line(105, 10, 105, 90)
    block(cv, 15, 12, "1. Exporter (name, address, country)", party_lines(s), pt=9)
    cv.line(12, 40, 105, 40)
    block(cv, 15, 42, "2. Consignee (name, address, country)", party_lines(b), pt=9)
    cv.line(12, 68, 105, 68)
    block(cv, 15, 70, "3. Means of transport and route", [
        "BY SEA, %s V.%s" % (f["vessel"], c["voyage"]),
        "FROM %s TO %s" % (c["port_loading_name"].upper(), c["port_discharge_name"].upper())], pt=9)
    cv.text(108, 13, "Certificate No. " + f["doc_no"], 9, bold=True)
    cv.text(150, 24, "CERTIFICATE OF ORIGIN", 13, bold=True, align="center")
    cv.text(150, 32, "issued by the Chamber of Commerce", 8, align="center")
    cv.text(108, 50, "Country of Origin:", 9, bold=True)
    cv.text(108, 55, COUNTRIES[f["origin"]][0].upper(), 11, bold=True)
    cv.line(12, 90, 198, 90)
    cols = [("Item", 12, "right"), ("Marks, number and kind of packages;\ndescription of goods", 98, "left"),
            ("HS Code", 28, "left"), ("Gross weight", 32, "right")]
    rows = [[str(k), it["description"][:50], it["hs"][:6], fmt_weight(it["gross_kg"], L["wt"])]
            for k, it in enumerate(t["items"], 1)]
    y = table(cv, 14, 92, cols, rows, grid=False)
    cv.text(20, y + 4, "Total gross weight: " + fmt_weight(f["gross_kg"], L["wt"]), 9)
    cv.text(20, y + 10, "Invoice No. %s dated %s" % (f["invoice_no"], fmt_date(c["date"], L["date"])), 9)
    cv.text(15, 230, "It is hereby certified that the goods described above originate in", 8)
    cv.text(15, 235, COUNTRIES[f["origin"]][0] + ".", 8)
    cv.text(110, 250, "Place and date: %s, %s" % (s["address"].split()[-1], fmt_date(c["ship_date"], L["date"])), 8)


RENDER = {"invoice": render_invoice, "packing_list": render_packing, "bill_of_lading": render_bl,
          "customs_declaration": render_decl, "certificate_of_origin": render_coo}

# ---------------------------------------------------------------- degradation
def degrade(img, rng, level):
    """level: none | mild | heavy. Returns (image, dict of what was done)."""
    did = {}
    if level == "none":
        return img, did
    import numpy as np
    heavy = level == "heavy"
    ang = rng.uniform(-3.5, 3.5) if heavy else rng.uniform(-1.2, 1.2)
    img = img.rotate(ang, resample=Image.BILINEAR, expand=False, fillcolor=255)
    did["skew"] = round(ang, 2)
    if rng.random() < (0.8 if heavy else 0.5):
        r = rng.uniform(0.6, 1.2) if heavy else rng.uniform(0.3, 0.7)
        img = img.filter(ImageFilter.GaussianBlur(r))
        did["blur"] = round(r, 2)
    a = np.asarray(img, dtype=np.float32)
    nrng = np.random.default_rng(rng.randrange(2 ** 32))
    sigma = rng.uniform(10, 22) if heavy else rng.uniform(3, 9)
    a = a + nrng.normal(0, sigma, a.shape)
    if heavy:  # specks and a grey cast, as from a tired scanner
        specks = nrng.random(a.shape) < 0.0015
        a[specks] = 0
        a = a * rng.uniform(0.85, 0.95) + 10
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    did["noise"] = round(sigma, 1)
    if rng.random() < (0.7 if heavy else 0.3):
        f = rng.uniform(0.5, 0.7) if heavy else rng.uniform(0.7, 0.85)
        w, h = img.size
        img = img.resize((int(w * f), int(h * f)), Image.BILINEAR)
        did["scale"] = round(f, 2)
    if rng.random() < (0.8 if heavy else 0.5):
        q = rng.randint(25, 45) if heavy else rng.randint(50, 80)
        did["jpeg"] = q
    return img, did


def encode(img, fmt, dpi, quality=85):
    buf = io.BytesIO()
    if fmt == "jpg":
        img.convert("L").save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    else:
        img.save(buf, "PNG", dpi=(dpi, dpi), optimize=False)
    return buf.getvalue()


MANY = False   # --layouts many: invoices in 40 layouts (2 forms x 5 languages x glued x tax summary)


def layout_for(rng, dtype):
    fam = rng.choice(["sans", "serif", "mono", "cond"])
    L = {"variant": rng.randrange(2), "family": fam, "date": rng.choice(["iso", "dmy", "dmy.", "long", "us", "dmon"]),
         "num": rng.choice(["en", "en", "en", "eu"]), "wt": rng.choice(["kgs", "kg", "eu"]),
         "hs8": rng.random() < 0.3, "hsdot": rng.random() < 0.3, "sym": rng.random() < 0.4}
    if MANY and dtype == "invoice":   # drawn after the rest: the default layouts stay as they were
        L.update(lang=rng.choice(sorted(INV_WORDS)), glue=rng.random() < 0.5, taxsum=rng.random() < 0.5)
    return L


def render_pages(c, t, L, dpi, backend="raster", npages=1):
    dtype = t["type"]
    pages = []
    for p in range(npages):
        cv = Raster(dpi, L["family"]) if backend == "raster" else PdfPage()
        if dtype == "packing_list":
            render_packing(cv, c, t, L, page=p if npages > 1 else None, npages=npages)
        else:
            RENDER[dtype](cv, c, t, L)
        pages.append(cv)
    return pages


def zip_add(zf, name, data):
    zi = zipfile.ZipInfo(name, date_time=(2026, 3, 1, 12, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o644 << 16
    zf.writestr(zi, data)

# ---------------------------------------------------------------- the demo batch
def demo(outdir):
    """Two consignments. A: invoice, packing list, B/L and the Chinese
    declaration as scans in batch.zip; the declaration under-declares the value.
    B: invoice.pdf (born digital), packing-list.tif (two pages), and its B/L and
    declaration in batch.zip; the packing list's gross weight disagrees with the
    B/L and the declaration."""
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random("demo:1")
    a = make_consignment(random.Random("demo:A"), "DEMO-A", {
        "seller": "Rheinwerk Maschinenbau GmbH", "buyer": "Shanghai Huaxin Industrial Co., Ltd.",
        "pod": "CNSHA", "currency": "USD", "incoterm": "CIF", "date": "2026-03-12", "n_cont": 2,
        "goods": ["Stainless steel ball bearings 6204-2RS", "Hydraulic excavator track rollers",
                  "Automotive brake pads, ceramic"]})
    a.update({"invoice_no": "RW-2026-04817", "contract_no": "PO20260311", "ship_date": "2026-03-16",
              "arrival_date": "2026-04-14", "decl_date": "2026-04-15", "bl_no": "MSCU482913607",
              "carrier": "MEDITERRANEAN SHIPPING COMPANY", "vessel": "MSC ARINA", "voyage": "612E"})
    b = make_consignment(random.Random("demo:B"), "DEMO-B", {
        "seller": "Kansai Seiko Co., Ltd.", "buyer": "Ningbo Haitong Trading Co., Ltd.", "pod": "CNNGB",
        "currency": "USD", "incoterm": "FOB", "date": "2026-04-02", "n_cont": 1,
        "goods": ["Lithium-ion battery cells 3.7V 2600mAh", "Printed circuit boards, 6-layer"]})
    b.update({"invoice_no": "KS-2026-00931", "contract_no": "PO20260418", "ship_date": "2026-04-06",
              "arrival_date": "2026-04-10", "decl_date": "2026-04-11", "bl_no": "ONEY305118442",
              "carrier": "OCEAN NETWORK EXPRESS", "vessel": "ONE APUS", "voyage": "047W"})
    # planted disagreements
    a_decl_total = round(a["total"] * 0.88, 2)            # under-declared value on the 报关单
    b_pl_gross = round(b["gross_kg"] + 450.0, 2)          # packing list gross weight 450 kg heavier
    truth_docs = []
    zpath = os.path.join(outdir, "batch.zip")
    L0 = {"variant": 0, "family": "sans", "date": "long", "num": "en", "wt": "kgs", "hs8": False, "hsdot": True,
          "sym": True}
    L1 = {"variant": 1, "family": "serif", "date": "dmy", "num": "en", "wt": "kg", "hs8": False, "hsdot": False,
          "sym": False}
    with zipfile.ZipFile(zpath + ".tmp", "w") as zf:
        plan = [
            (a, "invoice", "A-invoice.png", L0, None, "png", "none"),
            (a, "packing_list", "A-packing-list.png", L1, None, "png", "none"),
            (a, "bill_of_lading", "A-bill-of-lading.jpg", dict(L0, date="dmon"), None, "jpg", "mild"),
            (a, "customs_declaration", "A-customs-declaration.png", L0, {"total": a_decl_total}, "png", "none"),
            (b, "bill_of_lading", "B-bill-of-lading.png", dict(L1, date="iso", wt="kgs"), None, "png", "none"),
            (b, "customs_declaration", "B-customs-declaration.jpg", L0, None, "jpg", "mild"),
        ]
        for c, dtype, name, L, over, fmt, deg in plan:
            t = doc_truth(c, dtype, over)
            dpi = 300 if dtype == "customs_declaration" else 200
            pg = render_pages(c, t, L, dpi)[0]
            img, did = degrade(pg.img, random.Random("deg:" + name), deg)
            zip_add(zf, name, encode(img, fmt, dpi, did.get("jpeg", 75)))
            truth_docs.append({"consignment": c["id"], "file": "batch.zip", "member": name, "pages": 1,
                               "degrade": did, **t})
    os.replace(zpath + ".tmp", zpath)
    # B's packing list: a two-page TIFF scan, 1-bit Group 4 at 300 dpi
    t = doc_truth(b, "packing_list", {"gross_kg": b_pl_gross})
    pages = render_pages(b, t, dict(L0, variant=1, family="cond", date="dmy."), 300, npages=2)
    imgs = [degrade(p.img, random.Random("deg:tif%d" % k), "mild")[0].resize(p.img.size).point(
        lambda v: 255 if v > 150 else 0).convert("1") for k, p in enumerate(pages)]
    imgs[0].save(os.path.join(outdir, "packing-list.tif"), save_all=True, append_images=imgs[1:],
                 compression="group4", dpi=(300, 300))
    truth_docs.append({"consignment": "DEMO-B", "file": "packing-list.tif", "member": None, "pages": 2,
                       "degrade": {"mild": True, "bilevel": True}, **t})
    # B's invoice: born digital
    t = doc_truth(b, "invoice")
    pages = render_pages(b, t, dict(L0, variant=1, date="us"), 0, backend="pdf")
    write_pdf(pages, os.path.join(outdir, "invoice.pdf"), "Commercial Invoice " + b["invoice_no"])
    truth_docs.append({"consignment": "DEMO-B", "file": "invoice.pdf", "member": None, "pages": 1,
                       "degrade": {}, **t})
    truth = {
        "consignments": [a, b],
        "documents": truth_docs,
        "planted": [
            {"consignment": "DEMO-A", "check": "total", "field": "total",
             "what": "the customs declaration (报关单) declares %s %.2f; the invoice says %.2f"
                     % (a["currency"], a_decl_total, a["total"]),
             "documents": ["batch.zip:A-invoice.png", "batch.zip:A-customs-declaration.png"],
             "values": [a["total"], a_decl_total]},
            {"consignment": "DEMO-B", "check": "gross_kg", "field": "gross_kg",
             "what": "the packing list gives gross weight %.2f kg; the bill of lading and the declaration %.2f kg"
                     % (b_pl_gross, b["gross_kg"]),
             "documents": ["packing-list.tif", "batch.zip:B-bill-of-lading.png",
                           "batch.zip:B-customs-declaration.jpg"],
             "values": [b_pl_gross, b["gross_kg"]]},
        ],
    }
    with open(os.path.join(outdir, "truth.json"), "w") as fp:
        json.dump(truth, fp, ensure_ascii=False, indent=1, sort_keys=True)
        fp.write("\n")

# ---------------------------------------------------------------- a corpus
def corpus(outdir, n, seed, split, level, dpi, types, pdf=False):
    """n consignments of the split; each document as an image (degraded at
    level), or with pdf a born-digital PDF (text layer, no degradation); the
    truth in truth.jsonl, and one file per document in truth/STEM.json, as
    `sc-parse learn --truth` reads it."""
    os.makedirs(os.path.join(outdir, "truth"), exist_ok=True)
    tpath = os.path.join(outdir, "truth.jsonl")
    with open(tpath + ".tmp", "w") as tf:
        for i in range(n):
            rng = random.Random("%s:%d:%d" % (split, seed, i))
            c = make_consignment(rng, "%s-%d-%04d" % (split, seed, i))
            for dtype in types:
                if dtype == "certificate_of_origin" and rng.random() < 0.5:
                    continue
                # the declaration's form from its own draw, so adding forms moves no other choice
                form = "en" if random.Random("form:" + c["id"]).random() < 0.3 else "cn"
                t = doc_truth(c, dtype, form=form)
                L = layout_for(rng, dtype)
                L["form"] = form
                lv = level if level != "mix" else rng.choice(["none", "mild", "heavy"])
                d = 300 if dtype == "customs_declaration" and form == "cn" else dpi
                stem = "%s-%s" % (c["id"], dtype.replace("_", "-"))
                if pdf:
                    lv, did, name = "none", {}, stem + ".pdf"
                    write_pdf(render_pages(c, t, L, 0, backend="pdf"), os.path.join(outdir, name), stem)
                else:
                    pg = render_pages(c, t, L, d)[0]
                    img, did = degrade(pg.img, rng, lv)
                    fmt = "jpg" if "jpeg" in did else "png"
                    name = "%s.%s" % (stem, fmt)
                    with open(os.path.join(outdir, name), "wb") as fp:
                        fp.write(encode(img, fmt, d, did.get("jpeg", 90)))
                with open(os.path.join(outdir, "truth", stem + ".json"), "w") as fp:
                    json.dump(dict(t["fields"], type=t["type"], file=name), fp, ensure_ascii=False, sort_keys=True)
                rec = {"consignment": c["id"], "file": name, "member": None, "pages": 1, "degrade": lv,
                       "did": did, "layout": L, **t}
                tf.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tpath + ".tmp", tpath)


def render_given(path, outdir, dpi):
    """Render a ground truth made by hand: {"consignment": {...}, "documents":
    [{"type":..., "layout": {...}, "over": {...}}]} with the consignment in
    make_consignment's shape."""
    with open(path) as fp:
        g = json.load(fp)
    c = g["consignment"]
    os.makedirs(outdir, exist_ok=True)
    for k, d in enumerate(g["documents"]):
        t = doc_truth(c, d["type"], d.get("over"))
        L = dict(layout_for(random.Random(k), d["type"]), **d.get("layout", {}))
        pg = render_pages(c, t, L, dpi)[0]
        name = "%s-%s.png" % (c["id"], d["type"].replace("_", "-"))
        with open(os.path.join(outdir, name), "wb") as fp:
            fp.write(encode(pg.img, "png", dpi))


def main():
    ap = argparse.ArgumentParser(description="Render trade documents from ground truth.")
    ap.add_argument("--demo", metavar="DIR", help="write the demo batch into DIR")
    ap.add_argument("--out", metavar="DIR", help="write a corpus (or --truth's pages) into DIR")
    ap.add_argument("--truth", metavar="FILE", help="render this ground-truth JSON")
    ap.add_argument("--n", type=int, default=20, help="consignments in the corpus (20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--split", choices=["train", "eval"], default="train")
    ap.add_argument("--degrade", choices=["none", "mild", "heavy", "mix"], default="none")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--pdf", action="store_true", help="born-digital PDFs (a text layer) instead of images")
    ap.add_argument("--layouts", choices=["two", "many"], default="two",
                    help="two layouts per type (as always), or many: invoices in 40 (languages, glued labels, "
                         "a tax summary under the total)")
    ap.add_argument("--types", default="invoice,packing_list,bill_of_lading,customs_declaration,certificate_of_origin",
                    help="comma-separated document types")
    a = ap.parse_args()
    global MANY
    MANY = a.layouts == "many"
    if a.demo:
        demo(a.demo)
    elif a.truth and a.out:
        render_given(a.truth, a.out, a.dpi)
    elif a.out:
        types = a.types.split(",")
        bad = [t for t in types if t not in RENDER]
        if bad:
            ap.error("unknown document type: " + ", ".join(bad))
        corpus(a.out, a.n, a.seed, a.split, a.degrade, a.dpi, types, a.pdf)
    else:
        ap.error("one of --demo DIR or --out DIR is required")


if __name__ == "__main__":
    main()
