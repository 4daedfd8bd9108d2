#!/usr/bin/env python3
"""A person at a terminal: eclipse-sim --shell on a pseudo-terminal, typed into.

Usage: terminal_test.py ECLIPSE_SIM BOOT_IMAGE
       terminal_test.py --metal RUN_METAL_SH ECLIPSE_PC BOOT_IMAGE

With --metal, the same on the pc kernel under QEMU (scripts/run-metal.sh, COM1 on the
terminal), where the console is 80x25 whatever the window.

Boots to the console shell, then, as a person would: runs commands and pipelines, interrupts a
foreground sleep with ^C, stops one with ^Z and brings it back with fg, brings a background
pipeline back with fg, sees init and the five services in ps, kills a service and sees init
restart it, edits a file with vi, resizes the window (stty size and $COLUMNS follow), looks at
top, and powers off: eclipse-sim exits 0 and leaves the terminal as it found it.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

PROMPT = re.compile(rb"root@eclipse:[^\n]*# ")
failures = []
passes = 0


class Terminal:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "vt100"
            os.execv(argv[0], argv)
        self.seen = b""  # everything the terminal showed
        self.pos = 0  # what expect() has consumed

    def read_some(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return None
        if not data:
            return None
        self.seen += data
        return True

    def expect(self, pattern, timeout=20.0):
        """Waits until pattern (bytes regex) shows after what was consumed; returns the match."""
        regex = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        end = time.monotonic() + timeout
        while True:
            m = regex.search(self.seen, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0 or self.read_some(left) is None:
                return None

    def type(self, text):
        os.write(self.fd, text if isinstance(text, bytes) else text.encode())

    def run(self, command, timeout=20.0):
        """Types command and Enter; returns its output up to the next prompt, or None."""
        self.type(command + "\r")
        # The line as echoed, then the output up to the next prompt (a prompt drawn again
        # before, after a resize say, is not the end).
        if not self.expect(re.escape(command.encode()) + rb"\r*\n", timeout):
            return None
        start = self.pos
        m = self.expect(PROMPT, timeout)
        if not m:
            return None
        out = self.seen[start:m.start()].replace(b"\x1b[6n", b"")
        # QEMU's stdio leaves the outer terminal's output processing on: \r\r\n there.
        return re.sub(rb"\r+\n", b"\n", out)

    def resize(self, rows, cols):
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.kill(self.pid, signal.SIGWINCH)


def check(ok, what, detail=b""):
    global passes
    if ok:
        passes += 1
    else:
        failures.append(what)
        print("FAIL: " + what)
        if detail is not None:
            print("    got: " + repr(detail[-600:]))


def main():
    metal = sys.argv[1] == "--metal"
    if metal:
        t = Terminal(["/bin/bash", sys.argv[2], sys.argv[3], sys.argv[4], "shell"])
    else:
        t = Terminal([sys.argv[1], "--image=" + sys.argv[2], "--shell"])
    t.resize(25, 80)
    check(t.expect(PROMPT, 60) is not None, "the console shell shows its prompt", t.seen)

    out = t.run("echo $((6 * 7)) | tr 4 X")
    check(out == b"X2\n", "a pipeline", out)

    t.type("sleep 100\r")
    time.sleep(0.5)
    t.type("\x03")
    check(t.expect(PROMPT, 10) is not None, "^C interrupts a foreground sleep", t.seen[t.pos:])
    out = t.run("echo status $?")
    check(out == b"status 130\n", "its status is 130 (SIGINT)", out)

    t.type("sleep 100\r")
    time.sleep(0.5)
    t.type("\x1a")
    m = t.expect(rb"Stopped[^\n]*sleep 100", 10)
    check(m is not None and t.expect(PROMPT, 10) is not None, "^Z stops it", t.seen[t.pos:])
    out = t.run("jobs")
    check(out is not None and b"Stopped" in out and b"sleep 100" in out, "jobs lists it", out)
    t.type("fg\r")
    check(t.expect(rb"sleep 100", 10) is not None, "fg brings it back")
    time.sleep(0.3)
    t.type("\x03")
    check(t.expect(PROMPT, 10) is not None, "^C ends it in the foreground again", t.seen[t.pos:])

    t.run("(sleep 2; echo piped) | tr a-z A-Z &")
    out = t.run("jobs")
    check(out is not None and b"Running" in out and b"tr a-z A-Z" in out,
          "a pipeline in the background", out)
    t.type("fg\r")
    check(t.expect(rb"PIPED", 10) is not None and t.expect(PROMPT, 10) is not None,
          "fg brings the pipeline back; it finishes", t.seen[t.pos:])

    out = t.run("ps")
    check(out is not None and all(re.search(rb"\d+ root +" + re.escape(n), out) for n in
                                  (b"/sbin/init", b"/boot/sbin/filesystem", b"/sbin/network",
                                   b"/sbin/display", b"/sbin/audio", b"/sbin/input")),
          "ps shows init and the five services", out)

    old = t.run("pidof display")
    t.run("kill -9 " + (old or b"").decode().strip())
    time.sleep(2.5)  # display restarts after a 1 s backoff of real (paced) time
    new = t.run("pidof display")
    check(old and new and old.strip() and new.strip() and old != new,
          "a killed service is restarted by init", (old or b"") + b" -> " + (new or b""))
    out = t.run("dmesg | grep 'display: restart'")
    check(out is not None and b"display: restarted" in out, "dmesg has init's message", out)

    out = t.run("cat /etc/services.conf | grep -c restart")
    check(out is not None and out.strip().isdigit() and int(out) >= 5, "cat | grep", out)
    out = t.run("ls -l / | grep -c '^d'")
    check(out is not None and out.strip().isdigit() and int(out) >= 8, "ls -l /", out)

    t.type("vi /tmp/note\r")
    time.sleep(1.0)
    t.type("ihello from vi\x1b")
    time.sleep(0.3)
    t.type(":wq\r")
    check(t.expect(PROMPT, 10) is not None, "vi writes and quits", t.seen[t.pos:])
    out = t.run("cat /tmp/note")
    check(out == b"hello from vi\n", "the file vi wrote", out)

    if metal:
        out = t.run("stty size")
        check(out == b"25 80\n", "the serial console is 80x25", out)
    else:
        t.resize(30, 100)
        time.sleep(0.3)
        out = t.run("stty size")
        check(out == b"30 100\n", "stty size follows a resize", out)

    out = t.run("top -b -n 1 | head -4")
    check(out is not None and b"Mem:" in out and b"PID" in out, "top shows memory and processes", out)

    t.type("poweroff\r")
    end = time.monotonic() + 30
    status = None
    while time.monotonic() < end:
        pid, st = os.waitpid(t.pid, os.WNOHANG)
        if pid:
            status = st
            break
        t.read_some(0.2)
    if status is None:
        os.kill(t.pid, signal.SIGKILL)
        os.waitpid(t.pid, 0)
    check(status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
          "poweroff ends eclipse-sim with status 0", t.seen[-400:])
    check(b"goodbye" in t.seen, "init's shutdown shows on the console", t.seen[-400:])

    print("%d passed, %d failed" % (passes, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
