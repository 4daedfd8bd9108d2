#!/usr/bin/env bash
# --timeline=FILE writes a well-formed trace (timeline_check.py: every event's fields, the
# clock's order, slices paired per thread, flows with both ends in slices, the CPU's runs, and
# the names, calls, flows and instants each case expects), the same file on two runs of one
# command, and the same with --switch=direct and --switch=loop. Then: the boot image stopped
# by the time limit and by Ctrl-C leaves a finished file, and a file that cannot be created is
# a usage error.
# Usage: timeline_test.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly check=$here/timeline_check.py

# same NAME CHECKS... -- SIM_ARGS...: runs SIM_ARGS with --timeline three times, twice with
# --switch=direct and once with --switch=loop; checks the first file with CHECKS and compares
# the other two with it.
same() {
	local name=$1
	shift
	local -a checks=()
	while [[ $1 != -- ]]; do
		checks+=("$1")
		shift
	done
	shift
	local first=$tmp/$name.json
	boot "$tmp/$name.out" --switch=direct --timeline="$first" "$@"
	local first_status=$status
	boot "$tmp/$name.again.out" --switch=direct --timeline="$tmp/$name.again.json" "$@"
	boot "$tmp/$name.loop.out" --switch=loop --timeline="$tmp/$name.loop.json" "$@"
	transcript=$tmp/$name.out
	[[ $first_status -eq 0 ]] || fail "$name: exit status $first_status"
	python3 "$check" "$first" "${checks[@]}" || fail "$name: the timeline is not as expected"
	cmp -s "$first" "$tmp/$name.again.json" || fail "$name: two runs wrote different timelines"
	if ! cmp -s "$first" "$tmp/$name.loop.json"; then
		fail "$name: --switch=direct and --switch=loop wrote different timelines:"
		diff "$tmp/$name.loop.json" "$first" | head -20
	fi
}

g=$build/guest
same ipc --process ipc_bench --process filesystem --syscall ipc_call --syscall ipc_receive \
	--syscall ipc_reply --syscall writev --flow ipc:call --flow ipc:reply --flow proc:fork \
	--instant "page fault" --instant exec --instant exit -- "$g/ipc_bench" 300
same threads --threads bench_ctxswitch:2 --syscall sched_yield --syscall clone \
	--flow proc:fork -- "$g/bench_ctxswitch" -t 2000
same signals --signal SIGUSR1 --signal SIGCHLD --signal SIGKILL --syscall kill \
	--syscall rt_sigreturn -- "$g/ipc_signals"
same files --process ipc_fs --syscall open --syscall write --syscall read \
	--flow server:call --flow server:reply -- "$g/ipc_fs"
same forkexec --process forkexec --process hello --syscall execve --instant exec \
	--flow proc:fork -- "$g/forkexec"
# The boot image stopped by the time limit: init asks the services to stop, and they do.
same boot --process init --process filesystem --process network --process display \
	--process audio --process input --syscall ipc_receive --flow server:call \
	--flow server:reply --signal SIGTERM --instant exit -- --max-time=300ms

# Stopped at once by a second Ctrl-C, during a shutdown that would take long (stubborn ignores
# SIGTERM, and the grace period is 20s): what was open ends where the run did.
"$sim" --clock=host --image="$images/stubborn.cpio" --root="$build/guest" \
	--timeline="$tmp/interrupted.json" >"$tmp/interrupted.out" 2>&1 </dev/null &
pid=$!
wait_for_line "$tmp/interrupted.out" "stubborn: pid [0-9]+ ignores SIGTERM" 20 $pid && kill -INT $pid &&
	wait_for_line "$tmp/interrupted.out" "init: stopping stubborn \(pid [0-9]+\)" 20 $pid && kill -INT $pid
wait_for_exit $pid 10
transcript=$tmp/interrupted.out
expect_status 130
expect_line 'eclipse-sim: stopped'
# A name is the program's as Linux's comm has it, cut to 15 bytes.
python3 "$check" "$tmp/interrupted.json" --process init --process systest_stubbor --signal SIGTERM ||
	fail "interrupted: the timeline is not as expected"

# A file that cannot be created: said at once, as for other options, and nothing runs.
boot "$tmp/unwritable.out" --timeline="$tmp/no/such/dir.json" "$g/hello"
expect_status 2
expect_line "eclipse-sim: --timeline: $tmp/no/such/dir.json: No such file or directory"
expect_count 0 'Hello.*'
finish
