# find: names, types, depth, -exec, -print0 with xargs, -newer, -size; output sorted.
cd "$(mktemp -d)" || exit 1
mkdir -p top/a/aa top/b top/c/cc/ccc
for f in top/x.txt top/a/y.txt top/a/aa/z.c top/b/w.txt top/c/cc/ccc/v.c; do echo "$f" >"$f"; done
ln -s ../x.txt top/b/link
find top | sort
find top -type f | sort
find top -type d | sort
find top -type l
find top -name '*.c' | sort
find top -maxdepth 1 | sort
find top -mindepth 3 | sort
find top -name '*.txt' -exec cat {} \; | sort
find top -name '*.txt' -print0 | xargs -0 wc -c | sort
find top -type f -exec echo found {} + | tr ' ' '\n' | sort
find top -path '*/cc/*' | sort
find top ! -type d -name 'w*'
find top -empty
: >top/empty
find top -empty
find top -size +0 -type f | wc -l
find top -name nothing; echo "status $?"
find missing 2>/dev/null; echo "missing status $?"
find top -type f | xargs -n 1 basename | sort
find top -follow -name x.txt | sort
# busybox's -newer compares whole seconds: x.txt goes back in time first.
touch -t 202001010000 top/x.txt
touch top/newer
find top -newer top/x.txt -name newer
find top -newer top/newer | wc -l
