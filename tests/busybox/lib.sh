# shellcheck shell=bash
# Shared by the busybox tests (README.md here): one root holding the default boot image's files,
# booted in Eclipse OS on the simulator, and the same files as a chroot natively.
#
# bb_make_root BUILD ROOT        extract BUILD/boot.cpio (system, /bin/busybox and its applet
#                                links) into ROOT, with /tmp (1777), /dev and /proc mount points
# bb_make_image MKIMAGE ROOT OUT write ROOT as the boot image OUT (eclipse-mkimage @LIST)
# bb_sim SECONDS SIM IMAGE ROOT ARGS...
#                                run ROOT's /bin/busybox with ARGS as process 1 of a standalone
#                                eclipse-sim run of IMAGE (a writable / holding IMAGE's files);
#                                killed after SECONDS of real time (status 124)
# bb_native SECONDS ROOT ARGS... run /bin/busybox ARGS chrooted in ROOT, in new mount and pid
#                                namespaces (proc mounted, device nodes made), as root
# bb_native_ok                   whether bb_native can run here (root, unshare, chroot)
#
# Both sides get the same environment: BB_ENV, no more.

BB_ENV=(PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb)

bb_make_root() {
	local build=$1 root=$2
	mkdir -p "$root" || return 1
	(cd "$root" && cpio -idm --quiet --no-absolute-filenames) <"$build/boot.cpio" || return 1
	mkdir -p "$root/tmp" "$root/dev" "$root/proc" "$root/root" && chmod 1777 "$root/tmp"
}

# One eclipse-mkimage entry (two lines with its --mode) for each file, directory and symbolic
# link under ROOT, parents first.
bb_image_list() {
	local root
	root=$(cd "$1" && pwd) || return 1
	(cd "$root" && find . -mindepth 1 ! -path ./dev/\* ! -path ./proc/\* -printf '%P\t%y\t%m\t%l\n') |
		LC_ALL=C sort |
		awk -v root="$root" -F '\t' '
			$2 == "l" { printf "--link=/%s=%s\n", $1, $4 }
			$2 == "d" { printf "--mode=0%s\n--dir=/%s\n", $3, $1 }
			$2 == "f" { printf "--mode=0%s\n/%s=%s/%s\n", $3, $1, root, $1 }'
}

bb_make_image() {
	local mkimage=$1 root=$2 out=$3
	bb_image_list "$root" >"$out.list" || return 1
	"$mkimage" "$out" "@$out.list"
}

bb_sim() {
	local seconds=$1 sim=$2 image=$3 root=$4
	shift 4
	env -i "${BB_ENV[@]}" timeout -k 5 "$seconds" \
		"$sim" --image="$image" "$root/bin/busybox" "$@"
}

bb_native_ok() {
	((EUID == 0)) && command -v unshare >/dev/null && command -v chroot >/dev/null &&
		unshare --mount --pid --fork true 2>/dev/null
}

# The device nodes the sim's /dev has, that the tests use.
bb_make_devices() {
	local root=$1 name major minor
	while read -r name major minor; do
		[[ -e $root/dev/$name ]] || mknod -m 666 "$root/dev/$name" c "$major" "$minor" || return 1
	done <<-EOF
		null 1 3
		zero 1 5
		full 1 7
		random 1 8
		urandom 1 9
		tty 5 0
	EOF
}

bb_native() {
	local seconds=$1 root=$2
	shift 2
	bb_make_devices "$root" || return 1
	# The namespaces end with their first process: the proc mount and every process left go
	# with them, also when timeout kills unshare.
	env -i "${BB_ENV[@]}" timeout -k 5 "$seconds" \
		unshare --mount --pid --fork --kill-child --mount-proc="$root/proc" \
		chroot "$root" /bin/busybox "$@"
}
