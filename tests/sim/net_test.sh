#!/usr/bin/env bash
# --net: the virtio-net card on slirp from the command line, driven by tests/guest/vnet.c with
# hand-built frames. The gateway answers ARP and ping and resets a closed port; a host client
# connecting to a hostfwd port arrives in the guest as a SYN; a guest connection to a guestfwd
# address reaches a host HTTP server (python3's http.server on 127.0.0.1) and brings its page
# back; a guest connection to the host's loopback or an outside address without a rule is
# refused and the host's listener sees nothing; booted, the network service gets its address by
# DHCP; bad --net options are usage errors, a hostfwd
# port in use a clear error; lspci shows the card where QEMU puts it. All traffic is on this
# machine's loopback; every wait is bounded.
# On pc the same guest boots under QEMU (scripts/run-metal.sh NET=...) for the rules' tests.
# Two traced boots with the network are the same byte for byte. Both machines boot the system
# too: the network service, killed, is restarted by init and
# claims the card and its address again.
# Usage: net_test.sh sim ECLIPSE_SIM TEST_VNET LSPCI
#        net_test.sh pc SOURCE_DIR KERNEL VNET_IMAGE BOOT_IMAGE
set -uo pipefail
machine=$1
# shellcheck source=expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
if [[ $machine == sim ]]; then
	sim=$2 vnet=$3 lspci=$4
else
	src=$2 kernel=$3 image=$4 boot_image=$5
	command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
fi

# guest NETWORK [ARGS...]: the vnet guest on the machine with --net=NETWORK.
guest() {
	local net=$1
	shift
	if [[ $machine == sim ]]; then
		timeout 60 "$sim" --net="$net" "$vnet" "$@"
	else
		NET=$net timeout -k 5 60 bash "$src/scripts/run-metal.sh" "$kernel" "$image" "$*"
	fi
}

# A free port on 127.0.0.1 (nothing listens there once this returns).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [[ $machine == sim ]]; then
expect gateway 0 "a SYN to a closed port of the gateway is reset: ok" -- guest user
# The system's network service drives the card: lwIP gets the guest's address by DHCP.
expect dhcp 0 "^network: eth0: 10.0.2.15/24 by DHCP from 10.0.2.2, gateway none$" -- \
	"$sim" --net=user --max-time=3s
# Deterministic: frames enter at points on the virtual clock, so two boots with the network,
# traced, are the same byte for byte.
"$sim" --net=user --max-time=3s --trace=dev,sched >"$tmp/run1" 2>&1
"$sim" --net=user --max-time=3s --trace=dev,sched >"$tmp/run2" 2>&1
if grep -q "virtio-net: received" "$tmp/run1" && cmp -s "$tmp/run1" "$tmp/run2"; then
	passes=$((passes + 1))
else
	echo "FAIL deterministic: two traced boots differ (or received nothing):"
	diff "$tmp/run1" "$tmp/run2" | head -20
	failures=$((failures + 1))
fi
expect lspci 0 "^00:03.0 Ethernet controller \[0200\]: 1af4:1000$" -- \
	"$sim" --net=user "$lspci"
expect no-card 1 "a virtio network card is there: FAIL" -- "$sim" "$vnet"
expect bad-kind 2 "invalid --net 'tap': expected none or user" -- "$sim" --net=tap "$vnet"
expect bad-hostfwd 2 "invalid hostfwd 'tcp::70000-:80'" -- \
	"$sim" --net=user,hostfwd=tcp::70000-:80 "$vnet"
expect udp-hostfwd 2 "udp is not forwarded" -- "$sim" --net=user,hostfwd=udp::5555-:53 "$vnet"
expect bad-guestfwd 2 "invalid guestfwd" -- \
	"$sim" --net=user,guestfwd=tcp:10.0.2.100:80-cmd:cat "$vnet"
expect bad-option 2 "unknown --net=user option 'smb=/tmp'" -- "$sim" --net=user,smb=/tmp "$vnet"
expect guestfwd-outside 1 "^eclipse-sim: --net: guestfwd to 127.0.0.1:1: slirp refused" -- \
	"$sim" --net=user,guestfwd=tcp:192.168.0.1:80-tcp:127.0.0.1:1 "$vnet"

# A hostfwd port another socket holds.
python3 -c '
import socket, subprocess, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
r = subprocess.run([sys.argv[1], "--net=user,hostfwd=tcp::%d-:80" % s.getsockname()[1], sys.argv[2]],
                   capture_output=True, text=True, timeout=60)
