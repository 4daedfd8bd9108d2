#!/usr/bin/env bash
# Times each benchmark guest natively, under qemu-x86_64 and under eclipse-sim, checks that the
# three give the same output, and prints medians, ratios and targets; then measures what a sleeping
# process costs eclipse-sim in guest RAM (procmem); then times the disk through the filesystem
# natively, on eclipse-sim and on the pc kernel under qemu-system-x86_64 (disk); then the network
# of the booted system from the host, on eclipse-sim and on pc (net, bench/net.sh); then the
# display service's console redraws and scrolling, the same way (display, bench/display.sh); then
# the CPU a minute of sound costs on both (audio, bench/audio.sh); then what recording a run and
# going back in it under gdb cost (travel, bench/travel.sh). See bench/README.md.
#
#   bash bench/run.sh [BUILD_DIR]      (default: build)
#   BENCH_RUNS=N     runs per benchmark and machine (default 5)
#   BENCH_SCALE=F    multiplies every work count by F, e.g. 0.05 for a quick smoke run
#   BENCH_ONLY=LIST  only these parts, comma-separated, e.g. disk or getpid,memory (names:
#                    $ALL_PARTS below)
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
SRC=$(cd "$(dirname "$0")/.." && pwd)
ONLY=${BENCH_ONLY:-}
ALL_PARTS="getpid compute memory forkexec ctxswitch threadswitch threads pipe shell procmem disk net display audio ipc boot travel"

die() {
	echo "bench: $*" >&2
	exit 1
}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
[[ $SCALE =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || die "BENCH_SCALE must be a positive number, not '$SCALE'"
[[ -x $SIM ]] || die "no simulator at $SIM (build first: make build)"
[[ -d $GUESTS ]] || die "no guest programs in $GUESTS (build first: make build)"
for part in ${ONLY//,/ }; do
	[[ " $ALL_PARTS " == *" $part "* ]] || die "BENCH_ONLY: no part '$part' (parts: $ALL_PARTS)"
done

# wanted PART: is PART to run (BENCH_ONLY empty, or naming it)?
wanted() {
	[[ -z $ONLY || ",$ONLY," == *",$1,"* ]]
}
# Absolute, for guests that execve another program: a path that means the same file natively,
# under qemu-x86_64 and under eclipse-sim --root=/.
GUESTS_ABS=$(cd "$GUESTS" && pwd -P)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=summary.sh
source "$SRC/bench/summary.sh"
export BENCH_SUMMARY="$WORK/summary.csv"
echo "$SUMMARY_HEADER" >"$BENCH_SUMMARY"
CSV_OUT=${BENCH_CSV:-$BUILD/bench.csv}

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
# The words of $sim_opts go before BINARY on eclipse-sim. A word @exec in ARGS is dropped,
# except under qemu, where it becomes qemu-x86_64's path (see README.md, "Programs that exec").
run_on() {
	local machine=$1 out=$2 err=$3 word
	shift 3
	local args=() opts=()
	for word in "$@"; do
		if [[ $word != @exec ]]; then
			args+=("$word")
		elif [[ $machine == qemu ]]; then
			args+=("$QEMU")
		fi
	done
	read -ra opts <<<"${sim_opts:-}"
	case $machine in
	native) "${args[@]}" >"$out" 2>"$err" ;;
	qemu) "$QEMU" "${args[@]}" >"$out" 2>"$err" ;;
	sim) "$SIM" "${opts[@]}" "${args[@]}" >"$out" 2>"$err" ;;
	esac
}

have_machine() {
	[[ $1 != qemu || -n $QEMU ]]
}

# Results, one element per benchmark, in the order they ran.
ROW_NAMES=() ROW_NATIVE=() ROW_QEMU=() ROW_SIM=() ROW_TARGET=() ROW_OPS=()

