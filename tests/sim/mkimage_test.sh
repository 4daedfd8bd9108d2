#!/usr/bin/env bash
# eclipse-mkimage: its --help, the entries it writes (files, directories, symbolic links, with
# their modes) as cpio reads them back, byte-for-byte repeatability, and what it refuses. Then
# LAYOUT_IMAGE, the image tests/sim/CMakeLists.txt has eclipse_boot_image() build of each kind
# of entry, as cpio lists it, booted by ECLIPSE_SIM; and README's manual section has each entry
# and option that --help has.
# Usage: mkimage_test.sh ECLIPSE_MKIMAGE ECLIPSE_SIM LAYOUT_IMAGE README
set -uo pipefail
mkimage=$1 sim=$2 layout=$3 readme=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 passes=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect NAME STATUS PATTERN -- ARGS...: eclipse-mkimage ARGS exits with STATUS, and its
# output matches the extended regex PATTERN (when not empty).
expect() {
	local name=$1 want=$2 pattern=$3
	shift 4
	"$mkimage" "$@" >"$tmp/out" 2>&1
	local got=$?
	if ((got != want)) || { [[ -n $pattern ]] && ! grep -Eq -- "$pattern" "$tmp/out"; }; then
		fail "$name: exit $got (want $want), output:"
		sed 's/^/    /' "$tmp/out" | head -20
	else
		passes=$((passes + 1))
	fi
}

printf 'program\n' >"$tmp/prog"
printf 'key = value\n' >"$tmp/conf"
: >"$tmp/empty"
expect help 0 '^Usage: eclipse-mkimage OUTPUT ENTRY' -- --help
expect help-anywhere 0 '^Usage: eclipse-mkimage' -- "$tmp/x.cpio" /a="$tmp/prog" -h
expect nothing 2 "expected an output and at least one entry" --
entries=(--dir=/srv /bin/busybox="$tmp/prog" --link=/bin/sh=busybox --link=/usr/bin/env=/bin/busybox
	--mode=0644 /etc/services.conf="$tmp/conf" --mode=0700 --dir=/root --mode=4755 /bin/su="$tmp/prog"
	/empty="$tmp/empty")
expect write 0 '' -- "$tmp/image.cpio" "${entries[@]}"

# listing IMAGE: what cpio sees, an entry a line: type and permission bits, path, link target.
listing() {
	cpio -itv --quiet <"$1" 2>/dev/null | awk '{ print $1, index($0, " -> ") ? $(NF - 2) " -> " $NF : $NF }'
}

# Types, permission bits, links, and the parents written before their entries.
listing "$tmp/image.cpio" >"$tmp/listing"
cat >"$tmp/want" <<'LIST'
drwxr-xr-x srv
drwxr-xr-x bin
-rwxr-xr-x bin/busybox
lrwxrwxrwx bin/sh -> busybox
drwxr-xr-x usr
drwxr-xr-x usr/bin
lrwxrwxrwx usr/bin/env -> /bin/busybox
drwxr-xr-x etc
-rw-r--r-- etc/services.conf
drwx------ root
-rwsr-xr-x bin/su
-rwxr-xr-x empty
LIST
if diff -u "$tmp/want" "$tmp/listing"; then
	passes=$((passes + 1))
else
	fail "cpio lists the image otherwise (- expected, + cpio -itv)"
fi
mkdir "$tmp/root"
if (cd "$tmp/root" && cpio -id --quiet <"$tmp/image.cpio") && cmp -s "$tmp/prog" "$tmp/root/bin/su" &&
	cmp -s "$tmp/conf" "$tmp/root/etc/services.conf" && [[ $(readlink "$tmp/root/bin/sh") == busybox ]] &&
	[[ -d $tmp/root/srv && ! -s $tmp/root/empty ]]; then
	passes=$((passes + 1))
else
	fail "cpio -id does not give back the files, links and directories"
fi

"$mkimage" "$tmp/again.cpio" "${entries[@]}" && cmp -s "$tmp/image.cpio" "$tmp/again.cpio" ||
	fail "two images of the same entries differ"

