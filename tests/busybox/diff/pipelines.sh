# Pipelines: data through pipes, exit statuses, long chains, more than a pipe buffer.
echo hello | cat
printf 'b\na\nc\n' | sort | tr a-z A-Z
seq 1 100000 | wc -l
seq 1 100000 | md5sum
yes abc | head -n 3
yes | head -c 200000 | wc -c
dd if=/dev/zero bs=4096 count=64 2>/dev/null | cat | cat | wc -c
seq 1 20 | grep 1 | sed 's/1/one/' | tr -d '\n'; echo
echo x | false; echo "false last: $?"
false | true; echo "true last: $?"
! true | true; echo "negated: $?"
set -o pipefail
false | true; echo "pipefail: $?"
(exit 3) | (exit 0) | true; echo "pipefail middle: $?"
set +o pipefail
seq 1 5 | while read -r n; do echo "line $n"; done
seq 1 3 | { read -r a; read -r b; echo "$b$a"; cat; }
head -c 100000 /dev/zero | tr '\0' 'z' | wc -c
# A reader that stops early: the writer gets SIGPIPE, the pipeline ends.
seq 1 1000000 | head -n 2
yes | (head -n 1; exit 7); echo "status $?"
exit 5