# [target='TARGET[, TARGET...]'] [ops=N] [sim_opts='OPTION...'] bench NAME BINARY ARGS...
#   Runs $GUESTS/BINARY ARGS... (or BINARY itself when it is an absolute path) BENCH_RUNS times on each machine, interleaved, and records the
#   median seconds. A TARGET is a ratio of two machines' times compared with a number, e.g.
#   'qemu/sim >= 20' (sim at least 20x faster than qemu) or 'sim/qemu <= 1.2' (sim at most 1.2x
#   slower), or one machine's nanoseconds per operation compared with a number, e.g.
#   'sim_ns < 1000' (needs ops). ops: operations per run, for the per-operation table.
#   sim_opts: eclipse-sim options for this line, e.g. '--root=/'. In ARGS, @exec stands for
#   whatever runs a program that the guest execve's: see run_on.
bench() {
	local name=$1 binary=$2 one
	shift 2
	wanted "$name" || return 0
	[[ $binary == /* ]] || binary="$GUESTS/$binary"
	[[ -x $binary ]] || die "$name: no guest program at $binary (build first: make build)"
	[[ -z ${ops:-} || $ops =~ ^[1-9][0-9]*$ ]] || die "$name: bad ops '$ops'"
	local targets=() checked=()
	IFS=, read -ra targets <<<"${target:-}"
	for one in "${targets[@]}"; do
		one=${one#"${one%%[! ]*}"}
		[[ $one =~ ^((native|qemu|sim)/(native|qemu|sim)|(native|qemu|sim)_ns)\ (\<=|\>=|\<|\>)\ [0-9]+(\.[0-9]+)?$ ]] ||
			die "$name: bad target '$one' (want e.g. 'qemu/sim >= 20' or 'sim_ns < 1000')"
		[[ $one != *_ns* || -n ${ops:-} ]] || die "$name: target '$one' needs ops="
		checked+=("$one")
	done
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
	ROW_TARGET+=("$(IFS=,; echo "${checked[*]}")")
	ROW_OPS+=("${ops:-}")
	# The summary: the times with the ratio targets, nanoseconds per operation with the others.
	local time_t=() time_m=() op_t=() op_m=()
	for one in "${checked[@]}"; do
		local met
		met=$(verdict "$one" "${seconds[@]}" "${ops:-}")
		if [[ $one == *_ns* ]]; then
			op_t+=("${one/_ns/}") op_m+=("${met%% *}")
		else
			time_t+=("$one") time_m+=("${met%% *}")
		fi
	done
	summary_add "$name" time s "${seconds[0]}" "${seconds[1]}" n/a "${seconds[2]}" \
		"$(summary_join "${time_t[@]}")" "$(summary_join "${time_m[@]}")"
	[[ -z ${ops:-} ]] || summary_add "$name" per_op ns "$(per_op "${seconds[0]}" "$ops")" \
		"$(per_op "${seconds[1]}" "$ops")" n/a "$(per_op "${seconds[2]}" "$ops")" \
		"$(summary_join "${op_t[@]}")" "$(summary_join "${op_m[@]}")"
}

# fits_in FRAMES CHILDREN: does bench_procmem CHILDREN succeed on eclipse-sim with FRAMES 4 KiB
# frames of guest RAM?
fits_in() {
	"$SIM" --max-procs=4096 --mem=$(($1 * 4))K "$GUESTS/bench_procmem" "$2" >/dev/null 2>&1
}

# min_frames CHILDREN: the smallest --mem, in frames, with which bench_procmem CHILDREN succeeds,
# by bisection between eclipse-sim's smallest RAM, 4 MiB, and 1 GiB. A run is deterministic (the
# virtual clock), so one run per size decides; failing is whatever ends it badly: fork's ENOMEM,
# a process killed for want of a frame on a copy-on-write fault, ...
min_frames() {
	local children=$1 lo=1024 hi=262144 mid
	fits_in "$lo" "$children" &&
		die "procmem: $children children fit in 4 MiB, the smallest --mem: count more in run.sh"
	fits_in "$hi" "$children" || die "procmem: $children children do not fit in 1 GiB"
	while ((hi - lo > 1)); do
		mid=$(((lo + hi) / 2))
		if fits_in "$mid" "$children"; then hi=$mid; else lo=$mid; fi
		printf '.' >&2
	done
	echo "$hi"
}

# PROCMEM_CHILDREN=(K1 K2) PROCMEM_FRAMES=(F1 F2): procmem's results, for the report.
PROCMEM_CHILDREN=() PROCMEM_FRAMES=()

# procmem K1 K2: the guest RAM one more sleeping process takes on eclipse-sim: (F2 - F1) / (K2 -
# K1) frames, where Fi is the smallest --mem with which bench_procmem Ki succeeds. The difference
# cancels what does not depend on the count: the kernel's boot-time memory and the parent.
# First checks that bench_procmem prints the same natively, under qemu and on eclipse-sim.
procmem() {
	local k1=$1 k2=$2 machine
	wanted procmem || return 0
	local dir="$WORK/procmem"
	mkdir -p "$dir"
	printf 'running %-10s' procmem >&2
	for machine in "${MACHINES[@]}"; do
		have_machine "$machine" || continue
		run_on "$machine" "$dir/$machine.out" "$dir/$machine.err" "$GUESTS/bench_procmem" 20 ||
			{ echo >&2; cat "$dir/$machine.err" >&2; die "procmem: the run on $machine failed"; }
		cmp -s "$dir/native.out" "$dir/$machine.out" || die "procmem: $machine's output differs from native's"
	done
	PROCMEM_CHILDREN=("$k1" "$k2")
	PROCMEM_FRAMES=("$(min_frames "$k1")" "$(min_frames "$k2")")
	echo >&2
}

# ratio A B: A / B to two decimals, or n/a.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b <= 0) print "n/a"; else printf "%.2f", a / b }'
}

# verdict TARGET NATIVE QEMU SIM OPS: "yes (VALUE)", "NO (VALUE)", "n/a", or "-" without a
# target. TARGET is one target, e.g. 'qemu/sim >= 20' or 'sim_ns < 1000'.
verdict() {
	local target=$1
	[[ -n $target ]] || { echo -; return; }
	local what op limit
	read -r what op limit <<<"$target"
	declare -A t=([native]=$2 [qemu]=$3 [sim]=$4)
	local value
	if [[ $what == *_ns ]]; then
		value=$(per_op "${t[${what%_ns}]}" "$5")
	else
		value=$(ratio "${t[${what%/*}]}" "${t[${what#*/}]}")
	fi
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

