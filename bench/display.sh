#!/usr/bin/env bash
# The display part of make bench: the display service drawing /dev/tty1 (1024x768, 128x48 text)
# on eclipse-sim and on the pc kernel under qemu-system-x86_64 (TCG), both booted from the same
# image and timed from the host, from the command typed to the line that says it is done:
#   redraws   full screens a second, each cell changed (bench_console redraw)
#   scroll    lines a second written at the bottom, each scrolling the screen (bench_console scroll)
# and prints them with the ratio sim/qemu (target: >= 1, the sim at least QEMU's rate).
#
#   bash bench/display.sh BUILD_DIR     CONSOLE_REDRAWS (default 500), CONSOLE_LINES (default 20000)
set -uo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
REDRAWS=${CONSOLE_REDRAWS:-500}
LINES=${CONSOLE_LINES:-20000}
tmp=$(mktemp -d)
image=$BUILD/bench-console.cpio sim=$BUILD/eclipse-sim src=$SRC kernel=$BUILD/eclipse-pc
[[ -f $image ]] || { echo "bench: display: no $image (build first: make build)" >&2; exit 1; }
# shellcheck source=../tests/net/machine.sh
source "$SRC/tests/net/machine.sh"
# shellcheck source=machines.sh
source "$SRC/bench/machines.sh"
trap 'machine_cleanup; rm -rf "$tmp"' EXIT

now() {
	date +%s.%N
}

# timed NAME COMMAND: host seconds from typing COMMAND to its "NAME-done" line.
timed() {
	local start end
	start=$(now)
	say "$2; echo $1-done"
	wait_for "^$1-done" 600 || return 1
	end=$(now)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

# measure MACHINE: one boot, the two rates into $tmp/MACHINE.
measure() {
	machine=$1
	boot none
	say 'i=0; while ! dmesg | grep -q "drawn as" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo screen-up'
	wait_for '^screen-up' 120 || return 1
	local redraw scroll
	redraw=$(timed redraw "bench_console redraw $REDRAWS") || return 1
	scroll=$(timed scroll "bench_console scroll $LINES") || return 1
	poweroff
	awk -v r="$REDRAWS" -v l="$LINES" -v a="$redraw" -v b="$scroll" \
		'BEGIN { printf "%.1f %.0f\n", r / a, l / b }' >"$tmp/$machine"
}

measure_machines display
echo
echo "Console (the display service drawing /dev/tty1, 128x48 text at 1024x768; host time):"
printf '  %-8s %16s %16s %8s   %s\n' figure sim "pc (qemu)" sim/qemu target
read -r sredraw sscroll <"$tmp/sim"
qredraw=n/a qscroll=n/a
[[ -f $tmp/pc ]] && read -r qredraw qscroll <"$tmp/pc"
ratio_row redraws /s "$sredraw" "$qredraw"
ratio_row scroll lines/s "$sscroll" "$qscroll"
