#!/usr/bin/env bash
# Times each benchmark guest natively, under qemu-x86_64 and under eclipse-sim, checks that the
# three give the same output, and prints medians, ratios and targets. See bench/README.md.
#
#   bash bench/run.sh [BUILD_DIR]      (default: build)
#   BENCH_RUNS=N     runs per benchmark and machine (default 5)
#   BENCH_SCALE=F    multiplies every work count by F, e.g. 0.05 for a quick smoke run
#
# Exits 0 when every run succeeded and every output agreed, whether or not targets were met;
# non-zero when a run failed or the outputs differed.
set -euo pipefail

BUILD=${1:-build}
RUNS=${BENCH_RUNS:-5}
SCALE=${BENCH_SCALE:-1}
SIM="$BUILD/eclipse-sim"
GUESTS="$BUILD/guest"
MACHINES=(native qemu sim)
QEMU=$(command -v qemu-x86_64 || true)

die() {
	echo "bench: $*" >&2
	exit 1
}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
[[ $SCALE =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || die "BENCH_SCALE must be a positive number, not '$SCALE'"
[[ -x $SIM ]] || die "no simulator at $SIM (build first: make build)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# scaled N: N * BENCH_SCALE, rounded, at least 1.
scaled() {
	awk -v n="$1" -v s="$SCALE" 'BEGIN { v = int(n * s + 0.5); print (v < 1 ? 1 : v) }'
}

# Wall-clock nanoseconds into REPLY, without forking: bash 5's $EPOCHREALTIME when there is one
# (the decimal separator follows the locale), else date(1).
now_ns() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		local t=$EPOCHREALTIME
		REPLY=$((10#${t//[.,]/} * 1000))
	else
		REPLY=$(date +%s%N)
	fi
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# run_on MACHINE OUT ERR BINARY ARGS...: runs the guest on MACHINE; its status is the guest's.
run_on() {
	local machine=$1 out=$2 err=$3
	shift 3
	case $machine in
	native) "$@" >"$out" 2>"$err" ;;
	qemu) "$QEMU" "$@" >"$out" 2>"$err" ;;
	sim) "$SIM" "$@" >"$out" 2>"$err" ;;
	esac
}

have_machine() {
	[[ $1 != qemu || -n $QEMU ]]
}

# Results, one element per benchmark, in the order they ran.
ROW_NAMES=() ROW_NATIVE=() ROW_QEMU=() ROW_SIM=() ROW_TARGET=() ROW_OPS=()

# [target='A/B OP VALUE'] [ops=N] bench NAME BINARY ARGS...
#   Runs $GUESTS/BINARY ARGS... BENCH_RUNS times on each machine, interleaved, and records the
#   median seconds. target: a ratio of two machines' times compared with a number, e.g.
#   'qemu/sim >= 20' (sim at least 20x faster than qemu) or 'sim/qemu <= 1.2' (sim at most 1.2x
#   slower). ops: operations per run, for a nanoseconds-per-operation table.
bench() {
	local name=$1 binary="$GUESTS/$2"
	shift 2
	[[ -x $binary ]] || die "$name: no guest program at $binary (build first: make build)"
	[[ -z ${target:-} || $target =~ ^(native|qemu|sim)/(native|qemu|sim)\ (\<=|\>=|\<|\>)\ [0-9]+(\.[0-9]+)?$ ]] ||
		die "$name: bad target '$target' (want e.g. 'qemu/sim >= 20')"
	[[ -z ${ops:-} || $ops =~ ^[1-9][0-9]*$ ]] || die "$name: bad ops '$ops'"
	local dir="$WORK/$name" machine run
	mkdir -p "$dir"
	printf 'running %-10s' "$name" >&2
	for ((run = 1; run <= RUNS; run++)); do
		for machine in "${MACHINES[@]}"; do
			have_machine "$machine" || continue
			local out="$dir/$machine.$run.out" err="$dir/$machine.$run.err" start status=0
			now_ns
			start=$REPLY
			run_on "$machine" "$out" "$err" "$binary" "$@" || status=$?
			now_ns
			if ((status != 0)); then
				echo >&2
				cat "$err" >&2
				die "$name: run $run on $machine exited with status $status"
			fi
			echo "$((REPLY - start))" >>"$dir/$machine.ns"
			if ! cmp -s "$dir/native.1.out" "$out"; then
				echo >&2
				echo "--- native output" >&2
				cat "$dir/native.1.out" >&2
				echo "--- $machine output (run $run)" >&2
				cat "$out" >&2
				die "$name: $machine's output differs from native's"
			fi
		done
		printf '.' >&2
	done
	echo >&2
	local seconds=()
	for machine in "${MACHINES[@]}"; do
		if have_machine "$machine"; then
			seconds+=("$(median "$dir/$machine.ns" | awk '{ printf "%.4f", $1 / 1e9 }')")
		else
			seconds+=(n/a)
		fi
	done
	ROW_NAMES+=("$name")
	ROW_NATIVE+=("${seconds[0]}")
	ROW_QEMU+=("${seconds[1]}")
	ROW_SIM+=("${seconds[2]}")
	ROW_TARGET+=("${target:-}")
	ROW_OPS+=("${ops:-}")
}

# ratio A B: A / B to two decimals, or n/a.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b <= 0) print "n/a"; else printf "%.2f", a / b }'
}

