#!/usr/bin/env python3
"""The host's side of the network tests and benchmarks, on 127.0.0.1 only. Every wait is
bounded (--timeout seconds).

  host.py send PORT BYTES          connect to PORT, send BYTES of seeded pseudo-random data,
                                   print "sent N md5 SECONDS" (until the peer closed)
  host.py listen PORTFILE          listen on a free port (written to PORTFILE), take one
                                   connection, read to its end, print "received N md5 SECONDS"
                                   (from the connection to its end)
  host.py serve DIR PORTFILE       an HTTP server of DIR's files on a free port (written to
                                   PORTFILE) until --timeout passes without a request
  host.py fetch [--parallel] PORT PATH COUNT
                                   COUNT HTTP GETs of PATH, one connection each (--parallel:
                                   all open at once), print "fetched COUNT, BYTES bytes, SECONDS s"
"""
import argparse
import functools
import hashlib
import http.server
import random
import socket
import sys
import time


def data(n, seed=20261206):
    rng = random.Random(seed)
    chunk = 1 << 16
    while n > 0:
        k = min(chunk, n)
        yield rng.randbytes(k)
        n -= k


def send(args):
    md5 = hashlib.md5()
    blocks = list(data(min(args.bytes, 1 << 24)))  # made before the clock starts, then repeated
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout) as s:
        sent = 0
        while sent < args.bytes:
            for block in blocks:
                block = block[: args.bytes - sent]
                if not block:
                    break
                s.sendall(block)
                md5.update(block)
                sent += len(block)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(args.timeout)
        while s.recv(65536):
            pass
    print(f"sent {sent} {md5.hexdigest()} {time.monotonic() - start:.3f}", flush=True)


def listen(args):
    with socket.socket() as l:
        l.bind(("127.0.0.1", 0))
        l.listen(1)
        l.settimeout(args.timeout)
        with open(args.portfile, "w") as f:
            f.write(f"{l.getsockname()[1]}\n")
        c, _ = l.accept()
        start = time.monotonic()
        c.settimeout(args.timeout)
        md5, n = hashlib.md5(), 0
        with c:
            while True:
                block = c.recv(1 << 16)
                if not block:
                    break
                md5.update(block)
                n += len(block)
    print(f"received {n} {md5.hexdigest()} {time.monotonic() - start:.3f}", flush=True)


def get(s, path):
    s.sendall(f"GET {path} HTTP/1.0\r\nHost: eclipse\r\n\r\n".encode())


def reply_of(s):
    reply = b""
    while True:
        block = s.recv(65536)
        if not block:
            break
        reply += block
    if not reply.startswith(b"HTTP/1.") or b" 200 " not in reply.split(b"\r\n")[0]:
        sys.exit(f"fetch: a bad reply: {reply[:80]!r}")
    return len(reply)


def fetch(args):
    total, start = 0, time.monotonic()

    def connect():
        return socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout)

    if args.parallel:  # every connection open before the first request
        conns = [connect() for _ in range(args.count)]
        for s in conns:
            get(s, args.path)
        for s in conns:
            with s:
                total += reply_of(s)
    else:
        for _ in range(args.count):
            with connect() as s:
                get(s, args.path)
                total += reply_of(s)
    print(f"fetched {args.count}, {total} bytes, {time.monotonic() - start:.3f} s", flush=True)


def serve(args):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.dir)
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    server.timeout = args.timeout
    with open(args.portfile, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    while True:
        server.timeout_seen = False
        server.handle_timeout = lambda: setattr(server, "timeout_seen", True)
        server.handle_request()
        if server.timeout_seen:
            break


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=60)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("port", type=int)
    s.add_argument("bytes", type=int)
    s = sub.add_parser("listen")
    s.add_argument("portfile")
    s = sub.add_parser("serve")
    s.add_argument("dir")
    s.add_argument("portfile")
    s = sub.add_parser("fetch")
    s.add_argument("port", type=int)
    s.add_argument("path")
    s.add_argument("count", type=int)
    s.add_argument("--parallel", action="store_true")
    args = p.parse_args()
    {"send": send, "listen": listen, "serve": serve, "fetch": fetch}[args.cmd](args)


if __name__ == "__main__":
    main()
