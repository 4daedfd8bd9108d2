#!/usr/bin/env bash
# Two boots give the same transcript byte for byte: the default image, without and with
# --trace=syscall,sched, and an image whose services crash and are restarted.
# Usage: deterministic_test.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# same NAME BOOT_COMMAND...: two runs of the command, compared.
same() {
	local name=$1
	shift
	"$@" "$tmp/$name.1"
	local first=$status
	"$@" "$tmp/$name.2"
	[[ $first -eq 0 && $status -eq 0 ]] || fail "$name: exit statuses $first and $status, expected 0"
	if ! cmp -s "$tmp/$name.1" "$tmp/$name.2"; then
		fail "$name: two boots differ:"
		diff -u "$tmp/$name.1" "$tmp/$name.2" | head -40
	fi
}

traced_boot() { boot "$1" --max-time="$GOLDEN_MAX_TIME" --trace=syscall,sched; }
restarts_boot() { boot_test backoff "$1" --max-time=14s --trace=syscall,sched; }

same default golden_boot
same traced traced_boot
if ! grep -q '^\[sched ' "$tmp/traced.1" || ! grep -q '^\[pid 1\] wait4(' "$tmp/traced.1"; then
	fail "traced: no syscall or sched trace lines"
fi
same restarts restarts_boot
finish
