# A debugger that connects while another is connected is turned away at once (run by
# run_gdb_test.sh), whether the system runs or is stopped: left waiting, unanswered, it would
# send its first packet again and again, and be answered one packet behind once served. Once
# the first detached, another connects as usual.
#expect ^first: \+ T05thread:1;
#expect ^continue: \+$
#expect ^second, while the system runs: closed$
#expect ^interrupt: T02thread:1;
#expect ^second, while the system is stopped: closed$
#expect ^detach: \+ OK$
#expect ^after the first: \+ PacketSize=4000;
#expect ^kill: \+$
#expect ^closed
#sim-output ^eclipse-sim: gdb: a debugger is connected already: turned another away$
#sim-exit 137
"""Usage: second_debugger.py PORT. Prints one line per step; run_gdb_test.sh checks them."""
import socket
import sys

from packets import TIMEOUT, Stub, checksum


def second(label, port):
    """Connects as gdb does (an ack, then qSupported) and says whether the stub hung up."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    data = "qSupported:swbreak+;hwbreak+"
    sock.sendall(("+$%s#%s" % (data, checksum(data))).encode())
    try:
        got = sock.recv(4096)
        print("%s: %s" % (label, "closed" if not got else "answered " + got.decode()))
    except ConnectionResetError:
        print("%s: closed" % label)
    except socket.timeout:
        print("%s: no answer" % label)
    sock.close()


def main():
    port = int(sys.argv[1])
    stub = Stub(port)
    stub.exchange("first", data="?")
    stub.send("c")
    print("continue: %s" % stub.ack())
    second("second, while the system runs", port)
    stub.send_raw(b"\x03")
    print("interrupt: %s" % stub.reply())
    second("second, while the system is stopped", port)
    stub.exchange("detach", data="D")
    stub.sock.close()
    after = Stub(port)
    after.exchange("after the first", data="qSupported:swbreak+;hwbreak+")
    after.kill()


if __name__ == "__main__":
    main()
