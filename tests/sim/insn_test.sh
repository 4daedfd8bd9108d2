#!/usr/bin/env bash
# The simulator's instruction lengths against objdump's, on every instruction of the guest
# programs and services and of busybox (when it is a static x86-64 program): insn_check.c.
# Exits 77 without objdump.
#
# usage: insn_test.sh INSN_CHECK GUEST_DIR [BUSYBOX]
set -uo pipefail
check=$1 guests=$2 busybox=${3-}
command -v objdump >/dev/null || { echo "SKIP: no objdump (binutils)"; exit 77; }
status=0 programs=0
for prog in "$guests"/* $busybox; do
	# An ELF of class 64 (x86-64 is all there is here).
	[[ -f $prog && $(head -c 5 "$prog" | od -An -tx1 | tr -d ' \n') == 7f454c4602 ]] || continue
	programs=$((programs + 1))
	# objdump -w: one instruction a line, its bytes in the second column; what it cannot
	# decode (data in code) is left out.
	out=$(objdump -d -w "$prog" | awk -F'\t' 'NF >= 3 && $3 !~ /\(bad\)|^\.byte/ { print $2 }' |
		"$check") || { echo "$prog:"; echo "$out"; status=1; }
done
((programs >= 5)) || { echo "FAIL: only $programs programs found in $guests"; exit 1; }
((status)) || echo "PASS: the instructions of $programs programs"
exit $status
