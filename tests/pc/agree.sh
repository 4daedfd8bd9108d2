#!/usr/bin/env bash
# Boots one boot image on eclipse-sim and on the pc kernel under QEMU, and compares the two
# console transcripts and the two system statuses (README.md has the rules).
#
# usage: agree.sh [--by-speaker] [--status N] [--disk] [--net] KERNEL SIM IMAGE MAX_TIME
#   KERNEL        the pc kernel image (build/eclipse-pc)
#   SIM           eclipse-sim
#   IMAGE         the boot image both boot
#   MAX_TIME      max-time for both (eclipse-sim --max-time, the kernel's max-time=)
#   --by-speaker  compare with times masked, each program's lines on their own (for images
#                 whose services run side by side in real time); default: byte for byte
#                 (carriage returns and the kernel's name aside)
#   --status N    both must end with status N (default 0)
#   --disk        both machines get a virtio disk over a fresh 1 MiB image (eclipse-sim
#                 --disk=IMG, QEMU -drive file=IMG,if=virtio,format=raw)
#   --net         both machines get a virtio-net card on a restricted user-mode network
#                 (eclipse-sim --net=user, QEMU -netdev user,restrict=on at 00:03.0)
# Exits 0 when they agree, 1 with a diff when not, 77 when there is no QEMU.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

usage() {
	sed -n '5,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

by_speaker=0
want=0
disk=0
net=0
while [[ $# -gt 0 && $1 == --* ]]; do
	case $1 in
	--by-speaker) by_speaker=1; shift ;;
	--status) [[ $# -ge 2 ]] || usage; want=$2; shift 2 ;;
	--disk) disk=1; shift ;;
	--net) net=1; shift ;;
	*) usage ;;
	esac
done
[[ $# -eq 4 ]] || usage
kernel=$1 sim=$2 image=$3 max_time=$4
pc_require_qemu

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

sim_args=()
PC_QEMU_ARGS=()
if ((disk)); then
	truncate -s 1M "$work/disk.img"
	sim_args=(--disk="$work/disk.img")
	PC_QEMU_ARGS=(-drive "file=$work/disk.img,if=virtio,format=raw")
fi
if ((net)); then
	sim_args+=(--net=user)
	PC_QEMU_ARGS+=(-netdev user,id=net0,restrict=on -device virtio-net-pci,netdev=net0,addr=03.0)
fi

set +e
"$sim" ${sim_args[@]+"${sim_args[@]}"} --image="$image" --max-time="$max_time" </dev/null \
	>"$work/sim.raw" 2>&1
sim_status=$?
set -e
((sim_status == want)) || fail "eclipse-sim ended with status $sim_status, expected $want"

if pc_boot "$kernel" "$image" "max-time=$max_time" "$work/pc.raw"; then
	((PC_STATUS == want)) || fail "pc ended with status $PC_STATUS, expected $want"
else
	fail "pc: $PC_STATUS"
fi

if ((by_speaker)); then
	pc_mask "$work/sim.raw" | pc_by_speaker >"$work/sim.txt"
	pc_mask "$work/pc.raw" | pc_by_speaker >"$work/pc.txt"
else
	pc_plain "$work/sim.raw" >"$work/sim.txt"
	pc_plain "$work/pc.raw" >"$work/pc.txt"
fi
if ! diff -u --label eclipse-sim --label pc "$work/sim.txt" "$work/pc.txt" >"$work/diff"; then
	fail "the transcripts differ"
	head -n 80 "$work/diff"
fi

if ((failed)); then
	echo "--- pc transcript:"
	tail -n 40 "$work/pc.raw"
	[[ -s $work/pc.raw.qemu ]] && { echo "--- QEMU:"; head -n 20 "$work/pc.raw.qemu"; }
	exit 1
fi
echo "PASS: $(basename "$image"): eclipse-sim and pc agree ($(wc -l <"$work/sim.txt") lines, status $want)"
