#!/usr/bin/env python3
"""The crash tests' two halves (crash.sh runs them).

crash.py run MACHINE BUILD IMAGE DISK SEED SYNCED
    Boots MACHINE (sim: BUILD/eclipse-sim; pc: BUILD/eclipse-pc under QEMU, through
    scripts/run-metal.sh) with boot image IMAGE and DISK; its shell runs disk_writer /data.
    After a number of "synced" lines and a delay, both drawn from SEED, SIGKILLs the machine
    (the simulator, or QEMU: nothing shuts down, the image holds what the device had written).
    Writes the synced lines to SYNCED and prints where the kill landed.

crash.py verify DISK SYNCED
    Reads each synced file off DISK with debugfs and checks its size and FNV-1a hash.
"""
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time


def start(machine, build, image, disk):
    """The machine booting to its shell, in a process group of its own (QEMU is a child)."""
    if machine == "sim":
        cmd, env = [f"{build}/eclipse-sim", f"--image={image}", f"--disk={disk}", "--shell"], None
    else:
        here = os.path.dirname(os.path.abspath(__file__))
        metal = os.path.join(here, "..", "..", "scripts", "run-metal.sh")
        cmd = ["bash", metal, f"{build}/eclipse-pc", image, "shell"]
        env = dict(os.environ, DISK=disk)
    return subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


def run(machine, build, image, disk, seed, synced_path):
    rng = random.Random(seed)
    want = rng.randint(1, 200)
    delay = rng.uniform(0, 0.005)
    proc = start(machine, build, image, disk)
    # The pc's serial console is a terminal: what is typed before the shell set it up may be
    # flushed, so the command waits for the prompt there. The sim's is a stream, read in order.
    command = b"disk_writer /data\n"
    if machine == "sim":
        proc.stdin.write(command)
        proc.stdin.flush()
        command = None
    synced, buf, transcript = [], b"", []
    deadline = time.monotonic() + 180
    kill_at = None
    while proc.poll() is None and time.monotonic() < deadline:
        if kill_at is not None and time.monotonic() >= kill_at:
            break
        ready, _, _ = select.select([proc.stdout], [], [], 0.001)
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        if command and b"# " in buf:
            proc.stdin.write(command)
            proc.stdin.flush()
            command = None
        *lines, buf = buf.split(b"\n")
        for line in lines:
            text = line.decode(errors="replace").strip()
            transcript.append(text)
            if text.startswith("synced "):
                synced.append(text)
                if len(synced) == want and kill_at is None:
                    kill_at = time.monotonic() + delay
    alive = proc.poll() is None
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # Every file named before the kill was synced before it: read what is left in the pipe.
    rest = proc.stdout.read()
    *lines, partial = (buf + rest).split(b"\n")
    transcript.append(partial.decode(errors="replace"))
    for line in lines:  # whole lines only: a line the kill cut short names nothing
        text = line.decode(errors="replace").strip()
        transcript.append(text)
        if text.startswith("synced "):
            synced.append(text)
    with open(synced_path, "w") as f:
        f.write("".join(s + "\n" for s in synced))
    if not alive or len(synced) < want:
        print(f"FAIL: the {machine} ended before the kill ({len(synced)} files synced); "
              "its last lines:")
        print("\n".join("    " + t for t in transcript[-15:]))
        return 1
    print(f"seed {seed}: killed {delay * 1000:.1f} ms after file {want} was synced "
          f"({len(synced)} synced in all)")
    return 0


def fnv(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def verify(disk, synced_path):
    with open(synced_path) as f:
        entries = [line.split() for line in f if line.strip()]
    failures = 0
    with tempfile.TemporaryDirectory() as out:
        cmds = os.path.join(out, "cmds")
        with open(cmds, "w") as f:
            for _, name, _, _ in entries:
                f.write(f"dump /data/{name} {out}/{name}\n")
        subprocess.run(["debugfs", "-f", cmds, disk], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        for _, name, size, want in entries:
            path = os.path.join(out, name)
            if not os.path.exists(path):
                print(f"FAIL: {name}, synced, is not on the disk")
                failures += 1
                continue
            with open(path, "rb") as f:
                data = f.read()
            got = f"{fnv(data):08x}"
            if len(data) != int(size) or got != want:
                print(f"FAIL: {name}, synced, reads back {len(data)} bytes hash {got} "
                      f"(written: {size} bytes hash {want})")
                failures += 1
    return 1 if failures else 0


def main(argv):
    if len(argv) == 8 and argv[1] == "run" and argv[2] in ("sim", "pc"):
        return run(argv[2], argv[3], argv[4], argv[5], int(argv[6]), argv[7])
    if len(argv) == 4 and argv[1] == "verify":
        return verify(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
