#!/usr/bin/env bash
# Writes a raw disk image holding an ext2 filesystem (revision 1, 4 KiB blocks) with the files
# of a boot image: the system's programs and /etc, for eclipse-sim --disk=IMAGE and QEMU's
# -drive file=IMAGE,if=virtio,format=raw. Made with e2fsprogs' mke2fs -d from the archive
# unpacked into a scratch directory; files keep the archive's modes and times, and belong to
# root (uid and gid 0) when this runs as root, else to the user running it.
#
# usage: make-disk.sh BOOT_IMAGE OUTPUT [SIZE_MIB]
#   BOOT_IMAGE  a cpio archive (build/boot.cpio)
#   OUTPUT      the disk image to write (replaced)
#   SIZE_MIB    its size, 64 by default
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
	sed -n '8,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
fi
image=$1 output=$2 size=${3:-64}
if [[ ! -r $image ]]; then
	echo "make-disk.sh: cannot read the boot image '$image'" >&2
	exit 1
fi
if [[ ! $size =~ ^[0-9]+$ ]] || ((size < 8)); then
	echo "make-disk.sh: the size is in MiB, at least 8: got '$size'" >&2
	exit 2
fi
mke2fs=$(command -v mke2fs || echo /sbin/mke2fs)
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
image=$(realpath "$image")
(cd "$tree" && cpio --quiet -idm --no-absolute-filenames <"$image")
# The kernel's mount points and a scratch directory, as the filesystem service makes them.
mkdir -p "$tree/dev" "$tree/proc" "$tree/boot" "$tree/tmp"
chmod 1777 "$tree/tmp"
rm -f "$output"
"$mke2fs" -q -F -t ext2 -b 4096 -L eclipse -d "$tree" "$output" "${size}M" >/dev/null
echo "make-disk.sh: $output: ext2, $size MiB, with the files of the boot image"
