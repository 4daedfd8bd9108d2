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
tmp=$(mktemp -d)
image=$BUILD/boot.cpio sim=$BUILD/eclipse-sim src=$SRC kernel=$BUILD/eclipse-pc
# shellcheck source=../tests/net/machine.sh
source "$SRC/tests/net/machine.sh"
# shellcheck source=machines.sh
source "$SRC/bench/machines.sh"
trap 'machine_cleanup; rm -rf "$tmp"' EXIT

# measure MACHINE: one boot, the three figures into $tmp/MACHINE.
measure() {
	machine=$1
	local web nc out sent fetched
	web=$(free_port)
	nc=$(free_port)
	rm -f "$tmp/out_port"
	host --timeout 900 listen "$tmp/out_port" >"$tmp/out_listener" 2>&1 &
	for _ in $(seq 100); do [[ -s $tmp/out_port ]] && break; sleep 0.1; done
	out=$(cat "$tmp/out_port")
	boot "user,hostfwd=tcp:127.0.0.1:$web-:80,hostfwd=tcp:127.0.0.1:$nc-:5000,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:$out"
	say 'i=0; while ! ifconfig eth0 | grep -q "inet addr" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done'
	say 'mkdir -p /tmp/www && echo "<h1>bench</h1>" >/tmp/www/index.html && httpd -p 80 -h /tmp/www && echo httpd-up'
	wait_for '^httpd-up' 120 || return 1
	say '(nc -l -p 5000 >/dev/null; echo in-done) & sleep 1; echo nc-up'
	wait_for '^nc-up' 60 || return 1
	sent=$(host --timeout 300 send "$nc" $((MIB << 20))) || return 1
	wait_for '^in-done' 60 || return 1
	say "dd if=/dev/zero bs=65536 count=$((MIB * 16)) 2>/dev/null | nc 10.0.2.100 80; echo out-done"
	wait_for '^out-done' 600 || return 1
	sleep 1
	fetched=$(host --timeout 60 fetch "$web" / "$REQUESTS") || return 1
	poweroff
	awk -v mib="$MIB" -v n="$REQUESTS" -v sent="$sent" -v recv="$(cat "$tmp/out_listener")" \
		-v fetched="$fetched" 'BEGIN {
			split(sent, s, " "); split(recv, r, " "); split(fetched, f, " ")
			printf "%.2f %.2f %.1f\n", mib * 1.048576 / s[4], mib * 1.048576 / r[4], n / f[5]
		}' >"$tmp/$machine"
}

measure_machines net
echo
echo "Network (booted system, slirp on 127.0.0.1; $MIB MiB each way, $REQUESTS HTTP requests):"
printf '  %-8s %16s %16s %8s   %s\n' figure sim "pc (qemu)" sim/qemu target
read -r sin sout shttp <"$tmp/sim"
qin=n/a qout=n/a qhttp=n/a
[[ -f $tmp/pc ]] && read -r qin qout qhttp <"$tmp/pc"
ratio_row tcp_in MB/s "$sin" "$qin"
ratio_row tcp_out MB/s "$sout" "$qout"
ratio_row http req/s "$shttp" "$qhttp"
