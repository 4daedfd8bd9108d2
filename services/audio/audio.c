/*
 * The audio service: drives the AC'97 card (ac97.c) and mixes the streams of its clients into
 * it (mixer.c). Programs play through /dev/dsp and set the volume through /dev/mixer, OSS's
 * nodes, whose calls the kernel turns into requests to this service (chr_serve); services may
 * use the "audio" IPC interface instead (<ecl/sound.h>). docs/audio.md has the design.
 *
 * One thread does everything, from one loop: the card's interrupts (a period played: mix the
 * next), the kernel's requests and the IPC clients'. A write waits here, unanswered, until its
 * stream has taken all of it; a sync until what its stream held has been played.
 *
 * usage: audio [--heartbeat=DURATION]
 */
#include "ac97.h"
#include "mixer.h"

#include <ecl/ipc.h>
#include <ecl/service.h>
#include <ecl/sound.h>
#include <ecl/time.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME "audio"
#define STREAMS_MAX 16
#define AHEAD 8 /* periods given to the card ahead of what it plays: 80 ms */
#define START_FRAMES (AHEAD * AC97_PERIOD_FRAMES)
#define CHUNK 4096
#define HEADER_PEEK 1024 /* a WAV header must lie within a stream's first bytes */
#define RUNNING_POLL_MS 50 /* while the card plays: an interrupt lost is not a stall */
#define MIXER_HANDLE 0xffffu

enum kind { FREE, DSP, IPC };

/* Who waits for an answer: a thread of the kernel's requests, or an IPC client. */
struct waiter {
	pid_t client; /* 0: nobody */
	bool kernel;
};

static struct slot {
	enum kind kind;
	unsigned gen;
	pid_t owner; /* IPC: the client that opened it */
	bool closing;   /* closed: plays out what it holds, then goes */
	bool draining;  /* no more for now (sync, post): plays even below the start threshold */
	bool format_set; /* the client chose a format: no WAV header is looked for */
	bool playing;   /* has given frames to the card since it last ran dry */
	bool oss_nonblock; /* SNDCTL_DSP_NONBLOCK */
	bool nonblock;     /* the write in wait is answered with what went in at once */
	unsigned long long last_period; /* periods_mixed after its last frames went to the card */
	struct {
		struct waiter who;
		size_t len, done;
		uint8_t *data; /* IPC: the bytes (the kernel's come by grant_copy) */
	} w;
	struct waiter sync;
	struct stream s;
} slots[STREAMS_MAX];

static struct {
	struct ac97 card;
	bool have_card;
	unsigned master;
	unsigned tail; /* periods of silence still to give the card once the streams ran dry */
	unsigned long long periods_mixed, periods_played, underruns;
	int32_t acc[AC97_PERIOD_FRAMES * 2];
} au = {.master = VOLUME_FULL};

static unsigned handle_of(const struct slot *sl)
{
	return (unsigned)(sl - slots) | sl->gen << 8;
}

static struct slot *slot_of(unsigned handle, enum kind kind)
{
	unsigned i = handle & 0xff;
	if (i >= STREAMS_MAX || slots[i].kind != kind || slots[i].gen != (handle >> 8))
		return NULL;
	return &slots[i];
}

static struct slot *slot_new(enum kind kind, pid_t owner)
{
	for (unsigned i = 0; i < STREAMS_MAX; i++)
		if (slots[i].kind == FREE) {
			struct slot *sl = &slots[i];
			unsigned gen = (sl->gen + 1) & 0xffffff;
			memset(sl, 0, offsetof(struct slot, s));
			stream_init(&sl->s);
			sl->kind = kind;
			sl->gen = gen ? gen : 1;
			sl->owner = owner;
			return sl;
		}
	return NULL;
}

static void slot_free(struct slot *sl)
{
	free(sl->w.data);
	sl->w.data = NULL;
	sl->kind = FREE;
}

