# make bench: sc-ocr against the tesseract CLI on the same pages, in one run.
# Two races, each on its own set: the clean pages, and the mixed degraded set
# (every clean page scanned upside down, sideways, skewed with grain, at 150
# dpi and as a low-quality JPEG). The alternatives are (a) a shell loop
# calling tesseract once per page and (b) xargs -P$(nproc) tesseract; all
# three with OpenMP off (OMP_THREAD_LIMIT=1, the CLI's fastest batch setting),
# sc-ocr with one worker per core. Wall and CPU (user+sys) seconds, pages per
# second, ratios, and the CER of each tool on each set.
set -euo pipefail
dir="$BENCH/ocr"
rm -rf "$dir"; mkdir -p "$dir/cli-a" "$dir/cli-b"
pages="$dir/pages"
cores=$(nproc)   # before OMP_THREAD_LIMIT, which nproc obeys
export OMP_THREAD_LIMIT=1
/usr/bin/python3 scripts/gen-pages.py --seed 7 --pages ${OCR_BENCH_PAGES:-6} --extras "$pages" >/dev/null
# sideways: the clean page turned a quarter, one way for odd pages, the other for even
/usr/bin/python3 - "$pages" <<'PY'
import glob, re, sys
from PIL import Image
for f in sorted(glob.glob(sys.argv[1] + "/p*-clean.png")):
    n = int(re.search(r"p(\d+)-clean", f).group(1))
    Image.open(f).rotate(90 if n % 2 else 270, expand=True).save(f.replace("-clean", "-rot90"), dpi=(300, 300))
PY
ls "$pages"/p*-clean.png | sort > "$dir/list-clean"
ls "$pages"/p*-*.png "$pages"/p*-*.jpg | grep -v -e -clean | sort > "$dir/list-hard"
now() { date +%s.%N; }
rate() { echo "scale=2; $1 / ($2)" | bc; }
truth() { echo "$pages/$(basename "$1" | sed 's/-.*//').txt"; }
cpu() { awk '{printf "%.2f", $2 + $3}' "$1"; }

# race SET: the three tools on the pages of list-SET; sets ta tb tc (wall), ca cb cc (CPU)
race() {
	local set=$1 list="$dir/list-$1" f
	/usr/bin/time -f '%e %U %S' -o "$dir/t-a-$set" bash -c '
		while read -r f; do tesseract "$f" "$2/$(basename "$f")" tsv >/dev/null 2>&1; done < "$1"' _ "$list" "$dir/cli-a"
	/usr/bin/time -f '%e %U %S' -o "$dir/t-b-$set" \
		xargs -P"$cores" -I{} sh -c 'tesseract "$1" "$2/$(basename "$1")" tsv >/dev/null 2>&1' _ {} "$dir/cli-b" < "$list"
	/usr/bin/time -f '%e %U %S %M' -o "$dir/t-c-$set" \
		sc-ocr -j"$cores" --timing -T "$list" > "$dir/ours-$set.jsonl" 2> "$dir/stages-$set"
	ta=$(cut -d' ' -f1 "$dir/t-a-$set"); tb=$(cut -d' ' -f1 "$dir/t-b-$set"); tc=$(cut -d' ' -f1 "$dir/t-c-$set")
	ca=$(cpu "$dir/t-a-$set"); cb=$(cpu "$dir/t-b-$set"); cc=$(cpu "$dir/t-c-$set")
}

# cer SET: per page, the CLI's and ours; sets cer_cli cer_ours (means)
cer() {
	local set=$1 i=0 f c1 c2 s1=0 s2=0 n
	n=$(wc -l < "$dir/list-$set")
	while read -r f; do
		i=$((i + 1))
		c1=$(scripts/cer.py --tsv "$(truth "$f")" "$dir/cli-a/$(basename "$f").tsv" | cut -d' ' -f2)
		c2=$(sed -n "${i}p" "$dir/ours-$set.jsonl" | scripts/cer.py "$(truth "$f")" | cut -d' ' -f2)
		printf '  %-22s %18s %8s\n' "$(basename "$f")" "$c1" "$c2"
		s1=$(echo "$s1 + $c1" | bc); s2=$(echo "$s2 + $c2" | bc)
	done < "$dir/list-$set"
	cer_cli=$(echo "scale=4; $s1 / $n" | bc); cer_ours=$(echo "scale=4; $s2 / $n" | bc)
}

