# File operations: mkdir, cp, mv, rm, ln -s, cat, wc, ls, chmod, touch, test.
cd "$(mktemp -d)" || exit 1
mkdir -p a/b/c
echo content >a/b/c/file
seq 1 1000 >a/numbers
cp a/numbers copy
cmp a/numbers copy && echo "copy equal"
cp -r a tree
ls -R tree
mv copy moved
[ -e copy ] || echo "copy gone"
wc -l <moved
wc moved
wc -c a/b/c/file
cat a/b/c/file a/b/c/file
ln -s a/b/c/file link
readlink link
cat link
[ -L link ] && echo "is a link"
ln -s nowhere dangling
[ -e dangling ] || echo "dangling"
[ -L dangling ] && echo "but a link"
ln moved hard
ls -l hard | awk '{print $1, $2}'
echo more >>hard
tail -n 1 moved
rm hard
ls -l moved | awk '{print $1, $2}'
chmod 600 moved
ls -l moved | awk '{print $1}'
chmod u+x moved
[ -x moved ] && echo "executable"
touch empty
touch empty; echo "touch existing: $?"
touch -c absent; echo "touch -c absent: $?"; [ -e absent ] || echo "absent not made"
printf '#!/bin/sh\necho "script $# $1"\nexit 6\n' >script.sh
chmod +x script.sh
./script.sh arg; echo "script status $?"
printf '#!/bin/sh\ncat /proc/$$/comm\n' >named.sh
chmod +x named.sh
./named.sh
[ -s empty ] || echo "empty is empty"
[ -f empty ] && echo "regular"
[ -d a/b ] && echo "directory"
mkdir a 2>/dev/null || echo "mkdir existing fails"
rmdir a 2>/dev/null || echo "rmdir non-empty fails"
rm -r a
[ -e a ] || echo "a removed"
mkdir d1 d2
mv moved d1/
mv d1 d2/
ls d2 d2/d1
cp -a d2 d3
ls -a d3/d1
rm -rf d2 d3
rm nonexistent 2>/dev/null; echo "rm missing: $?"
rm -f nonexistent; echo "rm -f missing: $?"
ls
dd if=/dev/urandom of=rand bs=1024 count=300 2>/dev/null
cp rand rand2 && cmp rand rand2 && echo "300K copy equal"
wc -c <rand2
cat rand rand rand | wc -c
mkdir -p deep/1/2/3/4/5/6/7/8/9
cd deep/1/2/3/4/5/6/7/8/9 && pwd | sed 's|.*/deep|deep|'
cd ../../.. && pwd | sed 's|.*/deep|deep|'
