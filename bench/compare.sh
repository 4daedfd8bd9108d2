#!/usr/bin/env bash
# Compares two `make bench` summaries (the CSV each run writes, build/bench.csv by default;
# BENCH_CSV=FILE chooses another): for every figure in both, the sim's value before and after,
# the change, and whether its target was met before and after. Figures in only one of the two
# are listed apart.
#
#   bash bench/compare.sh OLD.csv NEW.csv
#
# The change is NEW/OLD of the sim's figure; whether that is better depends on the unit: for
# s, ns, us and ms lower is better, for rates (MB/s, /s, IOPS...) higher. The last column says
# which way it went, ignoring changes under 5% (the noise of one run on a busy machine).
set -euo pipefail

(($# == 2)) || { echo "usage: $0 OLD.csv NEW.csv" >&2; exit 2; }
for f in "$@"; do
	[[ -r $f ]] || { echo "compare.sh: cannot read $f" >&2; exit 2; }
	[[ $(head -n 1 "$f") == benchmark,figure,unit,native,qemu,qemu_sys,sim,target,met ]] ||
		{ echo "compare.sh: $f is not a bench summary (no benchmark,figure,... header)" >&2; exit 2; }
done

awk -F, '
function lower_better(unit) { return unit == "s" || unit == "ns" || unit == "us" || unit == "ms" || unit == "KiB" }
function row(a, b, c, d, e, f, g, h) { printf "%-10s %-10s %-7s %12s %12s %8s  %-13s %s\n", a, b, c, d, e, f, g, h }
FNR == 1 { next }
NR == FNR { key = $1 SUBSEP $2; old[key] = $7; oldmet[key] = $9; oldunit[key] = $3; oldorder[++nold] = key; next }
{
	key = $1 SUBSEP $2
	if (!(key in old)) { added[++nadded] = $1 " " $2; next }
	seen[key] = 1
	if (!header++) row("benchmark", "figure", "unit", "old_sim", "new_sim", "new/old", "met", "")
	change = "n/a"; verdict = ""
	if (old[key] ~ /^[0-9.]+$/ && $7 ~ /^[0-9.]+$/ && old[key] > 0) {
		r = $7 / old[key]
		change = sprintf("%.2f", r)
		if (r > 1.05 || r < 0.95)
			verdict = ((r < 1) == lower_better($3)) ? "better" : "worse"
	}
	met = oldmet[key] == "-" && $9 == "-" ? "-" : oldmet[key] " -> " $9
	row($1, $2, $3, old[key], $7, change, met, verdict)
}
END {
	for (i = 1; i <= nold; i++)
		if (!(oldorder[i] in seen)) { split(oldorder[i], k, SUBSEP); print "only in the old run: " k[1] " " k[2] }
	for (i = 1; i <= nadded; i++) print "only in the new run: " added[i]
}' "$1" "$2"
