# Sourced by the disk tests (bash) with the source and build trees as $1 and $2: tools, a test
# disk, boots of the sim (and of the pc kernel under QEMU) whose console shell runs commands, and
# checks that print FAIL and count. Exits 77 (skipped) without e2fsprogs.
set -uo pipefail
src=$(cd "${1:?usage: $0 SOURCE_DIR BUILD_DIR}" && pwd) || exit 2
build=$(cd "${2:?usage: $0 SOURCE_DIR BUILD_DIR}" && pwd) || exit 2
readonly src build
readonly sim=$build/eclipse-sim image=$build/boot.cpio writer=$build/guest/disk_writer
PATH=$PATH:/sbin:/usr/sbin
for tool in mke2fs e2fsck debugfs dumpe2fs; do
	command -v "$tool" >/dev/null || { echo "SKIP: no $tool (e2fsprogs)"; exit 77; }
done
work=$(mktemp -d)
readonly work
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# check WHAT EXPECTED ACTUAL
check() {
	[[ $2 == "$3" ]] || fail "$1: expected '$2', got '$3'"
}

# finish: the verdict (PASS line with $1) and the exit status.
finish() {
	((failures == 0)) && echo "PASS: $1"
	exit $((failures > 0))
}

# make_test_disk OUT [MIB]: the default image's files on ext2, and /bin/disk_writer.
make_test_disk() {
	bash "$src/scripts/make-disk.sh" "$image" "$1" "${2:-64}" >/dev/null || exit 1
	debugfs -w -R "write $writer /bin/disk_writer" "$1" >/dev/null 2>&1 || exit 1
}

# sim_shell OUT DISK COMMANDS...: boots the sim with DISK (and the options in the array
# sim_opts); its console shell runs the commands, then powers off. The transcript goes to OUT;
# the boot failing or hanging is a failure.
sim_opts=()
sim_shell() {
	local out=$1 disk=$2
	shift 2
	printf '%s\n' "$@" poweroff |
		timeout -k 5 120 "$sim" "${sim_opts[@]}" --image="$image" --disk="$disk" --shell \
		>"$out" 2>&1 || { fail "the sim's boot did not end well:"; tail -20 "$out"; return 1; }
}

# pc_shell OUT DISK COMMANDS...: the same on the pc kernel under QEMU (the console may drop
# what comes before the shell reads: a first empty line).
pc_shell() {
	local out=$1 disk=$2
	shift 2
	{ printf '\n'; printf '%s\n' "$@" poweroff; } |
		timeout -k 5 240 env DISK="$disk" bash "$src/scripts/run-metal.sh" "$build/eclipse-pc" \
			"$image" shell >"$out" 2>&1 ||
		{ fail "the pc's boot did not end well:"; tail -20 "$out"; return 1; }
	sed -i 's/\r$//' "$out" # the serial console's line ends
}

# fs_clean DISK WHEN: the filesystem's state flag is clean and e2fsck -fn finds nothing.
fs_clean() {
	check "the filesystem's state $2" clean \
		"$(dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Filesystem state: *//p')"
	e2fsck -fn "$1" >"$work/fsck.txt" 2>&1 || { fail "e2fsck -fn $2:"; cat "$work/fsck.txt"; }
}

# disk_cat DISK PATH: a file's bytes as debugfs reads them.
disk_cat() {
	debugfs -R "cat $2" "$1" 2>/dev/null
}
