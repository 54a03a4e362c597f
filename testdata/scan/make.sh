#!/bin/bash
# make.sh - the scans sc-scan's CLI tests use, generated into testdata/gen/scan/
# (git-ignored): a few generated truck scans with their records, and bad
# files. Deterministic; redone only when this script or the generator changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
g=$root/testdata/gen/scan
gen=$root/scripts/gen-scan.py
key=$(cat "$0" "$gen" | sha256sum | cut -c1-16)
[ -e "$g/.stamp-$key" ] && exit 0
rm -rf "$g"
mkdir -p "$g/bad"
# seeds chosen from the generator's draw: 7 empty with an honest declaration,
# 3 empty declared as goods, 2 loaded (carcasses) with a floor block, 4 partly loaded
$gen "$g/scans" --count 8 --seed 1
/usr/bin/python3 - "$g" <<'PY'
import struct, sys, zlib, random
import numpy as np
from PIL import Image, ImageDraw
g = sys.argv[1]
d = g + "/bad"
# a 1-pixel-high strip
Image.fromarray(np.full((1, 2400), 50000, np.uint16)).save(d + "/strip.png")
# a document page: black text lines on white, 8-bit
page = Image.new("L", (1240, 1754), 255)
dr = ImageDraw.Draw(page)
for i in range(40):
    dr.text((100, 100 + 38 * i), "INVOICE No. %04d  Qty 12  Unit price 34.50 USD  Total 414.00" % i, fill=0)
page.save(d + "/page.png")
# a photograph-like picture: colour gradients and noise
rng = np.random.default_rng(5)
yy, xx = np.mgrid[0:480, 0:640]
ph = np.stack([(xx * 0.4) % 256, (yy * 0.5) % 256, (xx + yy) * 0.2 % 256], -1)
ph = np.clip(ph + rng.normal(0, 20, ph.shape), 0, 255).astype(np.uint8)
Image.fromarray(ph).save(d + "/photo.jpg", quality=85)
# 8-bit data in a 16-bit file: a scan divided by 256
sc = np.array(Image.open(g + "/scans/000002.png")).astype(np.uint16) >> 8
Image.fromarray(sc.astype(np.uint16)).save(d + "/eight-in-16.png")
# a PNG whose header claims 100000 x 100000
ihdr = struct.pack(">IIBBBBB", 100000, 100000, 16, 0, 0, 0, 0)
chunk = lambda t, b: struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
open(d + "/huge.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
PY
cp "$g/scans/000002.png" "$g/loaded.png"
cp "$g/scans/000003.png" "$g/empty.png"
# records for the bad-input test: good, missing, bad, good
cat > "$g/bad/records.jsonl" <<'J'
{"id":"A","src":{"path":"../scans/000003.png"},"decl":{"id":"A","empty":true}}
{"id":"B","src":{"path":"missing.png"},"decl":{"id":"B","items":[{"hs":"520100"}]}}
{"id":"C","src":{"path":"strip.png"}}
{"id":"D","src":{"path":"huge.png"}}
{"id":"E","src":{"path":"page.png"}}
{"id":"F","src":{"path":"photo.jpg"}}
{"id":"G","src":{"path":"eight-in-16.png"},"decl":{"id":"G","items":[{"hs":"020110"}]}}
{"id":"H","decl":{"id":"H"}}
this is not json
{"id":"I","src":{"path":"../scans/000002.png"},"decl":{"id":"I","items":[{"hs":"020110"}]}}
J
touch "$g/.stamp-$key"
