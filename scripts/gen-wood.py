#!/usr/bin/python3
# gen-wood.py - synthesize end-grain images of wood "taxa" as an officer would
# photograph them through a 10x loupe (dark circular vignette, uneven light, blur
# toward the edges, any rotation, exposure, JPEG), for tests, the demo and the bench.
# Deterministic: the same arguments give byte-identical files.
"""usage:
  gen-wood.py library DIR [--taxa N | --only a,b] [--skip a,b] [--specimens K]
                          [--images M] [--size WxH] [--seed S] [--jobs J]
  gen-wood.py other DIR [--count N] [--size WxH] [--seed S] [--jobs J]
  gen-wood.py list

library: DIR/<folder>/<specimen>_<n>.jpg plus DIR/<folder>/taxon.yaml per taxon.
other:   DIR/<kind>_<n>.jpg, pictures that are not end grain (side grain, cloth,
         print, metal, stone, blank), half of them through the same loupe.
"""
import hashlib
import math
import os
import sys
from multiprocessing import Pool

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

FIELD_MM = 4.5  # width of the loupe's field of view

# Each taxon differs the way real woods differ: pore size (mm), pores per mm^2,
# arrangement, ring- vs diffuse-porous, parenchyma bands, rays, colour. The names
# are real timbers (CITES-listed ones among them) but the pictures are only
# caricatures of their anatomy, good for testing a pipeline, not for training
# anything meant for real samples.
TAXA = [
    dict(folder="dalbergia-nigra", taxon="Dalbergia nigra", trade=["Brazilian rosewood", "jacaranda"],
         porosity="diffuse", colour=(92, 52, 34), pore=0.16, density=9, arrange="solitary",
         bands=0.30, band_w=0.035, band_tone=0.18, ray=0.09, ray_w=0.012, ring=1.6, late=0.25),
    dict(folder="dalbergia-latifolia", taxon="Dalbergia latifolia", trade=["Indian rosewood", "sonokeling"],
         porosity="diffuse", colour=(70, 45, 40), pore=0.20, density=5, arrange="multiple",
         bands=0.22, band_w=0.025, band_tone=0.22, ray=0.08, ray_w=0.010, ring=2.2, late=0.15),
    dict(folder="pterocarpus-santalinus", taxon="Pterocarpus santalinus", trade=["red sanders", "red sandalwood"],
         porosity="diffuse", colour=(140, 38, 30), pore=0.12, density=14, arrange="solitary",
         bands=0.16, band_w=0.018, band_tone=0.25, ray=0.06, ray_w=0.007, ring=1.2, late=0.20),
    dict(folder="swietenia-macrophylla", taxon="Swietenia macrophylla", trade=["big-leaf mahogany", "caoba"],
         porosity="diffuse", colour=(150, 82, 55), pore=0.22, density=6, arrange="multiple",
         bands=1.10, band_w=0.05, band_tone=0.35, ray=0.12, ray_w=0.016, ring=3.0, late=0.05),
    dict(folder="gonystylus-bancanus", taxon="Gonystylus bancanus", trade=["ramin"],
         porosity="diffuse", colour=(205, 190, 150), pore=0.17, density=7, arrange="multiple",
         bands=0.35, band_w=0.012, band_tone=0.15, ray=0.05, ray_w=0.006, ring=9.0, late=0.0),
    dict(folder="quercus-robur", taxon="Quercus robur", trade=["European oak"],
         porosity="ring", colour=(180, 145, 100), pore=0.30, density=3, arrange="ring",
         bands=0.0, band_w=0.0, band_tone=0.0, ray=0.45, ray_w=0.05, ring=1.8, late=0.45),
    dict(folder="fraxinus-excelsior", taxon="Fraxinus excelsior", trade=["European ash"],
         porosity="ring", colour=(215, 195, 160), pore=0.24, density=4, arrange="ring",
         bands=0.0, band_w=0.0, band_tone=0.0, ray=0.10, ray_w=0.010, ring=2.4, late=0.30),
    dict(folder="tectona-grandis", taxon="Tectona grandis", trade=["teak"],
         porosity="semi-ring", colour=(165, 120, 60), pore=0.22, density=5, arrange="semi",
         bands=0.0, band_w=0.0, band_tone=0.0, ray=0.14, ray_w=0.014, ring=2.0, late=0.20),
    dict(folder="pinus-sylvestris", taxon="Pinus sylvestris", trade=["Scots pine", "redwood"],
         porosity="none", colour=(215, 175, 120), pore=0.0, density=0, arrange="softwood",
         bands=0.0, band_w=0.0, band_tone=0.0, ray=0.07, ray_w=0.006, ring=2.0, late=0.35),
    dict(folder="khaya-ivorensis", taxon="Khaya ivorensis", trade=["African mahogany"],
         porosity="diffuse", colour=(170, 90, 60), pore=0.26, density=3, arrange="solitary",
         bands=0.0, band_w=0.0, band_tone=0.0, ray=0.11, ray_w=0.018, ring=6.0, late=0.05),
    dict(folder="aquilaria-malaccensis", taxon="Aquilaria malaccensis", trade=["agarwood", "gaharu"],
         porosity="diffuse", colour=(200, 185, 140), pore=0.10, density=11, arrange="included",
         bands=0.0, band_w=0.0, band_tone=0.0, ray=0.05, ray_w=0.005, ring=8.0, late=0.0),
    dict(folder="afzelia-africana", taxon="Afzelia africana", trade=["doussie", "afzelia"],
         porosity="diffuse", colour=(160, 100, 55), pore=0.28, density=2.5, arrange="aliform",
         bands=0.0, band_w=0.0, band_tone=0.0, ray=0.07, ray_w=0.008, ring=5.0, late=0.10),
]