/* Answers a kernel request: the status, the ioctl's argument. */
static void answer_kernel(pid_t client, long long status, unsigned handle, const void *arg,
			  size_t n)
{
	static struct ipc_msg out;
	struct chr_rep *r = (struct chr_rep *)out.data;
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->handle = handle;
	if (arg)
		memcpy(r->arg, arg, n < CHR_ARG_MAX ? n : CHR_ARG_MAX);
	out.type = 0;
	out.len = sizeof(*r);
	ipc_reply(client, &out);
}

static void answer_ipc(pid_t client, const struct audio_rep *rep)
{
	static struct ipc_msg out;
	memcpy(out.data, rep, sizeof(*rep));
	out.type = 0;
	out.len = sizeof(*rep);
	ipc_reply(client, &out);
}

static void answer(struct waiter *w, long long status)
{
	if (!w->client)
		return;
	if (w->kernel) {
		answer_kernel(w->client, status, 0, NULL, 0);
	} else {
		struct audio_rep rep = {.status = status};
		answer_ipc(w->client, &rep);
	}
	w->client = 0;
}

/* The bytes [off, off + n) of the write in wait: 0, or -errno. */
static int fetch(struct slot *sl, size_t off, void *buf, size_t n)
{
	if (!sl->w.who.kernel) {
		memcpy(buf, sl->w.data + off, n);
		return 0;
	}
	return syscall(SYS_grant_copy, sl->w.who.client, off, buf, n, GRANT_FROM_CLIENT) < 0 ? -errno
											      : 0;
}

static void write_done(struct slot *sl, long long status)
{
	answer(&sl->w.who, status);
	free(sl->w.data);
	sl->w.data = NULL;
}

/* A stream's first bytes: a WAV file's header sets its format, and is not played. */
static bool sniff(struct slot *sl)
{
	sl->format_set = true;
	static uint8_t head[HEADER_PEEK];
	size_t n = sl->w.len < sizeof(head) ? sl->w.len : sizeof(head);
	if (fetch(sl, 0, head, n)) {
		write_done(sl, -EFAULT);
		return false;
	}
	unsigned rate, channels;
	size_t skip;
	int r = wav_header(head, n, &rate, &channels, &skip);
	if (r < 0) {
		write_done(sl, -EINVAL);
		return false;
	}
	if (r > 0) {
		stream_format(&sl->s, rate, channels);
		sl->w.done = skip;
	}
	return true;
}

/* Moves what the write in wait has into the stream, as far as it has room; answers the write
 * once it is all in (or, not blocking, with what went in). */
static void pump(struct slot *sl)
{
	if (!sl->w.who.client)
		return;
	if (!sl->format_set && !sniff(sl))
		return;
	static uint8_t buf[CHUNK];
	while (sl->w.done < sl->w.len) {
		size_t n = sl->w.len - sl->w.done, room = stream_room(&sl->s);
		n = n < room ? n : room;
		n = n < sizeof(buf) ? n : sizeof(buf);
		if (!n)
			break;
		int err = fetch(sl, sl->w.done, buf, n);
		if (err) {
			write_done(sl, sl->w.done ? (long long)sl->w.done : err);
			return;
		}
		stream_feed(&sl->s, buf, n);
		sl->w.done += n;
	}
	if (sl->w.done == sl->w.len)
		write_done(sl, (long long)sl->w.len);
	else if (sl->nonblock)
		write_done(sl, sl->w.done ? (long long)sl->w.done : -EAGAIN);
}

/* The sync in wait is answered once the stream's frames have all been played. */
static void check_sync(struct slot *sl)
{
	if (sl->sync.client && !sl->w.who.client && !sl->s.count &&
	    au.periods_played >= sl->last_period)
		answer(&sl->sync, 0);
}

static bool held(const struct slot *sl)
{
	return sl->kind != FREE && (sl->s.count || sl->w.who.client);
}

static bool any_held(void)
{
	for (unsigned i = 0; i < STREAMS_MAX; i++)
		if (held(&slots[i]))
			return true;
	return false;
}

