/* The kernel log (klog.h): a ring of KLOG_RECORDS records, the oldest overwritten first. */
#include <kernel/klib.h>
#include <kernel/klog.h>
#include <kernel/plat.h>
#include <kernel/syscall.h>
#include <kernel/wait.h>
#include <uapi/linux.h>

struct record {
	uint64_t seq, ns;
	uint8_t level;
	uint8_t len;
	char text[KLOG_TEXT_MAX];
};

static struct record ring[KLOG_RECORDS];
static uint64_t next_seq;  /* of the next record written; records next_seq - count .. are there */
static uint64_t clear_seq; /* syslog's "clear" hides the records before it from READ_ALL */
static int key;            /* what /dev/kmsg readers wait on */

#define KMSG_WRITE_MAX 1024 /* of one write to /dev/kmsg; the rest is dropped, as Linux does */

void klog_reset(void)
{
	next_seq = clear_seq = 0;
}

static uint64_t first_seq(void)
{
	return next_seq > KLOG_RECORDS ? next_seq - KLOG_RECORDS : 0;
}

static void append(int level, const char *s, size_t len)
{
	struct record *r = &ring[next_seq % KLOG_RECORDS];
	r->seq = next_seq++;
	r->ns = plat_clock_ns();
	r->level = (uint8_t)(level & 7);
	r->len = (uint8_t)MIN(len, (size_t)KLOG_TEXT_MAX);
	kmemcpy(r->text, s, r->len);
}

void klog_write(int level, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n')
			continue;
		if (i > start || i < len)
			append(level, s + start, i - start);
		start = i + 1;
	}
	wait_wake(WAIT_KEY(&key));
}

/* Formats record r as syslog(2) gives it: "<level>[seconds.micros] text\n". */
static size_t format_syslog(const struct record *r, char *out, size_t room)
{
	uint64_t us = r->ns / 1000;
	int n = ksnprintf(out, room, "<%u>[%5llu.%06llu] %.*s\n", r->level,
			  (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000),
			  (int)r->len, r->text);
	return n < 0 ? 0 : MIN((size_t)n, room - 1);
}

/* Formats record r as a /dev/kmsg read gives it: "level,seq,micros,-;text\n". */
static size_t format_kmsg(const struct record *r, char *out, size_t room)
{
	int n = ksnprintf(out, room, "%u,%llu,%llu,-;%.*s\n", r->level, (unsigned long long)r->seq,
			  (unsigned long long)(r->ns / 1000), (int)r->len, r->text);
	return n < 0 ? 0 : MIN((size_t)n, room - 1);
}

/* The records from clear_seq (or the oldest kept) into user buf, the newest that fit. */
static long read_all(struct thread *t, uint64_t buf, uint64_t len, bool clear)
{
	char line[KLOG_TEXT_MAX + 40];
	uint64_t from = MAX(first_seq(), clear_seq), total = 0;
	/* Newest first, to know where to start so that the last records fit. */
	uint64_t start = next_seq;
	while (start > from) {
		size_t n = format_syslog(&ring[(start - 1) % KLOG_RECORDS], line, sizeof(line));
		if (total + n > len)
			break;
		total += n;
		start--;
	}
	uint64_t done = 0;
	for (uint64_t s = start; s < next_seq; s++) {
		size_t n = format_syslog(&ring[s % KLOG_RECORDS], line, sizeof(line));
		if (copy_out(t->proc->mm, buf + done, line, n))
			return -EFAULT;
		done += n;
	}
	if (clear)
		clear_seq = next_seq;
	return (long)done;
}

static uint64_t unread_bytes(void)
{
	char line[KLOG_TEXT_MAX + 40];
	uint64_t total = 0;
	for (uint64_t s = MAX(first_seq(), clear_seq); s < next_seq; s++)
		total += format_syslog(&ring[s % KLOG_RECORDS], line, sizeof(line));
	return total;
}

