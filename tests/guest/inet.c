/* Internet sockets on the loopback interface, as Linux has them: TCP's listen, connect, accept,
 * names, data both ways with a child as the peer, half-close, a reset and SIGPIPE, 100
 * connections at once, a megabyte with a checksum, timeouts and non-blocking calls; UDP's
 * datagrams, an echo, truncation and connected sends; and the errors of each wrong step. Run
 * natively and on the booted system (the network service serves the sockets), the outputs
 * compared. */
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONNS 100
#define BULK (1 << 20)

static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A socket of type bound to 127.0.0.1 on a port of the system's choosing, in *a. */
static int bound(int type, struct sockaddr_in *a)
{
	int s = socket(AF_INET, type, 0);
	*a = loopback(0);
	socklen_t len = sizeof(*a);
	if (s < 0 || bind(s, (struct sockaddr *)a, sizeof(*a)) ||
	    getsockname(s, (struct sockaddr *)a, &len))
		return -1;
	return s;
}

static int listener(struct sockaddr_in *a, int backlog)
{
	int l = bound(SOCK_STREAM, a);
	return l >= 0 && listen(l, backlog) == 0 ? l : -1;
}

static int connected_to(const struct sockaddr_in *a)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	return c >= 0 && connect(c, (const struct sockaddr *)a, sizeof(*a)) == 0 ? c : -1;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static volatile sig_atomic_t pipes;
static void on_pipe(int sig)
{
	(void)sig;
	pipes++;
}

