#!/usr/bin/env bash
# The pc kernel under QEMU with a virtio disk (scripts/make-disk.sh's ext2 image of the default
# boot image): the filesystem service serves / from it, a shell writes files, the system powers
# off, and e2fsprogs (the external oracle) finds the filesystem clean and the files whole; a
# second boot reads them back. Exits 77 without QEMU or e2fsprogs.
#
# usage: disk.sh SOURCE_DIR KERNEL IMAGE
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
[[ $# -eq 3 ]] || { sed -n '7s/^# //p' "${BASH_SOURCE[0]}" >&2; exit 2; }
src=$1 kernel=$2 image=$3
pc_require_qemu
PATH=$PATH:/sbin:/usr/sbin
for tool in mke2fs e2fsck debugfs dumpe2fs; do
	command -v "$tool" >/dev/null || { echo "SKIP: no $tool (e2fsprogs)"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
disk=$work/disk.img
bash "$src/scripts/make-disk.sh" "$image" "$disk" 32 >/dev/null

# boot OUT COMMANDS...: the console shell runs the commands, piped in at once (typed ahead of
# the boot: none may be lost), then powers off.
boot() {
	local out=$1
	shift
	printf '%s\n' "$@" poweroff |
		timeout -k 5 240 env DISK="$disk" bash "$src/scripts/run-metal.sh" "$kernel" "$image" shell \
			>"$out" 2>&1 || { echo "FAIL: the boot did not end well:"; tail -20 "$out"; exit 1; }
}

fail=0
check() { # what expected actual
	if [[ $2 != "$3" ]]; then
		echo "FAIL: $1: expected '$2', got '$3'"
		fail=1
	fi
}

# The services' messages are in the kernel log (dmesg) when the console has a shell.
boot "$work/first.txt" 'echo written-on-disk > /etc/note' 'mkdir /data' \
	'seq 1 20000 > /data/seq' 'ln -s /data/seq /data/link' 'sync' 'dmesg | grep "serving /"'
grep -q '] filesystem: serving / from the disk at 00:0' "$work/first.txt" ||
	{ echo "FAIL: the filesystem service did not serve / from the disk:"; cat "$work/first.txt"; exit 1; }
check "the filesystem's state after a clean shutdown" clean \
	"$(dumpe2fs -h "$disk" 2>/dev/null | sed -n 's/^Filesystem state: *//p')"
e2fsck -fn "$disk" >"$work/fsck.txt" 2>&1 || { echo "FAIL: e2fsck -fn after a clean shutdown:"; cat "$work/fsck.txt"; fail=1; }
check "/etc/note as debugfs reads it" written-on-disk "$(debugfs -R 'cat /etc/note' "$disk" 2>/dev/null)"
check "/data/seq as debugfs reads it" "$(seq 1 20000 | md5sum)" "$(debugfs -R 'cat /data/seq' "$disk" 2>/dev/null | md5sum)"
check "/data/link" /data/seq "$(debugfs -R 'stat /data/link' "$disk" 2>/dev/null | sed -n 's/^Fast link dest: "\(.*\)"$/\1/p')"

boot "$work/second.txt" 'cat /etc/note' 'md5sum /data/link'
check "/etc/note after a reboot" 1 "$(grep -c '^written-on-disk' "$work/second.txt" || true)"
check "/data/seq after a reboot" 1 "$(grep -c "^$(seq 1 20000 | md5sum | cut -d' ' -f1)  /data/link" "$work/second.txt" || true)"
e2fsck -fn "$disk" >"$work/fsck2.txt" 2>&1 || { echo "FAIL: e2fsck -fn after the second boot:"; cat "$work/fsck2.txt"; fail=1; }
if ((fail)); then # what the consoles showed, to tell a lost command from a lost write
	for f in first second; do echo "--- the $f boot's console:"; cat "$work/$f.txt"; done
fi
((fail == 0)) && echo "PASS: the disk keeps its files across reboots, and e2fsck finds it clean"
exit "$fail"
