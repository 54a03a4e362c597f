#!/bin/bash
# scan.sh - `make bench` for sc-scan: generated truck scans (scripts/gen-scan.py,
# 16-bit PNG/TIFF and 8-bit JPEG, inverted and pseudo-colour exports), tuning
# seeds 1000-1199 (the referral score is fitted there, and only there) and
# evaluation seeds 5000-5299 never used for tuning. Prints empty verification,
# consistency with the declaration, dense blocks found and false alarms per
# image, frames located, time per image on one core and memory, beside the
# issue's aims and the published figures, as ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
b=$BENCH/scan
gen=$root/scripts/gen-scan.py
NTUNE=${SCAN_NTUNE:-200}
NEVAL=${SCAN_NEVAL:-300}
sets=("tune --count $NTUNE --seed 1000 --variants" "eval --count $NEVAL --seed 5000 --variants")
key=$( { cat "$gen"; printf '%s\n' "${sets[@]}"; } | sha256sum | cut -c1-16)
if [ ! -e "$b/.stamp-$key" ]; then
	rm -rf "$b"
	mkdir -p "$b"
	t0=$(date +%s)
	for s in "${sets[@]}"; do
		# shellcheck disable=SC2086
		nice "$gen" "$b/${s%% *}" ${s#* }
	done
	touch "$b/.stamp-$key"
	echo "generated $NTUNE + $NEVAL scans in $(( $(date +%s) - t0 )) s"
fi
printf 'px_mm: 6.0\npy_mm: 7.0\nmu_rho: 0.045\n' > "$b/calibration.yaml"

# one core; /usr/bin/time gives CPU seconds and the peak resident memory
run() {  # set: records out, "user sys maxrss_kb" in $b/set.time
	/usr/bin/time -f '%U %S %M' -o "$b/$1.time" \
		sc-scan -j 1 --calibration "$b/calibration.yaml" "$b/$1/records.jsonl" > "$b/$1.jsonl" 2> "$b/$1.err" || true
}
run tune
run eval
sc-scan -j 2 --calibration "$b/calibration.yaml" "$b/eval/records.jsonl" 2>/dev/null | cmp -s - "$b/eval.jsonl" && same=yes || same=NO

# the referral score is fitted on the tuning seeds: the lowest score whose
# false alarms stay within 0.06 per image there (rules/scan/params.yaml keeps
# the one shipped; this shows whether it still holds)
fitted=$($gen fit "$b/tune/truth.jsonl" "$b/tune.jsonl" --max-fa 0.06)
shipped=$(sed -n 's/^refer_score: *//p' "$root/rules/scan/params.yaml")
$gen eval "$b/eval/truth.jsonl" "$b/eval.jsonl" --refer-score "$shipped" > "$b/eval-figures.json"
$gen eval "$b/tune/truth.jsonl" "$b/tune.jsonl" --refer-score "$shipped" > "$b/tune-figures.json"

read -r user sys rss < "$b/eval.time"
px=$(jq -s 'map(.scan.image // empty | .width * .height) | add / length' "$b/eval.jsonl")
n=$(wc -l < "$b/eval.jsonl")
f() { jq -r "$1" "$b/eval-figures.json"; }
ratio() { case "$2" in -) echo -; return;; esac; awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
sec=$(awk -v u="$user" -v s="$sys" -v n="$n" 'BEGIN { printf "%.3f", (u + s) / n }')
sec1440=$(awk -v t="$sec" -v p="$px" 'BEGIN { printf "%.3f", t * 1440000 / p }')

echo "sc-scan on $n evaluation scans (seeds 5000-$((5000 + NEVAL - 1))); referral score $shipped (fitted on tuning seeds: $fitted)"
printf '%-44s %10s %10s %8s\n' "figure" "measured" "aim" "ratio"
row() { printf '%-44s %10s %10s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
row "loaded called empty (fraction)" "$(f .loaded_called_empty)" 0.01
row "empty called loaded (fraction)" "$(f .empty_called_loaded)" 0.03
row "goods declared, empty box: flagged" "$(f .goods_in_empty_flagged)" 0.98
row "consistent declarations kept" "$(f .consistent_kept)" 0.95
row "false declarations of loaded boxes flagged" "$(f .false_decl_of_loaded_flagged)" "-"
row "dense blocks found (published: 0.90)" "$(f .blocks_found)" 0.90
row "false alarms per image (published: <0.06)" "$(f .false_alarms_per_image)" 0.06
row "  image only, declaration not used: found" "$(f .blocks_found_image_only)" 0.90
row "  image only: false alarms per image" "$(f .false_alarms_image_only)" 0.06
row "opaque regions per image (not counted above)" "$(f .opaque_regions_per_image)" "-"
row "frames located (boxes IoU>=0.9 and cab)" "$(f .frames_located)" 1.00
row "wheels counted right" "$(f .wheels_counted)" 1.00
row "s per image, one core (mean $(awk -v p="$px" 'BEGIN { printf "%.2f", p / 1e6 }') MP)" "$sec" 1
row "s per 2400x600 image, one core (published 3-10)" "$sec1440" 1
row "  against the fastest published system (3 s)" "$sec1440" 3
row "peak memory, MB (one process, -j 1)" "$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')" "-"
echo "blocks found by where (found/all): $(f '.blocks_by_where | to_entries | map("\(.key) \(.value[0])/\(.value[1])") | join(", ")')"
echo "on the tuning seeds: $(jq -c '{loaded_called_empty, empty_called_loaded, goods_in_empty_flagged, consistent_kept, blocks_found, false_alarms_per_image}' "$b/tune-figures.json")"
echo "output the same under -j 2: $same; records unread: $(f .counts.unread)"
