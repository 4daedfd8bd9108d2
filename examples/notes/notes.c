/*
 * notes [LINE...]: a client of the filesystem service. Appends each LINE to /tmp/notes, then
 * lists the service's files and prints /tmp/notes and /etc/status, all through <ecl/fs.h>. Run
 * on its own under eclipse-sim, with no init to start the service, it starts /sbin/filesystem
 * from the boot image itself and stops it at the end.
 */
#include <ecl/fs.h>
#include <ecl/ipc.h>
#include <ecl/time.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOTES "/tmp/notes"

/* Starts /sbin/filesystem; returns its pid once it has registered, or -1. */
static pid_t start_filesystem(void)
{
	char *argv[] = {"/sbin/filesystem", NULL};
	printf("notes: no filesystem service: starting %s\n", argv[0]);
	/* Out before the service's lines, and not a second time from the child's copy. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execve(argv[0], argv, environ);
		dprintf(2, "notes: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (int polls = 0; pid > 0 && ipc_lookup(FS_SERVICE_NAME) != pid; polls++) {
		if (polls == 1000 || waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		sleep_ms(1);
	}
	return pid;
}

/* Writes the file at path to stdout; returns 0, or -1 with errno. */
static int show(const char *path)
{
	char buf[512];
	int h = fs_open(path, O_RDONLY);
	if (h < 0)
		return -1;
	printf("--- %s\n", path);
	ssize_t n;
	while ((n = fs_read(h, buf, sizeof buf)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	fs_close(h);
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	pid_t started = 0;
	if (ipc_lookup(FS_SERVICE_NAME) < 0 && (started = start_filesystem()) < 0) {
		dprintf(2, "notes: the filesystem service did not start\n");
		return 1;
	}
	int h = fs_open(NOTES, O_WRONLY | O_CREAT | O_APPEND);
	for (int i = 1; h >= 0 && i < argc; i++)
		if (fs_write(h, argv[i], strlen(argv[i])) < 0 || fs_write(h, "\n", 1) < 0)
			break;
	if (h < 0 || fs_close(h) < 0) {
		dprintf(2, "notes: cannot write %s: %s\n", NOTES, strerror(errno));
		return 1;
	}

	struct fs_dirent e;
	printf("notes: the filesystem service's files:\n");
	for (unsigned i = 0; fs_list(i, &e) == 1; i++)
		printf("  %s %6llu  %s\n", e.stat.mode & 0200 ? "rw" : "r-", (unsigned long long)e.stat.size,
		       e.name);
	if (show(NOTES) < 0 || show("/etc/status") < 0)
		dprintf(2, "notes: cannot read: %s\n", strerror(errno));

	if (started) {
		kill(started, SIGTERM);
		waitpid(started, NULL, 0);
	}
	return 0;
}