# Close relatives: a taxon that is its model's twin but for one small anatomical
# feature, as congeners are (rosewood beside rosewood, mahogany beside mahogany).
# Colour, rings and arrangement are the model's; only the named feature differs,
# and by more than one tree of either differs from another (specimen_params), so
# the pair can be told apart, but only by looking closely.
RELATIVES = [
    # pore size and density: fewer, larger pores
    ("dalbergia-latifolia", dict(folder="dalbergia-cochinchinensis", taxon="Dalbergia cochinchinensis",
                                 trade=["Siamese rosewood", "tracwood"], pore=0.145, density=8.5)),
    # pore density: more vessels, and so narrower ones. Vessels that may not
    # overlap crowd out above some 12 per square millimetre at 0.16 mm
    # (simulated with place() below: 15 drawn at 0.16 mm come out as 9.8 to
    # 11.1 per tree, inside the model's 7.4 to 10.2), so the denser twin must
    # have narrower vessels for its density to show, as vessel frequency and
    # diameter go together inversely in real wood (Carlquist, Comparative Wood
    # Anatomy, 2001): at 0.12 mm, 11.4 to 15.1 per square millimetre
    ("dalbergia-nigra", dict(folder="dalbergia-stevensonii", taxon="Dalbergia stevensonii",
                             trade=["Honduras rosewood"], pore=0.12, density=15)),
    # parenchyma bands: the same bands, but 2.4 times as close
    ("swietenia-macrophylla", dict(folder="swietenia-mahagoni", taxon="Swietenia mahagoni",
                                   trade=["Cuban mahogany"], bands=0.45)),
    # ray width and spacing
    ("pterocarpus-santalinus", dict(folder="pterocarpus-erinaceus", taxon="Pterocarpus erinaceus",
                                    trade=["kosso", "African rosewood"], ray=0.09, ray_w=0.014)),
]
for _base, _diff in RELATIVES:
    _t = dict(next(t for t in TAXA if t["folder"] == _base))
    _t.update(_diff)
    _t["relative_of"] = _base
    TAXA.append(_t)


def rng_for(*parts):
    h = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


def smooth_noise(rng, h, w, sigma):
    n = rng.standard_normal((h, w)).astype(np.float32)
    img = Image.fromarray(np.clip(n * 40 + 128, 0, 255).astype(np.uint8))
    img = img.filter(ImageFilter.GaussianBlur(sigma))
    a = np.asarray(img, dtype=np.float32) - 128
    s = a.std() or 1.0
    return a / s


