# sleep and timeout: statuses, signals, and time that passes (within wide bounds).
sleep 0; echo "sleep 0: $?"
sleep 0.1; echo "sleep 0.1: $?"
sleep 1s; echo "sleep 1s: $?"
sleep bogus 2>/dev/null; echo "sleep bogus: $?"
a=$(date +%s); sleep 2; b=$(date +%s)
d=$((b - a)); [ $d -ge 1 ] && [ $d -le 4 ] && echo "sleep 2 took about 2 s"
timeout 5 true; echo "timeout true: $?"
timeout 5 false; echo "timeout false: $?"
timeout 5 sh -c 'exit 9'; echo "timeout exit 9: $?"
timeout 1 sleep 10; echo "timeout expired: $?"
timeout -s KILL 1 sleep 10; echo "timeout KILL: $?"
timeout -s INT 1 sleep 10; echo "timeout INT: $?"
a=$(date +%s); timeout 1 sleep 10; b=$(date +%s)
[ $((b - a)) -le 4 ] && echo "timeout ended the sleep early"
timeout 2 sh -c 'trap "echo caught TERM; exit 4" TERM; sleep 10 & wait'; echo "trapped: $?"
timeout 5 sh -c 'sleep 0.2; echo inner done'; echo "inner: $?"
sleep 1 & sleep 1 & a=$(date +%s); wait; b=$(date +%s)
[ $((b - a)) -le 2 ] && echo "two sleeps ran together"
timeout 1 sh -c 'while :; do :; done'; echo "timeout on a busy loop: $?"
