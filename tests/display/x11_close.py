#!/usr/bin/env python3
"""Closes a window as a window manager's close button does: finds the top-level window of the
X display ($DISPLAY) whose name starts with PREFIX and sends it WM_DELETE_WINDOW (a
WM_PROTOCOLS client message), through libX11 with ctypes. Exit 0 when it was sent, 1 when no
such window appeared within 20 s.

usage: x11_close.py PREFIX
"""
import ctypes
import ctypes.util
import sys
import time

x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
Window = ctypes.c_ulong
Atom = ctypes.c_ulong
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = Window
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XQueryTree.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
                           ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint)]
x11.XFetchName.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.c_char_p)]
x11.XInternAtom.restype = Atom
x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x11.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XFree.argtypes = [ctypes.c_void_p]
x11.XCloseDisplay.argtypes = [ctypes.c_void_p]

CLIENT_MESSAGE = 33


class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", Window), ("message_type", Atom),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class Event(ctypes.Union):  # XEvent is 24 longs
    _fields_ = [("client", ClientMessage), ("pad", ctypes.c_long * 24)]


def find(dpy, window, prefix):
    name = ctypes.c_char_p()
    if x11.XFetchName(dpy, window, ctypes.byref(name)) and name.value:
        found = name.value.decode(errors="replace").startswith(prefix)
        x11.XFree(name)
        if found:
            return window
    root, parent = Window(), Window()
    children, n = ctypes.POINTER(Window)(), ctypes.c_uint()
    if not x11.XQueryTree(dpy, window, ctypes.byref(root), ctypes.byref(parent),
                          ctypes.byref(children), ctypes.byref(n)):
        return None
    try:
        for i in range(n.value):
            w = find(dpy, children[i], prefix)
            if w:
                return w
    finally:
        if children:
            x11.XFree(children)
    return None


def wait_for_window(tool, prefix):
    """The display, and its top-level window named PREFIX... once it appeared (within 20 s);
    exits the process when there is none."""
    dpy = x11.XOpenDisplay(None)
    if not dpy:
        sys.exit(f"{tool}: cannot open the display")
    for _ in range(200):
        window = find(dpy, x11.XDefaultRootWindow(dpy), prefix)
        if window:
            return dpy, window
        time.sleep(0.1)
    print(f"{tool}: no window named {prefix}...")
    sys.exit(1)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    dpy, window = wait_for_window("x11_close.py", sys.argv[1])
    ev = Event()
    ev.client.type = CLIENT_MESSAGE
    ev.client.window = window
    ev.client.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
    ev.client.format = 32
    ev.client.data[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
    ev.client.data[1] = 0  # CurrentTime
    x11.XSendEvent(dpy, window, 0, 0, ctypes.byref(ev))
    x11.XFlush(dpy)
    x11.XCloseDisplay(dpy)


if __name__ == "__main__":
    main()
