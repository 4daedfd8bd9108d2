#!/usr/bin/env bash
# The kernel and a guest debugged at once, as docs/debugging.md shows: one gdb runs eclipse-sim
# and breaks in the kernel's sys_fork, a second one debugs the guest through --gdb.
#
# Usage: kernel_test.sh SIM GUEST_DIR
set -u

readonly TIMEOUT=240
sim=$1
guests=$2
test_name=gdb.kernel
show_files="kernel.out guest.out"
. "$(dirname "$0")/lib.sh"

# LeakSanitizer cannot run under a debugger.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

: >"$work/kernel.out"
timeout -k 10 "$TIMEOUT" gdb -batch -nx -ex 'break sys_fork' -ex run -ex 'bt 4' \
	-ex 'print t->tid' -ex 'print t->name' -ex delete -ex continue \
	--args "$sim" --fs=none --gdb 0 --gdb-wait "$guests/gdb_target" >"$work/kernel.out" 2>&1 </dev/null &
bg_pid=$!
port=$(wait_port "$work/kernel.out" 60)
[[ -n $port ]] || fail "the simulator printed no port"

timeout -k 10 "$TIMEOUT" gdb -batch -nx -ex "file $guests/gdb_target" \
	-ex "target remote localhost:$port" -ex 'set detach-on-fork off' \
	-ex 'set schedule-multiple on' -ex 'break child_work' \
	-ex continue -ex 'info threads' \
	>"$work/guest.out" 2>&1 </dev/null
wait "$bg_pid"
bg_pid=

expect() {
	grep -Eq -- "$2" "$work/$1" || fail "$1 has no line matching '$2'"
}
expect kernel.out '^Breakpoint 1, sys_fork \(t=0x[0-9a-f]+, a=0x[0-9a-f]+\) at .*sys_proc\.c'
expect kernel.out ' in trap_handle \(t='
expect kernel.out '^\$1 = 1$'
expect kernel.out '^\$2 = "gdb_target'
expect kernel.out '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
expect guest.out '^Thread 2\.1 "gdb_target" hit Breakpoint 1\.2, child_work \('
expect guest.out 'Thread 3\.3 "gdb_target" \(gdb_target pid 3\)'
expect guest.out '^\[Inferior 1 \(process 1\) detached\]$'
echo "PASS $test_name"
