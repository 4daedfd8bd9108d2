#!/usr/bin/env bash
# The disk driver killed in the middle of its work: while dd writes a large file, the shell
# SIGKILLs the filesystem service at three points on the virtual clock. Each time init restarts
# it, the new driver resets the device and mounts the disk again, warning that it was not
# unmounted clean; the writer gets an error, not a hang; files written after the restart are
# there. The device trace shows that the kills landed while a request was in flight (the DMA
# refused once the kernel took bus mastering away, the request abandoned at the reset).
# Afterwards the image is marked unclean, e2fsck -p checks it and finds nothing it cannot fix
# by itself, and a second boot mounts it clean.
#
# usage: driver_kill.sh SOURCE_DIR BUILD_DIR
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
disk=$work/disk.img
make_test_disk "$disk"

# The service's pid is taken first: pidof is a program, and running it reads the disk.
cmds=('mkdir /data')
delays=(0.02 0.031 0.047)
for i in "${!delays[@]}"; do
	cmds+=("p=\$(pidof filesystem); dd if=/dev/zero of=/data/big$i bs=64k count=400 2>/dev/null &"
		"sleep ${delays[i]}; kill -9 \$p; wait; sleep 3"
		"echo after-$i > /data/after$i; sync; cat /data/after$i")
done
cmds+=('dmesg | grep -E "filesystem.*(restart|warning)"')
sim_opts=(--trace=dev --trace-file="$work/trace.txt")
sim_shell "$work/boot.txt" "$disk" "${cmds[@]}" || finish
sim_opts=()

for i in "${!delays[@]}"; do
	check "the file written after restart $((i + 1))" 1 "$(grep -c "^after-$i\$" "$work/boot.txt")"
done
check "restarts in the log" 3 "$(grep -c "init: filesystem: restarted" "$work/boot.txt")"
check "unclean-mount warnings" 3 "$(grep -c "filesystem: warning: the filesystem was not unmounted clean" "$work/boot.txt")"
# Five resets: the first driver's, one per restart, the last driver's at the poweroff.
check "device resets" 5 "$(grep -c "virtio-blk: reset$" "$work/trace.txt")"
abandoned=$(grep -c "virtio-blk: request [0-9]* abandoned$" "$work/trace.txt")
((abandoned >= 1)) || fail "no kill landed while a request was in flight (see the trace below)"
grep -q "DMA .* refused: bus mastering is off" "$work/trace.txt" ||
	fail "the device's DMA went on after its driver died"
if ((failures)); then
	grep -E "reset|abandoned|refused" "$work/trace.txt" | head -20
fi

# What sync wrote is on the image, before any repair.
for i in "${!delays[@]}"; do
	check "/data/after$i on the image" "after-$i" "$(disk_cat "$disk" "/data/after$i")"
done

# The image says it was not unmounted clean; e2fsck -p fixes what there is, alone.
state=$(dumpe2fs -h "$disk" 2>/dev/null | sed -n 's/^Filesystem state: *//p')
[[ $state != clean ]] || fail "the image is marked clean after its driver was killed"
e2fsck -p "$disk" >"$work/fsck-p.txt" 2>&1
rc=$?
((rc <= 1)) || { fail "e2fsck -p exit status $rc:"; cat "$work/fsck-p.txt"; }
fs_clean "$disk" "after e2fsck -p"
check "/data/after0 after e2fsck -p" after-0 "$(disk_cat "$disk" /data/after0)"

# Checked, it mounts clean again: no warning, and it is clean after the poweroff.
sim_shell "$work/second.txt" "$disk" 'cat /data/after2' 'dmesg | grep warning' || finish
check "/data/after2 at the second boot" 1 "$(grep -c '^after-2$' "$work/second.txt")"
grep -q "not unmounted clean" "$work/second.txt" && fail "a checked disk still warns at mount"
fs_clean "$disk" "after the second boot"
finish "the driver killed ${#delays[@]} times, $abandoned in a request; restarted, e2fsck -p rc $rc"
