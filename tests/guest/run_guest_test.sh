#!/usr/bin/env bash
# Runs one guest test program natively and under eclipse-sim, and compares the two runs.
#
# usage: run_guest_test.sh [OPTIONS] SIM PROGRAM OUTCOME [ARGS...]
#   SIM              the eclipse-sim binary (not run with --native-only)
#   PROGRAM          the guest binary
#   OUTCOME          exit:N (exits with status N) or signal:N (killed by signal N)
#   ARGS             the program's arguments
#   --expect FILE    stdout must also equal FILE
#   --sim-flag FLAG  pass FLAG to eclipse-sim before PROGRAM (repeatable)
#   --native-only    skip the simulator (to check the test itself on Linux)
#   --sim-only       skip the native run, for tests that only hold on Eclipse (being PID 1,
#                    its process limit); the simulator's stdout is checked against FILE alone
#   --deterministic  instead: run under eclipse-sim twice with --trace=syscall,sched and pass
#                    when both runs have the outcome and identical stdout+stderr, byte for byte
#
# Both runs get the same arguments, stdin from /dev/null and an environment of only ECL_A=1 and
# ECL_B=two (eclipse-sim hands its own environment to the guest as envp, like qemu-x86_64).
# Passes when the stdouts are identical (and equal FILE) and both the native status and the
# simulator's exit code are N for exit:N and 128+N for signal:N. Otherwise prints a unified diff,
# what differed and, for each run, a shell command that repeats it, and exits 1.
set -euo pipefail

usage() {
	sed -n '4,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# The command that repeats this whole test, for the failure report.
test_command=$(printf '%q ' bash "${BASH_SOURCE[0]}" "$@")

mode=both
expect=
sim_flags=()
while [[ $# -gt 0 && $1 == --* ]]; do
	case $1 in
	--native-only) mode=native; shift ;;
	--sim-only) mode=sim; shift ;;
	--deterministic) mode=deterministic; shift ;;
	--expect) [[ $# -ge 2 ]] || usage; expect=$2; shift 2 ;;
	--sim-flag) [[ $# -ge 2 ]] || usage; sim_flags+=("$2"); shift 2 ;;
	*) usage ;;
	esac
done
[[ $# -ge 3 ]] || usage
sim=$1 program=$2 outcome=$3
shift 3

case $outcome in
exit:[0-9]*) want=${outcome#exit:} ;;
signal:[0-9]*) want=$((128 + ${outcome#signal:})) ;;
*) usage ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ulimit -c 0	# the fault tests would otherwise leave core files behind

guest_env=(ECL_A=1 ECL_B=two)
# The simulator may be a sanitizer build that needs these; the guest ignores them.
sim_env=("${guest_env[@]}")
for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS LD_LIBRARY_PATH; do
	if [[ -n ${!var-} ]]; then
		sim_env+=("$var=${!var}")
	fi
done

# The runs so far, in order, and the shell command that repeats each one.
runs=()
declare -A repeat

# run [--merged] NAME ENV... -- CMD...: runs CMD in exactly ENV; output in $work/NAME.{out,err}
# (stderr in NAME.out too with --merged), status in $status.
run() {
	local merged=0 name env=() err
	if [[ $1 == --merged ]]; then
		merged=1
		shift
	fi
	name=$1
	shift
	while [[ $1 != -- ]]; do
		env+=("$1")
		shift
	done
	shift
	err=$work/$name.err
	if ((merged)); then
		err=$work/$name.out
	fi
	runs+=("$name")
	repeat[$name]="$(printf '%q ' env -i "${env[@]}" "$@")</dev/null"
	# The braces' stderr takes bash's own "Segmentation fault" notice for a child killed by a signal.
	set +e
	{ env -i "${env[@]}" "$@" </dev/null >"$work/$name.out" 2>"$err"; } 2>/dev/null
	status=$?
	set -e
}

describe() {
	if (($1 > 128)); then
		echo "killed by signal $(($1 - 128)) (status $1)"
	else
		echo "exit $1"
	fi
}

failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

# same NAME_A FILE_A NAME_B FILE_B: fails with a unified diff unless the files are identical.
same() {
	local d
	if ! d=$(diff -u --label "$1" --label "$3" "$2" "$4"); then
		fail "stdout of $3 differs from $1"
		printf '%s\n' "$d"
	fi
}

# sim [--merged] NAME [FLAG...]: runs the program under the simulator with the --sim-flags and
# FLAGs, as run does, and checks its status.
sim() {
	local opts=()
	if [[ $1 == --merged ]]; then
		opts=(--merged)
		shift
	fi
	local name=$1
	shift
	run "${opts[@]}" "$name" "${sim_env[@]}" -- "$sim" "${sim_flags[@]}" "$@" "$program" "${args[@]}"
	((status == want)) || fail "eclipse-sim ($name): $(describe "$status"), expected $(describe "$want")"
}

args=("$@")
if [[ $mode != sim && $mode != deterministic ]]; then
	run native "${guest_env[@]}" -- "$program" "${args[@]}"
	((status == want)) || fail "native: $(describe "$status"), expected $(describe "$want")"
	if [[ -n $expect ]]; then
		same "$expect" "$expect" native "$work/native.out"
	fi
fi

if [[ $mode != native && ! -x $sim ]]; then
	fail "no simulator at $sim"
elif [[ $mode == both ]]; then
	sim sim
	same native "$work/native.out" eclipse-sim "$work/sim.out"
elif [[ $mode == sim ]]; then
	sim sim
	if [[ -n $expect ]]; then
		same "$expect" "$expect" eclipse-sim "$work/sim.out"
	fi
elif [[ $mode == deterministic ]]; then
	sim --merged trace1 --trace=syscall,sched
	sim --merged trace2 --trace=syscall,sched
	if [[ ! -s $work/trace1.out ]]; then
		fail "the traced run printed nothing"
	fi
	if ! cmp -s "$work/trace1.out" "$work/trace2.out"; then
		fail "two traced runs differ"
		diff -u --label trace1 --label trace2 "$work/trace1.out" "$work/trace2.out" | head -n 50
	fi
fi

if ((failed)); then
	for err in "$work"/*.err; do
		if [[ -s $err ]]; then
			echo "--- stderr of the $(basename "$err" .err) run:"
			head -n 50 "$err"
		fi
	done
	if [[ -s $work/trace1.out ]]; then
		echo "--- end of the first traced run:"
		tail -n 50 "$work/trace1.out"
	fi
	echo "--- to repeat the test, or one of its runs:"
	echo "test: $test_command"
	for name in "${runs[@]}"; do
		echo "$name: ${repeat[$name]}"
	done
	exit 1
fi
echo "PASS: $(basename "$program") $outcome$([[ $mode == both ]] || echo " ($mode)")"
