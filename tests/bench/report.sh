#!/bin/bash
# report.sh - `make bench` for sc-report: records per minute per core into the
# HTML report, and peak memory at 10,000 against 1,000,000 records (flat is the
# claim: the state is bounded). "wide" records give every declaration its own
# importer and many rule ids, so the keyed tables run at their bounds. A jq
# reduce that only counts lanes over the same file is the yardstick.
# Env: BENCH (output dir), REPORT_BENCH_N (the large count, default 1000000).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
BENCH=${BENCH:-$root/out/bench}
big=${REPORT_BENCH_N:-1000000}
dir=$BENCH/report
mkdir -p "$dir"
cores=$(nproc)

ver=$(md5sum < scripts/gen_report_records.py | cut -c1-8)   # a changed generator makes new files
gen() {  # n kind -> file
	local f="$dir/records-$1-$2-$ver.jsonl"
	if [ ! -s "$f" ]; then
		/usr/bin/python3 scripts/gen_report_records.py "$1" 2026 "$2" > "$f.tmp"
		mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# run LABEL N FILE CMD...: wall, CPU (user+sys) and peak RSS of CMD
run() {
	local label=$1 n=$2 f=$3; shift 3
	/usr/bin/time -f '%e %U %S %M' -o "$dir/time" "$@" < "$f" > "$dir/out" 2> "$dir/err" ||
		{ echo "bench report: $label failed:"; cat "$dir/err"; exit 1; }
	read -r wall user sys rss < "$dir/time"
	awk -v l="$label" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v b="$(stat -c %s "$f")" 'BEGIN {
		c = u + s; if (c < 0.01) c = 0.01; if (w < 0.01) w = 0.01
		printf "%-28s %9d %8.2f %8.2f %12.0f %8.1f %9.1f\n", l, n, w, c, n / c * 60, b / c / 1e6, m / 1024
	}' | tee -a "$dir/results"
}

: > "$dir/results"
rm -f $(ls "$dir"/records-*.jsonl 2>/dev/null | grep -v -- "-$ver.jsonl") 2>/dev/null || true
echo "generating records (kept in $dir for later runs)..."
small=$(gen 10000 mixed); large=$(gen "$big" mixed); wide=$(gen "$big" wide)
echo "records: $(stat -c %s "$large") bytes for $big ($(( $(stat -c %s "$large") / big )) bytes/record); $cores cores"
printf '%-28s %9s %8s %8s %12s %8s %9s\n' run records wall_s cpu_s rec/min/core MB/s peak_MiB
run "sc-report -f html"           10000 "$small" sc-report -f html
run "sc-report -f html"           "$big" "$large" sc-report -f html
run "sc-report -f html (wide)"    "$big" "$wide" sc-report -f html
run "sc-report -f json"           "$big" "$large" sc-report -f json
run "jq lane count (yardstick)"   "$big" "$large" jq -n 'reduce inputs as $r ({}; .[$r.risk.channel // "none"] += 1)'

awk -v big="$big" '
	NR == 1 { rss_small = $NF }
	NR == 2 { rss_big = $NF; rate = $(NF-2); cpu = $(NF-3) }
	NR == 3 { rss_wide = $NF }
	NR == 5 { jqcpu = $(NF-3) }
	END {
		printf "peak RSS, %d vs 10000 records: %.2fx (%.1f vs %.1f MiB); wide keys: %.1f MiB\n", big, rss_big / rss_small, rss_big, rss_small, rss_wide
		printf "html report: %.0f records/minute/core (target 1000000): %s\n", rate, (rate >= 1000000 ? "met" : "NOT met")
		printf "sc-report -f html vs jq counting lanes only: %.2fx the CPU time\n", cpu / jqcpu
	}' "$dir/results"
