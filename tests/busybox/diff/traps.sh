# Traps and signals: EXIT, signals to ourselves and to children, ignored signals, reset.
trap 'echo exit trap ran' EXIT
trap 'echo got USR1' USR1
kill -USR1 $$
echo after-usr1
trap 'echo got TERM' TERM
kill -TERM $$
echo after-term
trap - TERM
trap '' INT
kill -INT $$
echo "INT ignored"
trap - INT
trap 'echo got HUP; trap - HUP' HUP
kill -HUP $$
(kill -HUP $$) 2>/dev/null
echo after-hup
sh -c 'kill -TERM $$; echo not reached'; echo "killed child status $?"
sh -c 'kill -KILL $$'; echo "killed child status $?"
sh -c 'trap "echo child caught TERM; exit 3" TERM; kill -TERM $$; sleep 5'; echo "child status $?"
sleep 10 &
pid=$!
kill $pid
wait $pid; echo "background killed status $?"
kill -0 $$ && echo "kill -0 self ok"
kill -0 99999 2>/dev/null || echo "kill -0 no such process"
trap 'echo got USR1 again' USR1
sh -c 'kill -USR1 $PPID'
echo "after child signalled parent"
trap
(trap 'echo sub exit' EXIT; exit 5); echo "sub status $?"
( trap "echo sub USR2" USR2; kill -USR2 $(exec sh -c 'echo $PPID'); echo after-usr2 )
exit 3
