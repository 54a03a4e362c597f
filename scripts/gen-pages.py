#!/usr/bin/python3
"""gen-pages.py - OCR test pages from text we know, for sc-ocr's tests and benchmarks.

Writes into OUTDIR, for each page N of the chosen set:
  pN.txt                 the ground truth (one line per printed line)
  pN-clean.png           the page at 300 dpi
  pN-rot180.png          the same page scanned upside down
  pN-skew.png            turned a few degrees, with scanner noise
  pN-150dpi.png          downsampled to 150 dpi
  pN-jpeg.jpg            saved as a low-quality JPEG
and, with --extras, the other inputs the tests need: a multi-page TIFF, a
scanned (image-only) PDF, a born-digital PDF with a text layer, a Chinese page,
a zip and tar.gz of pages, and the bad inputs (corrupt PNG, truncated zip,
zip bomb, empty file, PDF with a broken xref, a file that is not an image).

Everything is drawn from a seeded generator: the same seed gives the same bytes.
Usage: gen-pages.py [--seed N] [--pages N] [--extras] [--width PX] OUTDIR
"""
import argparse
import io
import os
import random
import tarfile
import zipfile

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"]
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

GOODS = ["Sawn timber, oak, kiln dried", "Cotton T-shirts, knitted", "Stainless steel bolts M8",
         "Lithium-ion battery packs", "Frozen shrimp, peeled", "LED lamps, 9 W", "Ceramic floor tiles",
         "Polyester yarn, dyed", "Bicycle parts: rims and spokes", "Green tea, in bags of 3 kg",
         "Printed circuit boards", "Hand tools: pliers and spanners", "Wooden furniture, chairs"]
PARTIES = ["Hamburg Timber Trading GmbH", "Shenzhen Bright Lighting Co., Ltd.", "Pacific Seafood Export Pte Ltd",
           "Nordic Tools AB", "Anatolia Textiles A.S.", "Rio Steel Components Ltda", "Osaka Ceramics K.K."]
PORTS = ["Rotterdam NLRTM", "Shanghai CNSHA", "Singapore SGSIN", "Hamburg DEHAM", "Busan KRPUS", "Antwerp BEANR"]
TITLES = ["COMMERCIAL INVOICE", "PACKING LIST", "BILL OF LADING", "CERTIFICATE OF ORIGIN"]


def page_text(rng, n_lines):
    """Lines of a plausible trade document, with digits, codes and names."""
    lines = [rng.choice(TITLES),
             "Invoice No: INV-%d-%04d   Date: %02d/%02d/%d" % (rng.randint(2019, 2025), rng.randint(1, 9999),
                                                               rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2025)),
             "Seller: " + rng.choice(PARTIES),
             "Buyer: " + rng.choice(PARTIES),
             "Port of loading: %s   Port of discharge: %s" % (rng.choice(PORTS), rng.choice(PORTS)),
             "Container: %s%s%s%07d" % (rng.choice("MTCH"), rng.choice("SAEO"), rng.choice("KCLN"), rng.randint(0, 9999999))[:4] + "U" + "%07d" % rng.randint(0, 9999999)]
    while len(lines) < n_lines:
        hs = "%04d.%02d" % (rng.randint(100, 9700), rng.randint(0, 99))
        qty = rng.randint(1, 5000)
        price = rng.randint(100, 99999) / 100.0
        lines.append("%s  HS %s  %d pcs  USD %.2f  %s" % (rng.randint(1, 40), hs, qty, qty * price,
                                                         rng.choice(GOODS)))
    lines.append("Total gross weight: %d kg   Net weight: %d kg" % (rng.randint(500, 20000), rng.randint(400, 19000)))
    return lines[:n_lines + 1]


def render(lines, rng, width, font_path=None, size=None):
    """Draw lines on a white page at 300 dpi (A5 proportions by default)."""
    height = int(width * 1.414)
    img = Image.new("L", (width, height), 255)
    d = ImageDraw.Draw(img)
    size = size or int(width / 48)
    font = ImageFont.truetype(font_path or rng.choice(FONTS), size)
    y = int(width * 0.08)
    for line in lines:
        d.text((int(width * 0.07), y), line, fill=rng.randint(0, 40), font=font)
        y += int(size * 1.7)
    return img


def scanner(img, rng, sigma, speckle):
    """What a tired office scanner adds: uneven light, grain, dust specks."""
    seed = rng.randrange(1 << 30)
    g = np.random.default_rng(seed)
    a = np.asarray(img, dtype=np.float32)
    h, w = a.shape
    light = np.linspace(1.0, 0.78, w, dtype=np.float32)[None, :] * np.linspace(0.95, 1.0, h, dtype=np.float32)[:, None]
    a = a * light + g.normal(0, sigma, a.shape).astype(np.float32)
    dust = g.random(a.shape) < speckle
    a[dust] = g.choice([0, 255], size=int(dust.sum()))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def save_png(img, path, dpi=300):
    img.save(path, dpi=(dpi, dpi), optimize=False)


