#!/bin/bash
# 40-learn.sh - learned scoring on a small generated inspection history: CSV
# export -> sc-import -> sc-risk learn, then the ranking measured on later
# declarations (sc-risk eval) and, where sc-risk takes --model, scored.
set -euo pipefail
d=$DEMO/learn
mkdir -p "$d"
/usr/bin/python3 scripts/gen-history.py --rows 4000 --seed 11 > "$d/history.csv"
/usr/bin/python3 scripts/gen-history.py --rows 500 --seed 12 --start 2020-10-28 --days 30 \
	--first-id 800000 > "$d/tune.csv"
/usr/bin/python3 scripts/gen-history.py --rows 800 --seed 13 --start 2020-11-27 --days 60 \
	--first-id 900000 > "$d/later.csv"
for f in history tune later; do
	sc-import -m generic --label outcome "$d/$f.csv" > "$d/$f.jsonl"
done
echo "history: $(wc -l < "$d/history.jsonl") labelled declarations (planted: importer IMPBAD, T-shirts 610910 from XA)"
# learn on the history, stop the rounds on the month after it, measure on the months after that
sc-risk learn --label outcome --valid "$d/tune.jsonl" -o "$d/model.json" "$d/history.jsonl" 2>&1 |
	grep '^sc-risk learn:'
echo "ranking the $(wc -l < "$d/later.jsonl") later declarations by the model:"
sc-risk eval --label outcome --at 5,10 --model "$d/model.json" "$d/later.jsonl"
# score without the outcome, as new declarations arrive
jq -c 'del(.decl.outcome)' "$d/later.jsonl" > "$d/new.jsonl"
if sc-risk --model "$d/model.json" < "$d/new.jsonl" > "$d/scored.jsonl" 2>/dev/null; then
	echo "the riskiest three, and why:"
	jq -c 'select(.risk.model) | [.id, .decl.importer.id, .decl.items[0].hs, .decl.origin,
	       .risk.model.score, [.risk.model.top[]?.feature]]' "$d/scored.jsonl" |
	sort -t, -k5 -gr | sed -n 1,3p   # sed reads on: head would end the pipe with SIGPIPE
fi
echo "model: $d/model.json ($(jq -r '.kind + ", " + (.info.records|tostring) + " records, " + (.info.keys|tostring) + " keys"' "$d/model.json"))"
