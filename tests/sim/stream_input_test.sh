#!/bin/bash
# The console's input as a stream, fed late through a FIFO (stream_input.c says what each step
# shows). The simulator must go on while its guest waits for the pipe, timers included: each
# line is written only once the guest says it waits, and the child's line (after its sleep)
# must come before the first one is.
# Usage: stream_input_test.sh ECLIPSE_SIM GUEST
set -u
readonly sim=$1 guest=$2
work=$(mktemp -d)
trap 'exec 3>&-; kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() {
	echo "FAIL: $*"
	echo "--- output:"
	cat "$work/out"
	exit 1
}
# Waits (60 s at most, the machine may be loaded) until the guest printed line.
wait_for() {
	for _ in $(seq 1200); do
		grep -qxF "$1" "$work/out" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	fail "no line '$1'"
}
mkfifo "$work/in"
"$sim" "$guest" <"$work/in" >"$work/out" 2>&1 &
pid=$!
exec 3>"$work/in"
wait_for "waiting for input"
wait_for "child: slept and computed while its parent waits"
echo hello >&3
wait_for "polling"
sleep 0.3 # real time the idle machine keeps pace with
echo world >&3
wait_for "reading to the end"
exec 3>&-
wait "$pid"
rc=$?
[[ $rc == 0 ]] || fail "exit status $rc"
cat >"$work/want" <<'WANT'
nonblocking read: -1 EAGAIN
poll now: 0
waiting for input
child: slept and computed while its parent waits
read: 6 "hello"
polling
poll: 1 POLLIN
the clock went on with real time: yes
read: 6 "world"
reading to the end
read: 0
read again: 0
WANT
diff -u "$work/want" "$work/out" || fail "unexpected output"
echo "PASS"
