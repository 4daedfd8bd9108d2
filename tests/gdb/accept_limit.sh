#!/usr/bin/env bash
# A debugger the simulator cannot accept (it is out of file descriptors) is refused with one
# clear line, and the simulator stops listening instead of spinning: a guest waiting for
# console input keeps waiting idle, then reads and ends as usual.
#
# Usage: accept_limit.sh SIM GUEST_DIR
set -u

sim=$1
guests=$2
test_name=gdb.accept_limit
show_files="sim.out sim.err"
. "$(dirname "$0")/lib.sh"

mkfifo "$work/stdin"
exec 3<>"$work/stdin" # held open: the guest's read waits
: >"$work/sim.err"
"$sim" --gdb 0 "$guests/gdb_target" --read <"$work/stdin" >"$work/sim.out" 2>"$work/sim.err" &
bg_pid=$!
port=$(wait_port "$work/sim.err" 60)
[[ -n $port ]] || fail "the simulator printed no port"
# The soft limit at the lowest free descriptor: accepting needs one more. (It is put back
# before the end, for what the sanitizers' exit checks may open.)
free_fd=0
while [[ -e /proc/$bg_pid/fd/$free_fd ]]; do
	free_fd=$((free_fd + 1))
done
soft=$(prlimit --pid "$bg_pid" --nofile --output SOFT --noheadings) || fail "prlimit failed"
prlimit --pid "$bg_pid" --nofile="$free_fd:" || fail "prlimit failed"
exec 4<>"/dev/tcp/localhost/$port" || fail "could not connect"

wait_line "$work/sim.err" \
	'^eclipse-sim: gdb: cannot accept a debugger: Too many open files; no longer listening$' 60 ||
	fail "no line says the debugger could not be accepted"

# Waiting for input now costs no CPU time (it spun at 100% before).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$bg_pid/stat"; }
before=$(cpu_ticks)
sleep 3
used=$(($(cpu_ticks) - before))
ticks=$(getconf CLK_TCK)
((used * 2 < ticks)) || fail "the simulator used $used clock ticks (of $ticks a second) in 3 s of waiting"

prlimit --pid "$bg_pid" --nofile="$soft:" || fail "prlimit failed"
echo x >&3
wait_bg 60
[[ -n $bg_status ]] || fail "the simulator did not end"
((bg_status == 0)) || fail "the simulator exited with $bg_status"
grep -qx 'read: 1' "$work/sim.out" || fail "the guest did not read its input"
exec 4>&-
echo "PASS $test_name"
