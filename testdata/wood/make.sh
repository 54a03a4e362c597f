#!/bin/bash
# make.sh - the images sc-wood's CLI tests use, generated into testdata/gen/wood/
# (git-ignored): a library of 8 synthetic taxa, samples, taxa it does not hold,
# pictures that are not end grain, and bad files. Deterministic; redone only
# when this script or the generator changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
g=$root/testdata/gen/wood
gen=$root/scripts/gen-wood.py
key=$(cat "$0" "$gen" | sha256sum | cut -c1-16)
[ -e "$g/.stamp-$key" ] && exit 0
rm -rf "$g"
mkdir -p "$g/samples" "$g/bad"
$gen library "$g/library" --taxa 8 --specimens 3 --images 3 --seed 1
$gen library "$g/held" --taxa 8 --specimens 1 --images 1 --seed 2
$gen library "$g/unknown" --only khaya-ivorensis,pinus-sylvestris --specimens 1 --images 2 --seed 3
$gen other "$g/other" --count 6 --seed 4
cp "$g/held/swietenia-macrophylla/s01_1.jpg" "$g/samples/a.jpg"
cp "$g/unknown/pinus-sylvestris/s01_1.jpg" "$g/samples/b.jpg"
cp "$g/other/print_3.jpg" "$g/samples/c.jpg"
# bad files: a JPEG cut after its headers, a 1x1 PNG, a real 60-megapixel JPEG,
# a PNG whose header claims 60 megapixels, a real 36-megapixel PNG, a text
# file named .jpg
head -c 700 "$g/samples/a.jpg" > "$g/bad/corrupt.jpg"
/usr/bin/python3 - "$g/bad" <<'PY'
import struct, sys, zlib
from PIL import Image
d = sys.argv[1]
Image.new("RGB", (1, 1), (128, 90, 60)).save(d + "/tiny.png")
Image.new("RGB", (8000, 7500), (150, 110, 70)).save(d + "/huge.jpg", quality=40)
ihdr = struct.pack(">IIBBBBB", 8000, 7500, 8, 2, 0, 0, 0)
chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
open(d + "/huge.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk)
Image.new("RGB", (6000, 6000), (120, 80, 50)).save(d + "/big36.png")  # 108 MB decoded, under the cap
PY
echo "not an image" > "$g/bad/text.jpg"
# a library with an empty taxon folder beside two good ones
mkdir -p "$g/lib-empty/empty-taxon"
cp -r "$g/library/quercus-robur" "$g/library/pterocarpus-santalinus" "$g/lib-empty/"
# a library whose taxon.yaml has a mistake on line 3
mkdir -p "$g/lib-badyaml"
cp -r "$g/library/quercus-robur" "$g/library/pterocarpus-santalinus" "$g/library/tectona-grandis" "$g/lib-badyaml/"
printf 'taxon: "Tectona grandis"\ntrade_names: [teak]\nporosity: spongy\n' > "$g/lib-badyaml/tectona-grandis/taxon.yaml"
touch "$g/.stamp-$key"
