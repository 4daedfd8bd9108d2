# Detaching leaves the system running to its end.
#symbols @BUILD@/guest/gdb_target
#expect ^(Thread [0-9]+\.[0-9]+ "gdb_target" hit )?Breakpoint 1, compute \(n=(n@entry=)?3\)
#expect ^\[Inferior 1 \(process 1\) detached\]
#sim-output ^compute\(3\) = 14$
#sim-output ^done$
break compute
continue
detach