static void basics(void)
{
	char buf[64];
	check_errno(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT,
		    "socket(AF_INET, SOCK_SEQPACKET): ESOCKTNOSUPPORT");
	check_errno(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT,
		    "socket(AF_INET, SOCK_STREAM, IPPROTO_UDP): EPROTONOSUPPORT");
	int s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	check(s >= 0, "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)");
	int v = -1;
	socklen_t len = sizeof(v);
	check(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM, "SO_TYPE");
	len = sizeof(v);
	check(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == AF_INET, "SO_DOMAIN");
	len = sizeof(v);
	check(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0, "SO_ERROR: none");
	check_errno(read(s, buf, 1), ENOTCONN, "read before connecting: ENOTCONN");
	check_errno(recv(s, buf, 1, 0), ENOTCONN, "recv before connecting: ENOTCONN");
	struct sockaddr_in a = loopback(0), got;
	check_errno(bind(s, (struct sockaddr *)&a, 4), EINVAL, "bind with a short address: EINVAL");
	struct sockaddr_in wrong = a;
	wrong.sin_family = AF_UNIX;
	check_errno(bind(s, (struct sockaddr *)&wrong, sizeof(wrong)), EAFNOSUPPORT,
		    "bind with another family: EAFNOSUPPORT");
	struct sockaddr_in far = a;
	far.sin_addr.s_addr = inet_addr("10.9.9.9");
	check_errno(bind(s, (struct sockaddr *)&far, sizeof(far)), EADDRNOTAVAIL,
		    "bind to an address the machine lacks: EADDRNOTAVAIL");
	check_errno(bind(s, (struct sockaddr *)8, sizeof(a)), EFAULT, "bind with a bad pointer: EFAULT");
	check(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "bind to 127.0.0.1, port 0");
	len = sizeof(got);
	check(getsockname(s, (struct sockaddr *)&got, &len) == 0 && len == sizeof(got) &&
	      got.sin_family == AF_INET && got.sin_port != 0 &&
	      got.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "getsockname: 127.0.0.1 and a port");
	check_errno(bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL, "bind again: EINVAL");
	int t = socket(AF_INET, SOCK_STREAM, 0);
	check_errno(bind(t, (struct sockaddr *)&got, sizeof(got)), EADDRINUSE,
		    "bind another to the same port: EADDRINUSE");
	len = sizeof(got);
	check_errno(getpeername(s, (struct sockaddr *)&got, &len), ENOTCONN,
		    "getpeername unconnected: ENOTCONN");
	v = 1;
	check(setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) == 0, "TCP_NODELAY on");
	v = 0;
	len = sizeof(v);
	check(getsockopt(t, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 1, "TCP_NODELAY reads 1");
	v = 1;
	check(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)) == 0, "SO_REUSEADDR on");
	v = 0;
	len = sizeof(v);
	check(getsockopt(t, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0 && v == 1, "SO_REUSEADDR reads 1");
	v = 1;
	check(setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0, "SO_KEEPALIVE on");
	check_errno(setsockopt(t, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT,
		    "an unknown option: ENOPROTOOPT");
	check_errno(shutdown(t, SHUT_RDWR), ENOTCONN, "shutdown unconnected: ENOTCONN");
	close(s);
	close(t);
}

static void stream(void)
{
	char buf[64];
	struct sockaddr_in la, ca, got;
	socklen_t len;
	int l = listener(&la, 128);
	check(l >= 0, "listen on 127.0.0.1");
	int v = 0;
	len = sizeof(v);
	check(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1, "SO_ACCEPTCONN");
	fcntl(l, F_SETFL, O_NONBLOCK);
	check_errno(accept(l, NULL, NULL), EAGAIN, "accept with nobody there, non-blocking: EAGAIN");
	fcntl(l, F_SETFL, 0);
	struct pollfd p = {l, POLLIN, 0};
	check(poll(&p, 1, 0) == 0, "poll: the listener not readable yet");
	int c = connected_to(&la);
	check(c >= 0, "connect");
	check(poll(&p, 1, 2000) == 1 && (p.revents & POLLIN), "poll: the listener readable");
	struct sockaddr_in peer;
	len = sizeof(peer);
	int s = accept4(l, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	check(s >= 0 && len == sizeof(peer) && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "accept4: the peer is 127.0.0.1");
	len = sizeof(ca);
	check(getsockname(c, (struct sockaddr *)&ca, &len) == 0 && ca.sin_port == peer.sin_port,
	      "the client's name is the peer accept saw");
	len = sizeof(got);
	check(getpeername(c, (struct sockaddr *)&got, &len) == 0 && got.sin_port == la.sin_port,
	      "getpeername: the listener's address");
	check(fcntl(s, F_GETFD) == FD_CLOEXEC, "accept4's SOCK_CLOEXEC");
	check_errno(connect(c, (struct sockaddr *)&la, sizeof(la)), EISCONN, "connect again: EISCONN");

	check(send(c, "hello", 5, 0) == 5, "send 5 bytes");
	p = (struct pollfd){s, POLLIN, 0};
	check(poll(&p, 1, 2000) == 1 && (p.revents & POLLIN), "poll: the data is readable");
	int n = -1;
	check(ioctl(s, FIONREAD, &n) == 0 && n == 5, "FIONREAD: 5");
	check(recv(s, buf, sizeof(buf), MSG_PEEK) == 5 && !memcmp(buf, "hello", 5), "MSG_PEEK sees them");
	memset(buf, 0, sizeof(buf));
	check(read(s, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5), "read takes them");
	check_errno(recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "nothing more, MSG_DONTWAIT: EAGAIN");
	struct timeval tv = {0, 200000};
	check(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO 200 ms");
	struct timeval tv2;
	len = sizeof(tv2);
	check(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv2, &len) == 0 && tv2.tv_usec == 200000,
	      "SO_RCVTIMEO reads back");
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long r = recv(s, buf, sizeof(buf), 0);
	int e = errno;
	long ms = ms_since(&t0);
	check(r == -1 && e == EAGAIN && ms >= 150 && ms < 2000, "recv times out after 200 ms: EAGAIN");
	struct iovec iov[3] = {{buf, 2}, {buf + 2, 3}, {buf + 5, 10}};
	check(writev(c, iov, 2) == 5, "writev of two pieces");
	memset(buf, 0, sizeof(buf));
	check(recv(s, buf, 5, MSG_WAITALL) == 5, "recv MSG_WAITALL gets both pieces");
	check(shutdown(c, SHUT_WR) == 0, "shutdown(SHUT_WR)");
	check(recv(s, buf, sizeof(buf), 0) == 0, "the other end reads the end");
	p = (struct pollfd){s, POLLIN | POLLRDHUP, 0};
	check(poll(&p, 1, 0) == 1 && (p.revents & POLLRDHUP), "poll: POLLRDHUP");
	check(send(s, "back", 4, 0) == 4, "it still sends");
	memset(buf, 0, sizeof(buf));
	check(recv(c, buf, 4, MSG_WAITALL) == 4 && !memcmp(buf, "back", 4),
	      "the half-closed end still reads");
	check_errno(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "send after SHUT_WR: EPIPE");
	close(s);
	close(c);

	/* A megabyte from a child, with a checksum. */
	unsigned char *big = malloc(BULK), *in = malloc(BULK);
	fill(big, BULK, 7);
	pid_t kid = fork();
	if (kid == 0) {
		int k = connected_to(&la);
		size_t off = 0;
		while (k >= 0 && off < BULK) {
			ssize_t w = write(k, big + off, BULK - off > 70000 ? 70000 : BULK - off);
			if (w <= 0)
				_exit(2);
			off += (size_t)w;
		}
		_exit(k >= 0 && close(k) == 0 ? 0 : 1);
	}
	s = accept(l, NULL, NULL);
	size_t got_n = 0;
	for (;;) {
		ssize_t m = read(s, in + got_n, BULK - got_n > 5000 ? 5000 : BULK - got_n);
		if (m <= 0)
			break;
		got_n += (size_t)m;
	}
	int status = -1;
	waitpid(kid, &status, 0);
	check(got_n == BULK && fnv(14695981039346656037ull, in, BULK) ==
				       fnv(14695981039346656037ull, big, BULK),
	      "a megabyte from a child, checksum equal");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the sender finished");
	close(s);
	free(big);
	free(in);

	/* 100 connections at once. */
	int cs[CONNS], ss[CONNS], ok = 1;
	for (int i = 0; i < CONNS; i++)
		ok &= (cs[i] = connected_to(&la)) >= 0;
	for (int i = 0; i < CONNS; i++)
		ok &= (ss[i] = accept(l, NULL, NULL)) >= 0;
	for (int i = 0; i < CONNS; i++) {
		unsigned char b = (unsigned char)i;
		ok &= write(cs[i], &b, 1) == 1;
	}
	for (int i = 0; i < CONNS; i++) {
		unsigned char b = 0xff;
		ok &= read(ss[i], &b, 1) == 1;
		/* which connection each is does not matter; that each got one byte does */
	}
	for (int i = 0; i < CONNS; i++) {
		close(cs[i]);
		char x;
		ok &= read(ss[i], &x, 1) == 0;
		close(ss[i]);
	}
	check(ok, "100 connections at once, a byte each way and the end");

	/* A reset: the other end closes with data unread. */
	c = connected_to(&la);
	s = accept(l, NULL, NULL);
	check(send(c, "unread", 6, 0) == 6, "send what will not be read");
	usleep(100000);
	close(s);
	p = (struct pollfd){c, POLLIN, 0};
	check(poll(&p, 1, 2000) == 1 && (p.revents & (POLLERR | POLLHUP)), "poll: POLLERR, POLLHUP");
	check_errno(recv(c, buf, sizeof(buf), 0), ECONNRESET, "recv after the reset: ECONNRESET");
	signal(SIGPIPE, on_pipe);
	check_errno(send(c, "x", 1, 0), EPIPE, "send after the reset: EPIPE");
	check(pipes == 1, "... and SIGPIPE");
	check_errno(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "MSG_NOSIGNAL: EPIPE without it");
	check(pipes == 1, "... no SIGPIPE");
	signal(SIGPIPE, SIG_DFL);
	close(c);

	/* Refused: a port nobody listens on. */
	struct sockaddr_in closed;
	int gone = bound(SOCK_STREAM, &closed);
	close(gone);
	c = socket(AF_INET, SOCK_STREAM, 0);
	check_errno(connect(c, (struct sockaddr *)&closed, sizeof(closed)), ECONNREFUSED,
		    "connect to a closed port: ECONNREFUSED");
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(c, (struct sockaddr *)&closed, sizeof(closed));
	e = errno;
	if (r == -1 && e == EINPROGRESS) {
		p = (struct pollfd){c, POLLOUT, 0};
		poll(&p, 1, 2000);
		v = 0;
		len = sizeof(v);
		getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
		e = v;
	}
	check(e == ECONNREFUSED, "non-blocking connect to a closed port: ECONNREFUSED");
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(c, (struct sockaddr *)&la, sizeof(la));
	e = errno;
	p = (struct pollfd){c, POLLOUT, 0};
	v = -1;
	len = sizeof(v);
	check((r == 0 || e == EINPROGRESS) && poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT) &&
	      getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0,
	      "non-blocking connect: writable, no error");
	close(c);
	close(accept(l, NULL, NULL));
	close(l);
}

static void datagrams(void)
{
	char buf[64];
	struct sockaddr_in a, b, from;
	socklen_t len;
	int x = bound(SOCK_DGRAM, &a), y = bound(SOCK_DGRAM, &b);
	check(x >= 0 && y >= 0, "two UDP sockets bound");
	int v = 0;
	len = sizeof(v);
	check(getsockopt(x, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_DGRAM, "SO_TYPE: SOCK_DGRAM");
	check_errno(recv(x, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "nothing there: EAGAIN");
	check_errno(send(x, "x", 1, 0), EDESTADDRREQ, "send without an address: EDESTADDRREQ");
	check(sendto(y, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)) == 8, "sendto");
	int n = -1;
	struct pollfd p = {x, POLLIN, 0};
	check(poll(&p, 1, 2000) == 1 && ioctl(x, FIONREAD, &n) == 0 && n == 8, "FIONREAD: its size");
	len = sizeof(from);
	memset(buf, 0, sizeof(buf));
	check(recvfrom(x, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 8 &&
	      !memcmp(buf, "datagram", 8) && len == sizeof(from) && from.sin_port == b.sin_port,
	      "recvfrom: the bytes and the sender");
	check(sendto(y, "0123456789", 10, 0, (struct sockaddr *)&a, sizeof(a)) == 10, "a 10-byte datagram");
	struct iovec iov = {buf, 4};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	check(recvmsg(x, &m, 0) == 4 && (m.msg_flags & MSG_TRUNC), "recvmsg into 4 bytes: MSG_TRUNC");
	check(sendto(y, "", 0, 0, (struct sockaddr *)&a, sizeof(a)) == 0, "an empty datagram");
	check(recv(x, buf, sizeof(buf), 0) == 0, "reads as 0 bytes");
	check(sendto(y, "0123456789", 10, 0, (struct sockaddr *)&a, sizeof(a)) == 10, "again");
	check(recv(x, buf, 2, MSG_TRUNC) == 10, "recv(MSG_TRUNC): the whole size");
	check(connect(x, (struct sockaddr *)&b, sizeof(b)) == 0, "connect a UDP socket");
	len = sizeof(from);
	check(getpeername(x, (struct sockaddr *)&from, &len) == 0 && from.sin_port == b.sin_port, "getpeername");
	check(send(x, "to b", 4, 0) == 4 && recv(y, buf, sizeof(buf), 0) == 4, "send without an address");

	/* An echo: a child sends back what it gets. */
	pid_t kid = fork();
	if (kid == 0) {
		for (int i = 0; i < 3; i++) {
			char e[64];
			struct sockaddr_in f;
			socklen_t fl = sizeof(f);
			ssize_t k = recvfrom(y, e, sizeof(e), 0, (struct sockaddr *)&f, &fl);
			if (k < 0 || sendto(y, e, (size_t)k, 0, (struct sockaddr *)&f, fl) != k)
				_exit(1);
		}
		_exit(0);
	}
	int ok = 1;
	for (int i = 0; i < 3; i++) {
		char msg[16], back[16] = {0};
		int k = snprintf(msg, sizeof(msg), "echo %d", i);
		ok &= send(x, msg, (size_t)k, 0) == k;
		ok &= recv(x, back, sizeof(back), 0) == k && !memcmp(msg, back, (size_t)k);
	}
	int status = -1;
	waitpid(kid, &status, 0);
	check(ok && WIFEXITED(status) && WEXITSTATUS(status) == 0, "UDP echo of three datagrams");
	struct sockaddr_in none = {.sin_family = AF_UNSPEC};
	check(connect(x, (struct sockaddr *)&none, sizeof(none)) == 0, "connect(AF_UNSPEC) dissolves it");
	check_errno(send(x, "x", 1, 0), EDESTADDRREQ, "... send without an address: EDESTADDRREQ");
	close(x);
	close(y);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	basics();
	stream();
	datagrams();
	return check_status();
}
