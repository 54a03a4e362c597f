# make bench: sc-ocr against the tesseract CLI on the same pages.
# (a) a shell loop calling tesseract once per page, (b) xargs -P$(nproc) tesseract,
# both with OMP_THREAD_LIMIT=1 (the CLI's fastest batch setting), and sc-ocr with
# one worker per core; pages per second and CER for each, from one run.
set -euo pipefail
dir="$BENCH/ocr"
rm -rf "$dir"; mkdir -p "$dir/cli-a" "$dir/cli-b"
pages="$dir/pages"
/usr/bin/python3 scripts/gen-pages.py --seed 7 --pages ${OCR_BENCH_PAGES:-4} --extras "$pages" >/dev/null
ls "$pages"/p*-*.png "$pages"/p*-*.jpg | sort > "$dir/list"
n=$(wc -l < "$dir/list")
cores=$(nproc)
now() { date +%s.%N; }
rate() { echo "scale=2; $1 / ($2)" | bc; }

t0=$(now)
while read -r f; do OMP_THREAD_LIMIT=1 tesseract "$f" "$dir/cli-a/$(basename "$f")" tsv >/dev/null 2>&1; done < "$dir/list"
ta=$(echo "$(now) - $t0" | bc)
t0=$(now)
xargs -P"$cores" -I{} sh -c 'OMP_THREAD_LIMIT=1 tesseract "$1" "$2/$(basename "$1")" tsv >/dev/null 2>&1' _ {} "$dir/cli-b" < "$dir/list"
tb=$(echo "$(now) - $t0" | bc)
t0=$(now)
/usr/bin/time -f '%e %U %S %M' -o "$dir/time-ours" sc-ocr -j"$cores" --timing -T "$dir/list" > "$dir/ours.jsonl" 2> "$dir/stages"
tc=$(echo "$(now) - $t0" | bc)
/usr/bin/time -f '%M' -o "$dir/rss1" sc-ocr -j1 "$pages/p1-clean.png" > /dev/null

# CER per page, each compared with the truth of its page
cer_cli() { scripts/cer.py --tsv "$pages/$(basename "$1" | sed 's/-.*//').txt" "$2/$(basename "$1").tsv" | cut -d' ' -f2; }
echo "page                 CER: tesseract CLI   sc-ocr"
sum_cli=0; sum_ours=0; i=0
while read -r f; do
	i=$((i + 1))
	c1=$(cer_cli "$f" "$dir/cli-a")
	c2=$(sed -n "${i}p" "$dir/ours.jsonl" | scripts/cer.py "$pages/$(basename "$f" | sed 's/-.*//').txt" | cut -d' ' -f2)
	printf '%-22s %18s %8s\n' "$(basename "$f")" "$c1" "$c2"
	sum_cli=$(echo "$sum_cli + $c1" | bc); sum_ours=$(echo "$sum_ours + $c2" | bc)
done < "$dir/list"
clean_cli=$(for f in "$pages"/p*-clean.png; do cer_cli "$f" "$dir/cli-a"; done | awk '{s+=$1} END {printf "%.4f", s/NR}')
clean_ours=$(for f in "$pages"/p*-clean.png; do sc-ocr -j"$cores" "$f" | scripts/cer.py "${f%-clean.png}.txt" | cut -d' ' -f2; done | awk '{s+=$1} END {printf "%.4f", s/NR}')
echo
printf 'mean CER over %d pages (clean + 4 degraded copies each): tesseract CLI %.4f, sc-ocr %.4f\n' "$n" "$(echo "$sum_cli / $n" | bc -l)" "$(echo "$sum_ours / $n" | bc -l)"
printf 'mean CER on the clean originals:                        tesseract CLI %s, sc-ocr %s\n' "$clean_cli" "$clean_ours"
echo
printf '%-44s %8s %10s %8s\n' "$n pages on $cores cores" "seconds" "pages/s" "ratio"
printf '%-44s %8.2f %10.2f %8s\n' "(a) shell loop, tesseract per page" "$ta" "$(rate "$n" "$ta")" "1.00"
printf '%-44s %8.2f %10.2f %8.2f\n' "(b) xargs -P$cores tesseract" "$tb" "$(rate "$n" "$tb")" "$(echo "$ta / $tb" | bc -l)"
printf '%-44s %8.2f %10.2f %8.2f\n' "sc-ocr -j$cores" "$tc" "$(rate "$n" "$tc")" "$(echo "$ta / $tc" | bc -l)"
printf 'sc-ocr against (a): %.2fx   against (b): %.2fx\n' "$(echo "$ta / $tc" | bc -l)" "$(echo "$tb / $tc" | bc -l)"

