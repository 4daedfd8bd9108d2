# Sourced by the system tests (bash), with the build directory as $1: boots images under
# eclipse-sim into a transcript (stdout and stderr together, as a terminal shows them) and checks
# its lines. Each check that fails prints FAIL and a reason; finish shows the transcript then and
# sets the exit status.
set -uo pipefail

build=$(cd "${1:?usage: $0 BUILD_DIR [CASE]}" && pwd) || exit 2
readonly build
readonly sim=$build/eclipse-sim
readonly images=$build/tests/system
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
tmp=$(mktemp -d)
readonly tmp
trap 'rm -rf "$tmp"' EXIT

# The golden boot of the default image runs this long: two heartbeats with their tables (5s,
# 10s), then the shutdown.
readonly GOLDEN_MAX_TIME=12s
readonly GOLDEN=$here/golden/boot.txt

failures=0
transcript=/dev/null # the file the checks read: the last boot's, unless set
status=0             # the last boot's exit status

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# boot OUT SIM_ARGS...: runs eclipse-sim with SIM_ARGS; the transcript goes to OUT.
boot() {
	transcript=$1
	shift
	"$sim" "$@" >"$transcript" 2>&1 </dev/null
	status=$?
}

# boot_test NAME OUT SIM_ARGS...: boots tests/system/NAME.cpio (conf/NAME.conf), with the test
# services found under the build's guest/ directory.
boot_test() {
	local name=$1 out=$2
	shift 2
	boot "$out" --image="$images/$name.cpio" --root="$build/guest" "$@"
}

# golden_boot OUT: the boot the golden transcript records.
golden_boot() {
	boot "$1" --max-time="$GOLDEN_MAX_TIME"
}

expect_status() {
	[[ $status -eq $1 ]] || fail "exit status $status, expected $1"
}

# expect_line REGEX: a whole line of the transcript matches the extended REGEX.
expect_line() {
	grep -Eqx -- "$1" "$transcript" || fail "no line matching: $1"
}

# expect_count N REGEX: exactly N lines match.
expect_count() {
	local n
	n=$(grep -Ecx -- "$2" "$transcript")
	[[ $n -eq $1 ]] || fail "$n lines matching '$2', expected $1"
}

# expect_order REGEX...: lines matching each REGEX, each after the one before.
expect_order() {
	local prev=0 n pattern
	for pattern; do
		n=$(grep -nEx -- "$pattern" "$transcript" | awk -F: -v after="$prev" '$1 > after { print $1; exit }')
		if [[ -z $n ]]; then
			fail "no line matching '$pattern' after line $prev"
			return
		fi
		prev=$n
	done
}

# expect_last REGEX: the transcript's last line, trace lines aside, matches.
expect_last() {
	grep -Ev '^\[(pid [0-9]+|sched [0-9.]+)\] ' "$transcript" | tail -n 1 | grep -Eqx -- "$1" ||
		fail "last line is not: $1"
}

# expect_row TITLE SERVICE STATE PID RESTARTS: in the first status table whose title line
# ("init: TITLE at T") matches the regex TITLE, SERVICE's row has these fields ('*': any).
expect_row() {
	local title=$1 want="$2 $3 $4 $5" got
	got=$(awk -v title="^init: ($title) at " -v name="$2" -v state="$3" -v pid="$4" -v restarts="$5" '
		!found && $0 ~ title { found = 1; next }
		found && !/^  / { exit }
		found && $1 == name {
			printf "%s %s %s %s", $1, state == "*" ? "*" : $2, pid == "*" ? "*" : $3,
			       restarts == "*" ? "*" : $4
			exit
		}' "$transcript")
	[[ $got == "$want" ]] || fail "table '$title': row '$got', expected '$want'"
}

# table_size TITLE: the number of service rows in the first table whose title matches.
table_size() {
	awk -v title="^init: ($1) at " '
		!found && $0 ~ title { found = 1; getline; next }
		found && !/^  / { exit }
		found { n++ }
		END { print n + 0 }' "$transcript"
}

# run_pids SERVICE: the pids of SERVICE's runs, first start and restarts, in order.
run_pids() {
	sed -nE "s/^init:(   $1: .*| $1: restarted) \(pid ([0-9]+)\)$/\2/p" "$transcript"
}

# sched_ms EVENT: the virtual time, in milliseconds, of the first "[sched T] EVENT ..." line of
# a --trace=sched transcript (EVENT is followed by the line's end or a space).
sched_ms() {
	awk -v event="$1" '/^\[sched [0-9.]+\] / {
		rest = substr($0, index($0, "] ") + 2)
		if (rest == event || index(rest, event " ") == 1) {
			sub(/\]$/, "", $2); printf "%.3f\n", $2 * 1000; exit
		}
	}' "$transcript"
}

# expect_delays SERVICE MS...: from each end of SERVICE's runs (its exit in a --trace=sched
# transcript) to the fork of the next run took these delays, give or take 5ms, and there were
# as many restarts as delays.
expect_delays() {
	local service=$1
	shift
	local -a pids
	mapfile -t pids < <(run_pids "$service")
	if [[ ${#pids[@]} -ne $(($# + 1)) ]]; then
		fail "$service: ${#pids[@]} runs (pids ${pids[*]}), expected $(($# + 1))"
		return
	fi
	local i=0 want ended forked delay
	for want; do
		ended=$(sched_ms "exit pid ${pids[i]}")
		forked=$(sched_ms "fork pid 1 -> pid ${pids[i + 1]}")
		i=$((i + 1))
		if [[ -z $ended || -z $forked ]]; then
			fail "$service: no exit of pid ${pids[i - 1]} or fork of pid ${pids[i]} in the trace"
			continue
		fi
		delay=$(awk -v a="$ended" -v b="$forked" 'BEGIN { printf "%.3f", b - a }')
		awk -v d="$delay" -v w="$want" 'BEGIN { exit !(d >= w - 5 && d <= w + 5) }' ||
			fail "$service: restart $i came ${delay}ms after the end of the run before, expected ${want}ms"
	done
}

# wait_for_line FILE REGEX SECONDS PID: waits until FILE has a line matching REGEX; fails if
# process PID ends first or the time runs out.
wait_for_line() {
	local file=$1 pattern=$2 deadline=$((SECONDS + $3)) pid=$4
	until grep -Eqx -- "$pattern" "$file"; do
		if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
			fail "no line matching '$pattern' within $3s"
			return 1
		fi
		sleep 0.02
	done
}

# wait_for_services FILE PID: waits until each of the five services has said it is ready.
wait_for_services() {
	local svc
	for svc in filesystem network display audio input; do
		wait_for_line "$1" "$svc: ready, heartbeat every [0-9]+ ms" 20 "$2" || return 1
	done
}

# wait_for_exit PID SECONDS: waits for background process PID and sets status to its exit
# status; kills it and fails if it takes longer.
wait_for_exit() {
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS <= deadline)); do
		sleep 0.02
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "still running after $2s; killed"
		kill -KILL "$pid"
	fi
	wait "$pid"
	status=$?
}

# finish: the test's exit status; on failure the last transcript is shown.
finish() {
	if ((failures)); then
		echo "--- transcript ($transcript):"
		cat "$transcript"
		exit 1
	fi
	exit 0
}
