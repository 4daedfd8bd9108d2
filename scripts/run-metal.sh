#!/usr/bin/env bash
# Boots the pc kernel under QEMU with a boot image, its console (COM1) on this terminal, and
# exits with the system's status, as eclipse-sim does: what the terminal shows is the system's
# own output, without firmware banners or escape codes. Ctrl-C goes to the system (the first
# asks init to shut down, the next stops it); Ctrl-A X quits QEMU.
#
# usage: run-metal.sh KERNEL IMAGE [KERNEL_ARGS]
#   KERNEL       the pc kernel (build/eclipse-pc)
#   IMAGE        the boot image (build/boot.cpio)
#   KERNEL_ARGS  its command line: max-time=DURATION trace=LIST max-procs=N, and words for
#                init ("shell")
# DISK=FILE in the environment adds a virtio disk (-drive file=FILE,if=virtio,format=raw), the
# same raw image eclipse-sim --disk=FILE takes. NET=user[,RULE]... adds a virtio-net card at
# 00:03.0 on QEMU's user-mode network, restricted, with eclipse-sim --net's rules: hostfwd
# listens on 127.0.0.1 unless it names an address; guestfwd=tcp:GA:GP-tcp:HOST:PORT runs
# eclipse-sim --net-relay=HOST:PORT (next to KERNEL, or $ECLIPSE_SIM) for each connection.
#
# AUDIO=wav:FILE writes what the sound card (QEMU's AC97 at 00:05.0, as the sim has it) plays
# to FILE, 48 kHz 16-bit stereo; AUDIO=sdl plays it on the host's sound; none (the default)
# plays it nowhere.
#
# WINDOW=sdl (or gtk) shows the screen, QEMU's VGA, in a window that takes the keyboard and
# mouse (Debian's qemu-system-gui); without it the screen is not shown.
#
# The kernel writes its status to QEMU's debug console port as its last act; QEMU's own exit
# code (isa-debug-exit) holds only 7 bits of it. Without that byte (QEMU quit or failed, or the
# machine reset itself) this says so on stderr and exits 1.
set -uo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
	sed -n '7,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
fi
kernel=$1 image=$2 args=${3-}
status_file=$(mktemp)
trap 'rm -f "$status_file"' EXIT

# -nodefaults: no network card or option ROMs to print banners (the VGA at 00:04.0, as the sim
# has it, without its ROM); one serial port on stdio,
# shared with QEMU's monitor (Ctrl-A c), Ctrl-C passed on to the system rather than to QEMU.
disk=()
if [[ -n ${DISK-} ]]; then
	disk=(-drive "file=$DISK,if=virtio,format=raw")
fi
net=()
if [[ -n ${NET-} && $NET != none ]]; then
	relay=${ECLIPSE_SIM:-$(dirname "$kernel")/eclipse-sim}
	netdev=user,id=net0,restrict=on
	IFS=, read -ra rules <<<"$NET"
	[[ ${rules[0]} == user ]] || { echo "run-metal.sh: NET=$NET: expected none or user[,RULE]..." >&2; exit 2; }
	for rule in "${rules[@]:1}"; do
		case $rule in
		hostfwd=tcp::*) netdev+=",hostfwd=tcp:127.0.0.1:${rule#hostfwd=tcp::}" ;;
		hostfwd=:*) netdev+=",hostfwd=tcp:127.0.0.1${rule#hostfwd=}" ;;
		hostfwd=tcp:*) netdev+=",$rule" ;;
		guestfwd=*-tcp:*:*) netdev+=",${rule%%-tcp:*}-cmd:$relay --net-relay=${rule##*-tcp:}" ;;
		restrict=on | restrict=off) netdev=${netdev/restrict=on/$rule} ;;
		*) echo "run-metal.sh: NET: unknown rule '$rule'" >&2; exit 2 ;;
		esac
	done
	net=(-netdev "$netdev" -device virtio-net-pci,netdev=net0,addr=03.0)
fi
display=none
if [[ -n ${WINDOW-} && $WINDOW != none ]]; then
	case $WINDOW in
	sdl | gtk) display=$WINDOW ;;
	*) echo "run-metal.sh: WINDOW=$WINDOW: expected sdl, gtk or none" >&2; exit 2 ;;
	esac
fi
audiodev=none,id=snd0
case ${AUDIO:-none} in
none) ;;
sdl) audiodev=sdl,id=snd0 ;;
wav:?*) audiodev="wav,id=snd0,path=${AUDIO#wav:},out.frequency=48000,out.channels=2,out.format=s16,in.voices=0" ;;
*) echo "run-metal.sh: AUDIO=$AUDIO: expected wav:FILE, sdl or none" >&2; exit 2 ;;
esac
qemu-system-x86_64 -nodefaults -no-user-config -display "$display" -no-reboot -m 256M \
	-device VGA,addr=04.0,romfile= -audiodev "$audiodev" -device AC97,addr=05.0,audiodev=snd0 \
	-chardev stdio,id=console,mux=on,signal=off -serial chardev:console \
	-mon chardev=console,mode=readline \
	-debugcon "file:$status_file" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" -initrd "$image" -append "$args" "${disk[@]}" "${net[@]}"
qemu=$?
if [[ -s $status_file ]]; then
	exit "$(od -An -tu1 -N1 "$status_file")"
fi
if ((qemu == 0)); then
	echo "run-metal.sh: QEMU ended before the system did (Ctrl-A X, or the machine reset)" >&2
else
	echo "run-metal.sh: QEMU failed (exit status $qemu)" >&2
fi
exit 1
