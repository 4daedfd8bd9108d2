# Who wrote this pointer? From the crash, a watchpoint and reverse-continue go back to the
# write: the kernel's copy of the server's reply, in the server's syscall (with its backtrace),
# then the client's own store before it; forward again, the same writes, then the crash.
#symbols @BUILD@/guest/gdb_ipc_target
#expect received signal SIGSEGV, Segmentation fault\.$
#expect ^use \(\) at .*ipc_target\.c:[0-9]+
#expect ^Hardware watchpoint 1: -location
#expect ^eclipse-sim: the kernel wrote it in a syscall of pid 3
#expect hit Hardware watchpoint 1: -location
#expect ^Old value = \(int \*\) 0x0$
#expect ^New value = \(int \*\) 0x[0-9a-f]+ <value>$
#expect ^#0  0x[0-9a-f]+ in reply_to \(pid=(pid@entry=)?1,
#expect ^#1  0x[0-9a-f]+ in serve \(\) at
#expect ^#2  0x[0-9a-f]+ in main \(
#expect hit Hardware watchpoint 1: -location
#expect ^Old value = \(int \*\) 0x[0-9a-f]+ <value>$
#expect ^New value = \(int \*\) 0x0$
#expect main \(.*\) at .*ipc_target\.c:79$
#expect ^run [0-9]+, block [0-9]+, pc 0x[0-9a-f]+; virtual time
#expect hit Hardware watchpoint 1: -location
#expect ^Old value = \(int \*\) 0x0$
#expect hit Hardware watchpoint 1: -location
#expect ^New value = \(int \*\) 0x0$
#expect received signal SIGSEGV, Segmentation fault\.$
#expect ^\[Inferior 1 \(Remote target\) killed\]
#sim-exit 137
continue
watch -l ((struct answer *)box.data)->where
reverse-continue
thread 3
bt
thread 1
reverse-continue
monitor when
continue
continue
continue
kill
