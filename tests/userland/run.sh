#!/usr/bin/env bash
# Runs one userland test program natively, then under eclipse-sim, and compares the runs.
#
# usage: run.sh [--sim-only] [--sim-flag FLAG]... SIM IMAGE PROGRAM OUTCOME [ARGS...]
#   SIM              the eclipse-sim binary
#   IMAGE            the boot image (its /sbin/filesystem serves the sim run a writable /)
#   PROGRAM          the guest binary, an absolute path (eclipse-sim runs with --root=/, so the
#                    program can execve itself by the same path)
#   OUTCOME          exit:N (exits with status N) or signal:N (killed by signal N)
#   --sim-only       skip the native run, for what only holds on Eclipse OS
#   --sim-flag FLAG  pass FLAG to eclipse-sim before PROGRAM (repeatable)
#
# Both runs get stdin from /dev/null and an environment of PATH alone; the native run also gets
# TMPDIR, a directory of this script's own, which is removed afterwards. Under eclipse-sim the
# program makes its directory in the filesystem service's /tmp. Passes when the native run ends
# as OUTCOME says, the simulator's run ends the same way with the same stdout, byte for byte,
# and that stdout has a PASS line and no FAIL line. Otherwise prints what differed and the
# commands that repeat each run, and exits 1.
set -euo pipefail

usage() {
	sed -n '4,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

sim_only=0
sim_flags=()
while [[ $# -gt 0 && $1 == --* ]]; do
	case $1 in
	--sim-only) sim_only=1; shift ;;
	--sim-flag) [[ $# -ge 2 ]] || usage; sim_flags+=("$2"); shift 2 ;;
	*) usage ;;
	esac
done
[[ $# -ge 4 ]] || usage
sim=$1 image=$2 program=$3 outcome=$4
shift 4
args=("$@")
case $outcome in
exit:[0-9]*) want=${outcome#exit:} ;;
signal:[0-9]*) want=$((128 + ${outcome#signal:})) ;;
*) usage ;;
esac

work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/tmp"
ulimit -c 0

env_native=(PATH=/usr/bin:/bin TMPDIR="$work/tmp")
env_sim=(PATH=/usr/bin:/bin)
# A sanitizer build of the simulator needs these; the guest ignores them.
for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS LD_LIBRARY_PATH; do
	if [[ -n ${!var-} ]]; then
		env_sim+=("$var=${!var}")
	fi
done

failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}
describe() {
	if (($1 > 128)); then echo "killed by signal $(($1 - 128))"; else echo "exit $1"; fi
}

declare -A repeat
# run NAME ENV... -- CMD...: output in $work/NAME.{out,err}, status in $status, seconds in $secs.
run() {
	local name=$1 env=()
	shift
	while [[ $1 != -- ]]; do
		env+=("$1")
		shift
	done
	shift
	repeat[$name]="$(printf '%q ' env -i "${env[@]}" "$@")</dev/null"
	local start=$SECONDS
	set +e
	{ env -i "${env[@]}" "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err"; } 2>/dev/null
	status=$?
	set -e
	secs=$((SECONDS - start))
	((status == want)) || fail "$name: $(describe "$status"), expected $(describe "$want")"
	grep -q '^PASS' "$work/$name.out" || fail "$name: no PASS line"
	if grep -q '^FAIL' "$work/$name.out"; then
		fail "$name: a check failed:"
		grep '^FAIL' "$work/$name.out" | head -n 20
	fi
}

if ((!sim_only)); then
	run native "${env_native[@]}" -- "$program" "${args[@]}"
fi
run sim "${env_sim[@]}" -- "$sim" --image="$image" --root=/ "${sim_flags[@]}" "$program" "${args[@]}"
if ((!sim_only)) && ! d=$(diff -u --label native --label eclipse-sim "$work/native.out" "$work/sim.out"); then
	fail "the stdout of eclipse-sim differs from the native run's"
	printf '%s\n' "$d" | head -n 60
fi

if ((failed)); then
	for name in native sim; do
		if [[ -s $work/$name.err ]]; then
			echo "--- stderr of the $name run:"
			head -n 30 "$work/$name.err"
		fi
	done
	echo "--- to repeat a run:"
	for name in "${!repeat[@]}"; do
		echo "$name: ${repeat[$name]}"
	done
	exit 1
fi
cat "$work/sim.out"
echo "PASS: $(basename "$program") $outcome$( ((sim_only)) && echo " (eclipse-sim only)")"
