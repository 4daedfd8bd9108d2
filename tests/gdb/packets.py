# The stub against malformed input (run by run_gdb_test.sh, which checks these lines):
#expect ^status: \+ T05thread:1;06:[0-9a-f]{16};07:[0-9a-f]{16};10:[0-9a-f]{16};$
#expect ^supported: \+ PacketSize=4000;.*qXfer:features:read\+.*swbreak\+
#expect ^unknown: \+ $
#expect ^bad checksum: -$
#expect ^truncated: -$
#expect ^after truncated: \+ QC1$
#expect ^bad hex: \+ E01$
#expect ^missing length: \+ E01$
#expect ^missing kind: \+ E01$
#expect ^unmapped: \+ E0e$
#expect ^bad thread: \+ E01$
#expect ^no such thread: \+ E03$
#expect ^bad register: \+ E16$
#expect ^short registers: \+ E01$
#expect ^binary length: \+ E01$
#expect ^bad vcont: \+ E01$
#expect ^thread alive: \+ OK$
#expect ^read memory: \+ 7f454c46$
#expect ^registers: \+ [0-9a-f]{1104}$
#expect ^still serving: \+ T05thread:1;
#expect ^continue: \+$
#expect ^interrupt: T02thread:1;
#expect ^kill: \+$
#expect ^closed
#sim-exit 137
"""Raw packets against the stub: answers to good ones, errors to malformed or truncated ones,
'-' for bad checksums, and the stub serving on after each. Then Ctrl-C and kill.

Usage: packets.py PORT. Prints one line per exchange; run_gdb_test.sh checks them.
"""
import socket
import sys
import time

TIMEOUT = 60


def checksum(data):
    return "%02x" % (sum(data.encode()) & 0xFF)


class Stub:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""

    def send_raw(self, raw):
        self.sock.sendall(raw.encode() if isinstance(raw, str) else raw)

    def send(self, data):
        self.send_raw("$%s#%s" % (data, checksum(data)))

    def read_byte(self):
        while not self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("the stub closed the connection")
            self.buf += chunk
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def ack(self):
        """The '+' or '-' for the last packet sent."""
        return self.read_byte().decode()

    def reply(self):
        """The next packet's data, acknowledged."""
        while self.read_byte() != b"$":
            pass
        data = b""
        while (b := self.read_byte()) != b"#":
            data += b
        got = (self.read_byte() + self.read_byte()).decode()
        text = data.decode()
        if got != checksum(text):
            raise ValueError("bad checksum from the stub: " + text)
        self.send_raw("+")
        return text

    def kill(self):
        """Kills the machine, then waits for the stub to close the connection."""
        self.send("k")
        print("kill: %s" % self.ack())
        self.wait_closed()

    def wait_closed(self):
        """Waits for the stub to close the connection, reading what it still sends."""
        try:
            while self.sock.recv(4096):
                pass
            print("closed")
        except OSError as e:
            print("closed: %s" % e)

    def exchange(self, label, raw=None, data=None):
        """Sends a packet and prints its ack and the reply."""
        if data is not None:
            self.send(data)
        else:
            self.send_raw(raw)
        ack = self.ack()
        print("%s: %s %s" % (label, ack, self.reply() if ack == "+" else ""))


def main():
    stub = Stub(int(sys.argv[1]))
    stub.exchange("status", data="?")
    stub.exchange("supported", data="qSupported:swbreak+;hwbreak+")
    stub.exchange("unknown", data="qNoSuchThing")
    stub.send_raw("$?#00")
    print("bad checksum: %s" % stub.ack())
    stub.send_raw("$m401000$qC#" + checksum("qC"))  # a packet cut short by the next one
    print("truncated: %s" % stub.ack())
    print("after truncated: %s %s" % (stub.ack(), stub.reply()))
    stub.exchange("bad hex", data="mzz,4")
    stub.exchange("missing length", data="m401000,")
    stub.exchange("missing kind", data="Z0,401000")
    stub.exchange("unmapped", data="m0,4")
    stub.exchange("bad thread", data="Hgzz")
    stub.exchange("no such thread", data="Hg999")
    stub.exchange("bad register", data="p999")
    stub.exchange("short registers", data="G00")
    stub.exchange("binary length", data="X401000,4:ab")
    stub.exchange("bad vcont", data="vCont;x")
    stub.exchange("thread alive", data="T1")
    stub.exchange("read memory", data="m400000,4")
    stub.exchange("registers", data="g")
    stub.exchange("still serving", data="?")
    stub.send("c")
    print("continue: %s" % stub.ack())
    time.sleep(0.5)
    stub.send_raw(b"\x03")
    print("interrupt: %s" % stub.reply())
    stub.kill()


if __name__ == "__main__":
    main()