/* Whether the card should start: a stream holds a full start's worth, or will get no more. */
static bool ready_to_start(void)
{
	for (unsigned i = 0; i < STREAMS_MAX; i++) {
		const struct slot *sl = &slots[i];
		if (held(sl) && (sl->s.count >= START_FRAMES || sl->closing || sl->draining ||
				 !stream_room(&sl->s)))
			return true;
	}
	return false;
}

/* One period of the sum of the streams into the card's next buffer. */
static void mix_period(void)
{
	memset(au.acc, 0, sizeof(au.acc));
	for (unsigned i = 0; i < STREAMS_MAX; i++) {
		struct slot *sl = &slots[i];
		if (sl->kind == FREE)
			continue;
		unsigned got = stream_take(&sl->s, au.acc, AC97_PERIOD_FRAMES);
		if (got)
			sl->last_period = au.periods_mixed + 1;
		if (got < AC97_PERIOD_FRAMES && sl->playing && !sl->closing && !sl->draining) {
			sl->s.underruns++; /* silence for this stream alone */
			au.underruns++;
		}
		sl->playing = sl->s.count != 0;
	}
	mix_out(au.acc, ac97_next(&au.card), AC97_PERIOD_FRAMES, au.master);
	ac97_queue(&au.card);
	au.periods_mixed++;
}

/* Keeps the card AHEAD periods ahead while there is something to play; moves the writes in
 * wait into the room that made; lets closed streams that played out go. */
static void fill(void)
{
	if (!au.have_card)
		return;
	while (au.card.queued < AHEAD) {
		bool any = any_held();
		if (!any && au.card.running && au.tail) {
			au.tail--; /* silence after the last sound, so no machine cuts its end */
		} else if (!any || (!au.card.running && !ready_to_start())) {
			break;
		} else {
			au.tail = AHEAD;
		}
		mix_period();
		for (unsigned i = 0; i < STREAMS_MAX; i++)
			if (slots[i].kind != FREE)
				pump(&slots[i]);
	}
	for (unsigned i = 0; i < STREAMS_MAX; i++) {
		struct slot *sl = &slots[i];
		if (sl->kind == FREE)
			continue;
		check_sync(sl);
		if (sl->closing && !held(sl) && au.periods_played >= sl->last_period)
			slot_free(sl);
	}
}

static void card_interrupt(void)
{
	if (!au.have_card)
		return;
	au.periods_played += ac97_played(&au.card);
	if (au.card.running && !au.card.queued && !any_held())
		ac97_stop(&au.card); /* ran dry: the next sound starts it afresh */
	fill();
}

static void start_write(struct slot *sl, pid_t client, bool kernel, size_t len, uint8_t *data)
{
	if (sl->w.who.client) {
		struct waiter w = {client, kernel};
		free(data);
		answer(&w, -EBUSY); /* one write at a time on a stream */
		return;
	}
	sl->w.who = (struct waiter){client, kernel};
	sl->w.len = len;
	sl->w.done = 0;
	sl->w.data = data;
	sl->draining = false;
	pump(sl);
	fill();
}

static void start_sync(struct slot *sl, pid_t client, bool kernel)
{
	if (sl->sync.client) {
		struct waiter w = {client, kernel};
		answer(&w, -EBUSY);
		return;
	}
	stream_flush(&sl->s);
	sl->draining = true;
	sl->sync = (struct waiter){client, kernel};
	fill();
	check_sync(sl);
}

static void close_stream(struct slot *sl)
{
	stream_flush(&sl->s);
	sl->closing = true;
	answer(&sl->w.who, -EIO);
	answer(&sl->sync, -EIO);
	fill();
	if (!held(sl) && au.periods_played >= sl->last_period)
		slot_free(sl);
}

static int volume_in(int v)
{
	unsigned l = (unsigned)v & 0xff, r = (unsigned)v >> 8 & 0xff;
	return (int)SOUND_VOLUME(l > 100 ? 100 : l, r > 100 ? 100 : r);
}

