#!/usr/bin/env bash
# Runs the syscall storm (storm.c) under eclipse-sim and checks that it ended well.
#
# usage: run_storm.sh [--twice] SIM IMAGE STORM CALLS SEED WORKERS [SIM_FLAG...]
#   Runs SIM --image=IMAGE SIM_FLAG... STORM CALLS SEED WORKERS with the output kept aside (the
#   workers write random bytes to it). Passes when eclipse-sim exits 0: the storm ran to its end
#   and the simulator's own check found every frame and kernel object free afterwards.
#   --twice  also runs it a second time: both runs must print the same, byte for byte.
# Prints the storm's summary line; on failure, the end of both output streams.
set -euo pipefail

twice=0
if [[ ${1-} == --twice ]]; then
	twice=1
	shift
fi
if [[ $# -lt 6 ]]; then
	sed -n '4,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
fi
sim=$1 image=$2 storm=$3 calls=$4 seed=$5 workers=$6
shift 6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME: one run, stdout and stderr in $work/NAME.{out,err}; returns eclipse-sim's status.
run() {
	local status=0
	"$sim" --image="$image" "$@" "$storm" "$calls" "$seed" "$workers" \
		</dev/null >"$work/$name.out" 2>"$work/$name.err" || status=$?
	return $status
}

show() {
	echo "--- end of stderr ($1):"
	tail -c 3000 "$work/$1.err" | cat -v | tail -n 30
	echo "--- end of stdout ($1):"
	tail -c 1000 "$work/$1.out" | cat -v
	echo
}

status=0
name=first run "$@" || status=$?
summary=$(grep -a -o 'storm: [0-9]* random calls.*' "$work/first.out" || true)
echo "${summary:-storm: no summary}"
echo "kernel messages: $(grep -a -c '^eclipse-sim: ' "$work/first.err" || true)"
if ((status != 0)); then
	echo "FAIL: eclipse-sim exited with $status"
	show first
	exit 1
fi
if ((twice)); then
	name=second run "$@" || status=$?
	if ((status != 0)) || ! cmp -s "$work/first.out" "$work/second.out" ||
		! cmp -s "$work/first.err" "$work/second.err"; then
		echo "FAIL: a second run (status $status) printed something else"
		show second
		exit 1
	fi
	echo "a second run printed the same"
fi
