#!/usr/bin/env bash
# Time from boot to all five services running, for `make bench`: prints one line.
#
# init prints no line of its own for "all services running" (its Phase 4 line comes once all are
# forked, before any has run), so the mark is the fifth of the services' "NAME: ready, heartbeat
# every ..." lines: each service prints it when it has initialised and enters its main loop.
#   wall:    from starting eclipse-sim (default image) until that line reaches its output pipe;
#            the median of RUNS runs (default 11), process creation and machine setup included.
#   virtual: the guest clock at that point, from a --trace=sched run: the time of the last
#            scheduler event before the line (the exec of the last service; the few lines it
#            prints before the mark add microseconds); the same on every run.
# Usage: tests/system/boot_time.sh BUILD_DIR   (environment: RUNS=N)
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR}
sim=$build/eclipse-sim
[[ -x $sim && -f $build/boot.cpio ]] || { echo "boot_time.sh: no eclipse-sim and boot.cpio in $build" >&2; exit 2; }

exec python3 - "$sim" "${RUNS:-11}" <<'EOF'
import os, re, statistics, subprocess, sys, time

sim, runs = sys.argv[1], int(sys.argv[2])
SERVICES = {b"filesystem", b"network", b"display", b"audio", b"input"}
READY = re.compile(rb"^(\w+): ready, heartbeat every ")
SCHED = re.compile(rb"^\[sched (\d+\.\d+)\] ")


def boot(*flags):
    """Boots; returns the wall time in seconds until the fifth ready line, and the lines."""
    start = time.perf_counter()
    proc = subprocess.Popen([sim, "--max-time=1s", *flags], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    waiting, lines, partial, wall = set(SERVICES), [], b"", None
    while True:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        *complete, partial = (partial + chunk).split(b"\n")
        for line in complete:
            lines.append(line)
            match = READY.match(line)
            if match and match.group(1) in waiting:
                waiting.discard(match.group(1))
                if not waiting:
                    wall = time.perf_counter() - start
    proc.wait()
    if wall is None or proc.returncode != 0:
        sys.exit(f"boot_time.sh: eclipse-sim exited with {proc.returncode}; "
                 f"services not ready: {sorted(s.decode() for s in waiting)}")
    return wall, lines


def virtual_seconds():
    _, lines = boot("--trace=sched")
    waiting, last_event = set(SERVICES), None
    for line in lines:
        event, ready = SCHED.match(line), READY.match(line)
        if event:
            last_event = float(event.group(1))
        elif ready:
            waiting.discard(ready.group(1))
            if not waiting:
                return last_event
    sys.exit("boot_time.sh: the services were not all ready")


walls = [boot()[0] for _ in range(runs)]
print(f"boot to all five services running: {virtual_seconds() * 1e3:.3f} ms virtual, "
      f"{statistics.median(walls) * 1e3:.2f} ms wall (median of {runs} runs; target: under 10 ms wall)")
EOF
