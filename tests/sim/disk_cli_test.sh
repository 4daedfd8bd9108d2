#!/usr/bin/env bash
# --disk=FILE[,readonly]: the virtio-blk disk on the command line. Bad images are usage errors
# (exit 2) with one clear line; an image another process holds locked is refused; a size that
# is not a multiple of 512 is accepted, as QEMU accepts it; lspci -v shows the device where
# QEMU's -drive if=virtio puts it (expected/lspci_disk.out, the lines pc.guest_disk compares
# with QEMU), and without --disk the bus is as before.
# Usage: disk_cli_test.sh ECLIPSE_SIM LSPCI EXPECTED_LSPCI
set -uo pipefail
sim=$1
lspci=$2
expected=$3
# shellcheck source=expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

img=$tmp/disk.img
truncate -s $((1024 * 1024 + 100)) "$img"
mkdir "$tmp/dir"

expect missing 2 "^eclipse-sim: --disk $tmp/none.img: No such file or directory$" -- \
	"$sim" --disk="$tmp/none.img" "$lspci"
expect directory 2 "^eclipse-sim: --disk $tmp/dir: Is a directory$" -- \
	"$sim" --disk="$tmp/dir" "$lspci"
expect empty-name 2 "invalid --disk ''" -- "$sim" --disk= "$lspci"
expect two-disks 2 "only one --disk" -- "$sim" --disk="$img" --disk="$img" "$lspci"
expect odd-size 0 "^00:02.0 SCSI storage controller \[0100\]: 1af4:1001$" -- \
	"$sim" --disk="$img" "$lspci"
expect readonly 0 "^00:02.0 " -- "$sim" --disk="$img,readonly" "$lspci"
expect no-disk 0 "" -- "$sim" "$lspci" -v
if grep -q "00:02.0" "$tmp/out"; then
	echo "FAIL no-disk: a device at 00:02.0 without --disk"
	failures=$((failures + 1))
fi

# The lock: one writer, or readers only (held here on descriptor 9, as another process would).
if command -v flock >/dev/null; then
	exec 9<"$img"
	flock -x 9
	expect locked 2 "^eclipse-sim: --disk $img: in use: another process holds its lock$" -- \
		"$sim" --disk="$img" "$lspci"
	expect locked-readonly 2 "in use" -- "$sim" --disk="$img,readonly" "$lspci"
	flock -s 9
	expect shared-readonly 0 "^00:02.0 " -- "$sim" --disk="$img,readonly" "$lspci"
	expect shared-writer 2 "in use" -- "$sim" --disk="$img" "$lspci"
	exec 9<&-
fi

# A file that cannot be written needs ,readonly (root writes anything: not testable there).
if [[ $(id -u) -ne 0 ]]; then
	cp "$img" "$tmp/ro.img"
	chmod 444 "$tmp/ro.img"
	expect read-only-file 2 "the file is read-only \(use --disk=$tmp/ro.img,readonly\)" -- \
		"$sim" --disk="$tmp/ro.img" "$lspci"
	expect read-only-file-ok 0 "^00:02.0 " -- "$sim" --disk="$tmp/ro.img,readonly" "$lspci"
fi

# lspci -v: QEMU's addresses, ports and line for the disk, the IDE function's BAR moved after
# the disk's larger one.
"$sim" --disk="$img" "$lspci" -v >"$tmp/lspci" 2>&1
if ! diff -u --label expected --label eclipse-sim "$expected" "$tmp/lspci"; then
	echo "FAIL lspci -v with --disk"
	failures=$((failures + 1))
fi

if ((failures)); then
	echo "$failures failed, $passes passed"
	exit 1
fi
echo "PASS: $passes --disk checks and lspci -v"
