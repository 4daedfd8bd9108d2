#!/usr/bin/env bash
# A guest test that fails says how to repeat it: run_guest_test.sh, given an expected output
# that is wrong, must fail and print commands that repeat the test and each of its runs.
# Usage: repeat_test.sh RUNNER SIM PROGRAM EXPECTED
set -uo pipefail
runner=$1 sim=$2 program=$3 expected=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

{ cat "$expected"; echo "a line the program does not print"; } >"$tmp/wrong.out"
bash "$runner" --expect "$tmp/wrong.out" "$sim" "$program" exit:0 >"$tmp/report" 2>&1
status=$?
((status == 1)) || fail "the runner exited with $status on a wrong expected output, expected 1"

# repeated NAME: the command the report gives for NAME ("test", "native", "sim").
repeated() {
	sed -n "s/^$1: //p" "$tmp/report"
}

for name in native sim; do
	cmd=$(repeated "$name")
	if [[ -z $cmd ]]; then
		fail "no command to repeat the $name run"
		continue
	fi
	(cd / && eval "$cmd") >"$tmp/$name.out" 2>/dev/null
	status=$?
	((status == 0)) || fail "the $name run repeated ($cmd) exited with $status"
	cmp -s "$expected" "$tmp/$name.out" || fail "the $name run repeated ($cmd) printed something else"
done

cmd=$(repeated test)
if [[ -z $cmd ]]; then
	fail "no command to repeat the test"
else
	(cd / && eval "$cmd") >"$tmp/again" 2>&1
	status=$?
	((status == 1)) && grep -q "a line the program does not print" "$tmp/again" ||
		fail "the test repeated ($cmd) did not fail the same way (exit $status)"
fi

if ((failures)); then
	echo "--- the runner's report:"
	cat "$tmp/report"
	exit 1
fi
echo "PASS: a failing guest test says how to repeat it and each of its runs"
