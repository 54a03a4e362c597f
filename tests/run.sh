#!/bin/bash
# run.sh - everything `make check` runs: unit tests, CLI tests, man page lint.
# Prints one closing line "N passed, N failed" (plus skipped) over all of them.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export SC_BIN=${SC_BIN:-$root/bin} SC_ROOT="$root" SC_DATADIR="$root/rules"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
pass=0 fail=0 skip=0
counts=$(mktemp); trap 'rm -f "$counts"' EXIT

add() { read -r p f s < "$counts" || return; pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + ${s:-0})); }

# unit tests: each program prints "unit: NAME: N passed, N failed"
for t in ${SC_UNITS:-}; do
	out=$("$t" 2>&1); st=$?
	line=$(printf '%s\n' "$out" | grep -E '^unit: ' | tail -1)
	p=$(printf '%s' "$line" | sed -nE 's/.* ([0-9]+) passed.*/\1/p'); f=$(printf '%s' "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
	[ -z "$p" ] && { p=0; f=1; }
	[ $st != 0 ] && [ "${f:-0}" = 0 ] && f=1
	[ "${f:-0}" != 0 ] && printf '%s\n' "$out" | grep -v '^ok ' | tail -30
	echo "${line:-unit: $t: crashed (status $st)}"
	pass=$((pass + p)); fail=$((fail + f))
done

# man pages: groff must not warn
mp=0 mf=0
for m in man/*.[157]; do
	[ -e "$m" ] || continue
	w=$(groff -mdoc -ww -z -Tutf8 "$m" 2>&1)
	if [ -n "$w" ]; then mf=$((mf + 1)); echo "FAIL man lint: $m"; echo "$w" | head -10; else mp=$((mp + 1)); fi
done

# the error codes are a vocabulary (lib/errcode.h, man/sc.7 ERROR CODES); the CLI
# tests below run with SC_CHECK_CODES=1, so a record given another code fails too
# (printed from a variable: `tee /dev/stderr` would open the log that stderr
# is redirected to with O_TRUNC and wipe everything written before it)
codes=$(/usr/bin/python3 tests/check-codes.py "$root") || true
printf '%s\n' "$codes"
line=$(printf '%s\n' "$codes" | tail -1)
p=$(printf '%s' "$line" | sed -nE 's/.* ([0-9]+) passed.*/\1/p'); f=$(printf '%s' "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))

ran=$(mktemp); trap 'rm -f "$counts" "$ran"' EXIT
SC_COUNTS="$counts" SC_RAN="$ran" tests/clitest.sh tests/cli/*.test; add

# The examples are checked against the commands the CLI tests ran (not
# skipped), so an example counts only when some test runs it.
# every example in a man page's EXAMPLES is a command some CLI test runs
for m in man/*.[157]; do
	[ -e "$m" ] || continue
	while IFS= read -r ex; do
		if grep -qF -- "$ $ex" "$ran"; then mp=$((mp + 1)); else
			mf=$((mf + 1)); echo "FAIL man example not run by any test: $m: $ex"; fi
	done < <(sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$m" | sed -n 's/^\.Dl //p' | sed 's/\\-/-/g; s/\\e/\\/g')
done
# every command of the README is run by some test
while IFS= read -r ex; do
	if grep -qF -- "$ex" "$ran"; then mp=$((mp + 1)); else
		mf=$((mf + 1)); echo "FAIL README command not run by any test: $ex"; fi
done < <(sed -nE 's/^    ((sc-[a-z]+ |scripts\/[^ ]+\.(py|sh) |parallel ).*)$/\1/p' README.md | sed -E 's/ +# .*$//')
echo "man: $mp passed, $mf failed"
pass=$((pass + mp)); fail=$((fail + mf))

echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
