# Sourced by bench/net.sh and bench/display.sh (bash), after tests/net/machine.sh: the same
# measurement on eclipse-sim and on the pc kernel under QEMU, and the table's rows.

# shellcheck source=summary.sh
source "$SRC/bench/summary.sh"

# measure_machines PART: measure MACHINE (the caller's function) on the sim and, with
# qemu-system-x86_64 and eclipse-pc there, on pc; a failure shows the console's end and exits 1.
measure_machines() {
	SUMMARY_PART=$1
	local m machines=(sim)
	command -v qemu-system-x86_64 >/dev/null && [[ -f $BUILD/eclipse-pc ]] && machines+=(pc)
	for m in "${machines[@]}"; do
		printf 'running %s on %-4s...' "$1" "$m" >&2
		if ! measure "$m"; then
			echo " failed; the console:" >&2
			tail -20 "$tmp/console" >&2
			exit 1
		fi
		echo " done" >&2
	done
}

# ratio_row NAME UNIT SIM QEMU: a row with the ratio sim/qemu and whether it is at least 1.
ratio_row() {
	local ratio=n/a verdict=""
	if [[ $4 != n/a ]]; then
		ratio=$(awk -v a="$3" -v b="$4" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
		verdict=$(awk -v r="$ratio" 'BEGIN { print (r + 0 >= 1 ? "met" : "MISSED") }')
	fi
	printf '  %-8s %8s %-7s %8s %-7s %8s   sim/qemu >= 1: %s\n' "$1" "$3" "$2" "$4" "$2" "$ratio" "$verdict"
	summary_add "$SUMMARY_PART" "$1" "$2" n/a n/a "$4" "$3" 'sim/qemu_sys >= 1' \
		"$(summary_met "$ratio" '>=' 1)"
}
