#!/usr/bin/env bash
# make run-metal and scripts/run-metal.sh: the terminal shows the system's own output (no
# firmware banners, no escape codes), and the run ends with the system's status, all eight bits
# of it, as eclipse-sim does.
# Usage: run_metal_test.sh SOURCE_DIR BUILD_DIR BUILD_TYPE FAULT_IMAGE
#   FAULT_IMAGE  an image whose /sbin/init dies of SIGSEGV: status 139 (QEMU's exit code
#                alone would say 11)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
src=$1 build=$2 type=$3 fault_image=$4
pc_require_qemu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# The script: the fault's line, as eclipse-sim prints it, and status 139 from both.
timeout -k 5 300 bash "$src/scripts/run-metal.sh" "$build/eclipse-pc" "$fault_image" "" \
	</dev/null >"$tmp/pc.raw" 2>&1
status=$?
"$build/eclipse-sim" --image="$fault_image" </dev/null >"$tmp/sim.raw" 2>&1
sim_status=$?
((status == 139 && sim_status == 139)) ||
	fail "run-metal.sh ended with $status, eclipse-sim with $sim_status: both should be 139"
pc_plain "$tmp/pc.raw" >"$tmp/pc.txt"
pc_plain "$tmp/sim.raw" >"$tmp/sim.txt"
diff -u --label eclipse-sim --label run-metal.sh "$tmp/sim.txt" "$tmp/pc.txt" ||
	fail "run-metal.sh printed other than the system's own output"

# make run-metal, as a person runs it: the default image, its first line the system's banner.
(cd "$src" && env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS timeout -k 5 300 make run-metal \
	BUILD="$build" CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=$type" METAL_ARGS=max-time=1s) \
	</dev/null >"$tmp/make.raw" 2>&1
status=$?
pc_plain "$tmp/make.raw" >"$tmp/make.txt"
((status == 0)) || fail "make run-metal ended with $status"
[[ $(head -n 1 "$tmp/make.txt") == "Eclipse OS "*": init is up as pid 1" ]] ||
	fail "make run-metal's first line is not the system's banner: $(head -n 1 "$tmp/make.raw" | od -c | head -n 2)"
[[ $(tail -n 1 "$tmp/make.txt") == "init: all services stopped; goodbye" ]] ||
	fail "make run-metal's last line is not init's goodbye"
if LC_ALL=C grep -q $'\e' "$tmp/make.raw"; then
	fail "make run-metal printed escape codes"
fi

# Typed ahead: a command piped in at once, before the kernel set up COM1, reaches the shell
# whole (the FIFOs enabled at boot once dropped what the UART already held).
printf 'echo type""ahead\npoweroff\n' |
	timeout -k 5 120 bash "$src/scripts/run-metal.sh" "$build/eclipse-pc" "$build/boot.cpio" shell \
	>"$tmp/ahead.raw" 2>&1
pc_plain "$tmp/ahead.raw" | grep -qx typeahead ||
	fail "a command typed ahead did not reach the shell"

if ((failures)); then
	for f in pc.raw make.raw ahead.raw; do
		echo "--- $f:"
		head -n 20 "$tmp/$f"
	done
	exit 1
fi
echo "PASS: run-metal shows the system's output alone, takes input typed ahead, and ends with its status"
