# A fault stops the process before the kernel acts: gdb shows where, then lets the signal
# through and the process dies of it. Calling a function of the guest from gdb works too (its
# return lands on the stack, whose fault gdb recognizes).
#symbols @BUILD@/guest/gdb_target
#expect ^\$1 = 49$
#expect received signal SIGSEGV, Segmentation fault\.$
#expect ^crash \(where=(where@entry=)?0x0\) at .*target\.c:[0-9]+
#expect ^#1  0x[0-9a-f]+ in main \(
#expect ^\$2 = 5$
#expect ^Program terminated with signal SIGSEGV, Segmentation fault\.$
#sim-output ^eclipse-sim: pid 1 \(gdb_target\) killed by SIGSEGV
#sim-exit 139
break compute
continue
print square(7)
delete
continue
bt 2
print value
continue
