#!/bin/bash
# wood.sh - `make bench` for sc-wood: a synthetic library of 1,000 end-grain
# images (10 taxa x 10 specimens x 10, 1.2 MP), held-out specimens of the same
# taxa, two taxa left out of training and pictures that are not end grain (2 MP).
# Prints training time, identification time per 2-MP image on one core, top-1
# and top-3 accuracy, and refer rates, beside the issue's targets as ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
b=$BENCH/wood
gen=$root/scripts/gen-wood.py
left_out=khaya-ivorensis,afzelia-africana
key=$(cat "$0" "$gen" | sha256sum | cut -c1-16)
if [ ! -e "$b/.stamp-$key" ]; then
	rm -rf "$b"
	mkdir -p "$b"
	t0=$(date +%s.%N)
	$gen library "$b/library" --skip $left_out --specimens 10 --images 10 --size 1280x960 --seed 21
	$gen library "$b/held" --skip $left_out --specimens 3 --images 2 --size 1632x1224 --seed 22
	$gen library "$b/unknown" --only $left_out --specimens 3 --images 4 --size 1632x1224 --seed 23
	$gen other "$b/other" --count 24 --size 1632x1224 --seed 24
	touch "$b/.stamp-$key"
	echo "generated the images in $(echo "$(date +%s.%N) - $t0" | bc | cut -d. -f1) s"
fi
n_lib=$(find "$b/library" -name '*.jpg' | wc -l)

t0=$(date +%s.%N)
sc-wood train -j 1 -o "$b/wood.model" "$b/library" 2>/dev/null
train=$(echo "$(date +%s.%N) - $t0" | bc)
t0=$(date +%s.%N)
sc-wood train -j 2 -o "$b/wood-j2.model" "$b/library" 2>/dev/null
train2=$(echo "$(date +%s.%N) - $t0" | bc)
cmp -s "$b/wood.model" "$b/wood-j2.model" && same=yes || same=NO

ident() {  # set -> $b/set.jsonl, prints seconds
	local t0 t1
	t0=$(date +%s.%N)
	find "$b/$1" -name '*.jpg' | sort | jq -R -c '{src: {path: .}}' |
		sc-wood identify -m "$b/wood.model" -j 1 > "$b/$1.jsonl"
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc
}
th=$(ident held)
ident unknown > /dev/null
ident other > /dev/null
n_held=$(wc -l < "$b/held.jsonl")
ms=$(echo "scale=1; 1000 * $th / $n_held" | bc)

# the true taxon of a held-out image is its folder; the model names it by its taxon.yaml
truth='(.src.path | split("/") | .[-2]) as $f | (.wood.top | map(.taxon | ascii_downcase | gsub(" "; "-")))'
read -r top1 top3 ok_kept refer_known < <(jq -s -r "
	map($truth as \$n | {t1: (\$n[0] == \$f), t3: (\$n | index(\$f) != null), r: .wood.refer}) |
	[(map(select(.t1)) | length) / length, (map(select(.t3)) | length) / length,
	 (map(select(.t1 and (.r | not))) | length) / length, (map(select(.r)) | length) / length] | @tsv" "$b/held.jsonl")
rate() { jq -s -r 'map(select(.wood.refer)) | length / (length | if . == 0 then 1 else . end)' "$1"; }
refer_unknown=$(rate "$b/unknown.jsonl")
refer_other=$(rate "$b/other.jsonl")
pct() { echo "scale=1; 100 * $1 / 1" | bc; }

echo "library: $n_lib images of $(ls "$b/library" | wc -l) taxa (1.2 MP); held out: $n_held images of new specimens (2 MP)"
printf 'train, 1 core:   %6.1f s for %d images   (target < 120 s: %.2fx of the budget)\n' "$train" "$n_lib" "$(echo "$train / 120" | bc -l)"
printf 'train, 2 cores:  %6.1f s                  (same model file: %s)\n' "$train2" "$same"
printf 'identify:        %6.1f ms per 2-MP image, 1 core (target <= 150 ms: %.2fx)\n' "$ms" "$(echo "$ms / 150" | bc -l)"
echo "held-out specimens of known taxa:"
printf '  top-1 %.1f%%, top-3 %.1f%%; named right and not referred %.1f%% (target >= 90%%); referred %.1f%%\n' \
	"$(pct "$top1")" "$(pct "$top3")" "$(pct "$ok_kept")" "$(pct "$refer_known")"
printf 'refer rate, taxa left out of training (%s): %.1f%% (aim: most)\n' "$left_out" "$(pct "$refer_unknown")"
for t in ${left_out//,/ }; do
	printf '  %s: %s\n' "$t" "$(jq -s -r --arg t "$t" 'map(select(.src.path | contains("/" + $t + "/"))) | "\(map(select(.wood.refer)) | length) of \(length) referred"' "$b/unknown.jsonl")"
done
printf 'refer rate, pictures that are not end grain: %.1f%% (aim: most)\n' "$(pct "$refer_other")"
echo "reasons given on held-out known images: $(jq -s -c '[.[].wood.reasons[].code] | group_by(.) | map({(.[0]): length}) | add // {}' "$b/held.jsonl")"
