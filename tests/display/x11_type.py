#!/usr/bin/env python3
"""Types on the X display ($DISPLAY) as a person would, into the top-level window whose name
starts with PREFIX: gives it the input focus and presses and releases each key of TEXT (lower
case letters, digits and spaces; '\\n' is Return) through the XTEST extension, with libX11 and
libXtst through ctypes. Exit 0 when typed, 1 when no such window appeared within 20 s.

usage: x11_type.py PREFIX TEXT
"""
import ctypes
import ctypes.util
import sys
import time

from x11_close import wait_for_window, x11

xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
x11.XStringToKeysym.restype = ctypes.c_ulong
x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
x11.XKeysymToKeycode.restype = ctypes.c_ubyte
x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
x11.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]

REVERT_TO_PARENT = 2

# A window that goes while the tree is walked is an X error, which by default ends the process:
# ignored, the walk goes on.
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
ignore_errors = ERROR_HANDLER(lambda dpy, event: 0)
x11.XSetErrorHandler.argtypes = [ERROR_HANDLER]


def keysym_name(ch):
    return {"\n": "Return", " ": "space"}.get(ch, ch)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    x11.XSetErrorHandler(ignore_errors)
    dpy, window = wait_for_window("x11_type.py", sys.argv[1])
    x11.XSetInputFocus(dpy, window, REVERT_TO_PARENT, 0)
    x11.XSync(dpy, 0)
    time.sleep(0.5)
    for ch in sys.argv[2].replace("\\n", "\n"):
        code = x11.XKeysymToKeycode(dpy, x11.XStringToKeysym(keysym_name(ch).encode()))
        if not code:
            sys.exit(f"x11_type.py: no key for {ch!r}")
        for down in (1, 0):
            xtst.XTestFakeKeyEvent(dpy, code, down, 0)
            x11.XSync(dpy, 0)
            time.sleep(0.08)
    x11.XCloseDisplay(dpy)


main()
