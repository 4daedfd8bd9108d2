/*
 * The console's input as a stream (run by stream_input_test.sh, standard input a pipe it feeds
 * only when this program says it waits):
 *  - with O_NONBLOCK a read gives EAGAIN while nothing came, and poll with no timeout says 0;
 *  - a read that waits for input holds its own thread only: a child sleeps, computes and
 *    prints (its timer runs while the pipe is slow);
 *  - while the pipe is slow, idle time passes at real time's pace (0.3 s of host time pass
 *    before the second line comes);
 *  - poll wakes when bytes come; they come whole and in order; then the end of input, for
 *    every read after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void say(const char *what)
{
	dprintf(1, "%s\n", what);
}

int main(void)
{
	char buf[64];
	int fl = fcntl(0, F_GETFL);
	fcntl(0, F_SETFL, fl | O_NONBLOCK);
	long n = read(0, buf, sizeof(buf));
	dprintf(1, "nonblocking read: %ld %s\n", n, n >= 0 ? "" : errno == EAGAIN ? "EAGAIN" : strerror(errno));
	struct pollfd pfd = {0, POLLIN, 0};
	dprintf(1, "poll now: %d\n", poll(&pfd, 1, 0));
	fcntl(0, F_SETFL, fl);

	pid_t child = fork();
	if (child == 0) {
		usleep(20000);
		volatile unsigned long sum = 0;
		for (unsigned long i = 0; i < 20000000; i++)
			sum += i;
		say("child: slept and computed while its parent waits");
		return 0;
	}
	say("waiting for input");
	n = read(0, buf, sizeof(buf) - 1);
	dprintf(1, "read: %ld \"%.*s\"\n", n, n > 0 ? (int)n - 1 : 0, buf);
	int status;
	waitpid(child, &status, 0);

	say("polling");
	pfd.revents = 0;
	long long t0 = now_ns();
	int r = poll(&pfd, 1, -1);
	long long waited = now_ns() - t0;
	dprintf(1, "poll: %d%s\n", r, r == 1 && (pfd.revents & POLLIN) ? " POLLIN" : "");
	dprintf(1, "the clock went on with real time: %s\n", waited >= 200000000 ? "yes" : "no");
	n = read(0, buf, sizeof(buf) - 1);
	dprintf(1, "read: %ld \"%.*s\"\n", n, n > 0 ? (int)n - 1 : 0, buf);
	say("reading to the end");
	dprintf(1, "read: %ld\n", (long)read(0, buf, sizeof(buf)));
	dprintf(1, "read again: %ld\n", (long)read(0, buf, sizeof(buf)));
	return 0;
}
