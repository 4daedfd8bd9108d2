# Every process is a thread: a breakpoint in a function two children run stops each in turn,
# gdb says which, and info threads names them all. Thread 1's backtrace shows it in waitpid,
# and no further: musl's libc.a has no unwind tables to find main from there.
#symbols @BUILD@/guest/gdb_target
#expect ^Thread [0-9]+ "gdb_target" hit Breakpoint 1, child_work \(id=(id@entry=)?0\)
#expect ^\* [0-9]+ +Thread 2 "gdb_target" \(gdb_target pid 2\) child_work \(id=(id@entry=)?0\)
#expect Thread 3 "gdb_target" \(gdb_target pid 3\)
#expect ^\$1 = 3$
#expect ^\[Switching to thread [0-9]+ \(Thread 1\)\]
#expect in waitpid \(
#expect ^Thread [0-9]+ "gdb_target" hit Breakpoint 1, child_work \(id=(id@entry=)?1\)
#expect ^\$2 = 3$
#expect ^\[Inferior 1 \(Remote target\) exited normally\]
#sim-output ^child 0 exited 5$
#sim-output ^child 1 exited 14$
break child_work
continue
info threads
print $_inferior_thread_count
thread 1
bt
continue
print $_thread
delete
continue
