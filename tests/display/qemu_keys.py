#!/usr/bin/env python3
"""Drives QEMU's human monitor on a Unix socket: types text with sendkey, or takes a
screendump. The keys are those --keys' 'type' lines press (US layout).

usage: qemu_keys.py SOCKET type TEXT     (--keys' escapes: \\n Enter, \\t Tab, \\e Esc,
                                          \\b Backspace, \\\\ a backslash)
       qemu_keys.py SOCKET key CHORD     (QEMU's names: ctrl-c, up, ret)
       qemu_keys.py SOCKET screendump FILE.png
       qemu_keys.py SOCKET mouse DX DY [BUTTONS]
       qemu_keys.py SOCKET quit
"""
import socket
import sys
import time

NAMES = {
    " ": "spc", "\n": "ret", "\t": "tab", "-": "minus", "=": "equal", "[": "bracket_left",
    "]": "bracket_right", ";": "semicolon", "'": "apostrophe", "`": "grave_accent",
    "\\": "backslash", ",": "comma", ".": "dot", "/": "slash",
}
SHIFTED = {
    "!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9",
    ")": "0", "_": "-", "+": "=", "{": "[", "}": "]", ":": ";", '"': "'", "~": "`", "|": "\\",
    "<": ",", ">": ".", "?": "/",
}


ESCAPES = {"n": "ret", "t": "tab", "e": "esc", "b": "backspace", "\\": "backslash"}


def keys_of(text):
    """QEMU's key names for --keys' text, its escapes as eclipse-sim reads them."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPES:
            out.append(ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(key_of(text[i]))
            i += 1
    return out


def key_of(c):
    if c.isupper():
        return "shift-" + c.lower()
    if c in SHIFTED:
        return "shift-" + key_of(SHIFTED[c])
    return NAMES.get(c, c)


class Monitor:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        for _ in range(100):
            try:
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.read_prompt()

    def read_prompt(self):
        data = b""
        self.s.settimeout(30)
        while not data.endswith(b"(qemu) "):
            chunk = self.s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data

    def command(self, line):
        self.s.sendall(line.encode() + b"\n")
        return self.read_prompt()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mon = Monitor(sys.argv[1])
    what, args = sys.argv[2], sys.argv[3:]
    if what == "type":
        for key in keys_of(args[0]):
            mon.command("sendkey " + key)
            time.sleep(0.05)
    elif what == "key":
        mon.command("sendkey " + args[0])
    elif what == "mouse":
        mon.command("mouse_move %s %s" % (args[0], args[1]))
        if len(args) > 2:
            mon.command("mouse_button %s" % args[2])
    elif what == "screendump":
        mon.command("screendump %s -f png" % args[0])
    elif what == "quit":
        mon.s.sendall(b"quit\n")
        try:
            while mon.s.recv(4096):  # until QEMU closes the monitor: it has quit
                pass
        except OSError:
            pass
    else:
        sys.exit(__doc__)


main()
