#!/usr/bin/env bash
# Configuration errors (conf/errors.conf): each reported on stderr as "init: FILE:LINE: what was
# expected", exactly as in expected/config-errors.txt; the entries with errors are left out and
# the rest (filesystem, network, ticker) boots and runs.
# Usage: config_test.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

boot_test errors "$tmp/out" --max-time=6s
expect_status 0
grep '^init: /etc/services\.conf:' "$transcript" >"$tmp/errors"
if ! diff -u "$here/expected/config-errors.txt" "$tmp/errors"; then
	fail "the error report differs from expected/config-errors.txt (- expected, + this boot)"
fi
expect_order "init:   3 services configured; entries with errors left out" \
	"init: Phase 2: starting essential services" "init:   filesystem: /sbin/filesystem \(pid 2\)" \
	"init: Phase 3: starting system services" "init:   network: /sbin/network \(pid 3\)" \
	"init:   ticker: /bin/ticker \(pid 4\)" \
	"init: Phase 4: main loop, heartbeat every 5\.000s" # the bad heartbeat keeps the default
[[ $(table_size "heartbeat 1") -eq 3 ]] || fail "the heartbeat table does not list exactly 3 services"
expect_row "heartbeat 1" filesystem running 2 0
expect_row "heartbeat 1" network running 3 0
expect_row "heartbeat 1" ticker running 4 0
expect_line "ticker: heartbeat 2"
expect_last "init: all services stopped; goodbye"
finish
