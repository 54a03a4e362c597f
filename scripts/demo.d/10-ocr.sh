# make demo, step 1: the sample batch (generated from ground truth by
# scripts/gen-docs.py: a zip of scans, a multi-page TIFF and a born-digital
# PDF, English and Chinese) through sc-ocr.
set -euo pipefail
batch="$DEMO/batch"
[ -e "$batch/batch.zip" ] || /usr/bin/python3 scripts/gen-docs.py --demo "$batch" >/dev/null
echo "sc-ocr --words -l auto $batch/batch.zip $batch/packing-list.tif $batch/invoice.pdf > $DEMO/ocr.jsonl"
st=0
sc-ocr --words -l auto "$batch/batch.zip" "$batch/packing-list.tif" "$batch/invoice.pdf" > "$DEMO/ocr.jsonl" || st=$?
jq -r '[(.src.member // (.src.path|sub(".*/";""))) + (if .src.pages > 1 then " p\(.src.page)" else "" end),
        .ocr.source, .ocr.lang, "conf \(.ocr.conf)", "rotate \(.ocr.rotate)",
        ((.ocr.text // "") | split("\n") | map(select(length > 0)) | first // "" | .[0:48])] | @tsv' \
   "$DEMO/ocr.jsonl" | awk -F'\t' '{ printf "  %-27s %-9s %-12s %-9s %-11s %s\n", $1, $2, $3, $4, $5, $6 }'
echo "$(wc -l < "$DEMO/ocr.jsonl") pages -> $DEMO/ocr.jsonl (sc-ocr exit status $st)"
