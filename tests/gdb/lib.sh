# Shared by the gdb test scripts (sourced, not run): a scratch directory, a background process
# that is killed if the test ends early, failure reports, and waiting for the stub's port.
#
# Before sourcing, set test_name (printed in PASS/FAIL lines) and show_files (the files in $work
# whose tails a failure prints).

work=$(mktemp -d)
bg_pid=

gdbtest_cleanup() {
	if [[ -n $bg_pid ]] && kill -0 "$bg_pid" 2>/dev/null; then
		kill -KILL "$bg_pid" 2>/dev/null
		wait "$bg_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap gdbtest_cleanup EXIT

fail() {
	echo "FAIL $test_name: $*"
	for f in $show_files; do
		[[ -s $work/$f ]] || continue
		echo "--- $f:"
		tail -n 80 "$work/$f"
	done
	exit 1
}

# wait_line FILE ERE SECONDS: whether FILE gets a line matching ERE while the background
# process lives, within SECONDS.
wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -Eq -- "$2" "$1" && return 0
		kill -0 "$bg_pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -Eq -- "$2" "$1"
}

# wait_port FILE SECONDS: prints the port the simulator announced in FILE (nothing if none).
wait_port() {
	wait_line "$1" '^eclipse-sim: gdb: listening on localhost:[0-9]+$' "$2" &&
		sed -n 's/^eclipse-sim: gdb: listening on localhost:\([0-9]*\)$/\1/p' "$1"
}

# wait_bg SECONDS: waits at most SECONDS for the background process to end; its exit status
# goes to bg_status (empty if it did not end).
wait_bg() {
	local i
	bg_status=
	for ((i = 0; i < $1 * 10; i++)); do
		if ! kill -0 "$bg_pid" 2>/dev/null; then
			wait "$bg_pid"
			bg_status=$?
			bg_pid=
			return
		fi
		sleep 0.1
	done
}
