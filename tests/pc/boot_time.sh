#!/usr/bin/env bash
# Boot time of the pc kernel under QEMU's software CPU (TCG, no KVM), for `make bench`: prints
# one line.
#
# The mark is the one tests/system/boot_time.sh uses: the fifth of the services' "NAME: ready,
# heartbeat every ..." lines (all five services running).
#   wall:    from starting qemu-system-x86_64 until that line comes out of the serial port: QEMU's
#            start, the firmware and the multiboot load included; the median of RUNS runs
#            (default 5). QEMU is stopped once the line is there.
#   kernel:  the kernel's clock (time since pc_main calibrated it) at that point, from a run
#            with trace=sched: the time of the last scheduler event before the line.
# Usage: tests/pc/boot_time.sh BUILD_DIR   (environment: RUNS=N)
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR}
kernel=$build/eclipse-pc
image=$build/boot.cpio
[[ -f $kernel && -f $image ]] || { echo "boot_time.sh: no eclipse-pc and boot.cpio in $build" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "boot_time.sh: no qemu-system-x86_64" >&2; exit 2; }

exec python3 - "$kernel" "$image" "${RUNS:-5}" <<'EOF'
import os, re, statistics, subprocess, sys, time

kernel, image, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
SERVICES = {b"filesystem", b"network", b"display", b"audio", b"input"}
READY = re.compile(rb"^(\w+): ready, heartbeat every ")
SCHED = re.compile(rb"^\[sched (\d+\.\d+)\] ")


def boot(cmdline="max-time=30s"):
    """Boots until all services are ready; returns the wall time in seconds and the lines."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["qemu-system-x86_64", "-accel", "tcg", "-m", "256M", "-display", "none", "-no-reboot",
         "-monitor", "none", "-serial", "stdio", "-kernel", kernel, "-initrd", image,
         "-append", cmdline, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    waiting, lines, partial, wall = set(SERVICES), [], b"", None
    while wall is None:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        *complete, partial = (partial + chunk).split(b"\n")
        for line in complete:
            line = line.rstrip(b"\r")
            lines.append(line)
            match = READY.match(line)
            if match and match.group(1) in waiting:
                waiting.discard(match.group(1))
                if not waiting:
                    wall = time.perf_counter() - start
    proc.terminate()
    proc.wait()
    if wall is None:
        sys.exit(f"boot_time.sh: QEMU exited with {proc.returncode}; "
                 f"services not ready: {sorted(s.decode() for s in waiting)}")
    return wall, lines


def kernel_seconds():
    _, lines = boot("max-time=30s trace=sched")
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
print(f"pc boot to all five services running under QEMU (TCG): {kernel_seconds() * 1e3:.1f} ms "
      f"kernel clock, {statistics.median(walls) * 1e3:.0f} ms wall from QEMU's start "
      f"(median of {runs} runs)")
EOF
