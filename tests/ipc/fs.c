/*
 * The filesystem service through the client API (<ecl/fs.h>), against the real service: the
 * test starts /sbin/filesystem from the boot image (its stdout closed, so that its messages stay
 * out of ours). Seeded files, created ones, reads and writes across messages, the errors, handles
 * (another process's, a dead process's), unlink of an open file, requests the protocol does not
 * know, and a stop and restart of the service.
 */
#include <ecl/fs.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "ipc_test.h"

#define BIG 10000

/* Forks and execs /sbin/filesystem with stdout closed; returns its pid once it has registered. */
static pid_t start_filesystem(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"/sbin/filesystem", NULL};
		close(1);
		execve(argv[0], argv, environ);
		_exit(127);
	}
	for (int polls = 0; ipc_lookup(FS_SERVICE_NAME) != pid && polls < 1000; polls++)
		sleep_ms(1);
	return pid;
}

/* Reads the boot image's file at path with open and read into buf; returns its length or -1. */
static long image_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long len = 0, n = 0;
	if (fd < 0)
		return -1;
	while ((size_t)len < size && (n = read(fd, buf + len, size - (size_t)len)) > 0)
		len += n;
	close(fd);
	return n < 0 ? -1 : len;
}

/* Prints the listing: one line per file, its name and mode (sizes vary with the sources). */
static unsigned list(void)
{
	struct fs_dirent e;
	unsigned i = 0;
	printf("list:\n");
	while (fs_list(i, &e) == 1) {
		printf("  %s %o\n", e.name, e.stat.mode);
		i++;
	}
	return i;
}

static void seeded(void)
{
	static char image[8192], served[8192];
	check(list() == 2, "two files, seeded from the boot image");
	struct fs_stat st;
	const char *paths[] = {"/etc/services.conf", "/etc/status"};
	for (int i = 0; i < 2; i++) {
		long len = image_file(paths[i], image, sizeof image);
		int h = fs_open(paths[i], O_RDONLY);
		ssize_t n = fs_read(h, served, sizeof served);
		char what[80];
		snprintf(what, sizeof what, "%s: size and bytes as in the boot image", paths[i]);
		check(len > 0 && fs_stat(paths[i], &st) == 0 && st.size == (uint64_t)len && n == len &&
			      !memcmp(image, served, (size_t)len) && fs_close(h) == 0,
		      what);
	}
	check(fs_stat("/etc/status", &st) == 0 && st.mode == (S_IFREG | 0444), "seeded files are read-only");
	check_errno(fs_open("/etc/status", O_WRONLY), EROFS, "open a seeded file for writing: EROFS");
	check_errno(fs_open("/etc/status", O_RDWR), EROFS, "open it O_RDWR: EROFS");
	check_errno(fs_open("/etc/status", O_RDONLY | O_TRUNC), EROFS, "open it O_TRUNC: EROFS");
	check_errno(fs_unlink("/etc/status"), EROFS, "unlink it: EROFS");
	check_errno(fs_open("/etc/status", O_CREAT | O_EXCL | O_RDWR), EEXIST, "O_CREAT | O_EXCL on it: EEXIST");
}

static void bad_names(void)
{
	struct fs_stat st;
	char longer[200];
	memset(longer, 'x', sizeof longer - 1);
	longer[0] = '/';
	longer[sizeof longer - 1] = '\0';
	check_errno(fs_open("/etc/missing", O_RDONLY), ENOENT, "open a missing file: ENOENT");
	check_errno(fs_stat("/etc/missing", &st), ENOENT, "stat it: ENOENT");
	check_errno(fs_unlink("/etc/missing"), ENOENT, "unlink it: ENOENT");
	check_errno(fs_open("etc/status", O_RDONLY), EINVAL, "a relative path: EINVAL");
	check_errno(fs_open("/", O_RDONLY), EISDIR, "\"/\": EISDIR");
	check_errno(fs_open("", O_RDONLY), ENOENT, "\"\": ENOENT");
	check_errno(fs_open(longer, O_RDONLY | O_CREAT), ENAMETOOLONG, "a 199-byte path: ENAMETOOLONG");
	check_errno(fs_open("/tmp/x", O_ACCMODE | O_CREAT), EINVAL, "access mode 3: EINVAL");
	check_errno(fs_open("/tmp/x", O_RDONLY | O_CREAT | O_DIRECTORY), EINVAL, "O_DIRECTORY: EINVAL");
}

/* Uses the handle of its parent given as h; exits 0 if that is EBADF. */
static int stranger(int h)
{
	char c;
	return fs_read(h, &c, 1) < 0 && errno == EBADF ? 0 : 1;
}

/* Opens /etc/status until EMFILE, then exits without closing: 0 after exactly 64 opens. */
static int hoarder(int unused)
{
	(void)unused;
	int opened = 0;
	while (fs_open("/etc/status", O_RDONLY) >= 0)
		opened++;
	return errno == EMFILE && opened == FS_HANDLES_MAX ? 0 : 1;
}