table() {
	local title=$1 n=$2
	printf '%-40s %8s %8s %9s %8s %8s\n' "$title" "wall s" "CPU s" "pages/s" "ratio" "CER"
	printf '%-40s %8.2f %8.2f %9.2f %8s %8.4f\n' "(a) shell loop, tesseract per page" "$ta" "$ca" "$(rate "$n" "$ta")" "1.00" "$cer_cli"
	printf '%-40s %8.2f %8.2f %9.2f %8.2f %8.4f\n' "(b) xargs -P$cores tesseract" "$tb" "$cb" "$(rate "$n" "$tb")" "$(echo "$ta / $tb" | bc -l)" "$cer_cli"
	printf '%-40s %8.2f %8.2f %9.2f %8.2f %8.4f\n' "sc-ocr -j$cores" "$tc" "$cc" "$(rate "$n" "$tc")" "$(echo "$ta / $tc" | bc -l)" "$cer_ours"
	printf 'sc-ocr against (a): %.2fx   against (b): %.2fx   (wall; CPU against (b): %.2fx)\n' \
		"$(echo "$ta / $tc" | bc -l)" "$(echo "$tb / $tc" | bc -l)" "$(echo "$cb / $cc" | bc -l)"
}

nc=$(wc -l < "$dir/list-clean"); nh=$(wc -l < "$dir/list-hard")
race clean
echo "CER per page              tesseract CLI   sc-ocr"
cer clean
echo
table "$nc clean pages on $cores cores" "$nc"
read -r _ _ _ rss_clean < "$dir/t-c-clean"
echo
race hard
cer hard
echo
table "$nh degraded pages on $cores cores" "$nh"
echo "(degraded: upside down, sideways, skewed with grain, 150 dpi, low-quality JPEG;"
echo " sc-ocr decides orientation, skew and grain on a half-size copy before reading, and reads once)"
echo
for set in clean hard; do
	echo "where sc-ocr's time goes, $set set (CPU seconds, all workers):"
	grep 'CPU seconds by stage' "$dir/stages-$set" | sed 's/^sc-ocr: CPU seconds by stage: /  /'
done
rot=$(jq -r 'select(.src.path|test("-rot")) | "\(.src.path|sub(".*/";"")) rotate \(.ocr.rotate)"' "$dir/ours-hard.jsonl" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
echo "turned pages: $rot"
cat "$dir/list-clean" "$dir/list-hard" > "$dir/list"
n=$(wc -l < "$dir/list")
sc-ocr -j1 -T "$dir/list" > "$dir/j1.jsonl" 2>/dev/null || true
sc-ocr -j"$cores" -T "$dir/list" > "$dir/jn.jsonl" 2>/dev/null || true
if cmp -s "$dir/j1.jsonl" "$dir/jn.jsonl"; then
	echo "output of -j1 and -j$cores: byte-identical ($n records)"
else
	echo "output of -j1 and -j$cores: DIFFERENT"
fi

/usr/bin/time -f '%M' -o "$dir/rss1" sc-ocr -j1 -T "$dir/list-hard" > /dev/null
read -r _ _ _ rss < "$dir/t-c-hard"
rss1=$(cat "$dir/rss1")
printf 'memory per worker (peak RSS, degraded set): %d MiB with one worker, %d MiB with %d: about %d MiB a further worker\n' \
	"$((rss1 / 1024))" "$((rss / 1024))" "$cores" "$(( (rss - rss1) / 1024 / (cores > 1 ? cores - 1 : 1) ))"

# a born-digital PDF: its text layer against OCR of the same pages
t0=$(now); for i in 1 2 3 4 5; do sc-ocr -j1 "$pages/digital.pdf" > "$dir/pdf-text.jsonl"; done; tt=$(echo "($(now) - $t0) / 5" | bc -l)
t0=$(now); sc-ocr -j1 --no-text-layer "$pages/digital.pdf" > "$dir/pdf-ocr.jsonl"; to=$(echo "$(now) - $t0" | bc)
printf 'born-digital PDF, 3 pages: text layer %.3fs (CER %s), OCR %.2fs (CER %s): %.0fx faster\n' "$tt" \
	"$(scripts/cer.py "$pages/digital.txt" "$dir/pdf-text.jsonl" | cut -d' ' -f2)" "$to" \
	"$(scripts/cer.py "$pages/digital.txt" "$dir/pdf-ocr.jsonl" | cut -d' ' -f2)" "$(echo "$to / $tt" | bc -l)"

# small print: real receipts (../shared/data/docs/receipts), the share of true
# dates and totals present verbatim in the text, train and dev apart (cached
# under /work/cache/ocr or $SC_OCR_CACHE: a second run costs nothing).
# OCR_RECEIPTS_SPLIT=train keeps dev unseen while tuning; none skips it.
split=${OCR_RECEIPTS_SPLIT:-all}
if [ "$split" = none ]; then
	echo "receipts: skipped (OCR_RECEIPTS_SPLIT=none)"
else
	nice scripts/eval-ocr-receipts.py --jobs "$cores" --sample "${OCR_RECEIPTS_SAMPLE:-60}" --split "$split" ||
		echo "receipts: evaluation failed"
fi
