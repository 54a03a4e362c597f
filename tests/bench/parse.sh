#!/bin/bash
# parse.sh - sc-parse in `make bench`: pages per second through sc-parse alone
# (with and without word boxes, against jq re-serializing the same stream),
# memory over a 100,000-record stream, and the per-field accuracy table of
# sc-ocr | sc-parse on the evaluation split (clean and degraded pages).
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
