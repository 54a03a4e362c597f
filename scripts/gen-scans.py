#!/usr/bin/python3
"""gen-scans.py - pages that look like real scans, from text we know.

For sc-ocr's script decision (-l auto) and its small-print reading:

  hanN.png / hanN.txt    Chinese customs forms: a table grid, a red seal over
                         the text, Chinese labels with Latin and numeric values,
                         then print-and-scan wear: low contrast, uneven paper,
                         blur, grain, a slight turn, JPEG at low quality (some
                         saved as .jpg, some as gray PNG, some in colour)
  latN.png / latN.txt    the same kind of form in English, with the same wear
                         (no page of these may be read as Chinese)
  rcN.png / rcN.txt      shop receipts about 450 px wide: small thermal print,
                         faint and blurred, dates and amounts

Every page is drawn from a seeded generator (same seed, same bytes). Nothing
here is taken from real documents: the labels are the generic field names of
such forms, the values are drawn at random.

Usage: gen-scans.py [--seed N] [--han N] [--latin N] [--receipts N] OUTDIR
"""
import argparse
import io
import math
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

CJK = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

HAN_LABELS = ["境内收发货人", "出境关别", "出口日期", "申报日期", "备案号", "境外收货人", "运输方式",
              "运输工具名称", "提运单号", "生产销售单位", "监管方式", "征免性质", "许可证号", "合同协议号",
              "贸易国（地区）", "运抵国（地区）", "指运港", "离境口岸", "包装种类", "件数", "毛重（千克）",
              "净重（千克）", "成交方式", "运费", "保费", "随附单证", "商品编号", "商品名称",
              "数量及单位", "单价", "总价", "币制", "原产国（地区）", "境内货源地", "征免"]
HAN_TITLES = ["中华人民共和国海关出口货物报关单", "中华人民共和国海关进口货物报关单", "出口货物装箱单",
              "商业发票", "原产地证明书"]
HAN_CITIES = ["上海", "宁波", "深圳", "青岛", "天津", "厦门", "广州", "大连", "苏州", "杭州"]
HAN_TRADES = ["贸易", "电子", "机械", "纺织", "化工", "进出口", "五金", "家具", "照明", "食品"]
HAN_WORDS = ["东方", "金鹏", "华信", "永安", "宏达", "远洋", "新世纪", "长城", "海洋", "联合"]
HAN_GOODS = ["橡木锯材", "棉制针织T恤衫", "不锈钢螺栓", "锂离子电池组", "LED灯具", "陶瓷地砖", "涤纶纱线",
             "自行车零件", "绿茶", "印刷电路板", "手工工具", "木制椅子"]
HAN_MODES = ["水路运输", "航空运输", "公路运输", "铁路运输"]
HAN_UNITS = ["千克", "立方米", "件", "台", "箱"]
HAN_SEAL = ["报关专用章", "海关验讫章", "合同专用章"]

LAT_LABELS = ["Exporter", "Customs office", "Date of export", "Date of declaration", "Record No.", "Consignee",
              "Mode of transport", "Vessel and voyage", "Bill of lading No.", "Producer", "Customs procedure",
              "Licence No.", "Contract No.", "Country of trade", "Destination", "Port of discharge",
              "Port of exit", "Packages", "Gross weight (kg)", "Net weight (kg)", "Incoterm", "Freight",
              "Insurance", "Documents", "HS code", "Description of goods", "Quantity", "Unit price",
              "Total value", "Currency", "Country of origin"]
LAT_TITLES = ["EXPORT DECLARATION", "COMMERCIAL INVOICE", "PACKING LIST", "CERTIFICATE OF ORIGIN"]
LAT_NAMES = ["Hamburg Timber Trading GmbH", "Nordic Tools AB", "Anatolia Textiles A.S.", "Rio Steel Ltda",
             "Pacific Seafood Pte Ltd", "Atlas Machinery Inc.", "Lyon Ceramics SARL", "Baltic Yarn OU"]
LAT_GOODS = ["Sawn oak timber", "Cotton T-shirts", "Steel bolts M8", "Battery packs", "LED lamps",
             "Floor tiles", "Polyester yarn", "Bicycle rims", "Green tea", "Circuit boards"]
LAT_SEAL = ["CUSTOMS BROKER", "CERTIFIED COPY", "EXPORT DEPT"]
PORTS = ["CNSHA", "CNNGB", "CNSZX", "DEHAM", "NLRTM", "SGSIN", "KRPUS", "USLAX"]