/* The mixer's requests, on /dev/mixer or /dev/dsp: -ENOTTY for others. */
static long mixer_ioctl(unsigned long long cmd, const int *in, int *out)
{
	switch (cmd) {
	case SOUND_MIXER_READ_VOLUME:
	case SOUND_MIXER_READ_PCM:
		*out = (int)au.master;
		return 0;
	case SOUND_MIXER_WRITE_VOLUME:
	case SOUND_MIXER_WRITE_PCM:
		au.master = (unsigned)volume_in(*in);
		*out = (int)au.master;
		return 0;
	case SOUND_MIXER_READ_DEVMASK:
	case SOUND_MIXER_READ_STEREODEVS:
		*out = SOUND_MASK_VOLUME | SOUND_MASK_PCM;
		return 0;
	case SOUND_MIXER_READ_RECMASK:
	case SOUND_MIXER_READ_CAPS:
		*out = 0;
		return 0;
	case OSS_GETVERSION:
		*out = SOUND_VERSION;
		return 0;
	default:
		return -ENOTTY;
	}
}

/* Bytes of the client's for frames of the card's. */
static int client_bytes(const struct stream *s, unsigned long long frames)
{
	return (int)(frames * s->rate / AC97_RATE * 2 * s->channels);
}

/* OSS's requests on /dev/dsp. A sync answers later (-EINPROGRESS here). */
static long dsp_ioctl(struct slot *sl, pid_t client, const struct chr_req *q, uint8_t *arg)
{
	int in;
	memcpy(&in, q->arg, sizeof(in));
	int out = 0;
	struct stream *s = &sl->s;
	switch (q->cmd) {
	case SNDCTL_DSP_RESET:
		stream_drop(s);
		return 0;
	case SNDCTL_DSP_SYNC:
		start_sync(sl, client, true);
		return -EINPROGRESS;
	case SNDCTL_DSP_POST:
		stream_flush(s);
		sl->draining = true;
		fill();
		return 0;
	case SNDCTL_DSP_SPEED:
		if (in <= 0)
			return -EINVAL;
		out = in < RATE_MIN ? RATE_MIN : in > RATE_MAX ? RATE_MAX : in;
		stream_format(s, (unsigned)out, s->channels);
		sl->format_set = true;
		break;
	case SNDCTL_DSP_STEREO:
		if (in != 0 && in != 1)
			return -EINVAL;
		stream_format(s, s->rate, (unsigned)in + 1);
		sl->format_set = true;
		out = in;
		break;
	case SNDCTL_DSP_CHANNELS:
		if (in != 1 && in != 2)
			return -EINVAL;
		stream_format(s, s->rate, (unsigned)in);
		sl->format_set = true;
		out = in;
		break;
	case SNDCTL_DSP_SETFMT:
		if (in != AFMT_QUERY && in != AFMT_S16_LE)
			return -EINVAL; /* 16-bit little-endian only */
		if (in != AFMT_QUERY)
			sl->format_set = true;
		out = AFMT_S16_LE;
		break;
	case SNDCTL_DSP_GETFMTS:
		out = AFMT_S16_LE;
		break;
	case SNDCTL_DSP_GETBLKSIZE:
		out = client_bytes(s, AC97_PERIOD_FRAMES);
		break;
	case SNDCTL_DSP_GETOSPACE: {
		int frag = client_bytes(s, AC97_PERIOD_FRAMES);
		int bytes = (int)stream_room(s);
		audio_buf_info info = {.fragments = frag ? bytes / frag : 0,
				       .fragstotal = frag ? client_bytes(s, STREAM_FRAMES) / frag : 0,
				       .fragsize = frag, .bytes = bytes};
		memcpy(arg, &info, sizeof(info));
		return 0;
	}
	case SNDCTL_DSP_GETODELAY:
		out = client_bytes(s, s->count + (unsigned long long)au.card.queued * AC97_PERIOD_FRAMES);
		break;
	case SNDCTL_DSP_GETCAPS:
		out = 0;
		break;
	case SNDCTL_DSP_NONBLOCK:
		sl->oss_nonblock = true;
		return 0;
	case SNDCTL_DSP_GETPLAYVOL:
		out = (int)s->volume;
		break;
	case SNDCTL_DSP_SETPLAYVOL:
		s->volume = (unsigned)volume_in(in);
		out = (int)s->volume;
		break;
	default: {
		long r = mixer_ioctl(q->cmd, &in, &out);
		if (r)
			return r;
	}
	}
	memcpy(arg, &out, sizeof(out));
	return 0;
}

