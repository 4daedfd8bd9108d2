# Shared by the pc tests (sourced): booting the pc kernel under QEMU, and the transcript rules
# of README.md.

# The QEMU program; the tests are skipped (77) without one.
PC_QEMU=${PC_QEMU:-qemu-system-x86_64}
PC_SKIP=77

pc_require_qemu() {
	if ! command -v "$PC_QEMU" >/dev/null; then
		echo "SKIP: no $PC_QEMU (scripts/setup.sh installs qemu-system-x86)"
		exit "$PC_SKIP"
	fi
}

# pc_boot KERNEL IMAGE CMDLINE OUT [LIMIT_SECONDS]: boots KERNEL with IMAGE as its multiboot
# module under QEMU's software CPU (no KVM), COM1 into OUT, with the QEMU arguments in the
# array PC_QEMU_ARGS added (a disk, say), the sound card's output PC_AUDIODEV (QEMU's -audiodev,
# id snd0; default none). Sets PC_STATUS to the system's
# status (isa-debug-exit: QEMU exits with 2 * status + 1), or to a description of what went
# wrong (QEMU's own error, a reset, the time limit) and returns 1.
pc_boot() {
	local kernel=$1 image=$2 cmdline=$3 out=$4 limit=${5:-300} q
	set +e
	# -nodefaults: the machine scripts/run-metal.sh boots and the sim models (no NIC; the VGA at
	# 00:04.0 without its option ROM).
	timeout -k 5 "$limit" "$PC_QEMU" -nodefaults -accel tcg -machine pc -m 256M -display none -no-reboot \
		-monitor none -serial stdio -kernel "$kernel" -initrd "$image" -append "$cmdline" \
		-device VGA,addr=04.0,romfile= -audiodev "${PC_AUDIODEV:-none,id=snd0}" \
		-device AC97,addr=05.0,audiodev=snd0 -device isa-debug-exit,iobase=0xf4,iosize=0x04 ${PC_QEMU_ARGS[@]+"${PC_QEMU_ARGS[@]}"} \
		</dev/null >"$out" 2>"$out.qemu"
	q=$?
	set -e
	if ((q == 124 || q == 137)); then
		PC_STATUS="still running after ${limit}s (killed)"
	elif ((q == 0)); then
		PC_STATUS="machine reset (a triple fault?)"
	elif ((q % 2 == 0 || q == 1 && $(wc -c <"$out") == 0)); then
		PC_STATUS="QEMU failed with $q: $(head -c 300 "$out.qemu")"
	else
		PC_STATUS=$(((q - 1) / 2))
		return 0
	fi
	return 1
}

# pc_plain FILE: the transcript without carriage returns, and the kernel's messages, which start
# with the name of the program the machine is ("eclipse-sim: ", "eclipse-pc: "), as "kernel: ".
pc_plain() {
	sed -E -e 's/\r$//' -e 's/^eclipse-(sim|pc): /kernel: /' "$1"
}

# pc_mask FILE: pc_plain, and every time ("12.345s") as "<t>".
pc_mask() {
	pc_plain "$1" | sed -E 's/ *[0-9]+\.[0-9]+s\b/ <t>/g'
}

# pc_by_speaker: each line of stdin prefixed with its speaker and sorted stably by speaker, so
# that each program's lines keep their order and different programs' lines do not interleave.
# The speaker is the word before the first ':' ("init", "filesystem", "kernel"); an indented
# line is a row of init's status table.
pc_by_speaker() {
	awk '{
		if (match($0, /^[A-Za-z][A-Za-z0-9_.-]*:/))
			who = substr($0, 1, RLENGTH - 1)
		else if ($0 ~ /^[ \t]/)
			who = "init"
		else
			who = "-"
		print who "\t" $0
	}' | LC_ALL=C sort -s -t "$(printf '\t')" -k1,1
}
