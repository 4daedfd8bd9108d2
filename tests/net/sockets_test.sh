#!/usr/bin/env bash
# The booted system's sockets from the host, as a person uses them: busybox httpd in the guest
# and the host's curl through a hostfwd rule, 100 connections at once; the guest's wget of a
# host page through a guestfwd rule, by a name from /etc/hosts; ping; 64 MiB each way with a
# checksum (host to guest
# through hostfwd into busybox nc, guest to host through a guestfwd rule to a host listener);
# the network service killed in the middle of a transfer (the guest's reader gets an error,
# init restarts the service, httpd's listening socket is made again and answers, a new
# transfer works). On the sim (eclipse-sim --net=user,...) or on pc (QEMU's -netdev user,
# through scripts/run-metal.sh NET=...). All traffic stays on this machine's loopback; every
# wait is bounded.
# Usage: sockets_test.sh sim ECLIPSE_SIM BOOT_IMAGE
#        sockets_test.sh pc SOURCE_DIR KERNEL BOOT_IMAGE
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
machine=$1
if [[ $machine == sim ]]; then
	sim=$2 image=$3
else
	src=$2 kernel=$3 image=$4
	command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
fi
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 77; }
tmp=$(mktemp -d)
# shellcheck source=machine.sh
source "$here/machine.sh"
trap 'machine_cleanup; rm -rf "$tmp"' EXIT
failures=0
passes=0
fail() {
	echo "FAIL $1"
	failures=$((failures + 1))
}
pass() {
	passes=$((passes + 1))
}

size=$((64 << 20))
web=$(free_port)
nc_port=$(free_port)
host --timeout 600 listen "$tmp/out_port" >"$tmp/out_listener" 2>&1 &
for _ in $(seq 100); do [[ -s $tmp/out_port ]] && break; sleep 0.1; done
out_port=$(cat "$tmp/out_port")
# A web server on the host for the guest's wget: python3's, serving a page of ours.
mkdir "$tmp/www"
echo "a page on the host" >"$tmp/www/page.txt"
host --timeout 300 serve "$tmp/www" "$tmp/web_port" >"$tmp/web.log" 2>&1 &
for _ in $(seq 100); do [[ -s $tmp/web_port ]] && break; sleep 0.1; done
host_web=$(cat "$tmp/web_port")
boot "user,hostfwd=tcp:127.0.0.1:$web-:80,hostfwd=tcp:127.0.0.1:$nc_port-:5000,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:$out_port,guestfwd=tcp:10.0.2.101:80-tcp:127.0.0.1:$host_web"

# The address first (DHCP), then the web server.
say 'i=0; while ! ifconfig eth0 | grep -q "inet addr" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done'
say 'ifconfig eth0 | grep "inet addr" | sed "s/^ */ifconfig /"'
say 'mkdir -p /tmp/www && echo "<h1>Eclipse OS</h1>" >/tmp/www/index.html && httpd -p 80 -h /tmp/www && echo httpd-up'
if wait_for '^httpd-up' 60; then pass; else fail "httpd did not start"; fi
if console | grep -q "^ifconfig inet addr:10.0.2.15  Bcast:10.0.2.255  Mask:255.255.255.0"; then
	pass
else
	fail "ifconfig eth0: $(console | grep '^ifconfig')"
fi

