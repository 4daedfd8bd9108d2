/* The simulated machine: its devices, console, clock and panic; plat.h services outside the CPU
 * (guest RAM is ram.c's). */
#include "sim.h"
#include "debug.h"
#include "pci.h"
#include "record.h"
#include "travel.h"
#include "virtio.h"

#include <errno.h>
#include <fcntl.h>
#include <kernel/core.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_BLOCK 10ull                      /* virtual time one executed block stands for */
#define VIRTUAL_EPOCH_NS 1767225600000000000ull /* 2026-01-01T00:00:00Z */

/* Identities of the host files exec'd so far: the same unchanged file keeps its number. */
struct file_identity {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};
static struct file_identity *identities;
static size_t nidentities;

static struct {
	bool host_clock;
	bool paced;        /* idle jumps of the virtual clock wait as long in real time */
	char *root;        /* resolved --root directory, or NULL */
	uint64_t idle_ns;  /* virtual time skipped while everything slept */
	uint64_t host_t0;  /* host monotonic ns at boot */
	uint64_t epoch_ns; /* wall clock at boot */
	void *image;       /* the boot image, or NULL */
	size_t image_len;
} m;

const char plat_name[] = "eclipse-sim";

static volatile sig_atomic_t stop_requests, resized;
static unsigned stops_seen; /* the stop requests the machine has seen: an input */

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requests++;
}

/*
 * The console. When standard input is a terminal a person is at it: the terminal goes into raw
 * mode (the guest's tty does echo, editing and signals) and is restored on every way out; the
 * kernel takes input as it comes. Ctrl-A x stops the simulator (Ctrl-A Ctrl-A types a Ctrl-A),
 * since Ctrl-C now belongs to the guest. Otherwise input is a stream read as the guest asks.
 */
#define CTRL_A 0x01

static struct {
	bool interactive;
	bool raw;            /* the terminal's settings are ours until restore */
	struct termios saved;
	bool escape;         /* Ctrl-A came: the next byte is a command */
	unsigned rows, cols; /* last size told to the kernel */
} con;

static void console_restore(void)
{
	if (con.raw) {
		tcsetattr(0, TCSAFLUSH, &con.saved);
		con.raw = false;
	}
}

/* A fatal signal restores the terminal before it kills us. */
static void on_fatal_signal(int sig)
{
	console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_resize(int sig)
{
	(void)sig;
	resized = 1;
}

bool sim_console_is_terminal(void)
{
	struct termios t;
	return isatty(0) && tcgetattr(0, &t) == 0;
}

/* A replay takes no input: its console is as the recording's was (replayed: 1 a terminal, 0 a
 * stream; -1 not a replay). A terminal still goes into raw mode, so that what it shows is the
 * recording's bytes as they were. */
static void console_init(int replayed)
{
	bool terminal = isatty(0) && tcgetattr(0, &con.saved) == 0;
	con.interactive = replayed >= 0 ? replayed : terminal;
	if (!terminal || !con.interactive)
		return;
	struct termios raw = con.saved;
	cfmakeraw(&raw);
	if (replayed >= 0)
		raw.c_lflag |= ISIG; /* nothing is read: Ctrl-C stops the replay */
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSAFLUSH, &raw) == 0)
		con.raw = true;
	atexit(console_restore);
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGQUIT, SIGHUP};
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], on_fatal_signal);
	signal(SIGWINCH, on_resize);
	resized = 1;
}

bool plat_console_interactive(void)
{
	return con.interactive;
}

/* What standard input holds now, never waiting for more: bytes, 0 for none, or -errno at its
 * end (-EPIPE: read gave 0; -EBADF: there is no standard input). */
