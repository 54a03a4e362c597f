#!/bin/bash
# 90-report.sh - the end of the demo pipe: one report over the records the
# earlier steps left in $DEMO (OCR pages, declarations with their risk, wood
# samples, scans), or over sc-report's own fixture when there are none.
# Writes report.html, report.txt and report.json; the previous report.json,
# when there is one, is the baseline, so repeated demos show a trend.
set -euo pipefail
: "${DEMO:?DEMO is set by scripts/demo.sh}"
root=$(cd "$(dirname "$0")/../.." && pwd)

inputs=()
[ -s "$DEMO/ocr.jsonl" ] && inputs+=("$DEMO/ocr.jsonl")
# risk.jsonl carries the declarations of decl.jsonl plus their risk: one of them, not both
if [ -s "$DEMO/risk.jsonl" ]; then inputs+=("$DEMO/risk.jsonl")
elif [ -s "$DEMO/decl.jsonl" ]; then inputs+=("$DEMO/decl.jsonl"); fi
[ -s "$DEMO/wood.jsonl" ] && inputs+=("$DEMO/wood.jsonl")
[ -s "$DEMO/scan.jsonl" ] && inputs+=("$DEMO/scan.jsonl")
if [ ${#inputs[@]} = 0 ]; then
	echo "no records from earlier steps in $DEMO: reporting on testdata/report/batch.jsonl"
	inputs=("$root/testdata/report/batch.jsonl")
fi
echo "sc-report over: ${inputs[*]#$root/}"

base=()
if [ -s "$DEMO/report.json" ]; then
	cp "$DEMO/report.json" "$DEMO/report-last.json"
	base=(-b "$DEMO/report-last.json")
fi
rm -f "$DEMO/report.html" "$DEMO/report.txt"
label=$(date -u +%Y-%m-%dT%H:%MZ)
st=0
sc-report -q -f json -l "$label" "${base[@]}" -o "$DEMO/report.json" "${inputs[@]}" || st=$?
[ $st -le 1 ] || exit $st
sc-report -q -f html -t "Smart Customs demo batch" -l "$label" "${base[@]}" -o "$DEMO/report.html" "${inputs[@]}" || true
sc-report -q -f text -t "Smart Customs demo batch" -l "$label" "${base[@]}" -o "$DEMO/report.txt" "${inputs[@]}" || true
[ -s "$DEMO/report.html" ] && [ -s "$DEMO/report.txt" ] || { echo "sc-report wrote no report" >&2; exit 1; }
cat "$DEMO/report.txt"
echo
# the page checks itself in a headless browser where there is one
if command -v chromium > /dev/null; then
	prof=$(mktemp -d)
	verdict=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --virtual-time-budget=5000 --dump-dom "file://$DEMO/report.html#selftest" 2>/dev/null |
		sed -n 's/.*<pre id="selftest">\(selftest: [a-z]*\).*/\1/p') || true
	rm -rf "$prof"
	echo "HTML ${verdict:-selftest: no verdict} (headless chromium)"
fi
echo "HTML report: $DEMO/report.html (open it in a browser; text: $DEMO/report.txt)"
