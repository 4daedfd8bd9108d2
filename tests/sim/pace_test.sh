#!/usr/bin/env bash
# --pace: the virtual clock's jumps over idle time wait in real time when a person watches (a
# terminal, no --max-time) or when forced, and never change what the system prints.
# Usage: pace_test.sh ECLIPSE_SIM GUEST_DIR BOOT_IMAGE
set -uo pipefail
sim=$1
guests=$2
image=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# timed OUT SIM_ARGS...: runs eclipse-sim off any terminal, output in OUT; sets $ms to the
# wall-clock milliseconds it took.
timed() {
	local out=$1 start
	shift
	start=$(date +%s%N)
	timeout -k 5 60 "$sim" "$@" >"$out" 2>&1 </dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
}

# Forced either way: the sleeper's two seconds of sleep and the half second after take that
# long paced and next to nothing not paced; the transcripts, virtual times included, are equal.
timed "$tmp/real" --pace=real --max-time=2.5s --trace=sched "$guests/test_sleeper"
real_ms=$ms
timed "$tmp/none" --pace=none --max-time=2.5s --trace=sched "$guests/test_sleeper"
((real_ms >= 2400)) || fail "--pace=real: 2.5 s of virtual time took ${real_ms} ms"
((ms < real_ms / 2)) || fail "--pace=none took ${ms} ms, --pace=real ${real_ms} ms"
cmp -s "$tmp/real" "$tmp/none" || { fail "the sleeper's transcripts differ:"; diff "$tmp/none" "$tmp/real"; }
grep -qx "\[sched 2.500000\] kill pid 1 by SIGTERM" "$tmp/real" ||
	fail "no SIGTERM at 2.5 s of virtual time in the paced run"

# The system too: services, IPC timeouts and heartbeats print the same paced or not.
timed "$tmp/boot-real" --image="$image" --pace=real --max-time=1.5s --trace=sched
real_ms=$ms
timed "$tmp/boot-none" --image="$image" --pace=none --max-time=1.5s --trace=sched
((real_ms >= 1400)) || fail "--pace=real: booting 1.5 s of virtual time took ${real_ms} ms"
cmp -s "$tmp/boot-real" "$tmp/boot-none" ||
	{ fail "the boot transcripts differ:"; diff "$tmp/boot-none" "$tmp/boot-real" | head -20; }

# on_terminal SECONDS CMD...: runs CMD on a new pseudo-terminal (stdin, stdout and stderr) and
# prints what it wrote there; Ctrl-C (SIGINT) after SECONDS if it is still running.
on_terminal() {
	python3 - "$@" <<'PY'
import os, pty, select, signal, subprocess, sys, time
seconds, argv = float(sys.argv[1]), sys.argv[2:]
master, slave = pty.openpty()
proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
os.close(slave)
out, interrupt_at = b"", time.monotonic() + seconds
while True:
    if proc.poll() is None and time.monotonic() >= interrupt_at:
        proc.send_signal(signal.SIGINT)
        interrupt_at = float("inf")
    if select.select([master], [], [], 0.05)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the program and its terminal are gone
            chunk = b""
        if not chunk:
            break
        out += chunk
proc.wait()
sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
PY
}
# auto: on a terminal (a pseudo-terminal here) and without --max-time, the sleeper says each
# second as it passes: for 2.5 s, then Ctrl-C. With --max-time it runs at full speed; off a
# terminal too.
on_terminal 2.5 "$sim" "$guests/test_sleeper" >"$tmp/tty"
slept=$(grep -c '^slept ' "$tmp/tty")
((slept >= 1 && slept <= 3)) || fail "auto, on a terminal: $slept seconds of sleep in 2.5 s of real time"
on_terminal 30 "$sim" --max-time=100s "$guests/test_sleeper" >"$tmp/tty-limited"
grep -qx 'slept 99' "$tmp/tty-limited" ||
	fail "auto, on a terminal with --max-time=100s: did not reach 99 seconds of sleep at full speed"
timeout -s INT 1 "$sim" "$guests/test_sleeper" >"$tmp/pipe" 2>&1 </dev/null
slept=$(grep -c '^slept ' "$tmp/pipe")
((slept > 100)) || fail "auto, off a terminal: only $slept seconds of sleep in 1 s of real time"

if ((failures)); then
	exit 1
fi
echo "PASS: paced runs take real time and print what runs that are not paced print"
