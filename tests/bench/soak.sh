#!/bin/bash
# soak.sh - the declaration pipeline over a generated stream of SOAK_N
# declarations (default a million): sc-import | sc-risk | sc-report -f json.
# Memory (VmRSS) of each tool is sampled every second; flat means the last
# sample is within a few MB of the one at a tenth of the run. Prints
# records/s and the samples side by side. (OCR pages are left out: ten
# thousand pages take hours on two cores; tests/bench/ocr.sh measures pages.)
set -uo pipefail
n=${SOAK_N:-1000000}
out=${BENCH:-out/bench}/soak
mkdir -p "$out"
rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$1/status" 2>/dev/null || echo -; }

# rows: ids, dates, HS codes, values, countries; every 50th has two items
gen() {
	awk -v n="$n" 'BEGIN {
		print "id,date,hs,value,currency,origin"
		for (i = 1; i <= n; i++) {
			printf "D%07d,2021-%02d-%02d,%06d,%d.%02d,USD,%s\n", i, i % 12 + 1, i % 28 + 1,
			       (i * 7919) % 999999, i % 100000, i % 100, (i % 3 ? "CN" : "DE")
			if (i % 50 == 0)
				printf "D%07d,2021-01-01,940360,12.50,USD,VN\n", i
		}
	}'
}

start=$(date +%s.%N)
gen | sc-import -q -m generic 2>"$out/import.err" | sc-risk 2>"$out/risk.err" |
	sc-report -q -f json > "$out/report.json" 2>"$out/report.err" &
sleep 0.5
rep=$!   # the pipeline's programs are this shell's children
imp=$(pgrep -P $$ -x sc-import) risk=$(pgrep -P $$ -x sc-risk)
echo "t(s)   sc-import MB   sc-risk MB   sc-report MB" > "$out/rss.txt"
t0=$(date +%s)
while kill -0 "$rep" 2>/dev/null; do
	printf '%-6s %-14s %-12s %s\n' "$(($(date +%s) - t0))" "$(rss "$imp")" "$(rss "$risk")" \
	       "$(rss "$rep")" >> "$out/rss.txt"
	sleep 1
done
wait
end=$(date +%s.%N)
recs=$(jq -r '.figures.records' "$out/report.json")
secs=$(echo "$end - $start" | bc)
echo "soak: $n declarations ($recs records through sc-risk into sc-report) in ${secs}s:" \
     "$(echo "$recs / $secs" | bc) records/s"
awk 'NR == 1 { print "soak: " $0; next } { rows[NR] = $0 } END {
	k = NR - 1; if (k < 1) exit
	step = k > 10 ? int(k / 10) : 1
	for (i = 2; i <= NR; i += step) print "soak: " rows[i]
	if ((NR - 2) % step) print "soak: " rows[NR]
}' "$out/rss.txt"
