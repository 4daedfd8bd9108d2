# ps: our own line and a background child's, filtered to what is the same everywhere.
cd "$(mktemp -d)" || exit 1
ps >ps.out 2>&1 || echo "ps failed"
awk -v p=$$ '$1 == p { print "own pid listed" }' ps.out
sleep 3 &
child=$!
ps | awk -v p=$child '$1 == p { print "child listed" }'
# Once it has had time to exec sleep.
sleep 0.5
ps | awk -v p=$child '$1 == p { print "child runs:", $NF }'
ps -o pid,comm | awk -v p=$child '$1 == p { print "comm:", $2 }'
kill $child
wait $child
ps | awk -v p=$child '$1 == p { print "still listed" }'
[ -d /proc/$$ ] && echo "/proc/\$\$ exists"
tr '\0' ' ' </proc/$$/cmdline | grep -q sh && echo "cmdline names sh"
awk '{ print $1 }' /proc/self/stat | grep -q '^[0-9][0-9]*$' && echo "stat has a pid"
ps | head -n 1 | awk '{ print $1 }'
rm -f ps.out
