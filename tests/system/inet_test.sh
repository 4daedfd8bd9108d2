#!/usr/bin/env bash
# Internet sockets on the booted system: tests/guest/inet.c runs natively (Linux's loopback)
# and from the booted system's shell (the network service's lwIP), and both print the same.
# Usage: inet_test.sh BUILD_DIR
set -uo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prog=$build/guest/test_inet
timeout 60 "$prog" >"$tmp/native" 2>&1
native=$?
timeout 120 "$build/eclipse-sim" --image="$build/boot.cpio" --root="$build/guest" --shell \
	>"$tmp/console" 2>&1 <<'COMMANDS'
/test_inet >/tmp/out 2>&1; echo "status $?" >>/tmp/out
cat /tmp/out
poweroff
COMMANDS
sed -n '/^socket(AF_INET, SOCK_SEQPACKET/,/^status /p' "$tmp/console" >"$tmp/sim"
fail=0
if [[ $native != 0 ]]; then
	echo "FAIL: the native run failed ($native):"
	grep -v ': ok$' "$tmp/native"
	fail=1
fi
if ! grep -qx "status 0" "$tmp/sim"; then
	echo "FAIL: the run on the booted system failed:"
	grep -v ': ok$' "$tmp/sim"
	fail=1
fi
if ! diff <(cat "$tmp/native"; echo "status 0") "$tmp/sim" >"$tmp/diff"; then
	echo "FAIL: the two runs differ (< native, > Eclipse):"
	cat "$tmp/diff"
	fail=1
fi
if ((fail)); then
	echo "--- the console:"
	cat "$tmp/console"
	exit 1
fi
echo "PASS: $(grep -c ': ok$' "$tmp/sim") checks, the same on Linux and on Eclipse"
