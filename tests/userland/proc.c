/*
 * fork, pipe, execve and wait: exit statuses and signals seen by the parent, a three-stage
 * pipeline between processes (the program execs itself as the stages), close-on-exec (a
 * descriptor marked O_CLOEXEC is gone in the new program, the others stay), dup2 onto standard
 * output, waitpid by pid and WNOHANG, and automatic reaping when SIGCHLD is ignored (wait then
 * fails with ECHILD once every child has ended).
 *
 * usage: proc [STAGE ...] -- the stages are what the program does when it execs itself.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "ul.h"

static const char *self;

/* Stage "upper": copies stdin to stdout in capitals. */
static int stage_upper(void)
{
	int c;
	while ((c = getchar()) != EOF)
		putchar(c >= 'a' && c <= 'z' ? c - 32 : c);
	return 0;
}

/* Stage "count": prints the number of lines on stdin; exits 3 to be told apart. */
static int stage_count(void)
{
	int c, lines = 0;
	while ((c = getchar()) != EOF)
		lines += c == '\n';
	printf("%d lines\n", lines);
	return 3;
}

/* Stage "fds A B": whether descriptor A is open (it must not be) and B is (it must be). */
static int stage_fds(int a, int b)
{
	int a_open = fcntl(a, F_GETFD) != -1, b_open = fcntl(b, F_GETFD) != -1;
	return (!a_open ? 0 : 1) | (b_open ? 0 : 2);
}

static pid_t run(char *const argv[], int in, int out, int close_fd)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (in != 0) {
			dup2(in, 0);
			close(in);
		}
		if (out != 1) {
			dup2(out, 1);
			close(out);
		}
		if (close_fd >= 0)
			close(close_fd);
		execv(self, argv);
		_exit(127);
	}
	return pid;
}

static int status_of(pid_t pid)
{
	int status;
	return waitpid(pid, &status, 0) == pid ? status : -1;
}

static void statuses(void)
{
	for (int code = 0; code < 256; code += 85) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(code);
		int st = status_of(pid);
		char what[64];
		snprintf(what, sizeof what, "a child's exit(%d) is seen", code);
		check(WIFEXITED(st) && WEXITSTATUS(st) == code, what);
	}
	pid_t pid = fork();
	if (pid == 0) {
		raise(SIGTERM);
		_exit(0);
	}
	int st = status_of(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "a child killed by SIGTERM");
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	int none;
	check(waitpid(pid, &none, WNOHANG) == 0, "WNOHANG while the child lives: 0");
	kill(pid, SIGKILL);
	st = status_of(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "then SIGKILL ends it");
	check_errno(waitpid(-1, &none, 0), ECHILD, "no children left: ECHILD");
	char *bad[] = {"/nonexistent/program", NULL};
	check_errno(execv(bad[0], bad), ENOENT, "execv of a missing file: ENOENT");
}