def specimen_params(t, rng):
    """A specimen is one tree: its own colour, ring width and pore density."""
    p = dict(t)
    p["colour"] = tuple(float(np.clip(c * rng.uniform(0.85, 1.15), 5, 250)) for c in t["colour"])
    p["ring"] = t["ring"] * rng.uniform(0.7, 1.4)
    p["density"] = t["density"] * rng.uniform(0.8, 1.2)
    p["pore"] = t["pore"] * rng.uniform(0.9, 1.1)
    return p


def render_wood(p, rng, S):
    """S x S pixels of end grain covering FIELD_MM, float RGB 0..255."""
    ppm = S / FIELD_MM
    theta = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    xx = (xx - S / 2) / ppm
    yy = (yy - S / 2) / ppm
    c, s = math.cos(theta), math.sin(theta)
    u = xx * c + yy * s     # tangential (along the rings)
    v = -xx * s + yy * c    # radial (across the rings)
    curv = rng.uniform(-0.02, 0.02)
    r = v + curv * u * u + 0.05 * np.sin(u * rng.uniform(0.5, 1.5) + rng.uniform(0, 6))
    ring = p["ring"]
    off = rng.uniform(0, ring)
    pos = np.mod(r + off, ring) / ring           # 0 at ring start (earlywood)
    tone = np.ones((S, S), np.float32)
    if p["late"] > 0:
        late = np.clip((pos - 0.55) / 0.45, 0, 1) ** 1.5
        tone -= p["late"] * late
    if p["bands"] > 0:
        bp = np.mod(r + rng.uniform(0, p["bands"]), p["bands"]) - p["bands"] / 2
        tone += p["band_tone"] * np.exp(-(bp / p["band_w"]) ** 2)
    # rays: thin lines across the rings, each of its own width and length
    sp = p["ray"]
    idx = np.floor(u / sp).astype(np.int64)
    jit = rng.uniform(-0.3, 0.3, 4096) * sp
    wid = rng.uniform(0.6, 1.4, 4096) * p["ray_w"]
    ph = rng.uniform(0, 10, 4096)
    ii = np.mod(idx, 4096)
    du = u - (idx * sp + sp / 2 + jit[ii])
    seg = (np.sin(v * 2.0 + ph[ii]) > -0.4).astype(np.float32)
    rays = np.exp(-(du / wid[ii]) ** 2) * seg
    tone += 0.18 * rays
    fib = smooth_noise(rng, S, S, max(0.6, ppm * 0.006))
    tone += 0.05 * fib + 0.04 * smooth_noise(rng, S, S, ppm * 0.15)

    if p["arrange"] == "softwood":
        cell = 0.030 * rng.uniform(0.9, 1.1)
        lum = np.cos(2 * math.pi * u / cell) * np.cos(2 * math.pi * r / (cell * 0.9))
        tone -= (0.10 + 0.15 * np.clip((pos - 0.6) / 0.4, 0, 1)) * (lum > 0.3)
    col = np.array(p["colour"], np.float32)
    img = tone[..., None] * col[None, None, :]

    # pores (vessels), drawn in (u, v) and mapped to pixels
    mask = Image.new("L", (S, S), 0)
    halo = Image.new("L", (S, S), 0)
    dm, dh = ImageDraw.Draw(mask), ImageDraw.Draw(halo)
    half = FIELD_MM * 0.75
    area = (2 * half) ** 2

    def put(pu, pv, d):
        x = (pu * c - pv * s) * ppm + S / 2
        y = (pu * s + pv * c) * ppm + S / 2
        rx = d * ppm / 2 * rng.uniform(0.85, 1.0)
        ry = d * ppm / 2 * rng.uniform(1.0, 1.25)
        if p["arrange"] == "aliform":
            dh.ellipse([x - rx * 2.6, y - ry * 1.8, x + rx * 2.6, y + ry * 1.8], fill=255)
        if p["arrange"] == "included":
            dh.ellipse([x - rx * 1.4, y - ry * 1.4, x + rx * 1.4, y + ry * 1.4], fill=255)
        dm.ellipse([x - rx, y - ry, x + rx, y + ry], fill=255)

    # Vessels are cells: they touch only within a radial multiple (IAWA list of
    # microscopic features for hardwood identification, 1989, features 9-12:
    # a solitary vessel is surrounded by other cells on all sides). So each
    # group of vessels keeps a band of fibres (GAP) from every other; a group
    # that finds no room in a few throws is not drawn, as the crowded wood of a
    # real section has no room for it either.
    GAP = 0.025                      # mm: a fibre or two
    grid, cell = {}, 0.6               # mm: above the widest reach of two vessels

    def room(group):  # group: [(u, v, d)]: true when it overlaps no placed vessel
        for (gu, gv, gd) in group:
            ci, cj = int(math.floor(gu / cell)), int(math.floor(gv / cell))
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    for (ou, ov, od) in grid.get((ci + di, cj + dj), ()):
                        lim = 0.625 * (gd + od) + GAP
                        if (gu - ou) ** 2 + (gv - ov) ** 2 < lim * lim:
                            return False
        return True

    def place(throw, tries=12):  # throw() -> group; draws the first that has room
        for _ in range(tries):
            group = throw()
            if room(group):
                for (gu, gv, gd) in group:
                    grid.setdefault((int(math.floor(gu / cell)), int(math.floor(gv / cell))), []).append((gu, gv, gd))
                    put(gu, gv, gd)
                return

    n = int(rng.poisson(p["density"] * area)) if p["density"] > 0 else 0
    if p["arrange"] in ("solitary", "multiple", "aliform", "included"):
        def vessel_group():
            pu, pv = rng.uniform(-half, half, 2)
            d = p["pore"] * rng.uniform(0.7, 1.2)
            k = 1
            if p["arrange"] == "multiple":
                k = int(rng.choice([1, 2, 2, 3, 4]))
            dk = d * (0.8 if k > 1 else 1.0)
            # the vessels of a multiple touch: they share their walls
            return [(pu, pv + j * dk * 0.92, dk) for j in range(k)]
        for _ in range(n):
            place(vessel_group)
        if p["arrange"] == "included":
            for _ in range(int(area * 2.5)):   # included phloem: dark islands
                pu, pv = rng.uniform(-half, half, 2)
                put(pu, pv, p["pore"] * 2.2)
    elif p["arrange"] in ("ring", "semi"):
        ring = p["ring"]
        k0 = math.floor((-half - off) / ring) - 1
        k1 = math.ceil((half - off) / ring) + 1
        for k in range(k0, k1 + 1):
            start = k * ring - off
            ew = 0.22 * ring if p["arrange"] == "ring" else 0.4 * ring
            ne = int(rng.poisson(2 * half * (5 if p["arrange"] == "ring" else 4) / max(p["pore"] * 8, 0.5)))

            def early():
                pu = rng.uniform(-half, half)
                pv = start + rng.uniform(0.02, ew)
                return [(pu, pv - curv * pu * pu, p["pore"] * rng.uniform(0.7, 1.3))]

            def late():
                pu = rng.uniform(-half, half)
                pv = start + rng.uniform(ew, ring * 0.98)
                return [(pu, pv - curv * pu * pu, p["pore"] * (0.25 if p["arrange"] == "ring" else 0.5) * rng.uniform(0.7, 1.3))]
            for _ in range(ne):
                place(early)
            nl = int(rng.poisson(2 * half * ring * p["density"] * (0.8 if p["arrange"] == "ring" else 1.5)))
            for _ in range(nl):
                place(late)
    h = np.asarray(halo.filter(ImageFilter.GaussianBlur(max(0.5, ppm * 0.01))), np.float32) / 255
    m = np.asarray(mask.filter(ImageFilter.GaussianBlur(max(0.5, ppm * 0.006))), np.float32) / 255
    img = img * (1 - 0.25 * h)[..., None] + (0.25 * h)[..., None] * np.array([235, 215, 160], np.float32)
    img = img * (1 - 0.78 * m)[..., None]
    return np.clip(img, 0, 255)