ok = r.returncode == 1 and "Address already in use" in r.stderr
print("PASS" if ok else "FAIL port-in-use: exit %d: %s" % (r.returncode, r.stderr))
' "$sim" "$vnet" >"$tmp/inuse" 2>&1
if grep -q '^PASS' "$tmp/inuse"; then passes=$((passes + 1)); else cat "$tmp/inuse"; failures=$((failures + 1)); fi
fi

# The system booted to a shell that kills the network service: init restarts it, and the new
# one drives the card and gets the address again.
commands='sleep 1
kill -9 $(pidof network)
sleep 4
dmesg | grep -E "network"
poweroff'
if [[ $machine == sim ]]; then
	timeout 60 "$sim" --net=user --shell <<<"$commands" >"$tmp/restart" 2>&1
else
	NET=user timeout -k 5 120 bash "$src/scripts/run-metal.sh" "$kernel" "$boot_image" shell \
		<<<"$commands" >"$tmp/restart" 2>&1
fi
leases=$(grep -c "network: eth0: 10.0.2.15/24 by DHCP from 10.0.2.2" "$tmp/restart")
if [[ $leases == 2 ]] && grep -q "init: network (pid 3) killed by SIGKILL" "$tmp/restart" &&
	grep -q "init: network: restarted" "$tmp/restart"; then
	passes=$((passes + 1))
else
	echo "FAIL restart: $leases DHCP leases (want 2), console:"; sed 's/^/    /' "$tmp/restart" | tail -40
	failures=$((failures + 1))
fi

# hostfwd: the guest says it waits, a host client connects, the guest sees the SYN.
port=$(free_port)
guest user,hostfwd=tcp:127.0.0.1:"$port"-:80 hostfwd >"$tmp/hostfwd" 2>&1 &
guest=$!
for _ in $(seq 300); do
	grep -q "waiting for a host connection" "$tmp/hostfwd" && break
	sleep 0.1
done
python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.close()' "$port" 2>>"$tmp/hostfwd"
if wait "$guest" && grep -q "arrives as a SYN to 10.0.2.15:80: ok" "$tmp/hostfwd"; then
	passes=$((passes + 1))
else
	echo "FAIL hostfwd:"; sed 's/^/    /' "$tmp/hostfwd"; failures=$((failures + 1))
fi

# guestfwd: a host HTTP server on a port of its own choosing, its page fetched by the guest
# (on the sim recorded, and replayed once the server is gone).
mkdir "$tmp/www"
echo "a page on the host" >"$tmp/www/page.txt"
python3 -c '
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
server.timeout = 60
server.handle_request()' "$tmp/www" >"$tmp/port" 2>"$tmp/server.log" &
server=$!
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.1; done
port=$(cat "$tmp/port")
fwd=user,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:"$port"
if [[ $machine == sim ]]; then
	expect guestfwd 0 "^guestfwd body: a page on the host" -- \
		timeout 60 "$sim" --net="$fwd" --record="$tmp/fetch.rec" "$vnet" guestfwd
else
	expect guestfwd 0 "^guestfwd body: a page on the host" -- guest "$fwd" guestfwd
fi
grep -q "^guestfwd reply: HTTP/1.0 200 OK" "$tmp/out" || { echo "FAIL guestfwd reply:"; cat "$tmp/out"; failures=$((failures + 1)); }
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
if [[ $machine == sim ]]; then
	# The recorded fetch again, with the host's server gone: the log is the wire.
	cp "$tmp/out" "$tmp/fetch.out"
	expect replayed-fetch 0 "^guestfwd body: a page on the host" -- \
		timeout 60 "$sim" --net="$fwd" --replay="$tmp/fetch.rec" "$vnet" guestfwd
	if ! cmp -s "$tmp/fetch.out" "$tmp/out"; then
		echo "FAIL replayed-fetch: the replay's output differs:"
		diff "$tmp/fetch.out" "$tmp/out" | head; failures=$((failures + 1))
	fi
fi

# Contained: no rule, no host connection, even to a port that listens on the host's loopback.
python3 -c '
import select, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
seen = bool(select.select([s], [], [], 60)[0])
print("a host connection came" if seen else "no host connection")' >"$tmp/listener" &
listener=$!
for _ in $(seq 100); do [[ -s $tmp/listener ]] && break; sleep 0.1; done
expect contained 0 "to the host's loopback through the gateway is refused: ok" -- \
	guest user contained "$(head -1 "$tmp/listener")"
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
if grep -q "a host connection came" "$tmp/listener"; then
	echo "FAIL contained: the host's listener saw a connection"; failures=$((failures + 1))
fi

echo "$passes passed, $failures failed"
((failures == 0))
