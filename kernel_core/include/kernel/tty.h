/*
 * Terminals: a line discipline (canonical editing with echo and erase, raw and cbreak modes,
 * the signal characters, job control) between a device's bytes and the processes that read
 * and write it. The console is one; when the platform's console is not interactive (a pipe or
 * a file), the first processes' descriptors are plain byte streams instead, as under
 * qemu-x86_64.
 */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include <kernel/proc.h>
#include <uapi/linux.h>

#define TTY_BUF 4096

struct file;

struct tty {
	struct linux_termios termios;
	struct linux_winsize winsize;
	int pgrp;          /* the foreground process group */
	int sid;           /* the session it controls (0: none) */
	char in[TTY_BUF];  /* input ring */
	size_t in_head, in_len;
	size_t cooked;     /* canonical mode: bytes at the head that form whole lines */
	unsigned eofs;     /* canonical mode: end-of-file marks among the cooked bytes */
	bool lnext;        /* the next byte is taken literally (VLNEXT) */
	unsigned column;   /* output column, for erasing tabs */
	bool hung_up;      /* the device went away: reads return 0, writes EIO */
	uint8_t eof_mark[TTY_BUF / 8]; /* end-of-file characters in the ring (not read) */
	unsigned rdev;     /* its device number, major << 8 | minor (/proc/PID/stat's tty_nr) */
	/* Writes output bytes to the device. */
	void (*out)(struct tty *tty, const char *buf, size_t len);
	/* Optional: the bytes the device takes now; a writer waits (WAIT_TTY on the tty's
	 * room hook) while it has less room than a chunk needs. Without it the device takes all. */
	size_t (*room)(struct tty *tty);
	/* Optional: whether the device took all the output (tcdrain waits for it, on the same
	 * key as a writer waiting for room). Without it, output is taken at once. */
	bool (*drained)(struct tty *tty);
};

/* Output chunks of the line discipline: a device with room() takes at least this much. */
#define TTY_OUT_CHUNK 512

/* The console's tty (its device is the platform console). */
struct tty *tty_console(void);
/* Resets the console (boot). */
void tty_init(void);
/* A new terminal, device rdev, of rows x cols with Linux's default termios, its output going
 * to out. */
void tty_setup(struct tty *tty, unsigned rdev, unsigned rows, unsigned cols,
	       void (*out)(struct tty *tty, const char *buf, size_t len));
/* Bytes from the device: the line discipline takes them (echo, signals, editing). */
void tty_input(struct tty *tty, const char *buf, size_t len);
/* How many bytes tty_input takes now without losing one: 0 while the input ring is full. */
size_t tty_input_room(const struct tty *tty);
/* The device side's window size (a terminal emulator's TIOCSWINSZ): SIGWINCH on a change. */
void tty_set_winsize(struct tty *tty, const struct linux_winsize *ws);
/* Takes what the platform's console has for the kernel since the last look: what a person
 * typed at an interactive one; a stream's input when a reader waits for it. */
void tty_poll_console(void);
/* Whether the kernel waits for the console's input now: always when a person types at it;
 * for a stream (a pipe, a file), while a reader or poll waits for bytes it does not have. */
bool tty_console_wanted(void);
/* Opens tty on f (/dev/console), or the process's controlling terminal (/dev/tty). */
int tty_open(struct thread *t, struct tty *tty, struct file *f);
int tty_open_controlling(struct thread *t, struct file *f);
/* Gives a new first process its standard descriptors: the console tty when interactive,
 * else the console's byte streams. 0 or -ENOMEM. */
int tty_std_files(struct proc *p);
/* p ends: a session leader's terminal hangs up its foreground group. */
void tty_proc_exit(struct proc *p);
/* leader's session gets tty as its controlling terminal, its group in the foreground. */
void tty_set_controlling(struct tty *tty, struct proc *leader);
/* The tty behind an open file, or NULL. */
struct tty *tty_of_file(const struct file *f);
/* The nodes of the console's byte streams 0, 1 and 2 (devfs: DEVFS_STREAM_INO + n), and
 * opening one again (/proc/self/fd/1): reads take the console's input, writes go to stream n
 * (1 standard output, 2 standard error). */
#define DEVFS_STREAM_INO 0x10000ull
int tty_open_stream(struct file *f, int stream);
/* Opens a character device by number (devfs.c). */
int chrdev_open(struct thread *t, unsigned rdev, struct file *f);

#endif
