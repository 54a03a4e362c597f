#!/bin/bash
# run.sh - `make bench`: every tests/bench/*.sh in turn. Each prints its own
# figures side by side with the alternatives its issue names, as ratios.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export SC_BIN=${SC_BIN:-$root/bin}
export PATH="$SC_BIN:$PATH" SC_DATADIR="$root/rules" BENCH="$root/out/bench"
mkdir -p "$BENCH"
st=0
for b in tests/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	[ -n "${ONLY:-}" ] && [ "$(basename "$b" .sh)" != "$ONLY" ] && continue
	echo "== bench: $(basename "$b" .sh)"
	bash "$b" || { echo "bench $(basename "$b" .sh) failed"; st=1; }
done
exit $st
