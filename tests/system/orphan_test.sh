#!/usr/bin/env bash
# Orphans (conf/orphan.conf): services exit at once and leave children behind. init reaps the
# one that ends by itself as it ends, and at shutdown stops and reaps the two still there (one
# with SIGTERM, one that ignores it with SIGKILL). The sched trace shows no zombie: every
# process that exits is reaped at once, and init exits last.
# Usage: orphan_test.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

boot_test orphan "$tmp/out" --max-time=3s --trace=sched
expect_status 0
# orphan_of SERVICE: the pid of the child SERVICE left behind.
orphan_of() {
	local pid
	pid=$(run_pids "$1")
	sed -nE "s/^orphan_maker: pid $pid leaves child ([0-9]+) behind$/\1/p" "$transcript"
}
early=$(orphan_of orphan-maker)
late=$(orphan_of long-orphan)
stubborn=$(orphan_of stubborn-orphan)
if [[ -z $early || -z $late || -z $stubborn ]]; then
	fail "no orphans were made"
	finish
fi
expect_order "init: orphan-maker \(pid [0-9]+\) exited with status 0 after 0\.000s" \
	"orphan_maker: orphan $early exits with status 7" "init: reaped orphan pid $early \(exit status 7\)" \
	"init: SIGTERM received: shutting down" "init: filesystem \(pid 2\) exited with status 0 after 3\.000s" \
	"init: stopping the remaining processes" "init: reaped orphan pid $late \(killed by SIGTERM\)" \
	"init: processes still there after 1\.000s; sending SIGKILL" \
	"init: reaped orphan pid $stubborn \(killed by SIGKILL\)" "init: final status at 4\.000s"
expect_last "init: all services stopped; goodbye"
expect_row "final status" orphan-maker exited - 0

# No zombie: every process but init that exits is reaped by init within 10ms of virtual time.
awk '/^\[sched [0-9.]+\] exit pid / { exited[$5] = $2 + 0 }
	/^\[sched [0-9.]+\] reap pid [0-9]+ by pid 1$/ { if ($5 in exited && $2 - exited[$5] <= 0.01) reaped[$5] = 1 }
	END { for (p in exited) if (p != 1 && !(p in reaped)) print "pid " p " exited at " exited[p] "s" }' \
	"$transcript" >"$tmp/zombies"
[[ -s $tmp/zombies ]] && fail "left unreaped: $(cat "$tmp/zombies")"
grep '^\[sched ' "$transcript" | tail -n 1 | grep -Eq '\] exit pid 1 status 0$' ||
	fail "the last scheduler event is not init's exit"
finish
