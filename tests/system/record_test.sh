#!/usr/bin/env bash
# --record and --replay: a replay is the recorded run again, byte for byte, its traces too, with
# no input read; a log that was edited, cut short, made on another machine or not a log at all is
# refused or stops the replay at the point where it diverges, saying so; a disk the recording
# wrote to is replayed as it was when the recording began; the host clock, where the run reads
# it, is an input like the console; and gdb goes back in time on a replay.
# Usage: record_test.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# replay_same NAME SIM_ARGS...: $tmp/NAME.rec replayed with SIM_ARGS gives the recorded
# transcript ($tmp/NAME.out) and trace ($tmp/NAME.trace).
replay_same() {
	local name=$1
	shift
	"$sim" "$@" --replay="$tmp/$name.rec" --trace=all --trace-file="$tmp/$name.trace2" \
		</dev/null >"$tmp/$name.out2" 2>&1
	local replay_status=$?
	[[ $replay_status -eq $status ]] || fail "$name: the replay exited $replay_status, the recording $status"
	cmp -s "$tmp/$name.out" "$tmp/$name.out2" ||
		{ fail "$name: the replay's transcript differs:"; diff -u "$tmp/$name.out" "$tmp/$name.out2" | head -20; }
	cmp -s "$tmp/$name.trace" "$tmp/$name.trace2" ||
		{ fail "$name: the replay's trace differs:"; diff -u "$tmp/$name.trace" "$tmp/$name.trace2" | head -20; }
}

# record NAME INPUT SIM_ARGS...: records a run fed INPUT on standard input.
record() {
	local name=$1 input=$2
	shift 2
	printf '%b' "$input" | "$sim" "$@" --record="$tmp/$name.rec" --trace=all \
		--trace-file="$tmp/$name.trace" >"$tmp/$name.out" 2>&1
	status=$?
	transcript=$tmp/$name.out
}

# A shell session typed through a pipe.
commands='echo typed into the shell\nls /sbin\nsleep 1\necho after a second\npoweroff\n'
record shell "$commands" --shell --max-time=30s
expect_status 0
expect_line 'typed into the shell'
expect_line 'after a second'
replay_same shell --shell --max-time=30s

# A person at a terminal: typed input, a window size, real time while everything sleeps. The
# replay on a terminal shows the same bytes, without typing.
python3 - "$sim" "$tmp" <<'PY' || fail "the session at a terminal did not replay the same"
import os, pty, select, sys, time
sim, tmp = sys.argv[1], sys.argv[2]

def run(args, typed):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sim, [sim] + args)
    out, start, i = b'', time.time(), 0
    while time.time() - start < 120:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
        if i < len(typed) and b'root@eclipse' in out and time.time() - start > 1 + i * 0.5:
            os.write(fd, typed[i])
            i += 1
    os.waitpid(pid, 0)
    return out

typed = [b'echo typed at a terminal\r', b'sleep 1; echo slept\r', b'poweroff\r']
a = run(['--shell', '--record=' + tmp + '/pty.rec'], typed)
b = run(['--shell', '--replay=' + tmp + '/pty.rec'], [])
ok = a == b and b'typed at a terminal' in a and b'slept' in a
if not ok:
    print(a.decode(errors='replace')[-2000:], '\n-----\n', b.decode(errors='replace')[-2000:])
sys.exit(0 if ok else 1)
PY

# An edited log: one byte of the typed input changed. The run takes it, prints something else,
# and the next sync point says where the run left the recording.
python3 - "$tmp/shell.rec" "$tmp/edited.rec" <<'PY'
import sys
log = bytearray(open(sys.argv[1], 'rb').read())
at = log.find(b'typed into')
assert at > 0
log[at] = ord('T')
open(sys.argv[2], 'wb').write(log)
PY
boot "$tmp/edited.out" --shell --max-time=30s --replay="$tmp/edited.rec"
expect_status 1
expect_line 'Typed into the shell'
expect_line 'eclipse-sim: --replay .*: the run diverged from the recording at [0-9]+:[0-9]+/[0-9]+: the console output so far differs from the recording.s'

# A log cut short: the replay stops where the recording's inputs end.
head -c "$(($(stat -c %s "$tmp/shell.rec") - 40))" "$tmp/shell.rec" >"$tmp/short.rec"
boot "$tmp/short.out" --shell --max-time=30s --replay="$tmp/short.rec"
[[ $status -ne 0 ]] || fail "a log cut short replayed to the end"
grep -Eq 'eclipse-sim: --replay .*: (the recording is damaged|the run diverged from the recording at .*)' \
	"$transcript" || fail "no word of the log cut short"

