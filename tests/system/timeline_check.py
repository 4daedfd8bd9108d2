#!/usr/bin/env python3
"""Checks the structure of an eclipse-sim --timeline file (Chrome's JSON trace-event format).

Usage: timeline_check.py FILE [--process NAME]... [--threads NAME:N]... [--syscall NAME]...
                         [--flow CAT:NAME]... [--signal NAME]... [--instant NAME]...

Every event has ph, ts, pid and tid; the times never go back (the file is in the clock's
order, so they do not on any track either); B and E events pair up per thread track (nothing
is left open at the end), and X events last zero or more; each flow has one start and one
end, both inside a slice of their tracks as the file goes (the start, and an end bound to its
enclosing slice, "bp": "e"); the CPU's track has a slice per run. Each --process must be the
name of a process (process_name metadata), each --threads the name of a process and how many
thread tracks it has at least, each --syscall the name of some syscall slice, each --flow the
category and name of some flow, each --signal and --instant the name of some instant. Prints a
summary; exits 1 with the reasons when something is wrong.
"""
import argparse
import collections
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--process", action="append", default=[])
    parser.add_argument("--threads", action="append", default=[])
    parser.add_argument("--syscall", action="append", default=[])
    parser.add_argument("--flow", action="append", default=[])
    parser.add_argument("--signal", action="append", default=[])
    parser.add_argument("--instant", action="append", default=[])
    args = parser.parse_args()
    problems = []

    def problem(what):
        if len(problems) < 20:
            problems.append(what)

    try:
        with open(args.file, encoding="utf-8") as f:
            trace = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL: {args.file}: not a JSON file: {e}")
        return 1
    if trace.get("displayTimeUnit") != "ns" or not isinstance(trace.get("traceEvents"), list):
        problem("not a trace object with displayTimeUnit ns and a traceEvents list")
        events = []
    else:
        events = trace["traceEvents"]

    open_slices = collections.defaultdict(list)  # (pid, tid): names of the open B slices
    last_ts = -1
    pid_names, tids = {}, collections.defaultdict(set)
    flow_starts, flow_ends = {}, {}
    process_names = set()
    syscalls, flows, instants = collections.Counter(), collections.Counter(), collections.Counter()
    cpu_track, cpu_runs = None, 0
    for i, e in enumerate(events):
        missing = [k for k in ("ph", "ts", "pid", "tid") if k not in e]
        if missing:
            problem(f"event {i} has no {', '.join(missing)}: {e}")
            continue
        ph, track = e["ph"], (e["pid"], e["tid"])
        if not isinstance(e["ts"], (int, float)) or e["ts"] < 0:
            problem(f"event {i}: bad ts: {e}")
            continue
        if ph == "M":
            if e.get("name") == "process_name":
                process_names.add(e["args"]["name"])
                pid_names[e["pid"]] = e["args"]["name"]
                if e["args"]["name"] == "CPU":
                    cpu_track = track
            continue
        if e["ts"] < last_ts:
            problem(f"event {i}: time goes back: {e}")
        last_ts = e["ts"]
        tids[e["pid"]].add(e["tid"])
        if ph == "B":
            open_slices[track].append(e.get("name"))
            if track == cpu_track:
                cpu_runs += 1
            elif e.get("cat") == "syscall":
                syscalls[e["name"]] += 1
        elif ph == "E":
            if not open_slices[track]:
                problem(f"event {i}: E with no open slice on track {track}")
            else:
                open_slices[track].pop()
        elif ph == "X":
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0:
                problem(f"event {i}: X without a duration of 0 or more: {e}")
        elif ph == "i":
            instants[e.get("name")] += 1
        elif ph in ("s", "f"):
            key = (e.get("cat"), e.get("name"), e.get("id"))
            table = flow_starts if ph == "s" else flow_ends
            if key in table:
                problem(f"event {i}: a second flow {ph} for {key}")
            table[key] = track
            if (ph == "s" or e.get("bp") == "e") and not open_slices[track]:
                problem(f"event {i}: flow {ph} {key} outside any slice of track {track}")
            if ph == "s":
                flows[f"{e.get('cat')}:{e.get('name')}"] += 1
        elif ph != "C":
            problem(f"event {i}: unexpected phase {ph!r}")
    for track, names in sorted(open_slices.items()):
        if names:
            problem(f"track {track}: slices left open at the end: {names}")
    for key in sorted(set(flow_starts) ^ set(flow_ends), key=str):
        problem(f"flow {key} has a start or an end only")
    if cpu_track is None or not cpu_runs:
        problem("no CPU track with runs")
    for name in args.process:
        if name not in process_names:
            problem(f"no process named {name!r} (names: {sorted(process_names)})")
    for want in args.threads:
        name, n = want.rsplit(":", 1)
        most = max((len(tids[pid]) for pid, pname in pid_names.items() if pname == name), default=0)
        if most < int(n):
            problem(f"process {name!r} has {most} thread tracks, expected {n} or more")
    for name in args.syscall:
        if not syscalls[name]:
            problem(f"no {name!r} syscall slice")
    for flow in args.flow:
        if not flows[flow]:
            problem(f"no {flow!r} flow (flows: {dict(flows)})")
    for name in args.signal + args.instant:
        if not instants[name]:
            problem(f"no {name!r} instant")

    print(f"{args.file}: {len(events)} events, {sum(syscalls.values())} syscalls, "
          f"{len(flow_starts)} flows, {cpu_runs} runs, processes {sorted(process_names)}")
    for what in problems:
        print(f"FAIL: {what}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
