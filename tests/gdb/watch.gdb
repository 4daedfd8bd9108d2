# A watchpoint on a global fires when compute() writes it, at the statement after the write.
#symbols @BUILD@/guest/gdb_target
#expect ^(Thread [0-9]+\.[0-9]+ "gdb_target" hit )?Breakpoint 1, compute \(n=(n@entry=)?3\)
#expect ^Hardware watchpoint 2: counter$
#expect ^(Thread [0-9]+\.[0-9]+ "gdb_target" hit )?Hardware watchpoint 2: counter$
#expect ^Old value = 0$
#expect ^New value = 14$
#expect ^compute \(n=(n@entry=)?3\) at .*target\.c:[0-9]+
#expect ^\$1 = 14$
#expect ^\[Inferior 1 \(process 1\) exited normally\]
break compute
continue
watch counter
continue
print counter
delete
continue