# @LIST: entries from a file, one a line, with comments and a --mode that carries over to the
# next argument; the same image as those entries on the command line.
printf '# links\n--link=/usr/bin/[=/bin/busybox\n\n--mode=0644\n' >"$tmp/list"
expect list 0 '' -- "$tmp/list.cpio" /bin/busybox="$tmp/prog" @"$tmp/list" /etc/conf="$tmp/conf"
expect list-same 0 '' -- "$tmp/args.cpio" /bin/busybox="$tmp/prog" '--link=/usr/bin/[=/bin/busybox' \
	--mode=0644 /etc/conf="$tmp/conf"
cmp -s "$tmp/list.cpio" "$tmp/args.cpio" || fail "an @LIST image differs from the same entries given as arguments"
printf '@%s\n' "$tmp/list" >"$tmp/nested"

# Refused, and the output left as it was.
cp "$tmp/image.cpio" "$tmp/kept.cpio"
expect twice 2 "in the image already" -- "$tmp/kept.cpio" /a="$tmp/prog" /a="$tmp/prog"
expect dir-after 2 "in the image already" -- "$tmp/kept.cpio" /bin/a="$tmp/prog" --dir=/bin
expect under-file 2 "not a directory" -- "$tmp/kept.cpio" /a="$tmp/prog" /a/b="$tmp/prog"
expect under-link 2 "not a directory" -- "$tmp/kept.cpio" --link=/lib=usr/lib /lib/x="$tmp/prog"
expect dotdot 2 "bad archive path" -- "$tmp/kept.cpio" /bin/../a="$tmp/prog"
expect no-target 2 "expected --link=PATH=TARGET" -- "$tmp/kept.cpio" --link=/bin/sh
expect bad-mode 2 "expected --mode=MODE in octal" -- "$tmp/kept.cpio" --mode=rw-r--r-- /a="$tmp/prog"
expect big-mode 2 "expected --mode=MODE in octal" -- "$tmp/kept.cpio" --mode=17777 /a="$tmp/prog"
expect mode-last 2 "no entry after" -- "$tmp/kept.cpio" /a="$tmp/prog" --mode=0644
expect bad-option 2 "unrecognized option '--symlink=/a=b'" -- "$tmp/kept.cpio" --symlink=/a=b
expect missing 1 "$tmp/none: No such file or directory" -- "$tmp/kept.cpio" /a="$tmp/none"
cmp -s "$tmp/image.cpio" "$tmp/kept.cpio" || fail "a refused command line changed its output"
[[ ! -e $tmp/kept.cpio.tmp ]] || fail "a refused command line left its temporary file"

# eclipse_boot_image(): directories first, then programs (a target, stripped; a file, as it
# is), files, links; the image boots its /sbin/init.
listing "$layout" >"$tmp/layout"
cat >"$tmp/want" <<'LIST'
drwxr-xr-x srv
drwxr-xr-x var
drwxr-xr-x var/empty
drwxr-xr-x sbin
-rwxr-xr-x sbin/init
drwxr-xr-x bin
-rwxr-xr-x bin/cli_test
drwxr-xr-x etc
-rw-r--r-- etc/sleeper.c
lrwxrwxrwx bin/true -> /sbin/init
lrwxrwxrwx bin/sh -> cli_test
LIST
if diff -u "$tmp/want" "$tmp/layout"; then
	passes=$((passes + 1))
else
	fail "eclipse_boot_image() made another image (- expected, + cpio -itv)"
fi
"$sim" --image="$layout" </dev/null >"$tmp/out" 2>&1 || fail "the image did not boot: $(cat "$tmp/out")"

# The README's manual: each first column of --help's entries and options, in its table or text.
sed -n '/^### eclipse-mkimage/,/^## /p' "$readme" >"$tmp/manual"
while read -r item; do
	grep -qF -- "\`$item\`" "$tmp/manual" || fail "README's eclipse-mkimage section lacks $item"
done < <("$mkimage" --help | sed -nE 's/^  ((-h, --help)|(--[a-z]+=[A-Z=]+)|([A-Z]+=[A-Z]+)) .*/\1/p')
[[ -s $tmp/manual ]] || fail "README has no eclipse-mkimage section"

echo "$passes passed, $failures failed"
((failures == 0))
