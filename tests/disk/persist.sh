#!/usr/bin/env bash
# A person's disk on the sim: files the shell writes (small, large with indirect blocks,
# sparse, a directory, links, modes) are on the image after a clean poweroff, e2fsck -fn finds
# it clean, debugfs reads the same bytes, and a second boot finds them. Then a small disk
# filled to the last block: ENOSPC for the writer, and the filesystem still clean. And the
# services come from the disk's /sbin.
#
# usage: persist.sh SOURCE_DIR BUILD_DIR
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
disk=$work/disk.img
make_test_disk "$disk"

sim_shell "$work/first.txt" "$disk" 'echo written-on-disk > /etc/note' 'mkdir /data' \
	'seq 1 200000 > /data/seq' 'ln -s /data/seq /data/link' 'ln /etc/note /data/hard' \
	'dd if=/dev/zero of=/data/sparse bs=1 count=1 seek=5000000 2>/dev/null' \
	'chmod 600 /etc/note' 'rm /etc/motd' 'sync' 'dmesg | grep "serving /"' || finish
grep -q '] filesystem: serving / from the disk at 00:02.0: ext2, 64 MiB$' "$work/first.txt" ||
	fail "the filesystem service did not serve / from the disk"
fs_clean "$disk" "after a clean poweroff"
check "/etc/note as debugfs reads it" written-on-disk "$(disk_cat "$disk" /etc/note)"
check "/data/seq as debugfs reads it" "$(seq 1 200000 | md5sum)" "$(disk_cat "$disk" /data/seq | md5sum)"
check "/data/link" /data/seq "$(debugfs -R 'stat /data/link' "$disk" 2>/dev/null |
	sed -n 's/^Fast link dest: "\(.*\)"$/\1/p')"
stat_note=$(debugfs -R 'stat /etc/note' "$disk" 2>/dev/null)
check "/etc/note's mode" 0600 "$(sed -n 's/.*Mode: *\([0-7]*\).*/\1/p' <<<"$stat_note")"
check "/etc/note's links" 2 "$(sed -n 's/^Links: \([0-9]*\).*/\1/p' <<<"$stat_note")"
sparse=$(debugfs -R 'stat /data/sparse' "$disk" 2>/dev/null)
check "/data/sparse's size" 5000001 "$(sed -n 's/.*Size: \([0-9]*\).*/\1/p' <<<"$sparse" | head -1)"
check "/data/sparse's blocks (its data block and two of the double indirect map)" 24 "$(sed -n 's/.*Blockcount: \([0-9]*\).*/\1/p' <<<"$sparse")"
debugfs -R 'stat /etc/motd' "$disk" 2>&1 | grep -q 'File not found' || fail "/etc/motd is still there"

sim_shell "$work/second.txt" "$disk" 'cat /data/hard' 'md5sum /data/link' 'ls -l /etc/note' \
	'ls /etc/motd' || finish
check "/data/hard after a reboot" 1 "$(grep -c '^written-on-disk$' "$work/second.txt")"
check "/data/seq after a reboot" 1 \
	"$(grep -c "^$(seq 1 200000 | md5sum | cut -d' ' -f1)  /data/link\$" "$work/second.txt")"
grep -q '^-rw------- *2 root *root *16 .* /etc/note$' "$work/second.txt" ||
	fail "ls -l /etc/note after a reboot: $(grep /etc/note "$work/second.txt")"
grep -q "/etc/motd: No such file or directory" "$work/second.txt" || fail "/etc/motd came back"
fs_clean "$disk" "after the second boot"

small=$work/small.img
make_test_disk "$small" 16
sim_shell "$work/full.txt" "$small" 'dd if=/dev/zero of=/fill bs=64k 2>&1 | tail -1' \
	'echo still > /etc/after-full' 'rm /fill' 'echo fine > /etc/after-rm' 'df /' || finish
grep -q "No space left on device" "$work/full.txt" || fail "filling the disk did not end in ENOSPC"
fs_clean "$small" "after a full disk"
check "a file written after the space came back" fine "$(disk_cat "$small" /etc/after-rm)"
debugfs -R 'stat /fill' "$small" 2>&1 | grep -q 'File not found' || fail "/fill is still there"
# With a disk, / is the disk and init starts the services from its /sbin: one removed from the
# disk (it is still in the boot image) does not start.
debugfs -w -R 'rm /sbin/audio' "$small" >/dev/null 2>&1
sim_shell "$work/nosvc.txt" "$small" 'dmesg | grep "audio: cannot execute"' || finish
grep -q "init: audio: cannot execute /sbin/audio: No such file or directory" "$work/nosvc.txt" ||
	fail "a service removed from the disk still started: $(grep audio "$work/nosvc.txt")"
finish "files written on the sim's disk are there after a reboot, and e2fsck finds it clean"
