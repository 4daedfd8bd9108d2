# kill ends the simulator.
#symbols @BUILD@/guest/gdb_target
#expect ^(Thread [0-9]+\.[0-9]+ "gdb_target" hit )?Breakpoint 1, compute \(n=(n@entry=)?3\)
#expect ^\[Inferior 1 \(process 1\) killed\]
#sim-exit 137
break compute
continue
kill
