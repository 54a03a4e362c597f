#!/bin/bash
# parse.sh - sc-parse in `make bench`: pages per second through sc-parse alone
# (with and without word boxes, against jq re-serializing the same stream),
# memory over a 100,000-record stream, and the per-field and item-table
# accuracy of sc-ocr | sc-parse on the evaluation split (clean and degraded
# pages, and invoices in the 40 layouts of --layouts many), and
# on the dev splits of the real labelled documents (../shared/data/docs,
# OCR records from the cache ../cache/parse when there), model against
# templates only, with the ceiling; and the time of sc-parse learn.
set -euo pipefail
out=$BENCH/parse
mkdir -p "$out"
fix=testdata/parse/consignment-a.jsonl

# a stream of N pages: the fixture's pages again and again, each id its own
stream() {  # N words(0|1)
	/usr/bin/python3 - "$1" "$2" "$fix" <<'PY'
import json, sys
n, words, path = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
recs = [json.loads(l) for l in open(path)]
if not words:
    for r in recs:
        r["ocr"].pop("words", None)
lines = []
for r in recs:
    s = json.dumps(r, ensure_ascii=False, separators=(",", ":"))
    lines.append(s.replace('"id":"%s"' % r["id"], '"id":"%s#@@"' % r["id"], 1))
out = sys.stdout
for i in range(n):
    out.write(lines[i % len(lines)].replace("@@", str(i)) + "\n")
PY
}

rate() {  # label file cmd...
	local label=$1 file=$2; shift 2
	/usr/bin/time -f '%U %S %M' -o "$out/time" "$@" <"$file" >/dev/null
	local n
	n=$(wc -l <"$file")
	awk -v n="$n" -v l="$label" '{ cpu = $1 + $2; r = n / (cpu + 0.001);
		printf "%-24s %6d pages %6.2f s cpu %8.0f pages/s/core  max RSS %6d KiB\n", l, n, cpu, r, $3
		print r > "'"$out/rate.$label"'" }' "$out/time"
}

echo "-- speed (one core; pages of the sample consignment, about 60 lines each)"
stream 4000 1 >"$out/words.jsonl"
stream 4000 0 >"$out/lines.jsonl"
rate sc-parse-words "$out/words.jsonl" sc-parse
rate sc-parse-lines "$out/lines.jsonl" sc-parse
rate sc-parse-no-model "$out/words.jsonl" sc-parse --no-model
rate jq-c-words "$out/words.jsonl" jq -c .
rate sc-parse-g-ref-words "$out/words.jsonl" sc-parse -g ref
awk 'NR == FNR { a = $1; next } { printf "sc-parse runs at %.2fx the rate of jq -c . on the same stream\n", a / $1 }' \
	"$out/rate.sc-parse-words" "$out/rate.jq-c-words"

echo "-- memory over a long stream (documents out as they finish)"
for n in 10000 100000; do
	stream $n 0 | /usr/bin/time -f '%U %S %M' -o "$out/time" sc-parse >/dev/null
	awk -v n="$n" '{ printf "%7d records: max RSS %6d KiB, %.1f s cpu\n", n, $3, $1 + $2 }' "$out/time"
done

echo "-- accuracy: sc-ocr --words | sc-parse against the ground truth (evaluation split, seed 1)"
for lv in none mix; do  # the accuracy table
	d=$out/eval-$lv
	if [ ! -s "$d/truth.jsonl" ]; then
		/usr/bin/python3 scripts/gen-docs.py --out "$d" --n 10 --split eval --degrade $lv >/dev/null
	fi
	SC_BIN=$SC_BIN /usr/bin/python3 scripts/eval-parse.py "$d" --title "eval split, degradation $lv"
done
echo "-- accuracy on invoices in 40 layouts (gen-docs.py --layouts many: 5 languages, glued labels, a tax summary)"
d=$out/eval-many
if [ ! -s "$d/truth.jsonl" ]; then
	/usr/bin/python3 scripts/gen-docs.py --out "$d" --n 30 --split eval --layouts many --types invoice >/dev/null
fi
SC_BIN=$SC_BIN /usr/bin/python3 scripts/eval-parse.py "$d" --title "eval split, invoices in 40 layouts"
echo "(item tables of the real invoices: their truth has no items, not scored)"

echo "-- real documents: dev splits of ${SC_DOCS:-../shared/data/docs} (learned on train only)"
docs=${SC_DOCS:-../shared/data/docs}
cache=${SC_PARSE_CACHE:-../cache/parse}
if [ ! -d "$docs/receipts" ] || [ ! -d "$docs/invoices" ]; then
	echo "skipped: $docs is not here"
	exit 0
fi
for kind in receipts invoices; do
	rec=$cache/$kind.dev.jsonl
	if [ -s "$rec" ]; then
		echo "($kind: OCR records from the cache $rec)"
	else
		rec=$out/$kind.dev.jsonl
		echo "($kind: no cache; sc-ocr --words now, into $rec)"
		awk -v d="$docs/$kind" '$2 == "dev" { print d "/" $1 }' "$docs/$kind/split.tsv" |
			xargs sc-ocr --words -j2 >"$rec" 2>/dev/null || true
	fi
	sc-parse -q "$rec" >"$out/$kind.model.jsonl" || true
	sc-parse -q --no-model "$rec" >"$out/$kind.tmpl.jsonl" || true
	/usr/bin/python3 scripts/eval-parse.py --real "$docs/$kind" --split dev --parsed "$out/$kind.model.jsonl" \
		--ocr "$rec" --title "$kind dev, learned model"
	/usr/bin/python3 scripts/eval-parse.py --real "$docs/$kind" --split dev --parsed "$out/$kind.tmpl.jsonl" \
		--title "$kind dev, templates only"
done
echo "-- sc-parse learn on the training documents (cached OCR records)"
tr=()
for f in "$cache"/receipts.train*.jsonl "$cache"/invoices.train*.jsonl; do
	[ -s "$f" ] && tr+=("$f")
done
if [ ${#tr[@]} -ge 2 ]; then
	echo "(records: ${tr[*]})"
	/usr/bin/time -f '%e s wall, %U s cpu, max RSS %M KiB' -o "$out/time" \
		sc-parse learn -o "$out/model.scpm" --truth "$docs/receipts:receipt" --truth "$docs/invoices:invoice" \
		"${tr[@]}" 2>"$out/learn.log" || true
	grep -E 'learn: [0-9]+ documents' "$out/learn.log" || true
	cat "$out/time"
else
	echo "skipped: no cached training records in $cache"
fi
