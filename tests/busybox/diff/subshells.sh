# Subshells and groups: isolation of variables, directory, traps, options; exit statuses.
v=1
(v=2; echo "inside $v")
echo "outside $v"
{ v=3; echo "group $v"; }
echo "after group $v"
(cd /tmp && pwd)
pwd
(exit 9); echo "status $?"
(false); echo "status $?"
(true); echo "status $?"
( (exit 4) ); echo "nested $?"
(set -e; false; echo "not reached"); echo "set -e subshell $?"
echo "still here"
(echo a; (echo b; (echo c))) | tr '\n' ' '; echo
r=$( (echo sub; exit 3) ); echo "$r $?"
(trap 'echo sub-exit-trap' EXIT; echo in-sub)
echo after-trap-subshell
f() { (echo "fn sub $1"; exit 2); }
f x; echo "fn status $?"
[ "$(sh -c 'echo $$')" != "$$" ] && echo "sh -c is another process"
a=$( (echo $$) ); [ "$a" = "$$" ] && echo "subshell keeps \$\$"
(ulimit -n 64; ulimit -n)
ulimit -n >/dev/null
export E=exported; sh -c 'echo "child sees $E"'
N=notexported; sh -c 'echo "child sees [$N]"'
sh -c 'exit 13'; echo "sh -c status $?"
