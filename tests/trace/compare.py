#!/usr/bin/env python3
"""Compares eclipse-sim's --trace=syscall of Linux-ABI programs with strace's of the same
programs run natively, call by call.

usage: compare.py SIM PROGRAM [ARGS...] [-- PROGRAM [ARGS...]]...

Each program runs twice in an empty directory, with umask 022 and an environment of two
variables: under `strace -f -o` and under `eclipse-sim --root / --trace=syscall --trace-file`.
Both traces are read into one sequence of lines per process: a call's "<unfinished ...>" and
"<... resumed>" halves joined into one line; then its syscall lines, and separately its signal
and exit lines, must be the same in both, in order, once addresses, process ids (numbered in the
order the processes appear), the break and padding are made alike. What strace prints that the
simulator cannot (the execve that starts the program), and calls Linux answers in its vDSO,
are left out (README.md says all of it). Prints each run's trace
and a diff for every difference; exits 1 if there is one.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

UNFINISHED = " <unfinished ...>"
RESUMED = re.compile(r"^<\.\.\. ([a-z0-9_]+) resumed>(.*)$")
# Calls whose result is a process id, and where their arguments hold one.
PID_RESULTS = {"fork", "vfork", "clone", "clone3", "getpid", "gettid", "getppid", "getpgid",
               "getpgrp", "getsid", "setsid", "set_tid_address", "wait4"}
PID_ARGS = {"kill": [0], "tkill": [0], "tgkill": [0, 1], "wait4": [0], "getpgid": [0],
            "setpgid": [0, 1], "getsid": [0], "waitid": [1]}
# Addresses of the stack and of mappings differ from run to run; those of the program do not.
HIGH_ADDRESS = re.compile(r"0x7f[0-9a-f]{10}")
# Linux answers these in the vDSO, without a call strace would see; Eclipse has no vDSO.
VDSO = re.compile(r"^(clock_gettime|gettimeofday|time|getcpu)\(")
# A number no call has: its arguments are whatever the registers held.
UNKNOWN_CALL = re.compile(r"^(syscall_0x[0-9a-f]+)\(.*\)( = .*)$")
HEX = re.compile(r"0x[0-9a-f]+")


def traces_of(path, sim):
    """The lines of a trace file per process id, the unfinished halves joined to theirs."""
    pattern = re.compile(r"^\[pid (\d+)\] (.*)$") if sim else re.compile(r"^(\d+) +(.*)$")
    started = {}
    order, lines = [], {}
    with open(path) as f:
        for raw in f:
            m = pattern.match(raw.rstrip("\n"))
            if not m:
                raise SystemExit(f"{path}: not a trace line: {raw!r}")
            pid, text = int(m.group(1)), m.group(2)
            if pid not in lines:
                order.append(pid)
                lines[pid] = []
            resumed = RESUMED.match(text)
            if resumed and pid in started:
                text = started.pop(pid) + resumed.group(2)
            elif text.endswith(UNFINISHED) and not text.startswith("<..."):
                started[pid] = text[: -len(UNFINISHED)]
                continue
            lines[pid].append(text)
    for pid, text in started.items():  # a call that never returned, in a trace cut short
        lines[pid].append(text + UNFINISHED)
    return order, lines


def args_of(line):
    """The top-level arguments of a call line."""
    body = line[line.index("(") + 1:]
    args, depth, cur = [], 0, ""
    quoted = False
    for i, ch in enumerate(body):
        if quoted:
            cur += ch
            if ch == '"' and body[i - 1] != "\\":
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            if depth == 0:
                break
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            continue
        cur += ch
    args.append(cur.strip())
    return args


def break_base(lines):
    """Where the program break started: the first brk(NULL)'s result."""
    for pid_lines in lines.values():
        for text in pid_lines:
            m = re.match(r"^brk\(NULL\) += (0x[0-9a-f]+)$", text)
            if m:
                return int(m.group(1), 16)
    return None


def normalize(order, lines, root):
    """Each process's lines with its id and those it names replaced by P0, P1, ... in the order
    the processes appear (the root first, children as fork returns them)."""
    names = {root: "P0"}
    brk = break_base(lines)

    def near_break(m):
        """Linux places the break at random: an address near it is said from it."""
        v = int(m.group(0), 16)
        return f"BRK+{v - brk:#x}" if brk is not None and 0 <= v - brk < 1 << 30 else m.group(0)

    def name(pid):
        if pid not in names:
            names[pid] = f"P{len(names)}"
        return names[pid]

    out = {}
    queue = [root]
    while queue:
        pid = queue.pop(0)
        result = []
        for text in lines.get(pid, []):
            call = re.match(r"^([a-z0-9_]+)\(", text)
            if call:
                fn = call.group(1)
                m = re.search(r"\) += (\d+)( .*)?$", text)
                if m and fn in PID_RESULTS and int(m.group(1)) > 0:
                    child = int(m.group(1))
                    if fn in {"fork", "vfork", "clone", "clone3"} and child not in names:
                        queue.append(child)
                    text = text[: m.start(1)] + name(child) + text[m.end(1):]
                for i in PID_ARGS.get(fn, []):
                    args = args_of(text)
                    if i < len(args) and re.fullmatch(r"\d+", args[i]) and int(args[i]) > 0:
                        text = rebuild(text, i, name(int(args[i])))
                if VDSO.match(text):
                    continue
                text = UNKNOWN_CALL.sub(r"\1(...)\2", text)
            text = re.sub(r"si_pid=(\d+)", lambda m: "si_pid=" + name(int(m.group(1))), text)
            text = re.sub(r"si_uid=\d+", "si_uid=U", text)
            text = re.sub(r"si_utime=\d+, si_stime=\d+", "si_utime=T, si_stime=T", text)
            text = re.sub(r"/\* \d+ vars? \*/", "/* N vars */", text)
            text = re.sub(r'nodename="[^"]*"', 'nodename="H"', text)
            text = HEX.sub(near_break, text)
            text = HIGH_ADDRESS.sub("0xADDR", text)
            text = re.sub(r"\s+= ", " = ", text)
            result.append(text)
        out[name(pid)] = result
    return out


