# --gdb-stop-at-exec: the process that execs gdb_exec_target stops at its first instruction.
#symbols @BUILD@/guest/gdb_exec_target
#expect ^(0x[0-9a-f]+ in )?_start \(\)
#expect ^\* 1\.1 +Thread 1\.1 "gdb_exec_target" \(gdb_exec_target pid 1\)
#expect ^(Thread [0-9]+\.[0-9]+ "gdb_exec_targe?t?" hit )?Breakpoint 1, announce \(value=(value@entry=)?21\) at .*exec_target\.c
#expect ^\$1 = 21$
#expect ^\$2 = 42$
#expect ^\[Inferior 1 \(process 1\) exited normally\]
#sim-output ^exec target: 42$
info threads
break announce
continue
print value
next
next
print twice
continue
