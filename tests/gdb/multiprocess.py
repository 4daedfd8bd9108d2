# The multiprocess extensions, packet by packet (run by run_gdb_test.sh, which checks these lines):
#expect ^supported: \+ .*multiprocess\+;qXfer:exec-file:read\+;fork-events\+;exec-events\+
#expect ^status: \+ T05thread:p1\.1;
#expect ^exec-file: \+ l/.*/gdb_target$
#expect ^select: \+ OK$
#expect ^fork: \+ T05thread:p1\.1;fork:p2\.2;
#expect ^threads with the child: \+ mp1\.1,p2\.2$
#expect ^child's exec-file: \+ l/.*/gdb_target$
#expect ^detach the child: \+ OK$
#expect ^threads without it: \+ mp1\.1$
#expect ^the detached child: \+ E03$
#expect ^second fork: \+ T05thread:p1\.1;fork:p3\.3;
#expect ^detach it: \+ OK$
#expect ^exec: \+ T05thread:p1\.1;exec:/.*/gdb_exec_target;
#expect ^new exec-file: \+ l/.*/gdb_exec_target$
#expect ^the end: \+ W00;process:1$
#expect ^threads after the end: \+ l$
#expect ^detach after the end: \+ OK$
#expect ^closed
#sim-output ^child 0 exited 5$
#sim-output ^exec target: 42$
"""A client of the multiprocess extensions: each process is its own inferior (pPID.TID ids and
its program through qXfer:exec-file:read), forks and execs are stop events, a detached child
is hidden and runs freely, and after the machine's end the stub answers until the client goes.

Usage: multiprocess.py PORT. Prints one line per exchange; run_gdb_test.sh checks them.
"""
import sys

from packets import Stub


def main():
    stub = Stub(int(sys.argv[1]))
    stub.exchange("supported", data="qSupported:multiprocess+;swbreak+;fork-events+;exec-events+")
    stub.exchange("status", data="?")
    stub.exchange("exec-file", data="qXfer:exec-file:read:1:0,fff")
    stub.exchange("select", data="Hgp1.0")
    stub.exchange("fork", data="vCont;c:p1.-1")
    stub.exchange("threads with the child", data="qfThreadInfo")
    stub.exchange("child's exec-file", data="qXfer:exec-file:read:2:0,fff")
    stub.exchange("detach the child", data="D;2")
    stub.exchange("threads without it", data="qfThreadInfo")
    stub.exchange("the detached child", data="Hgp2.2")
    stub.exchange("second fork", data="vCont;c:p1.-1")
    stub.exchange("detach it", data="D;3")
    stub.send("vCont;c:p1.-1")
    ack = stub.ack()
    reply = stub.reply()
    parts = reply.split(";")
    for i, part in enumerate(parts):
        if part.startswith("exec:"):
            parts[i] = "exec:" + bytes.fromhex(part[5:]).decode()
    print("exec: %s %s" % (ack, ";".join(parts)))
    stub.exchange("new exec-file", data="qXfer:exec-file:read:1:0,fff")
    stub.exchange("the end", data="vCont;c:p1.-1")
    stub.exchange("threads after the end", data="qfThreadInfo")
    stub.exchange("detach after the end", data="D;1")
    stub.wait_closed()


if __name__ == "__main__":
    main()