# the same race on the clean pages: there neither side does more than one
# reading, so it compares like with like
grep -e clean "$dir/list" > "$dir/list-easy"
ne=$(wc -l < "$dir/list-easy")
t0=$(now)
while read -r f; do OMP_THREAD_LIMIT=1 tesseract "$f" "$dir/cli-a/e-$(basename "$f")" >/dev/null 2>&1; done < "$dir/list-easy"
ea=$(echo "$(now) - $t0" | bc)
t0=$(now)
xargs -P"$cores" -I{} sh -c 'OMP_THREAD_LIMIT=1 tesseract "$1" "$2/e-$(basename "$1")" >/dev/null 2>&1' _ {} "$dir/cli-b" < "$dir/list-easy"
eb=$(echo "$(now) - $t0" | bc)
t0=$(now)
sc-ocr -j"$cores" -T "$dir/list-easy" > /dev/null
ec=$(echo "$(now) - $t0" | bc)
echo
printf '%-44s %8s %10s %8s\n' "$ne clean pages" "seconds" "pages/s" "ratio"
printf '%-44s %8.2f %10.2f %8s\n' "(a) shell loop, tesseract per page" "$ea" "$(rate "$ne" "$ea")" "1.00"
printf '%-44s %8.2f %10.2f %8.2f\n' "(b) xargs -P$cores tesseract" "$eb" "$(rate "$ne" "$eb")" "$(echo "$ea / $eb" | bc -l)"
printf '%-44s %8.2f %10.2f %8.2f\n' "sc-ocr -j$cores" "$ec" "$(rate "$ne" "$ec")" "$(echo "$ea / $ec" | bc -l)"
printf 'sc-ocr against (a): %.2fx   against (b): %.2fx\n' "$(echo "$ea / $ec" | bc -l)" "$(echo "$eb / $ec" | bc -l)"
echo "(on the mixed set sc-ocr reads the upside-down and skewed pages a second time; the CLI does not, and loses them)"
echo
echo "where sc-ocr's time goes on the mixed set (CPU seconds, all workers):"
grep 'CPU seconds by stage' "$dir/stages" | sed 's/^sc-ocr: CPU seconds by stage: /  /'
sc-ocr -j1 -T "$dir/list" > "$dir/j1.jsonl" 2>/dev/null || true
if cmp -s <(jq -c 'del(.ocr.timing)' "$dir/ours.jsonl") <(jq -c . "$dir/j1.jsonl"); then
	echo "output of -j1 and -j$cores: byte-identical ($n records)"
else
	echo "output of -j1 and -j$cores: DIFFERENT"
fi

read -r wall user sys rss < "$dir/time-ours"
work=$(jq -s 'map(.ocr.timing | to_entries | map(.value) | add) | add / 1000' "$dir/ours.jsonl")
printf 'overhead: CPU %.2fs (user+sys) for %.2fs of preprocessing and recognition: %.1f%% (engine start-up included)\n' \
	"$(echo "$user + $sys" | bc)" "$work" "$(echo "($user + $sys - $work) * 100 / $work" | bc -l)"
printf 'memory per worker: peak %d MiB with one worker, %d MiB with %d (about %d MiB a further worker)\n' \
	"$(( $(cat "$dir/rss1") / 1024 ))" "$((rss / 1024))" "$cores" "$(( (rss - $(cat "$dir/rss1")) / 1024 / (cores > 1 ? cores - 1 : 1) ))"

# a born-digital PDF: its text layer against OCR of the same pages
t0=$(now); for i in 1 2 3 4 5; do sc-ocr -j1 "$pages/digital.pdf" > "$dir/pdf-text.jsonl"; done; tt=$(echo "($(now) - $t0) / 5" | bc -l)
t0=$(now); sc-ocr -j1 --no-text-layer "$pages/digital.pdf" > "$dir/pdf-ocr.jsonl"; to=$(echo "$(now) - $t0" | bc)
printf 'born-digital PDF, 3 pages: text layer %.3fs (CER %s), OCR %.2fs (CER %s): %.0fx faster\n' "$tt" \
	"$(scripts/cer.py "$pages/digital.txt" "$dir/pdf-text.jsonl" | cut -d' ' -f2)" "$to" \
	"$(scripts/cer.py "$pages/digital.txt" "$dir/pdf-ocr.jsonl" | cut -d' ' -f2)" "$(echo "$to / $tt" | bc -l)"

# small print: real receipts (../shared/data/docs/receipts), the share of true
# dates and totals present verbatim in the text, train and dev apart (cached
# under /work/cache/ocr or $SC_OCR_CACHE: a second run costs nothing)
nice scripts/eval-ocr-receipts.py --jobs "$cores" --sample "${OCR_RECEIPTS_SAMPLE:-60}" || echo "receipts: evaluation failed"