def han_value(rng, label):
    if "日期" in label:
        return "%d-%02d-%02d" % (rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28))
    if label in ("境内收发货人", "生产销售单位", "境外收货人"):
        return rng.choice(HAN_CITIES) + rng.choice(HAN_WORDS) + rng.choice(HAN_TRADES) + "有限公司"
    if label == "运输方式":
        return rng.choice(HAN_MODES)
    if label == "商品名称":
        return rng.choice(HAN_GOODS)
    if label == "商品编号":
        return "%010d" % rng.randint(100000000, 9999999999)
    if label in ("数量及单位", "件数"):
        return "%d%s" % (rng.randint(1, 900), rng.choice(HAN_UNITS))
    if label in ("单价", "总价", "运费", "保费", "毛重（千克）", "净重（千克）"):
        return "%.2f" % (rng.randint(100, 9999999) / 100)
    if label in ("离境口岸", "指运港", "出境关别", "境内货源地"):
        return rng.choice(HAN_CITIES) + rng.choice(["海关", "港", "口岸", ""])
    if "国" in label:
        return rng.choice(["德国", "美国", "日本", "韩国", "新加坡", "荷兰", "中国"])
    if label == "币制":
        return rng.choice(["美元", "欧元", "人民币"])
    if label == "成交方式":
        return rng.choice(["FOB", "CIF", "CFR", "EXW"])
    return "%s%d" % (rng.choice(["", "CN", "HB", "E"]), rng.randint(10000, 99999999))


def lat_value(rng, label):
    if "Date" in label:
        return "%02d/%02d/%d" % (rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2025))
    if label in ("Exporter", "Consignee", "Producer"):
        return rng.choice(LAT_NAMES)
    if label == "Description of goods":
        return rng.choice(LAT_GOODS)
    if label in ("Unit price", "Total value", "Freight", "Insurance", "Gross weight (kg)", "Net weight (kg)"):
        return "%.2f" % (rng.randint(100, 9999999) / 100)
    if "Port" in label or label == "Destination":
        return rng.choice(PORTS)
    if label == "Currency":
        return rng.choice(["USD", "EUR", "GBP"])
    if label == "Incoterm":
        return rng.choice(["FOB", "CIF", "CFR", "EXW"])
    return "%s%d" % (rng.choice(["", "NO", "HB", "E"]), rng.randint(10000, 99999999))