def render_other(kind, rng, S):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32) / S
    if kind == "sidegrain":
        th = rng.uniform(0, math.pi)
        t = xx * math.cos(th) + yy * math.sin(th)
        w = np.sin(t * rng.uniform(20, 60) + 2 * smooth_noise(rng, S, S, S * 0.05))
        base = np.array([rng.uniform(120, 220), rng.uniform(80, 160), rng.uniform(40, 110)], np.float32)
        tone = 0.85 + 0.12 * w + 0.04 * smooth_noise(rng, S, S, 1.5)
        return np.clip(tone[..., None] * base, 0, 255)
    if kind == "cloth":
        f = rng.uniform(40, 90)
        tone = 0.75 + 0.2 * (np.sin(xx * f * 6.28) * np.sin(yy * f * 6.28) > 0)
        base = rng.uniform(40, 220, 3).astype(np.float32)
        return np.clip((tone + 0.05 * smooth_noise(rng, S, S, 1.0))[..., None] * base, 0, 255)
    if kind == "print":
        img = Image.new("RGB", (S, S), (235, 235, 228))
        d = ImageDraw.Draw(img)
        lh = int(S / rng.uniform(10, 25))
        for y in range(lh, S, lh):
            x = int(rng.uniform(0, S * 0.1))
            while x < S:
                wlen = int(rng.uniform(lh * 0.5, lh * 3))
                d.rectangle([x, y, x + wlen, y + int(lh * 0.45)], fill=(40, 40, 40))
                x += wlen + int(lh * 0.5)
        return np.asarray(img.filter(ImageFilter.GaussianBlur(S / 700)), np.float32)
    if kind == "metal":
        th = rng.uniform(0, math.pi)
        t = xx * math.cos(th) + yy * math.sin(th)
        tone = 150 + 30 * np.sin(t * 3) + 12 * smooth_noise(rng, S, 1, 1.0)[:, :1].repeat(S, 1)
        return np.clip(np.repeat(tone[..., None], 3, 2), 0, 255)
    if kind == "stone":
        n = smooth_noise(rng, S, S, S * 0.01) + 0.6 * smooth_noise(rng, S, S, S * 0.002)
        base = rng.uniform(90, 200, 3).astype(np.float32)
        return np.clip((1 + 0.15 * n)[..., None] * base, 0, 255)
    # blank: a nearly even surface (card, plastic)
    base = rng.uniform(30, 240, 3).astype(np.float32)
    return np.clip((1 + 0.02 * smooth_noise(rng, S, S, 3))[..., None] * base, 0, 255)