# verdict TARGET NATIVE QEMU SIM: "yes (VALUE)", "NO (VALUE)", "n/a", or "-" without a target.
verdict() {
	local target=$1
	[[ -n $target ]] || { echo -; return; }
	local machines op limit
	read -r machines op limit <<<"$target"
	local a=${machines%/*} b=${machines#*/}
	declare -A t=([native]=$2 [qemu]=$3 [sim]=$4)
	local value
	value=$(ratio "${t[$a]}" "${t[$b]}")
	[[ $value != n/a ]] || { echo n/a; return; }
	awk -v v="$value" -v op="$op" -v l="$limit" 'BEGIN {
		ok = op == ">=" ? v >= l : op == "<=" ? v <= l : op == ">" ? v > l : v < l
		printf "%s (%s)\n", ok ? "yes" : "NO", v
	}'
}

# per_op SECONDS OPS: nanoseconds per operation, or n/a.
per_op() {
	awk -v s="$1" -v n="$2" 'BEGIN { if (s == "n/a") print "n/a"; else printf "%.1f", s * 1e9 / n }'
}

time_row() {
	printf '%-10s %10s %10s %10s %9s %10s  %-16s %s\n' "$@"
}

ops_row() {
	printf '%-10s %12s %12s %12s %12s\n' "$@"
}

report() {
	local i
	echo
	time_row benchmark native_s qemu_s sim_s sim/qemu sim/native target met
	for i in "${!ROW_NAMES[@]}"; do
		time_row "${ROW_NAMES[i]}" "${ROW_NATIVE[i]}" "${ROW_QEMU[i]}" "${ROW_SIM[i]}" \
			"$(ratio "${ROW_SIM[i]}" "${ROW_QEMU[i]}")" "$(ratio "${ROW_SIM[i]}" "${ROW_NATIVE[i]}")" \
			"${ROW_TARGET[i]:--}" \
			"$(verdict "${ROW_TARGET[i]}" "${ROW_NATIVE[i]}" "${ROW_QEMU[i]}" "${ROW_SIM[i]}")"
	done
	echo
	ops_row benchmark ops/run native_ns qemu_ns sim_ns
	for i in "${!ROW_NAMES[@]}"; do
		[[ -n ${ROW_OPS[i]} ]] || continue
		ops_row "${ROW_NAMES[i]}" "${ROW_OPS[i]}" "$(per_op "${ROW_NATIVE[i]}" "${ROW_OPS[i]}")" \
			"$(per_op "${ROW_QEMU[i]}" "${ROW_OPS[i]}")" "$(per_op "${ROW_SIM[i]}" "${ROW_OPS[i]}")"
	done
}

echo "bench: $RUNS runs each, scale $SCALE, $(nproc) cores; sim $SIM; qemu ${QEMU:-absent (n/a)}" >&2

# One line per benchmark: [target=...] [ops=...] bench NAME BINARY ARGS...
target='qemu/sim >= 20' ops=$(scaled 5000000) bench getpid bench_getpid "$(scaled 5000000)"
target='sim/qemu <= 1.2' bench compute bench_compute "$(scaled 200000000)"
target='sim/qemu <= 1.5' bench memory bench_memory "$(scaled 40)"

report