# per_second SECONDS OPS: operations per second, or n/a.
per_second() {
	awk -v s="$1" -v n="$2" 'BEGIN { if (s == "n/a" || s <= 0) print "n/a"; else printf "%.0f", n / s }'
}

time_row() {
	printf '%-10s %10s %10s %10s %9s %10s  %-16s %s\n' "$@"
}

ops_row() {
	printf '%-10s %10s %11s %11s %11s %12s %12s %12s\n' "$@"
}

# The timed benchmarks' two tables.
report_rows() {
	local i one targets
	echo
	time_row benchmark native_s qemu_s sim_s sim/qemu sim/native target met
	for i in "${!ROW_NAMES[@]}"; do
		targets=()
		IFS=, read -ra targets <<<"${ROW_TARGET[i]}"
		((${#targets[@]})) || targets=("")
		for one in "${!targets[@]}"; do
			# One line per target; the times only on the first.
			local target=${targets[one]}
			if ((one == 0)); then
				time_row "${ROW_NAMES[i]}" "${ROW_NATIVE[i]}" "${ROW_QEMU[i]}" "${ROW_SIM[i]}" \
					"$(ratio "${ROW_SIM[i]}" "${ROW_QEMU[i]}")" \
					"$(ratio "${ROW_SIM[i]}" "${ROW_NATIVE[i]}")" \
					"${target:--}" \
					"$(verdict "$target" "${ROW_NATIVE[i]}" "${ROW_QEMU[i]}" "${ROW_SIM[i]}" "${ROW_OPS[i]}")"
			else
				time_row "" "" "" "" "" "" "$target" \
					"$(verdict "$target" "${ROW_NATIVE[i]}" "${ROW_QEMU[i]}" "${ROW_SIM[i]}" "${ROW_OPS[i]}")"
			fi
		done
	done
	echo
	ops_row benchmark ops/run native_ns qemu_ns sim_ns native_op/s qemu_op/s sim_op/s
	for i in "${!ROW_NAMES[@]}"; do
		[[ -n ${ROW_OPS[i]} ]] || continue
		ops_row "${ROW_NAMES[i]}" "${ROW_OPS[i]}" "$(per_op "${ROW_NATIVE[i]}" "${ROW_OPS[i]}")" \
			"$(per_op "${ROW_QEMU[i]}" "${ROW_OPS[i]}")" "$(per_op "${ROW_SIM[i]}" "${ROW_OPS[i]}")" \
			"$(per_second "${ROW_NATIVE[i]}" "${ROW_OPS[i]}")" \
			"$(per_second "${ROW_QEMU[i]}" "${ROW_OPS[i]}")" \
			"$(per_second "${ROW_SIM[i]}" "${ROW_OPS[i]}")"
	done
}

report() {
	local i
	((${#ROW_NAMES[@]} == 0)) || report_rows
	((${#PROCMEM_FRAMES[@]})) || return 0
	echo
	echo "procmem: smallest eclipse-sim --mem with which bench_procmem CHILDREN succeeds"
	printf '%-10s %12s %12s\n' children frames KiB
	for i in 0 1; do
		printf '%-10s %12s %12s\n' "${PROCMEM_CHILDREN[i]}" "${PROCMEM_FRAMES[i]}" \
			"$((PROCMEM_FRAMES[i] * 4))"
	done
	awk -v k1="${PROCMEM_CHILDREN[0]}" -v k2="${PROCMEM_CHILDREN[1]}" \
		-v f1="${PROCMEM_FRAMES[0]}" -v f2="${PROCMEM_FRAMES[1]}" 'BEGIN {
		per = (f2 - f1) / (k2 - k1)
		printf "per sleeping child: %.2f frames = %.1f KiB; --mem extrapolated to no child: %.0f KiB\n",
			per, per * 4, (f1 - per * k1) * 4
	}'
	summary_add procmem per_child KiB n/a n/a n/a "$(awk -v k1="${PROCMEM_CHILDREN[0]}" \
		-v k2="${PROCMEM_CHILDREN[1]}" -v f1="${PROCMEM_FRAMES[0]}" -v f2="${PROCMEM_FRAMES[1]}" \
		'BEGIN { printf "%.1f", (f2 - f1) / (k2 - k1) * 4 }')" - -
}

# ---- The disk (bench_disk): natively, on eclipse-sim and on the pc kernel under QEMU ----
# Not through bench(): on Eclipse the program runs from a disk image in a booted system (the
# filesystem service must serve / from the disk), and its three phases are timed apart. Each run
# boots a copy of one fresh image; the console's lines are stamped with the host's clock as they
# arrive, and a phase's host time is from its "start" line to its "done" line (README.md, "The
# disk").

DISK_MACHINES=(native sim pc)
DISK_PHASES=(write read random)
DISK_TIMEOUT=600 # seconds one boot may take before it counts as failed

# scaled_min N MIN: scaled N, at least MIN.
scaled_min() {
	local v
	v=$(scaled "$1")
	echo $((v < $2 ? $2 : v))
}

# stamp: each line of stdin, its CR dropped, after the host's wall clock in nanoseconds when it
# arrived.
stamp() {
	local line
	while IFS= read -r line || [[ -n $line ]]; do
		now_ns
		printf '%s %s\n' "$REPLY" "${line%$'\r'}"
	done
}

# disk_can MACHINE: can bench_disk run there? (DISK_WHY_SIM, DISK_WHY_PC: why not)
disk_can() {
	case $1 in
	native) true ;;
	sim) [[ -z $DISK_WHY_SIM ]] ;;
	pc) [[ -z $DISK_WHY_SIM && -z $DISK_WHY_PC ]] ;;
	esac
}

# disk_run MACHINE STAMPED ERR: one run of bench_disk on MACHINE, its output stamped into
# STAMPED (on Eclipse, the console's whole transcript). The status is the machine's: natively
# bench_disk's, else the simulator's or QEMU's (the shell's line "bench_disk: exit N" carries
# bench_disk's).
disk_run() {
	local machine=$1 stamped=$2 err=$3 dir=$WORK/disk
	local cmd="bench_disk /bench $DISK_MIB $DISK_READS; echo bench_disk: exit \$?"
	case $machine in
	native)
		mkdir -p "$dir/native"
		{
			local status=0
			"$GUESTS/bench_disk" "$dir/native" "$DISK_MIB" "$DISK_READS" 2>"$err" || status=$?
			echo "bench_disk: exit $status"
		} | stamp >"$stamped"
		;;
	sim)
		cp --sparse=always "$dir/template.img" "$dir/run.img"
		printf '%s\n' "$cmd" poweroff |
			timeout -k 5 "$DISK_TIMEOUT" "$SIM" --image="$BUILD/boot.cpio" --disk="$dir/run.img" \
				--shell 2>"$err" | stamp >"$stamped"
		;;
	pc)
		# The pc's console may drop what comes before the shell reads: a first empty line.
		cp --sparse=always "$dir/template.img" "$dir/run.img"
		{ printf '\n'; printf '%s\n' "$cmd" poweroff; } |
			timeout -k 5 "$DISK_TIMEOUT" env DISK="$dir/run.img" bash "$SRC/scripts/run-metal.sh" \
				"$BUILD/eclipse-pc" "$BUILD/boot.cpio" shell 2>"$err" | stamp >"$stamped"
		;;
	esac
}

# disk_parse STAMPED: from a stamped transcript, one line for each phase, "phase NAME HOST_S
# GUEST_S AMOUNT", then "exit N" and "out LINE" (bench_disk's last line, the same everywhere).
# Lines are found wherever "bench_disk: " starts in them; a shell's echo of the command
# ("... echo bench_disk: exit $?") does not match, its status is not a number.
disk_parse() {
	awk '{
		t = $1
		line = substr($0, length($1) + 2)
		if (index(line, "disk: ") == 1) { print "out " line; next }
		i = index(line, "bench_disk: ")
		if (!i) next
		n = split(substr(line, i + 12), f, " ")
		if (n == 2 && f[2] == "start")
			start[f[1]] = t
		else if (n == 4 && f[2] == "done" && f[1] in start)
			printf "phase %s %.6f %s %s\n", f[1], (t - start[f[1]]) / 1e9, f[4], f[3]
		else if (n == 2 && f[1] == "exit" && f[2] ~ /^[0-9]+$/)
			print "exit " f[2]
	}' "$1"
}

# disk_bench: BENCH_RUNS runs of bench_disk on each machine that can, interleaved; the per-phase
# seconds go to $WORK/disk/MACHINE.PHASE.host and .guest, one line a run.
disk_bench() {
	wanted disk || return 0
	local dir=$WORK/disk run machine phase
	mkdir -p "$dir"
	DISK_MIB=$(scaled_min 64 8) # at least twice the filesystem service's 4 MiB block cache
	DISK_READS=$(scaled_min 2000 100)
	DISK_IMAGE_MIB=$((2 * DISK_MIB + 32 > 64 ? 2 * DISK_MIB + 32 : 64))
	[[ -x $GUESTS/bench_disk ]] || die "disk: no guest program at $GUESTS/bench_disk (build first: make build)"
	DISK_WHY_SIM='' DISK_WHY_PC=''
	local tool
	for tool in mke2fs debugfs; do
		PATH=$PATH:/sbin:/usr/sbin command -v "$tool" >/dev/null ||
			DISK_WHY_SIM="no $tool (e2fsprogs) to make the disk image"
	done
	[[ -n $DISK_WHY_SIM || -f $BUILD/boot.cpio ]] || DISK_WHY_SIM="no $BUILD/boot.cpio"
	command -v qemu-system-x86_64 >/dev/null || DISK_WHY_PC="no qemu-system-x86_64"
	[[ -n $DISK_WHY_PC || -f $BUILD/eclipse-pc ]] || DISK_WHY_PC="no $BUILD/eclipse-pc"
	[[ -z $DISK_WHY_SIM ]] || echo "bench: disk: sim and qemu-system columns n/a: $DISK_WHY_SIM" >&2
	[[ -n $DISK_WHY_SIM || -z $DISK_WHY_PC ]] || echo "bench: disk: qemu-system column n/a: $DISK_WHY_PC" >&2
	if [[ -z $DISK_WHY_SIM ]]; then
		# The image every Eclipse run boots a copy of: the boot image's files, /bin/bench_disk
		# and an empty /bench, on ext2.
		bash "$SRC/scripts/make-disk.sh" "$BUILD/boot.cpio" "$dir/template.img" "$DISK_IMAGE_MIB" \
			>/dev/null || die "disk: make-disk.sh failed"
		printf '%s\n' "write $GUESTS/bench_disk /bin/bench_disk" "mkdir /bench" |
			PATH=$PATH:/sbin:/usr/sbin debugfs -w -f - "$dir/template.img" >"$dir/debugfs.txt" 2>&1 ||
			{ cat "$dir/debugfs.txt" >&2; die "disk: debugfs could not put bench_disk on the image"; }
	fi
	printf 'running %-10s' disk >&2
	for ((run = 1; run <= RUNS; run++)); do
		for machine in "${DISK_MACHINES[@]}"; do
			disk_can "$machine" || continue
			local stamped="$dir/$machine.$run.txt" err="$dir/$machine.$run.err" status=0
			disk_run "$machine" "$stamped" "$err" || status=$?
			local word name host guest amount exit='' out
			local -A seen=()
			while read -r word name host guest amount; do
				case $word in
				phase)
					seen[$name]=1
					echo "$host" >>"$dir/$machine.$name.host"
					echo "$guest" >>"$dir/$machine.$name.guest"
					;;
				exit) exit=$name ;;
				esac
			done < <(disk_parse "$stamped")
			out=$(disk_parse "$stamped" | sed -n 's/^out //p')
			if ((status != 0)) || [[ $exit != 0 ]] || ((${#seen[@]} != ${#DISK_PHASES[@]})); then
				echo >&2
				tail -n 30 "$stamped" | cut -d' ' -f2- >&2
				cat "$err" >&2
				die "disk: run $run on $machine failed (status $status, bench_disk's exit ${exit:-unknown})"
			fi
			echo "$out" >"$dir/$machine.$run.out"
			if ! cmp -s "$dir/native.1.out" "$dir/$machine.$run.out"; then
				echo >&2
				die "disk: $machine's result differs from native's: '$out' vs '$(cat "$dir/native.1.out")'"
			fi
		done
		printf '.' >&2
	done
	echo >&2
	DISK_DONE=1
}

# disk_median MACHINE PHASE CLOCK: the median seconds, or n/a.
disk_median() {
	local f=$WORK/disk/$1.$2.$3
	if [[ -s $f ]]; then median "$f" | awk '{ printf "%.4f", $1 }'; else echo n/a; fi
}

# disk_rate PHASE SECONDS: MB/s (10^6 bytes) for write and read, operations a second for random.
disk_rate() {
	local amount=$((DISK_MIB * 1048576))
	[[ $1 != random ]] || amount=$DISK_READS
	awk -v a="$amount" -v s="$2" -v r="$([[ $1 == random ]] && echo 1 || echo 0)" 'BEGIN {
		if (s == "n/a" || s <= 0) print "n/a"; else printf (r ? "%.0f" : "%.1f"), r ? a / s : a / s / 1e6
	}'
}

disk_row() {
	printf '%-7s %9s %9s %10s  %-5s %9s %9s %9s %12s  %-18s %s\n' "$@"
}

disk_report() {
	[[ -n ${DISK_DONE:-} ]] || return 0
	local clock phase machine
	echo
	echo "disk: bench_disk DIR $DISK_MIB $DISK_READS: one file of $DISK_MIB MiB written in 64 KiB writes + fsync, read" \
		"back in 64 KiB reads, then $DISK_READS random 4 KiB preads; median of $RUNS runs"
	echo "native: a directory on the host's $(df --output=fstype "$WORK" | tail -n 1) (its page cache included);" \
		"sim: eclipse-sim --disk; qemu_sys: the pc kernel under qemu-system-x86_64 (TCG); both a fresh" \
		"$DISK_IMAGE_MIB MiB ext2 image"
	[[ -z $DISK_WHY_SIM ]] || echo "sim and qemu_sys: n/a ($DISK_WHY_SIM)"
	[[ -n $DISK_WHY_SIM || -z $DISK_WHY_PC ]] || echo "qemu_sys: n/a ($DISK_WHY_PC)"
	for clock in host guest; do
		echo
		if [[ $clock == host ]]; then
			echo "host wall clock, from a phase's start line to its done line (the sim against QEMU is judged on this):"
		else
			echo "guest clock (CLOCK_MONOTONIC in the guest; the sim's is its virtual clock, not the host's time):"
		fi
		disk_row phase native_s sim_s qemu_sys_s unit native sim qemu_sys qemu_sys/sim target met
		for phase in "${DISK_PHASES[@]}"; do
			local s=() r=()
			for machine in "${DISK_MACHINES[@]}"; do
				s+=("$(disk_median "$machine" "$phase" "$clock")")
				r+=("$(disk_rate "$phase" "${s[-1]}")")
			done
			local unit=MB/s target=- met=-
			[[ $phase != random ]] || unit=IOPS
			if [[ $clock == host ]]; then
				target='qemu_sys/sim >= 2'
				met=$(verdict 'qemu/sim >= 2' "${s[0]}" "${s[2]}" "${s[1]}" '')
				summary_add disk "$phase" "$unit" "${r[0]}" n/a "${r[2]}" "${r[1]}" \
					'sim/qemu_sys >= 2' "${met%% *}"
			fi
			disk_row "$phase" "${s[@]}" "$unit" "${r[@]}" "$(ratio "${s[2]}" "${s[1]}")" "$target" "$met"
		done
	done
}

echo "bench: $RUNS runs each, scale $SCALE, $(nproc) cores; sim $SIM; qemu ${QEMU:-absent (n/a)}" >&2

# One line per benchmark: [target=...] [ops=...] bench NAME BINARY ARGS...
target='qemu/sim >= 20' ops=$(scaled 5000000) bench getpid bench_getpid "$(scaled 5000000)"
target='sim/qemu <= 1.1' bench compute bench_compute "$(scaled 200000000)"
target='sim/qemu <= 1.2' bench memory bench_memory "$(scaled 40)"
target='qemu/sim >= 20, native/sim >= 2' ops=$(scaled 1000) sim_opts=--root=/ \
	bench forkexec bench_forkexec "$(scaled 1000)" @exec "$GUESTS_ABS/bench_forkexec" --exit
target='sim_ns < 500' ops=$((2 * $(scaled 200000))) bench ctxswitch bench_ctxswitch "$(scaled 200000)"
# The same between two threads of one process: what is left without the CR3 write.
target='sim_ns < 500' ops=$((2 * $(scaled 200000))) bench threadswitch bench_ctxswitch -t "$(scaled 200000)"
target='' ops=$((4 * $(scaled 5000))) bench threads bench_threads "$(scaled 5000)"
# Debian's busybox-static, natively, under qemu-x86_64 and on eclipse-sim with the host's files.
# Every program a script runs is "$B", which is "@exec /bin/busybox": qemu-x86_64 /bin/busybox
# under qemu (whose execve runs programs natively), plain /bin/busybox elsewhere. See README.md.
if [[ -x /bin/busybox ]]; then
	pipe_blocks=$(scaled 65536)
	pipe_script='B="${2:+$2 }/bin/busybox"
$B dd if=/dev/zero bs=65536 count=$1 2>/dev/null | $B dd of=/dev/null bs=65536 iflag=fullblock 2>&1 | $B head -n 2'
	target='qemu/sim >= 1' ops=$pipe_blocks sim_opts=--root=/ \
		bench pipe /bin/busybox sh -c "$pipe_script" sh "$pipe_blocks" @exec
	shell_iters=$(scaled 200)
	shell_script='B="${2:+$2 }/bin/busybox"
i=0
while [ $i -lt $1 ]; do
	$B sh -c "echo $i | $B tr 0-9 a-j | $B cat" >/dev/null
	i=$((i + 1))
done
echo ran $i'
	target='qemu/sim >= 5' ops=$shell_iters sim_opts=--root=/ \
		bench shell /bin/busybox sh -c "$shell_script" sh "$shell_iters" @exec
elif wanted pipe || wanted shell; then
	echo "bench: no /bin/busybox (Debian's busybox-static): pipe and shell not measured" >&2
fi
# Not timed, and not scaled: below about 100 children, 4 MiB (the smallest --mem) is enough.
procmem 200 1200
disk_bench

report
disk_report
# The network: the booted system on eclipse-sim and on pc under QEMU, from the host (net.sh).
if wanted net; then
	NET_MIB=$(scaled 32) NET_REQUESTS=$(scaled 200) bash "$SRC/bench/net.sh" "$BUILD" ||
		die "net failed"
fi
# The screen: the display service on eclipse-sim and on pc under QEMU, from the host (display.sh).
if wanted display; then
	CONSOLE_REDRAWS=$(scaled 500) CONSOLE_LINES=$(scaled 20000) bash "$SRC/bench/display.sh" "$BUILD" ||
		die "display failed"
fi
# Sound: the CPU a minute of playing costs, on eclipse-sim and on pc under QEMU (audio.sh).
if wanted audio; then
	bash "$SRC/bench/audio.sh" "$BUILD" || die "audio failed"
fi
# Time travel: what recording costs, a reverse-continue over a second, a checkpoint (travel.sh).
if wanted travel; then
	BENCH_RUNS=$RUNS bash "$SRC/bench/travel.sh" "$BUILD" || die "travel failed"
fi

# Eclipse-only figures: no native or qemu column exists for them.
if wanted ipc || wanted boot; then
	echo
	echo "eclipse only:"
fi
# ipc: the median time of N round trips and of 2N, each run timed whole; their difference is N
# round trips without the sim's start and the processes' set-up.
if wanted ipc; then
	ipc_rounds=$(scaled 100000)
	mkdir -p "$WORK/ipc"
	printf 'running %-10s' ipc >&2
	for ((run = 1; run <= RUNS; run++)); do
		for n in "$ipc_rounds" $((2 * ipc_rounds)); do
			now_ns
			ipc_start=$REPLY
			"$SIM" "$GUESTS/ipc_bench" "$n" >/dev/null || die "ipc_bench $n failed"
			now_ns
			echo $((REPLY - ipc_start)) >>"$WORK/ipc/$n.ns"
		done
		printf '.' >&2
	done
	echo >&2
	ipc_us=$(awk -v a="$(median "$WORK/ipc/$ipc_rounds.ns")" -v b="$(median "$WORK/ipc/$((2 * ipc_rounds)).ns")" \
		-v n="$ipc_rounds" 'BEGIN { printf "%.3f", (b - a) / n / 1000 }')
	echo "ipc: call/reply round trip $ipc_us us (the medians of $RUNS runs of $ipc_rounds and $((2 * ipc_rounds)), their difference; target: under 0.5 us)"
	summary_add ipc round_trip us n/a n/a n/a "$ipc_us" 'sim < 0.5' "$(summary_met "$ipc_us" '<' 0.5)"
fi
if wanted boot; then
	line=$(bash "$SRC/tests/system/boot_time.sh" "$BUILD") || die "boot_time.sh failed"
	echo "$line"
	read -r boot_virtual boot_wall < <(sed -E 's/.*: ([0-9.]+) ms virtual, ([0-9.]+) ms wall.*/\1 \2/' <<<"$line")
	pc_wall=n/a
	if command -v qemu-system-x86_64 >/dev/null && [[ -f $BUILD/eclipse-pc ]]; then
		line=$(bash "$SRC/tests/pc/boot_time.sh" "$BUILD") || die "pc boot_time.sh failed"
		echo "$line"
		pc_wall=$(sed -nE 's/.* ([0-9.]+) ms wall.*/\1/p' <<<"$line")
	else
		echo "pc boot time: n/a (no qemu-system-x86_64 or no eclipse-pc)"
	fi
	summary_add boot wall ms n/a n/a "${pc_wall:-n/a}" "$boot_wall" 'sim < 10' \
		"$(summary_met "$boot_wall" '<' 10)"
	summary_add boot virtual ms n/a n/a n/a "$boot_virtual" - -
fi

# The summary: every figure of the run in one table, kept as CSV for bench/compare.sh.
echo
echo "summary (all parts; also in $CSV_OUT):"
summary_print "$BENCH_SUMMARY"
cp "$BENCH_SUMMARY" "$CSV_OUT"