static void files(void)
{
	static char buf[300000];
	struct fs_stat st;
	int h = fs_open("/tmp/notes", O_CREAT | O_EXCL | O_RDWR);
	check(h >= 0, "create /tmp/notes");
	check(fs_write(h, "hello, ", 7) == 7 && fs_write(h, "world\n", 6) == 6, "write 7 and 6 bytes");
	check(fs_stat("/tmp/notes", &st) == 0 && st.size == 13 && st.mode == (S_IFREG | 0644),
	      "stat: 13 bytes, writable");
	check(fs_read(h, buf, 100) == 0, "read at its end: 0");
	int r = fs_open("/tmp/notes", O_RDONLY);
	check(fs_read(r, buf, 100) == 13 && !memcmp(buf, "hello, world\n", 13), "a second handle reads it all");
	check_errno(fs_write(r, "x", 1), EBADF, "write on a read-only handle: EBADF");
	int w = fs_open("/tmp/notes", O_WRONLY | O_APPEND);
	check_errno(fs_read(w, buf, 1), EBADF, "read on a write-only handle: EBADF");
	check(fs_write(w, "again\n", 6) == 6 && fs_stat("/tmp/notes", &st) == 0 && st.size == 19,
	      "O_APPEND writes at the end: 19 bytes");
	pid_t child = spawn(stranger, r);
	check_exit(child, 0, "another process's handle: EBADF");
	check(fs_close(w) == 0 && fs_close(h) == 0 && fs_close(r) == 0, "close the three handles");
	check_errno(fs_close(h), EBADF, "close one again: EBADF");

	for (int i = 0; i < BIG; i++)
		buf[i] = (char)(i * 13 + 5);
	int big = fs_open("/tmp/big", O_CREAT | O_RDWR);
	check(fs_write(big, buf, BIG) == BIG, "write 10000 bytes, three messages");
	int again = fs_open("/tmp/big", O_RDONLY);
	static char back[BIG];
	check(fs_read(again, back, sizeof back) == BIG && !memcmp(buf, back, BIG), "read them back");
	check(fs_close(again) == 0 && fs_close(big) == 0, "close both");
	big = fs_open("/tmp/big", O_WRONLY | O_TRUNC);
	check(fs_stat("/tmp/big", &st) == 0 && st.size == 0, "O_TRUNC empties it");
	check(fs_write(big, buf, sizeof buf) == FS_FILE_SIZE_MAX, "a 300000-byte write stops at 256 KiB");
	check_errno(fs_write(big, buf, 1), ENOSPC, "one more byte: ENOSPC");
	check(fs_close(big) == 0, "close it");

	check(list() == 4, "four files, in path order");
	check(fs_unlink("/tmp/notes") == 0, "unlink /tmp/notes while a handle is open on it");
	check_errno(fs_open("/tmp/notes", O_RDONLY), ENOENT, "open it: ENOENT");
	check_errno(fs_stat("/tmp/notes", &st), ENOENT, "stat it: ENOENT");
	check_errno(fs_unlink("/tmp/notes"), ENOENT, "unlink it again: ENOENT");
	r = fs_open("/tmp/notes", O_RDONLY | O_CREAT);
	check(r >= 0 && fs_stat("/tmp/notes", &st) == 0 && st.size == 0, "O_CREAT makes a new, empty one");
	check(fs_close(r) == 0 && fs_unlink("/tmp/notes") == 0, "close and unlink it");
	check(list() == 3, "three files left");
}

/* After the loop in files(): every handle but r closed. Then 64 handles of a process that exits
 * without closing them are reclaimed. */
static void handles(int r)
{
	static char buf[32];
	check(fs_read(r, buf, sizeof buf) == 13 && !memcmp(buf, "hello, world\n", 13),
	      "the unlinked file's handle still reads its bytes");
	check(fs_close(r) == 0, "close it: the file goes");
	check_exit(spawn(hoarder, 0), 0, "a child opens 64 handles, then EMFILE, and exits");
	int h = fs_open("/etc/status", O_RDONLY);
	check(h >= 0 && fs_close(h) == 0, "its handles were reclaimed: open works");
}

/* Sends a raw request of type with len bytes of data; returns the reply's status. */
static int raw(pid_t fs, unsigned type, unsigned len)
{
	static union fs_msg m;
	m.ipc.type = type;
	m.ipc.len = len;
	memset(m.req.u.path, 'a', sizeof m.req.u.path);
	m.req.arg = 0;
	return ipc_call(fs, &m.ipc, &m.ipc, IPC_FOREVER) == 0 ? m.rep.status : 1;
}

int main(void)
{
	pid_t fs = start_filesystem();
	check(fs > 0 && ipc_lookup(FS_SERVICE_NAME) == fs, "start /sbin/filesystem; it registers");
	seeded();
	bad_names();
	int r = fs_open("/tmp/notes", O_CREAT | O_RDWR);
	check(r >= 0 && fs_write(r, "hello, world\n", 13) == 13 && fs_close(r) == 0, "write /tmp/notes");
	r = fs_open("/tmp/notes", O_RDONLY);
	check(fs_unlink("/tmp/notes") == 0, "unlink it with a handle open");
	files();
	handles(r);

	check(raw(fs, 99, FS_HEAD_SIZE) == -ENOSYS, "an unknown request: ENOSYS");
	check(raw(fs, FS_STAT, 4) == -EINVAL, "a request shorter than its head: EINVAL");
	check(raw(fs, FS_STAT, FS_HEAD_SIZE + 10) == -EINVAL, "a path without its NUL: EINVAL");
	check(raw(fs, FS_STAT, FS_HEAD_SIZE + FS_PATH_MAX + 10) == -ENAMETOOLONG,
	      "a path longer than FS_PATH_MAX: ENAMETOOLONG");

	int kept = fs_open("/etc/status", O_RDONLY);
	check(kill(fs, SIGTERM) == 0, "SIGTERM to the filesystem");
	check_exit(fs, 0, "it stops with status 0");
	struct fs_stat st;
	check_errno(fs_stat("/etc/status", &st), ENOENT, "with no filesystem: ENOENT");
	fs = start_filesystem();
	check(fs > 0, "start it again");
	check(fs_stat("/etc/status", &st) == 0, "the client finds the new one");
	check_errno(fs_close(kept), EBADF, "a handle from before the restart: EBADF");
	check(list() == 2, "the new one has the seeded files only");
	kill(fs, SIGTERM);
	check_exit(fs, 0, "stop it");
	return check_status();
}
