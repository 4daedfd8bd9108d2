#!/usr/bin/env bash
# The examples, run as examples/README.md shows them; custom-service-by-hand makes the user's
# image with the eclipse-mkimage command of the README's manual section and boots it.
# Usage: example_test.sh BUILD_DIR hello|forkexec|crasher|custom-service|custom-service-by-hand|lspci|statusd
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case ${2:-} in
hello)
	boot "$tmp/out" "$build/guest/hello"
	expect_status 0
	[[ $(cat "$transcript") == "hello, world from Eclipse" ]] || fail "expected just the greeting"
	;;
forkexec)
	boot "$tmp/out" --image="$build/boot.cpio" "$build/guest/forkexec"
	expect_status 0
	expect_order "forkexec: pid 1 runs /bin/hello in a child" "hello, world from Eclipse" \
		"forkexec: child 3 exited with status 0"
	boot "$tmp/crash" --image="$build/boot.cpio" "$build/guest/forkexec" /bin/crasher --after=10ms
	expect_status 0
	expect_order "forkexec: pid 1 runs /bin/crasher in a child" \
		"crasher: started \(pid 3\), crashing in 10 ms" "forkexec: child 3 was killed by SIGSEGV"
	;;
lspci)
	# The simulated machine's bus, as QEMU's pc machine has it: the host bridge, the PIIX3, the
	# VGA and the AC97 (the i8042's ISA functions that follow in the kernel's list are not PCI's).
	boot "$tmp/out" "$build/guest/lspci"
	expect_status 0
	[[ $(cat "$transcript") == "00:00.0 Host bridge [0600]: 8086:1237 (rev 02)
00:01.0 ISA bridge [0601]: 8086:7000
00:01.1 IDE interface [0101]: 8086:7010 (prog-if 80)
00:01.3 Bridge [0680]: 8086:7113 (rev 03)
00:04.0 VGA compatible controller [0300]: 1234:1111 (rev 02)
00:05.0 Multimedia audio controller [0401]: 8086:2415 (rev 01)" ]] ||
		fail "expected the host bridge, the PIIX3, the VGA and the AC97"
	boot "$tmp/out" "$build/guest/lspci" -n -v
	expect_status 0
	grep -qx '00:01.1 0101: 8086:7010 (prog-if 80)' "$transcript" || fail "expected the IDE, numeric"
	grep -qx $'\tRegion 4: I/O ports at c500 \\[size=16\\]' "$transcript" ||
		fail "expected the IDE's bus-master ports"
	grep -qx $'\tInterrupt: pin A routed to IRQ 9' "$transcript" || fail "expected the ACPI SCI"
	boot "$tmp/out" "$build/guest/lspci" -x
	expect_status 2
	;;
crasher)
	boot "$tmp/out" --image="$build/boot-crasher.cpio" --max-time=15s --trace=sched
	expect_status 0
	# Restarted after 500ms, 1s and 2s; the fourth crash marks it failed, once.
	expect_order "init: crasher \(pid [0-9]+\) killed by SIGSEGV after 1\.000s" \
		"init: crasher: restart 1 of 3 in 0\.500s" "init: crasher: restart 2 of 3 in 1\.000s" \
		"init: crasher: restart 3 of 3 in 2\.000s" \
		"init: crasher: failed: 3 restarts in a row did not keep it up; giving up"
	expect_delays crasher 500 1000 2000
	expect_count 4 "crasher: writing through a null pointer"
	expect_count 1 "init: crasher: failed: .*"
	# The filesystem keeps running.
	expect_row "heartbeat 2" filesystem running 2 0
	expect_row "heartbeat 2" crasher failed - 3
	expect_order "init: crasher: failed: .*" "filesystem: heartbeat 2"
	expect_row "final status" filesystem stopped - 0
	expect_last "init: all services stopped; goodbye"
	;;
custom-service)
	boot "$tmp/out" --image="$build/boot-custom.cpio" --max-time=10s
	expect_status 0
	# The ticker starts after the network, ticks every 2s and is stopped first.
	expect_order "init:   network: /sbin/network \(pid 3\)" "init:   ticker: /bin/ticker \(pid 7\)"
	expect_order "ticker: started \(pid 7\)" "ticker: counting the seconds" \
		"ticker: hello from a file the boot image added" \
		"ticker: ready, heartbeat every 2000 ms" "ticker: heartbeat 1" "ticker: heartbeat 4"
	expect_row "heartbeat 1" ticker running 7 0
	expect_order "init: SIGTERM received: shutting down" "init: stopping ticker \(pid 7\)" \
		"ticker: SIGTERM received, stopping" "init: stopping input \(pid 6\)"
	expect_row "final status" ticker stopped - 0
	expect_last "init: all services stopped; goodbye"
	;;
custom-service-by-hand)
	# The README's example, run from the source tree with this build's directory.
	src=$(cd "$here/../.." && pwd)
	sed -n '/^### eclipse-mkimage/,/^## /p' "$src/README.md" |
		sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' >"$tmp/example.sh"
	[[ -s $tmp/example.sh ]] || fail "no example in the README's eclipse-mkimage section"
	(cd "$src" && sed -e "s#build/#$build/#g" -e "s#my\.cpio#$tmp/my.cpio#g" "$tmp/example.sh" |
		bash) >"$tmp/out" 2>&1 </dev/null
	status=$?
	transcript=$tmp/out
	expect_status 0
	expect_order "init:   ticker: /bin/ticker \(pid 7\)" "ticker: ready, heartbeat every 2000 ms" \
		"ticker: heartbeat 2" "init: stopping ticker \(pid 7\)"
	expect_count 0 "display: .*unreadable.*"
	expect_last "init: all services stopped; goodbye"
	;;
statusd)
	# The status page, fetched from inside the booted system over its loopback interface.
	transcript=$tmp/out
	timeout 60 "$sim" --image="$build/boot.cpio" --shell >"$transcript" 2>&1 <<'COMMANDS'
statusd -p 8080 &
sleep 1
wget -q -O - http://127.0.0.1:8080/status.txt
wget -q -O - http://127.0.0.1:8080/ | grep -c "<tr><td>network</td>"
wget -q -O /dev/null http://127.0.0.1:8080/nothing || echo "missing page: wget says $?"
poweroff
COMMANDS
	status=$?
	expect_status 0
	expect_line "statusd: serving the status on port 8080"
	expect_line "uptime [0-9]+\.[0-9] s"
	expect_line "  filesystem   pid 2     running, up [0-9.]+ s"
	expect_line "  network      pid 3     running, up [0-9.]+ s"
	expect_line "  screen       pid 7     running, up [0-9.]+ s"
	expect_line "  console      pid 8     running, up [0-9.]+ s"
	expect_line " +[0-9]+ +8 R statusd|( +[0-9]+ +8 S statusd)"
	expect_line "1"
	expect_line "missing page: wget says 1"
	expect_count 0 "  init +not running"
	;;
*)
	echo "usage: $0 BUILD_DIR hello|forkexec|crasher|custom-service|custom-service-by-hand|lspci|statusd" >&2
	exit 2
	;;
esac
finish
