# Background jobs and wait: $!, statuses, several jobs, output ordering made deterministic.
cd "$(mktemp -d)" || exit 1
(sleep 0.2; exit 3) &
p1=$!
(exit 5) &
p2=$!
wait $p1; echo "first $?"
wait $p2; echo "second $?"
for i in 1 2 3 4 5; do (echo "job $i" >"out$i") & done
wait
cat out1 out2 out3 out4 out5
true &
wait; echo "wait all $?"
sleep 0.1 &
[ "$!" -gt 0 ] && echo "\$! is a pid"
wait $!
echo done-waiting
{ sleep 0.1; echo bg-group >group; } &
wait
cat group
seq 1 1000 | wc -l >pipe-bg &
wait
cat pipe-bg
sh -c 'exit 7' &
wait $!; echo "sh -c in background: $?"
sleep 5 &
k=$!
kill -TERM $k
wait $k; echo "killed job: $?"
wait 12345 2>/dev/null; echo "wait for a non-child: $?"
i=0
while [ $i -lt 20 ]; do true & i=$((i + 1)); done
wait; echo "twenty jobs reaped"
(sleep 0.3; echo late) &
echo early
wait
