#!/usr/bin/env bash
# The fast path of a switch gives the same run as the trap loop: each case below runs with
# --switch=direct (the default) and --switch=loop, everything traced, and the two transcripts
# must be the same byte for byte; the fast path must have been taken in the first and never in
# the second (the kernel's count of direct switches, read with gdb at the end of the run).
# Usage: switch_test.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# direct_switches SIM_ARGS...: the kernel's count of direct switches at the end of the run.
direct_switches() {
	gdb -nx -batch -ex 'break kernel_fini' -ex "run $* >/dev/null 2>&1 </dev/null" \
		-ex 'print kernel_direct_switches' "$sim" 2>/dev/null | sed -n 's/^\$1 = //p'
}

# same NAME SIM_ARGS...: the run with both switches, compared; its direct switches counted.
same() {
	local name=$1
	shift
	boot "$tmp/$name.direct" --switch=direct --trace=all "$@"
	local direct_status=$status
	boot "$tmp/$name.loop" --switch=loop --trace=all "$@"
	[[ $direct_status -eq $status ]] || fail "$name: exit statuses $direct_status (direct) and $status (loop)"
	if ! cmp -s "$tmp/$name.direct" "$tmp/$name.loop"; then
		fail "$name: the two switches differ:"
		diff -u "$tmp/$name.loop" "$tmp/$name.direct" | head -40
	fi
	grep -q '^\[sched ' "$tmp/$name.direct" || fail "$name: no sched trace lines"
	if command -v gdb >/dev/null; then
		local direct loop
		direct=$(direct_switches --switch=direct "$@")
		loop=$(direct_switches --switch=loop "$@")
		[[ $direct =~ ^[0-9]+$ && $direct -gt 0 ]] || fail "$name: direct switches '$direct', expected some"
		[[ $loop == 0 ]] || fail "$name: direct switches with --switch=loop '$loop', expected 0"
		echo "$name: $direct direct switches"
	fi
}

g=$build/guest
same ipc "$g/ipc_bench" 300
same yield "$g/bench_ctxswitch" 2000
same threads "$g/bench_ctxswitch" -t 2000
same ipc-signals "$g/ipc_signals"
same boot --max-time=3s
transcript=$tmp/boot.direct
finish
