# gdb hears of an exec as it happens (an exec event): it loads the new program's symbols for
# the process, and a breakpoint pending on a function of that program stops it. The children
# gdb_target forks are detached by gdb (its default) and run freely.
#symbols @BUILD@/guest/gdb_target
#expect ^Breakpoint 1 \(announce\) pending\.$
#expect ^\[Detaching after fork from child process [0-9]+\]
#expect ^process 1 is executing new program: .*/gdb_exec_target$
#expect ^Thread 1\.1 "gdb_exec_target" hit Breakpoint 1, announce \(value=(value@entry=)?21\) at .*exec_target\.c
#expect ^\$1 = 21$
#expect ^\[Inferior 1 \(process 1\) exited normally\]
#sim-output ^exec target: 42$
#sim-output ^child 1 exited 14$
set breakpoint pending on
break announce
continue
print value
continue