# Hostile logs: bytes changed, dropped or cut anywhere. Each is refused or replays until it
# diverges, saying so; none crashes the simulator (exit 1, or the run's own 0).
python3 - "$sim" "$tmp/shell.rec" <<'PY' || fail "a damaged log was not refused cleanly"
import random, subprocess, sys
sim, path = sys.argv[1], sys.argv[2]
good = open(path, 'rb').read()
rng = random.Random(18)
bad = 0
for n in range(40):
    log = bytearray(good)
    how = n % 4
    at = rng.randrange(len(log))
    if how == 0:
        log[at] ^= 1 << rng.randrange(8)
    elif how == 1:
        log[at] = rng.choice([0x00, 0x7f, 0x80, 0xff])
    elif how == 2:
        del log[at:at + rng.randrange(1, 9)]
    else:
        log = log[:at]
    open(path + '.bad', 'wb').write(log)
    r = subprocess.run([sim, '--shell', '--max-time=30s', '--replay=' + path + '.bad'],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=120)
    err = r.stderr.decode(errors='replace')
    if r.returncode not in (0, 1) or (r.returncode == 1 and '--replay' not in err):
        print('damage', n, 'at', at, 'exit', r.returncode, err[-500:])
        bad += 1
sys.exit(1 if bad else 0)
PY

# Another machine, and not a log at all.
boot "$tmp/other.out" --shell --max-time=30s --mem=128M --replay="$tmp/shell.rec"
expect_status 1
expect_line 'eclipse-sim: --replay .*: recorded on another machine: it was'
head -c 4096 /dev/urandom >"$tmp/noise.rec"
boot "$tmp/noise.out" --replay="$tmp/noise.rec"
expect_status 1
expect_line 'eclipse-sim: --replay .*: not a recording of eclipse-sim'
boot "$tmp/both.out" --record="$tmp/x.rec" --replay="$tmp/shell.rec"
expect_status 2
expect_line 'eclipse-sim: --record and --replay exclude each other'

# A disk the recording writes to: the replay reads it as it was, though the recording changed it.
if bash "$here/../../scripts/make-disk.sh" "$build/boot.cpio" "$tmp/disk.img" 16 >/dev/null 2>&1; then
	record disk 'echo written by the recording > /root/note\ncat /root/note\nsync\npoweroff\n' \
		--shell --max-time=30s --disk="$tmp/disk.img"
	expect_status 0
	expect_line 'written by the recording'
	replay_same disk --shell --max-time=30s --disk="$tmp/disk.img"
else
	fail "make-disk.sh could not make a disk"
fi

# The host clock: what the run reads of it is recorded.
record clock 'date +%s.%N\ncat /proc/uptime\nsleep 0.3\ndate +%s.%N\npoweroff\n' \
	--shell --clock=host --max-time=30s
expect_status 0
replay_same clock --shell --clock=host --max-time=30s

# gdb on a replay: from the crash back to the write, in another process, through IPC.
"$sim" --record="$tmp/ipc.rec" "$build/guest/gdb_ipc_target" >"$tmp/ipc.out" 2>&1 </dev/null
status=$?
transcript=$tmp/ipc.out
expect_status 139
if command -v gdb >/dev/null; then
	"$sim" --replay="$tmp/ipc.rec" --gdb=0 --gdb-wait "$build/guest/gdb_ipc_target" \
		>"$tmp/gdb-sim.out" 2>"$tmp/gdb-sim.err" </dev/null &
	sim_pid=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/.*listening on localhost:\([0-9]*\).*/\1/p' "$tmp/gdb-sim.err")
		[[ -n $port ]] && break
		sleep 0.1
	done
	timeout -k 5 120 gdb -batch -nx -ex 'set pagination off' -ex 'set confirm off' \
		-ex "file $build/guest/gdb_ipc_target" -ex "target remote localhost:$port" \
		-ex continue -ex 'watch -l ((struct answer *)box.data)->where' -ex reverse-continue \
		-ex 'thread 3' -ex 'bt 1' -ex kill >"$tmp/gdb.out" 2>&1
	wait "$sim_pid"
	transcript=$tmp/gdb.out
	expect_line '.*received signal SIGSEGV, Segmentation fault\.'
	expect_line 'eclipse-sim: the kernel wrote it in a syscall of pid 3.*'
	expect_line '#0  0x[0-9a-f]+ in reply_to .*'
	# The runners that went back printed nothing: the run's output is there once.
	transcript=$tmp/gdb-sim.out
	expect_count 1 'value 42'
	expect_count 1 'tag 7'
fi
finish
