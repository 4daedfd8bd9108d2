/*
 * Record and replay (record.c): every input from outside the machine, logged with the point of
 * the run where the machine took it (--record=FILE), and given back at the same point instead of
 * the outside's (--replay=FILE), so that a replay is the recorded run again, instruction for
 * instruction. docs/debugging.md, "Record and replay", has the log's format.
 *
 * Where the machine is: the executed blocks (the virtual clock's source), the virtual time
 * skipped while everything slept, and the count of input points passed. An input point is one
 * question the machine asks the outside (is there console input, how many stop requests, how
 * long did an idle wait last): the same run asks the same questions in the same order, so the
 * count names the point where an answer belongs.
 */
#ifndef SIM_RECORD_H
#define SIM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rec_mode { REC_OFF, REC_RECORD, REC_REPLAY };
extern enum rec_mode rec_mode;

/* The kinds of input, each at its own input points. */
enum rec_kind {
	REC_CONSOLE = 1, /* console input: bytes, or value < 0 (-errno) at its end */
	REC_WINSIZE,     /* the terminal's new size: value rows << 16 | cols */
	REC_STOPS,       /* stop requests (Ctrl-C, SIGTERM, Ctrl-A x) so far: value */
	REC_IDLE,        /* an idle wait that real time ended: value ns waited, data flags */
	REC_CLOCK,       /* --clock=host: the host clock's reading, value ns */
	REC_SEED,        /* --clock=host: the random seed, value */
	REC_SYNC,        /* no input: where the run is and what it printed, checked in a replay */
	REC_DISK,        /* a disk chunk before the recording's first write to it (no point) */
	REC_END,         /* the run ended: value its status */
	REC_NET,         /* a frame from the network's wire (slirp) for the card: data */
	REC_NET_SOON,    /* slirp wants to be polled again at once (its TCP timers) */
	REC_WINDOW,      /* a key or the mouse in --display=sdl's window: data 4 int32 */
};
#define REC_KIND_LAST REC_WINDOW

struct rec_pos {
	uint64_t blocks;  /* executed blocks */
	uint64_t idle_ns; /* virtual time skipped while everything slept */
	uint64_t point;   /* input points passed */
};

/* What a run must match to replay a log: the machine and its programs, as main.c describes
 * them (options, image and program checksums). */
int rec_open_record(const char *path, const char *machine, bool terminal,
		    const char *const *envp);
/* Opens a log: 0, or -1 having said why (not a log, another machine). *terminal: whether the
 * recording's console was a person's terminal (else a stream); *envp: the first process's
 * environment in the recording (free it). */
int rec_open_replay(const char *path, const char *machine, bool *terminal, char ***envp);
/* The replay stopped: the run left the recording's path (said on stderr). */
bool rec_diverged(void);
/* Time travel: a recording's log written out so far (before a fork); a runner forked from a
 * recording that goes on replaying its log from where it is (0, or -1 having said why). */
void rec_flush(void);
int rec_follow(void);
/* Ends the log (a recording's last record says how the run ended). */
void rec_close(int status);

/* The position now (record.c asks cpu.c and machine.c). */
struct rec_pos rec_position(void);
/* "B:I/P", the position as --trace lines and `monitor when` show it. */
void rec_format(const struct rec_pos *pos, char *buf, size_t size);

/*
 * An input point of kind. Recording: live is what the outside said (value, and len bytes of
 * data); it is logged unless it is the default (no input). Replaying: the log's answer for this
 * point is put in *value and data (at most *len bytes, *len set), true; false when the log has
 * none here, and the caller uses its default. Off: false, nothing done.
 */
void rec_put(enum rec_kind kind, int64_t value, const void *data, size_t len);
bool rec_take(enum rec_kind kind, int64_t *value, void *data, size_t *len);
/* Counts one input point (rec_put and rec_take do it themselves). */
void rec_point(void);

/* A sync point: the console's output so far and the position, logged or checked. */
void rec_sync(void);
/* Every console byte the machine writes goes through here (for the sync's checksum). */
void rec_output(const void *buf, size_t len);

/* The disk (virtio_blk.c): the recording saves each 4 KiB chunk before its first write (the
 * disk's sim_disk_first_write); the replay gets the saved chunks back, to read the disk as the
 * recording began with it. */
#define REC_DISK_CHUNK 4096u
void rec_disk_save(uint64_t chunk, const void *data);
/* Calls fn for each chunk a log saved (at the start of a replay). */
void rec_disk_chunks(void (*fn)(uint64_t chunk, const void *data, void *arg), void *arg);

#endif