static long read_now(void *buf, size_t len)
{
	struct pollfd pfd = {0, POLLIN, 0};
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	ssize_t n = read(0, buf, len);
	if (n >= 0)
		return n ? n : -EPIPE;
	return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

static long console_poll(void *buf, size_t len)
{
	long n = read_now(buf, len);
	if (!con.interactive || n == 0)
		return n; /* a stream ends with its input */
	if (n < 0)
		return -EIO; /* the terminal went away */
	char *out = buf;
	size_t kept = 0;
	for (ssize_t i = 0; i < n; i++) {
		char c = out[i];
		if (con.escape) {
			con.escape = false;
			if (c == 'x' || c == 'X') {
				stop_requests += 2; /* at once, as a second Ctrl-C would */
				continue;
			}
			if (c != CTRL_A)
				continue;
		} else if (c == CTRL_A) {
			con.escape = true;
			continue;
		}
		out[kept++] = c;
	}
	return (long)kept;
}

long plat_console_poll(void *buf, size_t len)
{
	int64_t v;
	size_t n = len;
	if (rec_mode == REC_REPLAY)
		return rec_take(REC_CONSOLE, &v, buf, &n) ? (v < 0 ? (long)v : (long)n) : 0;
	long got = console_poll(buf, len);
	if (got)
		rec_put(REC_CONSOLE, got, buf, got > 0 ? (size_t)got : 0);
	else
		rec_point();
	return got;
}

static bool console_size(unsigned *rows, unsigned *cols);

bool plat_console_size(unsigned *rows, unsigned *cols)
{
	int64_t v;
	if (rec_mode == REC_REPLAY) {
		if (!rec_take(REC_WINSIZE, &v, NULL, NULL))
			return false;
		*rows = (unsigned)(v >> 16) & 0xffff, *cols = (unsigned)v & 0xffff;
		return true;
	}
	bool changed = console_size(rows, cols);
	if (changed)
		rec_put(REC_WINSIZE, (int64_t)(*rows & 0xffff) << 16 | (*cols & 0xffff), NULL, 0);
	else
		rec_point();
	return changed;
}

static bool console_size(unsigned *rows, unsigned *cols)
{
	if (!resized)
		return false;
	resized = 0;
	struct winsize ws;
	if (ioctl(con.interactive ? 0 : 1, TIOCGWINSZ, &ws) || !ws.ws_row || !ws.ws_col)
		return false;
	if (ws.ws_row == con.rows && ws.ws_col == con.cols)
		return false;
	*rows = con.rows = ws.ws_row;
	*cols = con.cols = ws.ws_col;
	return true;
}

#define NET_FDS 256 /* slirp's host sockets an idle wait watches at most */

/* Waits until the console's input comes (when input is set), a stop request, a debugger's
 * attention (it is served here: the system stops if it asks), one of the network's host
 * sockets is ready (*net is set), or timeout_ns (UINT64_MAX: no limit). True when something
 * ended it before its time. */
static bool wait_for_input(bool input, uint64_t timeout_ns, bool *net)
{
	struct timespec ts = {(time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull)};
	unsigned stops = (unsigned)stop_requests;
	enum { NET_AT = 1 + DEBUG_POLLFDS }; /* stdin, the debugger's, then the network's */
	static struct pollfd pfd[NET_AT + NET_FDS];
	*net = false;
	for (;;) {
		pfd[0] = (struct pollfd){input ? 0 : -1, POLLIN, 0};
		debug_pollfds(pfd + 1);
		unsigned nfds = NET_AT + sim_net_pollfds(pfd + NET_AT, NET_FDS);
		int n = ppoll(pfd, nfds, timeout_ns == UINT64_MAX ? NULL : &ts, NULL);
		if (n < 0 && errno == EINTR && stops == (unsigned)stop_requests && !resized)
			continue;
		bool debugger = false;
		for (unsigned i = 1; n > 0 && i < NET_AT; i++)
			debugger |= pfd[i].revents != 0;
		if (debugger)
			debug_idle();
		for (unsigned i = NET_AT; n > 0 && i < nfds; i++)
			*net |= pfd[i].revents != 0;
		return n != 0;
	}
}

static uint64_t host_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t host_clock_ns(clockid_t clk, uint64_t base);

/* The network's wire in a log (net.h's struct sim_net_log). */
static bool net_replaying(void)
{
	return rec_mode == REC_REPLAY;
}

static void net_frame(const void *frame, size_t len)
{
	rec_put(REC_NET, 0, frame, len);
}

static bool net_take_frame(void *frame, size_t *len)
{
	int64_t v;
	return rec_take(REC_NET, &v, frame, len);
}

static bool net_soon(bool live)
{
	int64_t v;
	if (rec_mode == REC_REPLAY)
		return rec_take(REC_NET_SOON, &v, NULL, NULL);
	if (live)
		rec_put(REC_NET_SOON, 0, NULL, 0);
	else
		rec_point();
	return live;
}

int sim_machine_init(const struct sim_options *opt)
{
	m.root = NULL;
	int err = opt->root && !(m.root = realpath(opt->root, NULL)) ? -errno : 0;
	if (!err)
		err = sim_ram_init(opt->mem_bytes);
	if (err) {
		free(m.root);
		m.root = NULL;
		sim_disk_close(opt->disk);
		return err;
	}
	m.host_clock = opt->host_clock;
	m.paced = opt->paced;
	m.idle_ns = 0;
	stops_seen = 0;
	m.host_t0 = host_ns(CLOCK_MONOTONIC);
	m.epoch_ns = opt->host_clock ? host_clock_ns(CLOCK_REALTIME, 0) : VIRTUAL_EPOCH_NS;
	console_init(rec_mode == REC_REPLAY ? opt->replay_terminal : -1);
	sim_irq_reset();
	sim_events_reset();
	sim_pci_init();
	sim_i8042_init();
	if ((err = sim_vga_init()) || (err = sim_ac97_init())) {
		sim_machine_fini();
		return err;
	}
	if (opt->disk)
		sim_virtio_blk_init(opt->disk);
	char why[300];
	if (opt->net && rec_mode != REC_OFF)
		sim_net_log = (struct sim_net_log){net_replaying, net_frame, rec_point, net_take_frame,
						   net_soon};
	if (opt->net && (err = sim_net_start(&opt->net_opt, why, sizeof(why)))) {
		fprintf(stderr, "eclipse-sim: --net: %s\n", why);
		sim_machine_fini();
		return -ENETDOWN;
	}
	sim_pci_firmware(); /* the fixed devices, one disk and one card always fit */
	return 0;
}

void sim_machine_fini(void)
{
	console_restore();
	free(identities);
	identities = NULL;
	nidentities = 0;
	free(m.root);
	m.root = NULL;
	sim_net_stop();
	sim_net_log = (struct sim_net_log){0};
	sim_virtio_blk_fini();
	sim_ac97_fini();
	sim_vga_fini();
	sim_pci_fini();
	sim_events_reset();
	sim_ram_fini();
}

long plat_console_write(int stream, const void *buf, size_t len)
{
	if (rec_mode != REC_OFF)
		rec_output(buf, len);
	if (travel_quiet())
		return (long)len; /* a runner: the run that went there first printed it */
	const char *p = buf;
	size_t left = len;
	while (left) {
		ssize_t n = write(stream == 2 ? 2 : 1, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		left -= (size_t)n;
	}
	return (long)len;
}

/* The host clock is an input: each reading is recorded, and replayed. */
static uint64_t host_clock_ns(clockid_t clk, uint64_t base)
{
	int64_t v;
	if (rec_mode == REC_REPLAY)
		return rec_take(REC_CLOCK, &v, NULL, NULL) ? (uint64_t)v + base : base;
	uint64_t now = host_ns(clk) - base;
	rec_put(REC_CLOCK, (int64_t)now, NULL, 0);
	return now + base;
}

uint64_t plat_clock_ns(void)
{
	if (m.host_clock)
		return host_clock_ns(CLOCK_MONOTONIC, m.host_t0) - m.host_t0;
	return sim_blocks() * NS_PER_BLOCK + m.idle_ns;
}

uint64_t sim_idle_ns(void)
{
	return m.idle_ns;
}

uint64_t sim_clock_blocks_until(uint64_t when_ns)
{
	uint64_t now = plat_clock_ns();
	return when_ns <= now ? 0 : (when_ns - now + NS_PER_BLOCK - 1) / NS_PER_BLOCK;
}

uint64_t plat_boot_epoch_ns(void)
{
	return m.epoch_ns;
}

/* Moves the clock from now to target, as idle time: false when it came back early (input the
 * kernel wants came, or a stop request), having moved the clock only as far as the wait
 * lasted. */
static bool idle_to(uint64_t now, uint64_t target, bool input)
{
	bool stream = input && !con.interactive;
	int64_t waited_rec;
	uint8_t flags[1];
	size_t nflags = sizeof(flags);
	if (target == UINT64_MAX) {
		/* Nothing will run before input comes (or a stop request). A person's typing takes
		 * the time it takes; a stream's input takes none, so that a run that only waits for
		 * its pipe is the same however fast the pipe is fed. */
		if (rec_mode == REC_REPLAY) {
			if (rec_take(REC_IDLE, &waited_rec, flags, &nflags))
				m.idle_ns += (uint64_t)waited_rec;
			return false;
		}
		struct pollfd debugger[DEBUG_POLLFDS];
		if (!input && !debug_pollfds(debugger)) {
			rec_point();
			return false; /* nothing to wait for: a stop request is on its way */
		}
		uint64_t start = host_ns(CLOCK_MONOTONIC);
		bool net;
		wait_for_input(input, UINT64_MAX, &net);
		uint64_t added = 0;
		if (!m.host_clock && !stream)
			added = host_ns(CLOCK_MONOTONIC) - start;
		rec_put(REC_IDLE, (int64_t)added, (uint8_t[]){0}, 1); /* where it was asked */
		m.idle_ns += added;
		return false;
	}
	/* Paced, the jump over idle time takes as long in real time, so that a person sees the
	 * system's pace; it still lands on the target, so the virtual times, and everything the
	 * system prints, are those of a run that is not paced. What a person types ends it early:
	 * the clock then moves as far as the wait lasted. A reader waiting for a stream paces the
	 * jump too, so that timers and devices go on at real time's pace while a slow pipe is
	 * awaited, neither racing ahead nor waiting for it. So does a machine on a network: the
	 * host's side of a connection keeps real time, and a host socket that becomes ready ends
	 * the wait there, slirp being polled at that point of the virtual clock. A wait that real
	 * time ended early is an input (recorded); a replay never waits. */
	uint64_t span = target - now;
	if (rec_mode == REC_REPLAY) {
		if (!rec_take(REC_IDLE, &waited_rec, flags, &nflags)) {
			if (!m.host_clock)
				m.idle_ns += span;
			return true;
		}
		if (!m.host_clock)
			m.idle_ns += MIN((uint64_t)waited_rec, span);
		bool net = nflags && (flags[0] & 2); /* early: only a network's frames go on */
		if (net)
			sim_net_ready(); /* slirp was polled there: the log's frames come there */
		return net;
	}
	if (m.host_clock || m.paced || stream || sim_net_active()) {
		uint64_t start = host_ns(CLOCK_MONOTONIC);
		bool net;
		bool early = wait_for_input(input, span, &net);
		uint64_t waited = early ? MIN(host_ns(CLOCK_MONOTONIC) - start, span) : span;
		if (early) /* at the position where it was asked, as the replay asks */
			rec_put(REC_IDLE, (int64_t)waited, (uint8_t[]){(uint8_t)(1 | (net ? 2 : 0))}, 1);
		else
			rec_point();
		if (!m.host_clock)
			m.idle_ns += waited;
		if (net)
			sim_net_ready();
		return !early || net; /* the network's frames are the machine's own events */
	}
	rec_point();
	m.idle_ns += span;
	return true;
}

/*
 * Idling also waits for the devices: the clock jumps to the earlier of the deadline and the
 * next device event, the events due then run, and the wait ends early once one of them fired
 * an interrupt line, for the kernel to hear of it.
 */
void plat_idle_until(uint64_t deadline_ns, bool input)
{
	rec_sync();
	for (;;) {
		uint64_t now = plat_clock_ns();
		sim_events_run(now);
		if (sim_irq_pending() || deadline_ns <= now)
			return;
		uint64_t next = sim_event_next();
		if (next <= now)
			continue; /* an event scheduled one for now */
		uint64_t target = MIN(deadline_ns, next);
		if (!idle_to(now, target, input))
			return;
		if (target == deadline_ns) {
			sim_events_run(plat_clock_ns());
			return;
		}
	}
}

bool plat_devices_pending(void)
{
	return sim_irq_pending() || sim_event_next() != UINT64_MAX;
}

uint64_t plat_random_seed(void)
{
	if (!m.host_clock)
		return 0x5eed5eed5eedull;
	int64_t v;
	if (rec_mode == REC_REPLAY)
		return rec_take(REC_SEED, &v, NULL, NULL) ? (uint64_t)v : 0;
	uint64_t seed = host_ns(CLOCK_REALTIME) ^ (uint64_t)getpid() << 32;
	rec_put(REC_SEED, (int64_t)seed, NULL, 0);
	return seed;
}

/* Opens a regular file of at most max bytes for reading: the descriptor (*len its size), or
 * -errno. Never waits: opening a FIFO (or a device) for reading would block the whole machine,
 * so it is opened without blocking and refused unless regular. */
static int open_regular(const char *path, uint64_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	int err = 0;
	if (fstat(fd, &st))
		err = -errno;
	else if (S_ISDIR(st.st_mode))
		err = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = -EACCES;
	else if ((uint64_t)st.st_size > max)
		err = -EFBIG;
	*len = err ? 0 : (size_t)st.st_size;
	if (err)
		close(fd);
	return err ? err : fd;
}

int sim_map_file(const char *path, uint64_t max, void **data, size_t *len)
{
	static char empty[1];
	int fd = open_regular(path, max, len);
	if (fd < 0)
		return fd;
	*data = *len ? mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0) : empty;
	close(fd);
	if (*data == MAP_FAILED) {
		*data = NULL;
		return -ENOMEM;
	}
	return 0;
}

void sim_unmap_file(void *data, size_t len)
{
	if (data && len)
		munmap(data, len);
}

int sim_read_file(const char *path, uint64_t max, void **data, size_t *len)
{
	int fd = open_regular(path, max, len), err = 0;
	if (fd < 0) {
		*data = NULL;
		return fd;
	}
	*data = malloc(*len ? *len : 1);
	if (!*data)
		err = -ENOMEM;
	for (size_t got = 0; !err && got < *len;) {
		ssize_t n = read(fd, (char *)*data + got, *len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? -EIO : -EAGAIN; /* EAGAIN: it shrank while being read */
		else
			got += (size_t)n;
	}
	close(fd);
	if (err) {
		free(*data);
		*data = NULL;
	}
	return err;
}

static uint64_t identify(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return 0;
	for (size_t i = 0; i < nidentities; i++) {
		struct file_identity *f = &identities[i];
		if (f->dev == st.st_dev && f->ino == st.st_ino && f->size == st.st_size &&
		    f->mtime.tv_sec == st.st_mtim.tv_sec && f->mtime.tv_nsec == st.st_mtim.tv_nsec)
			return i + 1;
	}
	struct file_identity *grown = realloc(identities, (nidentities + 1) * sizeof(*grown));
	if (!grown)
		return 0;
	identities = grown;
	identities[nidentities++] = (struct file_identity){st.st_dev, st.st_ino, st.st_size, st.st_mtim};
	return nidentities;
}

int plat_file_open(const char *path, const void **data, size_t *len, uint64_t *id,
		   unsigned *mode)
{
	if (!m.root)
		return -ENOENT;
	char *joined = NULL, *real = NULL;
	if (asprintf(&joined, "%s/%s", m.root, path) < 0)
		return -ENOMEM;
	real = realpath(joined, NULL);
	free(joined);
	size_t rootlen = strcmp(m.root, "/") ? strlen(m.root) : 0;
	/* Symbolic links and ".." may not lead out of the root. */
	if (!real || strncmp(real, m.root, rootlen) || (real[rootlen] != '/' && real[rootlen])) {
		int err = real ? -ENOENT : (errno == ENOMEM ? -ENOMEM : -ENOENT);
		free(real);
		return err;
	}
	void *buf;
	struct stat st;
	*mode = stat(real, &st) == 0 ? st.st_mode & 07777 : 0;
	*id = identify(real);
	int err = sim_read_file(real, 1ull << 30, &buf, len);
	free(real);
	if (err == -EISDIR)
		err = -EACCES;
	*data = buf;
	return err == -EFBIG ? -ENOMEM : err;
}

void plat_file_close(const void *data, size_t len)
{
	(void)len;
	free((void *)data);
}

const void *plat_boot_image(size_t *len)
{
	*len = m.image_len;
	return m.image;
}

void sim_set_boot_image(void *image, size_t len)
{
	m.image = image;
	m.image_len = len;
}

unsigned plat_stop_requests(void)
{
	int64_t v;
	if (rec_mode == REC_REPLAY) {
		if (rec_take(REC_STOPS, &v, NULL, NULL))
			stops_seen = (unsigned)v;
		/* A replay asked to stop (Ctrl-C, or a divergence) stops at once. */
		if (stop_requests)
			return stops_seen + 2u;
	} else {
		if ((unsigned)stop_requests != stops_seen) {
			stops_seen = (unsigned)stop_requests;
			rec_put(REC_STOPS, stops_seen, NULL, 0);
		} else {
			rec_point();
		}
	}
	/* A debugger that killed the system while it idled stops it as a second Ctrl-C would. */
	return stops_seen + (debug_enabled && debug_killed() ? 2u : 0u);
}

unsigned sim_stop_requests(void)
{
	return (unsigned)stop_requests;
}

void sim_request_stop(void)
{
	stop_requests++;
}

void sim_catch_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void plat_panic(const char *msg)
{
	fprintf(stderr, "eclipse-sim: kernel panic: %s\n", msg);
	abort();
}
