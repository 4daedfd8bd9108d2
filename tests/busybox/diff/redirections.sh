# Redirections: files, appends, descriptors, duplication, closing, exec.
cd "$(mktemp -d)" || exit 1
echo one >f
echo two >>f
cat <f
cat f nonexistent 2>/dev/null; echo "status $?"
ls nonexistent 2>&1 >/dev/null | wc -l
{ echo out; echo err >&2; } 2>err >out
cat out err
{ echo to3 >&3; } 3>three
cat three
exec 4>four
echo via4 >&4
exec 4>&-
cat four
echo data >rw
exec 5<>rw
read -r line <&5
echo "read: $line"
exec 5<&-
set -C
echo new >f 2>/dev/null || echo "noclobber refused"
echo forced >|f
cat f
set +C
: >empty
wc -c <empty
echo abc >/dev/null
cat </dev/null | wc -c
printf 'a\nb\n' >lines
while read -r l; do echo "<$l>"; done <lines
exec 6<lines
read -r first <&6
read -r second <&6
echo "$first$second"
exec 6<&-
echo closed >&7 2>/dev/null || echo "bad descriptor"
cat <<EOT >>f
appended by heredoc
EOT
cat f
(echo subshell-out; echo subshell-err >&2) >sub 2>&1
sort sub
echo x 1>&2 2>/dev/null | wc -c
