#!/bin/sh
# deps.sh - make sure every package in scripts/packages.txt is present.
# On Debian/Ubuntu it installs what is missing with apt-get (as root; otherwise
# it prints the exact sudo command). Elsewhere it names what is missing.
# Usage: scripts/deps.sh [--check]
set -u
here=$(cd "$(dirname "$0")" && pwd)
list="$here/packages.txt"
check_only=0
[ "${1:-}" = "--check" ] && check_only=1

present() {   # present PROBE
	case "$1" in
	cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
	pc:*) pkg-config --exists "${1#pc:}" 2>/dev/null ;;
	file:*) [ -e "${1#file:}" ] ;;
	py:*) /usr/bin/python3 -c "import ${1#py:}" >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

missing=""
while read -r pkg probe _; do
	case "$pkg" in ''|'#'*) continue ;; esac
	present "$probe" || missing="$missing $pkg"
done < "$list"

[ -z "$missing" ] && exit 0
echo "deps: missing:$missing" >&2
[ $check_only = 1 ] && exit 1
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: not a Debian-like system; install the equivalents of:$missing" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root, or: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || exit 1
echo "deps: installed:$missing" >&2
