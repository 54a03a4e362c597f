#!/bin/bash
# demo.sh - `make demo`: the pipeline over the shipped sample batch, one step
# per tool (scripts/demo.d/NN-*.sh, in order). Each step reads what the
# earlier ones left in out/demo/ and says what it did.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export SC_BIN=${SC_BIN:-$root/bin}
export PATH="$SC_BIN:$PATH" SC_DATADIR="$root/rules" DEMO="$root/out/demo"
mkdir -p "$DEMO"
for step in scripts/demo.d/[0-9]*.sh; do
	[ -e "$step" ] || continue
	echo "== $(basename "$step" .sh)"
	bash "$step"
done
echo "== demo done: results in out/demo/"