def photograph(tex, rng, W, H, loupe=True):
    """Put a square texture through the loupe and the phone camera."""
    R = 0.47 * min(W, H) * rng.uniform(0.92, 1.04)
    S = tex.shape[0]
    D = int(round(2 * R))
    t = Image.fromarray(tex.astype(np.uint8)).resize((D, D), Image.BILINEAR)
    canvas = np.zeros((H, W, 3), np.float32)
    cx = W / 2 + rng.uniform(-0.04, 0.04) * W
    cy = H / 2 + rng.uniform(-0.04, 0.04) * H
    x0, y0 = int(round(cx - R)), int(round(cy - R))
    big = Image.new("RGB", (W, H))
    big.paste(t, (x0, y0))
    if not loupe:
        big = Image.fromarray(tex.astype(np.uint8)).resize((W, H), Image.BILINEAR)
    blurred = big.filter(ImageFilter.GaussianBlur(R * rng.uniform(0.006, 0.014)))
    a = np.asarray(big, np.float32)
    b = np.asarray(blurred, np.float32)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    rr = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / R
    wblur = np.clip((rr - 0.55) / 0.45, 0, 1) ** 1.5
    canvas = a * (1 - wblur[..., None]) + b * wblur[..., None]
    gx, gy = rng.uniform(-0.25, 0.25, 2)
    light = 1 + gx * (xx - cx) / R + gy * (yy - cy) / R
    if loupe:
        light *= (1 - 0.35 * np.clip(rr, 0, 1) ** 4)
        edge = np.clip((1.0 - rr) / 0.03 + 0.5, 0, 1)
        light = light * edge + 0.03 * (1 - edge)
    canvas = canvas * light[..., None] * rng.uniform(0.75, 1.25)
    gamma = rng.uniform(0.85, 1.15)
    canvas = 255 * np.clip(canvas / 255, 0, 1) ** gamma
    canvas += rng.normal(0, rng.uniform(1.5, 4), canvas.shape).astype(np.float32)
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)), int(rng.uniform(70, 93))


