# Sourced by the command-line tests (bash): a temporary directory $tmp, and expect, which runs
# a command and counts it in $passes or $failures.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

# expect NAME STATUS PATTERN -- COMMAND...: COMMAND exits with STATUS and its stdout or stderr
# matches the extended regex PATTERN (when not empty).
expect() {
	local name=$1 want=$2 pattern=$3
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local got=$?
	if [[ $got -ne $want ]] || { [[ -n $pattern ]] && ! grep -Eq -- "$pattern" "$tmp/out" "$tmp/err"; }; then
		echo "FAIL $name: exit $got (want $want), output:"
		sed 's/^/    /' "$tmp/out" "$tmp/err" | head -20
		failures=$((failures + 1))
	else
		passes=$((passes + 1))
	fi
}
