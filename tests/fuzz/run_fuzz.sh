#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build (ECLIPSE_FUZZ=ON) one after another.
#
# usage: run_fuzz.sh [--ci] BUILD_DIR SECONDS TARGET...
#   Each TARGET (elf, cpio, config, syscall, gdb, ext2) fuzzes for SECONDS in one process, starting from
#   its seeds (BUILD_DIR/tests/fuzz/seeds/TARGET) and its corpus (BUILD_DIR/fuzz-corpus/TARGET),
#   which keeps the inputs that found new code. A crash, leak, hang (10 s), sanitizer report or
#   broken invariant stops that target with the input saved in BUILD_DIR/fuzz-crashes/TARGET/:
#   copy it to tests/fuzz/regress/TARGET/ to make it a test case of fuzz.replay.TARGET.
#   --ci  the corpus is a temporary directory (CI keeps nothing but crashes)
# Prints, per target, the inputs run, their rate and the corpus size; exits 1 if any failed.
set -euo pipefail

usage() {
	sed -n '4,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

ci=0
if [[ ${1-} == --ci ]]; then
	ci=1
	shift
fi
[[ $# -ge 3 ]] || usage
build=$(cd "$1" && pwd)
seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ ]] || usage
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=0
for target in "$@"; do
	fuzzer=$build/tests/fuzz/fuzz_$target
	seeds=$build/tests/fuzz/seeds/$target
	if [[ ! -x $fuzzer || ! -d $seeds ]]; then
		echo "run_fuzz: no $fuzzer or $seeds: build the target fuzz_targets of a fuzz build" >&2
		exit 2
	fi
	corpus=$build/fuzz-corpus/$target
	if ((ci)); then
		corpus=$work/corpus-$target
	fi
	crashes=$build/fuzz-crashes/$target
	mkdir -p "$corpus" "$crashes"
	options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		 -artifact_prefix="$crashes/")
	if [[ -f $here/$target.dict ]]; then
		options+=(-dict="$here/$target.dict")
	fi
	log=$work/$target.log
	status=0
	"$fuzzer" "${options[@]}" "$corpus" "$seeds" >"$log" 2>&1 || status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	size=$(find "$corpus" -type f | wc -l)
	if ((status != 0)); then
		failed=1
		echo "fuzz $target: FAILED (status $status) after ${runs:-?} inputs; its input is in $crashes/"
		grep -v '^#[0-9]' "$log" | tail -n 60
	else
		echo "fuzz $target: ${runs:-?} inputs in ${seconds}s (${rate:-?}/s), corpus of $size inputs"
	fi
done
exit "$failed"