def job_wood(args):
    path, t, spec, i, W, H, seed = args
    srng = rng_for(seed, t["folder"], spec)
    p = specimen_params(t, srng)
    rng = rng_for(seed, t["folder"], spec, i)
    S = int(0.94 * min(W, H))
    tex = render_wood(p, rng, S)
    img, q = photograph(tex, rng, W, H)
    img.save(path, "JPEG", quality=q)


def job_other(args):
    path, kind, i, W, H, seed = args
    rng = rng_for(seed, "other", kind, i)
    S = int(0.94 * min(W, H))
    tex = render_other(kind, rng, S)
    img, q = photograph(tex, rng, W, H, loupe=(i % 2 == 0))
    img.save(path, "JPEG", quality=q)


def yaml_list(xs):
    return "[" + ", ".join('"%s"' % x for x in xs) + "]"


def main(argv):
    if len(argv) < 2 or argv[1] not in ("library", "other", "list"):
        sys.stderr.write(__doc__)
        return 2
    mode = argv[1]
    if mode == "list":
        for t in TAXA:
            print(t["folder"])
        return 0
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    out = argv[2]
    opt = dict(taxa=str(len(TAXA)), only="", skip="", specimens="3", images="4",
               size="512x384", seed="1", jobs="2", count="12")
    a = argv[3:]
    while a:
        k = a.pop(0)
        if not k.startswith("--") or k[2:] not in opt or not a:
            sys.stderr.write("gen-wood.py: bad option %s\n" % k)
            return 2
        opt[k[2:]] = a.pop(0)
    W, H = (int(x) for x in opt["size"].split("x"))
    seed = int(opt["seed"])
    jobs = []
    if mode == "library":
        taxa = TAXA[: int(opt["taxa"])]
        if opt["only"]:
            only = opt["only"].split(",")
            taxa = [t for t in TAXA if t["folder"] in only]
        skip = opt["skip"].split(",") if opt["skip"] else []
        taxa = [t for t in taxa if t["folder"] not in skip]
        for t in taxa:
            d = os.path.join(out, t["folder"])
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "taxon.yaml"), "w") as f:
                f.write("# synthetic caricature made by scripts/gen-wood.py\n")
                f.write('taxon: "%s"\n' % t["taxon"])
                f.write("trade_names: %s\n" % yaml_list(t["trade"]))
                f.write("porosity: %s\n" % t["porosity"])
            for sp in range(int(opt["specimens"])):
                spec = "s%02d" % (sp + 1)
                for i in range(int(opt["images"])):
                    jobs.append((os.path.join(d, "%s_%d.jpg" % (spec, i + 1)), t, spec, i, W, H, seed))
        fn = job_wood
    else:
        os.makedirs(out, exist_ok=True)
        kinds = ["sidegrain", "cloth", "print", "metal", "stone", "blank"]
        for i in range(int(opt["count"])):
            k = kinds[i % len(kinds)]
            jobs.append((os.path.join(out, "%s_%d.jpg" % (k, i + 1)), k, i, W, H, seed))
        fn = job_other
    n = int(opt["jobs"])
    if n > 1:
        with Pool(n) as pool:
            pool.map(fn, jobs, chunksize=1)
    else:
        for j in jobs:
            fn(j)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
