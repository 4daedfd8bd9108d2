#!/usr/bin/env bash
# The options eclipse-sim's --help lists are the options it accepts and the ones README.md's
# option table documents, in the same order and with the same argument names.
# Usage: help_test.sh ECLIPSE_SIM README
set -uo pipefail
sim=$1
readme=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# The first column of the help's option lines ("  --image=FILE   ...", "  -h, --help ...").
"$sim" --help | sed -nE 's/^  (-[A-Za-z], )?(--[a-z][a-z-]*(=[A-Z]+)?).*/\1\2/p' >"$tmp/help"
# The first column of the README's option table: the rows after "| option | meaning |".
awk -F'|' '/^\| option \| meaning \|$/ { table = 1; getline; next }
	table && !/^\|/ { exit }
	table { gsub(/`| +$|^ +/, "", $2); print $2 }' "$readme" >"$tmp/readme"

if [[ ! -s $tmp/help || ! -s $tmp/readme ]]; then
	echo "FAIL: no options found in --help or in the README's table"
	failures=$((failures + 1))
elif ! diff -u --label "eclipse-sim --help" --label "$readme" "$tmp/help" "$tmp/readme"; then
	echo "FAIL: the README's option table is not what --help lists"
	failures=$((failures + 1))
fi

# Every listed option is one the parser knows: given a value it may refuse, or followed by
# --version so that nothing boots.
while read -r line; do
	opt=${line##*, }
	"$sim" "$opt" --version >"$tmp/out" 2>&1 </dev/null
	if grep -q "unrecognized option" "$tmp/out"; then
		echo "FAIL: --help lists $opt, which eclipse-sim does not accept:"
		cat "$tmp/out"
		failures=$((failures + 1))
	fi
done <"$tmp/help"

[[ $failures -eq 0 ]] && echo "PASS: $(wc -l <"$tmp/help") options, --help and the README agree"
[[ $failures -eq 0 ]]
