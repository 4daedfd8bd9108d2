/*
 * The filesystem service: an in-memory filesystem served over IPC. It seeds itself with the
 * files of SEEDS found in the boot image (read-only), registers as "filesystem", and answers
 * the requests of <ecl/fs_protocol.h> one at a time. Between requests the receive's timeout
 * brings the next heartbeat; SIGTERM (or SIGINT) stops it with exit status 0.
 */
#include <ecl/fs_protocol.h>
#include <ecl/ipc.h>
#include <ecl/signal.h>
#include <ecl/time.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

#define NAME "filesystem"
#define HEARTBEAT_MS 5000

/* The boot image's /etc files the filesystem starts with, where they exist. */
static const char *const SEEDS[] = {"/etc/services.conf", "/etc/status"};

/* The stop signal that arrived, or 0. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* Reads --heartbeat=DURATION; returns 0, or -1 after printing the usage. */
static int parse_options(int argc, char **argv, long long *heartbeat_ms)
{
	*heartbeat_ms = HEARTBEAT_MS;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--heartbeat=", 12) || duration_parse(argv[i] + 12, heartbeat_ms) ||
		    *heartbeat_ms == 0) {
			dprintf(2, NAME ": bad argument '%s'\nusage: %s [--heartbeat=DURATION]\n", argv[i],
				argv[0]);
			return -1;
		}
	}
	return 0;
}

/* Copies the file at path into the store, read-only; returns 0, or -1 with errno. */
static int seed(const char *path)
{
	static unsigned char buf[FS_FILE_SIZE_MAX + 1];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long len = 0, n = 0;
	while (len < (long)sizeof buf && (n = read(fd, buf + len, sizeof buf - (size_t)len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -1;
	int err = len > FS_FILE_SIZE_MAX ? -ENOSPC : store_seed(path, buf, (size_t)len);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

/* The request's path: 0 when it is NUL-terminated within the message's tail bytes, or -errno. */
static int check_request_path(const struct fs_request *q, size_t tail)
{
	size_t max = tail < FS_PATH_MAX ? tail : FS_PATH_MAX;
	if (strnlen(q->u.path, max) < max)
		return 0;
	return tail >= FS_PATH_MAX ? -ENAMETOOLONG : -EINVAL;
}

/* Carries out client's request in and writes the reply to out. */
static void serve(const union fs_msg *in, int client, union fs_msg *out)
{
	const struct fs_request *q = &in->req;
	size_t tail = in->ipc.len >= FS_HEAD_SIZE ? in->ipc.len - FS_HEAD_SIZE : 0;
	size_t out_len = 0;
	long r = in->ipc.len < FS_HEAD_SIZE ? -EINVAL : 0;
	bool has_path = in->ipc.type == FS_OPEN || in->ipc.type == FS_UNLINK || in->ipc.type == FS_STAT;
	if (!r && has_path)
		r = check_request_path(q, tail);
	if (!r) {
		switch (in->ipc.type) {
		case FS_OPEN:
			r = store_open(q->u.path, q->arg, client);
			break;
		case FS_READ:
			r = store_read(q->handle, client, out->rep.u.data,
				       q->arg < FS_DATA_MAX ? q->arg : FS_DATA_MAX);
			out_len = r > 0 ? (size_t)r : 0;
			break;
		case FS_WRITE:
			r = store_write(q->handle, client, q->u.data, tail);
			break;
		case FS_CLOSE:
			r = store_close(q->handle, client);
			break;
		case FS_UNLINK:
			r = store_unlink(q->u.path);
			break;
		case FS_LIST:
			r = store_entry(q->arg, &out->rep.u.entry);
			out_len = r > 0 ? sizeof out->rep.u.entry : 0;
			break;
		case FS_STAT:
			r = store_stat(q->u.path, &out->rep.u.stat);
			out_len = r == 0 ? sizeof out->rep.u.stat : 0;
			break;
		default:
			r = -ENOSYS;
		}
	}
	out->ipc.type = in->ipc.type;
	out->ipc.len = (unsigned)(FS_HEAD_SIZE + out_len);
	out->rep.status = (int32_t)r;
	out->rep.reserved = 0;
}

/* Answers requests until a stop signal, with a heartbeat every heartbeat_ms; returns main's
 * status. */
static int serve_loop(long long heartbeat_ms)
{
	static union fs_msg in, out;
	unsigned long beats = 0;
	long long next = monotonic_ms() + heartbeat_ms;
	while (!stop_signal) {
		long long now = monotonic_ms();
		if (now >= next) {
			printf(NAME ": heartbeat %lu\n", ++beats);
			/* After a long stop (a debugger, say), one heartbeat, not a burst of missed ones. */
			next = next + heartbeat_ms > now ? next + heartbeat_ms : now + heartbeat_ms;
			continue;
		}
		pid_t client = ipc_receive(0, &in.ipc, (uint64_t)(next - now) * 1000000u);
		if (client < 0) {
			if (errno == ETIMEDOUT || errno == EINTR)
				continue;
			printf(NAME ": receive failed: %s: stopping\n", strerror(errno));
			return 1;
		}
		serve(&in, client, &out);
		/* ESRCH: the client sent rather than called, or is gone; nothing to do either way. */
		ipc_reply(client, &out.ipc);
	}
	printf(NAME ": %s received, stopping\n", signal_name(stop_signal));
	return 0;
}

int main(int argc, char **argv)
{
	long long heartbeat_ms;
	if (parse_options(argc, argv, &heartbeat_ms) < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0); /* as service_main does */
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		dprintf(2, NAME ": cannot install signal handlers: %s\n", strerror(errno));

	printf(NAME ": started (pid %d)\n", getpid());
	for (size_t i = 0; i < sizeof SEEDS / sizeof SEEDS[0]; i++)
		if (seed(SEEDS[i]) < 0 && errno != ENOENT)
			printf(NAME ": cannot seed %s: %s\n", SEEDS[i], strerror(errno));
	size_t bytes;
	unsigned files = store_count(&bytes);
	printf(NAME ": %u read-only file%s from /etc in the boot image, %zu bytes\n", files,
	       files == 1 ? "" : "s", bytes);
	if (ipc_register(FS_SERVICE_NAME) < 0) {
		printf(NAME ": cannot register as \"" FS_SERVICE_NAME "\": %s\n", strerror(errno));
		return 1;
	}
	printf(NAME ": serving open, read, write, close, unlink, list and stat over IPC\n");
	printf(NAME ": ready, heartbeat every %lld ms\n", heartbeat_ms);
	return serve_loop(heartbeat_ms);
}
