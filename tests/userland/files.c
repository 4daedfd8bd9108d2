/*
 * Files and directories in a private temporary directory: create, write, read back, lseek
 * (also past the end: a hole reads as zeroes), pread/pwrite, the stat fields that do not
 * depend on the machine (type, mode, size, link count, same inode through a hard link),
 * O_EXCL/O_APPEND/O_TRUNC, mkdir, readdir (sorted here, since the order is the filesystem's),
 * rename over a file and of a directory, unlink, rmdir of a full and an empty directory,
 * symlink/readlink/lstat, ftruncate and truncate both ways, readv/writev.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "ul.h"

/* Prints directory dir's entries, sorted, on one line, and returns how many there are. */
static int list(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	printf("%s:", dir);
	for (int i = 0; i < n; i++) {
		struct stat st;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		char kind = lstat(path, &st) ? '?' : S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : S_ISREG(st.st_mode) ? 'f' : 'o';
		printf(" %s(%c)", names[i]->d_name, kind);
		free(names[i]);
	}
	printf("\n");
	if (n >= 0)
		free(names);
	return n;
}

/* Prints what stat says of path that does not depend on the machine. */
static void show(const char *path)
{
	struct stat st;
	if (lstat(path, &st)) {
		printf("%s: %s\n", path, strerror(errno));
		return;
	}
	printf("%s: type %s mode %04o size %lld nlink %lu blksize>0 %d\n", path,
	       S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : "other",
	       (unsigned)(st.st_mode & 07777), S_ISDIR(st.st_mode) ? 0 : (long long)st.st_size,
	       S_ISDIR(st.st_mode) ? 0 : (unsigned long)st.st_nlink, st.st_blksize > 0);
}

static int read_all(const char *path, char *buf, size_t max)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, max);
	close(fd);
	return (int)n;
}

