#!/usr/bin/env bash
# A differential script (diff/*.sh): the same busybox sh script natively, chrooted in a root
# holding the default boot image's files, and inside Eclipse OS on the simulator booted from
# those files. Their standard output and exit status must be equal; standard error is shown
# when they are not.
# Usage: run_diff.sh BUILD_DIR SCRIPT
set -uo pipefail
build=$1 script=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
limit=${BB_TIMEOUT:-60}

if ! bb_native_ok; then
	echo "SKIP: the native side needs root, unshare and chroot"
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bbdiff.XXXXXX")
trap 'rm -rf "$work"' EXIT

root=$work/root
bb_make_root "$build" "$root" || { echo "FAIL: cannot unpack $build/boot.cpio"; exit 1; }
cp "$script" "$root/test.sh"
bb_make_image "$build/eclipse-mkimage" "$root" "$work/image.cpio" ||
	{ echo "FAIL: cannot write the boot image"; exit 1; }

bb_sim "$limit" "$build/eclipse-sim" "$work/image.cpio" "$root" sh /test.sh \
	</dev/null >"$work/sim.out" 2>"$work/sim.err"
sim_rc=$?
bb_native "$limit" "$root" sh /test.sh </dev/null >"$work/native.out" 2>"$work/native.err"
native_rc=$?

name=$(basename "$script" .sh)
if [[ $sim_rc == "$native_rc" ]] && cmp -s "$work/native.out" "$work/sim.out"; then
	echo "PASS: $name: $(wc -l <"$work/sim.out") lines and exit status $sim_rc alike"
	exit 0
fi
echo "FAIL: $name: exit status $sim_rc on Eclipse OS, $native_rc natively"
echo "--- standard output, natively (-) and on Eclipse OS (+):"
diff -u "$work/native.out" "$work/sim.out" | tail -n +3
echo "--- standard error on Eclipse OS:"
head -n 40 "$work/sim.err"
echo "--- standard error natively:"
head -n 40 "$work/native.err"
exit 1
