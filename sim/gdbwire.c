/*
 * The GDB remote protocol's transport: a listening TCP socket on localhost, at most one
 * debugger connected (others are turned away), and the packet framing ($data#checksum, '+' and
 * '-' acknowledgements, the Ctrl-C byte). gdbstub.c gives the packets their meaning.
 */
#include "gdbstub.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define INBUF_MAX (2 * GDB_PACKET_MAX)
#define CTRL_C 3

static struct {
	int listen_fd, fd; /* fd: the debugger's connection, or -1 */
	int port;
	bool noack;
	char in[INBUF_MAX];
	size_t inlen;
	char *out; /* the last packet sent, for a '-' */
	size_t outlen;
} wire = {.listen_fd = -1, .fd = -1};

static const char hexdigits[] = "0123456789abcdef";

int gdb_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gdbwire_open(int port)
{
	wire.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (wire.listen_fd < 0)
		return -errno;
	int one = 1;
	setsockopt(wire.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(addr);
	if (bind(wire.listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(wire.listen_fd, 1) || getsockname(wire.listen_fd, (struct sockaddr *)&addr, &len)) {
		int err = -errno;
		close(wire.listen_fd);
		wire.listen_fd = -1;
		return err;
	}
	wire.port = ntohs(addr.sin_port);
	fprintf(stderr, "eclipse-sim: gdb: listening on localhost:%d\n", wire.port);
	return 0;
}

void gdbwire_disconnect(void)
{
	if (wire.fd >= 0)
		close(wire.fd);
	wire.fd = -1;
	wire.inlen = 0;
}

void gdbwire_close(void)
{
	gdbwire_disconnect();
	if (wire.listen_fd >= 0)
		close(wire.listen_fd);
	wire.listen_fd = -1;
	free(wire.out);
	wire.out = NULL;
}

bool gdbwire_connected(void)
{
	return wire.fd >= 0;
}

/* Takes a connection that is waiting, without waiting: its descriptor, or -1. */
static int take_connection(void)
{
	/* Linux takes the new descriptor before it looks for a connection: out of descriptors,
	 * accept fails even when nobody connects, and that must not end listening. */
	struct pollfd pfd = {wire.listen_fd, POLLIN, 0};
	if (poll(&pfd, 1, 0) <= 0)
		return -1;
	int fd = accept4(wire.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	/* Out of descriptors or memory, the connection stays queued and the socket readable: every
	 * wait for input (a console read) would spin on it. Other errors (no connection, one that
	 * failed before it was taken, a signal) are gone once reported. */
	if (fd >= 0 || (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM))
		return fd;
	fprintf(stderr, "eclipse-sim: gdb: cannot accept a debugger: %s; no longer listening\n",
		strerror(errno));
	close(wire.listen_fd);
	wire.listen_fd = -1;
	return -1;
}

bool gdbwire_accept(void)
{
	if (wire.fd >= 0 || wire.listen_fd < 0)
		return false;
	int fd = take_connection();
	if (fd < 0)
		return false;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	wire.fd = fd;
	wire.inlen = 0;
	wire.noack = false;
	return true;
}

/*
 * Hangs up on every debugger that connected while another one is served. Left queued, one
 * would get no answer to its first packet, send it again (gdb does after a few seconds), and be
 * answered one packet behind once the first one went; closed, it says at once that it could not
 * connect.
 */
static void turn_away_others(void)
{
	while (wire.fd >= 0 && wire.listen_fd >= 0) {
		int fd = take_connection();
		if (fd < 0)
			return;
		close(fd);
		fprintf(stderr, "eclipse-sim: gdb: a debugger is connected already: turned another away\n");
	}
}

bool gdbwire_wait_connection(void)
{
	fprintf(stderr, "eclipse-sim: gdb: waiting for a debugger on localhost:%d\n", wire.port);
	unsigned stops = sim_stop_requests();
	while (wire.fd < 0 && wire.listen_fd >= 0 && sim_stop_requests() == stops) {
		struct pollfd pfd = {wire.listen_fd, POLLIN, 0};
		if (poll(&pfd, 1, 1000) > 0)
			gdbwire_accept();
	}
	return wire.fd >= 0;
}

void gdbwire_no_ack(void)
{
	wire.noack = true;
}

static bool send_all(const char *buf, size_t len)
{
	while (len && wire.fd >= 0) {
		ssize_t n = send(wire.fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			gdbwire_disconnect();
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return wire.fd >= 0;
}

void gdbwire_send(const char *data, size_t len)
{
	char *pkt = malloc(len + 4);
	if (!pkt)
		return;
	uint8_t sum = 0;
	pkt[0] = '$';
	for (size_t i = 0; i < len; i++) {
		pkt[1 + i] = data[i];
		sum = (uint8_t)(sum + (uint8_t)data[i]);
	}
	pkt[len + 1] = '#';
	pkt[len + 2] = hexdigits[sum >> 4];
	pkt[len + 3] = hexdigits[sum & 15];
	free(wire.out);
	wire.out = pkt;
	wire.outlen = len + 4;
	send_all(pkt, len + 4);
}

/* Reads what the debugger sent, waiting up to timeout_ms (-1: until something comes or the
 * user stops the machine); another debugger that connects meanwhile is turned away. False when
 * the one served went away. */
static bool receive(int timeout_ms)
{
	unsigned stops = sim_stop_requests();
	for (;;) {
		struct pollfd pfd[DEBUG_POLLFDS];
		gdbwire_pollfds(pfd);
		int n = poll(pfd, DEBUG_POLLFDS, timeout_ms);
		if (n < 0 && errno == EINTR && sim_stop_requests() == stops)
			continue;
		if (n <= 0)
			return true;
		if (pfd[1].revents)
			turn_away_others();
		if (!pfd[0].revents)
			continue;
		if (wire.inlen == sizeof(wire.in))
			wire.inlen = 0; /* garbage that never formed a packet */
		ssize_t got = recv(wire.fd, wire.in + wire.inlen, sizeof(wire.in) - wire.inlen, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			gdbwire_disconnect();
			return false;
		}
		wire.inlen += (size_t)got;
		return true;
	}
}

static void consume(size_t n)
{
	memmove(wire.in, wire.in + n, wire.inlen - n);
	wire.inlen -= n;
}

enum gdb_frame gdb_frame(const char *in, size_t len, size_t *used, size_t *body_len)
{
	*used = *body_len = 0;
	if (!len)
		return GDB_FRAME_MORE;
	if (in[0] == '-') {
		*used = 1;
		return GDB_FRAME_NAK;
	}
	if (in[0] != '$') {
		size_t i = 1;
		while (i < len && in[i] != '$' && in[i] != '-')
			i++;
		*used = i;
		return GDB_FRAME_SKIP;
	}
	size_t end = 1;
	while (end < len && in[end] != '#' && in[end] != '$')
		end++;
	if (end < len && in[end] == '$') { /* cut short by the next packet: drop it */
		*used = end;
		return GDB_FRAME_BAD;
	}
	if (end + 2 >= len) {
		if (end > GDB_PACKET_MAX) { /* longer than we said we take */
			*used = end;
			return GDB_FRAME_BAD;
		}
		return GDB_FRAME_MORE;
	}
	uint8_t sum = 0;
	for (size_t k = 1; k < end; k++)
		sum = (uint8_t)(sum + (uint8_t)in[k]);
	int hi = gdb_hex_digit(in[end + 1]), lo = gdb_hex_digit(in[end + 2]);
	*used = end + 3;
	if (hi < 0 || lo < 0 || (unsigned)(hi << 4 | lo) != sum || end - 1 >= GDB_PACKET_MAX)
		return GDB_FRAME_BAD;
	*body_len = end - 1;
	return GDB_FRAME_PACKET;
}

/*
 * Takes the next complete packet out of the input into pkt: its length, or -1 when there is
 * none yet. Acks are skipped (and Ctrl-C: the system is stopped already), a '-' resends our
 * last packet, a packet with a bad checksum or cut short by another '$' gets a '-'.
 */
static long take_packet(char *pkt)
{
	for (;;) {
		size_t used, len;
		enum gdb_frame kind = gdb_frame(wire.in, wire.inlen, &used, &len);
		if (kind == GDB_FRAME_PACKET)
			memcpy(pkt, wire.in + 1, len);
		consume(used);
		switch (kind) {
		case GDB_FRAME_MORE:
			return -1;
		case GDB_FRAME_SKIP:
			break;
		case GDB_FRAME_NAK:
			if (!wire.noack && wire.out)
				send_all(wire.out, wire.outlen);
			break;
		case GDB_FRAME_BAD:
			send_all("-", 1);
			break;
		case GDB_FRAME_PACKET:
			if (!wire.noack)
				send_all("+", 1);
			return (long)len;
		}
	}
}

long gdbwire_next(char *pkt)
{
	while (wire.fd >= 0) {
		long len = take_packet(pkt);
		if (len >= 0) {
			pkt[len] = 0;
			return len;
		}
		if (wire.fd < 0)
			break; /* answering it failed: it went away (poll would wait on -1 for ever) */
		receive(-1);
	}
	return -1;
}

long gdbwire_next_within(char *pkt, int quiet_ms)
{
	while (wire.fd >= 0) {
		long len = take_packet(pkt);
		if (len >= 0) {
			pkt[len] = 0;
			return len;
		}
		size_t had = wire.inlen;
		if (wire.fd < 0 || !receive(quiet_ms) || wire.inlen == had)
			break;
	}
	return -1;
}

bool gdbwire_interrupted(void)
{
	turn_away_others();
	struct pollfd pfd = {wire.fd, POLLIN, 0};
	while (wire.fd >= 0 && poll(&pfd, 1, 0) > 0)
		if (!receive(0))
			return false;
	/* Only Ctrl-C is expected while the system runs; the rest waits for the next stop. */
	bool interrupt = false;
	for (size_t i = 0; i < wire.inlen; i++)
		if (wire.in[i] == CTRL_C) {
			interrupt = true;
			wire.in[i] = '+';
		}
	return interrupt;
}

int gdbwire_conn_fd(void)
{
	return wire.fd;
}

bool gdbwire_noack(void)
{
	return wire.noack;
}

void gdbwire_release(bool listening_too)
{
	if (wire.fd >= 0)
		close(wire.fd); /* another process holds the connection now */
	wire.fd = -1;
	if (listening_too && wire.listen_fd >= 0)
		close(wire.listen_fd);
	if (listening_too)
		wire.listen_fd = -1;
	wire.inlen = 0;
}

void gdbwire_adopt(int fd, bool noack)
{
	if (wire.fd >= 0 && wire.fd != fd)
		close(wire.fd);
	wire.fd = fd;
	wire.noack = noack;
	wire.inlen = 0;
}

void gdbwire_push(const char *pkt, size_t len)
{
	/* As it came: framed, with no checksum check to fail (the sum is computed). */
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + (uint8_t)pkt[i]);
	if (len + 4 > sizeof(wire.in) - wire.inlen)
		return;
	memmove(wire.in + len + 4, wire.in, wire.inlen);
	wire.in[0] = '$';
	memcpy(wire.in + 1, pkt, len);
	wire.in[len + 1] = '#';
	wire.in[len + 2] = hexdigits[sum >> 4];
	wire.in[len + 3] = hexdigits[sum & 15];
	wire.inlen += len + 4;
}

bool gdbwire_pollfds(struct pollfd *pfd)
{
	pfd[0] = (struct pollfd){wire.fd, POLLIN, 0};
	pfd[1] = (struct pollfd){wire.listen_fd, POLLIN, 0};
	return wire.fd >= 0 || wire.listen_fd >= 0;
}

void gdbwire_wait_input(int timeout_ms)
{
	struct pollfd pfd[DEBUG_POLLFDS];
	if (gdbwire_pollfds(pfd))
		poll(pfd, DEBUG_POLLFDS, timeout_ms);
}
