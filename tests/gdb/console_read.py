# Ctrl-C reaches the stub while the guest waits for console input (run by run_gdb_test.sh):
# the guest's thread waits in the kernel and the machine idles, waiting for the input, yet
# the debugger is heard. The stop shows the guest where Linux shows a process in a blocking
# call: just past its syscall instruction.
#stdin-open
#expect ^continue: \+$
#expect ^interrupt: T02thread:1;
#expect ^past the syscall: 0f05$
#expect ^kill: \+$
#expect ^closed
#sim-exit 137
"""Usage: console_read.py PORT. Prints one line per step; run_gdb_test.sh checks them."""
import sys
import time

from packets import Stub


def main():
    stub = Stub(int(sys.argv[1]))
    stub.send("c")
    print("continue: %s" % stub.ack())
    time.sleep(0.5)  # the guest is waiting in read(0, ...) by now
    stub.send_raw(b"\x03")
    stop = stub.reply()
    print("interrupt: %s" % stop)
    rip = next(f[3:] for f in stop.split(";") if f.startswith("10:"))
    rip = int.from_bytes(bytes.fromhex(rip), "little")
    stub.send("m%x,2" % (rip - 2))
    stub.ack()
    print("past the syscall: %s" % stub.reply())
    stub.kill()


if __name__ == "__main__":
    main()
