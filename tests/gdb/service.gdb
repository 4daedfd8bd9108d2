# A service of the booted system, from its first instruction: init's child stops when it execs
# /sbin/filesystem. Every process is gdb's own inferior with its own symbols: `break main` has a
# location in each program gdb knows, and stops only the process that runs its own main. The
# services init starts later are forked children gdb detaches (its default), so their mains
# never stop, and the system runs (all of it: schedule-multiple on) until the filesystem
# ends in the shutdown; gdb hears of that, and then of init's end, the machine's.
#symbols @BUILD@/guest/filesystem
#expect ^(0x[0-9a-f]+ in )?_start \(\)
#expect ^Breakpoint 1 at 0x[0-9a-f]+: main\. \(2 locations\)
#expect ^Thread 1\.1 "filesystem" hit Breakpoint 1\.[0-9], main \(.*\) at .*filesystem\.c
#expect ^#0  main \(.*\) at .*filesystem\.c
#expect ^\* 1\.1 +Thread 2\.2 "filesystem" \(filesystem pid 2\)
#expect ^  2\.1 +Thread 1\.1 "init" \(init pid 1\)
#expect ^\[Detaching after fork from child process [0-9]+\]
#expect ^\[Inferior 1 \(process 2\) exited normally\]
#expect ^\[Switching to inferior 2 \[process 1\]
#expect ^\[Inferior 2 \(process 1\) exited normally\]
#reject hit Breakpoint 1\.[0-9], main \(.*\) at .*(network|display|audio|input)
#sim-output ^init: all services stopped; goodbye$
set schedule-multiple on
break main
continue
bt 1
info threads
continue
inferior 2
continue
