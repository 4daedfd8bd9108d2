/* AF_UNIX datagram sockets, as Linux has them: a socketpair keeps each message whole (an empty
 * one too, a short read losing the rest); a named socket gets messages from anyone with
 * sendto, and recvfrom names the sender; connect sets where send goes; a peer that went away
 * is refused once, then not connected; poll, FIONREAD, MSG_PEEK, MSG_TRUNC, nonblocking; the
 * calls a datagram socket does not have. Run natively and on the sim, the outputs compared. */
#include "check.h"
#include "sun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	char buf[64];
	int sv[2];
	check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair(AF_UNIX, SOCK_DGRAM)");
	int type = 0;
	socklen_t len = sizeof(type);
	check(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM,
	      "SO_TYPE: SOCK_DGRAM");
	check(write(sv[0], "one", 3) == 3 && write(sv[0], "two!", 4) == 4 && send(sv[0], "", 0, 0) == 0,
	      "three messages, one of them empty");
	int n = 0;
	check(ioctl(sv[1], FIONREAD, &n) == 0 && n == 3, "FIONREAD: the next message's size");
	struct pollfd p = {sv[1], POLLIN | POLLOUT, 0};
	check(poll(&p, 1, 0) == 1 && p.revents == (POLLIN | POLLOUT), "poll: readable and writable");
	check(read(sv[1], buf, 2) == 2 && !memcmp(buf, "on", 2), "a short read takes part of one");
	check(recv(sv[1], buf, sizeof(buf), MSG_PEEK) == 4 && !memcmp(buf, "two!", 4),
	      "MSG_PEEK shows the next, whole: the rest of the first is gone");
	check(read(sv[1], buf, sizeof(buf)) == 4, "then takes it");
	check(read(sv[1], buf, sizeof(buf)) == 0, "the empty message reads as 0 bytes");
	check(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN,
	      "nothing left: EAGAIN");
	write(sv[0], "truncated", 9);
	char small[4];
	struct iovec iv = {small, sizeof(small)};
	struct msghdr m = {.msg_iov = &iv, .msg_iovlen = 1};
	check(recvmsg(sv[1], &m, 0) == 4 && (m.msg_flags & MSG_TRUNC), "recvmsg: MSG_TRUNC when cut");
	write(sv[0], "truncated", 9);
	check(recv(sv[1], small, sizeof(small), MSG_TRUNC) == 9, "recv(MSG_TRUNC) gives the whole size");
	close(sv[0]);
	p.revents = 0;
	check(poll(&p, 1, 0) == 1 && p.revents == POLLOUT, "the peer closed: poll says writable still");
	check(write(sv[1], "x", 1) == -1 && errno == ECONNREFUSED, "a send to it: ECONNREFUSED");
	check(write(sv[1], "x", 1) == -1 && errno == ENOTCONN, "then ENOTCONN");
	close(sv[1]);

	/* A named socket: anyone may send to it. */
	char name[32];
	snprintf(name, sizeof(name), "ecl-dgram-%d", (int)getpid());
	struct sockaddr_un sa, from;
	socklen_t alen = abstract_addr(&sa, name);
	int srv = socket(AF_UNIX, SOCK_DGRAM, 0), cl = socket(AF_UNIX, SOCK_DGRAM, 0);
	check(bind(srv, (struct sockaddr *)&sa, alen) == 0, "bind a datagram socket");
	check(send(cl, "x", 1, 0) == -1 && errno == ENOTCONN, "send without a peer: ENOTCONN");
	check(sendto(cl, "hi", 2, 0, (struct sockaddr *)&sa, alen) == 2, "sendto the name");
	socklen_t flen = sizeof(from);
	check(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 2 && flen == 0,
	      "recvfrom: an unnamed sender has no name");
	char cname[32];
	snprintf(cname, sizeof(cname), "ecl-dgram-c-%d", (int)getpid());
	struct sockaddr_un ca;
	socklen_t calen = abstract_addr(&ca, cname);
	check(bind(cl, (struct sockaddr *)&ca, calen) == 0, "bind the client too");
	check(connect(cl, (struct sockaddr *)&sa, alen) == 0 && send(cl, "yy", 2, 0) == 2,
	      "connect, then send goes there");
	flen = sizeof(from);
	memset(&from, 0, sizeof(from));
	check(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 2 &&
	      flen == calen && !memcmp(from.sun_path + 1, cname, strlen(cname)),
	      "recvfrom names a named sender");
	check(sendto(srv, "back", 4, 0, (struct sockaddr *)&from, flen) == 4 &&
	      recv(cl, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "back", 4), "an answer to that name");
	len = sizeof(from);
	check(getpeername(cl, (struct sockaddr *)&from, &len) == 0 && len == alen,
	      "getpeername: the connected name");
	struct sockaddr_un nobody;
	socklen_t nlen = abstract_addr(&nobody, "ecl-dgram-nobody");
	check(sendto(cl, "z", 1, 0, (struct sockaddr *)&nobody, nlen) == -1 && errno == ECONNREFUSED,
	      "sendto a name nobody has: ECONNREFUSED");
	check(listen(srv, 1) == -1 && errno == EOPNOTSUPP, "listen: EOPNOTSUPP");
	check(accept(srv, NULL, NULL) == -1 && errno == EOPNOTSUPP, "accept: EOPNOTSUPP");

	/* A child sends, the parent waits for it. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int k = socket(AF_UNIX, SOCK_DGRAM, 0);
		usleep(10000);
		_exit(sendto(k, "from the child", 14, 0, (struct sockaddr *)&sa, alen) == 14 ? 0 : 1);
	}
	memset(buf, 0, sizeof(buf));
	check(recv(srv, buf, sizeof(buf), 0) == 14 && !strcmp(buf, "from the child"),
	      "a blocking recv gets the child's message");
	int status;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child sent it");

	fcntl(srv, F_SETFL, O_NONBLOCK);
	static char big[8192];
	int sent = 0;
	while (sendto(cl, big, sizeof(big), MSG_DONTWAIT, (struct sockaddr *)&sa, alen) == sizeof(big))
		sent++;
	check(sent > 0 && errno == EAGAIN, "sends until the queue is full, then EAGAIN");
	close(srv);
	close(cl);
	return check_status();
}