def variants(img, rng, out, stem):
    save_png(img, os.path.join(out, stem + "-clean.png"))
    save_png(img.rotate(180), os.path.join(out, stem + "-rot180.png"))
    angle = rng.choice((-5, -4, 4, 5)) + rng.random() * 0.8
    sk = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    sk = scanner(sk.filter(ImageFilter.GaussianBlur(0.9)), rng, 28, 0.004)
    save_png(sk, os.path.join(out, stem + "-skew.png"))
    small = img.filter(ImageFilter.GaussianBlur(0.8)).resize((img.width // 2, img.height // 2), Image.BILINEAR)
    save_png(small, os.path.join(out, stem + "-150dpi.png"), dpi=150)
    scanner(img, rng, 12, 0.0).save(os.path.join(out, stem + "-jpeg.jpg"), quality=8, dpi=(300, 300))


def pdf_text_layer(pages, path):
    """A born-digital PDF: Helvetica text, one content stream per page (A4)."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    pages_id = len(objs) + 1 + 2 * len(pages)
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
        for line in lines:
            esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append("(%s) Tj T*" % esc)
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (pages_id, font, content)))
    add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref))
    with open(path, "wb") as f:
        f.write(out.getvalue())


CHINESE = ["中华人民共和国海关进口货物报关单", "预录入编号：310120240001234567", "境内收货人：上海东方贸易有限公司",
           "境外发货人：汉堡木材贸易有限公司", "运输方式：水路运输  启运港：汉堡", "商品编号：4407919000  商品名称：橡木锯材",
           "数量及单位：120立方米  总价：48000.00美元", "原产国（地区）：德国  成交方式：CIF"]


def extras(rng, out, width):
    # a multi-page TIFF of three pages, the truth of each beside it
    tiff_pages = []
    for i in range(3):
        lines = page_text(rng, 10)
        with open(os.path.join(out, "multi-p%d.txt" % (i + 1)), "w") as f:
            f.write("\n".join(lines) + "\n")
        tiff_pages.append(render(lines, rng, width))
    tiff_pages[0].save(os.path.join(out, "multi.tif"), save_all=True, append_images=tiff_pages[1:],
                       compression="tiff_lzw", dpi=(300, 300))
    # a scanned PDF (images only) and a born-digital PDF of the same text
    doc = [page_text(rng, 16) for _ in range(3)]
    with open(os.path.join(out, "digital.txt"), "w") as f:
        f.write("\n".join("\n".join(p) for p in doc) + "\n")
    pdf_text_layer(doc, os.path.join(out, "digital.pdf"))
    scans = [render(p, rng, width) for p in doc]
    scans[0].save(os.path.join(out, "scanned.pdf"), save_all=True, append_images=scans[1:], resolution=300.0)
    # a Chinese declaration page
    cn = render(CHINESE, rng, width, font_path=CJK_FONT, size=int(width / 36))
    save_png(cn, os.path.join(out, "chinese.png"))
    with open(os.path.join(out, "chinese.txt"), "w") as f:
        f.write("\n".join(CHINESE) + "\n")
    # archives of pages
    clean = [os.path.join(out, n) for n in sorted(os.listdir(out)) if n.endswith("-clean.png")][:2]
    with zipfile.ZipFile(os.path.join(out, "batch.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for p in clean:
            z.write(p, "scans/" + os.path.basename(p))
        z.writestr("notes/readme.txt", "not an image\n")
    with tarfile.open(os.path.join(out, "batch.tar.gz"), "w:gz") as t:
        for p in clean:
            t.add(p, "scans/" + os.path.basename(p))
    bad = os.path.join(out, "bad")
    os.makedirs(bad, exist_ok=True)
    data = open(clean[0], "rb").read()
    with open(os.path.join(bad, "corrupt.png"), "wb") as f:      # a PNG cut short and garbled
        f.write(data[:200] + bytes(rng.randrange(256) for _ in range(400)))
    zdata = open(os.path.join(out, "batch.zip"), "rb").read()
    with open(os.path.join(bad, "truncated.zip"), "wb") as f:    # loses its end: no central directory
        f.write(zdata[:len(zdata) * 2 // 3])
    with zipfile.ZipFile(os.path.join(bad, "bomb.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.png", b"\0" * (64 << 20))             # 64 MiB of zeros in ~64 KiB
        z.write(clean[0], "good.png")
    open(os.path.join(bad, "empty.png"), "wb").close()
    pdf = open(os.path.join(out, "digital.pdf"), "rb").read()
    cut = pdf.rindex(b"xref")                                    # the xref table replaced by junk
    with open(os.path.join(bad, "broken-xref.pdf"), "wb") as f:
        f.write(pdf[:cut] + b"xref\n0 7\ngarbage garbage\ntrailer\n<< /Size 7 >>\nstartxref\n999999\n%%EOF\n")
    with open(os.path.join(bad, "notes.png"), "w") as f:         # text behind an image name
        f.write("This is a text file, not an image.\n")
    with open(os.path.join(bad, "broken.pdf"), "wb") as f:       # a PDF header and nothing usable
        f.write(b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(300)))
    inner = io.BytesIO()                                         # a zip in a zip in a zip
    with zipfile.ZipFile(inner, "w") as z:
        z.write(clean[0], "deep.png")
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as z:
        z.writestr("inner.zip", inner.getvalue())
    with zipfile.ZipFile(os.path.join(out, "nested.zip"), "w") as z:
        z.writestr("middle.zip", middle.getvalue())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pages", type=int, default=2)
    ap.add_argument("--lines", type=int, default=14)
    ap.add_argument("--width", type=int, default=1748)   # A5 at 300 dpi
    ap.add_argument("--extras", action="store_true")
    ap.add_argument("outdir")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    rng = random.Random(a.seed)
    for n in range(1, a.pages + 1):
        lines = page_text(rng, a.lines)
        with open(os.path.join(a.outdir, "p%d.txt" % n), "w") as f:
            f.write("\n".join(lines) + "\n")
        variants(render(lines, rng, a.width), rng, a.outdir, "p%d" % n)
    if a.extras:
        extras(rng, a.outdir, a.width)


if __name__ == "__main__":
    main()
