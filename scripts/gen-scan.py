#!/usr/bin/python3
"""gen-scan.py - synthetic container X-ray transmission images with ground truth,
for building and measuring sc-scan (never evidence that real scans are read).

    gen-scan.py OUTDIR --count N --seed S [--variants] [--kinds k,k] [--size WxH]

Writes OUTDIR/NNNN.png (or .tif/.jpg), OUTDIR/records.jsonl (one record per image:
src.path relative to OUTDIR, a declaration) and OUTDIR/truth.jsonl (what is really
there). The physics, in attenuation A = -ln(I/I0) = sum of mu*t:
  side view, beam across the container; effective energy of a few MeV, where
  mu/rho is ~0.042 cm2/g for iron and ~0.045 cm2/g for organics, so 300 mm of
  steel gives A ~ 9.9 and the detector sees only noise (penetration limit);
  I0 5-6e4 counts with Poisson noise, a dark offset and readout noise, 16-bit;
  pulse drop-outs (vertical streaks), dead detector rows, dose drift, speed stretch.
Threats are dense blocks added to the attenuation (transmissions multiply).
"""
import argparse, json, math, os, sys
import numpy as np
from PIL import Image

MU_FE = 0.033      # per mm: 0.042 cm2/g x 7.87 g/cm3 / 10
MU_ORG = 0.0045    # per mm per (g/cm3): 0.045 cm2/g / 10
MU_PB = 0.051      # per mm: ~0.045 cm2/g x 11.35 / 10 (pair production makes lead rise)
WIDTH = 2350.0
PNG = {"compress_level": 1}  # fast to write; sc-scan reads any level     # inner width of a container along the beam, mm

# cargo kinds: (HS chapter declared, bulk density g/cm3 along the beam range)
KINDS = {
    "pallets":   ("48", (0.10, 0.35)),   # cartons of paper goods / general cargo
    "bulk":      ("10", (0.55, 0.80)),   # grain in bulk or heaped
    "sugar":     ("17", (0.60, 0.85)),
    "carcasses": ("02", (0.20, 0.40)),   # hanging meat
    "fruit":     ("08", (0.25, 0.45)),
    "tyres":     ("40", (0.15, 0.35)),
    "bales":     ("52", (0.25, 0.50)),   # cotton / textiles
    "sacks":     ("11", (0.45, 0.75)),
    "cars":      ("87", (0.05, 0.15)),
    "machinery": ("84", (0.15, 0.50)),
    "paper":     ("48", (0.40, 0.75)),   # paper rolls
    "liquids":   ("22", (0.50, 0.90)),   # drums / IBCs of beverages
    "metals":    ("72", (1.20, 2.50)),   # steel coils, bars (near opaque)
}
# a wrong declaration for a loaded box: a chapter far from what is inside
MISDECL = {"light": "52", "dense": "72"}


def smooth1(rng, n, scale, amp):
    k = max(2, int(n / scale))
    v = rng.normal(0, 1, k + 3)
    x = np.linspace(0, k, n)
    return amp * np.interp(x, np.arange(k + 3), v)


class Scene:
    def __init__(s, rng, W, H, px, py):
        s.rng, s.W, s.H, s.px, s.py = rng, W, H, px, py
        s.A = np.zeros((H, W), np.float32)

    def X(s, mm):            # horizontal mm from the frame's left edge -> column
        return int(round(mm / s.px))

    def Y(s, mm):            # height above ground in mm -> row
        return int(round(s.H - 1 - mm / s.py))

    def box(s, x0, x1, z0, z1, a):
        """add attenuation a over x in [x0,x1) mm, height z in [z0,z1) mm"""
        c0, c1 = max(0, s.X(x0)), min(s.W, s.X(x1))
        r0, r1 = max(0, s.Y(z1)), min(s.H, s.Y(z0))
        if c1 > c0 and r1 > r0:
            s.A[r0:r1, c0:c1] += a
        return [c0, r0, c1 - c0, r1 - r0]

    def disc(s, cx, cz, r, a, r_in=0.0, a_in=0.0):
        c0, c1 = max(0, s.X(cx - r) - 1), min(s.W, s.X(cx + r) + 2)
        r0, r1 = max(0, s.Y(cz + r) - 1), min(s.H, s.Y(cz - r) + 2)
        if c1 <= c0 or r1 <= r0:
            return
        yy, xx = np.mgrid[r0:r1, c0:c1]
        d = np.hypot(xx * s.px - cx, (s.H - 1 - yy) * s.py - cz)
        s.A[r0:r1, c0:c1] += np.where(d < r, a, 0) + np.where(d < r_in, a_in - a, 0) * (r_in > 0)


