# Memory written through gdb is the selected process's own: a child's copy-on-write data and code
# pages are copied first, so the parent and the other child never see the change, and the
# child runs its changed code (square returns at once, so it exits 0).
# The child is gdb's own inferior: it keeps it (detach-on-fork off) from the fork event on.
#symbols @BUILD@/guest/gdb_target
#expect hit Breakpoint 1\.2, child_work \((id=)?(id@entry=)?0\)
#expect ^\$1 = 777$
#expect ^0x[0-9a-f]+ <square>:	0xc3$
#expect ^\[Switching to thread 1\.1 \(Thread 1\.1\)\]
#expect ^\$2 = 14$
#expect ^0x[0-9a-f]+ <square>:	0x([0-9abd-f][0-9a-f]|c[0-24-9a-f])$
#expect ^\[Inferior 3 \(process 3\) exited normally\]
#expect ^\[Inferior 4 \(process 4\) exited with code 016\]
#expect ^\[Inferior 1 \(process 1\) exited normally\]
#sim-output ^child 0 exited 0$
#sim-output ^child 1 exited 14$
set detach-on-fork off
set schedule-multiple on
break child_work
continue
set var counter = 777
print counter
set {unsigned char}square = 0xc3
x/1xb square
thread 1.1
print counter
x/1xb square
delete
continue
inferior 1
continue
inferior 1
continue
