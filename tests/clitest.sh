#!/bin/bash
# clitest.sh - run data-driven CLI tests (tests/cli/*.test) and count them.
#
# A .test file is blocks separated by blank lines; '#' lines are comments.
#   $ COMMAND        shell command (bash -o pipefail: a pipeline fails when
#                    any part does), run from the repository root with the
#                    programs first on PATH; consecutive '$ ' lines are one
#                    script, and a '$ ' line after other lines starts a new block
#   < LINE           a line of standard input
#   > LINE           a line of expected standard output (all '>' lines together
#                    must equal the whole output; '>' alone is an empty line)
#   ~ REGEX          some line of standard output matches this ERE
#   !~ REGEX         no line of standard output matches this ERE
#   ! TEXT           standard error contains TEXT
#   ? N              expected exit status (default 0)
#   @skip-unless CMD skip the block unless the shell command CMD succeeds
# A block fails with FILE:LINE and a diff of what differed.
# Usage: clitest.sh FILE.test...   (env SC_BIN: the directory of the programs;
# SC_RAN: a file to which the '$ ' lines of every block run, not skipped, are added)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SC_BIN:-$root/bin}
export PATH="$bin:$PATH" SC_ROOT="$root" SC_DATADIR="$root/rules"
export LC_ALL=C.UTF-8
export SC_CHECK_CODES=1   # an error code outside lib/errcode.h aborts the tool (lib/diag.c)
tmp=$(mktemp -d)
mkdir -p "$root/out"   # the tree's scratch folder tests may write to (git-ignored)
# This run's own scratch folder: $SC_TMP for names a test picks, and TMPDIR,
# so mktemp in a test lands there too; two checks (in two trees, or two runs
# in one) never share a fixed /tmp name.
export SC_TMP="$tmp/scratch" TMPDIR="$tmp/scratch"
mkdir -p "$SC_TMP"
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
verbose=${VERBOSE:-0}

run_block() {  # file startline
	local file=$1 line=$2 status out err
	[ -z "$cmd" ] && return
	if [ -n "$skipcond" ] && ! (cd "$root" && eval "$skipcond") >/dev/null 2>&1; then
		skip=$((skip + 1)); [ "$verbose" = 1 ] && echo "skip $file:$line"
		return
	fi
	# what ran, for tests/run.sh: a README or man example counts only when run
	[ -n "${SC_RAN:-}" ] && printf '%s\n' "$cmd" | sed 's/^/$ /' >> "$SC_RAN"
	(cd "$root" && printf '%s' "$stdin" | timeout 300 bash -o pipefail -c "$cmd" >"$tmp/out" 2>"$tmp/err")
	status=$?
	local ok=1 why=""
	if [ "$status" != "$want_status" ]; then ok=0; why="exit status $status, expected $want_status"; fi
	if [ "$have_out" = 1 ] && ! printf '%s' "$want_out" | cmp -s - "$tmp/out"; then
		ok=0; why="$why${why:+; }stdout differs:
$(printf '%s' "$want_out" | diff -u - "$tmp/out" | tail -n +3 | head -40)"
	fi
	local re
	while IFS= read -r re; do
		[ -z "$re" ] && continue
		grep -Eq -- "$re" "$tmp/out" || { ok=0; why="$why${why:+; }no stdout line matches /$re/"; }
	done <<<"$want_re"
	while IFS= read -r re; do
		[ -z "$re" ] && continue
		grep -Eq -- "$re" "$tmp/out" && { ok=0; why="$why${why:+; }a stdout line matches /$re/"; }
	done <<<"$want_nre"
	while IFS= read -r re; do
		[ -z "$re" ] && continue
		grep -Fq -- "$re" "$tmp/err" || { ok=0; why="$why${why:+; }stderr lacks \"$re\""; }
	done <<<"$want_err"
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); [ "$verbose" = 1 ] && echo "ok   $file:$line"
	else
		fail=$((fail + 1))
		echo "FAIL $file:$line: $cmd"
		echo "  $why" | sed 's/^/  /'
		echo "  stderr: $(head -c 600 "$tmp/err")"
	fi
}

reset() { last=""; cmd="" stdin="" want_out="" have_out=0 want_re="" want_nre="" want_err="" want_status=0 skipcond="" start=0; }

for file in "$@"; do
	reset; n=0
	while IFS= read -r l || [ -n "$l" ]; do
		n=$((n + 1))
		case "$l" in
		'#'*) continue ;;
		'') run_block "$file" "$start"; reset; continue ;;
		esac
		[ "$start" = 0 ] && start=$n
		# a command after the expectations of a block starts the next block
		case "$l" in
		'$ '*) if [ -n "$cmd" ] && [ "$last" != cmd ]; then run_block "$file" "$start"; reset; start=$n; fi ;;
		esac
		last=other
		case "$l" in
		'$ '*) cmd="${cmd:+$cmd
}${l#\$ }"; last=cmd ;;
		'< '*) stdin="$stdin${l#< }
" ;;
		'<') stdin="$stdin
" ;;
		'> '*) want_out="$want_out${l#> }
"; have_out=1 ;;
		'>') want_out="$want_out
"; have_out=1 ;;
		'>.') have_out=1 ;;
		'~ '*) want_re="$want_re${l#\~ }
" ;;
		'!~ '*) want_nre="$want_nre${l#\!~ }
" ;;
		'! '*) want_err="$want_err${l#! }
" ;;
		'? '*) want_status=${l#\? } ;;
		'@skip-unless '*) skipcond=${l#@skip-unless } ;;
		*) echo "FAIL $file:$n: cannot read test line: $l"; fail=$((fail + 1)) ;;
		esac
	done < "$file"
	run_block "$file" "$start"
done
echo "cli: $pass passed, $fail failed, $skip skipped"
printf '%s %s %s\n' "$pass" "$fail" "$skip" > "${SC_COUNTS:-/dev/null}"
[ $fail = 0 ]
