/*
 * The GDB remote serial protocol in front of the debugger's engine (debug.h): the stub that
 * gives packets their meaning (gdbstub.c), their transport over a localhost TCP port
 * (gdbwire.c), and the registers and memory as gdb sees them (gdbtarget.c).
 */
#ifndef SIM_GDBSTUB_H
#define SIM_GDBSTUB_H

#include "debug.h"

/* The stub as the engine's front end (gdbstub_open first). */
extern const struct debug_frontend gdbstub_frontend;

/* gdbstub.c: the GDB remote serial protocol on a localhost TCP port: 0 or -errno. */
int gdbstub_open(int port);
/* Time travel: the stop reasons the debugger understands; a process taking the connection
 * over takes them, and whether the debugger waits for a stop reply. */
void gdbstub_features(bool *swbreak, bool *hwbreak);
void gdbstub_adopt(bool swbreak, bool hwbreak, bool waiting);

/* What the stub does after a packet. */
enum gdb_serve { GDB_SERVE_ON, GDB_SERVE_RESUME, GDB_SERVE_DETACH, GDB_SERVE_KILL,
		 GDB_SERVE_QUIET /* no reply: serve on */ };
/* The protocol without a socket (for tests and fuzzing): a debugger connects to the system
 * stopped at s, then each packet (length bytes and a NUL) is answered in turn; the reply stays
 * valid until the next packet. The serving loop does the same over gdbwire.c. */
void gdbstub_session(const struct debug_stop *s);
enum gdb_serve gdbstub_handle(const char *pkt, size_t length, const char **reply,
			      size_t *reply_len);

/* gdbwire.c: the protocol's transport, one debugger at a time. */
#define GDB_PACKET_MAX 0x4000 /* our PacketSize: the longest packet gdb may send */
int gdbwire_open(int port);
void gdbwire_close(void);
bool gdbwire_connected(void);
/* Takes a debugger that is connecting, without waiting: true if one did. */
bool gdbwire_accept(void);
/* Waits for a debugger to connect; false if the user stopped the machine meanwhile. */
bool gdbwire_wait_connection(void);
void gdbwire_disconnect(void);
/* Acknowledgements stop (QStartNoAckMode). */
void gdbwire_no_ack(void);
void gdbwire_send(const char *data, size_t len);
/* Waits for the next packet and copies it to pkt (GDB_PACKET_MAX bytes, NUL added): its
 * length, or -1 once the debugger went away. */
long gdbwire_next(char *pkt);
/* The same, but -1 also when nothing came for quiet_ms. */
long gdbwire_next_within(char *pkt, int quiet_ms);
/* While the system runs: turns away other debuggers, reads what came, true if it holds a
 * Ctrl-C. */
bool gdbwire_interrupted(void);
/* Waits at most timeout_ms for the debugger to send or connect. */
void gdbwire_wait_input(int timeout_ms);
/* The connection to the debugger and the listening socket in pfd[0, DEBUG_POLLFDS), each -1
 * when there is none; false when neither is. */
bool gdbwire_pollfds(struct pollfd *pfd);
/* Time travel (travel.c) hands the connection from process to process. The connection (-1:
 * none) and whether acknowledgements stopped; release: this process lets the connection go
 * (and the listening socket, with listening_too), without closing it for the others; adopt: it
 * takes a connection; push: a packet to take next as if the debugger had sent it. */
int gdbwire_conn_fd(void);
bool gdbwire_noack(void);
void gdbwire_release(bool listening_too);
void gdbwire_adopt(int fd, bool noack);
void gdbwire_push(const char *pkt, size_t len);
/* The value of a hex digit, or -1. */
int gdb_hex_digit(char c);
/* The framing, without a socket: what the start of in[0, len) is. *used bytes are done with
 * (0 for GDB_FRAME_MORE); a packet's data are in[1, 1 + *body_len). */
enum gdb_frame {
	GDB_FRAME_MORE,   /* an unfinished packet, or nothing: wait for more */
	GDB_FRAME_SKIP,   /* acknowledgements, Ctrl-C, noise between packets */
	GDB_FRAME_NAK,    /* '-': the debugger wants our last packet again */
	GDB_FRAME_BAD,    /* a packet with a bad checksum, cut short or too long: answer '-' */
	GDB_FRAME_PACKET, /* a good packet */
};
enum gdb_frame gdb_frame(const char *in, size_t len, size_t *used, size_t *body_len);

/* gdbtarget.c: registers and memory as gdb sees them. */
#define GDB_NREGS 59
#define GDB_REG_RIP 16
extern const char gdb_target_xml[];
/* Bytes of register n in the 'g' packet, in the target description's order. */
unsigned gdb_reg_size(unsigned n);
/* Register n of p into out (gdb_reg_size(n) bytes). */
void gdb_reg_read(struct thread *p, unsigned n, uint8_t *out);
/* Sets register n of p from in: 0, or -EINVAL for a value the CPU cannot take. */
int gdb_reg_write(struct thread *p, unsigned n, const uint8_t *in);
/* Writes guest memory as the kernel's loader does (a copy-on-write page is copied first, so no
 * other process sees it); translated code of the pages written is dropped. 0 or -errno. */
int gdb_poke(struct mm *mm, uint64_t va, const void *src, size_t len);

#endif
