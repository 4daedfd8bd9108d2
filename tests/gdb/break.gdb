# Break on a function by name, continue, backtrace, step by line into a call, print locals.
#symbols @BUILD@/guest/gdb_target
#expect ^(0x[0-9a-f]+ in )?_start \(\)
#expect ^Breakpoint 1 at 0x[0-9a-f]+: file .*target\.c
#expect ^Thread 1\.1 "gdb_target" hit Breakpoint 1, compute \(n=(n@entry=)?3\) at .*target\.c:[0-9]+
#expect ^#0  compute \(n=(n@entry=)?3\) at .*target\.c
#expect ^#1  0x[0-9a-f]+ in main \(.*\) at .*target\.c
#expect ^[0-9]+	+for \(int i = 1; i <= n; i\+\+\) \{
#expect ^[0-9]+	+int sq = square\(i\);
#expect ^square \(x=(x@entry=)?1\) at .*target\.c:[0-9]+
#expect ^[0-9]+	+return y;
#expect ^\$1 = 1$
#expect ^\$2 = 1$
#expect ^compute \(n=(n@entry=)?3\) at .*target\.c:[0-9]+
#expect ^Value returned is \$3 = 1$
#expect ^\[Inferior 1 \(process 1\) exited normally\]
#sim-output ^done$
break compute
continue
bt
next
next
step
next
print y
print x
finish
delete
continue