# The host's curl fetches the page, and a missing one is a 404.
page=$(curl -sS -m 30 "http://127.0.0.1:$web/" 2>&1)
if [[ $page == "<h1>Eclipse OS</h1>" ]]; then pass; else fail "curl: '$page'"; fi
code=$(curl -sS -m 30 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$web/missing" 2>&1)
if [[ $code == 404 ]]; then pass; else fail "curl of a missing page: '$code'"; fi

# 100 connections at once from the host (httpd forks a child for each), then the guest's wget
# of the host's page through the guestfwd rule, by a name from /etc/hosts... and ping. The
# replies are read in the order the connections were made, and the guest serves them in its
# own: a socket can wait for nearly the whole batch, which under ASan, or QEMU with another
# test beside it, took over the 60 s this step allowed.
got=$(host --timeout 180 fetch --parallel "$web" / 100 2>&1)
if [[ $got == "fetched 100,"* ]]; then pass; else fail "100 connections at once: $got"; fi
say 'echo "10.0.2.101 hostweb" >>/etc/hosts; wget -q -O - http://hostweb/page.txt | sed "s/^/wget: /"'
say 'ping -c 1 gateway | grep -q "1 packets received" && echo "ping: the gateway answers"'
if wait_for '^wget: a page on the host$' 60; then pass; else fail "wget through the guestfwd rule"; fi
if wait_for '^ping: the gateway answers$' 30; then pass; else fail "ping the gateway"; fi

# 64 MiB from the host into the guest's nc, checksummed at both ends.
say '(nc -l -p 5000 | md5sum | sed "s/ .*//; s/^/in-md5 /") & sleep 1; echo nc-up'
wait_for '^nc-up' 30 || fail "nc did not start"
sent=$(host --timeout 120 send "$nc_port" "$size")
if wait_for '^in-md5 ' 120 && [[ "sent $size $(value in-md5)" == "${sent% *}" ]]; then
	pass
else
	fail "64 MiB host to guest: the host $sent, the guest $(value in-md5)"
fi

# 64 MiB from the guest to a host listener through the guestfwd rule: zeros, whose checksum
# the host knows (random bytes made and checksummed in the guest take minutes under TCG).
zeros=$(head -c "$size" /dev/zero | md5sum | cut -d' ' -f1)
say 'dd if=/dev/zero bs=65536 count=1024 2>/dev/null | nc 10.0.2.100 80; echo out-done'
if wait_for '^out-done' 240 &&
	[[ "$(cut -d' ' -f1-3 "$tmp/out_listener")" == "received $size $zeros" ]]; then
	pass
else
	fail "64 MiB guest to host: the host '$(cat "$tmp/out_listener")', want $zeros"
fi

# The network service killed in the middle of a transfer into the guest.
# (busybox nc ends quietly on a read error: what it got says that it was cut short.)
say '(nc -l -p 5000 | wc -c | sed "s/^/reader-got /") & (sleep 4; kill -9 $(pidof network); echo killed) & sleep 1; echo nc-up-2'
wait_for '^nc-up-2' 30 || fail "the second nc did not start"
host --timeout 20 send "$nc_port" $((1 << 30)) >"$tmp/doomed" 2>&1 &
doomed=$!
if wait_for '^reader-got ' 60 && (($(value reader-got) < (1 << 30))) && console | grep -q '^killed'; then
	pass
else
	fail "the transfer was not cut short: the reader got $(value reader-got), the host: $(cat "$tmp/doomed")"
fi
kill "$doomed" 2>/dev/null
wait "$doomed" 2>/dev/null
# init restarts it; it gets its address again; httpd's listener is made again.
say 'i=0; while ! dmesg | grep -q "network: restarted" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; sleep 3; echo restarted'
wait_for '^restarted' 60 || fail "no restart seen"
page=$(curl -sS -m 30 "http://127.0.0.1:$web/" 2>&1)
if [[ $page == "<h1>Eclipse OS</h1>" ]]; then pass; else fail "curl after the restart: '$page'"; fi
say '(nc -l -p 5000 | md5sum | sed "s/ .*//; s/^/again-md5 /") & sleep 1; echo nc-up-3'
wait_for '^nc-up-3' 30 || fail "the third nc did not start"
sent=$(host --timeout 60 send "$nc_port" $((1 << 20)))
if wait_for '^again-md5 ' 60 && [[ "sent $((1 << 20)) $(value again-md5)" == "${sent% *}" ]]; then
	pass
else
	fail "a transfer after the restart: the host $sent, the guest $(value again-md5)"
fi

poweroff || fail "the machine did not power off in 60 s"
if ((failures)); then
	echo "--- the console:"
	sed 's/^/    /' "$tmp/console" | tail -60
fi
echo "$passes passed, $failures failed"
((failures == 0))
