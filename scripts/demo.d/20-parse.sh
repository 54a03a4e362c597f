#!/bin/bash
# 20-parse.sh - sc-parse in `make demo`: the sample batch's pages as sc-ocr
# read them (out/demo/ocr.jsonl) become documents, the documents that share an
# invoice number, B/L number or container become consignments with one
# declaration each (out/demo/decl.jsonl), and the planted disagreements show.
set -euo pipefail
in=$DEMO/ocr.jsonl
if [ ! -s "$in" ]; then
	# the sc-ocr step has not run: read the sample batch here
	sample=$DEMO/sample
	[ -e "$sample/batch.zip" ] || /usr/bin/python3 scripts/gen-docs.py --demo "$sample"
	echo "20-parse: no $in; running sc-ocr --words over $sample"
	sc-ocr --words -l eng+chi_sim "$sample/batch.zip" "$sample/packing-list.tif" "$sample/invoice.pdf" >"$in"
fi
sc-parse -g ref "$in" >"$DEMO/decl.jsonl"
echo "sc-parse: $(wc -l <"$in") pages -> $(wc -l <"$DEMO/decl.jsonl") consignments in $DEMO/decl.jsonl"
jq -r '
  "consignment \(.decl.id // "?"):",
  "  importer \(.decl.importer.name // "?") \(.decl.importer.id // ""), exporter \(.decl.exporter.name // "?") (\(.decl.exporter.country // "?"))",
  "  B/L \(.decl.bl_no // "-"), invoice \(.decl.invoice_no // "-"), containers \((.decl.containers // []) | join(" "))",
  "  \(.decl.incoterm // "") \(.decl.currency // "") \(.decl.total_value // "?"), gross \(.decl.gross_kg // "?") kg, \(.decl.packages // "?") packages, \((.decl.items // []) | length) items",
  (.parse.documents[] | "    document: \(.type) (\(.type_conf)) \(.src[0].member // .src[0].path // "")\(if (.src | length) > 1 then " +\((.src | length) - 1) pages" else "" end)"),
  (if (.parse.checks | length) == 0 then "  checks: all documents agree"
   else (.parse.checks[] | "  DISAGREEMENT: \(.msg)") end)' "$DEMO/decl.jsonl"