def container(sc, x0, L, Hc, z0, reefer, truth):
    """one box from x0 (mm) of length L, height Hc, floor bottom at z0"""
    rng = sc.rng
    c0, c1 = sc.X(x0), sc.X(x0 + L)
    r_top, r_bot = sc.Y(z0 + Hc), sc.Y(z0)
    # side walls: 2 x 1.6 mm corrugated steel; the oblique faces lengthen the path
    xs = (np.arange(c0, c1) * sc.px - x0)
    period = rng.uniform(270, 290)
    tri = np.abs(((xs / period) % 1.0) - 0.5) * 2
    wall = MU_FE * 2 * 1.6 * (1.0 + 0.35 * (tri > 0.6))
    sc.A[r_top:r_bot, c0:c1] += wall[None, :].astype(np.float32)
    # roof seen edge on (thin sheet along the beam) and the top side rails
    sc.box(x0, x0 + L, z0 + Hc - 60, z0 + Hc, 2350 * MU_FE * 0.0015 * 2)
    sc.box(x0, x0 + L, z0 + Hc - 100, z0 + Hc - 60, 0.9)
    # floor: 28 mm plywood across the width, bottom rails, cross-members (comb)
    sc.box(x0, x0 + L, z0 + 120, z0 + 160, 2350 * 0.0045 * 0.7)
    sc.box(x0, x0 + L, z0 + 80, z0 + 120, 1.2)
    step = rng.uniform(280, 320)
    x = x0 + 150
    while x < x0 + L - 150:
        sc.box(x, x + 45, z0, z0 + 120, 2350 * MU_FE * 0.006)
        x += step
    # corner posts, front end wall, door frame and locking bars
    sc.box(x0, x0 + 150, z0, z0 + Hc, 3.0)
    sc.box(x0 + L - 150, x0 + L, z0, z0 + Hc, 3.2)
    for bx in (x0 + L - 420, x0 + L - 300):
        sc.box(bx, bx + 30, z0 + 100, z0 + Hc - 100, 1.1)
    inner = [x0 + 160, x0 + L - 160]
    ref = None
    if reefer:
        # the machinery at the front: coils, compressor, frame
        sc.box(x0 + 150, x0 + 550, z0 + 160, z0 + Hc - 100, 1.4)
        sc.box(x0 + 250, x0 + 480, z0 + 250, z0 + 800, 2.5)      # compressor
        for k in range(6):
            zz = z0 + 1000 + k * 220
            sc.box(x0 + 180, x0 + 520, zz, zz + 40, 0.8)          # coil rows
        ref = [sc.X(x0 + 150), sc.Y(z0 + Hc - 100), sc.X(x0 + 550) - sc.X(x0 + 150),
               sc.Y(z0 + 160) - sc.Y(z0 + Hc - 100)]
        inner[0] = x0 + 560
    truth["containers"].append({"bbox": [c0, r_top, c1 - c0, r_bot - r_top], "reefer": ref,
                                "length_mm": L})
    return inner, (z0 + 160, z0 + Hc - 100)


