#!/usr/bin/env bash
# services.conf's devices key: init grants a driver its device before it runs, the driver's
# claim works and its ports answer, a crash releases the device for the restarted driver, and a
# service without a grant is refused. Usage: devices_test.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

boot_test devices "$tmp/out" --max-time=3s
expect_status 0
expect_count 2 "driver: pid [0-9]+ claimed 00:01\.1, bus-master status 0x60"
expect_order "driver: crashing with the device claimed" "init: driver: restart 1 of 1 in 0\.100s" \
	"driver: pid [0-9]+ claimed 00:01\.1, bus-master status 0x60"
expect_count 1 "driver: pid [0-9]+ cannot claim 00:01\.1: Operation not permitted"
expect_count 1 "init: no-disk: no PCI device 1af4:1001 on this machine"
expect_row "final status" no-disk exited - 0
finish
