/*
 * Limits and broken pipes: descriptor exhaustion gives EMFILE at a lowered RLIMIT_NOFILE and at
 * the default one, and closing one makes room again; a full pipe blocks (a timer's signal ends
 * the write with EINTR) or gives EAGAIN with O_NONBLOCK, and a reader makes room again; a write
 * to a pipe with no reader kills with SIGPIPE by default, and gives EPIPE with SIGPIPE ignored
 * or handled; symbolic-link loops give ELOOP, a chain of 40 links resolves and 41 do not.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "ul.h"

/* Opens /dev/null until it fails; returns how many opened, errno in *err. Closes them all. */
static int open_until_failure(int *err)
{
	static int fds[65536];
	int n = 0;
	while (n < 65536) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			*err = errno;
			break;
		}
		fds[n++] = fd;
	}
	if (n > 0) { /* room again once one is closed */
		close(fds[--n]);
		int again = open("/dev/null", O_RDONLY);
		*err = again == fds[n] ? *err : -1;
		fds[n++] = again;
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return n;
}

/* How many descriptors below limit are open (stdin, stdout, stderr, and what the caller left). */
static int open_below(int limit)
{
	int n = 0;
	for (int fd = 0; fd < limit; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

static void descriptors(void)
{
	struct rlimit def, low = {16, 0};
	getrlimit(RLIMIT_NOFILE, &def);
	low.rlim_max = def.rlim_max;
	int already = open_below(16);
	check(setrlimit(RLIMIT_NOFILE, &low) == 0, "RLIMIT_NOFILE lowered to 16");
	int err = 0, n = open_until_failure(&err);
	check(n == 16 - already && err == EMFILE, "EMFILE at 16 descriptors, and room after a close");
	int p[2];
	while (open("/dev/null", O_RDONLY) >= 0)
		;
	check_errno(pipe(p), EMFILE, "pipe at the limit: EMFILE");
	check_errno(dup(0), EMFILE, "dup at the limit: EMFILE");
	check_errno(fcntl(0, F_DUPFD, 0), EMFILE, "F_DUPFD at the limit: EMFILE");
	check(dup2(0, 15) == 15, "dup2 onto an open descriptor below the limit works");
	check_errno(dup2(0, 16), EBADF, "dup2 to the limit: EBADF");
	for (int i = 3; i < 16; i++)
		close(i);
	check(setrlimit(RLIMIT_NOFILE, &def) == 0, "the default limit back");
	already = open_below((int)def.rlim_cur);
	n = open_until_failure(&err);
	check(err == EMFILE && n == (int)def.rlim_cur - already, "EMFILE at the default limit");
	struct rlimit over = {def.rlim_max + 1, def.rlim_max + 1};
	check_errno(setrlimit(RLIMIT_NOFILE, &over), EPERM, "raising past the hard limit without privilege fails");
}

static volatile sig_atomic_t alarms, pipes;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}
static void on_pipe(int sig)
{
	(void)sig;
	pipes++;
}

static void full_pipe(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	static char chunk[4096];
	long total = 0;
	ssize_t n;
	while ((n = write(p[1], chunk, sizeof chunk)) > 0)
		total += n;
	int err = errno;
	printf("a pipe holds %ld bytes\n", total);
	check(n == -1 && err == EAGAIN && total >= 4096, "a full O_NONBLOCK pipe: EAGAIN");
	check_errno(write(p[1], "x", 1), EAGAIN, "even one byte: EAGAIN");

	/* Blocking: the write waits until a timer's signal (no SA_RESTART) ends it. */
	fcntl(p[1], F_SETFL, 0);
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	check_errno(write(p[1], "x", 1), EINTR, "a full blocking pipe waits; a signal ends it with EINTR");
	check(alarms == 1, "the timer's handler ran");

	/* A reader makes room: a blocked writer goes on. */
	pid_t child = fork();
	if (child == 0) {
		usleep(20000);
		char buf[8192];
		_exit(read(p[0], buf, sizeof buf) == sizeof buf ? 0 : 1);
	}
	check(write(p[1], chunk, 4096) == 4096, "a blocked write completes once a reader takes data");
	int st;
	waitpid(child, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the reader read 8 KiB");
	close(p[0]);
	close(p[1]);
}

static void no_reader(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	pid_t child = fork();
	if (child == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	int st;
	waitpid(child, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "a write with no reader: killed by SIGPIPE");

	signal(SIGPIPE, SIG_IGN);
	check_errno(write(p[1], "x", 1), EPIPE, "SIGPIPE ignored: EPIPE");
	struct sigaction sa = {0};
	sa.sa_handler = on_pipe;
	sigaction(SIGPIPE, &sa, NULL);
	check_errno(write(p[1], "x", 1), EPIPE, "SIGPIPE handled: EPIPE");
	check(pipes == 1, "and the handler ran once");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	/* The reader goes while the writer waits on a full pipe. */
	pipe(p);
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	child = fork();
	if (child == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		static char big[1 << 20];
		ssize_t n = write(p[1], big, sizeof big);
		_exit(n > 0 && n < (ssize_t)sizeof big ? 2 : n < 0 && errno == EPIPE ? 3 : 4);
	}
	close(p[1]);
	usleep(20000);
	close(p[0]);
	waitpid(child, &st, 0);
	check(WIFEXITED(st) && (WEXITSTATUS(st) == 2 || WEXITSTATUS(st) == 3),
	      "a writer blocked on a full pipe whose reader goes: a short count or EPIPE");
}

static void loops(void)
{
	ul_enter_tmpdir("limits");
	symlink("self", "self");
	symlink("b", "a");
	symlink("a", "b");
	check_errno(open("self", O_RDONLY), ELOOP, "a link to itself: ELOOP");
	check_errno(open("a", O_RDONLY), ELOOP, "two links to each other: ELOOP");
	struct stat st;
	check_errno(stat("a/x", &st), ELOOP, "a loop inside a path: ELOOP");
	check(lstat("a", &st) == 0 && S_ISLNK(st.st_mode), "lstat of a looping link works");
	check_errno(open("a", O_RDONLY | O_CREAT, 0644), ELOOP, "O_CREAT through a loop: ELOOP");
	close(open("file", O_CREAT | O_WRONLY, 0644));
	symlink("file", "to_file");
	check_errno(open("to_file", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a link: ELOOP");
	/* l1 -> l2 -> ... -> l40 -> file resolves (40 links); l0 -> l1 makes 41. */
	char name[16], target[16];
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof name, "l%d", i);
		if (i == 40)
			snprintf(target, sizeof target, "file");
		else
			snprintf(target, sizeof target, "l%d", i + 1);
		symlink(target, name);
	}
	int fd = open("l1", O_RDONLY);
	check(fd >= 0, "a chain of 40 links resolves");
	close(fd);
	check_errno(open("l0", O_RDONLY), ELOOP, "a chain of 41: ELOOP");
	ul_leave_tmpdir();
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	descriptors();
	full_pipe();
	no_reader();
	loops();
	return check_status();
}