/* A request of the kernel's for a thread of client's (0: a posted close). */
static void kernel_request(pid_t client, unsigned op, const struct chr_req *q)
{
	uint8_t arg[CHR_ARG_MAX] = {0};
	bool mixer = q->rdev == CHR_RDEV_MIXER;
	struct slot *sl = mixer ? NULL : slot_of(q->handle, DSP);
	long r;
	switch (op) {
	case CHR_OPEN:
		if (mixer) {
			answer_kernel(client, 0, MIXER_HANDLE, NULL, 0);
			return;
		}
		if (!au.have_card) {
			answer_kernel(client, -ENODEV, 0, NULL, 0);
			return;
		}
		sl = slot_new(DSP, 0);
		if (!sl) {
			answer_kernel(client, -EBUSY, 0, NULL, 0);
			return;
		}
		answer_kernel(client, 0, handle_of(sl), NULL, 0);
		return;
	case CHR_CLOSE:
		if (sl)
			close_stream(sl);
		return;
	case CHR_WRITE:
		if (!sl) {
			answer_kernel(client, mixer ? -EINVAL : -EBADF, 0, NULL, 0);
			return;
		}
		sl->nonblock = sl->oss_nonblock || (q->flags & O_NONBLOCK);
		start_write(sl, client, true, q->len, NULL);
		return;
	case CHR_READ:
		answer_kernel(client, -EINVAL, 0, NULL, 0); /* no recording */
		return;
	case CHR_IOCTL:
		if (mixer) {
			int in, out = 0;
			memcpy(&in, q->arg, sizeof(in));
			r = mixer_ioctl(q->cmd, &in, &out);
			memcpy(arg, &out, sizeof(out));
		} else if (!sl) {
			r = -EBADF;
		} else {
			r = dsp_ioctl(sl, client, q, arg);
			if (r == -EINPROGRESS)
				return; /* a sync: answered when it is done */
		}
		answer_kernel(client, r, 0, arg, sizeof(arg));
		return;
	default:
		answer_kernel(client, -ENOSYS, 0, NULL, 0);
	}
}

/* A request of a service's over IPC. */
static void ipc_request(pid_t client, const struct ipc_msg *in)
{
	struct audio_req q = {0};
	memcpy(&q, in->data, in->len < sizeof(q) ? in->len : sizeof(q));
	struct audio_rep rep = {0};
	struct slot *sl = NULL;
	if (in->type != AUDIO_OPEN && in->type != AUDIO_INFO &&
	    !(in->type == AUDIO_VOLUME && q.stream == 0)) {
		sl = slot_of(q.stream, IPC);
		if (!sl || sl->owner != client || sl->closing) {
			rep.status = -EBADF;
			answer_ipc(client, &rep);
			return;
		}
	}
	switch (in->type) {
	case AUDIO_OPEN:
		if (q.rate < RATE_MIN || q.rate > RATE_MAX || q.channels < 1 || q.channels > 2) {
			rep.status = -EINVAL;
		} else if (!au.have_card) {
			rep.status = -ENODEV;
		} else if (!(sl = slot_new(IPC, client))) {
			rep.status = -EBUSY;
		} else {
			stream_format(&sl->s, q.rate, q.channels);
			sl->format_set = true;
			rep.stream = handle_of(sl);
		}
		break;
	case AUDIO_WRITE: {
		size_t len = in->len > AUDIO_REQ_HEADER ? in->len - AUDIO_REQ_HEADER : 0;
		uint8_t *data = len ? malloc(len) : NULL;
		if (len && !data) {
			rep.status = -ENOMEM;
			break;
		}
		if (len)
			memcpy(data, in->data + AUDIO_REQ_HEADER, len);
		sl->nonblock = false;
		start_write(sl, client, false, len, data);
		return;
	}
	case AUDIO_SYNC:
		start_sync(sl, client, false);
		return;
	case AUDIO_VOLUME:
		if (q.volume >= 0) {
			if (sl)
				sl->s.volume = (unsigned)volume_in(q.volume);
			else
				au.master = (unsigned)volume_in(q.volume);
		}
		rep.volume = (int)(sl ? sl->s.volume : au.master);
		break;
	case AUDIO_CLOSE:
		close_stream(sl);
		break;
	case AUDIO_INFO:
		rep.info.card = au.have_card;
		rep.info.master = au.master;
		rep.info.running = au.card.running;
		rep.info.frames = au.periods_played * AC97_PERIOD_FRAMES;
		rep.info.underruns = au.underruns;
		for (unsigned i = 0; i < STREAMS_MAX; i++)
			rep.info.streams += slots[i].kind != FREE && !slots[i].closing;
		break;
	default:
		rep.status = -ENOSYS;
	}
	answer_ipc(client, &rep);
}