def seal(size, text, font_path, rng):
    """A round stamp: double ring, a star, text round the rim. RGBA, red."""
    s = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(s)
    red = (200 + rng.randint(0, 40), 20, 30, 170 + rng.randint(0, 60))
    w = max(3, size // 40)
    d.ellipse((w, w, size - w, size - w), outline=red, width=w)
    d.ellipse((4 * w, 4 * w, size - 4 * w, size - 4 * w), outline=red, width=max(1, w // 2))
    c = size / 2
    pts = [(c + math.cos(math.pi / 2 + k * 4 * math.pi / 5) * size * 0.13,
            c - math.sin(math.pi / 2 + k * 4 * math.pi / 5) * size * 0.13) for k in range(5)]
    d.polygon(pts, fill=red)
    font = ImageFont.truetype(font_path, size // 9)
    n = len(text)
    for i, ch in enumerate(text):
        a = math.pi * (0.85 + 0.7 * (n - 1 - i) / max(n - 1, 1)) - math.pi * 0.2
        g = Image.new("RGBA", (size // 7, size // 7), (0, 0, 0, 0))
        ImageDraw.Draw(g).text((0, 0), ch, fill=red, font=font)
        g = g.rotate(math.degrees(a) - 90, expand=True)
        x = c + math.cos(a) * size * 0.33 - g.width / 2
        y = c - math.sin(a) * size * 0.33 - g.height / 2
        s.alpha_composite(g, (int(x), int(y)))
    return s


def form(rng, han, width):
    """A form page: a title, a grid of label and value cells, a seal."""
    height = int(width * 1.414)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    d = ImageDraw.Draw(img)
    fp = CJK if han else rng.choice([SANS, CJK])
    size = int(width / rng.choice([52, 58, 64]))
    font = ImageFont.truetype(fp, size)
    tfont = ImageFont.truetype(fp, int(size * 1.6))
    title = rng.choice(HAN_TITLES if han else LAT_TITLES)
    lines = [title]
    tw = d.textlength(title, font=tfont)
    ink = (rng.randint(0, 50),) * 3
    d.text(((width - tw) / 2, width * 0.06), title, fill=ink, font=tfont)
    labels = list(HAN_LABELS if han else LAT_LABELS)
    rng.shuffle(labels)
    rows = rng.randint(9, 13)
    x0, y0 = int(width * 0.06), int(width * 0.06 + size * 3.5)
    cw = (width - 2 * x0) // 2
    rh = int(size * 2.6)
    lw = rng.choice([1, 2, 3])
    for r in range(rows + 1):
        d.line((x0, y0 + r * rh, width - x0, y0 + r * rh), fill=ink, width=lw)
    for cx in (x0, x0 + cw, width - x0):
        d.line((cx, y0, cx, y0 + rows * rh), fill=ink, width=lw)
    for cx in (x0 + cw // 3, x0 + cw + cw // 3):   # label | value inside each half
        d.line((cx, y0, cx, y0 + rows * rh), fill=ink, width=max(1, lw - 1))
    for r in range(rows):
        row = []
        for half in range(2):
            label = labels.pop()
            value = (han_value if han else lat_value)(rng, label)
            lx = x0 + half * cw + size // 3
            vx = x0 + half * cw + cw // 3 + size // 3
            ty = y0 + r * rh + (rh - size) // 2
            lfont = font
            while d.textlength(label, font=lfont) > cw // 3 - size // 2 and lfont.size > 8:
                lfont = ImageFont.truetype(fp, lfont.size - 1)
            d.text((lx, ty), label, fill=ink, font=lfont)
            d.text((vx, ty), value, fill=ink, font=font)
            row += [label, value]
        lines.append(" ".join(row))
    # notes under the table, as running text
    y = y0 + rows * rh + size * 2
    for _ in range(rng.randint(2, 4)):
        if han:
            note = "备注：%s%s，%s至%s，共%d箱。" % (rng.choice(HAN_CITIES), rng.choice(HAN_WORDS), rng.choice(HAN_CITIES),
                                                rng.choice(PORTS), rng.randint(1, 500))
        else:
            note = "Remarks: goods shipped from %s to %s in %d cartons." % (rng.choice(PORTS), rng.choice(PORTS),
                                                                            rng.randint(1, 500))
        d.text((x0, y), note, fill=ink, font=font)
        lines.append(note)
        y += int(size * 1.8)
    # the seal, over the text near the bottom right, as stamped by hand
    ss = int(width * rng.uniform(0.18, 0.26))
    st = seal(ss, rng.choice(HAN_SEAL if han else LAT_SEAL), CJK if han else SANS, rng)
    st = st.rotate(rng.uniform(-30, 30), expand=False)
    img.paste(st, (int(width * rng.uniform(0.5, 0.72)), int(y - ss * rng.uniform(0.3, 0.9))), st)
    return img, lines


def wear(img, rng, contrast=True):
    """Print and scan: low contrast, uneven paper, blur, grain, a slight turn."""
    g = np.random.default_rng(rng.randrange(1 << 30))
    a = np.asarray(img, dtype=np.float32)
    if contrast:   # ink no darker than 60-110, paper 200-235
        lo, hi = rng.uniform(40, 110), rng.uniform(200, 235)
        a = lo + a * (hi - lo) / 255.0
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - 0.12 * (xx / w) * rng.uniform(0.5, 1.5) - 0.06 * np.sin(yy / h * math.pi * rng.uniform(1, 3))
    blot = np.asarray(Image.fromarray((g.random((h // 64 + 1, w // 64 + 1)) * 255).astype(np.uint8))
                      .resize((w, h), Image.BICUBIC), dtype=np.float32) / 255.0
    light = light - 0.08 * blot
    if a.ndim == 3:
        light = light[:, :, None]
    a = a * light + g.normal(0, rng.uniform(4, 14), a.shape).astype(np.float32)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.3)))
    angle = rng.uniform(-1.8, 1.8)
    fill = (230, 230, 230) if out.mode == "RGB" else 230
    return out.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=fill)


def save_scan(img, rng, path_stem, kind):
    """Saved as a scanner would: gray JPEG, gray PNG or colour JPEG."""
    if kind == "jpg-gray":
        img.convert("L").save(path_stem + ".jpg", quality=rng.randint(30, 60), dpi=(200, 200))
        return path_stem + ".jpg"
    if kind == "png-gray":
        buf = io.BytesIO()   # JPEG-damaged first, as a scan re-saved by an office tool
        img.convert("L").save(buf, "JPEG", quality=rng.randint(40, 70))
        Image.open(io.BytesIO(buf.getvalue())).save(path_stem + ".png", dpi=(200, 200))
        return path_stem + ".png"
    img.convert("RGB").save(path_stem + ".jpg", quality=rng.randint(40, 70), dpi=(200, 200))
    return path_stem + ".jpg"


def receipt(rng, width=450):
    """A thermal receipt, small monospace print: shop, date, items, total."""
    size = rng.choice([11, 12, 13])
    font = ImageFont.truetype(MONO, size)
    shop = rng.choice(["KEDAI", "MINI MART", "RESTORAN", "HARDWARE", "BAKERY", "STATIONERY"])
    lines = ["%s %s SDN BHD" % (rng.choice(["SRI", "MEGA", "BUDI", "JAYA", "ASIA"]), shop),
             "NO %d, JALAN %s %d" % (rng.randint(1, 99), rng.choice(["MAWAR", "BUNGA", "BESAR", "PASAR"]),
                                     rng.randint(1, 30)),
             "TEL: 0%d-%07d" % (rng.randint(3, 9), rng.randint(0, 9999999)),
             "DATE: %02d/%02d/%d  %02d:%02d" % (rng.randint(1, 28), rng.randint(1, 12), rng.randint(2016, 2019),
                                                rng.randint(8, 22), rng.randint(0, 59)),
             "INVOICE NO: %d" % rng.randint(10000, 999999)]
    total = 0.0
    for _ in range(rng.randint(3, 7)):
        q, p = rng.randint(1, 5), rng.randint(50, 9999) / 100
        total += q * p
        name = rng.choice(["MILO 1KG", "RICE 5KG", "SUGAR", "BREAD", "PEN BLUE", "A4 PAPER", "SOAP", "TEA"])
        lines.append("%-12s %2d x %7.2f %8.2f" % (name, q, p, q * p))
    lines += ["TOTAL: %.2f" % total, "CASH: %.2f" % (math.ceil(total / 10) * 10),
              "CHANGE: %.2f" % (math.ceil(total / 10) * 10 - total), "THANK YOU"]
    lh = int(size * 1.45)
    img = Image.new("L", (width, lh * (len(lines) + 4)), 255)
    d = ImageDraw.Draw(img)
    ink = rng.randint(40, 110)
    for i, line in enumerate(lines):
        d.text((rng.randint(14, 30), lh * (i + 2)), line, fill=ink, font=font)
    return img, lines


def photo(img, rng):
    """A phone photograph of a page: tilted, soft, lit from one side, taken at
    80 to 100 dpi of the page and saved as a low-quality JPEG; legible to a
    person, as such copies sent to a customs desk are."""
    g = np.random.default_rng(rng.randrange(1 << 30))
    p = img.convert("L").rotate(rng.uniform(-4, 4), resample=Image.BILINEAR, expand=False, fillcolor=235)
    p = p.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 1.8)))
    a = np.asarray(p, dtype=np.float32)
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    side = rng.uniform(0.2, 0.45)
    a = a * (1 - side * (xx / w + yy / h) / 2) + g.normal(0, 5, a.shape).astype(np.float32)
    f = rng.uniform(0.4, 0.5)   # the page at 200 dpi, photographed at 80-100
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).resize((int(w * f), int(h * f)), Image.BILINEAR)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--han", type=int, default=4)
    ap.add_argument("--latin", type=int, default=3)
    ap.add_argument("--receipts", type=int, default=3)
    ap.add_argument("--photos", type=int, default=0, help="phone photographs of English forms")
    ap.add_argument("--width", type=int, default=1654)   # A4 at 200 dpi
    ap.add_argument("outdir")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    rng = random.Random(a.seed)
    kinds = ["jpg-gray", "png-gray", "jpg-colour"]
    for han, n, stem in ((True, a.han, "han"), (False, a.latin, "lat")):
        for i in range(1, n + 1):
            img, lines = form(rng, han, a.width)
            save_scan(wear(img, rng), rng, os.path.join(a.outdir, "%s%d" % (stem, i)), kinds[(i - 1) % 3])
            with open(os.path.join(a.outdir, "%s%d.txt" % (stem, i)), "w") as f:
                f.write("\n".join(lines) + "\n")
    for i in range(1, a.receipts + 1):
        img, lines = receipt(rng)
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.6)))
        g = np.random.default_rng(rng.randrange(1 << 30))
        arr = np.asarray(img, dtype=np.float32) + g.normal(0, 6, (img.height, img.width))
        Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(
            os.path.join(a.outdir, "rc%d.jpg" % i), quality=rng.randint(70, 90))
        with open(os.path.join(a.outdir, "rc%d.txt" % i), "w") as f:
            f.write("\n".join(lines) + "\n")
    for i in range(1, a.photos + 1):   # drawn last: the pages above stay the same bytes
        img, lines = form(rng, False, a.width)
        photo(img, rng).save(os.path.join(a.outdir, "ph%d.jpg" % i), quality=rng.randint(35, 60))
        with open(os.path.join(a.outdir, "ph%d.txt" % i), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
