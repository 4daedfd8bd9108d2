#!/usr/bin/env bash
# Runs the differential storm (storm_diff.c) natively and under eclipse-sim for each seed and
# compares the two transcripts line by line.
#
# usage: run_storm_diff.sh SIM STORM_DIFF COUNT SEED...
#   Passes when, for every SEED, both runs exit 0 and print the same COUNT lines and summary.
#   On a difference, prints the first lines that differ (and the command that repeats the run).
set -euo pipefail

if [[ $# -lt 4 ]]; then
	sed -n '4,7s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
fi
sim=$1 storm=$2 count=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ulimit -c 0

failed=0 calls=0
for seed in "$@"; do
	status=0
	env -i "$storm" "$seed" "$count" </dev/null >"$work/native.$seed" 2>"$work/native.$seed.err" || status=$?
	if ((status != 0)); then
		echo "FAIL: seed $seed: natively, status $status"
		tail -n 5 "$work/native.$seed" "$work/native.$seed.err"
		failed=1
		continue
	fi
	status=0
	env -i "$sim" "$storm" "$seed" "$count" </dev/null >"$work/sim.$seed" 2>"$work/sim.$seed.err" || status=$?
	if ((status != 0)); then
		echo "FAIL: seed $seed: under eclipse-sim, status $status"
		tail -n 5 "$work/sim.$seed" "$work/sim.$seed.err"
		failed=1
		continue
	fi
	if ! diff -u --label native --label eclipse-sim "$work/native.$seed" "$work/sim.$seed" \
		>"$work/diff.$seed"; then
		echo "FAIL: seed $seed: the transcripts differ (first differences below)"
		grep '^[-+][0-9]' "$work/diff.$seed" | head -n 20
		echo "repeat: $storm $seed $count; $sim $storm $seed $count"
		failed=1
		continue
	fi
	tail -n 1 "$work/native.$seed"
	calls=$((calls + count))
done
((failed == 0)) || exit 1
echo "PASS: $calls calls over $# seeds gave the same results natively and under eclipse-sim"
