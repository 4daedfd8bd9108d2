/*
 * The ring under pipes, FIFOs (pipe.c) and AF_UNIX stream sockets (unix.c): 64 KiB of pages
 * allocated as they fill, with counts of the ends that read and write it.
 */
#ifndef KERNEL_PIPE_RING_H
#define KERNEL_PIPE_RING_H

#include <kernel/vfs.h>

#define PIPE_PAGES 16
#define PIPE_SIZE (PIPE_PAGES * PAGE_SIZE)
#define PIPE_BUF 4096

struct pipe {
	unsigned readers, writers;
	unsigned rgen, wgen; /* opens of each end so far: a FIFO open waits for the other's */
	char *page[PIPE_PAGES];
	size_t head, len;
	struct mount *mnt;   /* a FIFO's node, or NULL for an anonymous pipe */
	uint64_t ino;
	unsigned refs;       /* open files, and FIFO opens waiting for the other end */
	/* FIFO opens waiting for the other end: counted as ends already, as Linux counts them, so
	 * the other end's open, reads and writes see them (pipe_open_fifo). */
	struct {
		int tid;
		bool reader;
		unsigned seen; /* the other end's opens when it began */
	} pend[8];
	bool reset;          /* a socket's: its peer closed with bytes unread (ECONNRESET, once) */
};

/* Whether file f's caller must not wait: O_NONBLOCK, or the call's MSG_DONTWAIT. */
bool pipe_nonblocking(struct thread *t, struct file *f);
/* A zeroed ring (NULL when out of memory), and its end. */
struct pipe *pipe_new(void);
void pipe_free(struct pipe *p);
/* Forgets the FIFOs' pipes (boot, shutdown: nothing has them open). */
void pipe_reset(void);
/* t's FIFO open ended without completing (a signal, its end): it is no longer an end. */
void pipe_fifo_abandon(struct thread *t);
/* Reads from p what is there for file f's caller (0 when empty and nobody writes; -EAGAIN or
 * a wait when empty: O_NONBLOCK or MSG_DONTWAIT say which). With MSG_PEEK the bytes stay,
 * t->msg_peeked of them already seen by the call. */
long pipe_ring_read(struct thread *t, struct file *f, struct pipe *p, uint64_t buf, uint64_t len);
/* Writes into p what fits (PIPE_BUF bytes or fewer whole); EPIPE and SIGPIPE (none with
 * MSG_NOSIGNAL) when nobody reads. */
long pipe_ring_write(struct thread *t, struct file *f, struct pipe *p, uint64_t buf, uint64_t len);

/* Records in a ring (datagram sockets): room for n more bytes; bytes appended from kernel or
 * user memory at the end (the ring's length grows by them; -EFAULT or -ENOMEM leaves it as it
 * was... the caller restores len); bytes copied out from offset off after the head, to kernel
 * or user memory; and the first n bytes dropped. */
size_t pipe_ring_room(const struct pipe *p);
int pipe_ring_kput(struct pipe *p, const void *k, size_t n);
int pipe_ring_uput(struct thread *t, struct pipe *p, uint64_t ubuf, size_t n);
int pipe_ring_kget(struct pipe *p, size_t off, void *k, size_t n);
int pipe_ring_uget(struct thread *t, struct pipe *p, size_t off, uint64_t ubuf, size_t n);
void pipe_ring_drop(struct pipe *p, size_t n);

/* The attributes of a node that lives only in the kernel (pipefs, sockfs): its number and
 * mode, one link. */
int pipe_anon_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a);

#endif
