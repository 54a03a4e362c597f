#!/bin/bash
# 50-wood.sh - demo step for sc-wood: a small synthetic library of end-grain
# images (8 taxa), a model trained on it, four new samples identified; the one
# of a taxon the library lacks is referred, with a package for the expert.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
w=$DEMO/wood
gen=$root/scripts/gen-wood.py
rm -rf "$w"
mkdir -p "$w/samples"
$gen library "$w/library" --taxa 8 --specimens 3 --images 3 --seed 11
$gen library "$w/new" --only dalbergia-nigra,swietenia-macrophylla,quercus-robur --specimens 1 --images 1 --seed 12
$gen library "$w/new" --only pinus-sylvestris --specimens 1 --images 1 --seed 12
for t in dalbergia-nigra swietenia-macrophylla quercus-robur pinus-sylvestris; do
	cp "$w/new/$t/s01_1.jpg" "$w/samples/$t.jpg"
done
echo "library: $(find "$w/library" -name '*.jpg' | wc -l) images of 8 taxa in $w/library"
sc-wood train -o "$w/wood.model" "$w/library"
(cd "$w" && sc-wood identify -m wood.model --refer-dir refer samples/*.jpg) > "$DEMO/wood.jsonl"
jq -r '"  \(.src.path): \(.wood.top[0].taxon) \(.wood.top[0].score * 100 | floor)%" +
       (if .wood.top[0].cites then " (CITES \(.wood.top[0].cites.appendix))" else "" end) +
       (if .wood.refer then " -> REFERRED: \(.wood.reasons | map(.code) | join(", ")); package \(.wood.package)" else "" end)' \
	"$DEMO/wood.jsonl"
echo "wrote $DEMO/wood.jsonl; packages for the expert in $w/refer/"