/* syslog(2), what dmesg uses. Everyone is root: every action is allowed. */
SYSCALL(syslog)
{
	enum { CLOSE, OPEN, READ, READ_ALL, READ_CLEAR, CLEAR, CONSOLE_OFF, CONSOLE_ON,
	       CONSOLE_LEVEL, SIZE_UNREAD, SIZE_BUFFER };
	int type = (int)a[0];
	long len = (long)(int)a[2];
	switch (type) {
	case CLOSE:
	case OPEN:
	case CONSOLE_OFF:
	case CONSOLE_ON:
		return 0;
	case CONSOLE_LEVEL:
		return len < 1 || len > 8 ? -EINVAL : 0;
	case READ:
	case READ_ALL:
	case READ_CLEAR:
		if (len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (type == READ && next_seq == MAX(first_seq(), clear_seq))
			return wait_block(t, WAIT_TTY, WAIT_KEY(&key), UINT64_MAX,
					  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
		return read_all(t, a[1], (uint64_t)len, type != READ_ALL);
	case CLEAR:
		clear_seq = next_seq;
		return 0;
	case SIZE_UNREAD:
		return (long)unread_bytes();
	case SIZE_BUFFER:
		return KLOG_RECORDS * (KLOG_TEXT_MAX + 40);
	default:
		return -EINVAL;
	}
}

/* A /dev/kmsg descriptor's offset is the sequence number of the next record it reads. */
static long kmsg_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	if (f->offset < first_seq())
		f->offset = first_seq(); /* overwritten meanwhile: Linux says EPIPE once, then goes on */
	if (f->offset >= next_seq) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		return wait_block(t, WAIT_TTY, WAIT_KEY(&key), UINT64_MAX,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	char line[KLOG_TEXT_MAX + 64];
	size_t n = format_kmsg(&ring[f->offset % KLOG_RECORDS], line, sizeof(line));
	if (n > len)
		return -EINVAL; /* a record is read whole */
	if (copy_out(t->proc->mm, buf, line, n))
		return -EFAULT;
	f->offset++;
	return (long)n;
}

/* Takes text (n bytes) as lines of records, "<N>" first setting their level. */
static void kmsg_take(char *text, size_t n)
{
	int level = KLOG_DEFAULT;
	size_t skip = 0;
	if (n >= 3 && text[0] == '<' && text[1] >= '0' && text[1] <= '7' && text[2] == '>') {
		level = text[1] - '0';
		skip = 3;
	}
	klog_write(level, text + skip, n - skip);
}

/* A write is a line, or lines, of text: a record each. */
static long kmsg_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)f, (void)off;
	char text[KMSG_WRITE_MAX];
	size_t n = (size_t)MIN(len, sizeof(text));
	if (copy_in(t->proc->mm, text, buf, n))
		return -EFAULT;
	kmsg_take(text, n);
	return (long)len;
}

/* writev: the pieces together are the write (C libraries' buffered output comes in two). */
static long kmsg_write_iov(struct thread *t, struct file *f, uint64_t iov, unsigned cnt)
{
	(void)f;
	char text[KMSG_WRITE_MAX];
	size_t n = 0;
	uint64_t total = 0;
	for (unsigned i = 0; i < cnt; i++) {
		struct linux_iovec v;
		if (copy_in(t->proc->mm, &v, iov + i * sizeof(v), sizeof(v)))
			return -EFAULT;
		size_t take = (size_t)MIN(v.iov_len, sizeof(text) - n);
		if (take && copy_in(t->proc->mm, text + n, v.iov_base, take))
			return -EFAULT;
		n += take;
		total += v.iov_len;
	}
	kmsg_take(text, n);
	return (long)total;
}

static unsigned kmsg_poll(struct file *f)
{
	return POLLOUT | (f->offset < next_seq ? POLLIN : 0);
}

static const struct file_ops kmsg_ops = {.read = kmsg_read, .write = kmsg_write,
					 .write_iov = kmsg_write_iov, .poll = kmsg_poll};

int klog_open(struct file *f)
{
	f->ops = &kmsg_ops;
	f->offset = first_seq();
	return 0;
}
