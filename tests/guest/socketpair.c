/* Connected AF_UNIX stream sockets (socketpair), as Linux has them: data both ways through
 * read/write, send/recv and sendmsg/recvmsg; the end of the stream when the peer closes or
 * shuts its sending side down; EPIPE with SIGPIPE (or without, MSG_NOSIGNAL) when the peer is
 * gone; MSG_DONTWAIT and SOCK_NONBLOCK; poll's view; fstat and getsockopt; a child at the other
 * end; the errors of the families and types that are not there. Run natively and on the sim,
 * the outputs compared. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static short revents(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, on_sigpipe);
	int sv[2];
	check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair(AF_UNIX, SOCK_STREAM)");

	char buf[64] = {0};
	check(write(sv[0], "ping", 4) == 4 && read(sv[1], buf, sizeof(buf)) == 4 &&
	      !memcmp(buf, "ping", 4), "write on one end, read on the other");
	check(send(sv[1], "pong", 4, 0) == 4 && recv(sv[0], buf, sizeof(buf), 0) == 4 &&
	      !memcmp(buf, "pong", 4), "send and recv the other way");

	struct iovec out[2] = {{"abc", 3}, {"defg", 4}};
	struct msghdr m = {.msg_iov = out, .msg_iovlen = 2};
	check(sendmsg(sv[0], &m, 0) == 7, "sendmsg of two pieces");
	char a[2], b[8] = {0};
	struct iovec in[2] = {{a, 2}, {b, sizeof(b)}};
	struct msghdr r = {.msg_iov = in, .msg_iovlen = 2};
	check(recvmsg(sv[1], &r, 0) == 7 && !memcmp(a, "ab", 2) && !memcmp(b, "cdefg", 5) &&
	      r.msg_flags == 0, "recvmsg scatters them");

	check(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN,
	      "recv with MSG_DONTWAIT and nothing there: EAGAIN");
	check((revents(sv[0], POLLIN | POLLOUT) & (POLLIN | POLLOUT)) == POLLOUT,
	      "poll: writable, nothing to read");
	write(sv[1], "x", 1);
	check(revents(sv[0], POLLIN) & POLLIN, "poll: readable once data came");
	read(sv[0], buf, 1);

	int n;
	write(sv[0], "12345", 5);
	check(ioctl(sv[1], FIONREAD, &n) == 0 && n == 5, "FIONREAD counts what waits");
	read(sv[1], buf, 5);

	struct stat st;
	check(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat: a socket");
	int type = 0;
	socklen_t len = sizeof(type);
	check(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM &&
	      len == sizeof(type), "getsockopt SO_TYPE: SOCK_STREAM");
	int err = -1;
	len = sizeof(err);
	check(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
	      "getsockopt SO_ERROR: 0");
	struct sockaddr_storage sa;
	len = sizeof(sa);
	check(getsockname(sv[0], (struct sockaddr *)&sa, &len) == 0 && sa.ss_family == AF_UNIX &&
	      len == sizeof(sa_family_t), "getsockname: AF_UNIX, no name");
	check(send(1, "x", 1, 0) == -1 && errno == ENOTSOCK, "send on a non-socket: ENOTSOCK");

	/* shutdown: the peer reads the end, and can still answer. */
	check(shutdown(sv[0], SHUT_WR) == 0, "shutdown(SHUT_WR)");
	check(read(sv[1], buf, sizeof(buf)) == 0, "the peer reads the end of the stream");
	check(revents(sv[1], POLLIN | POLLRDHUP) == (POLLIN | POLLRDHUP), "poll: POLLIN and POLLRDHUP at the end");
	check(write(sv[1], "back", 4) == 4 && read(sv[0], buf, sizeof(buf)) == 4, "and still answers");
	check(send(sv[0], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE && sigpipes == 0,
	      "send after SHUT_WR: EPIPE (no SIGPIPE with MSG_NOSIGNAL)");
	check(shutdown(sv[0], 7) == -1 && errno == EINVAL, "shutdown(7): EINVAL");
	close(sv[0]);
	close(sv[1]);

	/* The peer closes: EOF for reads, EPIPE and SIGPIPE for writes. */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	check(fcntl(sv[0], F_GETFD) == FD_CLOEXEC, "SOCK_CLOEXEC sets close-on-exec");
	close(sv[1]);
	check(read(sv[0], buf, sizeof(buf)) == 0, "the peer closed: read gives 0");
	check(revents(sv[0], POLLIN | POLLOUT) & POLLHUP, "poll: POLLHUP");
	check(write(sv[0], "x", 1) == -1 && errno == EPIPE && sigpipes == 1, "write: EPIPE and SIGPIPE");
	close(sv[0]);

	/* A peer that closes with bytes unread resets: what it sent, then ECONNRESET once, then 0. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[1], "to a", 4);
	write(sv[0], "unread", 6);
	close(sv[1]);
	struct pollfd pr = {sv[0], POLLIN, 0};
	check(poll(&pr, 1, 0) == 1 && pr.revents == (POLLIN | POLLERR | POLLHUP),
	      "poll after a reset: POLLIN, POLLERR, POLLHUP");
	check(read(sv[0], buf, sizeof(buf)) == 4, "what the peer sent comes first");
	check(read(sv[0], buf, sizeof(buf)) == -1 && errno == ECONNRESET, "then ECONNRESET");
	check(read(sv[0], buf, sizeof(buf)) == 0, "then the end");
	close(sv[0]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	close(sv[1]);
	err = 0;
	len = sizeof(err);
	check(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNRESET &&
	      read(sv[0], buf, sizeof(buf)) == 0, "SO_ERROR takes the reset: ECONNRESET, then the end");
	close(sv[0]);

	/* MSG_PEEK: the bytes stay; a peek into two pieces reads on. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "peekaboo", 8);
	memset(buf, 0, sizeof(buf));
	check(recv(sv[1], buf, 4, MSG_PEEK) == 4 && !memcmp(buf, "peek", 4), "recv(MSG_PEEK) of 4");
	char p1[3], p2[3];
	struct iovec pv[2] = {{p1, 3}, {p2, 3}};
	struct msghdr pm = {.msg_iov = pv, .msg_iovlen = 2};
	check(recvmsg(sv[1], &pm, MSG_PEEK) == 6 && !memcmp(p1, "pee", 3) && !memcmp(p2, "kab", 3),
	      "recvmsg(MSG_PEEK) into two pieces");
	check(recv(sv[1], buf, sizeof(buf), 0) == 8 && !memcmp(buf, "peekaboo", 8),
	      "then recv takes all of it");
	check(recv(sv[1], buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT) == -1 && errno == EAGAIN,
	      "a peek at nothing: EAGAIN");
	close(sv[0]);
	close(sv[1]);

	/* Nonblocking: a full socket says EAGAIN instead of waiting. */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	check(fcntl(sv[0], F_GETFL) & O_NONBLOCK, "SOCK_NONBLOCK sets O_NONBLOCK");
	static char big[4096];
	long total = 0;
	for (int i = 0; i < 10000; i++) {
		ssize_t w = write(sv[0], big, sizeof(big));
		if (w < 0)
			break;
		total += w;
	}
	check(errno == EAGAIN && total > 0, "writes until full, then EAGAIN");
	close(sv[0]);
	close(sv[1]);

	/* MSG_WAITALL: the whole of it, across the child's two writes; less only at the end. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	fflush(stdout);
	pid_t writer = fork();
	if (writer == 0) {
		close(sv[0]);
		write(sv[1], "abc", 3);
		usleep(20000);
		write(sv[1], "def", 3);
		usleep(20000);
		write(sv[1], "gh", 2);
		_exit(0);
	}
	close(sv[1]);
	memset(buf, 0, sizeof(buf));
	check(recv(sv[0], buf, 6, MSG_WAITALL) == 6 && !strcmp(buf, "abcdef"),
	      "recv(MSG_WAITALL) waits for all 6 bytes");
	check(recv(sv[0], buf, 6, MSG_WAITALL) == 2, "and gives less only when the stream ends");
	waitpid(writer, NULL, 0);
	close(sv[0]);

	/* A child at the other end. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		char q[16] = {0};
		ssize_t got = read(sv[1], q, sizeof(q));
		for (ssize_t i = 0; i < got; i++)
			q[i] = (char)(q[i] - 'a' + 'A');
		write(sv[1], q, (size_t)got);
		_exit(0);
	}
	close(sv[1]);
	write(sv[0], "child", 5);
	memset(buf, 0, sizeof(buf));
	check(read(sv[0], buf, sizeof(buf)) == 5 && !strcmp(buf, "CHILD"), "a child answers through its end");
	int status;
	waitpid(pid, &status, 0);
	check(read(sv[0], buf, sizeof(buf)) == 0, "its end closed with it");
	close(sv[0]);

	check(socketpair(AF_INET, SOCK_STREAM, 0, sv) == -1 && errno == EOPNOTSUPP,
	      "socketpair(AF_INET): EOPNOTSUPP");
	check(socketpair(12345, SOCK_STREAM, 0, sv) == -1 && errno == EAFNOSUPPORT,
	      "an unknown family: EAFNOSUPPORT");
	check(socketpair(AF_UNIX, SOCK_STREAM, 7, sv) == -1 && errno == EPROTONOSUPPORT,
	      "protocol 7: EPROTONOSUPPORT");
	return check_status();
}
