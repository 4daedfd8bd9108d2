#!/usr/bin/env bash
# busybox's syslogd and logger on the booted system: syslogd binds the datagram socket
# /dev/log (a socket node /dev takes), logger sends to it, the message lands in syslogd's file;
# the node shows as a socket and goes with rm.
# Usage: syslog_test.sh BUILD_DIR
set -uo pipefail
build=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 60 "$build/eclipse-sim" --image="$build/boot.cpio" --shell >"$out" 2>&1 <<'COMMANDS'
syslogd -n -O /tmp/log &
sleep 1
logger -t test hello from logger
ls -l /dev/log
sleep 1
cat /tmp/log
kill %1
sleep 1
rm /dev/log && ls /dev/log
poweroff
COMMANDS
fail=0
expect() { # what pattern
	grep -Eq -- "$2" "$out" || { echo "FAIL: $1 (no line matching '$2')"; fail=1; }
}
expect "/dev/log is a socket node" '^srwx.* /dev/log$'
expect "syslogd logs its start" 'syslog\.info syslogd started: BusyBox'
expect "logger's message reaches syslogd's file" 'user\.notice test: hello from logger$'
expect "rm takes the node away" "ls: /dev/log: No such file or directory"
if ((fail)); then
	echo "--- the console:"
	cat "$out"
	exit 1
fi
echo "PASS: syslogd and logger talk over /dev/log"
