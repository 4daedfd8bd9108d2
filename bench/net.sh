#!/usr/bin/env bash
# The network part of make bench: the same booted system on eclipse-sim (--net=user) and on the
# pc kernel under qemu-system-x86_64 (TCG, -netdev user), each measured from the host through
# forwarding rules on 127.0.0.1 (tests/net/host.py is the host's side):
#   tcp_in    MB/s of a host client's bytes into busybox nc in the guest (hostfwd)
#   tcp_out   MB/s of the guest's nc into a host listener (guestfwd)
#   http      requests/s of busybox httpd, fetched by a host client one connection at a time
# and prints them with the ratio sim/qemu (target: >= 1, the sim at least QEMU's figures).
#
#   bash bench/net.sh BUILD_DIR         NET_MIB (default 32), NET_REQUESTS (default 200)
set -uo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MIB=${NET_MIB:-32}
REQUESTS=${NET_REQUESTS:-200}
HOST="$SRC/tests/net/host.py"
WORK=$(mktemp -d)
machine_pid=
cleanup() {
	exec 3>&- 2>/dev/null
	[[ -n $machine_pid ]] && kill "$machine_pid" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() { # PATTERN SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -Eq -- "$1" "$WORK/console" && return 0
		kill -0 "$machine_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# measure MACHINE: one boot, the three figures into $WORK/MACHINE.
measure() {
	local machine=$1 web nc out
	web=$(free_port)
	nc=$(free_port)
	rm -f "$WORK/in" "$WORK/console" "$WORK/out_port"
	python3 "$HOST" --timeout 300 listen "$WORK/out_port" >"$WORK/out_listener" 2>&1 &
	for _ in $(seq 100); do [[ -s $WORK/out_port ]] && break; sleep 0.1; done
	out=$(cat "$WORK/out_port")
	local net="user,hostfwd=tcp:127.0.0.1:$web-:80,hostfwd=tcp:127.0.0.1:$nc-:5000,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:$out"
	mkfifo "$WORK/in"
	if [[ $machine == sim ]]; then
		timeout 900 "$BUILD/eclipse-sim" --image="$BUILD/boot.cpio" --net="$net" --shell \
			<"$WORK/in" >"$WORK/console" 2>&1 &
	else
		NET=$net timeout -k 5 900 bash "$SRC/scripts/run-metal.sh" "$BUILD/eclipse-pc" \
			"$BUILD/boot.cpio" shell <"$WORK/in" >"$WORK/console" 2>&1 &
	fi
	machine_pid=$!
	exec 3>"$WORK/in"
	echo 'stty cols 1000 rows 100' >&3 # long lines: see tests/net/sockets_test.sh
	echo 'i=0; while ! ifconfig eth0 | grep -q "inet addr" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done' >&3
	echo 'mkdir -p /tmp/www && echo "<h1>bench</h1>" >/tmp/www/index.html && httpd -p 80 -h /tmp/www && echo httpd-up' >&3
	wait_for '^httpd-up' 120 || { echo "bench net: $machine did not start httpd" >&2; return 1; }
	echo '(nc -l -p 5000 >/dev/null; echo in-done) & sleep 1; echo nc-up' >&3
	wait_for '^nc-up' 60 || return 1
	local sent
	sent=$(python3 "$HOST" --timeout 300 send "$nc" $((MIB << 20))) || return 1
	wait_for '^in-done' 60 || return 1
	echo "dd if=/dev/zero bs=65536 count=$((MIB * 16)) 2>/dev/null | nc 10.0.2.100 80; echo out-done" >&3
	wait_for '^out-done' 600 || return 1
	sleep 1
	local fetched
	fetched=$(python3 "$HOST" --timeout 60 fetch "$web" / "$REQUESTS") || return 1
	echo 'poweroff' >&3
	exec 3>&-
	wait "$machine_pid" 2>/dev/null
	machine_pid=
	awk -v mib="$MIB" -v n="$REQUESTS" -v sent="$sent" -v recv="$(cat "$WORK/out_listener")" \
		-v fetched="$fetched" 'BEGIN {
			split(sent, s, " "); split(recv, r, " "); split(fetched, f, " ")
			printf "%.2f %.2f %.1f\n", mib * 1.048576 / s[4], mib * 1.048576 / r[4], n / f[5]
		}' >"$WORK/$machine"
}

machines=(sim)
command -v qemu-system-x86_64 >/dev/null && [[ -f $BUILD/eclipse-pc ]] && machines+=(qemu)
for m in "${machines[@]}"; do
	printf 'running net on %-4s...' "$m" >&2
	if ! measure "$m"; then
		echo " failed; the console:" >&2
		tail -20 "$WORK/console" >&2
		exit 1
	fi
	echo " done" >&2
done
echo
echo "Network (booted system, slirp on 127.0.0.1; $MIB MiB each way, $REQUESTS HTTP requests):"
printf '  %-8s %12s %12s %10s   %s\n' figure sim qemu sim/qemu target
read -r sin sout shttp <"$WORK/sim"
qin=n/a qout=n/a qhttp=n/a
[[ -f $WORK/qemu ]] && read -r qin qout qhttp <"$WORK/qemu"
row() { # NAME UNIT SIM QEMU
	local ratio=n/a verdict=""
	if [[ $4 != n/a ]]; then
		ratio=$(awk -v a="$3" -v b="$4" 'BEGIN { printf "%.2f", b > 0 ? a / b : 0 }')
		verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 1 ? "met" : "MISSED") }')
	fi
	printf '  %-8s %9s %-2s %9s %-2s %10s   sim/qemu >= 1 %s\n' "$1" "$3" "$2" "$4" "$2" "$ratio" "$verdict"
}
row tcp_in MB/s "$sin" "$qin"
row tcp_out MB/s "$sout" "$qout"
row http req/s "$shttp" "$qhttp"