def cargo(sc, kind, xa, xb, za, zb, rho, truth):
    """fill [xa,xb] x [za,zb] (mm) with a cargo of this kind; returns its bboxes"""
    rng = sc.rng
    mu = MU_ORG * rho * WIDTH
    boxes = []
    Hc = zb - za
    if kind in ("bulk", "sugar"):
        # a heap: height profile a smooth hill, filled with grain
        n = sc.X(xb) - sc.X(xa)
        top = Hc * rng.uniform(0.4, 0.9)
        prof = top * np.clip(1 - (np.linspace(-1, 1, n) ** 2) * rng.uniform(0.2, 0.8), 0, 1)
        prof += smooth1(rng, n, 60, 50)
        c0 = sc.X(xa)
        for i in range(n):
            r0, r1 = sc.Y(za + max(prof[i], 50)), sc.Y(za)
            sc.A[r0:r1, c0 + i] += mu * (1 + 0.03 * rng.normal())
        boxes.append([c0, sc.Y(za + top + 60), n, sc.Y(za) - sc.Y(za + top + 60)])
        return boxes
    if kind == "carcasses":
        x = xa + 100
        while x < xb - 300:
            w = rng.uniform(250, 400)
            l = rng.uniform(1200, 1900)
            zt = zb - 150
            sc.box(x, x + w, zt - l, zt, mu * 0.7)
            sc.box(x + w * 0.4, x + w * 0.55, zt - l, zt, 1.2 * rho)   # spine bones
            sc.box(x + w * 0.3, x + w * 0.7, zt - 60, zt, 0.6)        # hook
            boxes.append([sc.X(x), sc.Y(zt), sc.X(w), sc.Y(0) - sc.Y(l)])
            x += w + rng.uniform(50, 200)
        return boxes
    if kind == "tyres":
        r = rng.uniform(300, 420)
        x = xa + r
        while x < xb - r:
            z = za + r
            while z < zb - r:
                sc.disc(x, z, r, mu * 0.9, r * 0.6, 0.05)
                z += 2 * r + 10
            boxes.append([sc.X(x - r), sc.Y(z - r), sc.X(2 * r), sc.Y(za) - sc.Y(z - r)])
            x += 2 * r + 20
        return boxes
    if kind == "cars":
        x = xa + 200
        while x < xb - 3800:
            L = rng.uniform(3800, 4600)
            sc.box(x, x + L, za + 300, za + 1000, mu * 0.8)
            sc.box(x + 800, x + L - 1200, za + 1000, za + 1450, mu * 0.5)
            sc.box(x + 200, x + 900, za + 350, za + 900, 2.2)          # engine block
            for wx in (x + 700, x + L - 700):
                sc.disc(wx, za + 320, 320, 1.6, 200, 1.0)
            boxes.append([sc.X(x), sc.Y(za + 1450), sc.X(L), sc.Y(za) - sc.Y(za + 1450)])
            x += L + rng.uniform(200, 600)
        return boxes
    # pallet-like kinds: blocks with gaps, stacked
    w_unit = {"liquids": 1000, "paper": rng.uniform(900, 1300), "bales": 1100,
              "sacks": 1200, "machinery": rng.uniform(800, 2000), "metals": rng.uniform(500, 1500),
              "fruit": 1200, "pallets": 1200}[kind]
    x = xa + rng.uniform(0, 100)
    while x + w_unit * 0.6 < xb:
        w = min(w_unit * rng.uniform(0.9, 1.05), xb - x)
        h = {"metals": rng.uniform(300, 900), "machinery": rng.uniform(600, 2000),
             "liquids": 1150}.get(kind, rng.uniform(0.55, 0.97) * Hc)
        h = min(h, Hc - 20)
        a = mu * rng.uniform(0.85, 1.15)
        if kind == "pallets" or kind == "fruit":
            sc.box(x, x + w, za, za + 140, 0.8)                       # pallet base
            tiers = int(rng.integers(2, 6))
            for t in range(tiers):
                zz = za + 140 + t * (h - 140) / tiers
                sc.box(x, x + w, zz + 15, za + 140 + (t + 1) * (h - 140) / tiers, a)
        elif kind == "sacks":
            rows = int(h // 180)
            for t in range(rows):
                off = 0 if t % 2 == 0 else 300
                xx = x + off - 300
                while xx < x + w:
                    sc.box(max(x, xx + 20), min(x + w, xx + 580), za + t * 180 + 10, za + (t + 1) * 180, a)
                    xx += 600
        elif kind == "bales":
            sc.box(x, x + w, za, za + h, a)
            for bz in np.linspace(za + 100, za + h - 100, 4):
                sc.box(x, x + w, bz, bz + 8, 0.6)                      # steel straps
        elif kind == "liquids":
            sc.box(x, x + w, za, za + 150, 0.8)
            fill = rng.uniform(0.8, 0.95)
            sc.box(x + 30, x + w - 30, za + 150, za + 150 + (h - 150) * fill, a)
            sc.box(x + 10, x + 30, za + 150, za + h, 0.6)             # cage
            sc.box(x + w - 30, x + w - 10, za + 150, za + h, 0.6)
        elif kind == "paper":
            sc.box(x, x + w, za, za + h, a)
            sc.box(x + w * 0.45, x + w * 0.55, za, za + h, -a * 0.3)  # the core
        elif kind == "machinery":
            sc.box(x, x + w, za, za + 150, 1.0)
            sc.box(x + 50, x + w - 50, za + 150, za + h, a * 0.5)
            for _ in range(int(rng.integers(2, 6))):
                px0 = rng.uniform(x, x + w - 200)
                pz0 = rng.uniform(za + 150, za + h - 150)
                sc.box(px0, px0 + rng.uniform(100, 400), pz0, pz0 + rng.uniform(80, 300),
                       rng.uniform(0.5, 2.5))
        else:  # metals
            sc.box(x, x + w, za, za + h, a)
        boxes.append([sc.X(x), sc.Y(za + h), sc.X(w), sc.Y(za) - sc.Y(za + h)])
        x += w + rng.uniform(20, 250)
    return boxes


def make(seed, args):
    rng = np.random.default_rng(seed)
    px = rng.uniform(5.7, 6.3)          # speed stretch: mm per column
    py = 7.0                             # detector pitch, mm per row
    layout = rng.choice(["40", "20", "2x20", "40hc"], p=[0.45, 0.25, 0.15, 0.15])
    Hc = 2896 if layout == "40hc" else 2591
    Ls = {"40": [12192], "40hc": [12192], "20": [6058], "2x20": [6058, 6058]}[layout]
    cab_len, gap = 2400, rng.uniform(250, 400)
    margin = rng.uniform(300, 600)
    total = margin * 2 + cab_len + gap + sum(Ls) + 100 * (len(Ls) - 1)
    W, H = int(total / px), int(rng.uniform(4350, 4550) / py)
    sc = Scene(rng, W, H, px, py)
    cab_left = rng.random() < 0.5
    truth = {"seed": int(seed), "layout": str(layout), "containers": [], "blocks": [],
             "px_mm": px, "py_mm": py}
    z0 = 1250.0
    xbox = margin + (cab_len + gap if cab_left else 0)
    # truck: cab, engine, chassis beams, wheels
    cx0 = margin if cab_left else total - margin - cab_len
    sc.box(cx0, cx0 + cab_len, 1000, 3300, 0.35)                         # cab shell
    sc.box(cx0 + 200, cx0 + cab_len - 200, 2000, 2900, -0.2)             # windows
    ex = cx0 + (300 if cab_left else cab_len - 1400)
    sc.box(ex, ex + 1100, 900, 1700, 7.5)                                 # engine
    truth["cab"] = sc.box(cx0, cx0 + cab_len, 500, 3300, 0)
    chx0, chx1 = margin + 100, total - margin - 100
    sc.box(chx0, chx1, 1000, 1030, 4.0)
    sc.box(chx0, chx1, 1220, 1250, 4.0)
    sc.box(chx0, chx1, 1030, 1220, 0.6)
    truth["chassis"] = sc.box(chx0, chx1, 1000, 1250, 0)
    wheels = [cx0 + 500, cx0 + cab_len - 300] if cab_left else [cx0 + 300, cx0 + cab_len - 500]
    far = total - margin - 1500 if cab_left else margin + 1500
    wheels += [far - 1300, far, far + 1300]
    truth["wheels"] = []
    for wx in wheels:
        sc.disc(wx, 500, 500, 6.0, 300, 2.5)
        truth["wheels"].append([sc.X(wx - 500), sc.Y(1000), sc.X(1000), sc.Y(0) - sc.Y(1000)])
    reefer = rng.random() < 0.2 and layout != "2x20"
    interiors = []
    x = xbox
    for L in Ls:
        interiors.append(container(sc, x, L, Hc, z0, reefer, truth))
        x += L + 100
    # what is in it
    p = rng.random()
    state = "empty" if p < 0.35 else ("partial" if p < 0.6 else "full")
    kinds = args.kinds.split(",") if args.kinds else list(KINDS)
    kind = str(rng.choice(kinds))
    hs, (rlo, rhi) = KINDS[kind]
    rho = rng.uniform(rlo, rhi)
    truth.update(state=state, kind=kind if state != "empty" else None, rho=rho)
    cargo_boxes = []
    a_before = float(sc.A.sum(dtype=np.float64))
    if state != "empty":
        for (xa, xb), (za, zb) in interiors:
            if state == "partial":
                few = rng.random() < 0.4
                ln = rng.uniform(1300, 3000) if few else (xb - xa) * rng.uniform(0.2, 0.7)
                if kind == "cars":
                    ln = max(ln, 4800)
                at = rng.uniform(xa, max(xa + 1, xb - ln))
                xa, xb = at, min(xb, at + ln)
            cargo_boxes += cargo(sc, kind, xa, xb, za, zb, rho, truth)
    truth["cargo"] = cargo_boxes
    # the cargo's mass from the attenuation it added: A / (mu/rho) in g/cm2 per pixel
    truth["mass_kg"] = round((float(sc.A.sum(dtype=np.float64)) - a_before) / 0.045 * (px * py / 100) / 1000)
    # concealed dense blocks, multiplied in (attenuations add)
    nb = int(rng.choice([0, 0, 1, 1, 2])) if args.blocks else 0
    for _ in range(nb):
        where = rng.choice(["cargo", "wall", "floor", "reefer"] if reefer else ["cargo", "wall", "floor"],
                           p=[0.45, 0.3, 0.15, 0.1] if reefer else [0.5, 0.3, 0.2])
        if where == "cargo" and not cargo_boxes:
            where = "wall"
        size = rng.uniform(50, 300)
        hgt = rng.uniform(50, 300)
        depth = rng.uniform(50, 300)
        mat = rng.choice(["steel", "lead"], p=[0.7, 0.3])
        a = (MU_FE if mat == "steel" else MU_PB) * depth
        (xa, xb), (za, zb) = interiors[int(rng.integers(len(interiors)))]
        if where == "cargo":
            b = cargo_boxes[int(rng.integers(len(cargo_boxes)))]
            bx = (b[0] + rng.uniform(0.1, 0.9) * b[2]) * px - size / 2
            bz = (H - 1 - (b[1] + rng.uniform(0.1, 0.9) * b[3])) * py - hgt / 2
        elif where == "wall":
            bx, bz = rng.uniform(xa + 200, xb - 200 - size), rng.uniform(za + 100, zb - hgt - 100)
        elif where == "floor":
            bx, bz, hgt = rng.uniform(xa + 200, xb - 200 - size), z0 + 5, rng.uniform(60, 150)
        else:
            r = truth["containers"][0]["reefer"]
            bx = rng.uniform(r[0] * px + 20, (r[0] + r[2]) * px - size - 20)
            bz = rng.uniform(z0 + 300, z0 + Hc - 500)
        bz = max(bz, 0)
        bb = sc.box(bx, bx + size, bz, bz + hgt, a)
        truth["blocks"].append({"bbox": bb, "where": str(where), "material": str(mat),
                                "depth_mm": round(depth), "A": round(a, 2)})
    # the scanner: I0 with drift and pulse drop-outs, Poisson, dark offset, dead rows
    I0 = rng.uniform(50000, 60000)
    drift = 1 + smooth1(rng, W, 400, 0.02) + np.linspace(0, rng.uniform(-0.04, 0.04), W)
    pulses = np.ones(W)
    for _ in range(int(rng.integers(0, 6))):
        c = int(rng.integers(0, W))
        pulses[c:c + int(rng.integers(1, 4))] *= rng.uniform(0.6, 0.95)
    lam = (I0 * drift * pulses)[None, :] * np.exp(-sc.A.astype(np.float64))
    dark = rng.uniform(150, 400)
    img = rng.poisson(lam) + dark + rng.normal(0, 8, lam.shape)
    for _ in range(int(rng.integers(0, 3))):
        r = int(rng.integers(0, H))
        img[r, :] = dark + rng.normal(0, 8, W)                   # dead detector row
    img = np.clip(img, 0, 65535).astype(np.uint16)
    truth.update(size=[W, H], I0=I0, dark=dark)
    # the export
    variant = "png16"
    if args.variants:
        variant = str(rng.choice(["png16", "tif16", "jpg8", "inv16", "pseudo"], p=[0.4, 0.15, 0.2, 0.1, 0.15]))
    name = "%06d" % seed
    if variant == "png16":
        path = name + ".png"; Image.fromarray(img).save(os.path.join(args.out, path), **PNG)
    elif variant == "tif16":
        path = name + ".tif"; Image.fromarray(img).save(os.path.join(args.out, path))
    elif variant == "inv16":
        path = name + ".png"; Image.fromarray((65535 - img).astype(np.uint16)).save(os.path.join(args.out, path), **PNG)
    else:
        g8 = (img >> 8).astype(np.uint8)
        if variant == "jpg8":
            path = name + ".jpg"; Image.fromarray(g8).save(os.path.join(args.out, path), quality=90)
        else:
            path = name + ".png"; Image.fromarray(jet(g8)).save(os.path.join(args.out, path), **PNG)
    truth["variant"] = variant
    truth["path"] = path
    # the declaration: mostly true, sometimes not
    rec = {"id": "SCAN-%06d" % seed, "src": {"path": path}}
    d = rng.random()
    cont = ["MSKU%07d" % int(rng.integers(0, 9999999))]
    if state == "empty":
        lie = d < 0.5
        if lie:
            decl = {"id": "D%06d" % seed, "containers": cont, "gross_kg": round(rng.uniform(5000, 20000)),
                    "items": [{"hs": KINDS[str(rng.choice(list(KINDS)))][0] + "0000", "description": "goods"}]}
        else:
            decl = {"id": "D%06d" % seed, "containers": cont, "empty": True}
    else:
        lie = d < 0.25
        if lie and d < 0.1:
            decl = {"id": "D%06d" % seed, "containers": cont, "empty": True}
        else:
            h = hs
            if lie:
                h = MISDECL["dense"] if rho < 0.45 and kind not in ("metals",) else MISDECL["light"]
                if kind in ("bulk", "sugar", "sacks", "paper", "liquids", "metals"):
                    h = "52" if kind != "metals" else "48"
                else:
                    h = "72"
            decl = {"id": "D%06d" % seed, "containers": cont,
                    "items": [{"hs": h + "0000", "description": kind}]}
            if rng.random() < 0.5:
                # gross: the cargo and its packing, as a shipper weighs it
                decl["gross_kg"] = round(truth["mass_kg"] * rng.uniform(0.95, 1.25))
            lie = lie and h != hs
    truth["decl_true"] = not lie
    rec["decl"] = decl
    return rec, truth


def jet(g8):
    """the classic jet colour map (blue-cyan-yellow-red), as scanner consoles export"""
    v = g8.astype(np.float32) / 255.0
    r = np.clip(1.5 - np.abs(4 * v - 3), 0, 1)
    g = np.clip(1.5 - np.abs(4 * v - 2), 0, 1)
    b = np.clip(1.5 - np.abs(4 * v - 1), 0, 1)
    return (np.stack([r, g, b], -1) * 255 + 0.5).astype(np.uint8)


def overlaps(a, b, tol=3):
    return (a[0] < b[0] + b[2] + tol and b[0] < a[0] + a[2] + tol and
            a[1] < b[1] + b[3] + tol and b[1] < a[1] + a[3] + tol)


def iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    i = max(0, x1 - x0) * max(0, y1 - y0)
    u = a[2] * a[3] + b[2] * b[3] - i
    return i / u if u else 0.0


_LOADED = {}


def evaluate(truth_path, out_path, refer_score):
    """figures of sc-scan's output against the ground truth (JSON on stdout)"""
    if (truth_path, out_path) not in _LOADED:
        outs = {}
        for l in open(out_path):
            r = json.loads(l)
            outs[r.get("src", {}).get("path", "").split("/")[-1]] = r
        _LOADED[(truth_path, out_path)] = ([json.loads(l) for l in open(truth_path)], outs)
    truth, outs = _LOADED[(truth_path, out_path)]
    n = dict(loaded=0, loaded_empty=0, empty=0, empty_loaded=0, goods_in_empty=0, goods_in_empty_flagged=0,
             true_decl=0, true_kept=0, lie_loaded=0, lie_loaded_flagged=0, blocks=0, found=0, fa=0, fa_opaque=0,
             images=0, found_img=0, fa_img=0, frames=0, frames_ok=0, unread=0, cab_ok=0, wheels_ok=0)
    by_where = {}
    anom_scores = []   # (score, hit) for fitting the referral score
    for t in truth:
        r = outs.get(t["path"])
        n["images"] += 1
        if r is None or "empty" not in r.get("scan", {}):
            n["unread"] += 1
            continue
        s = r["scan"]
        loaded = t["state"] != "empty"
        if loaded:
            n["loaded"] += 1
            n["loaded_empty"] += s["empty"]
        else:
            n["empty"] += 1
            n["empty_loaded"] += not s["empty"]
        d = r.get("decl", {})
        if not loaded and d.get("items"):
            n["goods_in_empty"] += 1
            n["goods_in_empty_flagged"] += s.get("consistent") is False
        if t["decl_true"]:
            n["true_decl"] += 1
            n["true_kept"] += s.get("consistent") is True
        elif loaded:
            n["lie_loaded"] += 1
            n["lie_loaded_flagged"] += s.get("consistent") is False
        an = [a for a in s["anomalies"] if a["score"] >= refer_score and not a.get("expected")]
        an_img = [a for a in s["anomalies"] if a["score"] >= refer_score]
        for b in t["blocks"]:
            hit = any(overlaps(a["bbox"], b["bbox"]) for a in an)
            n["blocks"] += 1
            n["found"] += hit
            n["found_img"] += any(overlaps(a["bbox"], b["bbox"]) for a in an_img)
            w = by_where.setdefault(b["where"], [0, 0])
            w[0] += 1
            w[1] += hit
        for a in s["anomalies"]:
            hit = any(overlaps(a["bbox"], b["bbox"]) for b in t["blocks"])
            if a["kind"] != "opaque" and not a.get("expected"):
                anom_scores.append((a["score"], hit))
            if a["score"] < refer_score or hit:
                continue
            if a["kind"] == "opaque":
                n["fa_opaque"] += 1
            else:
                n["fa_img"] += 1
                n["fa"] += not a.get("expected")
        # the frame: every box found (IoU >= 0.9), the cab, the wheels
        n["frames"] += 1
        boxes = [c["bbox"] for c in s.get("containers", [])]
        ok = len(boxes) == len(t["containers"]) and all(
            max(iou(tb["bbox"], b) for b in boxes) >= 0.9 for tb in t["containers"])
        cab = s.get("truck", {}).get("cab")
        cab_ok = bool(cab) and iou(cab, t["cab"]) >= 0.5
        wh = len(s.get("truck", {}).get("wheels", []))
        n["frames_ok"] += ok and cab_ok
        n["cab_ok"] += cab_ok
        n["wheels_ok"] += wh == len(t["wheels"])
    f = lambda a, b: round(n[a] / n[b], 4) if n[b] else None
    res = {"counts": n,
           "loaded_called_empty": f("loaded_empty", "loaded"),
           "empty_called_loaded": f("empty_loaded", "empty"),
           "goods_in_empty_flagged": f("goods_in_empty_flagged", "goods_in_empty"),
           "consistent_kept": f("true_kept", "true_decl"),
           "false_decl_of_loaded_flagged": f("lie_loaded_flagged", "lie_loaded"),
           "blocks_found": f("found", "blocks"),
           "false_alarms_per_image": round(n["fa"] / max(1, n["images"] - n["unread"]), 4),
           "blocks_found_image_only": f("found_img", "blocks"),
           "false_alarms_image_only": round(n["fa_img"] / max(1, n["images"] - n["unread"]), 4),
           "opaque_regions_per_image": round(n["fa_opaque"] / max(1, n["images"] - n["unread"]), 4),
           "frames_located": f("frames_ok", "frames"),
           "cab_located": f("cab_ok", "frames"),
           "wheels_counted": f("wheels_ok", "frames"),
           "blocks_by_where": {k: [v[1], v[0]] for k, v in sorted(by_where.items())},
           "anomaly_scores": sorted(anom_scores)}
    return res


def fit(truth_path, out_path, max_fa):
    """the lowest referral score whose false alarms per image stay within max_fa"""
    res = evaluate(truth_path, out_path, 0.0)
    imgs = max(1, res["counts"]["images"] - res["counts"]["unread"])
    best = 1.0
    for sc_ in sorted({a for a, _ in res["anomaly_scores"]}, reverse=True):
        r = evaluate(truth_path, out_path, sc_)
        if r["false_alarms_per_image"] <= max_fa:
            best = sc_
        else:
            break
    return best


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("eval", "fit"):
        ap = argparse.ArgumentParser(prog="gen-scan.py " + sys.argv[1])
        ap.add_argument("truth")
        ap.add_argument("output")
        ap.add_argument("--refer-score", type=float, default=0.5)
        ap.add_argument("--max-fa", type=float, default=0.05)
        a = ap.parse_args(sys.argv[2:])
        if sys.argv[1] == "eval":
            r = evaluate(a.truth, a.output, a.refer_score)
            del r["anomaly_scores"]
            print(json.dumps(r))
        else:
            print(fit(a.truth, a.output, a.max_fa))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1, help="first seed; image i uses seed+i")
    ap.add_argument("--variants", action="store_true", help="also 8-bit JPEG, TIFF, inverted, pseudo-colour")
    ap.add_argument("--kinds", default="", help="cargo kinds to draw from (default all)")
    ap.add_argument("--no-blocks", dest="blocks", action="store_false")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "records.jsonl"), "w") as rf, \
         open(os.path.join(args.out, "truth.jsonl"), "w") as tf:
        for i in range(args.count):
            rec, truth = make(args.seed + i, args)
            rf.write(json.dumps(rec, separators=(",", ":")) + "\n")
            tf.write(json.dumps(truth, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
