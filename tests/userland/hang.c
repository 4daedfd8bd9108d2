/*
 * A file server that never answers (eclipse-sim only: file servers are Eclipse's). A child
 * serves /hang with fs_serve and then takes requests without ever replying; another serves
 * /mute and never even receives. A call on either fails with EIO after the kernel's timeout
 * (10 s of virtual time, which the simulator's clock jumps over) instead of hanging, the
 * caller's other threads and the rest of the system go on meanwhile, and once the servers are
 * killed a call waits as long for a new one and fails with EIO again. The kernel stays up: the
 * root filesystem still works.
 */
#include <ecl/ipc.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "ul.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A child serving path that receives requests (receive set) or not, and never replies. */
static pid_t silent_server(const char *path, int receive)
{
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		char ok = syscall(SYS_fs_serve, path) == 0 ? 'y' : 'n';
		write(p[1], &ok, 1);
		static struct ipc_msg msg;
		for (;;)
			if (!receive || ipc_receive(0, &msg, IPC_FOREVER) < 0)
				pause();
	}
	close(p[1]);
	char ok = 0;
	read(p[0], &ok, 1);
	close(p[0]);
	check(ok == 'y', "a child serves the path");
	return pid;
}

static volatile int ticks;
static void *ticker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		usleep(100000);
		ticks++;
	}
	return NULL;
}

/* A call on path that must fail with EIO after at least 10 s. */
static void times_out(const char *path, const char *what)
{
	struct stat st;
	double start = now();
	int r = stat(path, &st);
	int err = errno;
	double took = now() - start;
	char line[160];
	snprintf(line, sizeof line, "%s: EIO after the timeout", what);
	check(r == -1 && err == EIO && took >= 9.9 && took < 30, line);
	if (r != -1 || err != EIO || took < 9.9 || took >= 30)
		printf("  (returned %d, errno %d, after %.1f s)\n", r, err, took);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pid_t hang = silent_server("/hang", 1), mute = silent_server("/mute", 0);

	pthread_t tick;
	pthread_create(&tick, NULL, ticker, NULL);
	times_out("/hang/file", "a server that takes the request and never replies");
	check(ticks >= 50, "another thread of the caller ran meanwhile");
	pthread_join(tick, NULL);
	times_out("/mute/file", "a server that never receives");
	int fd = open("/hang/new", O_CREAT | O_WRONLY, 0644);
	check_errno(fd, EIO, "open(O_CREAT) on the silent server: EIO");

	kill(hang, SIGKILL);
	kill(mute, SIGKILL);
	int st;
	check(waitpid(hang, &st, 0) == hang && waitpid(mute, &st, 0) == mute, "the servers are killed and reaped");
	times_out("/hang/file", "with the server gone, no new one comes");

	struct stat root;
	check(stat("/", &root) == 0 && S_ISDIR(root.st_mode), "the root filesystem still works");
	fd = open("/tmp/after-hang", O_CREAT | O_RDWR | O_TRUNC, 0600);
	check(fd >= 0 && write(fd, "ok", 2) == 2 && pread(fd, &root, 2, 0) == 2, "files can still be written and read");
	close(fd);
	unlink("/tmp/after-hang");
	return check_status();
}
