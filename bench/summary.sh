# The one summary of a `make bench` run: every figure of every part, with its target and whether
# it was met, one CSV line each in $BENCH_SUMMARY (run.sh sets it; the parts that run as their
# own scripts, net.sh, display.sh and audio.sh, append to it too). run.sh prints it as the last
# table and keeps it as CSV, which bench/compare.sh compares between two runs.
#
# Columns: benchmark,figure,unit,native,qemu,qemu_sys,sim,target,met
#   native, qemu (qemu-x86_64), qemu_sys (the pc kernel under qemu-system-x86_64) and sim
#   (eclipse-sim): the figure on each machine, n/a where it was not or cannot be measured;
#   target: e.g. "qemu/sim >= 20" or "sim < 0.5", several joined by "; "; met: yes, NO, n/a or -
#   (no target), one per target, joined the same way.

SUMMARY_HEADER=benchmark,figure,unit,native,qemu,qemu_sys,sim,target,met

# summary_add BENCHMARK FIGURE UNIT NATIVE QEMU QEMU_SYS SIM TARGET MET
summary_add() {
	[[ -n ${BENCH_SUMMARY:-} ]] || return 0
	(($# == 9)) || { echo "summary_add: 9 fields, not $#: $*" >&2; return 1; }
	local field line=""
	for field in "$@"; do
		field=${field//,/;}
		line+=${line:+,}${field:--}
	done
	echo "$line" >>"$BENCH_SUMMARY"
}

# summary_met VALUE OP LIMIT: yes or NO (n/a for a value that is not a number).
summary_met() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (v !~ /^[0-9.]+$/) { print "n/a"; exit }
		ok = op == ">=" ? v >= l : op == "<=" ? v <= l : op == ">" ? v > l : v < l
		print ok ? "yes" : "NO"
	}'
}

# summary_join WORD...: the words joined by "; ", or - for none.
summary_join() {
	local IFS=';'
	local joined="$*"
	echo "${joined:+${joined//;/; }}"
}

# summary_print CSV: the summary as a table.
summary_print() {
	awk -F, '{ printf "%-10s %-10s %-7s %10s %10s %10s %10s  %-28s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$1"
}