def rebuild(text, index, value):
    """text with its index-th top-level argument replaced by value."""
    start = text.index("(") + 1
    depth, quoted, arg, begin = 0, False, 0, start
    for i in range(start, len(text)):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i - 1] != "\\":
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})" and depth:
            depth -= 1
        elif (ch == "," or ch == ")") and depth == 0:
            if arg == index:
                return text[:begin] + (" " if arg else "") + value + text[i:]
            arg += 1
            begin = i + 1
    return text


def split(lines):
    """A process's syscall lines, and its signal and exit lines."""
    calls = [t for t in lines if not t.startswith(("---", "+++"))]
    events = [t for t in lines if t.startswith(("---", "+++"))]
    return calls, events


def run(sim, program, args, workdir):
    strace = shutil.which("strace")
    if not strace:
        raise SystemExit("compare.py: strace is not installed (scripts/setup.sh installs it)")
    guest_env = {"ECL_A": "1", "ECL_B": "two"}
    env = dict(guest_env)  # eclipse-sim hands its own to the guest; a sanitizer build needs these
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "LD_LIBRARY_PATH"):
        if var in os.environ:
            env[var] = os.environ[var]
    native = os.path.join(workdir, "native.trace")
    ours = os.path.join(workdir, "sim.trace")
    for kind, cmd in (("native", [strace, "-f", "-o", native, program] + args),
                      ("sim", [sim, "--root", "/", "--trace=syscall", "--trace-file=" + ours,
                               program] + args)):
        cwd = os.path.join(workdir, kind)
        os.mkdir(cwd)
        # Output to a file: Linux does not even read what is written to /dev/null.
        with open(os.path.join(workdir, kind + ".out"), "w") as out:
            subprocess.run(cmd, cwd=cwd, env=env if kind == "sim" else guest_env,
                           stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                           timeout=120, preexec_fn=lambda: os.umask(0o022))
    n_order, n_lines = traces_of(native, sim=False)
    s_order, s_lines = traces_of(ours, sim=True)
    n_root = n_order[0]
    first = n_lines[n_root][0]
    if first.startswith("execve("):
        n_lines[n_root] = n_lines[n_root][1:]  # strace's own exec of the program
    native_n = normalize(n_order, n_lines, n_root)
    sim_n = normalize(s_order, s_lines, 1)
    return native_n, sim_n, native, ours


def compare(sim, program, args):
    """Runs program both ways once: (failures, the report)."""
    import difflib
    report = []
    with tempfile.TemporaryDirectory() as workdir:
        native, ours, native_path, sim_path = run(sim, program, args, workdir)
        failures, compared = 0, 0
        label = " ".join([os.path.basename(program)] + args)
        for proc in sorted(set(native) | set(ours), key=lambda p: int(p[1:])):
            for what, a, b in zip(("calls", "signals and exits"), split(native.get(proc, [])),
                                  split(ours.get(proc, []))):
                compared += len(a) if what == "calls" else 0
                if a == b:
                    continue
                failures += 1
                report.append(f"FAIL {label}: {proc}'s {what} differ (- strace, + eclipse-sim):\n")
                report.extend(l + "\n" for l in difflib.unified_diff(
                    a, b, "strace", "eclipse-sim", lineterm="", n=2))
        if failures:
            for title, path in (("strace -f", native_path), ("eclipse-sim", sim_path)):
                report.append(f"--- {title}:\n")
                with open(path) as f:
                    report.append(f.read())
        else:
            report.append(f"PASS {label}: {compared} calls in {len(native)} processes alike\n")
        return failures, report


# A native run depends on the host's timing (a child that has not reached its wait when the
# parent's signal comes, on a loaded machine): a program fails only when every try differs.
TRIES = 3


def compare_tries(sim, program, args):
    for attempt in range(1, TRIES + 1):
        failures, report = compare(sim, program, args)
        if not failures or attempt == TRIES:
            sys.stdout.writelines(report)
            return failures
        print(f"note {os.path.basename(program)}: the traces differ on try {attempt} of {TRIES}; "
              "trying again")


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    sim = os.path.abspath(sys.argv[1])
    programs, cur = [], []
    for arg in sys.argv[2:] + ["--"]:
        if arg == "--":
            if cur:
                programs.append([os.path.abspath(cur[0])] + cur[1:])
            cur = []
        else:
            cur.append(arg)
    failures = sum(compare_tries(sim, p[0], p[1:]) for p in programs)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
