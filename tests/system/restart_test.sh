#!/usr/bin/env bash
# Restart policies: always, on-failure, never; the limit and the doubling backoff; 'stable'.
# Each case boots conf/CASE.conf with --trace=sched, whose times give the restart delays.
# Usage: restart_test.sh BUILD_DIR always|on-failure|never|backoff|stable
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly run='[0-9]+\.[0-9]{3}s'

# ends SERVICE HOW: the line saying how a run of SERVICE ended.
ends() {
	echo "init: $1 \(pid [0-9]+\) $2 after $run"
}
restarted() {
	echo "init: $1: restarted \(pid [0-9]+\)"
}

# The filesystem is not disturbed by the others: one run, up until the shutdown.
filesystem_undisturbed() {
	expect_count 1 "init:   filesystem: /sbin/filesystem \(pid 2\)"
	expect_count 0 "init: filesystem: .*"
	expect_count 1 "init: filesystem \(pid 2\) .*"
	expect_row "final status" filesystem stopped - 0
}

case ${2:-} in
always)
	boot_test always "$tmp/out" --max-time=7s --trace=sched
	expect_status 0
	for svc in clean-exit crash; do
		[[ $svc == crash ]] && how="killed by SIGSEGV" || how="exited with status 0"
		expect_order "$(ends $svc "$how")" "init: $svc: restart 1 of 2 in 0\.500s" "$(restarted $svc)" \
			"$(ends $svc "$how")" "init: $svc: restart 2 of 2 in 1\.000s" "$(restarted $svc)" \
			"$(ends $svc "$how")" "init: $svc: failed: 2 restarts in a row did not keep it up; giving up"
		expect_count 1 "init: $svc: failed: .*"
		expect_delays $svc 500 1000
		expect_row "final status" $svc failed - 2
	done
	filesystem_undisturbed
	;;
on-failure)
	boot_test on-failure "$tmp/out" --max-time=5s --trace=sched
	expect_status 0
	expect_order "$(ends clean-exit "exited with status 0")" \
		"init: clean-exit: not restarted \(restart = on-failure\)"
	expect_count 0 "init: clean-exit: restart.*"
	expect_row "final status" clean-exit exited - 0
	for svc in bad-status crash; do
		[[ $svc == crash ]] && how="killed by SIGSEGV" || how="exited with status 3"
		expect_order "$(ends $svc "$how")" "init: $svc: restart 1 of 1 in 0\.500s" "$(restarted $svc)" \
			"$(ends $svc "$how")" "init: $svc: failed: 1 restart in a row did not keep it up; giving up"
		expect_count 1 "init: $svc: failed: .*"
		expect_delays $svc 500
		expect_row "final status" $svc failed - 1
	done
	filesystem_undisturbed
	;;
never)
	boot_test never "$tmp/out" --max-time=3s --trace=sched
	expect_status 0
	expect_order "$(ends clean-exit "exited with status 0")" "init: clean-exit: not restarted \(restart = never\)"
	expect_order "$(ends bad-status "exited with status 3")" "init: bad-status: not restarted \(restart = never\)"
	expect_order "$(ends crash "killed by SIGSEGV")" "init: crash: not restarted \(restart = never\)"
	expect_order "init: missing: cannot execute /sbin/missing: No such file or directory" \
		"$(ends missing "exited with status 127")" "init: missing: not restarted \(restart = never\)"
	expect_count 0 "init: [a-z-]+: restart(ed| [0-9]).*"
	expect_row "final status" clean-exit exited - 0
	expect_row "final status" bad-status failed - 0
	expect_row "final status" crash failed - 0
	expect_row "final status" missing failed - 0
	filesystem_undisturbed
	;;
backoff)
	boot_test backoff "$tmp/out" --max-time=14s --trace=sched
	expect_status 0
	# flaky: 500ms doubling, capped at 2s; limit 4.
	expect_order "init: flaky: restart 1 of 4 in 0\.500s" "init: flaky: restart 2 of 4 in 1\.000s" \
		"init: flaky: restart 3 of 4 in 2\.000s" "init: flaky: restart 4 of 4 in 2\.000s" \
		"$(ends flaky "exited with status 3")" \
		"init: flaky: failed: 4 restarts in a row did not keep it up; giving up"
	expect_delays flaky 500 1000 2000 2000
	# crashy: 300ms doubling; limit 3.
	expect_order "init: crashy: restart 1 of 3 in 0\.300s" "init: crashy: restart 2 of 3 in 0\.600s" \
		"init: crashy: restart 3 of 3 in 1\.200s" "$(ends crashy "killed by SIGSEGV")" \
		"init: crashy: failed: 3 restarts in a row did not keep it up; giving up"
	expect_delays crashy 300 600 1200
	# "failed" is said once; nothing happens to a failed service afterwards.
	expect_count 1 "init: flaky: failed: .*"
	expect_count 1 "init: crashy: failed: .*"
	expect_count 5 "exit_after: pid [0-9]+ exits with status 3 in 1000 ms"
	expect_count 4 "segv_after: pid [0-9]+ crashes in 200 ms"
	# The rest keeps running: same pids, no restarts, heartbeats after both failures.
	expect_row "heartbeat 3" filesystem running 2 0
	expect_row "heartbeat 3" network running 3 0
	expect_row "heartbeat 3" flaky failed - 4
	expect_row "heartbeat 3" crashy failed - 3
	expect_order "init: flaky: failed: .*" "filesystem: heartbeat 11" "filesystem: heartbeat 13"
	expect_order "init: flaky: failed: .*" "network: heartbeat 11" "network: heartbeat 13"
	expect_count 0 "init: (filesystem|network): .*"
	expect_count 1 "init: filesystem \(pid 2\) exited with status 0 after 14\.000s"
	expect_count 1 "init: network \(pid 3\) exited with status 0 after 14\.000s"
	expect_row "final status" filesystem stopped - 0
	expect_row "final status" network stopped - 0
	expect_row "final status" flaky failed - 4
	expect_row "final status" crashy failed - 3
	;;
stable)
	boot_test stable "$tmp/out" --max-time=11s --trace=sched
	expect_status 0
	# slow's runs (2s) outlast 'stable' (1.5s): each restart is the first of a row again.
	expect_count 4 "init: slow: restart 1 of 2 in 0\.500s"
	expect_count 0 "init: slow: restart 2 of 2 .*"
	expect_count 0 "init: slow: failed: .*"
	expect_delays slow 500 500 500 500
	expect_row "final status" slow stopped - 4
	# fast's runs (1s) do not: the row grows, the backoff doubles, the limit ends it.
	expect_order "init: fast: restart 1 of 2 in 0\.500s" "init: fast: restart 2 of 2 in 1\.000s" \
		"init: fast: failed: 2 restarts in a row did not keep it up; giving up"
	expect_delays fast 500 1000
	expect_row "final status" fast failed - 2
	filesystem_undisturbed
	;;
*)
	echo "usage: $0 BUILD_DIR always|on-failure|never|backoff|stable" >&2
	exit 2
	;;
esac
finish
