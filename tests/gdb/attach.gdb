# A debugger attaches to a system that runs (the test's arguments say how: the host clock or the
# virtual one, the guest napping or computing), looks at it, lets it go by setting a variable and
# detaches; the system runs on to its normal end. gdb connects just after the guest started to
# wait, so with --nap the simulator is in the middle of a long idle wait.
#symbols @BUILD@/guest/gdb_target
#attach-after ^waiting for the debugger$
#expect ^\* 1 +Thread 1\.1 "gdb_target" \(gdb_target pid 1\)
#expect ^#0 +
#expect ^rip +0x[0-9a-f]+
#expect ^\[Inferior 1 \(process 1\) detached\]
#sim-output ^released$
info threads
bt
info registers rip
set var released = 1
detach
