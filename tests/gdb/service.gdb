# A service of the booted system, from its first instruction: init's child stops when it execs
# /sbin/filesystem; a breakpoint on one of its functions by name, then the system runs on.
#symbols @BUILD@/guest/filesystem
#expect ^(0x[0-9a-f]+ in )?_start \(\)
#expect ^Breakpoint 1 at 0x[0-9a-f]+: file .*filesystem\.c
#expect hit Breakpoint 1, main \(
#expect ^#0  main \(
#expect Thread 1 "init" \(init pid 1\)
#expect ^\* [0-9]+ +Thread 2 "filesystem" \(filesystem pid 2\)
#expect ^\[Inferior 1 \(Remote target\) detached\]
#sim-output ^init: all services stopped; goodbye$
break main
continue
bt 1
info threads
detach
