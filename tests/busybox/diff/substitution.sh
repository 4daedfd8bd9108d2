# Command substitution: forms, nesting, newlines, statuses, large output.
echo "$(echo plain)"
echo "`echo backquote`"
echo "$(echo "$(echo nested "$(echo deeper)")")"
x=$(printf 'a\n\n\n')
echo "[$x]"
x=$(printf '\n\nlead')
echo "[$x]"
x=$(false); echo "status $?"
x=$(exit 42); echo "status $?"
x=$(echo out; echo err >&2) 2>/dev/null; echo "$x"
n=$(seq 1 50000 | wc -l); echo "$n"
big=$(seq 1 30000); echo "${#big}"
echo "$(cd / && pwd)"
pwd >/dev/null
v=outer; y=$(v=inner; echo $v); echo "$v $y"
echo "$(( $(echo 6) * $(echo 7) ))"
for w in $(echo a b c); do echo "w=$w"; done
set -- $(echo one two three); echo "$# $2"
echo "$(echo '$(not expanded)')"
echo $(printf '%s\n' x y z)
e=$(echo ' spaced  out '); echo "[$e]"
echo "$(cat <<EOT
from heredoc
EOT
)"
