#!/bin/bash
# 30-risk.sh - demo step: sc-risk routes the declarations of the demo to lanes
# with the default pack. Reads $DEMO/decl.jsonl (sc-parse's output in the
# demo); until that exists, the sample declarations in testdata/risk/.
set -euo pipefail
DEMO=${DEMO:-out/demo}
in="$DEMO/decl.jsonl"
if [ ! -s "$in" ]; then
	echo "sc-risk: $in is not there (no sc-parse step ran): using the sample declarations in testdata/risk/decl.jsonl"
	in=testdata/risk/decl.jsonl
fi
sc-risk check rules/default
sc-risk -j2 "$in" > "$DEMO/risk.jsonl"
echo "sc-risk: $(grep -c '"risk":' "$DEMO/risk.jsonl") of $(wc -l < "$DEMO/risk.jsonl") records scored into $DEMO/risk.jsonl; lanes:"
jq -r 'select(.risk) | .risk.channel' "$DEMO/risk.jsonl" | sort | uniq -c | sort -rn | sed 's/^/  /'
echo "sc-risk: reasons:"
jq -r 'select(.risk) | .risk as $r | $r.hits[] | "  \(.id) [\($r.channel)]: \(.why)"' "$DEMO/risk.jsonl" | sed -n '1,12p'   # sed reads on: no SIGPIPE under pipefail
# the demo's consignments are clean; five sample declarations show the other lanes
if [ "$in" != testdata/risk/decl.jsonl ]; then
	echo "sc-risk: and five sample declarations (testdata/risk/decl.jsonl), for the other lanes:"
	sc-risk testdata/risk/decl.jsonl |
		jq -r '"  \(.decl.id) \(.risk.channel): " + ([.risk.hits[].why] | join("; ") | if . == "" then "no rule hit" else . end)' |
		cut -c1-160
fi
