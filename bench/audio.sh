#!/usr/bin/env bash
# The audio part of make bench: the CPU it costs to play one minute of 48 kHz stereo (a 440 Hz
# tone through /dev/dsp), on eclipse-sim (--audio=none) and on the pc kernel under
# qemu-system-x86_64 (TCG, -audiodev none), both booted from the same image: the host CPU time
# of the whole run less that of the same run idle for the minute, and the audio service's own
# CPU time in the guest (/proc/PID/stat, 10 ms ticks). Prints them with the ratio sim/qemu.
#
#   bash bench/audio.sh BUILD_DIR
set -uo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../tests/pc/lib.sh
source "$SRC/tests/pc/lib.sh"
# shellcheck source=summary.sh
source "$SRC/bench/summary.sh"
for f in eclipse-sim eclipse-pc tests/audio/minute.cpio tests/audio/idle.cpio; do
	[[ -f $BUILD/$f ]] || { echo "bench: audio: no $BUILD/$f (build first: make build)" >&2; exit 1; }
done

# run MACHINE CASE: "host-cpu-seconds guest-ms" of one boot of CASE's image.
run() {
	local out=$tmp/$1-$2.out image=$BUILD/tests/audio/$2.cpio
	TIMEFORMAT='%U %S'
	if [[ $1 == sim ]]; then
		{ time "$BUILD/eclipse-sim" --image="$image" --max-time=120s --quiet --audio=none \
			</dev/null >"$out" 2>&1; } 2>"$tmp/time"
	else
		{ time pc_boot "$BUILD/eclipse-pc" "$image" "max-time=120s" "$out" 300; } 2>"$tmp/time"
	fi
	local guest
	guest=$(tr -d '\r' <"$out" | sed -n 's/^play: the audio service.s CPU time: \([0-9]*\) ms$/\1/p')
	[[ -n $guest ]] || { echo "bench: audio: $1 $2: the guest did not finish" >&2; return 1; }
	echo "$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/time") $guest"
}

declare -A cost guest
for machine in sim qemu; do
	if [[ $machine == qemu ]] && ! command -v "$PC_QEMU" >/dev/null; then
		echo "bench: audio: no $PC_QEMU: the pc side is left out" >&2
		continue
	fi
	read -r busy g < <(run "$machine" minute) || exit 1
	read -r idle _ < <(run "$machine" idle) || exit 1
	cost[$machine]=$(awk -v b="$busy" -v i="$idle" 'BEGIN { printf "%.3f", b - i }')
	guest[$machine]=$g
	echo "audio: $machine: host CPU ${busy} s playing a minute, ${idle} s idle for it; the audio service ${g} ms in the guest"
done
printf '%-40s %10s %10s %8s\n' "one minute of 48 kHz stereo" sim qemu sim/qemu
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
printf '%-40s %10s %10s %8s\n' "host CPU s (playing less idle)" "${cost[sim]}" "${cost[qemu]:--}" \
	"$(ratio "${cost[sim]}" "${cost[qemu]:-0}")"
printf '%-40s %10s %10s %8s\n' "audio service CPU ms in the guest" "${guest[sim]}" \
	"${guest[qemu]:--}" "$(ratio "${guest[sim]}" "${guest[qemu]:-0}")"
summary_add audio host_cpu s n/a n/a "${cost[qemu]:-n/a}" "${cost[sim]}" - -
summary_add audio guest_cpu ms n/a n/a "${guest[qemu]:-n/a}" "${guest[sim]}" - -
