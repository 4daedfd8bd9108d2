#!/usr/bin/env bash
# Shutdown: by --max-time (virtual clock), by SIGTERM or SIGINT to eclipse-sim (--clock=host,
# sent once the services are up), a second SIGINT that stops at once (exit 130), a service that
# ignores SIGTERM (SIGKILL after the grace period), and a restart cancelled by the shutdown.
# Usage: shutdown_test.sh BUILD_DIR max-time|sigterm|sigint|second-sigint|grace|cancelled-restart
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The default image's shutdown: services stopped in reverse start order, each ending with
# status 0, then the final table with all of them stopped, and init's goodbye as the last line.
ordered_shutdown() {
	local at=$1 svc pid=7 lines=("init: SIGTERM received: shutting down")
	for svc in input audio display network filesystem; do
		pid=$((pid - 1))
		lines+=("init: stopping $svc \(pid $pid\)" "$svc: SIGTERM received, stopping"
			"init: $svc \(pid $pid\) exited with status 0 after $at")
	done
	expect_order "${lines[@]}" "init: final status at $at"
	for svc in filesystem network display audio input; do
		expect_row "final status" $svc stopped - 0
	done
	expect_count 5 "init: stopping .*"
	expect_last "init: all services stopped; goodbye"
}

# boot_and_signal OUT SIGNAL: boots the default image with --clock=host in the background,
# sends SIGNAL once the five services are ready, and waits for the end.
boot_and_signal() {
	transcript=$1
	"$sim" --clock=host >"$transcript" 2>&1 </dev/null &
	local pid=$!
	wait_for_services "$transcript" "$pid" && kill -"$2" "$pid"
	wait_for_exit "$pid" 20
}

case ${2:-} in
max-time)
	boot "$tmp/out" --max-time=7s
	expect_status 0
	expect_order "init: heartbeat 1 at 5\.0[0-9]{2}s" \
		"eclipse-sim: time limit reached: asking pid 1 \(init\) to shut down"
	ordered_shutdown "(6\.9|7\.0)[0-9]{2}s"
	;;
sigterm | sigint)
	sig=${2#sig}
	boot_and_signal "$tmp/out" "${sig^^}"
	expect_status 0
	expect_line "eclipse-sim: interrupted: asking pid 1 \(init\) to shut down"
	ordered_shutdown "[0-9]+\.[0-9]{3}s"
	;;
second-sigint)
	# stubborn ignores SIGTERM and the grace period is 20s: the first SIGINT starts a long
	# shutdown, the second one ends the simulator at once.
	transcript=$tmp/out
	"$sim" --clock=host --image="$images/stubborn.cpio" --root="$build/guest" >"$transcript" 2>&1 </dev/null &
	pid=$!
	started=$SECONDS
	wait_for_line "$transcript" "stubborn: pid [0-9]+ ignores SIGTERM" 20 $pid && kill -INT $pid &&
		wait_for_line "$transcript" "init: stopping stubborn \(pid [0-9]+\)" 20 $pid && kill -INT $pid
	wait_for_exit $pid 10
	expect_status 130
	((SECONDS - started < 15)) || fail "the second SIGINT did not stop the simulator at once"
	expect_order "eclipse-sim: interrupted: asking pid 1 \(init\) to shut down" \
		"init: stopping stubborn \(pid [0-9]+\)" "eclipse-sim: stopped"
	expect_last "eclipse-sim: stopped"
	expect_count 0 "init: final status .*"
	;;
grace)
	boot_test stubborn "$tmp/out" --max-time=2s
	expect_status 0
	expect_order "init: SIGTERM received: shutting down" "init: stopping stubborn \(pid 3\)" \
		"init: stubborn \(pid 3\) still there after 20\.000s; sending SIGKILL" \
		"init: stubborn \(pid 3\) killed by SIGKILL after 22\.000s" \
		"init: stopping filesystem \(pid 2\)" "init: filesystem \(pid 2\) exited with status 0 after 22\.000s" \
		"init: final status at 22\.000s"
	expect_row "final status" stubborn stopped - 0
	expect_row "final status" filesystem stopped - 0
	expect_last "init: all services stopped; goodbye"
	;;
cancelled-restart)
	# At 8s flaky waits for its restart at 9.5s (conf/backoff.conf).
	boot_test backoff "$tmp/out" --max-time=8s
	expect_status 0
	expect_order "init: flaky: restart 4 of 4 in 2\.000s" "init: SIGTERM received: shutting down" \
		"init: flaky: restart cancelled" "init: final status at 8\.000s"
	expect_count 3 "init: flaky: restarted \(pid [0-9]+\)"
	expect_row "final status" flaky stopped - 3
	expect_last "init: all services stopped; goodbye"
	;;
*)
	echo "usage: $0 BUILD_DIR max-time|sigterm|sigint|second-sigint|grace|cancelled-restart" >&2
	exit 2
	;;
esac
finish
