#!/usr/bin/env bash
# The default boot, compared byte for byte with golden/boot.txt (README.md: how to regenerate).
# Usage: golden_test.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

golden_boot "$tmp/boot.txt"
expect_status 0
if ! diff -u "$GOLDEN" "$transcript" >"$tmp/diff"; then
	fail "the boot transcript differs from $GOLDEN (- golden, + this boot):"
	cat "$tmp/diff"
	echo "If the change is intended: tests/system/regen-golden.sh $build"
	exit 1
fi
finish
