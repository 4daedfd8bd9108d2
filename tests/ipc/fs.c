/*
 * The filesystem service as programs see it: ordinary file calls on "/", which eclipse-sim gives
 * a program run alone by starting the image's /sbin/filesystem. The files copied from the boot
 * image; data written and read back in pieces of every size, holes, truncation, appends;
 * directories, renames, hard and symbolic links, an unlinked file kept open; attributes; the
 * errors Linux gives; a child's writes seen by its parent; the kernel's mounts (/boot, /dev,
 * /proc) listed in "/". Then the server is killed: calls wait for the next one and fail with EIO
 * when none comes; a server started from /boot takes "/" over, with the boot image's files
 * alone, and descriptors of the old one are stale (ESTALE).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <time.h>

#include "ipc_test.h"

#define BIG 100000
#define TMPFS_MAGIC 0x01021994

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 251);
}

/* Whether directory dir lists name. */
static int lists(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	int found = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		found |= !strcmp(e->d_name, name);
	if (d)
		closedir(d);
	return found;
}

/* The pid of the process whose /proc/PID/comm is name, or -1. */
static pid_t find_process(const char *name)
{
	DIR *d = opendir("/proc");
	pid_t found = -1;
	for (struct dirent *e; d && found < 0 && (e = readdir(d));) {
		char path[300], comm[32] = "";
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0 && comm[n - 1] == '\n')
			comm[n - 1] = 0;
		if (n > 0 && !strcmp(comm, name))
			found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

static void seeded(void)
{
	struct stat st, dev, proc, boot, root;
	check(stat("/etc/services.conf", &st) == 0 && S_ISREG(st.st_mode) &&
		      (st.st_mode & 07777) == 0644 && st.st_size > 100 && st.st_nlink == 1,
	      "/etc/services.conf: a regular file, 0644, from the image");
	check(stat("/sbin/init", &st) == 0 && (st.st_mode & 07777) == 0755, "/sbin/init: 0755");
	char target[64] = "";
	check(lstat("/bin/sh", &st) == 0 && S_ISLNK(st.st_mode) &&
		      readlink("/bin/sh", target, sizeof target - 1) > 0 && !strcmp(target, "/bin/busybox"),
	      "/bin/sh: a symbolic link to /bin/busybox");
	check(stat("/", &root) == 0 && stat("/dev", &dev) == 0 && stat("/proc", &proc) == 0 &&
		      stat("/boot", &boot) == 0 && root.st_dev != dev.st_dev &&
		      root.st_dev != proc.st_dev && root.st_dev != boot.st_dev,
	      "/, /dev, /proc and /boot are four filesystems");
	check(stat("/boot/etc/services.conf", &st) == 0 && lists("/boot/sbin", "filesystem"),
	      "/boot holds the boot image");
	check(lists("/", "boot") && lists("/", "dev") && lists("/", "proc") && lists("/", "tmp") &&
		      lists("/", "etc") && !lists("/boot", "boot"),
	      "/ lists its mount points and /tmp");
	check(stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777, "/tmp: sticky, 1777");
	struct statfs fs;
	check(statfs("/tmp", &fs) == 0 && fs.f_type == TMPFS_MAGIC && fs.f_bfree <= fs.f_blocks &&
		      fs.f_bsize == 4096,
	      "statfs: an in-memory filesystem");
}

static void data(void)
{
	static unsigned char buf[BIG], back[BIG];
	for (size_t i = 0; i < BIG; i++)
		buf[i] = pattern(i);
	int fd = open("/tmp/big", O_CREAT | O_EXCL | O_RDWR, 0600);
	size_t done = 0;
	for (size_t step = 1; fd >= 0 && done < BIG; step = step * 3 + 1) {
		size_t n = step < BIG - done ? step : BIG - done;
		if (write(fd, buf + done, n) != (ssize_t)n)
			break;
		done += n;
	}
	check(fd >= 0 && done == BIG, "write 100000 bytes in pieces of growing size");
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size == BIG && (st.st_mode & 07777) == 0600 &&
		      S_ISREG(st.st_mode),
	      "fstat: its size and mode");
	check(lseek(fd, 0, SEEK_SET) == 0, "lseek to the start");
	done = 0;
	for (size_t step = 4096; done < BIG; step = step == 4096 ? 333 : 4096) {
		ssize_t n = read(fd, back + done, step);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	check(done == BIG && !memcmp(buf, back, BIG) && read(fd, back, 10) == 0,
	      "read back in other pieces: the same bytes, then end of file");
	char word[8];
	check(pread(fd, word, 5, 77777) == 5 && !memcmp(word, buf + 77777, 5) &&
		      pwrite(fd, "HELLO", 5, 5) == 5 && pread(fd, word, 7, 4) == 7 &&
		      !memcmp(word + 1, "HELLO", 5) && word[0] == (char)buf[4] &&
		      word[6] == (char)buf[10],
	      "pread and pwrite in the middle");
	check(lseek(fd, 0, SEEK_CUR) == BIG, "pread and pwrite leave the offset alone");
	check(lseek(fd, BIG + 5000, SEEK_SET) == BIG + 5000 && write(fd, "end", 3) == 3 &&
		      pread(fd, back, 5000, BIG) == 5000,
	      "a write past the end leaves a hole");
	int zeros = 1;
	for (int i = 0; i < 5000; i++)
		zeros &= back[i] == 0;
	check(zeros, "the hole reads zeros");
	check(ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10 &&
		      ftruncate(fd, 20) == 0 && pread(fd, back, 30, 0) == 20 && back[15] == 0 &&
		      back[3] == (unsigned char)buf[3],
	      "ftruncate shrinks, then grows with zeros");
	close(fd);
	check(truncate("/tmp/big", 0) == 0 && stat("/tmp/big", &st) == 0 && st.st_size == 0,
	      "truncate by name");

	fd = open("/tmp/log", O_CREAT | O_WRONLY | O_APPEND, 0644);
	int other = open("/tmp/log", O_WRONLY | O_APPEND);
	check(fd >= 0 && other >= 0 && write(fd, "one\n", 4) == 4 && write(other, "two\n", 4) == 4 &&
		      write(fd, "three\n", 6) == 6,
	      "two O_APPEND descriptors write");
	close(other);
	int r = open("/tmp/log", O_RDONLY);
	memset(back, 0, 32);
	check(r >= 0 && read(r, back, 32) == 14 && !memcmp(back, "one\ntwo\nthree\n", 14),
	      "each write went to the end");
	close(r);
	close(fd);
	fd = open("/tmp/log", O_WRONLY | O_TRUNC);
	check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC empties it");
	close(fd);
	check_errno(open("/tmp/log", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_EXCL on it: EEXIST");
}

static void dirs(void)
{
	struct stat st;
	check(mkdir("/tmp/a", 0755) == 0 && mkdir("/tmp/a/b", 0700) == 0 &&
		      mkdir("/tmp/a/b/c", 0755) == 0,
	      "mkdir three levels");
	check(stat("/tmp/a", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 3,
	      "a directory with one subdirectory has 3 links");
	check_errno(mkdir("/tmp/a", 0755), EEXIST, "mkdir again: EEXIST");
	check_errno(rmdir("/tmp/a/b"), ENOTEMPTY, "rmdir a non-empty one: ENOTEMPTY");
	check_errno(mkdir("/tmp/nothere/x", 0755), ENOENT, "mkdir under a missing one: ENOENT");
	int fd = open("/tmp/a/b/file", O_CREAT | O_WRONLY, 0644);
	check(fd >= 0 && write(fd, "data\n", 5) == 5 && close(fd) == 0, "a file three levels down");
	check_errno(open("/tmp/a/b/file/x", O_RDONLY), ENOTDIR, "a path through a file: ENOTDIR");
	check_errno(open("/tmp/a", O_WRONLY), EISDIR, "a directory opened for writing: EISDIR");
	check_errno(open("/tmp/a/b/file", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file: ENOTDIR");
	check_errno(rmdir("/tmp/a/b/file"), ENOTDIR, "rmdir a file: ENOTDIR");
	check_errno(unlink("/tmp/a/b"), EISDIR, "unlink a directory: EISDIR");
	char name[300];
	memset(name, 'n', sizeof name - 1);
	name[0] = '/', name[sizeof name - 1] = 0;
	check_errno(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG, "a 298-byte name: ENAMETOOLONG");

	check(chdir("/tmp/a/b") == 0 && open("c/../file", O_RDONLY) >= 0, "chdir; a relative path with ..");
	char cwd[PATH_MAX];
	check(getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/tmp/a/b"), "getcwd: /tmp/a/b");
	check(rename("file", "/tmp/moved") == 0 && stat("/tmp/moved", &st) == 0 && st.st_size == 5 &&
		      stat("file", &st) == -1,
	      "rename into another directory");
	check(rename("/tmp/a/b", "/tmp/a/renamed") == 0 && getcwd(cwd, sizeof cwd) &&
		      stat("c", &st) == 0,
	      "rename the current directory: still in it");
	check_errno(rename("/tmp/a", "/tmp/a/renamed/c/inside"), EINVAL, "rename into itself: EINVAL");
	fd = open("/tmp/over", O_CREAT | O_WRONLY, 0644);
	close(fd);
	check(rename("/tmp/moved", "/tmp/over") == 0 && stat("/tmp/over", &st) == 0 && st.st_size == 5,
	      "rename over an existing file replaces it");
	check(chdir("/") == 0, "chdir /");

	check(link("/tmp/over", "/tmp/hard") == 0 && stat("/tmp/over", &st) == 0 && st.st_nlink == 2,
	      "link: two names, nlink 2");
	struct stat st2;
	check(stat("/tmp/hard", &st2) == 0 && st2.st_ino == st.st_ino, "both names have one inode");
	check(symlink("over", "/tmp/soft") == 0 && lstat("/tmp/soft", &st2) == 0 &&
		      S_ISLNK(st2.st_mode) && st2.st_size == 4 && stat("/tmp/soft", &st2) == 0 &&
		      st2.st_ino == st.st_ino,
	      "symlink: lstat sees the link, stat its target");
	check(symlink("loop", "/tmp/loop") == 0, "a link to itself");
	check_errno(open("/tmp/loop", O_RDONLY), ELOOP, "open it: ELOOP");
	check_errno(open("/tmp/soft", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a link: ELOOP");

	/* d_ino in a listing is st_ino. */
	DIR *d = opendir("/tmp");
	int same = d != NULL, count = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[300];
		snprintf(path, sizeof path, "/tmp/%s", e->d_name);
		if (lstat(path, &st2) == 0 && strcmp(e->d_name, ".."))
			same &= st2.st_ino == e->d_ino;
		count++;
	}
	if (d)
		closedir(d);
	check(same && count == 9, "readdir /tmp: 9 entries, each d_ino its st_ino");

	check(chmod("/tmp/over", 0640) == 0 && stat("/tmp/over", &st) == 0 &&
		      (st.st_mode & 07777) == 0640,
	      "chmod");
	struct timespec times[2] = {{1000000000, 5}, {1234567890, 0}};
	check(utimensat(AT_FDCWD, "/tmp/over", times, 0) == 0 && stat("/tmp/over", &st) == 0 &&
		      st.st_mtim.tv_sec == 1234567890 && st.st_atim.tv_sec == 1000000000 &&
		      st.st_atim.tv_nsec == 5,
	      "utimensat sets both times");
}

/* An unlinked file lives while a descriptor holds it. */
static void unlinked(void)
{
	int fd = open("/tmp/ghost", O_CREAT | O_RDWR, 0644);
	check(fd >= 0 && write(fd, "boo\n", 4) == 4 && unlink("/tmp/ghost") == 0,
	      "unlink a file that is open");
	struct stat st;
	char buf[8] = "";
	check(fstat(fd, &st) == 0 && st.st_nlink == 0 && pread(fd, buf, 8, 0) == 4 &&
		      !memcmp(buf, "boo\n", 4),
	      "its descriptor still reads it, nlink 0");
	check_errno(stat("/tmp/ghost", &st), ENOENT, "its name is gone: ENOENT");
	close(fd);
}

static int child_writes(int unused)
{
	(void)unused;
	int fd = open("/tmp/from-child", O_CREAT | O_WRONLY, 0644);
	return fd >= 0 && write(fd, "hi\n", 3) == 3 && close(fd) == 0 ? 0 : 1;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	seeded();
	data();
	dirs();
	unlinked();
	check_exit(spawn(child_writes, 0), 0, "a child writes a file");
	struct stat st;
	check(stat("/tmp/from-child", &st) == 0 && st.st_size == 3, "the parent sees it");

	pid_t server = find_process("filesystem");
	check(server > 1, "the filesystem service runs");
	int kept = open("/tmp/over", O_RDONLY);
	check(kill(server, SIGKILL) == 0, "SIGKILL to it");
	struct timespec before, after;
	clock_gettime(CLOCK_MONOTONIC, &before);
	check_errno(stat("/tmp/over", &st), EIO, "a call with no server: EIO");
	clock_gettime(CLOCK_MONOTONIC, &after);
	check(after.tv_sec - before.tv_sec >= 9, "after waiting for the next server");
	check(stat("/boot/etc/status", &st) == 0, "/boot still answers");

	pid_t next = fork();
	if (next == 0) {
		char *argv[] = {"/boot/sbin/filesystem", "--quiet", NULL};
		execve(argv[0], argv, environ);
		_exit(127);
	}
	check(next > 0 && stat("/etc/status", &st) == 0, "a server started from /boot serves /");
	check_errno(stat("/tmp/over", &st), ENOENT, "with the image's files alone");
	char c;
	check_errno(read(kept, &c, 1), ESTALE, "a descriptor of the old server: ESTALE");
	close(kept);
	check(kill(next, SIGTERM) == 0, "SIGTERM to the new server");
	check_exit(next, 0, "it stops with status 0");
	return check_status();
}
