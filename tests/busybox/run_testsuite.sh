#!/usr/bin/env bash
# busybox's own testsuite (Debian's busybox source package, fetched by scripts/setup.sh into
# .deps/busybox) against the installed busybox: inside Eclipse OS on the simulator, and natively
# in a chroot holding the same files. One run of upstream's runtest per applet, each on a fresh
# system (a standalone eclipse-sim run; a fresh copy of the root natively), with a time limit, two
# at a time. Prints the pass counts and the cases that pass natively but not on Eclipse OS, and
# fails when the count on Eclipse OS is below the baseline file (README.md here).
# Usage: run_testsuite.sh BUILD_DIR SOURCE_DIR
# Environment: BB_TESTSUITE (default SOURCE_DIR/.deps/busybox), BB_JOBS (2), BB_TIMEOUT (seconds
# per applet, 120), BB_ALL=1 (also the slow applets listed in the file slow, which the baseline
# leaves out), BB_APPLETS (names to run instead), BB_KEEP (keep the work directory).
set -uo pipefail
build=$1 src=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
suite=${BB_TESTSUITE:-$src/.deps/busybox}
jobs=${BB_JOBS:-2}
limit=${BB_TIMEOUT:-120}
baseline_file=$here/baseline

if [[ ! -d $suite/testsuite || ! -f $suite/.config ]]; then
	echo "SKIP: no busybox testsuite in $suite (scripts/setup.sh fetches it)"
	exit 77
fi
for f in "$build/eclipse-sim" "$build/eclipse-mkimage" "$build/boot.cpio"; do
	[[ -e $f ]] || { echo "FAIL: $f missing (build first)"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bbtest.XXXXXX")
if [[ -z ${BB_KEEP:-} ]]; then
	trap 'rm -rf "$work"' EXIT
else
	echo "work directory: $work"
fi

# The root: the default image's files, and /bb as runtest expects it: the testsuite in
# /bb/testsuite, the binary under test and the .config it was built with one directory up.
root=$work/root
bb_make_root "$build" "$root" || { echo "FAIL: cannot unpack $build/boot.cpio"; exit 1; }
mkdir -p "$root/bb"
cp -a "$suite/testsuite" "$root/bb/testsuite"
cp "$suite/.config" "$root/bb/.config"
ln -s /bin/busybox "$root/bb/busybox"
bb_make_image "$build/eclipse-mkimage" "$root" "$work/image.cpio" ||
	{ echo "FAIL: cannot write the boot image"; exit 1; }

native=1
if ! bb_native_ok; then
	native=0
	echo "note: not root, or no unshare/chroot here: the suite runs on Eclipse OS alone"
fi

# What runtest runs for a name: APPLET.tests and the old-style directory APPLET/.
if [[ -n ${BB_APPLETS:-} ]]; then
	read -ra applets <<<"$BB_APPLETS"
else
	mapfile -t applets < <(cd "$root/bb/testsuite" &&
		{ for f in *.tests; do echo "${f%.tests}"; done; for d in */; do echo "${d%/}"; done; } |
		LC_ALL=C sort -u)
	if [[ -z ${BB_ALL:-} ]]; then
		mapfile -t slow < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/slow" | awk '{ print $1 }')
		kept=()
		for a in "${applets[@]}"; do
			[[ " ${slow[*]} " == *" $a "* ]] || kept+=("$a")
		done
		applets=("${kept[@]}")
		echo "left out (slow; BB_ALL=1 runs them): ${slow[*]}"
	fi
fi

# The environment Debian's debian/rules gives runtest (TESTSUITE_ENV), on both sides.
runtest="cd /bb/testsuite && SKIP_KNOWN_BUGS=y SKIP_INTERNET_TESTS=y SHELL=/bin/sh ECHO=/bin/echo ./runtest"

# run_one SIDE APPLET: the log in $work/SIDE/APPLET.log, the exit status in APPLET.rc.
run_one() {
	local side=$1 applet=$2 out=$work/$1/$2 rc t0=$SECONDS
	case $side in
	sim)
		bb_sim "$limit" "$build/eclipse-sim" "$work/image.cpio" "$root" \
			sh -c "$runtest $applet" </dev/null >"$out.log" 2>&1
		rc=$?
		;;
	native)
		local copy=$work/native/$applet.root
		cp -a "$root" "$copy"
		bb_native "$limit" "$copy" sh -c "$runtest $applet" </dev/null >"$out.log" 2>&1
		rc=$?
		rm -rf "$copy"
		;;
	esac
	echo "$rc $((SECONDS - t0))" >"$out.rc"
}
export -f run_one bb_sim bb_native bb_make_devices
export work limit build root runtest
export BB_ENV_STR="${BB_ENV[*]}"

mkdir -p "$work/sim" "$work/native"
start=$SECONDS
{
	for a in "${applets[@]}"; do
		echo "sim $a"
		((native)) && echo "native $a"
	done
} | xargs -P "$jobs" -L 1 bash -c 'read -ra BB_ENV <<<"$BB_ENV_STR"; run_one "$@"' run_one
elapsed=$((SECONDS - start))

# count SIDE WORD: the number of "WORD: " lines in SIDE's logs.
count() {
	cat "$work/$1"/*.log 2>/dev/null | grep -c "^$2: " || :
}
# The cases of SIDE that passed, as "APPLET: NAME".
passed() {
	local f
	for f in "$work/$1"/*.log; do
		sed -n "s|^PASS: |$(basename "$f" .log): |p" "$f"
	done | LC_ALL=C sort
}

sim_pass=$(count sim PASS)
sim_fail=$(count sim FAIL)
timeouts=()
for a in "${applets[@]}"; do
	read -r rc _ <"$work/sim/$a.rc" 2>/dev/null || rc=missing
	[[ $rc == 124 || $rc == 137 ]] && timeouts+=("$a")
done

if ((native)); then
	nat_pass=$(count native PASS)
	nat_fail=$(count native FAIL)
	total=$((nat_pass + nat_fail))
	echo "busybox testsuite: $sim_pass passed on Eclipse OS, $nat_pass natively (of $total)"
	missing=$(LC_ALL=C comm -13 <(passed sim) <(passed native))
	if [[ -n $missing ]]; then
		echo "passed natively, not on Eclipse OS:"
		sed 's/^/  /' <<<"$missing"
	fi
	extra=$(LC_ALL=C comm -23 <(passed sim) <(passed native))
	[[ -z $extra ]] || { echo "passed on Eclipse OS, not natively:"; sed 's/^/  /' <<<"$extra"; }
else
	echo "busybox testsuite: $sim_pass passed on Eclipse OS, $sim_fail failed"
fi
((${#timeouts[@]} == 0)) || echo "stopped after ${limit}s on Eclipse OS: ${timeouts[*]}"
echo "(${#applets[@]} runtest runs, ${elapsed}s)"

if [[ -n ${BB_APPLETS:-} || -n ${BB_ALL:-} ]]; then
	exit 0 # not the set the baseline counts
fi
baseline=$(grep -Eo '^[0-9]+' "$baseline_file" | head -1)
if [[ -z $baseline ]]; then
	echo "FAIL: no count in $baseline_file"
	exit 1
fi
if ((sim_pass < baseline)); then
	echo "FAIL: $sim_pass passed on Eclipse OS, below the baseline of $baseline ($baseline_file)"
	exit 1
fi
if ((sim_pass > baseline)); then
	echo "note: above the baseline of $baseline: raise it in tests/busybox/baseline"
fi
echo "PASS: at least the baseline of $baseline"
