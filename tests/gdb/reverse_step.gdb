# Stepping backwards: reverse-next over a syscall (getpid) and over a context switch
# (sched_yield), reverse-step into the breakpoint, reverse-finish to the caller, reverse-stepi;
# then checkpoints: one kept, and a restart there.
#symbols @BUILD@/guest/gdb_ipc_target
#expect hit Breakpoint 1, tick \(i=(i@entry=)?1\)
#expect hit Breakpoint 1, tick \(i=(i@entry=)?2\)
#expect ^65		int pid = getpid\(\);$
#expect ^66		sched_yield\(\);$
#expect ^67		ticks \+= i;$
#expect ^66		sched_yield\(\);$
#expect ^65		int pid = getpid\(\);$
#expect ^\$1 = 1$
#expect hit Breakpoint 1, tick \(i=(i@entry=)?2\)
#expect main \(.*\) at .*ipc_target\.c:83$
#expect ^\$2 = 2$
#expect ^checkpoint at run [0-9]+, block [0-9]+, pc 0x[0-9a-f]+, kept
#expect hit Breakpoint 1, tick \(i=(i@entry=)?2\)
#expect ^ +[0-9]+\* run [0-9]+
#expect hit Temporary breakpoint 2, main
#expect ^\$3 = 3$
#expect ^\$4 = 2$
#expect ^\[Inferior 1 \(Remote target\) killed\]
#sim-exit 137
break tick
continue
continue
next
next
next
reverse-next
reverse-next
print ticks
reverse-step
reverse-finish
print i
monitor checkpoint
continue
monitor checkpoints
tbreak ipc_target.c:83
continue
print i
monitor restart
maintenance flush register-cache
print i
kill