static void basic(void)
{
	umask(022);
	int fd = open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0640);
	check(fd >= 0, "create a.txt with O_EXCL");
	check(write(fd, "hello, world\n", 13) == 13, "write 13 bytes");
	check_errno(open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0640), EEXIST, "O_EXCL on an existing file: EEXIST");
	check(lseek(fd, 0, SEEK_CUR) == 13, "the offset after the write");
	check(lseek(fd, 100, SEEK_SET) == 100 && write(fd, "end", 3) == 3, "write past the end");
	close(fd);
	show("a.txt");

	char buf[200];
	memset(buf, 'x', sizeof buf);
	fd = open("a.txt", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf);
	int hole = 1;
	for (int i = 13; i < 100; i++)
		hole &= buf[i] == 0;
	check(n == 103 && !memcmp(buf, "hello, world\n", 13) && hole && !memcmp(buf + 100, "end", 3),
	      "read back: the data, a hole of zeroes, the data");
	check(read(fd, buf, sizeof buf) == 0, "read at the end: 0");
	check(lseek(fd, -3, SEEK_END) == 100 && read(fd, buf, 10) == 3 && !memcmp(buf, "end", 3), "lseek SEEK_END");
	check(pread(fd, buf, 5, 7) == 5 && !memcmp(buf, "world", 5) && lseek(fd, 0, SEEK_CUR) == 103,
	      "pread leaves the offset");
	check_errno(lseek(fd, -1, SEEK_SET), EINVAL, "lseek before the start: EINVAL");
	check_errno(write(fd, "x", 1), EBADF, "write to a read-only descriptor: EBADF");
	close(fd);

	fd = open("a.txt", O_RDWR);
	check(pwrite(fd, "HELLO", 5, 0) == 5 && lseek(fd, 0, SEEK_CUR) == 0, "pwrite leaves the offset");
	check(read_all("a.txt", buf, 5) == 5 && !memcmp(buf, "HELLO", 5), "pwrite's bytes are there");
	close(fd);

	fd = open("a.txt", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	check(write(fd, "+app", 4) == 4 && lseek(fd, 0, SEEK_CUR) == 107, "O_APPEND writes at the end");
	close(fd);

	struct iovec out[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
	fd = open("v.txt", O_CREAT | O_TRUNC | O_RDWR, 0600);
	check(writev(fd, out, 3) == 13, "writev of three pieces");
	char p1[3], p2[6], p3[10];
	struct iovec in[3] = {{p1, 3}, {p2, 6}, {p3, 10}};
	lseek(fd, 0, SEEK_SET);
	check(readv(fd, in, 3) == 13 && !memcmp(p1, "one", 3) && !memcmp(p2, " two t", 6) &&
		      !memcmp(p3, "hree", 4),
	      "readv fills the pieces in order");
	check(preadv(fd, in, 2, 4) == 9 && !memcmp(p1, "two", 3) && !memcmp(p2, " three", 6),
	      "preadv at an offset");
	struct iovec at[3] = {{"AB", 2}, {"CDE", 3}, {"F", 1}};
	check(pwritev(fd, at, 3, 20) == 6 && pread(fd, p3, 10, 18) == 8 && !memcmp(p3, "\0\0ABCDEF", 8),
	      "pwritev at an offset past the end");
	close(fd);
	show("v.txt");

	/* Large transfers, which a file server may answer in several pieces. */
	enum { BIG = (1 << 20) + 1 };
	static char big[BIG], back[BIG + 10];
	for (int i = 0; i < BIG; i++)
		big[i] = (char)(i * 31 + i / 4099);
	fd = open("big.bin", O_CREAT | O_RDWR, 0644);
	check(pwrite(fd, big, BIG, 3) == BIG, "pwrite of 1 MiB + 1 at offset 3");
	check(pread(fd, back, BIG + 10, 3) == BIG && !memcmp(back, big, BIG), "pread gives it back");
	struct iovec halves[2] = {{back, 5000}, {back + 5000, BIG}};
	check(preadv(fd, halves, 2, 3) == BIG && !memcmp(back, big, BIG), "preadv gives it back in two pieces");
	close(fd);
	show("big.bin");
	unlink("big.bin");

	fd = open("v.txt", O_TRUNC | O_WRONLY);
	close(fd);
	show("v.txt");
}

static void truncation(void)
{
	int fd = open("t.bin", O_CREAT | O_RDWR, 0644);
	write(fd, "0123456789", 10);
	check(ftruncate(fd, 4) == 0, "ftruncate to 4");
	show("t.bin");
	check(ftruncate(fd, 8192) == 0, "ftruncate to 8192");
	char buf[16];
	check(pread(fd, buf, 8, 0) == 8 && !memcmp(buf, "0123\0\0\0\0", 8), "a grown file reads zeroes");
	check(truncate("t.bin", 1) == 0, "truncate by name to 1");
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size == 1, "fstat sees the new size");
	check(lseek(fd, 0, SEEK_END) == 1, "SEEK_END follows");
	check_errno(ftruncate(fd, -1), EINVAL, "ftruncate to -1: EINVAL");
	close(fd);
	fd = open("t.bin", O_RDONLY);
	check_errno(ftruncate(fd, 0), EINVAL, "ftruncate of a read-only descriptor: EINVAL");
	close(fd);
}

