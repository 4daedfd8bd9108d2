#!/usr/bin/env bash
# The time travel part of make bench (docs/debugging.md, "Time travel"):
#   - what recording costs: a boot of the default image (3 s of virtual time) and the compute
#     benchmark, each with and without --record, interleaved, the least CPU time (user and
#     system) of RUNS runs each (wall time on a busy machine varies by more than what is
#     measured); target: at most 1.05 times the run without;
#   - a reverse-continue over one second of guest execution: bench_compute runs 100 million
#     steps (about a second of virtual time) between a breakpoint at main and one at exit under
#     gdb; the wall time of the reverse-continue from exit back to main; target: under 2 s;
#   - what a checkpoint costs: the average fork the simulator reports (monitor checkpoints).
#
#   bash bench/travel.sh BUILD_DIR        (BENCH_RUNS: runs of each, 3 by default)
set -uo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-3}
SIM=$BUILD/eclipse-sim
COMPUTE=$BUILD/guest/bench_compute
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=summary.sh
source "$SRC/bench/summary.sh"
for f in "$SIM" "$COMPUTE" "$BUILD/boot.cpio"; do
	[[ -f $f ]] || { echo "bench: travel: no $f (build first: make build)" >&2; exit 1; }
done

# seconds CMD...: the CPU time (user and system) of one run, in seconds.
seconds() {
	local TIMEFORMAT='%U %S' t
	t=$({ time "$@" </dev/null >/dev/null 2>&1; } 2>&1)
	awk -v t="$t" 'BEGIN { split(t, f, " "); printf "%.4f", f[1] + f[2] }'
}

min() { sort -g | head -1; }

# overhead NAME SIM_ARGS...: the best plain and recorded times, and their ratio.
overhead() {
	local name=$1
	shift
	: >"$tmp/$name.plain"
	: >"$tmp/$name.rec"
	for ((i = 0; i < RUNS; i++)); do
		seconds "$SIM" "$@" >>"$tmp/$name.plain"
		echo >>"$tmp/$name.plain"
		seconds "$SIM" --record="$tmp/$name.log" "$@" >>"$tmp/$name.rec"
		echo >>"$tmp/$name.rec"
	done
	local plain recorded ratio
	plain=$(min <"$tmp/$name.plain")
	recorded=$(min <"$tmp/$name.rec")
	ratio=$(awk -v a="$plain" -v b="$recorded" 'BEGIN { printf "%.3f", b / a }')
	echo "travel: $name recorded $recorded s, plain $plain s: ${ratio}x (target: at most 1.05x; log $(stat -c %s "$tmp/$name.log") bytes)"
	summary_add record_overhead "$name" ratio n/a n/a n/a "$ratio" 'sim <= 1.05' \
		"$(summary_met "$ratio" '<=' 1.05)"
}

overhead boot --max-time=3s --quiet
overhead compute "$COMPUTE" 100000000

# The reverse-continue, timed inside gdb.
if command -v gdb >/dev/null; then
	cat >"$tmp/reverse.gdb" <<'EOF'
break main
continue
break exit
continue
python import time; t0 = time.time()
reverse-continue
python print("reverse-continue took %.3f s" % (time.time() - t0))
monitor checkpoints
kill
EOF
	"$SIM" --gdb=0 --gdb-wait --record="$tmp/reverse.log" "$COMPUTE" 100000000 \
		>"$tmp/sim.out" 2>"$tmp/sim.err" </dev/null &
	sim_pid=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/.*listening on localhost:\([0-9]*\).*/\1/p' "$tmp/sim.err")
		[[ -n $port ]] && break
		sleep 0.1
	done
	timeout -k 5 300 gdb -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex "file $COMPUTE" -ex "target remote localhost:$port" -x "$tmp/reverse.gdb" \
		>"$tmp/gdb.out" 2>&1
	wait "$sim_pid" 2>/dev/null
	reverse=$(sed -n 's/^reverse-continue took \([0-9.]*\) s$/\1/p' "$tmp/gdb.out")
	fork_ms=$(sed -n 's/.* taken, a fork \([0-9.]*\) ms on average$/\1/p' "$tmp/gdb.out")
	# Back at main: its breakpoint's second hit.
	[[ $(grep -c 'hit Breakpoint 1, main' "$tmp/gdb.out") -eq 2 ]] || reverse=
	echo "travel: reverse-continue over ~1 s of guest execution: ${reverse:-failed} s (target: under 2 s)"
	echo "travel: a checkpoint (a fork of the simulator): ${fork_ms:-n/a} ms"
	summary_add reverse_continue 1s_of_guest s n/a n/a n/a "${reverse:-n/a}" 'sim < 2' \
		"$(summary_met "${reverse:-x}" '<' 2)"
	summary_add checkpoint fork ms n/a n/a n/a "${fork_ms:-n/a}" - -
else
	echo "travel: no gdb: no reverse-continue figure"
fi
