# Sourced by the network tests and benchmarks (bash): a booted system on eclipse-sim or on the pc
# kernel under QEMU, typed into and read from the host. The caller sets machine (sim or pc),
# image (a boot image), sim (eclipse-sim) or src and kernel (the source tree and eclipse-pc),
# and tmp (a directory of its own); the console is $tmp/console.

machine_pid=
trap '' PIPE # a machine that went away makes say fail, not the script die

# machine_cleanup: the machine and every background job stopped (for an EXIT trap).
machine_cleanup() {
	exec 3>&- 2>/dev/null
	[[ -n $machine_pid ]] && kill "$machine_pid" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
}

host() {
	python3 "$(dirname "${BASH_SOURCE[0]}")/host.py" "$@"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# boot NETWORK: the machine with --net=NETWORK (NET= on pc), at a shell typed into through fd 3.
boot() {
	local net=$1
	rm -f "$tmp/in" "$tmp/console"
	mkfifo "$tmp/in"
	if [[ $machine == sim ]]; then
		timeout 900 "$sim" --image="$image" --net="$net" --shell <"$tmp/in" >"$tmp/console" 2>&1 &
	else
		NET=$net timeout -k 5 900 bash "$src/scripts/run-metal.sh" "$kernel" "$image" shell \
			<"$tmp/in" >"$tmp/console" 2>&1 &
	fi
	machine_pid=$!
	prompts=0
	exec 3>"$tmp/in"
	# A wide terminal: on pc's serial console a line longer than the 80 columns the shell
	# assumes makes its line editor redraw it.
	say 'stty cols 1000 rows 100'
}

# say COMMAND: types a line. On pc it waits first for the shell's prompt after the previous
# line: a line typed ahead while a command runs can lose bytes there when the line editor
# takes the terminal back (the sim's piped console has no such race).
say() {
	if [[ $machine == pc ]]; then
		local i
		for ((i = 0; i < 3000; i++)); do
			(($(grep -o 'root@eclipse:~# ' "$tmp/console" | wc -l) > prompts)) && break
			kill -0 "$machine_pid" 2>/dev/null || break
			sleep 0.1
		done
		prompts=$((prompts + 1))
	fi
	echo "$*" >&3 2>/dev/null
}

# The console so far, without the carriage returns of pc's serial line, the shell's prompts
# and its line editor's escape sequences (a background job's line may follow a prompt).
console() {
	tr -d '\r' <"$tmp/console" | sed -e 's/\x1b\[[0-9;]*[a-zA-Z]//g' -e 's/^\(root@eclipse:~# \)*//'
}

# wait_for PATTERN SECONDS: a console line matches the extended regex within SECONDS.
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		console | grep -Eq -- "$1" && return 0
		kill -0 "$machine_pid" 2>/dev/null || break
		sleep 0.1
	done
	console | grep -Eq -- "$1"
}

# value KEY: what follows "KEY " on the console's last such line.
value() {
	console | grep -E "^$1 " | tail -1 | cut -d' ' -f2-
}

# poweroff: the machine asked to power off, and gone within a minute (else 1, still running).
poweroff() {
	say 'poweroff'
	exec 3>&-
	for _ in $(seq 600); do kill -0 "$machine_pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$machine_pid" 2>/dev/null && return 1
	wait "$machine_pid" 2>/dev/null
	machine_pid=
}
