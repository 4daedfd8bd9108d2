# Every process is gdb's own inferior. With detach-on-fork off gdb keeps the children its fork
# events tell it of: a breakpoint in a function two children run stops each in turn, and gdb
# says which; continuing runs them all (schedule-multiple on). gdb hears of each child's end,
# and goes on from inferior 1 after it, as it does with Linux processes. Inferior 1's
# backtrace shows it in waitpid, and no further: musl's libc.a has no unwind tables to find
# main from there.
#symbols @BUILD@/guest/gdb_target
#expect ^\[New inferior 2 \(process 2\)\]
#expect ^Thread 2\.1 "gdb_target" hit Breakpoint 1\.2, child_work \(id=(id@entry=)?0\)
#expect ^\* 2\.1 +Thread 2\.2 "gdb_target" \(gdb_target pid 2\) child_work \(id=(id@entry=)?0\)
#expect Thread 3\.3 "gdb_target" \(gdb_target pid 3\)
#expect ^\* 2 +process 2 
#expect ^\[Switching to thread 1\.1 \(Thread 1\.1\)\]
#expect in waitpid \(
#expect ^\[Inferior 2 \(process 2\) exited with code 05\]
#expect ^\[Switching to inferior 1 \[process 1\]
#expect ^Thread 3\.1 "gdb_target" hit Breakpoint 1\.3, child_work \(id=(id@entry=)?1\)
#expect ^\$1 = 1$
#expect ^\[Inferior 3 \(process 3\) exited with code 016\]
#expect ^\[Inferior 1 \(process 1\) exited normally\]
#sim-output ^child 0 exited 5$
#sim-output ^child 1 exited 14$
set detach-on-fork off
set schedule-multiple on
break child_work
continue
info threads
info inferiors
thread 1.1
bt
continue
inferior 1
continue
print $_thread
delete
continue
inferior 1
continue