static void directories(void)
{
	check(mkdir("d", 0755) == 0, "mkdir d");
	check_errno(mkdir("d", 0755), EEXIST, "mkdir of an existing name: EEXIST");
	check(mkdir("d/sub", 0700) == 0 && mkdir("d/sub/deeper", 0777) == 0, "mkdir d/sub/deeper");
	check_errno(mkdir("nope/x", 0755), ENOENT, "mkdir under a missing directory: ENOENT");
	check_errno(mkdir("a.txt/x", 0755), ENOTDIR, "mkdir under a file: ENOTDIR");
	const char *names[] = {"zeta", "alpha", "Mixed", "beta.txt", "_under", "9nine"};
	for (int i = 0; i < 6; i++) {
		char path[64];
		snprintf(path, sizeof path, "d/%s", names[i]);
		int fd = open(path, O_CREAT | O_WRONLY, 0644);
		write(fd, names[i], strlen(names[i]));
		close(fd);
	}
	check(list("d") == 9, "d lists . .. sub and six files");
	show("d/sub");
	show("d/sub/deeper");

	/* A directory listed while it changes still lists each old entry once. */
	DIR *dir = opendir("d");
	int seen = 0;
	struct dirent *e;
	while ((e = readdir(dir)))
		seen++;
	rewinddir(dir);
	int again = 0;
	while ((e = readdir(dir)))
		again++;
	closedir(dir);
	check(seen == 9 && again == 9, "rewinddir lists everything again");

	check(rename("d/zeta", "d/omega") == 0, "rename a file");
	check(rename("d/alpha", "d/beta.txt") == 0, "rename over an existing file");
	char buf[16] = "";
	check(read_all("d/beta.txt", buf, sizeof buf) == 5 && !memcmp(buf, "alpha", 5),
	      "the renamed file replaced the old one");
	check(rename("d/sub", "moved") == 0, "rename a directory elsewhere");
	show("moved/deeper");
	check_errno(rename("moved", "moved/deeper/inside"), EINVAL, "rename a directory into itself: EINVAL");
	check_errno(rename("missing", "x"), ENOENT, "rename of a missing name: ENOENT");
	list("d");

	check_errno(rmdir("moved"), ENOTEMPTY, "rmdir of a full directory: ENOTEMPTY");
	check_errno(unlink("moved"), EISDIR, "unlink of a directory: EISDIR");
	check_errno(rmdir("d/omega"), ENOTDIR, "rmdir of a file: ENOTDIR");
	check(rmdir("moved/deeper") == 0 && rmdir("moved") == 0, "rmdir of empty directories");
	check_errno(access("moved", F_OK), ENOENT, "the directory is gone");
	check(unlink("d/omega") == 0, "unlink a file");
	check_errno(unlink("d/omega"), ENOENT, "unlink it again: ENOENT");

	/* An unlinked file stays readable through a descriptor opened before. */
	int fd = open("d/Mixed", O_RDONLY);
	check(unlink("d/Mixed") == 0 && read(fd, buf, sizeof buf) == 5 && !memcmp(buf, "Mixed", 5),
	      "an open file unlinked is still read");
	close(fd);
	list("d");
}

static void links(void)
{
	check(symlink("a.txt", "sl") == 0, "symlink sl -> a.txt");
	check(symlink("d/nothing", "dangling") == 0, "symlink to a missing file");
	char target[64];
	ssize_t n = readlink("sl", target, sizeof target);
	check(n == 5 && !memcmp(target, "a.txt", 5), "readlink gives the target, no NUL");
	n = readlink("sl", target, 3);
	check(n == 3 && !memcmp(target, "a.t", 3), "readlink truncates to the buffer");
	check_errno(readlink("a.txt", target, sizeof target), EINVAL, "readlink of a file: EINVAL");
	show("sl");
	struct stat a, b;
	check(stat("sl", &a) == 0 && stat("a.txt", &b) == 0 && a.st_ino == b.st_ino && S_ISREG(a.st_mode),
	      "stat follows the link");
	check_errno(stat("dangling", &a), ENOENT, "stat of a dangling link: ENOENT");
	check(lstat("dangling", &a) == 0 && S_ISLNK(a.st_mode) && a.st_size == 9, "lstat of a dangling link");
	check_errno(symlink("x", "sl"), EEXIST, "symlink over an existing name: EEXIST");

	check(link("a.txt", "hard") == 0, "link a.txt hard");
	check(stat("hard", &a) == 0 && a.st_ino == b.st_ino && a.st_nlink == 2, "a hard link: same inode, 2 links");
	check(unlink("a.txt") == 0 && stat("hard", &a) == 0 && a.st_nlink == 1, "unlink one name: 1 link");
	check_errno(stat("sl", &a), ENOENT, "the symlink now dangles");
	check(symlink("d", "dl") == 0 && access("dl/beta.txt", R_OK) == 0, "a path through a symlinked directory");
	check(unlink("sl") == 0 && unlink("dangling") == 0 && unlink("dl") == 0 && access("d", F_OK) == 0,
	      "unlink removes links, not their targets");
}

int main(void)
{
	ul_enter_tmpdir("files");
	basic();
	truncation();
	directories();
	links();
	list(".");
	ul_leave_tmpdir();
	return check_status();
}
