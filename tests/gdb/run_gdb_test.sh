#!/usr/bin/env bash
# Runs one gdb test: eclipse-sim --gdb 0 with the test's arguments, then either real gdb in batch
# mode with a command file, or a client program, against the port the simulator prints.
#
# Usage: run_gdb_test.sh SIM TEST [SIM_ARG...]
#   TEST is NAME.gdb, run as `gdb -batch -x NAME.gdb`, or NAME.py, run as `python3 NAME.py PORT`.
#   Lines of TEST starting with '#' say what must happen:
#     #symbols FILE       gdb reads FILE (relative to the simulator's directory)
#     #expect REGEX       gdb's (or the client's) output has a line matching REGEX (ERE), after
#                         the lines the previous #expect lines matched
#     #reject REGEX       no line of gdb's (or the client's) output matches REGEX
#     #sim-output REGEX   the simulator's stdout or stderr has a matching line
#     #sim-exit N         the simulator exits with N (default 0)
#     #stdin-open         the simulator's standard input is a pipe that stays open and empty
#                         (else /dev/null)
#     #attach-after REGEX the client connects once the simulator's stdout has a matching line
#                         (else at once): it attaches to a system that runs
# @BUILD@ in #symbols stands for the simulator's directory, @GUEST@ in a SIM_ARG for its guests'.
# Every wait is bounded, and generously: the machine may be loaded.
set -u

readonly GDB_TIMEOUT=240
readonly START_TIMEOUT=60
readonly END_TIMEOUT=60

sim=$1
test=$2
shift 2
build=$(cd "$(dirname "$sim")" && pwd)
test_name=$(basename "$test")
show_files="client.out sim.out sim.err"
. "$(dirname "$0")/lib.sh"

directive() { sed -n "s/^#$1 //p" "$test"; }

args=()
for a in "$@"; do
	args+=("${a//@GUEST@/$build/guest}")
done

: >"$work/sim.err"
stdin=/dev/null
if grep -q '^#stdin-open$' "$test"; then
	stdin=$work/stdin
	mkfifo "$stdin"
	exec 3<>"$stdin" # a writer that never writes: reads wait instead of ending
fi
"$sim" --gdb 0 "${args[@]}" >"$work/sim.out" 2>"$work/sim.err" <"$stdin" &
bg_pid=$!
port=$(wait_port "$work/sim.err" "$START_TIMEOUT")
[[ -n $port ]] || fail "the simulator printed no port"
attach_after=$(directive attach-after)
if [[ -n $attach_after ]]; then
	wait_line "$work/sim.out" "$attach_after" "$START_TIMEOUT" ||
		fail "the simulator printed no line matching '$attach_after'"
fi

case $test in
*.gdb)
	symbols=$(directive symbols)
	timeout -k 10 "$GDB_TIMEOUT" gdb -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex "file ${symbols//@BUILD@/$build}" -ex "target remote localhost:$port" -x "$test" \
		>"$work/client.out" 2>&1
	;;
*.py)
	timeout -k 10 "$GDB_TIMEOUT" python3 "$test" "$port" >"$work/client.out" 2>&1
	;;
*)
	fail "unknown kind of test"
	;;
esac
client_status=$?
((client_status != 124 && client_status != 137)) || fail "the client timed out"

wait_bg "$END_TIMEOUT"
[[ -n $bg_status ]] || fail "the simulator did not end"

want=$(directive sim-exit)
((bg_status == ${want:-0})) || fail "the simulator exited with $bg_status, not ${want:-0}"

mapfile -t lines <"$work/client.out"
at=0
while IFS= read -r re; do
	while ((at < ${#lines[@]})) && ! [[ ${lines[at]} =~ $re ]]; do
		((at++))
	done
	((at < ${#lines[@]})) || fail "no line matching '$re' (in this order)"
	((at++))
done < <(directive expect)

while IFS= read -r re; do
	for line in "${lines[@]}"; do
		[[ ! $line =~ $re ]] || fail "a line matches '$re': $line"
	done
done < <(directive reject)

while IFS= read -r re; do
	cat "$work/sim.out" "$work/sim.err" | grep -Eq -- "$re" || fail "the simulator printed nothing matching '$re'"
done < <(directive sim-output)

echo "PASS $test_name"
