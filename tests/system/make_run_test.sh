#!/usr/bin/env bash
# `make run` prints the system's boot and nothing else: the build's output stays in its log. It
# runs make in the source tree as a person would (not as a sub-make, which names directories),
# on this build directory with its build type, which leaves the tree as it is.
# Usage: make_run_test.sh BUILD_DIR SOURCE_DIR BUILD_TYPE
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
src=$2 type=$3

(cd "$src" && env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS \
	make run BUILD="$build" CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=$type") >"$tmp/out" 2>&1 </dev/null
status=$?
transcript=$tmp/out
expect_status 0
if ! diff -u "$GOLDEN" "$transcript"; then
	fail "make run printed more or other than the golden boot (- golden, + make run)"
fi
finish