static void pipeline(void)
{
	/* parent --text--> upper --> count --> parent */
	int p1[2], p2[2], p3[2];
	check(pipe(p1) == 0 && pipe(p2) == 0 && pipe2(p3, O_CLOEXEC) == 0, "three pipes");
	char *upper[] = {(char *)self, "upper", NULL}, *count[] = {(char *)self, "count", NULL};
	/* Each stage must see end-of-file: every copy of a write end but its own is closed. */
	fcntl(p1[1], F_SETFD, FD_CLOEXEC);
	fcntl(p2[0], F_SETFD, FD_CLOEXEC);
	pid_t a = run(upper, p1[0], p2[1], -1);
	fcntl(p1[0], F_SETFD, FD_CLOEXEC);
	fcntl(p2[1], F_SETFD, FD_CLOEXEC);
	pid_t b = run(count, p2[0], p3[1], -1);
	close(p1[0]);
	close(p2[0]);
	close(p2[1]);
	close(p3[1]);
	FILE *to = fdopen(p1[1], "w");
	for (int i = 0; i < 500; i++)
		fprintf(to, "line %d of the pipeline\n", i);
	fclose(to);
	char buf[64] = "";
	ssize_t n = read(p3[0], buf, sizeof buf - 1);
	close(p3[0]);
	printf("pipeline said: %s", n > 0 ? buf : "nothing\n");
	check(n > 0 && !strcmp(buf, "500 lines\n"), "the pipeline counted 500 lines");
	int sa = status_of(a), sb = status_of(b);
	check(WIFEXITED(sa) && WEXITSTATUS(sa) == 0 && WIFEXITED(sb) && WEXITSTATUS(sb) == 3,
	      "the stages exited 0 and 3");

	/* What upper wrote, read straight from a pipe. */
	int q[2], r[2];
	pipe(q);
	pipe(r);
	a = run(upper, q[0], r[1], q[1]);
	close(q[0]);
	close(r[1]);
	write(q[1], "mixed Case 123\n", 15);
	close(q[1]);
	n = read(r[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	check(n == 15 && !strcmp(buf, "MIXED CASE 123\n"), "upper's output");
	check(read(r[0], buf, 1) == 0, "end of file once it exited");
	close(r[0]);
	status_of(a);
}

static void cloexec(void)
{
	int keep = open("/dev/null", O_RDONLY);
	int gone = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int gone2 = fcntl(keep, F_DUPFD_CLOEXEC, 20);
	check(fcntl(gone, F_GETFD) == FD_CLOEXEC && fcntl(gone2, F_GETFD) == FD_CLOEXEC &&
		      fcntl(keep, F_GETFD) == 0,
	      "F_GETFD shows FD_CLOEXEC");
	char a[16], b[16], a2[16];
	snprintf(a, sizeof a, "%d", gone);
	snprintf(a2, sizeof a2, "%d", gone2);
	snprintf(b, sizeof b, "%d", keep);
	char *args[] = {(char *)self, "fds", a, b, NULL};
	int st = status_of(run(args, 0, 1, -1));
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "after exec: the O_CLOEXEC descriptor is closed, the other open");
	args[2] = a2;
	st = status_of(run(args, 0, 1, -1));
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "after exec: F_DUPFD_CLOEXEC's copy is closed");
	fcntl(gone, F_SETFD, 0);
	args[2] = b, args[3] = a;
	st = status_of(run(args, 0, 1, -1));
	check(WIFEXITED(st) && WEXITSTATUS(st) == 1, "F_SETFD 0 keeps it open across exec");
	close(keep);
	close(gone);
	close(gone2);
}

/* Stage "exe": /proc/self/exe names the file, not the link the program was exec'd through. */
static int stage_exe(const char *want)
{
	char got[4096];
	ssize_t n = readlink("/proc/self/exe", got, sizeof got - 1);
	if (n < 0)
		return 2;
	got[n] = 0;
	return strcmp(got, want) ? 1 : 0;
}

/* busybox re-execs itself through /proc/self/exe: the new program's link is the file's path. */
static void exec_through_proc(void)
{
	char want[4096];
	ssize_t n = readlink("/proc/self/exe", want, sizeof want - 1);
	check(n > 0 && want[0] == '/', "/proc/self/exe is an absolute path");
	if (n <= 0)
		return;
	want[n] = 0;
	char *args[] = {"/proc/self/exe", "exe", want, NULL};
	pid_t pid = fork();
	if (pid == 0) {
		execv("/proc/self/exe", args);
		_exit(127);
	}
	int st = status_of(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "exec'd through /proc/self/exe, /proc/self/exe is still the file's path");
}

static void ignored_sigchld(void)
{
	signal(SIGCHLD, SIG_IGN);
	pid_t pids[5];
	for (int i = 0; i < 5; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			usleep(10000 * (i + 1));
			_exit(i);
		}
	}
	int st;
	/* Linux: wait blocks until every child has ended, then fails with ECHILD. */
	check_errno(wait(&st), ECHILD, "SIGCHLD ignored: wait reaps nothing, ECHILD at the end");
	int alive = 0;
	for (int i = 0; i < 5; i++)
		alive += kill(pids[i], 0) == 0;
	check(alive == 0, "no zombie is left");
	signal(SIGCHLD, SIG_DFL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(9);
	st = status_of(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 9, "SIGCHLD back to default: the child is a zombie to reap");
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc > 1 && !strcmp(argv[1], "upper"))
		return stage_upper();
	if (argc > 1 && !strcmp(argv[1], "count"))
		return stage_count();
	if (argc > 2 && !strcmp(argv[1], "exe"))
		return stage_exe(argv[2]);
	if (argc > 3 && !strcmp(argv[1], "fds"))
		return stage_fds(atoi(argv[2]), atoi(argv[3]));
	setvbuf(stdout, NULL, _IOLBF, 0); /* children must not print what the parent buffered */
	statuses();
	pipeline();
	cloexec();
	exec_through_proc();
	ignored_sigchld();
	return check_status();
}