static void handle(pid_t client, const struct ipc_msg *in)
{
	if (in->flags & IPC_NOTIFY) {
		card_interrupt();
		return;
	}
	if (in->flags & IPC_KERNEL) {
		if (in->type < CHR_OPEN || in->type > CHR_CLOSE)
			return;
		struct chr_req q = {0};
		memcpy(&q, in->data, in->len < sizeof(q) ? in->len : sizeof(q));
		kernel_request(client, in->type, &q);
		return;
	}
	if (client > 0)
		ipc_request(client, in);
}

/* IPC streams whose client is gone: closed (the kernel closes the files of the dead). */
static void reap_clients(void)
{
	for (unsigned i = 0; i < STREAMS_MAX; i++)
		if (slots[i].kind == IPC && !slots[i].closing && kill(slots[i].owner, 0) < 0 &&
		    errno == ESRCH)
			close_stream(&slots[i]);
}

static int start(void)
{
	const char *why = NULL;
	int err = ac97_open(&au.card, &why);
	if (err) {
		printf(NAME ": %s: %s; /dev/dsp has no card\n", why, strerror(-err));
	} else {
		au.have_card = true;
		printf(NAME ": AC'97 at %02x:%02x.%x, %d Hz stereo, mixing up to %d streams\n",
		       au.card.info.bus, au.card.info.dev, au.card.info.fn, AC97_RATE, STREAMS_MAX);
	}
	if (syscall(SYS_chr_serve, CHR_RDEV_DSP) < 0 || syscall(SYS_chr_serve, CHR_RDEV_MIXER) < 0)
		fprintf(stderr, NAME ": cannot serve /dev/dsp and /dev/mixer: %s\n", strerror(errno));
	if (ipc_register(AUDIO_SERVICE) < 0)
		fprintf(stderr, NAME ": cannot register '" AUDIO_SERVICE "': %s\n", strerror(errno));
	return 0;
}

/* Until ms have passed (or a signal): interrupts and requests. */
static void wait(long long ms)
{
	static struct ipc_msg in;
	long long end = monotonic_ms() + ms;
	for (;;) {
		long long now = monotonic_ms();
		if (now >= end)
			return;
		long long left = end - now;
		if (au.card.running && left > RUNNING_POLL_MS)
			left = RUNNING_POLL_MS;
		pid_t from = ipc_receive(0, &in, (uint64_t)left * 1000000ull);
		if (from < 0) {
			if (errno == EINTR)
				return;
			if (errno == ETIMEDOUT && au.card.running)
				card_interrupt(); /* an interrupt lost: look at the card anyway */
			reap_clients();
			continue;
		}
		handle(from, &in);
	}
}

int main(int argc, char **argv)
{
	static const char *const setup[] = {"serving /dev/dsp, /dev/mixer and '" AUDIO_SERVICE "'", NULL};
	static const struct service_info svc = {.name = NAME, .setup = setup, .heartbeat_ms = 5000,
						.start = start, .wait = wait};
	return service_main(&svc, argc, argv);
}
