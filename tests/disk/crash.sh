#!/usr/bin/env bash
# Crashes: the machine (the simulator, or with "pc" QEMU running the pc kernel) SIGKILLed while disk_writer (writer.c) writes and fsyncs file after
# file with unsynced churn between them, at a point drawn from a seed: after K files were
# reported synced, D ms later (the seed is printed; CRASH_SEED draws the same K and D again,
# though how far the guest gets in D ms is the host's business; CRASH_RUNS runs, 8 by default). Nothing shuts down: the image
# holds what the device had completed. After each crash e2fsck -p repairs the image alone (exit
# 0 or 1), e2fsck -fn then finds it clean, and every file the writer reported synced reads back
# with its size and hash; the next boot mounts the repaired image and writes on.
#
# usage: crash.sh SOURCE_DIR BUILD_DIR [sim|pc]
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
machine=${3:-sim}
# shellcheck source=lib.sh
source "$here/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
if [[ $machine == pc ]]; then
	command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
	boot=pc_shell runs=${CRASH_RUNS:-4}
else
	boot=sim_shell runs=${CRASH_RUNS:-8}
fi
base=$work/base.img
make_test_disk "$base"
seed=${CRASH_SEED:-$(( (RANDOM << 15) | RANDOM ))}
repaired=0
for ((run = 0; run < runs; run++)); do
	disk=$work/disk$run.img
	cp "$base" "$disk"
	s=$((seed + run))
	python3 "$here/crash.py" run "$machine" "$build" "$image" "$disk" "$s" "$work/synced$run" || { fail "run $run"; continue; }
	e2fsck -p "$disk" >"$work/fsck.txt" 2>&1
	rc=$?
	if ((rc > 1)); then
		fail "seed $s: e2fsck -p exit status $rc:"
		cat "$work/fsck.txt"
		continue
	fi
	((rc == 1)) && repaired=$((repaired + 1))
	fs_clean "$disk" "after the crash with seed $s and e2fsck -p" || continue
	python3 "$here/crash.py" verify "$disk" "$work/synced$run" || fail "seed $s: synced files lost"
	rm -f "$disk"
done

# A crashed and repaired image boots and takes more writes.
disk=$work/again.img
cp "$base" "$disk"
python3 "$here/crash.py" run "$machine" "$build" "$image" "$disk" "$seed" "$work/synced-again" >/dev/null ||
	fail "the crash before the reboot"
e2fsck -p "$disk" >/dev/null 2>&1
"$boot" "$work/again.txt" "$disk" 'disk_writer /data/more 5 | tail -1' 'ls /data | wc -l' || finish
grep -q '^done$' "$work/again.txt" || fail "disk_writer after a crash and a repair: $(tail -5 "$work/again.txt")"
fs_clean "$disk" "after writing on a repaired image"
finish "$machine: $runs crashes from seed $seed (CRASH_SEED=$seed draws the same kill points); e2fsck -p corrected errors after $repaired"
