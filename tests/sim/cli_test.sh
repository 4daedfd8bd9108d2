#!/usr/bin/env bash
# Command-line behaviour of eclipse-sim: usage errors (exit 2), runtime errors (exit 1) with
# one clear line each, exit-code and signal pass-through, --trace and --trace-file, determinism.
# Usage: cli_test.sh ECLIPSE_SIM GUEST_DIR
set -uo pipefail
sim=$1
guests=$2
# shellcheck source=expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

# A copy of a valid guest with one byte patched: patch OUT OFFSET HEXBYTE
patch() {
	cp "$guests/test_hello" "$1"
	printf "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

expect help 0 '^Usage: eclipse-sim' -- "$sim" --help
expect version 0 '^eclipse-sim \(Eclipse OS\) [0-9]' -- "$sim" --version
expect no-image 1 "boot image $tmp/none.cpio: No such file or directory" -- "$sim" --image="$tmp/none.cpio"
expect bad-flag 2 "unrecognized option '--bogus'" -- "$sim" --bogus "$guests/test_hello"
expect missing-arg 2 "option '--mem' needs an argument" -- "$sim" --mem
expect bad-mem 2 "invalid --mem 'lots'" -- "$sim" --mem=lots "$guests/test_hello"
expect bad-quantum 2 "invalid --quantum '0'" -- "$sim" --quantum=0 "$guests/test_hello"
# The shortest slices still let every slice run a block (they once stopped before the first).
expect quantum-1 0 'hello' -- timeout 60 "$sim" --quantum=1 "$guests/test_hello"
expect quantum-2 0 'hello' -- timeout 60 "$sim" --quantum=2 "$guests/test_hello"
expect bad-clock 2 "invalid --clock 'sundial'" -- "$sim" --clock=sundial "$guests/test_hello"
expect bad-max-time 2 "invalid --max-time '10 parsecs'" -- "$sim" --max-time='10 parsecs' "$guests/test_hello"
# A bare number could mean seconds or milliseconds: the writer must say which.
expect bare-max-time 2 "invalid --max-time '10'" -- "$sim" --max-time=10 "$guests/test_hello"
expect bad-trace 2 "unknown trace category 'everything'" -- "$sim" --trace=everything "$guests/test_hello"
expect missing-file 1 'nonexistent: No such file or directory' -- "$sim" "$tmp/nonexistent"
expect directory 1 'is a directory' -- "$sim" "$tmp"
# A FIFO never blocks the machine: refused as a program, and under --root (execve fails).
mkfifo "$tmp/fifo"
expect fifo 1 'fifo: not a regular file' -- timeout 20 "$sim" "$tmp/fifo"
expect fifo-root 1 'still running' -- timeout 20 "$sim" --root "$tmp" "$guests/test_exec_fail" "$guests" /fifo
echo "just text" >"$tmp/text"
expect not-elf 1 'not an ELF file \(bad magic\) \[ELF_ERR_MAGIC\]' -- "$sim" "$tmp/text"
: >"$tmp/empty"
expect empty 1 'ELF_ERR_TRUNCATED' -- "$sim" "$tmp/empty"
patch "$tmp/aarch64" 18 b7 # e_machine = EM_AARCH64 (183)
expect wrong-arch 1 'wrong architecture \(not x86_64\) \[ELF_ERR_MACHINE\]' -- "$sim" "$tmp/aarch64"
patch "$tmp/class32" 4 01 # ELFCLASS32
expect class32 1 'not a 64-bit ELF file \[ELF_ERR_CLASS\]' -- "$sim" "$tmp/class32"
patch "$tmp/rel" 16 01 # ET_REL: an object file
expect not-exec 1 'not an executable \(an object file or a core file\) \[ELF_ERR_TYPE\]' -- "$sim" "$tmp/rel"

expect exit-0 0 '' -- "$sim" "$guests/test_exitcode" 0
expect exit-42 42 '' -- "$sim" "$guests/test_exitcode" 42
expect exit-255 255 '' -- "$sim" "$guests/test_exitcode" 255
expect signal 139 '^eclipse-sim: pid 1 \(test_fault_null\) killed by SIGSEGV at rip 0x[0-9a-f]+, fault address 0x0$' -- \
	"$sim" "$guests/test_fault_null"
expect guest-args-with-dashes 7 '' -- "$sim" "$guests/test_exitcode" 7 --mem=bogus
# --trace=syscall prints each call as strace does, the result at column 40; signals, exits and
# calls that are not the kernel's as strace does too.
expect trace-write 0 '^\[pid 1\] writev\(1, \[\{iov_base="hello, world", iov_len=12\}, \{iov_base="\\n", iov_len=1\}\], 2\) = 13$' -- \
	"$sim" --trace=syscall "$guests/test_hello"
expect trace-exit 0 '^\[pid 1\] exit_group\(0\) {19}= \?$' -- "$sim" --trace=syscall "$guests/test_hello"
expect trace-exited 0 '^\[pid 1\] \+\+\+ exited with 0 \+\+\+$' -- "$sim" --trace=syscall "$guests/test_hello"
expect trace-error 0 '^\[pid 1\] write\(99, "x", 1\) +=  *-1 EBADF \(Bad file descriptor\)$' -- \
	"$sim" --trace=syscall "$guests/test_errors"
expect trace-enosys 0 '^\[pid 1\] syscall_0x190\(0x[0-9a-f]+, .*\) = -1 ENOSYS \(Function not implemented\)$' -- \
	"$sim" --trace=syscall "$guests/test_errors"
expect trace-signal 139 '^\[pid 1\] --- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL\} ---$' -- \
	"$sim" --trace=syscall "$guests/test_fault_null"
expect trace-killed 139 '^\[pid 1\] \+\+\+ killed by SIGSEGV \+\+\+$' -- "$sim" --trace=syscall "$guests/test_fault_null"
# --trace=stack: below each call, where it was made: the function with the syscall instruction,
# then its callers, each with the program's path, as strace -k prints them.
expect trace-stack 0 '^ > [^ ]*/test_errors\(uname\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]$' -- \
	"$sim" --trace=stack "$guests/test_errors"
if ! grep -A1 '^\[pid 1\] uname(0x1) ' "$tmp/err" | grep -Eq '^ > [^ ]*/test_errors\(uname\+' ||
	! grep -A2 '^\[pid 1\] uname(0x1) ' "$tmp/err" | grep -Eq '^ > [^ ]*/test_errors\(main\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]$' ||
	grep -Eq '\(\) \[|<' "$tmp/err"; then
	echo "FAIL trace-stack: no uname, then main, below uname's line, an address no function holds, or a caller on the call's line:"
	sed 's/^/    /' "$tmp/err" | head -20
	failures=$((failures + 1))
fi
# --trace-file: the trace goes there, nothing to stderr; without --trace it traces syscalls.
expect trace-file 0 '' -- "$sim" --trace-file="$tmp/trace" "$guests/test_hello"
if [[ -s $tmp/err ]] || ! grep -q '^\[pid 1\] writev(1, \[{iov_base="hello, world", ' "$tmp/trace"; then
	echo "FAIL trace-file: stderr, then the file:"
	cat "$tmp/err" "$tmp/trace" | sed 's/^/    /' | head -20
	failures=$((failures + 1))
fi
expect trace-file-sched 0 '' -- "$sim" --trace=sched --trace-file="$tmp/trace" "$guests/test_hello"
if grep -q '^\[pid' "$tmp/trace" || ! grep -q '^\[sched [0-9.]*\] exit pid 1' "$tmp/trace"; then
	echo "FAIL trace-file-sched: want the sched lines alone in the file:"
	sed 's/^/    /' "$tmp/trace" | head -20
	failures=$((failures + 1))
fi
expect trace-file-unwritable 1 "^eclipse-sim: --trace-file $tmp/none/trace: No such file or directory$" -- \
	"$sim" --trace-file="$tmp/none/trace" "$guests/test_hello"

# --max-time counts virtual time: three whole seconds of sleep fit in 3.5 s, then SIGTERM.
expect max-time 143 'time limit reached: asking pid 1 \(test_sleeper\) to shut down' -- \
	"$sim" --max-time=3500ms "$guests/test_sleeper"
if ! grep -q '^slept 3$' "$tmp/out" || grep -q '^slept 4$' "$tmp/out"; then
	echo "FAIL max-time: expected exactly 3 seconds of sleep, got:"
	cat "$tmp/out"
	failures=$((failures + 1))
fi

# --quiet: the stop that was asked for goes unannounced; the rest is as without it.
expect quiet 143 '' -- "$sim" --quiet --max-time=3500ms "$guests/test_sleeper"
if [[ -s $tmp/err ]] || ! grep -q '^slept 3$' "$tmp/out"; then
	echo "FAIL quiet: expected 3 seconds of sleep and nothing on stderr, got:"
	cat "$tmp/out" "$tmp/err"
	failures=$((failures + 1))
fi

# Durations take fractions: one whole second of sleep fits in 1.5 s.
expect max-time-fraction 143 'time limit reached' -- "$sim" --max-time=1.5s "$guests/test_sleeper"
if ! grep -q '^slept 1$' "$tmp/out" || grep -q '^slept 2$' "$tmp/out"; then
	echo "FAIL max-time-fraction: expected exactly 1 second of sleep, got:"
	cat "$tmp/out"
	failures=$((failures + 1))
fi

# Ctrl-C (SIGINT to the simulator) asks PID 1 to stop; with real time it must come promptly.
"$sim" --clock=host "$guests/test_sleeper" >"$tmp/out" 2>"$tmp/err" </dev/null &
sim_pid=$!
sleep 1.5
kill -INT "$sim_pid"
wait "$sim_pid"
got=$?
if [[ $got -eq 143 ]] && grep -q 'interrupted: asking pid 1' "$tmp/err"; then
	passes=$((passes + 1))
else
	echo "FAIL sigint: exit $got (want 143)"
	cat "$tmp/err"
	failures=$((failures + 1))
fi

# The virtual clock makes two runs identical, trace included, byte for byte.
for run in 1 2; do
	"$sim" --trace=syscall "$guests/test_time" >"$tmp/run$run" 2>&1 </dev/null
done
if cmp -s "$tmp/run1" "$tmp/run2"; then
	passes=$((passes + 1))
else
	echo "FAIL determinism: two runs of test_time differ:"
	diff "$tmp/run1" "$tmp/run2" | head -20
	failures=$((failures + 1))
fi

# Virtual time is the work done: a loop takes as long whether its slices are 1, 7 or the
# default number of blocks (a block that ends a slice is not counted twice).
spins=()
for q in 1 7 ""; do
	spins+=("$(timeout 120 "$sim" --fs=none ${q:+--quantum=$q} "$guests/test_time" spin 2>&1 </dev/null)")
done
if [[ ${spins[0]} =~ ^spin\ [1-9][0-9]*\ ns$ && ${spins[0]} == "${spins[1]}" && ${spins[1]} == "${spins[2]}" ]]; then
	passes=$((passes + 1))
else
	echo "FAIL quantum-time: quanta 1, 7 and default give: ${spins[*]}"
	failures=$((failures + 1))
fi

# A reader that goes away ends a writer with SIGPIPE, as natively: 128 + 13 from the pipeline's
# first command, and at once (a writer that spun on EPIPE never ended). Our own ticker, which
# prints for ever, and busybox's yes when the host has it.
sigpipe() {
	timeout 20 "$sim" "$@" 2>"$tmp/err" | head -2 >"$tmp/out"
	local got=("${PIPESTATUS[@]}")
	if [[ ${got[0]} -ne 141 || $(wc -l <"$tmp/out") -ne 2 ]]; then
		echo "FAIL sigpipe $*: eclipse-sim exited ${got[0]} (want 141), $(wc -l <"$tmp/out") lines"
		failures=$((failures + 1))
	else
		passes=$((passes + 1))
	fi
}
sigpipe "$guests/ticker"
if command -v busybox >/dev/null; then
	sigpipe "$(command -v busybox)" yes
fi
# Dynamically linked programs, PIE or not, are refused the same way, naming what is missing.
programs=(/bin/true)
if printf 'int main(void) { return 0; }\n' | cc -x c -no-pie -o "$tmp/dynamic-no-pie" - 2>/dev/null; then
	programs+=("$tmp/dynamic-no-pie")
fi
for program in "${programs[@]}"; do
	[[ -e $program ]] || continue
	expect "dynamic $program" 1 'a dynamically linked executable: it needs an interpreter \(a dynamic loader\), and only static executables run here \[ELF_ERR_INTERP\]' -- "$sim" "$program"
done

echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
