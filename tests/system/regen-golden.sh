#!/usr/bin/env bash
# Rewrites golden/boot.txt from a boot of the default image in BUILD_DIR (built beforehand);
# review the change with git diff before committing it.
# Usage: tests/system/regen-golden.sh BUILD_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

golden_boot "$tmp/boot.txt"
if ((status != 0)); then
	echo "regen-golden.sh: eclipse-sim exited with $status; golden transcript left alone:" >&2
	cat "$transcript" >&2
	exit 1
fi
cp "$transcript" "$GOLDEN"
echo "wrote $GOLDEN ($(wc -l <"$GOLDEN") lines)"
