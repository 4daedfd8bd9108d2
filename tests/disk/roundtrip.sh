#!/usr/bin/env bash
# One image, two machines: the sim writes files (disk_writer's, and a tree made by the shell),
# the pc kernel under QEMU reads them back, checks them and writes more, and the sim reads
# those; the image is clean after each machine's poweroff. The same driver binary and the same
# filesystem code run on both, so a difference would show where the machines differ. Exits 77
# without QEMU.
#
# usage: roundtrip.sh SOURCE_DIR BUILD_DIR
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
disk=$work/disk.img
make_test_disk "$disk"

sim_shell "$work/sim1.txt" "$disk" 'mkdir /data' 'disk_writer /data/w 40 | md5sum > /data/sim-list' \
	'mkdir -p /data/tree/a/b && seq 1 5000 > /data/tree/a/b/seq && ln -s a/b/seq /data/tree/s' \
	'md5sum /data/w/f* > /data/sim-sums' || finish
fs_clean "$disk" "after the sim wrote"

pc_shell "$work/pc.txt" "$disk" 'cd /data/w && md5sum -c /data/sim-sums | grep -c ": OK$"' \
	'cat /data/tree/s | tail -1' 'disk_writer /data/pc 40 | md5sum | cmp - /data/sim-list && echo same-on-pc' \
	'md5sum /data/pc/f* > /data/pc-sums' 'echo from-pc > /data/tree/a/note' || finish
check "files the sim wrote, checked on the pc" 1 "$(grep -c '^40$' "$work/pc.txt")"
check "the sim's tree through its link, on the pc" 1 "$(grep -c '^5000$' "$work/pc.txt")"
check "the writer's report on the pc, as on the sim" 1 "$(grep -c '^same-on-pc$' "$work/pc.txt")"
fs_clean "$disk" "after the pc wrote"

sim_shell "$work/sim2.txt" "$disk" 'cd /data/pc && md5sum -c /data/pc-sums | grep -c ": OK$"' \
	'cat /data/tree/a/note' || finish
check "files the pc wrote, checked on the sim" 1 "$(grep -c '^40$' "$work/sim2.txt")"
check "the pc's note on the sim" 1 "$(grep -c '^from-pc$' "$work/sim2.txt")"
fs_clean "$disk" "after the sim read back"
finish "sim -> pc -> sim on one image"
